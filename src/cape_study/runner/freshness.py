"""A folder's stamp: whether any file below it was added, removed, renamed or written
since the stamp was last taken, in place too (:func:`folder_stamp`).

The step cache trusts a case file's recorded hash while its stamp is the same
(:meth:`cape_study.runner.cache.StepCache._folder`), so a re-run with nothing changed
reads none of its files, but it must ``stat`` every one of them: a document rewritten
in place keeps its name, inode and folder, and only its own times say so. At 100,000
cases that is 275,660 ``stat`` calls, about 0.5 CPU s in the kernel alone (issue 22).

The folders are shared between this process and a helper process, which runs this file
as a script with the standard library only (``python -I -S freshness.py TOP
FOLDER...``; about 30 ms to start) and prints the digests of the folders given and of
every folder below them. Each folder's digest is made by the same function
(:func:`_stamp_listing`) whichever process lists it, and the stamp combines them in the
order of their paths, so it does not depend on how the folders were shared, on the
number of processes, or on whether a helper could be started at all (then this process
lists them all). Threads (as before) gained little: a thread that gives up the
interpreter's lock for a ``stat`` mostly takes it back before the waiting thread wakes,
so the other gets it only when it asks after 5 ms (739 voluntary context switches in a
3-second stamp of 275,660 files) and the two ran mostly one after the other.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import os
import sys
from array import array
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a helper imports no more than it needs (subprocess: 25 ms)
    import subprocess

__all__ = ["folder_stamp"]

#: The fields of a file's ``stat`` that say whether it changed (with its path, its stamp).
_STAMP = operator.attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")

#: Whether a folder can be listed through a descriptor (POSIX; not Windows).
_LIST_BY_FD = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")

#: Folders are shared with helper processes only when their listings (the sizes of the
#: folders themselves, about 30 bytes a file on ext4) come to this many bytes: starting
#: a helper costs about 30 ms, as much as ``stat`` on some 6,000 files.
SHARE_FROM = 256 * 1024


def folder_stamp(folder: str | os.PathLike[str], *, processes: int | None = None) -> str:
    """A digest of the path, size, modification and change times and inode of every
    file below ``folder`` (links followed, no name starting with a dot, as
    :func:`~cape_study.runner.provenance.stamped_files` finds them): it changes when a
    file is added, removed, renamed or written, in place too.

    Folders are listed by up to ``processes`` processes (default: the CPUs this process
    may use, at most 4): this one and helpers (see the module); the stamp is the same
    for any number."""
    top = os.fspath(folder)
    if processes is None:
        processes = min(_cpus(), 4)
    digests: dict[str, bytes] = {}
    helpers: list[tuple[subprocess.Popen[bytes] | None, list[str]]] = []
    try:
        level = [""]
        while level:
            if not helpers and processes > 1 and len(level) > 1:
                level, shared = _share(top, level, processes)
                helpers = [(_start(top, part), part) for part in shared]
            below_next: list[str] = []
            for below in level:
                folders, digests[below] = _stamp_listing(top, below)
                below_next += folders
            level = below_next
        for helper, part in helpers:
            digests.update(_collect(helper, part) or _stamp_trees(top, part))
    finally:
        for helper, _ in helpers:
            if helper is not None and helper.poll() is None:
                helper.kill()
                helper.wait()
    hasher = hashlib.sha256()
    for below in sorted(digests):
        hasher.update(below.encode("utf-8", "surrogateescape") + b"\0" + digests[below])
    return hasher.hexdigest()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _share(top: str, level: list[str], processes: int) -> tuple[list[str], list[list[str]]]:
    """``level``'s folders split into this process's and each helper's (with all the
    folders below them), by the size of each folder's listing (largest first, each to
    the one with least so far), or all this process's when they are small."""
    sizes = {below: os.stat(os.path.join(top, below)).st_size for below in level}
    if sum(sizes.values()) < SHARE_FROM:
        return level, []
    parts: list[list[str]] = [[] for _ in range(min(processes, len(level)))]
    loads = [0] * len(parts)
    for below in sorted(level, key=lambda below: (-sizes[below], below)):
        least = loads.index(min(loads))
        parts[least].append(below)
        loads[least] += sizes[below]
    return parts[0], [part for part in parts[1:] if part]


def _start(top: str, part: list[str]) -> subprocess.Popen[bytes] | None:
    """A helper process stamping the folders in ``part`` and below them, or None."""
    import subprocess

    script = os.path.abspath(__file__)
    if not sys.executable or not script.endswith(".py"):
        return None
    try:  # -I -S: no environment, user site or site-packages; the standard library only
        return subprocess.Popen(
            [sys.executable, "-I", "-S", script, top, *part],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def _collect(helper: subprocess.Popen[bytes] | None, part: list[str]) -> dict[str, bytes] | None:
    """The digests a helper printed, or None if it failed (then this process lists its
    folders again, and raises what listing them raises)."""
    if helper is None:
        return None
    out, _ = helper.communicate()
    fields = out.split(b"\0")
    if helper.returncode != 0 or len(fields) % 2 != 1 or fields[-1] != b"":
        return None
    try:
        found = {
            below.decode("utf-8", "surrogateescape"): bytes.fromhex(sha.decode("ascii"))
            for below, sha in zip(fields[:-1:2], fields[1::2], strict=True)
        }
    except ValueError:
        return None
    return found if all(below in found for below in part) else None


def _stamp_trees(top: str, roots: Iterable[str]) -> dict[str, bytes]:
    """The digest of each folder in ``roots`` and below them (relative to ``top``)."""
    digests: dict[str, bytes] = {}
    level = list(roots)
    while level:
        below_next: list[str] = []
        for below in level:
            folders, digests[below] = _stamp_listing(top, below)
            below_next += folders
        level = below_next
    return digests


def _stamp_listing(top: str, below: str) -> tuple[list[str], bytes]:
    """The folders in ``top/below`` (relative to ``top``, ending in ``/``) and a digest
    of its files' names and stamps, in listing order (no name starting with a dot)."""
    entries, names, folders = [], [], []
    path = os.path.join(top, below) if below else top
    # Listed through a descriptor of the folder, its entries are stat'ed relative to it
    # (fstatat), not each by its whole path: 0.90 against 1.02 CPU s for 275,673 files.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY) if _LIST_BY_FD else None
    try:
        with os.scandir(path if fd is None else fd) as listing:
            for entry in listing:
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir():
                    folders.append(f"{below}{name}/")
                elif entry.is_file():
                    entries.append(entry)
                    names.append(name)
        stamps = list(map(_STAMP, map(os.DirEntry.stat, entries)))
    finally:
        if fd is not None:
            os.close(fd)
    hasher = hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape"))
    try:
        hasher.update(array("q", itertools.chain.from_iterable(stamps)).tobytes())
    except OverflowError:  # an inode number above 2**63
        hasher.update(repr(stamps).encode())
    return folders, hasher.digest()


def _helper(argv: list[str]) -> int:
    """A helper's work: the digests of the folders ``argv[1:]`` and below them
    (relative to the folder ``argv[0]``) on standard output, as ``path NUL hex NUL``
    (no path holds a NUL)."""
    top, roots = argv[0], argv[1:]
    out = bytearray()
    for below, sha in _stamp_trees(top, roots).items():
        out += below.encode("utf-8", "surrogateescape") + b"\0" + sha.hex().encode() + b"\0"
    sys.stdout.buffer.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(_helper(sys.argv[1:]))
