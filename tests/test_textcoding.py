"""Text coding: extraction, normalisation, the keyword dictionary, the consensus, the
grouped cross-validation of the classifier, its scores and its suggestions."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import sparse
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

from cape_study import paths, synth
from cape_study.data.codebook import CODEBOOK_DIR, CodebookError, load_codebook
from cape_study.errors import CannotEstimate
from cape_study.stats import textcoding
from cape_study.stats.textcoding import classifier, evaluation, parallel
from cape_study.stats.textcoding import suggestions as suggesting
from cape_study.stats.textcoding.texts import sentence_spans

BOOK = load_codebook()
CODES = ["victim_left_country", "improper_means_not_proven", "victim_not_participating"]


# -- a small synthetic case file, shared ---------------------------------------------------
@pytest.fixture(scope="module")
def corpus() -> dict[str, pd.DataFrame]:
    sim = synth.simulate(300, 11, texts=True)
    codings = sim.tables["codings"].copy()
    codings["present"] = codings["present"].map({"1": True, "0": False})
    units = textcoding.coding_units(sim.documents, codings)
    labels = textcoding.consensus(codings)
    coded = units[units["coded"]].reset_index(drop=True)
    return {"units": units, "codings": codings, "labels": labels, "coded": coded}


@pytest.fixture(scope="module")
def few_labels(corpus) -> pd.DataFrame:
    labels = corpus["labels"]
    return labels[labels["code"].isin(CODES)]


@pytest.fixture(scope="module")
def predictions(corpus, few_labels) -> pd.DataFrame:
    return textcoding.cross_validate(corpus["coded"], few_labels, seed=3)


# -- normalisation ------------------------------------------------------------------------
def test_normalise_composes_swedish_letters_and_joins_hyphenated_words() -> None:
    decomposed = unicodedata.normalize("NFD", "Målsäganden återvände")
    assert decomposed != "Målsäganden återvände"
    assert textcoding.normalise(decomposed) == "Målsäganden återvände"
    text = (
        "Förunder-\nsökningen läggs ned. EU-\nmedborgare omfattas. Arbetsmiljö-\noch "
        "skattebrott.\nMålsäganden har lämnat\nlandet.\nSkäl\nDen misstänkte"
    )
    assert textcoding.normalise(text) == (
        "Förundersökningen läggs ned. EU-medborgare omfattas. Arbetsmiljö- och "
        "skattebrott.\nMålsäganden har lämnat landet.\nSkäl\nDen misstänkte"
    )
    assert textcoding.normalise("Ord\u00adstäv\u00a0med  mellan\r\nrum") == "Ordstäv med mellan rum"


def test_normalise_removes_page_headers_footers_and_numbers() -> None:
    body = ["Målsäganden har hörts.", "Tolk har inte funnits.", "Förundersökningen läggs ned."]
    pages = [
        f"Åklagarmyndigheten   Beslut 2021-03-04\nÄrende AM-{1233 + i}-21\n{text}\nSida {i} (3)"
        for i, text in enumerate(body, start=1)
    ]
    out = textcoding.normalise("\f".join(pages))
    assert out == "\n".join(body)  # header, case number line and footer gone
    flat = "Sida 2 av 5\nBeslut\nMålsäganden hördes.\n- 3 -\nBeslut\nSkäl"
    assert textcoding.normalise(flat) == "Beslut\nMålsäganden hördes.\nBeslut\nSkäl"


# -- extraction ---------------------------------------------------------------------------
PNR = "19550114-2284"  # one of Skatteverket's test numbers (reference/test_identity_numbers)


BODY = [
    "Malsaganden har lamnat landet och har inte kunnat\nhoras.",
    "Forundersok-\nningen laggs ned.",
]


def _pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for i in (1, 2):
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.set_xy(10, 10)
        pdf.cell(text="Polismyndigheten - Beslut i arende 5000-K123456-21")
        pdf.set_xy(10, 30)
        pdf.multi_cell(0, 6, text=BODY[i - 1])
        pdf.set_xy(10, 280)
        pdf.cell(text=f"Sida {i} av 2")
    pdf.output(str(path))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    import docx

    (tmp_path / "a.txt").write_text(f"Målsäganden ({PNR}) vill inte medverka.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Förlikning har träffats.".encode("cp1252"))
    document = docx.Document()
    document.add_paragraph("Tolk i thai har inte kunnat uppbringas.")
    document.save(tmp_path / "b.docx")
    _pdf(tmp_path / "c.pdf")
    (tmp_path / "broken.docx").write_bytes(b"not a word document")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return tmp_path


def test_extraction_reads_each_format_and_lists_the_files_it_cannot_read(folder: Path) -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["A", "L", "B", "C", "X", "Y", "M", "U", "E"],
            "path": [
                "a.txt",
                "latin1.txt",
                "b.docx",
                "c.pdf",
                "broken.docx",
                "broken.pdf",
                "missing.txt",
                "notes.rtf",
                "../outside.txt",
            ],
        }
    )
    result = textcoding.extract_texts(docs, folder)
    texts = result.texts.set_index("doc_id")["text"]
    assert list(texts.index) == ["A", "L", "B", "C"]
    assert texts["A"] == "Målsäganden ([PNR]) vill inte medverka."  # masked before returned
    assert result.texts.set_index("doc_id").loc["A", "masked"] == 1
    assert texts["L"] == "Förlikning har träffats."
    assert any("latin1.txt" in note for note in result.notes)
    assert texts["B"] == "Tolk i thai har inte kunnat uppbringas."
    # PDF: two pages; the header and footer are gone, the broken line is joined.
    assert "Polismyndigheten" not in texts["C"] and "Sida" not in texts["C"]
    assert (
        texts["C"]
        == "Malsaganden har lamnat landet och har inte kunnat horas.\nForundersokningen laggs ned."
    )
    failures = result.failures.set_index("doc_id")
    assert list(failures.index) == ["X", "Y", "M", "U", "E"]
    assert failures.loc["X", "file"] == "broken.docx" and "Word .docx" in failures.loc["X", "error"]
    assert "broken.pdf" in failures.loc["Y", "error"] and "PDF" in failures.loc["Y", "error"]
    assert "missing.txt" in failures.loc["M", "error"]
    assert ".txt, .docx, .pdf" in failures.loc["U", "error"]
    assert failures.loc["E", "file"] == "../outside.txt"


# -- the dictionary -----------------------------------------------------------------------
def test_every_barrier_code_has_keywords_in_swedish_and_finnish() -> None:
    for code in BOOK.scheme("barrier").codes:
        assert code.keywords is not None and code.keywords.sv and code.keywords.fi, code.code


@pytest.mark.parametrize(
    ("keyword", "message"),
    [("(unclosed", "not a regular expression"), ("Sekretess", "lower case"), ("x?", "empty")],
)
def test_a_bad_keyword_is_a_codebook_error(tmp_path: Path, keyword: str, message: str) -> None:
    raw = yaml.safe_load((CODEBOOK_DIR / "cape_v2.yaml").read_text(encoding="utf-8"))
    raw["schemes"]["barrier"]["codes"][0]["keywords"]["sv"].append(keyword)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CodebookError, match=message) as info:
        load_codebook(path)
    assert "schemes.barrier.codes.0.keywords.sv" in str(info.value)


def test_dictionary_returns_the_matched_words_and_their_sentence() -> None:
    docs = pd.DataFrame(
        {
            "unit_id": ["D1", "D2", "D3"],
            "text": [
                "BESLUT\nFörundersökningen läggs ned. Målsäganden har lämnat landet och "
                "har inte kunnat nås för förhör. Bolagets företrädare är en målvakt.",
                "MÅLSÄGANDEN HAR LÄMNAT LANDET.",
                "Han spelade som fotbollsmålvakt. Arbetet pågick varje dag.",
            ],
        }
    )
    found = textcoding.match_keywords(docs).set_index(["unit_id", "code"])
    hit = found.loc[("D1", "victim_left_country")]
    assert hit["matched"]
    assert hit["evidence"] == ("Målsäganden har lämnat landet och har inte kunnat nås för förhör.")
    assert hit["match"] == "lämnat landet"
    assert hit["keyword"] in BOOK.scheme("barrier").get("victim_left_country").keywords.sv
    assert found.loc[("D1", "diffuse_employer_responsibility"), "evidence"] == (
        "Bolagets företrädare är en målvakt."
    )
    assert found.loc[("D2", "victim_left_country"), "matched"]  # case does not matter
    assert not found.loc["D3"]["matched"].any()  # a word boundary: not "fotbollsmålvakt"
    assert found.loc["D3"]["evidence"].isna().all()
    assert len(found) == 3 * len(BOOK.codes("barrier"))


def test_evidence_is_one_whole_sentence() -> None:
    docs = pd.DataFrame(
        {
            "unit_id": ["D1"],
            "text": [
                "Enligt 4 kap. 1 b § brottsbalken krävs mer. ”Målsäganden har lämnat landet.” "
                "Förundersökningen läggs ned."
            ],
        }
    )
    found = textcoding.match_keywords(docs).set_index("code")
    assert found.loc["victim_left_country", "evidence"] == "”Målsäganden har lämnat landet.”"


# -- the consensus and the human agreement ------------------------------------------------
def _codings(rows: list[tuple[str, str, str, bool]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unit_id", "coder", "code", "present"])
    return frame.assign(scheme="barrier")


def test_consensus_is_the_majority_and_ties_follow_the_rule() -> None:
    codings = _codings(
        [
            ("U1", "a", "x", True),
            ("U1", "b", "x", True),
            ("U2", "a", "x", True),
            ("U2", "b", "x", False),
            ("U3", "a", "x", True),
            ("U3", "b", "x", False),
            ("U3", "c", "x", False),
            ("U4", "a", "x", True),
        ]
    )
    expected = {"U1": True, "U2": None, "U3": False, "U4": True}
    for tie, tied in (("exclude", None), ("present", True), ("absent", False)):
        out = textcoding.consensus(codings, tie=tie).set_index("unit_id")
        got = {u: (None if pd.isna(v) else bool(v)) for u, v in out["label"].items()}
        assert got == {**expected, "U2": tied}
    assert list(out["n_coders"]) == [2, 2, 3, 1]
    with pytest.raises(ValueError, match="exclude, present, absent"):
        textcoding.consensus(codings, tie="coin")


def _ac1(first, second) -> float:
    """Gwet's AC1 of two coders by stats.kappa (an independent computation, checked
    against irrCAC in tests/test_kappa.py)."""
    from cape_study.stats.kappa import gwet_ac1_test

    codings = pd.DataFrame(
        {
            "unit_id": [*range(len(first)), *range(len(second))],
            "coder": ["a"] * len(first) + ["b"] * len(second),
            "present": [*np.asarray(first, bool), *np.asarray(second, bool)],
        }
    )
    return float(gwet_ac1_test(codings, categories=[False, True])["estimate"].iloc[0])


def test_human_agreement_matches_scikit_learn(corpus) -> None:
    codings = corpus["codings"]
    out = textcoding.human_agreement(codings).set_index("code")
    assert set(out["coders"]) == {"coder_a & coder_b"}  # the pair who coded most units
    barrier = codings[codings["scheme"] == "barrier"]
    wide = barrier.pivot_table(
        index=["code", "unit_id"], columns="coder", values="present", aggfunc="first"
    )
    for code in BOOK.codes("barrier"):
        pair = wide.loc[code][["coder_a", "coder_b"]].dropna().astype(bool)
        assert out.loc[code, "n_units"] == len(pair)
        assert out.loc[code, "kappa"] == pytest.approx(
            cohen_kappa_score(pair["coder_a"], pair["coder_b"])
        )
        assert out.loc[code, "f1"] == pytest.approx(f1_score(pair["coder_a"], pair["coder_b"]))
        assert out.loc[code, "ac1"] == pytest.approx(_ac1(pair["coder_a"], pair["coder_b"]))


# -- grouped cross-validation ---------------------------------------------------------------
def test_grouped_folds_never_split_a_case() -> None:
    groups = np.repeat([f"case{i}" for i in range(23)], [1, 2, 3] * 7 + [4, 1])
    folds = textcoding.grouped_folds(groups, n_splits=5, seed=1)
    assert set(folds) == set(range(5))
    assert pd.Series(folds).groupby(groups).nunique().max() == 1
    with pytest.raises(ValueError, match="2 case"):
        textcoding.grouped_folds(["a", "b", "b"], n_splits=3)


def test_no_case_is_in_both_the_training_and_the_test_fold(corpus, few_labels, monkeypatch) -> None:
    coded = corpus["coded"]
    case_of = dict(zip(coded["text"], coded["case_id"], strict=True))
    seen: list[set[str]] = []

    class Recording(evaluation.Corpus):  # the features are fitted on a fold's training texts
        def __init__(self, texts, features) -> None:
            super().__init__(texts, features)
            self.texts = texts

        def fold(self, train, test):
            seen.append({case_of[self.texts[i]] for i in train})
            return super().fold(train, test)

    monkeypatch.setattr(evaluation, "Corpus", Recording)
    out = textcoding.cross_validate(coded, few_labels, n_splits=4, seed=5)
    assert len(seen) == 4
    assert out.groupby("case_id")["fold"].nunique().max() == 1
    folds = textcoding.grouped_folds(coded["case_id"], n_splits=4, seed=5)
    for k, trained_on in enumerate(seen):
        tested = set(out.loc[out["fold"] == k, "case_id"])
        assert tested and trained_on and not tested & trained_on
        assert trained_on == set(coded.loc[folds != k, "case_id"])
    # The calibration folds inside a training fold are grouped by case as well.
    y = np.array([True, False] * 10)
    groups = np.repeat(np.arange(10), 2).astype(str)
    for train, test in classifier._stratified_group_folds(y, groups, 3, seed=0):
        assert not set(groups[train]) & set(groups[test])


def test_cross_validation_predicts_every_labelled_document_once(corpus, few_labels, predictions):
    labelled = few_labels.dropna(subset=["label"])
    assert len(predictions) == len(labelled)
    assert set(zip(predictions["unit_id"], predictions["code"], strict=True)) == set(
        zip(labelled["unit_id"], labelled["code"], strict=True)
    )
    assert predictions["probability"].between(0, 1).all()
    # The planted barriers are written into the decisions: the classifier finds them.
    left = predictions[predictions["code"] == "victim_left_country"]
    assert cohen_kappa_score(left["label"], left["predicted"].astype(bool)) > 0.6


def test_cross_validation_is_deterministic_for_a_seed(corpus, few_labels, predictions) -> None:
    again = textcoding.cross_validate(corpus["coded"], few_labels, seed=3)
    pd.testing.assert_frame_equal(again, predictions)
    other = textcoding.cross_validate(corpus["coded"], few_labels, seed=4)
    assert not np.array_equal(other["fold"], predictions["fold"])


@pytest.mark.parametrize("model_name", list(classifier.MODELS))
def test_calibrated_classifiers_are_scikit_learns_own(corpus, model_name: str) -> None:
    """fit_code fits CalibratedClassifierCV's steps without its per-fold checks, and
    positive_probability is its predict_proba without them: the same models, sigmoids,
    attributes and probabilities, float for float, as CalibratedClassifierCV.fit and
    predict_proba (so that a scikit-learn that fits otherwise fails here)."""
    from sklearn.calibration import CalibratedClassifierCV

    coded = corpus["coded"]
    x = classifier.canonical(classifier.make_features().fit_transform(coded["text"].tolist()))
    wide = classifier.label_matrix(coded, corpus["labels"], "unit_id")
    groups = coded["case_id"].astype("string").to_numpy(dtype=object)
    rows = np.arange(0, x.shape[0], 3)  # texts the models have not seen, and seen ones
    fitted = 0
    for code in wide.columns[:6]:
        known = wide[code].notna().to_numpy()
        y = wide[code].to_numpy(dtype=object)[known].astype(bool)
        for seed in (0, 7):
            ours = classifier.fit_code(x[known], y, groups[known], model_name, seed)
            if ours is None:
                continue
            fitted += 1
            theirs = CalibratedClassifierCV(
                classifier.model_factory(model_name)(seed), method="sigmoid", cv=ours.cv
            ).fit(x[known], y)
            assert sorted(vars(ours)) == sorted(vars(theirs))
            np.testing.assert_array_equal(ours.classes_, theirs.classes_)
            assert ours.n_features_in_ == theirs.n_features_in_
            assert len(ours.calibrated_classifiers_) == len(theirs.calibrated_classifiers_) == 3
            for a, b in zip(
                ours.calibrated_classifiers_, theirs.calibrated_classifiers_, strict=True
            ):
                assert type(a) is type(b) and a.method == b.method
                np.testing.assert_array_equal(a.classes, b.classes)
                assert sorted(vars(a.estimator)) == sorted(vars(b.estimator))
                for name in ("coef_", "intercept_", "n_iter_", "classes_"):
                    np.testing.assert_array_equal(
                        getattr(a.estimator, name), getattr(b.estimator, name)
                    )
                ((sa,), (sb,)) = (a.calibrators, b.calibrators)
                assert type(sa) is type(sb) and sorted(vars(sa)) == sorted(vars(sb))
                assert (sa.a_, sa.b_) == (sb.a_, sb.b_)
            expected = theirs.predict_proba(x[rows])[:, 1]
            got = classifier.positive_probability(ours, x[rows])
            assert got.tobytes() == expected.tobytes()
    assert fitted >= 6


def test_the_classifiers_are_fitted_on_one_blas_thread(corpus, few_labels, monkeypatch) -> None:
    """cross_validate and train fit on one BLAS thread even where the kernel has more (a
    second thread only spins in the sigmoids' L-BFGS-B), and give back the limit after."""
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    seen: list[set[int]] = []
    fit_code = classifier.fit_code

    def recording(*args, **kwargs):
        seen.append(blas_threads())
        return fit_code(*args, **kwargs)

    monkeypatch.setattr(classifier, "fit_code", recording)
    monkeypatch.setattr(evaluation, "fit_code", recording)
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        textcoding.cross_validate(corpus["coded"], few_labels, seed=3)
        textcoding.train(corpus["coded"], few_labels, seed=3)
        assert blas_threads() == before
    assert len(seen) > len(CODES) and all(threads == {1} for threads in seen)


def test_no_code_with_enough_examples_cannot_be_estimated(corpus, few_labels) -> None:
    # Nothing to train or score: the documented "cannot estimate" result, not empty output.
    with pytest.raises(CannotEstimate) as info:
        textcoding.cross_validate(corpus["coded"], few_labels, min_examples=10_000)
    assert info.value.reason == "too_few_examples" and info.value.facts["needed"] == 10_000
    model = textcoding.train(corpus["coded"], few_labels, min_examples=10_000)
    assert not model.classifiers and set(model.skipped) == set(CODES)  # dictionary only
    assert "at least 10000" in model.skipped["victim_left_country"]
    with pytest.raises(CannotEstimate) as info:
        textcoding.train(corpus["coded"].iloc[:0], few_labels)
    assert info.value.reason == "no_codings"
    with pytest.raises(ValueError, match="logistic, linear_svm"):
        textcoding.train(corpus["coded"], few_labels, model="forest")


def test_agreement_table_matches_scikit_learn(corpus, few_labels, predictions) -> None:
    dictionary = textcoding.match_keywords(corpus["coded"])
    human = textcoding.human_agreement(corpus["codings"])
    table = textcoding.agreement_table(predictions, dictionary, human, codes=CODES)
    assert list(table["code"]) == [c for c in CODES for _ in range(3)]
    assert list(table["method"]) == list(textcoding.METHODS) * 3
    rows = table.set_index(["code", "method"])
    matched = dictionary.set_index(["unit_id", "code"])["matched"]
    for code in CODES:
        p = predictions[predictions["code"] == code]
        truth = p["label"].astype(bool)
        for method, guess in (
            ("classifier", p["predicted"].astype(bool)),
            ("dictionary", matched.loc[list(zip(p["unit_id"], p["code"], strict=True))]),
        ):
            row = rows.loc[(code, method)]
            guess = np.asarray(guess, dtype=bool)
            assert row["n_units"] == len(truth) and row["n_positive"] == truth.sum()
            assert row["precision"] == pytest.approx(precision_score(truth, guess))
            assert row["recall"] == pytest.approx(recall_score(truth, guess))
            assert row["f1"] == pytest.approx(f1_score(truth, guess))
            assert row["kappa"] == pytest.approx(cohen_kappa_score(truth, guess))
            assert row["ac1"] == pytest.approx(_ac1(truth, guess))
        human_row = rows.loc[(code, "human")]
        assert np.isnan(human_row["precision"]) and np.isnan(human_row["recall"])
        assert human_row["kappa"] == pytest.approx(human.set_index("code").loc[code, "kappa"])


# -- suggestions ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model(corpus, few_labels) -> textcoding.CodingModel:
    return textcoding.train(corpus["coded"], few_labels, seed=3)


def test_suggestions_cover_uncoded_decisions_with_their_passages(corpus, model) -> None:
    codings_before = corpus["codings"].copy()
    uncoded = textcoding.uncoded_units(corpus["units"])
    assert not uncoded["unit_id"].isin(corpus["labels"]["unit_id"]).any()
    assert set(uncoded["doc_type"]) <= set(corpus["coded"]["doc_type"]) - {"case"}
    assert len(uncoded) > 0
    dictionary = textcoding.match_keywords(uncoded)
    out = textcoding.suggest(model, uncoded, dictionary=dictionary)
    assert len(out) > 0 and set(out["unit_id"]) <= set(uncoded["unit_id"])
    assert (out["classifier"] | out["dictionary"]).all()
    by_model = out[out["classifier"]]
    assert (by_model["probability"] >= textcoding.THRESHOLD).all()
    texts = uncoded.set_index("unit_id")["text"]
    for doc, passage in zip(out["unit_id"], out["passage"], strict=True):
        assert passage and passage in texts[doc]
    keyword_only = out[~out["classifier"]]
    assert keyword_only["terms"].isna().all() and keyword_only["keyword"].notna().all()
    # Every confident proposal is listed, and nothing below the threshold.
    p = model.predict_proba(uncoded["text"])
    assert len(by_model) == int((p.to_numpy() >= textcoding.THRESHOLD).sum())
    # A table for review, apart from the human codings, which are left as they were.
    assert not {"coder", "present"} & set(out.columns)
    pd.testing.assert_frame_equal(corpus["codings"], codings_before)


def test_used_units_are_the_coded_and_those_suggestions_are_made_for(corpus) -> None:
    units = corpus["units"]
    used = textcoding.used_units(units)
    uncoded = textcoding.uncoded_units(units)
    assert set(used["unit_id"]) == set(units.loc[units["coded"], "unit_id"]) | set(
        uncoded["unit_id"]
    )
    assert len(used) < len(units)  # interviews and police reports are not coded
    assert list(used.index) == sorted(used.index)  # in the order of the units
    # the dictionary on these units gives the same matches for them as on all units
    everywhere = textcoding.match_keywords(units)
    pd.testing.assert_frame_equal(
        textcoding.match_keywords(used),
        everywhere[everywhere["unit_id"].isin(used["unit_id"])].reset_index(drop=True),
    )


def test_suggestions_do_not_depend_on_the_batch_size(corpus, model, monkeypatch) -> None:
    uncoded = textcoding.uncoded_units(corpus["units"])
    dictionary = textcoding.match_keywords(uncoded)
    whole = textcoding.suggest(model, uncoded, dictionary=dictionary)
    monkeypatch.setattr(suggesting, "_SUGGEST_BATCH", 3)
    assert len(uncoded) > 3
    pd.testing.assert_frame_equal(textcoding.suggest(model, uncoded, dictionary=dictionary), whole)


def test_features_word_by_word_are_the_vectorizers_own(corpus, model) -> None:
    texts = [
        *corpus["units"]["text"].head(200),
        "",
        " \t\n ",
        "a",
        "banana  banana\tana",
        "ÅKLAGAREN  lägger ned\nförundersökningen. İstanbul ΟΔΟΣ Straße",
    ]
    cache = classifier.FeatureCache(model.features)
    expected = sparse.csr_matrix(model.features.transform(texts))
    for _ in range(2):  # the second time from the words' kept n-grams
        got = cache.transform(texts)
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got.indptr, expected.indptr)
        np.testing.assert_array_equal(got.indices, expected.indices)
        np.testing.assert_array_equal(got.data, expected.data)  # bit for bit


def test_suggestions_are_those_of_the_vectorizers_own_features(corpus, model, monkeypatch):
    uncoded = textcoding.uncoded_units(corpus["units"])
    dictionary = textcoding.match_keywords(uncoded)
    fast = textcoding.suggest(model, uncoded, dictionary=dictionary)
    monkeypatch.setattr(
        classifier.FeatureCache,
        "transform",
        lambda self, texts: sparse.csr_matrix(model.features.transform(texts)),
    )
    pd.testing.assert_frame_equal(textcoding.suggest(model, uncoded, dictionary=dictionary), fast)


def test_passages_and_terms_follow_their_definition(corpus, model) -> None:
    uncoded = textcoding.uncoded_units(corpus["units"])
    out = textcoding.suggest(model, uncoded)
    assert out["classifier"].all() and len(out) > 0
    weights = model.coefficients()
    texts = uncoded.set_index("unit_id")["text"]
    for doc, code, passage, terms in zip(
        out["unit_id"], out["code"], out["passage"], out["terms"], strict=True
    ):
        text = texts[doc]
        sentences = [text[a:b] for a, b in sentence_spans(text)]
        scores = model.features.transform(sentences) @ weights[code].to_numpy()
        assert passage == sentences[int(np.argmax(scores))]
        row = model.features.transform([text]).toarray()[0] * weights[code].to_numpy()
        ranked = sorted(
            (i for i in np.flatnonzero(row > 0) if weights.index[i].startswith("word__")),
            key=lambda i: -row[i],
        )[:5]
        assert terms == ", ".join(weights.index[i].removeprefix("word__") for i in ranked)


def test_results_do_not_depend_on_the_number_of_processes(corpus, model, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # spread even a few units
    documents = corpus["units"][~corpus["units"]["doc_type"].eq("case")].rename(
        columns={"unit_id": "doc_id"}
    )
    documents = documents.assign(date="2020-01-01")
    units = {n: textcoding.coding_units(documents, corpus["codings"], n_jobs=n) for n in (1, 3)}
    pd.testing.assert_frame_equal(units[3], units[1])
    uncoded = textcoding.uncoded_units(units[1])
    dictionary = {n: textcoding.match_keywords(uncoded, n_jobs=n) for n in (1, 3)}
    pd.testing.assert_frame_equal(dictionary[3], dictionary[1])
    suggestions = {
        n: textcoding.suggest(model, uncoded, dictionary=dictionary[1], n_jobs=n) for n in (1, 3)
    }
    assert len(suggestions[1]) > 0
    pd.testing.assert_frame_equal(suggestions[3], suggestions[1])


def test_the_number_of_processes_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv(paths.WORKERS_ENV, "3")
    assert paths.workers() == 3
    monkeypatch.setenv(paths.WORKERS_ENV, "0")
    assert paths.workers() == 1
    monkeypatch.delenv(paths.WORKERS_ENV)
    assert paths.workers() == (os.cpu_count() or 1)


def test_a_passage_shows_what_drove_the_proposal(model) -> None:
    doc = pd.DataFrame(
        {
            "unit_id": ["N1"],
            "text": [
                "BESLUT\nFörundersökningen läggs ned. Brott kan inte styrkas.\nSkäl\n"
                "Målsäganden har lämnat landet och har inte gått att nå för förnyat förhör. "
                "Den misstänkte har hörts."
            ],
        }
    )
    out = textcoding.suggest(model, doc).set_index("code")
    assert out.loc["victim_left_country", "classifier"]
    assert "lämnat landet" in out.loc["victim_left_country", "passage"]
    assert out.loc["victim_left_country", "terms"]


def test_nothing_to_suggest_for_no_units_or_without_a_model(corpus, few_labels, model) -> None:
    nothing = textcoding.suggest(model, corpus["units"].head(0))
    assert nothing.empty and "passage" in nothing.columns
    uncoded = textcoding.uncoded_units(corpus["units"])
    dictionary = textcoding.match_keywords(uncoded)
    unmodelled = textcoding.train(corpus["coded"], few_labels, min_examples=10_000)
    out = textcoding.suggest(unmodelled, uncoded, dictionary=dictionary)
    assert len(out) == int(dictionary["matched"].sum()) and not out["classifier"].any()


def test_suggestions_are_deterministic_for_a_seed(corpus, few_labels, model) -> None:
    uncoded = textcoding.uncoded_units(corpus["units"])
    again = textcoding.train(corpus["coded"], few_labels, seed=3)
    pd.testing.assert_frame_equal(
        textcoding.suggest(again, uncoded), textcoding.suggest(model, uncoded)
    )


def test_a_case_coded_as_a_unit_is_read_as_all_its_documents(corpus) -> None:
    sim_docs = corpus["units"][corpus["units"]["doc_type"] != "case"]
    documents = sim_docs.rename(columns={"unit_id": "doc_id"}).assign(date="2020-01-01")
    case = documents["case_id"].iloc[0]
    codings = pd.DataFrame(
        {"unit_id": [case], "coder": ["a"], "scheme": ["ilo_indicator"], "code": ["x"]}
    ).assign(present=True)
    units = textcoding.coding_units(documents, codings, scheme="ilo_indicator")
    row = units.set_index("unit_id").loc[case]
    assert row["doc_type"] == "case" and row["coded"]
    own = documents[documents["case_id"] == case]["text"]
    assert row["text"] == "\n\n".join(own)
    assert units["coded"].sum() == 1
    assert "case" not in set(textcoding.coding_units(documents, codings)["doc_type"])


# -- tables and figures ---------------------------------------------------------------------
# -- like for like: the classifier against each coder, coder against coder ----------------------
@pytest.fixture(scope="module")
def all_predictions(corpus, few_labels) -> pd.DataFrame:
    return textcoding.cross_validate(corpus["coded"], few_labels, seed=3, unlabelled=True)


def test_unlabelled_units_keep_their_prediction_and_change_nothing_else(
    predictions, all_predictions
) -> None:
    """Ties (no consensus label) keep a row and a prediction; the labelled rows are the
    ones cross_validate gives without them, prediction for prediction."""
    assert all_predictions["label"].isna().any()
    assert all_predictions.loc[all_predictions["label"].isna(), "predicted"].notna().all()
    labelled = all_predictions.dropna(subset=["label"]).reset_index(drop=True)
    pd.testing.assert_series_equal(labelled["probability"], predictions["probability"])
    assert (labelled["unit_id"] == predictions["unit_id"]).all()


def test_like_for_like_matches_scikit_learn_on_the_same_units(corpus, all_predictions) -> None:
    """Classifier against coder A, against coder B, and B against A: Cohen's kappa as
    scikit-learn computes it, on the same units (both coders coded them and the
    classifier predicted them), ties between the coders included."""
    codings = corpus["codings"]
    table = textcoding.like_for_like(all_predictions, codings, codes=CODES)
    assert list(table["code"]) == [c for c in CODES for _ in range(3)]
    barrier = codings[codings["scheme"] == "barrier"]
    wide = barrier.pivot_table(
        index=["code", "unit_id"], columns="coder", values="present", aggfunc="first"
    )
    found_a_tie = False
    for code in CODES:
        rows = table[table["code"] == code].set_index(["rater", "reference"])
        a, b = rows["coder_a"].iloc[0], rows["coder_b"].iloc[0]
        assert (a, b) == ("coder_a", "coder_b")  # the pair who coded most units together
        pair = wide.loc[code][[a, b]].dropna().astype(bool)
        mine = all_predictions[all_predictions["code"] == code].dropna(subset=["predicted"])
        predicted = mine.set_index("unit_id")["predicted"].astype(bool)
        units = [u for u in pair.index if u in predicted.index]
        assert set(rows["n_units"]) == {len(units)}
        found_a_tie |= bool((pair.loc[units, a] != pair.loc[units, b]).any())
        first, second, machine = pair.loc[units, a], pair.loc[units, b], predicted[units]
        for (rater, ref), (x, y) in {
            ("classifier", "coder_a"): (first, machine),
            ("classifier", "coder_b"): (second, machine),
            ("coder_b", "coder_a"): (first, second),
        }.items():
            assert rows.loc[(rater, ref), "kappa"] == pytest.approx(cohen_kappa_score(x, y))
            assert rows.loc[(rater, ref), "f1"] == pytest.approx(f1_score(x, y))
            assert rows.loc[(rater, ref), "recall"] == pytest.approx(recall_score(x, y))
    assert found_a_tie  # the units the consensus leaves out are compared too
    summary = textcoding.like_for_like_summary(table).set_index(["code", "method"])["kappa"]
    first = table[table["code"] == CODES[0]].set_index(["rater", "reference"])["kappa"]
    assert summary[(CODES[0], "classifier")] == pytest.approx(
        (first[("classifier", "coder_a")] + first[("classifier", "coder_b")]) / 2
    )
    assert summary[(CODES[0], "human")] == first[("coder_b", "coder_a")]
    one = codings[codings["coder"] == "coder_a"]
    assert textcoding.like_for_like(all_predictions, one, codes=CODES).empty


def test_the_takeaway_compares_like_with_like(corpus, predictions, all_predictions) -> None:
    from cape_study.present import tables

    dictionary = textcoding.match_keywords(corpus["coded"])
    human = textcoding.human_agreement(corpus["codings"])
    scores = textcoding.agreement_table(all_predictions, dictionary, human, codes=CODES)
    pd.testing.assert_frame_equal(
        scores, textcoding.agreement_table(predictions, dictionary, human, codes=CODES)
    )
    like = textcoding.like_for_like(all_predictions, corpus["codings"], codes=CODES)
    summary = textcoding.like_for_like_summary(like)
    for lang in ("en", "sv"):
        text = tables.text_coding_takeaway(scores, 12, like=summary, lang=lang)
        human_median = summary[summary["method"] == "human"]["kappa"].median()
        assert f"{human_median:.2f}" in text  # numbers in the language set for the run
        assert ("Like for like" if lang == "en" else "Lika mot lika") in text
    shown = tables.format_like_for_like(like.assign(suppressed=False), lang="en")
    assert shown.columns.get_level_values(0)[2] == "Classifier vs coder coder_a"
    assert len(shown) == len(CODES)


def test_agreement_table_for_readers_marks_suppressed_and_missing_scores(
    corpus, predictions
) -> None:
    import matplotlib.pyplot as plt

    from cape_study.present import plots, tables
    from cape_study.privacy import disclosure

    dictionary = textcoding.match_keywords(corpus["coded"])
    human = textcoding.human_agreement(corpus["codings"])
    scores = textcoding.agreement_table(predictions, dictionary, human, codes=CODES)
    scores.loc[(scores["code"] == CODES[2]) & (scores["method"] == "classifier"), "kappa"] = np.nan
    safe = disclosure.suppress(
        scores.assign(n_positive=scores["n_positive"].where(scores["code"] != CODES[1], 2)),
        "n_positive",
        total="n_units",
        threshold=5,
        name="test",
        label=["code", "method"],
        derived=["precision", "recall", "f1", "kappa", "ac1"],
    )
    shown = tables.format_text_agreement(safe, lang="sv")
    assert (
        list(shown.columns.get_level_values(0)[3:])
        == ["Klassificerare"] * 5 + ["Ordlista"] * 5 + ["Två kodare"] * 3
    )
    rows = shown.set_index(shown.columns[0])
    left = rows.loc[BOOK.label("barrier", CODES[0], "sv")]
    expected = scores.set_index(["code", "method"]).loc[(CODES[0], "classifier"), "kappa"]
    assert left[("Klassificerare", "κ")] == f"{expected:.2f}"
    assert (rows.loc[BOOK.label("barrier", CODES[1], "sv")].iloc[1:] == tables.SUPPRESSED).all()
    missing = rows.loc[BOOK.label("barrier", CODES[2], "sv")]
    assert missing[("Klassificerare", "κ")] == tables.NOT_ESTIMABLE
    text = tables.text_coding_takeaway(safe, 12, lang="en")
    kappa = safe.pivot(index="code", columns="method", values="kappa").dropna(subset=["classifier"])
    assert len(kappa) == 1  # one code suppressed, one without a classifier score
    assert f"median κ of {kappa['classifier'].median():.2f}" in text
    assert "on the 1 codes" in text and "12 uncoded units" in text
    # One coder (scenario one-coder): no human kappa, and the takeaway says so, no 'nan'
    alone = safe.assign(kappa=safe["kappa"].where(safe["method"] != "human"))
    for lang, words in [("en", "No second coder"), ("sv", "Ingen andra kodare")]:
        text = tables.text_coding_takeaway(alone, 12, lang=lang)
        assert words in text and "nan" not in text.lower(), text
    ax = plots.text_agreement_plot(safe, lang="sv")
    assert len(ax.get_yticklabels()) == len(CODES)
    dots = [line for line in ax.get_lines() if line.get_linestyle() == "None"]
    assert sum(len(line.get_xdata()) for line in dots) == int(safe["kappa"].notna().sum())
    plt.close(ax.figure)


def test_the_review_list_keeps_suggestions_apart_from_codings(corpus, model) -> None:
    from cape_study.present import tables

    uncoded = textcoding.uncoded_units(corpus["units"])
    out = textcoding.suggest(model, uncoded, dictionary=textcoding.match_keywords(uncoded))
    sheet = tables.suggestion_sheet(
        out, units=corpus["units"], scheme="barrier", codebook_version="1.0"
    )
    assert len(sheet) == len(out)
    assert set(sheet["proposed_by"]) <= {"classifier", "dictionary", "both"}
    assert (sheet["reviewed_present"] == "").all() and "coder" not in sheet.columns
    facts = corpus["units"].set_index("unit_id")
    assert list(sheet["case_id"]) == list(facts.loc[out["unit_id"], "case_id"])
    counts = textcoding.suggestion_counts(out, CODES)
    for code in CODES:
        got = counts.set_index(["code", "source"]).loc[(code, "classifier"), "units"]
        assert got == out[(out["code"] == code) & out["classifier"]]["unit_id"].nunique()
    either = textcoding.suggested_units(out).set_index("source").loc["either", "units"]
    assert either == out["unit_id"].nunique()


def test_rule_keywords_keep_only_the_keywords_found_in_the_coding_rules(
    corpus, predictions
) -> None:
    from cape_study.present import tables

    rules = textcoding.rule_keywords()
    for code in BOOK.scheme("barrier").codes:
        kept = rules.scheme("barrier").get(code.code).keywords
        assert set(kept.items()) <= set(code.keywords.items())
    left = rules.scheme("barrier").get("victim_left_country").keywords
    assert r"\blämnat (landet|sverige|finland)" in left.sv  # the include text says it
    weak = rules.scheme("barrier").get("weak_documentary_evidence").keywords
    assert r"\bord står mot ord" in weak.sv
    assert (
        r"\b(skriftliga|tekniska) bevisningen (är|var) (bristfällig|svag|begränsad|otillräcklig)"
        not in weak.sv
    )
    human = textcoding.human_agreement(corpus["codings"])
    full = textcoding.agreement_table(
        predictions, textcoding.match_keywords(corpus["coded"]), human, codes=CODES
    )
    grounded = textcoding.agreement_table(
        predictions, textcoding.match_keywords(corpus["coded"], codebook=rules), human, codes=CODES
    )
    note = tables.synthetic_dictionary_note(full, grounded)
    medians = [t.query("method == 'dictionary'")["kappa"].median() for t in (grounded, full)]
    assert f"median κ is {medians[0]:.2f} instead of {medians[1]:.2f}" in note


def test_a_code_without_keywords_has_no_dictionary_scores(corpus, predictions) -> None:
    dictionary = textcoding.match_keywords(corpus["coded"])
    human = textcoding.human_agreement(corpus["codings"])
    without = dictionary[dictionary["code"] != CODES[0]]
    table = textcoding.agreement_table(predictions, without, human, codes=CODES)
    row = table.set_index(["code", "method"]).loc[(CODES[0], "dictionary")]
    assert row[["precision", "recall", "f1", "kappa"]].isna().all()
    assert row["n_units"] == (predictions["code"] == CODES[0]).sum()


def test_intake_and_the_tables_do_not_import_scikit_learn() -> None:
    """The parts of text coding that need scikit-learn (about 1 s to import) are imported
    when first used: intake normalises texts, the tables module names the comparisons."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from cape_study.present import tables\n"
        "from cape_study.stats import textcoding\n"
        "textcoding.normalise('x')\n"
        "assert 'sklearn' not in sys.modules, 'imported'\n"
        "assert textcoding.COMPARISONS[0] == ('classifier', 'coder_a')\n"
        "assert 'sklearn' in sys.modules\n"
        "try:\n"
        "    textcoding.no_such_name\n"
        "except AttributeError as exc:\n"
        "    assert 'no_such_name' in str(exc)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
