"""Publishing a run: everything it writes is staged, then published in one rename.

Layout
------
::

    .published/v-XXXXXXXX/         one run's outputs: reports/ and data/processed/
    .published/current             a symbolic link to the published version
    .published/partial             a symbolic link to the last partial report (a run in
                                   which a step failed), when it was not published
    reports/index.html, steps, ... for each name at the top of the published report, a
                                   symbolic link ../.published/current/reports/<name>
    reports/partial                -> ../.published/partial/reports
    data/processed                 -> ../.published/current/data/processed

A run writes a new version folder (its *stage*): the kernels write ``data/processed``
and ``reports/`` there (``$CAPE_STUDY_OUTPUT``, :mod:`cape_study.paths`), a cached step's
outputs are hard-linked in from the published version, and the runner writes the
step pages, ``report.html``, ``index.html`` and ``manifest.json`` into it. Publishing
is one ``rename(2)`` of a new ``current`` link over the old one: on Linux (POSIX) that
replaces the link atomically, so a reader, ``cape-study verify`` or a run killed at
any moment sees the whole old version or the whole new one, the report and the
processed data together, never a mix. Renaming a directory over a non-empty one is not
possible, and moving several files one by one is not atomic; a link is the one thing
that can be swapped whole. ``reports/`` itself stays a real folder, so that
``reports/lab/``, ``reports/failed/``, ``reports/benchmarks/``, ``reports/screenshots/``
and the run lock are never touched by a publication.

A run that fails, is interrupted or killed never moves ``current``. Its stage is
removed (or, after a failed step, kept as ``.published/partial``), and what a killed
run left (its stage, its kernels and their connection files) is removed when the next
run starts (:func:`sweep`), under the project's run lock.

A checkout with a report of the earlier layout (real files in ``reports/`` and
``data/processed``) is moved into a first version by :func:`adopt`, which can be
interrupted and repeated.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Any

from cape_study.paths import PUBLISHED

__all__ = [
    "HOME",
    "RESERVED",
    "adopt",
    "discard",
    "keep_partial",
    "new_stage",
    "publish",
    "scratch_folder",
    "sweep",
    "unpublished",
]

#: The folder of the versions, under the project root.
HOME = PUBLISHED
#: Names in reports/ that are never part of a published version.
RESERVED = frozenset({"lab", "failed", "benchmarks", "screenshots", "partial"})
_PROCESSED = ("data", "processed")


def _home(root: Path) -> Path:
    return root / HOME


def _target(link: Path) -> Path | None:
    """The version folder a link of ``.published`` points to, if it exists."""
    if not link.is_symlink():
        return None
    folder = link.parent / os.readlink(link)
    return folder if folder.is_dir() else None


def _point(link: Path, target: str) -> None:
    """Make ``link`` point to ``target`` in one rename, durable on disk."""
    tmp = link.with_name(f".{link.name}-{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
    _fsync(link.parent)


def _fsync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


# -- before a run ---------------------------------------------------------------------
def scratch_folder(root: Path) -> Path:
    """The folder of a run's kernels (sockets, connection files, pids): one per project
    and user in the temporary directory, short enough for Unix socket paths."""
    key = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"cape-study-{os.getuid()}-{key}"


def sweep(root: Path) -> list[str]:
    """Remove what an earlier run that was killed left: version folders that are
    neither published nor the partial report, temporary links, links in ``reports/``
    to a name the published version lacks (made just before a swap that did not
    happen), its kernels (still running ones are killed) and their sockets and
    connection files. Call it holding
    the run lock. Returns what was removed, for the message."""
    removed: list[str] = []
    home = _home(root)
    if home.is_dir():
        keep = {"current", "partial"}
        keep |= {t.name for t in (_target(home / n) for n in ("current", "partial")) if t}
        for entry in home.iterdir():
            if entry.name not in keep:
                _remove(entry)
                removed.append(f"{HOME}/{entry.name}")
    # a link made for a name of a version that a killed run did not publish
    reports = root / "reports"
    if reports.is_dir():
        for link in reports.iterdir():
            nowhere = link.is_symlink() and not link.exists()
            if nowhere and os.readlink(link).startswith(f"../{HOME}/"):
                link.unlink()
                removed.append(f"reports/{link.name}")
    scratch = scratch_folder(root)
    if scratch.is_dir():
        for kernel in scratch.iterdir():
            _kill_kernel(kernel)
            removed.append(str(kernel))
        shutil.rmtree(scratch, ignore_errors=True)
    return removed


def _kill_kernel(folder: Path) -> None:
    """Kill the kernel whose sockets and connection file are in ``folder`` if it still
    runs (it names its connection file on its command line; a reused pid does not)."""
    try:
        pid = int((folder / "pid").read_text(encoding="ascii"))
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if os.fsencode(str(folder)) in cmdline:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def adopt(root: Path) -> None:
    """Move a report of the earlier layout (real files in ``reports/`` named by its
    manifest, and a real ``data/processed``) into the published version, making one if
    there is none, and make the links of the published version that are missing.
    Each move is one rename, so an interrupted adoption is finished by the next."""
    reports, processed = root / "reports", root.joinpath(*_PROCESSED)
    names = _earlier_names(reports)
    real = [reports / n for n in names if (reports / n).exists() and not (reports / n).is_symlink()]
    real_processed = processed.is_dir() and not processed.is_symlink()
    home = _home(root)
    for name in ("current", "partial"):  # copied as folders (cp -r follows links)
        link = home / name
        if link.is_dir() and not link.is_symlink():
            moved = Path(tempfile.mkdtemp(dir=home, prefix="v-"))
            os.replace(link, moved)
            _point(link, moved.name)
    if real or real_processed:
        if _target(home / "current") is None:
            version = new_stage(root)
            _point(home / "current", version.name)
        version = _target(home / "current")
        assert version is not None
        for entry in real:
            _remove(version / "reports" / entry.name)
            os.rename(entry, version / "reports" / entry.name)
        if real_processed:
            _remove(version.joinpath(*_PROCESSED))
            os.rename(processed, version.joinpath(*_PROCESSED))
    version = _target(home / "current")
    if version is not None:
        _link_names(root, version)


def _earlier_names(reports: Path) -> set[str]:
    """The top-level names in ``reports/`` of a report of the earlier layout, from its
    real ``manifest.json``: the report's files and the steps' outputs under reports/."""
    manifest = reports / "manifest.json"
    if manifest.is_symlink() or not manifest.is_file():
        return set()
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        names = {"manifest.json", *(rel.split("/")[0] for rel in data.get("report_files", {}))}
        for step in data.get("steps", {}).values():
            for rel in step.get("outputs", {}):
                if rel.startswith("reports/"):
                    names.add(rel.split("/")[1])
    except (OSError, ValueError, AttributeError, IndexError):
        return {"manifest.json", "index.html", "report.html", "steps"}
    return names - RESERVED


def unpublished(root: Path) -> list[Path]:
    """The version of the partial report, if there is one: a later run may take a
    cached step's outputs from it (a step run with ``--only``)."""
    partial = _target(_home(root) / "partial")
    return [partial] if partial is not None else []


# -- a run ------------------------------------------------------------------------------
def new_stage(root: Path) -> Path:
    """A new, empty version folder (``reports/`` and ``data/`` in it) for a run."""
    home = _home(root)
    home.mkdir(exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=home, prefix="v-"))
    (stage / "reports").mkdir()
    (stage / "data").mkdir()
    return stage


def discard(root: Path, stage: Path) -> str | None:
    """Remove ``stage`` unless ``.published/current`` or ``.published/partial`` points
    to it, and say which does (``"current"``, ``"partial"``), or None when it was
    removed. A run that stops after its swap, whatever stops it, so keeps the report it
    published: the version it replaced is gone by then."""
    home = _home(root)
    for name in ("current", "partial"):
        target = _target(home / name)
        if target is not None and target.resolve() == stage.resolve():
            return name
    shutil.rmtree(stage, ignore_errors=True)
    return None


def publish(root: Path, stage: Path) -> None:
    """Publish ``stage`` in one rename of ``.published/current``; then remove the
    version it replaced, links to names it no longer has and the partial report."""
    home = _home(root)
    old = _target(home / "current")
    _link_names(root, stage, replace=True)
    _point(home / "current", stage.name)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    for replaced in home.glob(".replaced-*"):
        _remove(replaced)
    for link in (root / "reports").iterdir():
        if link.is_symlink() and not link.exists():
            link.unlink()
    partial = _target(home / "partial")
    (home / "partial").unlink(missing_ok=True)
    (root / "reports" / "partial").unlink(missing_ok=True)
    if partial is not None:
        shutil.rmtree(partial, ignore_errors=True)


def stamp(root: Path) -> dict[str, Any] | None:
    """The published version: its folder's name and the size, modification time and
    inode of every file in it (a few hundred files: milliseconds), by path within it; None
    when nothing is published."""
    current = _target(_home(root) / "current")
    if current is None:
        return None
    files = {}
    for folder, _dirs, names in os.walk(current):
        for name in names:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            files[os.path.relpath(path, current)] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return {"version": current.name, "files": files}


def is_current(root: Path, stamped: Any) -> bool:
    """Whether the version ``stamped`` (:func:`stamp` of it as published) is the
    published one, whole (its index, report and manifest there), untouched since (no
    file edited, added or removed: ``cape-study verify`` would find an edited page) and
    reached through its links (no real file or folder in the place of one), with no
    partial report beside it."""
    if not isinstance(stamped, dict) or _target(_home(root) / "partial") is not None:
        return False
    now = stamp(root)
    if now is None or now != stamped:
        return False
    names = ("index.html", "report.html", "manifest.json")
    if not all(os.path.join("reports", name) in now["files"] for name in names):
        return False
    # each name reached through its link: a real file or folder in its place (a copy
    # that followed the links, then edited) is what a reader and verify see instead
    tops = {path.split(os.sep)[1] for path in now["files"] if path.startswith("reports" + os.sep)}
    links = [(root / "reports" / name, f"../{HOME}/current/reports/{name}") for name in tops]
    if any(path.startswith(os.path.join(*_PROCESSED, "")) for path in now["files"]):
        links.append((root.joinpath(*_PROCESSED), f"../{HOME}/current/data/processed"))
    return all(link.is_symlink() and os.readlink(link) == target for link, target in links)


def keep_partial(root: Path, stage: Path) -> Path:
    """Keep ``stage`` as the partial report, ``reports/partial/`` (replacing the last
    one); the published version is not touched. Returns ``reports/partial``."""
    home = _home(root)
    old = _target(home / "partial")
    _point(home / "partial", stage.name)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    link = root / "reports" / "partial"
    if not link.is_symlink():
        _remove(link)
        os.symlink(f"../{HOME}/partial/reports", link)
    return link


def _link_names(root: Path, version: Path, *, replace: bool = False) -> None:
    """Make the links ``reports/<name>`` and ``data/processed`` into ``current`` for
    every name ``version`` has. A real file or folder in their place (put there by
    something else) is left alone, or with ``replace`` moved aside to be removed."""
    reports = root / "reports"
    reports.mkdir(exist_ok=True)
    wanted = [
        (reports / entry.name, f"../{HOME}/current/reports/{entry.name}")
        for entry in (version / "reports").iterdir()
    ]
    if version.joinpath(*_PROCESSED).exists():
        wanted.append((root.joinpath(*_PROCESSED), f"../{HOME}/current/data/processed"))
    for link, target in wanted:
        if link.is_symlink():
            if os.readlink(link) == target:
                continue
            link.unlink()
        elif link.exists():
            if not replace:
                continue
            os.rename(link, _home(root) / f".replaced-{os.getpid()}-{link.name}")
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
