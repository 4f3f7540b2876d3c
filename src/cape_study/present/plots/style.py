"""The figures' house style, in one place: sizes for an A4 page, type, colours, ticks and
line breaks.

Every figure is made at the width it is printed at, one or two A4 text columns
(:data:`ONE_COLUMN_CM`, :data:`TWO_COLUMNS_CM`), so that its type, never under
:data:`MIN_FONT_PT`, keeps its size when pasted. Colours come from the Okabe-Ito
palette, which stays distinct for readers with any common colour-vision deficiency
(Okabe & Ito 2008, *Color Universal Design*, https://jfly.uni-koeln.de/color/); a
country and a stage have the same colour in every figure.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from cape_study.present.display import language, number, percent

__all__ = [
    "COUNTRY_COLOURS",
    "HIDDEN_COLOUR",
    "MAX_HEIGHT_CM",
    "MIN_FONT_PT",
    "OKABE_ITO",
    "ONE_COLUMN_CM",
    "RC",
    "STAGE_COLOURS",
    "TWO_COLUMNS_CM",
    "colour",
    "colours",
    "figure",
    "legend_below",
    "new_axes",
    "number_axis",
    "percent_axis",
    "styled",
    "title",
    "wrap",
]

#: Widths of a figure printed across one or both columns of an A4 page (cm).
ONE_COLUMN_CM = 8.0
TWO_COLUMNS_CM = 16.5
#: The smallest type of a figure at its printed width (pt).
MIN_FONT_PT = 8.0
#: The tallest figure: an A4 page's text height (cm).
MAX_HEIGHT_CM = 23.0
_CM = 1 / 2.54

#: The Okabe-Ito palette, by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Each country's colour, and that of all countries together, in every figure.
COUNTRY_COLOURS = {"all": OKABE_ITO["black"], "SE": OKABE_ITO["blue"], "FI": OKABE_ITO["orange"]}
#: Each stage's colour in every figure that tells stages apart by colour.
STAGE_COLOURS = {
    "reported": "#777777",
    "investigation_opened": OKABE_ITO["sky_blue"],
    "suspect_notified": OKABE_ITO["bluish_green"],
    "prosecuted": OKABE_ITO["reddish_purple"],
    "judgment_first_instance": OKABE_ITO["vermillion"],
    "judgment_appeal": OKABE_ITO["yellow"],
    "judgment_supreme": OKABE_ITO["black"],
    "closed": "#777777",
}
#: Colours of other groups (coefficients, methods ...), in order: those of neither a
#: country nor a stage first.
_CYCLE = [
    OKABE_ITO[c]
    for c in ("bluish_green", "vermillion", "reddish_purple", "sky_blue", "orange", "blue")
]
#: The fill of a hidden cell or bar.
HIDDEN_COLOUR = "#d9d9d9"

#: Matplotlib settings of every figure.
RC: dict[str, Any] = {
    # matplotlib's own DejaVu Sans, the same on every machine (no system font needed).
    "font.family": ["DejaVu Sans"],
    "font.size": MIN_FONT_PT,
    "axes.titlesize": 9.0,
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 9.0,
    "axes.prop_cycle": cycler(color=_CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.2,
    "lines.markersize": 4.5,
    "errorbar.capsize": 2.0,
    "figure.dpi": 100,
    "svg.fonttype": "none",
}

F = TypeVar("F", bound=Callable[..., Any])


def styled(function: F) -> F:
    """Draw ``function``'s figure in the house style (:data:`RC`)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with plt.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def figure(
    columns: Literal[1, 2] = 2,
    height: float = 7.0,
    *,
    nrows: int = 1,
    ncols: int = 1,
    **kwargs: Any,
) -> tuple[Figure, Any]:
    """A new figure as wide as ``columns`` A4 columns and ``height`` cm tall (at most a
    page), laid out so that nothing leaves it, with ``nrows`` x ``ncols`` axes
    (``plt.subplots``' other arguments pass through)."""
    width = {1: ONE_COLUMN_CM, 2: TWO_COLUMNS_CM}[columns]
    size = (width * _CM, min(height, MAX_HEIGHT_CM) * _CM)
    with plt.rc_context(RC):
        return plt.subplots(nrows, ncols, figsize=size, layout="constrained", **kwargs)


def new_axes(ax: Axes | None, columns: Literal[1, 2] = 2, height: float = 7.0) -> Axes:
    """``ax``, or the axes of a new :func:`figure`."""
    if ax is not None:
        return ax
    return figure(columns, height)[1]


def legend_below(ax: Axes, ncol: int = 2) -> None:
    """The legend of ``ax`` under the figure, where it covers no point, when ``ax`` is
    its figure's only axes and the figure is laid out; else inside, where it covers
    least."""
    fig = ax.get_figure(root=True)
    if len(fig.axes) == 1 and fig.get_layout_engine() is not None:
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=ncol, frameon=False)
    else:
        ax.legend(frameon=False, loc="best")


def colour(key: object, index: int = 0) -> str:
    """The colour of a country or stage ``key``, else the ``index``-th of the others."""
    key = str(key)
    return COUNTRY_COLOURS.get(key) or STAGE_COLOURS.get(key) or _CYCLE[index % len(_CYCLE)]


def colours(keys: Iterable[object]) -> list[str]:
    """:func:`colour` of each of ``keys``, the others in turn."""
    return [colour(k, i) for i, k in enumerate(keys)]


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters between words (a word
    longer than that keeps its own line whole)."""
    return textwrap.fill(str(text), width, break_long_words=False, break_on_hyphens=False)


def title(ax: Axes, text: str | None, width: float | None = None) -> None:
    """Set ``ax``'s title, broken between words to fit the axes' width, or ``width`` cm
    (if ``text``)."""
    if not text:
        return
    if width is None:
        width = ax.get_position().width * ax.get_figure(root=True).get_figwidth() * 2.54
    points = width * 72 / 2.54
    # A letter of a sans-serif face is about half its size wide, on average.
    per_line = max(12, int(points / (0.5 * RC["axes.titlesize"])))
    ax.set_title("\n".join(wrap(line, per_line) for line in text.split("\n")))


def percent_axis(axis: Axis) -> None:
    """Label ``axis`` (shares from 0 to 1) in percent, in the run's language: ticks on
    steps of 1, 2 or 5 times a power of ten (unless set by hand), written with as many
    decimals as they need (``2,5 %`` at 2.5 % steps, never a rounded ``2 %``)."""
    if not isinstance(axis.get_major_locator(), FixedLocator):
        axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    axis.set_major_formatter(_TickLabels(axis, percent, 100))


def number_axis(axis: Axis) -> None:
    """Label ``axis`` with numbers in the run's language (``5 588``), with as many
    decimals as its ticks need."""
    axis.set_major_formatter(_TickLabels(axis, number, 1))


class _TickLabels(FuncFormatter):
    """Labels of the major ticks of ``axis``, each value written by ``write(value,
    decimals)`` with :func:`_decimals` of the axis: worked out once for the ticks
    labelled together (matplotlib labels the major ticks with the axis' major tick
    locations, :meth:`format_ticks`), not once per tick from the axis' locator."""

    def __init__(self, axis: Axis, write: Callable[[float, int], str], scale: float) -> None:
        super().__init__(lambda v, _: write(v, _decimals(axis, scale)))
        self._write, self._scale = write, scale

    def format_ticks(self, values: Any) -> list[str]:
        self.set_locs(values)
        decimals = _fewest_decimals(values, self._scale)
        lang = language()
        return [
            _tick_label(self._write, v, decimals, lang, type(v), float(v).hex()) for v in values
        ]


@functools.lru_cache(maxsize=4096)
def _tick_label(
    write: Callable[[float, int], str], value: float, decimals: int, lang: str, *_key: object
) -> str:
    """``write(value, decimals)`` in the run's language ``lang``, written once: matplotlib
    labels an axis' ticks at each draw and each time a layout measures the axes (a dozen
    times for a figure written to its files), and Babel takes some 60 µs a label (9 µs
    from here). ``_key`` (the value's type and exact bits) keeps apart values equal to
    Python but not written alike (``-0.0`` and ``0.0``)."""
    return write(value, decimals)


def _decimals(axis: Axis, scale: float) -> int:
    """The fewest decimals (up to 3) that write every major tick of ``axis`` exactly."""
    return _fewest_decimals(axis.get_majorticklocs(), scale)


def _fewest_decimals(locations: Any, scale: float) -> int:
    """The fewest decimals (up to 3) that write every one of ``locations`` times
    ``scale`` exactly."""
    ticks = np.asarray(locations, float) * scale
    for decimals in range(4):
        if np.all(np.abs(ticks - np.round(ticks, decimals)) < 1e-9 * np.maximum(1, abs(ticks))):
            return decimals
    return 3
