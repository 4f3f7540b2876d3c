"""The whole report as one self-contained document: ``reports/report.html``.

:func:`build_document` puts together, in pipeline order, the body of every step's
page (as :func:`cape_study.runner.pages.render_html` rendered it and the cache keeps it), one
copy of the pages' style sheets, a table of contents, the codebook as an appendix and
a provenance block, under :data:`~cape_study.runner.pages.SYNTHETIC_BANNER` when the data are
synthetic. Nothing is loaded from elsewhere: figures are inline, styles are inline,
and the only script is MathJax, when a step page has math.

Each step is a ``<section id="step-<step>">``. The ids inside a step's page (headings,
cells, the ids of styled pandas tables) are prefixed with ``step-<step>--``, and the
links and style rules that point at them follow, so that every anchor is unique across
steps (the prefix starts with a letter: ``#04_…`` would not be a valid CSS selector,
and the tables' styles would be lost); the codebook's ids are prefixed with
``codebook--``.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cape_study.data.codebook import DEFAULT_CODEBOOK, LANGUAGES, load_codebook
from cape_study.data.codebook_pages import render_html as render_codebook
from cape_study.errors import PipelineError
from cape_study.paths import CODEBOOK_DIR, PATH_PARAMETERS
from cape_study.privacy.scanning import PersonalDataFound
from cape_study.runner.pages import BANNER_CSS, SYNTHETIC_BANNERS, check_page, synthetic_banner
from cape_study.runner.provenance import digest, remember, sha256
from cape_study.runner.words import words

__all__ = ["Document", "build_document", "codebook_page", "prefix_ids"]

_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head\s*>", re.DOTALL | re.IGNORECASE)
_HEAD_ITEM = re.compile(r"<(style|script)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_MAIN = re.compile(r"<main>(.*)</main>", re.DOTALL)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.DOTALL | re.IGNORECASE)
# A style sheet or script with its content (left as it is), else one tag.
_TOKEN = re.compile(r"<(style|script)\b([^>]*)>(.*?)</\1\s*>|<[^>]+>", re.DOTALL | re.IGNORECASE)
_ID = re.compile(r'(\sid=")([^"]*)(")')
_FRAGMENT = re.compile(r'(\s(?:xlink:)?href="#)([^"]*)(")')
_URL_REF = re.compile(r"(url\(#)([^)\s]*)(\))")
_CSS_ID = re.compile(r"#(-?[A-Za-z_][\w-]*)")
_H2 = re.compile(r'<h2 id="([^"]*)"[^>]*>(.*?)</h2\s*>', re.DOTALL | re.IGNORECASE)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")

# The notebook's style for rendered markdown: prose, and tables aligned left.
_PROSE = "jp-RenderedHTMLCommon jp-RenderedMarkdown"
_CSS = """
.cape-front,.cape-appendix{max-width:70rem}
.cape-front h1{margin-top:.5rem}
nav.cape-toc ol{line-height:1.6}nav.cape-toc ol ol{list-style:disc;font-size:.95em}
section.cape-step,section.cape-appendix{border-top:3px solid #c8c8c8;margin-top:2.5rem;
padding-top:1rem}
.cape-appendix table{border-collapse:collapse;margin:.75rem 0}
.cape-appendix th,.cape-appendix td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}
.cape-appendix th{background:#f3f3f3}
.cape-provenance dt{font-weight:bold;margin-top:.5rem}.cape-provenance dd{margin-left:1.5rem}
@media print{section.cape-step,section.cape-appendix{break-before:page}}
"""

#: Numbered figures and tables (in the page's language), and the page as printed: A4, the
#: synthetic-data banner at the top of every page, every step from a new page, figures and
#: tables kept whole, no heading alone at a page's foot.
_PRINT_CSS = """
body{counter-reset:cape-figure cape-table}
section.cape-step .jp-RenderedImage{counter-increment:cape-figure}
section.cape-step .jp-RenderedImage::after{content:"Figure " counter(cape-figure);display:block;
font:italic .85em/1.3 system-ui,sans-serif;margin:.2rem 0 .8rem}
:lang(sv) section.cape-step .jp-RenderedImage::after{content:"Figur " counter(cape-figure)}
:lang(fi) section.cape-step .jp-RenderedImage::after{content:"Kuva " counter(cape-figure)}
section.cape-step table{counter-increment:cape-table}
section.cape-step table::before{content:"Table " counter(cape-table);display:table-caption;
caption-side:top;text-align:left;font:italic .85em/1.3 system-ui,sans-serif;padding:.2rem 0}
:lang(sv) section.cape-step table::before{content:"Tabell " counter(cape-table)}
:lang(fi) section.cape-step table::before{content:"Taulukko " counter(cape-table)}
@page{size:A4;margin:2.2cm 1.8cm 1.8cm}
@media print{
.cape-synthetic{position:fixed;top:-1.7cm;left:0;right:0;margin:0;border-radius:0;
box-shadow:none;font-size:9pt;padding:.2cm .4cm}
body{font-size:10pt}
section.cape-step,section.cape-appendix{break-before:page;border-top:none;margin-top:0}
nav.cape-toc{break-after:page}
h1,h2,h3,h4{break-after:avoid;break-inside:avoid}
img,svg,table,tr,.jp-RenderedImage{break-inside:avoid}
img{max-width:100%!important;height:auto}
a.anchor-link{display:none}
}
"""


@dataclass(frozen=True)
class Document:
    """The document as parts, each with whether it was scanned for personal data before
    (the body of a step page, scanned when the page was rendered)."""

    parts: tuple[tuple[str, bool], ...]

    @property
    def html(self) -> str:
        """The document's text."""
        return "".join(text for text, _ in self.parts)

    def check(self, where: str) -> None:
        """:func:`~cape_study.runner.pages.check_page` over the parts not scanned before; a
        finding is named by its line and column in the whole document ``where``."""
        findings, offset = [], 0
        for text, scanned in self.parts:
            if not scanned:
                try:
                    check_page(text, where)
                except PersonalDataFound as exc:
                    findings += [
                        f._replace(start=f.start + offset, end=f.end + offset) for f in exc.findings
                    ]
            offset += len(text)
        if findings:
            raise PersonalDataFound(where, self.html, findings)


def prefix_ids(body: str, prefix: str) -> str:
    """Prefix every ``id`` in an HTML fragment with ``prefix``, with the ``href="#…"``
    links, SVG ``url(#…)`` references and the ``#id`` selectors of its style sheets that
    point at them (a fragment that names no id in ``body`` is left alone)."""
    ids = {
        m.group(2)
        for token in _TOKEN.finditer(body)
        if not token.group(1)
        for m in _ID.finditer(token.group())
    }

    def target(name: str) -> str | None:
        for candidate in (name, unquote(name)):
            if candidate in ids:
                return prefix + candidate
        return None

    def attribute(m: re.Match[str]) -> str:
        new = target(m.group(2))
        return m.group() if new is None else f"{m.group(1)}{html.escape(new)}{m.group(3)}"

    def token(m: re.Match[str]) -> str:
        if m.group(1):
            if m.group(1).lower() != "style":
                return m.group()
            css = _CSS_ID.sub(
                lambda c: f"#{prefix}{c.group(1)}" if c.group(1) in ids else c.group(), m.group(3)
            )
            return f"<{m.group(1)}{m.group(2)}>{css}</{m.group(1)}>"
        tag = _ID.sub(
            lambda i: f"{i.group(1)}{html.escape(prefix)}{i.group(2)}{i.group(3)}", m.group()
        )
        tag = _FRAGMENT.sub(attribute, tag)
        return _URL_REF.sub(attribute, tag)

    return _TOKEN.sub(token, body)


def build_document(
    pages: Mapping[str, tuple[str, str]],
    *,
    manifest: Mapping[str, Any],
    codebook_page: str | None,
    synthetic: bool | None,
    lang: str = "en",
) -> Document:
    """The report as one page.

    Parameters
    ----------
    pages
        Step name -> (title, the step's HTML page), in pipeline order.
    manifest
        The run's manifest (``created``, ``git``, ``data``, ``library``,
        ``constraints``, ``python``, ``kernel``, ``steps`` with their ``parameters``),
        shown in the provenance block.
    codebook_page
        The codebook as :func:`cape_study.data.codebook_pages.render_html` renders it (the
        appendix), or None for none.
    synthetic
        Whether to show the synthetic-data banner (sticky at the top of the window).
    lang
        The language of the document's own words (:mod:`cape_study.runner.words`).

    Raises
    ------
    PipelineError
        If a page is not one that :func:`cape_study.runner.pages.render_html` renders (no
        ``<main>`` element); the message names the step.
    """
    head_items: list[str] = []
    body_tag = '<body class="jp-Notebook" data-jp-theme-light="true">'
    bodies = {}
    for name, (_, page) in pages.items():
        main, head = _MAIN.search(page), _HEAD.search(page)
        if main is None or head is None:
            raise PipelineError(
                f"step {name!r}: its page is not one that cape-study renders "
                "(expected a <head> and a <main> element)"
            )
        for item in _HEAD_ITEM.finditer(head.group(1)):
            if BANNER_CSS not in item.group() and item.group() not in head_items:
                head_items.append(item.group())
        if name == next(iter(pages)) and (tag := _BODY_TAG.search(page)):
            body_tag = tag.group()
        content = main.group(1).strip()
        for banner in SYNTHETIC_BANNERS:
            if content.startswith(banner):
                content = content[len(banner) :].lstrip()
        bodies[name] = prefix_ids(content, f"step-{name}--")

    created = str(manifest.get("created", ""))
    w = words(lang)
    head = "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{html.escape(lang)}">',
            '<head>\n<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
            f"<title>{w['report']}</title>",
            *head_items,
            f"<style>{BANNER_CSS}{_CSS}{_PRINT_CSS}</style>",
            "</head>",
            body_tag,
            synthetic_banner(lang) if synthetic else "",
            "<main>",
            f'<div class="cape-front {_PROSE}">',
            f"<h1>{w['report']}</h1>",
            f"<p>{w['front'].format(when=_when(created))}</p>",
            _contents(pages, bodies, codebook_page is not None, w),
            "</div>",
            "",
        ]
    )
    parts: list[tuple[str, bool]] = [(head, False)]
    for name, body in bodies.items():
        parts.append((f'<section class="cape-step" id="step-{html.escape(name)}">\n', False))
        parts.append((body, True))
        parts.append(("\n</section>\n", False))
    tail = []
    if codebook_page is not None:
        tail.append(_appendix(codebook_page, w))
    tail += [_provenance(manifest, w), "</main>", "</body>", "</html>", ""]
    parts.append(("\n".join(tail), False))
    return Document(tuple(parts))


def _when(created: str) -> str:
    return html.escape(created[:16].replace("T", " "))


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment, escaped again."""
    return html.escape(html.unescape(_TAG.sub("", _ANCHOR_LINK.sub("", fragment))).strip())


def _contents(
    pages: Mapping[str, tuple[str, str]],
    bodies: Mapping[str, str],
    codebook: bool,
    w: Mapping[str, str],
) -> str:
    items = []
    for name, (title, _) in pages.items():
        sub = "".join(
            f'<li><a href="#{html.escape(h.group(1))}">{_text(h.group(2))}</a></li>'
            for h in _H2.finditer(bodies[name])
        )
        items.append(
            f'<li><a href="#step-{html.escape(name)}">{html.escape(title)}</a>'
            + (f"<ol>{sub}</ol>" if sub else "")
            + "</li>"
        )
    if codebook:
        items.append(f'<li><a href="#codebook">{w["appendix"]}</a></li>')
    items.append(f'<li><a href="#provenance">{w["provenance"]}</a></li>')
    return (
        f'<nav class="cape-toc" id="contents"><h2>{w["contents"]}</h2>'
        f"<ol>{''.join(items)}</ol></nav>"
    )


def _appendix(codebook_page: str, w: Mapping[str, str]) -> str:
    body = _BODY.search(codebook_page)
    if body is None:
        raise PipelineError("the codebook's page has no <body> element")
    return (
        f'<section class="cape-appendix {_PROSE}" id="codebook">\n'
        f"<p><strong>{w['appendix']}.</strong> {w['appendix_text']}</p>\n"
        f"{prefix_ids(body.group(1).strip(), 'codebook--')}\n</section>"
    )


def _value(value: Any) -> str:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return html.escape(", ".join(value))
    return html.escape(json.dumps(value))


def _provenance(manifest: Mapping[str, Any], w: Mapping[str, str]) -> str:
    esc = html.escape
    git = manifest.get("git")
    if git and git.get("commit"):
        commit = f"<code>{esc(git['commit'])}</code>" + (
            f" <strong>{w['dirty'].strip()}</strong>" if git.get("dirty") else f" {w['clean']}"
        )
    else:
        commit = w["no_git"]
    data = manifest.get("data") or {}
    labels = {
        str(step.get("parameters", {}).get("case_label") or "")
        for step in manifest.get("steps", {}).values()
    } - {""}
    where = w["labelled"].format(label=esc(", ".join(sorted(labels)))) if labels else ""
    data_text = (
        w["data_text"].format(
            sha=f"<code>{esc(data['sha256'])}</code>",
            files=data["files"],
            where=where,
            steps=esc(", ".join(data.get("steps", []))),
        )
        if data.get("sha256")
        else w["no_data"]
    )
    constraints = manifest.get("constraints") or {}
    library = manifest.get("library") or {}
    python = manifest.get("python") or {}
    rows = [
        (w["run"], f"{_when(str(manifest.get('created', '')))} UTC"),
        (w["commit"], commit),
        (w["data"], data_text),
        (
            w["library"],
            w["hash_of"].format(
                sha=f"<code>{esc(str(library.get('sha256')))}</code>",
                path=f"<code>{esc(str(library.get('path')))}</code>",
            ),
        ),
        (
            w["constraints"],
            w["hash_of"].format(
                sha=f"<code>{esc(str(constraints.get('sha256')))}</code>",
                path=f"<code>{esc(str(constraints.get('path')))}</code>",
            ),
        ),
        (
            "Python",
            f"{esc(str(python.get('version')))} ({esc(str(python.get('implementation')))}),"
            f" {w['kernel']} <code>{esc(str(manifest.get('kernel')))}</code>",
        ),
    ]
    table = [
        f"<table><thead><tr><th>{w['step']}</th><th>{w['parameter_set']}</th>"
        f"<th>{w['parameter']}</th><th>{w['value']}</th></tr></thead><tbody>"
    ]
    for name, step in manifest.get("steps", {}).items():
        params = {
            k: v for k, v in (step.get("parameters") or {}).items() if k not in PATH_PARAMETERS
        }
        for i, (key, value) in enumerate(params.items()):
            parameter_set = esc(str(step.get("parameter_set")))
            first = (
                f'<td rowspan="{len(params)}">{esc(name)}</td>'
                f'<td rowspan="{len(params)}"><code>{parameter_set}</code></td>'
                if i == 0
                else ""
            )
            table.append(
                f"<tr>{first}<td><code>{esc(key)}</code></td>"
                f"<td><code>{_value(value)}</code></td></tr>"
            )
    table.append("</tbody></table>")
    return "\n".join(
        [
            f'<section class="cape-appendix cape-provenance {_PROSE}" id="provenance">',
            f"<h1>{w['provenance']}</h1>",
            "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>",
            f"<h2>{w['parameters']}</h2>",
            *table,
            f"<p>{w['hashes']}</p>",
            "</section>",
        ]
    )


def codebook_page(
    entries: Mapping[str, Mapping[str, Any]],
    root: Path,
    *,
    cache: Path | None = None,
    library: str = "",
) -> str:
    """The codebook of the run (the first step's ``codebook`` parameter, else the
    default), rendered in its ``lang`` (English by default), for the appendix.

    With ``cache`` (a JSON file) the rendered page is kept there under the hash of the
    codebook's file, its language and ``library`` (the hash of the library's source,
    which renders it), and rendered again only when one of them changed."""
    name, lang = DEFAULT_CODEBOOK, "en"
    for entry in entries.values():
        params = entry["parameters"]
        if "codebook" in params:
            name = str(params["codebook"])
            lang = params.get("lang") if params.get("lang") in LANGUAGES else "en"
            break
    path = Path(os.path.expanduser(name))
    if path.suffix in {".yaml", ".yml"} and not path.is_absolute():
        path = root / path
    chosen = path if path.suffix else name

    def render() -> str:
        return render_codebook(load_codebook(chosen), lang)

    if cache is None:
        return render()
    file = path if path.suffix else CODEBOOK_DIR / f"{name}.yaml"
    try:
        content = sha256(file)
    except OSError:  # missing: load_codebook says so
        return render()
    return remember(cache, digest([str(chosen), lang, content, library]), render)
