"""``reports/index.html``: a link to ``report.html``, then per step its title, status,
time, key findings (:func:`cape_study.runner.pages.takeaways`) and links to its page, its
executed notebook and the files it writes under ``reports/``."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from babel.numbers import format_decimal

from cape_study.paths import ProjectPaths
from cape_study.runner.pages import BANNER_CSS, synthetic_banner
from cape_study.runner.provenance import relative
from cape_study.runner.spec import StepResult
from cape_study.runner.words import locale, words

__all__ = ["index_html", "not_run", "step_files"]


def step_files(
    paths: ProjectPaths, entries: Mapping[str, Mapping[str, Any]], names: list[str]
) -> dict[str, list[str]]:
    """Each step's declared outputs that lie under ``reports/``, relative to it (as the
    manifest names them: relative to the project root, wherever the run staged them)."""
    prefix = relative(paths.root / "reports", paths.root) + "/"
    return {
        name: [
            rel.removeprefix(prefix) for rel in entries[name]["outputs"] if rel.startswith(prefix)
        ]
        for name in names
    }


def not_run(result: StepResult) -> str:
    """One sentence on a step that failed (its cell and error) or was skipped (why)."""
    if result.status == "failed":
        where = f" in cell {result.cell}" if result.cell is not None else ""
        error = (result.error or result.message).strip().splitlines()
        return f"This step failed{where}: {error[0] if error else 'no message'}."
    return f"This step was skipped: {result.message}."


_INDEX_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
.step{border-top:1px solid #ddd;padding:1rem 0}
.step h2{margin:.2rem 0;font-size:1.25rem}
.status{display:inline-block;padding:.05rem .5rem;border-radius:.8rem;font-size:.85rem;
background:#e8f0fe}
.meta{color:#555;font-size:.9rem}
.failed .status{background:#fde7e9;color:#8a0010}.skipped .status{background:#eee}
footer{color:#777;font-size:.85rem;border-top:1px solid #ddd;padding-top:1rem}
"""


def index_html(
    results: Mapping[str, StepResult],
    synthetic: bool | None,
    git: Mapping[str, Any] | None,
    exports: Mapping[str, list[str]],
    created: str,
    *,
    lang: str = "en",
    titles: Mapping[str, str] | None = None,
) -> str:
    """The index: the whole report, then per step its page, takeaways, executed notebook
    and the ``exports`` (its declared outputs under reports/, relative to it), in ``lang``
    (:mod:`cape_study.runner.words`); ``titles`` are the steps' titles in it (by default
    the pipeline's)."""
    esc, w = html.escape, words(lang)
    titles = titles or {}
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{w['report']}</title>",
        f"<style>{_INDEX_CSS}{BANNER_CSS}</style></head><body>",
    ]
    if synthetic:
        parts.append(synthetic_banner(lang))
    parts.append(f"<h1>{w['report']}</h1>")
    parts.append(f'<p class="whole">{w["whole"]}</p>')
    for name, r in results.items():
        title = esc(titles.get(name, r.title))
        status = esc(w.get(r.status, r.status))
        if r.status not in ("ran", "cached"):
            parts.append(f'<section class="step {esc(r.status)}" id="{esc(name)}">')
            parts.append(f"<h2>{title}</h2>")
            parts.append(
                f'<div class="meta">{esc(name)} · <span class="status">{status}</span></div>'
            )
            parts.append(f'<p class="not-run">{esc(not_run(r))}</p></section>')
            continue
        seconds = format_decimal(r.ran_seconds or 0, format="0.0", locale=locale(lang))
        when = (
            w["ran_in"].format(seconds=seconds)
            if r.status == "ran"
            else w["from_cache"].format(
                when=esc(str(r.ran_at))[:16].replace("T", " "), seconds=seconds
            )
        )
        parts.append(f'<section class="step" id="{esc(name)}">')
        parts.append(f'<h2><a href="steps/{esc(name)}.html">{title}</a></h2>')
        parts.append(
            f'<div class="meta">{esc(name)} · <span class="status">{status}'
            f"</span> · {when} · "
            f'<a href="steps/{esc(name)}.ipynb">{w["executed"]}</a></div>'
        )
        if exports.get(name):
            parts.append(f'<div class="meta">{w["files"]}: {_file_links(exports[name])}</div>')
        if r.takeaways:
            parts.append("<ul>" + "".join(f"<li>{t['html']}</li>" for t in r.takeaways) + "</ul>")
        parts.append("</section>")
    commit = (git or {}).get("commit")
    source = (
        w["from_commit"].format(commit=esc(commit[:12])) + (w["dirty"] if git.get("dirty") else "")
        if git and commit
        else w["no_git"]
    )
    built = w["built"].format(when=esc(created[:16].replace("T", " ")), source=source)
    parts.append(f"<footer>{built} {w['provenance_link']}</footer></body></html>")
    return "\n".join(parts) + "\n"


def _file_links(files: list[str]) -> str:
    """Links to a step's files; a folder of several (figures as PNG and SVG) is named
    once, each figure by its name with a link per format."""
    folders: dict[str, dict[str, list[str]]] = {}
    for rel in sorted(files):
        folder, _, name = rel.rpartition("/")
        folders.setdefault(folder, {}).setdefault(name.rsplit(".", 1)[0], []).append(rel)
    esc, singles, groups = html.escape, [], []
    for folder, stems in folders.items():
        if sum(len(v) for v in stems.values()) == 1:
            rel = next(iter(stems.values()))[0]
            singles.append(f'<a href="{esc(quote(rel))}">{esc(rel)}</a>')
            continue
        items = [
            f"{esc(stem)} ("
            + ", ".join(
                f'<a href="{esc(quote(rel))}">{esc(rel.rpartition(".")[2] or rel)}</a>'
                for rel in rels
            )
            + ")"
            for stem, rels in stems.items()
        ]
        groups.append(f"<code>{esc(folder)}/</code>: " + " · ".join(items))
    return "<br>".join([" · ".join(singles)] * bool(singles) + groups)
