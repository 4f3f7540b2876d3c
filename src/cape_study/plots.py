"""Figures for the report. Each takes ``ax=None`` (a new figure) and returns the Axes."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cape_study.codebook import Codebook, Language, load_codebook

__all__ = [
    "agreement_plot",
    "cooccurrence_heatmap",
    "forest_plot",
    "funnel_plot",
    "prevalence_plot",
]

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


# -- barriers and reliability (02_barriers) ----------------------------------------------
_BARRIER_TITLES = {
    "en": {
        "prevalence": "{scheme}: share of coded cases with each code",
        "share": "Share of coded cases",
        "cooccurrence": "Codes in the same case: phi (colour) and cases with both (number)",
        "agreement": "Inter-coder agreement per code",
        "coefficient": "Agreement (1 = perfect, 0 = chance)",
        "thresholds": "α = 0.667 and 0.800 (Krippendorff 2004)",
    },
    "sv": {
        "prevalence": "{scheme}: andel kodade ärenden med varje kod",
        "share": "Andel kodade ärenden",
        "cooccurrence": "Koder i samma ärende: phi (färg) och ärenden med båda (antal)",
        "agreement": "Överensstämmelse mellan kodare per kod",
        "coefficient": "Överensstämmelse (1 = perfekt, 0 = slump)",
        "thresholds": "α = 0,667 och 0,800 (Krippendorff 2004)",
    },
}


def _label(book: Codebook, scheme: str, code: str, lang: Language, width: int = 38) -> str:
    return textwrap.fill(book.label(scheme, code, lang), width)


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
        :func:`cape_study.barriers.prevalence` for one scheme, usually after
        :func:`cape_study.disclosure.suppress` (suppressed shares are left out).
    lang, codebook
        Language and source of the labels.
    ax
        Axes to draw on; a new figure when ``None``.
    """
    from cape_study.tables import GROUP_LABELS

    book = codebook or load_codebook()
    codes = table[["scheme", "code"]].drop_duplicates().reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.42 * len(codes) + 1.4))
    position = {
        (s, c): i for i, (s, c) in enumerate(zip(codes["scheme"], codes["code"], strict=True))
    }
    for (group, label), offset in zip(GROUP_LABELS[lang].items(), _offsets(2), strict=True):
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
    ax.set_yticks(range(len(codes)), [_label(book, s, c, lang) for s, c in position], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    titles = _BARRIER_TITLES[lang]
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
        :func:`cape_study.barriers.cooccurrence` after
        :func:`cape_study.barriers.suppress_pairs`: a hidden pair is drawn grey with
        ``·`` and no colour.
    lang, codebook
        Language and source of the labels.
    ax
        Axes to draw on; a new figure when ``None``.
    """
    import seaborn as sns
    from matplotlib.patches import Rectangle

    book = codebook or load_codebook()
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
    labels = [_label(book, s, c, lang, 34) for s, c in items]
    ax.set_xticks(np.arange(n) + 0.5, labels, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(np.arange(n) + 0.5, labels, rotation=0, fontsize=7)
    schemes = " / ".join(book.scheme(s).label(lang) for s in dict.fromkeys(s for s, _ in items))
    ax.set_title(f"{schemes}\n{_BARRIER_TITLES[lang]['cooccurrence']}", fontsize=10)
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
        :func:`cape_study.reliability.agreement` by scheme and code (estimates hidden
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
    from cape_study.tables import COEFFICIENT_LABELS

    book = codebook or load_codebook()
    codes = table[["scheme", "code"]].drop_duplicates().reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.32 * len(codes) + 1.6))
    position = {
        (s, c): i for i, (s, c) in enumerate(zip(codes["scheme"], codes["code"], strict=True))
    }
    present = [c for c in COEFFICIENT_LABELS[lang] if c in set(table["coefficient"])]
    for name, offset in zip(present, _offsets(len(present)), strict=True):
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
    ax.plot([], [], color="grey", linestyle=":", label=_BARRIER_TITLES[lang]["thresholds"])
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
        [_label(book, s, c, lang, 44) for s, c in position],
        fontsize=7,
    )
    ax.invert_yaxis()
    lows = table["ci_low"].dropna()
    ax.set_xlim(min(-0.1, float(lows.min()) - 0.05) if len(lows) else -0.1, 1.0)
    ax.set_xlabel(_BARRIER_TITLES[lang]["coefficient"])
    ax.set_title(_BARRIER_TITLES[lang]["agreement"])
    ax.grid(axis="x", alpha=0.3)
    ax.legend(frameon=False, fontsize=7, loc="lower left")
    return ax


_FOREST = {
    "en": {
        "odds_ratio": ("What predicts reaching prosecution", "Odds ratio"),
        "hazard_ratio": ("Rate of prosecution among cases still open", "Hazard ratio"),
        "axis": "{ratio} ({level} CI, {kind}; log scale)",
        "flagged": "infinite maximum likelihood estimate (separation): Firth estimate",
        "kinds": {"profile penalised likelihood": "profile penalised likelihood"},
    },
    "sv": {
        "odds_ratio": ("Vad förutsäger att ett ärende når åtal", "Oddskvot"),
        "hazard_ratio": ("Takten till åtal bland ärenden som ännu är öppna", "Hazardkvot"),
        "axis": "{ratio} ({level} KI, {kind}; logaritmisk skala)",
        "flagged": "oändlig ML-skattning (separation): Firth-skattning",
        "kinds": {"profile penalised likelihood": "profil av penaliserad likelihood"},
    },
}


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
        The ``table`` of a :class:`cape_study.models.LogisticResult` (odds ratios) or
        :class:`cape_study.models.CoxResult` (hazard ratios); the intercept is left out.
        An interval end that is infinite or beyond the axis is drawn as an arrow.
    labels
        Term -> label (:func:`cape_study.models.term_labels`).
    flagged
        Terms drawn with an open marker and explained in the legend: those whose
        maximum likelihood estimate is infinite (separation).
    lang
        Language of the titles.
    ax
        Axes to draw on; a new figure when ``None``.
    """
    words = _FOREST[lang]
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
            label=words["flagged"] if open_marker else None,
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
    if any(t in flagged for t in rows["term"]):
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, -0.12), fontsize=8)
    return ax
