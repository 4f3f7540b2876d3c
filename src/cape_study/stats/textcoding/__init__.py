"""Coding decision texts: a transparent keyword dictionary and a trained classifier.

Coding hundreds of closure decisions and judgments by hand is the study's bottleneck.
This package prepares the texts and offers two ways of proposing codes of a codeable
scheme (``barrier`` by default), both measured against the human coders:

**Text.** :func:`extract_texts` reads document files
(:func:`cape_study.data.documents.read_document`: .txt, .docx, .pdf); a file that cannot be
read becomes a row of a failure table naming it, and the rest go on. Every text is
normalised (:func:`normalise`: Unicode NFC so that *å, ä, ö* written as a letter plus
a combining mark compare equal to the composed letters; words hyphenated across a line
break joined; lines broken inside a sentence joined; page headers, footers and page
numbers removed) and then masked (:func:`cape_study.privacy.masking.mask_text`: identity
numbers, phone numbers, e-mail addresses and the names passed in become tags) before it
is returned. Texts from ``data/processed`` are masked already at intake.
:func:`coding_units` gives the texts the coders code: a document, or a case read as all
its documents.

**Dictionary baseline.** Each code of the scheme carries ``keywords`` in the codebook:
regular expressions, grouped by document language, written from the codebook's coding
rules and from how Swedish (and Finnish) decisions are worded. :func:`match_keywords`
codes a document *present* when any pattern matches and returns the matched words and
the sentence they stand in as evidence. Patterns are written in lower case and matched
on normalised, lower-cased text; a space in a pattern stands for any run of whitespace.
:func:`rule_keywords` keeps only the keywords that the codebook's own coding rules
contain, to show how much the baseline owes to the others.

**Trained classifier.** One binary classifier per code (multi-label by binary
relevance): TF-IDF weights of word uni- and bigrams and of character 3-5-grams within
word boundaries (sublinear term frequency; Manning, Raghavan & Schütze 2008, ch. 6),
a linear model (:data:`MODELS`: a linear support vector machine, C = 0.5, or
L2-regularised logistic regression, C = 10; fixed, not tuned), calibrated to
probabilities by Platt's sigmoid fitted on held-out folds (Platt 1999; scikit-learn's
``CalibratedClassifierCV`` with three folds grouped by case and stratified by whether a
case has a positive document; the three fitted models are averaged). A code is proposed
when its calibrated probability is at least 0.5. Codes with fewer than ``min_examples``
positive or negative labels are not modelled.

**Labels: the coders' consensus.** :func:`consensus` takes, for each document and
code, the majority of the coders' values. A tie (one of two coders, two of four) is
left without a label by default (``tie="exclude"``: the document does not count for
that code, in training or evaluation); ``"present"`` or ``"absent"`` resolve it.

**Evaluation.** :func:`cross_validate` predicts each labelled unit from a model trained
without any unit of its case (``GroupKFold`` with shuffled groups, one assignment for
all codes, so not stratified by code; Roberts et al. 2017 on why dependent units must
not straddle folds): the feature vocabulary, the classifiers and their calibration are
all fitted on the training folds only.
:func:`agreement_table` puts per-code precision, recall, F1 and Cohen's kappa of the
classifier and of the dictionary against the consensus beside the agreement between
two human coders (:func:`human_agreement`: Cohen's kappa for the pair of coders who
coded the most documents together, and positive agreement, which equals F1).

**Suggestions.** :func:`suggest` proposes codes for documents that no coder has coded,
with the passage that drove each proposal: the sentence whose features raise the
code's score most (TF-IDF weights times the averaged model coefficients) and the word
terms that weigh most, or the dictionary's evidence. Suggestions are a separate table
for coders to review; they never enter the ``codings`` table.

The modules: :mod:`~cape_study.stats.textcoding.texts` (normalising, extraction, coding
units), :mod:`~cape_study.stats.textcoding.dictionary` (keywords),
:mod:`~cape_study.stats.textcoding.classifier` (features, calibrated models, training),
:mod:`~cape_study.stats.textcoding.evaluation` (consensus, cross-validation, scores),
:mod:`~cape_study.stats.textcoding.suggestions` and
:mod:`~cape_study.stats.textcoding.parallel` (the work spread over processes). This
package lists their public names, so ``textcoding.suggest`` and the like work as they
did when it was one module.

Everything random (the folds, the solvers) follows ``seed``: the same data and seed
give the same folds, probabilities and suggestions. The classifiers are fitted on one
BLAS thread whatever the kernel's setting
(:func:`~cape_study.stats.textcoding.classifier.one_blas_thread`).

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
Psychological Measurement* 20, 37-46.
Manning, C. D., Raghavan, P., & Schütze, H. (2008). *Introduction to Information
Retrieval*. Cambridge University Press.
Platt, J. (1999). Probabilistic outputs for support vector machines and comparisons to
regularized likelihood methods. In *Advances in Large Margin Classifiers*, MIT Press.
Roberts, D. R., et al. (2017). Cross-validation strategies for data with temporal,
spatial, hierarchical, or phylogenetic structure. *Ecography* 40, 913-929.
"""

import importlib
from typing import TYPE_CHECKING, Any

from cape_study.stats.textcoding.dictionary import match_counts, match_keywords, rule_keywords
from cape_study.stats.textcoding.texts import Extraction, coding_units, extract_texts, normalise

if TYPE_CHECKING:
    from cape_study.stats.textcoding.classifier import MODELS, THRESHOLD, CodingModel, train
    from cape_study.stats.textcoding.comparison import (
        COMPARISONS,
        like_for_like,
        like_for_like_summary,
    )
    from cape_study.stats.textcoding.evaluation import (
        METHODS,
        TIES,
        agreement_table,
        consensus,
        cross_validate,
        grouped_folds,
        human_agreement,
    )
    from cape_study.stats.textcoding.suggestions import (
        suggest,
        suggested_units,
        suggestion_counts,
        uncoded_units,
        used_units,
    )

#: The names of the modules that use scikit-learn (about 1 s of CPU to import), by module:
#: imported when one is first used, so that a step that only normalises texts or matches
#: keywords (intake, which masks normalised texts) does not pay for them.
_LAZY = {
    "classifier": ("MODELS", "THRESHOLD", "CodingModel", "train"),
    "comparison": ("COMPARISONS", "like_for_like", "like_for_like_summary"),
    "evaluation": (
        "METHODS",
        "TIES",
        "agreement_table",
        "consensus",
        "cross_validate",
        "grouped_folds",
        "human_agreement",
    ),
    "suggestions": (
        "suggest",
        "suggested_units",
        "suggestion_counts",
        "uncoded_units",
        "used_units",
    ),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "COMPARISONS",
    "METHODS",
    "MODELS",
    "THRESHOLD",
    "TIES",
    "CodingModel",
    "Extraction",
    "agreement_table",
    "coding_units",
    "consensus",
    "cross_validate",
    "extract_texts",
    "grouped_folds",
    "human_agreement",
    "like_for_like",
    "like_for_like_summary",
    "match_counts",
    "match_keywords",
    "normalise",
    "rule_keywords",
    "suggest",
    "suggested_units",
    "suggestion_counts",
    "train",
    "uncoded_units",
    "used_units",
]
