"""Named shapes of synthetic case files: the case files researchers actually have.

The demo (400 cases, two countries, three coders) is not the world. A real delivery is
small, one-country, court-only or police-only, with few prosecutions, few or no codings,
one coder in a pilot, blank optional fields, and nothing closed yet or everything
closed. ``cape-study synth --scenario NAME --out DIR`` writes one of these shapes:

=====================  ==================================================================
name                   what it is
=====================  ==================================================================
demo                   the full demo (400 cases, Sweden and Finland, three coders)
pilot                  15 cases, one coder
judgments-only         about 20 cases, every one judged at first instance (a court
                       sample), optional victim and case fields left blank
prosecution-decisions  20 cases charged or closed after a suspect was notified (a
                       prosecutors' sample: the stages before the decision implied)
sweden-only            30 Swedish cases
finland-only           30 Finnish cases
no-codings             30 cases, an empty codings table
one-coder              30 cases coded by one coder
all-closed             20 cases, every one closed before prosecution
none-closed            20 cases, none closed (prosecuted or still open at the cut-off)
no-suspects            30 cases, without the (optional) suspects table
tiny                   5 cases
everything-suppressed  4 cases: every count of the report lies below the threshold 5
=====================  ==================================================================

Each is drawn by the generator (:mod:`cape_study.synth.generator`) with fixed
arguments and seed, then shaped: cases kept or dropped whole (with their events,
victims, suspects, documents and codings), a coder's codings kept, a table or an
optional column emptied. The same name and package version give byte-identical files;
``truth.json`` records the scenario and the counts realised after shaping.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cape_study.data.codebook import load_codebook
from cape_study.errors import ParameterError
from cape_study.synth.files import MARKER, TABLES, check_output
from cape_study.synth.generator import SynthSpec, write_synthetic_case_file
from cape_study.synth.truth import realised_counts

__all__ = ["DEFAULT_SCENARIO", "SCENARIOS", "Scenario", "scenario", "write_scenario"]

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Scenario:
    """A named shape: the generator's arguments and what is done to its tables.

    ``shape`` takes the tables as written (strings, ``""`` for blank) and returns
    them shaped; a table it leaves out is not written (only ``suspects`` may be left
    out, the intake format's one optional table).
    """

    name: str
    description: str
    n_cases: int
    seed: int
    share_fi: float = 0.25
    coded_cases: int = 1000
    shape: Callable[[Tables], Tables] | None = None


# -- shaping helpers ---------------------------------------------------------------------
def _keep_cases(tables: Tables, case_ids: list[str]) -> Tables:
    """Only the cases ``case_ids`` and every row that belongs to them."""
    keep = set(case_ids)
    out = {}
    for name, frame in tables.items():
        if name == "codings" or "case_id" not in frame:  # codings below; sample as it is
            out.setdefault(name, frame)
            continue
        out[name] = frame[frame["case_id"].isin(keep)].reset_index(drop=True)
    units = keep | set(out["documents"]["doc_id"])
    codings = tables["codings"]
    out["codings"] = codings[codings["unit_id"].isin(units)].reset_index(drop=True)
    return out


def _cases_where(tables: Tables, stage: str, *, case_level: bool = False) -> list[str]:
    """Case ids (in the order of the cases table) with an events row of ``stage``
    (``case_level``: one without a suspect)."""
    ev = tables["events"]
    rows = ev["stage"] == stage
    if case_level:
        rows &= ev["suspect_id"] == ""
    hit = set(ev.loc[rows, "case_id"])
    return [c for c in tables["cases"]["case_id"] if c in hit]


def _first(n: int) -> Callable[[Tables, list[str]], Tables]:
    def keep(tables: Tables, ids: list[str]) -> Tables:
        if len(ids) < n:
            raise ParameterError(f"the scenario needs {n} cases and the draw has {len(ids)}")
        return _keep_cases(tables, ids[:n])

    return keep


def _one_coder(tables: Tables) -> Tables:
    codings = tables["codings"]
    first = sorted(set(codings["coder"]))[:1]
    return dict(tables, codings=codings[codings["coder"].isin(first)].reset_index(drop=True))


def _judgments_only(tables: Tables) -> Tables:
    judged = _cases_where(tables, "judgment_first_instance")
    out = _first(20)(tables, judged)
    cases = out["cases"].assign(interpreter_needed="")
    victims = out["victims"].assign(gave_statement="", received_support="")
    # As court and press records give them: every third report date to the year, every
    # charge to the month (a period still ends on or after the day it stands for).
    cases["report_date"] = [d[:4] if k % 3 == 0 else d for k, d in enumerate(cases["report_date"])]
    events = out["events"].copy()
    charged = events["stage"] == "prosecuted"
    events.loc[charged, "date"] = events.loc[charged, "date"].str[:7]
    sample = out["sample"].assign(
        sampling_frame="judgments",
        description="Synthetic first-instance judgments (no real case)",
    )
    return dict(out, cases=cases, events=events, victims=victims, sample=sample)


def _prosecution_decisions(tables: Tables) -> Tables:
    """20 cases selected by the prosecutor's decision: charged, or closed after a suspect
    was notified (the stages before the decision are implied by the selection)."""
    notified = set(_cases_where(tables, "suspect_notified"))
    decided = set(_cases_where(tables, "prosecuted")) | set(_cases_where(tables, "closed"))
    ids = [c for c in tables["cases"]["case_id"] if c in notified & decided]
    out = _first(20)(tables, ids)
    sample = out["sample"].assign(
        sampling_frame="prosecution_decisions",
        description="Synthetic prosecution decisions (no real case)",
    )
    return dict(out, sample=sample)


def _all_closed(tables: Tables) -> Tables:
    return _first(20)(tables, _cases_where(tables, "closed", case_level=True))


def _none_closed(tables: Tables) -> Tables:
    closed = set(_cases_where(tables, "closed"))
    return _first(20)(tables, [c for c in tables["cases"]["case_id"] if c not in closed])


def _no_suspects(tables: Tables) -> Tables:
    return {name: frame for name, frame in tables.items() if name != "suspects"}


#: The scenarios by name (``cape-study synth --scenario NAME``).
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "demo", "the full demo: 400 cases, Sweden and Finland, three coders", 400, 20240501
        ),
        Scenario("pilot", "a pilot: 15 cases, one coder", 15, 1501, shape=_one_coder),
        Scenario(
            "judgments-only",
            "a court sample: 20 cases judged at first instance, optional fields blank",
            400,
            1702,
            share_fi=0.5,
            shape=_judgments_only,
        ),
        Scenario(
            "prosecution-decisions",
            "a prosecutors' sample: 20 cases charged or closed after a suspect was notified",
            300,
            1712,
            share_fi=0.5,
            shape=_prosecution_decisions,
        ),
        Scenario("sweden-only", "30 Swedish cases", 30, 1703, share_fi=0.0),
        Scenario("finland-only", "30 Finnish cases", 30, 1704, share_fi=1.0),
        Scenario("no-codings", "30 cases, no codings", 30, 1705, coded_cases=0),
        Scenario("one-coder", "30 cases coded by one coder", 30, 1706, shape=_one_coder),
        Scenario(
            "all-closed", "20 cases, all closed before prosecution", 40, 1707, shape=_all_closed
        ),
        Scenario(
            "none-closed",
            "20 cases, none closed (prosecuted or open at the cut-off)",
            200,
            1708,
            share_fi=0.5,
            shape=_none_closed,
        ),
        Scenario("no-suspects", "30 cases, no suspects table", 30, 1709, shape=_no_suspects),
        Scenario("tiny", "5 cases", 5, 1710),
        Scenario("everything-suppressed", "4 cases: every count below the threshold", 4, 1711),
    )
}

DEFAULT_SCENARIO = "demo"


def scenario(name: str) -> Scenario:
    """The scenario ``name``; an unknown name is a ParameterError listing the known ones."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ParameterError(
            f"unknown scenario {name!r}; known scenarios: {', '.join(SCENARIOS)}"
        ) from None


def _read(folder: Path) -> Tables:
    return {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }


def _write_shaped(folder: Path, spec: Scenario, command: str) -> None:
    """Shape the tables written to ``folder``; drop the documents no longer listed;
    record the scenario and the realised counts in truth.json."""
    shaped = spec.shape(_read(folder)) if spec.shape else _read(folder)
    for name in TABLES:
        path = folder / f"{name}.csv"
        if name in shaped:
            shaped[name].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        else:
            path.unlink()
    listed = {folder / "documents" / p for p in shaped["documents"]["path"]}
    for path in sorted((folder / "documents").rglob("*")):
        if path.is_file() and path not in listed:
            path.unlink()
    for path in sorted((folder / "documents").iterdir()):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    truth_path = folder / "truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    book = load_codebook("cape_v2")
    families = {c.code: c.family or "other" for c in book.scheme("offence").codes}
    full = dict(shaped)
    full.setdefault("suspects", pd.DataFrame(columns=list(book.table("suspects").columns)))
    truth["realised"] = realised_counts(full, families)
    docs = set(shaped["documents"]["doc_id"])
    truth["identifiers"]["rows"] = [r for r in truth["identifiers"]["rows"] if r[0] in docs]
    truth["generator"]["command"] = command
    truth["scenario"] = {"name": spec.name, "description": spec.description}
    text = json.dumps(truth, ensure_ascii=False, indent=1)
    truth_path.write_text(text + "\n", encoding="utf-8")
    readme = folder / "README.md"
    readme.write_text(
        f"Scenario `{spec.name}`: {spec.description} (shaped from the draw below; "
        "`truth.json` holds the counts realised after shaping).\n\n"
        + readme.read_text(encoding="utf-8"),
        encoding="utf-8",
    )


def write_scenario(
    name: str,
    out: str | os.PathLike[str],
    *,
    force: bool = False,
    fmt: str = "csv",
) -> Path:
    """Write the scenario ``name`` to the folder ``out``; return its path.

    The demo is written exactly as ``cape-study synth --cases 400 --seed 20240501``;
    another scenario is drawn into a temporary sibling folder, shaped there and moved
    into place at the end (the same guarantees as
    :func:`cape_study.synth.generator.write_synthetic_case_file`: an interrupted run
    leaves nothing half-written, and a folder the generator did not write is refused).
    Scenarios other than the demo are written as CSV only.
    """
    spec = scenario(name)
    out = Path(out)
    drawn = SynthSpec(spec.n_cases, spec.seed, share_fi=spec.share_fi, coded_cases=spec.coded_cases)
    if spec.name == DEFAULT_SCENARIO:
        base = drawn.command(out, fmt=fmt, force=force)
        return write_synthetic_case_file(out, drawn, fmt=fmt, force=force, command=base)
    if fmt != "csv":
        raise ParameterError(f"scenario {name!r} is written as CSV only, not as {fmt}")
    check_output(out, force)
    command = f"cape-study synth --scenario {name} --out {out.as_posix()}" + (
        " --force" if force else ""
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.scenario-", dir=out.parent))
    try:
        draw = work / out.name
        write_synthetic_case_file(draw, drawn, fmt=fmt, command=command)
        _write_shaped(draw, spec, command)
        assert (draw / MARKER).is_file()
        check_output(out, force)  # nothing else appeared while we were writing
        if out.exists():
            os.replace(out, work / ".old")
        os.replace(draw, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out
