"""``reports/report.docx``: the whole report as a Word document, built from report.html.

Report authors paste into Word; this file gives them the same content as report.html
(:mod:`cape_study.runner.document`) with Word's own structure: the headings as Word
headings (Heading 1-4, so Word's navigation pane and table of contents work), every table
as a real Word table (style "Table Grid", header row repeated on each page), every figure
as a picture 16 cm wide (an A4 page's text width), and figures and tables numbered with a
caption ("Figur 1." / "Figure 1.", in the report's language) naming the section they are
in. A report built from synthetic data carries the synthetic-data banner in the header of
every page. python-docx (already a dependency, maintained, no system libraries) writes it;
pandoc would need a binary of its own for the same result.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from docx import Document as WordDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import html as lxml_html

__all__ = ["CAPTIONS", "write_docx"]

#: Caption words per language: (figure, table).
CAPTIONS = {"en": ("Figure", "Table"), "sv": ("Figur", "Tabell"), "fi": ("Kuva", "Taulukko")}

_SKIP = {"style", "script", "nav", "head", "noscript"}
_BLOCK = {"p", "li", "dt", "dd", "pre", "blockquote"}
_WIDTH = Cm(16)
_TC_PR = qn("w:tcPr")


def write_docx(
    report_html: str, path: Path, *, lang: str = "en", banner: str | None = None
) -> dict[str, int]:
    """Write ``report_html`` (report.html's text) to ``path`` as a Word document.

    ``banner``, when given, is put in the header of every page (the synthetic-data
    warning). Returns the numbers of headings, tables and figures written.
    """
    tree = lxml_html.fromstring(report_html)
    main = tree.find(".//main")
    root = main if main is not None else tree
    doc = WordDocument()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    if banner:
        head = section.header.paragraphs[0]
        run = head.add_run(banner)
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    writer = _Writer(doc, CAPTIONS.get(lang, CAPTIONS["en"]))
    writer.walk(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return {"headings": writer.headings, "tables": writer.tables, "figures": writer.figures}


class _Writer:
    def __init__(self, doc, captions: tuple[str, str]) -> None:
        self.doc = doc
        self.captions = captions
        self.headings = self.tables = self.figures = 0
        self.section = ""
        self.in_step = False
        self.style_ids: dict[str, str] = {}

    def add_paragraph(self, text: str = "", style: str | None = None):
        """``doc.add_paragraph(text, style)``, with the style's id looked up once (python-docx
        searches every style of the document for each paragraph given a name)."""
        p = self.doc.add_paragraph()
        if text:
            _set_text(p._p.add_r(), text)
        if style is not None:
            if style not in self.style_ids:
                self.style_ids[style] = self.doc.styles[style].style_id
            p._p.style = self.style_ids[style]
        return p

    def walk(self, element) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            classes = child.get("class") or ""
            if tag in _SKIP or "cape-synthetic" in classes:
                continue
            if tag == "section":
                self.in_step = "cape-step" in classes
            if re.fullmatch(r"h[1-6]", tag):
                self.heading(child, int(tag[1]))
            elif tag == "table":
                self.table(child)
            elif tag == "img":
                self.image(child)
            elif tag in _BLOCK:
                if child.find(".//img") is not None or child.find(".//table") is not None:
                    self.walk(child)
                else:
                    self.paragraph(child, bullet=tag == "li")
            else:
                self.walk(child)

    def heading(self, element, level: int) -> None:
        text = _text(element)
        if not text:
            return
        if level == 1 and self.headings:
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.add_paragraph(text, f"Heading {min(level, 4)}")
        self.headings += 1
        if level <= 3:
            self.section = text

    def paragraph(self, element, bullet: bool = False) -> None:
        text = _text(element)
        if text:
            self.add_paragraph(text, "List Bullet" if bullet else None)

    def caption(self, kind: int) -> None:
        if not self.in_step:
            return
        number = self.figures if kind == 0 else self.tables
        p = self.add_paragraph(style="Caption")
        p.add_run(f"{self.captions[kind]} {number}.").bold = True
        if self.section:
            p.add_run(f" {self.section}")

    def table(self, element) -> None:
        rows = [
            [(_text(cell), cell.tag == "th", int(cell.get("colspan", "1") or 1)) for cell in row]
            for row in element.iter("tr")
        ]
        rows = [r for r in rows if r]
        if not rows:
            return
        width = max(sum(span for _, _, span in r) for r in rows)
        self.tables += self.in_step
        self.caption(1)
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        # A row's cells taken once, before its merges (Table.cell walks the whole table:
        # quadratic, 10 s of the demo's 48 tables); merging swallows only the cells
        # spanned, so the later ones stay valid.
        for row, word_row in zip(rows, table.rows, strict=True):
            cells = word_row.cells
            j = 0
            for text, header, span in row:
                if j >= width:
                    break
                cell = cells[j]
                if span > 1:
                    cell = cell.merge(cells[min(j + span, width) - 1])
                # cell.text = text, as python-docx sets it (its clear_content evaluates
                # an XPath expression for each cell): the cell's content but its
                # properties removed, then one paragraph with one run
                tc = cell._tc
                for child in list(tc):
                    if isinstance(child.tag, str) and child.tag != _TC_PR:
                        tc.remove(child)
                _set_text(tc.add_p().add_r(), text)
                if header:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                j += span
        head = element.find(".//thead")
        if head is not None:
            for i in range(len(head.findall(".//tr"))):
                tr_pr = table.rows[i]._tr.get_or_add_trPr()
                repeat = OxmlElement("w:tblHeader")
                repeat.set(qn("w:val"), "true")
                tr_pr.append(repeat)
        self.doc.add_paragraph()

    def image(self, element) -> None:
        src = element.get("src") or ""
        m = re.match(r"data:image/(png|jpeg|gif);base64,(.*)", src, re.DOTALL)
        if m is None:
            return
        data = base64.b64decode(m.group(2))
        self.figures += self.in_step
        self.doc.add_picture(io.BytesIO(data), width=_WIDTH)
        self.caption(0)


def _set_text(r, text: str) -> None:
    """``run.text = text`` for a new run (``w:r``): python-docx's setter appends the text
    one character at a time (for a tab or a line break in it: 200,000 calls for the
    demo's tables); text without a tab or line break (as :func:`_text` gives) is the one
    ``w:t`` it then writes."""
    if "\t" in text or "\r" in text or "\n" in text:
        r.text = text
    elif text:
        r.add_t(text)


def _text(element) -> str:
    """What a reader reads of an element: its text without the heading's ¶ anchor."""
    for anchor in element.findall('.//a[@class="anchor-link"]'):
        anchor.drop_tree()
    return " ".join(element.text_content().split())
