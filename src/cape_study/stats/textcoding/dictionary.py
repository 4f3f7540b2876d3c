"""The dictionary baseline: coding texts with the codebook's keywords.

Each code of a codeable scheme carries ``keywords`` in the codebook: regular
expressions by document language. :func:`match_keywords` codes a text *present* when
any pattern matches its lower-cased text and gives the matched words and their sentence
as evidence; :func:`rule_keywords` keeps only the keywords grounded in the codebook's
own coding rules; :func:`match_counts` counts the matches per code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.data.documents import no_text
from cape_study.stats.textcoding.parallel import spread
from cape_study.stats.textcoding.texts import normalise, sentence_at, sentence_spans

__all__ = ["match_counts", "match_keywords", "rule_keywords"]


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
        One row per document with text and code that has keywords (a document whose
        text is empty, :func:`cape_study.data.documents.no_text`, has no rows: it
        needs OCR, and is not coded as naming nothing): the unit column, ``code``,
        ``matched`` (bool), ``keyword`` (the pattern as written in the codebook),
        ``match`` (the words it matched) and ``evidence`` (the sentence they stand
        in); the last three are missing when nothing matched. ``n_jobs`` processes
        share the documents (default :func:`cape_study.paths.workers`); the result
        does not depend on it.
    """
    book = codebook_or_default(codebook)
    keywords = _keywords(scheme, book)
    # A document without text (needs OCR) is left out, never coded as matching nothing.
    read = documents[~no_text(documents, text)]
    items = list(zip(read[unit], read[text], strict=True))
    parts = spread(functools.partial(_match_rows, keywords=keywords), items, n_jobs)
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
            spans = spans if spans is not None else sentence_spans(body)
            words = " ".join(body[m.start() : m.end()].split())
            rows.append((doc, code, True, k.written, words, sentence_at(body, spans, m.start())))
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
