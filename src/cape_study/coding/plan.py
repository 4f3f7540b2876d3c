"""Who codes what: the coding plan, with an overlap sample for reliability.

A plan has one row per scheme, unit and coder (:data:`PLAN_COLUMNS`). A *unit* is what a
coder reads and codes: a case (all its documents), a document, or a case's last
decision (its latest closure decision or judgment, :data:`DECISION_TYPES`). Which kind a
scheme is coded on is the team's choice (``units``), as is which of the codebook's
codeable schemes are coded at all.

Most units are coded by one coder. An *overlap sample* is coded by two, so that
reliability (:mod:`cape_study.stats.reliability`) can be estimated early, on units that
stand for the whole: it is drawn, per scheme, by stratified random sampling with
proportional allocation over country and document type (largest remainders; Cochran
1977, ch. 5), from a random stream derived from ``seed`` and the scheme. Work is spread
so that every coder has about as many units as the others, and the overlap units go to
the pairs of coders with the fewest units so far.

A plan is extended, never redrawn: :func:`make_plan` with an earlier plan keeps every
earlier assignment and plans only the units that are new, among all coders (new coders
included), with the same overlap share; the new rows carry the next ``round``.

Reference: Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cape_study.coding.files import write_csv
from cape_study.data.codebook import Codebook
from cape_study.data.codings import CONSENSUS
from cape_study.data.loaders import CaseFile
from cape_study.errors import CapeStudyError

__all__ = [
    "DECISION_TYPES",
    "PLAN_COLUMNS",
    "UNIT_KINDS",
    "PlanError",
    "coding_units",
    "make_plan",
    "read_plan",
    "write_plan",
]

#: The kinds of coding unit.
UNIT_KINDS = ("case", "document", "decision")
#: Document types that decide a case: a case's ``decision`` unit is its latest one.
DECISION_TYPES = (
    "closure_decision",
    "judgment_first_instance",
    "judgment_appeal",
    "judgment_supreme",
)
PLAN_COLUMNS = [
    "scheme",
    "unit_id",
    "unit",
    "case_id",
    "country",
    "doc_type",
    "coder",
    "overlap",
    "round",
]
_CODER = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")


class PlanError(CapeStudyError, ValueError):
    """A plan that cannot be made or read; the message says what is wrong and where."""


def coding_units(
    case: CaseFile,
    units: Mapping[str, str],
    book: Codebook,
    *,
    doc_types: Sequence[str] | None = None,
    decision_types: Sequence[str] = DECISION_TYPES,
) -> pd.DataFrame:
    """The units to code for each scheme of ``units`` (scheme -> unit kind).

    Returns one row per scheme and unit: ``scheme``, ``unit_id``, ``unit`` (the kind),
    ``case_id``, ``country``, ``doc_type`` (missing for a case). ``doc_types`` limits
    ``document`` units to those types; ``decision_types`` are the types a ``decision``
    is chosen from. Every scheme must be a codeable scheme of ``book`` and every type a
    code of its ``doc_type`` scheme.
    """
    known_types = set(book.codes("doc_type")) if "doc_type" in book.schemes else set()
    for given in (doc_types or (), decision_types):
        unknown = sorted(set(given) - known_types)
        if unknown:
            raise PlanError(f"unknown document type(s) {unknown}; known: {sorted(known_types)}")
    for scheme, kind in units.items():
        if scheme not in book.codeable_schemes:
            raise PlanError(
                f"{scheme!r} is not a codeable scheme; codeable: {', '.join(book.codeable_schemes)}"
            )
        if kind not in UNIT_KINDS:
            raise PlanError(f"unknown unit kind {kind!r} for {scheme}; known: {UNIT_KINDS}")
    cases = case.cases[["case_id", "country"]].astype("string")
    docs = case.documents[["doc_id", "case_id", "doc_type", "date"]].copy()
    docs["doc_type"] = docs["doc_type"].astype("string")
    docs = docs.merge(cases, on="case_id", how="left")
    frames = []
    for scheme, kind in units.items():
        if kind == "case":
            part = cases.assign(
                unit_id=cases["case_id"],
                doc_type=pd.Series(pd.NA, index=cases.index, dtype="string"),
            )
        else:
            chosen = docs
            if kind == "document" and doc_types:
                chosen = docs[docs["doc_type"].isin(list(doc_types))]
            if kind == "decision":
                chosen = docs[docs["doc_type"].isin(list(decision_types))]
                chosen = chosen.sort_values(["case_id", "date", "doc_id"], kind="stable")
                chosen = chosen.drop_duplicates("case_id", keep="last")
            part = chosen.rename(columns={"doc_id": "unit_id"})
        part = part.assign(scheme=scheme, unit="case" if kind == "case" else "document")
        frames.append(part[["scheme", "unit_id", "unit", "case_id", "country", "doc_type"]])
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out.astype("string").reset_index(drop=True)


def _check_coders(coders: Sequence[str]) -> list[str]:
    coders = list(dict.fromkeys(coders))
    bad = [c for c in coders if not _CODER.match(c) or c == CONSENSUS]
    if bad:
        raise PlanError(
            f"coder name(s) {bad} are not allowed: a letter, then letters, digits, '_', '.' "
            f"or '-' (at most 40), and not {CONSENSUS!r}, which stores adjudicated codes"
        )
    if not coders:
        raise PlanError("a plan needs at least one coder")
    return coders


def _n_overlap(overlap: float, n: int) -> int:
    if overlap < 0:
        raise PlanError(f"overlap {overlap} is negative; give a share (0-1) or a number of units")
    wanted = round(overlap * n) if overlap < 1 else int(overlap)
    return min(wanted, n)


def _stratified(units: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.Index:
    """``n`` rows of ``units`` by proportional allocation over country and document type."""
    if n == 0:
        return units.index[:0]
    strata = units[["country", "doc_type"]].fillna("").agg("|".join, axis=1)
    sizes = strata.value_counts().sort_index()
    quota = sizes / sizes.sum() * n
    take = np.floor(quota).astype(int)
    remainder = (quota - take).sort_values(ascending=False, kind="stable")
    take[remainder.index[: n - int(take.sum())]] += 1
    chosen = []
    for stratum, k in take.items():
        members = units.index[strata == stratum].to_numpy()
        chosen.extend(rng.choice(members, size=int(k), replace=False).tolist())
    return pd.Index(sorted(chosen))


def make_plan(
    units: pd.DataFrame,
    coders: Sequence[str],
    *,
    overlap: float = 0.2,
    seed: int = 1,
    plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assign ``units`` (from :func:`coding_units`) to ``coders``.

    Parameters
    ----------
    units
        Units to code, one row per scheme and unit.
    coders
        Coder names (pseudonymous ids: a letter, then letters, digits, ``_ . -``).
    overlap
        The overlap sample coded by two coders: a share of the units (below 1) or a
        number of units (1 or more), per scheme, of the units new to the plan.
    seed
        Seeds the sample and the assignment (same inputs, same plan).
    plan
        An earlier plan: its assignments are kept unchanged, only units it lacks are
        planned, and their rows carry its highest ``round`` plus one.

    Returns
    -------
    DataFrame
        :data:`PLAN_COLUMNS`, one row per scheme, unit and coder.
    """
    coders = _check_coders(coders)
    earlier = pd.DataFrame(columns=PLAN_COLUMNS) if plan is None else plan[PLAN_COLUMNS].copy()
    coders = list(dict.fromkeys([*earlier["coder"].astype(str), *coders]))
    next_round = 1 if earlier.empty else int(pd.to_numeric(earlier["round"]).max()) + 1
    rows = []
    for scheme, part in units.groupby("scheme", sort=False):
        done = set(earlier.loc[earlier["scheme"] == scheme, "unit_id"].astype(str))
        new = part[~part["unit_id"].astype(str).isin(done)].reset_index(drop=True)
        n_overlap = _n_overlap(overlap, len(new))
        if n_overlap and len(coders) < 2:
            raise PlanError("an overlap sample needs two or more coders")
        rng = np.random.default_rng([seed, zlib.crc32(str(scheme).encode())])
        twice = set(_stratified(new, n_overlap, rng))
        load = earlier.loc[earlier["scheme"] == scheme, "coder"].astype(str).value_counts()
        load = {c: int(load.get(c, 0)) for c in coders}
        for i in rng.permutation(len(new)):
            k = 2 if i in twice else 1
            jitter = rng.random(len(coders))
            order = sorted(range(len(coders)), key=lambda j: (load[coders[j]], jitter[j]))
            for j in order[:k]:
                load[coders[j]] += 1
                rows.append({**new.iloc[i].to_dict(), "coder": coders[j], "overlap": k == 2})
    added = pd.DataFrame(rows, columns=[c for c in PLAN_COLUMNS if c != "round"])
    added["round"] = next_round
    out = (
        pd.concat([earlier.astype(added.dtypes.to_dict()), added], ignore_index=True)
        if not earlier.empty
        else added
    )
    text = [c for c in PLAN_COLUMNS if c not in ("overlap", "round")]
    out[text] = out[text].astype("string")
    out["overlap"] = out["overlap"].astype(bool)
    out["round"] = pd.to_numeric(out["round"]).astype(int)
    return out.sort_values(["round", "scheme", "unit_id", "coder"], kind="stable").reset_index(
        drop=True
    )[PLAN_COLUMNS]


def write_plan(plan: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a plan as CSV (UTF-8), replacing the file in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(plan[PLAN_COLUMNS], path)
    return path


def read_plan(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a plan written by :func:`write_plan`; ``PlanError`` naming what is missing."""
    path = Path(path)
    try:
        plan = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise PlanError(f"{path}: no such plan (make one with cape-study coding plan)") from None
    missing = [c for c in PLAN_COLUMNS if c not in plan.columns]
    if missing:
        raise PlanError(f"{path}: not a coding plan, column(s) {missing} missing")
    plan["overlap"] = plan["overlap"].str.lower().eq("true").astype(bool)
    plan["round"] = pd.to_numeric(plan["round"]).astype(int)
    dup = plan.duplicated(["scheme", "unit_id", "coder"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 2
        raise PlanError(f"{path}, row {row}: a scheme, unit and coder planned twice")
    return plan[PLAN_COLUMNS]
