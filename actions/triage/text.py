"""One spelling for matching: lower case, no accents, contractions and texting shorthand expanded.

Residents write fast, on phones, in English and Spanish; the phrase lists are written once in
plain spelling and this module brings every message to it. Evidence quoted in explanations is
taken from the normalised text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

_QUOTES = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"', "«": '"', "»": '"'})

# Abbreviations whose dot does not end a sentence ("Mr. Reynolds").
_ABBREVIATIONS = re.compile(r"\b(mr|mrs|ms|dr|st|jr|sr|sra|srta|sgt|lt|det|ave|apt|vs|approx)\.", re.I)

# Order matters: specific forms before the general "n't".
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\b(he|she|it|who|that)'s (been|had|got|gotten)\b", r"\1 has \2"),
        (r"\bwon't\b", "will not"),
        (r"\bcan't\b", "can not"),
        (r"\bain't\b", "is not"),
        (r"n't\b", " not"),
        (r"'ll\b", " will"),
        (r"'re\b", " are"),
        (r"\bi'm\b", "i am"),
        (r"'ve\b", " have"),
        (r"'d\b", " would"),
        (r"\b(he|she|it|that|there|who|what|where|here)'s\b", r"\1 is"),
        # The same without apostrophes, as they are typed on phones.
        (r"\b(do|does|did|is|was|were|are|have|has|had|would|could|should)nt\b", r"\1 not"),
        (r"\bcant\b", "can not"),
        (r"\bwont\b", "will not"),
        (r"\bim\b", "i am"),
        (r"\bive\b", "i have"),
        (r"\b(he|she)s\b", r"\1 is"),
        (r"\btheyre\b", "they are"),
        (r"\byoure\b", "you are"),
        (r"\b(that|there|what)s\b", r"\1 is"),
        # texting shorthand
        (r"\b(gonna|finna)\b", "going to"),
        (r"\bwanna\b", "want to"),
        (r"\bgotta\b", "got to"),
        (r"\btryna\b", "trying to"),
        (r"\b(boutta|bout to)\b", "about to"),
        (r"\b(imma|ima|i'ma)\b", "i am going to"),
        (r"\b(tmrw|tmr|tmrow|tmw|2moro|2morrow|2mrw|tomorow|tommorow|tommorrow|tomoro|tomorro)\b", "tomorrow"),
        (r"\b(tonite|2nite|2night)\b", "tonight"),
        (r"\brn\b", "right now"),
        (r"\bidk\b", "i do not know"),
        (r"\b(bc|cuz|coz|bcuz)\b", "because"),
        (r"\bw/", "with "),
        (r"\bb4\b", "before"),
        (r"\b(skool|skl)\b", "school"),
        (r"\bppl\b", "people"),
        (r"\b(pls|plz)\b", "please"),
        (r"\b(u)\b", "you"),
        (r"\bur\b", "your"),
        (r"\b(some1|sum1)\b", "someone"),
        (r"\bevery1\b", "everyone"),
        (r"\bkms\b", "kill myself"),
        (r"\bkys\b", "kill yourself"),
        (r"\bunalive\b", "kill"),
        (r"\bthru\b", "through"),
        (r"\b(xq|pq|porq)\b", "porque"),
    )
)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$|[\"')])|\n+")


def normalise(text: str) -> str:
    """Lower case, accents removed (mañana -> manana), shorthand and contractions expanded."""
    text = text.translate(_QUOTES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _ABBREVIATIONS.sub(r"\1", text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Text:
    """A normalised message and where its sentences start and end."""

    norm: str
    sentence_starts: tuple[int, ...]
    sentence_ends: tuple[int, ...]

    @classmethod
    def of(cls, raw: str) -> Text:
        norm = normalise(raw)
        starts, ends = [0], []
        for end in _SENTENCE_END.finditer(norm):
            ends.append(end.start())
            starts.append(end.end())
        ends.append(len(norm))
        return cls(norm, tuple(starts), tuple(ends))

    def sentence_at(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, position) - 1)

    def sentence(self, index: int) -> str:
        return self.norm[self.sentence_starts[index] : self.sentence_ends[index]]

    @property
    def sentence_count(self) -> int:
        return len(self.sentence_starts)
