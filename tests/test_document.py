"""Tests for cape_study.runner.document: the whole report as one page (the pipeline's own test
of report.html is in test_pipeline.py, the demo's in test_notebooks.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cape_study.errors import PipelineError
from cape_study.privacy.scanning import PersonalDataFound
from cape_study.runner.document import Document, build_document, prefix_ids
from cape_study.runner.index import index_html
from cape_study.runner.pages import SYNTHETIC_BANNER, heading_ids, synthetic_banner
from cape_study.runner.printing import printed_pdf, write_pdf
from cape_study.runner.spec import StepResult
from cape_study.runner.wordfile import write_docx
from cape_study.runner.words import page_title


def test_ids_are_prefixed_with_what_points_at_them() -> None:
    body = (
        "<style>#T_1_row0 {color: red} #T_1 th, .x #other {margin: 0} a{color:#fff}</style>\n"
        '<h2 id="Part-one">Part one<a class="anchor-link" href="#Part-one">¶</a></h2>\n'
        '<table id="T_1"><tr><td id="T_1_row0">1</td></tr></table>\n'
        '<a href="#Part%20two">2</a><h3 id="Part two">2</h3>\n'
        '<svg><clipPath id="c1"/><g clip-path="url(#c1)"/><use xlink:href="#c1"/></svg>\n'
        '<a href="#elsewhere">out</a> <a href="other.html#Part-one">page</a>\n'
        '<script>document.getElementById("T_1")</script>\n'
        "<p>id=&quot;Part-one&quot; is text</p>"
    )
    out = prefix_ids(body, "s1--")
    assert re.findall(r'\sid="([^"]*)"', out) == [
        "s1--Part-one",
        "s1--T_1",
        "s1--T_1_row0",
        "s1--Part two",
        "s1--c1",
    ]
    assert '<a class="anchor-link" href="#s1--Part-one">' in out
    assert '<a href="#s1--Part two">' in out  # a percent-encoded fragment is decoded
    assert 'clip-path="url(#s1--c1)"' in out and 'xlink:href="#s1--c1"' in out
    assert "#s1--T_1_row0 {color: red} #s1--T_1 th, .x #other" in out
    assert "a{color:#fff}" in out  # not an id
    assert '<a href="#elsewhere">' in out and 'href="other.html#Part-one"' in out
    assert 'getElementById("T_1")' in out and "id=&quot;Part-one&quot; is text" in out


def test_check_names_positions_in_the_whole_document() -> None:
    document = Document(
        (
            ("<html><body>\n<p>The front matter.</p>\n", False),
            ("<p>A body scanned before: 070-1740605</p>\n" * 3, True),
            ("<p>And then\nCall <b>070-1740605</b></p>\n", False),
        )
    )
    with pytest.raises(PersonalDataFound) as info:
        document.check("reports/report.html")
    start = document.html.rindex("070-1740605")
    assert [f.start for f in info.value.findings] == [start]
    assert str(info.value) == (
        f"reports/report.html: personal data: phone at line 7, column 9 (character {start})"
    )


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>'
        "<style>.jp-Notebook{margin:0}</style></head>"
        f'<body class="jp-Notebook" data-jp-theme-light="true"><main>{body}</main></body></html>'
    )


MANIFEST = {
    "created": "2026-01-02T03:04:05+00:00",
    "git": {"commit": "a" * 40, "dirty": True},
    "data": {"steps": ["one"], "case_file": "data/raw/demo", "sha256": "d" * 64, "files": 3},
    "library": {"path": "src/cape_study", "sha256": "l" * 64},
    "constraints": {"path": "constraints.txt", "sha256": "c" * 64},
    "python": {"version": "3.11.7", "implementation": "CPython"},
    "kernel": "cape-study",
    "steps": {
        "one": {"parameter_set": "first", "parameters": {"words": ["a", "b"], "n": 2}},
        "two": {"parameter_set": "second", "parameters": {}},
    },
}


def test_document_puts_steps_in_order_under_one_banner_and_one_style_sheet() -> None:
    table = '<style>#T_1_row0 {text-align: left}</style><table id="T_1"><td id="T_1_row0">'
    pages = {
        "one": ("Step one", _page(f'{SYNTHETIC_BANNER}<h1 id="Top">One</h1><h2 id="A">A</h2>')),
        "04_two": ("Step two", _page(f'{SYNTHETIC_BANNER}<h1 id="Top">Two</h1><h2 id="A">B</h2>')),
        "05": ("Step five", _page(table)),
    }
    text = build_document(pages, manifest=MANIFEST, codebook_page=None, synthetic=True).html
    assert text.count(SYNTHETIC_BANNER) == 1 and text.count(".jp-Notebook{margin:0}") == 1
    assert text.index('id="step-one"') < text.index("One</h1>") < text.index('id="step-04_two"')
    assert '<li><a href="#step-one--A">A</a></li>' in text
    assert '<li><a href="#step-04_two--A">B</a></li>' in text
    # Every id can be named in a style sheet (an identifier starts with a letter).
    ids = re.findall(r'\sid="([^"]*)"', text)
    assert ids and all(re.fullmatch(r"-?[A-Za-z_][\w-]*", i) for i in ids), ids
    assert "#step-05--T_1_row0 {text-align: left}" in text
    assert 'id="codebook"' not in text
    provenance = text[text.index('id="provenance"') :]
    assert "<code>" + "a" * 40 + "</code> <strong>with uncommitted changes</strong>" in provenance
    # the case file is named by its hash and label (none here), never by its path
    assert "over the 3 file(s), inputs of step one" in provenance
    assert "data/raw/demo" not in provenance
    assert "<td><code>words</code></td><td><code>a, b</code></td>" in provenance
    assert "2026-01-02 03:04 UTC" in provenance and "3.11.7 (CPython)" in provenance
    without = build_document(pages, manifest=MANIFEST, codebook_page=None, synthetic=False).html
    assert SYNTHETIC_BANNER not in without


def test_a_page_the_report_did_not_render_is_named() -> None:
    with pytest.raises(PipelineError, match=r"step 'two': its page is not one"):
        build_document(
            {"one": ("One", _page("x")), "two": ("Two", "<html><body>x</body></html>")},
            manifest=MANIFEST,
            codebook_page=None,
            synthetic=False,
        )


def test_heading_ids_are_ascii_valid_and_the_links_follow() -> None:
    body = (
        '<h1 id="01-Attrition:-where-do-cases-drop-out?">01<a class="anchor-link" '
        'href="#01-Attrition:-where-do-cases-drop-out?">¶</a></h1>\n'
        '<a href="#Anm%C3%A4lt-brott">Anmält brott</a> '
        '<a href="#Polisregion-/-polisinr%C3%A4ttning">p</a>\n'
        '<h3 id="Anmält-brott">Anmält brott</h3><h3 id="Polisregion-/-polisinrättning">p</h3>'
        '<h3 id="Anmält-brott">again</h3><a href="#elsewhere">x</a><td id="T_1">1</td>'
    )
    out = heading_ids(body)
    assert re.findall(r'\sid="([^"]*)"', out) == [
        "h-01-attrition-where-do-cases-drop-out",
        "anmalt-brott",
        "polisregion-polisinrattning",
        "anmalt-brott-2",
        "T_1",
    ]
    assert 'href="#h-01-attrition-where-do-cases-drop-out"' in out
    assert '<a href="#anmalt-brott">' in out and 'href="#polisregion-polisinrattning"' in out
    assert '<a href="#elsewhere">' in out
    assert heading_ids(body) == out  # the same text gives the same ids


def test_the_document_and_index_speak_the_run_language() -> None:
    banner = synthetic_banner("sv")
    pages = {"one": ("Steg ett", _page(f'{banner}<h1 id="Top">Ett</h1><h2 id="A">A</h2>'))}
    text = build_document(
        pages, manifest=MANIFEST, codebook_page=None, synthetic=True, lang="sv"
    ).html
    assert '<html lang="sv">' in text and text.count(banner) == 1
    assert SYNTHETIC_BANNER not in text  # the English banner
    assert "<h2>Innehåll</h2>" in text and "<h1>Härkomst</h1>" in text
    assert "över 3 fil(er), indata till steg one" in text
    assert "with uncommitted changes" not in text and "Parametrar för varje steg" in text
    result = StepResult("one", "Step one", "ran", 1.3, ran_at="2026-01-02T03:04", ran_seconds=1.3)
    index = index_html(
        {"one": result},
        True,
        MANIFEST["git"],
        {},
        MANIFEST["created"],
        lang="sv",
        titles={"one": page_title(pages["one"][1], "Step one")},
    )
    assert '<html lang="sv">' in index and "<h1>CAPE-studiens rapport</h1>" in index
    assert ">Ett</a></h2>" in index and "kördes på 1,3 s" in index
    assert "Byggd 2026-01-02 03:04 UTC från incheckning aaaaaaaaaaaa" in index


def _report_with_figure_and_table(lang: str) -> str:
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=50)
    plt.close(fig)
    image = base64.b64encode(png.getvalue()).decode()
    table = (
        '<table id="T_1"><thead><tr><th>Land</th><th>Ärenden</th></tr></thead>'
        "<tbody><tr><td>Sverige</td><td>1 234</td></tr><tr><td>Finland</td><td>·</td></tr>"
        "</tbody></table>"
    )
    body = (
        f'{synthetic_banner(lang)}<h1 id="top">01 Avgångar<a class="anchor-link" href="#top">¶</a>'
        f'</h1><p>Andel av alla anmälda ärenden.</p><h2 id="t">Trattan</h2>{table}'
        f'<div class="jp-RenderedImage"><img src="data:image/png;base64,{image}"></div>'
    )
    return build_document(
        {"01": ("Avgångar", _page(body))},
        manifest=MANIFEST,
        codebook_page=None,
        synthetic=True,
        lang=lang,
    ).html


def test_report_docx_has_word_headings_tables_figures_and_the_banner(tmp_path: Path) -> None:
    import docx

    counts = write_docx(
        _report_with_figure_and_table("sv"),
        tmp_path / "report.docx",
        lang="sv",
        banner="SYNTETISKA",
    )
    assert counts == {"headings": counts["headings"], "tables": 1, "figures": 1}
    word = docx.Document(str(tmp_path / "report.docx"))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "01 Avgångar" in headings and "Trattan" in headings and "Härkomst" in headings
    first = word.tables[0]
    assert [c.text for c in first.rows[0].cells] == ["Land", "Ärenden"]
    assert [c.text for c in first.rows[1].cells] == ["Sverige", "1 234"]
    assert len(word.inline_shapes) == 1
    assert round(word.inline_shapes[0].width.cm) == 16  # an A4 page's text width
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert captions == ["Tabell 1. Trattan", "Figur 1. Trattan"]
    assert "SYNTETISKA" in word.sections[0].header.paragraphs[0].text
    # the provenance table is a table too, without a number
    assert len(word.tables) == 2


def test_report_prints_to_a4_with_the_banner_on_every_page(tmp_path: Path) -> None:
    from pypdf import PdfReader

    (tmp_path / "report.html").write_text(_report_with_figure_and_table("sv"), "utf-8")
    pdf = write_pdf(tmp_path)
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 2  # the contents, the step, the provenance each from a page
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        assert "SYNTETISKA DATA" in page.extract_text()
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Tabell 1" in text and "Figur 1" in text
    with pytest.raises(PipelineError, match="no report to print"):
        write_pdf(tmp_path / "nothing")


def test_a_pdf_printed_from_the_same_report_is_kept(tmp_path: Path) -> None:
    """Printing the same report.html again gives the same bytes; with a record, a PDF
    printed from this report.html and unchanged since is kept (printed_pdf), and any
    change to report.html or to the PDF prints it again."""
    record = tmp_path / "cache" / "printed.json"
    (tmp_path / "report.html").write_text(_report_with_figure_and_table("en"), "utf-8")
    assert printed_pdf(tmp_path, None, record) is None  # never printed
    pdf = write_pdf(tmp_path, record=record)
    first = pdf.read_bytes()
    assert printed_pdf(tmp_path, None, record) == pdf
    assert write_pdf(tmp_path).read_bytes() == first  # deterministic
    assert printed_pdf(tmp_path, None, record) == pdf
    assert printed_pdf(tmp_path, tmp_path / "other.pdf", record) is None  # elsewhere
    pdf.write_bytes(first[:-10])  # the PDF changed since
    assert printed_pdf(tmp_path, None, record) is None
    write_pdf(tmp_path, record=record)
    assert pdf.read_bytes() == first and printed_pdf(tmp_path, None, record) == pdf
    html = _report_with_figure_and_table("en").replace("Trattan", "Tratten")
    (tmp_path / "report.html").write_text(html, "utf-8")  # a new report
    assert printed_pdf(tmp_path, None, record) is None
    with pytest.raises(PipelineError, match="no report to print"):
        printed_pdf(tmp_path / "nothing", None, record)


def test_report_docx_table_cells_after_a_merged_cell_keep_their_place(tmp_path: Path) -> None:
    import docx

    table = (
        "<table><thead><tr><th></th><th colspan='2'>Sverige</th><th>Finland</th></tr></thead>"
        "<tbody><tr><td>a</td><td>1</td><td>2</td><td>3</td></tr></tbody></table>"
    )
    html = f"<html><body><main><h1>R</h1>{table}</main></body></html>"
    write_docx(html, tmp_path / "r.docx")
    rows = docx.Document(str(tmp_path / "r.docx")).tables[0].rows
    assert [c.text for c in rows[0].cells] == ["", "Sverige", "Sverige", "Finland"]
    assert [c.text for c in rows[1].cells] == ["a", "1", "2", "3"]
