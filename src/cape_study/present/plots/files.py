"""Writing a figure to files: PNG at 300 dpi and SVG with its text as text, the synthetic-data
mark, and a cache of rendered PNGs by the content of the figure (the files' PNG, and the
image a notebook shows of the figure)."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import os
import re
import unicodedata
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

__all__ = ["DPI", "file_stem", "inline_png", "use_inline_cache", "write_figure"]

DPI = 300
_MARK_STRIP = 0.45 / 2.54  # inches below a laid-out figure for the synthetic-data mark
_CACHE_SIZE = 400  # rendered PNGs kept; the least recently used go first
_SVG = {"svg.hashsalt": "cape-study", "svg.fonttype": "none"}


def file_stem(name: str) -> str:
    """``name`` in lower-case ASCII with ``-`` between words (``Cases by country: SE/FI``
    -> ``cases-by-country-se-fi``).

    Raises
    ------
    ValueError
        If no letter or digit is left.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not stem:
        raise ValueError(f"{name!r} cannot name a file: use letters or digits.")
    return stem


def write_figure(
    figure: Figure,
    folder: Path,
    name: str,
    *,
    mark: str | None = None,
    cache: Path | None = None,
) -> list[Path]:
    """Write ``figure`` as ``<folder>/<stem>.png`` (300 dpi) and ``.svg``
    (:func:`file_stem` of ``name``); the paths written.

    A figure laid out by a layout engine (every figure of the house style,
    :func:`cape_study.present.plots.figure`) is written at its own size, one or two A4
    columns wide, so that its type keeps its printed size; any other is cropped as the
    notebook shows it (``bbox_inches="tight"``). Neither carries a date or software
    version; SVG ids come from a fixed salt, so the same figure gives the same bytes. The
    SVG keeps its text as text (``svg.fonttype: none``), so that a pasted figure's words
    can be edited and searched. ``mark`` (the synthetic-data warning of a synthetic run)
    is written in red in a strip added below the figure in both files, so that it stays
    with a pasted figure and covers none of it; the figure shown in the notebook is left
    without it. Each file is written in one rename.

    With ``cache`` (a folder), the PNG of a figure drawn before is copied from it instead
    of rendered again: the key is the SVG's bytes (every line, letter and colour of the
    figure) with the resolution and what rasterises them (matplotlib's version, FreeType's,
    the font files), so the file is the one rendering would give. The image a notebook
    then shows of the figure (IPython's PNG of it) is kept there too, by the same key
    (:func:`inline_png`), until the figure changes.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(name)
    crop = None if figure.get_layout_engine() is not None else "tight"
    restore = _add_mark(figure, mark) if mark else None
    try:
        with matplotlib.rc_context(_SVG):
            svg = io.BytesIO()
            meta = {"Date": None, "Creator": None}
            figure.savefig(svg, format="svg", dpi=DPI, bbox_inches=crop, metadata=meta)
            cached = cache / f"{_key(svg.getvalue())}.png" if cache is not None else None
            if cached is not None and cached.is_file():
                png = cached.read_bytes()
                os.utime(cached)
            else:
                buffer = io.BytesIO()
                meta = {"Software": None}
                figure.savefig(buffer, format="png", dpi=DPI, bbox_inches=crop, metadata=meta)
                png = buffer.getvalue()
                if cached is not None:
                    _keep(cached, png)
    finally:
        if restore is not None:
            restore()
    if cached is not None:
        _remember(figure, cached)
    written = []
    for suffix, content in (("png", png), ("svg", svg.getvalue())):
        path = folder / f"{stem}.{suffix}"
        _write(path, content)
        written.append(path)
    return written


def _write(path: Path, content: bytes) -> None:
    """Write ``path`` in one rename. The temporary file is named by the process, so that
    the next run removes it if this one is killed
    (:func:`cape_study.runner.current.tidy`), and no other's; on an error (a full disk)
    it is removed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _key(svg: bytes) -> str:
    """The cache key of a figure's PNG: its SVG and what turns it into pixels."""
    from matplotlib import ft2font

    digest = hashlib.sha256(svg)
    what = (DPI, matplotlib.__version__, ft2font.__freetype_version__, sorted(_fonts_of(svg)))
    digest.update(repr(what).encode())
    return digest.hexdigest()


def _fonts_of(svg: bytes) -> set[str]:
    """The font files the SVG's text is drawn with (its ``font-family`` lists, resolved
    as matplotlib resolves them)."""
    from matplotlib import font_manager

    families = set(re.findall(rb"font-family:\s*([^;\"]+)", svg))
    found = set()
    for family in families:
        names = [f.strip(" '") for f in family.decode().split(",")]
        found.add(font_manager.findfont(font_manager.FontProperties(family=names)))
    return found


def _keep(path: Path, png: bytes) -> None:
    """Keep ``png`` in the cache at ``path``; drop the least recently used beyond
    :data:`_CACHE_SIZE`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, png)
    kept = sorted(path.parent.glob(f"*{path.suffix}"), key=lambda p: p.stat().st_mtime)
    for old in kept[:-_CACHE_SIZE]:
        old.unlink(missing_ok=True)


def _add_mark(figure: Figure, mark: str) -> Callable[[], None]:
    """Write ``mark`` in red in the figure's lower right corner, in a strip added below a
    laid-out figure; return what undoes it."""
    engine = figure.get_layout_engine()
    width, height = figure.get_size_inches()
    laid_out = engine is not None and hasattr(engine, "set")
    rect = engine.get().get("rect", (0, 0, 1, 1)) if laid_out else None
    if laid_out:
        figure.set_size_inches(width, height + _MARK_STRIP)
        strip = _MARK_STRIP / (height + _MARK_STRIP)
        engine.set(rect=(0, strip, 1, 1 - strip))
    label = figure.text(
        0.995, 0.005, mark, ha="right", va="bottom", fontsize=8, fontweight="bold", color="#b00020"
    )

    def restore() -> None:
        label.remove()
        if laid_out:
            figure.set_size_inches(width, height)
            engine.set(rect=rect)

    return restore


#: Figures written with a cache, with the path of their PNG there: what :func:`inline_png`
#: keys the image shown in the notebook on, while the figure stays as it was written.
_written: weakref.WeakKeyDictionary[Figure, Path] = weakref.WeakKeyDictionary()


def _remember(figure: Figure, cached: Path) -> None:
    """Note that ``figure``, as it is now, was written with the cached PNG ``cached``.

    Writing it drew it (so matplotlib took it for unchanged) and then took the synthetic
    data mark out again (which it took for a change); it is as drawn, without the mark,
    so it is marked unchanged: any later change to it or to one of its artists marks it
    changed again (matplotlib's ``stale``), and :func:`inline_png` then renders it."""
    figure.stale = False
    _written[figure] = cached


def inline_png(render: Callable[[Figure], Any]) -> Callable[[Figure], Any]:
    """IPython's PNG formatter of figures, ``render`` (what ``plt.show()`` in a notebook
    sends the notebook), taking the image from the figure cache when the figure was
    written by :func:`write_figure` with a cache and has not changed since.

    The key is the figure's cached PNG (so its SVG, fonts and renderer versions), with
    the figure's resolution and size, the formatter and its arguments and matplotlib's
    settings at display time. Anything else (a figure never written, changed after it
    was written, or an image that is not base64 text) is rendered by ``render``.
    """
    if getattr(render, "_cape_inline", False):
        return render

    @functools.wraps(render)
    def cached_render(figure: Figure) -> Any:
        written = _written.get(figure)
        if written is None or figure.stale:
            return render(figure)
        path = written.parent / "inline" / f"{_inline_key(written, figure, render)}.png"
        try:
            png = path.read_bytes()
            os.utime(path)
            return base64.b64encode(png).decode("ascii")
        except OSError:
            pass
        shown = render(figure)
        figure.stale = False  # rendering it (cropped, say) left it as it was
        if isinstance(shown, str):
            try:
                png = base64.b64decode(shown, validate=True)
            except binascii.Error:
                return shown
            if base64.b64encode(png).decode("ascii") == shown:
                _keep(path, png)
        return shown

    cached_render._cape_inline = True  # type: ignore[attr-defined]
    return cached_render


def _inline_key(written: Path, figure: Figure, render: Callable) -> str:
    """The key of the image a notebook shows of ``figure``: see :func:`inline_png`."""
    function = getattr(render, "func", render)
    what = (
        written.stem,
        repr(figure.dpi),
        repr(tuple(figure.get_size_inches())),
        f"{function.__module__}.{function.__qualname__}",
        repr(getattr(render, "args", ())),
        repr(sorted(getattr(render, "keywords", {}).items())),
        repr(sorted((k, repr(v)) for k, v in matplotlib.rcParams.items())),
    )
    return hashlib.sha256(repr(what).encode()).hexdigest()


def use_inline_cache() -> None:
    """In an IPython kernel that shows figures as PNG (the inline backend), take the PNG
    of a figure written with a cache from there (:func:`inline_png`); nothing elsewhere.
    Called each time a figure is shown, since the backend registers its formatter when
    it is first used and again when it is configured."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return
    try:
        render = formatter.lookup_by_type(Figure)
    except KeyError:
        return
    if not getattr(render, "_cape_inline", False):
        formatter.for_type(Figure, inline_png(render))
