"""Results of slow, deterministic estimates kept by what they were computed from.

A bootstrap or a cross-validation gives the same table for the same data, arguments and
code; a step re-run after another parameter changed (the language, the threshold of
disclosure control) or after the presentation code changed need not compute it again.
:func:`remembered` keeps each result in a folder under a key made of the function's
name, its arguments (a table by a hash of its values, index, columns and types), the
source of the parts the estimates are made of (``stats``, ``data``, ``privacy``: the
only parts ``stats`` may import) and the versions of the numerical packages; any change
to one of them computes the result again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
import tempfile
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from cape_study.paths import PACKAGE_DIR

__all__ = ["KEPT", "remembered", "result_key"]

#: Results kept; the least recently used go first.
KEPT = 200
_PARTS = ("stats", "data", "privacy")
_PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "statsmodels")

T = TypeVar("T")


def remembered(folder: Path | None, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)``, or the result kept from an earlier call with the
    same key (:func:`result_key`) in ``folder``; computed (and kept) when there is none.

    Only for functions whose result depends on nothing but their arguments (a seeded
    bootstrap, say). Nothing is kept when ``folder`` is None or cannot be written, and
    a kept file that cannot be read is computed again.
    """
    if folder is None:
        return function(*args, **kwargs)
    path = folder / f"{result_key(function, args, kwargs)}.pkl"
    try:
        with path.open("rb") as fh:
            value = pickle.load(fh)
        os.utime(path)
        return value
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        pass
    value = function(*args, **kwargs)
    _keep(path, value)
    return value


def result_key(function: Callable, args: tuple, kwargs: Mapping[str, Any]) -> str:
    """SHA-256 of the function's name, its arguments, the source of ``stats``, ``data``
    and ``privacy``, and the versions of Python and the numerical packages.

    Raises
    ------
    TypeError
        For an argument that is not a table, a number, a string, None, or a list, tuple
        or dict of these (its value could not be told apart reliably).
    """
    digest = hashlib.sha256()
    digest.update(f"{function.__module__}.{function.__qualname__}".encode())
    digest.update(_environment().encode())
    for value in (*args, *sorted(kwargs.items())):
        _feed(digest, value)
    return digest.hexdigest()


def content_digest(*values: Any) -> str:
    """SHA-256 of ``values`` as :func:`result_key` reads arguments (a table by its
    columns, their types, its index's type and a hash of every value and index label),
    without the function or the environment: what tells tables apart in one process.

    Raises
    ------
    TypeError
        As :func:`result_key`.
    """
    digest = hashlib.sha256()
    for value in values:
        _feed(digest, value)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, pd.DataFrame):
        digest.update(repr((list(value.columns), [str(t) for t in value.dtypes])).encode())
        digest.update(repr(value.index.dtype).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif isinstance(value, pd.Series):
        _feed(digest, value.to_frame(name=str(value.name)))
    elif isinstance(value, list | tuple):
        digest.update(f"{type(value).__name__}{len(value)}(".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b")")
    elif isinstance(value, dict):
        _feed(digest, sorted(value.items(), key=lambda kv: repr(kv[0])))
    elif value is None or isinstance(value, str | bool | int | float | np.integer | np.floating):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    else:
        raise TypeError(f"cannot key a result on a {type(value).__name__}: {value!r:.60}")


def _environment() -> str:
    """The source of the parts estimates are made of, and the packages' versions. The
    source is read again whenever a file's size or modification time changed, so that an
    edit in a running kernel (autoreload) keys new results."""
    files = [
        file
        for part in _PARTS
        for file in sorted((PACKAGE_DIR / part).rglob("*"))
        if file.suffix in (".py", ".yaml", ".json", ".csv") and file.is_file()
    ]
    files.append(PACKAGE_DIR / "errors.py")
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _source_digest(stamp) + ";" + _versions()


@functools.lru_cache(maxsize=4)
def _source_digest(stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in stamp:
        digest.update(Path(name).relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(Path(name).read_bytes())
    return digest.hexdigest()


@functools.cache
def _versions() -> str:
    """Python's and the numerical packages' versions (a process keeps the ones it
    imported, whatever is installed later)."""
    versions = [platform.python_version()]
    for name in _PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    return ";".join(versions)


def _keep(path: Path, value: Any) -> None:
    """Keep ``value`` at ``path`` in one rename; drop the least recently used beyond
    :data:`KEPT`. Nothing when the folder cannot be written."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # named by the process, so that the next run removes it if this one is killed
        # (cape_study.runner.current.tidy), and no other's
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{os.getpid()}-", suffix=".pkl")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        kept = sorted(path.parent.glob("*.pkl"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEPT]:
            old.unlink(missing_ok=True)
    except OSError:  # a full disk: no half-written file is left
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
