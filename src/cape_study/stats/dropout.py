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
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import CannotEstimate
from cape_study.privacy.disclosure import Disclosure, suppress
from cape_study.stats.barriers import case_codes
from cape_study.stats.case_status import CONVICTED
from cape_study.stats.dropout_links import PARTS, link_matrix, link_reasons
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
    "stage_prevalence",
    "suppress_matrix",
    "suppress_reasons",
    "suppress_stage_prevalence",
    "victim_funnel",
]

#: The stages of the drop-out matrix, in order.
STAGES = [
    "reported",
    "investigation_opened",
    "suspect_notified",
    "prosecuted",
    "judgment_first_instance",
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


def _by_line(
    table: pd.DataFrame, fixed: list[str], count: str, *, audit: Disclosure, **options
) -> pd.DataFrame:
    """:func:`cape_study.privacy.disclosure.suppress` on each group of ``fixed`` (one line
    along ``keys`` each), recorded together in ``audit``."""
    parts, records = [], []
    for _, part in table.groupby(fixed, observed=True, sort=False):
        scratch = Disclosure()
        parts.append(suppress(part, count, audit=scratch, **options).set_index(part.index))
        records += scratch.records(options["name"])
    audit.record(options["name"], records)
    return pd.concat(parts).loc[table.index].reset_index(drop=True)


_SHARES = ("proportion", "ci_low", "ci_high")


def _stage_lines(
    table: pd.DataFrame,
    keys: list[str],
    part: str,
    total: str,
    *,
    threshold: int,
    name: str,
    audit: Disclosure,
    derived: Sequence[str] = (),
) -> pd.DataFrame:
    """:func:`_by_line` of a table of ``cases`` split by ``part`` within each group and
    stage, the parts adding up to ``total``."""
    return _by_line(
        table,
        [*keys, "stage"],
        "cases",
        total=total,
        threshold=threshold,
        name=name,
        keys=[part],
        label=[*keys, "stage", part],
        derived=list(derived),
        audit=audit,
    )


def _against_matrix(
    table: pd.DataFrame,
    safe_matrix: pd.DataFrame,
    protect: Callable[[list[str], Disclosure], pd.DataFrame],
    *,
    stage: str,
    counts: list[str],
    name: str,
    audit: Disclosure | None,
) -> pd.DataFrame:
    """A table of the cases at a stage of drop-out ready to publish: ``protect`` (given
    the grouping columns it shares with ``safe_matrix`` and a scratch audit) hides its
    small cells, then every group whose dropped-out count ``safe_matrix`` hides is
    hidden whole (:func:`_hide_stages`); what was hidden is recorded under ``name``."""
    keys = [c for c in table.columns if c in safe_matrix.columns and c not in _NOT_KEYS]
    scratch = Disclosure()
    out = _hide_stages(protect(keys, scratch), safe_matrix, keys, stage, counts)
    if audit is not None:
        audit.record(name, scratch.records(name))
    return out


def _hide_stages(
    table: pd.DataFrame, safe_matrix: pd.DataFrame, keys: list[str], stage: str, counts: list[str]
) -> pd.DataFrame:
    """Hide the rows of every group and stage whose ``dropped_out`` ``safe_matrix`` hides
    (their counts add up to it, or count the same cases)."""
    hidden = _hidden_groups(safe_matrix, [*keys, "stage"], "dropped_out")
    gone = [tuple(map(str, r)) in hidden for r in table[[*keys, stage]].itertuples(index=False)]
    gone = pd.Series(gone, index=table.index)
    out = table.copy()
    shares = [c for c in ("proportion", "ci_low", "ci_high") if c in out]
    out.loc[gone, [*counts, *shares]] = float("nan")
    out.loc[gone, "suppressed"] = True
    return out


def _small(values: pd.Series, threshold: int) -> pd.Series:
    return ((values > 0) & (values < threshold)).fillna(False)


def _hidden_groups(table: pd.DataFrame, keys: list[str], column: str) -> set[tuple]:
    rows = table[table[column].isna()]
    return {tuple(str(v) for v in r) for r in rows[keys].itertuples(index=False)}


def suppress_matrix(
    table: pd.DataFrame,
    funnel: pd.DataFrame,
    *,
    threshold: int,
    name: str,
    audit: Disclosure | None = None,
    link: Mapping[str, str] | None = None,
    link_values: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """The drop-out matrix ready to publish, consistent with the published funnel.

    ``at_stage`` and ``moved_on`` are counts the funnel publishes (cases reaching a stage
    and the next), so the cases that did not move on are known too, and the two parts
    they split into, ``dropped_out`` and ``still_open``, are protected as a line
    (:func:`cape_study.privacy.disclosure.suppress` with that total: a small part hides
    the other). A stage whose count, or whose next stage's count, the suppressed
    ``funnel`` hides is hidden whole here.

    Parameters
    ----------
    table
        :func:`matrix` split by ``country`` (and any further columns).
    funnel
        :func:`cape_study.stats.attrition.suppress_funnel` of the funnel split by the
        same columns.
    link, link_values
        With ``audit``: as for :func:`cape_study.stats.attrition.suppress_funnel`; every
        count (cases at a stage, moving on, dropping out, still open: sets of courses,
        :mod:`cape_study.stats.course`) is then protected against, and linked with, the
        report's other tables.

    Returns
    -------
    DataFrame
        ``table`` with hidden counts and shares missing and a ``suppressed`` column.
    """
    keys = [c for c in table.columns if c not in _NOT_KEYS and c in funnel]
    ended = list(PARTS[1:])
    long = table.assign(not_moved=table["at_stage"] - table["moved_on"]).melt(
        id_vars=[*keys, "stage", "not_moved"],
        value_vars=ended,
        var_name="part",
        value_name="cases",
    )
    scratch = Disclosure()
    safe = _stage_lines(
        long, keys, "part", "not_moved", threshold=threshold, name=name, audit=scratch
    )
    wide = safe.pivot_table(
        index=[*keys, "stage"],
        columns="part",
        values="cases",
        aggfunc="first",
        observed=True,
        dropna=False,
    )
    out = table.copy()
    index = pd.MultiIndex.from_frame(out[[*keys, "stage"]])
    for part in ended:
        out[part] = wide[part].reindex(index).to_numpy(dtype=float)
    reached = funnel[funnel["level"] == "stage"] if "level" in funnel else funnel
    hidden = _hidden_groups(reached, [*keys, "stage"], "reached")
    nxt = dict(itertools.pairwise(STAGES))
    gone = [
        (*map(str, k), str(s)) in hidden
        or (str(s) in nxt and (*map(str, k), nxt[str(s)]) in hidden)
        for k, s in zip(out[keys].itertuples(index=False), out["stage"], strict=True)
    ]
    gone = pd.Series(gone, index=out.index)
    # The funnel does not publish the convictions after a judgment as one count: the last
    # stage's moved_on is new here, hidden when it or its complement is small.
    last = (out["stage"] == STAGES[-1]).to_numpy()
    rest = out["at_stage"] - out["moved_on"]
    convictions = last & (_small(out["moved_on"], threshold) | _small(rest, threshold)).to_numpy()
    out.loc[convictions, "moved_on"] = float("nan")
    out.loc[gone, [*PARTS, "at_stage"]] = float("nan")
    shares = ["proportion", "ci_low", "ci_high"]
    out["suppressed"] = out[[*PARTS, "at_stage"]].isna().any(axis=1)
    out.loc[out["moved_on"].isna() | out["at_stage"].isna(), shares] = float("nan")
    records = scratch.records(name)
    for i in out.index[gone.to_numpy() | convictions]:
        cell = {c: str(out.at[i, c]) for c in [*keys, "stage"]}
        column, why = ("at_stage", "hidden in the funnel") if gone[i] else ("moved_on", "primary")
        records.append(
            {"table": name, "cell": cell, "column": column, "reason": why, "threshold": threshold}
        )
    if audit is not None:
        audit.record(name, records)
        if link is not None:
            out = link_matrix(out, table, keys, audit, name, threshold, link, link_values or {})
    return out


def suppress_stage_prevalence(
    table: pd.DataFrame,
    safe_matrix: pd.DataFrame,
    *,
    threshold: int,
    name: str,
    audit: Disclosure | None = None,
) -> pd.DataFrame:
    """:func:`stage_prevalence` by stage of drop-out ready to publish: each code's count
    and its complement protected against the coded cases of its group, and a group whose
    dropped-out count ``safe_matrix`` hides hidden whole (its coded cases may be those)."""
    return _against_matrix(
        table,
        safe_matrix,
        lambda keys, scratch: suppress(
            table,
            "present",
            total="n_cases",
            threshold=threshold,
            name=name,
            derived=list(_SHARES),
            label=[*keys, "group", "scheme", "code"],
            audit=scratch,
        ),
        stage="group",
        counts=["present", "n_cases"],
        name=name,
        audit=audit,
    )


def suppress_reasons(
    table: pd.DataFrame,
    safe_matrix: pd.DataFrame,
    *,
    threshold: int,
    name: str,
    audit: Disclosure | None = None,
    link: Mapping[str, str] | None = None,
    link_values: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Closure reasons ready to publish: the reasons of a stage add up to the cases closed
    there, a line protected by secondary suppression; a stage whose dropped-out count
    ``safe_matrix`` hides (:func:`suppress_matrix`) is hidden whole. With ``audit`` and
    ``link`` (as for :func:`suppress_matrix`), each reason's count (cases closed at the
    stage with that reason; a dimension ``closure_reason`` whose class ``none`` holds
    the cases not closed) is protected against, and linked with, the report's other
    tables."""
    out = _against_matrix(
        table,
        safe_matrix,
        lambda keys, scratch: _stage_lines(
            table,
            keys,
            "closure_reason",
            "n_closed",
            threshold=threshold,
            name=name,
            audit=scratch,
            derived=_SHARES,
        ),
        stage="stage",
        counts=["cases", "n_closed"],
        name=name,
        audit=audit,
    )
    if audit is not None and link is not None:
        keys = [c for c in table.columns if c in safe_matrix.columns and c not in _NOT_KEYS]
        out = link_reasons(out, table, keys, audit, name, threshold, link, link_values or {})
    return out


_NOT_KEYS = {
    *PARTS,
    "implied",
    "stage",
    "at_stage",
    "proportion",
    "ci_low",
    "ci_high",
    "ci_method",
    "confidence",
    "suppressed",
}
