"""Tables of the models (03_models): ratios, counts by predictor, the model population."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import (
    SUPPRESSED,
    count_cells,
    p_cell,
    percent,
    ratio_interval_cell,
)
from cape_study.present.labels import INTERVAL_KINDS, MODEL_HEAD, POPULATION_ENDS

__all__ = ["format_population", "format_ratios", "format_term_counts"]


def format_ratios(
    table: pd.DataFrame, *, labels: Mapping[str, str], lang: Language = "en"
) -> pd.DataFrame:
    """Odds or hazard ratios as a readable table: predictor, ratio with its interval, p.

    Expects the ``table`` of a :class:`cape_study.stats.models.LogisticResult` or
    :class:`cape_study.stats.models.CoxResult`; the intercept is left out, and the heading
    names the interval's level and kind (profile penalised likelihood or Wald). A term
    hidden by disclosure control (``hidden``, :func:`cape_study.stats.model_links.hide_estimates`)
    shows ``x``.
    """
    head = MODEL_HEAD[lang]
    ratio = "odds_ratio" if "odds_ratio" in table else "hazard_ratio"
    rows = table[table["term"] != "(Intercept)"]
    level = f"{percent(float(table['confidence'].iloc[0]), 0)}" if len(table) else "95%"
    kind = INTERVAL_KINDS[lang].get(str(table["interval"].iloc[0]), "") if len(table) else ""
    gone = rows["hidden"].to_numpy(bool) if "hidden" in rows else [False] * len(rows)
    out = pd.DataFrame(
        {
            head["term"]: [labels.get(t, t) for t in rows["term"]],
            f"{head[ratio]} ({head['ci'].format(level=level, kind=kind)})": [
                SUPPRESSED if h else ratio_interval_cell(r, lo, hi)
                for r, lo, hi, h in zip(
                    rows[ratio], rows["ci_low"], rows["ci_high"], gone, strict=True
                )
            ],
            head["p_value"]: [
                SUPPRESSED if h else p_cell(p) for p, h in zip(rows["p_value"], gone, strict=True)
            ],
        }
    )
    if "ph_p_value" in rows:
        out[head["ph_p_value"]] = [
            SUPPRESSED if h else p_cell(p) for p, h in zip(rows["ph_p_value"], gone, strict=True)
        ]
    return out


def format_term_counts(
    table: pd.DataFrame, *, labels: Mapping[str, str], lang: Language = "en"
) -> pd.DataFrame:
    """Cases by predictor value and outcome, as a readable table (hidden cells x).

    Expects :func:`cape_study.stats.models.term_counts` after disclosure control.
    """
    head = MODEL_HEAD[lang]
    cells = table.set_index(["term", "value", "outcome"])["cases"]
    lines = list(dict.fromkeys(zip(table["term"], table["value"], strict=True)))
    return pd.DataFrame(
        {
            head["term"]: [labels.get(t, t) for t, _ in lines],
            head["value"]: [head["yes"] if v == 1 else head["no"] for _, v in lines],
            head["events"]: count_cells(pd.Series([cells[(t, v, 1)] for t, v in lines])),
            head["non_events"]: count_cells(pd.Series([cells[(t, v, 0)] for t, v in lines])),
        }
    )


def format_population(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """Cases of the model population by how they enter the models (rows) and country.

    Expects :func:`cape_study.stats.models.population_counts` after disclosure control.
    """
    book = codebook_or_default(codebook)
    ends = POPULATION_ENDS[lang]
    countries = list(dict.fromkeys(table["country"]))
    out = pd.DataFrame({book.scheme("country").label(lang): [ends[e] for e in ends]})
    for country in countries:
        cells = table[table["country"] == country].set_index("end")["cases"]
        name = MODEL_HEAD[lang]["all"] if country == "all" else book.label("country", country, lang)
        out[name] = count_cells(cells.reindex(list(ends)))
    return out
