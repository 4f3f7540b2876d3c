"""A word-list check for the language of a rendered page: the words a reader reads
(:func:`prose`: no styles, scripts, code, file names, paths, ids or numbers) that belong to
English and not to Swedish, or the other way round (:func:`words_of`).

A test helper, not a translator: the lists hold common function words and the report's
own domain words that the other language does not share (``in``, ``per``, ``median`` and
``Finland`` are Swedish and English alike and are left out).
"""

from __future__ import annotations

import html
import re

__all__ = ["ENGLISH", "SWEDISH", "english_words", "prose", "words_of"]

#: Words common in English prose, and the report's English domain words, that are not
#: Swedish words.
_ENGLISH = """the of to is are was were with for that which this these those cases case not
have has be or at as an on it its their when where how what who each every than into only also
been would could should there they them our we you hidden suppressed small numbers prosecuted
prosecution closed closure none reached reaching share shares stage stages reported report
reports more less often between within hazard ratio ratios interval intervals predictor
predictors model models takeaway sampling frame judgments judgment coders coder agreement
codes code units unit dictionary classifier suggestions made uncoded reach reaches out after
before year years count counts shown country countries victims victim offence offences
conviction convicted acquitted charged cut off file files estimate estimates estimated because
cannot could too few many most least why threshold below above show shows shown would"""
ENGLISH = frozenset(_ENGLISH.split())

#: Words common in Swedish prose, and the report's Swedish domain words, that are not
#: English words.
_SWEDISH = """och att det som för med är av på till inte den ett har vid eller när från mot där
ärenden ärende kodare varje andel åtal nedlagda dolda dolt också"""
SWEDISH = frozenset(_SWEDISH.split())

_HIDDEN = re.compile(r"<(style|script|code|pre|title)\b.*?</\1\s*>", re.DOTALL | re.I)
_TAG = re.compile(r"<[^>]+>")
#: What a reader does not read as prose: addresses, paths and file names, identifiers
#: (``coder_a``, ``cases.case_id``), dates and slugs of file names (``cases-by-year``).
_NOT_PROSE = re.compile(
    r"https?://\S+"
    r"|\S*[/\\]\S*"
    r"|\b\w+\.(?:html|json|xlsx|csv|png|svg|yaml|parquet|ipynb|txt|docx|pdf)\b"
    r"|\b[a-z]+\.\w+\b"
    r"|\b[0-9a-f]{7,64}\b"
    r"|\b\w*_\w*\b"
    r"|\b[a-z0-9]+(?:-[a-z0-9]+)+\b"
)


def prose(page: str) -> str:
    """The text a reader reads on a page: no styles, scripts, code, preformatted output
    or attribute values, and no addresses, paths, file names or identifiers."""
    text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page)))
    return _NOT_PROSE.sub(" ", text)


def words_of(text: str, vocabulary: frozenset[str]) -> list[str]:
    """The words of ``text`` that are in ``vocabulary`` (lower case), in order."""
    return [w for w in re.findall(r"[^\W\d_]+", text.lower()) if w in vocabulary]


def english_words(page: str) -> list[str]:
    """The English words a reader reads on a rendered page (HTML), in order."""
    return words_of(prose(page), ENGLISH)


#: Wording that claims a cause, in English, Swedish and Finnish. The design (case files
#: coded by stage, observational) carries associations only, so a takeaway may name a
#: cause only to deny that the design shows one (:data:`_DISCLAIMER`).
_CAUSAL = re.compile(
    r"\b(?:causes|caused|causing|cause(?!-)|leads? to|led to|results? in|resulted in|"
    r"effects? of|impacts?|drives|driven by|"
    r"orsakar|orsakade|orsakat|leder till|ledde till|lett till|resulterar i|resulterade i|"
    r"effekten av|effekt av|medför|medförde|"
    r"aiheuttaa|aiheutti|johtaa|johti|vaikutus|vaikuttaa|vaikutti)\b",
    re.I,
)
#: A sentence that says what the design cannot show (``it cannot show that a barrier
#: caused a case to drop out``; ``kan inte visa att ...``; ``ei voi osoittaa ...``).
_DISCLAIMER = re.compile(
    r"\b(?:cannot show|can ?not show|does not show|kan inte visa|visar inte|"
    r"ei voi osoittaa|ei osoita)\b",
    re.I,
)


def causal_claims(text: str) -> list[str]:
    """The sentences of ``text`` that claim a cause: causal wording (:data:`_CAUSAL`)
    outside a sentence that says the design cannot show one."""
    sentences = re.split(r"(?<=[.!?;])\s+", text)
    return [s for s in sentences if _CAUSAL.search(s) and not _DISCLAIMER.search(s)]
