"""``reports/manifest.json``: what produced the report (:func:`build_manifest`), and
:func:`verify_report`, which recomputes its hashes (``cape-study verify``), an input
folder's by reading every file in it.

manifest.json
-------------
``format``; ``created`` (UTC); ``git`` (``commit``, ``dirty``; null outside a
repository); ``constraints`` (path and SHA-256 of ``constraints.txt``); ``python``;
``packages`` (every installed distribution and its version); ``kernel``; ``library``
(path and SHA-256 of the library source); ``synthetic``; ``data`` (the data hash:
:func:`~cape_study.runner.provenance.data_digest` of the files of the first steps' ``case_file``
parameter, as recorded in their inputs, with their number, and the ``case_label`` the user
gave it); ``steps`` (per step: title,
notebook and its hash, parameter set and values, needs, SHA-256 of every input and
output file, and of each input folder (a case file) one hash of its files with their
number (:func:`~cape_study.runner.provenance.folder_hash`), status, ``seconds`` this run,
``ran_at`` and ``ran_seconds`` of the execution that produced it, takeaways);
``report_files`` (SHA-256 of index.html, report.html and each step's files);
``disclosure``: the suppression audit, one record per suppressed cell (``step``,
``table``, ``cell``, ``column``, ``reason``, ``threshold``; never the value), collected
from the output that
``Disclosure.publish()`` displays in each notebook (an empty list when nothing
was suppressed); ``privacy``: per step, what
``privacy.publish()`` displayed (where the pseudonymisation key came from, the columns
dropped, and counts of identifiers pseudonymised and of personal data masked, after
disclosure control; never a value or the key).

No path a parameter names (:data:`~cape_study.paths.PATH_PARAMETERS`: the case file and
the key file) is recorded, since a folder may be named after a person: those parameters
are left out of the steps' parameters, and an input they name is recorded under the
parameter's name in braces (``{case_file}``, with its hash) instead of its path.
``cape-study verify --case-file PATH`` checks such an input against a case file the user
names; without it, they are not checked.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cape_study.errors import PipelineError
from cape_study.paths import PATH_PARAMETERS, ProjectPaths
from cape_study.runner.pages import privacy_record
from cape_study.runner.provenance import (
    FORMAT,
    data_digest,
    folder_hash,
    git_state,
    now,
    packages,
    relative,
    sha256,
    tree_hash,
)
from cape_study.runner.spec import Step, StepResult

__all__ = [
    "Difference",
    "build_manifest",
    "named_inputs",
    "report_files",
    "verify_report",
]


def build_manifest(
    folder: Path,
    paths: ProjectPaths,
    steps: Mapping[str, Step],
    results: Mapping[str, StepResult],
    entries: Mapping[str, Mapping[str, Any]],
    *,
    kernel: str,
    source: Path,
    library: str,
    synthetic: bool | None,
    packages_cache: Path | None = None,
) -> dict[str, Any]:
    """The manifest of a report being written into ``folder`` (whose ``steps/`` holds the
    executed notebooks), without ``report_files`` (:func:`report_files`, added last).

    ``entries`` are the steps' cache entries; ``library`` is the hash of ``source``;
    ``packages_cache`` keeps the list of installed packages between runs
    (:func:`~cape_study.runner.provenance.packages`).
    """
    root = paths.root
    manifest_steps: dict[str, Any] = {}
    done = [name for name, result in results.items() if result.status in ("ran", "cached")]
    for name, result in results.items():
        step = steps[name]
        if name not in done:  # failed or skipped: no files
            manifest_steps[name] = {
                "title": step.title,
                "status": result.status,
                "seconds": round(result.seconds, 3),
                "needs": list(step.needs),
                "cell": result.cell,
                "error": result.error or result.message,
            }
            continue
        entry = entries[name]
        manifest_steps[name] = {
            "title": step.title,
            "status": result.status,
            "seconds": round(result.seconds, 3),
            "ran_at": entry["ran_at"],
            "ran_seconds": entry["ran_seconds"],
            "notebook": entry["notebook"],
            "parameter_set": step.parameters,
            "parameters": {
                k: v for k, v in entry["parameters"].items() if k not in PATH_PARAMETERS
            },
            "needs": list(step.needs),
            "inputs": named_inputs(entry["inputs"], entry["parameters"], root),
            "outputs": entry["outputs"],
            "report": {"html": f"steps/{name}.html", "notebook": f"steps/{name}.ipynb"},
            "takeaways": [t["text"] for t in entry["takeaways"]],
            "cache_key": entry["key"],
        }
    privacy = {}
    for name in done:
        nb = json.loads((folder / "steps" / f"{name}.ipynb").read_text(encoding="utf-8"))
        record = privacy_record(nb)
        if record is not None:
            privacy[name] = record
    constraints = paths.constraints
    return {
        "format": FORMAT,
        "created": now(),
        "git": git_state(root),
        "constraints": {
            "path": relative(constraints, root),
            "sha256": sha256(constraints) if constraints.is_file() else None,
        },
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
        },
        "packages": packages(packages_cache),
        "kernel": kernel,
        "library": {"path": relative(source, root), "sha256": library},
        "synthetic": synthetic,
        "data": _data(steps, entries, root),
        "steps": manifest_steps,
        "complete": len(done) == len(results),
        "disclosure": [
            {"step": name, **record}
            for name in done
            for record in entries[name].get("disclosure", [])
        ],
        "privacy": privacy,
    }


def report_files(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by its path relative to it."""
    return {relative(p, folder): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def named_inputs(
    inputs: Mapping[str, Any], parameters: Mapping[str, Any], root: Path
) -> dict[str, Any]:
    """A step's inputs (path -> hash) with every path that a path parameter
    (:data:`~cape_study.paths.PATH_PARAMETERS`) names, or a file in it, recorded under
    the parameter's name in braces (``{case_file}``, ``{case_file}/cases.csv``)."""
    named = {
        name: relative(root / os.path.expanduser(str(parameters[name])), root)
        for name in sorted(PATH_PARAMETERS)
        if parameters.get(name)
    }
    out = {}
    for path, sha in inputs.items():
        for name, where in named.items():
            if path == where:
                path = f"{{{name}}}"
                break
            if path.startswith(where.rstrip("/") + "/"):
                path = f"{{{name}}}/{path[len(where.rstrip('/')) + 1 :]}"
                break
        out[path] = sha
    return out


def _data(
    steps: Mapping[str, Step], entries: Mapping[str, Mapping[str, Any]], root: Path
) -> dict[str, Any]:
    """The data hash (:func:`~cape_study.runner.provenance.data_digest`) over the inputs of the
    steps that need no other step (intake), as the manifest records them: the files of
    their ``case_file`` parameter when one names it (so not the key file), else all; and
    the ``case_label`` they were given (never the case file's path)."""
    first = [name for name in entries if not steps[name].needs]
    inputs = {path: sha for name in first for path, sha in entries[name]["inputs"].items()}
    named = {entries[name]["parameters"].get("case_file") for name in first} - {None}
    case_files = sorted(relative(root / os.path.expanduser(str(v)), root) for v in named)
    within = case_files[0] if len(case_files) == 1 else None
    labels = {entries[name]["parameters"].get("case_label") for name in first} - {None}
    return {
        "steps": first,
        "case_label": labels.pop() if len(labels) == 1 else None,
        **data_digest(inputs, within),
    }


# -- verify -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """A file whose hash no longer matches the manifest."""

    path: str
    what: str
    expected: str | None
    found: str | None

    def __str__(self) -> str:
        if self.found is None:
            return f"missing: {self.path} ({self.what})"
        return (
            f"changed: {self.path} ({self.what}): manifest sha256 {self.expected[:12]}…, "
            f"now {self.found[:12]}…"
        )


def verify_report(
    report_dir: str | Path,
    *,
    root: str | Path | None = None,
    case_file: str | Path | None = None,
) -> list[Difference]:
    """Recompute every hash in a report's manifest and list what differs.

    Parameters
    ----------
    report_dir
        The folder holding ``manifest.json``.
    root
        The project root that inputs, outputs, notebooks and the library are relative
        to (default: the parent of ``report_dir``).
    case_file
        The case file (file or folder) to check the inputs recorded as ``{case_file}``
        against; without it they are not checked (the manifest never records where the
        case file is). The key file's hash (``{key_file}``) is never checked.

    Returns
    -------
    list of Difference
        Empty when everything matches.

    Raises
    ------
    PipelineError
        If there is no readable manifest.
    """
    report_dir = Path(report_dir)
    root = Path(root) if root is not None else report_dir.parent
    try:
        manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineError(
            f"{report_dir / 'manifest.json'}: cannot read the manifest ({exc})"
        ) from None
    checks: list[tuple[Path, str, str, str | None, Callable[[Path], str]]] = []

    def add(base: Path, rel: str, what: str, expected: str | None, how=sha256) -> None:
        checks.append((base / rel, rel, what, expected, how))

    def folder(path: Path) -> str:
        return folder_hash(path)["sha256"]

    if manifest.get("constraints", {}).get("sha256"):
        add(root, manifest["constraints"]["path"], "constraints", manifest["constraints"]["sha256"])
    add(
        root,
        manifest["library"]["path"],
        "library source",
        manifest["library"]["sha256"],
        tree_hash,
    )
    for name, step in manifest["steps"].items():
        if "notebook" not in step:  # failed or skipped: it has no files
            continue
        add(root, step["notebook"]["path"], f"notebook of step {name}", step["notebook"]["sha256"])
        for kind in ("inputs", "outputs"):
            for rel, sha in step[kind].items():
                if rel.startswith("{"):  # named by a path parameter, not by its path
                    if case_file is None or not rel.startswith("{case_file}"):
                        continue
                    base = Path(os.path.expanduser(str(case_file)))
                    rest = rel[len("{case_file}") :].lstrip("/")
                    if isinstance(sha, dict):
                        checks.append((base / rest, rel, "the case file", sha["sha256"], folder))
                    else:
                        checks.append((base / rest, rel, "the case file", sha, sha256))
                    continue
                if isinstance(sha, dict):  # a folder, recorded as one hash of its files
                    add(root, rel, f"{kind[:-1]} folder of step {name}", sha["sha256"], folder)
                else:
                    add(root, rel, f"{kind[:-1]} of step {name}", sha)
    for rel, sha in manifest["report_files"].items():
        add(report_dir, rel, "report file", sha)
    differences = []
    for path, rel, what, expected, how in checks:
        exists = path.is_dir() if how in (tree_hash, folder) else path.is_file()
        found = how(path) if exists else None
        if found != expected:
            differences.append(Difference(rel, what, expected, found))
    return differences
