"""A case file's stamp (:func:`cape_study.runner.freshness.folder_stamp`): the step cache
trusts the folder's recorded hash while its stamp is the same, so every change to a file
below it must change the stamp, whichever processes listed its folders."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cape_study.runner import freshness
from cape_study.runner.freshness import folder_stamp


def _case_file(root: Path) -> Path:
    case = root / "case"
    names = ["cases.csv", "events.csv", ".hidden", "documents/.git/x"]
    names += [f"documents/{year}/d{i}.txt" for year in range(2012, 2017) for i in range(4)]
    names += ["documents/2013/deeper/e.txt", "documents/2014/deeper/more/f.txt"]
    for name in names:
        (case / name).parent.mkdir(parents=True, exist_ok=True)
        (case / name).write_text(name, encoding="utf-8")
    return case


@pytest.fixture
def shared(monkeypatch) -> list[int]:
    """Folders shared with helpers however small they are; the list counts the helpers
    whose digests were used."""
    monkeypatch.setattr(freshness, "SHARE_FROM", 0)
    used: list[int] = []
    collect = freshness._collect

    def counted(helper, part):
        found = collect(helper, part)
        used.append(found is not None)
        return found

    monkeypatch.setattr(freshness, "_collect", counted)
    return used


def test_the_stamp_is_the_same_however_the_folders_are_shared(tmp_path, shared) -> None:
    case = _case_file(tmp_path)
    alone = folder_stamp(case, processes=1)
    assert shared == []  # no helper with one process
    for processes in (2, 3, 8):
        shared.clear()
        assert folder_stamp(case, processes=processes) == alone
        assert shared and all(shared)  # helpers ran and their digests were used
    # the top folder's only folder is documents/: the five years below it are shared
    assert len(shared) == 4


def test_a_helper_that_fails_or_cannot_start_changes_nothing(tmp_path, shared, monkeypatch) -> None:
    case = _case_file(tmp_path)
    alone = folder_stamp(case, processes=1)
    pythons = [str(tmp_path / "no-such-python")]
    for name, script in {
        "fails": "echo 'documents/2012/'; exit 1",
        "prints-nothing": "exit 0",  # none of its folders' digests
        "prints-no-digest": "printf 'documents/2012/\\000zz\\000'; exit 0",
    }.items():
        pythons.append(str(tmp_path / name))
        Path(pythons[-1]).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
        Path(pythons[-1]).chmod(0o755)
    for python in pythons:
        monkeypatch.setattr(freshness.sys, "executable", python)
        shared.clear()
        assert folder_stamp(case, processes=2) == alone
        assert shared == [False]  # its folders were listed by this process instead


def test_names_a_line_cannot_hold_are_stamped_by_a_helper(tmp_path, shared) -> None:
    """Paths go to a helper as arguments and come back separated by NUL bytes: a name
    with a line break or with bytes that are not UTF-8 is stamped as by this process."""
    case = _case_file(tmp_path)
    odd = case / "documents" / "line\nbreak"
    odd.mkdir()
    (odd / "a.txt").write_text("a", encoding="utf-8")
    if sys.platform.startswith("linux"):  # names are bytes on Linux
        raw = os.fsencode(case / "documents") + b"/latin-\xe5\xe4\xf6"
        os.mkdir(raw)
        with open(raw + b"/\xff.txt", "wb") as fh:
            fh.write(b"x")
    assert folder_stamp(case, processes=2) == folder_stamp(case, processes=1)
    assert shared and all(shared)


def _rewrite_in_place(path: Path) -> None:
    """The same size, inode and modification time: only the change time tells."""
    st = path.stat()
    time.sleep(0.05)  # past the clock tick of the file's change time (as for git, make)
    with open(path, "r+b") as fh:
        fh.write(b"X")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
    )


_CHANGES: dict[str, Callable[[Path], object]] = {
    "added": lambda case: (case / "documents" / "2015" / "new.txt").write_text("n"),
    "added in a new folder": lambda case: shutil.copytree(
        case / "documents" / "2012", case / "documents" / "2020"
    ),
    "removed": lambda case: (case / "documents" / "2016" / "d3.txt").unlink(),
    "renamed in its folder": lambda case: (case / "documents" / "2012" / "d0.txt").rename(
        case / "documents" / "2012" / "d9.txt"
    ),
    "moved to another folder": lambda case: (case / "documents" / "2012" / "d0.txt").rename(
        case / "documents" / "2013" / "d9.txt"
    ),
    "folder renamed": lambda case: (case / "documents" / "2014" / "deeper").rename(
        case / "documents" / "2014" / "other"
    ),
    "written, another size": lambda case: (case / "documents" / "2013" / "d1.txt").write_text(
        "longer than before"
    ),
    "written in place, same size and times": lambda case: _rewrite_in_place(
        case / "documents" / "2014" / "deeper" / "more" / "f.txt"
    ),
    "replaced by a copy": lambda case: shutil.copy2(
        case / "documents" / "2015" / "d1.txt", case / "documents" / "2015" / "d2.txt"
    ),
    "a file at the top written in place": lambda case: _rewrite_in_place(case / "cases.csv"),
}


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("change", list(_CHANGES))
def test_every_change_to_a_file_changes_the_stamp(tmp_path, shared, processes, change) -> None:
    case = _case_file(tmp_path)
    before = folder_stamp(case, processes=processes)
    assert folder_stamp(case, processes=processes) == before  # nothing changed
    (case / ".hidden").write_text("not a case-file file", encoding="utf-8")
    (case / "documents" / ".git" / "x").write_text("nor this", encoding="utf-8")
    assert folder_stamp(case, processes=processes) == before
    _CHANGES[change](case)
    after = folder_stamp(case, processes=processes)
    assert after != before
    assert folder_stamp(case, processes=3 - processes) == after


def test_the_stamp_is_defined_as_before(tmp_path) -> None:
    """The stamp of each folder's files in listing order (their names, then their size,
    modification and change times and inode as 64-bit integers), combined in the order
    of the folders' paths: the definition the step caches of earlier versions hold."""
    import hashlib
    import itertools
    from array import array

    from cape_study.runner.provenance import stamped_files

    case = _case_file(tmp_path)
    (case / "documents" / "empty").mkdir()
    files: dict[str, list[tuple]] = {}
    for top, folders, _ in os.walk(case, followlinks=True):
        folders[:] = [name for name in folders if not name.startswith(".")]
        below = Path(top).relative_to(case).as_posix()
        files["" if below == "." else below + "/"] = []
    for rel, *stamp in stamped_files(case):
        folder, _, name = rel.rpartition("/")
        files[folder + "/" if folder else ""].append((name, stamp))
    hasher = hashlib.sha256()
    for below in sorted(files):
        names = "\0".join(name for name, _ in files[below]).encode()
        digest = hashlib.sha256(names)
        digest.update(array("q", itertools.chain.from_iterable(s for _, s in files[below])))
        hasher.update(below.encode() + b"\0" + digest.digest())
    assert folder_stamp(case, processes=1) == hasher.hexdigest()
