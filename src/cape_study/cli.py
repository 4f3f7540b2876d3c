"""The ``cape-study`` command: parses arguments and calls the library, nothing more.

Each sub-command is a pair of functions: ``_add_<name>`` declares its arguments and
``_cmd_<name>`` calls the library. Expected problems (a broken case file, a bad
parameter, a failed step) are reported as a message and an exit code, never as a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cape_study import __version__
from cape_study.data.codebook import load_codebook, render_html, render_markdown
from cape_study.data.template import write_template
from cape_study.errors import CapeStudyError, CaseFileError, ParameterError
from cape_study.paths import DEFAULT_DATA_CUTOFF, project
from cape_study.privacy.keys import DEFAULT_KEY_FILE, KEY_ENV, PrivacyError, load_key, write_key
from cape_study.runner.browser import check_report
from cape_study.runner.manifest import verify_report
from cape_study.runner.params import parse_assignments
from cape_study.runner.pipeline import run_pipeline
from cape_study.runner.printing import write_pdf

__all__ = ["main"]


# -- codebook ---------------------------------------------------------------------------
def _add_codebook(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("codebook", help="render the codebook as Markdown (or HTML)")
    p.add_argument(
        "--lang", choices=["sv", "en", "fi"], default="en", help="language (default: en)"
    )
    p.add_argument("--html", action="store_true", help="render a self-contained HTML page")
    p.add_argument("--codebook", default="cape_v2", help="codebook name or YAML path")
    p.add_argument("--out", type=Path, help="write to this file instead of standard output")


def _cmd_codebook(args: argparse.Namespace) -> int:
    book = load_codebook(args.codebook)
    text = (render_html if args.html else render_markdown)(book, args.lang)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# -- template ---------------------------------------------------------------------------
def _add_template(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "template", help="write an empty case-file workbook (.xlsx) made from the codebook"
    )
    p.add_argument(
        "--lang",
        choices=["sv", "en", "fi"],
        default="sv",
        help="language of sheet names, headers and labels (default: sv)",
    )
    p.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    p.add_argument("--codebook", default="cape_v2", help="codebook name or YAML path")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")


def _cmd_template(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".xlsx":
        raise CapeStudyError(f"{args.out}: expected a file name ending in .xlsx")
    if args.out.exists() and not args.force:
        raise CapeStudyError(f"{args.out} exists; give --force to replace it")
    written = write_template(args.out, args.lang, args.codebook)
    print(
        f"wrote {written}: fill in one sheet per table (row 2 is an example and is not read), "
        f"put the documents in {written.parent / 'documents'}/, then run "
        f"cape-study validate {written}"
    )
    return 0


# -- validate ---------------------------------------------------------------------------
def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a case file and list every problem in it")
    p.add_argument("path", type=Path, help="a folder of CSV files or an .xlsx workbook")
    p.add_argument(
        "--data-cutoff",
        default=DEFAULT_DATA_CUTOFF,
        help=f"no event may fall after this date (default: {DEFAULT_DATA_CUTOFF}, as in "
        "`cape-study run`)",
    )
    p.add_argument("--codebook", default="cape_v2", help="codebook name or YAML path")
    p.add_argument(
        "--out",
        type=Path,
        help="write every problem to this .csv or .xlsx file (it quotes the case file's "
        "values: keep it with the case file; never under reports/)",
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    # Imported here, not at the top: the loaders bring pandas and pandera (1-2 s), which
    # no other command needs (`cape-study run` starts in a fraction of a second).
    from cape_study.data.loaders import check_case_file

    if args.out is not None and args.out.resolve().is_relative_to(project().reports.resolve()):
        raise CaseFileError(
            f"{args.out}: the problem table quotes values from the case file; write it "
            f"outside {project().reports} (the published report)"
        )
    result = check_case_file(args.path, codebook=args.codebook, data_cutoff=args.data_cutoff)
    notes = [f"note: {note}" for note in result.notes]
    if not result.ok:
        # The problems first: they are what stops the case file; the notes follow.
        print(result.report())
        for note in notes:
            print(note)
        if args.out is not None:
            written = result.write_problems(args.out)
            print(f"every problem written to {written}")
        else:
            print("(cape-study validate --out FILE.csv writes every problem)")
        print(f"\n{args.path}: nothing was written.")
        return 1
    for note in notes:
        print(note)
    print(result.summary())
    return 0


# -- run --------------------------------------------------------------------------------
def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run pipeline.yaml: execute the notebooks, write reports/")
    p.add_argument(
        "--params",
        type=Path,
        metavar="FILE.yaml",
        help="parameter overrides: a YAML mapping of KEY or STEP.KEY to value",
    )
    p.add_argument(
        "-p",
        dest="assignments",
        action="append",
        default=[],
        metavar="[STEP.]KEY=VALUE",
        help="override a parameter (of every step that has it, or of STEP)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="STEP",
        help="run only this step (and what it needs); repeatable",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="run up to N independent steps at once (default: 1)",
    )
    p.add_argument("--force", action="store_true", help="re-run steps even when cached")
    p.add_argument(
        "--publish-partial",
        action="store_true",
        help="publish the report even if a step failed or was skipped (default: keep it "
        "as reports/partial/ and leave the published report as it is)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run of the project to finish",
    )


def _cmd_run(args: argparse.Namespace) -> int:
    result = run_pipeline(
        project(),
        overrides=parse_assignments(args.assignments),
        params_file=args.params,
        only=args.only,
        jobs=args.jobs,
        force=args.force,
        wait=args.wait,
        publish_partial=args.publish_partial,
    )
    print(result.summary())
    return 0


# -- verify -----------------------------------------------------------------------------
def _add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="recompute the hashes in a report's manifest.json")
    p.add_argument(
        "report_dir",
        nargs="?",
        type=Path,
        metavar="REPORT_DIR",
        help="the folder holding manifest.json (default: reports/)",
    )
    p.add_argument(
        "--case-file",
        metavar="PATH",
        help="also check the case file's hash (the manifest never records its path)",
    )


def _cmd_verify(args: argparse.Namespace) -> int:
    paths = project()
    report_dir = args.report_dir or paths.reports
    differences = verify_report(report_dir, root=paths.root, case_file=args.case_file)
    for difference in differences:
        print(difference)
    if differences:
        print(f"{report_dir}: {len(differences)} difference(s) from manifest.json")
        return 1
    print(f"{report_dir}: every file matches manifest.json")
    return 0


# -- print ------------------------------------------------------------------------------
def _add_print(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("print", help="print the report (report.html) to an A4 PDF, report.pdf")
    p.add_argument(
        "report_dir",
        nargs="?",
        type=Path,
        metavar="REPORT_DIR",
        help="the folder holding report.html (default: reports/)",
    )
    p.add_argument("--out", type=Path, help="the PDF to write (default: REPORT_DIR/report.pdf)")


def _cmd_print(args: argparse.Namespace) -> int:
    written = write_pdf(args.report_dir or project().reports, args.out)
    print(f"printed: {written}")
    return 0


# -- check-report -----------------------------------------------------------------------
def _add_check_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check-report",
        help="open the report's pages in headless Chromium: broken images, links, scripts; "
        "screenshots",
    )
    p.add_argument(
        "report_dir",
        nargs="?",
        type=Path,
        metavar="REPORT_DIR",
        help="the folder holding index.html (default: reports/)",
    )
    p.add_argument(
        "--no-screenshots",
        action="store_true",
        help="do not save screenshots (default: REPORT_DIR/screenshots/<page>.png)",
    )


def _cmd_check_report(args: argparse.Namespace) -> int:
    report_dir = args.report_dir or project().reports
    checks = check_report(report_dir, None if args.no_screenshots else "")
    for check in checks:
        notes = [f"{len(check.problems)} problem(s)" if check.problems else "no problem"]
        if check.external_links:
            notes.append(f"{len(check.external_links)} link(s) to web pages, not followed")
        if check.screenshot is not None:
            notes.append(f"screenshot {check.screenshot}")
        print(f"{check.page}: {'; '.join(notes)}")
        for problem in check.problems:
            print(f"  {problem.kind}: {problem.detail}")
    problems = sum(len(c.problems) for c in checks)
    if problems:
        print(f"{report_dir}: {problems} problem(s) on {len(checks)} page(s)")
        return 1
    print(f"{report_dir}: {len(checks)} page(s), no broken image, link or script")
    return 0


# -- synth ------------------------------------------------------------------------------
def _add_synth(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="write a synthetic case file with planted, known effects")
    p.add_argument(
        "--scenario",
        default=None,
        help="a named shape of case file (default: demo): "
        "demo, pilot, judgments-only, sweden-only, finland-only, no-codings, one-coder, "
        "all-closed, none-closed, no-suspects, tiny, everything-suppressed",
    )
    p.add_argument(
        "--cases", type=int, default=None, help="number of cases (police reports); with --seed"
    )
    p.add_argument(
        "--seed", type=int, default=None, help="random seed (same seed, same files); with --cases"
    )
    p.add_argument("--out", type=Path, required=True, help="the folder to write")
    p.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        default="csv",
        help="tables as CSV files (default) or one workbook casefile.xlsx",
    )
    p.add_argument(
        "--share-fi", type=float, default=0.25, help="share of Finnish cases (default: 0.25)"
    )
    p.add_argument(
        "--data-cutoff",
        default=DEFAULT_DATA_CUTOFF,
        help=f"events after this date are dropped (default: {DEFAULT_DATA_CUTOFF})",
    )
    p.add_argument(
        "--coded-cases",
        type=int,
        default=1000,
        help="how many ended cases the coders code (default: 1000)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace an earlier synthetic case file in --out"
    )


def _cmd_synth(args: argparse.Namespace) -> int:
    # Imported here, not at the top: the generator brings pandas and numpy (1-2 s), which
    # no other command needs.
    from cape_study.synth import SynthSpec, print_progress, write_synthetic_case_file
    from cape_study.synth.scenarios import DEFAULT_SCENARIO, write_scenario

    if (args.cases is None) != (args.seed is None):
        raise ParameterError("--cases and --seed go together (or give neither: --scenario)")
    if args.cases is None or args.scenario is not None:
        if args.cases is not None:
            raise ParameterError("--scenario fixes the cases and the seed; give one or the other")
        out = write_scenario(
            args.scenario or DEFAULT_SCENARIO, args.out, force=args.force, fmt=args.format
        )
        print(f"wrote a SYNTHETIC case file to {out} (see {out / 'README.md'})")
        return 0
    spec = SynthSpec(
        args.cases,
        args.seed,
        share_fi=args.share_fi,
        data_cutoff=args.data_cutoff,
        coded_cases=args.coded_cases,
    )
    out = write_synthetic_case_file(
        args.out,
        spec,
        fmt=args.format,
        force=args.force,
        command=spec.command(args.out, fmt=args.format, force=args.force),
        progress=print_progress if args.cases >= 5000 else None,
    )
    print(f"wrote a SYNTHETIC case file to {out} (see {out / 'README.md'})")
    return 0


# -- keygen -----------------------------------------------------------------------------
def _add_keygen(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "keygen", help="create the pseudonymisation key (a private file outside the project)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_KEY_FILE),
        help=f"where to write the key (default: {DEFAULT_KEY_FILE})",
    )
    p.add_argument(
        "--force", action="store_true", help="replace an existing key (changes every pseudonym)"
    )


def _cmd_keygen(args: argparse.Namespace) -> int:
    path = write_key(args.out, force=args.force)
    print(
        f"wrote a new pseudonymisation key to {path} (readable by you only). Keep it secret "
        "and back it up on secure storage: the same key gives the same pseudonyms. Intake "
        f"reads it from there (parameter key_file), unless {KEY_ENV} is set."
    )
    return 0


# -- coding -----------------------------------------------------------------------------
def _add_coding(sub: argparse._SubParsersAction) -> None:
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


def _cmd_coding(args: argparse.Namespace) -> int:
    # Imported here, not at the top: pandas, pandera, openpyxl and lxml (1-2 s), which
    # `cape-study run` and --help do not need.
    from cape_study.coding.refi import write_qdc
    from cape_study.coding.round import Round
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


# -- timelines --------------------------------------------------------------------------
def _add_timelines(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "timelines",
        help="write a CONFIDENTIAL timeline of every prosecuted case (never under reports/)",
    )
    p.add_argument(
        "--processed",
        type=Path,
        help="the case file as intake stored it (default: data/processed), so that the "
        "cases appear under their pseudonyms",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="the .xlsx or .csv file to write (confidential: keep it with the case file; "
        "never under reports/ or data/processed)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing --out file")


def _cmd_timelines(args: argparse.Namespace) -> int:
    # Imported here, not at the top: pandas and pandera (1-2 s), as for `validate`.
    from cape_study.data.loaders import read_processed
    from cape_study.stats.timelines import case_timelines, write_case_timelines

    paths = project()
    forbidden = (paths.reports, paths.data_processed)
    for folder in forbidden:
        if args.out.resolve().is_relative_to(folder.resolve()):
            raise CapeStudyError(
                f"{args.out}: the case timelines are confidential; write them outside "
                f"{folder} (published or shared). Nothing was written."
            )
    if args.out.exists() and not args.force:
        raise CapeStudyError(f"{args.out} exists; give --force to replace it")
    case_file = read_processed(args.processed or paths.data_processed)
    timelines = case_timelines(case_file)
    written = write_case_timelines(timelines, args.out, forbidden=forbidden)
    n = timelines["case_id"].nunique()
    print(f"wrote the timelines of {n} prosecuted case(s) to {written} (CONFIDENTIAL)")
    return 0


# -- dispatch ---------------------------------------------------------------------------
_COMMANDS: dict[
    str, tuple[Callable[[argparse._SubParsersAction], None], Callable[[argparse.Namespace], int]]
] = {
    "codebook": (_add_codebook, _cmd_codebook),
    "template": (_add_template, _cmd_template),
    "validate": (_add_validate, _cmd_validate),
    "run": (_add_run, _cmd_run),
    "verify": (_add_verify, _cmd_verify),
    "check-report": (_add_check_report, _cmd_check_report),
    "print": (_add_print, _cmd_print),
    "synth": (_add_synth, _cmd_synth),
    "keygen": (_add_keygen, _cmd_keygen),
    "coding": (_add_coding, _cmd_coding),
    "timelines": (_add_timelines, _cmd_timelines),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cape-study",
        description="Research environment for the CAPE study of forced-labour case attrition.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add, _ in _COMMANDS.values():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    _, run = _COMMANDS[args.command]
    try:
        return run(args)
    except CapeStudyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print(f"interrupted: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
