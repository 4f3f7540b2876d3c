"""Publication tables: codes replaced by labels, suppressed cells marked, provenance shown."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.codebook import Codebook, Language, load_codebook

__all__ = ["SUPPRESSED", "format_funnel", "provenance_banner", "share_text", "with_labels"]

#: How a suppressed cell is shown.
SUPPRESSED = "·"

_FUNNEL_HEAD = {
    "en": {"stage": "Stage", "reached": "Cases reaching the stage", "n_cases": "Cases reported",
           "share": "Share ({ci} CI)"},
    "sv": {"stage": "Steg", "reached": "Ärenden som når steget", "n_cases": "Anmälda ärenden",
           "share": "Andel ({ci} KI)"},
}


def with_labels(table: pd.DataFrame, schemes: Mapping[str, str], lang: Language = "en",
                codebook: Codebook | None = None) -> pd.DataFrame:
    """Replace the codes in the given columns (column -> scheme) by their labels."""
    book = codebook or load_codebook()
    out = table.copy()
    for column, scheme in schemes.items():
        labels = book.labels(scheme, lang)
        out[column] = out[column].astype("string").map(lambda c, m=labels: m.get(c, c))
    return out


def format_funnel(table: pd.DataFrame, *, by: str | None = "country", lang: Language = "en",
                  codebook: Codebook | None = None) -> pd.DataFrame:
    """The stage funnel as a readable table: labels, counts, share with its interval.

    Expects the output of :func:`cape_study.attrition.funnel` after
    :func:`cape_study.disclosure.suppress`; suppressed cells show as ``·``.
    """
    head = _FUNNEL_HEAD[lang]
    schemes = {"stage": "stage"} | ({by: by} if by else {})
    book = codebook or load_codebook()
    labelled = with_labels(table, {k: v for k, v in schemes.items() if v in book.schemes},
                           lang, book)
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    out = pd.DataFrame({
        **({by: labelled[by]} if by else {}),
        head["stage"]: labelled["stage"],
        head["reached"]: _count(table["reached"]),
        head["n_cases"]: _count(table["n_cases"]),
        head["share"].format(ci=f"{confidence:.0%}"): [
            _share(p, lo, hi) for p, lo, hi in zip(table["proportion"], table["ci_low"],
                                                   table["ci_high"], strict=True)],
    })
    return out.rename(columns={by: book.scheme(by).label(lang)} if by in book.schemes else {})


def _count(values: pd.Series) -> list[str]:
    return [SUPPRESSED if pd.isna(v) else f"{int(v):,}" for v in values]


def _share(p: float, low: float, high: float) -> str:
    if pd.isna(p):
        return SUPPRESSED
    return f"{p:.1%} ({low:.1%}–{high:.1%})"


def provenance_banner(synthetic: bool, source: str, codebook_version: str,
                      data_cutoff: str) -> str:
    """A Markdown note on where the data come from; a loud warning for synthetic data."""
    facts = f"case file `{source}`, codebook {codebook_version}, data cut-off {data_cutoff}"
    if synthetic:
        return ("> **SYNTHETIC DATA.** Every figure below is computed from an invented case "
                "file made by `cape-study synth`; it describes no real case or person and "
                f"must not be cited as a finding. ({facts})")
    return f"> Data: {facts}."


def share_text(table: pd.DataFrame, stage: str, *, by: str = "country") -> str:
    """One sentence part per group: the share reaching ``stage`` with its interval.

    Expects a suppressed funnel table; a suppressed share is named as such, never shown.
    """
    parts = []
    for key, row in table[table["stage"] == stage].set_index(by).iterrows():
        if row["suppressed"]:
            parts.append(f"{key}: suppressed (small numbers)")
        else:
            parts.append(f"{key}: {row['proportion']:.1%} "
                         f"({row['ci_low']:.1%}–{row['ci_high']:.1%})")
    return "; ".join(parts)
