"""Helpers for the coding workbench's tests: a small slice of the demo case file, and a
script that fills coder workbooks as a coder would (with the mistakes coders make)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from cape_study.coding.words import VALUES


def demo_slice(src: Path, dst: Path, per_country: int = 6) -> Path:
    """The first ``per_country`` cases of each country of the case file ``src``, with
    every row and document that belongs to them, written to ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    cases = pd.read_csv(src / "cases.csv", dtype=str, keep_default_na=False)
    keep = set(cases.groupby("country").head(per_country)["case_id"])
    docs = pd.read_csv(src / "documents.csv", dtype=str, keep_default_na=False)
    units = keep | set(docs.loc[docs["case_id"].isin(keep), "doc_id"])
    for f in src.glob("*.csv"):
        table = pd.read_csv(f, dtype=str, keep_default_na=False)
        if "case_id" in table:
            table = table[table["case_id"].isin(keep)]
        elif "unit_id" in table:
            table = table[table["unit_id"].isin(units)]
        table.to_csv(dst / f.name, index=False)
    for p in docs.loc[docs["case_id"].isin(keep), "path"]:
        (dst / "documents" / p).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / "documents" / p, dst / "documents" / p)
    shutil.copy(src / "SYNTHETIC", dst / "SYNTHETIC")
    return dst


def meta(path: Path) -> dict:
    wb = load_workbook(path, read_only=True)
    rows = list(wb["_meta"].iter_rows(values_only=True))
    wb.close()
    out: dict = {"sheets": [(r[1], r[2]) for r in rows if r[0] == "sheet"]}
    out.update({r[0]: r[1] for r in rows if r[0] != "sheet"})
    return out


def fill(
    path: Path,
    n_codes: dict[str, int],
    *,
    seed: int,
    truth: dict | None = None,
    agree: float = 0.85,
    share: float = 1.0,
) -> None:
    """Answer the units of a coder workbook as a coder would: a unit's true answer (a
    code present with probability 0.3 unless ``truth`` gives it) with probability
    ``agree``, the other one otherwise, now and then unclear; a quote on every row, 4-20
    minutes. Only the first ``share`` of each sheet's rows is coded."""
    rng = np.random.default_rng(seed)
    m = meta(path)
    words = VALUES[m["lang"]]
    wb = load_workbook(path)
    for sheet, scheme in m["sheets"]:
        ws = wb[sheet]
        n = n_codes[scheme]
        last = 2 + round((ws.max_row - 2) * share)
        for r in range(3, last + 1):
            unit = ws.cell(r, 1).value
            for k in range(n):
                key = (unit, scheme, k)
                if truth is not None and key not in truth:
                    truth[key] = rng.random() < 0.3
                true = truth[key] if truth is not None else rng.random() < 0.3
                said = true if rng.random() < agree else not true
                value = "present" if said else "absent"
                if rng.random() < 0.02:
                    value = "unclear"
                ws.cell(r, 5 + k).value = words[value]
            ws.cell(r, 5 + n).value = f"the passage of {unit}"
            ws.cell(r, 7 + n).value = int(rng.integers(4, 21))
    wb.save(path)
