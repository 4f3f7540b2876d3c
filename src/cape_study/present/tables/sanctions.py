"""The sanctions table (01_attrition): by country and offence family, the defendants
sentenced, to prison (months), to a conditional sentence, to day fines and to damages.
Expects :func:`cape_study.stats.sanctions.suppress_sanctions`."""

from __future__ import annotations

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import NOT_ESTIMABLE, SUPPRESSED, Count, number
from cape_study.present.labels import SANCTION_HEAD, column_label, group_label

__all__ = ["format_sanctions"]


def _count(value: object) -> str:
    return SUPPRESSED if pd.isna(value) else Count(value)


def _median(value: float, n: object, *, low: float | None = None, high: float | None = None) -> str:
    if pd.isna(n):
        return SUPPRESSED
    if pd.isna(value):
        return NOT_ESTIMABLE
    text = number(value, 1 if value % 1 else 0)
    if low is not None and high is not None and not (pd.isna(low) or pd.isna(high)):
        text += f" ({number(low, 1 if low % 1 else 0)}–{number(high, 1 if high % 1 else 0)})"
    return text


def format_sanctions(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """One row per family and country (Sweden beside Finland): the sentenced, and the
    counts and medians of each kind of sanction; damages in the currency written."""
    book = codebook_or_default(codebook)
    head = SANCTION_HEAD[lang]
    families = book.codes("offence_family")
    countries = book.codes("country")
    rows = table.assign(
        _f=table["family"].map(lambda f: families.index(f) if f in families else len(families)),
        _c=table["country"].map(lambda c: countries.index(c) if c in countries else 99),
    ).sort_values(["_f", "_c"], kind="stable")
    family_labels = book.labels("offence_family", lang)
    currency = book.labels("sanction_unit", lang)
    return pd.DataFrame(
        {
            head["family"]: [family_labels.get(f, f) for f in rows["family"]],
            column_label("country", lang, book): [
                group_label("country", c, lang, book) for c in rows["country"]
            ],
            head["sentenced"]: [_count(v) for v in rows["n_sentenced"]],
            head["prison"]: [_count(v) for v in rows["n_prison"]],
            head["months"]: [
                _median(m, n, low=lo, high=hi)
                for m, n, lo, hi in zip(
                    rows["prison_median"],
                    rows["n_prison"],
                    rows["prison_q1"],
                    rows["prison_q3"],
                    strict=True,
                )
            ],
            head["conditional"]: [_count(v) for v in rows["n_conditional"]],
            head["day_fines"]: [_count(v) for v in rows["n_day_fines"]],
            head["day_fines_median"]: [
                _median(m, n)
                for m, n in zip(rows["day_fines_median"], rows["n_day_fines"], strict=True)
            ],
            head["damages"]: [_count(v) for v in rows["n_damages"]],
            head["damages_median"]: [
                _median(m, n)
                + (f" {currency.get(c, c)}" if pd.notna(c) and pd.notna(m) and pd.notna(n) else "")
                for m, n, c in zip(
                    rows["damages_median"], rows["n_damages"], rows["currency"], strict=True
                )
            ],
        }
    )
