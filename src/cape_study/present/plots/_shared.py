"""What the figures share: showing and exporting one, offsets of grouped markers, wrapped code
labels."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from cape_study.data.codebook import Codebook, Language
from cape_study.present import export
from cape_study.present.display import number, percent

__all__ = ["marker_offsets", "number_axis", "percent_axis", "show", "wrapped_label"]


def show(figure: Figure | Axes, name: str) -> None:
    """Show a figure in the notebook, as ``plt.show()`` does, after exporting it as the
    step's figure ``name`` (:func:`cape_study.present.export.save_figure`: in a step's
    notebook, ``notebook.Session.save_figure``, PNG at 300 dpi and SVG under
    ``reports/figures/<step>/``, or ``reports/lab/`` when run by hand)."""
    fig = figure.get_figure(root=True) if isinstance(figure, Axes) else figure
    export.save_figure(fig, name)
    plt.show()


def marker_offsets(n: int) -> list[float]:
    """Offsets that spread ``n`` markers of one position around it, 0.08 apart."""
    width = 0.08
    return [(i - (n - 1) / 2) * width for i in range(n)]


def wrapped_label(book: Codebook, scheme: str, code: str, lang: Language, width: int = 38) -> str:
    """A code's label, wrapped at ``width`` characters for an axis."""
    return textwrap.fill(book.label(scheme, code, lang), width)


def percent_axis(axis: Axis) -> None:
    """Label ``axis`` (shares from 0 to 1) in percent, in the run's language, with as
    many decimals as its ticks need: ``2,5 %`` at 2.5 % steps, never a rounded ``2 %``."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: percent(v, _decimals(axis, 100))))


def number_axis(axis: Axis) -> None:
    """Label ``axis`` with numbers in the run's language (``5 588``), with as many
    decimals as its ticks need."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: number(v, _decimals(axis, 1))))


def _decimals(axis: Axis, scale: float) -> int:
    """The fewest decimals (up to 3) that write every major tick of ``axis`` exactly."""
    ticks = [v * scale for v in axis.get_majorticklocs()]
    for decimals in range(4):
        if all(abs(v - round(v, decimals)) < 1e-9 * max(1.0, abs(v)) for v in ticks):
            return decimals
    return 3
