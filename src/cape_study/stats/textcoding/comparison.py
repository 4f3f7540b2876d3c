"""The classifier against each coder, and coder against coder, on the same units.

Agreement with the coders' consensus (:func:`~cape_study.stats.textcoding.agreement_table`)
is not comparable with the agreement between two coders: the consensus is built from
those coders, a unit on which they disagree has no consensus label (a tie) and drops
out, and the remaining units are the easier ones. :func:`like_for_like` compares like
with like: on the **reference units** of each code, those both coders of the pair
coded and the classifier predicted out of fold (:func:`cross_validate` with
``unlabelled=True``, so that ties keep their prediction), it gives Cohen's kappa, F1 and
Gwet's AC1 of the classifier against coder A, of the classifier against coder B, and of
coder B against coder A. A unit's prediction comes from a model trained on other cases,
so neither coder's label of that unit was used to make it (their labels of other units
were, through the consensus).

:func:`like_for_like_summary` reduces the table to one kappa per code and method (the
classifier's the mean of its kappas against the two coders) for
:func:`cape_study.stats.reliability.kappa_summary`.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
Psychological Measurement* 20, 37-46.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from cape_study.stats.textcoding.evaluation import (
    _SCORE_COLUMNS,
    _scheme_rows,
    _scores,
    coder_pair,
)

__all__ = ["COMPARISONS", "like_for_like", "like_for_like_summary"]

_COLUMNS = ["code", "rater", "reference", "coder_a", "coder_b", *_SCORE_COLUMNS]
#: The comparisons of :func:`like_for_like`, in the order shown: (rater, reference).
COMPARISONS = (("classifier", "coder_a"), ("classifier", "coder_b"), ("coder_b", "coder_a"))


def like_for_like(
    predictions: pd.DataFrame,
    codings: pd.DataFrame,
    *,
    scheme: str = "barrier",
    unit: str = "unit_id",
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Classifier against each coder and coder against coder, on the same units.

    Parameters
    ----------
    predictions
        :func:`cross_validate` with ``unlabelled=True`` (a prediction for every coded
        unit of the modelled codes).
    codings
        The codings table (each coder's own codes, not the consensus).

    Returns
    -------
    DataFrame
        Per code, three rows (:data:`COMPARISONS`): ``code``, ``rater`` and
        ``reference`` (``classifier``, ``coder_a``, ``coder_b``), ``coder_a`` and
        ``coder_b`` (the pair's ids: the two coders who coded the most units
        together), ``n_units`` (the reference units, the same in the three rows),
        ``n_positive`` (units either side coded present), ``precision`` and ``recall``
        (of the rater against the reference), ``f1``, ``kappa``, ``ac1``.

        No rows when fewer than two coders coded the scheme (a pilot).
    """
    rows = _scheme_rows(codings, scheme, unit, "coder", "code", "present")
    pair = coder_pair(rows)
    if pair is None:
        return pd.DataFrame(columns=_COLUMNS)
    a, b = pair
    wide = rows[rows["coder"].isin(pair)].pivot_table(
        index=["code", "unit"], columns="coder", values="present", aggfunc="first"
    )
    predicted = predictions.dropna(subset=["predicted"])
    order = list(codes) if codes is not None else list(dict.fromkeys(predicted["code"]))
    out = []
    for code in order:
        mine = predicted[predicted["code"] == code].set_index(unit)["predicted"].astype(bool)
        both = (
            wide.xs(code, level="code")[[a, b]].dropna().astype(bool)
            if code in wide.index.get_level_values("code")
            else pd.DataFrame(columns=[a, b], dtype=bool)
        )
        reference = [u for u in both.index if u in mine.index]
        values = {
            "classifier": mine.reindex(reference).to_numpy(dtype=bool),
            "coder_a": both.loc[reference, a].to_numpy(dtype=bool),
            "coder_b": both.loc[reference, b].to_numpy(dtype=bool),
        }
        for rater, ref in COMPARISONS:
            scores = _scores(values[ref], values[rater])
            either = values[ref] | values[rater]
            out.append(
                {"code": code, "rater": rater, "reference": ref, "coder_a": a, "coder_b": b}
                | scores
                | {"n_positive": int(either.sum())}
            )
    return pd.DataFrame(out, columns=_COLUMNS)


def like_for_like_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One kappa per code and method from :func:`like_for_like` (after disclosure
    control): ``classifier``, the mean of its kappas against the two coders (missing if
    either is), and ``human``, the two coders' kappa; for
    :func:`cape_study.stats.reliability.kappa_summary`."""
    kappa = table.set_index(["code", "rater", "reference"])["kappa"]
    codes = list(dict.fromkeys(table["code"]))
    rows = []
    for code in codes:
        against = [kappa.get((code, "classifier", r)) for r in ("coder_a", "coder_b")]
        mean = float("nan") if any(pd.isna(k) for k in against) else sum(against) / 2
        rows.append({"code": code, "method": "classifier", "kappa": mean})
        rows.append(
            {"code": code, "method": "human", "kappa": kappa.get((code, "coder_b", "coder_a"))}
        )
    return pd.DataFrame(rows, columns=["code", "method", "kappa"])
