"""A coding round on the whole demo case file: the time of each step and its result.

Copies the demo case file to a scratch folder, plans barriers on each case's last
decision and ILO indicators and agency signs on cases for three coders (20 % overlap),
writes their workbooks, fills them as coders who agree with one truth 90 % of the time
(tests/coding_helpers.py), imports them twice, reports progress and Krippendorff's alpha
on the overlap sample, writes the adjudication workbook, and exports and re-reads the
round as a REFI-QDA .qdpx.

Usage::

    python benchmarks/bench_coding.py [--overlap 0.2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from coding_helpers import fill

from cape_study.coding import refi
from cape_study.coding.round import Round
from cape_study.data.codebook import load_codebook
from cape_study.paths import project
from cape_study.stats.reliability import agreement


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlap", type=float, default=0.2)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="bench-coding-"))
    case_dir = scratch / "case"
    shutil.copytree(project().demo_case_file, case_dir, dirs_exist_ok=True)
    book = load_codebook()
    n_codes = {s: len(book.codes(s)) for s in book.codeable_schemes}
    work = Round(scratch / "round", case_dir)
    timings = {}

    def timed(name, call):
        start = time.perf_counter()
        out = call()
        timings[name] = time.perf_counter() - start
        return out

    timed("read the case file", work.case)
    units = {"barrier": "decision", "ilo_indicator": "case", "agency_sign": "case"}
    plan = timed(
        "plan", lambda: work.make_plan(["anna", "bo", "cecilia"], units, overlap=args.overlap)
    )
    books = timed("export 3 workbooks", lambda: work.export(lang="sv"))
    truth: dict = {}
    timed(
        "fill (script)",
        lambda: [fill(p, n_codes, seed=i, truth=truth, agree=0.9) for i, p in enumerate(books)],
    )
    answers, codings = timed("import", lambda: work.import_workbooks([work.workbooks]))
    again, _ = timed("import again", lambda: work.import_workbooks([work.workbooks]))
    table, overlap = timed("progress", work.progress)
    alpha = timed(
        "alpha on the overlap (1000 replicates)",
        lambda: agreement(
            overlap,
            coefficients=("krippendorff_alpha",),
            by=["scheme"],
            unit=["unit_id", "code"],
            cluster="unit_id",
        ),
    )
    _, n_items = timed("adjudication workbook", work.write_adjudication)
    qdpx = timed("export .qdpx", lambda: work.export_qdpx(scratch / "round.qdpx"))
    read = timed("read .qdpx", lambda: refi.read_qdpx(qdpx))
    print(f"units planned: {plan.groupby('scheme')['unit_id'].nunique().to_dict()}")
    print(f"workbooks: {', '.join(f'{p.name} {p.stat().st_size / 1e6:.1f} MB' for p in books)}")
    print(f"import: answers {answers.summary()}; codings {codings.summary()}")
    print(f"import again: {again.summary()}")
    print(table.to_string(index=False))
    print(alpha[["scheme", "estimate", "ci_low", "ci_high", "n_units"]].to_string(index=False))
    print(f"to adjudicate: {n_items}; .qdpx {qdpx.stat().st_size / 1e6:.1f} MB, ")
    print(f"  {len(read.codings)} codings read back")
    for name, seconds in timings.items():
        print(f"{name:<40} {seconds:7.2f} s")
    if args.keep is None:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
