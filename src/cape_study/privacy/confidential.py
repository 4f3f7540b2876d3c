"""Confidential outputs that must never be published: the case timelines.

``cape-study timelines`` writes a timeline of every prosecuted case
(:mod:`cape_study.stats.timelines`): one row per event, sanction and barrier, with dates
and quotes, a case-by-case view for the research team only. The command refuses to write
it under ``reports/``; should a notebook or a hand still put one there,
:func:`refuse_confidential` finds it among the staged report's files and the runner
publishes nothing (:mod:`cape_study.runner.run`).

A timelines file is recognised by its columns (:data:`TIMELINE_COLUMNS`, in order): the
header row of a ``.csv`` file, or the first row of a sheet named ``timelines`` in an
``.xlsx`` workbook (as :func:`~cape_study.stats.timelines.write_case_timelines` writes
them).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable
from pathlib import Path

from cape_study.errors import CapeStudyError

__all__ = [
    "TIMELINE_COLUMNS",
    "TIMELINE_SHEET",
    "ConfidentialOutput",
    "confidential_files",
    "refuse_confidential",
]

#: The columns of a case-timelines file, in order.
TIMELINE_COLUMNS = (
    "case_id",
    "country",
    "date",
    "date_precision",
    "entry",
    "suspect_id",
    "stage",
    "offence",
    "outcome",
    "closure_reason",
    "sanction",
    "amount",
    "unit",
    "victim_id",
    "doc_id",
    "doc_type",
    "barrier",
    "quote",
)
#: The sheet of an .xlsx timelines file.
TIMELINE_SHEET = "timelines"


class ConfidentialOutput(CapeStudyError):
    """A confidential output (a case-timelines file) among the files to publish."""


def _is_timelines(path: Path) -> bool:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
                header = next(csv.reader(fh), [])
            return tuple(header) == TIMELINE_COLUMNS
        if suffix == ".xlsx" and zipfile.is_zipfile(path):
            # Third-party; loaded only when a workbook is among the files.
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            try:
                if TIMELINE_SHEET not in book.sheetnames:
                    return False
                first = next(book[TIMELINE_SHEET].iter_rows(max_row=1, values_only=True), ())
                return tuple(v for v in first if v is not None) == TIMELINE_COLUMNS
            finally:
                book.close()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return False
    return False


def confidential_files(paths: Iterable[str | Path], *, root: str | Path | None = None) -> list[str]:
    """The case-timelines files among ``paths`` (files, or folders searched through),
    shown relative to ``root`` when given."""
    found = []
    for p in map(Path, paths):
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            if f.is_file() and _is_timelines(f):
                shown = f
                if root is not None:
                    try:
                        shown = f.resolve().relative_to(Path(root).resolve())
                    except ValueError:
                        shown = Path(f.name)
                found.append(shown.as_posix())
    return found


def refuse_confidential(paths: Iterable[str | Path], *, root: str | Path | None = None) -> None:
    """Raise :class:`ConfidentialOutput` naming every case-timelines file among ``paths``."""
    found = confidential_files(paths, root=root)
    if found:
        raise ConfidentialOutput(
            f"{', '.join(found)}: a confidential case timeline (one row per case, with dates "
            "and quotes) is among the report's files, so nothing is published. Case "
            "timelines are written by `cape-study timelines --out FILE` outside reports/ "
            "and data/processed; remove the file, or the cell that writes it, and run again."
        )
