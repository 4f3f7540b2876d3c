"""The step cache: executed steps kept between runs, so that unchanged steps need not run.

The cache
---------
A step is taken from the cache (``.cache/steps/<step>/``) when its notebook, its
resolved parameters, its input files, the output files of the steps it needs, and the
library source (every file under ``src/cape_study``, codebooks included) hash as they
did when it last ran, the environment variables the step names under ``env:`` (such as
``CAPE_PSEUDO_KEY``) are unchanged (only a hash of their hash is kept), and its outputs
still hash as they did then. ``force`` re-runs.

A folder among a step's inputs (a case file) is recorded, in the key and in the
manifest, as one hash of its files with their number
(:func:`~cape_study.runner.provenance.folder_hash`), not file by file.

During a run, ``data/processed`` and ``reports/`` are those of the run's staging folder
(``stage``, :mod:`cape_study.runner.publish`): a step's inputs and the outputs it writes
are hashed there, under the same names as in the published folders, and a cached
step's outputs are checked where they are published, then linked into the stage
(:meth:`StepCache.carry`).

A step's folder holds ``entry.json`` (its cache key, the digest of each part of the key,
and what the manifest records about the step), the executed ``notebook.ipynb`` and its
page ``report.html``; a new entry replaces the old one in one rename.

Each language's result
----------------------
A step's last result in each language (its ``lang`` parameter) is also kept, under
``languages/<step>/<lang>/`` beside the steps' folder: the same three files and, under
``files/``, its outputs as hard links (no copy while the report still holds them). A
run in another language replaces the step's entry, not that language's; switching back
finds it there (same key: notebook, parameters, inputs, library), makes it the step's
entry again and links its outputs into the new report, so that ``en`` -> ``sv`` ->
``en`` runs nothing the second time.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cape_study.runner.execution import write_notebook
from cape_study.runner.provenance import (
    FORMAT,
    data_digest,
    digest,
    folder_stamp,
    hash_files,
    matches,
    relative,
    sha256,
    stamped_files,
)
from cape_study.runner.spec import Step

__all__ = ["CacheKey", "StepCache"]


@dataclass(frozen=True)
class CacheKey:
    """What a step's result depends on: ``key`` digests it all, ``parts`` digests each
    part (to say which changed), ``inputs`` hashes each input file, and each input
    folder as a whole (``{"sha256", "files"}``)."""

    key: str
    inputs: dict[str, Any]
    parts: dict[str, str]


def _secret_hash(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()


class _Known(dict):
    """The ``known`` hashes of :func:`hash_files`, remembering whether it added any."""

    changed = False

    def __setitem__(self, key: str, value: list) -> None:
        self.changed = True
        super().__setitem__(key, value)


#: The folders a run writes, staged until it publishes (relative to the project root).
STAGED = ("data/processed", "reports")


def staged(pattern: str) -> bool:
    """Whether a step's input or output pattern lies in a folder a run stages."""
    clean = pattern.replace("\\", "/").removeprefix("./")
    return any(clean == top or clean.startswith(top + "/") for top in STAGED)


class _Rebased(MutableMapping):
    """The known hashes of files in the stage, kept under the names they will have
    once published (``root/...``), so that a re-run finds them."""

    def __init__(self, known: MutableMapping[str, list], stage: Path, root: Path) -> None:
        self.known = known
        self.stage, self.root = os.path.join(stage, ""), os.path.join(root, "")

    def _key(self, path: str) -> str:
        return self.root + path[len(self.stage) :] if path.startswith(self.stage) else path

    def __getitem__(self, path: str) -> list:
        return self.known[self._key(path)]

    def __setitem__(self, path: str, value: list) -> None:
        self.known[self._key(path)] = value

    def __delitem__(self, path: str) -> None:
        del self.known[self._key(path)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


class StepCache:
    """The cache folder of a project whose files are relative to ``root``.

    The SHA-256 of every input and output file is kept in ``files.json`` beside the
    steps' folders with the file's size, times and inode
    (:func:`~cape_study.runner.provenance.hash_files`), so that a re-run reads again only the
    files that changed. A folder among the inputs has its own record under
    ``folders/``: a hash of every file's path, size, times and inode (its *stamp*), the
    folder's hash and number of files, and, in a second file read only when the stamp
    changed, the hash of each file. A case file of 100,000 cases is 275,000 files: a
    re-run with nothing changed lists and stats them, and reads nothing else.
    """

    def __init__(self, folder: Path, root: Path, stage: Path | None = None) -> None:
        self.folder, self.root, self.stage = folder, root, stage
        #: Other versions a cached step's outputs may be found in (the partial report).
        self.others: list[Path] = []
        self.origin: dict[str, Path] = {}
        self._known: _Known | None = None

    def _hashes(
        self, patterns: list[str], *, published: bool = False, version: Path | None = None
    ) -> dict[str, str]:
        """:func:`hash_files` with the hashes known from earlier runs, stored again
        (in one rename) when a file was read. Patterns in a staged folder are looked up
        in the stage, unless ``published``, or in ``version``."""
        path = self.folder / "files.json"
        if self._known is None:
            self._known = _Known()
            # hashes.json (format 1) held every file of a case file: 50 MB to read
            (self.folder / "hashes.json").unlink(missing_ok=True)
            with contextlib.suppress(OSError, ValueError):
                self._known.update(json.loads(path.read_text(encoding="utf-8")))
        self._known.changed = False
        plain = published or (self.stage is None and version is None)
        here = [p for p in patterns if plain or not staged(p)]
        hashes = hash_files(self.root, here, self._known) if here else {}
        there = [p for p in patterns if p not in here]
        if there:
            base = version or self.stage
            assert base is not None
            hashes.update(hash_files(base, there, _Rebased(self._known, base, self.root)))
        if self._known.changed:
            _write_json(path, self._known)
        return dict(sorted(hashes.items()))

    def outputs(self, patterns: list[str]) -> dict[str, str]:
        """Path -> SHA-256 of the files a step wrote (in the stage, for staged folders)."""
        return self._hashes(patterns)

    def carry(self, name: str, outputs: Mapping[str, str]) -> None:
        """Link a cached step's outputs (path -> SHA-256), from the version
        :meth:`lookup` found them in, into the stage, so that the new version holds them
        without copying; their known hashes follow (a new link changes only a file's
        change time)."""
        assert self.stage is not None and self._known is not None
        origin = self.origin.get(name, self.root)
        updated = False
        for rel in outputs:
            if not staged(rel):
                continue
            source, target = origin / rel, self.stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
            st = os.stat(target)
            key = os.path.abspath(self.root / rel)
            seen = self._known.get(key)
            if seen is not None and [seen[0], seen[1], seen[3]] == [
                st.st_size,
                st.st_mtime_ns,
                st.st_ino,
            ]:
                self._known[key] = [seen[0], seen[1], st.st_ctime_ns, seen[3], seen[4]]
                updated = True
        if updated:
            _write_json(self.folder / "files.json", self._known)

    def restamp(self) -> None:
        """After a publication: the published files' known hashes take their new change
        times, which linking them into the new version and removing the old one changed
        (their size, modification time and inode, and so their bytes, are the same), so
        that the next run need not read them again. Nothing when the cache cannot be
        written: the report is published by then, and the next run reads them again."""
        if self._known is None:
            return
        tops = tuple(os.path.join(self.root, top, "") for top in STAGED)
        updated = False
        for path, seen in list(self._known.items()):
            if not path.startswith(tops):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            same = [seen[0], seen[1], seen[3]] == [st.st_size, st.st_mtime_ns, st.st_ino]
            if same and seen[2] != st.st_ctime_ns:
                self._known[path] = [seen[0], seen[1], st.st_ctime_ns, seen[3], seen[4]]
                updated = True
        if updated:
            with contextlib.suppress(OSError):
                _write_json(self.folder / "files.json", self._known)

    def inputs(self, patterns: list[str]) -> dict[str, Any]:
        """Path relative to the root -> SHA-256 of each file that ``patterns`` name, and
        -> ``{"sha256", "files"}`` (:func:`~cape_study.runner.provenance.folder_hash`) of each
        folder they name."""
        files: list[str] = []
        folders: dict[str, dict[str, Any]] = {}
        for pattern in patterns:
            base = self.stage if self.stage is not None and staged(pattern) else self.root
            for path, is_folder in matches(base, [pattern]):
                if is_folder:
                    folders[relative(path, base)] = self._folder(path)
                else:  # a file in the stage by its name there, which _hashes looks up
                    files.append(glob.escape(path if base == self.root else relative(path, base)))
        found: dict[str, Any] = self._hashes(files) if files else {}
        found.update(folders)
        return dict(sorted(found.items()))

    def _folder(self, path: str) -> dict[str, Any]:
        """The hash of a folder's files (:func:`~cape_study.runner.provenance.folder_hash`),
        reading only the files whose size, times or inode changed since the last run,
        and none when none did."""
        # taken before the files are read, so that a file written meanwhile changes
        # the next run's stamp; in listing order: the same for an unchanged folder
        # (another order only costs a pass over the known hashes)
        stamp = folder_stamp(path)
        name = hashlib.sha256(path.encode()).hexdigest()[:16]
        summary_path = self.folder / "folders" / f"{name}.json"
        known_path = self.folder / "folders" / f"{name}.files.json"
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
            if summary["folder"] == path and summary["stamp"] == stamp:
                return {"sha256": summary["sha256"], "files": summary["files"]}
        known: dict[str, list] = {}
        with contextlib.suppress(OSError, ValueError):
            known = json.loads(known_path.read_text(encoding="utf-8"))
        now: dict[str, list] = {}
        for rel, *st in stamped_files(path):
            seen = known.get(rel)
            if seen is None or seen[:4] != st:
                seen = [*st, sha256(os.path.join(path, rel))]
            now[rel] = seen
        result = data_digest({rel: seen[4] for rel, seen in now.items()})
        _write_json(known_path, now)
        _write_json(summary_path, {"folder": path, "stamp": stamp, **result})
        return result

    def key(
        self,
        step: Step,
        params: Mapping[str, Any],
        upstream: Mapping[str, Any],
        library: str,
        kernel: str,
    ) -> CacheKey:
        """The key of a step run with ``params`` after steps that wrote ``upstream``
        (step -> output hashes), with the library hashing to ``library``."""
        inputs = self.inputs([p.format(**params) for p in step.inputs])
        parts = {
            "format": FORMAT,
            "notebook": sha256(self.root / step.notebook),
            "parameters": params,
            "inputs": inputs,
            "upstream": upstream,
            "library": library,
            "kernel": kernel,
            "outputs": list(step.outputs),
            # Secrets such as the pseudonymisation key: only a hash of a hash is kept.
            "environment": {name: _secret_hash(name) for name in step.env},
        }
        return CacheKey(
            digest(parts), inputs, {part: digest(value) for part, value in parts.items()}
        )

    def lookup(
        self, step: Step, params: Mapping[str, Any], key: CacheKey, *, languages: bool = True
    ) -> tuple[dict[str, Any] | None, str]:
        """The step's cache entry if it is still valid, else None and why not; with
        ``languages``, a result kept in another language with this key becomes the step's
        entry again (:meth:`_in_language`), else nothing in the cache is changed."""
        folder = self.folder / step.name
        try:
            entry = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, "not in the cache"
        if entry.get("key") != key.key:
            found = self._in_language(step, params, key) if languages else None
            if found is not None:
                return found, ""
            old = entry.get("parts", {})
            changed = [part for part, value in key.parts.items() if old.get(part) != value]
            return None, f"{', '.join(changed) or 'cache key'} changed"
        if not (folder / "report.html").is_file():
            return None, "not in the cache"
        patterns = [p.format(**params) for p in step.outputs]
        if self._hashes(patterns, published=True) == entry["outputs"]:
            self.origin[step.name] = self.root
            return entry, ""
        for version in self.others:  # a run that was not published, such as --only
            if self._hashes(patterns, version=version) == entry["outputs"]:
                self.origin[step.name] = version
                return entry, ""
        return None, "outputs changed since it ran"

    def language(self, name: str, params: Mapping[str, Any]) -> Path:
        """The folder of a step's last result in the language of ``params``."""
        return self.folder.parent / "languages" / name / str(params.get("lang") or "-")

    def _in_language(
        self, step: Step, params: Mapping[str, Any], key: CacheKey
    ) -> dict[str, Any] | None:
        """The step's last result in this language, if its key is ``key`` and its
        outputs are all kept (then it becomes the step's entry again, and its outputs
        are linked from there by :meth:`carry`); else None."""
        kept = self.language(step.name, params)
        try:
            entry = json.loads((kept / "entry.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("key") != key.key or not (kept / "report.html").is_file():
            return None
        patterns = [p.format(**params) for p in step.outputs]
        if self._hashes(patterns, published=True) == entry["outputs"]:
            origin = self.root
        elif self._hashes(patterns, version=kept / "files") == entry["outputs"]:
            origin = kept / "files"
        else:
            return None
        self.origin[step.name] = origin
        self._replace(step.name, kept)
        return entry

    def _replace(self, name: str, source: Path) -> None:
        """Make the entry, notebook and page in ``source`` the step's, in one rename."""
        tmp = Path(tempfile.mkdtemp(dir=self.folder, prefix=".tmp-"))
        for file in ("entry.json", "notebook.ipynb", "report.html"):
            shutil.copyfile(source / file, tmp / file)
        target = self.folder / name
        if target.exists():
            trash = Path(tempfile.mkdtemp(dir=self.folder, prefix=".tmp-"))
            os.replace(target, trash / name)
        os.replace(tmp, target)

    def changed(self, step: Step, params: Mapping[str, Any], library: str) -> bool:
        """Whether the step is not in the cache or its notebook, parameters or the
        library changed since it was stored: a quick guess, before its inputs exist."""
        try:
            entry = json.loads((self.folder / step.name / "entry.json").read_text("utf-8"))
        except (OSError, ValueError):
            return True
        old = entry.get("parts", {})
        now = {
            "notebook": digest(sha256(self.root / step.notebook)),
            "parameters": digest(params),
            "library": digest(library),
        }
        return any(old.get(part) != value for part, value in now.items())

    def last_seconds(self, name: str) -> float | None:
        """How long the step took when it last ran (its cache entry), if known."""
        try:
            entry = json.loads((self.folder / name / "entry.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return entry.get("ran_seconds")

    def store(self, name: str, entry: Mapping[str, Any], nb: Any, page: str) -> None:
        """Store a step's result, replacing the old entry in one rename (``nb``: the
        executed notebook, or its file's bytes)."""
        cache = self.folder
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-"))
        write_notebook(nb, tmp / "notebook.ipynb")
        (tmp / "report.html").write_text(page, encoding="utf-8")
        (tmp / "entry.json").write_text(json.dumps(entry, indent=2), encoding="utf-8")
        target = cache / name
        if target.exists():
            trash = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-"))
            os.replace(target, trash / name)
        os.replace(tmp, target)
        self._keep_language(name, entry, target)

    def _keep_language(self, name: str, entry: Mapping[str, Any], stored: Path) -> None:
        """Keep the step's result as its language's (see the module's docstring): its
        three files and its outputs, linked from where the step wrote them."""
        kept = self.language(name, entry.get("parameters") or {})
        kept.parent.mkdir(parents=True, exist_ok=True)
        for stale in kept.parent.glob(".tmp-*"):  # one half kept by an interrupted run
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(dir=kept.parent, prefix=".tmp-"))
        for file in ("entry.json", "notebook.ipynb", "report.html"):
            os.link(stored / file, tmp / file)
        for rel in entry.get("outputs", {}):
            base = self.stage if self.stage is not None and staged(rel) else self.root
            target = tmp / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(base / rel, target)
            except OSError:
                shutil.copy2(base / rel, target)
        if kept.exists():
            trash = Path(tempfile.mkdtemp(dir=kept.parent, prefix=".tmp-"))
            os.replace(kept, trash / kept.name)
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(tmp, kept)


def _write_json(path: Path, value: Any) -> None:
    """Write ``value`` as JSON to ``path``, replacing it in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        tmp.write_text(json.dumps(value), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written file is left
        tmp.unlink(missing_ok=True)
        raise
