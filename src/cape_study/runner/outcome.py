"""What a run ends with: its :class:`RunResult` (every step's outcome, where the report
went), the errors a run raises (:class:`PipelineFailed`, :class:`PipelineBusy`), and the
problem table a failed step displayed, as text for the failure's message
(:func:`problems_text`). The run itself is :mod:`cape_study.runner.run`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cape_study.errors import CapeStudyError, StepFailed
from cape_study.runner.provenance import relative
from cape_study.runner.spec import StepResult

__all__ = ["PipelineBusy", "PipelineFailed", "RunResult", "RunStopped", "problems_text"]


@dataclass
class RunResult:
    """The outcome of :func:`cape_study.runner.pipeline.run_pipeline`."""

    steps: dict[str, StepResult]
    report_dir: Path
    report_updated: bool
    seconds: float
    #: Where this run's report is when it was not published (``reports/partial``).
    partial_dir: Path | None = None
    #: Every step was cached and the published report was built from the same steps,
    #: library, packages and git state: it was left as it is.
    unchanged: bool = False

    @property
    def complete(self) -> bool:
        return all(r.status in ("ran", "cached") for r in self.steps.values())

    def where(self) -> str:
        """Where this run's report went, and what happened to the published one."""
        published = self.report_dir / "index.html"
        if self.unchanged:
            return f"report: {published} (unchanged: nothing it is made from changed)"
        if self.report_updated:
            if self.complete:
                return f"report: {published}"
            return f"partial report published (--publish-partial): {published}"
        if self.partial_dir is not None:
            return (
                f"partial report (not every step ran or was cached): "
                f"{self.partial_dir / 'index.html'}; the published report {published} was "
                "not changed (--publish-partial publishes a partial report)"
            )
        return f"no report (no step succeeded); the published report {published} was not changed"

    def summary(self) -> str:
        """One line: where the report is and how many steps ran, were cached, ..."""
        counts: dict[str, int] = {}
        for r in self.steps.values():
            counts[r.status] = counts.get(r.status, 0) + 1
        what = ", ".join(f"{n} {status}" for status, n in counts.items())
        return f"{self.where()} ({what}) in {self.seconds:.1f} s"


class PipelineBusy(CapeStudyError):
    """Another run holds the project's report lock."""


class RunStopped(CapeStudyError):
    """A run stopped by the system, not by a step: a full disk, a folder it may not
    write, a file where a folder should be (an :class:`OSError`, kept as the cause).
    Names the file and the error, and what became of the published report."""

    def __init__(self, exc: OSError, report: str) -> None:
        where = f"{exc.filename}: " if exc.filename is not None else ""
        if exc.filename2 is not None:
            where = f"{exc.filename} -> {exc.filename2}: "
        error = exc.strerror or str(exc) or type(exc).__name__
        super().__init__(f"the run stopped: {where}{error}; {report}")


class PipelineFailed(StepFailed):
    """One or more steps failed. Names the first failed step and its cell; ``result``
    holds every step's outcome."""

    def __init__(self, result: RunResult) -> None:
        failed = [r for r in result.steps.values() if r.status == "failed"]
        first = failed[0]
        lines = [first.message]
        lines += [f"also failed: step {r.name!r}: {r.message}" for r in failed[1:]]
        lines += [
            f"not run: step {r.name!r} ({r.message})"
            for r in result.steps.values()
            if r.status == "skipped"
        ]
        lines.append(result.where())
        super().__init__(first.name, "\n".join(lines), first.cell)
        self.result = result

    def brief(self) -> str:
        """The message without the failed steps' problem tables: for a reader who has
        just seen them in the run's progress (``cape-study run``), so nothing is printed
        twice. Each failed step keeps its first line (the error and where) and its last
        (where its problems were saved); the skipped steps are named, and where the
        report went is said."""
        steps = self.result.steps.values()
        lines = []
        for r in steps:
            if r.status != "failed":
                continue
            message = r.message.splitlines() or [""]
            cell = f", cell {r.cell}" if r.cell is not None else ""
            head = f"step {r.name!r}{cell}: {message[0]}"
            head = head if not lines else f"also failed: {head}"
            if len(message) > 1:
                head += f"; {message[-1].strip().strip('()')}, listed above"
            lines.append(head)
        skipped = [r.name for r in steps if r.status == "skipped"]
        if skipped:
            lines.append(f"not run (see above): {', '.join(skipped)}")
        lines.append(self.result.where())
        return "\n".join(lines)


#: cape_study.notebook.PROBLEMS_MIMETYPE (not imported: that would load pandas).
_PROBLEMS_MIMETYPE = "application/vnd.cape-study.problems+json"
_SHOWN_PROBLEMS = 20


def problems_text(nb: Any, csv_path: Path, root: Path) -> str:
    """The table of problems a failed step displayed (intake's check of the case
    file), as text for the message: its first rows, and the whole table written to
    ``csv_path``, which the message names. Empty if the step displayed none."""
    found = [
        out["data"][_PROBLEMS_MIMETYPE]
        for cell in nb.get("cells", [])
        for out in cell.get("outputs", [])
        if _PROBLEMS_MIMETYPE in out.get("data", {})
    ]
    if not found:
        return ""
    columns, rows = found[-1]["columns"], found[-1]["rows"]
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
    shown = [columns, *rows[:_SHOWN_PROBLEMS]]
    widths = [max(len(str(row[i])) for row in shown) for i in range(len(columns))]
    lines = [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in shown
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    rest = (
        f"the first {_SHOWN_PROBLEMS} of {len(rows)} problems; all of them"
        if len(rows) > _SHOWN_PROBLEMS
        else f"{len(rows)} problem(s)"
    )
    return "\n" + "\n".join(lines) + f"\n({rest} in {relative(csv_path, root)})"
