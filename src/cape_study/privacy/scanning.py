"""Scanning what a run publishes for personal data: every finding names the file and the
place in it, never the value.

:func:`scan_paths` reads each file by its type and looks, with
:func:`cape_study.privacy.masking.scan_text`, for identity numbers, phone numbers, e-mail
addresses, bank accounts and the other identifiers that intake masks (not for names:
the names a report may print, such as the authors it cites, cannot be told from a
person's), in what a reader of that file sees:

- HTML and SVG (``.html``, ``.htm``, ``.svg``): the text, with markup, scripts, style
  sheets and attribute values (random cell ids, base-64 images) blanked; the place is
  a line and column;
- text (``.csv``, ``.tsv``, ``.md``, ``.txt``, ``.tex``): the text; a line and column;
- JSON and notebooks (``.json``, ``.ipynb``): every string value (HTML and SVG values
  as above; images, cell ids and hashes skipped), so that text escaped in JSON
  (``\\u00e4``, ``\\n``) is read as written; the place is the value's JSON path;
- workbooks (``.xlsx``): every sheet's name and cell's text, characters stored escaped
  (``_x000D_``) read as such (and whole numbers of eight digits or more, also stored as
  floats, which an identity or phone number stored as a number becomes); a sheet and cell.

- Word documents (``.docx``): each paragraph (its runs joined), table cell, header
  and footer; a paragraph or a table's row and cell.

Other files (images, PDF, parquet) are listed as not scanned. :func:`check_paths`
raises :class:`PersonalDataFound` when anything is found; the runner calls it on every
file a run is about to publish.
"""

from __future__ import annotations

import bisect
import hashlib
import html as html_text
import json
import re
from collections.abc import Iterable, Iterator, MutableSet
from pathlib import Path
from typing import Any, NamedTuple

from cape_study.data.documents import word_places
from cape_study.data.headers import cell_text
from cape_study.privacy.keys import PrivacyError
from cape_study.privacy.masking import Finding, scan_text

__all__ = [
    "SCANNED_SUFFIXES",
    "FileFinding",
    "PersonalDataFound",
    "check_paths",
    "scan_content",
    "scan_html",
    "scan_paths",
    "scan_value",
]


class FileFinding(NamedTuple):
    """Personal data in a file: the file (as given), where in it, and the kind."""

    file: str
    where: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}: {self.kind} at {self.where}"


class PersonalDataFound(PrivacyError):
    """Personal data found where none may be (a file about to be published); names the
    file and the position of each finding, never the value."""

    def __init__(self, file: str, text: str, findings: list[Finding]) -> None:
        located = [
            FileFinding(file, f"line {line}, column {col} (character {f.start})", f.kind)
            for f, (line, col) in ((f, _line_col(text, f.start)) for f in findings)
        ]
        self._set(located)
        self.findings = findings

    @classmethod
    def located(cls, found: list[FileFinding]) -> PersonalDataFound:
        """The error for findings in several files (:func:`scan_paths`)."""
        self = cls.__new__(cls)
        self._set(found)
        self.findings = []
        return self

    def _set(self, found: list[FileFinding]) -> None:
        by_file: dict[str, list[str]] = {}
        for f in found[:20]:
            by_file.setdefault(f.file, []).append(f"{f.kind} at {f.where}")
        text = "; ".join(f"{file}: personal data: {', '.join(w)}" for file, w in by_file.items())
        more = f" and {len(found) - 20} more" if len(found) > 20 else ""
        PrivacyError.__init__(self, text + more)
        self.file = found[0].file if found else ""
        self.located_findings = found


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


#: What a reader does not see: scripts, style sheets and the tags themselves (with their
#: attributes: cell ids are random UUIDs whose digit groups can look like phone numbers,
#: and embedded images are base-64 text).
_MARKUP = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<[^>]*>"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});)",
    re.DOTALL | re.IGNORECASE,
)
_INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong"
    r"|sub|sup|time|u|var|wbr|tspan)\b",
    re.IGNORECASE,
)
_HTML_SUFFIXES = frozenset({".html", ".htm", ".svg"})
_TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".md", ".txt", ".tex"})
_JSON_SUFFIXES = frozenset({".json", ".ipynb"})
#: The file types :func:`scan_paths` reads.
SCANNED_SUFFIXES = _HTML_SUFFIXES | _TEXT_SUFFIXES | _JSON_SUFFIXES | {".xlsx", ".docx"}
# JSON keys whose values are not text a reader sees: images, random ids, hashes.
_SKIPPED_KEYS = frozenset(
    {"image/png", "image/jpeg", "image/gif", "id", "sha256", "key", "cache_key", "library"}
)
_MARKUP_KEYS = frozenset({"text/html", "image/svg+xml"})
_LONG_NUMBER = 10_000_000
_FLOAT_ZERO = re.compile(r"(?<=\d{7})\.0(?=[|\n\"]|$)")


_IDENTITY = frozenset({"personnummer", "samordningsnummer", "hetu"})
# A gap between the columns of a table printed as text (a tab, or two blanks or more):
# a DataFrame or a list printed in a page, a text table.
_COLUMN_GAP = re.compile(r"\t|[ \u00a0\u2007\u2009\u202f]{2,}")


#: The lengths of the hexadecimal digests the runner and its tools write (MD5, SHA-1,
#: SHA-224, SHA-256, SHA-384, SHA-512): the hashes of a manifest, cache keys, commits.
_DIGEST_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_HEX = frozenset("0123456789abcdefABCDEF")


def _scan(text: str) -> list[Finding]:
    """:func:`~cape_study.privacy.masking.scan_text`, less the identity numbers whose
    digits stand in the columns of a table printed as text (three gaps of a tab or two
    blanks or more within the number: ten one-digit counts in a row of a printed frame
    are no personnummer, and a report would stop on them); a number written in a
    sentence is spaced by single blanks, and intake masked those in the case file
    (issue 15: false stops); and less those inside a hexadecimal digest
    (:func:`_in_digest`)."""
    return [
        f
        for f in scan_text(text)
        if f.kind not in _IDENTITY
        or (len(_COLUMN_GAP.findall(text, f.start, f.end)) < 3 and not _in_digest(text, f))
    ]


def _in_digest(text: str, found: Finding) -> bool:
    """Whether ``found`` lies inside a word of ASCII letters and digits that is all
    hexadecimal and as long as a digest (:data:`_DIGEST_LENGTHS`): the SHA-256 of a
    published file in the manifest (one that ended in a letter glued before ten digits
    that make a valid samordningsnummer stopped a run: about one digest in 9,000 holds
    such a number at an end, so about one run in a hundred stopped), a cache key, a commit. A
    number written by a person stands apart from such a word, or glued to a few letters
    (``nr550114-2284``, found as before)."""
    start, end = found.start, found.end
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    return end - start in _DIGEST_LENGTHS and _HEX.issuperset(text[start:end])


def scan_html(text: str) -> list[Finding]:
    """:func:`~cape_study.privacy.masking.scan_text` over what a reader of an HTML or SVG
    text sees, with positions in ``text``.

    Scripts and style sheets are dropped; inline tags (``<b>``, ``<span>``, ``<a>`` ...,
    which do not separate words when shown) are removed, and other tags are read as a
    line break, so that ``<b>19121212</b>-1212`` is read as one number; attribute values
    (random cell ids, base-64 images) are never read. Character references are read as
    the characters they stand for (``550114&nbsp;2284``, ``&#8209;``), at their place.
    """
    pieces, starts, pos, at = [], [], 0, 0
    for m in _MARKUP.finditer(text):
        if m.start() > pos:
            pieces.append(text[pos : m.start()])
            starts.append((at, pos))
            at += m.start() - pos
        if m.group("entity"):
            shown = html_text.unescape(m.group())
            pieces.append(shown)
            starts.append((at, m.start()))
            at += len(shown)
        elif not m.group(1) and _INLINE.match(m.group()):
            pass
        else:
            pieces.append("\n")
            starts.append((at, -1))
            at += 1
        pos = m.end()
    pieces.append(text[pos:])
    starts.append((at, pos))
    readable = "".join(pieces)
    keys = [a for a, _ in starts]

    def original(i: int) -> int:
        k = bisect.bisect_right(keys, i) - 1
        a, b = starts[k]
        return b + (i - a) if b >= 0 else starts[k + 1][1] if k + 1 < len(starts) else len(text)

    return [
        f._replace(start=original(f.start), end=original(f.end - 1) + 1) for f in _scan(readable)
    ]


def scan_paths(
    paths: Iterable[str | Path],
    *,
    root: str | Path | None = None,
    clean: MutableSet[str] | None = None,
) -> list[FileFinding]:
    """Personal data in files, each finding with its file (relative to ``root`` when
    given) and where in it; never the value.

    Parameters
    ----------
    paths
        Files (folders are walked). Types not in :data:`SCANNED_SUFFIXES` are skipped.
    root
        Files are named relative to it in the findings.
    clean
        SHA-256 hashes of file contents already scanned and found clean by this
        version of the scanner: a file with one of them is not read again, and each
        file found clean adds its hash (the runner keeps them between runs, under the
        hash of the library, so that an unchanged page is not scanned again).

    Returns
    -------
    list of FileFinding
        In file order; empty when nothing was found.
    """
    found: list[FileFinding] = []
    for path in _files(paths):
        suffix = path.suffix.lower()
        if suffix not in SCANNED_SUFFIXES:
            continue
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest() if clean is not None else ""
        if digest and digest in clean:
            continue
        here = _scan_content(path, content, _shown(path, root))
        if clean is not None and not here:
            clean.add(digest)
        found += here
    return found


def scan_content(content: bytes, shown: str) -> list[FileFinding]:
    """:func:`scan_paths` for a file's bytes in memory, to be published as ``shown``,
    read as its suffix says, as :func:`scan_paths` reads that file (a type it does not
    read: nothing; not a workbook or a Word document, which are read from their files)."""
    suffix = Path(shown).suffix.lower()
    if suffix in {".xlsx", ".docx"}:
        raise ValueError(f"{shown}: a workbook or Word document is scanned from its file")
    if suffix not in SCANNED_SUFFIXES:
        return []
    return _scan_content(Path(shown), content, shown)


def _scan_content(path: Path, content: bytes, shown: str) -> list[FileFinding]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _scan_workbook(path, shown)
    if suffix == ".docx":
        return _scan_word(path, shown)
    # as read_text reads it (universal newlines), so that places are the same
    text = content.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    if suffix in _JSON_SUFFIXES:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return _scan_text(text, shown, html=False)
        return scan_value(value, shown)
    if suffix in (".csv", ".tsv"):
        # the field separator read as a '|' (same places), which no identifier is written
        # across: a number in the field after a number (``3,550114-2284``) is not taken
        # for the decimals of that number, and two fields are never read as one (a tab
        # would be: folding reads it as a space, and two pseudonyms side by side,
        # ``D-LB54JOUL3G,C-KP5TN2HQ4U``, passed for an IBAN); a whole number written as a
        # float (``5501142284.0``: a pandas float column) is read without its ``.0``
        text = _FLOAT_ZERO.sub("  ", text.replace("," if suffix == ".csv" else "\t", "|"))
        return _scan_text(text, shown, html=False)
    return _scan_text(text, shown, html=suffix in _HTML_SUFFIXES)


def check_paths(
    paths: Iterable[str | Path],
    *,
    root: str | Path | None = None,
    clean: MutableSet[str] | None = None,
) -> None:
    """:func:`scan_paths`, raising :class:`PersonalDataFound` (file and place of every
    finding, never a value) when anything is found."""
    found = scan_paths(paths, root=root, clean=clean)
    if found:
        raise PersonalDataFound.located(found)


def _files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file())
        elif p.is_file():
            yield p


def _shown(path: Path, root: str | Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def _scan_text(text: str, shown: str, *, html: bool) -> list[FileFinding]:
    return [
        FileFinding(shown, "line {}, column {}".format(*_line_col(text, f.start)), f.kind)
        for f in (scan_html(text) if html else _scan(text))
    ]


def scan_value(value: Any, shown: str) -> list[FileFinding]:
    """:func:`scan_paths` for a JSON value in memory (an executed notebook, a manifest)
    to be published as the file ``shown``."""
    found = []
    for where, text, html in _strings(value, "$", False):
        found += [FileFinding(shown, where, f.kind) for f in (scan_html if html else _scan)(text)]
    return found


def _strings(value: Any, where: str, html: bool) -> Iterator[tuple[str, str, bool]]:
    """Every string in a JSON value with its path; the lines of a notebook's multi-line
    strings (lists of strings) joined first, so that a number split over two is seen."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in _SKIPPED_KEYS:
                continue
            yield from _strings(v, f"{where}.{k}", html or k in _MARKUP_KEYS)
    elif isinstance(value, list):
        if value and all(isinstance(v, str) for v in value):
            yield where, "".join(value), html
        else:
            for i, v in enumerate(value):
                yield from _strings(v, f"{where}[{i}]", html)
    elif isinstance(value, str):
        yield where, value, html
    elif isinstance(value, float) and value.is_integer() and abs(value) >= _LONG_NUMBER:
        yield where, str(int(value)), False
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _LONG_NUMBER:
        yield where, str(value), False


def _scan_word(path: Path, shown: str) -> list[FileFinding]:
    """A Word document as its reader sees it (:func:`~cape_study.data.documents.word_places`:
    the body's paragraphs, table cells, content controls, headers and footers)."""
    import docx  # heavy: only when there is a document to read

    document = docx.Document(str(path))
    return [
        FileFinding(shown, where, f.kind)
        for where, text in word_places(document)
        for f in _scan(text)
    ]


def _scan_workbook(path: Path, shown: str) -> list[FileFinding]:
    from openpyxl import load_workbook  # heavy: only when there is a workbook to read

    found = []
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for number, sheet in enumerate(book.worksheets, start=1):
            found += [
                FileFinding(shown, f"the name of sheet {number}", f.kind)
                for f in _scan(sheet.title)
            ]
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if isinstance(value, float) and value.is_integer():
                        value = int(value)  # a number stored as a float: 5501142284.0
                    if isinstance(value, int) and not isinstance(value, bool):
                        value = str(value) if abs(value) >= _LONG_NUMBER else None
                    if not isinstance(value, str):
                        continue
                    for f in _scan(cell_text(value)):
                        found.append(
                            FileFinding(
                                shown, f"sheet {sheet.title}, cell {cell.coordinate}", f.kind
                            )
                        )
    finally:
        book.close()
    return found
