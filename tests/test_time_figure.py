"""01's figure of times to an event publishes no more than its tables at fixed times
(issue 15): the Kaplan-Meier and cumulative incidence curves drawn at every observed time
gave back, from their steps and the numbers at risk, the events of each day, and with
them counts that the tables at fixed times hide. The figure now draws each published
estimate and interval at the tables' times and nothing else; a hidden estimate is named
in a note, not drawn; the tests between countries are withheld when the published table
shows too few prosecutions."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer

from cape_study.paths import project
from cape_study.present import plots, tables
from cape_study.stats import survival, survival_tests

HORIZONS = [90, 180, 365, 730, 1095]
CAUSES = ["prosecuted", "closed"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _times() -> pd.DataFrame:
    """Sweden: 40 cases ending over two years, 3 prosecuted within a year (a small count
    the table hides), 2 open past three years; Finland: 12 cases, every estimate after
    six months resting on fewer than 5 at risk."""
    rng = np.random.default_rng(7)
    se_days = [*np.sort(rng.integers(5, 720, 38)).tolist(), 1200, 1300]
    se_event = ["closed"] * 38 + ["censored"] * 2
    for i in (3, 10, 20):
        se_event[i] = "prosecuted"
    for i in range(25, 38):
        se_event[i] = "prosecuted" if i % 2 else "closed"
    fi_days = [20, 40, 60, 80, 100, 120, 150, 170, 200, 260, 400, 900]
    fi_event = ["closed", "prosecuted"] * 5 + ["censored", "closed"]
    frame = pd.DataFrame(
        {
            "country": ["SE"] * 40 + ["FI"] * 12,
            "days": se_days + fi_days,
            "event": se_event + fi_event,
        }
    )
    return frame.assign(ended=frame["event"] != "censored")


def _published(protection) -> dict[str, pd.DataFrame]:
    """The tables at fixed times as 01 publishes them."""
    times, options = _times(), dict(by="country", times=HORIZONS)
    at_times = {
        "still open": survival.kaplan_meier(times, "days", "ended", **options),
        "cumulative incidence": survival.cumulative_incidence(
            times, "days", "event", causes=CAUSES, **options
        ),
    }
    return {
        name: survival.suppress_at_times(table, protection, threshold=5, name=name)
        for name, table in at_times.items()
    }


def _drawn(ax) -> tuple[set, set, dict]:
    """What an axes of :func:`plots.fixed_times_plot` draws: the (group colour, time
    index, value) of every dot, of every point a line passes through, and each dot's
    whisker ends."""
    dots, line_points, whiskers = set(), set(), {}
    for container in ax.containers:
        assert isinstance(container, ErrorbarContainer)
        line, _, bars = container.lines
        colour = line.get_color()
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
            dots.add((colour, round(float(x)), round(float(y), 12)))
        for segments in bars:
            for (x, low), (_, high) in segments.get_segments():
                whiskers[colour, round(float(x)), round(float(low), 12)] = round(float(high), 12)
    containers = {id(c.lines[0]) for c in ax.containers}
    containers |= {id(cap) for c in ax.containers for cap in c.lines[1]}
    for line in ax.lines:
        if id(line) in containers:
            continue
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
            if np.isfinite(y):
                line_points.add((line.get_color(), round(float(x)), round(float(y), 12)))
    return dots, line_points, whiskers


def _colour_of(ax, label: str) -> str:
    handles, labels = ax.get_legend_handles_labels()
    return handles[labels.index(label)].lines[0].get_color()


def test_the_figure_draws_exactly_the_published_estimates(protection) -> None:
    published = _published(protection)
    panels = tables.time_panels(published, CAUSES, lang="en")
    assert len(panels) == 3
    _fig, axes = plots.figure(2, 7.5, ncols=3, sharey=True)
    hidden_somewhere = 0
    for ax, (title, table) in zip(axes, panels.items(), strict=True):
        plots.fixed_times_plot(table, lang="en", ax=ax, title=title)
        estimate = "cif" if "cif" in table else "survival"
        expected_dots, expected_whiskers = set(), {}
        for country, label in (("SE", "Sweden"), ("FI", "Finland")):
            colour = _colour_of(ax, label)
            rows = table[table["country"] == country]
            for r in rows.itertuples():
                value = getattr(r, estimate)
                if pd.isna(value):
                    continue
                key = (colour, HORIZONS.index(r.time), round(float(value), 12))
                expected_dots.add(key)
                if pd.notna(r.ci_low) and pd.notna(r.ci_high):
                    expected_whiskers[colour, key[1], round(float(r.ci_low), 12)] = round(
                        float(r.ci_high), 12
                    )
            hidden_somewhere += int(rows[estimate].isna().sum())
        dots, line_points, whiskers = _drawn(ax)
        # no hidden estimate, no time the table lacks, no value the table does not show
        assert dots == expected_dots, title
        assert line_points <= expected_dots, title
        # every interval the table shows, and none it does not (an end missing)
        drawn = {k: v for k, v in whiskers.items() if v != k[2]}
        assert drawn == {k: v for k, v in expected_whiskers.items() if v != k[2]}, title
        # the times on the axis are the table's, in months
        assert [t.get_text() for t in ax.get_xticklabels()] == ["3", "6", "12", "24", "36"]
    assert hidden_somewhere >= 3  # the case the figure must respect


def test_a_hidden_estimate_is_named_in_the_note_and_nothing_else(protection) -> None:
    published = _published(protection)
    panels = tables.time_panels(published, CAUSES, lang="en")
    note = tables.hidden_times_text(panels, lang="en")
    incidence = published["cumulative incidence"]
    prosecuted_se = incidence[(incidence["country"] == "SE") & (incidence["cause"] == "prosecuted")]
    hidden = prosecuted_se.loc[prosecuted_se["cif"].isna(), "time"].tolist()
    assert 180 in hidden  # 3 prosecutions by six months: small, hidden
    assert note.startswith("Not drawn in the figure, because the tables above hide them (x): ")
    assert "Prosecuted (charged), Sweden: 6 months" in note
    # one item per panel and country with a hidden estimate
    expected = sum(
        int(
            (
                t["survival" if "survival" in t else "cif"].isna()
                & ~(t["at_risk"].notna() & (t["at_risk"] == 0))
            )
            .groupby(t["country"])
            .any()
            .sum()
        )
        for t in panels.values()
    )
    assert note.count(";") == expected - 1
    sv = tables.hidden_times_text(tables.time_panels(published, CAUSES, lang="sv"), lang="sv")
    assert sv.startswith("Inte ritade i figuren") and "Sverige: 6 månader" in sv
    shown = {
        k: t.assign(**{c: 0.5 for c in ("survival", "cif") if c in t}) for k, t in published.items()
    }
    assert tables.hidden_times_text(tables.time_panels(shown, CAUSES), lang="en") == ""


def test_an_estimate_not_estimable_is_not_called_hidden() -> None:
    table = pd.DataFrame(
        {
            "country": ["SE", "SE"],
            "time": [90.0, 180.0],
            "at_risk": pd.array([10, 0], dtype="Int64"),
            "cumulative_events": pd.array([6, 9], dtype="Int64"),
            "survival": [0.4, np.nan],
            "ci_low": [0.2, np.nan],
            "ci_high": [0.6, np.nan],
        }
    )
    panels = {"Still open": table}
    assert tables.hidden_times_text(panels, lang="en") == ""
    ax = plots.fixed_times_plot(table, lang="en")
    dots, _, _ = _drawn(ax)
    assert {(x, y) for _, x, y in dots} == {(0, 0.4)}


def test_a_figure_with_every_estimate_hidden_says_so() -> None:
    table = pd.DataFrame(
        {
            "country": ["FI"],
            "time": [90.0],
            "at_risk": pd.array([pd.NA], dtype="Int64"),
            "cumulative_events": pd.array([pd.NA], dtype="Int64"),
            "cif": [np.nan],
            "ci_low": [np.nan],
            "ci_high": [np.nan],
        }
    )
    ax = plots.fixed_times_plot(table, lang="sv")
    assert "x dolt (röjandekontroll)" in [t.get_text() for t in ax.texts]
    assert _drawn(ax)[0] == set()


def test_time_panels_say_what_they_lack(protection) -> None:
    published = _published(protection)
    with pytest.raises(ValueError, match="lack"):
        tables.time_panels({"still open": published["still open"]}, CAUSES)
    with pytest.raises(ValueError, match="no cause"):
        tables.time_panels(published, ["convicted"])


def test_the_tests_are_withheld_where_the_table_shows_few_prosecutions() -> None:
    def table(counts: dict[str, list]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                (country, "prosecuted", t, n)
                for country, ns in counts.items()
                for t, n in zip(HORIZONS, ns, strict=False)
            ]
            + [("SE", "closed", 90, 40), ("FI", "closed", 90, 40)],
            columns=["country", "cause", "time", "cumulative_events"],
        ).astype({"cumulative_events": "Int64"})

    rule = survival_tests.too_few_published
    assert rule(table({"SE": [0, 2, 6], "FI": [5, 5, 5]}), threshold=5) == []
    # Finland's counts all hidden: withheld, though closures are many
    assert rule(table({"SE": [0, 2, 6], "FI": [pd.NA, pd.NA]}), threshold=5) == ["FI"]
    assert rule(table({"SE": [0, 4, pd.NA], "FI": [3, 4]}), threshold=5) == ["FI", "SE"]
    with pytest.raises(ValueError, match="no row of cause"):
        rule(table({"SE": [6]}), threshold=5, cause="acquitted")
    with pytest.raises(ValueError, match="no column"):
        rule(table({"SE": [6]}).drop(columns="cause"), threshold=5)


def test_01_draws_its_times_from_the_published_tables_only() -> None:
    nb = json.loads((project().root / "notebooks/01_attrition.ipynb").read_text("utf-8"))
    code = [("".join(c["source"]), c["id"]) for c in nb["cells"] if c["cell_type"] == "code"]
    ids = [i for _, i in code]
    source = "\n".join(s for s, _ in code)
    # no curve at every observed time is computed, let alone drawn
    assert "times=horizons" in source
    for call in ("survival.kaplan_meier(", "survival.cumulative_incidence("):
        starts = [i for i in range(len(source)) if source.startswith(call, i)]
        assert starts, call
        for start in starts:
            depth, end = 0, start + len(call) - 1
            for end in range(start + len(call) - 1, len(source)):
                depth += {"(": 1, ")": -1}.get(source[end], 0)
                if depth == 0:
                    break
            assert "times=horizons" in source[start:end], source[start:end]
    figure = next(s for s, _ in code if "fixed_times_plot" in s)
    assert "tables.time_panels(safe_times" in figure and "hidden_times_text" in figure
    tables_cell = next(i for s, i in code if "safe_times[name] =" in s)
    figure_cell = next(i for s, i in code if "fixed_times_plot" in s)
    assert ids.index(figure_cell) > ids.index(tables_cell)
    tests = next(s for s, _ in code if "compare_groups(" in s)
    assert tests.index("too_few_published(") < tests.index("compare_groups(")
