"""The ``cape-study`` command: parses arguments and calls the library, nothing more.

Each sub-command is a pair of functions: ``_add_<name>`` declares its arguments and
``_cmd_<name>`` calls the library. Expected problems (a broken case file, a bad
parameter, a failed step) are reported as a message and an exit code, never as a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cape_study import __version__
from cape_study.errors import CapeStudyError, CaseFileError, ParameterError
from cape_study.paths import DEFAULT_DATA_CUTOFF, ProjectPaths, project
from cape_study.privacy.keys import DEFAULT_KEY_FILE, KEY_ENV, write_key
from cape_study.runner import current
from cape_study.runner.browser import check_report
from cape_study.runner.outcome import PipelineFailed
from cape_study.runner.params import parse_assignments
from cape_study.runner.printing import printed_pdf, write_pdf

from . import coding

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
    # Imported here, not at the top, as for the other commands that read the codebook: its
    # models and YAML (0.2 s), which `cape-study run` with nothing to do never needs.
    from cape_study.data.codebook import load_codebook
    from cape_study.data.codebook_pages import render_html, render_markdown

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
    from cape_study.data.template import write_template  # the codebook: see _cmd_codebook

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
    paths, overrides = project(), parse_assignments(args.assignments)
    with current.told_when_interrupted(paths):
        return _run(args, paths, overrides)


def _run(args: argparse.Namespace, paths: ProjectPaths, overrides: dict[str, str]) -> int:
    # With nothing changed, the run is decided before the rest of the runner is imported
    # (kernels, page rendering, the report's writers, the scanner: 0.3 s of a 0.5 s no-op).
    result = None
    if not args.force:
        result = current.check(
            paths, overrides=overrides, params_file=args.params, only=args.only, wait=args.wait
        )
    if result is not None:
        print(result.summary())
        return 0
    from cape_study.runner.pipeline import run_pipeline

    try:
        result = run_pipeline(
            paths,
            overrides=overrides,
            params_file=args.params,
            only=args.only,
            jobs=args.jobs,
            force=args.force,
            wait=args.wait,
            publish_partial=args.publish_partial,
        )
    except PipelineFailed as exc:
        # The progress above showed each failed step in full, its problem table too.
        print(f"error: {exc.brief()}", file=sys.stderr)
        return exc.exit_code
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
    # Imported here, not at the top: the manifest reads the pages' privacy records, and so
    # the scanner and its patterns, which `cape-study run` with nothing to do never needs.
    from cape_study.runner.manifest import verify_report

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
    p.add_argument(
        "--force",
        action="store_true",
        help="print again even if the PDF was printed from this report.html and is unchanged",
    )


def _cmd_print(args: argparse.Namespace) -> int:
    # The project's report: a PDF printed from the same report.html is kept as it is.
    record = project().report_cache / "printed.json" if args.report_dir is None else None
    report_dir = args.report_dir or project().reports
    if record is not None and not args.force:
        kept_pdf = printed_pdf(report_dir, args.out, record)
        if kept_pdf is not None:
            print(f"unchanged: {kept_pdf} (printed from this report.html before)")
            return 0
    written = write_pdf(report_dir, args.out, record=record)
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
    "coding": (coding.add, coding.run),
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
        for note in getattr(exc, "__notes__", ()):  # what became of the report
            print(note, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print(f"interrupted: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output went away (`cape-study validate ... | head`): stop
        # quietly, as other command-line tools do, without a traceback at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
