"""Where a result came from: hashes of files, folders and values, the git state, the
installed packages, and timestamps.

The runner keys its cache on these hashes (:mod:`cape_study.runner.cache`) and records them in
``reports/manifest.json`` (:mod:`cape_study.runner.manifest`), where ``cape-study verify``
recomputes them.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path, PurePosixPath
from typing import Any

from cape_study.runner.freshness import folder_stamp

__all__ = [
    "FORMAT",
    "data_digest",
    "digest",
    "distributions_stamp",
    "expand",
    "folder_hash",
    "folder_stamp",
    "git_state",
    "hash_files",
    "keep",
    "kept",
    "matches",
    "now",
    "packages",
    "relative",
    "remember",
    "sha256",
    "stamped_files",
    "tree_hash",
]

FORMAT = 2
"""The format of ``manifest.json`` and of the step cache's entries (2: a folder among a
step's inputs is recorded as one hash of its files, :func:`folder_hash`)."""


def sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    hasher = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def digest(obj: Any) -> str:
    """The SHA-256 of a JSON-serialisable value (keys sorted)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def expand(root: Path, patterns: Iterable[str]) -> list[Path]:
    """The files that paths or globs name (a folder stands for the files below it)."""
    return [Path(path) for path in _expand(root, patterns)]


def _expand(root: Path, patterns: Iterable[str]) -> list[str]:
    """:func:`expand` as strings, in the same order (by path component), without making
    a ``Path`` of each file: a case file of 100,000 cases has 275,000 documents."""
    files: set[str] = set()
    for path, is_folder in matches(root, patterns):
        if is_folder:
            files.update(os.path.join(path, rel) for rel, _ in _walk(path))
        else:
            files.add(path)
    return sorted(files, key=lambda path: path.split(os.sep))


def matches(root: str | Path, patterns: Iterable[str]) -> list[tuple[str, bool]]:
    """The existing paths that paths or globs name, relative to ``root`` unless absolute
    (``~`` expanded), as ``(absolute path, is a folder)``."""
    found = []
    for pattern in patterns:
        pattern = os.path.expanduser(pattern)  # ~/... names a file in the user's home
        for hit in glob.glob(pattern, root_dir=root, recursive=True):
            path = os.path.abspath(os.path.join(root, hit))  # an absolute one stays so
            if os.path.isdir(path):
                found.append((path, True))
            elif os.path.isfile(path):
                found.append((path, False))
    return found


def _walk(folder: str) -> Iterator[tuple[str, os.DirEntry]]:
    """``(path relative to folder in POSIX form, entry)`` of every file below ``folder``
    (symbolic links followed), none in or under a name that starts with a dot; one
    ``scandir`` per folder and no other work per file."""
    stack = [""]
    while stack:
        below = stack.pop()
        with os.scandir(os.path.join(folder, below) if below else folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir():
                    stack.append(f"{below}{name}/")
                elif entry.is_file():
                    yield below + name, entry


def stamped_files(folder: str | Path) -> list[tuple[str, int, int, int, int]]:
    """``(path, size, mtime_ns, ctime_ns, inode)`` of every file below ``folder`` (as
    :func:`expand` finds them: links followed, no name starting with a dot), the path
    relative to ``folder`` in POSIX form, in the order the folders list them.

    One ``scandir`` per folder and one ``stat`` per file, and no other work per file: a
    case file of 100,000 cases is 275,000 files.
    """
    found = []
    for rel, entry in _walk(os.fspath(folder)):
        st = entry.stat()
        found.append((rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return found


def folder_hash(folder: str | Path) -> dict[str, Any]:
    """One hash for every file below ``folder``, as a step's input records a folder:
    :func:`data_digest` of path relative to the folder -> SHA-256 (``{"sha256",
    "files"}``), which every file is read for."""
    folder = os.fspath(folder)
    return data_digest(
        {path: sha256(os.path.join(folder, path)) for path, *_ in stamped_files(folder)}
    )


def hash_files(
    root: Path, patterns: Iterable[str], known: MutableMapping[str, list] | None = None
) -> dict[str, str]:
    """Path relative to ``root`` -> SHA-256, for every file that ``patterns`` name.

    ``known`` (absolute path -> ``[size, mtime_ns, ctime_ns, inode, sha256]``, updated
    in place) spares reading a file whose size, modification and change times and inode
    are as recorded there: the test git and make use to decide that a file is unchanged.
    """
    if known is None:
        return {relative(path, root): sha256(path) for path in _expand(root, patterns)}
    hashes = {}
    for path in _expand(root, patterns):
        st = os.stat(path)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        seen = known.get(path)
        if seen is None or seen[:4] != stamp:
            seen = known[path] = [*stamp, sha256(path)]
        hashes[relative(path, root)] = seen[4]
    return hashes


def tree_hash(folder: Path) -> str:
    """One hash for every file under ``folder`` (caches and hidden files aside): the
    SHA-256 of ``<path>\\0<sha256>`` lines, paths relative to ``folder`` in POSIX form,
    in the order of their components; links to files followed, folders behind links not
    entered."""
    top = os.fspath(folder)
    hasher = hashlib.sha256()
    for rel in sorted(_tree_files(top), key=lambda rel: rel.split("/")):
        hasher.update(f"{rel}\0{sha256(os.path.join(top, rel))}\n".encode())
    return hasher.hexdigest()


def _tree_files(top: str) -> Iterator[str]:
    """The files :func:`tree_hash` hashes, in no order: as ``Path.rglob("*")`` finds
    them, without a ``Path`` per entry nor a look into ``__pycache__`` (the library's
    hash, which every run takes, a no-op too: 21 -> 8 CPU ms for its 171 files)."""
    stack = [""] if os.path.isdir(top) else []  # as rglob: none in what is no folder
    while stack:
        below = stack.pop()
        try:
            listing = os.scandir(os.path.join(top, below) if below else top)
        except PermissionError:  # as rglob, which leaves out what it may not list
            continue
        with listing:
            for entry in listing:
                name = entry.name
                if name.startswith(".") or name == "__pycache__":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(f"{below}{name}/")
                elif entry.is_file():
                    yield below + name


def data_digest(
    inputs: Mapping[str, str | Mapping[str, Any]], within: str | None = None
) -> dict[str, Any]:
    """One hash for input files as the manifest records them (path -> SHA-256): the
    SHA-256 of their sorted ``<path>\\0<sha256>`` lines, as in :func:`tree_hash`.

    With ``within`` (a file or folder, written as the manifest writes paths), only the
    files in it count and their paths are taken relative to it, so that the same case
    file gives the same hash wherever it is stored. Returns ``{"sha256", "files"}``.

    A folder recorded as a whole (its value is ``{"sha256", "files"}``: this hash of
    its files, :func:`folder_hash`) is returned as it is when it is ``within``;
    otherwise it counts as one line with its hash, and its files in ``files``.
    """
    if within is not None:
        whole = inputs.get(within.rstrip("/"))
        if isinstance(whole, Mapping):
            return {"sha256": whole["sha256"], "files": whole["files"]}
    chosen: dict[str, str] = {}
    files = 0
    for path, value in inputs.items():
        sha, n = (value["sha256"], value["files"]) if isinstance(value, Mapping) else (value, 1)
        if within is None:
            chosen[path] = sha
        elif path == within:
            chosen[PurePosixPath(path).name] = sha
        elif path.startswith(within.rstrip("/") + "/"):
            chosen[path[len(within.rstrip("/")) + 1 :]] = sha
        else:
            continue
        files += n
    hasher = hashlib.sha256()
    for path in sorted(chosen):
        hasher.update(f"{path}\0{chosen[path]}\n".encode())
    return {"sha256": hasher.hexdigest(), "files": files}


def relative(path: str | Path, root: str | Path) -> str:
    """``path`` relative to ``root`` in POSIX form; absolute when it is outside."""
    path, root = os.path.abspath(path), os.path.abspath(root)
    if path == root:
        return "."
    inside = root.rstrip(os.sep) + os.sep
    return path[len(inside) :].replace(os.sep, "/") if path.startswith(inside) else path


def now() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def git_state(root: Path) -> dict[str, Any] | None:
    """The commit checked out at ``root`` and whether the work tree differs from it;
    None when ``root`` is not the top of a git checkout."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=30
        ).stdout

    try:
        top, commit = git("rev-parse", "--show-toplevel", "HEAD").splitlines()
        if Path(top).resolve() != root.resolve():
            return None
        return {"commit": commit, "dirty": bool(git("status", "--porcelain").strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def packages(cache: Path | None = None, path: list[str] | None = None) -> dict[str, str]:
    """Every installed distribution and its version, by name (those on ``path``, by
    default ``sys.path``).

    Reading every distribution's metadata takes a few tenths of a second; with ``cache``
    (a JSON file) the list is kept there under a stamp of the folders on ``path`` (the
    names and modification times of their ``*.dist-info`` and ``*.egg-info`` entries and
    of the folders), so that it is read again only when a package was installed,
    upgraded or removed.
    """
    path = list(sys.path if path is None else path)

    def read() -> dict[str, str]:
        found = {}
        for dist in importlib.metadata.distributions(path=path):
            name = dist.metadata["Name"]
            if name:
                found[name] = dist.version
        return dict(sorted(found.items(), key=lambda kv: kv[0].lower()))

    return read() if cache is None else remember(cache, distributions_stamp(path), read)


def distributions_stamp(path: list[str] | None = None) -> str:
    """A digest of the installed distributions' entries on ``path`` (default
    ``sys.path``): their names and modification times, and their folders'."""
    path = list(sys.path if path is None else path)
    stamp: list[Any] = []
    for folder in path:
        try:
            with os.scandir(folder or ".") as entries:
                found = sorted(
                    (e.name, e.stat().st_mtime_ns)
                    for e in entries
                    if e.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth"))
                )
            if found:  # folders without distributions (the script's own) do not count
                stamp.append([folder, os.stat(folder or ".").st_mtime_ns, found])
        except OSError:  # not a folder (a zip file) or gone: its name only
            stamp.append([folder, None, None])
    return digest(stamp)


def remember(file: Path, key: str, make: Callable[[], Any]) -> Any:
    """``make()``, kept in ``file`` (JSON) under ``key``: the kept value while the key is
    the same, else ``make()`` again, stored (:func:`keep`) for the next call."""
    value = kept(file, key)
    if value is None:
        value = make()
        keep(file, key, value)
    return value


def kept(file: Path, key: str) -> Any:
    """The value :func:`keep` stored in ``file`` under ``key``; None if there is none (or
    it was stored under another key)."""
    try:
        stored = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored.get("value") if isinstance(stored, dict) and stored.get("key") == key else None


def keep(file: Path, key: str, value: Any) -> None:
    """Store ``value`` (JSON) under ``key`` in ``file``, replacing what it held, in one
    rename; nothing when the folder cannot be written (a read-only project)."""
    tmp = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "value": value}, fh)
        os.replace(tmp, file)
    except OSError:  # a full disk: no half-written file is left
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
