"""Property tests: every step's library functions on random small valid case files.

Each example draws a case file from one synthetic case file of 40 cases: a random
subset of cases (at least one), of countries, of the stages reached (the events after
a drawn stage removed, closures removed or kept), of the tables (codings kept, from one
coder, or none; suspects kept or not) and of blank optional fields. The step's library
functions then run as its notebook calls them. The only exception allowed is the
documented "cannot estimate" result, :class:`cape_study.errors.CannotEstimate`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cape_study.data.loaders import load_case_file
from cape_study.errors import CannotEstimate
from cape_study.privacy import disclosure
from cape_study.stats import attrition, barriers, models, reliability, survival, textcoding
from cape_study.synth.generator import write_synthetic_case_file

EXAMPLES = settings(
    max_examples=int(os.environ.get("CAPE_STUDY_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
STAGES = [
    "reported",
    "investigation_opened",
    "suspect_notified",
    "prosecuted",
    "judgment_first_instance",
    "judgment_appeal",
    "judgment_supreme",
]
CUTOFF = pd.Timestamp("2024-12-31").date()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("properties") / "casefile"
    write_synthetic_case_file(folder, 40, 17, share_fi=0.4, coded_cases=40)
    return load_case_file(folder, data_cutoff="2024-12-31")


@st.composite
def shapes(draw: st.DrawFn) -> dict:
    return {
        "cases": draw(st.sets(st.integers(0, 39), min_size=1, max_size=40)),
        "countries": draw(st.sampled_from([("SE",), ("FI",), ("SE", "FI")])),
        "last_stage": draw(st.sampled_from(STAGES)),
        "closures": draw(st.booleans()),
        "codings": draw(st.sampled_from(["all", "one coder", "none"])),
        "blank": draw(
            st.sets(
                st.sampled_from(
                    ["interpreter_needed", "gave_statement", "had_counsel", "left_country"]
                )
            )
        ),
    }


def _shaped(case, shape: dict) -> dict[str, pd.DataFrame]:
    """The tables of ``case`` cut to ``shape`` (still a consistent case file)."""
    cases = case.cases.iloc[sorted(shape["cases"])]
    cases = cases[cases["country"].isin(shape["countries"])]
    if cases.empty:  # a case file holds at least one case
        cases = case.cases.iloc[[min(shape["cases"])]]
    keep = set(cases["case_id"])
    events = case.events[case.events["case_id"].isin(keep)]
    rank = {s: i for i, s in enumerate(STAGES)}
    last = rank[shape["last_stage"]]
    events = events[events["stage"].map(rank).fillna(-1).le(last) | (events["stage"] == "closed")]
    if not shape["closures"]:
        events = events[events["stage"] != "closed"]
    documents = case.documents[case.documents["case_id"].isin(keep)]
    units = keep | set(documents["doc_id"])
    codings = case.codings[case.codings["unit_id"].isin(units)]
    if shape["codings"] == "one coder":
        codings = codings[codings["coder"] == codings["coder"].min()]
    elif shape["codings"] == "none":
        codings = codings.iloc[:0]
    cases = cases.copy()
    victims = case.victims[case.victims["case_id"].isin(keep)].copy()
    for column in shape["blank"]:
        frame = cases if column in cases else victims
        frame[column] = pd.Series(pd.NA, index=frame.index, dtype=frame[column].dtype)
    return {
        "cases": cases.reset_index(drop=True),
        "events": events.reset_index(drop=True),
        "victims": victims.reset_index(drop=True),
        "documents": documents.reset_index(drop=True),
        "codings": codings.reset_index(drop=True),
    }


def _attempt(run) -> None:
    try:
        run()
    except CannotEstimate as exc:
        assert exc.reason and str(exc)


@EXAMPLES
@given(shape=shapes())
def test_attrition_runs_on_any_small_case_file(base, shape: dict) -> None:
    t = _shaped(base, shape)

    def run() -> None:
        status = attrition.case_status(t["cases"], t["events"])
        funnel = attrition.funnel(status, by="country", steps=attrition.FUNNEL_STEPS, overall=True)
        attrition.suppress_funnel(funnel, threshold=5, name="funnel", additive=["country"])
        times = attrition.event_times(t["cases"], t["events"], CUTOFF)
        survival.kaplan_meier(times, "days", "ended", by="country", times=[365, 730])
        incidence = survival.cumulative_incidence(
            times, "days", "event", causes=["prosecuted", "closed"], by="country", times=[730]
        )
        disclosure.suppress(
            incidence,
            "cumulative_events",
            threshold=5,
            name="cif",
            label=["country", "cause", "time"],
            derived=["cif", "ci_low", "ci_high"],
        )
        paths = attrition.offence_paths(t["cases"], t["events"])
        prosecuted = paths[paths["charged"] != "not_prosecuted"]
        flows = attrition.flow_table(prosecuted, ["reported", "charged"])
        disclosure.suppress(flows, "cases", threshold=5, keys=["reported", "charged"], name="f")

    _attempt(run)


@EXAMPLES
@given(shape=shapes())
def test_barriers_run_on_any_small_case_file(base, shape: dict) -> None:
    t = _shaped(base, shape)

    def run() -> None:
        codes = barriers.case_codes(t["codings"], t["documents"], rule="majority")
        status = attrition.case_status(t["cases"], t["events"])
        prevalence = barriers.prevalence(codes, status)
        safe = disclosure.suppress(
            prevalence,
            "present",
            total="n_cases",
            threshold=5,
            name="p",
            label=["scheme", "code", "group"],
            derived=["proportion", "ci_low", "ci_high"],
        )
        barriers.prevalence_difference(safe)
        barriers.suppress_pairs(
            barriers.cooccurrence(codes, schemes=["barrier"]), threshold=5, name="pairs"
        )
        reliability.agreement(t["codings"], n_boot=20, seed=1)
        reliability.disagreement_counts(t["codings"])

    _attempt(run)


@EXAMPLES
@given(shape=shapes())
def test_models_run_on_any_small_case_file(base, shape: dict) -> None:
    t = _shaped(base, shape)

    def run() -> None:
        design = models.design_matrix(t["cases"], t["events"], t["victims"], CUTOFF)
        terms = models.model_terms(design)
        models.population_counts(design, terms)
        models.blank_counts(design, terms)
        models.term_counts(design, "prosecuted", terms)
        models.logistic_regression(design, "prosecuted", terms, min_cell_count=5)
        models.cox_regression(design, "days", "prosecution", terms, min_cell_count=5)

    _attempt(run)


@EXAMPLES
@given(shape=shapes())
def test_text_coding_runs_on_any_small_case_file(base, shape: dict) -> None:
    t = _shaped(base, shape)

    def run() -> None:
        units = textcoding.coding_units(t["documents"], t["codings"], scheme="barrier")
        labels = textcoding.consensus(t["codings"], scheme="barrier")
        coded = units[units["coded"]]
        dictionary = textcoding.match_keywords(textcoding.used_units(units), scheme="barrier")
        textcoding.match_counts(dictionary[dictionary["unit_id"].isin(coded["unit_id"])])
        human = textcoding.human_agreement(t["codings"], scheme="barrier")
        predictions = textcoding.cross_validate(coded, labels, min_examples=2, n_splits=2)
        textcoding.agreement_table(predictions, dictionary, human, codes=None)
        model = textcoding.train(coded, labels, min_examples=2)
        uncoded = textcoding.uncoded_units(units)
        suggestions = textcoding.suggest(model, uncoded)
        textcoding.suggested_units(suggestions)

    _attempt(run)


def test_the_base_case_file_is_what_the_shapes_cut(base) -> None:
    assert len(base.cases) == 40 and set(base.cases["country"]) == {"SE", "FI"}
    assert base.codings["coder"].nunique() >= 2 and not base.documents.empty
    assert Path(str(base.source)).name == "casefile"
