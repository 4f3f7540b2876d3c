"""Coding decision texts: a transparent keyword dictionary and a trained classifier.

Coding hundreds of closure decisions and judgments by hand is the study's bottleneck.
This module prepares the texts and offers two ways of proposing codes of a codeable
scheme (``barrier`` by default), both measured against the human coders:

**Text.** :func:`extract_texts` reads document files through the loaders
(:func:`cape_study.data.loaders.read_document`: .txt, .docx, .pdf); a file that cannot be
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

Everything random (the folds, the solvers) follows ``seed``: the same data and seed
give the same folds, probabilities and suggestions.

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

from __future__ import annotations

import functools
import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from sklearn.utils.parallel import Parallel, delayed

from cape_study import paths
from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.data.loaders import read_document
from cape_study.errors import CaseFileError
from cape_study.privacy import masking as privacy
from cape_study.stats import reliability

__all__ = [
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

#: A code is proposed when its calibrated probability reaches this value.
THRESHOLD = 0.5
#: How :func:`consensus` resolves a tie between coders.
TIES = ("exclude", "present", "absent")
#: The methods compared in :func:`agreement_table`, in the order shown.
METHODS = ("classifier", "dictionary", "human")
_CALIBRATION_FOLDS = 3
#: :func:`suggest` works through this many units at a time (memory; results do not change).
_SUGGEST_BATCH = 2000
#: Work is spread over processes from this many units on (starting them takes seconds).
_PARALLEL_FROM = 5000


def _spread(function: Callable[[list], list], items: list, n_jobs: int | None) -> list[list]:
    """``function`` of contiguous parts of ``items``, one part per process, in order.

    ``n_jobs`` processes (default :func:`cape_study.paths.workers`, which ``cape-study
    run`` sets to the step's share of the cores); one part, in this process, when
    that is 1 or there are fewer than ``_PARALLEL_FROM`` items.
    """
    n = paths.workers() if n_jobs is None else max(n_jobs, 1)
    if n == 1 or len(items) < _PARALLEL_FROM:
        return [function(items)]
    bounds = np.linspace(0, len(items), n + 1).astype(int)
    return Parallel(n_jobs=n)(delayed(function)(items[a:b]) for a, b in itertools.pairwise(bounds))


# -- text ---------------------------------------------------------------------------------
_PAGE_NUMBER = re.compile(
    r"^(?:(?:sida|sid\.?|page|sivu|s\.)\s*\d+(?:\s*(?:av|of|/|\(\s*\d+\s*\))\s*\d*\)?)?"
    r"|\d+\s*\(\s*\d+\s*\)|\d+\s*/\s*\d+|[-–]\s*\d+\s*[-–])$",
    re.IGNORECASE,
)
_HYPHENATED = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w+)")
_KEEP_HYPHEN_BEFORE = frozenset({"och", "eller", "samt", "and", "or", "ja", "tai"})
_INVISIBLE_CHARACTERS = "\u00ad\u200b\u200c\u200d\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARACTERS))
_SPACES = re.compile(r"[^\S\n]+")
_CONTINUATION = re.compile(r"(?<=[^\n])\n(?=[^\W\d_])")
_BLANK_LINES = re.compile(r"\n{3,}")
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Normalise a document's text for matching and learning.

    In order: Unicode NFC (composed letters, so that *ä* typed as *a* plus a
    combining diaeresis equals *ä*); line endings as ``\\n``; soft hyphens and
    zero-width characters removed, other spaces made plain; page headers and footers
    removed (see below); a word hyphenated across a line break joined (*förunder-* /
    *sökningen* becomes *förundersökningen*; the hyphen is kept when either side is
    not a lower-case letter, as in *EU-* / *medborgare*, and before *och*, *eller*,
    *samt*, as in *arbetsmiljö- och*); a line that continues a sentence (it starts with
    a lower-case letter) joined to the line before; runs of spaces collapsed.

    Headers and footers: when the text has pages (separated by form feeds, as PDFs
    are extracted), a line among the first or last three non-blank lines of a page
    that recurs, with its digits ignored, at the edge of at least half of the pages
    (and at least two) is removed, as is a page-number line there (``Sida 2 av 5``,
    ``2 (5)``, ``- 2 -``, ``3``). Without pages, only lines that are page numbers of
    an explicit form (not a bare number) are removed, and short lines (up to 80
    characters) that recur at least three times.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(c in text for c in _INVISIBLE_CHARACTERS):  # translate() is slow on long texts
        text = text.translate(_INVISIBLE)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = _strip_page_furniture(text)
    text = _HYPHENATED.sub(_join_hyphenated, text)
    text = _CONTINUATION.sub(_join_continuation, text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _join_hyphenated(m: re.Match[str]) -> str:
    before, after = m.group(1), m.group(2)
    if before.islower() and after[0].islower() and after.lower() not in _KEEP_HYPHEN_BEFORE:
        return before + after
    if after.lower() in _KEEP_HYPHEN_BEFORE:
        return f"{before}- {after}"
    return f"{before}-{after}"


def _join_continuation(m: re.Match[str]) -> str:
    following = m.string[m.end()]
    return " " if following.islower() else "\n"


def _furniture_key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def _strip_page_furniture(text: str) -> str:
    """Drop page headers, footers and page numbers; join the pages with line breaks."""
    pages = [page.split("\n") for page in text.split("\f")]
    drop: set[tuple[int, int]] = set()
    if len(pages) > 1:
        edges = []
        for page in pages:
            filled = [i for i, line in enumerate(page) if line.strip()]
            edges.append(sorted(set(filled[:3] + filled[-3:])))
        recurring: dict[str, int] = {}
        for page, idx in zip(pages, edges, strict=True):
            for key in {_furniture_key(page[i]) for i in idx}:
                recurring[key] = recurring.get(key, 0) + 1
        needed = max(2, (len(pages) + 1) // 2)
        for p, (page, idx) in enumerate(zip(pages, edges, strict=True)):
            for i in idx:
                line = page[i].strip()
                number = _PAGE_NUMBER.match(line) or (line.isdigit() and len(line) <= 4)
                if number or recurring[_furniture_key(line)] >= needed:
                    drop.add((p, i))
    else:
        keys = [_furniture_key(line) for line in pages[0]]
        counts: dict[str, int] = {}
        for line, key in zip(pages[0], keys, strict=True):
            if line.strip() and len(line.strip()) <= 80:
                counts[key] = counts.get(key, 0) + 1
        for i, (line, key) in enumerate(zip(pages[0], keys, strict=True)):
            repeated = line.strip() and counts.get(key, 0) >= 3
            if _PAGE_NUMBER.match(line.strip()) or repeated:
                drop.add((0, i))
    return "\n".join(
        line for p, page in enumerate(pages) for i, line in enumerate(page) if (p, i) not in drop
    )


_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”»)]))\s+(?=[\"”«(]?([^\W\d_]))")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: lines, split further after . ! ? before a capital."""
    spans = []
    start = 0
    for line in text.split("\n"):
        pieces = [0, *(m.end() for m in _SENTENCE_END.finditer(line) if m.group(1).isupper())]
        for a, b in zip(pieces, [*pieces[1:], len(line)], strict=True):
            if line[a:b].strip():
                spans.append((start + a, start + a + len(line[a:b].rstrip())))
        start += len(line) + 1
    return spans


def _sentence_at(text: str, spans: list[tuple[int, int]], pos: int) -> str:
    for a, b in spans:
        if a <= pos < b:
            return text[a:b]
    return text[max(pos - 100, 0) : pos + 100]


@dataclass(frozen=True)
class Extraction:
    """Texts read from document files, and the files that could not be read.

    ``texts``: one row per document read (the unit column, ``text`` normalised and
    masked, ``masked``: how many identifiers and names were replaced by tags).
    ``failures``: one row per document not read (the unit column, ``file``,
    ``error``). ``notes``: things worth knowing that are not failures.
    """

    texts: pd.DataFrame
    failures: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def extract_texts(
    documents: pd.DataFrame,
    folder: str | os.PathLike[str],
    *,
    unit: str = "doc_id",
    path: str = "path",
    names: Iterable[str] = (),
) -> Extraction:
    """Read, normalise and mask the text of every document file.

    Parameters
    ----------
    documents
        One row per document, with its id (``unit``) and its file path relative to
        ``folder`` (``path``), as in the ``documents`` table of a case file.
    folder
        The documents folder (a case file's ``documents/``).
    names
        Names of people to mask besides the identifiers the privacy scanner finds.

    Returns
    -------
    Extraction
        The texts, and one failure row for each file that is missing, of an unknown
        type or unreadable, naming the file; the other documents are read all the
        same.
    """
    folder = Path(folder)
    names = tuple(names)
    texts, failures, notes = [], [], []
    for doc, rel in zip(documents[unit], documents[path], strict=True):
        rel_path = PurePosixPath(str(rel).replace("\\", "/"))
        if rel_path.is_absolute() or ".." in rel_path.parts:
            error = f"{rel}: expected a path inside the documents folder {folder}"
            failures.append({unit: doc, "file": str(rel), "error": error})
            continue
        try:
            raw, doc_notes = read_document(folder / rel_path)
        except CaseFileError as exc:
            failures.append({unit: doc, "file": str(rel_path), "error": str(exc)})
            continue
        masked, counts = privacy.mask_text(normalise(raw), names=names)
        texts.append({unit: doc, "text": masked, "masked": int(sum(counts.values()))})
        notes += doc_notes
    return Extraction(
        pd.DataFrame(texts, columns=[unit, "text", "masked"]),
        pd.DataFrame(failures, columns=[unit, "file", "error"]),
        notes,
    )


# -- dictionary baseline ----------------------------------------------------------------
@dataclass(frozen=True)
class _Keyword:
    """One codebook pattern, compiled for lower-cased text. A leading ``\\b`` is checked
    after the search instead of in it: the search is then about ten times faster,
    because the regular expression engine can look for the pattern's first letters."""

    code: str
    written: str
    regex: re.Pattern[str]
    boundary: bool

    def search(self, lowered: str) -> re.Match[str] | None:
        pos = 0
        while (m := self.regex.search(lowered, pos)) is not None:
            start = m.start()
            if not self.boundary or start == 0 or not _is_word(lowered[start - 1]):
                return m
            pos = start + 1
        return None


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _keywords(scheme: str, codebook: Codebook) -> dict[str, list[_Keyword]]:
    """The scheme's keywords per code, in codebook order."""
    out: dict[str, list[_Keyword]] = {}
    for code in codebook.scheme(scheme).codes:
        for _, written in code.keywords.items() if code.keywords else []:
            body = written.replace(" ", r"\s+")
            boundary = body.startswith(r"\b")
            compiled = re.compile(body.removeprefix(r"\b") if boundary else body)
            out.setdefault(code.code, []).append(_Keyword(code.code, written, compiled, boundary))
    return out


def _lower(text: str) -> str:
    """Lower case with every character kept in place (a few characters, such as a
    dotted capital I, become two when lower-cased; those are left as they are)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def match_keywords(
    documents: pd.DataFrame,
    *,
    text: str = "text",
    unit: str = "unit_id",
    scheme: str = "barrier",
    codebook: Codebook | None = None,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Code documents with the codebook's keywords (the dictionary baseline).

    A code is present in a document when any of its patterns (of any language)
    matches the document's lower-cased text; the earliest match is the evidence.

    Returns
    -------
    DataFrame
        One row per document and code that has keywords: the unit column, ``code``,
        ``matched`` (bool), ``keyword`` (the pattern as written in the codebook),
        ``match`` (the words it matched) and ``evidence`` (the sentence they stand
        in); the last three are missing when nothing matched. ``n_jobs`` processes
        share the documents (default :func:`cape_study.paths.workers`); the result
        does not depend on it.
    """
    book = codebook_or_default(codebook)
    keywords = _keywords(scheme, book)
    items = list(zip(documents[unit], documents[text], strict=True))
    parts = _spread(functools.partial(_match_rows, keywords=keywords), items, n_jobs)
    rows = [r for part in parts for r in part]
    out = pd.DataFrame(rows, columns=[unit, "code", "matched", "keyword", "match", "evidence"])
    return out.astype({"matched": bool})


def _match_rows(
    items: list[tuple[object, object]], *, keywords: dict[str, list[_Keyword]]
) -> list[tuple[object, str, bool, str | None, str | None, str | None]]:
    """The rows of :func:`match_keywords` for ``items``: (unit id, text)."""
    rows = []
    for doc, body in items:
        body = "" if pd.isna(body) else str(body)
        lowered = _lower(body)
        spans = None
        for code, patterns in keywords.items():
            found = [(m, k) for k in patterns if (m := k.search(lowered)) is not None]
            if not found:
                rows.append((doc, code, False, None, None, None))
                continue
            m, k = min(found, key=lambda f: f[0].start())
            spans = spans if spans is not None else _sentence_spans(body)
            words = " ".join(body[m.start() : m.end()].split())
            rows.append((doc, code, True, k.written, words, _sentence_at(body, spans, m.start())))
    return rows


def rule_keywords(scheme: str = "barrier", codebook: Codebook | None = None) -> Codebook:
    """The codebook with, for ``scheme``, only the keywords grounded in the coding rules:
    those that match the code's own definition, inclusion rule or example (Swedish or
    English text).

    A diagnostic: keywords beyond these were added from knowledge of how decisions are
    worded, or of the documents themselves; comparing the two dictionaries shows how
    much the baseline owes to them.
    """
    book = codebook_or_default(codebook)
    keywords = _keywords(scheme, book)
    raw = book.model_dump()
    for code in raw["schemes"][scheme]["codes"]:
        if code["keywords"] is None:
            continue
        rules = book.scheme(scheme).get(code["code"])
        texts = [rules.definition, rules.include, rules.example]
        written = " ".join(t(lang) for t in texts if t is not None for lang in ("sv", "en"))
        lowered = _lower(normalise(written))
        kept = {k.written for k in keywords[code["code"]] if k.search(lowered)}
        for lang in ("sv", "en", "fi"):
            code["keywords"][lang] = [p for p in code["keywords"][lang] if p in kept]
    return Codebook.model_validate(raw)


def match_counts(dictionary: pd.DataFrame, *, unit: str = "unit_id") -> pd.DataFrame:
    """Per code, the units the dictionary was run on (``n_units``) and those it
    matched (``matched``), from :func:`match_keywords`; codes in order of appearance."""
    return (
        dictionary.groupby("code", sort=False)
        .agg(n_units=(unit, "nunique"), matched=("matched", "sum"))
        .astype("int64")
        .reset_index()
    )


# -- coding units ------------------------------------------------------------------------
def _normalise_all(texts: list[str]) -> list[str]:
    return [normalise(t) for t in texts]


def coding_units(
    documents: pd.DataFrame,
    codings: pd.DataFrame,
    *,
    scheme: str = "barrier",
    text: str = "text",
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """The texts the coders code: one row per document and, where cases are coded, per
    case.

    A coding unit is a document (its ``doc_id``) or a whole case (its ``case_id``);
    the codebook asks coders of a case to read all its documents, so a case's text is
    its documents' texts in date order, separated by a blank line. Every text is
    normalised (:func:`normalise`). Cases are listed only when the scheme codes some
    case as a unit. ``n_jobs`` processes share the normalising (default
    :func:`cape_study.paths.workers`); the result does not depend on it.

    Returns
    -------
    DataFrame
        ``unit_id``, ``case_id``, ``doc_type`` (the document type, or ``"case"``),
        ``text`` and ``coded`` (whether the unit is coded in ``scheme``).
    """
    coded = set(codings.loc[codings["scheme"].astype("string") == scheme, "unit_id"].astype(str))
    docs = documents.sort_values(["case_id", "date", "doc_id"], kind="stable")
    texts = docs[text].fillna("").astype(str).tolist()
    body = [t for part in _spread(_normalise_all, texts, n_jobs) for t in part]
    units = pd.DataFrame(
        {
            "unit_id": docs["doc_id"].astype(str),
            "case_id": docs["case_id"].astype(str),
            "doc_type": docs["doc_type"].astype(str),
            "text": body,
        }
    )
    if coded & set(units["case_id"]):
        cases = (
            units.groupby("case_id", sort=False)["text"]
            .agg("\n\n".join)
            .reset_index()
            .assign(unit_id=lambda f: f["case_id"], doc_type="case")
        )
        units = pd.concat([units, cases[list(units.columns)]], ignore_index=True)
    units["coded"] = units["unit_id"].isin(coded)
    return units.reset_index(drop=True)


# -- human codings ------------------------------------------------------------------------
def consensus(
    codings: pd.DataFrame,
    *,
    scheme: str = "barrier",
    unit: str = "unit_id",
    coder: str = "coder",
    code: str = "code",
    present: str = "present",
    tie: str = "exclude",
) -> pd.DataFrame:
    """The coders' consensus label for each unit and code of ``scheme``.

    The consensus is the majority of the coders' values: present when more than half
    of the coders who coded the unit coded the code present, absent when fewer than
    half did. A unit coded by one coder takes that coder's value. A tie is resolved by
    ``tie``: ``"exclude"`` (no label; the default), ``"present"`` or ``"absent"``.
    Excluding ties leaves out the documents the coders found hardest, so agreement
    with the consensus is measured on somewhat easier documents than the agreement
    between coders.

    Returns
    -------
    DataFrame
        ``unit``, ``code``, ``n_coders``, ``n_present`` and ``label`` (boolean, missing
        for an excluded tie), one row per unit and code.
    """
    if tie not in TIES:
        raise ValueError(f"unknown tie rule {tie!r}; known rules: {', '.join(TIES)}")
    rows = _scheme_rows(codings, scheme, unit, coder, code, present)
    table = (
        rows.groupby(["unit", "code"], sort=True)
        .agg(n_coders=("coder", "nunique"), n_present=("present", "sum"))
        .reset_index()
    )
    twice = 2 * table["n_present"]
    label = pd.Series(pd.NA, index=table.index, dtype="boolean")
    label[twice > table["n_coders"]] = True
    label[twice < table["n_coders"]] = False
    if tie != "exclude":
        label[twice == table["n_coders"]] = tie == "present"
    table["label"] = label
    table = table.astype({"n_coders": "int64", "n_present": "int64"})
    return table.rename(columns={"unit": unit, "code": code})


def _scheme_rows(
    codings: pd.DataFrame, scheme: str, unit: str, coder: str, code: str, present: str
) -> pd.DataFrame:
    """The scheme's codings as plain columns unit, coder, code, present (bool)."""
    rows = codings[codings["scheme"].astype("string") == scheme]
    out = pd.DataFrame(
        {
            "unit": rows[unit].astype("string"),
            "coder": rows[coder].astype("string"),
            "code": rows[code].astype("string"),
            "present": rows[present].astype("boolean"),
        }
    ).dropna()
    return out.astype({"present": bool})


def human_agreement(
    codings: pd.DataFrame,
    *,
    scheme: str = "barrier",
    unit: str = "unit_id",
    coder: str = "coder",
    code: str = "code",
    present: str = "present",
) -> pd.DataFrame:
    """Agreement between two human coders per code: Cohen's kappa and F1.

    The pair is the two coders who coded the most units of the scheme together; only
    units both coded count. Cohen's kappa (Cohen 1960) comes from
    :func:`cape_study.stats.reliability.cohen_kappa`, as in the reliability analysis. F1 is
    positive specific agreement, 2a / (2a + b + c), which is the F1 of either coder
    against the other.

    Returns
    -------
    DataFrame
        ``code``, ``method`` (``"human"``), ``coders`` (the pair), ``n_units``,
        ``n_positive`` (units at least one of the two coded present), ``f1`` and
        ``kappa``, codes in the order they first appear.
    """
    rows = _scheme_rows(codings, scheme, unit, coder, code, present)
    units = rows.groupby("coder")["unit"].agg(set)
    pairs = [(a, b) for i, a in enumerate(units.index) for b in units.index[i + 1 :]]
    if not pairs:
        raise ValueError(f"scheme {scheme!r}: fewer than two coders, no agreement to compute")
    a, b = max(pairs, key=lambda p: (len(units[p[0]] & units[p[1]]), p))
    kappa = reliability.cohen_kappa(
        rows, by=["code"], unit="unit", coders=[a, b], n_boot=0
    ).set_index("code")["estimate"]
    wide = rows[rows["coder"].isin([a, b])].pivot_table(
        index=["code", "unit"], columns="coder", values="present", aggfunc="first", sort=False
    )
    both = wide[[a, b]].dropna().astype(bool)
    out = []
    for name, group in both.groupby(level="code", sort=False):
        first, second = group[a].to_numpy(), group[b].to_numpy()
        out.append(
            {
                code: name,
                "method": "human",
                "coders": f"{a} & {b}",
                "n_units": len(group),
                "n_positive": int(np.sum(first | second)),
                "f1": _scores(first, second)["f1"],
                "kappa": kappa[name],
            }
        )
    return pd.DataFrame(out)


def _scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 and Cohen's kappa of predictions against labels (bool
    arrays), from the 2 x 2 table; a score whose denominator is zero is missing."""
    tp = int(np.sum(truth & pred))
    fp = int(np.sum(~truth & pred))
    fn = int(np.sum(truth & ~pred))
    n = len(truth)
    tn = n - tp - fp - fn
    p_o = (tp + tn) / n if n else np.nan
    p_e = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2 if n else np.nan
    return {
        "n_units": n,
        "precision": tp / (tp + fp) if tp + fp else np.nan,
        "recall": tp / (tp + fn) if tp + fn else np.nan,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else np.nan,
        "kappa": (p_o - p_e) / (1 - p_e) if n and p_e < 1 else np.nan,
    }


# -- the classifier -----------------------------------------------------------------------
def _logistic(seed: int) -> BaseEstimator:
    return LogisticRegression(C=10.0, solver="liblinear", dual=True, random_state=seed)


def _linear_svm(seed: int) -> BaseEstimator:
    return LinearSVC(C=0.5, random_state=seed)


#: The linear models, by the name the ``model`` parameter uses.
MODELS: dict[str, Callable[[int], BaseEstimator]] = {
    "logistic": _logistic,
    "linear_svm": _linear_svm,
}


def _model(name: str) -> Callable[[int], BaseEstimator]:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(MODELS)}") from None


def _features() -> FeatureUnion:
    """TF-IDF of word uni- and bigrams and of character 3-5-grams within words."""
    common = {"min_df": 2, "sublinear_tf": True}
    return FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), max_df=0.9, **common)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common)),
        ]
    )


def _canonical(x: sparse.spmatrix) -> sparse.csr_matrix:
    """CSR with sorted, unique indices, so that every fit need not copy and sort it."""
    x = sparse.csr_matrix(x)
    x.sum_duplicates()
    return x


class _FeatureCache:
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
        char = self.char._tfidf.transform(self._char_counts(texts), copy=False)
        return sparse.hstack([self.word.transform(texts), char]).tocsr()

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


def grouped_folds(groups: Iterable[object], n_splits: int = 5, seed: int = 0) -> np.ndarray:
    """Assign each unit to one of ``n_splits`` folds so that a group never spans two.

    Groups (cases) are shuffled with ``seed`` and dealt to folds of about equal size
    (scikit-learn's ``GroupKFold(shuffle=True)``). Returns the fold of each unit.
    """
    groups = np.asarray(list(groups), dtype=object)
    n_groups = len(set(groups))
    if n_groups < n_splits:
        raise ValueError(
            f"{n_groups} case(s) cannot be split into {n_splits} folds grouped by case"
        )
    folds = np.empty(len(groups), dtype=np.int64)
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for k, (_, test) in enumerate(splitter.split(groups, groups=groups)):
        folds[test] = k
    return folds


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


def _fit_code(
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
    classifier = CalibratedClassifierCV(_model(model)(seed), method="sigmoid", cv=inner)
    return classifier.fit(x, y)


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
        return self._probabilities(self.features.transform(texts))

    def _probabilities(self, x: sparse.spmatrix) -> pd.DataFrame:
        """:meth:`predict_proba` of texts already turned into features."""
        return pd.DataFrame(
            {code: clf.predict_proba(x)[:, 1] for code, clf in self.classifiers.items()}
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


def _label_matrix(units: pd.DataFrame, labels: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Units x codes, True/False or missing, in the order of ``units``."""
    wide = labels.pivot(index=unit, columns="code", values="label")
    wide.index = wide.index.astype("string")
    return wide.reindex(units[unit].astype("string").to_numpy())


def _usable(column: pd.Series, min_examples: int) -> str | None:
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
    """
    _model(model)
    wide = _label_matrix(units, labels, unit)
    features = _features()
    x = _canonical(features.fit_transform(units[text].fillna("").tolist()))
    groups = units[group].astype("string").to_numpy(dtype=object)
    skipped = {c: r for c in wide.columns if (r := _usable(wide[c], min_examples))}
    codes = [c for c in wide.columns if c not in skipped]

    def fit(code: str) -> CalibratedClassifierCV | None:
        known = wide[code].notna().to_numpy()
        y = wide[code].to_numpy(dtype=object)[known].astype(bool)
        return _fit_code(x[known], y, groups[known], model, seed)

    fitted = Parallel(n_jobs=n_jobs)(delayed(fit)(c) for c in codes)
    classifiers = {}
    for code, clf in zip(codes, fitted, strict=True):
        if clf is None:
            skipped[code] = "fewer than three cases with each label"
        else:
            classifiers[code] = clf
    return CodingModel(scheme, model, seed, features, classifiers, skipped)


def cross_validate(
    units: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    text: str = "text",
    unit: str = "unit_id",
    group: str = "case_id",
    model: str = "linear_svm",
    min_examples: int = 10,
    n_splits: int = 5,
    seed: int = 0,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Out-of-fold predictions for every labelled document, folds grouped by case.

    The units are dealt to ``n_splits`` folds by case (:func:`grouped_folds`).
    For each fold, the features and one calibrated classifier per code are fitted on
    the other folds and predict the fold's units. A code with fewer than
    ``min_examples`` positive or negative labels overall is not modelled; one that
    cannot be fitted in a fold (too few cases with a label there) gets no prediction
    in that fold.

    Returns
    -------
    DataFrame
        One row per labelled document and code: ``unit``, ``group``, ``fold``,
        ``code``, ``label``, ``probability`` (missing when not modelled) and
        ``predicted`` (probability at least :data:`THRESHOLD`; missing likewise).
    """
    _model(model)
    units = units.reset_index(drop=True)
    wide = _label_matrix(units, labels, unit)
    folds = grouped_folds(units[group].astype("string"), n_splits, seed)
    groups = units[group].astype("string").to_numpy(dtype=object)
    texts = units[text].fillna("").tolist()
    skipped = {c for c in wide.columns if _usable(wide[c], min_examples)}
    modelled = [c for c in wide.columns if c not in skipped]
    probability = pd.DataFrame(np.nan, index=units.index, columns=wide.columns)

    def fold_predictions(k: int) -> dict[str, np.ndarray]:
        train_idx, test_idx = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        features = _features()
        x_train = _canonical(features.fit_transform([texts[i] for i in train_idx]))
        x_test = features.transform([texts[i] for i in test_idx])
        out = {}
        for code in modelled:
            column = wide[code].to_numpy(dtype=object)[train_idx]
            known = pd.notna(column)
            y = column[known].astype(bool)
            clf = _fit_code(x_train[known], y, groups[train_idx][known], model, seed)
            if clf is not None:
                out[code] = clf.predict_proba(x_test)[:, 1]
        return out

    results = Parallel(n_jobs=n_jobs)(delayed(fold_predictions)(k) for k in range(n_splits))
    for k, predicted in enumerate(results):
        test_idx = np.flatnonzero(folds == k)
        for code, p in predicted.items():
            probability.loc[test_idx, code] = p
    long = (
        wide.reset_index(drop=True)
        .assign(**{unit: units[unit].to_numpy(), group: groups, "fold": folds})
        .melt(id_vars=[unit, group, "fold"], var_name="code", value_name="label")
    )
    long["probability"] = probability.to_numpy().T.ravel()
    long = long.dropna(subset=["label"]).reset_index(drop=True)
    long["label"] = long["label"].astype(bool)
    long["predicted"] = (long["probability"] >= THRESHOLD).astype("boolean")
    long.loc[long["probability"].isna(), "predicted"] = pd.NA
    return long


def agreement_table(
    predictions: pd.DataFrame,
    dictionary: pd.DataFrame,
    human: pd.DataFrame,
    *,
    unit: str = "unit_id",
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per-code agreement with the coders' consensus, three ways, in one table.

    ``classifier``: the out-of-fold predictions of :func:`cross_validate` against the
    consensus, on the documents that got a prediction. ``dictionary``: the keyword
    matches of :func:`match_keywords` against the consensus, on every labelled
    document. ``human``: the rows of :func:`human_agreement` (one coder against the
    other; precision and recall are not defined for a pair of equals). A code without
    keywords has no dictionary scores.

    Returns
    -------
    DataFrame
        ``code``, ``method`` (:data:`METHODS`), ``n_units``, ``n_positive`` (consensus
        present; for ``human``, coded present by either coder), ``precision``,
        ``recall``, ``f1`` and ``kappa``; codes in the order of ``codes`` (default: as
        they appear in ``predictions``).
    """
    order = list(codes) if codes is not None else list(dict.fromkeys(predictions["code"]))
    matched = dictionary.set_index([unit, "code"])["matched"]
    with_keywords = set(dictionary["code"])
    rows = []
    for code in order:
        labelled = predictions[predictions["code"] == code]
        truth = labelled["label"].to_numpy(dtype=bool)
        found = matched.reindex(list(zip(labelled[unit], labelled["code"], strict=True)))
        predicted = labelled["predicted"]
        done = predicted.notna().to_numpy()
        for method, t, p in (
            ("classifier", truth[done], predicted[done].to_numpy(dtype=bool)),
            ("dictionary", truth, found.eq(True).to_numpy()),
        ):
            scores = _scores(t, p)
            if method == "dictionary" and code not in with_keywords:
                scores = {k: np.nan for k in scores} | {"n_units": len(t)}
            rows.append({"code": code, "method": method, **scores, "n_positive": int(t.sum())})
    table = pd.DataFrame(rows)
    people = human[human["code"].isin(order)].drop(columns=["coders"], errors="ignore")
    table = pd.concat([table, people], ignore_index=True)
    table["_order"] = table["code"].map({c: i for i, c in enumerate(order)})
    table["_method"] = table["method"].map({m: i for i, m in enumerate(METHODS)})
    table = table.sort_values(["_order", "_method"], kind="stable").drop(
        columns=["_order", "_method"]
    )
    columns = ["code", "method", "n_units", "n_positive", "precision", "recall", "f1", "kappa"]
    return table[columns].reset_index(drop=True)


# -- suggestions --------------------------------------------------------------------------
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
    parts = _spread(
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
    return pd.DataFrame([r for part in parts for r in part], columns=[*columns, "keyword"])


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
    features = _FeatureCache(coding_model.features)
    rows = []
    # A batch of units at a time: the features of 90,000 texts and of their sentences
    # at once would take gigabytes. A unit's proposals do not depend on the others'.
    for first in range(0, len(items), _SUGGEST_BATCH):
        batch = [t for _, t, _ in items[first : first + _SUGGEST_BATCH]]
        # The texts' features, made once: they give the probabilities and the terms.
        x = features.transform(batch)
        probability = coding_model._probabilities(x)
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
    features: _FeatureCache,
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
    spans = [_sentence_spans(t) or [(0, len(t))] for t in texts]
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
