"""Figures describing a case file (00_intake)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import SUPPRESSED
from cape_study.present.labels import COUNT_WORDS
from cape_study.present.plots.style import HIDDEN_COLOUR, colour, new_axes, styled, wrap
from cape_study.present.plots.style import title as title_axes

__all__ = ["count_bars"]


@styled
def count_bars(
    table: pd.DataFrame,
    *,
    x: str,
    count: str = "cases",
    hue: str | None = None,
    title: str | None = None,
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Bars of a suppressed count table: one bar per value of ``x`` (and of ``hue``).

    Parameters
    ----------
    table
        A tidy count table after :func:`cape_study.privacy.disclosure.suppress`; a hidden
        count is drawn as a hatched grey stub marked ``x`` instead of a bar, and named
        in the legend.
    x, hue
        The columns along the axis and in the legend; codes of a codebook scheme of the
        same name are shown by their labels, in codebook order.
    count
        The column of counts.
    title
        The figure's title.
    lang
        Language of labels and axis titles.
    codebook
        Supplies the labels (default: the packaged codebook).
    ax
        Axes to draw on; a new figure when ``None``.
    """

    book = codebook_or_default(codebook)
    words = COUNT_WORDS[lang]

    def values_of(column: str) -> list[str]:
        present = list(dict.fromkeys(table[column].astype("string")))
        if column in book.schemes:
            return [c for c in book.codes(column) if c in present]
        return sorted(present)

    def label(column: str, value: str) -> str:
        return book.label(column, value, lang) if column in book.schemes else value

    xs = values_of(x)
    groups = values_of(hue) if hue else [None]
    ax = new_axes(ax, 2, 7.0)
    width = 0.8 / len(groups)
    hidden: list[float] = []
    for k, group in enumerate(groups):
        rows = table if group is None else table[table[hue].astype("string") == group]
        counts = rows.set_index(rows[x].astype("string"))[count]
        pos = np.arange(len(xs)) + (k - (len(groups) - 1) / 2) * width
        at = {v: pos[i] for i, v in enumerate(xs)}
        shown = counts.dropna()
        ax.bar(
            [at[v] for v in shown.index],
            shown.astype(float),
            width=width,
            color=colour(group, k) if hue else colour("all"),
            label=label(hue, group) if hue else None,
        )
        hidden += [at[v] for v in counts.index[counts.isna()]]
    ax.set_xticks(range(len(xs)), [wrap(label(x, v), 14) for v in xs])
    ax.set_ylabel(words.get(count, count))
    title_axes(ax, title)
    ax.grid(axis="y", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if hidden:
        # A stub as tall as a twentieth of the axis, so that it stays visible in print.
        stub = 0.05 * ax.get_ylim()[1]
        ax.bar(hidden, stub, width=width, color=HIDDEN_COLOUR, hatch="///", edgecolor="#555555")
        for at_x in hidden:
            ax.text(at_x, stub, SUPPRESSED, ha="center", va="bottom", fontweight="bold")
        handles.append(Patch(facecolor=HIDDEN_COLOUR, hatch="///", edgecolor="#555555"))
        labels.append(words["hidden"])
    if handles:
        ax.legend(handles, labels, frameon=False)
    return ax
