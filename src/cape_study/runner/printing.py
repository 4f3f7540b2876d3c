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
"""

from __future__ import annotations

import logging
from pathlib import Path

from cape_study.errors import PipelineError

__all__ = ["write_pdf"]


def write_pdf(report_dir: str | Path, out: str | Path | None = None) -> Path:
    """Print ``report_dir/report.html`` to ``out`` (default ``report_dir/report.pdf``).

    Raises
    ------
    PipelineError
        If there is no report.html to print, or WeasyPrint cannot load (Pango missing).
    """
    folder = Path(report_dir)
    source = folder / "report.html"
    if not source.is_file():
        raise PipelineError(f"{source}: no report to print; run `cape-study run` first")
    try:
        import weasyprint
    except OSError as exc:  # the Pango library is missing
        raise PipelineError(
            f"cannot print {source}: WeasyPrint needs the Pango library ({exc}); "
            "on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None
    target = Path(out) if out is not None else folder / "report.pdf"
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        weasyprint.HTML(filename=str(source.resolve())).write_pdf(str(tmp))
        tmp.replace(target)
    except BaseException:  # a full disk: no half-written PDF is left
        tmp.unlink(missing_ok=True)
        raise
    return target
