"""Numbers, percentages, intervals and dates as each report language writes them (Babel's
CLDR data), checked against the forms Swedish, Finnish and English style guides give."""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cape_study.present import display
from cape_study.present.plots.style import number_axis, percent_axis

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _english_again():
    yield
    display.use_language("en")


@pytest.mark.parametrize(
    ("lang", "count", "share", "interval", "day"),
    [
        ("sv", f"5{NBSP}588", f"71,6{NBSP}%", f"1,22–5{NBSP}588", "31 dec. 2024"),
        ("fi", f"5{NBSP}588", f"71,6{NBSP}%", f"1,22–5{NBSP}588", "31.12.2024"),
        ("en", "5,588", "71.6%", "1.22–5,588", "31 Dec 2024"),
    ],
)
def test_each_language_writes_numbers_its_own_way(lang, count, share, interval, day):
    assert display.number(5588, lang=lang) == count
    assert display.percent(0.716, lang=lang) == share
    assert display.interval(1.2249, 5588.4, lang=lang) == interval
    assert display.date(dt.date(2024, 12, 31), lang=lang) == day


def test_the_cells_follow_the_language_the_notebook_set():
    display.use_language("sv")
    assert display.Count(1096) == f"1{NBSP}096"
    assert display.Count(1096).value == 1096
    assert display.share_cell(0.123, 0.045, 0.201) == f"12,3{NBSP}% (4,5{NBSP}%–20,1{NBSP}%)"
    assert display.ratio_cell(32.449) == "32,45"
    assert display.ratio_cell(5588.0) == f"5{NBSP}588"
    assert display.p_cell(0.0004) == "<0,001"
    display.use_language("en")
    assert display.share_cell(0.123, 0.045, 0.201) == "12.3% (4.5%–20.1%)"
    assert display.p_cell(0.0123) == "0.012"


def test_an_unknown_language_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="sv, en, fi"):
        display.use_language("de")


def test_a_table_shows_its_numeric_columns_in_the_language():
    display.use_language("sv")
    table = pd.DataFrame({"n": [1234, 5], "x": [0.5, float("nan")], "label": ["a", "b"]})
    html = display.show(table).to_html()
    assert f"1{NBSP}234" in html and "0,50" in html and f">{display.SUPPRESSED}<" in html


def test_percent_ticks_keep_the_decimals_their_steps_need():
    display.use_language("sv")
    fig, ax = plt.subplots()
    ax.set_ylim(0, 0.175)
    ax.set_yticks([0, 0.025, 0.05, 0.075])
    percent_axis(ax.yaxis)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"0,0{NBSP}%", f"2,5{NBSP}%", f"5,0{NBSP}%", f"7,5{NBSP}%"]
    ax.set_yticks([0, 0.1, 0.2])
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"0{NBSP}%", f"10{NBSP}%", f"20{NBSP}%"]
    plt.close(fig)


@pytest.mark.parametrize("top", [0.003, 0.07, 0.175, 0.62, 1.0, 37.0, 5588.4])
def test_tick_labels_written_together_are_those_each_tick_gets_alone(top: float):
    # the decimals are worked out once for the ticks labelled together: each label must
    # be the one the axis' formatter writes for its tick alone, from the axis' own ticks
    display.use_language("sv")
    fig, ax = plt.subplots()
    ax.set_xlim(0, top)
    ax.set_ylim(-top / 3, top)
    percent_axis(ax.xaxis)
    number_axis(ax.yaxis)
    fig.canvas.draw()
    for axis, labels in ((ax.xaxis, ax.get_xticklabels()), (ax.yaxis, ax.get_yticklabels())):
        alone = [axis.get_major_formatter()(v) for v in axis.get_majorticklocs()]
        assert [t.get_text() for t in labels] == alone
    plt.close(fig)
