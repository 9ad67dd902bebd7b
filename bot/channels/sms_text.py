"""Split a bot message into SMS messages on sentence boundaries, with segments in mind.

A message in the GSM-7 alphabet travels in 160-character segments (153 once concatenated); one
character outside it (most emoji, á, í, ó, ú) turns the whole message into UCS-2: 70 UTF-16 units
per segment (67 concatenated). Twilio advises at most 320 characters per message, so each part is
kept to whole segments under that: 2 GSM-7 segments (306 characters) or 4 UCS-2 segments (268
units).
"""

from __future__ import annotations

import re

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")  # each costs two septets

GSM7_LIMIT = 306  # 2 concatenated segments of 153
UCS2_LIMIT = 268  # 4 concatenated segments of 67

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def units(text: str) -> int:
    """Length as the network counts it: septets for GSM-7, UTF-16 code units for UCS-2."""
    if is_gsm7(text):
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    size = units(text)
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    return 1 if size <= single else -(-size // multi)


def fits(text: str) -> bool:
    return units(text) <= (GSM7_LIMIT if is_gsm7(text) else UCS2_LIMIT)


def split_for_sms(text: str) -> list[str]:
    """Parts that each fit, cut between paragraphs, then sentences, then words; never mid-word if avoidable."""
    parts: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in text.strip().split("\n\n")):
        if not paragraph:
            continue
        pieces = [s for s in SENTENCE_END.split(paragraph) if s]
        first_of_paragraph = True
        for piece in pieces:
            for chunk in _words_that_fit(piece):
                glue = "\n\n" if first_of_paragraph else " "
                candidate = f"{current}{glue}{chunk}" if current else chunk
                if fits(candidate):
                    current = candidate
                else:
                    parts.append(current)
                    current = chunk
                first_of_paragraph = False
    if current:
        parts.append(current)
    return parts


def _words_that_fit(sentence: str) -> list[str]:
    """A sentence as one chunk if it fits, else as runs of whole words (a word too long is cut)."""
    if fits(sentence):
        return [sentence]
    chunks: list[str] = []
    current = ""
    for word in sentence.split():
        while not fits(word):
            cut = len(word)
            while not fits(word[:cut]):
                cut -= 1
            if current:
                chunks.append(current)
                current = ""
            chunks.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
        else:
            chunks.append(current)
            current = word
    if current:
        chunks.append(current)
    return chunks
