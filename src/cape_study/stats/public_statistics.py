"""The case file beside the national public statistics.

``reference/public_statistics.csv`` holds published Swedish and Finnish figures on
trafficking for forced labour, each with its source. ``reference/public_comparisons.yaml``
says which of them the case file can be set beside: the public row (named by country,
indicator and year), how the case file's figure is counted (which cases, which event,
which period) and, in Swedish and English, in what the two are comparable and in what
they differ. :func:`compare` computes the case file's side of every comparison and
returns both sides in one tidy table, citing each public figure by its line in the CSV.

The two sides are never the same measurement: published figures count offences,
judgments or persons, often for every purpose of trafficking and often second-hand,
while the case file counts the forced-labour cases the study collected. The comparison
shows whether the case file is of the size the public figures lead one to expect, not
an estimate of their difference.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cape_study.data.codebook import Codebook, Language, Text, codebook_or_default
from cape_study.errors import CannotEstimate, CapeStudyError
from cape_study.paths import PACKAGE_DIR
from cape_study.stats.attrition import OUTCOME_ORDER, case_status
from cape_study.stats.proportions import proportion_ci

__all__ = [
    "COMPARISONS_FILE",
    "PUBLIC_STATISTICS_FILE",
    "Comparison",
    "ComparisonError",
    "compare",
    "comparison_status",
    "load_comparisons",
    "load_public_statistics",
]

PUBLIC_STATISTICS_FILE = PACKAGE_DIR / "reference" / "public_statistics.csv"
COMPARISONS_FILE = PACKAGE_DIR / "reference" / "public_comparisons.yaml"


class ComparisonError(CapeStudyError, ValueError):
    """A comparison file that cannot be read or names a public figure that is not there."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicRow(_Strict):
    """Names one row of public_statistics.csv."""

    country: Literal["SE", "FI"]
    indicator: str
    year: str


class PublicSide(_Strict):
    """The public figure (and its total, for a share) and how a reader is told its source.

    ``source`` is the citation in the report's languages: ``source_org`` and
    ``source_title`` of public_statistics.csv keep the notes of whoever vendored the row
    (in English), which a Swedish page must not print.
    """

    value: PublicRow
    of: PublicRow | None = None
    source: Text


class CaseFileSide(_Strict):
    """Which cases of the case file count, and in which period."""

    country: Literal["SE", "FI"]
    offences: tuple[str, ...] = ()
    exclude_sectors: tuple[str, ...] = ()
    count: Literal["reported", "prosecuted", "judged", "convicted"]
    outcomes: tuple[str, ...] = ()
    dated: Literal["report", "judgment"]
    period: tuple[dt.date, dt.date]
    of: Literal["reported"] | None = None


class Comparison(_Strict):
    """One public figure and the case file's figure set beside it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    public: PublicSide
    case_file: CaseFileSide
    comparable: Text
    differs: Text


def load_public_statistics(path: str | Path = PUBLIC_STATISTICS_FILE) -> pd.DataFrame:
    """The published figures, one per row, with ``line``: the row's line in the file."""
    table = pd.read_csv(path, dtype={"year": "string"}, encoding="utf-8")
    table.insert(0, "line", range(2, len(table) + 2))
    return table


def load_comparisons(path: str | Path = COMPARISONS_FILE) -> list[Comparison]:
    """Read and check the comparisons file.

    Raises
    ------
    ComparisonError
        If the file is not YAML or an entry breaks the format; names the entry.
    """
    return list(_load_comparisons(Path(path).resolve()))


@cache
def _load_comparisons(path: Path) -> tuple[Comparison, ...]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ComparisonError(f"{path}: cannot read the comparisons: {exc}") from None
    out = []
    for i, entry in enumerate(raw.get("comparisons", [])):
        try:
            out.append(Comparison.model_validate(entry))
        except ValidationError as exc:
            where = entry.get("id", f"entry {i + 1}") if isinstance(entry, dict) else i + 1
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise ComparisonError(f"{path}: comparison {where}: {problems}") from None
    return tuple(out)


def compare(
    cases: pd.DataFrame,
    events: pd.DataFrame,
    *,
    confidence: float = 0.95,
    method: str = "wilson",
    lang: Language = "en",
    comparisons: list[Comparison] | None = None,
    public: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    sampling_frame: str = "police_reports",
) -> pd.DataFrame:
    """Each public figure beside the case file's figure counted the same way.

    Only a sample of police reports followed forward counts the way public statistics
    do; for another ``sampling_frame`` (prosecution decisions, judgments) every case
    reached the selecting stage by selection, and :class:`CannotEstimate` says so.

    A case counts when it is of the comparison's country (and offences reported,
    sectors), its date (report date, or the date of its last judgment) falls in the
    period, and it reached the counted step: reported (every such case), prosecuted,
    judged (a first-instance judgment) or convicted (its final outcome, as in
    :func:`cape_study.stats.attrition.case_status`, is one of ``outcomes``). A share is the
    count among the cases reported in the period, with a confidence interval from
    :func:`cape_study.stats.proportions.proportion_ci`.

    Returns
    -------
    DataFrame
        One row per comparison: ``id``, ``country``, ``label``, ``measure`` (``count``
        or ``share``), ``public_value``, ``public_total`` and ``public_share`` (for a
        share), ``public_period``, ``public_unit``, ``public_source`` (the citation in
        ``lang``), ``public_url``, ``public_lines`` (the line of public_statistics.csv, then the
        denominator's for a share: ``"3, 2"``),
        ``case_count``, ``case_total`` and ``case_share`` (for a share), ``ci_low``,
        ``ci_high``, ``case_period``, ``comparable`` and ``differs`` (texts in
        ``lang``). ``case_count`` and ``case_total`` are counts: publish them through
        :func:`cape_study.privacy.disclosure.suppress`.

    Raises
    ------
    ComparisonError
        If a comparison names a public figure that is not in the table, or a code
        that is not in the codebook.
    """
    book = codebook_or_default(codebook)
    implied = book.scheme("sampling_frame").get(sampling_frame).implies
    if implied:
        raise CannotEstimate(
            "sampling_frame",
            f"a sample of {sampling_frame} cannot be compared with public statistics",
            frame=book.label("sampling_frame", sampling_frame, lang).lower(),
            implied=book.label("stage", implied[-1], lang).lower(),
            frame_code=sampling_frame,
            implied_code=implied[-1],
        )
    comparisons = load_comparisons() if comparisons is None else comparisons
    public = load_public_statistics() if public is None else public
    status = comparison_status(cases, events, book)
    rows = []
    for comparison in comparisons:
        _check_codes(comparison, book)
        value = _public_row(public, comparison.public.value, comparison.id)
        total = _public_row(public, comparison.public.of, comparison.id)
        count, denominator = _count(status, comparison.case_file)
        side = comparison.case_file
        rows.append(
            {
                "id": comparison.id,
                "country": side.country,
                "label": comparison.label(lang),
                "measure": "share" if side.of else "count",
                "public_value": value["value"],
                "public_total": total["value"] if total is not None else pd.NA,
                "public_period": value["year"],
                "public_unit": value["unit"],
                "public_source": comparison.public.source(lang),
                "public_url": value["source_url"],
                "public_lines": ", ".join(str(r["line"]) for r in (value, total) if r is not None),
                "case_count": count,
                "case_total": denominator if side.of else pd.NA,
                "case_period": _period(side.period),
                "comparable": comparison.comparable(lang),
                "differs": comparison.differs(lang),
            }
        )
    table = pd.DataFrame(rows)
    table["public_share"] = table["public_value"] / table["public_total"].astype("Float64")
    table["case_share"] = table["case_count"] / table["case_total"].astype("Float64")
    shares = table["measure"] == "share"
    table["ci_low"], table["ci_high"] = float("nan"), float("nan")
    if shares.any():
        low, high = proportion_ci(
            table.loc[shares, "case_count"],
            table.loc[shares, "case_total"].astype(int),
            confidence,
            method,
        )
        table.loc[shares, "ci_low"], table.loc[shares, "ci_high"] = low, high
    for column in ("public_total", "case_total"):
        table[column] = table[column].astype("Int64")
    return table


def comparison_status(
    cases: pd.DataFrame, events: pd.DataFrame, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Each case as :func:`compare` counts it: its status
    (:func:`cape_study.stats.attrition.case_status`) with ``offence_reported``,
    ``sector`` and ``judgment_date``, the date of its last judgment with an outcome
    that is not ``pending`` (missing for a case without one)."""
    status = case_status(cases, events, codebook_or_default(codebook))
    attributes = cases[["case_id", "offence_reported", "sector"]].astype(
        {"offence_reported": "string", "sector": "string"}
    )
    status = status.merge(attributes, on="case_id", how="left")
    decided = events["outcome"].notna() & (events["outcome"].astype("string") != "pending")
    judged = events[decided.fillna(False)].groupby("case_id")["date"].max()
    status["judgment_date"] = status["case_id"].map(judged)
    return status


def _public_row(public: pd.DataFrame, row: PublicRow | None, where: str) -> pd.Series | None:
    if row is None:
        return None
    match = public[
        (public["country"] == row.country)
        & (public["indicator"] == row.indicator)
        & (public["year"] == row.year)
    ]
    if len(match) != 1:
        raise ComparisonError(
            f"comparison {where}: public_statistics.csv has {len(match)} rows for "
            f"country {row.country}, indicator {row.indicator}, year {row.year} (expected 1)"
        )
    return match.iloc[0]


def _check_codes(comparison: Comparison, book: Codebook) -> None:
    side = comparison.case_file
    for scheme, codes in (
        ("offence", side.offences),
        ("sector", side.exclude_sectors),
        ("outcome", side.outcomes),
    ):
        unknown = [c for c in codes if c not in book.codes(scheme)]
        if unknown:
            raise ComparisonError(
                f"comparison {comparison.id}: {unknown} are not codes of scheme {scheme!r}"
            )
    if (side.count == "convicted") != bool(side.outcomes):
        raise ComparisonError(
            f"comparison {comparison.id}: outcomes are given exactly when count is 'convicted'"
        )


def _count(status: pd.DataFrame, side: CaseFileSide) -> tuple[int, int]:
    """The number of cases counted, and of cases reported in the period (the
    denominator of a share)."""
    selected = status["country"] == side.country
    if side.offences:
        selected &= status["offence_reported"].isin(side.offences)
    if side.exclude_sectors:
        selected &= ~status["sector"].isin(side.exclude_sectors)
    first, last = (pd.Timestamp(d) for d in side.period)
    date = status["report_date"] if side.dated == "report" else status["judgment_date"]
    in_period = selected & date.between(first, last)
    step = {
        "reported": pd.Series(True, index=status.index),
        "prosecuted": status["reached_prosecuted"],
        "judged": status["reached_judgment_first_instance"],
        "convicted": status["outcome"].isin(side.outcomes or OUTCOME_ORDER),
    }[side.count]
    reported = selected & status["report_date"].between(first, last)
    return int((in_period & step).sum()), int(reported.sum())


def _period(period: tuple[dt.date, dt.date]) -> str:
    first, last = period
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"
