"""Publication tables: codes replaced by labels, suppressed cells marked, provenance shown."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from cape_study.codebook import Codebook, Language, load_codebook

__all__ = [
    "SUPPRESSED",
    "count_table",
    "format_funnel",
    "provenance_banner",
    "share_text",
    "show",
    "with_labels",
]

#: How a suppressed cell is shown.
SUPPRESSED = "·"

_FUNNEL_HEAD = {
    "en": {
        "stage": "Stage",
        "reached": "Cases reaching the stage",
        "n_cases": "Cases reported",
        "share": "Share ({ci} CI)",
    },
    "sv": {
        "stage": "Steg",
        "reached": "Ärenden som når steget",
        "n_cases": "Anmälda ärenden",
        "share": "Andel ({ci} KI)",
    },
}
#: Labels for the two case ends that are not outcome codes (see attrition.case_status).
_END_LABELS = {
    "en": {"closed": "Closed without judgment", "open": "Open at the data cut-off"},
    "sv": {"closed": "Avslutat utan dom", "open": "Pågående vid datagränsen"},
}


def with_labels(
    table: pd.DataFrame,
    schemes: Mapping[str, str],
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Replace the codes in the given columns (column -> scheme) by their labels.

    Values that are not codes of the scheme are kept, except the case ends ``closed``
    and ``open`` of :func:`cape_study.attrition.case_status`, which get their labels.
    """
    book = codebook or load_codebook()
    out = table.copy()
    for column, scheme in schemes.items():
        labels = _END_LABELS[lang] | book.labels(scheme, lang)
        out[column] = out[column].astype("string").map(lambda c, m=labels: m.get(c, c))
    return out


def show(table: pd.DataFrame) -> Styler:
    """A table for the report: no index column, full-length text, suppressed cells marked."""
    return (
        table.style.hide(axis="index")
        .format(na_rep=SUPPRESSED)
        .set_properties(**{"text-align": "left"})
    )


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
    book = codebook or load_codebook()
    codes = book.codes(schemes[index]) if index in schemes else []
    rank = table[index].astype("string").map(lambda c: codes.index(c) if c in codes else len(codes))
    labelled = with_labels(
        table.assign(_rank=rank).sort_values("_rank", kind="stable"), schemes, lang, book
    )
    rows = list(dict.fromkeys(labelled[index]))
    wide = labelled.pivot(index=index, columns=columns, values=values).reindex(rows)
    wide = wide.astype("string").fillna(SUPPRESSED)
    wide.columns.name = None
    title = book.scheme(schemes[index]).label(lang) if index in schemes else index
    return wide.rename_axis(title).reset_index()


def format_funnel(
    table: pd.DataFrame,
    *,
    by: str | None = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The stage funnel as a readable table: labels, counts, share with its interval.

    Expects the output of :func:`cape_study.attrition.funnel` after
    :func:`cape_study.disclosure.suppress`; suppressed cells show as ``·``.
    """
    head = _FUNNEL_HEAD[lang]
    book = codebook or load_codebook()
    schemes = {"stage": "stage"} | ({by: by} if by and by in book.schemes else {})
    labelled = with_labels(table, schemes, lang, book)
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    out = pd.DataFrame(
        {
            **({by: labelled[by]} if by else {}),
            head["stage"]: labelled["stage"],
            head["reached"]: _count(table["reached"]),
            head["n_cases"]: _count(table["n_cases"]),
            head["share"].format(ci=f"{confidence:.0%}"): [
                _share(p, lo, hi)
                for p, lo, hi in zip(
                    table["proportion"], table["ci_low"], table["ci_high"], strict=True
                )
            ],
        }
    )
    return out.rename(columns={by: book.scheme(by).label(lang)} if by in book.schemes else {})


def _count(values: pd.Series) -> list[str]:
    return [SUPPRESSED if pd.isna(v) else f"{int(v):,}" for v in values]


def _share(p: float, low: float, high: float) -> str:
    if pd.isna(p):
        return SUPPRESSED
    return f"{p:.1%} ({low:.1%}–{high:.1%})"


def share_text(table: pd.DataFrame, stage: str, *, by: str = "country") -> str:
    """One sentence part per group: the share reaching ``stage`` with its interval.

    Expects a suppressed funnel table; a suppressed share is named as such, never shown.
    """
    parts = []
    for key, row in table[table["stage"] == stage].set_index(by).iterrows():
        if row["suppressed"]:
            parts.append(f"{key}: suppressed (small numbers)")
        else:
            parts.append(
                f"{key}: {row['proportion']:.1%} ({row['ci_low']:.1%}–{row['ci_high']:.1%})"
            )
    return "; ".join(parts)


def provenance_banner(synthetic: bool, source: str, codebook_version: str, data_cutoff: str) -> str:
    """A Markdown note on where the data come from; a loud warning for synthetic data."""
    facts = f"case file `{source}`, codebook {codebook_version}, data cut-off {data_cutoff}"
    if synthetic:
        return (
            "> **SYNTHETIC DATA.** Every figure below is computed from an invented case "
            "file made by `cape-study synth`; it describes no real case or person and "
            f"must not be cited as a finding. ({facts})"
        )
    return f"> Data: {facts}."
