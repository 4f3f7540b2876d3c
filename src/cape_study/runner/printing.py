"""``reports/report.pdf``: report.html printed to A4 with WeasyPrint.

``cape-study print`` (``make report`` runs it after ``cape-study run``) prints the
published report.html with its print style sheet (:mod:`cape_study.runner.document`:
A4, the synthetic-data banner at the top of every page, every step from a new page,
figures and tables kept whole and numbered, no heading alone at a page's foot).
WeasyPrint is maintained, installs from PyPI and needs only Pango, which Debian and
Ubuntu ship (``libpango-1.0-0``); Chromium's print-to-PDF would need the browser, which
only ``make screenshots`` requires. Printing takes about 15 s of CPU for the demo report,
so it is a command of its own rather than part of every run (a cached no-op run stays a
no-op); the PDF is written beside the published report and, like the screenshots, is not
in the manifest: it is derived from report.html, which is.

Printing the same report.html again gives the same PDF, byte for byte, so with a
``record`` (``.cache/report/printed.json`` for the project's report) a PDF printed from
this report.html by this WeasyPrint, and unchanged since, is kept as it is
(:func:`printed_pdf`): ``make report`` after a run with nothing to do prints nothing.
Almost all of the time goes into laying out the pages (136 A4 pages for the demo, most
of it its tables); writing the PDF is about a sixth of it, and WeasyPrint's options
(``optimize_images``, ``dpi``, ``full_fonts``, ``hinting``) make it no faster: the demo's
figures are PNGs of about 100 dpi already, its fonts are subset in about a tenth of a
second.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cape_study.errors import PipelineError
from cape_study.runner.provenance import digest, keep, kept, sha256

__all__ = ["printed_pdf", "write_pdf"]


def _paths(report_dir: str | Path, out: str | Path | None) -> tuple[Path, Path]:
    folder = Path(report_dir)
    source = folder / "report.html"
    if not source.is_file():
        raise PipelineError(f"{source}: no report to print; run `cape-study run` first")
    return source, Path(out) if out is not None else folder / "report.pdf"


def _key(source: Path, target: Path) -> str:
    """What the PDF is printed from: report.html's bytes, WeasyPrint's and pydyf's
    versions, and where it is written."""
    from importlib.metadata import version

    return digest([sha256(source), version("weasyprint"), version("pydyf"), str(target.resolve())])


def printed_pdf(report_dir: str | Path, out: str | Path | None, record: Path) -> Path | None:
    """The PDF :func:`write_pdf` would write, if it was printed (with ``record``) from
    report.html as it is now, by the same WeasyPrint, and has not changed since; else
    None. Raises PipelineError if there is no report.html."""
    source, target = _paths(report_dir, out)
    if not target.is_file():
        return None
    written = kept(record, _key(source, target))
    return target if written is not None and written == sha256(target) else None


def write_pdf(
    report_dir: str | Path, out: str | Path | None = None, *, record: Path | None = None
) -> Path:
    """Print ``report_dir/report.html`` to ``out`` (default ``report_dir/report.pdf``);
    with ``record`` (a JSON file), note what it was printed from there
    (:func:`printed_pdf`).

    Raises
    ------
    PipelineError
        If there is no report.html to print, or WeasyPrint cannot load (Pango missing).
    """
    source, target = _paths(report_dir, out)
    try:
        import weasyprint
    except OSError as exc:  # the Pango library is missing
        raise PipelineError(
            f"cannot print {source}: WeasyPrint needs the Pango library ({exc}); "
            "on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None
    key = _key(source, target) if record is not None else None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        weasyprint.HTML(filename=str(source.resolve())).write_pdf(str(tmp))
        tmp.replace(target)
    except BaseException:  # a full disk: no half-written PDF is left
        tmp.unlink(missing_ok=True)
        raise
    if record is not None and key is not None:
        keep(record, key, sha256(target))
    return target
