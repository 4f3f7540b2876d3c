"""The funnel: the cases reaching each stage and final outcome, and its disclosure control.

:func:`funnel` counts the cases reaching each stage and final outcome (the rules of
:mod:`cape_study.stats.case_status`), as shares of the cases reported with confidence
intervals from :func:`cape_study.stats.proportions.proportion_ci`; a step a country's law
lacks is not applicable there, never 0 %. :func:`suppress_funnel` readies it for
publication.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.privacy.disclosure import ANY, HIDDEN, Disclosure, suppress_part
from cape_study.privacy.linked import Dimension
from cape_study.stats.case_status import (
    CONVICTED,
    FAMILIES,
    OUTCOME_ORDER,
    STAGE_ORDER,
)
from cape_study.stats.course import course_dimension
from cape_study.stats.proportions import add_proportion

__all__ = ["COURSE", "funnel", "shield_funnel", "suppress_funnel"]

#: The dimension ``stage`` of linked tables: a case's course (:mod:`cape_study.stats.course`).
COURSE = course_dimension(STAGE_ORDER, OUTCOME_ORDER, CONVICTED)

#: The columns of :func:`funnel` other than its grouping columns.
_FUNNEL_COLUMNS = {
    "applicable",
    "stage",
    "level",
    "n_cases",
    "reached",
    "proportion",
    "ci_low",
    "ci_high",
    "ci_method",
    "confidence",
}


def funnel(
    status: pd.DataFrame,
    by: str | Sequence[str] | None = "country",
    confidence: float = 0.95,
    method: str = "wilson",
    *,
    steps: Sequence[str] | None = None,
    overall: bool = False,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The funnel: how many cases reached each step, as a share of all cases reported.

    A step is a stage (the cases with ``reached_<stage>``) or a final outcome (the
    cases whose ``outcome`` is that code: the best over their suspects, see
    :func:`case_status`). Every share has the same denominator, all cases reported in
    the group, so the outcome steps split the judged cases. Cases still open at the
    data cut-off count in the denominator; for recent report years the shares are
    therefore lower bounds of what those cases will reach.

    Parameters
    ----------
    status
        The output of :func:`case_status`, possibly with further columns to split by.
    by
        Column(s) to split by (default ``country``), or ``None`` for all cases.
    confidence, method
        Passed to :func:`cape_study.stats.proportions.proportion_ci`.
    steps
        Stages and outcome codes, in order (for example :data:`FUNNEL_STEPS`). Default:
        every ``reached_<stage>`` column, then the outcomes if ``status`` has them.
    overall
        Also give the funnel over every group of the last ``by`` column, marked
        ``"all"`` in it (all cases for one column; a country's total when split by
        country and sector).
    codebook
        Says which outcomes and offences a country's law has (default: the packaged one).

    Returns
    -------
    DataFrame
        Tidy: the ``by`` columns, ``stage`` (the step, ordered categorical), ``level``
        (``stage`` or ``outcome``), ``n_cases`` (the denominator), ``reached``,
        ``proportion``, ``ci_low``, ``ci_high``, ``ci_method``, ``confidence`` and
        ``applicable``: false where the step (an outcome) or the group (an offence or
        offence family) does not exist in the group's country's law
        (:meth:`Codebook.applies_in`); there ``reached`` and the share are missing, a
        step that cannot happen, never 0 %.
    """
    book = codebook_or_default(codebook)
    stages = [c.removeprefix("reached_") for c in status.columns if c.startswith("reached_")]
    if steps is None:
        steps = stages + (OUTCOME_ORDER if "outcome" in status else [])
    unknown = [s for s in steps if s not in stages and s not in OUTCOME_ORDER]
    if unknown:
        raise ValueError(
            f"unknown funnel step(s) {unknown}; known: stages {stages}, outcomes {OUTCOME_ORDER}"
        )
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    if overall and not keys:
        raise ValueError("overall=True needs a column to split by")
    groups = list(status.groupby(keys, observed=True)) if keys else [((), status)]
    if overall:
        parents = status.groupby(keys[:-1], observed=True) if keys[:-1] else [((), status)]
        totals = [((*(k if isinstance(k, tuple) else (k,)), "all"), g) for k, g in parents]
        groups = totals + groups
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        outcome = group["outcome"] if "outcome" in group else pd.Series(dtype="string")
        for step in steps:
            stage = step in stages
            hit = group[f"reached_{step}"] if stage else outcome.eq(step).fillna(False)
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "stage": step,
                    "level": "stage" if stage else "outcome",
                    "n_cases": len(group),
                    "reached": int(hit.sum()),
                }
            )
    table = pd.DataFrame(rows)
    if overall:
        if keys[:-1]:
            table = table.sort_values(keys[:-1], kind="stable").reset_index(drop=True)
        table[keys[-1]] = table[keys[-1]].astype("string")
    table["stage"] = pd.Categorical(table["stage"], categories=list(steps), ordered=True)
    table = add_proportion(table, "reached", "n_cases", confidence, method)
    table["applicable"] = _applicable(table, keys, book)
    if not table["applicable"].all():
        table["reached"] = table["reached"].astype("Int64").mask(~table["applicable"])
        table.loc[~table["applicable"], ["proportion", "ci_low", "ci_high"]] = float("nan")
    return table


#: Grouping columns of a funnel that hold offence codes or offence families.
_OFFENCE_GROUPS = {
    "offence_reported": "offence",
    "offence": "offence",
    "reported_offence": "offence",
    "charged_offence": "offence",
    "reported": "offence_family",
    "charged": "offence_family",
    "offence_family": "offence_family",
}


def _applicable(table: pd.DataFrame, keys: list[str], book: Codebook) -> pd.Series:
    """Whether each funnel row's step and group exist in its country's law (rows
    without a country, or of the ``"all"`` group, always do)."""
    if "country" not in keys or table.empty:
        return pd.Series(True, index=table.index)
    countries = set(book.codes("country"))
    checks = [("outcome", "stage")]
    checks += [(_OFFENCE_GROUPS[k], k) for k in keys if k in _OFFENCE_GROUPS]
    codes = {scheme: set(book.codes(scheme)) for scheme, _ in checks}
    columns = ["country", *dict.fromkeys(c for _, c in checks)]
    ok = []
    for row in table[columns].itertuples(index=False):
        values = dict(zip(columns, row, strict=True))
        country = str(values["country"])
        ok.append(
            country not in countries
            or all(
                str(values[column]) not in codes[scheme]
                or book.applies_in(scheme, str(values[column]), country)
                for scheme, column in checks
            )
        )
    return pd.Series(ok, index=table.index, dtype=bool)


def suppress_funnel(
    table: pd.DataFrame,
    *,
    threshold: int,
    name: str,
    additive: Sequence[str] = (),
    audit: Disclosure | None = None,
    link: Mapping[str, str] | None = None,
    link_values: Mapping[str, Mapping[str, str]] | None = None,
    unit: str = "cases",
) -> pd.DataFrame:
    """A funnel ready to publish: small counts hidden, and whatever would reveal them.

    :func:`cape_study.privacy.disclosure.suppress` is applied to the stage rows and the outcome
    rows separately (counts ``reached`` with their denominators ``n_cases``; shares and
    intervals hidden with them):

    * along ``additive`` columns, whose groups add up to a total that is published
      elsewhere (the countries to the ``"all"`` group of ``overall=True``, the sectors
      of a country to the country's funnel), secondary suppression protects each line;
    * the final outcomes of a group add up to its judged cases, so they are also a
      line along ``stage``;
    * a group whose number of cases (its ``reported`` count) is hidden, by any rule,
      has its denominator and every share hidden too, since a count over a share
      would give it back;
    * a step that is not applicable (``applicable`` false: no such offence in the
      country's law) is no count, left out of every line and never hidden.

    Parameters
    ----------
    table
        The output of :func:`funnel`, with a ``reported`` step.
    threshold, name
        As for :func:`cape_study.privacy.disclosure.suppress` (``name`` for the audit).
    additive
        Grouping columns along which counts add up to a published total.
    audit
        Where to record what was hidden, under ``name`` (all parts together).
    link
        With ``audit``: the grouping columns' dimensions (``{"country": "country",
        "period": "year"}``); the stage and outcome rows are then protected against, and
        linked with, the report's other tables (:meth:`Disclosure.link`; the stage is a
        case's course, :data:`COURSE`: a case at one stage reached the ones before), and
        a group whose ``reported`` count that hides loses its denominator and shares as
        above.
    link_values
        How the values of a grouping column read in its dimension, where they differ
        (``{"side": {"before": "–2018-06-30", "after": "2018-07-01–"}}``).
    unit
        What the funnel counts (``cases``; ``victims`` for a funnel of victims, whose
        steps are then not stages: each step but the first becomes a dimension).

    Returns
    -------
    DataFrame
        The funnel with hidden cells missing and a ``suppressed`` column, in the order
        of ``table``.
    """
    groups = [c for c in table.columns if c not in _FUNNEL_COLUMNS]
    shares = ["proportion", "ci_low", "ci_high"]
    outcome = table["level"] == "outcome"
    label = [*groups, "stage"]
    # a step a country's law lacks is no count: nothing to hide, no part of a line
    applicable = table["applicable"] if "applicable" in table else pd.Series(True, table.index)
    lacking = table[~applicable].assign(suppressed=False)
    parts, records = ([lacking] if len(lacking) else []), []
    for rows, keys in (
        (~outcome & applicable, list(additive)),
        (outcome & applicable, [*additive, "stage"]),
    ):
        # A line holds the cells that differ only in one of ``keys``: fix the rest.
        fixed = [c for c in [*groups, "stage"] if c not in keys]
        if not keys:
            fixed = []
        subsets = table[rows].groupby(fixed, observed=True, sort=False) if fixed else None
        for part in [g for _, g in subsets] if fixed else [table[rows]]:
            if len(part):
                safe = suppress_part(
                    part,
                    "reached",
                    records,
                    total="n_cases",
                    threshold=threshold,
                    name=name,
                    keys=keys,
                    derived=shares,
                    label=label,
                )
                parts.append(safe.set_index(part.index))
    out = pd.concat(parts).loc[table.index]
    if audit is not None:
        audit.record(name, records)
        if link is not None:
            rows = out.index[applicable.loc[out.index]]
            columns = ["reached", *shares, "suppressed", HIDDEN]
            linked = audit.link(
                name,
                *_linkable(out.loc[rows], table["reached"], link_values or {}, unit),
                count="reached",
                dims={**link, **_step_dims(out, unit)},
                threshold=threshold,
                dimensions={**_step_dimensions(out, unit), **_group_dimensions(link)},
                derived=shares,
                label=label,
                unit=unit,
                present=_present(table, link, link_values or {}),
            )
            out.loc[rows, columns] = (
                linked[columns].set_axis(rows).astype(out[columns].dtypes.to_dict())
            )
    reported = out[out["stage"] == "reported"]
    hidden = reported.loc[reported["reached"].isna(), groups]
    if len(hidden) and groups:
        key = pd.MultiIndex.from_frame(out[groups].astype("string"))
        gone = key.isin(pd.MultiIndex.from_frame(hidden.astype("string")))
        out.loc[gone, "n_cases"] = pd.NA
        out.loc[gone, shares] = float("nan")
        out.loc[gone, "suppressed"] = True
    return out.reset_index(drop=True)


def shield_funnel(
    table: pd.DataFrame,
    *,
    threshold: int,
    name: str,
    audit: Disclosure,
    link: Mapping[str, str],
    link_values: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Hold up the funnel ``table`` (:func:`funnel`, true counts) in ``audit`` under
    ``name``, every count hidden and unmarked, before the tables that could pin its small
    counts are linked: a table of another step shown before it (intake's cases by year,
    whose small marks bound a period's cases) can pin a count that the funnel, linked
    after it, would hide in vain; held up first, the funnel's small counts are among the
    small hidden cells those tables are protected against (a shield publishes nothing,
    not even a mark). :func:`suppress_funnel` under the same name, with the same
    ``link``, replaces it (as
    :func:`cape_study.stats.dropout_suppression.shield_matrix` does for the drop-out
    counts)."""
    rows = table.index[table["applicable"]] if "applicable" in table else table.index
    shield = table.loc[rows].assign(reached=pd.array([pd.NA] * len(rows), dtype="Int64"))
    shield[HIDDEN] = ANY
    audit.link(
        name,
        *_linkable(shield, table["reached"], link_values or {}, "cases"),
        count="reached",
        dims={**link, **_step_dims(shield, "cases")},
        threshold=threshold,
        dimensions=_step_dimensions(shield, "cases"),
        label=[*(c for c in table.columns if c not in _FUNNEL_COLUMNS), "stage"],
        held=True,
    )


def _linkable(
    out: pd.DataFrame, truth: pd.Series, values: Mapping[str, Mapping[str, str]], unit: str
) -> tuple[pd.DataFrame, pd.Series]:
    """A suppressed funnel as :meth:`Disclosure.link` reads it: grouping values as their
    dimension reads them, and for a funnel of another unit than cases (victims) a column
    per step other than the first, ``yes`` on that step's rows and ``all`` elsewhere."""
    frame = out.assign(**{c: out[c].astype("string").replace(m) for c, m in values.items()})
    for column in _step_dims(out, unit) if unit != "cases" else ():
        frame[column] = np.where(frame["stage"].astype("string") == column, "yes", "all")
    return frame, truth.loc[out.index]


def _present(
    table: pd.DataFrame, link: Mapping[str, str], values: Mapping[str, Mapping[str, str]]
) -> pd.DataFrame:
    """The groups ``table`` (:func:`funnel`, every row) shows, as linked: a group without
    a case has no row (``observed=True``), which a reader reads as 0 cases
    (:meth:`Disclosure.link`'s ``present``). Its rows of a step a country's law lacks
    are among them: such a group has cases, not linked."""
    frame = table[list(link)].astype("string")
    return frame.assign(**{c: frame[c].replace(m) for c, m in values.items() if c in frame})


def _group_dimensions(link: Mapping[str, str]) -> dict[str, Dimension]:
    """The declared dimensions of a funnel's grouping columns: the offence family
    reported is one of :data:`FAMILIES` (as the offence flows declare it), so a family no
    case of a country has is a zero of that country (:func:`_present`)."""
    return {d: _REPORTED for d in link.values() if d == "reported"}


#: The dimension ``reported`` as ``01`` declares it (the offence flows: one class per
#: family).
_REPORTED = Dimension("code", tuple(FAMILIES))


def _step_dims(out: pd.DataFrame, unit: str) -> dict[str, str]:
    if unit == "cases":
        return {"stage": "stage"}
    steps = list(out["stage"].cat.categories)
    # named by the unit: another step's dimension of the same word counts other units
    # (03's ``victim_statement`` is a predictor of cases: no, yes or unknown)
    return {step: f"{unit}:{step}" for step in steps[1:]}


def _step_dimensions(out: pd.DataFrame, unit: str) -> dict[str, Dimension]:
    if unit == "cases":
        return {"stage": COURSE}
    return {dim: Dimension("code", ("no", "yes")) for dim in _step_dims(out, unit).values()}
