"""Benchmark text coding end to end on 10,000 synthetic documents.

Simulates a synthetic case file in memory (``cape_study.synth.simulate`` with texts)
and keeps its first ``--documents`` documents (default 10,000) with their codings.
Then times each stage of :mod:`cape_study.stats.textcoding` as the notebook runs it, on one
core: the coding units with normalised texts, the keyword dictionary on every unit,
the coders' consensus and agreement, five-fold cross-validation grouped by case, the
final training, and suggestions for **every** uncoded document (more than the notebook
asks for, which keeps to the coded document types). The issue's target: under 2
minutes on the 2-core development machine. Extraction from files and masking happen
at intake and are timed separately (``--extract``: the documents are written to a
temporary folder and read back through :func:`cape_study.stats.textcoding.extract_texts`).

Prints the figures and writes them to ``reports/benchmarks/textcoding.json``.

Usage::

    python benchmarks/bench_textcoding.py [--documents N] [--seed S] [--model M] [--extract]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from cape_study import synth
from cape_study.paths import project
from cape_study.stats import textcoding

TARGET_SECONDS = 120.0
_DOCS_PER_CASE = 2.7  # about what the generator writes; more cases are drawn if needed


def _corpus(n_documents: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_cases = int(n_documents / _DOCS_PER_CASE) + 50
    while True:
        sim = synth.simulate(n_cases, seed, texts=True)
        if len(sim.documents) >= n_documents:
            break
        n_cases = int(n_cases * 1.2)
    documents = sim.documents.head(n_documents).reset_index(drop=True)
    codings = sim.tables["codings"]
    codings = codings[codings["unit_id"].isin(documents["doc_id"])].copy()
    codings["present"] = codings["present"].map({"1": True, "0": False})
    return documents, codings


def _peak_rss() -> int:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))


def _extract(documents: pd.DataFrame) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-textcoding-"))
    try:
        for name, text in zip(documents["doc_id"], documents["text"], strict=True):
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        table = documents.assign(path=documents["doc_id"] + ".txt")
        start = time.perf_counter()
        result = textcoding.extract_texts(table, folder)
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "seconds": round(seconds, 2),
        "documents": len(result.texts),
        "failures": len(result.failures),
        "masked": int(result.texts["masked"].sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", default="linear_svm", choices=sorted(textcoding.MODELS))
    parser.add_argument("--extract", action="store_true", help="also time extraction + masking")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    documents, codings = _corpus(args.documents, args.seed)
    generated = time.perf_counter() - start

    seconds: dict[str, float] = {}

    def timed(stage: str, run):
        t0 = time.perf_counter()
        out = run()
        seconds[stage] = round(time.perf_counter() - t0, 2)
        return out

    units = timed("units_and_normalise", lambda: textcoding.coding_units(documents, codings))
    dictionary = timed("dictionary", lambda: textcoding.match_keywords(units))
    labels = timed("consensus", lambda: textcoding.consensus(codings))
    human = timed("human_agreement", lambda: textcoding.human_agreement(codings))
    coded = units[units["coded"]]
    predictions = timed(
        "cross_validate",
        lambda: textcoding.cross_validate(coded, labels, model=args.model, seed=args.seed),
    )
    scores = timed(
        "agreement_table",
        lambda: textcoding.agreement_table(predictions, dictionary, human),
    )
    model = timed(
        "train", lambda: textcoding.train(coded, labels, model=args.model, seed=args.seed)
    )
    uncoded = units[~units["coded"]]
    suggestions = timed(
        "suggest",
        lambda: textcoding.suggest(
            model, uncoded, dictionary=dictionary[dictionary["unit_id"].isin(uncoded["unit_id"])]
        ),
    )
    total = round(sum(seconds.values()), 2)
    kappa = scores.pivot(index="code", columns="method", values="kappa").median()
    result = {
        "benchmark": "textcoding",
        "documents": len(documents),
        "coded_documents": len(coded),
        "uncoded_documents": len(uncoded),
        "characters": int(documents["text"].str.len().sum()),
        "model": args.model,
        "seed": args.seed,
        "generate_seconds": round(generated, 2),
        "seconds": seconds,
        "total_seconds": total,
        "target_seconds": TARGET_SECONDS,
        "within_target": total < TARGET_SECONDS,
        "suggestions": len(suggestions),
        "median_kappa": {m: round(float(v), 3) for m, v in kappa.items()},
        "peak_rss_bytes": _peak_rss(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    if args.extract:
        result["extract_and_mask"] = _extract(documents)
    out_dir = project().benchmark_reports
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "textcoding.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{result['documents']:,} documents ({result['coded_documents']:,} coded), "
        f"model {args.model}: {total:.1f} s end to end (target < {TARGET_SECONDS:.0f} s), "
        f"peak {result['peak_rss_bytes'] / 2**20:,.0f} MiB"
    )
    for stage, value in seconds.items():
        print(f"{stage:>20}: {value:6.2f} s")
    print("median kappa:", result["median_kappa"])
    if args.extract:
        e = result["extract_and_mask"]
        print(f"extract and mask {e['documents']:,} files: {e['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
