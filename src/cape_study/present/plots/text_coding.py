"""Figures of text coding (04_text_coding)."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.labels import TEXT_TITLES
from cape_study.present.plots._shared import marker_offsets, note_if_hidden, wrapped_label
from cape_study.present.plots.style import colour, legend_below, new_axes, styled
from cape_study.present.plots.style import title as title_axes

__all__ = ["text_agreement_plot"]


@styled
def text_agreement_plot(
    table: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot plot of Cohen's kappa per code: the classifier and the dictionary against the
    coders' consensus, and two coders against each other.

    Parameters
    ----------
    table
        :func:`cape_study.stats.textcoding.agreement_table`, usually after disclosure control
        (suppressed or missing kappas are left out).
    scheme, lang, codebook
        The scheme of the codes, and the language and source of the labels.
    ax
        Axes to draw on; a new figure when ``None``.
    """
    book = codebook_or_default(codebook)
    titles = TEXT_TITLES[lang]
    codes = list(dict.fromkeys(table["code"]))
    ax = new_axes(ax, 2, 0.6 * len(codes) + 3.0)
    position = {c: i for i, c in enumerate(codes)}
    methods = ("classifier", "dictionary", "human")
    markers = {"classifier": "o", "dictionary": "s", "human": "D"}
    for k, (method, offset) in enumerate(zip(methods, marker_offsets(len(methods)), strict=True)):
        rows = table[(table["method"] == method)].dropna(subset=["kappa"])
        ax.plot(
            rows["kappa"].to_numpy(float),
            [position[c] + 2.5 * offset for c in rows["code"]],
            marker=markers[method],
            color=colour(method, k),
            linestyle="none",
            label=titles[method],
        )
    ax.set_yticks(range(len(codes)), [wrapped_label(book, scheme, c, lang, 40) for c in codes])
    ax.invert_yaxis()
    low = table["kappa"].min()
    ax.set_xlim(min(-0.05, float(low) - 0.05) if pd.notna(low) else -0.05, 1.02)
    ax.axvline(0, color="grey", linewidth=0.6)
    note_if_hidden(ax, table["kappa"], lang)
    ax.set_xlabel(titles["x"])
    title_axes(ax, titles["title"])
    ax.grid(axis="x", alpha=0.3)
    legend_below(ax)
    return ax
