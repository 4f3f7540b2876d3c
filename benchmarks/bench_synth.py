"""Benchmark the synthetic case-file generator at scale.

Writes ``--cases`` cases (default 100,000, with all their documents) to a temporary
folder with ``cape_study.synth.write_synthetic_case_file``, the same call that
``cape-study synth`` makes, and measures wall-clock seconds, peak resident memory of
this process (``resource.getrusage``; the generator runs in-process) and the files
written. Targets: under 60 s and under 2 GB for 100,000 cases on the project's
2-core machine. The figures are printed and written to
``reports/benchmarks/synth.json``.

Usage::

    python benchmarks/bench_synth.py [--cases N] [--seed S] [--format csv|xlsx] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from cape_study import __version__
from cape_study.paths import project
from cape_study.synth import write_synthetic_case_file

TARGET_SECONDS = 60.0
TARGET_PEAK_BYTES = 2 * 1024**3


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    try:
        start = time.perf_counter()
        out = write_synthetic_case_file(work / "case_file", args.cases, args.seed, fmt=args.format)
        seconds = time.perf_counter() - start
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak = _peak_rss_bytes()
    result = {
        "benchmark": "synth",
        "cases": args.cases,
        "seed": args.seed,
        "format": args.format,
        "seconds": round(seconds, 2),
        "cases_per_second": round(args.cases / seconds, 1),
        "peak_rss_bytes": peak,
        "peak_rss_mib": round(peak / 1024**2, 1),
        "files_written": len(files),
        "bytes_written": size,
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_bytes": TARGET_PEAK_BYTES},
        "met": seconds < TARGET_SECONDS and peak < TARGET_PEAK_BYTES,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "cape_study": __version__,
    }
    folder = project().benchmark_reports
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "synth.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(
        f"synth: {args.cases:,} cases in {seconds:.1f} s ({result['cases_per_second']:,} "
        f"cases/s), peak RSS {result['peak_rss_mib']:,} MiB, {len(files):,} files "
        f"({size / 1024**2:,.0f} MiB); targets {'met' if result['met'] else 'MISSED'}"
    )
    print(f"wrote {folder / 'synth.json'}")
    return 0 if result["met"] or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
