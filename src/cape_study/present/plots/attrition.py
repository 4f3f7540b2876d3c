"""Figures of attrition (01_attrition): funnels, times to an event, offence flows, the public
statistics."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import MONTH_DAYS, SUPPRESSED, number
from cape_study.present.labels import (
    ATTRITION_TITLES,
    COMPARISON_HEAD,
    FUNNEL_TITLES,
    OUTCOME_TITLE,
    column_label,
    group_label,
    sort_groups,
    step_labels,
)
from cape_study.present.plots._shared import (
    interval_dots,
    interval_errors,
    mark_hidden_cells,
    marker_offsets,
    note_if_hidden,
)
from cape_study.present.plots.style import (
    colour,
    new_axes,
    number_axis,
    percent_axis,
    styled,
    wrap,
)
from cape_study.present.plots.style import (
    title as title_axes,
)

__all__ = [
    "fixed_times_plot",
    "flow_heatmap",
    "funnel_groups_plot",
    "funnel_plot",
    "public_comparison_plot",
]


@styled
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
    ax = new_axes(ax, 2, 9.5)
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
        color = colour(key if by else "all")
        for outcomes in (False, True):
            part = shown[shown["stage"].astype(str).isin(outcome_steps) == outcomes]
            ax.errorbar(
                part["stage"].astype(str).map(positions).to_numpy(float) + offset,
                part["proportion"].to_numpy(float),
                yerr=interval_errors(part, "proportion"),
                marker="o",
                color=color,
                linestyle="none" if outcomes else "-",
                label=None if outcomes else name,
            )
    if outcome_steps:
        first = min(positions[s] for s in outcome_steps)
        ax.axvline(first - 0.5, color="grey", linewidth=0.8, linestyle="--")
        ax.text(first - 0.4, 1.0, OUTCOME_TITLE[lang], color="grey", va="top")
    # Ten stages' labels side by side do not fit a page's width unless slanted.
    ax.set_xticks(
        range(len(stages)),
        [wrap(labels.get(s, s), 22) for s in stages],
        rotation=35,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_ylim(0, 1.05)
    percent_axis(ax.yaxis)
    note_if_hidden(ax, table["proportion"], lang)
    title, ylabel = FUNNEL_TITLES[lang]
    title_axes(ax, title)
    ax.set_ylabel(ylabel)
    if by:
        ax.legend(frameon=False, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    return ax


@styled
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
        hidden group size shows as ``n = x``.
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
    ax = new_axes(ax, 2, 0.8 * len(groups) + 2.5)
    position = {g: i for i, g in enumerate(groups)}
    labels = step_labels(lang, book)
    for step, offset in zip(steps, marker_offsets(len(steps)), strict=True):
        part = rows[rows["stage"] == step].dropna(subset=["proportion"])
        y = part[group].astype("string").map(position).to_numpy(float) + 2 * offset
        label = wrap(labels.get(step, step), 30)
        interval_dots(ax, part, "proportion", y, color=colour(step), label=label)
    sizes = rows.drop_duplicates(group).set_index(
        rows.drop_duplicates(group)[group].astype("string")
    )
    ticks = []
    for g in groups:
        n = sizes.loc[g, "n_cases"]
        size = SUPPRESSED if pd.isna(n) else f"{number(int(n))}"
        ticks.append(wrap(group_label(group, g, lang, book) + f" (n = {size})", 24))
    ax.set_yticks(range(len(groups)), ticks)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    note_if_hidden(ax, rows.loc[rows["stage"].isin(steps), "proportion"], lang)
    ax.set_xlabel(ATTRITION_TITLES[lang]["share"])
    ax.grid(axis="x", alpha=0.3)
    title_axes(ax, title)
    return ax


@styled
def fixed_times_plot(
    table: pd.DataFrame,
    *,
    by: str = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Estimates at fixed times since the report, as their table publishes them.

    One dot per group and time with whiskers to its interval, the times evenly spaced
    and named in months (as the table's "3 months", "1 year" round them), a group's
    dots joined by a thin line between times that both show an estimate (a guide for the
    eye, not the curve between them).
    Nothing else is drawn: no estimate at another time, and none that disclosure control
    hides (issue 15: the Kaplan-Meier and cumulative incidence curves at every observed
    time gave back, from their steps and the numbers at risk, the events of every day,
    and with them counts the tables at fixed times hide). An interval is drawn only
    where the table shows it (both ends known).

    Parameters
    ----------
    table
        :func:`cape_study.stats.survival.kaplan_meier`, or one cause of
        :func:`~cape_study.stats.survival.cumulative_incidence`, evaluated at ``times``
        (days) and suppressed (:func:`cape_study.stats.survival.suppress_at_times`): a
        hidden estimate is missing.
    by
        The grouping column (one colour per group).
    lang, codebook
        Language and source of the labels.
    title
        Axes title (default: none).
    ax
        Axes to draw on; a new figure when ``None``.
    """

    book = codebook_or_default(codebook)
    estimate = "cif" if "cif" in table else "survival"
    times = sorted(set(table["time"].astype(float)))
    position = {t: i for i, t in enumerate(times)}
    ax = new_axes(ax, 1, 6.5)
    rows = sort_groups(table, [by], book)
    groups = list(rows.groupby(rows[by].astype("string"), sort=False))
    for (key, part), offset in zip(groups, marker_offsets(len(groups)), strict=True):
        part = part.sort_values("time")
        x = part["time"].astype(float).map(position).to_numpy(float) + 2 * offset
        y = part[estimate].to_numpy(float)
        color = colour(key)
        # a missing value breaks the line: no segment leads to a hidden estimate
        ax.plot(x, y, color=color, linewidth=0.8, alpha=0.6)
        shown = np.isfinite(y)
        dots = part[shown]
        both = (dots["ci_low"].notna() & dots["ci_high"].notna()).to_numpy()
        errors = [np.where(both, e, 0.0) for e in interval_errors(dots, estimate)]
        ax.errorbar(
            x[shown],
            y[shown],
            yerr=errors,
            marker="o",
            linestyle="none",
            color=color,
            label=group_label(by, key, lang, book),
        )
    titles = ATTRITION_TITLES[lang]
    ax.set_xticks(range(len(times)), [number(round(t / MONTH_DAYS)) for t in times])
    ax.set_xlim(-0.5, len(times) - 0.5)
    ax.set_xlabel(titles["times"])
    ax.set_ylabel(titles[estimate])
    ax.set_ylim(0, 1.05)
    percent_axis(ax.yaxis)
    ax.grid(alpha=0.3)
    note_if_hidden(ax, table[estimate], lang)
    ax.legend(frameon=False)
    title_axes(ax, title)
    return ax


@styled
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
        grey with ``x`` and no colour.
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
        np.isnan(values), "", np.vectorize(lambda v: f"{number(v)}")(np.nan_to_num(values))
    )
    ax = new_axes(ax, 1, 1.0 * len(rows) + 3.0)
    positive = values[np.isfinite(values) & (values > 0)]
    top = max(float(positive.max()) if positive.size else 1.0, 2.0)
    with _ticks_set_after():
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
    mark_hidden_cells(ax, hidden.to_numpy())
    for i, j in zip(*np.nonzero(values == 0), strict=True):
        ax.text(j + 0.5, i + 0.5, "0", ha="center", va="center", color="#767676")
    ax.set_xticks(
        np.arange(len(cols)) + 0.5,
        [wrap(labels.get(c, c), 20) for c in cols],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_yticks(
        np.arange(len(rows)) + 0.5, [wrap(labels.get(r, r), 22) for r in rows], rotation=0
    )
    ax.set_xlabel(column_label(col, lang, book))
    ax.set_ylabel(column_label(row, lang, book))
    title_axes(ax, title)
    return ax


@contextlib.contextmanager
def _ticks_set_after() -> Iterator[None]:
    """seaborn's heatmap without the draw of the whole figure it makes to see whether
    its tick labels overlap (to turn them): :func:`flow_heatmap` sets its ticks and their
    turn itself afterwards, so that draw, a third of the figure's time, changes nothing
    (the figure's files are the same bytes with it and without it; test)."""
    import seaborn.matrix as matrix

    draw = getattr(matrix, "_draw_figure", None)
    if draw is None:  # another seaborn: draw as it does
        yield
        return
    matrix._draw_figure = lambda figure: None
    try:
        yield
    finally:
        matrix._draw_figure = draw


@styled
def public_comparison_plot(
    table: pd.DataFrame, *, lang: Language = "en", ax: Axes | None = None
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
    ax = new_axes(ax, 2, 1.4 * len(table) + 2.5)
    case = colour("case")
    ys = np.arange(len(table))
    of = COMPARISON_HEAD[lang]["of"]
    for y, r in zip(ys, table.itertuples(), strict=True):
        ax.plot([r.public_value], [y - 0.12], marker="D", color="black", linestyle="none")
        note = f" {of} {number(int(r.public_total))}" if pd.notna(r.public_total) else ""
        ax.annotate(
            f"{number(int(r.public_value))}{note} ({r.public_period})",
            (r.public_value, y - 0.12),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
        )
        if pd.isna(r.case_count):
            ax.annotate(
                titles["suppressed"] + f" ({r.case_period})",
                (0, y + 0.18),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                color=case,
                style="italic",
            )
            continue
        ax.plot([r.case_count], [y + 0.18], marker="o", color=case, linestyle="none")
        note = ""
        if r.measure == "share":
            note = (
                f" {of} {SUPPRESSED if pd.isna(r.case_total) else f'{number(int(r.case_total))}'}"
            )
        ax.annotate(
            f"{number(int(r.case_count))}{note} ({r.case_period})",
            (r.case_count, y + 0.18),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            color=case,
        )
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(-0.2, max(float(table["public_value"].max()), 1) * 6)
    number_axis(ax.xaxis)
    ticks = [
        wrap(r.label, 36)
        + f"\n[public_statistics.csv, {titles['lines' if ',' in r.public_lines else 'line']} "
        + f"{r.public_lines}]"
        for r in table.itertuples()
    ]
    ax.set_yticks(ys, ticks)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlabel(titles["count"])
    title_axes(ax, titles["comparison"])
    ax.grid(axis="x", alpha=0.3)
    ax.plot([], [], marker="D", color="black", linestyle="none", label=titles["public"])
    ax.plot([], [], marker="o", color=case, linestyle="none", label=titles["case"])
    ax.legend(frameon=False, loc="lower right")
    return ax
