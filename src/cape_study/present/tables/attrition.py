"""Tables of attrition (01_attrition): funnels, times to an event, offence flows, the public
statistics."""

from __future__ import annotations

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import (
    NOT_ESTIMABLE,
    SUPPRESSED,
    Count,
    count_cells,
    count_share_cell,
    duration,
    estimate_cell,
    hidden_marks,
    number,
    p_cell,
    percent,
    share_cell,
)
from cape_study.present.labels import (
    CASE_NAMES,
    COLUMN_LABELS,
    COMPARISON_HEAD,
    FUNNEL_HEAD,
    GROUP_TEST_HEAD,
    GROUP_TEST_LABELS,
    NOT_APPLICABLE,
    column_label,
    group_label,
    sort_groups,
    step_labels,
    with_labels,
)
from cape_study.present.labels.sentences import PUBLIC_UNITS, SENTENCES

__all__ = [
    "format_comparison",
    "format_flows",
    "format_funnel",
    "format_funnel_wide",
    "format_group_tests",
    "format_time_to_event",
    "hidden_times_text",
    "time_panels",
]


def format_funnel(
    table: pd.DataFrame,
    *,
    by: str | None = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The stage funnel as a readable table: labels, counts, share with its interval.

    Expects the output of :func:`cape_study.stats.attrition.funnel` after
    :func:`cape_study.privacy.disclosure.suppress`; hidden cells show their mark (``..``
    a small count, ``x`` any hidden cell).
    """
    head = FUNNEL_HEAD[lang]
    book = codebook_or_default(codebook)
    schemes = {"stage": "stage"} | ({by: by} if by and by in book.schemes else {})
    labelled = with_labels(table, schemes, lang, book)
    steps = step_labels(lang, book)
    labelled["stage"] = table["stage"].astype("string").map(lambda s: steps.get(s, s))
    if by:
        labelled[by] = [group_label(by, v, lang, book) for v in table[by]]
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    lacking = _not_applicable(table)
    out = pd.DataFrame(
        {
            **({by: labelled[by]} if by else {}),
            head["stage"]: labelled["stage"],
            head["reached"]: count_cells(table["reached"], hidden_marks(table)),
            head["n_cases"]: count_cells(table["n_cases"]),
            head["share"].format(ci=f"{percent(confidence, 0)}"): [
                share_cell(p, lo, hi)
                for p, lo, hi in zip(
                    table["proportion"], table["ci_low"], table["ci_high"], strict=True
                )
            ],
        }
    )
    out.loc[lacking, [head["reached"], out.columns[-1]]] = NOT_APPLICABLE[lang]
    return out.rename(columns={by: book.scheme(by).label(lang)} if by in book.schemes else {})


def format_funnel_wide(
    table: pd.DataFrame,
    *,
    by: str | list[str],
    lang: Language = "en",
    codebook: Codebook | None = None,
    steps_as_rows: bool = False,
) -> pd.DataFrame:
    """A funnel as a cross-table: each cell "cases (share; interval)", its mark if hidden
    (``..`` a small count, ``x`` any).

    One row per group and one column per step (after ``reported``, whose count is the
    denominator column), or with ``steps_as_rows`` one row per step and one column per
    group, headed with the group's number of cases. Expects the output of
    :func:`cape_study.stats.attrition.funnel` after :func:`cape_study.privacy.disclosure.suppress`.
    """
    book = codebook_or_default(codebook)
    keys = [by] if isinstance(by, str) else list(by)
    labels = step_labels(lang, book)
    rows = sort_groups(table, keys, book)
    groups = list(dict.fromkeys(tuple(r) for r in rows[keys].itertuples(index=False)))
    cells = {
        (tuple(getattr(r, k) for k in keys), r.stage): NOT_APPLICABLE[lang]
        if lacking
        else count_share_cell(r.reached, r.proportion, r.ci_low, r.ci_high, mark)
        for r, mark, lacking in zip(
            rows.itertuples(index=False), hidden_marks(rows), _not_applicable(rows), strict=True
        )
    }
    totals = {tuple(getattr(r, k) for k in keys): r.n_cases for r in rows.itertuples(index=False)}
    steps = [s for s in table["stage"].cat.categories if s != "reported"]
    n_head = COLUMN_LABELS[lang]["n_cases"]

    def n_text(group: tuple) -> str:
        n = totals[group]
        return SUPPRESSED if pd.isna(n) else Count(n)

    if steps_as_rows:
        names = {
            g: " / ".join(group_label(k, v, lang, book) for k, v in zip(keys, g, strict=True))
            + f" (n = {n_text(g)})"
            for g in groups
        }
        head = FUNNEL_HEAD[lang]
        out = pd.DataFrame({head["stage"]: [labels.get(s, s) for s in steps]})
        for g in groups:
            out[names[g]] = [cells.get((g, s), SUPPRESSED) for s in steps]
        return out
    out = pd.DataFrame(
        {
            column_label(k, lang, book): [group_label(k, g[i], lang, book) for g in groups]
            for i, k in enumerate(keys)
        }
    )
    out[n_head] = [n_text(g) for g in groups]
    for s in steps:
        out[labels.get(s, s)] = [cells.get((g, s), SUPPRESSED) for g in groups]
    return out


def _not_applicable(table: pd.DataFrame) -> list[bool]:
    """Rows of a funnel whose step the country's law lacks (column ``applicable``)."""
    if "applicable" not in table:
        return [False] * len(table)
    return [not bool(a) for a in table["applicable"]]


def format_time_to_event(
    table: pd.DataFrame,
    *,
    by: str = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier or cumulative incidence estimates at chosen times, readable.

    Expects :func:`cape_study.stats.survival.kaplan_meier` or
    :func:`~cape_study.stats.survival.cumulative_incidence` evaluated at ``times`` (days),
    after :func:`cape_study.privacy.disclosure.suppress` of ``at_risk`` and
    ``cumulative_events`` (estimates derived from a hidden count hidden with it). A
    time after the last observation (nobody at risk, no estimate) shows
    :data:`~cape_study.present.display.NOT_ESTIMABLE`.
    """
    book = codebook_or_default(codebook)
    estimate = "cif" if "cif" in table else "survival"
    heads = COLUMN_LABELS[lang]
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    rows = sort_groups(table, [by, *(["cause"] if "cause" in table else [])], book)
    labels = step_labels(lang, book)
    out = pd.DataFrame(
        {column_label(by, lang, book): [group_label(by, v, lang, book) for v in rows[by]]}
    )
    if "cause" in rows:
        out[heads["cause"]] = [labels.get(str(c), str(c)) for c in rows["cause"]]
    out[heads["time"]] = [duration(t, lang) for t in rows["time"]]
    out[heads["at_risk"]] = count_cells(rows["at_risk"])
    out[heads["cumulative_events"]] = count_cells(rows["cumulative_events"])
    # After the last observed time (nobody at risk) the estimate is unknown, not hidden.
    out[heads[estimate].format(ci=f"{percent(confidence, 0)}")] = [
        NOT_ESTIMABLE
        if pd.isna(p) and pd.notna(n) and n == 0
        else share_cell(p, lo, hi)
        if pd.notna(lo) and pd.notna(hi)
        else estimate_cell(p)
        for p, lo, hi, n in zip(
            rows[estimate], rows["ci_low"], rows["ci_high"], rows["at_risk"], strict=True
        )
    ]
    return out


def time_panels(
    at_times: dict[str, pd.DataFrame],
    causes: list[str],
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> dict[str, pd.DataFrame]:
    """The panels of the figure of times to an event, each titled, from the published
    tables at fixed times (``at_times``: ``"still open"``, the Kaplan-Meier table, and
    ``"cumulative incidence"``, each after disclosure control): the share still open,
    then the cumulative incidence of each of ``causes``."""
    missing = [k for k in ("still open", "cumulative incidence") if k not in at_times]
    if missing:
        raise ValueError(f"the tables at fixed times lack {missing}; given: {list(at_times)}")
    incidence = at_times["cumulative incidence"]
    unknown = [c for c in causes if c not in set(incidence["cause"])]
    if unknown:
        raise ValueError(f"the cumulative incidence table has no cause {unknown}")
    labels = step_labels(lang, codebook_or_default(codebook))
    return {
        COLUMN_LABELS[lang]["still_open"]: at_times["still open"],
        **{labels[c]: incidence[incidence["cause"] == c] for c in causes},
    }


def hidden_times_text(
    panels: dict[str, pd.DataFrame],
    *,
    by: str = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> str:
    """A sentence naming, per panel (:func:`time_panels`) and group, the times whose
    estimate the table hides and :func:`cape_study.present.plots.fixed_times_plot`
    therefore does not draw (``""`` when none is hidden). As in
    :func:`format_time_to_event`, a missing estimate with nobody at risk is not
    estimable, not hidden."""
    book = codebook_or_default(codebook)
    words = {**SENTENCES["en"], **SENTENCES.get(lang, {})}
    items = []
    for what, table in panels.items():
        estimate = "cif" if "cif" in table else "survival"
        rows = sort_groups(table, [by], book)
        gone = rows[estimate].isna() & ~(rows["at_risk"].notna() & (rows["at_risk"] == 0))
        for key, part in rows[gone.to_numpy()].groupby(rows[by].astype("string"), sort=False):
            times = ", ".join(duration(t, lang) for t in sorted(part["time"].astype(float)))
            group = group_label(by, key, lang, book)
            items.append(words["hidden_times_item"].format(what=what, group=group, times=times))
    return words["hidden_times"].format(items="; ".join(items)) if items else ""


def format_group_tests(table: pd.DataFrame, *, lang: Language = "en") -> pd.DataFrame:
    """The log-rank and Gray's tests between countries
    (:func:`cape_study.stats.survival_tests.compare_groups`), or a Cox model's global
    tests (:attr:`cape_study.stats.models.CoxResult.tests`), one row each, in words."""
    head = GROUP_TEST_HEAD[lang]
    return pd.DataFrame(
        {
            head["test"]: [GROUP_TEST_LABELS[lang][t] for t in table["test"]],
            head["statistic"]: [number(v, 2) for v in table["statistic"]],
            head["df"]: [number(int(v)) for v in table["df"]],
            head["p"]: [p_cell(v) for v in table["p_value"]],
        }
    )


def format_flows(
    table: pd.DataFrame,
    *,
    steps: list[str],
    by: str | None = None,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """A suppressed flow table (:func:`cape_study.stats.attrition.flow_table`) with labels;
    paths no case took are left out, hidden counts show as ``x``."""
    book = codebook_or_default(codebook)
    keys = ([by] if by else []) + steps
    shown = table[(table["cases"] != 0) | table["cases"].isna()]
    rows = sort_groups(shown, keys, book)
    out = pd.DataFrame(
        {
            column_label(k, lang, book): [group_label(k, v, lang, book) for v in rows[k]]
            for k in keys
        }
    )
    out[COLUMN_LABELS[lang]["cases"]] = count_cells(rows["cases"])
    return out


def format_comparison(table: pd.DataFrame, *, lang: Language = "en") -> pd.DataFrame:
    """The case file beside the public statistics
    (:func:`cape_study.stats.public_statistics.compare`
    after suppressing ``case_count``), one row per comparison, sources cited."""
    head = COMPARISON_HEAD[lang]

    def public(r) -> str:
        text = f"{number(int(r.public_value))}"
        if pd.notna(r.public_total):
            text += f" {head['of']} {number(int(r.public_total))} ({percent(r.public_share)})"
        unit = PUBLIC_UNITS.get(lang, {}).get(r.public_unit, r.public_unit)
        return f"{text} {unit}, {r.public_period}"

    def case(r) -> str:
        if pd.isna(r.case_count):
            return f"{SUPPRESSED} {CASE_NAMES[lang]}, {r.case_period}"
        text = f"{number(int(r.case_count))}"
        if r.measure == "share":
            total = SUPPRESSED if pd.isna(r.case_total) else f"{number(int(r.case_total))}"
            text += f" {head['of']} {total} ({share_cell(r.case_share, r.ci_low, r.ci_high)})"
        return f"{text} {CASE_NAMES[lang]}, {r.case_period}"

    return pd.DataFrame(
        {
            head["label"]: table["label"],
            head["public"]: [public(r) for r in table.itertuples()],
            head["source"]: [
                f"{r.public_source} ({head['lines' if ',' in r.public_lines else 'line']} "
                f"{r.public_lines})"
                for r in table.itertuples()
            ],
            head["case"]: [case(r) for r in table.itertuples()],
            head["comparable"]: table["comparable"],
            head["differs"]: table["differs"],
        }
    )
