"""Each case's stages, outcome and end, derived from its events by documented rules.

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

:func:`observed_steps` says which funnel steps a sampling frame can show, and
:func:`report_period` groups report dates into periods aligned with the legal changes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import CannotEstimate
from cape_study.stats.remembered import content_digest

__all__ = [
    "CONVICTED",
    "EVENT_CODES",
    "FAMILIES",
    "FUNNEL_STEPS",
    "NO_RESULT",
    "OUTCOME_ORDER",
    "PATH_CATEGORIES",
    "PENDING",
    "STAGE_ORDER",
    "case_status",
    "observed_steps",
    "reclassified",
    "report_period",
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
#: Final outcomes that move a judged case on (a conviction of any offence).
CONVICTED = ("convicted_trafficking", "convicted_exploitation", "convicted_other")
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

    The last few results are remembered by their tables' content
    (:func:`~cape_study.stats.remembered.content_digest`: a table changed in place is
    derived afresh) and given as copies.
    """
    book = codebook_or_default(codebook)
    read = cases[[c for c in _CASE_COLUMNS if c in cases]]
    try:
        key = (content_digest(read, events), id(book))
    except TypeError:  # a cell pandas cannot hash (a list): derived afresh
        return _case_status(cases, events, book)
    kept = _REMEMBERED.get(key)
    if kept is not None and kept[0] is book:
        _REMEMBERED.move_to_end(key)
        return kept[1].copy()
    out = _case_status(cases, events, book)
    _REMEMBERED[key] = (book, out.copy())
    while len(_REMEMBERED) > _REMEMBER:
        _REMEMBERED.popitem(last=False)
    return out


#: The columns of ``cases`` that :func:`case_status` reads.
_CASE_COLUMNS = ("case_id", "country", "report_date", "offence_reported")
#: How many results :func:`case_status` keeps: a step derives the same cases' status
#: for several tables (01_attrition five times; 2 CPU s each at 100,000 cases).
_REMEMBER = 4
_REMEMBERED: OrderedDict[tuple, tuple[Codebook, pd.DataFrame]] = OrderedDict()


def _case_status(cases: pd.DataFrame, events: pd.DataFrame, book: Codebook) -> pd.DataFrame:
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
    # the three columns read, not copies of the whole table
    rows = pd.DataFrame({"case_id": ev["case_id"], "date": ev["date"], "part": part})
    closures = rows[is_closure]
    if closures.empty:
        return pd.Series(dtype="datetime64[ns]")
    last = closures.groupby("case_id")["date"].max()
    whole = set(closures.loc[closures["part"] == "", "case_id"].to_numpy(object))
    # every suspect named in a case's rows has a closure row: the closed suspects are
    # among the named ones, so the case is covered when it has as many of each
    named = rows[part != ""].groupby("case_id")["part"].nunique()
    closed_parts = closures[closures["part"] != ""].groupby("case_id")["part"].nunique()
    every = set(closed_parts.index[closed_parts.eq(named.reindex(closed_parts.index)).to_numpy()])
    covered = last[last.index.isin(whole | every)]
    latest_other = rows[~is_closure].groupby("case_id")["date"].max()
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
    # per defendant: no conviction in the heaviest family, and one of a lower family
    # that was not a principal charge of theirs
    if convictions.empty:
        return set()
    rows = convictions[["case_id", "suspect", "offence"]]
    unprincipal = [key not in principal for key in rows.itertuples(index=False, name=None)]
    flags = pd.DataFrame(
        {
            "heaviest": _true(convictions["family_rank"] == convictions["heaviest"]),
            "lower": _true(convictions["family_rank"] > convictions["heaviest"])
            & np.asarray(unprincipal, dtype=bool),
        }
    )
    keys = [convictions["case_id"].to_numpy(object), convictions["suspect"].to_numpy(object)]
    per_defendant = flags.groupby(keys).any()
    hit = per_defendant["lower"] & ~per_defendant["heaviest"]
    return set(hit.index[hit.to_numpy()].get_level_values(0))


def _true(flags: pd.Series) -> np.ndarray:
    """A comparison's results as booleans, a missing one as False (as ``any`` reads it)."""
    return np.asarray(flags.fillna(False), dtype=bool)


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
