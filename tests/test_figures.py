"""The figures' house style (present/plots/style.py), on small frames: printed sizes, type
of at least 8 pt, SVG with text, fixed colours, no band or bar where an estimate is
hidden, ticks on round steps, labels broken between words."""

from __future__ import annotations

import re
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.text import Text
from PIL import Image

from cape_study import notebook
from cape_study.present import display, plots
from cape_study.present.labels import step_labels
from cape_study.present.plots import style

STAGES = ["reported", "investigation_opened", "prosecuted", "judgment_first_instance"]
OUTCOMES = ["convicted_trafficking", "acquitted"]


def _funnel() -> pd.DataFrame:
    rows = []
    for country, shares in {"all": [1, 0.8, 0.3, 0.2], "SE": [1, 0.9, 0.25, 0.15]}.items():
        for stage, share in zip(STAGES, shares, strict=True):
            rows.append((country, stage, "stage", 40, share))
        rows += [(country, "convicted_trafficking", "outcome", 8, 0.5)]
        rows += [(country, "acquitted", "outcome", 8, np.nan)]  # hidden
    rows.append(("FI", "reported", "stage", 20, 1.0))
    frame = pd.DataFrame(rows, columns=["country", "stage", "level", "n_cases", "proportion"])
    frame["stage"] = pd.Categorical(frame["stage"], categories=STAGES + OUTCOMES)
    return frame.assign(ci_low=frame["proportion"] - 0.05, ci_high=frame["proportion"] + 0.05)


def _groups() -> pd.DataFrame:
    rows = [
        (sector, stage, 30, share)
        for sector in ["construction", "cleaning"]
        for stage, share in zip(STAGES, [1.0, 0.7, 0.2, np.nan], strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["sector", "stage", "n_cases", "proportion"])
    frame["stage"] = pd.Categorical(frame["stage"], categories=STAGES)
    return frame.assign(
        country="SE", ci_low=frame["proportion"] - 0.1, ci_high=frame["proportion"] + 0.1
    )


def _at_times(estimate: str = "cif") -> pd.DataFrame:
    """Two countries' estimates at fixed times; SE's at 12 months is hidden, with its
    interval."""
    parts = []
    for country in ["SE", "FI"]:
        value = np.linspace(0.05, 0.4, 4)
        part = pd.DataFrame(
            {
                "country": country,
                "time": [90.0, 180.0, 365.0, 730.0],
                estimate: value,
                "ci_low": value * 0.8,
                "ci_high": value * 1.2 + 0.02,
                "at_risk": [60, 40, 20, 10],
                "cumulative_events": [5, 9, 14, 20],
            }
        )
        if country == "SE":
            part.loc[2, [estimate, "ci_low", "ci_high"]] = np.nan
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _flows() -> pd.DataFrame:
    steps = ["trafficking", "exploitation"]
    frame = pd.DataFrame(
        {
            "reported": pd.Categorical(["trafficking", "trafficking", "exploitation"], steps),
            "charged": pd.Categorical(["trafficking", "exploitation", "exploitation"], steps),
            "cases": pd.array([12, pd.NA, 9], dtype="Int64"),
        }
    )
    return frame.assign(suppressed=frame["cases"].isna())


def _comparison() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Reported trafficking offences, Sweden", "Prosecutions, Finland"],
            "measure": ["count", "share"],
            "public_value": [120, 30],
            "public_total": [np.nan, 200],
            "public_period": ["2021", "2022"],
            "public_lines": ["4", "7, 8"],
            "case_count": [40, np.nan],
            "case_total": [np.nan, np.nan],
            "case_period": ["2021", "2022"],
        }
    )


def _prevalence(groups: list[str]) -> pd.DataFrame:
    codes = ["victim_not_participating", "victim_dependence", "weak_documentary_evidence"]
    rows = [
        ("barrier", code, group, 30, share)
        for group in groups
        for code, share in zip(codes, [0.4, 0.15, np.nan], strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["scheme", "code", "group", "n_cases", "proportion"])
    return frame.assign(ci_low=frame["proportion"] - 0.1, ci_high=frame["proportion"] + 0.1)


def _pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scheme_a": ["barrier", "barrier"],
            "code_a": ["victim_not_participating", "victim_not_participating"],
            "scheme_b": ["barrier", "barrier"],
            "code_b": ["victim_dependence", "victim_left_country"],
            "phi": [0.3, np.nan],
            "both": [9, np.nan],
            "suppressed": [False, True],
        }
    )


def _agreement() -> pd.DataFrame:
    rows = [
        ("barrier", code, coefficient, estimate)
        for code in ["victim_not_participating", "victim_dependence"]
        for coefficient, estimate in [("cohen_kappa", 0.7), ("krippendorff_alpha", 0.75)]
    ]
    frame = pd.DataFrame(rows, columns=["scheme", "code", "coefficient", "estimate"])
    return frame.assign(ci_low=frame["estimate"] - 0.1, ci_high=frame["estimate"] + 0.1)


def _counts() -> pd.DataFrame:
    return pd.DataFrame(
        {"sector": ["cleaning", "construction", "cleaning"], "country": ["SE", "SE", "FI"]}
    ).assign(cases=pd.array([12, pd.NA, 7], dtype="Int64"))


def _ratios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["(Intercept)", "country[T.FI]", "sector[T.cleaning]"],
            "odds_ratio": [0.5, 2.0, 0.7],
            "ci_low": [0.2, 1.1, 0.3],
            "ci_high": [1.0, 3.9, np.inf],
            "confidence": 0.95,
            "interval": "profile",
        }
    )


def _kappas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["victim_dependence"] * 3 + ["victim_left_country"] * 3,
            "method": ["classifier", "dictionary", "human"] * 2,
            "kappa": [0.6, 0.4, 0.8, np.nan, 0.2, 0.7],
        }
    )


#: Each figure function of notebooks 00-04, drawn on a small frame.
FIGURES: dict[str, Callable[[str], Axes]] = {
    "funnel": lambda lang: plots.funnel_plot(_funnel(), lang=lang),
    "funnel_groups": lambda lang: plots.funnel_groups_plot(
        _groups(), "sector", lang=lang, title="Sverige"
    ),
    "times": lambda lang: plots.fixed_times_plot(_at_times(), lang=lang),
    "flows": lambda lang: plots.flow_heatmap(_flows(), "reported", "charged", lang=lang),
    "comparison": lambda lang: plots.public_comparison_plot(_comparison(), lang=lang),
    "prevalence": lambda lang: plots.prevalence_plot(
        _prevalence(["SE", "FI"]), lang=lang, groups={"SE": "Sweden", "FI": "Finland"}
    ),
    "cooccurrence": lambda lang: plots.cooccurrence_heatmap(_pairs(), lang=lang),
    "agreement": lambda lang: plots.agreement_plot(_agreement(), lang=lang),
    "counts": lambda lang: plots.count_bars(_counts(), x="sector", hue="country", lang=lang),
    "forest": lambda lang: plots.forest_plot(_ratios(), lang=lang),
    "text_agreement": lambda lang: plots.text_agreement_plot(_kappas(), lang=lang),
}
WIDTHS = {style.ONE_COLUMN_CM, style.TWO_COLUMNS_CM}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
    display.use_language("en")


def _texts(ax: Axes) -> list[Text]:
    fig = ax.get_figure(root=True)
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("name", FIGURES)
def test_each_figure_is_one_or_two_a4_columns_wide_with_type_of_8_pt_or_more(name):
    ax = FIGURES[name]("sv")
    width_cm = ax.get_figure(root=True).get_figwidth() * 2.54
    assert min(abs(width_cm - w) for w in WIDTHS) < 0.01, (name, width_cm)
    small = [(t.get_text(), t.get_fontsize()) for t in _texts(ax) if t.get_fontsize() < 8]
    assert not small, (name, small)


def test_an_exported_figure_keeps_its_printed_width_its_text_and_the_synthetic_mark(tmp_path):
    ax = FIGURES["funnel"]("sv")
    fig = ax.get_figure(root=True)
    height = fig.get_figheight()
    png, svg = notebook.write_figure(fig, tmp_path, "Stage funnel", mark="SYNTETISKA DATA")
    assert Image.open(png).size[0] == pytest.approx(style.TWO_COLUMNS_CM / 2.54 * 300, abs=2)
    text = svg.read_text(encoding="utf-8")
    assert "<text" in text and "SYNTETISKA DATA" in text
    assert "Andel anmälda ärenden" in text  # the title, searchable
    assert fig.get_figheight() == height and "SYNTETISKA DATA" not in str(fig.texts)


def _colours_by_label(ax: Axes) -> dict[str, str]:
    handles, labels = ax.get_legend_handles_labels()
    found = {}
    for handle, label in zip(handles, labels, strict=True):
        artist = handle.lines[0] if hasattr(handle, "lines") else handle
        artist = artist.patches[0] if hasattr(artist, "patches") else artist
        if hasattr(artist, "get_color") and not hasattr(artist, "get_facecolor"):
            found[label] = to_hex(artist.get_color())
        else:
            found[label] = to_hex(artist.get_facecolor())
    return found


def test_a_country_has_the_same_colour_in_every_figure():
    sweden, finland = to_hex(style.COUNTRY_COLOURS["SE"]), to_hex(style.COUNTRY_COLOURS["FI"])
    assert sweden != finland
    for name in ["funnel", "times", "prevalence", "counts"]:
        colours = _colours_by_label(FIGURES[name]("en"))
        shown = {k.split(" (")[0]: v for k, v in colours.items()}
        assert shown["Sweden"] == sweden, name
        assert shown.get("Finland", finland) == finland, name
    stages = _colours_by_label(FIGURES["funnel_groups"]("en"))
    labels = step_labels("en")
    assert stages[labels["prosecuted"]] == to_hex(style.STAGE_COLOURS["prosecuted"])


def test_no_dot_or_whisker_is_drawn_where_the_estimate_is_hidden():
    ax = FIGURES["times"]("en")
    sweden = to_hex(style.COUNTRY_COLOURS["SE"])
    xs = []
    for container in ax.containers:
        line, _, bars = container.lines
        if to_hex(line.get_color()) != sweden:
            continue
        xs += [round(float(x)) for x in line.get_xdata()]
        xs += [round(float(seg[0][0])) for b in bars for seg in b.get_segments()]
    # SE's third time (12 months) is hidden: neither its dot nor a whisker is drawn there
    assert sorted(set(xs)) == [0, 1, 3]


def test_the_funnel_draws_no_interval_where_the_share_is_hidden():
    ax = FIGURES["funnel"]("en")
    acquitted = _funnel()["stage"].cat.categories.get_loc("acquitted")
    xs = np.concatenate([np.asarray(line.get_xdata(), float) for line in ax.lines])
    assert not (np.abs(xs - acquitted) < 0.3).any()


def test_a_hidden_bar_is_a_visible_stub_with_its_mark():
    ax = FIGURES["counts"]("en")
    stubs = [p for p in ax.patches if p.get_hatch()]
    assert len(stubs) == 1
    # visible in print: at least 1 mm tall on the page
    height_pt = (
        ax.transData.transform((0, stubs[0].get_height()))[1] - ax.transData.transform((0, 0))[1]
    )
    assert height_pt * 72 / ax.get_figure(root=True).dpi / 72 * 25.4 >= 1.0
    assert display.SUPPRESSED in [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("top", [0.18, 0.45, 0.07, 1.0])
def test_percent_ticks_fall_on_steps_of_one_two_or_five(top):
    display.use_language("sv")
    fig, ax = style.figure(1, 6)
    ax.plot([0, 1], [0, top])
    ax.set_ylim(0, top)
    style.percent_axis(ax.yaxis)
    fig.canvas.draw()
    shown = [
        (t, label.get_text())
        for t, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
        if 0 <= t <= top + 1e-12
    ]
    ticks = [t for t, _ in shown]
    steps = np.diff(ticks) * 100
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert round(mantissa, 6) in {1, 2, 5}, ticks
    numbers = [float(re.sub(r"[^\d,]", "", text).replace(",", ".")) for _, text in shown]
    assert numbers == pytest.approx([t * 100 for t in ticks])


def test_labels_break_between_words_never_inside_one():
    assert (
        style.wrap("Dömd för arbetskraftsexploatering", 10) == "Dömd för\narbetskraftsexploatering"
    )
    ax = FIGURES["funnel"]("sv")
    labels = set(step_labels("sv").values())
    for tick in ax.get_xticklabels():
        assert tick.get_text().replace("\n", " ") in labels


def test_a_figure_drawn_as_before_is_copied_from_the_cache_byte_for_byte(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from cape_study.present.plots import files

    fig = FIGURES["times"]("en").get_figure(root=True)
    plain = files.write_figure(fig, tmp_path / "plain", "Curves", mark="SYNTHETIC DATA")
    cache = tmp_path / "cache"
    first = files.write_figure(fig, tmp_path / "a", "Curves", mark="SYNTHETIC DATA", cache=cache)
    drawn = []  # what each draw wrote: svg, or the pixels (rgba) of the PNG
    draw_svg, draw_agg, savefig = files._draw_svg, files._draw_agg, Figure.savefig
    monkeypatch.setattr(files, "_draw_svg", lambda *a: drawn.append("svg") or draw_svg(*a))
    monkeypatch.setattr(
        files, "_draw_agg", lambda *a, **k: drawn.append("rgba") or draw_agg(*a, **k)
    )
    monkeypatch.setattr(
        Figure,
        "savefig",
        lambda self, *a, **k: drawn.append(k["format"]) or savefig(self, *a, **k),
    )
    second = files.write_figure(fig, tmp_path / "b", "Curves", mark="SYNTHETIC DATA", cache=cache)
    assert drawn == ["svg"]  # the PNG came from the cache
    for a, b, c in zip(plain, first, second, strict=True):
        assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    # a changed figure is rendered anew
    fig.axes[0].set_title("Another title")
    files.write_figure(fig, tmp_path / "c", "Curves", cache=cache)
    assert drawn[-2:] == ["svg", "rgba"] and len(list(cache.glob("*.png"))) == 2


def test_a_figure_whose_every_value_is_hidden_says_so():
    hidden = _funnel().assign(proportion=np.nan, ci_low=np.nan, ci_high=np.nan)
    ax = plots.funnel_plot(hidden, lang="sv")
    assert "x dolt (röjandekontroll)" in [t.get_text() for t in ax.texts]
    shown = FIGURES["funnel"]("sv")
    assert "x dolt (röjandekontroll)" not in [t.get_text() for t in shown.texts]


def _pixels(png: bytes) -> np.ndarray:
    import io

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=float)


def test_the_image_a_notebook_shows_comes_from_the_cache_while_the_figure_is_unchanged(tmp_path):
    import base64
    import functools

    from IPython.core.pylabtools import print_figure

    from cape_study.present.plots import files

    # IPython's PNG formatter as the inline backend registers it
    inline = functools.partial(print_figure, fmt="png", base64=True, bbox_inches="tight")
    calls = []

    def render(figure):
        calls.append(figure)
        return inline(figure)

    render.func, render.args, render.keywords = inline.func, inline.args, inline.keywords
    shown = files.inline_png(render)
    assert files.inline_png(shown) is shown  # wrapped once
    cache = tmp_path / "cache"
    fig = FIGURES["times"]("en").get_figure(root=True)
    expected = inline(fig)  # before it is written, and so without any cache
    assert shown(fig) == expected and len(calls) == 1  # never written: rendered
    files.write_figure(fig, tmp_path / "a", "Curves", mark="SYNTHETIC DATA", cache=cache)
    page = shown(fig)
    assert len(calls) == 1  # cut from the written PNG, not drawn
    (kept,) = (cache / "page").glob("*.png")
    assert base64.b64decode(page) == kept.read_bytes()
    old, new = _pixels(base64.b64decode(expected)), _pixels(base64.b64decode(page))
    assert new.shape == old.shape and np.abs(new - old).mean() < 12
    # another figure drawn the same is shown from the cache too
    again = FIGURES["times"]("en").get_figure(root=True)
    files.write_figure(again, tmp_path / "b", "Curves", mark="SYNTHETIC DATA", cache=cache)
    assert shown(again) == page and len(calls) == 1
    # a figure changed after it was written is rendered anew
    again.axes[0].set_title("Another title")
    changed = shown(again)
    assert len(calls) == 2 and changed != expected and changed == inline(again)
    # another formatter (retina) is rendered
    retina = functools.partial(print_figure, fmt="retina", base64=True, bbox_inches="tight")
    assert files.inline_png(retina)(fig) == retina(fig)
    # written without a cache: rendered
    plain = FIGURES["times"]("en").get_figure(root=True)
    files.write_figure(plain, tmp_path / "c", "Curves", mark="SYNTHETIC DATA")
    assert shown(plain) == expected and len(calls) == 3


@pytest.mark.parametrize("name", ["funnel", "flows", "forest", "text_agreement"])
def test_the_page_image_cut_from_the_300_dpi_png_looks_as_the_one_drawn_at_100_dpi(tmp_path, name):
    """The page image (report.html, docx, PDF) is the unmarked 300 dpi render scaled down
    by Pillow: as wide as the one matplotlib draws at 100 dpi, as tall within 1.5 %
    (the crop around rotated labels differs by a few pixels between resolutions), and
    within a mean absolute difference of 12 of 255 per channel (hinting and scaling)."""
    import base64
    import functools

    from IPython.core.pylabtools import print_figure

    from cape_study.present.plots import files

    inline = functools.partial(print_figure, fmt="png", base64=True, bbox_inches="tight")
    fig = FIGURES[name]("sv").get_figure(root=True)
    old = _pixels(base64.b64decode(inline(fig)))
    files.write_figure(fig, tmp_path / "a", name, mark="SYNTETISKA DATA", cache=tmp_path / "c")
    (page,) = (tmp_path / "c" / "page").glob("*.png")
    new = _pixels(page.read_bytes())
    assert new.shape[1] == old.shape[1] and abs(new.shape[0] - old.shape[0]) <= 0.015 * old.shape[0]
    rows = min(new.shape[0], old.shape[0])
    assert np.abs(new[:rows] - old[:rows]).mean() < 12, name
    # a different picture is far off: the test can fail
    other = _pixels(base64.b64decode(inline(FIGURES["counts"]("sv").get_figure(root=True))))
    if other.shape[1] == new.shape[1]:
        rows = min(rows, other.shape[0])
        assert np.abs(new[:rows] - other[:rows]).mean() > 12


def test_the_published_png_has_the_mark_in_a_strip_below_the_unmarked_figure_same_bytes_twice(
    tmp_path,
):
    from cape_study.present.plots import files

    written = []
    for run in ("a", "b"):
        fig = FIGURES["funnel"]("sv").get_figure(root=True)
        png, _svg = files.write_figure(
            fig, tmp_path / run, "Funnel", mark="SYNTETISKA DATA", cache=tmp_path / f"c{run}"
        )
        (page,) = (tmp_path / f"c{run}" / "page").glob("*.png")
        written.append((png.read_bytes(), page.read_bytes()))
    assert written[0] == written[1]  # deterministic, the page image too
    marked = Image.open(tmp_path / "a" / "funnel.png")
    assert marked.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    plain_fig = FIGURES["funnel"]("sv").get_figure(root=True)
    (plain,) = [
        p for p in files.write_figure(plain_fig, tmp_path / "p", "Funnel") if p.suffix == ".png"
    ]
    unmarked = Image.open(plain)
    strip = round(files._MARK_STRIP * 300)
    assert marked.size == (unmarked.size[0], unmarked.size[1] + strip)
    pixels = np.asarray(marked.convert("RGB"), dtype=int)
    # the figure itself is the unmarked one, pixel for pixel
    assert (pixels[: unmarked.size[1]] == np.asarray(unmarked.convert("RGB"), dtype=int)).all()
    red = (pixels[:, :, 0] > 120) & (pixels[:, :, 1] < 60) & (pixels[:, :, 2] < 80)
    assert red[unmarked.size[1] :].sum() > 500  # the mark's letters, in the strip
    assert red[unmarked.size[1] :, : unmarked.size[0] // 2].sum() == 0  # at the right


def test_the_flow_heatmap_skips_seaborns_overlap_draw_and_gives_the_same_files(
    tmp_path, monkeypatch
):
    import contextlib

    from matplotlib.figure import Figure

    from cape_study.present.plots import attrition as attrition_plots
    from cape_study.present.plots import files

    draws = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(1) or draw(self, r))
    fast = FIGURES["flows"]("sv").get_figure(root=True)
    assert draws == []  # drawn only when written
    files.write_figure(fast, tmp_path / "fast", "Flows", mark="SYNTETISKA DATA")
    written = len(draws)
    # as seaborn draws it, to turn overlapping tick labels
    monkeypatch.setattr(attrition_plots, "_ticks_set_after", contextlib.nullcontext)
    slow = FIGURES["flows"]("sv").get_figure(root=True)
    assert len(draws) == written + 1  # seaborn's draw
    files.write_figure(slow, tmp_path / "slow", "Flows", mark="SYNTETISKA DATA")
    for suffix in ("png", "svg"):
        fast_file = (tmp_path / "fast" / f"flows.{suffix}").read_bytes()
        assert fast_file == (tmp_path / "slow" / f"flows.{suffix}").read_bytes()


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_a_laid_out_figure_is_written_in_one_draw_per_file_with_savefigs_bytes(
    tmp_path, monkeypatch, name
):
    """savefig lays a figure out in a draw that writes nothing, then draws it again:
    write_figure lays it out in the draw that writes each file (two draws in all, not
    four), and writes the same SVG, PNG and page image as savefig would."""
    from matplotlib.figure import Figure

    from cape_study.present.plots import files

    draws = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(1) or draw(self, r))
    written = {}
    for way, plain in (("one_draw", True), ("savefig", False)):
        monkeypatch.setattr(files, "_plain_saving", lambda plain=plain: plain)
        fig = FIGURES[name]("sv").get_figure(root=True)
        assert fig.get_layout_engine() is not None
        before = len(draws)
        paths = files.write_figure(
            fig, tmp_path / way, name, mark="SYNTETISKA DATA", cache=tmp_path / f"c{way}"
        )
        written[way] = len(draws) - before
        (page,) = (tmp_path / f"c{way}" / "page").glob("*.png")
        written[way, "files"] = [p.read_bytes() for p in paths] + [page.read_bytes()]
    assert written["one_draw"] == 2 and written["savefig"] >= 4
    assert written["one_draw", "files"] == written["savefig", "files"]


def test_an_opaque_png_is_written_without_alpha_and_keeps_its_colours():
    import io

    from cape_study.present.plots import files

    rng = np.random.default_rng(22)
    pixels = rng.integers(0, 256, (40, 60, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    opaque = Image.open(io.BytesIO(files._png(Image.fromarray(pixels, "RGBA"), 300)))
    assert opaque.mode == "RGB" and opaque.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert (np.asarray(opaque) == pixels[..., :3]).all()
    pixels[0, 0, 3] = 128  # one pixel seen through: the alpha channel stays
    seen_through = Image.open(io.BytesIO(files._png(Image.fromarray(pixels, "RGBA"), 300)))
    assert seen_through.mode == "RGBA" and (np.asarray(seen_through) == pixels).all()


def test_tick_labels_written_once_follow_the_run_language_and_the_sign_of_zero():
    fig, ax = style.figure(1, 6)
    style.number_axis(ax.xaxis)
    style.percent_axis(ax.yaxis)
    numbers, shares = ax.xaxis.get_major_formatter(), ax.yaxis.get_major_formatter()
    values = np.array([-0.0, 0.0, 0.25, 1500.0])
    for _ in range(2):  # the second time from memory
        display.use_language("sv")
        assert numbers.format_ticks(values) == [display.number(v, 2, "sv") for v in values]
        assert shares.format_ticks(values[:3]) == [display.percent(v, 0, "sv") for v in values[:3]]
        display.use_language("en")
        assert numbers.format_ticks(values) == [display.number(v, 2, "en") for v in values]
    assert numbers.format_ticks(values)[-1] == "1,500.00"
    display.use_language("sv")
    assert numbers.format_ticks(values)[-1] == "1\xa0500,00"
    display.use_language("en")
    plt.close(fig)
