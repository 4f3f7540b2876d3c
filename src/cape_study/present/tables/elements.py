"""Tables of the legal elements (01_attrition): which element the courts found not
proven at which instance, where two instances assessed an element differently, and the
share not proven before and after a legal change. Expects the tables of
:mod:`cape_study.stats.elements` after :func:`~cape_study.stats.elements.suppress_elements`
or :func:`~cape_study.stats.elements.suppress_before_after`."""

from __future__ import annotations

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import (
    NOT_ESTIMABLE,
    SUPPRESSED,
    Count,
    count_share_cell,
    percent,
    share_cell,
)
from cape_study.present.labels import ELEMENT_HEAD, column_label, group_label

__all__ = ["format_element_change", "format_element_failures", "format_instance_disagreement"]


def _confidence(table: pd.DataFrame) -> str:
    return percent(float(table["confidence"].iloc[0]) if len(table) else 0.95, 0)


def _count(value: object) -> str:
    return SUPPRESSED if pd.isna(value) else Count(value)


def _cells(rows: pd.DataFrame, count: str, total: str) -> list[str]:
    """Count (share; interval) cells; :data:`NOT_ESTIMABLE` where nothing was assessed."""
    return [
        NOT_ESTIMABLE if pd.notna(n) and n == 0 else count_share_cell(x, p, lo, hi)
        for x, n, p, lo, hi in zip(
            rows[count],
            rows[total],
            rows["proportion"],
            rows["ci_low"],
            rows["ci_high"],
            strict=True,
        )
    ]


def _sorted(table: pd.DataFrame, columns: list[str], book: Codebook) -> pd.DataFrame:
    """Rows in codebook order of each column that names a scheme (Sweden beside Finland)."""
    schemes = {"element": "legal_element", "stage": "stage", "country": "country"}

    def key(column: pd.Series) -> pd.Series:
        codes = book.codes(schemes[column.name]) if column.name in schemes else []
        return column.astype("string").map(lambda v: codes.index(v) if v in codes else len(codes))

    return table.sort_values(columns, key=key, kind="stable")


def format_element_failures(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """One row per element, instance and country (Sweden beside Finland): the elements
    assessed, and those not proven with their share and interval."""
    book = codebook_or_default(codebook)
    head = ELEMENT_HEAD[lang]
    rows = _sorted(table, ["element", "stage", "country"], book)
    return pd.DataFrame(
        {
            book.scheme("legal_element").label(lang): [
                book.label("legal_element", str(e), lang) for e in rows["element"]
            ],
            head["instance"]: [book.label("stage", str(s), lang) for s in rows["stage"]],
            column_label("country", lang, book): [
                group_label("country", c, lang, book) for c in rows["country"]
            ],
            head["assessed"]: [_count(v) for v in rows["n_assessed"]],
            head["not_proven"].format(ci=_confidence(table)): _cells(
                rows, "not_proven", "n_assessed"
            ),
        }
    )


def format_instance_disagreement(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """One row per element and country: the elements assessed at both instances, and
    those the two instances assessed differently, with their share and interval."""
    book = codebook_or_default(codebook)
    head = ELEMENT_HEAD[lang]
    rows = _sorted(table, ["element", "country"], book)
    return pd.DataFrame(
        {
            book.scheme("legal_element").label(lang): [
                book.label("legal_element", str(e), lang) for e in rows["element"]
            ],
            column_label("country", lang, book): [
                group_label("country", c, lang, book) for c in rows["country"]
            ],
            head["pairs"]: [_count(v) for v in rows["n_pairs"]],
            head["differ"].format(ci=_confidence(table)): _cells(rows, "disagree", "n_pairs"),
        }
    )


def format_element_change(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """One row per change and element: on each side of the change's date the elements
    not proven of those assessed (share), and the difference with its interval."""
    book = codebook_or_default(codebook)
    head = ELEMENT_HEAD[lang]
    rows = _sorted(table, ["element"], book)
    out = pd.DataFrame(
        {
            book.scheme("legal_element").label(lang): [
                book.label("legal_element", str(e), lang) for e in rows["element"]
            ]
        }
    )
    for side in ("before", "after"):
        date = pd.Timestamp(table["date"].iloc[0]).date().isoformat() if len(table) else ""
        title = head["side"].format(side=head[side], date=date)
        out[title] = [
            _side_cell(x, n, p, head)
            for x, n, p in zip(
                rows[f"not_proven_{side}"],
                rows[f"n_assessed_{side}"],
                rows[f"proportion_{side}"],
                strict=True,
            )
        ]
    empty = (rows["n_assessed_before"] == 0) | (rows["n_assessed_after"] == 0)
    out[head["difference"].format(ci=_confidence(table))] = [
        NOT_ESTIMABLE if bool(e) else share_cell(d, lo, hi)
        for e, d, lo, hi in zip(
            empty.fillna(False), rows["difference"], rows["ci_low"], rows["ci_high"], strict=True
        )
    ]
    return out


def _side_cell(count: object, n: object, p: float, head: dict[str, str]) -> str:
    """``3 of 12 (25.0%)``; :data:`NOT_ESTIMABLE` when nothing was assessed, hidden as
    :data:`SUPPRESSED`."""
    if pd.notna(n) and n == 0:
        return NOT_ESTIMABLE
    if pd.isna(count) or pd.isna(n) or pd.isna(p):
        return SUPPRESSED
    return head["of"].format(count=Count(count), n=Count(n)) + f" ({percent(p)})"
