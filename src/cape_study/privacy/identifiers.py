"""Identity numbers: Swedish personnummer and samordningsnummer, Finnish henkilötunnus.

The one home of their syntax and check digits, used by masking (to find them in text)
and by :mod:`cape_study.synth` (to write valid synthetic ones).

- Swedish *personnummer* and *samordningsnummer* (Skatteverket, SKV 704, *Personnummer*,
  and SKV 707, *Samordningsnummer*): ``YYMMDD-NNNC`` or ``YYYYMMDDNNNC``, with ``-``,
  ``+`` (people over 100) or no separator; a real date (a samordningsnummer adds 60 to
  the day, and may give month 00 and day 60 when the date is unknown) and a correct
  Luhn check digit over the last ten digits;
- written as people write them (:func:`find`): the separator may be any dash or hyphen
  character (``-``, U+2010-U+2015, the non-breaking hyphen U+2011, the minus sign
  U+2212), ``+``, a dot, a slash, a tilde, a space, a dash between spaces, a line
  break, or none;
- with (at least four of) its digits spaced one by one (``5 5 0 1 1 4 2 2 8 4``,
  ``550114 - 2 2 8 4``: a Skatteverket test number), a henkilötunnus too: found only
  when the number is valid (date and check digit or character), nothing else is
  spaced with it and each group of digits is a whole part of it (date, number, year,
  month, day), since spaced digits are also other numbers (:func:`_spaced`);
- hyphenated at the end of a line, as PDF text is, a dash anywhere (``5501-14-2284``
  once the line is joined), or wrapped there without one (``5501`` / ``142284``, after
  words on the first line): found only when valid (:func:`_broken`);
- Finnish *henkilötunnus* ``DDMMYYCNNNQ`` (century sign ``+``, ``-``, ``U``-``Y``,
  ``A``-``F``; check character = the nine digits modulo 31 in
  ``0123456789ABCDEFHJKLMNPRSTUVWXY``; Digital and Population Data Services Agency,
  *The personal identity code*).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from itertools import repeat

__all__ = [
    "DASHES",
    "DASH_CLASS",
    "HETU_CHECK",
    "find",
    "hetu_check",
    "is_valid_hetu",
    "is_valid_personnummer",
    "luhn_digit",
    "ocr_digits",
    "pnr_kind",
    "strictly_valid",
]

#: The check characters of a henkilötunnus, indexed by the nine digits modulo 31.
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = (
    {"+": 1800, "-": 1900, "A": 2000} | dict.fromkeys("UVWXY", 1900) | dict.fromkeys("BCDEF", 2000)
)
#: Every dash and hyphen character: hyphen-minus, U+2010-U+2015, minus sign U+2212.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
#: :data:`DASHES` for a character class of a regular expression.
DASH_CLASS = DASHES.replace("-", "\\-")
_DASH = DASH_CLASS
# Not inside a longer number, nor the decimals of one (1.3901042899); letters may come
# first (``nr550114-2284``, a file name ``dom_550114_2284.pdf``).
_NOT_AFTER = rf"(?<![\d+{_DASH}])(?<!\d[.,])"
# Not followed by a letter or digit, nor by more digits after a separator.
_NOT_BEFORE = rf"(?![^\W_]|[{_DASH}+,._]\d)"
_BLANK = r"[ \t\u00a0]"
# Between the date and the last four digits: a dash, +, dot, slash, underscore, colon, tilde,
# middle dot, bullet, asterisk, hash or equals sign
# with a space or a line break (or a blank line: a page break) on either side, or spaces,
# or a line break or blank line, or nothing.
_AROUND = rf"{_BLANK}?\n{{0,2}}{_BLANK}?"
_SEP = rf"(?:{_AROUND}[{_DASH}+./_:~·•*#=]{{1,2}}{_AROUND}|{_BLANK}{{1,2}}|\n\n?)?"
_PNR = re.compile(
    _NOT_AFTER
    + rf"(?P<century>18|19|20)?(?P<date>\d{{6}})(?P<sep>{_SEP})(?P<num>\d{{4}})"
    + _NOT_BEFORE
)
# A number with a letter or two glued after it (``550114-2284a``: a typo, a footnote's
# mark, OCR), with a separator or the century: found only when valid, with the letters.
_PNR_GLUED = re.compile(
    _NOT_AFTER
    + rf"(?P<century>18|19|20)?(?P<date>\d{{6}})(?P<sep>{_SEP})(?P<num>\d{{4}})"
    + r"(?P<glued>[^\W\d_]{1,2})(?![^\W_])"
)
# The date written in groups (``55-01-14-2284``, ``1955.01.14-2284``, ``1955 01 14 2284``):
# found only when its check digit holds (dates are written so, and a number may follow
# one); all in spaces only with the century (a row of counts is written so).
_PNR_GROUPED = re.compile(
    _NOT_AFTER
    + rf"(?P<century>18|19|20)?(?P<yy>\d\d)(?P<s>[{_DASH}./ ])(?P<mm>\d\d)(?P=s)(?P<dd>\d\d)"
    + rf"(?P<last>{_BLANK}?[{_DASH}+]{_BLANK}?|(?P=s))(?P<num>\d{{4}})"
    + _NOT_BEFORE
)
# The last four digits written in two groups after a separator that is not a blank
# (``550114-22 84``, ``550114 - 228 4``): found only when valid.
_PNR_SPLIT = re.compile(
    _NOT_AFTER
    + rf"(?P<century>18|19|20)?(?P<date>\d{{6}})(?P<sep>{_BLANK}?[{_DASH}+./_:~]{_BLANK}?)"
    + rf"(?P<num>\d\d{_BLANK}\d\d|\d{{3}}{_BLANK}\d|\d{_BLANK}\d{{3}})"
    + _NOT_BEFORE
)
_SPLIT_HINT = re.compile(rf"\d{{6}}\D{{1,3}}\d{{1,3}}{_BLANK}\d")
_HETU = re.compile(
    _NOT_AFTER
    + rf"(?P<date>\d{{6}})\s{{0,2}}(?P<sign>[{_DASH}+A-FU-Y])\s{{0,2}}(?P<num>\d{{3}})"
    + r"(?P<check>[0-9A-Y])"
    + _NOT_BEFORE,
    re.IGNORECASE,
)
# Groups of 1-8 digits separated by single blanks (a dash or plus between blanks, or a
# henkilötunnus's century letter, also allowed), its check character perhaps last: an
# identity number written with its digits spaced.
_SPACED = re.compile(
    rf"(?<![\w{_DASH}+])\d{{1,8}}(?:(?:{_BLANK}?[{_DASH}+]{_BLANK}?|{_BLANK}[A-FU-Ya-fu-y]{_BLANK}|{_BLANK})"
    rf"\d{{1,8}}){{2,}}(?:{_BLANK}[0-9A-Ya-y](?![^\W_]))?(?![^\W_]|[{_DASH}+,.]\d)"
)
# Digits with dashes anywhere (up to three, each perhaps at a line end), or broken
# once at a line end without one: a number hyphenated or wrapped at the end of a line of
# a PDF (``5501-`` / ``14-2284``, joined again by text normalisation as
# ``5501-14-2284``; ``5501`` / ``142284``); found only when valid without its breaks.
_PNR_BROKEN = re.compile(
    _NOT_AFTER + rf"\d(?:\d|[{_DASH}]\n?(?=\d)|\n(?=\d)){{9,15}}[0-9A-Ya-y]?" + _NOT_BEFORE
)
# Nine digits with a dash, a dash and a line break, or a line break between two, or
# nothing: what every match of _PNR_BROKEN that is a valid number holds from its start
# (dates and case numbers do not).
_BROKEN_HINT = re.compile(rf"\d(?:(?:[{_DASH}]\n?|\n)?\d){{8}}")
# The characters of a match of _PNR_BROKEN but its last, besides digits.
_BROKEN_RUN = DASHES + "\n"
_BREAKS = re.compile(rf"[{_DASH}\n]")
_BARE_BREAK = re.compile(rf"(?<![{_DASH}])\n")
_SPACED_HINT = re.compile(rf"\d{_BLANK}(?:[{_DASH}+]{_BLANK})?\d{{1,2}}{_BLANK}\d")
_TOKEN = re.compile(r"[^ \t\u00a0]+")
# What every match of _PNR (from its start or 2 characters on: the century) and of
# _HETU (from its start) holds: where the search for them can begin.
_PNR_HINT = re.compile(r"\d{6}\D{0,7}\d{4}")
# A match of _PNR from the start of its date on.
_PNR_DATE = re.compile(rf"\d{{6}}{_SEP}\d{{4}}")
_GROUPED_HINT = re.compile(r"\d\d\D\d\d\D\d\d\D{1,3}\d{4}")
#: :data:`_SPLIT_HINT` or :data:`_GROUPED_HINT`, in one search (their first digit taken out
#: of the alternation, so that the regex engine skips to digits): found in few texts, and
#: searched one by one only there.
_SPLIT_OR_GROUPED_HINT = re.compile(
    rf"\d(?:\d{{5}}\D{{1,3}}\d{{1,3}}{_BLANK}\d|\d\D\d\d\D\d\d\D{{1,3}}\d{{4}})"
)
_HETU_HINT = re.compile(rf"\d{{6}}\s{{0,2}}[{_DASH}+A-FU-Y]\s{{0,2}}\d{{3}}", re.IGNORECASE)


def luhn_digit(digits: str) -> int:
    """The Luhn (mod 10) check digit of ``digits`` (Skatteverket's rule for the tenth
    digit of a personnummer: over its first nine)."""
    total = 0
    for i, ch in enumerate(digits):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return (10 - total % 10) % 10


def pnr_kind(century: str | None, date: str, num: str) -> str | None:
    """``personnummer``, ``samordningsnummer`` or None (not a valid one): ``date`` the six
    digits YYMMDD, ``num`` the last four, ``century`` the first two of a 12-digit form."""
    yy, month, day = int(date[:2]), int(date[2:4]), int(date[4:6])
    if day >= 60:  # samordningsnummer: month 00 or day 60 when not known, no calendar check
        ok = month <= 12 and day <= 91 and luhn_digit((date + num)[:9]) == int(num[3])
        return "samordningsnummer" if ok else None
    if not 1 <= month <= 12 or day < 1:
        return None
    years = [int(century) * 100 + yy] if century else [1900 + yy, 2000 + yy]
    if day > max(calendar.monthrange(y, month)[1] for y in years):
        return None
    return "personnummer" if luhn_digit((date + num)[:9]) == int(num[3]) else None


def is_valid_personnummer(number: str) -> bool:
    """Whether a personnummer or samordningsnummer (10 or 12 digits, ``-`` or ``+``
    allowed) is well formed (:func:`pnr_kind`)."""
    digits = number.replace("-", "").replace("+", "")
    if not digits.isdigit() or len(digits) not in (10, 12):
        return False
    century = digits[:2] if len(digits) == 12 else None
    return pnr_kind(century, digits[-10:-4], digits[-4:]) is not None


def hetu_check(nine_digits: str) -> str:
    """The check character of a henkilötunnus from its date and individual number."""
    return HETU_CHECK[int(nine_digits) % 31]


def _hetu_date_ok(date: str, sign: str) -> bool:
    """Whether a henkilötunnus's date (``DDMMYY``) with its century sign is a real date."""
    sign = "-" if sign in DASHES else sign.upper()
    day, month, year = int(date[:2]), int(date[2:4]), _HETU_CENTURY[sign] + int(date[4:])
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _hetu_ok(date: str, sign: str, num: str, check: str) -> bool:
    return _hetu_date_ok(date, sign) and hetu_check(date + num) == check.upper()


def is_valid_hetu(code: str) -> bool:
    """Whether a henkilötunnus (``DDMMYYCNNNQ``) has a real date, a century sign and a
    correct check character."""
    m = _HETU.fullmatch(code)
    return bool(m) and _hetu_ok(m["date"], m["sign"], m["num"], m["check"])


def _mistyped_pnr(century: str | None, date: str, sep: str, num: str) -> str | None:
    """The kind of a number written as a personnummer whose check digit is wrong (a typo
    in a case file): a real date (or a samordningsnummer's day 61-91)
    and the way people write one, with a dash, plus, dot, slash or space between date
    and number, or the 12-digit form. Plain ten digits are left to the phone patterns
    (``0701234567`` is a date too)."""
    if not (century or sep):
        return None
    fixed = date + num[:3] + str(luhn_digit((date + num)[:9]))
    return pnr_kind(century, fixed[:6], fixed[6:])


def _spaced(text: str) -> Iterator[tuple[str, int, int]]:
    """Valid identity numbers written with spaced digits: a whole run of :data:`_SPACED`
    with at least four digits standing alone, whose groups joined (without the blanks)
    are a valid personnummer (10 or 12 digits) or henkilötunnus. Not a part of a longer
    run, nor digits in pairs (``81 12 18 98 76``): a row of counts in a table (read with
    single spaces between its cells) must never pass for one, or the publication scanner
    would stop a report. Numbers written the usual way are left to the other patterns."""
    for run in _SPACED.finditer(text):
        tokens = _TOKEN.findall(run.group())
        if sum(len(t) == 1 and t.isdigit() for t in tokens) < 4:
            continue
        if not _grouped_as_written(run.group()):
            continue
        joined = "".join(tokens)
        kind = _joined_kind(joined, re.sub(r"\D", "", joined))
        if kind:
            yield kind, run.start(), run.end()


# The digit groups a person writes an identity number in, besides single digits, as
# (start, end) digit positions: date, number, century, year, month, day (and a
# henkilötunnus's three digits before its check character).
_GROUPS = {
    9: frozenset({(0, 6), (6, 9), (0, 2), (2, 4), (4, 6)}),  # a henkilötunnus, letter last
    10: frozenset({(0, 6), (6, 10), (0, 2), (2, 4), (4, 6), (6, 9)}),
    12: frozenset({(0, 2), (2, 8), (0, 8), (8, 12), (2, 4), (4, 6), (6, 8)}),
}


def _grouped_as_written(run: str) -> bool:
    """Whether each group of two or more digits of a spaced run is a whole part of an
    identity number (its date, its number, its year, month or day): a row of counts
    (``0 3 0 4 0 7 0 5 76``, ``5 6 0 0 6 5 0 52 6``) groups its digits anywhere."""
    spans, at = [], 0
    for group in re.findall(r"\d+", run):
        spans.append((at, at + len(group)))
        at += len(group)
    allowed = _GROUPS.get(at, frozenset())
    return all(b - a == 1 or (a, b) in allowed for a, b in spans)


def _joined_kind(joined: str, digits: str) -> str | None:
    """The kind of a valid identity number written as ``joined`` (``digits`` its digits)."""
    kind = None
    if len(digits) == 10 and len(joined) - len(digits) <= 1 and joined[-1].isdigit():
        kind = pnr_kind(None, digits[:6], digits[6:])
    elif len(digits) == 12 and len(joined) == 12 and digits[:2] in ("18", "19", "20"):
        kind = pnr_kind(digits[:2], digits[2:8], digits[8:])
    if kind:
        return kind
    m = _HETU.fullmatch(joined)
    if m and _hetu_ok(m["date"], m["sign"], m["num"], m["check"]):
        return "hetu"
    return None


# Letters that OCR reads for digits (and a typist types for them): O and o for 0, l and I
# for 1, S for 5, in a run of digits that no letter comes before (``5501l4-2284``, a
# henkilötunnus ending ``3O8T``, ``07O-123 45 67``); the run holds at least two digits and
# more digits than such letters.
_OCR_LETTERS = str.maketrans("OolIS", "00115")
_OCR_HINT = re.compile(r"[OolIS](?:(?=\d)|(?<=\d.))")
_OCR_RUN = re.compile(r"(?<![^\W\d_])[0-9OolIS]*(?:\d[OolIS]|[OolIS]\d)[0-9OolIS]*")


def ocr_digits(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """``text`` with the letters that OCR reads for digits made digits where they stand in
    a run of digits (:data:`_OCR_RUN`), and the spans changed; None when there are none.
    Every character keeps its position."""
    if _OCR_HINT.search(text) is None:
        return None
    parts, changed, pos = [], [], 0
    for m in _OCR_RUN.finditer(text):
        run = m.group()
        digits = sum(ch.isdigit() for ch in run)
        if digits < 2 or digits <= len(run) - digits:
            continue
        parts += [text[pos : m.start()], run.translate(_OCR_LETTERS)]
        changed.append((m.start(), m.end()))
        pos = m.end()
    if not changed:
        return None
    parts.append(text[pos:])
    return "".join(parts), changed


def strictly_valid(written: str) -> bool:
    """Whether an identity number as :func:`find` found it is valid, check digit or
    character included (:func:`find` also gives numbers with a typo in it)."""
    plain = re.sub(rf"[\s{_DASH}+./_:~·•*#=]", "", written)
    if plain.isdigit() and len(plain) in (10, 12):
        return is_valid_personnummer(plain)
    compact = re.sub(r"\s", "", written)
    return len(compact) == 11 and is_valid_hetu(
        compact[:6] + ("-" if compact[6] in DASHES else compact[6]) + compact[7:]
    )


def find(text: str) -> Iterator[tuple[str, int, int]]:
    """The identity numbers in a text as ``(kind, start, end)``: kind ``personnummer``,
    ``samordningsnummer`` or ``hetu``; overlapping candidates are all given. A number
    written as one but with a wrong check digit or character (a typo) is found too: it
    still points to a person."""
    hint = _PNR_HINT.search(text)
    if hint:
        for m in _pnr_matches(text, max(0, hint.start() - 2), glued=True):
            if m.re is _PNR_GLUED:
                kind = pnr_kind(m["century"], m["date"], m["num"])
                if kind and (m["sep"] or m["century"]):
                    yield kind, m.start(), m.end()
                continue
            kind = pnr_kind(m["century"], m["date"], m["num"]) or _mistyped_pnr(
                m["century"], m["date"], m["sep"], m["num"]
            )
            if not kind and m["sep"] and not m["century"]:  # a henkilötunnus, no sign
                kind = "hetu" if _hetu_ok(m["date"], "-", m["num"][:3], m["num"][3]) else None
            if kind:
                yield kind, m.start(), m.end()
    rare = _SPLIT_OR_GROUPED_HINT.search(text) is not None
    if rare and _SPLIT_HINT.search(text):
        for m in _PNR_SPLIT.finditer(text):
            num = re.sub(r"\D", "", m["num"])
            kind = pnr_kind(m["century"], m["date"], num)
            if not kind and not m["century"] and _hetu_ok(m["date"], "-", num[:3], num[3]):
                kind = "hetu"
            if kind:
                yield kind, m.start(), m.end()
    if rare and _GROUPED_HINT.search(text):
        for m in _PNR_GROUPED.finditer(text):
            if m["last"] == m["s"] == " " and not m["century"]:
                continue  # counts in a row
            kind = pnr_kind(m["century"], m["yy"] + m["mm"] + m["dd"], m["num"])
            if kind:
                yield kind, m.start(), m.end()
    hint = _HETU_HINT.search(text)
    if hint:
        for m in _matches_from_hints(_HETU, _HETU_HINT, text, hint.start()):
            if _hetu_date_ok(m["date"], m["sign"]):  # any check character: a typo too
                yield "hetu", m.start(), m.end()
    if _SPACED_HINT.search(text):
        yield from _spaced(text)
    yield from _broken(text)


def _matches_from_hints(
    pattern: re.Pattern[str], hint: re.Pattern[str], text: str, pos: int
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, pos)``, for a pattern each of whose matches starts with a
    match of ``hint`` (found fast): the pattern is tried only where the hint starts."""
    while (found := hint.search(text, pos)) is not None:
        m = pattern.match(text, found.start())
        if m is None:
            pos = found.start() + 1
        else:
            yield m
            pos = m.end()


def _pnr_matches(text: str, pos: int, glued: bool = False) -> Iterator[re.Match[str]]:
    """``_PNR.finditer(text, pos)``: a match starts where its date does (a match of
    :data:`_PNR_DATE`) or up to two digits (the century) before, so the leftmost match
    starts at most two characters before the leftmost date, or after that date starts.
    With ``glued``, where no match of :data:`_PNR` starts at a date, a match of
    :data:`_PNR_GLUED` there is given too (a letter glued after the number is all that
    stops :data:`_PNR`)."""
    patterns = (_PNR, _PNR_GLUED) if glued else (_PNR,)
    while (date := _PNR_DATE.search(text, pos)) is not None:
        starts = range(max(pos, date.start() - 2), date.start() + 1)
        for pattern in patterns:
            m = next(filter(None, map(pattern.match, repeat(text), starts)), None)
            if m is not None:
                yield m
                pos = m.end()
                break
        else:
            pos = date.start() + 1


def _broken_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_PNR_BROKEN.finditer(text)`` that may be a valid number (that
    hold :data:`_BROKEN_HINT`). A match is made of digits, dashes and line breaks but
    for its last character, so none starts before a run of them and ends inside it:
    each run holding the hint is searched from its start, as the whole text would be."""
    pos = 0
    while (hint := _BROKEN_HINT.search(text, pos)) is not None:
        start, end = hint.start(), hint.end()
        # str.isdecimal is what \d matches: Unicode category Nd
        while start > pos and (text[start - 1].isdecimal() or text[start - 1] in _BROKEN_RUN):
            start -= 1
        while end < len(text) and (text[end].isdecimal() or text[end] in _BROKEN_RUN):
            end += 1
        pos = start
        while pos < end:
            m = _PNR_BROKEN.match(text, pos)
            if m is None:
                pos += 1
            else:
                yield m
                pos = m.end()
        pos = max(pos, end)


def _broken(text: str) -> Iterator[tuple[str, int, int]]:
    """Valid identity numbers with up to three dashes anywhere, or one line break
    without a dash after words on its line (:data:`_PNR_BROKEN`; a column of numbers,
    one to a line, is never joined into one)."""
    for m in _broken_matches(text):
        kind = _broken_kind(text, m)
        if kind:
            yield kind, m.start(), m.end()


def _broken_kind(text: str, m: re.Match[str]) -> str | None:
    """The kind of the valid identity number that a match of :data:`_PNR_BROKEN` is."""
    token = m.group()
    bare = len(_BARE_BREAK.findall(token))
    if bare > 1 or not 1 <= sum(ch in DASHES for ch in token) + bare <= 3:
        return None
    if bare and not text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip():
        return None
    plain = _BREAKS.sub("", token)
    if len(plain) == 10 and plain.isdigit():
        kind = pnr_kind(None, plain[:6], plain[6:])
    elif len(plain) == 12 and plain.isdigit() and plain[:2] in ("18", "19", "20"):
        kind = pnr_kind(plain[:2], plain[2:8], plain[8:])
    else:
        kind = None
    if not kind and len(plain) == 10 and plain[:9].isdigit():
        kind = "hetu" if _hetu_ok(plain[:6], "-", plain[6:9], plain[9]) else None
    return kind
