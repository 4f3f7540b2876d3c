"""Figures of the models (03_models)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cape_study.data.codebook import Language
from cape_study.present.display import SUPPRESSED, percent
from cape_study.present.labels import FOREST_TITLES
from cape_study.present.plots.style import colour, new_axes, styled, wrap
from cape_study.present.plots.style import title as title_axes

__all__ = ["forest_plot"]


@styled
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
        An interval end that is infinite or beyond the axis is drawn as an arrow. A term
        whose estimate disclosure control hides (missing:
        :func:`cape_study.stats.model_links.hide_estimates`) keeps its row, marked ``x``
        at 1, with nothing drawn.
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
    ax = new_axes(ax, 2, 0.7 * len(rows) + 3.0)
    ink = colour("all")
    estimate = rows[ratio].to_numpy(float)
    low = rows["ci_low"].to_numpy(float)
    high = rows["ci_high"].to_numpy(float)
    finite = np.r_[estimate, low, high]
    finite = finite[np.isfinite(finite) & (finite > 0)]
    left = min(finite.min(), 1.0) / 1.6 if finite.size else 0.1
    top = float(np.nanmax(estimate)) if np.isfinite(estimate).any() else 1.0
    right = min(max(finite.max() if finite.size else 1.0, 1.0) * 1.6, max(top, 1.0) * 50, 1e4)
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    ax.axvline(1.0, color="0.4", linewidth=1, linestyle="--")
    flagged_shown = [t for t in rows["term"] if t in flagged]
    for i, (est, lo, hi, term) in enumerate(zip(estimate, low, high, rows["term"], strict=True)):
        if np.isnan(est):  # hidden by disclosure control: no estimate, no interval
            ax.text(
                1.0, i, SUPPRESSED, ha="center", va="center", color=ink, backgroundcolor="white"
            )
            continue
        hi_shown = hi if np.isfinite(hi) and hi <= right else right
        lo_shown = lo if np.isfinite(lo) and lo >= left else left
        ax.plot([lo_shown, hi_shown], [i, i], color=ink, linewidth=1.4)
        for end, shown in ((hi, hi_shown), (lo, lo_shown)):
            if end != shown:
                ax.annotate(
                    "",
                    xy=(shown, i),
                    xytext=(shown / 1.25 if shown == right else shown * 1.25, i),
                    arrowprops={"arrowstyle": "->", "color": ink},
                )
        open_marker = term in flagged
        ax.plot(
            min(est, right),
            i,
            marker="D",
            markersize=6,
            color=ink,
            markerfacecolor="white" if open_marker else ink,
            linestyle="none",
            label=words["flagged"] if open_marker and term == flagged_shown[0] else None,
        )
    ax.set_yticks(range(len(rows)), [wrap(labels.get(t, t), 40) for t in rows["term"]])
    ax.invert_yaxis()
    title, name = words[ratio]
    level = f"{percent(float(rows['confidence'].iloc[0]), 0)}" if len(rows) else ""
    kind = str(rows["interval"].iloc[0]) if len(rows) else ""
    title_axes(ax, title)
    ax.set_xlabel(
        words["axis"].format(ratio=name, level=level, kind=words["kinds"].get(kind, kind))
    )
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_minor_formatter(lambda v, _: "")
    ax.grid(axis="x", alpha=0.3, which="major")
    if flagged_shown:
        ax.legend(frameon=False, loc="lower right")
    return ax
