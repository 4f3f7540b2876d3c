"""The report of a run, written into a folder that the run then publishes:
``steps/`` (each step's page and executed notebook, from the cache), ``report.html``
(:mod:`cape_study.runner.document`), ``report.docx`` (:mod:`cape_study.runner.wordfile`),
``index.html`` (:mod:`cape_study.runner.index`) and
``manifest.json`` (:mod:`cape_study.runner.manifest`). The step pages and what is read from
the executed notebooks are :mod:`cape_study.runner.pages`.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cape_study.paths import ProjectPaths
from cape_study.runner.document import build_document, codebook_page
from cape_study.runner.index import index_html, not_run, step_files
from cape_study.runner.manifest import build_manifest, report_files
from cape_study.runner.pages import check_page, synthetic_data
from cape_study.runner.provenance import relative
from cape_study.runner.spec import Step, StepResult
from cape_study.runner.wordfile import write_docx
from cape_study.runner.words import page_title, report_language, words

__all__ = ["write_report"]


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
    """Write the report into ``folder`` (the run's ``reports/``, which may already hold
    the steps' outputs): ``steps/`` (each step's page and executed notebook, from the
    cache), ``report.html`` (every step in one document,
    :mod:`cape_study.runner.document`), ``index.html`` and ``manifest.json``. A step
    that failed or was skipped has no page; the index and report.html say what happened
    to it (:func:`~cape_study.runner.index.not_run`).

    ``entries`` are the steps' cache entries; ``library`` is the hash of ``source``.
    """
    root = paths.root
    (folder / "steps").mkdir()
    done = [name for name, result in results.items() if result.status in ("ran", "cached")]
    for name in done:
        cached = paths.cache / name
        shutil.copyfile(cached / "report.html", folder / "steps" / f"{name}.html")
        shutil.copyfile(cached / "notebook.ipynb", folder / "steps" / f"{name}.ipynb")
    synthetic = synthetic_data(paths)
    lang = report_language(entries)
    pages = {
        name: (folder / "steps" / f"{name}.html").read_text("utf-8")
        if name in done
        else _not_run_page(results[name])
        for name in results
    }
    titles = {name: page_title(pages[name], steps[name].title) for name in results}
    manifest = build_manifest(
        folder,
        paths,
        steps,
        results,
        entries,
        kernel=kernel,
        source=source,
        library=library,
        synthetic=synthetic,
        packages_cache=paths.report_cache / "packages.json",
    )
    document = build_document(
        {name: (titles[name], pages[name]) for name in results},
        manifest=manifest,
        codebook_page=codebook_page(
            entries, root, cache=paths.report_cache / "codebook.json", library=library
        ),
        synthetic=synthetic,
        lang=lang,
    )
    # The step pages' bodies in it were scanned when rendered; the rest is new.
    document.check(f"{relative(root / 'reports', root)}/report.html")
    (folder / "report.html").write_text(document.html, encoding="utf-8")
    # The same content for Word: headings, real tables, figures, numbered captions.
    write_docx(
        document.html,
        folder / "report.docx",
        lang=lang,
        banner=words(lang)["banner"] if synthetic else None,
    )
    index = index_html(
        results,
        synthetic,
        manifest["git"],
        step_files(paths, entries, done),
        manifest["created"],
        lang=lang,
        titles=titles,
    )
    # Step pages were checked when they were rendered (see runner); the index is new.
    check_page(index, f"{relative(root / 'reports', root)}/index.html")
    (folder / "index.html").write_text(index, encoding="utf-8")
    manifest["report_files"] = report_files(folder)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _not_run_page(result: StepResult) -> str:
    """A page for a step with no output, in the form report.html takes its steps in."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><main>'
        f'<p class="cape-not-run">{html.escape(not_run(result))}</p></main></body></html>'
    )
