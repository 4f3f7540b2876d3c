"""``01_attrition``'s time-to-event tables linked with the report's other tables
(:mod:`cape_study.privacy.linked`).

The tables of estimates at fixed times (:func:`cape_study.stats.survival.kaplan_meier`
and :func:`~cape_study.stats.survival.cumulative_incidence` with ``times``) publish, per
country and horizon ``h`` (days since the report), the cases still at risk (days
``>= h``) and the events so far (days ``<= h``), of the cases dated to the day only
(:func:`cape_study.stats.event_times.day_precise_times`). Those are the cases of ``01``'s
funnels, so each cell is registered as a box of:

* ``country``, and ``end`` (:data:`END`: ``open`` at the cut-off, ``closed`` without
  prosecution, ``prosecuted``; ``ended`` either), a function of the course ``01``'s other
  tables count by (``stage``, :data:`cape_study.stats.funnel.COURSE`: a case prosecuted
  reached prosecution, one closed is ``closed_before:prosecuted``, one open
  ``open_before:prosecuted``, as ``03`` registers its outcomes), registered as zeros of
  course and end (:meth:`TimeClasses.link_ends`), so that the tables' group of
  dimensions holds three ends, not the sixteen courses;
* ``precision`` (``precise``, ``rough``): whether a case's times are exact to the day
  (no dimension where every case is);
* ``days``: the days from report to the end (prosecution or closure) or to the data
  cut-off, in classes cut at each horizon ``h`` and ``h + 1`` (:func:`days_dimension`:
  ``to:h`` is every class up to ``h``, ``from:h`` every class from it on);
* ``year``: the report date (as the report's other tables: years, periods, sides of a
  legal change), which only the structural zeros restrict.

**What an intruder knows besides the tables** (:meth:`TimeClasses.link_zeros`): a case
open at the cut-off was followed exactly the days from its report to the cut-off, an
ended one at most those. A case reported in a span of dates can therefore have days only
in a range, and a box of report dates and days outside it holds no case. Those zeros are
registered as published zeros over the classes of report dates the tables linked so far
cut (no new cut, so no new unknowns): a class whose every day rules out a class of days.
That is all an intruder can use of the rule as long as no published table splits a class
of report dates (README, "The time-to-event tables are linked": every count of a class
can then be placed at a day of it that the rule allows, so the bounds are those of exact
dates); a later table that cuts the report dates finer needs the zeros registered again
over its classes (``tests/test_time_links.py`` checks the demo's registries).

**What the estimates give away.** An estimate rests on more than the two counts beside it
(the whole life table), so: an estimate is hidden with either count of its row (the rule
of :func:`cape_study.stats.survival.suppress_at_times`, also for counts the linking
hides); and where no case is censored before a horizon, ``S(h) = 1 - events / n`` gives
``n``, the country's cases dated to the day, so the intruder is taken to know it: it is
registered as a published number at risk at day 0 (shown nowhere), and where it has to be
hidden every estimate of the country is hidden. The note of how many cases were left out
(dated to the month or year, all countries) is a published count too
(:meth:`TimeClasses.link_left_out`).

Every box is counted over the case file and must equal its cell's count, or the table is
not linked (with a warning, and named among the step's unlinked tables); a zero is
registered only where the case file holds no case in its box. The zeros tie days and ends
to report dates and courses, which tables of other groups of dimensions count by, so each
table checks every linked table again (``every`` of
:meth:`~cape_study.privacy.disclosure.Disclosure.link`).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cape_study.data.loaders import CaseFile
from cape_study.privacy.disclosure import ANY, HIDDEN, SMALL, Disclosure
from cape_study.privacy.linked import Dimension
from cape_study.stats.case_status import STAGE_ORDER, case_status
from cape_study.stats.course import course_classes
from cape_study.stats.event_times import event_times
from cape_study.stats.funnel import COURSE

__all__ = ["END", "ENDS", "LEFT_OUT", "ZEROS", "TimeClasses", "days_dimension", "zero_boxes"]

ALL = "all"
#: The name of the registered structural zeros of days and report dates.
ZEROS = "time to event: structural zeros"
#: The name of the note's count of cases left out (dated to the month or year).
LEFT_OUT = "time to event: cases left out"
#: The columns of a table at fixed times estimated from its counts.
_ESTIMATE = ("survival", "cif", "ci_low", "ci_high", "std_error")
#: The name of the registered zeros that make ``end`` a function of the course.
ENDS = "time to event: ends of courses"
#: How a case ends for the time-to-event tables: censored at the cut-off (``open``),
#: closed without prosecution, or prosecuted (the first of the two); ``ended`` either.
END = Dimension("sets", ("open", "closed", "prosecuted"), (("ended", ("closed", "prosecuted")),))
#: The set of courses (:data:`cape_study.stats.funnel.COURSE`) of each end.
_COURSES = {
    "open": "open_before:prosecuted",
    "closed": "closed_before:prosecuted",
    "prosecuted": "prosecuted",
}
#: The columns of every registered cell of the tables (one group of dimensions; without
#: ``precision`` where every case is dated to the day) and of the ends of courses.
_DIMS = ("country", "precision", "days", "end", "year")
_END_DIMS = ("country", "stage", "end", "year")


def _classes(horizons: Sequence[int]) -> list[tuple[int, float]]:
    """The classes of days (first, last; the last open) cut at each horizon and the day
    after it."""
    cuts = sorted({c for h in horizons for c in (int(h), int(h) + 1) if c > 0})
    starts = [0, *cuts]
    ends = [c - 1 for c in cuts] + [np.inf]
    return list(zip(starts, ends, strict=True))


def _label(low: int, high: float) -> str:
    if high == np.inf:
        return f"{low}–"
    return str(low) if low == high else f"{low}–{int(high)}"


def days_dimension(horizons: Sequence[int]) -> Dimension:
    """The ``"sets"`` dimension ``days`` for ``horizons``: classes cut at each ``h`` and
    ``h + 1`` (``"0–89"``, ``"90"``, ``"91–179"`` ... ``"1826–"``), ``to:h`` every class up
    to ``h`` (events so far) and ``from:h`` every class from ``h`` on (still at risk),
    also ``from:0`` (every case)."""
    bad = [h for h in horizons if not float(h).is_integer() or h < 0]
    if bad:
        raise ValueError(f"horizons must be whole days, not {bad}")
    classes = _classes(horizons)
    labels = tuple(_label(*c) for c in classes)
    members = [("from:0", labels)]
    for h in sorted({int(h) for h in horizons}):
        later = tuple(lab for lab, (lo, _) in zip(labels, classes, strict=True) if lo >= h)
        members += [] if h == 0 else [(f"from:{h}", later)]
        members.append(
            (f"to:{h}", tuple(lab for lab, (_, hi) in zip(labels, classes, strict=True) if hi <= h))
        )
    return Dimension("sets", labels, tuple(members))


def zero_boxes(
    days: Sequence[tuple[int, float]], cutoff: int, years: Sequence[tuple[int, int]]
) -> list[dict]:
    """The boxes of report dates and ``days`` (classes: first, last day; the last may be
    ``inf``) that hold no case by the rule of the module's introduction, over the classes
    of report dates ``years`` (first day, day after the last, as ordinals; those the
    linked tables cut), ``cutoff`` the data cut-off (an ordinal): for each class of days
    ``[a, b]``, every case reported after ``cutoff - a`` (its days are fewer), and every
    case open at the cut-off reported before ``cutoff - b`` (its days are more); each as
    a span of whole classes (``_span``: its first and last day, None where open). First,
    every case reported after the cut-off (the one span that may cut a class)."""
    spans = sorted(years)
    # no case was reported after the cut-off (the report says when it was drawn)
    boxes = [
        {"year": f"{dt.date.fromordinal(cutoff + 1).isoformat()}–", "_span": (cutoff + 1, None)}
    ]
    for low, high in days:
        label = _label(low, high)
        # every case: days <= cutoff - report, so none reported after cutoff - low
        after = [lo for lo, _ in spans if cutoff - low < lo <= cutoff]
        if after:
            first = dt.date.fromordinal(min(after)).isoformat()
            boxes.append({"days": label, "year": f"{first}–", "_span": (min(after), None)})
        if high == np.inf:
            continue
        # a case open at the cut-off: days == cutoff - report
        before = [hi - 1 for _, hi in spans if hi - 1 < cutoff - high]
        if before:
            last = dt.date.fromordinal(max(before)).isoformat()
            boxes.append(
                {"days": label, "end": "open", "year": f"–{last}", "_span": (None, max(before))}
            )
    return boxes


class TimeClasses:
    """Every case of ``case`` by the dimensions the time-to-event tables at ``horizons``
    are registered in (the module's introduction)."""

    def __init__(self, case: CaseFile, horizons: Sequence[int]) -> None:
        times = event_times(case.cases, case.events, case.data_cutoff)
        status = case_status(case.cases, case.events).set_index("case_id")
        frame = pd.DataFrame({"case_id": times["case_id"].to_numpy()})
        frame["country"] = times["country"].astype("string").to_numpy()
        frame["precision"] = np.where(times["day_precise"].to_numpy(bool), "precise", "rough")
        frame["days"] = times["days"].to_numpy(int)
        frame["stage"] = course_classes(status.reindex(frame["case_id"]), STAGE_ORDER).to_numpy()
        frame["end"] = times["event"].map({"censored": "open"}).fillna(times["event"]).to_numpy()
        frame["report"] = [d.toordinal() for d in pd.to_datetime(times["report_date"]).dt.date]
        self.cases = frame
        self.horizons = [int(h) for h in horizons]
        self.cutoff = pd.Timestamp(case.data_cutoff).date().toordinal()
        self._days = _classes(self.horizons)
        #: every case dated to the day: no dimension ``precision`` (the note of cases
        #: left out is absent, which says so)
        self.dims = tuple(
            d for d in _DIMS if d != "precision" or (frame["precision"] == "rough").any()
        )
        self.dimensions: dict[str, Dimension] = {
            "stage": COURSE,
            "end": END,
            "precision": Dimension("code", ("precise", "rough")),
            "days": days_dimension(self.horizons),
        }

    # -- boxes -------------------------------------------------------------------------

    def count(self, box: Mapping[str, str], report: tuple[int, int] | None = None) -> int:
        """The number of cases in ``box`` (dimensions of :data:`_DIMS` but ``year``),
        reported from ``report[0]`` to ``report[1]`` (day ordinals), if given."""
        inside = np.ones(len(self.cases), bool)
        for dim, value in box.items():
            if value == ALL or dim in {"year", "_span"}:
                continue
            if dim == "days":
                members = dict(self.dimensions["days"].members).get(value, (value,))
                labels = [_label(*c) for c in self._days]
                ranges = [self._days[labels.index(m)] for m in members]
                days = self.cases["days"].to_numpy()
                inside &= np.any([(days >= lo) & (days <= hi) for lo, hi in ranges], axis=0)
                continue
            spec = self.dimensions.get(dim, Dimension())
            members = dict(spec.members).get(value, (value,))
            inside &= self.cases[dim].isin(list(members)).to_numpy(bool)
        if report is not None:
            days = self.cases["report"].to_numpy()
            inside &= (days >= report[0]) & (days <= report[1])
        return int(inside.sum())

    def zero_boxes(self, years: Sequence[tuple[int, int]]) -> list[dict]:
        """:func:`zero_boxes` of these classes of days and this cut-off."""
        return zero_boxes(self._days, self.cutoff, years)

    # -- linking -----------------------------------------------------------------------

    def link_left_out(self, audit: Disclosure, *, threshold: int) -> str | None:
        """Link the number of cases left out of the estimates (dated to the month or
        year; the note under the curves): shown when 0 or at least ``threshold``, else
        hidden and marked small. Returns how the note may give it: None (the number),
        :data:`~cape_study.privacy.disclosure.SMALL` (fewer than the threshold) or
        :data:`~cape_study.privacy.disclosure.ANY` (not at all)."""
        if "precision" not in self.dims:  # no case left out: the note is absent
            return None
        n = self.count({"precision": "rough"})
        cells = self._frame([{"precision": "rough"}])
        small = 0 < n < threshold
        cells["cases"] = pd.array([pd.NA if small else n], dtype="Int64")
        cells[HIDDEN] = pd.array([SMALL if small else pd.NA], dtype="string")
        out = self._register(audit, LEFT_OUT, cells, [n], threshold=threshold)
        if pd.notna(out["cases"].iloc[0]):
            return None
        return str(out[HIDDEN].iloc[0])

    def link_ends(self, audit: Disclosure, *, threshold: int) -> None:
        """Register the zeros that make ``end`` a function of the course (``stage``): a
        case prosecuted reached prosecution, one closed was closed before it, one open
        at the cut-off is still open before it; a combination is registered as a zero
        where the case file holds no case of it. ``end`` is a dimension of its own so
        that the tables and the zeros of days and report dates need three classes of it
        in their group of dimensions, not the sixteen courses (the group meets the
        courses in ``country, end, year``; the module's introduction)."""
        courses = dict(COURSE.members)
        boxes = [
            {"stage": course, "end": end}
            for course in COURSE.order
            for end, members in _COURSES.items()
            if course not in courses[members]
        ]
        boxes = [b for b in boxes if self.count(b) == 0]
        if not boxes:
            return
        cells = self._frame(boxes, _END_DIMS)
        cells["cases"] = pd.array([0] * len(boxes), dtype="Int64")
        out = self._register(audit, ENDS, cells, [0] * len(boxes), threshold=threshold)
        if out["cases"].isna().any():  # zeros are what an intruder knows: never hidden
            raise AssertionError(f"{ENDS}: a structural zero was hidden")

    def link_zeros(self, audit: Disclosure, *, threshold: int) -> None:
        """Register the zeros of the ends of courses (:meth:`link_ends`), then the
        structural zeros (:meth:`zero_boxes`) over the classes of report dates the tables
        linked in ``audit`` so far cut; a box that holds a case of the case file (a case
        the rule does not describe) is left out."""
        self.link_ends(audit, threshold=threshold)
        boxes = [
            b
            for b in self.zero_boxes(audit.classes("year"))
            if self.count(b, (b["_span"][0] or -np.inf, b["_span"][1] or np.inf)) == 0
        ]
        if not boxes:
            return
        cells = self._frame([{k: v for k, v in b.items() if k != "_span"} for b in boxes])
        cells["cases"] = pd.array([0] * len(boxes), dtype="Int64")
        out = self._register(audit, ZEROS, cells, [0] * len(boxes), threshold=threshold)
        if out["cases"].isna().any():  # zeros are what an intruder knows: never hidden
            raise AssertionError(f"{ZEROS}: a structural zero was hidden")

    def boxes(self, table: pd.DataFrame, column: str) -> list[dict[str, str]]:
        """The box of each row's ``column`` (``at_risk`` or ``cumulative_events``) of a
        table at fixed times (with ``cause`` for a cumulative incidence)."""
        out = []
        for row in table.itertuples(index=False):
            h = int(row.time)
            box = {"country": str(row.country), "precision": "precise"}
            if "precision" not in self.dims:
                del box["precision"]
            if column == "at_risk":
                box["days"] = f"from:{h}"
            else:
                box["days"] = f"to:{h}"
                cause = getattr(row, "cause", None)
                box["end"] = "ended" if cause is None else str(cause)
            out.append(box)
        return out

    def suppress_at_times(
        self, table: pd.DataFrame, audit: Disclosure, *, threshold: int, name: str
    ) -> pd.DataFrame:
        """:func:`cape_study.stats.survival.suppress_at_times`, the two counts linked
        as ``<name>: events`` and ``<name>: at risk`` (the latter with each country's
        cases dated to the day, the number at risk at day 0, which no row shows but an
        estimate may give back); every hidden count is shown as any hidden count (the
        table shows no small mark), an estimate is hidden with either count of its row,
        and every estimate of a country whose cases dated to the day are hidden. A table
        whose boxes do not hold its counts is suppressed as before and not linked, with
        a warning."""
        from cape_study.stats.survival import suppress_at_times

        derived = [c for c in _ESTIMATE if c in table]
        label = [c for c in ["country", "cause", "time"] if c in table]
        events, at_risk = self.boxes(table, "cumulative_events"), self.boxes(table, "at_risk")
        countries = list(dict.fromkeys(table["country"].astype(str)))
        first = [{"country": c, "precision": "precise", "days": "from:0"} for c in countries]
        if "precision" not in self.dims:
            first = [{k: v for k, v in b.items() if k != "precision"} for b in first]
        wrong = [
            b
            for boxes, values in ((events, table["cumulative_events"]), (at_risk, table["at_risk"]))
            for b, v in zip(boxes, values, strict=True)
            if self.count(b) != int(v)
        ]
        if wrong:
            warnings.warn(
                f"table {name!r} is not linked with the report's other tables: the box "
                f"{wrong[0]} does not hold its count",
                stacklevel=2,
            )
            return suppress_at_times(table, audit, threshold=threshold, name=name)
        options = dict(threshold=threshold, label=label, derived=derived)
        out = table.reset_index(drop=True)
        suppressed = np.zeros(len(out), bool)
        for column, boxes, part in (
            ("cumulative_events", events, f"{name}: events"),
            ("at_risk", [*at_risk, *first], f"{name}: at risk"),
        ):
            safe = audit.suppress(out, column, name=part, **options)
            records = audit.records(part)
            if "cause" in safe and column == "cumulative_events":
                # the causes add up to the events of any cause, which the table of cases
                # still open publishes: hidden at a time, each cause is hidden there
                keys = safe["country"].astype(str) + "@" + safe["time"].astype(str)
                shut = keys.isin(set(keys[safe[column].isna()])).to_numpy() & safe[column].notna()
                for i in np.flatnonzero(shut):
                    cell = {c: str(safe.at[i, c]) for c in label}
                    records.append(_record(part, cell, column, threshold, "complement"))
                safe[column] = safe[column].astype("Int64").mask(shut)
            if column == "at_risk":
                # no case left at risk: with the zeros of days and report dates it says
                # that no case reported before the horizon is open, which pins hidden
                # counts of tables by report date; its estimate is unknown anyway, and
                # the linking would hide it only after every non-zero count of the table
                gone_at = (out[column] == 0).to_numpy() & safe[column].notna().to_numpy()
                for i in np.flatnonzero(gone_at):
                    cell = {c: str(safe.at[i, c]) for c in label}
                    records.append(_record(part, cell, column, threshold, "no case at risk"))
                safe[column] = safe[column].astype("Int64").mask(gone_at)
            truth = [self.count(b) for b in boxes]  # the table's own counts, then the n's
            cells = self._frame(boxes)
            shown = [*safe[column].astype("Int64"), *truth[len(out) :]]
            cells["cases"] = pd.array(
                [v if pd.notna(v) and not 0 < v < threshold else pd.NA for v in shown],
                dtype="Int64",
            )
            cells[HIDDEN] = pd.array(
                [ANY if pd.isna(v) else pd.NA for v in cells["cases"]], dtype="string"
            )
            linked = self._register(audit, part, cells, truth, threshold=threshold)
            hidden_now = linked["cases"].isna().to_numpy()
            added = hidden_now[: len(out)] & safe[column].notna().to_numpy()
            safe[column] = safe[column].astype("Int64").mask(added)
            hidden = safe[column].isna().to_numpy()
            for col in derived:
                safe[col] = safe[col].mask(hidden)
            # a country whose cases dated to the day are hidden: no estimate of it
            tail = hidden_now[len(out) :]  # the numbers at day 0, in the table of at risk
            gone = [c for c, h in zip(countries, tail, strict=True) if h] if len(tail) else []
            n = dict(zip(countries, truth[len(out) :], strict=False))  # empty for events
            safe.loc[safe["country"].astype(str).isin(gone), derived] = np.nan
            suppressed |= hidden | safe["country"].astype(str).isin(gone).to_numpy()
            audit.record(
                part,
                records
                + [
                    _record(part, {c: str(safe.at[i, c]) for c in label}, column, threshold)
                    for i in np.flatnonzero(added)
                ]
                + [
                    # each country's cases dated to the day: small, or hidden to protect others
                    _record(part, {"country": c, "time": "0"}, "at_risk", threshold, reason)
                    for c, v in zip(gone, [n[c] for c in gone], strict=True)
                    for reason in ["primary" if 0 < v < threshold else "secondary (report)"]
                ],
            )
            out = safe
        out["suppressed"] = suppressed
        out[HIDDEN] = pd.array(
            [ANY if h else pd.NA for h in out[["at_risk", "cumulative_events"]].isna().any(axis=1)],
            dtype="string",
        )
        return out

    # -- helpers -----------------------------------------------------------------------

    def _frame(
        self, boxes: Sequence[Mapping[str, str]], dims: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The cells of ``boxes`` over ``dims`` (default: the tables' ones), ``all`` where
        a box does not restrict one."""
        dims = self.dims if dims is None else dims
        return pd.DataFrame([{d: b.get(d, ALL) for d in dims} for b in boxes])

    def _register(
        self,
        audit: Disclosure,
        name: str,
        cells: pd.DataFrame,
        truth: Sequence[int],
        *,
        threshold: int,
    ) -> pd.DataFrame:
        # every linked table checked again: the zeros tie days and ends to the report
        # dates and courses that tables of other groups of dimensions count by
        return audit.link(
            name,
            cells,
            pd.Series(list(truth)),
            count="cases",
            dims={d: d for d in cells.columns if d not in {"cases", HIDDEN}},
            threshold=threshold,
            dimensions=self.dimensions,
            label=[d for d in cells.columns if d not in {"cases", HIDDEN}],
            every=True,
        )


def _record(
    name: str, cell: dict, column: str, threshold: int, reason: str = "secondary (report)"
) -> dict:
    """The record of a count the linking hid (the form of
    :meth:`~cape_study.privacy.disclosure.Disclosure.records`)."""
    return {
        "table": name,
        "cell": cell,
        "column": column,
        "reason": reason,
        "threshold": threshold,
    }
