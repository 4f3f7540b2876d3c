"""Recall and precision of masking on the planted-identifier set (tests/planted.py), and
the CPU time intake takes to mask a synthetic case file's texts.

For the identity numbers, phone numbers and e-mail addresses: recall per written form
and overall (a planted value counts as masked when every letter and digit of it is
inside a finding). For the names of people the case file does not list: recall (a
planted name counts as masked when all its letters are inside findings; also given
per form: Swedish, Finnish, foreign, a surname alone, lower case), and precision (of
the name findings, the share that lie inside a planted name), with the clean sentences
counted as well. Also the time per text.

``--speed N`` also writes a synthetic case file with about N document texts (to a
temporary folder), reads it and times :func:`cape_study.privacy.masking.protect` on
it in one process (``CAPE_STUDY_WORKERS=1``): CPU seconds, and per 10,000 texts masked
(document texts and free-text columns).

Usage::

    python benchmarks/bench_masking.py [--seed S] [--names N] [--speed N] [--hostile]

``--round6`` measures the forms of the sixth round (tests/planted.py, :func:`round6`: a
name the lexicon lacks after *enligt*, *uppger*, *kertoi* or before *mukaan*, the first
name of a coordinated pair, Finnish cases of foreign names without a cue, a person's last
name in a company's name, a foreign registration far from its word; clean sentences with
places in a Finnish local case, institutions after source words and companies).

``--hostile`` measures the forms of the fifth hostile round instead (tests/planted.py,
:func:`hostile`: OCR's letters for digits, a letter glued after a number, a country
code without +, spaced digits, a hash for the @, a clearing number with its check
digit; Thai and Vietnamese names in lists, particles, Romanian capitals, Finnish cases
of foreign last names; clean sentences with law references and municipalities), drawn
with their own seed so that the planted set stays as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from planted import NUMBERS, hostile, measure, planted, round6

from cape_study.privacy.masking import scan_text
from cape_study.privacy.names import lexicon


def speed(documents: int) -> None:
    """Time :func:`protect` on a synthetic case file of about ``documents`` texts."""
    os.environ["CAPE_STUDY_WORKERS"] = "1"
    from cape_study.data.loaders import load_case_file
    from cape_study.privacy.keys import DEMO_KEY, PseudonymKey
    from cape_study.privacy.masking import protect
    from cape_study.stats.textcoding import normalise
    from cape_study.synth.generator import write_synthetic_case_file

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_synthetic_case_file(Path(tmp) / "case", max(documents * 36 // 100, 10), 1)
        case = load_case_file(folder, data_cutoff="2024-12-31")
    texts = int(case.documents["text"].notna().sum())
    texts += sum(int(case.codings[c].notna().sum()) for c in ("quote", "note"))
    key = PseudonymKey(DEMO_KEY.encode("utf-8"), "benchmark")
    start = time.process_time()
    protect(case, key, normalise=normalise)
    cpu = time.process_time() - start
    print(f"protect: {texts} texts, {cpu:.1f} CPU s, {cpu / texts * 10_000:.1f} CPU s per 10,000")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--identifiers", type=int, default=600)
    parser.add_argument("--names", type=int, default=300)
    parser.add_argument("--speed", type=int, default=0, metavar="N")
    parser.add_argument(
        "--hostile", action="store_true", help="the fifth round's hostile forms instead"
    )
    parser.add_argument("--round6", action="store_true", help="the sixth round's forms instead")
    args = parser.parse_args(argv)
    lexicon()  # loaded once, not timed
    if args.round6:
        items = round6(args.seed)
    elif args.hostile:
        items = hostile(args.seed)
    else:
        items = planted(args.seed, identifiers=args.identifiers, names=args.names)
    start = time.perf_counter()
    found = [scan_text(p.text, unlisted=True) for p in items]
    seconds = time.perf_counter() - start
    scored = measure(items, found)
    total, masked = scored.planted, scored.masked
    print(f"{len(items)} texts, {seconds / len(items) * 1000:.2f} ms per text")
    print(f"{'kind':10} {'form':26} {'planted':>7} {'masked':>7} {'recall':>7}")
    for (kind, form), n in sorted(total.items()):
        print(f"{kind:10} {form:26} {n:7d} {masked[kind, form]:7d} {masked[kind, form] / n:7.1%}")
    m_numbers, n_numbers = scored.recall(names=False, kinds=(*NUMBERS, "account"))
    m_names, n_names = scored.recall(names=True)
    if n_numbers:
        print(f"numbers and e-mail: recall {m_numbers / n_numbers:.2%} ({m_numbers}/{n_numbers})")
    m_other, n_other = scored.recall(names=False, kinds=("address", "registration"))
    if n_other:
        print(f"addresses and registrations: recall {m_other / n_other:.1%} ({m_other}/{n_other})")
    print(f"names: recall {m_names / n_names:.1%} ({m_names}/{n_names})")
    name_true, name_findings = scored.name_true, scored.name_findings
    precision = name_true / name_findings if name_findings else float("nan")
    print(f"names: precision {precision:.1%} ({name_true}/{name_findings} name findings)")
    clean = ", ".join(f"{kind} {n}" for kind, n in sorted(scored.clean.items())) or "none"
    print(f"findings in the sentences with nothing planted: {clean}")
    if args.speed:
        speed(args.speed)


if __name__ == "__main__":
    main()
