"""Where cases drop out: each case's stages, outcome, end and offences, and the funnel.

A case file records events per case and, from notification on, per suspect. The
functions here derive case-level facts from those rows by documented rules:

* a case **reached** a stage when any of its rows (any suspect, or the whole case)
  is at that stage or a later one (``reached prosecution`` = any suspect prosecuted);
* its **outcome** is the best final-instance result over its suspects, in the order
  conviction for trafficking > for människoexploatering > for another offence >
  acquittal, where a suspect's final result is the one of the highest court that
  judged them (so a conviction reversed on appeal and restored by the supreme court
  counts as a conviction);
* it is **reclassified** as the codebook defines it (``definitions.reclassification``,
  :func:`reclassified`): a defendant's final conviction is for an offence of a lower
  family than the case's heaviest charge, with no conviction in that family, and not
  for a principal charge of its own;
* an outcome ``not_tried`` (an alternative charge left undecided) is no result; a
  suspect whose final-instance rows are all ``unknown`` has the outcome ``unknown``,
  which is never read as an acquittal;
* a row with the outcome ``pending`` (the charging decision or the judgment not yet
  taken, e.g. an appeal not yet decided) does not reach its stage: it counts as the
  stage before it (a trial pending was charged; an appeal pending had its
  first-instance judgment). A suspect whose highest rows are ``pending`` has the
  outcome ``pending``, never the lower court's result nor an acquittal, and a case
  whose best outcome is ``pending`` ends ``pending``, neither closed nor open;
* it is **closed** when its closure rows cover the whole case: a closure of the whole
  case (blank ``suspect_id``), or a closure for every suspect named in its rows; it
  was closed on the date of its last closure row, unless a later row of another stage
  shows that it was reopened (then it is not closed);
* it is **open** (censored at the data cut-off) when it is neither closed nor judged.

:func:`event_times` turns these rules into the time from report to the first of
prosecution or closure, censored at the data cut-off, for the estimators of
:mod:`cape_study.stats.survival` and for Cox regression. :func:`funnel` counts the cases
reaching each stage and final outcome, as shares of the cases reported with confidence
intervals from :func:`cape_study.stats.proportions.proportion_ci`, and
:func:`suppress_funnel` readies it for publication. :func:`offence_paths` follows each
case's offence family from report to charge to judgment, and :func:`flow_table`
counts the paths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import CannotEstimate, CaseFileError
from cape_study.privacy.disclosure import HIDDEN, Disclosure, suppress
from cape_study.privacy.linked import Dimension
from cape_study.stats.proportions import add_proportion

__all__ = [
    "EVENT_CODES",
    "FAMILIES",
    "FUNNEL_STEPS",
    "OUTCOME_ORDER",
    "PATH_CATEGORIES",
    "PENDING",
    "case_status",
    "day_precise_times",
    "event_times",
    "flow_table",
    "funnel",
    "observed_steps",
    "offence_paths",
    "reclassified",
    "report_period",
    "suppress_funnel",
]

#: Best outcome first; ``pending`` (a decision not yet taken) and ``unknown`` (a
#: judgment whose outcome the source does not give) only when a case has no known outcome.
OUTCOME_ORDER = [
    "convicted_trafficking",
    "convicted_exploitation",
    "convicted_other",
    "acquitted",
    "pending",
    "unknown",
]
#: The outcome of a row whose decision (charge or judgment) had not been taken.
PENDING = "pending"
#: Outcome codes that are no result for the defendant (an alternative charge not tried).
NO_RESULT = ("not_tried",)
#: How :func:`event_times` codes a case's end (0 = censored, as lifelines expects).
EVENT_CODES = {"censored": 0, "prosecuted": 1, "closed": 2}
#: The stages in the order a case reaches them (each one reached reached those before).
STAGE_ORDER = [
    "reported",
    "investigation_opened",
    "suspect_notified",
    "prosecuted",
    "judgment_first_instance",
]
#: The funnel the report shows: stages up to a first-instance judgment, then outcomes.
FUNNEL_STEPS = [*STAGE_ORDER, *OUTCOME_ORDER]
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
#: Offence families (the codebook's scheme ``offence_family``), most serious first.
FAMILIES = ["trafficking", "exploitation", "work_environment", "economic", "other"]
#: The categories of each step of :func:`offence_paths`.
PATH_CATEGORIES = {
    "reported": FAMILIES,
    "charged": [*FAMILIES, "not_prosecuted"],
    "judged": [*OUTCOME_ORDER, "not_judged", "not_prosecuted"],
}


def case_status(
    cases: pd.DataFrame, events: pd.DataFrame, codebook: Codebook | None = None
) -> pd.DataFrame:
    """One row per case: furthest stage, stages reached, outcome, and whether it is open.

    Parameters
    ----------
    cases, events
        The tables of a :class:`~cape_study.data.loaders.CaseFile`.
    codebook
        Supplies the stage order and offence families (default: the packaged one).

    Returns
    -------
    DataFrame
        ``case_id``, ``country``, ``report_date``, ``furthest_stage``, one boolean
        column ``reached_<stage>`` per ranked stage, ``closed`` (closure rows cover the
        whole case, see the module's rules), ``outcome`` (missing unless judged),
        ``reclassified``, ``open``, and ``end``: the outcome if judged, else ``closed``
        or ``open``.
    """
    book = codebook_or_default(codebook)
    stages = book.scheme("stage").ranked_codes
    rank = {s: i for i, s in enumerate(stages)}
    ev = events.assign(
        stage=events["stage"].astype("string"),
        offence=events["offence"].astype("string"),
        outcome=events["outcome"].astype("string"),
    )
    ev["rank"] = ev["stage"].map(rank)
    furthest = _reached_rank(ev).dropna().groupby(ev["case_id"]).max()
    out = cases[["case_id", "country", "report_date"]].copy()
    out["country"] = out["country"].astype("string")
    # Every case was reported, even if its file has no 'reported' event row.
    best = out["case_id"].map(furthest).fillna(0).astype(int)
    out["furthest_stage"] = pd.Categorical(
        [stages[r] for r in best], categories=stages, ordered=True
    )
    for stage, r in rank.items():
        out[f"reached_{stage}"] = best >= r
    out["closed"] = out["case_id"].isin(_closure_dates(ev).index)
    out["outcome"] = out["case_id"].map(_final_outcome(ev)).astype("string")
    out["reclassified"] = out["case_id"].isin(reclassified(cases, events, book))
    out["open"] = ~out["closed"] & out["outcome"].isna()
    out["end"] = out["outcome"].fillna(out["open"].map({True: "open", False: "closed"}))
    return out.reset_index(drop=True)


def _reached_rank(ev: pd.DataFrame) -> pd.Series:
    """The rank of the stage each row shows reached: its own, or the one before for a
    row whose decision is ``pending`` (``ev`` has ``outcome`` as strings and ``rank``)."""
    pending = (ev["outcome"] == PENDING).fillna(False).to_numpy(bool)
    return ev["rank"].where(~pending, ev["rank"] - 1)


def _closure_dates(ev: pd.DataFrame) -> pd.Series:
    """The date each closed case was closed (see the module's rules), by case_id.

    ``ev`` is an events table with ``stage`` as strings.
    """
    part = ev["suspect_id"].astype("string").fillna("")
    is_closure = ev["stage"] == "closed"
    closures = ev[is_closure].assign(part=part[is_closure])
    if closures.empty:
        return pd.Series(dtype="datetime64[ns]")
    last = closures.groupby("case_id")["date"].max()
    whole = set(closures.loc[closures["part"] == "", "case_id"])
    named = ev.assign(part=part)[part != ""].groupby("case_id")["part"].agg(set)
    closed_parts = closures[closures["part"] != ""].groupby("case_id")["part"].agg(set)
    every = {c for c, parts in named.items() if c in closed_parts and parts <= closed_parts[c]}
    covered = last[last.index.isin(whole | every)]
    latest_other = ev[~is_closure].groupby("case_id")["date"].max()
    reopened = latest_other.reindex(covered.index) > covered
    return covered[~reopened]


def _final_rows(ev: pd.DataFrame) -> pd.DataFrame:
    """Each suspect's rows at the highest instance that judged them (a result, not
    ``not_tried``); ``ev`` has ``stage`` and ``outcome`` as strings and ``rank``."""
    judged = ev[ev["outcome"].notna() & ~ev["outcome"].isin(NO_RESULT)].copy()
    judged["suspect"] = judged["suspect_id"].astype("string").fillna("(case)")
    top = judged.groupby(["case_id", "suspect"])["rank"].transform("max")
    return judged[judged["rank"] == top]


def _final_outcome(ev: pd.DataFrame) -> pd.Series:
    """Best outcome per case over its suspects' final-instance judgments."""
    final = _final_rows(ev)
    if final.empty:
        return pd.Series(dtype="string")
    order = {o: i for i, o in enumerate(OUTCOME_ORDER)}
    best = final.assign(order=final["outcome"].map(order)).groupby("case_id")["order"].min()
    return best.map(dict(enumerate(OUTCOME_ORDER)))


def observed_steps(
    steps: Sequence[str], sampling_frame: str = "police_reports", codebook: Codebook | None = None
) -> list[str]:
    """The funnel steps a sample of ``sampling_frame`` can show as shares: ``steps``
    without the stages its selection implies (scheme ``sampling_frame``, attribute
    ``implies``). A judgment sample shows no share of reports reaching prosecution."""
    book = codebook_or_default(codebook)
    frame = book.scheme("sampling_frame").get(sampling_frame)
    observed = [s for s in steps if s not in frame.implies]
    if not observed:
        raise CannotEstimate(
            "sampling_frame",
            f"a sample of {sampling_frame} reached every one of these stages by selection",
            frame=frame.label("en").lower(),
            implied=book.label("stage", frame.implies[-1], "en").lower(),
            frame_code=sampling_frame,
            implied_code=frame.implies[-1],
        )
    return observed


def reclassified(
    cases: pd.DataFrame, events: pd.DataFrame, codebook: Codebook | None = None
) -> set[str]:
    """The cases reclassified, by the codebook's definition (``definitions.reclassification``).

    A case's heaviest family is the most serious offence family (the order of scheme
    ``offence_family``) among its charges: its rows at stage ``prosecuted``, or, for a
    case without such rows (a judgment sample), its first-instance judgment rows; a
    case charged with nothing takes the family of ``offence_reported``. The case is
    reclassified when some defendant's final-instance rows (:func:`case_status`'s rule)
    convict of an offence of a lower family, convict of nothing in the heaviest family,
    and the convicting offence was not charged to that defendant as a principal
    charge (a row at the charging stage with ``alternative`` not true): it was charged
    in the alternative, or not charged at all.
    """
    book = codebook_or_default(codebook)
    rank = {f: i for i, f in enumerate(book.codes("offence_family"))}
    family_rank = {c.code: rank[c.family] for c in book.scheme("offence").codes if c.family}
    stages = book.scheme("stage").ranked_codes
    ev = events.assign(
        stage=events["stage"].astype("string"),
        offence=events["offence"].astype("string"),
        outcome=events["outcome"].astype("string"),
        suspect=events["suspect_id"].astype("string").fillna("(case)"),
        principal=~events["alternative"].astype("boolean").fillna(False).astype(bool),
    )
    ev["rank"] = ev["stage"].map({s: i for i, s in enumerate(stages)})
    ev["family_rank"] = ev["offence"].map(family_rank)
    charges = ev[(ev["stage"] == "prosecuted") & ev["offence"].notna()]
    judged_only = ev[
        (ev["stage"] == "judgment_first_instance")
        & ev["offence"].notna()
        & ~ev["case_id"].isin(charges["case_id"])
    ]
    if len(judged_only):
        charges = pd.concat([charges, judged_only]) if len(charges) else judged_only
    reported = cases.set_index("case_id")["offence_reported"].astype("string").map(family_rank)
    heaviest = charges.groupby("case_id")["family_rank"].min().combine_first(reported)
    named = charges.loc[charges["principal"], ["case_id", "suspect", "offence"]]
    principal = set(named.itertuples(index=False, name=None))
    final = _final_rows(ev)
    convictions = final[final["outcome"].str.startswith("convicted")].assign(
        heaviest=lambda d: d["case_id"].map(heaviest)
    )
    found = set()
    for (case, suspect), rows in convictions.groupby(["case_id", "suspect"]):
        if (rows["family_rank"] == rows["heaviest"]).any():
            continue
        lower = rows[rows["family_rank"] > rows["heaviest"]]
        if any((case, suspect, o) not in principal for o in lower["offence"]):
            found.add(case)
    return found


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
        "period": "year"}``); the stage rows are then protected against, and linked
        with, the report's other tables (:meth:`Disclosure.link`; the stage is a nested
        dimension, a case at one stage having reached the ones before), and a group whose
        ``reported`` count that hides loses its denominator and shares as above.

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
                scratch = Disclosure()
                safe = suppress(
                    part,
                    "reached",
                    total="n_cases",
                    threshold=threshold,
                    name=name,
                    keys=keys,
                    derived=shares,
                    label=label,
                    audit=scratch,
                )
                records += scratch.records(name)
                parts.append(safe.set_index(part.index))
    out = pd.concat(parts).loc[table.index]
    if audit is not None:
        audit.record(name, records)
        if link is not None:
            rows = out.index[~outcome.loc[out.index] & applicable.loc[out.index]]
            linked = audit.link(
                name,
                out.loc[rows],
                table.loc[rows, "reached"],
                count="reached",
                dims={**link, "stage": "stage"},
                threshold=threshold,
                dimensions={"stage": Dimension("nested", tuple(STAGE_ORDER))},
                derived=shares,
                label=label,
            )
            out.loc[rows, ["reached", *shares, "suppressed", HIDDEN]] = linked[
                ["reached", *shares, "suppressed", HIDDEN]
            ].to_numpy()
    reported = out[out["stage"] == "reported"]
    hidden = reported.loc[reported["reached"].isna(), groups]
    if len(hidden) and groups:
        key = pd.MultiIndex.from_frame(out[groups].astype("string"))
        gone = key.isin(pd.MultiIndex.from_frame(hidden.astype("string")))
        out.loc[gone, "n_cases"] = pd.NA
        out.loc[gone, shares] = float("nan")
        out.loc[gone, "suppressed"] = True
    return out.reset_index(drop=True)


def report_period(
    dates: pd.Series, years: int, *, last: int | None = None, breaks: Sequence[int] = ()
) -> pd.Series:
    """Group report dates into periods of ``years`` calendar years.

    Periods are counted back from the year ``last`` (default: the latest year in
    ``dates``), so that the most recent period is complete and only the oldest may be
    shorter; each is labelled by its first and last year (``"2021-2024"``, with an en
    dash) or by its one year. Each year of ``breaks`` (the years of legal changes,
    :func:`cape_study.stats.legal.break_years`) starts a period: periods are counted
    back within each stretch between breaks, so no period straddles a change's year.

    Returns
    -------
    Series
        An ordered categorical aligned with ``dates``, oldest period first.
    """
    if years < 1:
        raise ValueError(f"a period is at least one year, not {years}")
    year = pd.to_datetime(dates).dt.year
    last = int(year.max()) if last is None else last
    first = int(year.min())
    starts = sorted({b for b in breaks if first < b <= last})
    ends = []
    for lo, hi in zip([first, *starts], [*(b - 1 for b in starts), last], strict=True):
        ends += list(range(hi, lo - 1, -years))
    ends = sorted(ends)
    labels = {}
    for end in ends:
        floor = max([first, *(b for b in starts if b <= end)])
        start = max(end - years + 1, floor)
        name = str(end) if start == end else f"{start}\u2013{end}"
        labels.update({y: name for y in range(start, end + 1)})
    order = list(dict.fromkeys(labels[y] for y in sorted(labels)))
    return pd.Series(
        pd.Categorical(year.map(labels), categories=order, ordered=True), index=dates.index
    )


def offence_paths(
    cases: pd.DataFrame, events: pd.DataFrame, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Each case's offence as reported, as charged and as judged, by offence family.

    * **reported**: the family (trafficking, exploitation, other) of
      ``cases.offence_reported``;
    * **charged**: the family of the case's principal charge, the most serious
      offence charged to any suspect at prosecution, preferring charges that are not
      in the alternative (rows at stage ``prosecuted``; if the case has none, its
      first-instance judgment rows); ``not_prosecuted`` if never charged;
    * **judged**: the case's final outcome (:func:`case_status`), ``not_judged`` if
      charged but not (yet) judged, ``not_prosecuted`` otherwise.

    Returns
    -------
    DataFrame
        ``case_id``, ``country``, ``reported_offence``, ``charged_offence`` (codes),
        ``reported``, ``charged`` and ``judged``: ordered categoricals with the
        categories of :data:`PATH_CATEGORIES`.
    """
    book = codebook_or_default(codebook)
    family = {c.code: c.family for c in book.scheme("offence").codes}
    order = {code: i for i, code in enumerate(book.codes("offence"))}
    ev = events.assign(
        stage=events["stage"].astype("string"), offence=events["offence"].astype("string")
    )
    charges = ev[(ev["stage"] == "prosecuted") & ev["offence"].notna()]
    judged_only = ev[
        (ev["stage"] == "judgment_first_instance")
        & ev["offence"].notna()
        & ~ev["case_id"].isin(charges["case_id"])
    ]
    charges = pd.concat([charges, judged_only])
    charges = charges.assign(
        _alt=charges["alternative"].fillna(False).astype(bool),
        _family=charges["offence"].map(family).map(FAMILIES.index),
        _order=charges["offence"].map(order),
    ).sort_values(["case_id", "_alt", "_family", "_order"])
    principal = charges.groupby("case_id")["offence"].first()
    status = case_status(cases, events, book).set_index("case_id")
    out = cases[["case_id", "country"]].copy()
    out["country"] = out["country"].astype("string")
    out["reported_offence"] = cases["offence_reported"].astype("string")
    out["charged_offence"] = out["case_id"].map(principal).astype("string")
    charged = out["charged_offence"].map(family).fillna("not_prosecuted")
    outcome = out["case_id"].map(status["outcome"]).astype("string")
    judged = outcome.fillna(
        charged.map(lambda f: "not_prosecuted" if f == "not_prosecuted" else "not_judged")
    )
    for column, values in (
        ("reported", out["reported_offence"].map(family)),
        ("charged", charged),
        ("judged", judged),
    ):
        out[column] = pd.Categorical(values, categories=PATH_CATEGORIES[column], ordered=True)
    return out.reset_index(drop=True)


def flow_table(
    paths: pd.DataFrame,
    steps: Sequence[str] = ("reported", "charged", "judged"),
    *,
    by: str | Sequence[str] | None = None,
    complete: bool = False,
) -> pd.DataFrame:
    """Count the cases along each path through ``steps`` of :func:`offence_paths`.

    Parameters
    ----------
    paths
        The output of :func:`offence_paths`.
    steps
        The columns whose combinations are counted, in order.
    by
        Further column(s) to count within (``country``).
    complete
        Include every combination of the steps' categories (zeros too), as a
        cross-table or heatmap needs; otherwise only paths some case took.

    Returns
    -------
    DataFrame
        Tidy: the ``by`` columns, the ``steps``, and ``cases``. The counts add up along
        every step: pass ``keys=steps`` to :func:`cape_study.privacy.disclosure.suppress`.

    Raises
    ------
    CannotEstimate
        ``none_prosecuted`` when ``paths`` has no case (no case was prosecuted).
    """
    if paths.empty:
        raise CannotEstimate("none_prosecuted", "no case to follow through the offences")
    keys = ([] if by is None else [by] if isinstance(by, str) else list(by)) + list(steps)
    counts = paths.groupby(keys, observed=not complete).size().rename("cases").reset_index()
    if not complete:
        counts = counts[counts["cases"] > 0]
    return counts.reset_index(drop=True)


def event_times(
    cases: pd.DataFrame,
    events: pd.DataFrame,
    data_cutoff: dt.date | str,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Time from report to the first of prosecution or closure, censored at the cut-off.

    Each case is followed from its ``report_date`` (time 0). Only rows dated on or
    before ``data_cutoff`` count: the file as it stood then.

    * **Prosecution** is the first date of any row at stage ``prosecuted`` or a
      judgment stage (a judgment implies a prosecution), for any suspect. A case that
      was closed, reopened and then prosecuted counts as prosecuted.
    * **Closure** applies to a case never prosecuted whose closure rows cover the
      whole case (the module's rule); the event time is its last closure.
    * Otherwise the case is **censored** at ``data_cutoff``.

    Dates known only to the month or year (``<column>_precision`` of the loaders,
    :mod:`cape_study.data.cells`) stand for the first day of their period. Such a time
    is not a time to the day: ``day_precise`` is false for a case whose report date or
    end (prosecution or closure) is not day-precise, and the time-to-event estimators
    use the day-precise cases only (:func:`day_precise_times`), saying how many were
    left out; counts and funnels use every case.

    Prosecution and closure are competing events: a case closed without prosecution
    can no longer be prosecuted (unless reopened), so the cumulative incidence of
    prosecution is estimated with
    :func:`cape_study.stats.survival.cumulative_incidence`, not as one minus a
    Kaplan-Meier curve that censors closures (Putter, Fiocco & Geskus 2007).

    Parameters
    ----------
    cases, events
        The tables of a :class:`~cape_study.data.loaders.CaseFile`.
    data_cutoff
        The date the case file was drawn (``CaseFile.data_cutoff``).
    codebook
        Supplies the stage order (default: the packaged codebook).

    Returns
    -------
    DataFrame
        One row per case: ``case_id``, ``country``, ``report_date``, ``end_date``,
        ``event`` (``prosecuted``, ``closed`` or ``censored``), ``event_code``
        (:data:`EVENT_CODES`: 1, 2 or 0), ``ended`` (prosecuted or closed),
        ``days`` (whole days from report to ``end_date``) and ``day_precise``.

    Raises
    ------
    CaseFileError
        If a case was reported after the cut-off (its time would be negative).

    References
    ----------
    Putter, H., Fiocco, M. & Geskus, R. B. (2007). Tutorial in biostatistics: competing
    risks and multi-state models. *Statistics in Medicine* 26, 2389-2430.
    """
    book = codebook_or_default(codebook)
    cutoff = pd.Timestamp(data_cutoff)
    late = cases.loc[cases["report_date"] > cutoff, ["case_id", "report_date"]]
    if len(late):
        listed = ", ".join(f"{c} ({d:%Y-%m-%d})" for c, d in late.head(5).itertuples(index=False))
        raise CaseFileError(
            f"cases table: {len(late)} case(s) reported after the data cut-off "
            f"{cutoff:%Y-%m-%d}, column report_date: {listed}"
        )
    stages = book.scheme("stage").ranked_codes
    ev = events[events["date"] <= cutoff].assign(stage=events["stage"].astype("string"))
    # a charging decision still pending is no prosecution; a trial pending was charged
    waiting = ((ev["stage"] == "prosecuted") & (ev["outcome"].astype("string") == PENDING)).fillna(
        False
    )
    prosecution = ev[ev["stage"].isin(stages[stages.index("prosecuted") :]) & ~waiting]
    prosecuted = prosecution.groupby("case_id")["date"].min()
    closed = _closure_dates(ev)
    out = cases[["case_id", "country", "report_date"]].copy()
    out["country"] = out["country"].astype("string")
    p = out["case_id"].map(prosecuted)
    c = out["case_id"].map(closed)
    rough = _rough_dates(ev)
    end_rough = np.array(
        [(k, d) in rough for k, d in zip(out["case_id"], p.fillna(c), strict=True)], dtype=bool
    )  # a bool array also when there is no case (a list would be floats)
    out["day_precise"] = ~(_rough(cases, "report_date").to_numpy(bool) | end_rough)
    out["event"] = "censored"
    out.loc[c.notna(), "event"] = "closed"
    out.loc[p.notna(), "event"] = "prosecuted"
    out["end_date"] = p.fillna(c).fillna(cutoff).astype("datetime64[ns]")
    out["event_code"] = out["event"].map(EVENT_CODES).astype(int)
    out["ended"] = out["event_code"] > 0
    out["days"] = (out["end_date"] - out["report_date"]).dt.days.astype(int)
    columns = ["case_id", "country", "report_date", "end_date", "event", "event_code", "ended"]
    return out[[*columns, "days", "day_precise"]].reset_index(drop=True)


def day_precise_times(times: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The cases of :func:`event_times` whose times are exact to the day, and how many
    were left out because a date was known only to the month or year;
    :class:`CannotEstimate` when no case is left."""
    keep = times["day_precise"].astype(bool)
    if len(times) and not keep.any():
        raise CannotEstimate(
            "imprecise_dates",
            f"no case is dated to the day ({len(times)} dated to the month or year)",
            n=len(times),
        )
    return times[keep].reset_index(drop=True), int((~keep).sum())


def _rough(table: pd.DataFrame, column: str) -> pd.Series:
    """True where ``column``'s date is known only to the month or year."""
    precision = table.get(f"{column}_precision")
    if precision is None:
        return pd.Series(False, index=table.index)
    return precision.astype("string").isin(["month", "year"]).fillna(False)


def _rough_dates(ev: pd.DataFrame) -> set[tuple[object, object]]:
    """(case_id, date) pairs of event rows whose date is known only to the month or year."""
    rows = ev[_rough(ev, "date").to_numpy(bool)]
    return set(zip(rows["case_id"], rows["date"], strict=True))
