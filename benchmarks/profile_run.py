"""CPU seconds of a cold ``cape-study run`` (and ``cape-study print``) outside the steps'
kernels: what the runner itself spends on the demo (issue 22).

The steps run in kernels (other processes); everything else happens in the runner's
process, in its main thread and in one thread per running step: rendering each step's
page with nbconvert, scanning pages, notebooks and outputs for personal data, storing
the cache, the manifest, report.html, report.docx, the index, the scan of the whole stage
and the swap. This script runs ``cape-study run --force`` in its own process on a copy of
the project (``pipeline.yaml``, ``pyproject.toml``, ``constraints.txt``, ``notebooks/``,
``data/raw/``; no caches, so every step executes), timing the runner's functions by the
CPU time of the thread that calls them (``time.thread_time``; a busy machine changes the
wall time, hardly the CPU time), then ``cape-study print`` the same way. It prints one
line per part (CPU s, wall s), the runner's process in all (user + system), the
kernels' CPU (its children), and the load average before and after. The runner's process
has one thread per numerical library unless the environment sets it
(``paths.SINGLE_THREAD_ENV``), as its kernels have.

``--profile FILE`` also writes a cProfile file of the runner's threads (CPU timer; the
parts' figures then include the profiler's own cost).

Usage::

    python benchmarks/profile_run.py [--root DIR] [--keep DIR] [--profile FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cape_study.paths import SINGLE_THREAD_ENV

#: Runs in a fresh process: wraps the runner's parts with timers, runs the command.
_RUNNER = r"""
import cProfile, json, os, resource, sys, threading, time
t0, c0 = time.perf_counter(), time.process_time()
out, command, profile_to = sys.argv[1], sys.argv[2], sys.argv[3]
spent = {}
lock = threading.Lock()

def timed(name, function):
    def run(*args, **kwargs):
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            with lock:
                c, w, n = spent.get(name, (0.0, 0.0, 0))
                spent[name] = (c + time.thread_time() - cpu,
                               w + time.perf_counter() - wall, n + 1)
    run.__wrapped__ = function
    return run

def wrap(module, *names, prefix=None):
    for name in names:
        owner, attr = module, name
        if "." in name:
            cls, attr = name.split(".")
            owner = getattr(module, cls)
        setattr(owner, attr, timed(f"{prefix or module.__name__.split('.')[-1]}.{name}",
                                   getattr(owner, attr)))

profiles = []
if profile_to:
    original = threading.Thread.run
    def profiled(self):
        p = cProfile.Profile(time.thread_time)
        profiles.append(p)
        p.enable()
        try:
            original(self)
        finally:
            p.disable()
    threading.Thread.run = profiled
    main_profile = cProfile.Profile(time.thread_time)
    profiles.append(main_profile)
    main_profile.enable()

from cape_study import cli
imported = (time.process_time() - c0, time.perf_counter() - t0)
if command == "run":
    from cape_study.runner import run, report, publish, cache, document
    wrap(run, "tidy", "tree_hash", "execute_notebook", "render_html", "check_page",
         "_check_outputs", "takeaways", "disclosure_audit", "write_report",
         "refuse_confidential", "check_paths", "report_signature", "keep", "kept",
         "Run._unchanged", "Run._schedule")
    wrap(cache, "StepCache.store", "StepCache.outputs", "StepCache.key",
         "StepCache.lookup", "StepCache.restamp")
    wrap(publish, "publish", "new_stage")
    wrap(report, "build_manifest", "build_document", "codebook_page", "write_docx",
         "index_html", "report_files", "step_files")
    wrap(document, "Document.check")
    from cape_study.runner import execution
    wrap(execution, "Kernels.take", "Kernels.close")
else:
    from cape_study.runner import printing
    wrap(printing, "write_pdf")
    cli.write_pdf = printing.write_pdf
code = cli.main([command] + (["--force"] if command == "run" else []))
if profile_to:
    import pstats
    for p in profiles:
        p.disable()
    stats = pstats.Stats(profiles[0])
    for p in profiles[1:]:
        stats.add(p)
    stats.dump_stats(profile_to)
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"code": code, "import": imported, "parts": spent,
           "self_cpu": me.ru_utime + me.ru_stime,
           "children_cpu": kids.ru_utime + kids.ru_stime,
           "wall": time.perf_counter() - t0}, open(out, "w"))
"""

#: Parts shown, in the order a run reaches them, with what each is.
_SHOWN = [
    ("run.tidy", "remove what a killed run left"),
    ("run.tree_hash", "hash of the library"),
    ("run.Run._unchanged", "is there nothing to do"),
    ("publish.new_stage", "make the stage"),
    ("cache.StepCache.key", "steps' cache keys"),
    ("cache.StepCache.lookup", "steps' cache lookups"),
    ("execution.Kernels.take", "start / hand over kernels (runner side)"),
    ("run.execute_notebook", "execute the notebooks (runner side: messages)"),
    ("cache.StepCache.outputs", "hash each step's outputs"),
    ("run.render_html", "render each step's page (nbconvert)"),
    ("run.check_page", "scan each step's page"),
    ("run._check_outputs", "scan each step's outputs and notebook"),
    ("run.takeaways", "takeaways"),
    ("run.disclosure_audit", "disclosure audit"),
    ("cache.StepCache.store", "store each step in the cache"),
    ("execution.Kernels.close", "stop the kernels"),
    ("run.Run._schedule", "the steps, in all (wall: the steps' part of the run)"),
    ("run.report_signature", "report signature"),
    ("run.write_report", "write the report, in all:"),
    ("report.build_manifest", "  manifest"),
    ("report.codebook_page", "  codebook appendix"),
    ("report.build_document", "  report.html"),
    ("document.Document.check", "  scan report.html"),
    ("report.write_docx", "  report.docx"),
    ("report.step_files", "  index's file list"),
    ("report.index_html", "  index.html"),
    ("report.report_files", "  manifest's report files (hashes)"),
    ("run.refuse_confidential", "refuse confidential files"),
    ("run.check_paths", "scan the stage"),
    ("run.keep", "keep scan/publish records"),
    ("run.kept", "read scan records"),
    ("publish.publish", "the swap"),
    ("printing.write_pdf", "report.pdf (WeasyPrint)"),
]


def copy_project(root: Path, into: Path) -> None:
    """What a fresh clone has that a run reads."""
    for name in ("pipeline.yaml", "pyproject.toml", "constraints.txt"):
        if (root / name).is_file():
            shutil.copy(root / name, into / name)
    shutil.copytree(root / "notebooks", into / "notebooks")
    shutil.copytree(root / "data" / "raw", into / "data" / "raw", symlinks=False)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(copy: Path, command: str, profile: str) -> dict:
    out = copy.parent / f"{command}.json"
    # one thread per numerical library unless the environment sets it, in the runner's
    # process as in its kernels (paths.SINGLE_THREAD_ENV), as cape-study run gives them
    env = {**SINGLE_THREAD_ENV, **os.environ, "CAPE_STUDY_ROOT": str(copy)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as make report (Makefile: PYC)
    # this checkout's library, in the runner and (inherited) in the kernels
    src = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    subprocess.run(
        [sys.executable, "-c", _RUNNER, str(out), command, profile],
        cwd=copy,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(out.read_text())


def show(command: str, figures: dict) -> None:
    print(f"cape-study {command}: exit {figures['code']}")
    print(f"  {'CPU s':>7} {'wall s':>7}  {'calls':>5}  part")
    cpu, wall = figures["import"]
    print(f"  {cpu:7.2f} {wall:7.2f}  {1:5d}  import the command line")
    parts = figures["parts"]
    for name, what in _SHOWN:
        if name in parts:
            c, w, n = parts[name]
            print(f"  {c:7.2f} {w:7.2f}  {n:5d}  {what} [{name}]")
    print(
        f"  runner process CPU {figures['self_cpu']:.2f} s, its children (kernels, "
        f"subprocesses) {figures['children_cpu']:.2f} s; wall {figures['wall']:.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="project root (default: this checkout)")
    parser.add_argument("--keep", type=Path, help="keep the project copy here")
    parser.add_argument("--profile", type=Path, help="write cProfile files <this>.run/.print")
    parser.add_argument("--no-print", action="store_true", help="run only")
    args = parser.parse_args(argv)
    root = (args.root or Path(__file__).resolve().parent.parent).resolve()
    with contextlib.ExitStack() as stack:
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            base = args.keep.resolve()
            base.mkdir(parents=True)
        else:
            base = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cape-run-")))
        copy = base / "project"
        copy.mkdir()
        copy_project(root, copy)
        print(f"load average before: {load()} ({os.cpu_count()} CPUs)")
        for command in ("run",) if args.no_print else ("run", "print"):
            profile = f"{args.profile.resolve()}.{command}" if args.profile else ""
            show(command, measure(copy, command, profile))
            print(f"load average after {command}: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
