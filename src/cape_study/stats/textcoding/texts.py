"""The texts the coders code: reading, normalising and masking documents, and units.

:func:`extract_texts` reads document files (:func:`cape_study.data.documents.read_document`)
and returns their normalised (:func:`normalise`) and masked
(:func:`cape_study.privacy.masking.mask_text`) texts, with a failure row for each file
that cannot be read. :func:`coding_units` gives the texts the coders code: a document,
or a case read as all its documents. :func:`sentence_spans` cuts a text into the
sentences that the dictionary's evidence and the suggestions' passages are.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from cape_study.data.documents import no_text, read_document
from cape_study.errors import CaseFileError
from cape_study.privacy import masking as privacy
from cape_study.stats.textcoding.parallel import spread

__all__ = [
    "Extraction",
    "coding_units",
    "extract_texts",
    "normalise",
    "sentence_at",
    "sentence_spans",
]


_PAGE_NUMBER = re.compile(
    r"^(?:(?:sida|sid\.?|page|sivu|s\.)\s*\d+(?:\s*(?:av|of|/|\(\s*\d+\s*\))\s*\d*\)?)?"
    r"|\d+\s*\(\s*\d+\s*\)|\d+\s*/\s*\d+|[-–]\s*\d+\s*[-–])$",
    re.IGNORECASE,
)
_HYPHENATED = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w+)")
#: What every match of :data:`_HYPHENATED` holds (searched fast: it starts with a
#: character, where the pattern starts with a class the regex engine tries everywhere).
_HYPHEN_AT_LINE_END = re.compile(r"-[ \t]*\n")
_KEEP_HYPHEN_BEFORE = frozenset({"och", "eller", "samt", "and", "or", "ja", "tai"})
_INVISIBLE_CHARACTERS = "\u00ad\u200b\u200c\u200d\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARACTERS))
_SPACES = re.compile(r"[^\S\n]+")
#: White space other than a space and a line break: with two spaces in a row, what a run
#: of :data:`_SPACES` that is not a single space holds (a text with neither is left as
#: it is by the replacement).
_ODD_SPACE = re.compile(r"[^\S\n ]")
# a line break after a character that is not one and before a letter; written from the
# line break on (its lookbehind after it), so that the regex engine skips to line breaks
_CONTINUATION = re.compile(r"\n(?<=[^\n]\n)(?=[^\W\d_])")
_BLANK_LINES = re.compile(r"\n{3,}")
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Normalise a document's text for matching and learning.

    In order: Unicode NFC (composed letters, so that *ä* typed as *a* plus a
    combining diaeresis equals *ä*); line endings as ``\\n``; soft hyphens and
    zero-width characters removed, other spaces made plain; page headers and footers
    removed (see below); a word hyphenated across a line break joined (*förunder-* /
    *sökningen* becomes *förundersökningen*; the hyphen is kept when either side is
    not a lower-case letter, as in *EU-* / *medborgare*, and before *och*, *eller*,
    *samt*, as in *arbetsmiljö- och*); a line that continues a sentence (it starts with
    a lower-case letter) joined to the line before; runs of spaces collapsed.

    Headers and footers: when the text has pages (separated by form feeds, as PDFs
    are extracted), a line among the first or last three non-blank lines of a page
    that recurs, with its digits ignored, at the edge of at least half of the pages
    (and at least two) is removed, as is a page-number line there (``Sida 2 av 5``,
    ``2 (5)``, ``- 2 -``, ``3``). Without pages, only lines that are page numbers of
    an explicit form (not a bare number) are removed, and short lines (up to 80
    characters) that recur at least three times.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(c in text for c in _INVISIBLE_CHARACTERS):  # translate() is slow on long texts
        text = text.translate(_INVISIBLE)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = _strip_page_furniture(text)
    if _HYPHEN_AT_LINE_END.search(text):
        text = _HYPHENATED.sub(_join_hyphenated, text)
    text = _CONTINUATION.sub(_join_continuation, text)
    if "  " in text or _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _join_hyphenated(m: re.Match[str]) -> str:
    before, after = m.group(1), m.group(2)
    if before.islower() and after[0].islower() and after.lower() not in _KEEP_HYPHEN_BEFORE:
        return before + after
    if after.lower() in _KEEP_HYPHEN_BEFORE:
        return f"{before}- {after}"
    return f"{before}-{after}"


def _join_continuation(m: re.Match[str]) -> str:
    following = m.string[m.end()]
    return " " if following.islower() else "\n"


def _furniture_key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def _strip_page_furniture(text: str) -> str:
    """Drop page headers, footers and page numbers; join the pages with line breaks."""
    pages = [page.split("\n") for page in text.split("\f")]
    drop: set[tuple[int, int]] = set()
    if len(pages) > 1:
        edges = []
        for page in pages:
            filled = [i for i, line in enumerate(page) if line.strip()]
            edges.append(sorted(set(filled[:3] + filled[-3:])))
        recurring: dict[str, int] = {}
        for page, idx in zip(pages, edges, strict=True):
            for key in {_furniture_key(page[i]) for i in idx}:
                recurring[key] = recurring.get(key, 0) + 1
        needed = max(2, (len(pages) + 1) // 2)
        for p, (page, idx) in enumerate(zip(pages, edges, strict=True)):
            for i in idx:
                line = page[i].strip()
                number = _PAGE_NUMBER.match(line) or (line.isdigit() and len(line) <= 4)
                if number or recurring[_furniture_key(line)] >= needed:
                    drop.add((p, i))
    else:
        counts: dict[str, int] = {}
        for line in pages[0]:
            if line.strip() and len(line.strip()) <= 80:
                key = _furniture_key(line)
                counts[key] = counts.get(key, 0) + 1
        # the key of every line only when some short line recurs (most texts: none)
        recurs = any(n >= 3 for n in counts.values())
        for i, line in enumerate(pages[0]):
            repeated = recurs and line.strip() and counts.get(_furniture_key(line), 0) >= 3
            if _PAGE_NUMBER.match(line.strip()) or repeated:
                drop.add((0, i))
    return "\n".join(
        line for p, page in enumerate(pages) for i, line in enumerate(page) if (p, i) not in drop
    )


_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”»)]))\s+(?=[\"”«(]?([^\W\d_]))")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: lines, split further after . ! ? before a capital."""
    spans = []
    start = 0
    for line in text.split("\n"):
        pieces = [0, *(m.end() for m in _SENTENCE_END.finditer(line) if m.group(1).isupper())]
        for a, b in zip(pieces, [*pieces[1:], len(line)], strict=True):
            if line[a:b].strip():
                spans.append((start + a, start + a + len(line[a:b].rstrip())))
        start += len(line) + 1
    return spans


def sentence_at(text: str, spans: list[tuple[int, int]], pos: int) -> str:
    for a, b in spans:
        if a <= pos < b:
            return text[a:b]
    return text[max(pos - 100, 0) : pos + 100]


@dataclass(frozen=True)
class Extraction:
    """Texts read from document files, and the files that could not be read.

    ``texts``: one row per document read (the unit column, ``text`` normalised and
    masked, ``masked``: how many identifiers and names were replaced by tags).
    ``failures``: one row per document not read (the unit column, ``file``,
    ``error``). ``notes``: things worth knowing that are not failures.
    """

    texts: pd.DataFrame
    failures: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def extract_texts(
    documents: pd.DataFrame,
    folder: str | os.PathLike[str],
    *,
    unit: str = "doc_id",
    path: str = "path",
    names: Iterable[str] = (),
) -> Extraction:
    """Read, normalise and mask the text of every document file.

    Parameters
    ----------
    documents
        One row per document, with its id (``unit``) and its file path relative to
        ``folder`` (``path``), as in the ``documents`` table of a case file.
    folder
        The documents folder (a case file's ``documents/``).
    names
        Names of people to mask besides the identifiers the privacy scanner finds.

    Returns
    -------
    Extraction
        The texts, and one failure row for each file that is missing, of an unknown
        type or unreadable, naming the file; the other documents are read all the
        same.
    """
    folder = Path(folder)
    names = tuple(names)
    texts, failures, notes = [], [], []
    for doc, rel in zip(documents[unit], documents[path], strict=True):
        rel_path = PurePosixPath(str(rel).replace("\\", "/"))
        if rel_path.is_absolute() or ".." in rel_path.parts:
            error = f"{rel}: expected a path inside the documents folder {folder}"
            failures.append({unit: doc, "file": str(rel), "error": error})
            continue
        try:
            raw, doc_notes = read_document(folder / rel_path)
        except CaseFileError as exc:
            failures.append({unit: doc, "file": str(rel_path), "error": str(exc)})
            continue
        masked, counts = privacy.mask_text(normalise(raw), names=names)
        texts.append({unit: doc, "text": masked, "masked": int(sum(counts.values()))})
        notes += doc_notes
    return Extraction(
        pd.DataFrame(texts, columns=[unit, "text", "masked"]),
        pd.DataFrame(failures, columns=[unit, "file", "error"]),
        notes,
    )


def _normalise_all(texts: list[str]) -> list[str]:
    return [normalise(t) for t in texts]


def coding_units(
    documents: pd.DataFrame,
    codings: pd.DataFrame,
    *,
    scheme: str = "barrier",
    text: str = "text",
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """The texts the coders code: one row per document and, where cases are coded, per
    case.

    A coding unit is a document (its ``doc_id``) or a whole case (its ``case_id``);
    the codebook asks coders of a case to read all its documents, so a case's text is
    its documents' texts in date order, separated by a blank line. A document without
    text (:func:`cape_study.data.documents.no_text`: it needs OCR) is no unit. Every text is
    normalised (:func:`normalise`). Cases are listed only when the scheme codes some
    case as a unit. ``n_jobs`` processes share the normalising (default
    :func:`cape_study.paths.workers`); the result does not depend on it.

    Returns
    -------
    DataFrame
        ``unit_id``, ``case_id``, ``doc_type`` (the document type, or ``"case"``),
        ``text`` and ``coded`` (whether the unit is coded in ``scheme``).
    """
    coded = set(codings.loc[codings["scheme"].astype("string") == scheme, "unit_id"].astype(str))
    # A document without text (needs OCR) is no coding unit: it would read as naming nothing.
    docs = documents[~no_text(documents, text)]
    docs = docs.sort_values(["case_id", "date", "doc_id"], kind="stable")
    texts = docs[text].fillna("").astype(str).tolist()
    body = [t for part in spread(_normalise_all, texts, n_jobs) for t in part]
    units = pd.DataFrame(
        {
            "unit_id": docs["doc_id"].astype(str),
            "case_id": docs["case_id"].astype(str),
            "doc_type": docs["doc_type"].astype(str),
            "text": body,
        }
    )
    if coded & set(units["case_id"]):
        cases = (
            units.groupby("case_id", sort=False)["text"]
            .agg("\n\n".join)
            .reset_index()
            .assign(unit_id=lambda f: f["case_id"], doc_type="case")
        )
        units = pd.concat([units, cases[list(units.columns)]], ignore_index=True)
    units["coded"] = units["unit_id"].isin(coded)
    return units.reset_index(drop=True)
