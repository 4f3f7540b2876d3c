"""A lower-cased copy of a text for cheap pre-filters of case-insensitive patterns.

A pattern compiled with ``re.IGNORECASE`` can only match where the text, lower-cased
with :meth:`str.lower`, holds its words in lower case, provided that lower-casing keeps
every character one character (so positions agree), keeps word characters word
characters (so ``\\b`` agrees), and that the regex engine folds no character to an ASCII
or Nordic letter that ``str.lower`` does not (the dotted and dotless i, the long s).
:func:`lowered` gives that copy, or ``None`` for a text where this does not hold, for
which the pattern is searched in full. ``tests/test_masking_prefilters.py`` checks these
conditions over every code point.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["finditer", "lowered", "tried"]

#: Characters that ``re.IGNORECASE`` matches to a letter a-z, å, ä, ö, é but that
#: ``str.lower`` does not turn into it (U+0130, U+0131, U+017F), or that lower-case to
#: more than one character (U+0130).
ODD = "\u0130\u0131\u017f"

#: The text :func:`lowered` was last given and its answer (the masking of a text asks
#: for it once per kind of finding).
_LAST: tuple[str, str | None] = ("", "")


def lowered(text: str) -> str | None:
    """``text.lower()`` with the same positions and word boundaries, or ``None`` when
    ``text`` holds a character of :data:`ODD`."""
    global _LAST
    last = _LAST
    if last[0] is text:
        return last[1]
    # found fast: ``in`` answers at once for a text of Latin-1 characters only (most)
    odd = not text.isascii() and any(ch in text for ch in ODD)
    low = None if odd else text.lower()
    _LAST = (text, low)
    return low


def finditer(
    pattern: re.Pattern[str], starts: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` in ``text``, as ``pattern.finditer(text)`` gives them
    (``pattern`` matches no empty string), tried only where ``starts``, a pattern for
    the lower-cased text that every match of ``pattern`` starts with, is found."""
    low = lowered(text)
    if low is None:
        yield from pattern.finditer(text)
        return
    pos = 0
    while (start := starts.search(low, pos)) is not None:
        m = pattern.match(text, start.start())
        if m is None:
            pos = start.start() + 1
        else:
            yield m
            pos = m.end()


def tried(
    pattern: re.Pattern[str], starts: re.Pattern[str], text: str, low: str | bool | None = False
) -> Iterator[tuple[int, re.Match[str] | None]]:
    """Where :func:`finditer` tries ``pattern`` and what it finds there: ``(start,
    match)``, the match None where it fails (its matches are those of :func:`finditer`).
    For a text without a lower-cased copy (:func:`lowered` gives None), the matches of
    ``pattern.finditer(text)`` only, each at its start. ``low``: ``lowered(text)`` when
    the caller has it already."""
    if low is False:
        low = lowered(text)
    if low is None:
        for m in pattern.finditer(text):
            yield m.start(), m
        return
    pos = 0
    while (start := starts.search(low, pos)) is not None:
        m = pattern.match(text, start.start())
        yield start.start(), m
        pos = start.start() + 1 if m is None else m.end()
