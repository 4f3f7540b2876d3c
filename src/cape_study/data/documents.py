"""Document texts: the decision and record files that ``documents.path`` names.

A case file's ``documents/`` folder holds the texts (.txt, .docx, .pdf) that the
``documents`` table lists; a Word document is read whole, with its tables, headers,
footers, content controls and text boxes (:func:`word_places`). :func:`read_document`
extracts one file's text as intake does; :func:`document_texts` reads every file a
documents table names, with a problem for each path that is outside the folder, missing
or unreadable.

Text encodings: files should be UTF-8. A .txt (or CSV) file that is not valid UTF-8 is
read as Windows-1252 (a superset of Latin-1, the usual encoding of Swedish files from
older Windows programs), and a note says so (:func:`decode`).
"""

from __future__ import annotations

import os
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from cape_study.data.problems import Source
from cape_study.errors import CaseFileError

__all__ = [
    "DOCUMENTS_DIR",
    "NO_TEXT",
    "decode",
    "document_texts",
    "no_text",
    "read_document",
    "word_places",
]

#: The folder beside the tables that holds the document files.
DOCUMENTS_DIR = "documents"
#: What a document without text needs; such a document is left out of text coding
#: (never coded as naming no barrier).
NO_TEXT = "no text: needs OCR or the original text"
#: Paths of documents without text named in a note, at most.
_NAMED = 5


def decode(data: bytes, name: str, notes: list[str]) -> str:
    """The text of a file's bytes: UTF-16 with a byte-order mark, UTF-8 (with or
    without one), else Windows-1252 with a note naming the file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        # utf-8-sig strips a leading byte-order mark; without one, plain utf-8 (in C,
        # without the codec's Python wrapper) decodes the same
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        notes.append(
            f"{name} is not UTF-8: read as Windows-1252/Latin-1 "
            "(save it as UTF-8 to silence this note)"
        )
        return data.decode("cp1252", errors="replace")


_OUTSIDE = (
    f"a file inside the case file's {DOCUMENTS_DIR}/ folder, not a symbolic link or a path "
    "that leads out of it"
)


class _Inside:
    """Whether a document path (relative, POSIX) is a file inside the documents folder
    itself: no symbolic link on the way (the folder, its subfolders or the file), so
    that nothing outside the case folder is read. Folders are resolved once each."""

    def __init__(self, base: str | None) -> None:
        self.base = os.path.abspath(base or ".")
        case_folder = os.path.dirname(self.base)
        self.real = os.path.realpath(self.base)
        self.ok_base = self.real == os.path.join(os.path.realpath(case_folder), DOCUMENTS_DIR)
        self.folders: dict[str, bool] = {}

    def __call__(self, posix: str, link: bool | None = None) -> bool:
        """``link``: whether the file itself is a symbolic link, when the caller has
        looked at ``os.path.join(self.base, posix)`` already (else looked up here)."""
        if not self.ok_base:
            return False
        folder = posixpath.dirname(posix)
        ok = self.folders.get(folder)
        if ok is None:
            ok = self.folders[folder] = os.path.realpath(
                os.path.join(self.base, folder)
            ) == os.path.normpath(os.path.join(self.real, folder))
        if link is None:
            link = os.path.islink(os.path.join(self.base, posix))
        return ok and not link


class _UnreadableDocument(Exception):
    """Internal: a document file that its reader cannot open (message = what was expected)."""


def _read_bytes(path: str | Path, size: int = 0) -> bytes:
    """A file's bytes (what ``open(path, "rb").read()`` gives), read with one open and
    reads of ``size`` bytes and more (the size the caller found, if any) until its end:
    fewer system calls than a buffered file object makes, for 275,000 small files."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = [os.read(fd, max(size, 0) + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, max(size, 1 << 16)))
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) <= 2 else b"".join(chunks)


def _text_txt(path: str | Path, notes: list[str], size: int = 0) -> str:
    return decode(_read_bytes(path, size), f"{DOCUMENTS_DIR}/{os.path.basename(path)}", notes)


def _text_docx(path: str | Path, notes: list[str]) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    # A damaged file: not a zip, a member cut short or compressed in a way Python cannot
    # read (zlib.error, NotImplementedError, EOFError), or its XML broken.
    damaged = (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError)
    try:
        document = docx.Document(str(path))
    except (*damaged, zlib.error, NotImplementedError, EOFError) as exc:
        raise _UnreadableDocument(f"a Word .docx document ({type(exc).__name__})") from None
    return "\n".join(text for _, text in word_places(document))


_HEADERS = (
    ("first_page_header", "first-page header"),
    ("header", "header"),
    ("even_page_header", "even-page header"),
)
_FOOTERS = tuple(
    (attribute.replace("header", "footer"), name.replace("header", "footer"))
    for attribute, name in _HEADERS
)


def word_places(document: Any) -> Iterator[tuple[str, str]]:
    """Where and what text a Word document (a ``docx.Document``) holds, in reading
    order: each section's headers, the body's paragraphs, table cells (a merged cell
    once) and content controls, then the footers; every paragraph within them is read
    (nested tables, text boxes). A place's paragraphs are joined by line breaks.
    Places are named ``paragraph 3``, ``table 1, row 2, cell 1``, ``section 1 header``
    ... (the publication scanner reports them so)."""
    sections = list(document.sections)

    def stories(names: tuple[tuple[str, str], ...]) -> Iterator[tuple[str, str]]:
        for n, section in enumerate(sections, start=1):
            for attribute, name in names:
                part = getattr(section, attribute)
                if not part.is_linked_to_previous:  # else the previous one's, or none
                    yield f"section {n} {name}", _story_text(part._element)

    yield from stories(_HEADERS)
    counts = {"p": 0, "tbl": 0, "sdt": 0}
    for child in document.element.body.iterchildren():
        kind = child.tag.rpartition("}")[2]
        if kind not in counts:
            continue  # section properties
        counts[kind] += 1
        if kind == "p":
            yield f"paragraph {counts['p']}", _story_text(child)
        elif kind == "sdt":
            yield f"content control {counts['sdt']}", _story_text(child)
        else:
            yield from _table_places(child, f"table {counts['tbl']}")
    yield from stories(_FOOTERS)


def _table_places(element: Any, name: str) -> Iterator[tuple[str, str]]:
    from docx.table import Table

    seen: set[Any] = set()  # the cells' elements, kept (lxml gives a kept one again)
    for r, row in enumerate(Table(element, None).rows, start=1):
        for c, cell in enumerate(row.cells, start=1):
            if cell._tc not in seen:  # a merged cell is given for each column it spans
                seen.add(cell._tc)
                yield f"{name}, row {r}, cell {c}", _story_text(cell._tc)


def _story_text(element: Any) -> str:
    """The text of every paragraph in a part of a Word document, at any depth, except
    the copy a drawing keeps for old readers (``mc:Fallback``)."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    lines = []
    for p in element.iter(qn("w:p")):
        if not any(a.tag == fallback for a in p.iterancestors()):
            lines.append(Paragraph(p, None).text)
    return "\n".join(lines)


def _text_pdf(path: str | Path, notes: list[str]) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise _UnreadableDocument("a PDF that is not encrypted")
        # Pages are separated by a form feed, as pdftotext does, so that page headers
        # and footers can be recognised later (cape_study.stats.textcoding.normalise).
        return "\f".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise _UnreadableDocument(f"a readable PDF ({type(exc).__name__}: {exc})") from None


_DOCUMENT_READERS: dict[str, Callable[[str | Path, list[str]], str]] = {
    ".txt": _text_txt,
    ".docx": _text_docx,
    ".pdf": _text_pdf,
}


def read_document(path: str | os.PathLike[str]) -> tuple[str, list[str]]:
    """Extract the text of one document file (.txt, .docx or .pdf) as intake does.

    Returns the text and any notes (a text file read as Windows-1252; a file with no
    text, such as a PDF without a text layer: :data:`NO_TEXT`). PDF pages are separated
    by a form feed (``\\f``).

    Raises
    ------
    CaseFileError
        When the file does not exist, is of another type or cannot be read; the
        message names the file and what was expected.
    """
    path = Path(path)
    reader = _DOCUMENT_READERS.get(path.suffix.lower())
    if reader is None:
        raise CaseFileError(f"{path}: expected a document of type {', '.join(_DOCUMENT_READERS)}")
    if not path.is_file():
        raise CaseFileError(f"{path}: expected an existing file")
    notes: list[str] = []
    try:
        text = reader(path, notes)
    except _UnreadableDocument as exc:
        raise CaseFileError(f"{path}: expected {exc}") from None
    except OSError as exc:
        raise CaseFileError(
            f"{path}: expected a file this user can read ({exc.strerror})"
        ) from None
    if not text.strip():
        notes.append(f"{path}: {NO_TEXT}")
    return text, notes


def no_text(documents: pd.DataFrame, text: str = "text") -> pd.Series:
    """True for each document whose file was read but holds no text (an empty file, a
    PDF without a text layer): it needs OCR or the original text, and is left out of
    text coding. False where there is text, or where no file was read (no path)."""
    if text not in documents:
        return pd.Series(False, index=documents.index)
    values = documents[text].astype("string")
    return (values.notna() & (values.str.strip() == "")).fillna(False).astype(bool)


def document_texts(
    documents: pd.DataFrame, folder: Path | None, source: Source, notes: list[str]
) -> tuple[pd.Series, list[dict]]:
    """The text of every document that ``documents.path`` names.

    Missing where a row names no file or the file cannot be read, with a problem (a
    row of the problem table) for each. One open per file, and plain strings for the
    paths: a case file of 100,000 cases names 275,000 files.
    """
    texts: list[object] = []
    problems: list[dict] = []
    empty: list[str] = []
    base = None if folder is None else os.fspath(folder)
    inside = _Inside(base)
    # the path read is the one _Inside looks at: its link status is known from the lstat
    same_path = base is not None and inside.base == base

    def problem(file: str, expected: str, row: object = None, value: object = "") -> None:
        problems.append(
            {
                "file": file,
                "sheet": source.sheet if file == source.file else "",
                "row": row,
                "column": "path" if file == source.file else "",
                "value": value,
                "expected": expected,
            }
        )

    for row, rel in zip(documents.index, documents["path"].tolist(), strict=True):
        texts.append(pd.NA)
        if rel is None or rel is pd.NA or (isinstance(rel, float) and rel != rel):
            continue
        posix = str(rel).replace("\\", "/")
        if posix.startswith("/") or ".." in posix.split("/"):
            problem(source.file, "a path inside the documents/ folder", row, rel)
            continue
        posix = posixpath.normpath(posix)  # as PurePosixPath writes it
        path = os.path.join(base, posix) if base else posix
        reader = _DOCUMENT_READERS.get(os.path.splitext(posix)[1].lower())
        if reader is None:
            problem(source.file, f"a document of type {', '.join(_DOCUMENT_READERS)}", row, rel)
            continue
        # One lstat tells a regular file (os.path.isfile true, os.path.islink false)
        # from a link (isfile follows it) and from anything else (isfile false).
        try:
            found = os.lstat(path)
            mode, size = found.st_mode, found.st_size
        except (OSError, ValueError):
            mode, size = 0, 0
        link = stat.S_ISLNK(mode)
        if not (stat.S_ISREG(mode) or (link and os.path.isfile(path))):
            problem(source.file, f"an existing file under {DOCUMENTS_DIR}/", row, rel)
        elif not inside(posix, link if same_path else None):
            problem(source.file, _OUTSIDE, row, rel)
        else:
            try:
                text = _text_txt(path, notes, size) if reader is _text_txt else reader(path, notes)
            except _UnreadableDocument as exc:
                problem(f"{DOCUMENTS_DIR}/{posix}", str(exc))
                continue
            lost = text.find("\ufffd")
            if lost >= 0:
                line = text.count("\n", 0, lost) + 1
                column = lost - text.rfind("\n", 0, lost)
                problem(
                    f"{DOCUMENTS_DIR}/{posix}",
                    f"text as written (line {line}, column {column}: a replacement character "
                    "U+FFFD where letters were lost in decoding; save the file as UTF-8)",
                )
                continue
            texts[-1] = text
            if not text.strip():
                empty.append(f"{DOCUMENTS_DIR}/{posix}")
    if empty:
        named = ", ".join(empty[:_NAMED]) + (
            f" and {len(empty) - _NAMED:,} more" if len(empty) > _NAMED else ""
        )
        notes.append(
            f"{len(empty):,} document(s) with {NO_TEXT} ({named}); they are left out of text coding"
        )
    return pd.Series(texts, index=documents.index, dtype="string"), problems
