"""Tests for cape_study.runner.provenance: the data hash of a report."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from cape_study.runner.provenance import data_digest, expand, hash_files, relative


def _hash(lines: list[str]) -> str:
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()


def test_data_digest_hashes_the_case_files_wherever_they_lie() -> None:
    inputs = {
        "data/raw/demo/cases.csv": "1" * 64,
        "data/raw/demo/documents/d1.txt": "2" * 64,
        "/home/someone/.config/cape-study/pseudonym.key": "3" * 64,
    }
    within = data_digest(inputs, "data/raw/demo")
    assert within == {
        "sha256": _hash([f"cases.csv\0{'1' * 64}", f"documents/d1.txt\0{'2' * 64}"]),
        "files": 2,
    }
    moved = {k.replace("data/raw/demo", "/secure/casefile"): v for k, v in inputs.items()}
    assert data_digest(moved, "/secure/casefile/") == within
    assert data_digest(inputs, "data/raw/dem")["files"] == 0  # a prefix is not a folder
    workbook = data_digest({"data/raw/cases.xlsx": "4" * 64}, "data/raw/cases.xlsx")
    assert workbook["sha256"] == _hash([f"cases.xlsx\0{'4' * 64}"])
    everything = data_digest(inputs)
    assert everything["files"] == 3
    assert everything["sha256"] == _hash(sorted(f"{k}\0{v}" for k, v in inputs.items()))


def test_expand_lists_files_below_folders_in_path_order_without_hidden_ones(tmp_path) -> None:
    case = tmp_path / "case file"
    for name in ["a-b.csv", "a/b.txt", "a/z.txt", "docs/x.txt", "docs/.hidden", ".git/c"]:
        (case / name).parent.mkdir(parents=True, exist_ok=True)
        (case / name).write_text(name, encoding="utf-8")
    (case / "docs" / "link.txt").symlink_to(case / "a" / "b.txt")
    (tmp_path / "other.key").write_text("k", encoding="utf-8")
    found = expand(tmp_path, ["case file", "other.key", "missing.csv"])
    # as Path.rglob lists them, sorted as paths: "a/..." before "a-b.csv"
    expected = [
        p
        for p in case.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(case).parts)
    ]
    assert found == sorted([*expected, tmp_path / "other.key"])
    assert [p.relative_to(case).as_posix() for p in found[:3]] == ["a/b.txt", "a/z.txt", "a-b.csv"]
    hashes = hash_files(tmp_path, ["case file/docs"])
    assert hashes == {
        "case file/docs/link.txt": hashlib.sha256(b"a/b.txt").hexdigest(),
        "case file/docs/x.txt": hashlib.sha256(b"docs/x.txt").hexdigest(),
    }


def test_relative_paths_are_posix_below_the_root_and_absolute_outside() -> None:
    root = Path("/srv/project")
    assert relative(root / "data" / "raw" / "x.csv", root) == "data/raw/x.csv"
    assert relative("/srv/project/", root) == "."
    assert relative("/srv/project-old/x.csv", root) == "/srv/project-old/x.csv"
    assert relative("/srv/project/a/../b.csv", "/srv/project/") == "b.csv"


def test_hash_files_reads_again_only_files_whose_stamp_changed(tmp_path) -> None:
    import os

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("one", encoding="utf-8")
    b.write_text("two", encoding="utf-8")
    known: dict[str, list] = {}
    first = hash_files(tmp_path, ["."], known)
    assert first == {
        "a.txt": hashlib.sha256(b"one").hexdigest(),
        "b.txt": hashlib.sha256(b"two").hexdigest(),
    }
    assert sorted(known) == [str(a), str(b)] and all(len(v) == 5 for v in known.values())
    # a recorded hash is trusted while size, times and inode are unchanged ...
    known[str(a)][4] = "recorded"
    assert hash_files(tmp_path, ["."], known)["a.txt"] == "recorded"
    # ... and a file rewritten with the same size is read again (its times changed)
    stamp = os.stat(b)
    b.write_text("TWO", encoding="utf-8")
    os.utime(b, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1000))
    assert hash_files(tmp_path, ["."], known)["b.txt"] == hashlib.sha256(b"TWO").hexdigest()
    assert hash_files(tmp_path, ["."]) == {**first, "b.txt": hashlib.sha256(b"TWO").hexdigest()}


def test_folder_hash_is_the_data_digest_of_every_file_in_the_folder(tmp_path) -> None:
    from cape_study.runner.provenance import folder_hash, stamped_files

    case = tmp_path / "case file"
    for name in ["cases.csv", "documents/2019/a.txt", "documents/b.txt", ".hidden", "d/.x"]:
        (case / name).parent.mkdir(parents=True, exist_ok=True)
        (case / name).write_text(name, encoding="utf-8")
    listed = stamped_files(case)
    assert sorted(path for path, *_ in listed) == [
        p.relative_to(case).as_posix() for p in expand(case, ["."])
    ]
    st = (case / "cases.csv").stat()
    assert ("cases.csv", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) in listed
    # the straightforward definition: the data hash of the folder's files, file by file
    per_file = hash_files(tmp_path, ["case file"])
    whole = folder_hash(case)
    assert whole == data_digest(per_file, "case file") and whole["files"] == 3
    # recorded as a whole, the folder gives the same data hash
    assert data_digest({"case file": whole, "key": "1" * 64}, "case file") == whole
    assert data_digest({"case file": whole, "key": "1" * 64})["files"] == 4


def test_installed_packages_are_read_again_only_when_one_changed(
    tmp_path: Path, monkeypatch
) -> None:
    import importlib.metadata

    from cape_study.runner.provenance import packages

    site = tmp_path / "site"
    site.mkdir()

    def install(name: str, version: str) -> None:
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )

    reads: list[int] = []
    real = importlib.metadata.distributions

    def counted(**kwargs):
        reads.append(1)
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "distributions", counted)
    install("Alpha", "1.0")
    kept = tmp_path / "cache" / "packages.json"
    assert packages(kept, path=[str(site)]) == {"Alpha": "1.0"} and len(reads) == 1
    assert packages(kept, path=[str(site)]) == {"Alpha": "1.0"} and len(reads) == 1
    install("beta", "2.1")
    assert packages(kept, path=[str(site)]) == {"Alpha": "1.0", "beta": "2.1"}
    assert len(reads) == 2
    assert packages(path=[str(site)]) == {"Alpha": "1.0", "beta": "2.1"}  # no cache


def test_the_command_line_imports_no_pandas() -> None:
    """``cape-study run`` with nothing to do must not wait for pandas and NumPy (about
    0.5 s of a no-op re-run's 1 s, issue 22): the CLI and the runner import neither."""
    code = "import sys, cape_study.cli; print(sorted({'pandas', 'numpy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_folder_stamp_changes_when_a_document_is_written_even_in_place(tmp_path) -> None:
    """The step cache trusts a case file's hash while its stamp (:func:`folder_stamp`) is
    the same: a document added, removed, renamed or rewritten in place with the same size
    and modification time must change it, and the cache then reads that document again
    and finds the new hash; nothing else changes it."""
    import os

    from cape_study.runner.cache import StepCache
    from cape_study.runner.provenance import folder_hash, folder_stamp

    case = tmp_path / "case"
    for name in ["cases.csv", "documents/2019/a.txt", "documents/2020/b.txt", ".hidden"]:
        (case / name).parent.mkdir(parents=True, exist_ok=True)
        (case / name).write_text(name, encoding="utf-8")
    cache = StepCache(tmp_path / "cache", tmp_path)
    stamp, first = folder_stamp(case), cache._folder(str(case))
    assert first == folder_hash(case)
    assert folder_stamp(case) == stamp and cache._folder(str(case)) == first
    (case / ".hidden").write_text("not a case-file file", encoding="utf-8")
    assert folder_stamp(case) == stamp

    doc = case / "documents" / "2019" / "a.txt"
    st = doc.stat()
    time.sleep(0.05)  # past the clock tick of the file's change time (as for git, make)
    with open(doc, "r+b") as fh:  # same size, same inode, modification time put back
        fh.write(b"D")
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert doc.stat().st_size == st.st_size and doc.stat().st_mtime_ns == st.st_mtime_ns
    assert folder_stamp(case) != stamp
    again = cache._folder(str(case))
    assert again == folder_hash(case) and again["sha256"] != first["sha256"]

    for change in (
        lambda: (case / "documents" / "2020" / "c.txt").write_text("new", encoding="utf-8"),
        lambda: (case / "documents" / "2020" / "c.txt").rename(case / "documents" / "c.txt"),
        lambda: (case / "documents" / "c.txt").unlink(),
    ):
        before = folder_stamp(case)
        change()
        assert folder_stamp(case) != before
        assert cache._folder(str(case)) == folder_hash(case)


def test_the_library_hash_is_defined_as_before(tmp_path) -> None:
    """:func:`tree_hash` (the library's hash in every cache key) lists the folder without
    ``Path.rglob``: the same hash as the definition it had, on the library itself and on a
    tree with hidden files and folders, caches, links and names whose order by path
    component is not their order as strings."""
    import hashlib
    import os

    from cape_study.paths import PACKAGE_DIR
    from cape_study.runner.provenance import sha256, tree_hash

    def before(folder: Path) -> str:
        hasher = hashlib.sha256()
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not any(
                p.startswith(".") or p == "__pycache__" for p in rel.parts
            ):
                hasher.update(f"{rel.as_posix()}\0{sha256(path)}\n".encode())
        return hasher.hexdigest()

    tree = tmp_path / "tree"
    for name in [
        "a/b.py", "a-b.py", "a/c/d.yaml", "A.txt", ".hidden", ".git/config", "a/.env",
        "a/__pycache__/b.cpython-311.pyc", "x/__pycache__", "z/deep/deeper/file",
    ]:  # fmt: skip
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(name, encoding="utf-8")
    os.symlink(tree / "a" / "b.py", tree / "link-to-file.py")
    os.symlink(tree / "z", tree / "link-to-folder")
    os.symlink(tree / "missing", tree / "broken-link")
    assert tree_hash(tree) == before(tree)
    assert tree_hash(PACKAGE_DIR) == before(PACKAGE_DIR)
    (tree / "a" / "c" / "d.yaml").write_text("changed", encoding="utf-8")
    assert tree_hash(tree) == before(tree)
    for nothing in (tmp_path / "missing", tree / "A.txt"):  # no folder: no file in it
        assert tree_hash(nothing) == before(nothing) == hashlib.sha256().hexdigest()
