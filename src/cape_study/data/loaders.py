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
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cape_study.data.cells import parse_table
from cape_study.data.codebook import Codebook, CodebookError, load_codebook
from cape_study.data.documents import document_texts, read_document
from cape_study.data.problems import (
    PROBLEM_COLUMNS,
    Source,
    cause_of,
    format_problems,
    invisible_characters,
    problem_causes,
    problems_frame,
    summarise_problems,
    write_problems,
)
from cape_study.data.reading import RawTables, read_tables
from cape_study.errors import CaseFileError
from cape_study.paths import DEFAULT_DATA_CUTOFF, writes_into_published

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
    column ``text`` with each document's extracted text. An optional table the case
    file lacks (``suspects``, ``sanctions``, ``elements`` ...) is empty, with its columns.
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
    sanctions: pd.DataFrame
    offence_victims: pd.DataFrame
    sample: pd.DataFrame
    elements: pd.DataFrame
    label: str = ""

    TABLES = (
        "cases",
        "events",
        "victims",
        "suspects",
        "documents",
        "codings",
        "sanctions",
        "offence_victims",
        "sample",
        "elements",
    )

    @property
    def sampling_frame(self) -> str:
        """How the cases were selected (scheme ``sampling_frame``): the ``sample``
        table's, or ``police_reports`` for a case file without one (codebook 1.0)."""
        if len(self.sample) and pd.notna(self.sample["sampling_frame"].iloc[0]):
            return str(self.sample["sampling_frame"].iloc[0])
        return "police_reports"

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
            f"  cases           {len(self.cases):>7}  ({countries})",
        ]
        for name in self.TABLES[1:]:
            lines.append(f"  {name:<15} {len(getattr(self, name)):>7}")
        n_chars = int(self.documents["text"].str.len().sum()) if len(self.documents) else 0
        lines.append(f"  document texts read: {len(self.documents)} ({n_chars:,} characters)")
        return "\n".join(lines)


@dataclass
class CheckResult:
    """What :func:`check_case_file` found: problems, notes and, if clean, the case file.

    ``problems`` holds the problems to act on; ``follow_ons`` those that only follow
    from one of them (a foreign key into a table that could not be read, a case id
    that points at an id written with an invisible character), with a column
    ``follows_from`` naming the cause (:func:`~cape_study.data.problems.cause_of`).
    """

    problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    case_file: CaseFile | None = None
    follow_ons: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=[*PROBLEM_COLUMNS, "follows_from"])
    )

    @property
    def ok(self) -> bool:
        return self.problems.empty

    def summary(self) -> str:
        if self.case_file is None:
            return self.report()
        return self.case_file.summary()

    def causes(self) -> pd.DataFrame:
        """The problems by cause, without values
        (:func:`~cape_study.data.problems.problem_causes`)."""
        return problem_causes(self.problems, self.follow_ons)

    def write_problems(self, path: str | os.PathLike[str]) -> Path:
        """Write every problem, those that follow from others too, to a .csv or .xlsx
        file (:func:`~cape_study.data.problems.write_problems`); it quotes the case file."""
        return write_problems(self.problems, self.follow_ons, path)

    def report(self, values: bool = True) -> str:
        """The problems grouped by cause, at most a screenful, the real cause first
        (examples without the values they quote when ``values`` is false)."""
        n = len(self.problems) + len(self.follow_ons)
        return (
            f"{n:,} problem(s), from {self.problems.pipe(_n_causes)} cause(s):\n"
            + summarise_problems(self.problems, self.follow_ons, values=values)
        )


# -- checking ---------------------------------------------------------------------------
def _as_date(value: str | dt.date | None) -> dt.date:
    if value is None:
        return dt.date.fromisoformat(DEFAULT_DATA_CUTOFF)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CaseFileError(f"data cut-off {value!r} is not a date written YYYY-MM-DD") from None


def check_case_file(
    path: str | os.PathLike[str],
    *,
    codebook: str | Codebook = "cape_v2",
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
        No date may fall after it (default: :data:`cape_study.paths.DEFAULT_DATA_CUTOFF`,
        as in ``cape-study run``). Events after the cut-off are errors: the study's
        data end there.
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
    raw = read_tables(path, book)
    typed: dict[str, pd.DataFrame] = {}
    for name, frame in raw.tables.items():
        parsed, problems = parse_table(frame, book.table(name), raw.sources[name])
        typed[name] = parsed
        problems = [p for p in problems if (name, p["row"], p["column"]) not in raw.reported]
        raw.problems += problems
        raw.reported.update((name, p["row"], p["column"]) for p in problems)
    if "cases" in typed and typed["cases"].empty:
        source = raw.sources["cases"]
        raw.problem(
            source.file,
            "at least one case below the header; the table has none",
            sheet=source.sheet,
            row=raw.header_rows.get("cases", 1) + 1,
            breaks=("cases", list(book.table("cases").columns)),
        )
    if typed:  # nothing read (no such path, no tables): no version to speak of
        # pandera (half a second to import) only here: the steps that read the
        # processed case file do not check it again
        from cape_study.data.validation import validate_tables

        _migrate(typed, book, raw)
        raw.problems += validate_tables(book, typed, raw.tables, raw.sources, cutoff, raw.reported)
    if read_documents and "documents" in typed and "path" in raw.tables["documents"]:
        texts, problems = document_texts(
            typed["documents"], raw.documents_dir, raw.sources["documents"], raw.notes
        )
        raw.problems += problems
        typed["documents"] = typed["documents"].assign(text=texts)
    actionable, follow_ons = _follow_ons(raw, book)
    problems = problems_frame(actionable)
    if not problems.empty:
        return CheckResult(problems, raw.notes, follow_ons=follow_ons)
    return CheckResult(problems, raw.notes, _case_file(path, book, cutoff, typed, read_documents))


def _version_hint(version: str, book: Codebook) -> str:
    """What to write when ``version`` is a known version written as a number (Excel
    turns a typed 2.0 into the number 2; Swedish Excel writes 2,0)."""
    known = [book.version, *(m.from_version for m in book.migrations)]
    try:
        number = float(version.strip().replace(",", "."))
    except ValueError:
        return ""
    for k in known:
        if float(k) == number:
            return (
                f"; write {k} as text, with a point (in Excel type '{k}, or format the "
                "cell as text first, since Excel keeps a typed version as a number)"
            )
    return ""


def _migrate(typed: dict[str, pd.DataFrame], book: Codebook, raw: RawTables) -> None:
    """Read a case file written for an earlier codebook version with this one.

    The file's version is the ``sample`` table's ``codebook_version``; a file without
    that table was written for version 1.0 (the ``sample`` table came with 2.0). The
    codebook's migration for that version (:attr:`Codebook.migrations`) changes the
    outcome codes whose meaning changed and says so in a note; codings of a version
    whose coded schemes did not change count as codings of this one. A version the
    codebook cannot read is a problem at the cell that names it.
    """
    sample = typed.get("sample")
    version, row = "1.0", None
    if sample is not None and len(sample) and pd.notna(sample["codebook_version"].iloc[0]):
        version, row = str(sample["codebook_version"].iloc[0]), sample.index[0]
    try:
        migration = book.migration(version)
    except CodebookError as exc:
        if row is None:  # this codebook reads no version-1 file: nothing to migrate
            return
        source = raw.sources["sample"]
        raw.problem(
            source.file,
            f"a codebook version this codebook reads ({exc}){_version_hint(version, book)}",
            sheet=source.sheet,
            row=row,
            column="codebook_version",
            value=version,
        )
        raw.reported.add(("sample", row, "codebook_version"))
        return
    codings = typed.get("codings")
    if codings is not None and "codebook_version" in codings:
        for m in book.migrations:
            old = (codings["codebook_version"] == m.from_version).fillna(False)
            if m.same_codings and old.any():
                codings.loc[old.to_numpy(bool), "codebook_version"] = book.version
    if migration is None:
        return
    changed = 0
    events = typed.get("events")
    if events is not None and {"offence", "outcome"} <= set(events.columns):
        for offence, changes in migration.outcome_by_offence.items():
            for old, new in changes.items():
                rows = ((events["offence"] == offence) & (events["outcome"] == old)).fillna(False)
                events.loc[rows.to_numpy(bool), "outcome"] = new
                changed += int(rows.sum())
    raw.notes.append(
        " ".join(migration.note.en.split())
        + (f" ({changed} outcome(s) read so)" if changed else "")
    )


def _n_causes(problems: pd.DataFrame) -> int:
    return len({cause_of(r) for r in problems.to_dict("records")})


def _follow_ons(raw: RawTables, book: Codebook) -> tuple[list[dict], pd.DataFrame]:
    """Split the problems into those to act on and those that follow from one of them:
    a reference into a table or column that could not be read, or to an id that is
    there but written with an invisible character."""
    hidden: dict[tuple[str, str], dict[str, str]] = {}
    for p in raw.problems:
        if p.get("check") != "invisible":
            continue
        table = next(t for t, s in raw.sources.items() if s == Source(p["file"], p["sheet"]))
        value = raw.tables[table].at[p["row"], p["column"]]
        visible = "".join(c for c in str(value) if not invisible_characters(c)).strip()
        hidden.setdefault((table, p["column"]), {})[visible] = cause_of(p)
    by_source = {s: t for t, s in raw.sources.items()}
    actionable, following = [], []
    for p in raw.problems:
        cause = None
        if str(p.get("check", "")).endswith(":fk"):
            table = by_source[Source(p["file"], p["sheet"])]
            for ref in book.table(table).columns[p["column"]].references:
                rt, rc = ref.split(".")
                cause = raw.broken.get((rt, rc)) or hidden.get((rt, rc), {}).get(p["value"])
                if cause:
                    break
        if cause is None:
            actionable.append(p)
        else:
            following.append({**p, "follows_from": cause})
    columns = [*PROBLEM_COLUMNS, "follows_from"]
    return actionable, pd.DataFrame(following, columns=columns)


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
        raise CaseFileError(f"{path}: {result.report()}", result.problems)
    assert result.case_file is not None
    return result.case_file


# -- processed data ---------------------------------------------------------------------
def write_processed(
    case_file: CaseFile,
    directory: str | os.PathLike[str],
    *,
    label: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write a checked case file as parquet files plus ``metadata.json``, atomically.

    Everything is written into a temporary sibling directory that replaces
    ``directory`` only once complete, so a failure leaves the previous processed
    data in place. ``metadata`` adds entries to ``metadata.json`` (intake records
    there what :func:`cape_study.privacy.masking.protect` did). The case file is named
    there by its ``label`` (default: ``case_file.label``), never by the path it was
    read from (a folder may be named after a person). Returns the written paths.
    """
    target = Path(directory)
    if writes_into_published(target):
        raise CaseFileError(
            f"{target.name}: the processed case file here is the published report's "
            "(written by cape-study run); intake opened by hand does not replace it, "
            "which would change the report behind its manifest. Run the step with "
            "cape-study run --only 00_intake -p case_file=... (add -p parameters to "
            "change them), or write to another folder."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, frame in case_file.tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        meta = {
            "label": case_file.label if label is None else label,
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
    """Read what :func:`write_processed` wrote back into a :class:`CaseFile` (whose
    ``source`` is ``directory``)."""
    folder = Path(directory)
    meta_path = folder / _METADATA
    if not meta_path.exists():
        raise CaseFileError(
            f"{folder}: no processed case file here (no {_METADATA}); run the intake step first"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in CaseFile.TABLES}
    book = load_codebook()
    for name, frame in tables.items():
        for cname, col in book.table(name).columns.items():
            if col.type == "code" and cname in frame and not len(frame):
                # parquet keeps no categories of an empty column: the codebook's again
                scheme = book.scheme(col.scheme)
                frame[cname] = pd.Categorical(
                    frame[cname], categories=scheme.code_list, ordered=scheme.ordered
                )
    return CaseFile(
        source=folder,
        codebook_version=meta["codebook_version"],
        data_cutoff=dt.date.fromisoformat(meta["data_cutoff"]),
        synthetic=bool(meta["synthetic"]),
        label=str(meta.get("label") or ""),
        **tables,
    )
