"""A small phrase language for the phrase lists, compiled to regular expressions.

Phrase lists stay readable for reviewers ("going to {kill_verb} !{reflexive}") and the matcher
stays a plain regular expression. Text is matched after `text.normalise`, so patterns are
written in lower case without accents.

    word        the word, also with 's after it      shoot*    shoot, shoots, shooting, shooter
    _           any one word                          #         a number (digits)
    a b         a then b, spaces or punctuation between (not a sentence end)
    {name}      any phrase of the named list          (a|b c)   one of the alternatives
    [a|b c]     optionally one of them (also (a|b)?)  ...       up to 4 other words (...8: up to 8)
    !{name}     not followed by the list (also !(a|b)), e.g. kill !{reflexive}
    re:...      a raw regular expression, for the rare case the language cannot say
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Between two words: anything but a word character or a sentence end.
SEP = r"[^\w.!?;\n]+"
_WORD = re.compile(r"[\w'\-/:$%&+]+\*?")


class PatternError(ValueError):
    """A phrase pattern that cannot be compiled; the message says where and why."""


@dataclass
class _Item:
    regex: str
    kind: str = "plain"  # plain | gap | optional | lookahead


def compile_phrase(pattern: str, resolve_list: Callable[[str], str]) -> str:
    """One phrase pattern -> the text of a regular expression (not yet compiled)."""
    if pattern.startswith("re:"):
        raw = pattern[3:].strip()
        try:
            re.compile(raw)
        except re.error as e:
            raise PatternError(f"invalid regular expression {raw!r}: {e}") from None
        return raw
    parser = _Parser(pattern, resolve_list)
    body = parser.alternatives(end=None)
    return rf"(?<!\w)(?<!\w'){body}(?!\w)"


class _Parser:
    def __init__(self, source: str, resolve_list: Callable[[str], str]) -> None:
        self.source = source
        self.pos = 0
        self.resolve_list = resolve_list

    def fail(self, why: str) -> PatternError:
        return PatternError(f"{why} at position {self.pos} of {self.source!r}")

    def alternatives(self, end: str | None) -> str:
        options = [self.sequence(end)]
        while self.pos < len(self.source) and self.source[self.pos] == "|":
            self.pos += 1
            options.append(self.sequence(end))
        if end is not None:
            if self.pos >= len(self.source) or self.source[self.pos] != end:
                raise self.fail(f"missing {end!r}")
            self.pos += 1
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    def sequence(self, end: str | None) -> str:
        items: list[_Item] = []
        while True:
            self._skip_spaces()
            if self.pos >= len(self.source) or self.source[self.pos] in "|" + (end or ""):
                break
            items.append(self.item())
        if not any(i.kind in ("plain", "optional") for i in items):
            raise self.fail("empty alternative")
        if items[-1].kind == "gap" or items[0].kind == "gap":
            raise self.fail("'...' must stand between two words")
        return _join(items)

    def item(self) -> _Item:
        char = self.source[self.pos]
        if self.source.startswith("...", self.pos):
            self.pos += 3
            digits = re.match(r"\d+", self.source[self.pos :])
            width = 4
            if digits:
                width = int(digits.group())
                self.pos += len(digits.group())
            return _Item(rf"(?:[\w'\-]+{SEP}){{0,{width}}}", "gap")
        if char == "!":
            self.pos += 1
            if self.pos >= len(self.source) or self.source[self.pos] not in "({":
                raise self.fail("'!' must be followed by {list} or (alternatives)")
            inner = self.item()
            return _Item(rf"(?!{SEP}{inner.regex}(?!\w))", "lookahead")
        if char == "_" and self._token_ends(1):
            self.pos += 1
            return _Item(r"[\w'\-]+")
        if char == "#" and self._token_ends(1):
            self.pos += 1
            return _Item(r"\d+(?:[.,]\d+)?")
        if char == "{":
            close = self.source.find("}", self.pos)
            if close < 0:
                raise self.fail("missing '}'")
            name = self.source[self.pos + 1 : close]
            self.pos = close + 1
            return _Item(self.resolve_list(name))
        if char == "(":
            self.pos += 1
            group = self.alternatives(end=")")
            if self.source.startswith("?", self.pos):  # (a|b)? is the same as [a|b]
                self.pos += 1
                return _Item(group, "optional")
            return _Item(group)
        if char == "[":
            self.pos += 1
            return _Item(self.alternatives(end="]"), "optional")
        word = _WORD.match(self.source, self.pos)
        if not word:
            raise self.fail(f"unexpected {char!r}")
        self.pos = word.end()
        text = word.group()
        if text.endswith("*"):
            return _Item(re.escape(text[:-1]) + r"\w*")
        return _Item(re.escape(text) + r"(?:'s)?")

    def _token_ends(self, length: int) -> bool:
        end = self.pos + length
        return end >= len(self.source) or self.source[end] in " |)]"

    def _skip_spaces(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos] == " ":
            self.pos += 1


def _join(items: list[_Item]) -> str:
    """Glue items with separators; gaps and optional items carry their own trailing separator."""
    out = ""
    need_separator = False
    for index, item in enumerate(items):
        last = index == len(items) - 1
        if item.kind == "lookahead":
            out += item.regex
        elif item.kind == "gap":
            out += (SEP if need_separator else "") + item.regex
            need_separator = False
        elif item.kind == "optional":
            if not out:
                out += f"(?:{item.regex}{SEP})?"
                need_separator = False
            elif last:
                out += f"(?:{SEP}{item.regex})?"
            else:
                out += (SEP if need_separator else "") + f"(?:{item.regex}{SEP})?"
                need_separator = False
        else:
            out += (SEP if need_separator else "") + f"(?:{item.regex})"
            need_separator = True
    return out
