"""Suggestions: proposed codes for uncoded units, with the passages that drove them.

:func:`suggest` proposes the codes whose calibrated probability reaches
:data:`~cape_study.stats.textcoding.classifier.THRESHOLD`, or that the dictionary
matched, for the units no coder has coded (:func:`uncoded_units`); the passage is the
sentence that raises the code's score most. :func:`suggestion_counts` and
:func:`suggested_units` count them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from cape_study.stats.textcoding.classifier import THRESHOLD, CodingModel, FeatureCache
from cape_study.stats.textcoding.parallel import spread
from cape_study.stats.textcoding.texts import sentence_spans

__all__ = ["suggest", "suggested_units", "suggestion_counts", "uncoded_units", "used_units"]

#: :func:`suggest` works through this many units at a time (memory; results do not change).
_SUGGEST_BATCH = 2000


def uncoded_units(units: pd.DataFrame, *, kind: str = "doc_type") -> pd.DataFrame:
    """The units of :func:`coding_units` that no coder has coded, of the kinds (document
    types, or cases) that coded units are.

    The classifier learns from the kinds of unit the coders coded (in the study,
    closure decisions and judgments); applied to other kinds (police reports,
    interviews) its probabilities are extrapolations, so those are left out.
    """
    kinds = set(units.loc[units["coded"], kind].astype("string"))
    return units[~units["coded"] & units[kind].astype("string").isin(kinds)]


def used_units(units: pd.DataFrame, *, kind: str = "doc_type") -> pd.DataFrame:
    """The units of :func:`coding_units` the text-coding step reports on: the coded ones
    and those of :func:`uncoded_units`.

    The dictionary need not be run on the rest (in the study, police reports and
    interviews: two thirds of the documents), which no result uses.
    """
    return units[units["coded"] | units.index.isin(uncoded_units(units, kind=kind).index)]


def suggest(
    coding_model: CodingModel,
    units: pd.DataFrame,
    *,
    text: str = "text",
    unit: str = "unit_id",
    dictionary: pd.DataFrame | None = None,
    n_terms: int = 5,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Proposed codes for uncoded units, with the passages that drove them.

    A code is proposed for a document when the classifier's calibrated probability
    reaches :data:`THRESHOLD`, or when the dictionary (the output of
    :func:`match_keywords` for these units, if given) matches. The passage for a
    classifier proposal is the sentence with the largest contribution to the code's
    score: the sentence's own TF-IDF vector times the code's averaged coefficients
    (:meth:`CodingModel.coefficients`). ``terms`` are the document's word features
    with the largest positive contributions (TF-IDF weight times coefficient).

    Returns
    -------
    DataFrame
        One row per proposal, units in the given order and codes in the model's
        order: ``unit``, ``code``, ``probability``, ``classifier`` and
        ``dictionary`` (which proposed it), ``passage``, ``terms`` (classifier) and
        ``keyword`` (dictionary). A table for coders to review: it is never merged
        into the human codings.

    ``n_jobs`` processes share the units (default :func:`cape_study.paths.workers`);
    the proposals do not depend on it.
    """
    units = units.reset_index(drop=True)
    texts = units[text].fillna("").astype(str).tolist()
    ids = units[unit].tolist()
    keyword_rows: dict[object, dict[str, tuple[str, str]]] = {}
    if dictionary is not None:
        hits = dictionary[dictionary["matched"]]
        for d, c, k, e in zip(
            hits[unit], hits["code"], hits["keyword"], hits["evidence"], strict=True
        ):
            keyword_rows.setdefault(d, {})[c] = (k, e)
    codes = list(coding_model.classifiers)
    scheme_codes = list(
        dict.fromkeys([*codes, *(c for found in keyword_rows.values() for c in found)])
    )
    items = [(d, t, keyword_rows.get(d, {})) for d, t in zip(ids, texts, strict=True)]
    parts = spread(
        functools.partial(
            _suggest_rows,
            coding_model=coding_model,
            scheme_codes=scheme_codes,
            unit=unit,
            n_terms=n_terms,
        ),
        items,
        n_jobs,
    )
    columns = [unit, "code", "probability", "classifier", "dictionary", "passage", "terms"]
    out = pd.DataFrame([r for part in parts for r in part], columns=[*columns, "keyword"])
    return out.astype({"probability": float})  # float even with no suggestion at all


def _suggest_rows(
    items: list[tuple[object, str, dict[str, tuple[str, str]]]],
    *,
    coding_model: CodingModel,
    scheme_codes: list[str],
    unit: str,
    n_terms: int,
) -> list[dict[str, object]]:
    """The rows of :func:`suggest` for ``items``: (unit id, text, the dictionary's
    (keyword, evidence) by code)."""
    codes = list(coding_model.classifiers)
    weights = coding_model.coefficients()
    names = weights.index.to_numpy()
    is_word = np.char.startswith(names.astype(str), "word__")
    features = FeatureCache(coding_model.features)
    rows = []
    # A batch of units at a time: the features of 90,000 texts and of their sentences
    # at once would take gigabytes. A unit's proposals do not depend on the others'.
    for first in range(0, len(items), _SUGGEST_BATCH):
        batch = [t for _, t, _ in items[first : first + _SUGGEST_BATCH]]
        # The texts' features, made once: they give the probabilities and the terms.
        x = features.transform(batch)
        probability = coding_model.probabilities(x)
        proposed = probability.to_numpy() >= THRESHOLD
        wanted = [i for i, row in enumerate(proposed) if row.any()]
        explained = _explain(
            features,
            weights,
            [batch[i] for i in wanted],
            x[wanted] if wanted else None,
            proposed[wanted],
            is_word,
            n_terms,
        )
        explanations = dict(zip(wanted, explained, strict=True))
        for i, (doc, _, keywords) in enumerate(items[first : first + _SUGGEST_BATCH]):
            for code in scheme_codes:
                j = codes.index(code) if code in codes else None
                by_model = bool(j is not None and proposed[i, j])
                keyword = keywords.get(code)
                if not by_model and keyword is None:
                    continue
                passage, terms = explanations[i][code] if by_model else (keyword[1], None)
                rows.append(
                    {
                        unit: doc,
                        "code": code,
                        "probability": probability.iat[i, j] if j is not None else np.nan,
                        "classifier": by_model,
                        "dictionary": keyword is not None,
                        "passage": passage,
                        "terms": terms,
                        "keyword": keyword[0] if keyword else None,
                    }
                )
    return rows


def suggestion_counts(
    suggestions: pd.DataFrame, codes: Iterable[str], *, unit: str = "unit_id"
) -> pd.DataFrame:
    """Per code and source (``classifier``, ``dictionary``), the number of units that got
    a proposal, from :func:`suggest`; every code of ``codes`` is listed, with zeros."""
    rows = [
        {
            "code": code,
            "source": source,
            "units": int(
                suggestions.loc[(suggestions["code"] == code) & suggestions[source], unit].nunique()
            ),
        }
        for code in codes
        for source in ("classifier", "dictionary")
    ]
    return pd.DataFrame(rows, columns=["code", "source", "units"])


def suggested_units(suggestions: pd.DataFrame, *, unit: str = "unit_id") -> pd.DataFrame:
    """The number of units with at least one proposal: by the ``classifier``, by the
    ``dictionary`` and by ``either``, from :func:`suggest`."""
    flags = {
        "classifier": suggestions["classifier"],
        "dictionary": suggestions["dictionary"],
        "either": suggestions["classifier"] | suggestions["dictionary"],
    }
    return pd.DataFrame(
        {
            "source": list(flags),
            "units": [int(suggestions.loc[f, unit].nunique()) for f in flags.values()],
        }
    )


def _explain(
    features: FeatureCache,
    weights: pd.DataFrame,
    texts: list[str],
    docs: sparse.csr_matrix | None,
    proposed: np.ndarray,
    is_word: np.ndarray,
    n_terms: int,
) -> list[dict[str, tuple[str, str]]]:
    """For each text (with its features in the rows of ``docs``) and each code proposed
    for it (the columns of ``weights`` marked in its row of ``proposed``): (top sentence,
    top word terms). Codes not proposed are not explained: no passage of theirs is shown."""
    if not texts or docs is None:
        return []
    w = weights.to_numpy(dtype=np.float64)
    names = weights.index.str.removeprefix("word__").to_numpy()
    spans = [sentence_spans(t) or [(0, len(t))] for t in texts]
    sentences = [t[a:b] for t, s in zip(texts, spans, strict=True) for a, b in s]
    sentence_scores = np.asarray(features.transform(sentences) @ w)
    out = []
    start = 0
    for d, s in enumerate(spans):
        block = sentence_scores[start : start + len(s)]
        start += len(s)
        row = slice(docs.indptr[d], docs.indptr[d + 1])
        words = is_word[docs.indices[row]]
        cols, vals = docs.indices[row][words], docs.data[row][words]
        codes = np.flatnonzero(proposed[d])
        best = np.argmax(block[:, codes], axis=0)
        contribution = vals[:, None] * w[np.ix_(cols, codes)]
        top = np.argsort(-contribution, axis=0, kind="stable")[:n_terms]
        explained = {}
        for k, j in enumerate(codes):
            terms = ", ".join(names[cols[t]] for t in top[:, k] if contribution[t, k] > 0)
            a, b = s[best[k]]
            explained[weights.columns[j]] = (texts[d][a:b], terms)
        out.append(explained)
    return out
