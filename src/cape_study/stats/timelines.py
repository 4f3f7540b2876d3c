"""A case-by-case view for small numbers: a timeline per prosecuted case.

With a few dozen prosecuted cases, a reader of the study (the research team, never the
published report) needs each case's course as one list: its stages with their dates
and the precision of each date, the offences charged and judged, the outcomes and
closure reasons, and the barriers coded on its documents (with the coder's quote).
:func:`case_timelines` builds that list from a case file as intake stores it
(``data/processed``: cases, suspects and documents under their keyed pseudonyms, the
texts masked). :func:`write_case_timelines` writes it as a CONFIDENTIAL file: never
under the published report or the processed data, and only after the whole file has
been scanned for identity numbers and the other identifiers intake masks
(:mod:`cape_study.privacy.scanning`); anything found stops it, naming the sheet and
cell (or line and column), and nothing is written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.data.loaders import CaseFile
from cape_study.errors import CapeStudyError
from cape_study.privacy.confidential import TIMELINE_COLUMNS, TIMELINE_SHEET
from cape_study.privacy.scanning import PersonalDataFound, scan_paths

__all__ = ["COLUMNS", "case_timelines", "prosecuted_cases", "write_case_timelines"]

#: The columns of :func:`case_timelines`, in order (by them the runner recognises a
#: timelines file among the files to publish, :mod:`cape_study.privacy.confidential`).
COLUMNS = TIMELINE_COLUMNS


def prosecuted_cases(case_file: CaseFile, codebook: Codebook | str | None = None) -> list[str]:
    """The ids of the cases with an event at the stage ``prosecuted`` or a later one
    (in the codebook's order of stages, without terminal ones such as ``closed``),
    sorted, as :func:`cape_study.stats.attrition.case_status` counts them."""
    stages = codebook_or_default(codebook).scheme("stage").ranked_codes
    if "prosecuted" not in stages:
        raise CapeStudyError("codebook, scheme stage: no stage 'prosecuted'")
    later = set(stages[stages.index("prosecuted") :])
    events = case_file.events
    hit = events.loc[events["stage"].astype("string").isin(later), "case_id"].astype("string")
    return sorted(hit.dropna().unique())


def case_timelines(
    case_file: CaseFile,
    cases: list[str] | None = None,
    *,
    codebook: Codebook | str | None = None,
) -> pd.DataFrame:
    """One row per dated entry of each prosecuted case, in date order.

    Parameters
    ----------
    case_file
        A checked case file; give the one intake stored
        (:func:`cape_study.data.loaders.read_processed`) so that the cases appear under
        their pseudonyms and the quotes are masked.
    cases
        The case ids to show (default: every prosecuted case, :func:`prosecuted_cases`).
    codebook
        The codebook giving the order of the stages (default: the project's).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`. ``entry`` is ``event`` (a row of the events table:
        stage, offence, outcome, closure reason, with the suspect for a suspect's part
        of the case), ``sanction`` (a row of the sanctions table: sanction, amount,
        unit, victim for damages; dated by the suspect's event at the same stage) or
        ``barrier`` (a barrier coded present by any coder on one of the
        case's documents: the document, its type and date, the barrier code and the
        first quote given for it). ``date_precision`` is the precision the case file
        records (``day``, ``month``, ``year``); a barrier row takes its document's.
        Codes are the codebook's codes. Within a case, rows are sorted by date (undated
        last), events before barriers on the same day.
    """
    wanted = prosecuted_cases(case_file, codebook) if cases is None else sorted(cases)
    country = case_file.cases.set_index(case_file.cases["case_id"].astype("string"))["country"]
    ev = case_file.events
    ev = ev[ev["case_id"].astype("string").isin(wanted)]
    events = pd.DataFrame(
        {
            "case_id": ev["case_id"].astype("string"),
            "date": ev["date"],
            "date_precision": ev["date_precision"].astype("string"),
            "entry": "event",
            "suspect_id": ev["suspect_id"].astype("string"),
            "stage": ev["stage"].astype("string"),
            "offence": ev["offence"].astype("string"),
            "outcome": ev["outcome"].astype("string"),
            "closure_reason": ev["closure_reason"].astype("string"),
        }
    )
    sanctions = _sanctions(case_file, wanted, events)
    barriers = _barriers(case_file, wanted)
    parts = [f for f in (events, sanctions, barriers) if len(f)]
    out = pd.concat(parts or [events], ignore_index=True)
    out["country"] = out["case_id"].map(country.astype("string"))
    out["_order"] = out["entry"].map({"event": 0, "sanction": 1, "barrier": 2})
    out = out.sort_values(["case_id", "date", "_order"], na_position="last", kind="stable")
    for column in COLUMNS:
        if column not in out:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out[list(COLUMNS)].reset_index(drop=True)


def _sanctions(case_file: CaseFile, wanted: list[str], events: pd.DataFrame) -> pd.DataFrame:
    sa = case_file.sanctions
    sa = sa[sa["case_id"].astype("string").isin(wanted)]
    if sa.empty:
        return pd.DataFrame(columns=["case_id", "date", "entry"])
    keys = ["case_id", "suspect_id", "stage"]
    dated = (
        events.dropna(subset=["date"])
        .sort_values("date", kind="stable")
        .drop_duplicates(keys)[[*keys, "date", "date_precision"]]
    )
    out = pd.DataFrame(
        {
            "case_id": sa["case_id"].astype("string"),
            "suspect_id": sa["suspect_id"].astype("string"),
            "stage": sa["stage"].astype("string"),
            "entry": "sanction",
            "sanction": sa["sanction"].astype("string"),
            "amount": sa["amount"].astype("Int64"),
            "unit": sa["unit"].astype("string"),
            "victim_id": sa["victim_id"].astype("string"),
        }
    )
    return out.merge(dated, on=keys, how="left")


def _barriers(case_file: CaseFile, wanted: list[str]) -> pd.DataFrame:
    docs = case_file.documents
    docs = docs[docs["case_id"].astype("string").isin(wanted)]
    codings = case_file.codings
    coded = codings[
        (codings["scheme"].astype("string") == "barrier")
        & codings["present"].fillna(False).astype(bool)
        & codings["unit_id"].astype("string").isin(docs["doc_id"].astype("string"))
    ]
    if coded.empty:
        return pd.DataFrame(columns=["case_id", "date", "entry"])
    first = (
        coded.assign(
            unit_id=coded["unit_id"].astype("string"),
            code=coded["code"].astype("string"),
            quote=coded["quote"].astype("string"),
        )
        .groupby(["unit_id", "code"], sort=False)["quote"]
        .agg(lambda q: q.dropna().iloc[0] if q.notna().any() else pd.NA)
        .reset_index()
    )
    info = docs.assign(doc_id=docs["doc_id"].astype("string")).set_index("doc_id")
    return pd.DataFrame(
        {
            "case_id": first["unit_id"].map(info["case_id"].astype("string")),
            "date": first["unit_id"].map(info["date"]),
            "date_precision": first["unit_id"].map(info["date_precision"].astype("string")),
            "entry": "barrier",
            "doc_id": first["unit_id"],
            "doc_type": first["unit_id"].map(info["doc_type"].astype("string")),
            "barrier": first["code"],
            "quote": first["quote"].astype("string"),
        }
    )


def write_case_timelines(
    timelines: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    forbidden: tuple[str | os.PathLike[str], ...] = (),
) -> Path:
    """Write the timelines as a confidential ``.xlsx`` or ``.csv`` file, scanned first.

    Refuses a path under any folder of ``forbidden`` (give the published report and
    ``data/processed``). The file is written beside ``path`` under a temporary name and
    scanned (:func:`cape_study.privacy.scanning.scan_paths`); if any identity number,
    phone number or other identifier is found, it is deleted and
    :class:`~cape_study.privacy.scanning.PersonalDataFound` names ``path`` and each
    place (sheet and cell, or line and column), never the value; nothing is written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise CapeStudyError(f"{target}: expected a file name ending in .xlsx or .csv")
    for folder in forbidden:
        if target.resolve().is_relative_to(Path(folder).resolve()):
            raise CapeStudyError(
                f"{target}: the case timelines are confidential (one row per case, dates, "
                f"quotes); write them outside {folder}, which is published or shared"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".timelines-", suffix=suffix, dir=target.parent)
    os.close(fd)
    staging = Path(name)
    try:
        shown = timelines.copy()
        shown["date"] = pd.to_datetime(shown["date"]).dt.strftime("%Y-%m-%d")
        if suffix == ".csv":
            shown.to_csv(staging, index=False)
        else:
            shown.to_excel(staging, index=False, sheet_name=TIMELINE_SHEET)
        found = scan_paths([staging])
        if found:
            raise PersonalDataFound.located([f._replace(file=str(target)) for f in found])
        staging.replace(target)
    finally:
        staging.unlink(missing_ok=True)
    return target
