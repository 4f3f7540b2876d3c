"""Figures for the report. Each takes ``ax=None`` (a new figure) and returns the Axes."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import SUPPRESSED
from cape_study.present.labels import (
    ATTRITION_TITLES,
    BARRIER_TITLES,
    COEFFICIENT_LABELS,
    COMPARISON_HEAD,
    COUNT_WORDS,
    FOREST_TITLES,
    FUNNEL_TITLES,
    GROUP_LABELS,
    OUTCOME_TITLE,
    TEXT_TITLES,
    column_label,
    group_label,
    sort_groups,
    step_labels,
)

__all__ = [
    "agreement_plot",
    "cooccurrence_heatmap",
    "count_bars",
    "flow_heatmap",
    "forest_plot",
    "funnel_groups_plot",
    "funnel_plot",
    "prevalence_plot",
    "public_comparison_plot",
    "show",
    "survival_plot",
    "text_agreement_plot",
]


def show(figure: Figure | Axes, name: str) -> None:
    """Show a figure in the notebook, as ``plt.show()`` does, after exporting it as the
    step's figure ``name`` (:func:`cape_study.notebook.save_figure`: PNG at 300 dpi and
    SVG under ``reports/figures/<step>/``, or ``reports/lab/`` when run by hand)."""
    from cape_study.notebook import save_figure

    fig = figure.get_figure(root=True) if isinstance(figure, Axes) else figure
    save_figure(fig, name)
    plt.show()


def marker_offsets(n: int) -> list[float]:
    width = 0.08
    return [(i - (n - 1) / 2) * width for i in range(n)]


def wrapped_label(book: Codebook, scheme: str, code: str, lang: Language, width: int = 38) -> str:
    return textwrap.fill(book.label(scheme, code, lang), width)


# -- intake --------------------------------------------------------------------
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
        count is drawn as ``·`` on the axis instead of a bar.
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


# -- attrition -----------------------------------------------------------------
def funnel_plot(
    table: pd.DataFrame,
    *,
    by: str | None = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot a funnel: the share reaching each step with its confidence interval.

    Stages are joined by lines; final outcomes (steps of level ``outcome``), which
    split the judged cases rather than follow each other, are drawn as points after a
    divider.

    Parameters
    ----------
    table
        The output of :func:`cape_study.stats.attrition.funnel`, usually after
        :func:`cape_study.privacy.disclosure.suppress` (suppressed steps are left out).
    by
        The grouping column (one line per group), or ``None``.
    lang
        Language of the labels and titles.
    codebook
        Supplies the labels (default: the packaged codebook).
    ax
        Axes to draw on; a new figure when ``None``.
    """

    book = codebook_or_default(codebook)
    labels = step_labels(lang, book)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.8))
    stages = list(
        table["stage"].cat.categories
        if hasattr(table["stage"], "cat")
        else dict.fromkeys(table["stage"])
    )
    positions = {s: i for i, s in enumerate(stages)}
    outcome_steps = (
        set(table.loc[table["level"] == "outcome", "stage"].astype(str))
        if "level" in table
        else set()
    )
    rows = sort_groups(table, [by], book) if by else table
    groups = rows.groupby(rows[by].astype("string"), sort=False) if by else [(None, rows)]
    offsets = marker_offsets(len(groups) if by else 1)
    for (key, group), offset in zip(groups, offsets, strict=True):
        shown = group.dropna(subset=["proportion"])
        name = group_label(by, key, lang, book) if by else key
        color = None
        for outcomes in (False, True):
            part = shown[shown["stage"].astype(str).isin(outcome_steps) == outcomes]
            x = part["stage"].astype(str).map(positions).to_numpy(float) + offset
            y = part["proportion"].to_numpy(float)
            # Interval ends can differ from the estimate by rounding error at 0 and 1.
            err = [
                (y - part["ci_low"].to_numpy(float)).clip(min=0),
                (part["ci_high"].to_numpy(float) - y).clip(min=0),
            ]
            drawn = ax.errorbar(
                x,
                y,
                yerr=err,
                marker="o",
                capsize=3,
                color=color,
                linestyle="none" if outcomes else "-",
                label=None if outcomes else name,
            )
            color = drawn.lines[0].get_color()
    if outcome_steps:
        first = min(positions[s] for s in outcome_steps)
        ax.axvline(first - 0.5, color="grey", linewidth=0.8, linestyle="--")
        ax.text(first - 0.4, 1.0, OUTCOME_TITLE[lang], fontsize=8, color="grey", va="top")
    ax.set_xticks(
        range(len(stages)), [textwrap.fill(labels.get(s, s), 16) for s in stages], fontsize=7
    )
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    title, ylabel = FUNNEL_TITLES[lang]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if by:
        ax.legend(frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return ax


def funnel_groups_plot(
    table: pd.DataFrame,
    group: str,
    *,
    steps: list[str] | None = None,
    lang: Language = "en",
    codebook: Codebook | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot plot of the share of each group's reported cases reaching chosen steps.

    Parameters
    ----------
    table
        :func:`cape_study.stats.attrition.funnel` split by ``group`` (one country's rows),
        after :func:`cape_study.privacy.disclosure.suppress`: hidden shares are left out and a
        hidden group size shows as ``n = ·``.
    group
        The column whose groups are the rows (``sector``, ``period`` ...).
    steps
        The steps to show (default: every step after ``reported``).
    lang, codebook
        Language and source of the labels.
    title
        Axes title (default: none).
    ax
        Axes to draw on; a new figure when ``None``.
    """

    book = codebook_or_default(codebook)
    steps = steps or [s for s in table["stage"].cat.categories if s != "reported"]
    rows = sort_groups(table, [group], book)
    groups = list(dict.fromkeys(rows[group].astype("string")))
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(groups) + 1.5))
    position = {g: i for i, g in enumerate(groups)}
    labels = step_labels(lang, book)
    for step, offset in zip(steps, marker_offsets(len(steps)), strict=True):
        part = rows[rows["stage"] == step].dropna(subset=["proportion"])
        x = part["proportion"].to_numpy(float)
        y = part[group].astype("string").map(position).to_numpy(float) + 2 * offset
        err = [
            (x - part["ci_low"].to_numpy(float)).clip(min=0),
            (part["ci_high"].to_numpy(float) - x).clip(min=0),
        ]
        ax.errorbar(
            x,
            y,
            xerr=err,
            marker="o",
            markersize=4,
            capsize=2,
            linestyle="none",
            label=textwrap.fill(labels.get(step, step), 30),
        )
    sizes = rows.drop_duplicates(group).set_index(
        rows.drop_duplicates(group)[group].astype("string")
    )
    ticks = []
    for g in groups:
        n = sizes.loc[g, "n_cases"]
        size = SUPPRESSED if pd.isna(n) else f"{int(n):,}"
        ticks.append(textwrap.fill(group_label(group, g, lang, book), 32) + f" (n = {size})")
    ax.set_yticks(range(len(groups)), ticks, fontsize=8)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(ATTRITION_TITLES[lang]["share"])
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title)
    return ax


def survival_plot(
    curve: pd.DataFrame,
    *,
    by: str = "country",
    min_count: int = 1,
    lang: Language = "en",
    codebook: Codebook | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Step curves of a Kaplan-Meier or cumulative incidence estimate, with intervals.

    Parameters
    ----------
    curve
        :func:`cape_study.stats.survival.kaplan_meier`, or one cause of
        :func:`~cape_study.stats.survival.cumulative_incidence`, at every observed time, in
        days, split by ``by``.
    min_count
        Disclosure control for a curve: a group's curve is drawn only while at least
        ``min_count`` cases are still at risk, and not where fewer than ``min_count``
        events have happened so far (except none), so that no step rests on fewer
        cases than a published count may. Use the ``min_cell_count`` parameter.
    lang, codebook
        Language and source of the labels.
    title
        Axes title (default: none).
    ax
        Axes to draw on; a new figure when ``None``.
    """

    book = codebook_or_default(codebook)
    estimate = "cif" if "cif" in curve else "survival"
    start = 0.0 if estimate == "cif" else 1.0
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    rows = sort_groups(curve, [by], book)
    for key, part in rows.groupby(rows[by].astype("string"), sort=False):
        events = part["cumulative_events"].to_numpy()
        shown = (part["at_risk"].to_numpy() >= min_count) & ((events == 0) | (events >= min_count))
        t = np.concatenate([[0.0], part["time"].to_numpy(float)]) / 365.25
        y = np.concatenate([[start], np.where(shown, part[estimate], np.nan)])
        low = np.concatenate([[start], np.where(shown, part["ci_low"], np.nan)])
        high = np.concatenate([[start], np.where(shown, part["ci_high"], np.nan)])
        last = int(np.flatnonzero(np.concatenate([[True], shown]))[-1])
        (line,) = ax.step(
            t[: last + 1], y[: last + 1], where="post", label=group_label(by, key, lang, book)
        )
        ax.fill_between(
            t[: last + 1],
            low[: last + 1],
            high[: last + 1],
            step="post",
            alpha=0.2,
            color=line.get_color(),
            linewidth=0,
        )
    titles = ATTRITION_TITLES[lang]
    ax.set_xlabel(titles["years"])
    ax.set_ylabel(titles[estimate])
    ax.set_ylim(0, 1.02 if estimate == "survival" else None)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return ax


def flow_heatmap(
    table: pd.DataFrame,
    row: str,
    col: str,
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of cases from one step of their offence path to the next.

    Parameters
    ----------
    table
        :func:`cape_study.stats.attrition.flow_table` with ``complete=True`` for the two
        steps, after :func:`cape_study.privacy.disclosure.suppress`: a hidden count is drawn
        grey with ``·`` and no colour.
    row, col
        The two steps (``reported``, ``charged``, ``judged``).
    lang, codebook
        Language and source of the labels.
    title
        Axes title (default: none).
    ax
        Axes to draw on; a new figure when ``None``.
    """
    import seaborn as sns
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    book = codebook_or_default(codebook)
    labels = step_labels(lang, book)
    grid = table.assign(**{row: table[row].astype("string"), col: table[col].astype("string")})
    taken = grid[grid["cases"].isna() | (grid["cases"] > 0)]
    # Paths no case took are zeros; steps no case reached are left out.
    rows = [r for r in table[row].cat.categories if r in set(taken[row])]
    cols = [c for c in table[col].cat.categories if c in set(taken[col])]
    counts = (
        grid.pivot_table(index=row, columns=col, values="cases", aggfunc="first", dropna=False)
        .reindex(index=rows, columns=cols)
        .astype("Float64")
    )
    hidden = (
        grid.pivot_table(index=row, columns=col, values="suppressed", aggfunc="first")
        .reindex(index=rows, columns=cols)
        .astype("boolean")
        .fillna(False)
        .astype(bool)
    )
    counts = counts.mask(counts.isna() & ~hidden, 0)
    values = counts.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    text = np.where(
        np.isnan(values), "", np.vectorize(lambda v: f"{v:,.0f}")(np.nan_to_num(values))
    )
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * len(cols) + 3, 0.7 * len(rows) + 1.8))
    positive = values[np.isfinite(values) & (values > 0)]
    top = max(float(positive.max()) if positive.size else 1.0, 2.0)
    sns.heatmap(
        np.where(values > 0, values, 1.0),
        mask=~(values > 0),
        ax=ax,
        cmap="Blues",
        norm=LogNorm(vmin=1, vmax=top),
        vmin=1,
        vmax=top,
        annot=text,
        fmt="",
        annot_kws={"fontsize": 8},
        linewidths=0.5,
        linecolor="white",
        cbar=False,
    )
    for i, j in zip(*np.nonzero(hidden.to_numpy()), strict=True):
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor="#e6e6e6", edgecolor="white"))
        ax.text(j + 0.5, i + 0.5, SUPPRESSED, ha="center", va="center", fontsize=10)
    for i, j in zip(*np.nonzero(values == 0), strict=True):
        ax.text(j + 0.5, i + 0.5, "0", ha="center", va="center", fontsize=8, color="#999")
    ax.set_xticks(
        np.arange(len(cols)) + 0.5,
        [textwrap.fill(labels.get(c, c), 16) for c in cols],
        rotation=0,
        fontsize=7,
    )
    ax.set_yticks(
        np.arange(len(rows)) + 0.5,
        [textwrap.fill(labels.get(r, r), 22) for r in rows],
        rotation=0,
        fontsize=8,
    )
    ax.set_xlabel(column_label(col, lang, book))
    ax.set_ylabel(column_label(row, lang, book))
    if title:
        ax.set_title(title)
    return ax


def public_comparison_plot(
    table: pd.DataFrame,
    *,
    lang: Language = "en",
    ax: Axes | None = None,
) -> Axes:
    """The case file's figures beside the public statistics, one row per comparison.

    Parameters
    ----------
    table
        :func:`cape_study.stats.public_statistics.compare` after
        :func:`cape_study.privacy.disclosure.suppress` of ``case_count``: a hidden count is
        named, not drawn. For a share, both counts are drawn and the denominators
        written beside them.
    lang
        Language of the labels (the comparisons' own labels are already in it).
    ax
        Axes to draw on; a new figure when ``None``.
    """
    titles = ATTRITION_TITLES[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.75 * len(table) + 1.5))
    ys = np.arange(len(table))
    of = COMPARISON_HEAD[lang]["of"]
    for y, r in zip(ys, table.itertuples(), strict=True):
        ax.plot([r.public_value], [y - 0.12], marker="D", color="black", linestyle="none")
        note = f" {of} {int(r.public_total):,}" if pd.notna(r.public_total) else ""
        ax.annotate(
            f"{int(r.public_value):,}{note} ({r.public_period})",
            (r.public_value, y - 0.12),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
        if pd.isna(r.case_count):
            ax.annotate(
                titles["suppressed"] + f" ({r.case_period})",
                (0, y + 0.18),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
                color="C0",
                style="italic",
            )
            continue
        ax.plot([r.case_count], [y + 0.18], marker="o", color="C0", linestyle="none")
        note = ""
        if r.measure == "share":
            note = f" {of} {'·' if pd.isna(r.case_total) else f'{int(r.case_total):,}'}"
        ax.annotate(
            f"{int(r.case_count):,}{note} ({r.case_period})",
            (r.case_count, y + 0.18),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color="C0",
        )
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(-0.2, max(float(table["public_value"].max()), 1) * 6)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ticks = [
        textwrap.fill(r.label, 44)
        + f"\n[public_statistics.csv, {titles['lines' if ',' in r.public_lines else 'line']} "
        + f"{r.public_lines}]"
        for r in table.itertuples()
    ]
    ax.set_yticks(ys, ticks, fontsize=7)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlabel(titles["count"])
    ax.set_title(titles["comparison"])
    ax.grid(axis="x", alpha=0.3)
    ax.plot([], [], marker="D", color="black", linestyle="none", label=titles["public"])
    ax.plot([], [], marker="o", color="C0", linestyle="none", label=titles["case"])
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return ax


# -- barriers ------------------------------------------------------------------
def prevalence_plot(
    table: pd.DataFrame,
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot the prevalence of one scheme's codes in closed and prosecuted cases.

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
    for (group, label), offset in zip(GROUP_LABELS[lang].items(), marker_offsets(2), strict=True):
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
        size = f" (n = {int(n.iloc[0]):,})" if len(n) else ""
        ax.errorbar(x, y, xerr=err, marker="o", capsize=3, linestyle="none", label=label + size)
    ax.set_yticks(
        range(len(codes)), [wrapped_label(book, s, c, lang) for s, c in position], fontsize=8
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
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
        ``·`` and no colour.
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
        ax.text(j + 0.5, i + 0.5, "·", ha="center", va="center", fontsize=9, color="#555")
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
        range(len(codes)),
        [wrapped_label(book, s, c, lang, 44) for s, c in position],
        fontsize=7,
    )
    ax.invert_yaxis()
    lows = table["ci_low"].dropna()
    ax.set_xlim(min(-0.1, float(lows.min()) - 0.05) if len(lows) else -0.1, 1.0)
    ax.set_xlabel(BARRIER_TITLES[lang]["coefficient"])
    ax.set_title(BARRIER_TITLES[lang]["agreement"])
    ax.grid(axis="x", alpha=0.3)
    ax.legend(frameon=False, fontsize=7, loc="lower left")
    return ax


# -- models --------------------------------------------------------------------
def forest_plot(
    table: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    flagged: list[str] | tuple[str, ...] = (),
    lang: Language = "en",
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of odds or hazard ratios with their intervals, on a log scale.

    Parameters
    ----------
    table
        The ``table`` of a :class:`cape_study.stats.models.LogisticResult` (odds ratios) or
        :class:`cape_study.stats.models.CoxResult` (hazard ratios); the intercept is left out.
        An interval end that is infinite or beyond the axis is drawn as an arrow.
    labels
        Term -> label (:func:`cape_study.stats.models.term_labels`).
    flagged
        Terms drawn with an open marker and explained in the legend: those whose
        maximum likelihood estimate is infinite (separation).
    lang
        Language of the titles.
    ax
        Axes to draw on; a new figure when ``None``.
    """
    words = FOREST_TITLES[lang]
    ratio = "odds_ratio" if "odds_ratio" in table else "hazard_ratio"
    rows = table[table["term"] != "(Intercept)"].reset_index(drop=True)
    labels = labels or {}
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 1.6))
    estimate = rows[ratio].to_numpy(float)
    low = rows["ci_low"].to_numpy(float)
    high = rows["ci_high"].to_numpy(float)
    finite = np.r_[estimate, low, high]
    finite = finite[np.isfinite(finite) & (finite > 0)]
    left = min(finite.min(), 1.0) / 1.6 if finite.size else 0.1
    right = min(max(finite.max(), 1.0) * 1.6, max(estimate.max(), 1.0) * 50, 1e4)
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    ax.axvline(1.0, color="0.4", linewidth=1, linestyle="--")
    flagged_shown = [t for t in rows["term"] if t in flagged]
    for i, (est, lo, hi, term) in enumerate(zip(estimate, low, high, rows["term"], strict=True)):
        hi_shown = hi if np.isfinite(hi) and hi <= right else right
        lo_shown = lo if np.isfinite(lo) and lo >= left else left
        ax.plot([lo_shown, hi_shown], [i, i], color="C0", linewidth=1.6)
        for end, shown in ((hi, hi_shown), (lo, lo_shown)):
            if end != shown:
                ax.annotate(
                    "",
                    xy=(shown, i),
                    xytext=(shown / 1.25 if shown == right else shown * 1.25, i),
                    arrowprops={"arrowstyle": "->", "color": "C0"},
                )
        open_marker = term in flagged
        ax.plot(
            min(est, right),
            i,
            marker="D",
            markersize=7,
            color="C0",
            markerfacecolor="white" if open_marker else "C0",
            linestyle="none",
            label=words["flagged"] if open_marker and term == flagged_shown[0] else None,
        )
    ax.set_yticks(
        range(len(rows)), [textwrap.fill(labels.get(t, t), 42) for t in rows["term"]], fontsize=9
    )
    ax.invert_yaxis()
    title, name = words[ratio]
    level = f"{float(rows['confidence'].iloc[0]):.0%}" if len(rows) else ""
    kind = str(rows["interval"].iloc[0]) if len(rows) else ""
    ax.set_title(title)
    ax.set_xlabel(
        words["axis"].format(ratio=name, level=level, kind=words["kinds"].get(kind, kind))
    )
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_minor_formatter(lambda v, _: "")
    ax.grid(axis="x", alpha=0.3, which="major")
    if flagged_shown:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, -0.12), fontsize=8)
    return ax


# -- text_coding ---------------------------------------------------------------
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
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.34 * len(codes) + 1.6))
    position = {c: i for i, c in enumerate(codes)}
    methods = ("classifier", "dictionary", "human")
    markers = {"classifier": "o", "dictionary": "s", "human": "D"}
    for method, offset in zip(methods, marker_offsets(len(methods)), strict=True):
        rows = table[(table["method"] == method)].dropna(subset=["kappa"])
        ax.plot(
            rows["kappa"].to_numpy(float),
            [position[c] + 2.5 * offset for c in rows["code"]],
            marker=markers[method],
            markersize=5,
            linestyle="none",
            label=titles[method],
        )
    ax.set_yticks(
        range(len(codes)), [wrapped_label(book, scheme, c, lang, 44) for c in codes], fontsize=7
    )
    ax.invert_yaxis()
    low = table["kappa"].min()
    ax.set_xlim(min(-0.05, float(low) - 0.05) if pd.notna(low) else -0.05, 1.02)
    ax.axvline(0, color="grey", linewidth=0.6)
    ax.set_xlabel(titles["x"])
    ax.set_title(titles["title"])
    ax.grid(axis="x", alpha=0.3)
    ax.legend(frameon=False, fontsize=7, loc="lower left")
    return ax
