"""Legal-change dates and the cases reported before and after them.

``reference/legal_changes.yaml`` lists the dates at which the law on trafficking for
forced labour and related exploitation changed, or was read anew by a supreme court, in
Sweden and Finland, each with its sources. :func:`legal_changes` reads the ones chosen
(by id, or ``COUNTRY:YYYY-MM-DD`` for a date of one's own); :func:`before_after` splits
each change's country's cases by report date, the date that decides which law applied
to the acts reported (the act precedes the report; a precedent applies to later
decisions too, so for a precedent the split by report date is an approximation);
:func:`break_years` gives the years at which report periods are cut so that they line up
with the changes (:func:`cape_study.stats.attrition.report_period`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import yaml

from cape_study.paths import PACKAGE_DIR

__all__ = [
    "CHANGES_FILE",
    "LegalChange",
    "before_after",
    "break_years",
    "known_changes",
    "legal_changes",
    "spans",
]

CHANGES_FILE = PACKAGE_DIR / "reference" / "legal_changes.yaml"
_OWN = re.compile(r"^(?P<country>SE|FI):(?P<date>\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class LegalChange:
    """One dated change of the law or of its reading, with its sources."""

    id: str
    country: str
    date: dt.date
    kind: str
    label: dict[str, str]
    sources: tuple[str, ...]
    note: dict[str, str] = field(default_factory=dict)  # lang -> text


def known_changes() -> dict[str, LegalChange]:
    """Every change in ``reference/legal_changes.yaml``, by id."""
    raw = yaml.safe_load(CHANGES_FILE.read_text(encoding="utf-8"))
    return {
        c["id"]: LegalChange(
            id=c["id"],
            country=c["country"],
            date=c["date"] if isinstance(c["date"], dt.date) else dt.date.fromisoformat(c["date"]),
            kind=c["kind"],
            label=dict(c["label"]),
            sources=tuple(c["sources"]),
            note=dict(c.get("note") or {}),
        )
        for c in raw["changes"]
    }


def legal_changes(chosen: Sequence[str]) -> list[LegalChange]:
    """The changes named in ``chosen``: ids of :func:`known_changes`, or ``SE:2020-01-01``
    for a date of one's own (labelled by its date, without a source).

    Raises
    ------
    ValueError
        For a name that is neither, listing the known ids.
    """
    known = known_changes()
    out = []
    for name in chosen:
        if name in known:
            out.append(known[name])
            continue
        match = _OWN.match(name)
        if not match:
            raise ValueError(
                f"unknown legal change {name!r}; known: {', '.join(known)}, or "
                "COUNTRY:YYYY-MM-DD (SE or FI)"
            )
        date = dt.date.fromisoformat(match["date"])
        out.append(
            LegalChange(
                id=name,
                country=match["country"],
                date=date,
                kind="own",
                label={"en": f"{name} (given with the run)", "sv": f"{name} (angiven i körningen)"},
                sources=(),
            )
        )
    return out


def before_after(status: pd.DataFrame, changes: Sequence[LegalChange]) -> pd.DataFrame:
    """Each change's country's cases, marked before or after the change by report date.

    Parameters
    ----------
    status
        :func:`cape_study.stats.attrition.case_status` (``country``, ``report_date``),
        with any further columns.

    Returns
    -------
    DataFrame
        ``status``'s rows of each change's country, once per change, with ``change``
        (its id) and ``side`` (``before``: reported before the date; ``after``: on or
        after it; an ordered categorical).
    """
    parts = []
    for change in changes:
        mine = status[status["country"].astype("string") == change.country]
        side = (mine["report_date"] >= pd.Timestamp(change.date)).map(
            {False: "before", True: "after"}
        )
        parts.append(
            mine.assign(
                change=change.id,
                side=pd.Categorical(side, categories=["before", "after"], ordered=True),
            )
        )
    if not parts:
        return status.iloc[:0].assign(change=pd.Series(dtype="string"), side=pd.Series())
    return pd.concat(parts, ignore_index=True)


def spans(change: LegalChange) -> dict[str, dict[str, str]]:
    """The sides of :func:`before_after` as spans of report dates, the values of the
    ``year`` dimension of linked tables (:mod:`cape_study.privacy.linked`): ``before``
    every day before the change's date, ``after`` from it on."""
    last = change.date - dt.timedelta(days=1)
    return {"side": {"before": f"–{last.isoformat()}", "after": f"{change.date.isoformat()}–"}}


def break_years(changes: Sequence[LegalChange]) -> list[int]:
    """The years at which report periods start so that they line up with the changes:
    the year of each change (a change on 1 January starts its year; one later in the
    year falls inside the period that starts with that year)."""
    return sorted({c.date.year for c in changes})
