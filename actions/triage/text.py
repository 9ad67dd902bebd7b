"""One spelling for matching: lower case, no accents, contractions and texting shorthand expanded.

Residents write fast, on phones, in English and Spanish; the phrase lists are written once in
plain spelling and this module brings every message to it. Evidence quoted in explanations is
taken from the normalised text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_QUOTES = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"', "«": '"', "»": '"'})

# Abbreviations whose dot does not end a sentence ("Mr. Reynolds").
_ABBREVIATIONS = re.compile(r"\b(mr|mrs|ms|dr|st|jr|sr|sra|srta|sgt|lt|det|ave|apt|vs|approx)\.", re.I)

# Order matters: specific forms before the general "n't".
_Replacement = str | Callable[[re.Match[str]], str]
_REWRITES: tuple[tuple[re.Pattern[str], _Replacement], ...] = tuple(
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
        (r"\b(weve|theyve|youve)\b", lambda m: m.group(1)[:-2] + " have"),
        (r"\b(theyll|youll|itll)\b", lambda m: m.group(1)[:-2] + " will"),
        (r"\b(would|could|should)ve\b", r"\1 have"),
        (r"\bwhos\b", "who is"),
        (r"\by'?all\b", "you all"),
        # texting shorthand
        (r"\b(gonna|finna|gon)\b", "going to"),
        (r"\bwanna\b", "want to"),
        (r"\bgotta\b", "got to"),
        (r"\btryna\b", "trying to"),
        (r"\b(boutta|bout to)\b", "about to"),
        (r"\b(imma|ima|i'ma)\b", "i am going to"),
        (
            r"\b(tmrw|tmr|tmrow|tmw|tmro|2moro|2morrow|2mrw|2mro|tomorow|tommorow|tommorrow|tomoro|tomorro|tomm)\b",
            "tomorrow",
        ),
        (r"\b(tonite|2nite|2night|tonigh)\b", "tonight"),
        (r"\b(2day|tdy)\b", "today"),
        (r"\b(yday|ystrdy|yest)\b", "yesterday"),
        (r"\brn\b", "right now"),
        (r"\bidk\b", "i do not know"),
        (r"\b(bc|cuz|coz|bcuz|bcz|bcs|becuz|b/c|becuase|becasue|bcause)(?=\W|$)", "because"),
        (r"\bw/o\b", "without"),
        (r"\bw/", "with "),
        (r"\bb4\b", "before"),
        (r"\b(skool|skl|scool|schl)\b", "school"),
        (r"\bppl\b", "people"),
        (r"\b(pls|plz|plss)\b", "please"),
        (r"\b(u)\b", "you"),
        (r"\bur\b", "your"),
        (r"\br\b(?!&)", "are"),
        (r"\b(some1|sum1|smone)\b", "someone"),
        (r"\bevery1\b", "everyone"),
        (r"\bany1\b", "anyone"),
        (r"\bno1\b", "no one"),
        (r"\b(abt|bout)\b", "about"),
        (r"\b(smth|sth|smthn|somethin|sumthin|smthng)\b", "something"),
        (r"\b(nothin|nuthin)\b", "nothing"),
        (r"\b(rly|rlly)\b", "really"),
        (r"\b(srsly|srs)\b", "seriously"),
        (r"\bprolly\b", "probably"),
        (r"\b(tho|thru)\b", lambda m: "though" if m.group(1) == "tho" else "through"),
        (r"\b(fr fr|frfr)\b", "for real"),
        (r"\bngl\b", "not going to lie"),
        (r"\bistg\b", "i swear to god"),
        (r"\bomw\b", "on my way"),
        (r"\blmk\b", "let me know"),
        (r"\b(wat|wut|wht)\b", "what"),
        (r"\bwen\b", "when"),
        (r"\b(whr|wher)\b", "where"),
        (r"\b(kno|knw)\b", "know"),
        (r"\b(cud|culd)\b", "could"),
        (r"\b(shud|shld)\b", "should"),
        (r"\b(wud|wld)\b", "would"),
        (r"\blil\b", "little"),
        (r"\bmins\b", "minutes"),
        (r"\bhrs\b", "hours"),
        (r"\bbf\b", "boyfriend"),
        (r"\bgf\b", "girlfriend"),
        (r"\bkms\b", "kill myself"),
        (r"\bkys\b", "kill yourself"),
        (r"\bunalive\b", "kill"),
        # common misspellings of words the triage reads
        (r"\b(suicde|sucide|suiside|suicid|suicied|sucidie)\b", "suicide"),
        (r"\b(sucidal|suicdal|suicidle|suisidal|sucicidal)\b", "suicidal"),
        (r"\b(threatend|threatned|threaten'd)\b", "threatened"),
        (r"\b(threating|threatning|thretening)\b", "threatening"),
        (r"\b(riffle|rilfe)\b", "rifle"),
        (r"\b(amunition|ammunitions|amo)\b", "ammunition"),
        (r"\b(pistle|pistal)\b", "pistol"),
        (r"\b(gaurd|gurad)(s?)\b", r"guard\2"),
        (r"\b(overdossed|ovrdosed)\b", "overdosed"),
        (r"\b(definately|definitly|defiantly)\b", "definitely"),
        (r"\b(untill|til|till)\b", "until"),
        (r"\balot\b", "a lot"),
        (r"\bwierd\b", "weird"),
        (r"\b(neighbour|nieghbor|neigbor|nabor)(s?)\b", r"neighbor\2"),
        (r"\b(basment|basemnt)\b", "basement"),
        (r"\bknifes\b", "knives"),
        # Spanish texting
        (r"\b(xq|pq|porq|xk|pk)\b", "porque"),
        (r"\b(q|ke)\b(?=\s)", "que"),
        (r"\b(tmb|tb|tmbn|tambn)\b", "tambien"),
        (r"\b(xfa|xfavor|porfa|porfis|plis)\b", "por favor"),
        (r"\b(dnd|dnde)\b", "donde"),
        (r"\b(orita|aorita|ahoritita)\b", "ahorita"),
        (r"\baora\b", "ahora"),
        (r"\b(mnn|mnna|maniana)\b", "manana"),
        (r"\bnomas\b", "no mas"),
        (r"\bvdd\b", "verdad"),
        (r"\bbn\b", "bien"),
        (r"\bamenas(a|ar|o)\b", r"amenaz\1"),
        (r"\b(suisidio|sucidio|suicido)\b", "suicidio"),
        (r"\bmatarce\b", "matarse"),
        (r"\b(cuchiyo|cuchilo)\b", "cuchillo"),
        (r"\b(balasera|baleacera)\b", "balacera"),
    )
)
# Elongations ("sooo", "pleeease", "helppp", "noooow"): a letter typed three or more times
# counts once, but e and o twice (goood -> good, sleeeep -> sleep), and the few words that
# leaves doubled are put right (soo -> so, pleease -> please).
_ELONGATION = re.compile(r"([a-df-np-z])\1{2,}")
_ELONGATION_EO = re.compile(r"([eo])\1{2,}")
_ELONGATED_WORDS = re.compile(r"\b(soo|noo|noow|pleease|pleasee|heelp|yees|whyy|omgg|goo|hee|shee|mee)\b")
_UNELONGATED = {
    "soo": "so",
    "noo": "no",
    "noow": "now",
    "pleease": "please",
    "pleasee": "please",
    "heelp": "help",
    "yees": "yes",
    "whyy": "why",
    "omgg": "omg",
    "goo": "go",
    "hee": "he",
    "shee": "she",
    "mee": "me",
}
_SPACES = re.compile(r"[ \t\r\f\v]+")
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$|[\"')])|\n+")


def normalise(text: str) -> str:
    """Lower case, accents removed (mañana -> manana), elongations shortened ("sooo" -> "so"),
    contractions with or without their apostrophe, texting shorthand and common misspellings
    expanded, in English and Spanish."""
    text = text.translate(_QUOTES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _ABBREVIATIONS.sub(r"\1", text)
    text = _ELONGATION.sub(r"\1", text)
    text = _ELONGATION_EO.sub(r"\1\1", text)
    text = _ELONGATED_WORDS.sub(lambda m: _UNELONGATED[m.group(1)], text)
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
