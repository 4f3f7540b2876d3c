"""Kill `cape-study run` at random moments and check that the published report survives.

Makes a scratch copy of this project (notebooks, pipeline, library source) with a small
synthetic case file (``cape-study synth --cases N``), runs the pipeline once to publish
a report, then kills runs of three kinds, each at a moment drawn uniformly over the
length of an uninterrupted run of that kind (measured once, before its kills):

* ``--kills``: forced runs (``--force``: every step executes; ``--publish-partial``: on
  so few cases some steps may fail), over the whole run;
* ``--publish-kills``: runs that take every step from the cache and write, scan and
  publish the report again (one published file's modification time is moved first, so
  that the published version no longer counts as untouched): the publication, swap
  included, is most of such a run;
* ``--noop-kills``: re-runs with nothing changed, which leave the report as it is.

Each kill sends a signal of ``--signals`` in turn: KILL (SIGKILL to the runner's whole
process group or to the runner alone, alternately), INT (Ctrl-C: SIGINT to the process
group, as a terminal sends it) or TERM (SIGTERM to the runner). After each it checks that

* ``cape-study verify`` is clean, and the published files (reports/ and
  ``data/processed`` through their links, a link that leads nowhere counted) hash as
  before the kill, or, if the run had reached its swap, are one whole new version
  (``.published/current`` moved, every link leading into it);
* after INT or TERM, the run's message says truthfully what became of the report ("were
  not changed" only if nothing changed, "had been published" only if it was);
* once the sweep that the next run starts with has run, no stage (``.published/v-*``
  other than the published and partial ones), no kernel process of the project, nothing
  in the run's scratch folder (kernel sockets and connection files), no ``*.tmp`` or
  ``.tmp-*`` file anywhere in the project, no ``kernel-*.json`` in the project and no new
  one in Jupyter's runtime folder is left.

Prints one line per kill and a summary (``40/40 clean``); exits 1 if any check failed.

    nice .venv/bin/python benchmarks/kill_runs.py --kills 20 --publish-kills 10 --noop-kills 10
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def published_state(root: Path) -> dict[str, str]:
    """SHA-256 of every published file (reports/ without lab, failed, partial, ... and
    data/processed), through the links; a link that leads nowhere as such."""
    from cape_study.runner.publish import RESERVED

    found = {}
    for top in (root / "reports", root / "data" / "processed"):
        if not top.exists():
            continue
        for dirpath, _, files in os.walk(top, followlinks=True):
            rel = Path(dirpath).relative_to(root)
            if rel.parts[0] == "reports" and len(rel.parts) > 1 and rel.parts[1] in RESERVED:
                continue
            for name in files:
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                found[(rel / name).as_posix()] = (
                    hashlib.sha256(path.read_bytes()).hexdigest()
                    if path.exists()
                    else "a link that leads nowhere"
                )
    return found


def version(root: Path) -> str | None:
    from cape_study.runner.publish import HOME

    link = root / HOME / "current"
    return os.readlink(link) if link.is_symlink() else None


def whole(root: Path) -> list[str]:
    """What keeps the published version from being whole: a name of it without its
    link in reports/, a link in reports/ that leads nowhere."""
    from cape_study.runner.publish import HOME, RESERVED

    current = root / HOME / "current"
    problems = [
        f"reports/{entry.name} has no link"
        for entry in (current / "reports").iterdir()
        if not (root / "reports" / entry.name).is_symlink()
    ]
    problems += [
        f"reports/{link.name} leads nowhere"
        for link in (root / "reports").iterdir()
        if link.name not in RESERVED and link.is_symlink() and not link.exists()
    ]
    if not (root / "data" / "processed").exists():
        problems.append("data/processed leads nowhere")
    return problems


def make_project(base: Path, cases: int) -> Path:
    """A copy of the project with a synthetic case file of ``cases`` cases."""
    root = base / "project"
    root.mkdir()
    for name in ("pipeline.yaml", "constraints.txt", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    cli(root, "synth", "--cases", str(cases), "--seed", "7", "--out", "data/raw/small")
    return root


def environment(root: Path) -> dict[str, str]:
    return {**os.environ, "CAPE_STUDY_ROOT": str(root), "PYTHONPATH": str(root / "src")}


def cli(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "cape_study.cli", *args],
        cwd=root,
        env=environment(root),
        capture_output=True,
        text=True,
    )
    if check and done.returncode != 0:
        raise SystemExit(f"cape-study {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


#: A run of the small case file. Some steps may fail on so few cases (issue 17); the
#: report is published all the same, so that there is one for the kills to damage.
RUN = ("run", "-p", "case_file=data/raw/small", "--publish-partial")
#: What each kind of kill runs.
KINDS = {"forced": (*RUN, "--force"), "publish": RUN, "noop": RUN}


def prepare(root: Path, kind: str) -> None:
    """Make the next run of ``kind`` what it should be: for ``publish``, the published
    index's modification time moved (its bytes unchanged), so that the run writes and
    publishes the report again with every step cached."""
    if kind == "publish":
        index = (root / "reports" / "index.html").resolve()
        stat = index.stat()
        os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def measure(root: Path, kind: str) -> float:
    """The length of an uninterrupted run of ``kind`` (a no-op after a complete run):
    the second of two, the first being slower (pages scanned for the first time)."""
    if kind == "noop":
        cli(root, *RUN, check=False)
    for _ in range(2):
        prepare(root, kind)
        start = time.monotonic()
        cli(root, *KINDS[kind], check=False)
    return time.monotonic() - start


def sweep(root: Path) -> None:
    """What the next run does first (under the run lock): remove what a killed run left."""
    from cape_study.paths import ProjectPaths
    from cape_study.runner.current import locked, tidy

    paths = ProjectPaths(root)
    with locked(paths.reports, 60):
        tidy(paths)


def runtime_files() -> set[str]:
    """Connection files in Jupyter's runtime folder."""
    from jupyter_core.paths import jupyter_runtime_dir

    folder = Path(jupyter_runtime_dir())
    return {p.name for p in folder.glob("kernel-*.json")} if folder.exists() else set()


def kernels_running(root: Path) -> list[int]:
    """Processes whose command line names the project's scratch folder (its kernels)."""
    from cape_study.runner.publish import scratch_folder

    mark = os.fsencode(str(scratch_folder(root.resolve())))
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if mark in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def leftovers(root: Path, runtime: set[str]) -> list[str]:
    """What a run left that is neither published nor the partial report."""
    from cape_study.runner.publish import HOME, scratch_folder

    home = root / HOME
    keep = set()
    for name in ("current", "partial"):
        if (home / name).is_symlink():
            keep |= {name, os.readlink(home / name)}
    found = [f"{HOME}/{p.name}" for p in home.iterdir() if p.name not in keep]
    scratch = scratch_folder(root.resolve())
    if scratch.exists():
        found += [str(p) for p in scratch.rglob("*")]
    # half-written files and kernel connection files anywhere in the project
    found += [
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.name.endswith(".tmp")
        or p.name.startswith(".tmp-")
        or (p.name.startswith("kernel-") and p.suffix == ".json")
    ]
    found += [f"Jupyter runtime: {name}" for name in sorted(runtime_files() - runtime)]
    found += [f"kernel process {pid}" for pid in kernels_running(root)]
    return found


def send(process: subprocess.Popen, name: str, count: int) -> str:
    """Send signal ``name`` (KILL alternates between the group and the runner)."""
    group = name == "INT" or (name == "KILL" and count % 2 == 0)
    with contextlib.suppress(ProcessLookupError):  # the run may have ended
        if group:
            os.killpg(process.pid, getattr(signal, f"SIG{name}"))
        else:
            process.send_signal(getattr(signal, f"SIG{name}"))
    return f"SIG{name} to the {'group' if group else 'runner'}"


def message_problems(stderr: str, changed: bool) -> list[str]:
    """Whether a run's message after INT or TERM tells what became of the report."""
    if "not changed" in stderr and changed:
        return ["its message said the report was not changed, but it was"]
    if "had been published" in stderr and not changed:
        return ["its message said the report had been published, but it was not"]
    if "interrupted" in stderr and "not changed" not in stderr and "published" not in stderr:
        return [f"its message says nothing of the report: {stderr.strip()[-200:]}"]
    return []


def kill_once(
    root: Path, kind: str, moment: float, signal_name: str, count: int, runtime: set[str]
) -> str:
    """One run of ``kind`` signalled ``moment`` s in; its line of the output. ``runtime``:
    the connection files in Jupyter's runtime folder before the first run."""
    before, old = published_state(root), version(root)
    prepare(root, kind)
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "cape_study.cli", *KINDS[kind]],
            cwd=root,
            env=environment(root),
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
            text=True,
        )
        time.sleep(moment)
        finished = process.poll() is not None
        what = send(process, signal_name, count)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            what += " (still running 120 s later: killed)"
        err.seek(0)
        stderr = err.read()
    time.sleep(1.5)  # orphaned kernels notice their parent is gone within 1 s
    verify = cli(root, "verify", check=False)
    after = published_state(root)
    problems = []
    if verify.returncode != 0:
        problems.append("verify: " + verify.stdout.strip().replace("\n", "; ")[:300])
    changed = after != before
    if changed:
        if version(root) == old:
            diff = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
            problems.append(f"published files changed in place: {diff[:5]}")
        else:
            problems += whole(root)
    if signal_name != "KILL" and not finished:
        problems += message_problems(stderr, changed)
    sweep(root)
    problems += [f"left after the sweep: {x}" for x in leftovers(root, runtime)[:5]]
    note = " (the run had finished)" if finished else ""
    if changed and not problems:
        note += " (after its swap: the new version, whole)"
    status = "clean" if not problems else "BROKEN: " + " | ".join(problems)
    return f"{what} at {moment:5.1f} s{note}: {status}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="the checks: see the module's docstring (python -m pydoc benchmarks/kill_runs.py)",
    )
    parser.add_argument("--kills", type=int, default=20, help="forced runs killed (default 20)")
    parser.add_argument(
        "--publish-kills",
        type=int,
        default=0,
        help="runs that publish the report again from the cache, killed (default 0)",
    )
    parser.add_argument(
        "--noop-kills", type=int, default=0, help="re-runs with nothing changed, killed"
    )
    parser.add_argument(
        "--signals",
        default="KILL",
        help="comma-separated signals sent in turn: KILL, INT, TERM (default KILL)",
    )
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch project")
    args = parser.parse_args(argv)
    signals = [s.strip().upper() for s in args.signals.split(",") if s.strip()]
    unknown = sorted(set(signals) - {"KILL", "INT", "TERM"})
    if unknown or not signals:
        parser.error(f"--signals: unknown {', '.join(unknown) or 'none given'}")
    sys.path.insert(0, str(REPO / "src"))
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="cape-kill-"))
    runtime = runtime_files()
    failures = total = 0
    try:
        root = make_project(base, args.cases)
        start = time.monotonic()
        cli(root, *RUN, check=False)
        length = time.monotonic() - start
        if not (root / "reports" / "index.html").is_file():
            raise SystemExit("the first run published no report")
        print(f"first run published in {length:.1f} s", flush=True)
        lengths = {"forced": length}
        plan = [("publish", args.publish_kills), ("noop", args.noop_kills), ("forced", args.kills)]
        for kind, kills in plan:
            if not kills:
                continue
            if kind not in lengths:
                lengths[kind] = measure(root, kind)
            length = lengths[kind]
            print(f"{kind}: an uninterrupted run takes {length:.1f} s; {kills} kills", flush=True)
            for i in range(kills):
                moment = rng.uniform(0.0, length * (0.95 if kind == "forced" else 1.0))
                name = signals[total % len(signals)]
                line = kill_once(root, kind, moment, name, total, runtime)
                total += 1
                failures += "BROKEN" in line
                print(f"{kind} {i + 1:2d}: {line}", flush=True)
        # the next run sweeps what the killed ones left and publishes or keeps the report
        cli(root, *RUN, check=False)
        left = leftovers(root, runtime)
        clean = cli(root, "verify", check=False).returncode == 0
        verdict = "clean" if clean else "NOT clean"
        print(f"after the next run: verify {verdict}, leftovers: {left or 'none'}")
        failures += bool(left) + (not clean)
        print(f"{total - min(failures, total)}/{total} clean")
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
