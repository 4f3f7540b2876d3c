"""Writing a figure to files: PNG at 300 dpi and SVG with its text as text, the synthetic-data
mark, and a cache of rendered PNGs by the content of the figure (the files' PNG, and the
image a notebook shows of the figure)."""

from __future__ import annotations

import base64
import contextlib
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
#: zlib level of the PNGs: on the demo's 19 figures, RGB at level 3 is written in half
#: the time of RGBA at Pillow's default 6, and 4 % smaller (4.18 MB against 4.36).
_PNG_LEVEL = 3


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
    with a pasted figure and covers none of it: in the SVG by matplotlib, in the PNG by
    Pillow below the figure rendered once without it (so that its layout is that of the
    image the notebook shows, which is cut from the same pixels: :func:`_render`); the
    figure shown in the notebook is left without it. Each file is written in one rename.

    With ``cache`` (a folder), the PNG of a figure drawn before is copied from it instead
    of rendered again: the key is the SVG's bytes (every line, letter and colour of the
    figure) with the resolution and what rasterises them (matplotlib's version, FreeType's,
    the font files), so the file is the one rendering would give. The image a notebook
    then shows of the figure (IPython's PNG of it) is kept there too, by the same key,
    and shown until the figure changes (:func:`inline_png`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(name)
    crop = None if figure.get_layout_engine() is not None else "tight"
    restore = _add_mark(figure, mark) if mark else None
    try:
        with matplotlib.rc_context(_SVG):
            svg = io.BytesIO()
            meta = {"Date": None, "Creator": None}
            if crop is None and _plain_saving():
                _draw_svg(figure, svg, meta)
            else:
                figure.savefig(svg, format="svg", dpi=DPI, bbox_inches=crop, metadata=meta)
    finally:
        if restore is not None:
            restore()
    key = _key(svg.getvalue(), mark, figure.dpi)
    cached = cache / f"{key}.png" if cache is not None else None
    page = cache / "page" / f"{key}.png" if cache is not None else None
    if cached is not None and cached.is_file():
        png = cached.read_bytes()
        os.utime(cached)
    else:
        png, page_png = _render(figure, crop, mark, page=page is not None)
        if cached is not None and page is not None:
            if page_png is not None:
                _keep(page, page_png)
            _keep(cached, png)
    if page is not None and page.is_file():
        _remember(figure, page)
    written = []
    for suffix, content in (("png", png), ("svg", svg.getvalue())):
        path = folder / f"{stem}.{suffix}"
        _write(path, content)
        written.append(path)
    return written


def _render(
    figure: Figure, crop: str | None, mark: str | None, *, page: bool
) -> tuple[bytes, bytes | None]:
    """The figure's PNG at :data:`DPI` (rendered once, without ``mark``, so that its layout
    is that of the image a notebook shows) with ``mark`` drawn in a strip below it, and,
    with ``page``, the image a notebook shows of it (IPython's inline PNG: cropped to what
    is drawn, ``savefig.pad_inches`` around it, at the figure's resolution), cut from the
    same pixels and scaled down by Pillow instead of drawn a third time."""
    from PIL import Image

    box = None
    if crop is None:
        if _plain_saving():
            rgba, box = _draw_agg(figure, shown=page and DPI % figure.dpi == 0)
        else:
            buffer = io.BytesIO()
            figure.savefig(buffer, format="rgba", dpi=DPI)
            rgba = buffer.getvalue()
        width, height = figure.get_size_inches()
        size = (int(width * DPI), int(height * DPI))  # as Agg sizes its canvas
        image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1)
    else:  # cropped as shown, at the size savefig gives it
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches=crop)
        image = Image.open(buffer).convert("RGBA")
    background = tuple(round(255 * c) for c in figure.get_facecolor())
    published = _with_mark(image, mark, background) if mark else image
    png = _png(published, DPI)
    if not page:
        return png, None
    scale = DPI / figure.dpi
    if scale != round(scale):
        return png, None  # not a whole fraction: the notebook renders its image itself
    scale = round(scale)
    if crop is None:
        if box is None:
            box = _shown_box(figure)  # inches, from the figure's lower left corner
        height = figure.get_size_inches()[1]
        columns, rows = int(box.width * figure.dpi), int(box.height * figure.dpi)
        canvas = Image.new("RGBA", (columns * scale, rows * scale), background)
        canvas.paste(image, (round(-box.x0 * DPI), round((box.y1 - height) * DPI)))
    else:
        columns, rows = image.size[0] // scale, image.size[1] // scale
        canvas = image.crop((0, 0, columns * scale, rows * scale))
    return png, _png(canvas.reduce(scale), figure.dpi)


def _shown_box(figure: Figure, renderer: Any = None):
    """The box (inches) of what ``figure`` draws, ``savefig.pad_inches`` around it, as a
    notebook crops it, laid out at :data:`DPI`: measured with ``renderer`` (an Agg
    renderer at :data:`DPI`, which has measured the figure's text already) or a new one."""
    from matplotlib import cbook
    from matplotlib.backends.backend_agg import RendererAgg

    width, height = figure.get_size_inches()
    stale = figure.stale
    with cbook._setattr_cm(figure, dpi=DPI):
        if renderer is None:
            renderer = RendererAgg(int(width * DPI), int(height * DPI), DPI)
        box = figure.get_tightbbox(renderer)
    figure.stale = stale
    return box.padded(matplotlib.rcParams["savefig.pad_inches"])


def _plain_saving() -> bool:
    """Whether ``savefig`` would keep the figure's own colours and size (matplotlib's
    defaults of ``savefig.facecolor``, ``edgecolor``, ``bbox`` and ``transparent``): then a
    laid-out figure is drawn by :func:`_draw_svg` and :func:`_draw_agg`, as ``savefig``
    draws it; otherwise by ``savefig``."""
    rc = matplotlib.rcParams
    return (
        rc["savefig.facecolor"] == "auto"
        and rc["savefig.edgecolor"] == "auto"
        and rc["savefig.bbox"] is None
        and not rc["savefig.transparent"]
    )


@contextlib.contextmanager
def _on_canvas(figure: Figure, canvas_class: type) -> Any:
    """``figure`` on a new canvas of ``canvas_class`` that is saving (so that no change
    during a draw asks the notebook to draw it again), at :data:`DPI`; its own canvas and
    resolution again after."""
    from matplotlib import cbook

    original = figure.canvas
    canvas = canvas_class(figure)
    canvas._is_saving = True
    try:
        with cbook._setattr_cm(figure, dpi=DPI):
            yield canvas
    finally:
        figure.set_canvas(original)


def _draw_svg(figure: Figure, svg: io.BytesIO, meta: dict) -> None:
    """Write a laid-out ``figure`` to ``svg`` as ``savefig(svg, format="svg", dpi=DPI,
    metadata=meta)`` does, in one draw that lays it out and writes it: ``savefig`` lays a
    figure out in a draw of its own that writes nothing, then draws it again without its
    layout engine (the same bytes; a third less work)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    with _on_canvas(figure, FigureCanvasSVG) as canvas:
        canvas.print_svg(svg, metadata=meta)


def _draw_agg(figure: Figure, *, shown: bool) -> tuple[bytes, Any]:
    """A laid-out ``figure``'s RGBA pixels at :data:`DPI`, as ``savefig(format="rgba",
    dpi=DPI)`` draws them, in one draw that lays it out and draws it (see
    :func:`_draw_svg`), and, with ``shown``, the box a notebook crops it to
    (:func:`_shown_box`) measured with the same renderer, whose text is measured already
    (the same box as a new renderer's)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with _on_canvas(figure, FigureCanvasAgg) as canvas:
        canvas.draw()
        rgba = bytes(canvas.buffer_rgba())
        box = _shown_box(figure, canvas.get_renderer()) if shown else None
    return rgba, box


def _with_mark(image: Any, mark: str, background: tuple[int, ...]) -> Any:
    """``image`` with a strip of :data:`_MARK_STRIP` added below it holding ``mark`` in
    bold red DejaVu Sans of 8 pt (matplotlib's own font file), at its right."""
    from PIL import Image, ImageDraw, ImageFont

    strip = round(_MARK_STRIP * DPI)
    marked = Image.new("RGBA", (image.size[0], image.size[1] + strip), background)
    marked.paste(image, (0, 0))
    font = ImageFont.truetype(
        str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"),
        size=round(8 * DPI / 72),
        layout_engine=ImageFont.Layout.BASIC,
    )
    right = image.size[0] - round(0.005 * image.size[0])
    ImageDraw.Draw(marked).text(
        (right, image.size[1] + strip / 2), mark, fill="#b00020", font=font, anchor="rm"
    )
    return marked


def _png(image: Any, dpi: float) -> bytes:
    """``image`` as PNG bytes, with its resolution and nothing else (no date, no
    software): without an alpha channel when every pixel is opaque (the same colours),
    compressed at zlib level :data:`_PNG_LEVEL`."""
    if image.mode == "RGBA" and image.getextrema()[3] == (255, 255):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", dpi=(dpi, dpi), compress_level=_PNG_LEVEL)
    return buffer.getvalue()


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


def _key(svg: bytes, mark: str | None, dpi: float) -> str:
    """The cache key of a figure's PNG and page image: its SVG (with ``mark``, drawn by
    matplotlib), the mark drawn in the PNG's strip, the figure's resolution (the page
    image's) and what turns them into pixels."""
    import PIL
    from matplotlib import ft2font

    digest = hashlib.sha256(svg)
    what = (
        DPI,
        ("opaque as RGB", _PNG_LEVEL),
        mark,
        repr(dpi),
        matplotlib.__version__,
        ft2font.__freetype_version__,
        PIL.__version__,
        matplotlib.rcParams["savefig.pad_inches"],
        sorted(_fonts_of(svg)),
    )
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


#: Figures written with a cache, with the path of the image a notebook shows of them
#: there: what :func:`inline_png` shows while the figure stays as it was written.
_written: weakref.WeakKeyDictionary[Figure, Path] = weakref.WeakKeyDictionary()


def _remember(figure: Figure, page: Path) -> None:
    """Note that ``figure``, as it is now, was written with the cached page image ``page``.

    Writing it drew it (so matplotlib took it for unchanged) and then took the synthetic
    data mark out again (which it took for a change); it is as drawn, without the mark,
    so it is marked unchanged: any later change to it or to one of its artists marks it
    changed again (matplotlib's ``stale``), and :func:`inline_png` then renders it."""
    figure.stale = False
    _written[figure] = page


def inline_png(render: Callable[[Figure], Any]) -> Callable[[Figure], Any]:
    """IPython's PNG formatter of figures, ``render`` (what ``plt.show()`` in a notebook
    sends the notebook), taking the image from the figure cache when the figure was
    written by :func:`write_figure` with a cache and has not changed since: the image
    cut from the pixels of its PNG at :data:`DPI` and scaled down to the figure's
    resolution (:func:`_render`), instead of drawing it a third time.

    Only IPython's own PNG formatter as the inline backend registers it (``print_figure``
    with ``fmt="png"``, ``bbox_inches="tight"``, base64 text and nothing else) is
    answered from the cache, at the figure's resolution and ``savefig.pad_inches`` of
    the time it was written (both in its cache key; changing the resolution marks the
    figure changed); anything else (another formatter or
    argument, a figure never written, changed after it was written, or whose image is no
    longer kept) is rendered by ``render``.
    """
    if getattr(render, "_cape_inline", False):
        return render

    @functools.wraps(render)
    def cached_render(figure: Figure) -> Any:
        written = _written.get(figure)
        if written is None or figure.stale or not _is_inline_png(render):
            return render(figure)
        try:
            png = written.read_bytes()
            os.utime(written)
        except OSError:
            return render(figure)
        return base64.b64encode(png).decode("ascii")

    cached_render._cape_inline = True  # type: ignore[attr-defined]
    return cached_render


def _is_inline_png(render: Callable) -> bool:
    """Whether ``render`` is IPython's PNG formatter of the inline backend."""
    function = getattr(render, "func", render)
    keywords = getattr(render, "keywords", {})
    return (
        f"{function.__module__}.{function.__qualname__}" == "IPython.core.pylabtools.print_figure"
        and not getattr(render, "args", ())
        and keywords == {"fmt": "png", "bbox_inches": "tight", "base64": True}
    )


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
