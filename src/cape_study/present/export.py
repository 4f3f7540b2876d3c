"""Where the tables and figures a notebook shows with a name go.

:func:`cape_study.present.display.show` and :func:`cape_study.present.plots.show` hand a
table or figure shown with a name to the functions connected here. The notebook helpers
(:func:`cape_study.notebook.setup`) connect theirs, which keep the table for the step's
workbook and write the figure; nothing is connected when the library is used outside a
step's notebook, and then nothing is kept. The presentation layer so never imports the
notebook helpers, which import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["connect", "hidden_table", "legend", "record_table", "save_figure"]

TableSink = Callable[[str, "pd.DataFrame"], None]
FigureSink = Callable[["Figure", str], Any]

_sinks: dict[str, Callable[..., Any]] = {}


def connect(
    *,
    table: TableSink,
    figure: FigureSink,
    legend: Callable[[list[str]], str | None] | None = None,
    hidden: Callable[[str | None], bool] | None = None,
) -> None:
    """Send the tables and figures shown with a name from now on to ``table(name,
    frame)`` and ``figure(figure, name)``, ask ``legend(marks)`` for the legend of
    the marks a shown table holds (in the step's language, with its threshold), and
    ``hidden(name)`` whether a table whose every cell is hidden is said in a section's
    one sentence instead of shown (True: it takes it); connecting again replaces them."""
    _sinks.update(table=table, figure=figure)
    if legend is not None:
        _sinks["legend"] = legend
    if hidden is not None:
        _sinks["hidden"] = hidden


def legend(marks: list[str]) -> str | None:
    """The legend of ``marks`` from the connected source (None if none, or no marks)."""
    if not marks or "legend" not in _sinks:
        return None
    return _sinks["legend"](marks)


def hidden_table(name: str | None) -> bool:
    """Whether the connected source takes a table whose every cell is hidden, to say
    it in one sentence (False when none is connected: the table is shown)."""
    return "hidden" in _sinks and bool(_sinks["hidden"](name))


def record_table(name: str, table: pd.DataFrame) -> None:
    """Hand a table shown under ``name`` to the connected sink (nothing if none)."""
    if "table" in _sinks:
        _sinks["table"](name, table)


def save_figure(figure: Figure, name: str) -> None:
    """Hand a figure shown under ``name`` to the connected sink (nothing if none)."""
    if "figure" in _sinks:
        _sinks["figure"](figure, name)
