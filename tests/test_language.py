"""Every word a reader sees is in the run's language: the notebooks' prose cells come in
one cell per language (tagged ``lang-en``, ``lang-sv``), and a page rendered in Swedish
holds no English prose (a word-list check), one rendered in English no Swedish."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from language_words import ENGLISH, SWEDISH, causal_claims, english_words, prose, words_of

from cape_study.runner.pages import render_html, takeaways

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_prose_cell_has_its_twin_in_the_other_language(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    prose_cells = [c for c in nb.cells if c.cell_type == "markdown"]
    assert prose_cells
    for cell in prose_cells:
        tags = [t for t in cell.metadata.get("tags", []) if t.startswith("lang-")]
        assert len(tags) == 1, (path.name, cell.get("id"), "one language tag per prose cell")
    langs = [c.metadata["tags"][-1] for c in prose_cells]
    assert langs.count("lang-en") == langs.count("lang-sv")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and "lang-en" in cell.metadata["tags"]:
            twin = nb.cells[i + 1]
            assert "lang-sv" in twin.metadata.get("tags", []), (path.name, cell.get("id"))
            # the same headings, at the same levels
            assert re.findall(r"^#+", cell.source, re.M) == re.findall(r"^#+", twin.source, re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_page_in_swedish_holds_no_english_prose_and_back(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    sv = prose(render_html(nb, path.stem, lang="sv"))
    en = prose(render_html(nb, path.stem, lang="en"))
    assert not words_of(sv, ENGLISH), (path.name, words_of(sv, ENGLISH)[:20])
    assert len(words_of(sv, SWEDISH)) > 20
    assert not words_of(en, SWEDISH), (path.name, words_of(en, SWEDISH)[:20])
    assert '<html lang="sv">' in render_html(nb, path.stem, lang="sv")


def test_the_word_list_finds_english_in_a_swedish_page() -> None:
    page = "<p>Andel av alla anmälda ärenden som nådde <code>the</code> varje steg.</p>"
    assert words_of(prose(page), ENGLISH) == []
    assert words_of(prose(page + "<p>Share of the cases reported.</p>"), ENGLISH) == [
        "share",
        "of",
        "the",
        "cases",
        "reported",
    ]
    # ids, paths, file names, addresses and the page's <title> are not prose
    ids = (
        "<title>The report</title><p>Kodare coder_a, fil reports/tables/01_attrition.xlsx, "
        "figur cases-by-year-reported (png), report.html, https://example.org/the/cases.</p>"
    )
    assert english_words(ids) == []
    assert english_words("<p>Ärenden i Finland, median 2,0 per år.</p>") == []
    assert english_words("<td>hidden</td><th>Stage</th>") == ["hidden", "stage"]
    assert english_words("<p>Kolumnen cases.case_id, datum 2024-12-31.</p>") == []
    # a quotation is in the language it was written in; a mask as written in a text
    assert english_words("<p>Enligt ”ILO Indicators of Forced Labour”, maskerat [NAME].</p>") == []


def test_takeaways_are_read_in_the_run_language() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("**Takeaway:** few cases.", metadata={"tags": ["lang-en"]}),
        nbformat.v4.new_markdown_cell("**Takeaway:** få ärenden.", metadata={"tags": ["lang-sv"]}),
    ]
    assert [t["text"] for t in takeaways(nb, "sv")] == ["få ärenden."]
    assert [t["text"] for t in takeaways(nb, "en")] == ["few cases."]


def test_causal_wording_is_found_unless_a_sentence_denies_a_cause() -> None:
    text = (
        "This design shows which barriers the decisions name; it cannot show that a barrier "
        "caused a case to drop out. Joint inspections lead to prosecution. Cells hidden due "
        "to small numbers. The cause-specific hazard of closure. Inspektioner leder till "
        "åtal. Modellerna kan inte visa att en egenskap orsakar åtal. Ombud medförde fler åtal."
    )
    assert causal_claims(text) == [
        "Joint inspections lead to prosecution.",
        "Inspektioner leder till åtal.",
        "Ombud medförde fler åtal.",
    ]
