"""Fold features from counts taken once (textcoding.corpus) against the vectorisers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from cape_study.stats.textcoding.classifier import make_features
from cape_study.stats.textcoding.corpus import Corpus

WORDS = "åklagaren beslutade lägga ned förundersökningen brott kan inte styrkas tolk saknades "
WORDS += "arbetsgivaren lön pass behölls skuld boende kontroll vittne målsägande syyttäjä"


def _texts(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    vocabulary = WORDS.split()
    return [
        " ".join(rng.choice(vocabulary, size=rng.integers(3, 25)))
        + rng.choice(["", ".", " Ärende"])
        for _ in range(n)
    ]


def _same(a: sparse.spmatrix, b: sparse.spmatrix) -> None:
    a, b = sparse.csr_matrix(a), sparse.csr_matrix(b)
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert a.data.tobytes() == b.data.tobytes()  # the same floats, in the same places


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_fold_gets_the_vectorisers_own_matrices_entry_for_entry(seed: int) -> None:
    texts = _texts(60, seed)
    folds = np.random.default_rng(seed).integers(0, 4, size=len(texts))
    corpus = Corpus(texts, make_features())
    for k in range(4):
        train, test = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        features = make_features()
        expected_train = features.fit_transform([texts[i] for i in train])
        expected_test = features.transform([texts[i] for i in test])
        got_train, got_test = corpus.fold(train, test)
        _same(expected_train, got_train)
        _same(expected_test, got_test)


def test_a_fold_without_terms_left_is_refused_as_the_vectoriser_refuses_it() -> None:
    texts = ["alpha beta", "gamma delta", "epsilon zeta", "eta theta"]
    with pytest.raises(ValueError, match="no terms remain"):
        make_features().fit_transform(texts[:3])
    with pytest.raises(ValueError, match="no terms remain"):
        Corpus(texts, make_features()).fold(np.arange(3), np.arange(3, 4))
