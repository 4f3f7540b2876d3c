"""The report in a real browser: broken images, broken links, script errors, and a
full-page screenshot of every page.

:func:`check_report` opens ``index.html``, ``report.html`` and every
``steps/<step>.html`` of a report folder in headless Chromium, driven by Selenium
through chromedriver, both taken from the system (Debian's ``chromium`` and
``chromium-driver`` packages; ``$CAPE_STUDY_CHROMIUM`` and ``$CAPE_STUDY_CHROMEDRIVER``
name others; Selenium Manager is never asked to download one). Each page gets a
:class:`PageCheck` listing its :class:`Problem` s:

``image``
    an ``<img>`` that did not load (not complete, or ``naturalWidth`` 0);
``link``
    a relative ``href`` whose file does not exist, or a ``#fragment`` that names no
    ``id`` (nor ``<a name>``) in the page it points to (this page, or the file, read
    as HTML);
``external``
    anything the page loads from ``http(s)://`` (an image, script, style sheet, frame,
    or any request the browser recorded): a report must be self-contained;
``javascript``
    a severe message in the browser console: an uncaught exception, a rejected
    promise, ``console.error``, or a file the page asked for and did not get.

Links *to* web pages (``<a href="https://…">``, such as the codebook's sources) are not
problems: they are references a reader may follow, not part of the page, and checking
them would take the check online. They are listed in :attr:`PageCheck.external_links`.
Chromium runs with every host name unresolvable, so that opening a report built from
real data sends no request anywhere.

The screenshot of a page (``screenshots/<page>.png``, ``steps/`` kept) is the whole
page at :data:`WIDTH` CSS pixels, taken in slices of at most :data:`SLICE` pixels
(Chromium's limit for one capture) and joined with Pillow; a page taller than
:data:`MAX_HEIGHT` is scaled down to fit.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cape_study.errors import CapeStudyError

__all__ = [
    "MAX_HEIGHT",
    "SLICE",
    "WIDTH",
    "BrowserMissing",
    "PageCheck",
    "Problem",
    "check_pages",
    "check_report",
    "chromium",
    "find_browser",
]

WIDTH = 1280
"""The window's width in CSS pixels."""
SLICE = 4000
"""The tallest part of a page captured at once."""
MAX_HEIGHT = 30000
"""The tallest screenshot, in image pixels; a taller page is scaled down."""

_CHROMIUM = ("CAPE_STUDY_CHROMIUM", ("chromium", "chromium-browser", "google-chrome"))
_DRIVER = ("CAPE_STUDY_CHROMEDRIVER", ("chromedriver",))
_INSTALL = (
    "install them from the system packages (Debian/Ubuntu: "
    "`sudo apt-get install chromium chromium-driver`), or name them with "
    "$CAPE_STUDY_CHROMIUM and $CAPE_STUDY_CHROMEDRIVER"
)


class BrowserMissing(CapeStudyError):
    """Chromium, chromedriver or Selenium is not installed."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a page, as the reader's browser sees it."""

    page: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.kind}: {self.detail}"


@dataclass
class PageCheck:
    """What the browser found on one page."""

    page: str
    problems: list[Problem] = field(default_factory=list)
    external_links: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    seconds: float = 0.0


def find_browser() -> tuple[Path, Path]:
    """The Chromium and chromedriver executables to use.

    Raises
    ------
    BrowserMissing
        When either is not found, or Selenium is not installed; the message says how
        to install them.
    """
    found = []
    for variable, names in (_CHROMIUM, _DRIVER):
        named = os.environ.get(variable)
        path = named or next((p for n in names if (p := shutil.which(n))), None)
        if not path or not Path(path).is_file():
            what = f"${variable}={named}" if named else " or ".join(names)
            raise BrowserMissing(
                f"no browser to check the report with: {what} not found; {_INSTALL}"
            )
        found.append(Path(path))
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BrowserMissing(
            "selenium is not installed: run `make install` (it is in the dev extra)"
        ) from None
    return found[0], found[1]


def check_report(report_dir: str | Path, screenshots: str | Path | None = "") -> list[PageCheck]:
    """Check a report folder's pages: ``index.html``, ``report.html`` and
    ``steps/*.html``, in that order.

    Parameters
    ----------
    report_dir
        The folder holding ``index.html`` (``reports/``).
    screenshots
        Where to save the screenshots (default ``<report_dir>/screenshots``); None for
        none.

    Returns
    -------
    list of PageCheck
        One per page; a missing ``index.html`` or ``report.html`` is a ``missing``
        problem of its own.
    """
    report_dir = Path(report_dir)
    shots = report_dir / "screenshots" if screenshots == "" else screenshots
    pages, missing = [], []
    for name in ("index.html", "report.html"):
        (pages if (report_dir / name).is_file() else missing).append(report_dir / name)
    pages += sorted((report_dir / "steps").glob("*.html"))
    checks = [
        PageCheck(p.name, [Problem(p.name, "missing", f"{p} does not exist")]) for p in missing
    ]
    return checks + check_pages(pages, base=report_dir, screenshots=shots)


def check_pages(
    pages: Sequence[Path], *, base: Path, screenshots: str | Path | None = None
) -> list[PageCheck]:
    """Open each page in headless Chromium and list its problems (see the module's
    documentation); save a full-page screenshot of each in ``screenshots`` (named by
    its path relative to ``base``, ``.png`` for ``.html``) unless it is None.

    Raises
    ------
    BrowserMissing
        If there is no browser to use (:func:`find_browser`).
    """
    targets = _Targets()
    results = []
    with chromium() as driver:
        for page in pages:
            start = time.perf_counter()
            name = _relative(page, base)
            check = PageCheck(name)
            seen = _open(driver, page)
            targets.known[page.resolve()] = set(seen["ids"])
            check.problems += _images(name, seen["images"])
            check.problems += _links(name, page, seen["links"], targets, check.external_links)
            check.problems += [
                Problem(name, "external", f"loads {url}")
                for url in sorted(set(seen["loads"]))
                if urlsplit(url).scheme in ("http", "https")
            ]
            check.problems += [
                Problem(name, "javascript", entry["message"])
                for entry in driver.get_log("browser")
                if entry.get("level") == "SEVERE"
            ]
            if screenshots is not None:
                out = Path(screenshots) / Path(name).with_suffix(".png")
                _screenshot(driver, seen["height"], out)
                check.screenshot = out
            check.seconds = time.perf_counter() - start
            results.append(check)
    return results


# -- the browser --------------------------------------------------------------------------
@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium session (a Selenium ``WebDriver``) as :func:`check_pages`
    uses it: :data:`WIDTH` pixels wide, every console message logged, no network.

    Raises
    ------
    BrowserMissing
        If there is no browser to use (:func:`find_browser`).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, chromedriver = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for arg in (
        "--headless=new",
        "--no-sandbox",  # as root, or in a container without user namespaces
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={WIDTH},900",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no request leaves the machine
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(chromedriver)), options=options)
    try:
        driver.set_page_load_timeout(120)
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()


_SEEN = """
const done = arguments[arguments.length - 1];
const loaded = document.readyState === "complete" ? Promise.resolve()
  : new Promise(r => window.addEventListener("load", r));
loaded.then(() => Promise.all([...document.images].map(i => {
  i.loading = "eager";
  return i.complete ? null : new Promise(r => {
    i.addEventListener("load", r); i.addEventListener("error", r);
  });
}))).then(() => [...document.images]).then(images => done({
  images: images.map(i => ({src: i.getAttribute("src") || "", alt: i.alt || "",
                            ok: i.complete && i.naturalWidth > 0})),
  links: [...document.querySelectorAll("a[href], area[href]")].map(a => a.getAttribute("href")),
  ids: [...document.querySelectorAll("[id]")].map(e => e.id)
       .concat([...document.querySelectorAll("a[name]")].map(a => a.name)),
  loads: performance.getEntriesByType("resource").map(r => r.name).concat(
    [...document.querySelectorAll(
      "script[src], link[href], iframe[src], source[src], video[src], audio[src], embed[src]"
    )].map(e => e.src || e.href || "")),
  height: Math.max(document.documentElement.scrollHeight, document.body.scrollHeight),
}));
"""


def _open(driver: Any, page: Path) -> dict[str, Any]:
    driver.get_log("browser")  # forget the previous page's messages
    driver.get(page.resolve().as_uri())
    return driver.execute_async_script(_SEEN)


def _screenshot(driver: Any, height: int, out: Path) -> None:
    """The whole page, captured in slices beyond the viewport and joined."""
    from PIL import Image

    scale = min(1.0, MAX_HEIGHT / max(height, 1))
    width = round(WIDTH * scale)
    sheet = Image.new("RGB", (width, max(1, round(height * scale))), "white")
    for top in range(0, max(height, 1), SLICE):
        clip = {"x": 0, "y": top, "width": WIDTH, "height": min(SLICE, height - top) or 1}
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": scale}},
        )
        piece = Image.open(io.BytesIO(base64.b64decode(shot["data"])))
        sheet.paste(piece.convert("RGB"), (0, round(top * scale)))
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)


# -- what was seen ------------------------------------------------------------------------
def _relative(page: Path, base: Path) -> str:
    try:
        return page.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(page)


def _images(name: str, images: list[dict[str, Any]]) -> list[Problem]:
    problems = []
    for image in images:
        src = image["src"]
        shown = src if len(src) < 80 else f"{src[:60]}… ({len(src):,} characters)"
        if urlsplit(src).scheme in ("http", "https"):
            problems.append(Problem(name, "external", f"image {shown} is loaded from the web"))
        if not image["ok"]:
            alt = f" (alt {image['alt']!r})" if image["alt"] else ""
            problems.append(
                Problem(name, "image", f"image {shown or '(no src)'}{alt} did not load")
            )
    return problems


class _Ids(HTMLParser):
    """The ids (and ``<a name>``) of an HTML file that was not opened in the browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value is not None and (key == "id" or (key == "name" and tag == "a")):
                self.ids.add(value)


@dataclass
class _Targets:
    """The ids of the pages links point at, read once each."""

    known: dict[Path, set[str]] = field(default_factory=dict)

    def ids(self, path: Path) -> set[str]:
        path = path.resolve()
        if path not in self.known:
            parser = _Ids()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            self.known[path] = parser.ids
        return self.known[path]


def _links(
    name: str, page: Path, links: list[str], targets: _Targets, external: list[str]
) -> list[Problem]:
    problems = []
    for href in dict.fromkeys(links):
        parts = urlsplit(href.strip())
        if parts.scheme in ("http", "https"):
            external.append(href)
            continue
        if parts.scheme not in ("", "file") or (parts.scheme == "" and parts.netloc):
            continue  # mailto:, tel:, data:, javascript:, //host/…
        path = unquote(parts.path)
        target = Path(path) if parts.scheme == "file" else (page.parent / path if path else page)
        if not target.exists():
            problems.append(Problem(name, "link", f"{href} points at a missing file"))
            continue
        fragment = unquote(parts.fragment)
        if not fragment or fragment == "top" or target.suffix.lower() not in (".html", ".htm"):
            continue
        if fragment not in targets.ids(target):
            where = "this page" if target.resolve() == page.resolve() else path
            problems.append(Problem(name, "link", f"{href}: no id {fragment!r} in {where}"))
    return problems
