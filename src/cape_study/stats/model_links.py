"""``03_models``' count tables linked with the report's other tables
(:mod:`cape_study.privacy.linked`).

The models count cases with a suspect whose predictors are known: the model population
by country and how a case enters the models, and cases by predictor value and outcome
(prosecuted, or closed without prosecution). Those are the cases of ``01``'s funnel: the
prosecuted column of the table by country counts the cases of the funnel's row
"prosecuted" less those with a predictor unknown, the table by joint inspection those of
the funnel by detection channel. Each cell is therefore registered as a box of the
dimensions the report's other tables use, and a few of its own:

* ``country``, ``detection_channel`` (joint inspection or another channel: a set of the
  channels the case file holds) and the course (``stage``,
  :data:`cape_study.stats.funnel.COURSE`: prosecuted is every course that reached
  prosecution, closed without prosecution ``closed_before:prosecuted``, open at the
  cut-off ``open_before:prosecuted``), as ``01`` registers them;
* ``suspect`` (``yes``, ``no``: :func:`cape_study.stats.predictors.has_suspects`), with
  the structural zero an intruder knows (a case without a suspect is not prosecuted),
  registered as a published zero where the case file has none (:meth:`CaseClasses.link_zeros`);
* a dimension per predictor with an unknown value (``interpreter_needed``,
  ``victim_counsel``, ``victim_left_country``, ``victim_statement``: ``yes``, ``no``,
  ``unknown``, and ``known`` for either of the first two).

Before a table is linked, every cell's box is counted over the case file's cases and
compared with the cell's count: a table whose boxes do not hold its counts exactly (a
case file the rules above do not describe) is not linked, with a warning; nor is a table
of a predictor of no dimension (``torkea_ihmiskauppa``, an offence code no other table
splits; ``sector``, not yet a set of sectors). Either is recorded as unlinked in the
step's registry.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cape_study.data.codebook import codebook_or_default
from cape_study.data.loaders import CaseFile
from cape_study.privacy.disclosure import Disclosure
from cape_study.privacy.linked import Dimension
from cape_study.stats.case_status import STAGE_ORDER, case_status
from cape_study.stats.course import course_classes
from cape_study.stats.funnel import COURSE
from cape_study.stats.predictors import PREDICTORS, has_suspects

__all__ = [
    "ABSENT_NAME",
    "ZERO_NAME",
    "CaseClasses",
    "hide_estimates",
    "registries",
    "reported_classes",
    "reported_dimension",
]

ALL = "all"
#: The name of the registered structural zero (a case without a suspect is not prosecuted).
ZERO_NAME = "structural zero: prosecuted without a suspect"
#: The start of the names of the registered zeros of a class a country has no case of
#: (:meth:`CaseClasses.absent`), one table per dimension.
ABSENT_NAME = "no case"
#: Predictors whose values are a dimension of their own (``yes``, ``no``, ``unknown``).
_OWN = ("interpreter_needed", "victim_counsel", "victim_left_country", "victim_statement")
#: The offence code a predictor names (Finland's aggravated trafficking).
_OFFENCE = "torkea_ihmiskauppa"
_KNOWN = Dimension("sets", ("no", "yes", "unknown"), (("known", ("no", "yes")),))
#: How the models' outcome reads as a course.
_OUTCOME = {1: "prosecuted", 0: "closed_before:prosecuted"}
_END = {
    "prosecuted": "prosecuted",
    "closed": "closed_before:prosecuted",
    "open": "open_before:prosecuted",
}


def registries(folder: Path) -> list[Path]:
    """The registries ``03`` is protected against: intake's and ``01``'s (never its own
    of an earlier run). FileNotFoundError, saying what to run, where one is missing."""
    paths = [Path(folder) / "disclosure.json", Path(folder) / "disclosure_01_attrition.json"]
    for path, step in zip(paths, ("00_intake", "01_attrition"), strict=True):
        if not path.is_file():
            raise FileNotFoundError(
                f"data/processed/{path.name} is missing: 03_models is protected against the "
                f"tables {step} published; run `cape-study run --only 03_models` (which runs "
                f"{step} first)"
            )
    return paths


class CaseClasses:
    """Every case of ``case`` by the dimensions the models' tables are registered in."""

    def __init__(self, case: CaseFile) -> None:
        cases = case.cases
        status = case_status(cases, case.events).set_index("case_id")
        frame = pd.DataFrame({"case_id": cases["case_id"].to_numpy()})
        frame["country"] = cases["country"].astype("string").to_numpy()
        frame["detection_channel"] = cases["detection_channel"].astype("string").to_numpy()
        frame["suspect"] = np.where(has_suspects(cases, case.events), "yes", "no")
        frame["stage"] = course_classes(status.reindex(frame["case_id"]), STAGE_ORDER).to_numpy()
        for name in _OWN:
            values = pd.Series(PREDICTORS[name].values(cases, case.victims)).astype("Float64")
            frame[name] = (
                values.map({1.0: "yes", 0.0: "no"}).astype("string").fillna("unknown").to_numpy()
            )
        frame["reported"] = reported_classes(cases["offence_reported"]).to_numpy()
        self.cases = frame
        # for predictors without a dimension: whether they are known for every case
        self._complete = {
            name: bool(pd.Series(p.values(cases, case.victims)).notna().all())
            for name, p in PREDICTORS.items()
        }
        channels = sorted(set(frame["detection_channel"].dropna()) | {"joint_inspection"})
        others = tuple(c for c in channels if c != "joint_inspection")
        self.dimensions: dict[str, Dimension] = {
            "stage": COURSE,
            "suspect": Dimension("code", ("no", "yes")),
            "detection_channel": Dimension(
                "sets", tuple(channels), (("other_than:joint_inspection", others),)
            ),
            **{name: _KNOWN for name in _OWN},
            "reported": reported_dimension(),
        }

    # -- boxes -------------------------------------------------------------------------

    def _base(self, predictors: Sequence[str], country: str | None) -> dict[str, str] | None:
        """The box of the cases a design of ``predictors`` holds (a suspect, every
        predictor known; within ``country``), or None if one is not a box."""
        box = {"suspect": "yes", "country": country or ALL}
        for name in predictors:
            if name in _OWN:
                box[name] = "known"
            elif name not in {"country", "joint_inspection"} and not self._complete[name]:
                return None
        return box

    def _term(self, term: str, value: int, countries: Sequence[str]) -> dict[str, str] | None:
        """The box of the cases with ``term`` (a design column) at ``value``."""
        name, _, level = term.partition("[")
        level = level.rstrip("]")
        if name == "country":
            if value == 1:
                return {"country": level}
            others = [c for c in countries if c != level]
            return {"country": others[0]} if len(others) == 1 else None
        if name == "joint_inspection":
            return {
                "detection_channel": "joint_inspection" if value else "other_than:joint_inspection"
            }
        if name in _OWN:
            return {name: "yes" if value else "no"}
        if name == _OFFENCE:
            return {"reported": _OFFENCE if value else f"other_than:{_OFFENCE}"}
        return None

    def count(self, box: Mapping[str, str]) -> int:
        """The number of cases in ``box``."""
        inside = np.ones(len(self.cases), bool)
        for dim, value in box.items():
            if value == ALL:
                continue
            spec = self.dimensions.get(dim, Dimension())
            members = dict(spec.members).get(value, (value,))
            inside &= self.cases[dim].isin(list(members)).to_numpy(bool)
        return int(inside.sum())

    # -- linking -----------------------------------------------------------------------

    def link_zeros(self, audit: Disclosure, *, threshold: int) -> None:
        """Register what an intruder knows without a table: no case without a suspect
        was prosecuted (where the case file has none; otherwise nothing is known); and
        the classes of ``detection_channel`` and ``reported`` a country has no case of
        (:meth:`absent`)."""
        for dim, cells in self.absent().items():
            frame = pd.DataFrame(cells, columns=["country", dim])
            frame["cases"] = pd.array([0] * len(frame), dtype="Int64")
            audit.link(
                f"{ABSENT_NAME}: {dim}",
                frame,
                frame["cases"],
                count="cases",
                dims={"country": "country", dim: dim},
                threshold=threshold,
                dimensions=self.dimensions,
            )
        box = {"suspect": "no", "stage": "prosecuted"}
        if self.count(box) == 0:
            cells = pd.DataFrame([{**box, "cases": 0}])
            cells["cases"] = cells["cases"].astype("Int64")
            audit.link(
                ZERO_NAME,
                cells,
                cells["cases"],
                count="cases",
                dims={d: d for d in box},
                threshold=threshold,
                dimensions=self.dimensions,
            )

    def absent(self) -> dict[str, list[dict[str, str]]]:
        """The ``(country, class)`` of ``detection_channel`` and ``reported`` with no case
        that a reader knows to be 0, by dimension: a channel or an offence family
        (``01``'s funnels by detection channel and by offence reported show no row for
        it; ``joint_inspection`` is a class even where the case file has none), and an
        offence the country's law lacks (:data:`_OFFENCE` outside Finland). A class
        that is part of a family some case of the country has (törkeä ihmiskauppa or
        the rest of its family) is not known to be empty, and is left out."""
        book = codebook_or_default(None)
        family = _families()
        values = {
            "detection_channel": list(self.dimensions["detection_channel"].order),
            "reported": sorted(set(family.values())),
        }
        out: dict[str, list[dict[str, str]]] = {}
        for country in sorted(self.cases["country"].dropna().unique()):
            for dim, classes in values.items():
                out.setdefault(dim, []).extend(
                    {"country": country, dim: v}
                    for v in classes
                    if self.count({"country": country, dim: v}) == 0
                )
            if not book.applies_in("offence", _OFFENCE, country):
                box = {"country": country, "reported": _OFFENCE}
                if self.count(box) == 0 and box not in out["reported"]:
                    out["reported"].append(box)
        return {dim: cells for dim, cells in out.items() if cells}

    def population_boxes(
        self, truth: pd.DataFrame, predictors: Sequence[str]
    ) -> list[dict[str, str] | None]:
        """The box of each cell of :func:`cape_study.stats.predictors.population_counts`
        (None where a cell is no box; an empty box for an ``incomplete`` row of a design
        whose predictors are always known: no case, 0)."""
        base = self._base(predictors, None)
        unknown = [p for p in predictors if p in _OWN]
        boxes: list[dict[str, str] | None] = []
        for row in truth.itertuples(index=False):
            if base is None:
                boxes.append(None)
                continue
            box = {**base, "country": str(row.country)}
            if row.end != "incomplete":
                boxes.append({**box, "stage": _END[row.end]})
            elif len(unknown) == 1:
                boxes.append({**box, unknown[0]: "unknown"})
            elif not unknown and row.cases == 0:
                boxes.append({})
            else:
                boxes.append(None)
        return boxes

    def term_boxes(
        self, truth: pd.DataFrame, predictors: Sequence[str], country: str | None = None
    ) -> list[dict[str, str] | None]:
        """The box of each cell of one term's table of
        :func:`cape_study.stats.predictors.term_counts` (value by outcome) of a design of
        ``predictors`` (within ``country``); None where a cell is no box."""
        base = self._base(predictors, country)
        countries = sorted(self.cases["country"].dropna().unique())
        boxes: list[dict[str, str] | None] = []
        for row in truth.itertuples(index=False):
            term = self._term(str(row.term), int(row.value), countries)
            boxes.append(
                None
                if base is None or term is None
                else {**base, **term, "stage": _OUTCOME[int(row.outcome)]}
            )
        return boxes

    def link_population(
        self,
        audit: Disclosure,
        safe: pd.DataFrame,
        truth: pd.DataFrame,
        *,
        predictors: Sequence[str],
        name: str,
        threshold: int,
    ) -> pd.DataFrame:
        """:func:`cape_study.stats.predictors.population_counts`, suppressed (``safe``)
        and true (``truth``), linked under ``name`` (or left as it is, with a warning,
        where a cell is no box: :meth:`population_boxes`)."""
        boxes = self.population_boxes(truth, predictors)
        return self._link(audit, safe, truth, boxes, name=name, label=["country", "end"],
                          threshold=threshold)  # fmt: skip

    def link_terms(
        self,
        audit: Disclosure,
        safe: pd.DataFrame,
        truth: pd.DataFrame,
        *,
        predictors: Sequence[str],
        name: str,
        threshold: int,
        country: str | None = None,
    ) -> pd.DataFrame:
        """One term's table of :func:`cape_study.stats.predictors.term_counts`,
        suppressed (``safe``) and true (``truth``), linked under ``name`` (or left as it
        is, with a warning, where a cell is no box: :meth:`term_boxes`)."""
        boxes = self.term_boxes(truth, predictors, country)
        return self._link(audit, safe, truth, boxes, name=name, label=["value", "outcome"],
                          threshold=threshold)  # fmt: skip

    def _link(
        self,
        audit: Disclosure,
        safe: pd.DataFrame,
        truth: pd.DataFrame,
        boxes: list[dict | None],
        *,
        name: str,
        label: list[str],
        threshold: int,
    ) -> pd.DataFrame:
        """Link the cells of ``safe`` with a box (an empty box: a zero of no cases, left
        out), if every cell has one (else return ``safe``: a predictor of no dimension)
        and every box holds its cell's true count (else warn and return ``safe``)."""
        counts = truth["cases"].astype(int).tolist()
        if any(box is None for box in boxes):  # a predictor of no dimension: not linked
            return safe
        wrong = [i for i, box in enumerate(boxes) if box and self.count(box) != counts[i]]
        if wrong:
            warnings.warn(
                f"table {name!r} is not linked with the report's other tables: cell "
                f"{dict(truth.iloc[wrong[0]][label])} does not count the cases of its box "
                f"{boxes[wrong[0]]}",
                stacklevel=2,
            )
            return safe
        rows = [i for i, box in enumerate(boxes) if box]
        dims = sorted({d for i in rows for d in boxes[i]})
        part = safe.reset_index(drop=True).iloc[rows].reset_index(drop=True)
        cells = part.assign(**{f"_{d}": [boxes[i].get(d, ALL) for i in rows] for d in dims})
        linked = audit.link(
            name,
            cells,
            pd.Series([counts[i] for i in rows]),
            count="cases",
            dims={f"_{d}": d for d in dims},
            threshold=threshold,
            dimensions=self.dimensions,
            label=label,
        )
        out = safe.reset_index(drop=True).copy()
        for column in ("cases", "suppressed", "hidden"):
            values = out[column].astype(linked[column].dtype)
            values.iloc[rows] = linked[column].array
            out[column] = values
        return out.set_axis(safe.index)


def _families() -> dict[str, str]:
    """Each offence code's family (the codebook's)."""
    return {c.code: c.family for c in codebook_or_default(None).scheme("offence").codes}


def reported_classes(offence: pd.Series) -> pd.Series:
    """Each case's class of :func:`reported_dimension` from its offence reported (a
    code): its family, with :data:`_OFFENCE` a class of its own within its family."""
    family = _families()
    offence = offence.astype("string")
    reported = offence.map(family).astype("string")
    rest = f"{family[_OFFENCE]}:other"
    reported = reported.where(reported != family[_OFFENCE], rest)
    return reported.where(offence != _OFFENCE, _OFFENCE)


def reported_dimension() -> Dimension:
    """The dimension ``reported``: the offence families reported as ``01`` registers
    them, with törkeä ihmiskauppa a class of its own inside its family (the predictor of
    ``03``; a count of the ``01`` comparison with the public statistics)."""
    family = _families()
    return _reported(set(family.values()), family[_OFFENCE], f"{family[_OFFENCE]}:other")


def _reported(families: set[str], family: str, rest: str) -> Dimension:
    """The dimension ``reported``: the offence ``families`` as ``01`` registers them,
    ``family`` (that of :data:`_OFFENCE`) split into that offence and the rest of the
    family (``rest``), and ``other_than:`` the offence."""
    present = sorted(families - {family})
    order = (*present, _OFFENCE, rest)
    return Dimension(
        "sets",
        order,
        ((family, (_OFFENCE, rest)), (f"other_than:{_OFFENCE}", (*present, rest))),
    )


#: A model's columns computed from a term's cases: hidden with the term's counts.
_ESTIMATES = (
    "estimate",
    "std_error",
    "odds_ratio",
    "hazard_ratio",
    "ci_low",
    "ci_high",
    "statistic",
    "p_value",
    "ph_p_value",
)


def hide_estimates(result: object, counts: pd.DataFrame) -> object:
    """A fitted model (:class:`cape_study.stats.models.LogisticResult` or
    :class:`~cape_study.stats.models.CoxResult`) with the estimate, interval and tests
    of each term whose published counts hide a cell made missing (issue 15).

    ``counts`` is the term's table of cases by value and outcome as the report publishes
    it (:func:`cape_study.stats.predictors.term_counts` after disclosure control: a
    hidden count is missing). A term's ratio and its interval carry that table: the
    standard error of a log odds ratio is about sqrt(1/a + 1/b + 1/c + 1/d) over its
    2 x 2 cells, adjusted or not, so with the margins the report publishes it pins the
    smallest (demo, pooled model: joint inspection 0.43 (0.05-3.41), a standard error of
    1.06, against 1.05 unadjusted with 1 prosecuted case found by joint inspection and
    0.78 with 2; interpreter needed 0.60, against 0.59 with 4 prosecuted cases without
    an interpreter and 0.65 with 3; both tables hidden whole); a model with one binary
    term gives the table back exactly. The Cox model's hazard ratios rest on the same
    prosecuted cases by value. The intercept (no row of ``counts``) is kept. A logistic
    model's separation table marks the same terms ``hidden``: its sentence and the
    takeaway do not name them (an infinite estimate says a cell of the table is 0).

    Raises
    ------
    ValueError
        When ``counts`` lacks the columns it is read by, or a term of the model.
    """
    table = result.table  # type: ignore[attr-defined]
    missing = [c for c in ("term", "cases") if c not in counts]
    if missing:
        raise ValueError(f"the counts by outcome have no column(s) {missing}")
    terms = [t for t in table["term"] if t != "(Intercept)"]
    unknown = [t for t in terms if t not in set(counts["term"])]
    if unknown:
        raise ValueError(f"the counts by outcome have no row of the model's term(s) {unknown}")
    hidden = counts.groupby("term", sort=False)["cases"].apply(lambda c: bool(c.isna().any()))
    gone = table["term"].isin(hidden[hidden].index)
    columns = [c for c in _ESTIMATES if c in table]
    masked = table.copy()
    masked[columns] = masked[columns].astype(float).mask(gone, np.nan)
    masked["hidden"] = gone.to_numpy()
    changes: dict[str, object] = {"table": masked}
    separation = getattr(result, "separation", None)
    if separation is not None:  # an infinite estimate says a cell of its table is 0
        marked = separation.table.assign(
            hidden=separation.table["term"].isin(set(table.loc[gone, "term"]))
        )
        changes["separation"] = dataclasses.replace(separation, table=marked)
    return dataclasses.replace(result, **changes)  # type: ignore[type-var]
