"""Adjudication: a workbook of the disagreements, and the team's decisions as consensus codes.

:func:`disagreements` lists each unit, scheme and code on which the coders' raw codes
differ, or that a coder answered *unclear*, and that no decision has settled yet.
:func:`write_adjudication` writes them to a protected workbook, one row each, with every
coder's answer and quote side by side, a decision drop-down (present / absent) and a
column for the reason. A unit is named by the id the coders know (the case file's) and by
its pseudonym, the id under which the report's list of disagreements shows it
(:func:`cape_study.privacy.keys.pseudonym` with the study's key).

:func:`read_decisions` reads the filled workbook back (located problems, nothing merged
on any) and returns the decisions as codings of the coder
:data:`cape_study.data.codings.CONSENSUS`, with the reason as their note. Merged into
the codings (:func:`cape_study.coding.returned.merge_codings`), they are what the
analyses use for those codes (:func:`cape_study.data.codings.for_analysis`), while the
raw codes stay for reliability.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from cape_study.coding.files import replacing
from cape_study.coding.returned import CODING_COLUMNS, Merge, merge_rows, problem, raise_problems
from cape_study.coding.words import VALUES, text, value_of, words
from cape_study.coding.workbook import META_SHEET, header_rows, protect_sheet
from cape_study.data.codebook import Codebook
from cape_study.data.codings import CONSENSUS, KEYS, raw, unresolved
from cape_study.privacy.keys import PseudonymKey, pseudonym

__all__ = ["FORMAT", "disagreements", "merge_decisions", "read_decisions", "write_adjudication"]

FORMAT = "cape-study adjudication workbook 1"
_FIXED = ["unit_id", "pseudonym", "case_id", "scheme", "code", "label"]


def _value_word(present: object) -> str | None:
    if pd.isna(present):
        return None
    return "present" if int(present) == 1 else "absent"


def disagreements(codings: pd.DataFrame, answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units, schemes and codes to decide: the coders' raw codes differ, or a coder
    answered unclear (in ``answers``), and no consensus coding settles it.

    Returns
    -------
    DataFrame
        ``unit_id``, ``scheme``, ``code``, ``coder``, ``value`` (present, absent,
        unclear) and ``quote``: one row per coder's answer to a listed code.
    """
    own = raw(codings)
    own = own.assign(
        value=own["present"].map(_value_word),
        quote=own.get("quote", pd.NA),
    )[[*KEYS, "coder", "value", "quote"]]
    if answers is not None and len(answers):
        unclear = answers[answers["value"] == "unclear"][[*KEYS, "coder", "value", "quote"]]
        own = pd.concat([own, unclear], ignore_index=True)
    own = own.astype({k: "string" for k in [*KEYS, "coder"]})
    groups = own.assign(_unclear=own["value"].eq("unclear")).groupby(list(KEYS), sort=False)
    split = (groups["value"].transform("nunique") > 1) | groups["_unclear"].transform("max")
    listed = own[split.to_numpy()]
    return (
        unresolved(listed, codings)
        .sort_values([*KEYS, "coder"], kind="stable")
        .reset_index(drop=True)
    )


def write_adjudication(
    items: pd.DataFrame,
    book: Codebook,
    path: str | os.PathLike[str],
    *,
    documents: pd.DataFrame,
    cases: pd.DataFrame,
    key: PseudonymKey | None = None,
    lang: str = "en",
) -> Path:
    """Write the disagreements (:func:`disagreements`) to an adjudication workbook.

    ``documents`` and ``cases`` name each unit's case and its table, for the pseudonym
    that ``key`` (the study's pseudonymisation key) gives it in the report; without a
    key the pseudonym column is left empty.
    """
    w = words(lang)
    path = Path(path)
    coders = sorted(items["coder"].astype(str).unique())
    doc_case = dict(
        zip(documents["doc_id"].astype(str), documents["case_id"].astype(str), strict=True)
    )
    case_ids = set(cases["case_id"].astype(str))
    wb = Workbook()
    about = wb.active
    about.title = w["about"]
    about.append([w["adjudication_intro"].format(book=book.codebook, version=book.version)])
    about["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 100
    about.row_dimensions[1].height = 90
    protect_sheet(about)
    ws = wb.create_sheet(w["decisions"])
    labels = [w["unit_id"], w["pseudonym"], w["case_id"], w["scheme"], w["code"], w["label"]]
    names = list(_FIXED)
    for coder in coders:
        labels += [w["value_of"].format(coder=coder), w["quote_of"].format(coder=coder)]
        names += [f"value:{coder}", f"quote:{coder}"]
    labels += [w["decision"], w["decision_note"]]
    names += ["decision", "reason"]
    header_rows(ws, labels, names)
    said = VALUES[lang]
    wide = items.pivot_table(
        index=list(KEYS), columns="coder", values=["value", "quote"], aggfunc="first"
    )
    labels_of = {
        (s, c.code): text(c.label, lang)
        for s in book.codeable_schemes
        for c in book.scheme(s).codes
    }
    r = 2  # rows written (ws.max_row counts every cell: slow in a loop)
    for (unit, scheme, code), row in wide.iterrows():
        unit = str(unit)
        r += 1
        table = "cases" if unit in case_ids else "documents"
        alias = pseudonym(unit, key, table) if key is not None else None
        label = labels_of.get((str(scheme), str(code)), str(code))
        cells = [unit, alias, doc_case.get(unit, unit), str(scheme), str(code), label]
        for coder in coders:
            value = row.get(("value", coder))
            quote = row.get(("quote", coder))
            cells += [
                said[value] if isinstance(value, str) else None,
                quote if isinstance(quote, str) else None,
            ]
        ws.append([*cells, None, None])
        for c in (len(names) - 1, len(names)):
            ws.cell(r, c).protection = Protection(locked=False)
    last = max(r, 3)
    decide = get_column_letter(len(names) - 1)
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join([said["present"], said["absent"]]) + '"',
        allow_blank=True,
        showErrorMessage=True,
    )
    choice.add(f"{decide}3:{decide}{last}")
    ws.add_data_validation(choice)
    for i in range(1, len(names) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 30 if "quote" in names[i - 1] else 16
    ws.cell(1, len(names) - 1).font = Font(bold=True, color="C00000")
    protect_sheet(ws)
    meta = wb.create_sheet(META_SHEET)
    for k, v in {
        "format": FORMAT,
        "codebook": book.codebook,
        "codebook_version": book.version,
        "lang": lang,
        "sheet": w["decisions"],
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }.items():
        meta.append([k, v])
    meta.sheet_state = "veryHidden"
    protect_sheet(meta)
    wb.security = WorkbookProtection(lockStructure=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


def read_decisions(path: str | os.PathLike[str], book: Codebook) -> pd.DataFrame:
    """The decisions of a filled adjudication workbook as consensus codings
    (``unit_id``, ``coder`` = ``consensus``, ``codebook_version``, ``scheme``, ``code``,
    ``present``, ``quote`` empty, ``note`` = the reason). Rows without a decision are
    left out (not decided yet).

    Raises
    ------
    CodingError
        A workbook that is not an adjudication workbook, of another codebook version,
        with changed columns or a decision that is not one of the list.
    """
    path = Path(path)
    problems: list[dict] = []
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (FileNotFoundError, OSError, ValueError, KeyError) as exc:
        raise_problems(
            [problem(path, value=type(exc).__name__, expected="an .xlsx file")], "decisions"
        )
        raise  # unreachable: raise_problems raised
    try:
        meta = {}
        if META_SHEET in wb.sheetnames:
            meta = {str(r[0]): r[1] for r in wb[META_SHEET].iter_rows(values_only=True) if r}
        if meta.get("format") != FORMAT:
            raise_problems(
                [problem(path.name, META_SHEET, value=meta.get("format"), expected=FORMAT)],
                "decisions",
            )
        if str(meta.get("codebook_version")) != book.version:
            raise_problems(
                [
                    problem(
                        path.name,
                        META_SHEET,
                        column="codebook_version",
                        value=meta.get("codebook_version"),
                        expected=book.version,
                    )
                ],
                "decisions",
            )
        lang, sheet = str(meta.get("lang", "en")), str(meta.get("sheet"))
        if sheet not in wb.sheetnames:
            raise_problems(
                [problem(path.name, sheet, expected=f"the sheet {sheet!r}")], "decisions"
            )
        grid = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    names = list(grid[1]) if len(grid) > 1 else []
    if names[: len(_FIXED)] != _FIXED or names[-2:] != ["decision", "reason"]:
        raise_problems(
            [
                problem(
                    path.name,
                    sheet,
                    2,
                    value=", ".join(map(str, names[:8])),
                    expected="the columns as written (do not move them)",
                )
            ],
            "decisions",
        )
    rows = []
    for r, row in enumerate(grid[2:], start=3):
        if not row or row[0] is None:
            continue
        unit, scheme, code = str(row[0]), str(row[3]), str(row[4])
        try:
            value = value_of(row[-2], lang)
            expected = "a decision: present or absent" if value == "unclear" else None
        except ValueError:
            value, expected = None, f"{VALUES[lang]['present']} / {VALUES[lang]['absent']}"
        if expected is not None:
            column = get_column_letter(len(names) - 1)
            problems.append(problem(path.name, sheet, r, column, row[-2], expected))
            continue
        if value is None:
            continue
        if scheme not in book.schemes or code not in book.codes(scheme):
            problems.append(problem(path.name, sheet, r, "E", code, f"a code of scheme {scheme}"))
            continue
        reason = row[-1]
        rows.append(
            {
                "unit_id": unit,
                "coder": CONSENSUS,
                "codebook_version": book.version,
                "scheme": scheme,
                "code": code,
                "present": 1 if value == "present" else 0,
                "quote": pd.NA,
                "note": str(reason).strip()
                if reason is not None and str(reason).strip()
                else pd.NA,
            }
        )
    raise_problems(problems, "decisions")
    return pd.DataFrame(rows, columns=CODING_COLUMNS)


def merge_decisions(existing: pd.DataFrame, decisions: pd.DataFrame) -> Merge:
    """Merge decisions (:func:`read_decisions`) into the codings: a decision replaces the
    consensus coding of its unit, scheme and code, if there is one, and nothing else."""
    existing = existing.reindex(columns=CODING_COLUMNS)
    keys = ["coder", "unit_id", "scheme", "code"]
    inside = pd.MultiIndex.from_frame(existing[keys].astype("string")).isin(
        pd.MultiIndex.from_frame(decisions[keys].astype("string"))
    )
    result = merge_rows(existing[inside], decisions, CODING_COLUMNS, ["present", "quote", "note"])
    kept = existing[~inside]
    both = [kept.astype("string"), result.table.astype("string")]
    result.table = pd.concat(both, ignore_index=True)[CODING_COLUMNS]
    return result
