"""03_models' count tables linked with 01's (cape_study.stats.model_links): every cell is
the box of cases it counts, an intruder who combines the models' tables with 01's funnels
recovers hidden counts when the models' tables are protected table by table, and none
once they are linked."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_linked import _demo_tables, _protected, _small_cells

from cape_study.data.loaders import load_case_file
from cape_study.privacy.disclosure import Disclosure
from cape_study.privacy.linked import LinkedTable, exposed
from cape_study.stats import models
from cape_study.stats.model_links import ZERO_NAME, CaseClasses
from cape_study.synth import SynthSpec, write_synthetic_case_file

POOLED = ["country", "joint_inspection", "interpreter_needed"]


@pytest.fixture(scope="module")
def sixty(tmp_path_factory: pytest.TempPathFactory):
    """A 60-case synthetic file (seed 1), 01's linked tables of it, and its classes."""
    tmp = tmp_path_factory.mktemp("models")
    folder = write_synthetic_case_file(
        tmp / "casefile", SynthSpec(60, 1), command="test", progress=None
    )
    linked, dimensions = _demo_tables(tmp, folder)
    case = load_case_file(folder, read_documents=False)
    return case, linked, dimensions, CaseClasses(case)


def _model_tables(case, classes: CaseClasses) -> list[tuple[str, pd.DataFrame, list, list]]:
    """03's model population and cases by outcome of the pooled terms, with their boxes."""
    design = models.design_matrix(
        case.cases, case.events, case.victims, case.data_cutoff, predictors=POOLED
    )
    terms = models.model_terms(design)
    population = models.population_counts(design, terms)
    out = [
        (
            "model population",
            population,
            ["country", "end"],
            classes.population_boxes(population, POOLED),
        )
    ]
    for term, cells in models.term_counts(design, "prosecuted", terms).groupby("term", sort=False):
        cells = cells.reset_index(drop=True)
        boxes = classes.term_boxes(cells, POOLED)
        out.append((f"cases by outcome: {term}", cells, ["value", "outcome"], boxes))
    return out


def test_every_box_holds_its_cell_count(sixty) -> None:
    # the registration is true: each cell's count is the number of cases in its box,
    # also for the demo's 400 cases (the link refuses a table where one is not)
    case, _, _, classes = sixty
    for _, truth, _, boxes in _model_tables(case, classes):
        assert all(boxes)
        assert [classes.count(b) for b in boxes] == truth["cases"].tolist()
    # prosecuted is 01's row 'prosecuted' less the cases with a predictor unknown
    prosecuted = classes.count({"stage": "prosecuted"})
    unknown = classes.count({"stage": "prosecuted", "interpreter_needed": "unknown"})
    population = _model_tables(case, classes)[0][1]
    all_prosecuted = population.query("country == 'all' and end == 'prosecuted'")["cases"]
    assert int(all_prosecuted.iloc[0]) == prosecuted - unknown


def test_combining_the_models_tables_with_01s_funnels(sixty) -> None:
    case, linked, dimensions, classes = sixty
    everything = {**dimensions, **classes.dimensions}
    # before: 03's tables protected each on its own, as published until now
    scratch = Disclosure()
    alone = []
    for name, truth, keys, boxes in _model_tables(case, classes):
        safe = scratch.suppress(truth, "cases", threshold=5, name=name, keys=keys)
        dims = sorted({d for b in boxes for d in b})
        cells = pd.DataFrame([{d: b.get(d, "all") for d in dims} for b in boxes])
        cells["cases"] = safe["cases"].astype("Int64").to_numpy()
        values = truth["cases"].to_numpy()
        small = cells["cases"].isna().to_numpy() & (values > 0) & (values < 5)
        marked = (safe["hidden"] == "small").fillna(False).to_numpy()
        alone.append(LinkedTable(name, cells, "cases", {d: d for d in dims}, small, marked=marked))
    found = exposed([*linked, *alone], everything, threshold=5)
    assert "stage funnel" not in found  # intake and 01 alone protect it
    assert found, "03's tables protected alone no longer expose anything here"
    assert "model population" in found
    # after: linked with 01's tables (03 reads 01's registry), nothing can be narrowed
    audit = Disclosure()
    audit._linked = {t.name: t for t in linked}
    audit._dimensions.update(dimensions)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a table left unlinked or exposed warns
        classes.link_zeros(audit, threshold=5)
        for name, truth, keys, _ in _model_tables(case, classes):
            safe = audit.suppress(truth, "cases", threshold=5, name=name, keys=keys)
            link = classes.link_population if name == "model population" else classes.link_terms
            out = link(audit, safe, truth, predictors=POOLED, name=name, threshold=5)
            assert out["cases"].isna().sum() >= safe["cases"].isna().sum()
    audit.verify(threshold=5)
    assert ZERO_NAME in audit._linked
    cells = _small_cells(list(audit._linked.values()), audit._dimensions)
    assert cells and all(_protected(*cell) for cell in cells)


def test_a_table_of_a_predictor_without_a_dimension_is_left_unlinked(sixty) -> None:
    # the sector as a predictor (sector[x] against the reference): not yet a set of sectors
    case, _, _, classes = sixty
    truth = pd.DataFrame(
        {"term": "sector[construction]", "value": [0, 0, 1, 1], "outcome": [0, 1, 0, 1]}
    ).assign(cases=[3, 2, 0, 1])
    audit = Disclosure()
    safe = audit.suppress(truth, "cases", threshold=5, name="t", keys=["value", "outcome"])
    out = classes.link_terms(
        audit, safe, truth, predictors=[*POOLED, "sector"], name="t", threshold=5
    )
    assert out.equals(safe) and not audit._linked
    # a count that is not its box's (a wrong registration) is refused with a warning
    wrong = _model_tables(case, classes)[1][1].assign(cases=lambda t: t["cases"] + 1)
    with pytest.warns(UserWarning, match="is not linked"):
        classes.link_terms(audit, wrong, wrong, predictors=POOLED, name="w", threshold=5)
    assert not audit._linked


def test_torkea_ihmiskauppa_is_a_class_within_its_family(sixty) -> None:
    # the within-Finland table by törkeä ihmiskauppa: the offence is a class of 01's
    # dimension 'reported' inside the trafficking family, so an intruder who adds it to
    # the funnel by offence family knows it lies there
    case, _, _, classes = sixty
    names = ["joint_inspection", "interpreter_needed", "torkea_ihmiskauppa"]
    design = models.design_matrix(
        case.cases, case.events, case.victims, case.data_cutoff, predictors=names, country="FI"
    )
    cells = models.term_counts(design, "prosecuted", models.model_terms(design))
    cells = cells[cells["term"] == "torkea_ihmiskauppa"].reset_index(drop=True)
    boxes = classes.term_boxes(cells, names, country="FI")
    assert boxes[2]["reported"] == "torkea_ihmiskauppa"
    assert [classes.count(b) for b in boxes] == cells["cases"].tolist()
    torkea = case.cases["offence_reported"].astype("string") == "torkea_ihmiskauppa"
    assert classes.count({"reported": "torkea_ihmiskauppa"}) == int(torkea.sum())
    trafficking = (
        case.cases["offence_reported"]
        .astype("string")
        .isin(["manniskohandel", "ihmiskauppa", "torkea_ihmiskauppa"])
    )
    assert classes.count({"reported": "trafficking"}) == int(trafficking.sum())


def test_the_course_sets_of_the_models(sixty) -> None:
    # closed before prosecution and open before it, with prosecuted, split every case
    _, _, _, classes = sixty
    parts = [
        classes.count({"stage": s})
        for s in ("prosecuted", "closed_before:prosecuted", "open_before:prosecuted")
    ]
    assert sum(parts) == len(classes.cases) and all(p > 0 for p in parts)
    assert np.all(classes.cases["suspect"].isin(["yes", "no"]))


def test_demo_classes(tmp_path: Path) -> None:
    # the demo: the models' tables are boxes (else the run's 03 would not link them)
    from cape_study.paths import project

    case = load_case_file(
        project().root / "data/raw/demo", data_cutoff="2024-12-31", read_documents=False
    )
    classes = CaseClasses(case)
    for _, truth, _, boxes in _model_tables(case, classes):
        assert [classes.count(b) for b in boxes] == truth["cases"].tolist()


def test_a_missing_registry_says_what_to_run(tmp_path: Path) -> None:
    from cape_study.stats.model_links import registries

    (tmp_path / "disclosure.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"disclosure_01_attrition.json.*--only 03_models"):
        registries(tmp_path)
