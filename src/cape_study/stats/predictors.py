"""Case-level predictors and the design matrix of the prosecution models.

The predictors of :mod:`cape_study.stats.models` are named in the registry
:data:`PREDICTORS`, each with how it is derived from the case file's tables and its
label in the codebook's languages. :func:`design_matrix` gives one row per case of the
model population (cases with at least one suspect) with its outcomes
(:func:`cape_study.stats.attrition.event_times`) and one column per term;
:func:`model_terms`, :func:`term_labels`, :func:`term_counts` and
:func:`population_counts` read it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.data.victims import identified_victims
from cape_study.stats.attrition import event_times
from cape_study.stats.firth import INTERCEPT

__all__ = [
    "DEFAULT_PREDICTORS",
    "POPULATION_ENDS",
    "PREDICTORS",
    "PROCESS_PREDICTORS",
    "Predictor",
    "design_matrix",
    "has_suspects",
    "model_terms",
    "population_counts",
    "split_predictors",
    "term_counts",
    "term_labels",
]


@dataclass(frozen=True)
class Predictor:
    """A case-level predictor: how it is derived from the tables, and its label.

    A ``binary`` predictor gives one term (1 = present). A ``categorical`` one gives a
    term ``name[level]`` per level of its code ``scheme`` present in the data, except
    the ``reference`` level.

    ``timing`` says when it is known: ``report`` (at or near the report: how the case was
    detected, the country, the offence reported) or ``process`` (something the
    investigation brings about or learns later, such as counsel for the injured party,
    appointed during the investigation: a consequence of the process, to be read as a
    mediator, not as a cause of prosecution). ``country`` names the one country where
    it exists (an offence of one country's law); it is modelled only within that
    country (:func:`split_predictors`).
    """

    name: str
    definition: str
    kind: Literal["binary", "categorical"]
    values: Callable[[pd.DataFrame, pd.DataFrame], pd.Series]
    label: Callable[[Codebook, Language], str]
    scheme: str | None = None
    reference: str | None = None
    timing: Literal["report", "process"] = "report"
    country: str | None = None


def _case_code(column: str, code: str) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    def values(cases: pd.DataFrame, victims: pd.DataFrame) -> pd.Series:
        codes = cases[column].astype("string")
        return (codes == code).astype("Float64").mask(codes.isna())

    return values


def _case_column(column: str) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    def values(cases: pd.DataFrame, victims: pd.DataFrame) -> pd.Series:
        return cases[column].astype("boolean").astype("Float64")

    return values


def _codes(column: str) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    def values(cases: pd.DataFrame, victims: pd.DataFrame) -> pd.Series:
        return cases[column].astype("string")

    return values


def _any_victim(column: str) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    """1 if any victim of the case has ``column`` true; 0 if every victim is known to
    have it false (or the case has no victim); missing otherwise."""

    def values(cases: pd.DataFrame, victims: pd.DataFrame) -> pd.Series:
        victims = identified_victims(victims)
        flag = victims[column].astype("boolean")
        by_case = (
            pd.DataFrame({"yes": flag.fillna(False), "unknown": flag.isna()})
            .groupby(victims["case_id"].astype("string"))
            .any()
        )
        ids = cases["case_id"].astype("string")
        yes = ids.map(by_case["yes"]).astype("boolean").fillna(False).astype(bool)
        unknown = ids.map(by_case["unknown"]).astype("boolean").fillna(False).astype(bool)
        out = pd.Series(yes.astype(float), index=cases.index, dtype="Float64")
        return out.mask(~yes & unknown)

    return values


_ANY_VICTIM = {"en": "Any victim", "sv": "Något offer"}


def _code_label(
    scheme: str, code: str, column: str | None = None
) -> Callable[[Codebook, Language], str]:
    """``<what>: <code label>``; ``what`` is the cases column's label if given, else the
    scheme's."""

    def label(book: Codebook, lang: Language) -> str:
        what = book.table("cases").columns[column].label if column else book.scheme(scheme).label
        return f"{what(lang)}: {book.label(scheme, code, lang)}"

    return label


def _column_label(table: str, column: str, prefix: dict[str, str] | None = None):
    def label(book: Codebook, lang: Language) -> str:
        text = book.table(table).columns[column].label(lang)
        return f"{prefix[lang]}: {text[0].lower()}{text[1:]}" if prefix else text

    return label


#: The predictors a model may use, by name (an unknown name is a ValueError).
PREDICTORS: dict[str, Predictor] = {
    p.name: p
    for p in (
        Predictor(
            "country",
            "country of the case; term country[FI]: Finland against Sweden (reference)",
            "categorical",
            _codes("country"),
            lambda book, lang: book.scheme("country").label(lang),
            scheme="country",
            reference="SE",
        ),
        Predictor(
            "joint_inspection",
            "detected by a joint inspection (cases.detection_channel == joint_inspection)",
            "binary",
            _case_code("detection_channel", "joint_inspection"),
            _code_label("detection_channel", "joint_inspection", column="detection_channel"),
        ),
        Predictor(
            "victim_counsel",
            "at least one victim had counsel for the injured party (victims.had_counsel)",
            "binary",
            _any_victim("had_counsel"),
            _column_label("victims", "had_counsel", _ANY_VICTIM),
            timing="process",
        ),
        Predictor(
            "victim_left_country",
            "at least one victim left the country (victims.left_country)",
            "binary",
            _any_victim("left_country"),
            _column_label("victims", "left_country", _ANY_VICTIM),
            timing="process",
        ),
        Predictor(
            "victim_statement",
            "at least one victim gave a statement (victims.gave_statement)",
            "binary",
            _any_victim("gave_statement"),
            _column_label("victims", "gave_statement", _ANY_VICTIM),
            timing="process",
        ),
        Predictor(
            "interpreter_needed",
            "an interpreter was needed (cases.interpreter_needed; blank = unknown)",
            "binary",
            _case_column("interpreter_needed"),
            _column_label("cases", "interpreter_needed"),
        ),
        Predictor(
            "torkea_ihmiskauppa",
            "reported as aggravated trafficking, törkeä ihmiskauppa (cases.offence_reported; "
            "Finland only, rare)",
            "binary",
            _case_code("offence_reported", "torkea_ihmiskauppa"),
            _code_label("offence", "torkea_ihmiskauppa", column="offence_reported"),
            country="FI",
        ),
        Predictor(
            "sector",
            "sector of the work (cases.sector), against agriculture and forestry (reference)",
            "categorical",
            _codes("sector"),
            lambda book, lang: book.scheme("sector").label(lang),
            scheme="sector",
            reference="agriculture_forestry",
        ),
    )
}
#: The predictors of the study's main model: known at or near the report. The pooled
#: model of both countries leaves out ``torkea_ihmiskauppa``, an offence of Finnish law,
#: which :func:`split_predictors` models within Finland only.
DEFAULT_PREDICTORS = (
    "country",
    "joint_inspection",
    "interpreter_needed",
    "torkea_ihmiskauppa",
)
#: Predictors that the process brings about (:attr:`Predictor.timing` ``process``),
#: shown descriptively beside the models.
PROCESS_PREDICTORS = tuple(name for name, p in PREDICTORS.items() if p.timing == "process")


def split_predictors(
    predictors: Sequence[str], countries: Sequence[str]
) -> tuple[list[str], dict[str, list[str]]]:
    """The predictors of the pooled model and of each within-country model.

    A predictor that exists in one country only (:attr:`Predictor.country`) would
    separate the outcome by design in a pooled model (it is 0 in every case of the other
    country), so the pooled model leaves it out, and a model within that country (among
    ``countries``) takes it with the other predictors except ``country``.

    Returns
    -------
    (pooled, within)
        ``pooled``: the names without a country; ``within``: {country: names} for each
        country of ``countries`` that has a predictor of its own among ``predictors``.
    """
    chosen = [_predictor(name) for name in dict.fromkeys(predictors)]
    pooled = [p.name for p in chosen if p.country is None]
    within = {}
    for country in countries:
        own = [p.name for p in chosen if p.country == country]
        if own:
            within[country] = [n for n in pooled if n != "country"] + own
    return pooled, within


_TERM = re.compile(r"^(?P<name>[a-z_]+)(?:\[(?P<level>[^\]]+)\])?$")


def _predictor(name: str) -> Predictor:
    try:
        return PREDICTORS[name]
    except KeyError:
        raise ValueError(
            f"unknown predictor {name!r}; known predictors: {', '.join(PREDICTORS)}"
        ) from None


def has_suspects(cases: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Whether each case of ``cases`` has at least one suspect (the models' population):
    ``n_suspects`` at least 1, or blank (unknown, not 0) and its events name a suspect."""
    named = set(events.loc[events["suspect_id"].notna(), "case_id"])
    return (
        (cases["n_suspects"] >= 1).fillna(False)
        | (cases["n_suspects"].isna() & cases["case_id"].isin(named))
    ).astype(bool)


def design_matrix(
    cases: pd.DataFrame,
    events: pd.DataFrame,
    victims: pd.DataFrame,
    data_cutoff: dt.date | str,
    predictors: Sequence[str] = DEFAULT_PREDICTORS,
    codebook: Codebook | None = None,
    *,
    country: str | None = None,
) -> pd.DataFrame:
    """One row per case of the model population: outcomes, times and predictor terms.

    Parameters
    ----------
    cases, events, victims
        The tables of a :class:`~cape_study.data.loaders.CaseFile`.
    data_cutoff
        The case file's data cut-off (open cases are censored there).
    predictors
        Names from :data:`PREDICTORS`.
    codebook
        Supplies the stage order and code lists (default: the packaged codebook).
    country
        Only the cases of this country (a within-country model). A predictor of one
        country's law in a design of both countries is 0 for every case of the other
        (as the synthetic generator's model has it); the report fits it within its
        country instead (:func:`split_predictors`).

    Returns
    -------
    DataFrame
        Cases with at least one suspect: ``case_id``, ``country``, ``event``
        (``prosecuted``, ``closed`` or ``censored``), ``days`` (report to that end or to
        the cut-off; missing when a date is known only to the month or year, so that
        Cox regression leaves the case out), ``prosecuted`` (1, 0, or missing while
        open), ``prosecution`` (1 if prosecuted, else 0: the Cox event, closure
        censored), then one float
        column per term (see :func:`model_terms`), missing where unknown.
    """
    book = codebook_or_default(codebook)
    chosen = [_predictor(name) for name in dict.fromkeys(predictors)]
    population = cases[has_suspects(cases, events).to_numpy(bool)]
    if country is not None:
        population = population[population["country"].astype("string") == country]
    population = population.reset_index(drop=True)
    times = event_times(population, events, data_cutoff, book).set_index("case_id")
    out = population[["case_id"]].copy()
    out["country"] = population["country"].astype("string")
    out["event"] = out["case_id"].map(times["event"])
    out["days"] = out["case_id"].map(times["days"].where(times["day_precise"])).astype(float)
    out["prosecuted"] = out["event"].map({"prosecuted": 1.0, "closed": 0.0})
    out["prosecution"] = (out["event"] == "prosecuted").astype(int)
    for p in chosen:
        values = p.values(population, victims)
        if p.kind == "binary":
            out[p.name] = values.astype(float)
            continue
        present = set(values.dropna())
        for level in book.codes(p.scheme):
            if level != p.reference and level in present:
                out[f"{p.name}[{level}]"] = (values == level).astype(float).mask(values.isna())
    return out


def model_terms(data: pd.DataFrame) -> list[str]:
    """The term columns of a :func:`design_matrix` (predictor names and ``name[level]``)."""
    terms = []
    for column in data.columns:
        match = _TERM.match(str(column))
        if not match or match["name"] not in PREDICTORS:
            continue
        categorical = PREDICTORS[match["name"]].kind == "categorical"
        if categorical == (match["level"] is not None):
            terms.append(column)
    return terms


def term_labels(
    terms: Sequence[str], lang: Language = "en", codebook: Codebook | None = None
) -> dict[str, str]:
    """Readable labels of terms, from the codebook, in Swedish or English.

    A level of a categorical predictor is named with its reference level:
    ``Country: Finland (vs Sweden)``.
    """
    book = codebook_or_default(codebook)
    labels = {INTERCEPT: "Intercept" if lang == "en" else "Intercept (konstant)"}
    for term in terms:
        match = _TERM.match(term)
        if term == INTERCEPT or not match or match["name"] not in PREDICTORS:
            labels.setdefault(term, term)
            continue
        p = PREDICTORS[match["name"]]
        if match["level"] is None:
            labels[term] = p.label(book, lang)
        else:
            level = book.label(p.scheme, match["level"], lang)
            reference = book.label(p.scheme, p.reference, lang)
            versus = {"en": "vs", "sv": "jfr"}[lang]
            labels[term] = f"{p.label(book, lang)}: {level} ({versus} {reference})"
    return labels


def term_counts(data: pd.DataFrame, outcome: str, terms: Sequence[str]) -> pd.DataFrame:
    """Cases by term value (0/1) and outcome (0/1) among the complete cases modelled.

    Returns a tidy count table (``term``, ``value``, ``outcome``, ``cases``) with every
    cell, zeros included, for disclosure control (suppress each term's 2 x 2 table with
    keys ``value`` and ``outcome``) and for reading the models: a level without events
    is what separation looks like.
    """
    used = data.dropna(subset=[outcome, *terms])
    rows = []
    for term in terms:
        for value in (0, 1):
            for result in (0, 1):
                n = int(((used[term] == value) & (used[outcome] == result)).sum())
                rows.append({"term": term, "value": value, "outcome": result, "cases": n})
    return pd.DataFrame(rows, columns=["term", "value", "outcome", "cases"])


#: The ends of :func:`population_counts`, in order.
POPULATION_ENDS = ("prosecuted", "closed", "open", "incomplete")


def population_counts(data: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """Cases of a :func:`design_matrix` by country and how they enter the models.

    ``end`` is ``prosecuted`` (an event in both models), ``closed`` (closed without
    prosecution: 0 in the logistic model, censored in the Cox model), ``open`` (open at
    the cut-off: not in the logistic model, censored in the Cox model) or
    ``incomplete`` (a predictor unknown: in neither). Rows for every country and for
    ``all`` together, zeros included: a tidy count table for disclosure control
    (keys ``country`` and ``end``).
    """
    incomplete = data[list(terms)].isna().any(axis=1)
    end = data["event"].map({"prosecuted": "prosecuted", "closed": "closed", "censored": "open"})
    end = end.where(~incomplete, "incomplete")
    countries = sorted(data["country"].dropna().unique())
    rows = []
    for country in [*countries, "all"]:
        chosen = end if country == "all" else end[data["country"] == country]
        rows += [
            {"country": country, "end": e, "cases": int((chosen == e).sum())}
            for e in POPULATION_ENDS
        ]
    return pd.DataFrame(rows, columns=["country", "end", "cases"])
