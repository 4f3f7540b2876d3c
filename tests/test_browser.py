"""Tests for cape_study.runner.browser: the report as a reader's browser shows it.

They need Chromium and chromedriver from the system packages. Where these are missing
the tests are skipped, unless ``CAPE_STUDY_REQUIRE_BROWSER=1`` (set by ``.ci/run``),
when they fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

import cape_study
from cape_study.runner import browser

SRC = Path(cape_study.__file__).parent

# A 1x1 PNG.
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
BANNER_RED = (176, 0, 32)  # #b00020, report.BANNER_CSS


def _banner_rows(png: Path) -> int:
    """How many of the screenshot's top 200 rows are mostly the banner's red."""
    image = Image.open(png).convert("RGB")
    width = image.width
    rows = 0
    for y in range(min(200, image.height)):
        red = sum(
            1
            for x in range(0, width, 8)
            if all(abs(a - b) < 12 for a, b in zip(image.getpixel((x, y)), BANNER_RED, strict=True))
        )
        rows += red > width / 8 / 2
    return rows


def test_demo_report_shows_no_broken_image_link_or_script(
    chromium_present: None, demo_report: Path, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(demo_report / "reports", reports)
    checks = browser.check_report(reports)

    steps = sorted(f"steps/{p.name}" for p in (reports / "steps").glob("*.html"))
    assert [c.page for c in checks] == ["index.html", "report.html", *steps] and len(steps) == 5
    assert [str(p) for c in checks for p in c.problems] == []
    # Links to web pages are the codebook's sources and the legal-change dates' sources
    # (on 01 and in report.html) only, listed and not followed.
    links = {c.page: c.external_links for c in checks}
    sources = (SRC / "reference" / "legal_changes.yaml").read_text("utf-8")
    legal = links.pop("steps/01_attrition.html")
    assert legal and all(url in sources for url in legal)
    assert links.pop("report.html") and not any(links.values())
    for check in checks:
        png = reports / "screenshots" / Path(check.page).with_suffix(".png")
        assert check.screenshot == png and png.is_file()
        width, height = Image.open(png).size
        assert height > 1000 and (width == browser.WIDTH or height == browser.MAX_HEIGHT)
        assert _banner_rows(png) >= 10, f"{check.page}: no synthetic-data banner at the top"


_CELL_STYLES = """
return [...document.querySelectorAll("table[id] td[id]")].map(td => {
  const s = getComputedStyle(td);
  return [td.id.split("--").pop(), s.textAlign, s.whiteSpace, s.backgroundColor];
});
"""


def test_report_document_reads_like_the_step_pages(
    chromium_present: None, demo_report: Path
) -> None:
    reports = demo_report / "reports"
    with browser.chromium() as driver:
        driver.get((reports / "report.html").resolve().as_uri())
        # The banner stays at the top of the window wherever the reader is.
        for where in ("step-02_barriers", "codebook", "provenance"):
            driver.execute_script(f"document.getElementById('{where}').scrollIntoView()")
            top = driver.execute_script(
                "const e = document.elementFromPoint(20, 5);"
                "return e && e.closest('.cape-synthetic') !== null;"
            )
            assert top, f"the banner is not at the top of the window at #{where}"
        # Styled tables keep their styles (their rules follow the prefixed ids).
        in_document = driver.execute_script(_CELL_STYLES)
        in_pages = []
        for page in sorted((reports / "steps").glob("*.html")):
            driver.get(page.resolve().as_uri())
            in_pages += driver.execute_script(_CELL_STYLES)
    assert len(in_pages) > 100 and in_document == in_pages


def test_broken_images_links_and_scripts_are_found(chromium_present: None, tmp_path: Path) -> None:
    (tmp_path / "b.html").write_text('<html><body><h1 id="here">B</h1></body></html>', "utf-8")
    (tmp_path / "notes.csv").write_text("a,b\n", "utf-8")
    (tmp_path / "a.html").write_text(
        f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>a</title></head><body>
<h1 id="top-heading">A</h1>
<img src="data:image/png;base64,{PIXEL}" alt="fine">
<img src="gone.png" alt="a lost figure">
<a href="#top-heading">fine</a> <a href="b.html#here">fine</a> <a href="notes.csv">fine</a>
<a href="mailto:someone@example.org">not checked</a>
<a href="nothere.html">missing file</a>
<a href="b.html#nowhere">missing id elsewhere</a>
<a href="#ghost">missing id here</a>
<a href="https://example.org/a-source">a reference</a>
<script src="https://cdn.example.org/lib.js"></script>
<script>console.error("logged by the page");</script>
<script>throw new Error("boom");</script>
</body></html>""",
        "utf-8",
    )
    pages = [tmp_path / "a.html", tmp_path / "b.html"]
    a, b = browser.check_pages(pages, base=tmp_path, screenshots=tmp_path / "shots")

    assert b.problems == [] and (tmp_path / "shots" / "b.png").is_file()
    assert a.external_links == ["https://example.org/a-source"]
    found = [(p.kind, p.detail) for p in a.problems]
    assert all(p.page == "a.html" for p in a.problems)
    assert ("image", "image gone.png (alt 'a lost figure') did not load") in found
    links = sorted(detail for kind, detail in found if kind == "link")
    assert links == [
        "#ghost: no id 'ghost' in this page",
        "b.html#nowhere: no id 'nowhere' in b.html",
        "nothere.html points at a missing file",
    ]
    assert ("external", "loads https://cdn.example.org/lib.js") in found
    scripts = " | ".join(detail for kind, detail in found if kind == "javascript")
    assert "Uncaught Error: boom" in scripts and "logged by the page" in scripts
    assert "gone.png" in scripts and "lib.js" in scripts  # failed loads, in the console too
    assert {kind for kind, _ in found} == {"image", "link", "external", "javascript"}


def test_a_missing_browser_says_how_to_install_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAPE_STUDY_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(browser.BrowserMissing, match=r"apt-get install chromium chromium-driver"):
        browser.find_browser()
    with pytest.raises(browser.BrowserMissing, match=r"CAPE_STUDY_CHROMIUM=.*no-chromium"):
        browser.check_pages([tmp_path / "a.html"], base=tmp_path)


def test_check_report_command_lists_the_problems(
    chromium_present: None, tmp_path: Path, capsys
) -> None:
    from cape_study import cli

    reports = tmp_path / "reports"
    (reports / "steps").mkdir(parents=True)
    (reports / "index.html").write_text(
        '<html><body><a href="report.html">all</a> <a href="steps/one.html">one</a></body></html>',
        "utf-8",
    )
    (reports / "steps" / "one.html").write_text('<html><body><img src="x.png"></body></html>')
    assert cli.main(["check-report", str(reports)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "report.html: 1 problem(s)"
    assert out[1] == f"  missing: {reports / 'report.html'} does not exist"
    assert out[2] == f"index.html: 1 problem(s); screenshot {reports / 'screenshots/index.png'}"
    assert out[3] == "  link: report.html points at a missing file"
    assert "  image: image x.png did not load" in out
    assert out[-1] == f"{reports}: 4 problem(s) on 3 page(s)"
    assert (reports / "screenshots" / "steps" / "one.png").is_file()
