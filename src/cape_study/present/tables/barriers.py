"""Tables of barriers and inter-coder agreement (02_barriers)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import SUPPRESSED, count_cells, number, percent
from cape_study.present.labels import (
    BARRIER_HEAD,
    COEFFICIENT_LABELS,
    DROPOUT_HEAD,
    GROUP_LABELS,
    code_labels,
)

__all__ = ["disagreement_sheet", "format_agreement", "format_disagreements", "format_prevalence"]


def format_prevalence(
    table: pd.DataFrame,
    difference: pd.DataFrame | None = None,
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
    groups: tuple[str, str] = ("closed", "prosecuted"),
) -> pd.DataFrame:
    """Prevalence of one scheme's codes in two groups of cases (closed and prosecuted,
    or ``groups=("acquitted", "convicted")`` for judgments), as a table.

    Expects :func:`cape_study.stats.barriers.prevalence` for one scheme after
    :func:`cape_study.privacy.disclosure.suppress`, and optionally
    :func:`cape_study.stats.barriers.prevalence_difference` computed from that suppressed
    table. Each group's column reads "count (share, interval)"; its header gives the
    group's number of coded cases. Hidden cells show as ``x``.
    """
    book = codebook_or_default(codebook)
    head = BARRIER_HEAD[lang]
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    ci = f"{percent(confidence, 0)}"
    codes = table[["scheme", "code"]].drop_duplicates()
    scheme = str(codes["scheme"].iloc[0]) if len(codes) else ""
    out = pd.DataFrame(
        {book.scheme(scheme).label(lang) if scheme else "": code_labels(codes, book, lang)}
    )
    names = GROUP_LABELS[lang] | {g: DROPOUT_HEAD[lang][g] for g in ("acquitted", "convicted")}
    for group in groups:
        label = names.get(group, group)
        rows = codes.merge(table[table["group"] == group], on=["scheme", "code"], how="left")
        n = rows["n_cases"].dropna()
        size = SUPPRESSED if n.empty or pd.isna(n.iloc[0]) else f"{number(int(n.iloc[0]))}"
        column = f"{label} (n = {size}): {head['cell'].format(ci=ci)}"
        out[column] = [
            SUPPRESSED
            if pd.isna(x) or pd.isna(p)
            else f"{number(int(x))} ({percent(p)}, {percent(lo)}–{percent(hi)})"
            for x, p, lo, hi in zip(
                rows["present"], rows["proportion"], rows["ci_low"], rows["ci_high"], strict=True
            )
        ]
    if difference is not None:
        diff = codes.merge(difference, on=["scheme", "code"], how="left")
        heading = head["difference" if groups[0] == "closed" else "difference_judged"]
        out[heading.format(ci=ci)] = _intervals(
            diff, "difference", lambda v: f"{100 * v:+.1f}", head["to"], f" {head['pp']}"
        )
    return out


def _intervals(
    rows: pd.DataFrame, estimate: str, show: Callable[[float], str], to: str, unit: str = ""
) -> list[str]:
    """Each row's ``estimate`` with its interval (``ci_low`` ``to`` ``ci_high``), each
    number written by ``show``; a hidden (missing) estimate as :data:`SUPPRESSED`."""
    return [
        SUPPRESSED if pd.isna(e) else f"{show(e)}{unit} ({show(lo)} {to} {show(hi)})"
        for e, lo, hi in zip(rows[estimate], rows["ci_low"], rows["ci_high"], strict=True)
    ]


def format_agreement(
    table: pd.DataFrame,
    *,
    by: str = "code",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Inter-coder agreement as a table: one row per code (``by="code"``) or scheme
    (``by="scheme"``), one column per coefficient with its interval.

    Expects :func:`cape_study.stats.reliability.agreement` after
    :func:`cape_study.privacy.disclosure.suppress` of ``n_units``. A column header names the
    coefficient's coders and, when the same for every row, its number of units.
    """
    book = codebook_or_default(codebook)
    head = BARRIER_HEAD[lang]
    keys = ["scheme", "code"] if by == "code" else ["scheme"]
    rows = table[keys].drop_duplicates()
    if by == "code":
        first = code_labels(rows, book, lang)
        title = book.scheme(str(rows["scheme"].iloc[0])).label(lang) if len(rows) else ""
    else:
        first = [book.scheme(s).label(lang) for s in rows["scheme"]]
        title = head["scheme"]
    out = pd.DataFrame({title: first})
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    for name, label in COEFFICIENT_LABELS[lang].items():
        part = rows.merge(table[table["coefficient"] == name], on=keys, how="left")
        if part["coefficient"].isna().all():
            continue
        units = part["n_units"].dropna().unique()
        coders = part["n_coders"].dropna().unique()
        facts = []
        if len(coders) == 1:
            facts.append(f"{int(coders[0])} {head['coders']}")
        if len(units) == 1:
            facts.append(f"{number(int(units[0]))} {head['units']}")
        column = f"{label} ({percent(confidence, 0)} {head['ci']})" + (
            f", {', '.join(facts)}" if facts else ""
        )
        out[column] = _intervals(part, "estimate", lambda v: number(v, 2), head["to"])
    return out


def format_disagreements(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """Disagreements per code as a table: units coded by two or more coders, those
    with a disagreement and the share. Expects
    :func:`cape_study.stats.reliability.disagreement_counts` after
    :func:`cape_study.privacy.disclosure.suppress`."""
    book = codebook_or_default(codebook)
    head = BARRIER_HEAD[lang]
    title = book.scheme(str(table["scheme"].iloc[0])).label(lang) if len(table) else ""
    return pd.DataFrame(
        {
            title: code_labels(table, book, lang),
            head["coded"]: count_cells(table["n_units"]),
            head["disagree"]: count_cells(table["n_disagree"]),
            head["share"]: [
                SUPPRESSED if pd.isna(s) else f"{percent(s, 0)}" for s in table["share"]
            ],
        }
    )


def disagreement_sheet(
    table: pd.DataFrame,
    *,
    documents: pd.DataFrame,
    codebook_version: str,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The disagreements as a work list for the coders, one row per unit and code.

    Expects :func:`cape_study.stats.reliability.disagreements`. Columns: ``unit_id``,
    ``case_id`` (the case of a document unit), ``scheme``, ``code``, ``label`` (in
    ``lang``), one column per coder (1 present, 0 absent, blank not coded),
    ``codebook_version``, and two empty columns for the coders to fill in when they
    meet: ``resolved_present`` (1 or 0) and ``note``.
    """
    book = codebook_or_default(codebook)
    coders = [c for c in table.columns if c not in {"unit_id", "scheme", "code", "n_coders"}]
    doc_case = dict(
        zip(
            documents["doc_id"].astype("string"), documents["case_id"].astype("string"), strict=True
        )
    )
    units = table["unit_id"].astype("string")
    out = pd.DataFrame(
        {
            "unit_id": units,
            "case_id": units.map(lambda u: doc_case.get(u, u)),
            "scheme": table["scheme"].astype("string"),
            "code": table["code"].astype("string"),
            "label": code_labels(table, book, lang),
        }
    )
    for coder in coders:
        out[coder] = table[coder].map(lambda v: "" if pd.isna(v) else str(int(bool(v))))
    out["codebook_version"] = codebook_version
    out["resolved_present"] = ""
    out["note"] = ""
    return out
