"""Exceptions that carry where a problem is, so that messages can name it.

Every expected problem raises a subclass of :class:`CapeStudyError`; the command line
prints its message and exits with ``exit_code`` instead of showing a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CannotEstimate",
    "CapeStudyError",
    "CaseFileError",
    "ParameterError",
    "PipelineError",
    "StepFailed",
]


class CapeStudyError(Exception):
    """Base of the project's expected errors."""

    exit_code = 1


class CaseFileError(CapeStudyError):
    """A case file that cannot be read or breaks the codebook's rules.

    ``problems`` is the table of every problem found (file, sheet, row, column,
    value, expected); the message summarises it.
    """

    def __init__(self, message: str, problems: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.problems = problems


class ParameterError(CapeStudyError):
    """A notebook parameter that is unknown, mistyped or out of bounds."""

    exit_code = 2


class PipelineError(CapeStudyError, ValueError):
    """A pipeline file, step selection or manifest that cannot be used; names the file
    and step."""


class StepFailed(CapeStudyError):
    """A pipeline step that failed; names the step and, when known, the cell."""

    def __init__(self, step: str, message: str, cell: int | None = None) -> None:
        where = f"step {step!r}" + (f", cell {cell}" if cell is not None else "")
        super().__init__(f"{where}: {message}")
        self.step = step
        self.cell = cell


class CannotEstimate(CapeStudyError, ValueError):
    """A result the data cannot support: the documented "cannot estimate" outcome.

    Statistics functions raise it, instead of failing somewhere inside, when the case
    file is too small or lacks what an estimate needs (no event, one coder, every case
    removed by blank predictors ...). ``reason`` names why: a key of
    :data:`cape_study.present.limits.REASONS`, which words it in each report language
    with ``facts`` (the numbers and names the sentence needs) and says what data would
    make the estimate possible. The message is the English sentence, for logs.
    """

    def __init__(self, reason: str, message: str, **facts: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.facts = facts
