"""The report of a run: one HTML page per step, ``report.html``, ``index.html`` and
``manifest.json``.

The report
----------
``reports/index.html`` links ``reports/report.html`` (every step in one self-contained
document with a table of contents, the codebook as an appendix and a provenance block;
:mod:`cape_study.runner.document`), and per step ``reports/steps/<step>.html`` (outputs only:
no code, no prompts, no parameters cell; figures inline), ``reports/steps/<step>.ipynb``
(the executed notebook) and the files the step declares as outputs under ``reports/``
(work lists, workbooks, figures). For each step it shows the title, status, time and key
findings, taken from the notebook's *Takeaway cells*:

* a markdown cell whose text starts with ``**Takeaway`` (for example
  ``**Takeaway:** most cases close before anyone is prosecuted.``); the bold label
  is dropped;
* a code cell tagged ``takeaway``, whose output is the finding: ``text/markdown``
  (``display(Markdown(...))``), else ``text/plain``, else printed text. This is the
  form to use when the finding quotes numbers computed from the data.

If ``data/processed/metadata.json`` says ``"synthetic": true``, every page (the index,
each step's page and report.html) carries :data:`SYNTHETIC_BANNER`, which stays at the
top of the window while the reader scrolls.

manifest.json
-------------
``format``; ``created`` (UTC); ``git`` (``commit``, ``dirty``; null outside a
repository); ``constraints`` (path and SHA-256 of ``constraints.txt``); ``python``;
``packages`` (every installed distribution and its version); ``kernel``; ``library``
(path and SHA-256 of the library source); ``synthetic``; ``data`` (the data hash:
:func:`~cape_study.runner.provenance.data_digest` of the files of the first steps' ``case_file``
parameter, as recorded in their inputs, with their number); ``steps`` (per step: title,
notebook and its hash, parameter set and values, needs, SHA-256 of every input and
output file, and of each input folder (a case file) one hash of its files with their
number (:func:`~cape_study.runner.provenance.folder_hash`), status, ``seconds`` this run,
``ran_at`` and ``ran_seconds`` of the execution that produced it, takeaways);
``report_files`` (SHA-256 of index.html, report.html and each step's files);
``disclosure``: the suppression audit, one record per suppressed cell (``step``,
``table``, ``cell``, ``column``, ``reason``, ``threshold``; never the value), collected
from the output that
``disclosure.publish_audit()`` displays in each notebook (an empty list when nothing
was suppressed); ``privacy``: per step, what
``privacy.publish()`` displayed (where the pseudonymisation key came from, the columns
dropped, and counts of identifiers pseudonymised and of personal data masked, after
disclosure control; never a value or the key).

Personal data
-------------
Every step page is scanned as soon as it is rendered, before it enters the cache, and
report.html (what it adds to the step pages' bodies) and the index before they are
written, for personnummer, samordningsnummer, henkilötunnus, e-mail addresses and phone
numbers in what a reader sees
(:func:`cape_study.privacy.masking.scan_text`; markup, scripts, styles and embedded images are
skipped). A hit stops the run with :class:`~cape_study.privacy.scanning.PersonalDataFound`,
naming the file, the line and column of each finding (never the value), and the new
report is not published. A page taken from the cache was scanned when it was made.

:func:`verify_report` recomputes the manifest's hashes (``cape-study verify``), an input
folder's by reading every file in it.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import platform
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cape_study.errors import PipelineError
from cape_study.paths import ProjectPaths
from cape_study.privacy.masking import PRIVACY_MIMETYPE, scan_text
from cape_study.privacy.scanning import PersonalDataFound
from cape_study.runner.provenance import (
    FORMAT,
    data_digest,
    folder_hash,
    git_state,
    now,
    packages,
    relative,
    sha256,
    tree_hash,
)

if TYPE_CHECKING:
    from cape_study.runner.pipeline import Step
    from cape_study.runner.run import StepResult

__all__ = [
    "BANNER_CSS",
    "SYNTHETIC_BANNER",
    "Difference",
    "check_page",
    "check_personal_data",
    "disclosure_audit",
    "privacy_record",
    "render_html",
    "synthetic_data",
    "takeaways",
    "verify_report",
    "write_report",
]

_HIDDEN_TAGS = ["parameters", "injected-parameters", "papermill-error-cell-tag"]
# cape_study.privacy.disclosure.AUDIT_MIMETYPE, not imported: that would load pandas into the
# runner (tests check the two agree).
_AUDIT_MIMETYPE = "application/vnd.cape-study.disclosure+json"
_TAKEAWAY_LABEL = re.compile(r"^\s*\*\*Takeaways?\b[^*]*\*\*\s*[:.–—-]?\s*")


# -- a step's page and findings ---------------------------------------------------------
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
SYNTHETIC_BANNER = (
    '<div class="cape-synthetic" role="note">SYNTHETIC DATA: this report is built from '
    "synthetic case files, not from real cases. Its figures describe no real person or "
    "case.</div>"
)
BANNER_CSS = (
    ".cape-synthetic{position:sticky;top:0;z-index:1000;background:#b00020;color:#fff;"
    "padding:.55rem 1rem;margin:0 0 1rem;font:bold 1.05rem/1.35 system-ui,sans-serif;"
    "border-radius:0 0 .4rem .4rem;box-shadow:0 2px 6px rgba(0,0,0,.25)}"
    "h1,h2,h3,h4,section{scroll-margin-top:4.5rem}"
)


def render_html(nb: Any, title: str, *, synthetic: bool | None = False) -> str:
    """The step's page: outputs and markdown only, figures inline, no external scripts
    (MathJax only when a markdown cell holds ``$`` math), and :data:`SYNTHETIC_BANNER`
    at the top when ``synthetic``."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = _HIDDEN_TAGS
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    exporter = HTMLExporter(
        config=config,
        extra_loaders=[DictLoader({"cape.html.j2": _TEMPLATE})],
        template_file="cape.html.j2",
    )
    math = any(c.cell_type == "markdown" and "$" in c.source for c in nb.cells)
    body, _ = exporter.from_notebook_node(
        nb,
        resources={
            "metadata": {"name": title},
            "cape_math": math,
            "cape_banner": SYNTHETIC_BANNER if synthetic else "",
            "cape_banner_css": BANNER_CSS,
        },
    )
    return body


def takeaways(nb: Any) -> list[dict[str, Any]]:
    """The notebook's findings: ``**Takeaway`` markdown cells and the output of code
    cells tagged ``takeaway``, as text and HTML."""
    import markdown

    found = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
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
    """The suppression audit that ``disclosure.publish_audit`` displayed in the notebook."""
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


#: What a reader does not see: scripts, style sheets and the tags themselves (with their
#: attributes: cell ids are random UUIDs whose digit groups can look like phone numbers,
#: and embedded images are base-64 text).
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def check_page(text: str, where: str) -> None:
    """Raise :class:`~cape_study.privacy.scanning.PersonalDataFound`, naming the page ``where``
    and each position, if an HTML page shows personal data (identity numbers, e-mail
    addresses, phone numbers).

    Only what a reader sees is scanned: markup (tags and their attributes, which hold
    random cell ids and base-64 images), scripts and style sheets are blanked first,
    keeping the positions.
    """
    readable = _MARKUP.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    findings = scan_text(readable)
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


# -- the index and the manifest -----------------------------------------------------------
def write_report(
    folder: Path,
    paths: ProjectPaths,
    steps: Mapping[str, Step],
    results: Mapping[str, StepResult],
    entries: Mapping[str, Mapping[str, Any]],
    *,
    kernel: str,
    source: Path,
    library: str,
) -> None:
    """Write a complete report into the empty ``folder``: ``steps/`` (each step's page
    and executed notebook, from the cache), ``report.html`` (every step in one document,
    :mod:`cape_study.runner.document`), ``index.html`` and ``manifest.json``.

    ``entries`` are the steps' cache entries; ``library`` is the hash of ``source``.
    """
    from cape_study.runner.document import build_document

    root = paths.root
    (folder / "steps").mkdir()
    manifest_steps: dict[str, Any] = {}
    for name, result in results.items():
        entry, step = entries[name], steps[name]
        cached = paths.cache / name
        shutil.copyfile(cached / "report.html", folder / "steps" / f"{name}.html")
        shutil.copyfile(cached / "notebook.ipynb", folder / "steps" / f"{name}.ipynb")
        manifest_steps[name] = {
            "title": step.title,
            "status": result.status,
            "seconds": round(result.seconds, 3),
            "ran_at": entry["ran_at"],
            "ran_seconds": entry["ran_seconds"],
            "notebook": entry["notebook"],
            "parameter_set": step.parameters,
            "parameters": entry["parameters"],
            "needs": list(step.needs),
            "inputs": entry["inputs"],
            "outputs": entry["outputs"],
            "report": {"html": f"steps/{name}.html", "notebook": f"steps/{name}.ipynb"},
            "takeaways": [t["text"] for t in entry["takeaways"]],
            "cache_key": entry["key"],
        }
    synthetic = synthetic_data(paths)
    git = git_state(root)
    created = now()
    exports = {
        name: [
            relative(root / rel, paths.reports)
            for rel in entries[name]["outputs"]
            if (root / rel).resolve().is_relative_to(paths.reports.resolve())
        ]
        for name in results
    }
    privacy = {}
    for name in results:
        nb = json.loads((folder / "steps" / f"{name}.ipynb").read_text(encoding="utf-8"))
        record = privacy_record(nb)
        if record is not None:
            privacy[name] = record
    constraints = paths.constraints
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created": created,
        "git": git,
        "constraints": {
            "path": relative(constraints, root),
            "sha256": sha256(constraints) if constraints.is_file() else None,
        },
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
        },
        "packages": packages(),
        "kernel": kernel,
        "library": {"path": relative(source, root), "sha256": library},
        "synthetic": synthetic,
        "data": _data(steps, entries, root),
        "steps": manifest_steps,
        "disclosure": [
            {"step": name, **record}
            for name in results
            for record in entries[name].get("disclosure", [])
        ],
        "privacy": privacy,
    }
    document = build_document(
        {
            name: (steps[name].title, (folder / "steps" / f"{name}.html").read_text("utf-8"))
            for name in results
        },
        manifest=manifest,
        codebook_page=_codebook_page(entries, root),
        synthetic=synthetic,
    )
    # The step pages' bodies in it were scanned when rendered; the rest is new.
    document.check(f"{relative(paths.reports, root)}/report.html")
    (folder / "report.html").write_text(document.html, encoding="utf-8")
    index = _index_html(results, synthetic, git, exports, created)
    # Step pages were checked when they were rendered (see runner); the index is new.
    check_page(index, f"{relative(paths.reports, root)}/index.html")
    (folder / "index.html").write_text(index, encoding="utf-8")
    manifest["report_files"] = {
        relative(p, folder): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _data(
    steps: Mapping[str, Step], entries: Mapping[str, Mapping[str, Any]], root: Path
) -> dict[str, Any]:
    """The data hash (:func:`~cape_study.runner.provenance.data_digest`) over the inputs of the
    steps that need no other step (intake), as the manifest records them: the files of
    their ``case_file`` parameter when one names it (so not the key file), else all."""
    first = [name for name in entries if not steps[name].needs]
    inputs = {path: sha for name in first for path, sha in entries[name]["inputs"].items()}
    named = {entries[name]["parameters"].get("case_file") for name in first} - {None}
    case_files = sorted(relative(root / os.path.expanduser(str(v)), root) for v in named)
    within = case_files[0] if len(case_files) == 1 else None
    return {"steps": first, "case_file": within, **data_digest(inputs, within)}


def _codebook_page(entries: Mapping[str, Mapping[str, Any]], root: Path) -> str:
    """The codebook of the run (the first step's ``codebook`` parameter, else the
    default), rendered in its ``lang`` (English by default), for the appendix."""
    from cape_study.data.codebook import DEFAULT_CODEBOOK, LANGUAGES, load_codebook
    from cape_study.data.codebook import render_html as render_codebook

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
    return render_codebook(load_codebook(path if path.suffix else name), lang)


def synthetic_data(paths: ProjectPaths) -> bool | None:
    """Whether ``data/processed/metadata.json`` marks the data synthetic (None when it
    does not say, or there is none yet)."""
    try:
        meta = json.loads((paths.data_processed / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = meta.get("synthetic") if isinstance(meta, dict) else None
    return value if isinstance(value, bool) else None


_INDEX_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
.step{border-top:1px solid #ddd;padding:1rem 0}
.step h2{margin:.2rem 0;font-size:1.25rem}
.status{display:inline-block;padding:.05rem .5rem;border-radius:.8rem;font-size:.85rem;
background:#e8f0fe}
.meta{color:#555;font-size:.9rem}
footer{color:#777;font-size:.85rem;border-top:1px solid #ddd;padding-top:1rem}
"""


def _index_html(
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


# -- verify -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """A file whose hash no longer matches the manifest."""

    path: str
    what: str
    expected: str | None
    found: str | None

    def __str__(self) -> str:
        if self.found is None:
            return f"missing: {self.path} ({self.what})"
        return (
            f"changed: {self.path} ({self.what}): manifest sha256 {self.expected[:12]}…, "
            f"now {self.found[:12]}…"
        )


def verify_report(report_dir: str | Path, *, root: str | Path | None = None) -> list[Difference]:
    """Recompute every hash in a report's manifest and list what differs.

    Parameters
    ----------
    report_dir
        The folder holding ``manifest.json``.
    root
        The project root that inputs, outputs, notebooks and the library are relative
        to (default: the parent of ``report_dir``).

    Returns
    -------
    list of Difference
        Empty when everything matches.

    Raises
    ------
    PipelineError
        If there is no readable manifest.
    """
    report_dir = Path(report_dir)
    root = Path(root) if root is not None else report_dir.parent
    try:
        manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineError(
            f"{report_dir / 'manifest.json'}: cannot read the manifest ({exc})"
        ) from None
    checks: list[tuple[Path, str, str, str | None, Callable[[Path], str]]] = []

    def add(base: Path, rel: str, what: str, expected: str | None, how=sha256) -> None:
        checks.append((base / rel, rel, what, expected, how))

    def folder(path: Path) -> str:
        return folder_hash(path)["sha256"]

    if manifest.get("constraints", {}).get("sha256"):
        add(root, manifest["constraints"]["path"], "constraints", manifest["constraints"]["sha256"])
    add(
        root,
        manifest["library"]["path"],
        "library source",
        manifest["library"]["sha256"],
        tree_hash,
    )
    for name, step in manifest["steps"].items():
        add(root, step["notebook"]["path"], f"notebook of step {name}", step["notebook"]["sha256"])
        for kind in ("inputs", "outputs"):
            for rel, sha in step[kind].items():
                if isinstance(sha, dict):  # a folder, recorded as one hash of its files
                    add(root, rel, f"{kind[:-1]} folder of step {name}", sha["sha256"], folder)
                else:
                    add(root, rel, f"{kind[:-1]} of step {name}", sha)
    for rel, sha in manifest["report_files"].items():
        add(report_dir, rel, "report file", sha)
    differences = []
    for path, rel, what, expected, how in checks:
        exists = path.is_dir() if how in (tree_hash, folder) else path.is_file()
        found = how(path) if exists else None
        if found != expected:
            differences.append(Difference(rel, what, expected, found))
    return differences
