"""The drop-out tables of :mod:`cape_study.stats.dropout` ready to publish: the matrix
consistent with the published funnel, the closure reasons and the barriers at drop-out
protected against it (:func:`cape_study.privacy.disclosure.suppress`), and, with an
audit and a link, against the report's other tables (:mod:`cape_study.stats.dropout_links`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from cape_study.privacy.disclosure import Disclosure, suppress, suppress_part
from cape_study.stats.dropout_links import PARTS, STAGES, link_matrix, link_reasons

__all__ = ["suppress_matrix", "suppress_reasons", "suppress_stage_prevalence"]


def _by_line(
    table: pd.DataFrame, fixed: list[str], count: str, *, audit: Disclosure, **options
) -> pd.DataFrame:
    """:func:`cape_study.privacy.disclosure.suppress` on each group of ``fixed`` (one line
    along ``keys`` each), recorded together in ``audit``."""
    parts, records = [], []
    for _, part in table.groupby(fixed, observed=True, sort=False):
        parts.append(suppress_part(part, count, records, **options).set_index(part.index))
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
        :func:`cape_study.stats.dropout.matrix` split by ``country`` (and any further columns).
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
    """:func:`cape_study.stats.dropout.stage_prevalence` by stage of drop-out ready to
    publish: each code's count and its complement protected against the coded cases of its
    group, and a group whose dropped-out count ``safe_matrix`` hides hidden whole (its
    coded cases may be those)."""
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


def shield_matrix(
    table: pd.DataFrame,
    *,
    threshold: int,
    name: str,
    audit: Disclosure,
    link: Mapping[str, str],
    link_values: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Hold up the drop-out matrix ``table`` (:func:`cape_study.stats.dropout.matrix`,
    true counts) in ``audit`` under ``name``, every cell hidden, before the funnel it
    derives from is linked: a funnel published whole can pin a small drop-out count (10
    reported and 9 investigated leave 1 closed at report) that the matrix, linked after
    it, would hide in vain; held up first, the drop-out counts are among the small hidden
    cells the funnel is protected against. :func:`suppress_matrix` under the same name
    replaces it."""
    keys = [c for c in table.columns if c not in _NOT_KEYS and c in link]
    link_matrix(table, table, keys, audit, name, threshold, link, link_values or {}, shield=True)
