"""What the figures share: showing and exporting one, offsets of grouped markers, interval
whiskers, wrapped code labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cape_study.data.codebook import Codebook, Language
from cape_study.present import export
from cape_study.present.display import SUPPRESSED
from cape_study.present.labels import COUNT_WORDS
from cape_study.present.plots.files import use_inline_cache
from cape_study.present.plots.style import HIDDEN_COLOUR, wrap

__all__ = [
    "code_positions",
    "interval_dots",
    "interval_errors",
    "mark_hidden_cells",
    "marker_offsets",
    "note_if_hidden",
    "show",
    "wrapped_label",
]


def show(figure: Figure | Axes, name: str) -> None:
    """Show a figure in the notebook, as ``plt.show()`` does, after exporting it as the
    step's figure ``name`` (:func:`cape_study.present.export.save_figure`: in a step's
    notebook, ``notebook.Session.save_figure``, PNG at 300 dpi and SVG under
    ``reports/figures/<step>/``, or ``reports/lab/`` when run by hand). In a notebook, the
    image shown of a figure exported as before comes from the figure cache
    (:func:`cape_study.present.plots.files.use_inline_cache`)."""
    fig = figure.get_figure(root=True) if isinstance(figure, Axes) else figure
    export.save_figure(fig, name)
    use_inline_cache()
    plt.show()


def marker_offsets(n: int) -> list[float]:
    """Offsets that spread ``n`` markers of one position around it, 0.08 apart."""
    width = 0.08
    return [(i - (n - 1) / 2) * width for i in range(n)]


def interval_errors(rows: pd.DataFrame, estimate: str) -> list[np.ndarray]:
    """The lengths of the whiskers below and above each estimate of ``rows`` (columns
    ``estimate``, ``ci_low``, ``ci_high``), for ``errorbar``: none where an end is missing,
    and never negative (interval ends can differ from the estimate by rounding error at 0
    and 1)."""
    x = rows[estimate].to_numpy(float)
    low = rows["ci_low"].to_numpy(float)
    high = rows["ci_high"].to_numpy(float)
    return [np.nan_to_num(x - low).clip(min=0), np.nan_to_num(high - x).clip(min=0)]


def interval_dots(
    ax: Axes, rows: pd.DataFrame, estimate: str, y: object, *, color: str, label: str
) -> None:
    """A dot per row of ``rows`` at its ``estimate`` (along the x axis) and ``y``, with
    whiskers to its interval (:func:`interval_errors`)."""
    ax.errorbar(
        rows[estimate].to_numpy(float),
        y,
        xerr=interval_errors(rows, estimate),
        marker="o",
        color=color,
        linestyle="none",
        label=label,
    )


def code_positions(table: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Each ``(scheme, code)`` of ``table`` with its row on the axis, in the table's order."""
    codes = dict.fromkeys(zip(table["scheme"], table["code"], strict=True))
    return {key: i for i, key in enumerate(codes)}


def wrapped_label(book: Codebook, scheme: str, code: str, lang: Language, width: int = 38) -> str:
    """A code's label, wrapped at ``width`` characters (between words) for an axis."""
    return wrap(book.label(scheme, code, lang), width)


def mark_hidden_cells(ax: Axes, hidden: np.ndarray) -> None:
    """Draw each cell of a heatmap that disclosure control hides (``hidden`` True) grey,
    with the mark of a hidden cell and no colour of its own."""
    from matplotlib.patches import Rectangle

    for i, j in zip(*np.nonzero(hidden), strict=True):
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor=HIDDEN_COLOUR, edgecolor="white"))
        ax.text(j + 0.5, i + 0.5, SUPPRESSED, ha="center", va="center", fontsize=9)


def note_if_hidden(ax: Axes, values: pd.Series, lang: Language) -> None:
    """Say in the middle of ``ax`` that disclosure control hides every value when none
    of ``values`` is shown, so that an empty figure is not read as a drawing error."""
    if values.notna().any():
        return
    words = COUNT_WORDS.get(lang, COUNT_WORDS["en"])["hidden"]
    ax.text(0.5, 0.5, words, transform=ax.transAxes, ha="center", va="center", color="#555555")
