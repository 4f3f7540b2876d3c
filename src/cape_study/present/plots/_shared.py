"""What the figures share: showing and exporting one, offsets of grouped markers, wrapped code
labels."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cape_study.data.codebook import Codebook, Language
from cape_study.present import export

__all__ = ["marker_offsets", "show", "wrapped_label"]


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
