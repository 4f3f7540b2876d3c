"""Where a result came from: hashes of files, folders and values, the git state, the
installed packages, and timestamps.

The runner keys its cache on these hashes (:mod:`cape_study.cache`) and records them in
``reports/manifest.json`` (:mod:`cape_study.report`), where ``cape-study verify``
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
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "FORMAT",
    "data_digest",
    "digest",
    "expand",
    "git_state",
    "hash_files",
    "now",
    "packages",
    "relative",
    "sha256",
    "tree_hash",
]

FORMAT = 1
"""The format of ``manifest.json`` and of the step cache's entries."""


def sha256(path: Path) -> str:
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
    files: set[Path] = set()
    for pattern in patterns:
        pattern = os.path.expanduser(pattern)  # ~/... names a file in the user's home
        for hit in glob.glob(pattern, root_dir=root, recursive=True):
            path = root / hit  # an absolute pattern stays absolute
            if path.is_dir():
                files.update(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            elif path.is_file():
                files.add(path)
    return sorted(files)


def hash_files(root: Path, patterns: Iterable[str]) -> dict[str, str]:
    """Path relative to ``root`` -> SHA-256, for every file that ``patterns`` name."""
    return {relative(path, root): sha256(path) for path in expand(root, patterns)}


def tree_hash(folder: Path) -> str:
    """One hash for every file under ``folder`` (caches and hidden files aside)."""
    hasher = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            hasher.update(f"{rel.as_posix()}\0{sha256(path)}\n".encode())
    return hasher.hexdigest()


def data_digest(inputs: Mapping[str, str], within: str | None = None) -> dict[str, Any]:
    """One hash for input files as the manifest records them (path -> SHA-256): the
    SHA-256 of their sorted ``<path>\\0<sha256>`` lines, as in :func:`tree_hash`.

    With ``within`` (a file or folder, written as the manifest writes paths), only the
    files in it count and their paths are taken relative to it, so that the same case
    file gives the same hash wherever it is stored. Returns ``{"sha256", "files"}``.
    """
    chosen: dict[str, str] = {}
    for path, sha in inputs.items():
        if within is None:
            chosen[path] = sha
        elif path == within:
            chosen[PurePosixPath(path).name] = sha
        elif path.startswith(within.rstrip("/") + "/"):
            chosen[path[len(within.rstrip("/")) + 1 :]] = sha
    hasher = hashlib.sha256()
    for path in sorted(chosen):
        hasher.update(f"{path}\0{chosen[path]}\n".encode())
    return {"sha256": hasher.hexdigest(), "files": len(chosen)}


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form; absolute when it is outside."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


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
        if Path(git("rev-parse", "--show-toplevel").strip()).resolve() != root.resolve():
            return None
        return {
            "commit": git("rev-parse", "HEAD").strip(),
            "dirty": bool(git("status", "--porcelain").strip()),
        }
    except (OSError, subprocess.SubprocessError):
        return None


def packages() -> dict[str, str]:
    """Every installed distribution and its version, by name."""
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name] = dist.version
    return dict(sorted(found.items(), key=lambda kv: kv[0].lower()))
