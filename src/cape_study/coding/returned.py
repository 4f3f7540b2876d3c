"""Returned workbooks: read, check every cell, and merge into the case file's codings.

:func:`read_returned` reads one workbook, several, or every ``.xlsx`` in a folder, and
checks them against the plan and the codebook. Each problem is located (file, sheet,
row, column, value, expected) and *any* problem stops the import, so nothing is merged
from a workbook edited out of shape: a missing or renamed sheet, a moved column, a code
typed by hand, a unit not planned for the coder, a unit twice, a partly coded row, two
files of the same coder or with the same name, or another codebook version.

A returned workbook gives one *answer* per unit, code and coder: ``present``, ``absent``
or ``unclear`` (:data:`ANSWER_COLUMNS`), with the row's quote, note and minutes. A row
left blank is a unit not coded yet. :func:`merge_answers` keeps every answer of a round
in one table (``answers.csv`` beside the plan): a coder's answers for a unit and scheme
replace that coder's earlier answers for it, so importing the same workbook twice
changes nothing, and an updated workbook replaces what it updates.

:func:`codings_from_answers` turns the answers into the case file's ``codings`` rows:
present and absent become ``present`` true and false; the row's quote is kept on each
code coded present, its note on every code of the row (both are masked at intake, like
every free-text column). An ``unclear`` answer gives no coding (the coder has not
decided) and goes to adjudication (:mod:`cape_study.coding.adjudication`).
:func:`merge_codings` merges those rows into an existing codings table with the same
replace-by-coder-unit-scheme rule and counts what changed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from cape_study.coding.files import write_csv
from cape_study.coding.words import VALUES, value_of
from cape_study.coding.workbook import FORMAT, META_SHEET, TAIL_COLUMNS, scheme_columns
from cape_study.data.codebook import Codebook
from cape_study.data.problems import problems_frame
from cape_study.errors import CaseFileError

__all__ = [
    "ANSWER_COLUMNS",
    "CODING_COLUMNS",
    "CodingError",
    "Merge",
    "codings_from_answers",
    "merge_answers",
    "merge_codings",
    "merge_rows",
    "problem",
    "raise_problems",
    "read_answers",
    "read_returned",
    "workbook_paths",
    "write_answers",
]

ANSWER_COLUMNS = [
    "unit_id",
    "coder",
    "codebook_version",
    "scheme",
    "code",
    "value",
    "quote",
    "note",
    "minutes",
    "file",
    "sha256",
]
CODING_COLUMNS = [
    "unit_id",
    "coder",
    "codebook_version",
    "scheme",
    "code",
    "present",
    "quote",
    "note",
]
_REPLACE_KEYS = ["coder", "unit_id", "scheme"]


class CodingError(CaseFileError):
    """Returned workbooks, decisions or a .qdpx that cannot be merged; ``problems`` lists
    every problem (file, sheet, row, column, value, expected) and nothing was merged."""


def problem(file, sheet=None, row=None, column=None, value=None, expected=None) -> dict:
    return {
        "file": str(file),
        "sheet": sheet,
        "row": row,
        "column": column,
        "value": None if value is None else str(value),
        "expected": expected,
    }


def raise_problems(problems: list[dict], what: str) -> None:
    """Raise :class:`CodingError` listing ``problems`` (the first 15 as lines)."""
    if not problems:
        return
    frame = problems_frame(problems)
    lines = []
    for p in frame.head(15).to_dict("records"):
        where = ", ".join(
            str(x)
            for x in (
                p["file"],
                p["sheet"] and f"sheet {p['sheet']}",
                pd.notna(p["row"]) and f"row {p['row']}",
                p["column"] and f"column {p['column']}",
            )
            if x
        )
        said = f": {p['value']!r}" if p["value"] is not None else ""
        lines.append(f"  {where}{said}; expected {p['expected']}")
    more = f"\n  ... and {len(frame) - 15} more" if len(frame) > 15 else ""
    raise CodingError(
        f"{what}: {len(frame)} problem(s); nothing was merged.\n" + "\n".join(lines) + more,
        frame,
    )


#: Spreadsheets a coder may have saved the workbook as instead of .xlsx.
OTHER_SHEETS = (".xls", ".xlsm", ".xlsb", ".ods", ".csv", ".tsv", ".numbers", ".txt")


def workbook_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The workbooks named: files as given, folders as every ``.xlsx`` in them, the
    ending in any case (not Excel's ``~$`` lock files), sorted. A spreadsheet saved in
    another format (:data:`OTHER_SHEETS`) in a folder is named too, so that reading it
    reports it rather than leaving that coder out unseen."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(
                x
                for x in p.iterdir()
                if x.is_file()
                and not x.name.startswith(("~$", ".~lock"))
                and x.suffix.lower() in (".xlsx", *OTHER_SHEETS)
            )
        else:
            found.append(p)
    return found


def _meta(wb, path: Path, problems: list[dict]) -> dict | None:
    if META_SHEET not in wb.sheetnames:
        problems.append(
            problem(path, expected="a coder workbook written by cape-study coding export")
        )
        return None
    meta: dict = {"sheets": []}
    for row in wb[META_SHEET].iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        if row[0] == "sheet":
            meta["sheets"].append((str(row[1]), str(row[2])))
        else:
            meta[str(row[0])] = "" if row[1] is None else str(row[1])
    if meta.get("format") != FORMAT:
        problems.append(problem(path, META_SHEET, value=meta.get("format"), expected=FORMAT))
        return None
    return meta


def _read_one(
    path: Path, plan: pd.DataFrame, book: Codebook, problems: list[dict]
) -> tuple[dict | None, list[dict]]:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        problems.append(problem(path, expected="an existing .xlsx file"))
        return None, []
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        saved = f"saved as {path.suffix}" if path.suffix.lower() != ".xlsx" else ""
        problems.append(
            problem(
                path,
                value=saved or type(exc).__name__,
                expected="an .xlsx workbook (open it and save it as Excel .xlsx)",
            )
        )
        return None, []
    try:
        meta = _meta(wb, path, problems)
        if meta is None:
            return None, []
        name = path.name
        if meta["codebook_version"] != book.version:
            problems.append(
                problem(
                    name,
                    META_SHEET,
                    column="codebook_version",
                    value=meta["codebook_version"],
                    expected=f"codebook version {book.version} (re-export the workbook)",
                )
            )
            return meta, []
        coder, lang = meta["coder"], meta.get("lang", "en")
        mine = plan[plan["coder"].astype(str) == coder]
        if mine.empty:
            problems.append(
                problem(
                    name, META_SHEET, column="coder", value=coder, expected="a coder of the plan"
                )
            )
            return meta, []
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        rows: list[dict] = []
        for sheet, scheme in meta["sheets"]:
            if sheet not in wb.sheetnames:
                problems.append(
                    problem(
                        name,
                        sheet,
                        expected=f"the sheet {sheet!r} (scheme {scheme}); found "
                        f"{', '.join(s for s in wb.sheetnames if s != META_SHEET)}",
                    )
                )
                continue
            planned = set(mine.loc[mine["scheme"].astype(str) == scheme, "unit_id"].astype(str))
            rows += _read_sheet(wb[sheet], name, sheet, scheme, planned, book, lang, problems)
        for r in rows:
            r.update(coder=coder, codebook_version=book.version, file=name, sha256=digest)
        return meta, rows
    finally:
        wb.close()


def _read_sheet(
    ws,
    name: str,
    sheet: str,
    scheme: str,
    planned: set[str],
    book: Codebook,
    lang: str,
    problems: list[dict],
) -> list[dict]:
    expected = scheme_columns(book, scheme)
    grid = list(ws.iter_rows(values_only=True))
    names = list(grid[1]) if len(grid) > 1 else []
    names += [None] * (len(expected) - len(names))
    for i, want in enumerate(expected):
        if names[i] != want:
            problems.append(
                problem(
                    name,
                    sheet,
                    2,
                    get_column_letter(i + 1),
                    names[i],
                    f"{want!r}: the columns were moved or changed (export the workbook again "
                    "and copy the answers over)",
                )
            )
            return []
    codes = book.codes(scheme)
    first = len(expected) - len(codes) - len(TAIL_COLUMNS)
    words = " / ".join(VALUES[lang].values())
    seen: dict[str, int] = {}
    out: list[dict] = []
    for r, row in enumerate(grid[2:], start=3):
        row = list(row) + [None] * (len(expected) - len(row))
        uid = row[0]
        answers = row[first : first + len(codes)]
        quote, note, minutes = row[first + len(codes) : first + len(codes) + 3]
        if uid is None and all(v is None for v in row):
            continue
        uid = str(uid).strip() if uid is not None else ""
        if uid not in planned:
            problems.append(
                problem(name, sheet, r, "A", uid, "a unit planned for this coder and scheme")
            )
            continue
        if uid in seen:
            problems.append(
                problem(name, sheet, r, "A", uid, f"each unit once (also row {seen[uid]})")
            )
            continue
        seen[uid] = r
        values = []
        for k, answer in enumerate(answers):
            try:
                values.append(value_of(answer, lang))
            except ValueError:
                col = get_column_letter(first + k + 1)
                problems.append(problem(name, sheet, r, f"{col} ({codes[k]})", answer, words))
                values.append("?")
        blank = [codes[k] for k, v in enumerate(values) if v is None]
        if len(blank) == len(codes):
            continue  # not coded yet
        if blank:
            problems.append(
                problem(
                    name,
                    sheet,
                    r,
                    ", ".join(blank[:5]) + (" ..." if len(blank) > 5 else ""),
                    None,
                    f"an answer for every code of the row ({len(blank)} blank)",
                )
            )
            continue
        spent = None
        if minutes is not None and str(minutes).strip():
            try:
                said = str(minutes).strip()
                if isinstance(minutes, str) and re.fullmatch(r"\d+,\d{1,2}", said):
                    said = said.replace(",", ".")  # 12,5 as typed in Swedish or Finnish
                spent = float(said)
                if not 0 <= spent <= 1440:
                    raise ValueError
            except (TypeError, ValueError):
                col = get_column_letter(len(expected))
                problems.append(
                    problem(name, sheet, r, f"{col} (minutes)", minutes, "minutes, 0-1440")
                )
                continue
        for code, value in zip(codes, values, strict=True):
            out.append(
                {
                    "unit_id": uid,
                    "scheme": scheme,
                    "code": code,
                    "value": value,
                    "quote": _text(quote),
                    "note": _text(note),
                    "minutes": spent,
                }
            )
    return out


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_returned(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    plan: pd.DataFrame,
    book: Codebook,
) -> pd.DataFrame:
    """Read and check returned workbooks (files, or folders of them).

    Returns
    -------
    DataFrame
        :data:`ANSWER_COLUMNS`, one row per coded unit, code and coder.

    Raises
    ------
    CodingError
        Listing every problem found in any of the workbooks; nothing is returned then.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files = workbook_paths(paths)
    problems: list[dict] = []
    if not files:
        problems.append(problem(", ".join(map(str, paths)), expected="one or more .xlsx workbooks"))
    by_name: dict[str, Path] = {}
    for f in files:
        if f.name in by_name:
            problems.append(
                problem(
                    f, expected=f"one file per name (also {by_name[f.name]}): which is the coder's?"
                )
            )
        by_name.setdefault(f.name, f)
    rows: list[dict] = []
    by_coder: dict[str, Path] = {}
    for f in files:
        meta, found = _read_one(f, plan, book, problems)
        if meta is None:
            continue
        coder = meta.get("coder", "")
        if coder in by_coder:
            problems.append(
                problem(
                    f.name,
                    META_SHEET,
                    column="coder",
                    value=coder,
                    expected=f"one workbook per coder (also {by_coder[coder]})",
                )
            )
        by_coder.setdefault(coder, f)
        rows += found
    raise_problems(problems, "returned workbooks")
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


@dataclass
class Merge:
    """What a merge did: the merged table and counts of changed rows."""

    table: pd.DataFrame
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        coders = ", ".join(f"{c} {n}" for c, n in sorted(self.by_coder.items()))
        return (
            f"{self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged"
            + (f" (changed or added by coder: {coders})" if coders else "")
        )


def merge_rows(
    existing: pd.DataFrame, new: pd.DataFrame, columns: list[str], value_columns: list[str]
) -> Merge:
    """Replace ``existing`` rows by ``new`` ones per coder, unit and scheme, counting the
    rows (by coder, unit, scheme and code) added, changed, removed and unchanged."""
    existing = existing.reindex(columns=columns)
    new = new.reindex(columns=columns)
    replaced = pd.MultiIndex.from_frame(new[_REPLACE_KEYS].astype("string")).unique()
    old_keys = pd.MultiIndex.from_frame(existing[_REPLACE_KEYS].astype("string"))
    old = existing[old_keys.isin(replaced)]
    kept = existing[~old_keys.isin(replaced)]
    key = ["coder", "unit_id", "scheme", "code"]

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[key + value_columns].astype("string").fillna("")
        return out.set_index(key)

    before, after = keyed(old), keyed(new)
    both = before.index.intersection(after.index)
    same = (before.loc[both] == after.loc[both]).all(axis=1)
    changed_keys = same.index[~same.to_numpy()]
    added_keys = after.index.difference(before.index)
    merged = pd.concat([kept, new], ignore_index=True) if len(kept) else new.reset_index(drop=True)
    touched = [k[0] for k in [*changed_keys, *added_keys]]
    return Merge(
        table=merged[columns],
        added=len(added_keys),
        changed=len(changed_keys),
        removed=len(before.index.difference(after.index)),
        unchanged=int(same.sum()),
        by_coder=pd.Series(touched, dtype="string").value_counts().to_dict() if touched else {},
    )


def merge_answers(existing: pd.DataFrame, new: pd.DataFrame) -> Merge:
    """Merge newly read answers into a round's answers: each coder's answers for a unit
    and scheme replace that coder's earlier ones (the file and its hash are not
    compared, so the same answers from a renamed file change nothing)."""
    return merge_rows(existing, new, ANSWER_COLUMNS, ["value", "quote", "note", "minutes"])


def codings_from_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """The case file's codings from answers: present and absent only (unclear gives none);
    the quote on codes coded present, the note on every code of the row."""
    decided = answers[answers["value"].isin(["present", "absent"])]
    out = pd.DataFrame(
        {
            "unit_id": decided["unit_id"],
            "coder": decided["coder"],
            "codebook_version": decided["codebook_version"],
            "scheme": decided["scheme"],
            "code": decided["code"],
            "present": np.where(decided["value"].eq("present"), 1, 0),
            "quote": decided["quote"].where(decided["value"].eq("present")),
            "note": decided["note"],
        }
    )
    return out.reset_index(drop=True)


def merge_codings(
    existing: pd.DataFrame, new: pd.DataFrame, scope: pd.DataFrame | None = None
) -> Merge:
    """Merge coding rows into a case file's codings: a coder's rows for a unit and
    scheme replace all of that coder's earlier rows for it, so that a code now answered
    unclear loses its earlier coding. ``scope`` (with ``coder``, ``unit_id``, ``scheme``;
    by default those of ``new``) names the triples replaced, also where no row is new
    (every answer unclear)."""
    scope = (new if scope is None else scope)[_REPLACE_KEYS].drop_duplicates()
    existing = existing.reindex(columns=CODING_COLUMNS)
    new = new.reindex(columns=CODING_COLUMNS)
    new["present"] = pd.to_numeric(new["present"]).astype("Int64")
    inside = pd.MultiIndex.from_frame(existing[_REPLACE_KEYS].astype("string")).isin(
        pd.MultiIndex.from_frame(scope.astype("string"))
    )
    result = merge_rows(existing[inside], new, CODING_COLUMNS, ["present", "quote", "note"])
    kept = existing[~inside]
    both = [kept.astype("string"), result.table.astype("string")]
    table = pd.concat(both, ignore_index=True) if len(kept) else result.table
    result.table = table[CODING_COLUMNS].reset_index(drop=True)
    return result


def write_answers(answers: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a round's answers (CSV, UTF-8), replacing the file in one step."""
    path = Path(path)
    write_csv(answers[ANSWER_COLUMNS], path)
    return path


def read_answers(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A round's answers (empty when the file does not exist yet)."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    answers = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
    answers["minutes"] = pd.to_numeric(answers["minutes"])
    return answers[ANSWER_COLUMNS]
