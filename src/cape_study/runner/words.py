"""The words the runner itself puts before a reader: the synthetic-data banner, the index,
the front matter, contents and provenance of report.html, in the run's language.

The words of tables, figures and takeaways live in :mod:`cape_study.present.labels`; the
runner may not import the presentation layer (import-linter: the runner knows no
statistics), so the few words of its own pages are kept here, in the same two languages
(Finnish falls back to English word by word). A step's title on these pages is the first
heading of its page (:func:`page_title`), which the notebook writes in each language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["WORDS", "locale", "page_title", "report_language", "words"]

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "banner": "SYNTHETIC DATA: this report is built from synthetic case files, not from "
        "real cases. Its figures describe no real person or case.",
        "report": "CAPE study report",
        "whole": "The whole report in one document, with the codebook and the provenance: "
        '<a href="report.html">report.html</a>.',
        "ran_in": "ran in {seconds} s",
        "from_cache": "from the cache (ran {when} UTC, took {seconds} s)",
        "executed": "executed notebook",
        "files": "Files",
        "ran": "ran",
        "cached": "cached",
        "failed": "failed",
        "skipped": "skipped",
        "built": "Built {when} UTC {source}.",
        "from_commit": "from commit {commit}",
        "dirty": " with uncommitted changes",
        "no_git": "outside a git checkout",
        "provenance_link": 'Provenance: <a href="manifest.json">manifest.json</a> (check it '
        "with <code>cape-study verify</code>).",
        "front": "Every step of the pipeline in one document, built {when} UTC; the "
        '<a href="#provenance">provenance</a> at the end says from what.',
        "contents": "Contents",
        "appendix": "Appendix: the codebook",
        "appendix_text": "Every code scheme and table of the case file, as used by this run.",
        "provenance": "Provenance",
        "run": "Run",
        "commit": "Git commit",
        "clean": "(clean)",
        "data": "Data",
        "data_text": "SHA-256 {sha} over the {files} file(s){where}, inputs of step {steps}",
        "labelled": " of the case file labelled “{label}”",
        "no_data": "no input files recorded",
        "library": "Library",
        "constraints": "Constraints",
        "kernel": "kernel",
        "parameters": "Parameters of every step",
        "step": "Step",
        "parameter_set": "Parameter set",
        "parameter": "Parameter",
        "value": "Value",
        "hash_of": "SHA-256 {sha} of {path}",
        "hashes": 'The SHA-256 of every input, output and page is in <a href="manifest.json">'
        "manifest.json</a>; <code>cape-study verify</code> recomputes them.",
    },
    "sv": {
        "banner": "SYNTETISKA DATA: rapporten bygger på syntetiska ärendefiler, inte på "
        "verkliga ärenden. Dess siffror beskriver ingen verklig person eller något verkligt "
        "ärende.",
        "report": "CAPE-studiens rapport",
        "whole": "Hela rapporten i ett dokument, med kodboken och härkomsten: "
        '<a href="report.html">report.html</a>.',
        "ran_in": "kördes på {seconds} s",
        "from_cache": "från cachen (kördes {when} UTC, tog {seconds} s)",
        "executed": "körd anteckningsbok",
        "files": "Filer",
        "ran": "körd",
        "cached": "från cachen",
        "failed": "misslyckades",
        "skipped": "hoppades över",
        "built": "Byggd {when} UTC {source}.",
        "from_commit": "från incheckning {commit}",
        "dirty": " med ändringar som inte checkats in",
        "no_git": "utanför en git-utcheckning",
        "provenance_link": 'Härkomst: <a href="manifest.json">manifest.json</a> (kontrollera '
        "den med <code>cape-study verify</code>).",
        "front": "Varje steg i kedjan i ett dokument, byggt {when} UTC; "
        '<a href="#provenance">härkomsten</a> i slutet säger av vad.',
        "contents": "Innehåll",
        "appendix": "Bilaga: kodboken",
        "appendix_text": "Varje kodschema och tabell i ärendefilen, så som körningen använde dem.",
        "provenance": "Härkomst",
        "run": "Körning",
        "commit": "Git-incheckning",
        "clean": "(utan ändringar)",
        "data": "Data",
        "data_text": "SHA-256 {sha} över {files} fil(er){where}, indata till steg {steps}",
        "labelled": " i ärendefilen märkt ”{label}”",
        "no_data": "inga indatafiler registrerade",
        "library": "Bibliotek",
        "constraints": "Versionslåsning",
        "kernel": "kärna",
        "parameters": "Parametrar för varje steg",
        "step": "Steg",
        "parameter_set": "Parameteruppsättning",
        "parameter": "Parameter",
        "value": "Värde",
        "hash_of": "SHA-256 {sha} för {path}",
        "hashes": 'SHA-256 för varje indata, utdata och sida finns i <a href="manifest.json">'
        "manifest.json</a>; <code>cape-study verify</code> räknar om dem.",
    },
}

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.DOTALL | re.IGNORECASE)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def locale(lang: str) -> str:
    """The CLDR locale numbers are written in for ``lang`` (as present.display does)."""
    return {"sv": "sv_SE", "fi": "fi_FI"}.get(lang, "en_GB")


def words(lang: str) -> dict[str, str]:
    """The runner's words in ``lang``; a word it lacks (Finnish) is the English one."""
    return {**WORDS["en"], **WORDS.get(lang, {})}


def report_language(entries: Mapping[str, Mapping[str, Any]]) -> str:
    """The language of a run's report: the ``lang`` parameter of its first step that has
    one (every step's parameter set has it), English if none."""
    for entry in entries.values():
        lang = (entry.get("parameters") or {}).get("lang")
        if lang:
            return str(lang)
    return "en"


def page_title(page: str, fallback: str) -> str:
    """The text of a step page's first ``<h1>`` (its title, in the page's language), or
    ``fallback`` when it has none."""
    m = _H1.search(page)
    if m is None:
        return fallback
    text = html.unescape(_TAG.sub("", _ANCHOR_LINK.sub("", m.group(1)))).strip()
    return text or fallback
