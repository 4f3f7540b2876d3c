"""Benchmark case-file validation at scale.

Generates a synthetic case file of ``--cases`` cases (default 100,000) in a temporary
folder, then times ``cape_study.data.loaders.check_case_file`` on it twice in separate
child processes, so that each peak memory (VmHWM) is validation's own: tables only,
and tables with every document's text. Prints the figures and writes them to
``reports/benchmarks/validate.json``. There is no target in the issues; the figures
tell a researcher how long intake of a large real case file will take.

Usage::

    python benchmarks/bench_validate.py [--cases N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cape_study.paths import project

_CHILD = """
import json, sys, time
from pathlib import Path
from cape_study.data.loaders import check_case_file
start = time.perf_counter()
result = check_case_file(sys.argv[1], data_cutoff="2024-12-31", read_documents=sys.argv[2] == "1")
seconds = time.perf_counter() - start
# VmHWM: this process's own peak (ru_maxrss would include the parent's peak at fork).
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "problems": len(result.problems), "peak_rss_bytes": peak}))
"""


def _measure(path: Path, documents: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), "1" if documents else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    from cape_study.synth import write_synthetic_case_file

    work = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    try:
        start = time.perf_counter()
        case_file = write_synthetic_case_file(work / "case_file", args.cases, args.seed)
        generated = time.perf_counter() - start
        rows = {
            p.stem: sum(1 for _ in p.open(encoding="utf-8")) - 1
            for p in sorted(case_file.glob("*.csv"))
        }
        tables_only = _measure(case_file, documents=False)
        with_documents = _measure(case_file, documents=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "benchmark": "validate",
        "cases": args.cases,
        "rows": rows,
        "generate_seconds": round(generated, 2),
        "tables_only": tables_only,
        "with_documents": with_documents,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    out_dir = project().benchmark_reports
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "validate.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name in ("tables_only", "with_documents"):
        r = result[name]
        print(
            f"{name:>15}: {r['seconds']:.1f} s, peak {r['peak_rss_bytes'] / 2**20:,.0f} MiB, "
            f"{r['problems']} problem(s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
