"""A step's page and what the run reads from its executed notebook.

:func:`render_html` renders ``reports/steps/<step>.html`` (outputs only: no code, no
prompts, no parameters cell; figures inline). The key findings shown in the index and
recorded in the manifest are taken from the notebook's *Takeaway cells*
(:func:`takeaways`):

* a markdown cell whose text starts with ``**Takeaway`` (for example
  ``**Takeaway:** most cases close before anyone is prosecuted.``); the bold label
  is dropped;
* a code cell tagged ``takeaway``, whose output is the finding: ``text/markdown``
  (``display(Markdown(...))``), else ``text/plain``, else printed text. This is the
  form to use when the finding quotes numbers computed from the data.

If ``data/processed/metadata.json`` says ``"synthetic": true`` (:func:`synthetic_data`),
every page (the index, each step's page and report.html) carries
:data:`SYNTHETIC_BANNER`, which stays at the top of the window while the reader scrolls.

Personal data
-------------
Every step page is scanned as soon as it is rendered, before it enters the cache, and
report.html (what it adds to the step pages' bodies) and the index before they are
written, for personnummer, samordningsnummer, henkilötunnus, e-mail addresses and phone
numbers in what a reader sees (:func:`check_page`, with
:func:`cape_study.privacy.masking.scan_text`; markup, scripts, styles and embedded images are
skipped). A hit stops the run with :class:`~cape_study.privacy.scanning.PersonalDataFound`,
naming the file, the line and column of each finding (never the value), and the new
report is not published. A page taken from the cache was scanned when it was made.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cape_study.paths import ProjectPaths
from cape_study.privacy.masking import PRIVACY_MIMETYPE
from cape_study.privacy.scanning import PersonalDataFound, scan_html
from cape_study.runner.provenance import relative
from cape_study.runner.words import WORDS, page_title, words

__all__ = [
    "BANNER_CSS",
    "SYNTHETIC_BANNER",
    "SYNTHETIC_BANNERS",
    "check_page",
    "check_personal_data",
    "disclosure_audit",
    "heading_ids",
    "language_cells",
    "prepare_pages",
    "privacy_record",
    "render_html",
    "synthetic_banner",
    "synthetic_data",
    "takeaways",
]

_HIDDEN_TAGS = ["parameters", "injected-parameters", "papermill-error-cell-tag"]
# cape_study.privacy.disclosure.AUDIT_MIMETYPE, not imported: that would load pandas into the
# runner (tests check the two agree).
_AUDIT_MIMETYPE = "application/vnd.cape-study.disclosure+json"
_TAKEAWAY_LABEL = re.compile(r"^\s*\*\*Takeaways?\b[^*]*\*\*\s*[:.–—-]?\s*")


_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.cape_math -%}{{ super() }}{%- endif -%}
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
{%- if resources.cape_banner -%}<style>{{ resources.cape_banner_css }}</style>{%- endif -%}
{%- endblock html_head_css -%}
{%- block body_header -%}
{{ super() }}
{%- if resources.cape_banner -%}{{ resources.cape_banner }}{%- endif -%}
{%- endblock body_header -%}
"""


#: The banner on every page of a report built from synthetic data (index, step pages,
#: report.html): sticky, so that it stays in view while the reader scrolls.
def synthetic_banner(lang: str = "en") -> str:
    """The synthetic-data banner in ``lang`` (:mod:`cape_study.runner.words`)."""
    return f'<div class="cape-synthetic" role="note">{words(lang)["banner"]}</div>'


SYNTHETIC_BANNER = synthetic_banner("en")
#: The banner in every language a page can be rendered in.
SYNTHETIC_BANNERS = tuple(synthetic_banner(lang) for lang in WORDS)
BANNER_CSS = (
    ".cape-synthetic{position:sticky;top:0;z-index:1000;background:#b00020;color:#fff;"
    "padding:.55rem 1rem;margin:0 0 1rem;font:bold 1.05rem/1.35 system-ui,sans-serif;"
    "border-radius:0 0 .4rem .4rem;box-shadow:0 2px 6px rgba(0,0,0,.25)}"
    "h1,h2,h3,h4,section{scroll-margin-top:4.5rem}"
)


#: The languages a notebook's prose is written in: a markdown cell tagged ``lang-sv`` is
#: shown only on a Swedish page, ``lang-en`` only on an English one; an untagged cell on
#: every page (see :func:`language_cells`).
PROSE_LANGUAGES = ("en", "sv", "fi")


def language_cells(lang: str) -> list[str]:
    """The cell tags that ``lang``'s page leaves out: those of the other languages."""
    return [f"lang-{other}" for other in PROSE_LANGUAGES if other != lang]


def render_html(nb: Any, title: str, *, synthetic: bool | None = False, lang: str = "en") -> str:
    """The step's page: outputs and markdown only, figures inline, no external scripts
    (MathJax only when a markdown cell holds ``$`` math), and :data:`SYNTHETIC_BANNER`
    at the top when ``synthetic``. Prose is shown in ``lang``: a markdown cell tagged
    for another language (``lang-sv``, ``lang-en``) is left out.

    The exporter of each language is made once per process (its templates compiled
    once) and used by one step at a time."""
    math = any(c.cell_type == "markdown" and "$" in c.source for c in nb.cells)
    with _EXPORTING:
        body, _ = _exporter(lang).from_notebook_node(
            nb,
            resources={
                "metadata": {"name": title},
                "cape_math": math,
                "cape_banner": synthetic_banner(lang) if synthetic else "",
                "cape_banner_css": BANNER_CSS,
            },
        )
    return _page_title(heading_ids(body), title)


#: Held while an exporter renders: steps that run at once render their pages in turn.
_EXPORTING = threading.Lock()


def prepare_pages(lang: str = "en") -> None:
    """Make the exporter of pages in ``lang`` and compile nbconvert's templates (a page of
    a tiny notebook is rendered and dropped): 0.3 CPU s that the first step's page then
    does not spend. The exporter renders the same pages either way."""
    from nbformat import v4

    output = v4.new_output("display_data", data={"text/html": "<p>0</p>", "text/plain": "0"})
    cells = [v4.new_markdown_cell("# 0"), v4.new_code_cell("0", outputs=[output])]
    render_html(v4.new_notebook(cells=cells), "0", synthetic=True, lang=lang)


@functools.cache
def _exporter(lang: str) -> Any:
    """nbconvert's HTML exporter for pages in ``lang`` (see :func:`render_html`)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = [*_HIDDEN_TAGS, *language_cells(lang)]
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    config.HTMLExporter.language_code = lang
    return HTMLExporter(
        config=config,
        extra_loaders=[DictLoader({"cape.html.j2": _TEMPLATE})],
        template_file="cape.html.j2",
    )


_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)


def _page_title(page: str, fallback: str) -> str:
    """The page with its ``<title>`` in the page's language: its first heading
    (:func:`cape_study.runner.words.page_title`), else ``fallback``."""
    title = html.escape(page_title(page, fallback), quote=False)
    return _TITLE.sub(lambda _: f"<title>{title}</title>", page, count=1)


_HEADING_ID = re.compile(r'(<h[1-6]\b[^>]*?\sid=")([^"]*)(")', re.IGNORECASE)
_HREF_FRAGMENT = re.compile(r'(\shref="#)([^"]*)(")')


def heading_ids(body: str) -> str:
    """Give every heading an id that is valid and stable in every language, and point the
    links at it: the heading's text in ASCII (``Anmält brott`` -> ``anmalt-brott``, ``ILO:s
    indikatorer`` -> ``ilo-s-indikatorer``), starting with a letter (``h-`` before a
    digit) and numbered ``-2``, ``-3`` when repeated. nbconvert's own ids keep the
    punctuation and the letters åäö, which its links then percent-encode, so that an
    in-page link to a Swedish heading finds no id."""
    taken: set[str] = set()
    renamed: dict[str, str] = {}

    def rename(m: re.Match[str]) -> str:
        old = html.unescape(m.group(2))
        new = base = _slug(old)
        n = 1
        while new in taken:
            n += 1
            new = f"{base}-{n}"
        taken.add(new)
        renamed.setdefault(old, new)
        return f"{m.group(1)}{new}{m.group(3)}"

    def relink(m: re.Match[str]) -> str:
        name = html.unescape(m.group(2))
        new = renamed.get(name, renamed.get(unquote(name)))
        return m.group() if new is None else f"{m.group(1)}{new}{m.group(3)}"

    body = _HEADING_ID.sub(rename, body)
    return _HREF_FRAGMENT.sub(relink, body)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", unquote(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "section"
    return slug if slug[0].isalpha() else f"h-{slug}"


def takeaways(nb: Any, lang: str = "en") -> list[dict[str, Any]]:
    """The notebook's findings: ``**Takeaway`` markdown cells and the output of code
    cells tagged ``takeaway``, as text and HTML; markdown cells tagged for a language other
    than ``lang`` are left out."""
    import markdown

    found = []
    other = set(language_cells(lang))
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if other.intersection(tags):
            continue
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("**Takeaway"):
            text = _TAKEAWAY_LABEL.sub("", cell.source, count=1).strip()
            found.append({"text": text, "html": markdown.markdown(text)})
        elif cell.cell_type == "code" and "takeaway" in tags:
            texts, pages = [], []
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "text/markdown" in data:
                    text = _TAKEAWAY_LABEL.sub("", data["text/markdown"], count=1).strip()
                    texts.append(text)
                    pages.append(markdown.markdown(text))
                elif "text/plain" in data or out.get("name") == "stdout":
                    text = _unquote(data.get("text/plain", out.get("text", ""))).strip()
                    texts.append(text)
                    pages.append(f"<p>{html.escape(text)}</p>")
            if texts:
                found.append({"text": "\n".join(texts), "html": "".join(pages)})
    return found


def disclosure_audit(nb: Any) -> list[dict[str, Any]]:
    """The suppression audit that ``Disclosure.publish`` displayed in the notebook."""
    return [
        record
        for cell in nb.cells
        for out in cell.get("outputs", [])
        for record in out.get("data", {}).get(_AUDIT_MIMETYPE, [])
    ]


def privacy_record(nb: Any) -> dict[str, Any] | None:
    """What ``privacy.publish`` displayed in the notebook (the last display), if anything."""
    found = [
        out["data"][PRIVACY_MIMETYPE]
        for cell in nb.get("cells", [])
        for out in cell.get("outputs", [])
        if PRIVACY_MIMETYPE in out.get("data", {})
    ]
    return found[-1] if found else None


def check_page(text: str, where: str) -> None:
    """Raise :class:`~cape_study.privacy.scanning.PersonalDataFound`, naming the page ``where``
    and each position, if an HTML page shows personal data (identity numbers, e-mail
    addresses, phone numbers).

    Only what a reader sees is scanned: markup (tags and their attributes, which hold
    random cell ids and base-64 images), scripts and style sheets are blanked first,
    keeping the positions.
    """
    findings = scan_html(text)
    if findings:
        raise PersonalDataFound(where, text, findings)


def check_personal_data(folder: Path, shown_as: str = "reports") -> None:
    """:func:`check_page` for every HTML page under ``folder``, named ``shown_as/<path>``."""
    for page in sorted(folder.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        check_page(text, f"{shown_as}/{relative(page, folder)}")


def _unquote(text: str) -> str:
    """``'a finding'`` (the repr of a string returned by a cell) -> ``a finding``."""
    import ast

    stripped = text.strip()
    if len(stripped) > 1 and stripped[0] == stripped[-1] and stripped[0] in "'\"":
        with contextlib.suppress(ValueError, SyntaxError):
            value = ast.literal_eval(stripped)
            if isinstance(value, str):
                return value
    return text


def synthetic_data(paths: ProjectPaths) -> bool | None:
    """Whether ``data/processed/metadata.json`` marks the data synthetic (None when it
    does not say, or there is none yet)."""
    try:
        meta = json.loads((paths.data_processed / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = meta.get("synthetic") if isinstance(meta, dict) else None
    return value if isinstance(value, bool) else None
