"""Recall and precision of masking on the planted-identifier set (tests/planted.py).

For the identity numbers, phone numbers and e-mail addresses: recall per written form
and overall (a planted value counts as masked when every letter and digit of it is
inside a finding). For the names of people the case file does not list: recall (a
planted name counts as masked when all its letters are inside findings; also given
per origin: Swedish, Finnish, foreign), and precision (of the name findings, the share
that lie inside a planted name), with the clean sentences counted as well. Also the
time per text.

Usage::

    python benchmarks/bench_masking.py [--seed S] [--names N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from planted import measure, planted

from cape_study.privacy.masking import scan_text
from cape_study.privacy.names import lexicon


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--identifiers", type=int, default=600)
    parser.add_argument("--names", type=int, default=300)
    args = parser.parse_args(argv)
    lexicon()  # loaded once, not timed
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
    m_numbers, n_numbers = scored.recall(names=False)
    m_names, n_names = scored.recall(names=True)
    print(f"numbers and e-mail: recall {m_numbers / n_numbers:.2%} ({m_numbers}/{n_numbers})")
    print(f"names: recall {m_names / n_names:.1%} ({m_names}/{n_names})")
    name_true, name_findings = scored.name_true, scored.name_findings
    precision = name_true / name_findings if name_findings else float("nan")
    print(f"names: precision {precision:.1%} ({name_true}/{name_findings} name findings)")


if __name__ == "__main__":
    main()
