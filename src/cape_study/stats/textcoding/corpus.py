"""The features of :func:`~cape_study.stats.textcoding.classifier.make_features` fitted on
many subsets of one set of texts (the folds of a cross-validation), each text analysed once.

Fitting the TF-IDF vectorisers on a fold's training texts and transforming its test texts
analyses every text again in every fold (character n-grams in Python: most of the time
of :func:`~cape_study.stats.textcoding.cross_validate`). A :class:`Corpus` counts each
text's n-grams once and derives each fold's matrices from the counts, with the
vectorisers' own rules: the fold's vocabulary is the terms within ``min_df`` and
``max_df`` of its training texts, in alphabetical order; counts are weighted by scikit-
learn's own ``TfidfTransformer`` fitted on them; and each training row keeps its terms in
the order the vectoriser stores them (the order the fold's texts first show them), which
is the order its norm adds them up in. The matrices are those of
``FeatureUnion.fit_transform`` and ``transform``, value for value and entry for entry.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion

__all__ = ["Corpus"]

_WEIGHTING = ("norm", "use_idf", "smooth_idf", "sublinear_tf")


class Corpus:
    """Every text's n-gram counts for each vectoriser of ``features`` (unfitted)."""

    def __init__(self, texts: list[str], features: FeatureUnion) -> None:
        self.parts = [_Counts(texts, vectorizer) for _, vectorizer in features.transformer_list]

    def fold(
        self, train: np.ndarray, test: np.ndarray
    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """The features fitted on the texts ``train`` (positions, in order): the training
        matrix (as ``fit_transform``) and the test texts' (as ``transform``).

        Raises
        ------
        ValueError
            As the vectorisers do, when no term of a part is left after pruning.
        """
        blocks = [part.fold(train, test) for part in self.parts]
        return (
            sparse.hstack([b[0] for b in blocks]).tocsr(),
            sparse.hstack([b[1] for b in blocks]).tocsr(),
        )


class _Counts:
    """One vectoriser's counts of every text: ``matrix`` (texts x terms, terms in
    alphabetical order, float64 counts) and, per text, its terms in the order it shows
    them first (``first_seen``: term numbers, one array per text)."""

    def __init__(self, texts: list[str], vectorizer: TfidfVectorizer) -> None:
        if vectorizer.max_features is not None or vectorizer.binary:
            raise ValueError("max_features and binary counts are not supported")
        analyse = vectorizer.build_analyzer()
        vocabulary: dict[str, int] = {}
        seen: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for text in texts:
            counter: dict[int, int] = {}
            for term in analyse(text):
                number = vocabulary.setdefault(term, len(vocabulary))
                counter[number] = counter.get(number, 0) + 1
            seen.append(np.fromiter(counter, dtype=np.int64, count=len(counter)))
            rows.append(np.full(len(counter), len(rows), dtype=np.int64))
            values.append(np.fromiter(counter.values(), dtype=np.float64, count=len(counter)))
        alphabetical = np.empty(len(vocabulary), dtype=np.int64)
        for position, number in enumerate(
            number for _, number in sorted(vocabulary.items(), key=lambda kv: kv[0])
        ):
            alphabetical[number] = position
        self.first_seen = [alphabetical[s] for s in seen]
        columns = np.concatenate([np.zeros(0, np.int64), *self.first_seen])
        self.matrix = sparse.csr_matrix(
            (
                np.concatenate([np.zeros(0), *values]),
                (np.concatenate([np.zeros(0, np.int64), *rows]), columns),
            ),
            shape=(len(texts), len(vocabulary)),
        )
        self.matrix.sort_indices()
        self.min_df, self.max_df = vectorizer.min_df, vectorizer.max_df
        self.weighting = {name: getattr(vectorizer, name) for name in _WEIGHTING}

    def fold(
        self, train: np.ndarray, test: np.ndarray
    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        n_doc = len(train)
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_doc
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_doc
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        counts = self.matrix[train]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        kept = np.flatnonzero((df <= high) & (df >= low) & (df > 0))  # a training text's term
        if not len(kept):
            raise ValueError(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df."
            )
        x_train = self._in_first_seen_order(counts[:, kept], train, kept)
        x_test = self.matrix[test][:, kept]
        x_test.sort_indices()
        weights = TfidfTransformer(**self.weighting).fit(x_train)
        return weights.transform(x_train, copy=False), weights.transform(x_test, copy=False)

    def _in_first_seen_order(
        self, counts: sparse.csr_matrix, train: np.ndarray, kept: np.ndarray
    ) -> sparse.csr_matrix:
        """``counts`` with each row's terms in the order the vectoriser stores them: by
        the place the training texts first show each term (text, then place in it)."""
        stream = np.concatenate([np.zeros(0, np.int64), *(self.first_seen[i] for i in train)])
        terms, first = np.unique(stream, return_index=True)
        rank = np.zeros(self.matrix.shape[1], dtype=np.int64)
        rank[terms] = np.argsort(np.argsort(first, kind="stable"), kind="stable")
        kept_rank = rank[kept]
        position = np.zeros(len(terms), dtype=counts.indices.dtype)
        position[kept_rank] = np.arange(len(kept))
        ranked = counts.copy()
        ranked.indices = kept_rank[counts.indices]
        ranked.has_sorted_indices = False
        ranked.sort_indices()
        ranked.indices = position[ranked.indices]
        return ranked
