"""The text that masking and the publication scanner search: written forms folded
together, with every position traced back to the text as written.

People and programs write an identifier with characters that look like the usual ones
but are not: a thin space (U+2009) or narrow no-break space (U+202F) between digit
groups, fullwidth digits and hyphen (``５５０１１４－２２８４``, from East Asian input
methods and some PDF extractions), a soft hyphen (U+00AD) or zero-width space inside a
number, a Windows line break, or a number broken over two lines with the second
indented or after a blank line (a page break). :func:`fold` writes all of them in their
plain form, so that the patterns of :mod:`cape_study.privacy.identifiers` and
:mod:`cape_study.privacy.patterns` need only know single spaces, a line break or a blank
line, and the dash characters. What is masked is the text as written: a finding in the folded
text covers the characters it was folded from (:meth:`Folded.span`).

Folding: a soft hyphen after six digits (no more) and before a digit becomes a hyphen:
it may be all that separates a henkilötunnus's date from its number, the century sign
``-`` written as one (``131052\u00ad9085``); other soft hyphens, zero-width
characters, word joiners, byte-order marks, direction marks and embeddings (an RLM or
LRI inside a number), invisible operators and combining marks on a digit or dash
(``5\u0301``) are dropped; character references of HTML (``&#8209;`` between a date
and its number, ``&nbsp;``, ``&ndash;``) are read as the character they stand for; a
run of white space with one line break in it (``\\r\\n``, an indented next line, a
line separator) becomes one ``\\n``, with more a blank line; any other run of white
space (tab, no-break, thin, ideographic spaces ...) becomes one space; fullwidth ASCII
forms (U+FF01-U+FF5E) and the small hyphen-minus become ASCII.
"""

from __future__ import annotations

import bisect
import html
import re
from typing import NamedTuple

from cape_study.privacy.identifiers import DASH_CLASS

__all__ = ["Folded", "fold"]

_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")
_DASHLIKE = {"\ufe63": "-", "\ufe58": "\u2014", "\u2043": "-", "\u1806": "-"}
# Invisible format characters: zero-width ones, word joiner, byte-order mark, direction
# marks and embeddings (LRM, RLM, LRE ... PDF, LRI ... PDI) and the invisible operators.
_INVISIBLE = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
# Combining marks (accents, underline, strike-through) on a digit or a dash.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff\ufe20-\ufe2f"
# Character references of HTML left in a text (an e-mail saved as text, a web page
# copied): numeric ones and the named spaces and dashes.
_ENTITY = (
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}"
    r"|nbsp|shy|ndash|mdash|minus|hyphen|dash|thinsp|ensp|emsp|zwj|zwnj|lrm|rlm);"
)
# Every place fold changes; a plain space, a lone line break and a blank line are left.
_EDIT = re.compile(
    r"(?P<ws> *[^\S \n]\s*| +\n\s*|\n[^\S\n]\s*|\n{3,}\s*| {2,})"
    r"|(?P<shy>(?<=\d{6})(?<!\d{7})\u00ad+(?=\d))"
    rf"|(?P<drop>[{_INVISIBLE}]+|(?<=[\d{DASH_CLASS}])[{_MARKS}]+)"
    r"|(?P<wide>[\uff01-\uff5e]+)"
    r"|(?P<dash>[\ufe63\ufe58\u2043\u1806])"
    rf"|(?P<entity>{_ENTITY})"
)
#: White space other than a space and a line break (``[^\S \n]``) written out, so that it
#: can be one class with other characters (tests/test_intake_fastpaths.py checks it over
#: every code point).
OTHER_SPACE = "\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The characters fold changes, besides runs of plain white space: white space other than a
# space and a line break, invisible, fullwidth and dash-like characters, a combining mark
# after a digit or dash, a character reference. Written as one class of those characters,
# the marks and & (rare: searched fast, where an alternation of classes is tried at every
# position), with what must come before or after them in lookarounds.
_ONE = rf"{OTHER_SPACE}{_INVISIBLE}\uff01-\uff5e\ufe63\ufe58\u2043\u1806"
_CHANGED = re.compile(
    rf"[{_ONE}{_MARKS}&](?:(?<=[{_ONE}])|(?<=[\d{DASH_CLASS}][{_MARKS}])|(?<=&)(?={_ENTITY[1:]}))"
)
_RUNS = ("  ", " \n", "\n ", "\n\n\n")


class Folded(NamedTuple):
    """A folded text and where its pieces came from: ``starts[k]`` is where piece ``k``
    starts in the folded text and ``origins[k]`` where it starts in the original (both
    None when the text needed no folding). A piece is copied (or replaced character for
    character) from the original, or is one character standing for a replaced run."""

    text: str
    starts: list[int] | None = None
    origins: list[int] | None = None

    def _origin(self, i: int) -> int:
        assert self.starts is not None and self.origins is not None
        k = bisect.bisect_right(self.starts, i) - 1
        return self.origins[k] + (i - self.starts[k])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``text[start:end]`` was folded from."""
        if self.starts is None or end <= start:
            return start, end
        return self._origin(start), self._origin(end - 1) + 1


def _plain(ch: str) -> str:
    """A character written by reference (``&#8209;``) as :func:`fold` writes it."""
    if ch in _BREAKS:
        return "\n"
    if ch.isspace():
        return " "
    if re.fullmatch(f"[{_INVISIBLE}]", ch):
        return ""
    if "\uff01" <= ch <= "\uff5e":
        return chr(ord(ch) - 0xFEE0)
    return _DASHLIKE.get(ch, ch)


def fold(text: str) -> Folded:
    """``text`` folded (see the module docstring), with the origin of its pieces."""
    if not _CHANGED.search(text) and not any(run in text for run in _RUNS):
        return Folded(text)  # a normalised document's text: nothing to fold, found fast
    edits = list(_EDIT.finditer(text))
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    pos = at = 0

    def piece(value: str, origin: int) -> None:
        nonlocal at
        if value:
            pieces.append(value)
            starts.append(at)
            origins.append(origin)
            at += len(value)

    for m in edits:
        piece(text[pos : m.start()], pos)
        run = m.group()
        if m.group("ws") is not None:
            breaks = sum(ch in _BREAKS for ch in run.replace("\r\n", "\n"))
            piece("\n\n" if breaks > 1 else "\n" if breaks else " ", m.start())
        elif m.group("wide") is not None:
            piece("".join(chr(ord(ch) - 0xFEE0) for ch in run), m.start())
        elif m.group("dash") is not None:
            piece(_DASHLIKE[run], m.start())
        elif m.group("shy") is not None:
            piece("-", m.start())
        elif m.group("entity") is not None:
            piece(_plain(html.unescape(run)), m.start())
        pos = m.end()
    piece(text[pos:], pos)
    return Folded("".join(pieces), starts, origins)
