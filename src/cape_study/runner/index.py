"""``reports/index.html``: a link to ``report.html``, then per step its title, status,
time, key findings (:func:`cape_study.runner.pages.takeaways`) and links to its page, its
executed notebook and the files it writes under ``reports/``."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from cape_study.paths import ProjectPaths
from cape_study.runner.pages import BANNER_CSS, SYNTHETIC_BANNER
from cape_study.runner.provenance import relative
from cape_study.runner.spec import StepResult

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
) -> str:
    """The index: the whole report, then per step its page, takeaways, executed notebook
    and the ``exports`` (its declared outputs under reports/, relative to it)."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>CAPE study report</title>",
        f"<style>{_INDEX_CSS}{BANNER_CSS}</style></head><body>",
    ]
    if synthetic:
        parts.append(SYNTHETIC_BANNER)
    parts.append("<h1>CAPE study report</h1>")
    parts.append(
        '<p class="whole">The whole report in one document, with the codebook and the '
        'provenance: <a href="report.html">report.html</a>.</p>'
    )
    for name, r in results.items():
        if r.status not in ("ran", "cached"):
            parts.append(f'<section class="step {esc(r.status)}" id="{esc(name)}">')
            parts.append(f"<h2>{esc(r.title)}</h2>")
            parts.append(
                f'<div class="meta">{esc(name)} · <span class="status">{esc(r.status)}</span></div>'
            )
            parts.append(f'<p class="not-run">{esc(not_run(r))}</p></section>')
            continue
        when = (
            f"ran in {r.ran_seconds:.1f} s"
            if r.status == "ran"
            else (
                f"from the cache (ran {esc(str(r.ran_at))[:16].replace('T', ' ')} UTC, "
                f"took {r.ran_seconds:.1f} s)"
            )
        )
        parts.append(f'<section class="step" id="{esc(name)}">')
        parts.append(f'<h2><a href="steps/{esc(name)}.html">{esc(r.title)}</a></h2>')
        parts.append(
            f'<div class="meta">{esc(name)} · <span class="status">{esc(r.status)}'
            f"</span> · {when} · "
            f'<a href="steps/{esc(name)}.ipynb">executed notebook</a></div>'
        )
        if exports.get(name):
            parts.append(f'<div class="meta">Files: {_file_links(exports[name])}</div>')
        if r.takeaways:
            parts.append("<ul>" + "".join(f"<li>{t['html']}</li>" for t in r.takeaways) + "</ul>")
        parts.append("</section>")
    commit = (git or {}).get("commit")
    source = (
        f"from commit {esc(commit[:12])}{' with uncommitted changes' if git.get('dirty') else ''}"
        if git and commit
        else "outside a git checkout"
    )
    parts.append(
        f"<footer>Built {esc(created[:16].replace('T', ' '))} UTC {source}. "
        'Provenance: <a href="manifest.json">manifest.json</a> '
        "(check it with <code>cape-study verify</code>).</footer></body></html>"
    )
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
