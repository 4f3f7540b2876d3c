"""Pseudonymisation and personal-data scanning: what intake does before anything is stored.

Case files are special-category personal data (offences, victims). Intake
(``00_intake``) therefore replaces every identifier by a keyed pseudonym, masks the
personal data in every free-text column, and drops the columns that hold the names of
the parties; the report pages are scanned again after rendering.

**Pseudonyms.** Each case, victim, suspect and document id (the key column of its table
in the codebook) becomes ``<T>-<pseudonym>``: ``T`` the table's initial (``C``, ``V``,
``S``, ``D``) and the pseudonym the first 10 characters of the base-32 (RFC 4648)
encoding of HMAC-SHA-256(key, ``table`` + U+001F + id) (Krawczyk, Bellare and Canetti,
RFC 2104; the keyed-hash pseudonymisation of ENISA, *Pseudonymisation techniques and best
practices*, 2019, sect. 5.2). Every column that refers to an id (``events.case_id``,
``codings.unit_id`` ...) gets the same pseudonym, so the tables still join. Without the
key the ids cannot be recovered or re-computed; with the same key the same id always
gets the same pseudonym, so deliveries of the same register can be linked. Ten base-32
characters carry 50 bits: the chance that two of 100,000 ids collide is about 4e-6, and a
collision stops intake (:class:`PrivacyError`). Base 32 has no 0, 1, 8 or 9, so a
pseudonym can never look like a personnummer or a phone number.

**The key** is read from the environment variable ``CAPE_PSEUDO_KEY`` or from a key
file (parameter ``key_file``, default ``~/.config/cape-study/pseudonym.key``; make one
with ``cape-study keygen``). A key file inside the project is refused, and so is one
that others can read. Without a key, intake refuses a case file not marked synthetic.
A synthetic case file without a key uses the public demo key :data:`DEMO_KEY`, which
is published here and protects nothing. The key never appears in an output, the
manifest or a message; :attr:`PseudonymKey.fingerprint` (an HMAC of a fixed text) tells
whether two processed data sets were made with the same key.

**Personal data in text** (:func:`scan_text`, :func:`mask_text`):

- Swedish *personnummer* and *samordningsnummer* (Skatteverket, SKV 704, *Personnummer*,
  and SKV 707, *Samordningsnummer*): ``YYMMDD-NNNC`` or ``YYYYMMDDNNNC``, with ``-``,
  ``+`` (people over 100) or no separator; a real date (a samordningsnummer adds 60 to
  the day, and may give month 00 and day 60 when the date is unknown) and a correct
  Luhn check digit over the last ten digits;
- Finnish *henkilötunnus* ``DDMMYYCNNNQ`` (century sign ``+``, ``-``, ``U``-``Y``,
  ``A``-``F``; check character = the nine digits modulo 31 in ``0123456789ABCDEFHJKLMNPRSTUVWXY``;
  Digital and Population Data Services Agency, *The personal identity code*);
- phone numbers: international (``+46 70 174 06 05``, ``0046...``, any country code,
  8-15 digits) and national with a trunk 0 (``070-174 06 05``, ``08-465 004 00``,
  ``0701740605``, ``040 1234567``; 8-11 digits);
- e-mail addresses;
- the names of the parties that the case file lists (``victims.name``,
  ``suspects.name``): the whole name anywhere, in any case, also with a Swedish genitive
  ``s``; its first or last name alone where unambiguous, that is, when it is written
  with a capital, has at least three letters, is not a name particle (*von*, *af* ...)
  or an ordinary word that starts sentences (*Per*, *Hans*, *Mark* ...), and the name is
  not a company's (``... AB``, ``... Oy``). Finnish inflected forms (*Virtasen*) are not
  recognised.

Masks carry a tag: ``[PNR]`` (personnummer, samordningsnummer, henkilötunnus),
``[TEL]``, ``[EMAIL]`` and ``[NAME]``. Dates (2019-03-01, 20190301), case numbers
(B 1770-21, AM-12345-19, 5000-K123456-19), amounts (12 000 kr, 1 234 567,50), years and
numbers with a wrong check digit are left alone. :func:`protect` applies all of this to
a :class:`~cape_study.data.loaders.CaseFile` and counts what it did (never the values); the
intake notebook shows the counts with :func:`publish`, and the runner copies them into
``reports/manifest.json`` (``privacy``).
"""

from __future__ import annotations

import calendar
import contextlib
import dataclasses
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from cape_study.errors import CapeStudyError

if TYPE_CHECKING:
    import pandas as pd

    from cape_study.data.codebook import Codebook
    from cape_study.data.loaders import CaseFile

__all__ = [
    "DEFAULT_KEY_FILE",
    "DEMO_KEY",
    "KEY_ENV",
    "PRIVACY_MIMETYPE",
    "TAGS",
    "Finding",
    "KeyMissing",
    "PersonalDataFound",
    "PrivacyError",
    "PseudonymKey",
    "counts_table",
    "format_counts",
    "load_key",
    "mask_text",
    "masked_totals",
    "protect",
    "pseudonym",
    "publish",
    "scan_text",
    "write_key",
]

#: The environment variable that holds the pseudonymisation key.
KEY_ENV = "CAPE_PSEUDO_KEY"
#: Where the key file is looked for by default (``~`` is the user's home).
DEFAULT_KEY_FILE = "~/.config/cape-study/pseudonym.key"
#: The public key for synthetic case files when no key is configured. Not a secret.
DEMO_KEY = "cape-study public demo key: synthetic data only, protects nothing"
#: The MIME type under which :func:`publish` displays the counts for the runner.
PRIVACY_MIMETYPE = "application/vnd.cape-study.privacy+json"
#: The mask written for each kind of finding.
TAGS = {
    "personnummer": "PNR",
    "samordningsnummer": "PNR",
    "hetu": "PNR",
    "phone": "TEL",
    "email": "EMAIL",
    "name": "NAME",
}
_TAG_ORDER = ("PNR", "TEL", "EMAIL", "NAME")
_PSEUDONYM_LENGTH = 10
_MIN_KEY_LENGTH = 32


class PrivacyError(CapeStudyError):
    """A key, identifier or text that cannot be protected as the privacy rules require."""


class KeyMissing(PrivacyError):
    """No pseudonymisation key for a case file that is not synthetic."""


class PersonalDataFound(PrivacyError):
    """Personal data found where none may be (a rendered report page); names the file
    and the position of each finding, never the value."""

    def __init__(self, file: str, text: str, findings: list[Finding]) -> None:
        where = "; ".join(
            f"{f.kind} at line {line}, column {col} (character {f.start})"
            for f, (line, col) in ((f, _line_col(text, f.start)) for f in findings[:10])
        )
        more = f" and {len(findings) - 10} more" if len(findings) > 10 else ""
        super().__init__(f"{file}: personal data after rendering: {where}{more}")
        self.file = file
        self.findings = findings


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


# -- keys -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PseudonymKey:
    """A pseudonymisation key and where it came from (``source``); the secret is never
    shown by ``repr`` or ``str``."""

    secret: bytes = dataclasses.field(repr=False)
    source: str

    @property
    def fingerprint(self) -> str:
        """A short keyed hash of a fixed text: equal fingerprints, same key."""
        return hmac.new(self.secret, b"cape-study key fingerprint", hashlib.sha256).hexdigest()[:12]

    def __str__(self) -> str:
        return f"pseudonymisation key from {self.source}"


def load_key(
    key_file: str | os.PathLike[str] | None = DEFAULT_KEY_FILE,
    *,
    synthetic: bool = False,
    root: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> PseudonymKey:
    """Find the pseudonymisation key: ``$CAPE_PSEUDO_KEY``, else ``key_file``, else (for
    synthetic data only) the public :data:`DEMO_KEY`.

    Parameters
    ----------
    key_file
        The key file (``~`` expanded). Refused when it lies inside the project ``root``
        or can be read by others than its owner.
    synthetic
        Whether the case file is marked synthetic; only then may the demo key be used.
    root
        The project root (default :func:`cape_study.paths.project`).
    environ
        The environment to read (default ``os.environ``).

    Raises
    ------
    KeyMissing
        No key for a case file that is not synthetic; the message says how to make one.
    PrivacyError
        A key that is too short, or a key file in the project or readable by others.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(KEY_ENV, "").strip()
    if value:
        return PseudonymKey(_checked(value, f"${KEY_ENV}"), f"environment variable {KEY_ENV}")
    if key_file:
        path = _outside_project(key_file, root)
        if path.is_file():
            if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise PrivacyError(
                    f"key file {path} can be read by other users; make it private with "
                    f"`chmod 600 {path}`"
                )
            text = path.read_text(encoding="utf-8").strip()
            return PseudonymKey(_checked(text, f"key file {path}"), "key file")
    if synthetic:
        return PseudonymKey(DEMO_KEY.encode("utf-8"), "public demo key (synthetic data)")
    raise KeyMissing(
        f"no pseudonymisation key for a case file not marked synthetic: create one with "
        f"`cape-study keygen` (writes {DEFAULT_KEY_FILE}) or set {KEY_ENV}"
        + (f", or point the parameter key_file at yours (now {key_file})" if key_file else "")
    )


def _checked(value: str, where: str) -> bytes:
    if len(value) < _MIN_KEY_LENGTH:
        raise PrivacyError(
            f"the key in {where} is too short ({len(value)} characters, at least "
            f"{_MIN_KEY_LENGTH}); make a new one with `cape-study keygen`"
        )
    return value.encode("utf-8")


def _outside_project(path: str | os.PathLike[str], root: str | os.PathLike[str] | None) -> Path:
    from cape_study.paths import project

    resolved = Path(path).expanduser().resolve()
    base = project(root).root
    if resolved.is_relative_to(base):
        raise PrivacyError(
            f"key file {resolved} is inside the project {base}; keep the key outside the "
            "repository (default ~/.config/cape-study/pseudonym.key)"
        )
    return resolved


def write_key(
    path: str | os.PathLike[str] = DEFAULT_KEY_FILE,
    *,
    force: bool = False,
    root: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a new random key (256 bits, as 64 hexadecimal digits) to a private file.

    The folder is created private (mode 700) and the file readable by its owner only
    (mode 600). An existing key file is kept unless ``force``: replacing a key changes
    every pseudonym. Returns the path; the key itself is never printed or returned.

    Raises
    ------
    PrivacyError
        The path is inside the project, or a key file exists and ``force`` is not given.
    """
    target = _outside_project(path, root)
    if target.exists() and not force:
        raise PrivacyError(
            f"{target} already exists; a new key would change every pseudonym "
            "(use --force to replace it)"
        )
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    os.replace(tmp, target)
    return target


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648


def pseudonym(value: str, key: PseudonymKey, table: str) -> str:
    """The pseudonym of one id of ``table`` (``cases``, ``victims`` ...): the table's
    initial, a hyphen and 10 base-32 characters of HMAC-SHA-256(key, table + U+001F + id)."""
    digest = hmac.digest(key.secret, f"{table}\x1f{value}".encode(), "sha256")
    # base 32 of the first 5 * _PSEUDONYM_LENGTH bits: the start of the digest's base 32
    length = _PSEUDONYM_LENGTH
    bits = int.from_bytes(digest, "big") >> (8 * len(digest) - 5 * length)
    code = "".join(_B32[(bits >> shift) & 31] for shift in range(5 * length - 5, -5, -5))
    return f"{table[:1].upper()}-{code}"


# -- scanning ---------------------------------------------------------------------------
class Finding(NamedTuple):
    """Personal data found in a text: its kind and where (``text[start:end]``)."""

    kind: str
    start: int
    end: int

    @property
    def tag(self) -> str:
        return TAGS[self.kind]


# Not inside a word or a longer number, nor the decimals of one (1.3901042899).
_NOT_AFTER = r"(?<![\w+-])(?<!\d[.,])"
_PNR = re.compile(
    _NOT_AFTER + r"(?P<century>18|19|20)?(?P<date>\d{6})(?P<sep>[-+]?)(?P<num>\d{4})(?!\w|[-+,.]\d)"
)
_HETU = re.compile(
    _NOT_AFTER + r"(?P<date>\d{6})(?P<sign>[-+A-FU-Y])(?P<num>\d{3})(?P<check>[0-9A-Y])(?!\w|-\d)",
    re.IGNORECASE,
)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = (
    {"+": 1800, "-": 1900, "A": 2000} | dict.fromkeys("UVWXY", 1900) | dict.fromkeys("BCDEF", 2000)
)
_SPACE = r"[ \u00a0]"


def _not_after(first: str) -> str:
    """:data:`_NOT_AFTER` for a pattern that starts with the character ``first`` (a
    regular expression for one character), to be written after it: the pattern then
    starts with a character, which the regex engine skips to, instead of look-behinds
    that it tries at every position of a text."""
    return rf"(?<![\w+-]{first})(?<!\d[.,]{first})"


_PHONE_NATIONAL = re.compile(
    rf"0{_not_after('0')}(?:[1-9]\d{{6,9}}"
    rf"|[1-9]\d{{0,3}}(?:{_SPACE}?[-\u2013]{_SPACE}?|{_SPACE})\d{{2,8}}(?:{_SPACE}\d{{2,4}}){{0,3}})"
    rf"(?![\w]|[-\u2013]\d)"
)
_PLUS = r"\+"
_PHONE_INTERNATIONAL = re.compile(
    rf"(?:\+{_not_after(_PLUS)}|0{_not_after('0')}0)\d{{1,3}}(?:{_SPACE}?\(0\))?(?:{_SPACE}|-)?"
    rf"\d{{1,4}}(?:(?:{_SPACE}|-)?\d{{2,4}}){{1,5}}(?![\w]|[-\u2013]\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# What every match of _PNR (from its start or 2 characters on: the century) and of
# _HETU (from its start) holds: where the search for them can begin.
_PNR_HINT = re.compile(r"\d{6}[-+]?\d{4}")
_HETU_HINT = re.compile(r"\d{6}[-+A-FU-Y]\d{3}", re.IGNORECASE)
_DIGIT_GROUP = re.compile(r"\d+")


def _luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by Skatteverket for the tenth digit."""
    total = 0
    for i, ch in enumerate(digits[:9]):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return (10 - total % 10) % 10 == int(digits[9])


def _pnr_kind(century: str | None, date: str, num: str) -> str | None:
    yy, month, day = int(date[:2]), int(date[2:4]), int(date[4:6])
    if day >= 60:  # samordningsnummer: month 00 or day 60 when not known, no calendar check
        ok = month <= 12 and day <= 91 and _luhn_ok(date + num)
        return "samordningsnummer" if ok else None
    if not 1 <= month <= 12 or day < 1:
        return None
    years = [int(century) * 100 + yy] if century else [1900 + yy, 2000 + yy]
    if day > max(calendar.monthrange(y, month)[1] for y in years):
        return None
    return "personnummer" if _luhn_ok(date + num) else None


def _hetu_ok(m: re.Match[str]) -> bool:
    date, sign = m["date"], m["sign"].upper()
    day, month, year = int(date[:2]), int(date[2:4]), _HETU_CENTURY[sign] + int(date[4:])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    return _HETU_CHECK[int(date + m["num"]) % 31] == m["check"].upper()


def _phone(m: re.Match[str], low: int, high: int) -> tuple[int, int] | None:
    """The span of a phone number within the match: trailing digit groups are dropped
    while there are too many digits; a date written with spaces is not a number."""
    groups = list(_DIGIT_GROUP.finditer(m.group()))
    while groups and sum(len(g.group()) for g in groups) > high:
        groups.pop()
    digits = [g.group() for g in groups]
    if sum(map(len, digits)) < low:
        return None
    if len(digits) == 3 and len(digits[2]) == 4 and _is_date(*digits):
        return None
    return m.start(), m.start() + groups[-1].end()


def _is_date(day: str, month: str, year: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31 and 1900 <= int(year) <= 2099


def _candidates(text: str, names: _Names | None) -> Iterator[Finding]:
    hint = _PNR_HINT.search(text)
    if hint:
        for m in _PNR.finditer(text, max(0, hint.start() - 2)):
            kind = _pnr_kind(m["century"], m["date"], m["num"])
            if kind:
                yield Finding(kind, m.start(), m.end())
    hint = _HETU_HINT.search(text)
    if hint:
        for m in _HETU.finditer(text, hint.start()):
            if _hetu_ok(m):
                yield Finding("hetu", m.start(), m.end())
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield Finding("email", m.start(), m.end())
    for pattern, low, high in ((_PHONE_INTERNATIONAL, 8, 15), (_PHONE_NATIONAL, 8, 11)):
        for m in pattern.finditer(text):
            span = _phone(m, low, high)
            if span:
                yield Finding("phone", *span)
    if names is not None:
        for start, end in names.find(text):
            yield Finding("name", start, end)


_PRIORITY = {
    "personnummer": 0,
    "samordningsnummer": 0,
    "hetu": 0,
    "email": 1,
    "phone": 2,
    "name": 3,
}


def _resolve(found: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings: the earliest first, then the longest, then identity
    numbers before e-mail before phone numbers before names."""
    ordered = sorted(found, key=lambda f: (f.start, -(f.end - f.start), _PRIORITY[f.kind]))
    kept: list[Finding] = []
    for f in ordered:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def scan_text(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Find personal data in a text.

    Parameters
    ----------
    text
        Any text (a document, a cell, a rendered HTML page).
    names
        Full names of people or companies to look for as well (see the module
        docstring for how names and their parts are matched).

    Returns
    -------
    list of Finding
        ``(kind, start, end)`` in text order, not overlapping; ``kind`` is one of
        ``personnummer``, ``samordningsnummer``, ``hetu``, ``phone``, ``email``, ``name``.
    """
    names = list(names)
    return _resolve(_candidates(text, _Names.of(names) if names else None))


def mask_text(text: str, names: Iterable[str] = ()) -> tuple[str, dict[str, int]]:
    """Replace the personal data that :func:`scan_text` finds by tags.

    Returns
    -------
    tuple
        The masked text (``[PNR]``, ``[TEL]``, ``[EMAIL]``, ``[NAME]`` in place of each
        finding) and how many of each tag were written (every tag, zeros included).
    """
    names = list(names)
    return _mask(text, _Names.of(names) if names else None)


def _mask(text: str, names: _Names | None) -> tuple[str, dict[str, int]]:
    counts = dict.fromkeys(_TAG_ORDER, 0)
    parts, pos = [], 0
    for f in _resolve(_candidates(text, names)):
        parts += [text[pos : f.start], f"[{f.tag}]"]
        counts[f.tag] += 1
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts), counts


# -- names ------------------------------------------------------------------------------
_WORD = re.compile(r"\w+(?:['\u2019:-]\w+)*")
_GENITIVE = ("s", "'s", "\u2019s")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_COMPANY_FORMS = _words("ab hb kb ek oy oyj ky ay tmi ltd llc inc gmbh as aps sa srl bv plc spa sp")
_PARTICLES = _words("af al bin da de del der di du el la le van von zu")
#: Given names and surnames that are also ordinary words at the start of a sentence.
_ORDINARY = _words(
    "per hans mark dag bo sten björn ulf stig axel sol vide rose grace joy hope faith will "
    "may june april august bill onni toivo usko lahja armas valo tuuli satu aamu ilta "
    "lumi into voitto sulo"
)

_NOT_PARTS = _PARTICLES | _ORDINARY


class _Names:
    """Matches the names of a case file's parties in a text, word by word.

    ``index`` maps a first word to the whole names (as tuples of case-folded words)
    that start with it; they are matched in any case, with any whitespace between the
    words and a genitive ending allowed on the last word. ``parts`` are the first and
    last names that are also matched alone, where written with a capital.
    """

    def __init__(
        self,
        index: dict[str, list[tuple[str, ...]]],
        parts: frozenset[str],
        triggers: frozenset[str] | None = None,
    ) -> None:
        """``triggers`` are :meth:`triggers` of the index (computed when not given:
        matchers that share an index can share them)."""
        self.index, self.parts, self._triggers = index, parts, triggers
        self._part_triggers: frozenset[str] | None = None

    @classmethod
    def of(cls, names: Iterable[str]) -> _Names:
        names = list(names)
        return cls(cls.build_index(names), cls.part_set(names))

    @staticmethod
    def build_index(names: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
        found: dict[str, set[tuple[str, ...]]] = {}
        for name in names:
            words = tuple(w.casefold() for w in _WORD.findall(str(name)))
            if words:
                found.setdefault(words[0], set()).add(words)
        return {k: sorted(v, key=len, reverse=True) for k, v in found.items()}

    @staticmethod
    def part_set(names: Iterable[str]) -> frozenset[str]:
        """The first and last names that are unambiguous alone (see the module
        docstring): not of a company, at least three letters, no particle or ordinary
        word."""
        parts: set[str] = set()
        for name in names:
            words = [w.casefold() for w in _WORD.findall(str(name))]
            if len(words) < 2 or words[-1] in _COMPANY_FORMS:
                continue
            parts.update(
                w for w in words if sum(ch.isalpha() for ch in w) >= 3 and w not in _NOT_PARTS
            )
        return frozenset(parts)

    @staticmethod
    def triggers(words: Iterable[str]) -> frozenset[str]:
        """The words of a text in which one of ``words`` (first words of whole names, or
        parts) may start: each word alone and with a genitive ending (:func:`_base`)."""
        return frozenset(w + end for w in words for end in ("", *_GENITIVE))

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """The spans of the names in ``text``, in order, not overlapping.

        Only the words that are a name's first word or a part, alone or with a
        genitive or a colon ending (:func:`_base`), can start a name; they are found
        with set operations, and the text is walked word by word only from them.
        """
        folded = list(map(str.casefold, _WORD.findall(text)))
        if self._triggers is None:
            self._triggers = self.triggers(self.index)
        part_triggers = self._part_triggers
        if part_triggers is None:
            part_triggers = self.triggers(self.parts)
            if len(self.parts) > 64:  # kept for every party's parts, not for one case's few
                self._part_triggers = part_triggers
        hits = self._triggers.intersection(folded) | part_triggers.intersection(folded)
        starts = set()
        for word in hits:  # where each occurs, found by list.index
            i = -1
            with contextlib.suppress(ValueError):
                while True:
                    i = folded.index(word, i + 1)
                    starts.add(i)
        if ":" in text:
            starts.update(i for i, word in enumerate(folded) if ":" in word)
        if not starts:
            return
        words = list(_WORD.finditer(text))
        after = 0
        for i in sorted(starts):
            if i < after:
                continue
            last = self._whole_name_at(text, words, folded, i)
            if last is not None:
                yield words[i].start(), words[last].end()
                after = last + 1
            elif words[i].group()[:1].isupper() and _base(folded[i]) & self.parts:
                yield words[i].start(), words[i].end()

    def _whole_name_at(
        self, text: str, words: list[re.Match[str]], folded: list[str], i: int
    ) -> int | None:
        """The index of the last word of a whole name starting at word ``i``, or None."""
        for first in _base(folded[i]):
            for name in self.index.get(first, ()):
                if first != folded[i] and len(name) > 1:
                    continue  # a genitive ending belongs on the last word only
                last = i + len(name) - 1
                if last >= len(words):
                    continue
                same = all(
                    folded[i + k] == name[k]
                    or (k == len(name) - 1 and name[k] in _base(folded[i + k]))
                    for k in range(1, len(name))
                )
                if same and all(
                    text[words[j].end() : words[j + 1].start()].isspace() for j in range(i, last)
                ):
                    return last
        return None


def _base(word: str) -> set[str]:
    """A word and, when it ends in a genitive or a case ending after a colon (Swedish
    *Cruz:s*, Finnish *Dang:a*), the word without it."""
    stems = {word[: -len(g)] for g in _GENITIVE if word.endswith(g) and len(word) > len(g)}
    if ":" in word:
        stems.add(word.split(":", 1)[0])
    return {word} | stems


# -- a case file ------------------------------------------------------------------------
def protect(
    case: CaseFile, key: PseudonymKey, codebook: str | Codebook = "cape_v1"
) -> tuple[CaseFile, dict[str, Any]]:
    """Pseudonymise, mask and strip a checked case file before it is stored.

    1. Every free-text column (codebook type ``text``, and the document texts) is
       masked (:func:`mask_text`): document texts with the full names of every party of
       the case file and the first and last names of the parties of their own case;
       other columns with the names of every party. Identifier columns that are not
       pseudonymised (``codings.coder``) must hold no personal data, since masking
       would merge distinct ids. Code, date and number columns are checked against
       the codebook at validation and hold none.
    2. Every table's id and every column that refers to one is pseudonymised
       (:func:`pseudonym`), consistently across the tables; ``documents.path`` becomes
       the document's pseudonym plus the file's extension (file names carry ids).
    3. The personal columns (``personal: true`` in the codebook: the parties' names)
       are dropped.

    Returns
    -------
    tuple
        The protected :class:`~cape_study.data.loaders.CaseFile` and a record of what was
        done: ``key`` (where the key came from), ``fingerprint`` (see
        :class:`PseudonymKey`), ``pseudonymised`` (distinct ids per column),
        ``masked`` (per column, the count of each tag) and ``dropped`` (columns); never
        a value.

    Raises
    ------
    PrivacyError
        Two ids of a table with the same pseudonym, or personal data in an identifier
        column that is not pseudonymised (naming the table, column and row).
    """
    from cape_study.data.codebook import load_codebook

    book = codebook if not isinstance(codebook, str) else load_codebook(codebook)
    tables = {name: frame.copy() for name, frame in case.tables.items()}
    personal = [
        (t, c)
        for t, table in book.tables.items()
        for c, col in table.columns.items()
        if col.personal and c in tables.get(t, ())
    ]
    party_names: dict[str, list[str]] = {}
    for t, c in personal:
        frame = tables[t]
        if "case_id" not in frame:
            continue
        for case_id, name in zip(frame["case_id"], frame[c], strict=True):
            if isinstance(name, str) and name.strip():
                party_names.setdefault(str(case_id), []).append(name.strip())
    all_names = [n for names in party_names.values() for n in names]
    index = _Names.build_index(all_names)
    triggers = _Names.triggers(index)
    everyone = _Names(index, _Names.part_set(all_names), triggers)
    ids = _id_columns(book)
    masked: dict[str, dict[str, int]] = {}
    for t, frame in tables.items():
        for c in frame.columns:
            column = book.tables[t].columns.get(c)
            kind = column.type if column is not None else "text"  # documents.text
            if (t, c) in ids or (t, c) in personal or (t, c) == ("documents", "path"):
                continue  # pseudonymised, dropped, or replaced by the pseudonym
            if kind == "id":
                _refuse_personal_data(frame[c], t, c)
            if kind != "text" or not _is_text(frame[c]):
                continue  # codes, dates, numbers: checked against the codebook
            if t == "documents" and c == "text" and "case_id" in frame:
                own = {
                    k: _Names(index, _Names.part_set(v), triggers) for k, v in party_names.items()
                }
                plain = _Names(index, frozenset(), triggers)
                matchers = [own.get(str(k), plain) for k in frame["case_id"]]
            else:
                matchers = [everyone] * len(frame)
            masked[f"{t}.{c}"] = _mask_column(frame, c, matchers)
    source, source_counts = _mask(str(case.source), everyone)
    if any(source_counts.values()):
        masked["source"] = source_counts
    pseudonymised = _pseudonymise(tables, ids, key)
    if "path" in tables["documents"] and "doc_id" in tables["documents"]:
        docs = tables["documents"]
        suffix = docs["path"].astype("string").str.extract(r"(\.[A-Za-z0-9]{1,5})$")[0]
        docs["path"] = (docs["doc_id"].astype("string") + suffix.fillna("")).astype("string")
    for t, c in personal:
        tables[t] = tables[t].drop(columns=c)
    protected = dataclasses.replace(case, source=Path(source), **tables)
    record = {
        "key": key.source,
        "fingerprint": key.fingerprint,
        "pseudonymised": pseudonymised,
        "masked": masked,
        "dropped": [f"{t}.{c}" for t, c in personal],
    }
    return protected, record


def _is_text(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_string_dtype(series) and not isinstance(
        series.dtype, pd.CategoricalDtype
    )


def _mask_column(frame: pd.DataFrame, column: str, matchers: list[_Names]) -> dict[str, int]:
    """Mask one column in place, each row with its own names; the counts per tag."""
    import pandas as pd

    counts = dict.fromkeys(_TAG_ORDER, 0)
    out: list[object] = []
    done: dict[tuple[str, int], tuple[str, dict[str, int]]] = {}  # a value repeated
    for value, names in zip(frame[column].tolist(), matchers, strict=True):
        if not isinstance(value, str):
            out.append(value)
            continue
        key = (value, id(names))
        if key not in done:
            done[key] = _mask(value, names)
        text, found = done[key]
        out.append(text)
        for tag, n in found.items():
            counts[tag] += n
    frame[column] = pd.Series(out, index=frame.index, dtype=frame[column].dtype)
    return counts


def _refuse_personal_data(series: pd.Series, table: str, column: str) -> None:
    for row, value in enumerate(series.tolist(), start=1):
        found = scan_text(value) if isinstance(value, str) else []
        if found:
            raise PrivacyError(
                f"table {table}, column {column}, data row {row}: an identifier holds "
                f"personal data ({found[0].kind}); use codes or initials instead"
            )


def _id_columns(book: Codebook) -> dict[tuple[str, str], list[str]]:
    """(table, column) -> the tables whose ids it holds: every table's id column of
    type ``id`` and every column that references one."""
    keys = {
        t: table.key
        for t, table in book.tables.items()
        if table.key is not None and table.columns[table.key].type == "id"
    }
    columns = {(t, k): [t] for t, k in keys.items()}
    for t, table in book.tables.items():
        for c, col in table.columns.items():
            refs = [
                rt for rt, _, rc in (r.partition(".") for r in col.references) if keys.get(rt) == rc
            ]
            if refs:
                columns[(t, c)] = refs
    return columns


def _pseudonymise(
    tables: dict[str, pd.DataFrame], ids: dict[tuple[str, str], list[str]], key: PseudonymKey
) -> dict[str, int]:
    import pandas as pd

    known = {
        refs[0]: set(tables[t][c].dropna().astype(str))
        for (t, c), refs in ids.items()
        if len(refs) == 1 and refs[0] == t
    }
    cache: dict[tuple[str, str], str] = {}

    def made(table: str, value: str) -> str:
        found = cache.get((table, value))
        if found is None:
            found = cache[table, value] = pseudonym(value, key, table)
        return found

    def one(value: object, refs: list[str]) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return pd.NA
        value = str(value)
        return made(next((r for r in refs if value in known.get(r, ())), refs[0]), value)

    for table, values in known.items():
        if len({made(table, v) for v in values}) != len(values):
            raise PrivacyError(
                f"two ids of table {table} have the same pseudonym ({len(values)} ids, "
                f"{len({made(table, v) for v in values})} pseudonyms); this should "
                "practically never happen: report it"
            )
    counts = {}
    for (t, c), refs in ids.items():
        if c not in tables.get(t, ()):
            continue
        frame = tables[t]
        counts[f"{t}.{c}"] = int(frame[c].dropna().nunique())
        memo: dict[object, object] = {}
        out = []
        for value in frame[c].tolist():
            if value not in memo:
                memo[value] = one(value, refs)
            out.append(memo[value])
        frame[c] = pd.array(out, dtype="string")
    return counts


# -- publishing the counts ----------------------------------------------------------------
def counts_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """What :func:`protect` did as a tidy count table (action, column, tag, count),
    ready for :func:`cape_study.privacy.disclosure.suppress`."""
    import pandas as pd

    rows = [
        {"action": "pseudonymised", "column": column, "tag": "", "count": n}
        for column, n in record["pseudonymised"].items()
    ]
    rows += [
        {"action": "masked", "column": column, "tag": f"[{tag}]", "count": n}
        for column, tags in record["masked"].items()
        for tag, n in tags.items()
    ]
    return pd.DataFrame(rows, columns=["action", "column", "tag", "count"])


_COUNT_HEAD = {
    "en": {"column": "Column", "pseudonymised": "Ids pseudonymised (distinct)"},
    "sv": {"column": "Kolumn", "pseudonymised": "Pseudonymiserade id (olika)"},
}


def format_counts(counts: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`counts_table` (after disclosure control) as a readable table in English
    (``en``) or Swedish (``sv``): one row per column, the number of ids pseudonymised
    and of each tag masked; a hidden count is missing (``·`` in the report), a blank
    cell does not apply."""
    import pandas as pd

    head = _COUNT_HEAD[lang]
    order = ["pseudonymised", *[f"[{t}]" for t in _TAG_ORDER]]
    cells: dict[str, dict[str, object]] = {}
    for action, column, tag, n in counts[["action", "column", "tag", "count"]].itertuples(
        index=False
    ):
        what = tag if action == "masked" else "pseudonymised"
        row = cells.setdefault(column, dict.fromkeys(order, ""))
        row[what] = pd.NA if pd.isna(n) else f"{int(n):,}"
    out = pd.DataFrame.from_dict(cells, orient="index", columns=order)
    return out.rename(columns=head).rename_axis(head["column"]).reset_index()


def masked_totals(counts: pd.DataFrame) -> dict[str, int | None]:
    """How many of each tag were masked over all columns, from :func:`counts_table`
    after disclosure control: None where any part was hidden (a total of a hidden
    part and shown parts would reveal it)."""
    masked = counts[counts["action"] == "masked"]
    totals: dict[str, int | None] = {}
    for tag in _TAG_ORDER:
        part = masked.loc[masked["tag"] == f"[{tag}]", "count"]
        totals[tag] = None if part.isna().any() else int(part.sum())
    return totals


_SUMMARY = {
    "en": "**Privacy:** identifiers pseudonymised with the {key}; masked {masked}; columns "
    "dropped: {dropped}.",
    "sv": "**Integritet:** identifierare pseudonymiserade med {key}; maskerade {masked}; "
    "borttagna kolumner: {dropped}.",
}
_KEY_SOURCES_SV = {
    f"environment variable {KEY_ENV}": f"nyckeln i miljövariabeln {KEY_ENV}",
    "key file": "nyckelfilen",
    "public demo key (synthetic data)": "den publika demonyckeln (syntetiska data)",
}


def publish(record: Mapping[str, Any], counts: pd.DataFrame, lang: str = "en") -> None:
    """Display what intake did, for readers and for the runner (manifest ``privacy``).

    ``counts`` is :func:`counts_table` after disclosure control; its suppressed counts
    are published as null. The key's source and the dropped columns are published; the
    key and its fingerprint are not. The summary for readers is in ``lang`` (``en`` or
    ``sv``).
    """
    from IPython.display import display

    payload = {
        "key": record["key"],
        "dropped": list(record["dropped"]),
        "counts": [
            {
                "action": r["action"],
                "column": r["column"],
                "tag": r["tag"],
                "count": None if _missing(r["count"]) else int(r["count"]),
            }
            for r in counts.to_dict("records")
        ],
    }
    key = record["key"] if lang == "en" else _KEY_SOURCES_SV.get(record["key"], record["key"])
    summary = _SUMMARY[lang].format(
        key=key,
        masked=", ".join(
            f"{'·' if n is None else n} [{t}]" for t, n in masked_totals(counts).items()
        ),
        dropped=", ".join(record["dropped"]) or "-",
    )
    display({PRIVACY_MIMETYPE: json.loads(json.dumps(payload)), "text/markdown": summary}, raw=True)


def _missing(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
