"""Figures describing a case file (00_intake)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import SUPPRESSED
from cape_study.present.labels import COUNT_WORDS

__all__ = ["count_bars"]


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
        count is drawn as ``x`` on the axis instead of a bar.
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
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(xs) * len(groups) + 2), 4.2))
    width = 0.8 / len(groups)
    hidden = False
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
            label=label(hue, group) if hue else None,
        )
        for v in counts.index[counts.isna()]:
            ax.text(at[v], 0, SUPPRESSED, ha="center", va="bottom", fontsize=14)
            hidden = True
    ax.set_xticks(range(len(xs)), [textwrap.fill(label(x, v), 14) for v in xs], fontsize=8)
    ax.set_ylabel(words.get(count, count))
    if title:
        ax.set_title(title)
    if hue:
        ax.legend(frameon=False)
    if hidden:
        ax.annotate(words["hidden"], (0, -0.2), xycoords="axes fraction", fontsize=8, va="top")
    ax.grid(axis="y", alpha=0.3)
    return ax
