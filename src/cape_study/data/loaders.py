"""Read a case file (an .xlsx workbook or a folder of CSV files) into a checked CaseFile.

A case file is one workbook with one sheet per table, or one folder with one CSV file
per table (``cases.csv``, ``events.csv`` ...), plus a ``documents/`` folder beside
them holding the decision texts (.txt, .docx, .pdf) that ``documents.path`` names.
The tables and their columns are declared in the codebook.

:func:`check_case_file` reads everything it can and returns *every* problem at once
(lazy validation), as one table with the file, sheet, row, column, value and what was
expected. :func:`load_case_file` returns the typed :class:`CaseFile` or raises
:class:`~cape_study.errors.CaseFileError` carrying that table. Neither writes
anything; :func:`write_processed` writes a checked case file to parquet, atomically.
Document texts are read by :mod:`cape_study.data.documents`; the problem table is
:mod:`cape_study.data.problems`.

Text encodings: CSV files should be UTF-8; one that is not is read as Windows-1252
(:func:`cape_study.data.documents.decode`), and a note says so.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cape_study.data.codebook import Codebook, load_codebook
from cape_study.data.documents import DOCUMENTS_DIR, decode, document_texts, read_document
from cape_study.data.problems import Source, format_problems, problems_frame
from cape_study.data.schema import parse_table, validate_tables
from cape_study.errors import CaseFileError

__all__ = [
    "SYNTHETIC_MARKER",
    "CaseFile",
    "CheckResult",
    "check_case_file",
    "format_problems",
    "load_case_file",
    "read_document",
    "read_processed",
    "write_processed",
]

#: A file of this name beside the tables marks a case file as synthetic (written by synth).
SYNTHETIC_MARKER = "SYNTHETIC"
_METADATA = "metadata.json"


@dataclass
class CaseFile:
    """A checked case file: one typed DataFrame per table.

    Code columns are pandas categoricals whose categories are the codebook's codes
    (ordered for ordered schemes such as stages); dates are ``datetime64``; integers
    ``Int64``; booleans ``boolean`` (missing = unknown). ``documents`` has an extra
    column ``text`` with each document's extracted text. ``suspects`` is empty when
    the case file has no suspects table.
    """

    source: Path
    codebook_version: str
    data_cutoff: dt.date
    synthetic: bool
    cases: pd.DataFrame
    events: pd.DataFrame
    victims: pd.DataFrame
    suspects: pd.DataFrame
    documents: pd.DataFrame
    codings: pd.DataFrame

    TABLES = ("cases", "events", "victims", "suspects", "documents", "codings")

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in self.TABLES}

    def summary(self) -> str:
        """A few lines describing what was read."""
        by_country = self.cases["country"].value_counts().sort_index()
        countries = ", ".join(f"{k} {v}" for k, v in by_country.items() if v)
        lines = [
            f"{self.source}: a valid case file (codebook {self.codebook_version}, "
            f"data cut-off {self.data_cutoff.isoformat()})"
            + (" - SYNTHETIC data" if self.synthetic else ""),
            f"  cases      {len(self.cases):>7}  ({countries})",
        ]
        for name in self.TABLES[1:]:
            lines.append(f"  {name:<10} {len(getattr(self, name)):>7}")
        n_chars = int(self.documents["text"].str.len().sum()) if len(self.documents) else 0
        lines.append(f"  document texts read: {len(self.documents)} ({n_chars:,} characters)")
        return "\n".join(lines)


@dataclass
class CheckResult:
    """What :func:`check_case_file` found: problems, notes and, if clean, the case file."""

    problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    case_file: CaseFile | None = None

    @property
    def ok(self) -> bool:
        return self.problems.empty

    def summary(self) -> str:
        if self.case_file is None:
            return f"{len(self.problems)} problem(s)"
        return self.case_file.summary()


# -- reading raw tables -----------------------------------------------------------------
@dataclass
class _Raw:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    documents_dir: Path | None = None
    workbook: bool = False
    #: (table, row, column) cells already reported; row None stands for a whole column
    reported: set[tuple[str, object, str]] = field(default_factory=set)

    def problem(
        self,
        file: str,
        expected: str,
        *,
        sheet: str = "",
        row: object = None,
        column: str = "",
        value: object = "",
    ) -> None:
        self.problems.append(
            {
                "file": file,
                "sheet": sheet,
                "row": row,
                "column": column,
                "value": value,
                "expected": expected,
            }
        )


def _read_csv(path: Path, table: str, raw: _Raw) -> None:
    data = path.read_bytes()
    notes = len(raw.notes)
    text = decode(data, path.name, raw.notes)
    if not text.strip():
        raw.problem(path.name, f"a header row with the columns of table {table}; the file is empty")
        return
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as exc:
        raw.problem(path.name, f"comma-separated values with one field per column ({exc})")
        return
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    frame.columns = [str(c).strip() for c in frame.columns]
    _lost_letters(frame, path.name, raw, windows=len(raw.notes) > notes)
    raw.tables[table] = frame
    raw.sources[table] = Source(path.name)


_REPLACED = re.compile("\ufffd")
#: A letter that Windows-1252 cannot hold, written as '?' when the file was saved (Kami?ski).
_QUESTIONED = re.compile(r"[^\W\d_]\?[^\W\d_]|\ufffd")


def _lost_letters(frame: pd.DataFrame, file: str, raw: _Raw, *, windows: bool) -> None:
    """A problem for each cell whose letters were lost in decoding: a replacement
    character (U+FFFD), or, in a file read as Windows-1252, a '?' between letters.
    Names with lost letters cannot be masked reliably, so they stop intake; the value
    is not shown (it may be a name)."""
    pattern = _QUESTIONED if windows else _REPLACED
    for column in frame.columns:
        values = frame[column].dropna()
        hits = values[values.str.contains(pattern)]
        for row in hits.index:
            raw.problem(
                file,
                "text as written: letters were lost when the file was saved or decoded "
                "('?' or U+FFFD in place of a letter); save the file as UTF-8",
                row=row,
                column=str(column),
            )


def _read_folder(folder: Path, tables: list[str], raw: _Raw) -> None:
    csvs = {p.stem: p for p in sorted(folder.glob("*.csv"))}
    workbooks = sorted(folder.glob("*.xlsx"))
    if not csvs and len(workbooks) == 1:
        _read_workbook(workbooks[0], tables, raw)
        return
    raw.documents_dir = folder / DOCUMENTS_DIR
    for name in tables:
        if name in csvs:
            _read_csv(csvs[name], name, raw)
    unknown = sorted(set(csvs) - set(tables))
    if unknown:
        raw.notes.append(
            f"ignored files that are not tables of the codebook: "
            f"{', '.join(u + '.csv' for u in unknown)}"
        )


def _read_workbook(path: Path, tables: list[str], raw: _Raw) -> None:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    raw.documents_dir = path.parent / DOCUMENTS_DIR
    raw.workbook = True
    if path.stat().st_size == 0:
        raw.problem(path.name, "an .xlsx workbook; the file is empty")
        return
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raw.problem(path.name, f"an .xlsx workbook that Excel or LibreOffice can open ({exc})")
        return
    try:
        for name in tables:
            if name not in book.sheetnames:
                continue
            rows = [list(r) for r in book[name].iter_rows(values_only=True)]
            numbered = [
                (i + 1, r)
                for i, r in enumerate(rows)
                if any(v is not None and str(v).strip() for v in r)
            ]
            if not numbered:
                raw.problem(
                    path.name,
                    f"a header row with the columns of table {name}; the sheet is empty",
                    sheet=name,
                )
                continue
            header = ["" if h is None else str(h).strip() for h in numbered[0][1]]
            body = [
                [v.strip() if isinstance(v, str) else v for v in r[: len(header)]]
                + [None] * (len(header) - len(r))
                for _, r in numbered[1:]
            ]
            frame = pd.DataFrame(
                body,
                columns=header,
                dtype=object,
                index=pd.Index([n for n, _ in numbered[1:]], dtype="int64"),
            )
            raw.tables[name] = frame
            raw.sources[name] = Source(path.name, name)
        unknown = sorted(set(book.sheetnames) - set(tables))
        if unknown:
            raw.notes.append(
                f"ignored sheets that are not tables of the codebook: {', '.join(unknown)}"
            )
    finally:
        book.close()


_READERS: dict[str, Callable[[Path, list[str], _Raw], None]] = {
    ".xlsx": _read_workbook,
}


def _read(path: Path, codebook: Codebook) -> _Raw:
    raw = _Raw()
    tables = list(codebook.tables)
    if not path.exists():
        raw.problem(
            str(path),
            "an existing folder of CSV files or an .xlsx workbook; the path does not exist",
        )
        return raw
    reader = _read_folder if path.is_dir() else _READERS.get(path.suffix.lower())
    if reader is None:
        raw.problem(str(path), f"a folder of CSV files or one of: {', '.join(_READERS)}")
        return raw
    try:
        reader(path, tables, raw)
    except OSError as exc:
        raw.problem(exc.filename or str(path), f"a file this user can read ({exc.strerror})")
        return raw
    if raw.problems:
        return raw
    for name, table in codebook.tables.items():
        if name not in raw.tables and table.required:
            what = f"a sheet named {name}" if raw.workbook else f"a file {name}.csv"
            raw.problem(str(path), f"{what} (table {name} is required)")
    for name, frame in raw.tables.items():
        _check_columns(name, frame, codebook, raw)
    return raw


def _check_columns(name: str, frame: pd.DataFrame, codebook: Codebook, raw: _Raw) -> None:
    declared = codebook.table(name).columns
    source = raw.sources[name]
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    for c in dupes:
        raw.problem(
            source.file,
            "each column once; this column appears more than once",
            sheet=source.sheet,
            row=1,
            column=c,
        )
    for c in frame.columns:
        if c not in declared:
            raw.problem(
                source.file,
                f"a column of table {name}: {', '.join(declared)}",
                sheet=source.sheet,
                row=1,
                column=c or "(blank header)",
            )
    missing = [c for c, col in declared.items() if c not in frame.columns]
    raw.reported.update((name, None, c) for c in [*missing, *dupes])
    for c in missing:
        if declared[c].required:
            raw.problem(
                source.file,
                f"a column {c} (required in table {name})",
                sheet=source.sheet,
                row=1,
                column=c,
            )
    optional = [c for c in missing if not declared[c].required]
    if optional:
        raw.notes.append(
            f"{source.file}{'/' + source.sheet if source.sheet else ''}: "
            f"optional column(s) absent, read as unknown: {', '.join(optional)}"
        )


# -- checking ---------------------------------------------------------------------------
def _as_date(value: str | dt.date | None) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CaseFileError(f"data cut-off {value!r} is not a date written YYYY-MM-DD") from None


def check_case_file(
    path: str | os.PathLike[str],
    *,
    codebook: str | Codebook = "cape_v1",
    data_cutoff: str | dt.date | None = None,
    read_documents: bool = True,
) -> CheckResult:
    """Read and check a case file, collecting every problem.

    Parameters
    ----------
    path
        A folder of CSV files (with a ``documents/`` folder), or an .xlsx workbook
        (with ``documents/`` beside it), or a folder holding just one workbook.
    codebook
        The codebook (or its name) that declares the tables and codes.
    data_cutoff
        No date may fall after it (default: today). Events after the cut-off are
        errors: the study's data end there.
    read_documents
        Extract the text of every document (default); without it, only the tables
        are checked.

    Returns
    -------
    CheckResult
        ``problems`` (empty when the file is valid), ``notes`` (things worth knowing
        that are not errors, such as a Latin-1 file read as such), and the typed
        ``case_file`` when there are no problems.
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    cutoff = _as_date(data_cutoff)
    path = Path(path)
    raw = _read(path, book)
    typed: dict[str, pd.DataFrame] = {}
    for name, frame in raw.tables.items():
        parsed, problems = parse_table(frame, book.table(name), raw.sources[name])
        typed[name] = parsed
        raw.problems += problems
        raw.reported.update((name, p["row"], p["column"]) for p in problems)
    if (
        "cases" in typed
        and typed["cases"].empty
        and not any(p["file"] == raw.sources["cases"].file for p in raw.problems)
    ):
        source = raw.sources["cases"]
        raw.problem(source.file, "at least one case", sheet=source.sheet, row=2)
    if typed:
        raw.problems += validate_tables(book, typed, raw.tables, raw.sources, cutoff, raw.reported)
    if read_documents and "documents" in typed and "path" in raw.tables["documents"]:
        texts, problems = document_texts(
            typed["documents"], raw.documents_dir, raw.sources["documents"], raw.notes
        )
        raw.problems += problems
        typed["documents"] = typed["documents"].assign(text=texts)
    problems = problems_frame(raw.problems)
    if not problems.empty:
        return CheckResult(problems, raw.notes)
    return CheckResult(problems, raw.notes, _case_file(path, book, cutoff, typed, read_documents))


def _case_file(
    path: Path, book: Codebook, cutoff: dt.date, typed: dict[str, pd.DataFrame], with_text: bool
) -> CaseFile:
    tables = {}
    for name, table in book.tables.items():
        frame = typed.get(name)
        if frame is None:
            frame = parse_table(pd.DataFrame(columns=list(table.columns)), table, Source(""))[0]
        frame = frame.reset_index(drop=True)
        for cname, col in table.columns.items():
            if col.type == "code":
                scheme = book.scheme(col.scheme)
                frame[cname] = pd.Categorical(
                    frame[cname], categories=scheme.code_list, ordered=scheme.ordered
                )
        tables[name] = frame
    if "text" not in tables["documents"]:
        tables["documents"]["text"] = pd.Series(
            pd.NA, index=tables["documents"].index, dtype="string"
        )
    base = path if path.is_dir() else path.parent
    synthetic = (base / SYNTHETIC_MARKER).exists()
    return CaseFile(
        source=path,
        codebook_version=book.version,
        data_cutoff=cutoff,
        synthetic=synthetic,
        **tables,
    )


def load_case_file(path: str | os.PathLike[str], **kwargs) -> CaseFile:
    """Read and check a case file; raise :class:`CaseFileError` listing every problem.

    Takes the same arguments as :func:`check_case_file`.
    """
    result = check_case_file(path, **kwargs)
    if not result.ok:
        raise CaseFileError(
            f"{path}: {len(result.problems)} problem(s) in the case file:\n"
            + format_problems(result.problems),
            result.problems,
        )
    assert result.case_file is not None
    return result.case_file


# -- processed data ---------------------------------------------------------------------
def write_processed(
    case_file: CaseFile,
    directory: str | os.PathLike[str],
    *,
    metadata: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write a checked case file as parquet files plus ``metadata.json``, atomically.

    Everything is written into a temporary sibling directory that replaces
    ``directory`` only once complete, so a failure leaves the previous processed
    data in place. ``metadata`` adds entries to ``metadata.json`` (intake records
    there what :func:`cape_study.privacy.masking.protect` did). Returns the written paths.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, frame in case_file.tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        meta = {
            "source": str(case_file.source),
            "codebook_version": case_file.codebook_version,
            "data_cutoff": case_file.data_cutoff.isoformat(),
            "synthetic": case_file.synthetic,
            "rows": {name: len(frame) for name, frame in case_file.tables.items()},
        }
        meta |= {k: v for k, v in (metadata or {}).items() if k not in meta}
        (staging / _METADATA).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(target.iterdir())


def read_processed(directory: str | os.PathLike[str]) -> CaseFile:
    """Read what :func:`write_processed` wrote back into a :class:`CaseFile`."""
    folder = Path(directory)
    meta_path = folder / _METADATA
    if not meta_path.exists():
        raise CaseFileError(
            f"{folder}: no processed case file here (no {_METADATA}); run the intake step first"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in CaseFile.TABLES}
    return CaseFile(
        source=Path(meta["source"]),
        codebook_version=meta["codebook_version"],
        data_cutoff=dt.date.fromisoformat(meta["data_cutoff"]),
        synthetic=bool(meta["synthetic"]),
        **tables,
    )
