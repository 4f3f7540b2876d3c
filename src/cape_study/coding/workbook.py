"""Coder workbooks: one protected .xlsx per coder, made from the plan and the codebook.

A workbook has, in the coder's language (:mod:`cape_study.coding.words`):

- an *About* sheet: whose workbook it is, the codebook and its version, the round, how
  to fill it in;
- one sheet per scheme (named by the scheme's label): a row per unit assigned to the
  coder, a column per code with a drop-down of present / absent / unclear, then quote,
  note and minutes. Row 1 holds the labels; row 2, hidden, the codebook's names of the
  columns, which the import checks (a moved column is found, not misread);
- a *Texts* sheet: each unit's text, masked (:func:`cape_study.privacy.masking.mask_text`
  with the names of the case's parties and unlisted names), and the case's event
  timeline; each unit's row on a scheme sheet links to it;
- a *Codebook* sheet: every code's label, definition, include and exclude rules and
  example (in English where the codebook has no text in the coder's language);
- a very hidden sheet ``_meta`` with the stamp the import checks: the workbench's format,
  coder, codebook name and version, round, language and which sheet holds which scheme.

Every sheet is protected (only the answer cells are unlocked) and the workbook's
structure is locked, so that columns cannot be moved and sheets not renamed without
first lifting the protection on purpose; codes cannot be typed outside the list.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from cape_study.coding.files import replacing
from cape_study.coding.words import VALUES, text, words
from cape_study.data.codebook import Codebook
from cape_study.data.loaders import CaseFile
from cape_study.privacy.masking import mask_text

__all__ = [
    "FIXED_COLUMNS",
    "FORMAT",
    "META_SHEET",
    "TAIL_COLUMNS",
    "header_rows",
    "masked_texts",
    "protect_sheet",
    "scheme_columns",
    "sheet_name",
    "timelines",
    "write_workbooks",
]

#: The stamp of a workbook written by this module (checked on import).
FORMAT = "cape-study coding workbook 1"
META_SHEET = "_meta"
#: Columns before and after the codes on a scheme sheet (their codebook names).
FIXED_COLUMNS = ("unit_id", "case_id", "doc_type", "text")
TAIL_COLUMNS = ("quote", "note", "minutes")
#: Excel holds at most 32,767 characters in a cell.
_CELL_LIMIT = 32_000
_HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
_OPEN = Protection(locked=False)


def _doc_labels(book: Codebook, lang: str) -> dict[str, str]:
    if "doc_type" not in book.schemes:
        return {}
    return {c.code: text(c.label, lang) for c in book.scheme("doc_type").codes}


def sheet_name(label: str, taken: Sequence[str] = ()) -> str:
    """An Excel sheet name from a label: no ``[]:*?/\\``, at most 31 characters, unique."""
    name = "".join(" " if c in "[]:*?/\\" else c for c in label).strip()[:31] or "sheet"
    base, i = name, 2
    while name.casefold() in {t.casefold() for t in taken}:
        name = f"{base[: 31 - len(str(i)) - 1]} {i}"
        i += 1
    return name


def scheme_columns(book: Codebook, scheme: str) -> list[str]:
    """The codebook names of a scheme sheet's columns, in order (row 2 of the sheet)."""
    return [*FIXED_COLUMNS, *book.codes(scheme), *TAIL_COLUMNS]


def _party_names(case: CaseFile, book: Codebook) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for tname, table in book.tables.items():
        frame = case.tables.get(tname)
        if frame is None or "case_id" not in frame:
            continue
        for cname, col in table.columns.items():
            if col.personal and cname in frame:
                for case_id, name in zip(frame["case_id"], frame[cname], strict=True):
                    if isinstance(name, str) and name.strip():
                        names.setdefault(str(case_id), []).append(name.strip())
    return names


def masked_texts(
    case: CaseFile, units: pd.DataFrame, book: Codebook, lang: str = "en"
) -> dict[str, str]:
    """Each unit's text with personal data masked: a document's own text, a case's
    documents one after the other (by date), each under its type, date and id."""
    w = words(lang)
    names = _party_names(case, book)
    docs = case.documents.sort_values(["case_id", "date", "doc_id"], kind="stable")
    doc_label = _doc_labels(book, lang)
    by_doc = {str(r.doc_id): r for r in docs.itertuples(index=False)}
    out: dict[str, str] = {}
    for unit in units.drop_duplicates("unit_id").itertuples(index=False):
        uid, cid = str(unit.unit_id), str(unit.case_id)
        if unit.unit == "document":
            parts = [by_doc[uid]] if uid in by_doc else []
        else:
            parts = [r for r in docs[docs["case_id"].astype(str) == cid].itertuples(index=False)]
        pieces = []
        for r in parts:
            body = r.text if isinstance(r.text, str) and r.text.strip() else w["no_text"]
            if unit.unit != "document":
                date = r.date.date().isoformat() if pd.notna(r.date) else ""
                head = f"=== {doc_label.get(str(r.doc_type), r.doc_type)} {date} ({r.doc_id})"
                body = f"{head}\n{body}"
            pieces.append(body)
        masked, _ = mask_text("\n\n".join(pieces), names.get(cid, []))
        out[uid] = masked
    return out


def timelines(case: CaseFile, book: Codebook, lang: str = "en") -> dict[str, str]:
    """Each case's events, one line each in date order: date, stage, and the outcome or
    closure reason and suspect where there is one (labels from the codebook)."""

    def label(scheme: str, code: object) -> str:
        if pd.isna(code) or scheme not in book.schemes:
            return ""
        found = [c for c in book.scheme(scheme).codes if c.code == str(code)]
        return text(found[0].label, lang) if found else str(code)

    events = case.events.sort_values(["case_id", "date"], kind="stable")
    lines: dict[str, list[str]] = {}
    for r in events.itertuples(index=False):
        date = r.date.date().isoformat() if pd.notna(r.date) else "?"
        extra = [
            label("outcome", getattr(r, "outcome", None)),
            label("closure_reason", getattr(r, "closure_reason", None)),
        ]
        suspect = getattr(r, "suspect_id", None)
        who = f" [{suspect}]" if isinstance(suspect, str) and suspect else ""
        tail = "; ".join(e for e in extra if e)
        lines.setdefault(str(r.case_id), []).append(
            f"{date} {label('stage', r.stage)}{who}" + (f": {tail}" if tail else "")
        )
    return {k: "\n".join(v) for k, v in lines.items()}


def _cut(value: str, lang: str) -> str:
    if len(value) <= _CELL_LIMIT:
        return value
    return value[:_CELL_LIMIT] + "\n" + words(lang)["truncated"]


def header_rows(ws, labels: Sequence[str], names: Sequence[str]) -> None:
    ws.append(list(labels))
    ws.append(list(names))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].hidden = True
    ws.freeze_panes = "B3"


def protect_sheet(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may be changed
    ws.protection.formatRows = False


def _reading_sheet(ws, widths: Sequence[int]) -> None:
    """Finish a sheet that is read, not filled in: column widths from A on, the cells
    below the two header rows wrapped and aligned at the top, the sheet protected."""
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    protect_sheet(ws)


def _codebook_sheet(wb: Workbook, book: Codebook, schemes: Sequence[str], lang: str) -> None:
    w = words(lang)
    ws = wb.create_sheet(w["codebook"])
    keys = ("scheme", "code", "label", "definition", "include", "exclude", "example")
    header_rows(ws, [w[k] for k in keys], keys)
    for scheme in schemes:
        s = book.scheme(scheme)
        for c in s.codes:
            ws.append(
                [
                    text(s.label, lang),
                    c.code,
                    text(c.label, lang),
                    text(c.definition, lang),
                    text(c.include, lang),
                    text(c.exclude, lang),
                    text(c.example, lang),
                ]
            )
    _reading_sheet(ws, (18, 24, 30, 70, 45, 45, 45))


def _texts_sheet(
    wb: Workbook,
    units: pd.DataFrame,
    texts: dict[str, str],
    lines: dict[str, str],
    doc_labels: dict[str, str],
    lang: str,
) -> None:
    w = words(lang)
    ws = wb.create_sheet(w["texts"])
    keys = ("unit_id", "case_id", "doc_type", "timeline", "text")
    header_rows(ws, [w[k] for k in keys], keys)
    for unit in units.drop_duplicates("unit_id").itertuples(index=False):
        uid = str(unit.unit_id)
        doc_type = "" if pd.isna(unit.doc_type) else doc_labels.get(str(unit.doc_type), "")
        ws.append(
            [
                uid,
                str(unit.case_id),
                doc_type,
                _cut(lines.get(str(unit.case_id), ""), lang),
                _cut(texts.get(uid, ""), lang),
            ]
        )
    _reading_sheet(ws, (16, 12, 20, 45, 110))


def _scheme_sheet(
    wb: Workbook,
    name: str,
    scheme: str,
    units: pd.DataFrame,
    book: Codebook,
    text_rows: dict[str, int],
    texts_sheet: str,
    doc_labels: dict[str, str],
    lang: str,
) -> None:
    w = words(lang)
    ws = wb.create_sheet(name)
    codes = book.scheme(scheme).codes
    labels = [
        w["unit_id"],
        w["case_id"],
        w["doc_type"],
        w["text"],
        *[text(c.label, lang) for c in codes],
        w["quote"],
        w["note"],
        w["minutes"],
    ]
    header_rows(ws, labels, scheme_columns(book, scheme))
    first_code, last_code = len(FIXED_COLUMNS) + 1, len(FIXED_COLUMNS) + len(codes)
    r = 2  # rows written (ws.max_row counts every cell: slow in a loop)
    for unit in units.itertuples(index=False):
        uid = str(unit.unit_id)
        doc_type = "" if pd.isna(unit.doc_type) else doc_labels.get(str(unit.doc_type), "")
        ws.append([uid, str(unit.case_id), doc_type, w["open_text"]])
        r += 1
        link = ws.cell(r, 4)
        link.hyperlink = Hyperlink(
            ref=link.coordinate, location=f"'{texts_sheet}'!E{text_rows[uid]}"
        )
        link.font = Font(color="0563C1", underline="single")
        for c in range(first_code, last_code + len(TAIL_COLUMNS) + 1):
            ws.cell(r, c).protection = _OPEN
    last_row = max(r, 3)
    answers = ",".join(VALUES[lang].values())
    choice = DataValidation(
        type="list",
        formula1=f'"{answers}"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=w["code"],
        error=" / ".join(VALUES[lang].values()),
    )
    choice.add(f"{get_column_letter(first_code)}3:{get_column_letter(last_code)}{last_row}")
    minutes_col = get_column_letter(last_code + len(TAIL_COLUMNS))
    minutes = DataValidation(
        type="whole", operator="between", formula1="0", formula2="1440", allow_blank=True
    )
    minutes.add(f"{minutes_col}3:{minutes_col}{last_row}")
    ws.add_data_validation(choice)
    ws.add_data_validation(minutes)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["C"].width = 18
    for c in range(first_code, last_code + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
        ws.cell(1, c).alignment = Alignment(wrap_text=True, vertical="top", text_rotation=0)
    ws.column_dimensions[get_column_letter(last_code + 1)].width = 50
    ws.column_dimensions[get_column_letter(last_code + 2)].width = 30
    ws.row_dimensions[1].height = 60
    protect_sheet(ws)


def write_workbooks(
    plan: pd.DataFrame,
    case: CaseFile,
    book: Codebook,
    out_dir: str | os.PathLike[str],
    *,
    lang: str | dict[str, str] = "en",
    coders: Sequence[str] | None = None,
    codebook_name: str | None = None,
) -> list[Path]:
    """Write one workbook per coder of ``plan`` (or of ``coders``) into ``out_dir``.

    Parameters
    ----------
    plan
        The coding plan (:func:`cape_study.coding.plan.make_plan`).
    case
        The case file the plan was made from (texts, events, the parties' names).
    lang
        The workbooks' language, or a language per coder (``sv``, ``en``, ``fi``).
    coders
        Write only these coders' workbooks.

    Returns
    -------
    list of Path
        ``<out_dir>/<coder>.xlsx``, one per coder.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = list(coders) if coders else list(dict.fromkeys(plan["coder"].astype(str)))
    unknown = sorted(set(wanted) - set(plan["coder"].astype(str)))
    if unknown:
        raise ValueError(f"coder(s) {unknown} have nothing in the plan")
    written = []
    for coder in wanted:
        language = lang.get(coder, "en") if isinstance(lang, dict) else lang
        mine = plan[plan["coder"].astype(str) == coder]
        written.append(
            _write_one(mine, case, book, out_dir / f"{coder}.xlsx", coder, language, codebook_name)
        )
    return written


def _write_one(
    mine: pd.DataFrame,
    case: CaseFile,
    book: Codebook,
    path: Path,
    coder: str,
    lang: str,
    codebook_name: str | None,
) -> Path:
    w = words(lang)
    doc_labels = _doc_labels(book, lang)
    schemes = [s for s in book.codeable_schemes if s in set(mine["scheme"].astype(str))]
    wb = Workbook()
    about = wb.active
    about.title = w["about"]
    texts = masked_texts(case, mine, book, lang)
    lines = timelines(case, book, lang)
    taken = [w["about"], w["codebook"], w["texts"], META_SHEET]
    names: dict[str, str] = {}
    for s in schemes:
        names[s] = sheet_name(text(book.scheme(s).label, lang), [*taken, *names.values()])
    rounds = ", ".join(str(r) for r in sorted(set(pd.to_numeric(mine["round"]).astype(int))))
    intro = w["intro"].format(
        coder=coder,
        book=codebook_name or book.codebook,
        version=book.version,
        round=rounds,
        texts=w["texts"],
        codebook=w["codebook"],
    )
    about.append([intro])
    about["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 110
    about.row_dimensions[1].height = 150
    for key, value in (("coder", coder), ("version", book.version), ("round", rounds)):
        about.append([f"{w[key]}: {value}"])
    for scheme in schemes:
        part = mine[mine["scheme"].astype(str) == scheme].sort_values("unit_id", kind="stable")
        about.append([f"{names[scheme]}: {part['unit_id'].nunique()}"])
    protect_sheet(about)
    # the texts sheet comes after the scheme sheets, which link to its rows
    order = mine.drop_duplicates("unit_id").sort_values("unit_id", kind="stable")
    text_rows = {uid: i + 3 for i, uid in enumerate(order["unit_id"].astype(str))}
    for scheme in schemes:
        part = mine[mine["scheme"].astype(str) == scheme].sort_values("unit_id", kind="stable")
        _scheme_sheet(
            wb, names[scheme], scheme, part, book, text_rows, w["texts"], doc_labels, lang
        )
    _texts_sheet(wb, order, texts, lines, doc_labels, lang)
    _codebook_sheet(wb, book, schemes, lang)
    meta = wb.create_sheet(META_SHEET)
    stamp = {
        "format": FORMAT,
        "coder": coder,
        "codebook": codebook_name or book.codebook,
        "codebook_version": book.version,
        "round": rounds,
        "lang": lang,
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    for key, value in stamp.items():
        meta.append([key, value])
    for scheme in schemes:
        meta.append(["sheet", names[scheme], scheme])
    meta.sheet_state = "veryHidden"
    protect_sheet(meta)
    wb.security = WorkbookProtection(lockStructure=True)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path
