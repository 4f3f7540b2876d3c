"""Figures for the report. Each takes ``ax=None`` (a new figure) and returns the Axes."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from cape_study.codebook import Codebook, Language, load_codebook

__all__ = ["funnel_plot"]

_TITLES = {
    "en": ("Share of reported cases reaching each stage", "Share of reported cases"),
    "sv": ("Andel anmälda ärenden som når varje steg", "Andel av anmälda ärenden"),
}


def funnel_plot(
    table: pd.DataFrame,
    *,
    by: str | None = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot a stage funnel: the share reaching each stage with its confidence interval.

    Parameters
    ----------
    table
        The output of :func:`cape_study.attrition.funnel`, usually after
        :func:`cape_study.disclosure.suppress` (suppressed stages are left out).
    by
        The grouping column (one line per group), or ``None``.
    lang
        Language of the stage labels and titles.
    codebook
        Supplies the stage labels (default: the packaged codebook).
    ax
        Axes to draw on; a new figure when ``None``.
    """
    book = codebook or load_codebook()
    labels = book.labels("stage", lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    stages = list(
        table["stage"].cat.categories
        if hasattr(table["stage"], "cat")
        else dict.fromkeys(table["stage"])
    )
    positions = {s: i for i, s in enumerate(stages)}
    groups = table.groupby(by, observed=True) if by else [(None, table)]
    offsets = _offsets(len(groups) if by else 1)
    for (key, group), offset in zip(groups, offsets, strict=True):
        shown = group.dropna(subset=["proportion"])
        x = shown["stage"].map(positions).to_numpy(float) + offset
        y = shown["proportion"].to_numpy(float)
        # Interval ends can differ from the estimate by rounding error at 0 and 1.
        err = [
            (y - shown["ci_low"].to_numpy(float)).clip(min=0),
            (shown["ci_high"].to_numpy(float) - y).clip(min=0),
        ]
        name = book.label(by, key, lang) if by and by in book.schemes else key
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, linestyle="-", label=name)
    ax.set_xticks(range(len(stages)), [textwrap.fill(labels[s], 18) for s in stages], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    title, ylabel = _TITLES[lang]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if by:
        ax.legend(frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return ax


def _offsets(n: int) -> list[float]:
    width = 0.08
    return [(i - (n - 1) / 2) * width for i in range(n)]
