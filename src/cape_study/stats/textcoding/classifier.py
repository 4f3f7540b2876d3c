"""The trained classifier: TF-IDF features, calibrated linear models, one per code.

:func:`train` fits, for each code of a scheme with enough consensus labels, a linear
model (:data:`MODELS`) on TF-IDF features (:func:`make_features`), calibrated to
probabilities by Platt's sigmoid on folds grouped by case (:func:`fit_code`); a
:class:`CodingModel` holds them. :class:`FeatureCache` computes the same features
faster for many texts (for :mod:`cape_study.stats.textcoding.suggestions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import (
    CalibratedClassifierCV,
    _CalibratedClassifier,
    _sigmoid_calibration,
    _SigmoidCalibration,
)
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from cape_study.errors import CannotEstimate

__all__ = [
    "MODELS",
    "THRESHOLD",
    "CodingModel",
    "FeatureCache",
    "canonical",
    "fit_code",
    "label_matrix",
    "make_features",
    "model_factory",
    "not_modelled",
    "one_blas_thread",
    "positive_probability",
    "train",
]

#: A code is proposed when its calibrated probability reaches this value.
THRESHOLD = 0.5
_CALIBRATION_FOLDS = 3


def _logistic(seed: int) -> BaseEstimator:
    return LogisticRegression(C=10.0, solver="liblinear", dual=True, random_state=seed)


def _linear_svm(seed: int) -> BaseEstimator:
    return LinearSVC(C=0.5, random_state=seed)


#: The linear models, by the name the ``model`` parameter uses.
MODELS: dict[str, Callable[[int], BaseEstimator]] = {
    "logistic": _logistic,
    "linear_svm": _linear_svm,
}


def model_factory(name: str) -> Callable[[int], BaseEstimator]:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(MODELS)}") from None


#: Fewer documents than this leave no term between the vectorisers' min_df and max_df.
MIN_DOCUMENTS = 3


def make_features() -> FeatureUnion:
    """TF-IDF of word uni- and bigrams and of character 3-5-grams within words."""
    common = {"min_df": 2, "sublinear_tf": True}  # with max_df 0.9: MIN_DOCUMENTS
    return FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), max_df=0.9, **common)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common)),
        ]
    )


def canonical(x: sparse.spmatrix) -> sparse.csr_matrix:
    """CSR with sorted, unique indices, so that every fit need not copy and sort it."""
    x = sparse.csr_matrix(x)
    x.sum_duplicates()
    return x


class FeatureCache:
    """The fitted features of :func:`_features`, computed faster for many texts: the same
    matrix as ``features.transform(texts)``, value for value.

    The character n-grams within word boundaries (``char_wb``) of a text are those of
    its whitespace-separated words, one after another, so their counts are the counts
    of the text's words times each word's n-gram counts. Each distinct word's n-grams
    are looked up in the vocabulary once and kept (most words recur in thousands of
    texts), instead of every n-gram of every text, which took most of the time of
    :func:`suggest`. The counts then get the vectorizer's own TF-IDF weighting; the word
    features are the vectorizer's own.
    """

    def __init__(self, features: FeatureUnion) -> None:
        parts = dict(features.transformer_list)
        self.word, self.char = parts["word"], parts["char"]
        self.preprocess = self.char.build_preprocessor()
        self.analyse = self.char.build_analyzer()
        self.vocabulary = self.char.vocabulary_
        self.ngrams: dict[str, np.ndarray] = {}

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """TF-IDF features of ``texts``, as ``features.transform(texts)``."""
        char = self._weighted(self._char_counts(texts))
        return sparse.hstack([self.word.transform(texts), char]).tocsr()

    def _weighted(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """``counts`` (float64, changed in place) weighted as the char vectorizer weights
        them: its sublinear term frequency, ``idf_`` and ``norm``, in the order and with
        the operations of scikit-learn's ``TfidfTransformer.transform``."""
        char = self.char
        if char.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        if char.use_idf:
            counts.data *= char.idf_[counts.indices]
        if char.norm is not None:
            counts = normalize(counts, norm=char.norm, copy=False)
        return counts

    def _char_counts(self, texts: list[str]) -> sparse.csr_matrix:
        """Texts x character n-grams, counts, as the char vectorizer counts them."""
        words = [self.preprocess(t).split() for t in texts]
        codes, uniques = pd.factorize(
            np.array([w for ws in words for w in ws], dtype=object), use_na_sentinel=False
        )
        in_text = sparse.csr_matrix(
            (
                np.ones(len(codes), dtype=np.float64),
                codes,
                _offsets([len(ws) for ws in words]),
            ),
            shape=(len(texts), len(uniques)),
        )
        grams = [self._word_ngrams(w) for w in uniques]
        of_word = sparse.csr_matrix(
            (
                np.ones(sum(len(g) for g in grams), dtype=np.float64),
                np.concatenate([np.zeros(0, dtype=np.int64), *grams]),
                _offsets([len(g) for g in grams]),
            ),
            shape=(len(uniques), len(self.vocabulary)),
        )
        counts = sparse.csr_matrix(in_text @ of_word)
        counts.sum_duplicates()
        counts.eliminate_zeros()
        return counts

    def _word_ngrams(self, word: str) -> np.ndarray:
        found = self.ngrams.get(word)
        if found is None:
            vocabulary = self.vocabulary
            found = np.array(
                [vocabulary[g] for g in self.analyse(word) if g in vocabulary], dtype=np.int64
            )
            self.ngrams[word] = found
        return found


def _offsets(lengths: list[int]) -> np.ndarray:
    """Row pointers of a CSR matrix whose rows have these numbers of entries."""
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(lengths, dtype=np.int64)])


def one_blas_thread() -> threadpool_limits:
    """One OpenBLAS (or MKL, BLIS) thread in this process while the classifiers are fitted,
    whatever the environment says (a context manager).

    Each fit's Platt sigmoid is a two-parameter L-BFGS-B (SciPy), whose BLAS calls are far
    too small to share: a second thread only spins (with two threads, SciPy's ``setulb``
    took most of the time). In a kernel without ``OPENBLAS_NUM_THREADS`` (JupyterLab;
    ``cape-study run`` sets one thread, :data:`cape_study.paths.SINGLE_THREAD_ENV`) the
    demo's :func:`~cape_study.stats.textcoding.evaluation.cross_validate` and
    :func:`train` took 18.5 CPU s (41 s wall at load 8) on two cores instead of 4.4
    (12 s), with the same predictions. One thread also keeps every BLAS sum in one
    order, so that the results cannot depend on the number of cores.
    """
    return threadpool_limits(limits=1, user_api="blas")


def _stratified_group_folds(
    y: np.ndarray, groups: np.ndarray, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds grouped by case and stratified on whether a case has a positive label.

    The cases with a positive document and the others are shuffled separately with
    ``seed`` and dealt in turn to the folds, so each fold gets its share of both.
    """
    rng = np.random.default_rng(seed)
    names, index = np.unique(groups.astype(str), return_inverse=True)
    positive = np.zeros(len(names), dtype=bool)
    positive[index[y]] = True
    fold_of = np.empty(len(names), dtype=np.int64)
    for members in (np.flatnonzero(positive), np.flatnonzero(~positive)):
        order = rng.permutation(members)
        fold_of[order] = np.arange(len(order)) % n_splits
    folds = fold_of[index]
    return [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(n_splits)]


def fit_code(
    x: sparse.csr_matrix, y: np.ndarray, groups: np.ndarray, model: str, seed: int
) -> CalibratedClassifierCV | None:
    """A calibrated classifier for one code, or None when the labels cannot support one
    (fewer than three cases with each value, or a calibration fold with one value)."""
    for value in (True, False):
        if len(set(groups[y == value])) < _CALIBRATION_FOLDS:
            return None
    inner = _stratified_group_folds(y, groups, _CALIBRATION_FOLDS, seed)
    if any(len(set(y[train])) < 2 or len(test) == 0 for train, test in inner):
        return None
    classifier = CalibratedClassifierCV(model_factory(model)(seed), method="sigmoid", cv=inner)
    return _fit_calibrated(classifier, x, y)


def _fit_calibrated(
    classifier: CalibratedClassifierCV, x: sparse.csr_matrix, y: np.ndarray
) -> CalibratedClassifierCV:
    """``classifier.fit(x, y)`` for what :func:`fit_code` fits: True/False labels with
    both values in every training fold, no sample weights, Platt's sigmoid, folds given
    as a list (``cv``), one model and sigmoid per fold (``ensemble``): the same models,
    sigmoids and attributes as scikit-learn's ``CalibratedClassifierCV.fit`` (its own
    steps: clone, fit on the fold's training rows, ``decision_function`` of its
    calibration rows, ``_sigmoid_calibration`` of those against the labels), without the
    checks and conversions it repeats for every fold (label encoders, target-type
    checks, ``check_array`` of each prediction, parameter validation, metadata routing;
    on the demo :func:`~cape_study.stats.textcoding.evaluation.cross_validate` 4.1 -> 3.4
    CPU s). ``test_textcoding`` compares both, attribute for attribute, so that a
    scikit-learn that fits otherwise fails the tests instead of changing the results.
    """
    if classifier.method != "sigmoid" or classifier.ensemble not in ("auto", True):
        raise ValueError("only the sigmoid calibration with one model per fold is supported")
    classes = np.unique(y)
    pairs = []
    for train, test in classifier.cv:
        estimator = clone(classifier.estimator).fit(x[train], y[train])
        calibrator = _SigmoidCalibration()
        calibrator.a_, calibrator.b_ = _sigmoid_calibration(
            estimator.decision_function(x[test]), (y[test] == classes[1]).astype(np.int64)
        )
        pairs.append(
            _CalibratedClassifier(estimator, [calibrator], method="sigmoid", classes=classes)
        )
    classifier.calibrated_classifiers_ = pairs
    classifier.classes_ = classes
    classifier.n_features_in_ = pairs[0].estimator.n_features_in_
    return classifier


def positive_probability(classifier: CalibratedClassifierCV, x: sparse.spmatrix) -> np.ndarray:
    """``classifier.predict_proba(x)[:, 1]`` of a classifier of :func:`fit_code`: the
    mean over its folds of the sigmoid of the fold model's ``decision_function``, with
    scikit-learn's own operations in its order (probabilities just above 1 set to 1,
    summed from zero, divided by the number of folds), without its per-fold label
    encoders and checks."""
    mean = np.zeros(x.shape[0])
    for pair in classifier.calibrated_classifiers_:
        (calibrator,) = pair.calibrators
        p = calibrator.predict(pair.estimator.decision_function(x))
        p[(p > 1.0) & (p <= 1.0 + 1e-5)] = 1.0
        mean += p
    mean /= len(classifier.calibrated_classifiers_)
    return mean


@dataclass
class CodingModel:
    """Calibrated classifiers for the codes of a scheme, with the features they use.

    ``classifiers`` maps each modelled code to its calibrated classifier;
    ``skipped`` maps each code that was not modelled to the reason.
    """

    scheme: str
    model: str
    seed: int
    features: FeatureUnion
    classifiers: dict[str, CalibratedClassifierCV]
    skipped: dict[str, str]

    def predict_proba(self, texts: Iterable[str]) -> pd.DataFrame:
        """The calibrated probability of each modelled code for each text."""
        texts = list(texts)
        if not texts:
            return pd.DataFrame(columns=list(self.classifiers), dtype=float)
        return self.probabilities(self.features.transform(texts))

    def probabilities(self, x: sparse.spmatrix) -> pd.DataFrame:
        """:meth:`predict_proba` of texts already turned into features."""
        return pd.DataFrame(
            {code: positive_probability(clf, x) for code, clf in self.classifiers.items()}
        )

    def coefficients(self) -> pd.DataFrame:
        """Feature weights per code: the linear models' coefficients averaged over the
        calibration folds (rows: features, columns: codes)."""
        names = self.features.get_feature_names_out()
        return pd.DataFrame(
            {
                code: np.mean([c.estimator.coef_.ravel() for c in clf.calibrated_classifiers_], 0)
                for code, clf in self.classifiers.items()
            },
            index=names,
        )


def label_matrix(units: pd.DataFrame, labels: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Units x codes, True/False or missing, in the order of ``units``."""
    wide = labels.pivot(index=unit, columns="code", values="label")
    wide.index = wide.index.astype("string")
    return wide.reindex(units[unit].astype("string").to_numpy())


def not_modelled(column: pd.Series, min_examples: int) -> str | None:
    """Why a code cannot be modelled (too few positive or negative labels), or None."""
    n_pos = int((column == True).sum())  # noqa: E712 - a nullable boolean column
    n_neg = int((column == False).sum())  # noqa: E712
    if min(n_pos, n_neg) < min_examples:
        return (
            f"{n_pos} positive and {n_neg} negative consensus labels; "
            f"at least {min_examples} of each are needed"
        )
    return None


def train(
    units: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    text: str = "text",
    unit: str = "unit_id",
    group: str = "case_id",
    scheme: str = "barrier",
    model: str = "linear_svm",
    min_examples: int = 10,
    seed: int = 0,
    n_jobs: int = 1,
) -> CodingModel:
    """Train one calibrated classifier per code on the labelled units.

    Parameters
    ----------
    units
        The coded units: id (``unit``), case (``group``) and ``text``.
    labels
        The consensus labels (:func:`consensus`): ``unit``, ``code``, ``label``.
    model
        A name in :data:`MODELS`.
    min_examples
        A code needs at least this many positive and negative labels to be modelled.
    seed
        Seeds the calibration folds and the solver.
    n_jobs
        Codes trained in parallel (results do not depend on it).

    Raises
    ------
    CannotEstimate
        ``no_codings`` without coded units (a model without classifiers, whose
        suggestions come from the dictionary alone, needs coded units to learn its
        features from).
    """
    model_factory(model)
    if units.empty:
        raise CannotEstimate("no_codings", "no coded unit to train on", scheme="")
    if len(units) < MIN_DOCUMENTS:  # the vectorisers' min_df and max_df need three
        raise CannotEstimate(
            "too_few_examples",
            f"{len(units)} coded unit(s); the features need {MIN_DOCUMENTS}",
            needed=max(min_examples, 2),
        )
    wide = label_matrix(units, labels, unit)
    features = make_features()
    x = canonical(features.fit_transform(units[text].fillna("").tolist()))
    groups = units[group].astype("string").to_numpy(dtype=object)
    skipped = {c: r for c in wide.columns if (r := not_modelled(wide[c], min_examples))}
    codes = [c for c in wide.columns if c not in skipped]

    def fit(code: str) -> CalibratedClassifierCV | None:
        known = wide[code].notna().to_numpy()
        y = wide[code].to_numpy(dtype=object)[known].astype(bool)
        return fit_code(x[known], y, groups[known], model, seed)

    with one_blas_thread():
        fitted = Parallel(n_jobs=n_jobs)(delayed(fit)(c) for c in codes)
    classifiers = {}
    for code, clf in zip(codes, fitted, strict=True):
        if clf is None:
            skipped[code] = "fewer than three cases with each label"
        else:
            classifiers[code] = clf
    return CodingModel(scheme, model, seed, features, classifiers, skipped)
