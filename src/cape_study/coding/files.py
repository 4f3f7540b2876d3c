"""How the workbench writes a file: to a temporary file beside it, moved onto it in one
step, so that no reader (a coder's Excel, the next command) sees half a plan, workbook or
project."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

__all__ = ["replacing", "write_csv"]


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """The temporary file to write ``path``'s new content to; moved onto ``path`` when
    the block ends without an error."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:  # a full disk: no half-written file is left
        tmp.unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV (UTF-8, without the index), replacing ``path`` in one step."""
    with replacing(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8")
