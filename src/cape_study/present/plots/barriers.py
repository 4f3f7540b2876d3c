"""Figures of barriers and inter-coder agreement (02_barriers)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import SUPPRESSED, number
from cape_study.present.labels import BARRIER_TITLES, COEFFICIENT_LABELS, GROUP_LABELS
from cape_study.present.plots._shared import (
    marker_offsets,
    percent_axis,
    wrapped_label,
)

__all__ = ["agreement_plot", "cooccurrence_heatmap", "prevalence_plot"]


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
    codes = table[["scheme", "code"]].drop_duplicates().reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.42 * len(codes) + 1.4))
    position = {
        (s, c): i for i, (s, c) in enumerate(zip(codes["scheme"], codes["code"], strict=True))
    }
    shown = dict(groups if groups is not None else GROUP_LABELS[lang])
    for (group, label), offset in zip(shown.items(), marker_offsets(len(shown)), strict=True):
        rows = table[(table["group"] == group)].dropna(subset=["proportion"])
        y = [
            position[(s, c)] + 3.5 * offset
            for s, c in zip(rows["scheme"], rows["code"], strict=True)
        ]
        x = rows["proportion"].to_numpy(float)
        err = [
            (x - rows["ci_low"].to_numpy(float)).clip(min=0),
            (rows["ci_high"].to_numpy(float) - x).clip(min=0),
        ]
        n = table.loc[table["group"] == group, "n_cases"].dropna()
        size = f" (n = {number(int(n.iloc[0]))})" if len(n) else ""
        ax.errorbar(x, y, xerr=err, marker="o", capsize=3, linestyle="none", label=label + size)
    ax.set_yticks(
        range(len(codes)), [wrapped_label(book, s, c, lang) for s, c in position], fontsize=8
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    titles = BARRIER_TITLES[lang]
    scheme = book.scheme(str(codes["scheme"].iloc[0])).label(lang) if len(codes) else ""
    ax.set_title(titles["prevalence"].format(scheme=scheme))
    ax.set_xlabel(titles["share"])
    ax.grid(axis="x", alpha=0.3)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    return ax


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
    from matplotlib.patches import Rectangle

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
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * n + 4, 0.45 * n + 2))
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
        annot_kws={"fontsize": 7},
        linewidths=0.5,
        linecolor="white",
        square=True,
        cbar_kws={"label": "phi", "shrink": 0.6},
    )
    for i, j in zip(*np.nonzero(hidden), strict=True):
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor="#e6e6e6", edgecolor="white"))
        ax.text(j + 0.5, i + 0.5, SUPPRESSED, ha="center", va="center", fontsize=9, color="#555")
    labels = [wrapped_label(book, s, c, lang, 34) for s, c in items]
    ax.set_xticks(np.arange(n) + 0.5, labels, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(np.arange(n) + 0.5, labels, rotation=0, fontsize=7)
    schemes = " / ".join(book.scheme(s).label(lang) for s in dict.fromkeys(s for s, _ in items))
    ax.set_title(f"{schemes}\n{BARRIER_TITLES[lang]['cooccurrence']}", fontsize=10)
    return ax


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
    codes = table[["scheme", "code"]].drop_duplicates().reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.32 * len(codes) + 1.6))
    position = {
        (s, c): i for i, (s, c) in enumerate(zip(codes["scheme"], codes["code"], strict=True))
    }
    present = [c for c in COEFFICIENT_LABELS[lang] if c in set(table["coefficient"])]
    for name, offset in zip(present, marker_offsets(len(present)), strict=True):
        rows = table[table["coefficient"] == name].dropna(subset=["estimate"])
        y = [
            position[(s, c)] + 2.5 * offset
            for s, c in zip(rows["scheme"], rows["code"], strict=True)
        ]
        x = rows["estimate"].to_numpy(float)
        low = rows["ci_low"].to_numpy(float)
        high = rows["ci_high"].to_numpy(float)
        err = [np.nan_to_num(x - low).clip(min=0), np.nan_to_num(high - x).clip(min=0)]
        ax.errorbar(
            x,
            y,
            xerr=err,
            marker="o",
            markersize=4,
            capsize=2,
            linestyle="none",
            label=COEFFICIENT_LABELS[lang][name],
        )
    for value in (0.667, 0.8):
        ax.axvline(value, color="grey", linestyle=":", linewidth=1)
    ax.plot([], [], color="grey", linestyle=":", label=BARRIER_TITLES[lang]["thresholds"])
    for k, scheme in enumerate(dict.fromkeys(codes["scheme"])):
        rows = [i for (s, _), i in position.items() if s == scheme]
        if k:
            ax.axhline(min(rows) - 0.5, color="black", linewidth=0.6)
        ax.text(
            1.01,
            (min(rows) + max(rows)) / 2,
            textwrap.fill(book.scheme(scheme).label(lang), 22),
            transform=ax.get_yaxis_transform(),
            rotation=-90,
            ha="left",
            va="center",
            fontsize=8,
            fontweight="bold",
        )
    ax.set_yticks(
        range(len(codes)), [wrapped_label(book, s, c, lang, 44) for s, c in position], fontsize=7
    )
    ax.invert_yaxis()
    lows = table["ci_low"].dropna()
    ax.set_xlim(min(-0.1, float(lows.min()) - 0.05) if len(lows) else -0.1, 1.0)
    ax.set_xlabel(BARRIER_TITLES[lang]["coefficient"])
    ax.set_title(BARRIER_TITLES[lang]["agreement"])
    ax.grid(axis="x", alpha=0.3)
    ax.legend(frameon=False, fontsize=7, loc="lower left")
    return ax
