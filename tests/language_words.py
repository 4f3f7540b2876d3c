"""A word-list check for the language of a rendered page: the words a reader reads
(:func:`prose`: no styles, scripts, code, file names, paths, ids or numbers) that belong to
English and not to Swedish, or the other way round (:func:`words_of`).

A test helper, not a translator: the lists hold common function words and the report's
own domain words that the other language does not share (``in``, ``per``, ``median`` and
``Finland`` are Swedish and English alike and are left out). :func:`english_words` adds
every word of the project's own English texts that none of its Swedish texts uses
(:func:`english_only`), so an English label or sentence that reaches a Swedish page is
found whatever its words.
"""

from __future__ import annotations

import ast
import functools
import html
import json
import re
from pathlib import Path

import yaml

import cape_study

__all__ = ["ENGLISH", "SWEDISH", "english_only", "english_words", "prose", "words_of"]

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
#: A quotation (”…”, as Swedish and Finnish quote): in the language it was written in.
_QUOTED = re.compile(r"”[^”]*”|“[^”]*”")
_TAG = re.compile(r"<[^>]+>")
#: What a reader does not read as prose: addresses, paths and file names, identifiers
#: (``coder_a``, ``cases.case_id``), dates, slugs of file names (``cases-by-year``) and the
#: masks written into masked texts (``[NAME]``).
_NOT_PROSE = re.compile(
    r"https?://\S+"
    r"|\S*[/\\]\S*"
    r"|\b\w+\.(?:html|json|xlsx|csv|png|svg|yaml|parquet|ipynb|txt|docx|pdf)\b"
    r"|\b[a-z]+\.\w+\b"
    r"|\b[0-9a-f]{7,64}\b"
    r"|\b\w*_\w*\b"
    r"|\b[a-z0-9]+(?:-[a-z0-9]+)+\b"
    r"|\[[A-Z]+\]"
)


def prose(page: str) -> str:
    """The text a reader reads on a page: no styles, scripts, code, preformatted output
    or attribute values, and no addresses, paths, file names, identifiers or quotations."""
    text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page)))
    return _NOT_PROSE.sub(" ", _QUOTED.sub(" ", text))


def words_of(text: str, vocabulary: frozenset[str]) -> list[str]:
    """The words of ``text`` that are in ``vocabulary`` (lower case), in order."""
    return [w for w in re.findall(r"[^\W\d_]+", text.lower()) if w in vocabulary]


def english_words(page: str) -> list[str]:
    """The English words a reader reads on a rendered page (HTML), in order: those of
    :data:`ENGLISH` and of :func:`english_only`."""
    return words_of(prose(page), ENGLISH | english_only())


_SOURCE = Path(cape_study.__file__).parent
_NOTEBOOKS = _SOURCE.parents[1] / "notebooks"


def _strings(node: ast.AST) -> list[str]:
    """The string constants of an expression, not the keys of its dicts."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.Dict):
        return [s for value in node.values for s in _strings(value)]
    return [s for child in ast.iter_child_nodes(node) for s in _strings(child)]


def _texts(lang: str) -> list[str]:
    """Every text the project keeps in ``lang``: the strings under a ``"en"``/``"sv"`` key
    of the library's dict literals, the same in its YAML files (codebook, legal changes,
    public comparisons) and the notebooks' prose cells tagged ``lang-<lang>``."""
    texts = []
    for path in sorted(_SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == lang:
                        texts += _strings(value)

    def walk(item: object, inside: bool = False) -> None:
        if isinstance(item, dict):
            for key, value in item.items():
                walk(value, inside or key == lang)
        elif isinstance(item, list):
            for value in item:
                walk(value, inside)
        elif isinstance(item, str) and inside:
            texts.append(item)

    for path in sorted(_SOURCE.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in sorted(_NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if f"lang-{lang}" in cell.get("metadata", {}).get("tags", []):
                texts.append("".join(cell["source"]))
    return texts


def _words(texts: list[str]) -> set[str]:
    """The words of ``texts`` as a reader reads them (no fields, code, paths or ids)."""
    words: set[str] = set()
    for text in texts:
        text = re.sub(r"\{[^{}]*\}|`[^`]*`", " ", text)
        words.update(re.findall(r"[^\W\d_]+", prose(text).lower()))
    return words


@functools.cache
def english_only() -> frozenset[str]:
    """The words of the project's English texts (:func:`_texts`) that none of its Swedish
    texts uses, of three letters or more (shorter ones are in :data:`ENGLISH` where they
    are English only: ``he`` is a Finnish bill, ``HE 103/2014``)."""
    swedish = _words(_texts("sv"))
    return frozenset(w for w in _words(_texts("en")) - swedish if len(w) > 2)


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
