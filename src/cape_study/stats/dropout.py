"""Why cases drop out: the drop-out matrix, closure reasons and barriers by stage.

The funnel of :mod:`cape_study.stats.attrition` says how many cases reach each stage.
This module says, stage by stage, how many of the cases at a stage move on, how many
drop out there and on what grounds, by these documented rules:

* the **stages** are :data:`STAGES`: reported, investigation opened, suspect notified,
  prosecuted and first-instance judgment; a case is *at* a stage when it reached it
  (:func:`cape_study.stats.attrition.case_status`);
* it **moves on** from a stage when it reached the next one; from a first-instance
  judgment it moves on when its final outcome is a conviction (of any offence);
* it **drops out** at its furthest stage when it was closed there (closure rows cover
  the whole case, :func:`~cape_study.stats.attrition.case_status`), and at the
  judgment when its final outcome is an acquittal; it is **open** at a stage when it
  neither moved on nor dropped out by the data cut-off;
* a closed case's **closure reason** (:func:`closure_reasons`) is the one on its last
  closure row; when closure rows on that date give several reasons (one row per
  offence or suspect), the first in the codebook's order, which puts the evidential
  grounds first, counts. Each closed case has one reason, so the reasons of a stage add
  up to the cases closed there;
* **barriers at drop-out** (:func:`stage_prevalence`) are those coded on the documents
  that record the drop-out: the closure decisions of a case closed at a stage, the
  judgments of an acquitted case. Only cases whose document of that type was coded count
  in a denominator, so a share compares cases coded from the same kind of document.

The shares have binomial intervals (:func:`cape_study.stats.proportions.proportion_ci`).
The tables ready to publish (``suppress_*``) are in :mod:`cape_study.stats.dropout_suppression`,
re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import CannotEstimate
from cape_study.stats.barriers import case_codes
from cape_study.stats.case_status import CONVICTED
from cape_study.stats.dropout_links import PARTS, STAGES
from cape_study.stats.dropout_suppression import (
    shield_matrix,
    suppress_matrix,
    suppress_reasons,
    suppress_stage_prevalence,
)
from cape_study.stats.proportions import add_proportion
from cape_study.stats.victim_funnel import VICTIM_STEPS, victim_funnel

__all__ = [
    "CONVICTED",
    "DOCUMENT_TYPES",
    "PARTS",
    "STAGES",
    "VICTIM_STEPS",
    "closure_groups",
    "closure_reasons",
    "document_codes",
    "dropout_stage",
    "judgment_groups",
    "matrix",
    "reason_table",
    "shield_matrix",
    "stage_prevalence",
    "suppress_matrix",
    "suppress_reasons",
    "suppress_stage_prevalence",
    "victim_funnel",
]

#: The document types that record a drop-out: closure decisions and judgments.
DOCUMENT_TYPES = {
    "closure_decision": ("closure_decision",),
    "judgment": ("judgment_first_instance", "judgment_appeal", "judgment_supreme"),
}


def dropout_stage(status: pd.DataFrame) -> pd.Series:
    """The stage at which each case dropped out, or missing (moved on to a conviction,
    or open), indexed like ``status``.

    Expects :func:`cape_study.stats.attrition.case_status`: a closed case drops out at
    its furthest stage (a case closed after prosecution without a judgment at
    ``prosecuted``), an acquitted one at ``judgment_first_instance``.
    """
    furthest = status["furthest_stage"].astype("string")
    out = pd.Series(pd.NA, index=status.index, dtype="string")
    closed = status["closed"].to_numpy(bool) & status["outcome"].isna().to_numpy()
    out[closed] = furthest[closed].where(furthest[closed].isin(STAGES), STAGES[-1])
    out[(status["outcome"] == "acquitted").fillna(False).to_numpy()] = STAGES[-1]
    return out


def closure_groups(status: pd.DataFrame, *, pooled: bool = False) -> pd.Series:
    """Each case closed without a judgment, by ``case_id``: the stage where it was closed
    (:func:`dropout_stage`), or ``closed`` for every one with ``pooled``."""
    closed = status["closed"].to_numpy(bool) & status["outcome"].isna().to_numpy()
    stage = dropout_stage(status)[closed]
    values = pd.Series("closed", index=stage.index, dtype="string") if pooled else stage
    return pd.Series(values.to_numpy(), index=status.loc[closed, "case_id"].astype("string"))


def judgment_groups(status: pd.DataFrame) -> pd.Series:
    """Each judged case's final outcome as ``acquitted`` or ``convicted`` (of any
    offence), by ``case_id``."""
    outcome = status["outcome"].astype("string")
    judged = outcome.notna().to_numpy()
    values = outcome[judged].map(lambda o: "acquitted" if o == "acquitted" else "convicted")
    return pd.Series(values.to_numpy(), index=status.loc[judged, "case_id"].astype("string"))


def matrix(
    status: pd.DataFrame,
    by: str | Sequence[str] | None = "country",
    *,
    sampling_frame: str | None = None,
    confidence: float = 0.95,
    method: str = "wilson",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The drop-out matrix: at each stage, the cases there, those moving on, dropping
    out and still open, with the share moving on.

    Parameters
    ----------
    status
        :func:`cape_study.stats.attrition.case_status`, with any columns to split by
        (``country``, a sampling frame, a period).
    by
        Column(s) to split by, or ``None``; ``sampling_frame`` among them splits by a
        column of that name (case files of several frames pooled).
    sampling_frame
        How the cases were chosen (scheme ``sampling_frame``; a
        :attr:`~cape_study.data.loaders.CaseFile.sampling_frame`), for every group
        without a ``sampling_frame`` column; the table gets that column. A stage whose
        next stage the frame implies (every case of a judgment sample reached the
        prosecution by selection) is ``implied``: its counts are those of the selection,
        and no share of it moving on is given. None: every stage observed.
    confidence, method
        Passed to :func:`cape_study.stats.proportions.proportion_ci`.

    Returns
    -------
    DataFrame
        Tidy: the ``by`` columns, ``stage`` (ordered categorical of :data:`STAGES`),
        ``at_stage``, ``moved_on``, ``dropped_out``, ``still_open`` (these three add up
        to ``at_stage``), and the share moving on (``proportion`` = moved_on /
        at_stage, ``ci_low``, ``ci_high``, ``ci_method``, ``confidence``); with a
        sampling frame, ``sampling_frame`` and ``implied`` (no share). Open cases
        stay in the denominator, so for recent reports the share is a lower bound.
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    if status.empty:
        raise CannotEstimate("no_cases", "the case file has no case", what="the case file")
    stage = dropout_stage(status)
    convicted = status["outcome"].isin(CONVICTED).fillna(False)
    groups = list(status.groupby(keys, observed=True)) if keys else [((), status)]
    framed = sampling_frame is not None or "sampling_frame" in keys
    implies = {
        c.code: set(c.implies) for c in codebook_or_default(codebook).scheme("sampling_frame").codes
    }
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        frame = dict(zip(keys, key, strict=True)).get("sampling_frame", sampling_frame)
        if framed and frame not in implies:
            raise ValueError(f"unknown sampling frame {frame!r}; known: {', '.join(implies)}")
        implied = implies.get(frame, set())
        for i, name in enumerate(STAGES):
            at = group[f"reached_{name}"].to_numpy(bool)
            if i + 1 < len(STAGES):
                on = group[f"reached_{STAGES[i + 1]}"].to_numpy(bool)
            else:
                on = convicted.loc[group.index].to_numpy(bool)
            out = (stage.loc[group.index] == name).fillna(False).to_numpy(bool) & at & ~on
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "stage": name,
                    "at_stage": int(at.sum()),
                    "moved_on": int((at & on).sum()),
                    "dropped_out": int(out.sum()),
                    "still_open": int((at & ~on & ~out).sum()),
                }
                | (
                    {
                        "sampling_frame": frame,
                        "implied": i + 1 < len(STAGES) and STAGES[i + 1] in implied,
                    }
                    if framed
                    else {}
                )
            )
    table = pd.DataFrame(rows)
    table["stage"] = pd.Categorical(table["stage"], categories=STAGES, ordered=True)
    table = add_proportion(table, "moved_on", "at_stage", confidence, method)
    if framed:
        table.loc[table["implied"], ["proportion", "ci_low", "ci_high"]] = float("nan")
    return table


def closure_reasons(
    status: pd.DataFrame, events: pd.DataFrame, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Each closed case's stage of drop-out and closure reason (see the module's rules).

    Returns
    -------
    DataFrame
        One row per case closed without a judgment: ``case_id``, ``stage`` and
        ``closure_reason`` (a code, or ``unknown`` when its closure rows give none).
    """
    book = codebook_or_default(codebook)
    order = {code: i for i, code in enumerate(book.codes("closure_reason"))}
    stage = dropout_stage(status)
    closed = status.loc[status["closed"].to_numpy(bool) & status["outcome"].isna().to_numpy()]
    ev = events[events["stage"].astype("string") == "closed"]
    ev = ev[ev["case_id"].isin(closed["case_id"])].assign(
        reason=lambda e: e["closure_reason"].astype("string")
    )
    last = ev.groupby("case_id")["date"].transform("max")
    ev = ev[ev["date"] == last].assign(_order=lambda e: e["reason"].map(order).fillna(len(order)))
    reason = ev.sort_values(["case_id", "_order"]).groupby("case_id")["reason"].first()
    out = pd.DataFrame(
        {
            "case_id": closed["case_id"].to_numpy(),
            "stage": stage.loc[closed.index].to_numpy(),
            "closure_reason": closed["case_id"].map(reason).fillna("unknown").to_numpy(),
        }
    )
    out["closure_reason"] = out["closure_reason"].astype("string")
    return out


def reason_table(
    reasons: pd.DataFrame,
    status: pd.DataFrame,
    by: str | Sequence[str] | None = "country",
    *,
    confidence: float = 0.95,
    method: str = "wilson",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Closure reasons by stage of drop-out: counts and shares of the cases closed there.

    Parameters
    ----------
    reasons
        :func:`closure_reasons`.
    status
        :func:`cape_study.stats.attrition.case_status` with the ``by`` columns.

    Returns
    -------
    DataFrame
        Tidy, every reason of the codebook at every stage where a case was closed: the
        ``by`` columns, ``stage``, ``closure_reason``, ``cases``, ``n_closed`` (cases
        closed at the stage; the reasons add up to it), ``proportion``, ``ci_low``,
        ``ci_high``, ``ci_method``, ``confidence``.
    """
    book = codebook_or_default(codebook)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    if reasons.empty:
        raise CannotEstimate("no_cases", "no case was closed", what="closed cases")
    data = reasons.merge(status[["case_id", *keys]], on="case_id")
    codes = book.codes("closure_reason")
    if (data["closure_reason"] == "unknown").any():
        codes = [*codes, "unknown"]
    data["closure_reason"] = pd.Categorical(data["closure_reason"], categories=codes)
    data["stage"] = pd.Categorical(data["stage"], categories=STAGES, ordered=True)
    counts = (
        data.groupby([*keys, "stage"], observed=True)["closure_reason"]
        .value_counts(sort=False)
        .rename("cases")
        .reset_index()
    )
    counts["n_closed"] = counts.groupby([*keys, "stage"], observed=True)["cases"].transform("sum")
    counts["closure_reason"] = counts["closure_reason"].astype("string")
    return add_proportion(counts, "cases", "n_closed", confidence, method)


def document_codes(
    codings: pd.DataFrame,
    documents: pd.DataFrame,
    doc_types: Sequence[str],
    *,
    rule: str = "majority",
) -> pd.DataFrame:
    """Each case's codes as coded on its documents of ``doc_types`` only.

    :func:`cape_study.stats.barriers.case_codes` restricted to units that are documents
    of those types (a case has a code when any such document has it); cases none of
    whose documents of those types was coded are absent.
    """
    chosen = documents.loc[
        documents["doc_type"].astype("string").isin(list(doc_types)), "doc_id"
    ].astype("string")
    mine = codings[codings["unit_id"].astype("string").isin(set(chosen))]
    if mine.empty:
        raise CannotEstimate(
            "no_codings",
            f"no document of type {', '.join(doc_types)} was coded",
            scheme="",
        )
    return case_codes(mine, documents, rule=rule)


def stage_prevalence(
    codes: pd.DataFrame,
    groups: pd.Series,
    status: pd.DataFrame,
    by: str | Sequence[str] | None = "country",
    *,
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """Share of coded cases with each code, within each group of cases.

    Parameters
    ----------
    codes
        :func:`document_codes` for one document type.
    groups
        A group per ``case_id`` (a stage of drop-out, an outcome); cases without one
        are left out.
    status
        :func:`cape_study.stats.attrition.case_status` with the ``by`` columns.

    Returns
    -------
    DataFrame
        Tidy: the ``by`` columns, ``group``, ``scheme``, ``code``, ``n_cases`` (cases
        of the group coded for the scheme), ``present``, ``proportion``, ``ci_low``,
        ``ci_high``, ``ci_method``, ``confidence``.
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    group = groups.dropna().astype("string")
    data = codes.assign(group=codes["case_id"].astype("string").map(group)).dropna(subset=["group"])
    if data.empty:
        raise CannotEstimate("no_codings", "no case of these groups was coded", scheme="")
    facts = status[["case_id", *keys]].assign(case_id=status["case_id"].astype("string"))
    data = data.merge(facts, on="case_id")
    cells = [*keys, "group", "scheme"]
    counts = (
        data.groupby([*cells, "code"], observed=True, sort=False)["present"]
        .agg(present="sum")
        .reset_index()
    )
    coded = data.groupby(cells, observed=True)["case_id"].nunique().rename("n_cases")
    table = counts.merge(coded.reset_index(), on=cells)
    table["present"] = table["present"].astype(int)
    table = table[[*cells, "code", "n_cases", "present"]]
    return add_proportion(table, "present", "n_cases", confidence, method)
