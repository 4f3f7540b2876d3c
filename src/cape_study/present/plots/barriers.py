"""Figures of barriers and inter-coder agreement (02_barriers)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import number
from cape_study.present.labels import BARRIER_TITLES, COEFFICIENT_LABELS, GROUP_LABELS
from cape_study.present.plots._shared import (
    code_positions,
    interval_dots,
    mark_hidden_cells,
    marker_offsets,
    note_if_hidden,
    wrapped_label,
)
from cape_study.present.plots.style import (
    colour,
    legend_below,
    new_axes,
    percent_axis,
    styled,
    wrap,
)
from cape_study.present.plots.style import title as title_axes

__all__ = ["agreement_plot", "cooccurrence_heatmap", "prevalence_plot"]


@styled
def prevalence_plot(
    table: pd.DataFrame,
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
    groups: Mapping[str, str] | None = None,
) -> Axes:
    """Plot the prevalence of one scheme's codes in closed and prosecuted cases, or in
    the ``groups`` given (values of the ``group`` column and their labels, in order).

    Parameters
    ----------
    table
        :func:`cape_study.stats.barriers.prevalence` for one scheme, usually after
        :func:`cape_study.privacy.disclosure.suppress` (suppressed shares are left out).
    lang, codebook
        Language and source of the labels.
    ax
        Axes to draw on; a new figure when ``None``.
    """

    book = codebook_or_default(codebook)
    position = code_positions(table)
    ax = new_axes(ax, 2, 0.8 * len(position) + 2.5)
    shown = dict(groups if groups is not None else GROUP_LABELS[lang])
    for k, ((group, label), offset) in enumerate(
        zip(shown.items(), marker_offsets(len(shown)), strict=True)
    ):
        rows = table[(table["group"] == group)].dropna(subset=["proportion"])
        y = _code_rows(position, rows, 3.5 * offset)
        n = table.loc[table["group"] == group, "n_cases"].dropna()
        size = f" (n = {number(int(n.iloc[0]))})" if len(n) else ""
        interval_dots(ax, rows, "proportion", y, color=colour(group, k), label=label + size)
    ax.set_yticks(range(len(position)), [wrapped_label(book, s, c, lang) for s, c in position])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    note_if_hidden(ax, table["proportion"], lang)
    titles = BARRIER_TITLES[lang]
    scheme = book.scheme(str(next(iter(position))[0])).label(lang) if position else ""
    title_axes(ax, titles["prevalence"].format(scheme=scheme))
    ax.set_xlabel(titles["share"])
    ax.grid(axis="x", alpha=0.3)
    legend_below(ax)
    return ax


@styled
def cooccurrence_heatmap(
    table: pd.DataFrame,
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of how codes occur together: phi as colour, cases with both as number.

    Parameters
    ----------
    table
        :func:`cape_study.stats.barriers.cooccurrence` after
        :func:`cape_study.stats.barriers.suppress_pairs`: a hidden pair is drawn grey with
        ``x`` and no colour.
    lang, codebook
        Language and source of the labels.
    ax
        Axes to draw on; a new figure when ``None``.
    """
    import seaborn as sns

    book = codebook_or_default(codebook)
    items = list(
        dict.fromkeys(
            [
                *zip(table["scheme_a"], table["code_a"], strict=True),
                *zip(table["scheme_b"], table["code_b"], strict=True),
            ]
        )
    )
    index = {item: i for i, item in enumerate(items)}
    n = len(items)
    phi = np.full((n, n), np.nan)
    text = np.full((n, n), "", dtype=object)
    hidden = np.zeros((n, n), bool)
    for row in table.itertuples(index=False):
        i, j = index[(row.scheme_a, row.code_a)], index[(row.scheme_b, row.code_b)]
        for a, b in ((i, j), (j, i)):
            if row.suppressed:
                hidden[a, b] = True
            else:
                phi[a, b] = row.phi
                text[a, b] = f"{int(row.both)}"
    ax = new_axes(ax, 2, 0.62 * n + 3.5)
    finite = np.abs(phi[np.isfinite(phi)])
    limit = max(0.1, float(np.ceil(finite.max() * 10) / 10)) if finite.size else 1.0
    sns.heatmap(
        phi,
        ax=ax,
        cmap="RdBu_r",
        center=0,
        vmin=-limit,
        vmax=limit,
        annot=text,
        fmt="",
        annot_kws={"fontsize": 8},
        linewidths=0.5,
        linecolor="white",
        cbar_kws={"label": "phi", "shrink": 0.6, "fraction": 0.04, "pad": 0.02},
    )
    mark_hidden_cells(ax, hidden)
    # Rows of two lines, numbered; the columns by those numbers, so that their labels
    # need no room below the cells.
    labels = [wrap(f"{i} {book.label(s, c, lang)}", 32) for i, (s, c) in enumerate(items, 1)]
    ax.set_xticks(np.arange(n) + 0.5, [str(i) for i in range(1, n + 1)], rotation=0)
    ax.set_yticks(np.arange(n) + 0.5, labels, rotation=0)
    schemes = " / ".join(book.scheme(s).label(lang) for s in dict.fromkeys(s for s, _ in items))
    title_axes(ax, f"{schemes}\n{BARRIER_TITLES[lang]['cooccurrence']}")
    return ax


@styled
def agreement_plot(
    table: pd.DataFrame,
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of inter-coder agreement per code, one marker per coefficient.

    Parameters
    ----------
    table
        :func:`cape_study.stats.reliability.agreement` by scheme and code (estimates hidden
        by disclosure control are left out). Codes are grouped by scheme.
    lang, codebook
        Language and source of the labels.
    ax
        Axes to draw on; a new figure when ``None``.

    Notes
    -----
    Dotted lines mark alpha = 0.667 and 0.800: Krippendorff (2004, *Content Analysis*,
    2nd ed., p. 241) relies on variables with alpha >= 0.800 and draws tentative
    conclusions only from those with alpha >= 0.667.
    """

    book = codebook_or_default(codebook)
    position = code_positions(table)
    ax = new_axes(ax, 2, 0.65 * len(position) + 4.0)
    present = [c for c in COEFFICIENT_LABELS[lang] if c in set(table["coefficient"])]
    for k, (name, offset) in enumerate(zip(present, marker_offsets(len(present)), strict=True)):
        rows = table[table["coefficient"] == name].dropna(subset=["estimate"])
        y = _code_rows(position, rows, 2.5 * offset)
        label = COEFFICIENT_LABELS[lang][name]
        interval_dots(ax, rows, "estimate", y, color=colour(name, k), label=label)
    for value in (0.667, 0.8):
        ax.axvline(value, color="grey", linestyle=":", linewidth=1)
    ax.plot([], [], color="grey", linestyle=":", label=BARRIER_TITLES[lang]["thresholds"])
    for k, scheme in enumerate(dict.fromkeys(s for s, _ in position)):
        rows = [i for (s, _), i in position.items() if s == scheme]
        if k:
            ax.axhline(min(rows) - 0.5, color="black", linewidth=0.6)
        ax.text(
            1.01,
            (min(rows) + max(rows)) / 2,
            wrap(book.scheme(scheme).label(lang), 22),
            transform=ax.get_yaxis_transform(),
            rotation=-90,
            ha="left",
            va="center",
            fontweight="bold",
        )
    ax.set_yticks(range(len(position)), [wrapped_label(book, s, c, lang, 48) for s, c in position])
    ax.invert_yaxis()
    lows = table["ci_low"].dropna()
    ax.set_xlim(min(-0.1, float(lows.min()) - 0.05) if len(lows) else -0.1, 1.0)
    note_if_hidden(ax, table["estimate"], lang)
    ax.set_xlabel(BARRIER_TITLES[lang]["coefficient"])
    title_axes(ax, BARRIER_TITLES[lang]["agreement"])
    ax.grid(axis="x", alpha=0.3)
    legend_below(ax)
    return ax


def _code_rows(
    position: Mapping[tuple[str, str], int], rows: pd.DataFrame, shift: float
) -> list[float]:
    """The place on the axis of each row's ``(scheme, code)``, moved by ``shift``."""
    return [position[(s, c)] + shift for s, c in zip(rows["scheme"], rows["code"], strict=True)]
