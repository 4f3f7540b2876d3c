"""Tables describing a case file (00_intake): counts by code, rows per table."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import count_cells, hidden_marks
from cape_study.present.labels import DESCRIBE_HEAD, with_labels
from cape_study.privacy.disclosure import HIDDEN

__all__ = ["case_counts", "count_list", "count_table", "table_rows"]


def count_table(
    table: pd.DataFrame,
    *,
    index: str,
    columns: str,
    values: str,
    schemes: Mapping[str, str],
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """A suppressed long count table as a labelled cross-table, rows in codebook order."""
    book = codebook_or_default(codebook)
    codes = book.codes(schemes[index]) if index in schemes else []
    rank = table[index].astype("string").map(lambda c: codes.index(c) if c in codes else len(codes))
    labelled = with_labels(
        table.assign(_rank=rank).sort_values("_rank", kind="stable"), schemes, lang, book
    )
    rows = list(dict.fromkeys(labelled[index]))
    labelled = labelled.assign(_mark=hidden_marks(labelled))
    wide = labelled.pivot(index=index, columns=columns, values=values).reindex(rows)
    marks = labelled.pivot(index=index, columns=columns, values="_mark").reindex(rows)
    wide = wide.apply(
        lambda counts: pd.Series(
            count_cells(counts, marks[counts.name].fillna("").tolist()), index=counts.index
        )
    )
    wide.columns.name = None
    title = book.scheme(schemes[index]).label(lang) if index in schemes else index
    return wide.rename_axis(title).reset_index()


def count_list(
    table: pd.DataFrame,
    *,
    schemes: Mapping[str, str],
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """A suppressed long count table for the report: codes as labels in codebook order,
    columns headed by their scheme's label (or a heading of their own), no
    ``suppressed`` column; a hidden count shows as its mark
    (:func:`~cape_study.present.display.hidden_marks`)."""
    book = codebook_or_default(codebook)
    marks = hidden_marks(table)
    shown = table.drop(columns=["suppressed", HIDDEN], errors="ignore")
    for column in shown.columns:
        if pd.api.types.is_integer_dtype(shown[column]) and shown[column].isna().any():
            shown[column] = pd.Series(
                count_cells(shown[column], marks), index=shown.index, dtype=object
            )
    order = [
        shown[c].astype("string").map({code: i for i, code in enumerate(book.codes(s))})
        for c, s in schemes.items()
    ]
    if order:
        rank = pd.concat(order, axis=1).fillna(len(shown))
        shown = shown.loc[rank.sort_values(list(rank.columns), kind="stable").index]
    labelled = with_labels(shown, schemes, lang, book)
    head = DESCRIBE_HEAD[lang] | {c: book.scheme(s).label(lang) for c, s in schemes.items()}
    return labelled.rename(columns=head).reset_index(drop=True)


def case_counts(
    cases: pd.DataFrame, by: list[str], *, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Cases counted by columns of the cases table, one row per combination.

    ``report_year`` stands for the year of ``report_date``. Every code of a code
    column is listed (zeros included); a code that belongs to one country (a police
    region) is listed only with its own country when ``country`` is among ``by``.
    The result (columns ``by`` and ``cases``) is ready for
    :func:`cape_study.privacy.disclosure.suppress`.
    """
    book = codebook_or_default(codebook)
    frame = cases
    if "report_year" in by:
        frame = cases.assign(report_year=cases["report_date"].dt.year.astype("string"))
    counts = frame.groupby(by, observed=False).size().rename("cases").reset_index()
    columns = book.table("cases").columns
    for column in by:
        scheme = columns[column].scheme if column in columns else None
        homes = (
            {c.code: c.country for c in book.scheme(scheme).codes if c.country} if scheme else {}
        )
        if homes and "country" in by and column != "country":
            home = counts[column].astype("string").map(homes)
            counts = counts[home.isna() | (home == counts["country"].astype("string"))]
    return counts.reset_index(drop=True)


def table_rows(
    case_file: object, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """The number of rows of each table of a case file (``table`` labelled, ``rows``)."""
    book = codebook_or_default(codebook)
    return pd.DataFrame(
        {
            "table": [book.table(t).label(lang) for t in case_file.TABLES],
            "rows": [len(getattr(case_file, t)) for t in case_file.TABLES],
        }
    )
