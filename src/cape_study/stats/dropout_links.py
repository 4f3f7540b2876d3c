"""Linking the drop-out matrix and the closure reasons with the report's other tables
(:meth:`cape_study.privacy.disclosure.Disclosure.link`): each count as a set of courses
(:mod:`cape_study.stats.course`), for :func:`cape_study.stats.dropout_suppression.suppress_matrix`
and :func:`~cape_study.stats.dropout_suppression.suppress_reasons`; and the stages and
parts of the matrix, which both use."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.privacy.disclosure import ANY, HIDDEN, Disclosure
from cape_study.privacy.linked import Dimension
from cape_study.stats.funnel import COURSE

__all__ = ["PARTS", "STAGES", "link_matrix", "link_reasons"]

#: The stages of the drop-out matrix (:func:`cape_study.stats.dropout.matrix`), in order.
STAGES = [
    "reported",
    "investigation_opened",
    "suspect_notified",
    "prosecuted",
    "judgment_first_instance",
]

#: The parts of a stage's cases in :func:`cape_study.stats.dropout.matrix`; they add up
#: to ``at_stage``.
PARTS = ("moved_on", "dropped_out", "still_open")
_SHARES = ("proportion", "ci_low", "ci_high")


def _linkable(frame: pd.DataFrame, values: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """``frame`` ready for :meth:`~cape_study.privacy.disclosure.Disclosure.link`: its
    columns' values renamed by ``values`` (column -> value -> the value in the report's
    other tables), and a count ``cases`` it hides marked as hidden on any ground."""
    for column, mapping in values.items():
        frame[column] = frame[column].astype("string").replace(mapping)
    frame[HIDDEN] = pd.Series(pd.NA, index=frame.index, dtype="string").mask(
        frame["cases"].isna(), ANY
    )
    return frame


def link_matrix(
    out: pd.DataFrame,
    table: pd.DataFrame,
    keys: list[str],
    audit: Disclosure,
    name: str,
    threshold: int,
    link: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]],
    *,
    shield: bool = False,
) -> pd.DataFrame:
    """Link the suppressed matrix ``out`` (true counts ``table``) as one cell per group,
    stage and count, and hide in ``out`` what the report's other tables make it hide.

    With ``shield``, every cell is linked hidden and unmarked: the drop-out counts held
    up before the funnel they derive from is linked
    (:func:`cape_study.stats.dropout_suppression.shield_matrix`)."""
    counts = ["at_stage", *PARTS]
    long = out[[*keys, "stage", *counts]].melt(
        id_vars=[*keys, "stage"], value_vars=counts, var_name="part", value_name="cases"
    )
    truth = table[[*keys, "stage", *counts]].melt(
        id_vars=[*keys, "stage"], value_vars=counts, var_name="part", value_name="cases"
    )["cases"]
    stage = long["stage"].astype("string")
    long["course"] = stage.where(long["part"] == "at_stage", long["part"] + ":" + stage)
    long["cases"] = long["cases"].astype("Int64")
    if shield:
        long["cases"] = pd.array([pd.NA] * len(long), dtype="Int64")
        long[HIDDEN] = ANY  # no mark: a shield publishes nothing, not even a mark
    long = _linkable(long, values)
    safe = audit.link(
        name,
        long,
        truth,
        count="cases",
        dims={**link, "course": "stage"},
        threshold=threshold,
        dimensions={"stage": COURSE},
        label=[*keys, "stage", "part"],
        present=None if shield else long[list(link)],
        held=shield,
    )
    out = out.copy()
    n = len(out)
    for k, part in enumerate(counts):
        hidden = safe["cases"].iloc[k * n : (k + 1) * n].isna().to_numpy()
        out.loc[hidden, part] = float("nan")
    out["suppressed"] = out[counts].isna().any(axis=1)
    out.loc[out["moved_on"].isna() | out["at_stage"].isna(), list(_SHARES)] = float("nan")
    return out


def link_reasons(
    out: pd.DataFrame,
    table: pd.DataFrame,
    keys: list[str],
    audit: Disclosure,
    name: str,
    threshold: int,
    link: Mapping[str, str],
    link_values: Mapping[str, Mapping[str, str]],
) -> pd.DataFrame:
    """Link the suppressed closure reasons ``out`` (true counts ``table``): each reason's
    count is the cases closed at the stage with that reason (a dimension
    ``closure_reason`` whose class ``none`` holds the cases not closed); hide in ``out``
    what the report's other tables make it hide."""
    out = out.copy()
    reasons = tuple(sorted({*table["closure_reason"].astype(str), "unknown"}))
    frame = out.assign(course="closed:" + out["stage"].astype("string"))
    frame = _linkable(frame, link_values or {})
    safe = audit.link(
        name,
        frame,
        table["cases"].reset_index(drop=True),
        count="cases",
        dims={**link, "course": "stage", "closure_reason": "closure_reason"},
        threshold=threshold,
        dimensions={
            "stage": COURSE,
            "closure_reason": Dimension("code", (*reasons, "none")),
        },
        derived=list(_SHARES),
        label=[*keys, "stage", "closure_reason"],
        # a group or stage with no case closed has no row, and no closed case is of
        # class none: zeros a reader knows
        present=frame[[*link, "course", "closure_reason"]],
    )
    hidden = safe["cases"].isna().to_numpy()
    out.loc[hidden, ["cases", *_SHARES]] = float("nan")
    out.loc[hidden, "suppressed"] = True
    return out
