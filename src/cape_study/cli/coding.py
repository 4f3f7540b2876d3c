"""``cape-study coding``: the coding workbench's steps (plan, coder workbooks, import,
adjudication, progress, REFI-QDA), each calling :class:`cape_study.coding.round.Round`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cape_study.errors import ParameterError
from cape_study.privacy.keys import DEFAULT_KEY_FILE, KEY_ENV, PrivacyError, load_key

__all__ = ["add", "run"]


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coding",
        help="the coding workbench: plan, coder workbooks, import, adjudication, REFI-QDA, "
        "progress",
    )
    steps = p.add_subparsers(dest="step", required=True, metavar="STEP")

    def round_args(q: argparse.ArgumentParser, case: bool = True) -> None:
        if case:
            q.add_argument("case_file", type=Path, help="the case file (a folder of CSV files)")
        q.add_argument(
            "--dir",
            type=Path,
            required=True,
            help="the round's folder (plan, workbooks, answers); keep it beside the case file",
        )
        q.add_argument("--codebook", default="cape_v2", help="codebook name or YAML path")
        q.add_argument(
            "--codings",
            type=Path,
            help="the codings file to merge into (default: the case file's codings.csv)",
        )

    q = steps.add_parser("plan", help="assign units to coders, with an overlap sample")
    round_args(q)
    q.add_argument("--coders", required=True, help="coder ids, comma-separated")
    q.add_argument(
        "--units",
        action="append",
        required=True,
        metavar="SCHEME=KIND",
        help="a codeable scheme and its unit: case, document or decision (a case's last "
        "closure decision or judgment); repeat for each scheme",
    )
    q.add_argument(
        "--overlap",
        type=float,
        default=0.2,
        help="units coded by two coders: a share (below 1) or a number (default 0.2)",
    )
    q.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    q.add_argument("--doc-types", help="document units: only these types, comma-separated")

    q = steps.add_parser("export", help="write one workbook per coder")
    round_args(q)
    q.add_argument("--lang", choices=["sv", "en", "fi"], default="sv", help="default: sv")
    q.add_argument(
        "--coder-lang",
        action="append",
        default=[],
        metavar="CODER=LANG",
        help="a coder's own language (repeat)",
    )
    q.add_argument("--coders", help="only these coders' workbooks, comma-separated")

    q = steps.add_parser("import", help="read returned workbooks and merge their codings")
    round_args(q)
    q.add_argument("workbooks", type=Path, nargs="+", help="workbooks or folders of them")

    q = steps.add_parser(
        "adjudicate",
        help="write the disagreement workbook, or merge its decisions (--decisions)",
    )
    round_args(q)
    q.add_argument("--decisions", type=Path, help="a filled adjudication workbook to merge")
    q.add_argument("--out", type=Path, help="where to write it (default DIR/adjudication.xlsx)")
    q.add_argument("--lang", choices=["sv", "en", "fi"], default="sv", help="default: sv")
    q.add_argument(
        "--key-file",
        type=Path,
        default=Path(DEFAULT_KEY_FILE),
        help="the pseudonymisation key, for the report's ids of the units (default: "
        f"{DEFAULT_KEY_FILE}; {KEY_ENV} wins)",
    )

    q = steps.add_parser("progress", help="units coded per coder and scheme; reliability so far")
    round_args(q)
    q.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    q.add_argument("--n-boot", type=int, default=500, help="bootstrap replicates (default 500)")

    q = steps.add_parser("qdc", help="write the codebook as a REFI-QDA codebook (.qdc)")
    q.add_argument("--out", type=Path, required=True, help="the .qdc file")
    q.add_argument("--lang", choices=["sv", "en", "fi"], default="sv", help="default: sv")
    q.add_argument("--codebook", default="cape_v2", help="codebook name or YAML path")

    q = steps.add_parser("qdpx", help="export the round as a .qdpx, or import one (--import)")
    round_args(q)
    q.add_argument("--out", type=Path, help="write the planned units and codings to this .qdpx")
    q.add_argument(
        "--import", dest="source", type=Path, help="a .qdpx from NVivo, MAXQDA or ATLAS.ti"
    )
    q.add_argument(
        "--mapping",
        type=Path,
        help="the code mapping (CSV); without it, a proposed mapping is written and "
        "nothing is merged",
    )
    q.add_argument("--lang", choices=["sv", "en", "fi"], default="sv", help="default: sv")


def _pairs(items: Sequence[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ParameterError(f"{what}: expected KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _names(text: str | None) -> list[str] | None:
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: pandas, pandera, openpyxl and lxml (1-2 s), which
    # `cape-study run` and --help do not need.
    from cape_study.coding.refi import write_qdc
    from cape_study.coding.round import Round
    from cape_study.data.codebook import load_codebook
    from cape_study.stats.reliability import agreement

    if args.step == "qdc":
        path = write_qdc(load_codebook(args.codebook), args.out, lang=args.lang)
        print(f"wrote {path} (valid against the REFI-QDA Codebook schema)")
        return 0
    work = Round(args.dir, args.case_file, args.codebook, args.codings)
    if args.step == "plan":
        made = work.make_plan(
            _names(args.coders) or [],
            _pairs(args.units, "--units"),
            overlap=args.overlap,
            seed=args.seed,
            doc_types=_names(args.doc_types),
        )
        counts = made.groupby(["scheme", "coder"]).size().unstack(fill_value=0)
        twice = made[made["overlap"]].groupby("scheme")["unit_id"].nunique()
        print(counts.assign(overlap_units=twice).to_string())
        print(f"wrote {work.plan_file}")
    elif args.step == "export":
        lang = {**dict.fromkeys(work.plan()["coder"].astype(str), args.lang)}
        lang.update(_pairs(args.coder_lang, "--coder-lang"))
        for path in work.export(lang=lang, coders=_names(args.coders)):
            print(f"wrote {path}")
    elif args.step == "import":
        answers, codings = work.import_workbooks(args.workbooks)
        print(f"answers: {answers.summary()}")
        print(f"codings ({work.codings}): {codings.summary()}")
    elif args.step == "adjudicate":
        if args.decisions is not None:
            merged = work.import_decisions(args.decisions)
            print(f"consensus codings ({work.codings}): {merged.summary()}")
        else:
            key = None
            try:
                key = load_key(args.key_file, synthetic=work.case().synthetic)
            except PrivacyError as exc:
                print(f"note: no pseudonyms in the workbook ({exc})", file=sys.stderr)
            path, n = work.write_adjudication(args.out, key=key, lang=args.lang)
            print(f"wrote {path}: {n} code(s) to decide")
    elif args.step == "progress":
        table, overlap = work.progress()
        print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
        if overlap.empty:
            print("reliability: no overlap unit is coded by two coders yet")
        else:
            alpha = agreement(
                overlap,
                coefficients=("krippendorff_alpha",),
                by=["scheme"],
                unit=["unit_id", "code"],
                cluster="unit_id",
                n_boot=args.n_boot,
                seed=args.seed,
            )
            print("reliability on the overlap sample (Krippendorff's alpha, nominal):")
            print(alpha.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    elif args.step == "qdpx":
        if (args.out is None) == (args.source is None):
            raise ParameterError("coding qdpx: give either --out FILE.qdpx or --import FILE")
        if args.out is not None:
            path = work.export_qdpx(args.out, lang=args.lang)
            print(f"wrote {path} (valid against the REFI-QDA Project schema)")
            return 0
        mapping, unused, proposed, merged = work.import_qdpx(args.source, args.mapping)
        if len(unused):
            print("not used (listed, not dropped):")
            print(unused.to_string(index=False))
        if proposed is not None:
            print(
                f"wrote a proposed code mapping to {proposed} ({mapping['code'].notna().sum()} "
                f"of {len(mapping)} codes matched); check it, fill in or leave empty the "
                f"others, then run again with --mapping {proposed}. Nothing was merged."
            )
        else:
            answers, codings = merged
            print(f"answers: {answers.summary()}")
            print(f"codings ({work.codings}): {codings.summary()}")
    return 0
