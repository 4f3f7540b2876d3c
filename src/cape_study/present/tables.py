"""Publication tables: codes replaced by labels, suppressed cells marked, provenance shown."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from cape_study.data.codebook import Codebook, Language, load_codebook

__all__ = [
    "COEFFICIENT_LABELS",
    "COLUMN_LABELS",
    "GROUP_LABELS",
    "NOT_ESTIMABLE",
    "PATH_LABELS",
    "SUPPRESSED",
    "agreement_text",
    "case_counts",
    "column_label",
    "count_list",
    "count_table",
    "count_text",
    "describe_headings",
    "difference_text",
    "disagreement_sheet",
    "estimate_text",
    "format_agreement",
    "format_comparison",
    "format_disagreements",
    "format_evidence",
    "format_flows",
    "format_funnel",
    "format_funnel_wide",
    "format_population",
    "format_prevalence",
    "format_ratios",
    "format_suggestion_counts",
    "format_suggestions",
    "format_term_counts",
    "format_text_agreement",
    "format_time_to_event",
    "funnel_text",
    "group_label",
    "models_takeaway",
    "notes_markdown",
    "ordered_groups",
    "provenance_banner",
    "ratio_text",
    "share_text",
    "show",
    "sort_groups",
    "step_labels",
    "suggestion_sheet",
    "synthetic_dictionary_note",
    "table_rows",
    "text_coding_takeaway",
    "with_labels",
]

#: How a suppressed cell is shown.
SUPPRESSED = "·"

_FUNNEL_HEAD = {
    "en": {
        "stage": "Stage",
        "reached": "Cases reaching the stage",
        "n_cases": "Cases reported",
        "share": "Share ({ci} CI)",
    },
    "sv": {
        "stage": "Steg",
        "reached": "Ärenden som når steget",
        "n_cases": "Anmälda ärenden",
        "share": "Andel ({ci} KI)",
    },
}
#: Labels for the two case ends that are not outcome codes (see attrition.case_status).
_END_LABELS = {
    "en": {"closed": "Closed without judgment", "open": "Open at the data cut-off"},
    "sv": {"closed": "Avslutat utan dom", "open": "Pågående vid datagränsen"},
}


def with_labels(
    table: pd.DataFrame,
    schemes: Mapping[str, str],
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Replace the codes in the given columns (column -> scheme) by their labels.

    Values that are not codes of the scheme are kept, except the case ends ``closed``
    and ``open`` of :func:`cape_study.stats.attrition.case_status`, which get their labels.
    """
    book = codebook or load_codebook()
    out = table.copy()
    for column, scheme in schemes.items():
        labels = _END_LABELS[lang] | book.labels(scheme, lang)
        out[column] = out[column].astype("string").map(lambda c, m=labels: m.get(c, c))
    return out


def show(table: pd.DataFrame, name: str | None = None) -> Styler:
    """A table for the report: no index column, full-length text, suppressed cells marked.

    With a ``name``, the table is also kept for the step's workbook of tables
    (:func:`cape_study.notebook.record_table`, written by ``notebook.finish``).
    """
    if name is not None:
        from cape_study.notebook import record_table

        record_table(name, table)
    return (
        table.style.hide(axis="index")
        .format(na_rep=SUPPRESSED)
        .set_properties(**{"text-align": "left"})
    )


def count_table(
    table: pd.DataFrame,
    *,
    index: str,
    columns: str,
    values: str,
    schemes: Mapping[str, str],
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """A suppressed long count table as a labelled cross-table, rows in codebook order."""
    book = codebook or load_codebook()
    codes = book.codes(schemes[index]) if index in schemes else []
    rank = table[index].astype("string").map(lambda c: codes.index(c) if c in codes else len(codes))
    labelled = with_labels(
        table.assign(_rank=rank).sort_values("_rank", kind="stable"), schemes, lang, book
    )
    rows = list(dict.fromkeys(labelled[index]))
    wide = labelled.pivot(index=index, columns=columns, values=values).reindex(rows)
    wide = wide.astype("string").fillna(SUPPRESSED)
    wide.columns.name = None
    title = book.scheme(schemes[index]).label(lang) if index in schemes else index
    return wide.rename_axis(title).reset_index()


def format_funnel(
    table: pd.DataFrame,
    *,
    by: str | None = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The stage funnel as a readable table: labels, counts, share with its interval.

    Expects the output of :func:`cape_study.stats.attrition.funnel` after
    :func:`cape_study.privacy.disclosure.suppress`; suppressed cells show as ``·``.
    """
    head = _FUNNEL_HEAD[lang]
    book = codebook or load_codebook()
    schemes = {"stage": "stage"} | ({by: by} if by and by in book.schemes else {})
    labelled = with_labels(table, schemes, lang, book)
    steps = step_labels(lang, book)
    labelled["stage"] = table["stage"].astype("string").map(lambda s: steps.get(s, s))
    if by:
        labelled[by] = [group_label(by, v, lang, book) for v in table[by]]
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    out = pd.DataFrame(
        {
            **({by: labelled[by]} if by else {}),
            head["stage"]: labelled["stage"],
            head["reached"]: _count(table["reached"]),
            head["n_cases"]: _count(table["n_cases"]),
            head["share"].format(ci=f"{confidence:.0%}"): [
                _share(p, lo, hi)
                for p, lo, hi in zip(
                    table["proportion"], table["ci_low"], table["ci_high"], strict=True
                )
            ],
        }
    )
    return out.rename(columns={by: book.scheme(by).label(lang)} if by in book.schemes else {})


def _count(values: pd.Series) -> list[str]:
    return [SUPPRESSED if pd.isna(v) else f"{int(v):,}" for v in values]


def _share(p: float, low: float, high: float) -> str:
    if pd.isna(p):
        return SUPPRESSED
    return f"{p:.1%} ({low:.1%}–{high:.1%})"


def share_text(table: pd.DataFrame, stage: str, *, by: str = "country") -> str:
    """One sentence part per group: the share reaching ``stage`` with its interval.

    Expects a suppressed funnel table; a suppressed share is named as such, never shown.
    """
    parts = []
    for key, row in table[table["stage"] == stage].set_index(by).iterrows():
        if row["suppressed"]:
            parts.append(f"{key}: suppressed (small numbers)")
        else:
            parts.append(
                f"{key}: {row['proportion']:.1%} ({row['ci_low']:.1%}–{row['ci_high']:.1%})"
            )
    return "; ".join(parts)


def provenance_banner(synthetic: bool, source: str, codebook_version: str, data_cutoff: str) -> str:
    """A Markdown note on where the data come from; a loud warning for synthetic data."""
    facts = f"case file `{source}`, codebook {codebook_version}, data cut-off {data_cutoff}"
    if synthetic:
        return (
            "> **SYNTHETIC DATA.** Every figure below is computed from an invented case "
            "file made by `cape-study synth`; it describes no real case or person and "
            f"must not be cited as a finding. ({facts})"
        )
    return f"> Data: {facts}."


# -- attrition (01_attrition) ------------------------------------------------------------
#: Labels of values that are not codes of a codebook scheme: the offence families and
#: path ends of :func:`cape_study.stats.attrition.offence_paths`, and the ``"all"`` group of
#: :func:`cape_study.stats.attrition.funnel` with ``overall=True``.
PATH_LABELS = {
    "en": {
        "trafficking": "Human trafficking",
        "exploitation": "Human exploitation (människoexploatering)",
        "other": "Another offence",
        "not_prosecuted": "Not prosecuted",
        "not_judged": "Not (yet) judged",
        "all": "All cases",
    },
    "sv": {
        "trafficking": "Människohandel",
        "exploitation": "Människoexploatering",
        "other": "Annat brott",
        "not_prosecuted": "Inte åtalat",
        "not_judged": "Inte (ännu) dömt",
        "all": "Alla ärenden",
    },
}
#: Headings of columns that are not codebook variables.
COLUMN_LABELS = {
    "en": {
        "still_open": "Still open: neither prosecuted nor closed",
        "period": "Report period",
        "reported": "Offence reported",
        "charged": "Principal charge",
        "judged": "Final judgment",
        "cause": "Event",
        "cases": "Cases",
        "n_cases": "Cases reported",
        "time": "Time since report",
        "at_risk": "Cases at risk",
        "cumulative_events": "Events so far",
        "survival": "Still open ({ci} CI)",
        "cif": "Cumulative incidence ({ci} CI)",
    },
    "sv": {
        "still_open": "Öppna: varken åtalade eller nedlagda",
        "period": "Anmälningsperiod",
        "reported": "Anmält brott",
        "charged": "Huvudsakligt åtal",
        "judged": "Slutlig dom",
        "cause": "Händelse",
        "cases": "Ärenden",
        "n_cases": "Anmälda ärenden",
        "time": "Tid sedan anmälan",
        "at_risk": "Ärenden i risk",
        "cumulative_events": "Händelser hittills",
        "survival": "Fortfarande öppna ({ci} KI)",
        "cif": "Kumulativ incidens ({ci} KI)",
    },
}
_COMPARISON_HEAD = {
    "en": {
        "label": "Figure",
        "public": "Public statistics",
        "source": "Source (line of public_statistics.csv)",
        "case": "This case file",
        "comparable": "Comparable in",
        "differs": "Differs in",
        "of": "of",
        "line": "line",
        "lines": "lines",
    },
    "sv": {
        "label": "Uppgift",
        "public": "Offentlig statistik",
        "source": "Källa (rad i public_statistics.csv)",
        "case": "Denna akt",
        "comparable": "Jämförbart",
        "differs": "Skiljer sig",
        "of": "av",
        "line": "rad",
        "lines": "rader",
    },
}
_CASE_NAMES = {"en": "cases", "sv": "ärenden"}


def step_labels(lang: Language = "en", codebook: Codebook | None = None) -> dict[str, str]:
    """Labels of funnel steps and offence paths: stages, outcomes, families, path ends."""
    book = codebook or load_codebook()
    return (
        PATH_LABELS[lang]
        | _END_LABELS[lang]
        | book.labels("outcome", lang)
        | book.labels("stage", lang)
    )


def group_label(
    column: str, value: object, lang: Language = "en", codebook: Codebook | None = None
) -> str:
    """The label of a group: a code of the scheme named like the column, else a path or
    funnel label (``"all"``), else the value itself (a period such as ``2021–2024``)."""
    book = codebook or load_codebook()
    value = str(value)
    if column in book.schemes and value in book.codes(column):
        return book.label(column, value, lang)
    return step_labels(lang, book).get(value, value)


def ordered_groups(values: pd.Series, column: str, codebook: Codebook | None = None) -> list[str]:
    """The distinct values of a grouping column, in codebook order (``"all"`` first)."""
    book = codebook or load_codebook()
    frame = pd.DataFrame({column: values}).drop_duplicates()
    return [str(v) for v in sort_groups(frame, [column], book)[column]]


def column_label(column: str, lang: Language = "en", codebook: Codebook | None = None) -> str:
    """A column's heading: the codebook's scheme label, else one of :data:`COLUMN_LABELS`."""
    book = codebook or load_codebook()
    if column in book.schemes:
        return book.scheme(column).label(lang)
    return COLUMN_LABELS[lang].get(column, column)


def sort_groups(
    table: pd.DataFrame, columns: list[str], codebook: Codebook | None = None
) -> pd.DataFrame:
    """Rows sorted by each column in turn: codes of the scheme named like the column in
    codebook order (``"all"`` first), categoricals in their order, else as they come."""
    book = codebook or load_codebook()
    keys = []
    for column in columns:
        values = table[column].astype("string")
        if column in book.schemes:
            codes = ["all", *book.codes(column)]
            keys.append(values.map(lambda v, c=codes: c.index(v) if v in c else len(c)))
        elif isinstance(table[column].dtype, pd.CategoricalDtype):
            keys.append(table[column].cat.codes)
        else:
            keys.append(values.map(lambda v: 0 if v == "all" else 1))
    if not keys:
        return table
    order = pd.DataFrame({f"_{i}": k.to_numpy() for i, k in enumerate(keys)})
    return table.iloc[order.sort_values(list(order.columns), kind="stable").index]


def _cell(count: object, p: float, low: float, high: float) -> str:
    if pd.isna(count) or pd.isna(p):
        return SUPPRESSED
    return f"{int(count):,} ({p:.1%}; {low:.1%}–{high:.1%})"


def format_funnel_wide(
    table: pd.DataFrame,
    *,
    by: str | list[str],
    lang: Language = "en",
    codebook: Codebook | None = None,
    steps_as_rows: bool = False,
) -> pd.DataFrame:
    """A funnel as a cross-table: each cell "cases (share; interval)", ``·`` if hidden.

    One row per group and one column per step (after ``reported``, whose count is the
    denominator column), or with ``steps_as_rows`` one row per step and one column per
    group, headed with the group's number of cases. Expects the output of
    :func:`cape_study.stats.attrition.funnel` after :func:`cape_study.privacy.disclosure.suppress`.
    """
    book = codebook or load_codebook()
    keys = [by] if isinstance(by, str) else list(by)
    labels = step_labels(lang, book)
    rows = sort_groups(table, keys, book)
    groups = list(dict.fromkeys(tuple(r) for r in rows[keys].itertuples(index=False)))
    cells = {
        (tuple(getattr(r, k) for k in keys), r.stage): _cell(
            r.reached, r.proportion, r.ci_low, r.ci_high
        )
        for r in rows.itertuples(index=False)
    }
    totals = {tuple(getattr(r, k) for k in keys): r.n_cases for r in rows.itertuples(index=False)}
    steps = [s for s in table["stage"].cat.categories if s != "reported"]
    n_head = COLUMN_LABELS[lang]["n_cases"]

    def n_text(group: tuple) -> str:
        n = totals[group]
        return SUPPRESSED if pd.isna(n) else f"{int(n):,}"

    if steps_as_rows:
        names = {
            g: " / ".join(group_label(k, v, lang, book) for k, v in zip(keys, g, strict=True))
            + f" (n = {n_text(g)})"
            for g in groups
        }
        head = _FUNNEL_HEAD[lang]
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


def _duration(days: float, lang: Language) -> str:
    months = {"en": "months", "sv": "månader"}[lang]
    years = {"en": ("year", "years"), "sv": ("år", "år")}[lang]
    if days % 365 == 0:
        n = int(days // 365)
        return f"{n} {years[n != 1]}"
    return f"{round(days / 30.4375)} {months}"


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
    ``cumulative_events`` (estimates derived from a hidden count hidden with it).
    """
    book = codebook or load_codebook()
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
    out[heads["time"]] = [_duration(t, lang) for t in rows["time"]]
    out[heads["at_risk"]] = _count(rows["at_risk"])
    out[heads["cumulative_events"]] = _count(rows["cumulative_events"])
    out[heads[estimate].format(ci=f"{confidence:.0%}")] = [
        _share(p, lo, hi) if pd.notna(lo) and pd.notna(hi) else _estimate(p)
        for p, lo, hi in zip(rows[estimate], rows["ci_low"], rows["ci_high"], strict=True)
    ]
    return out


def _estimate(p: float) -> str:
    return SUPPRESSED if pd.isna(p) else f"{p:.1%}"


def format_flows(
    table: pd.DataFrame,
    *,
    steps: list[str],
    by: str | None = None,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """A suppressed flow table (:func:`cape_study.stats.attrition.flow_table`) with labels;
    paths no case took are left out, hidden counts show as ``·``."""
    book = codebook or load_codebook()
    keys = ([by] if by else []) + steps
    shown = table[(table["cases"] != 0) | table["cases"].isna()]
    rows = sort_groups(shown, keys, book)
    out = pd.DataFrame(
        {
            column_label(k, lang, book): [group_label(k, v, lang, book) for v in rows[k]]
            for k in keys
        }
    )
    out[COLUMN_LABELS[lang]["cases"]] = _count(rows["cases"])
    return out


def format_comparison(table: pd.DataFrame, *, lang: Language = "en") -> pd.DataFrame:
    """The case file beside the public statistics
    (:func:`cape_study.stats.public_statistics.compare`
    after suppressing ``case_count``), one row per comparison, sources cited."""
    head = _COMPARISON_HEAD[lang]

    def public(r) -> str:
        text = f"{int(r.public_value):,}"
        if pd.notna(r.public_total):
            text += f" {head['of']} {int(r.public_total):,} ({r.public_share:.1%})"
        return f"{text} {r.public_unit}, {r.public_period}"

    def case(r) -> str:
        if pd.isna(r.case_count):
            return f"{SUPPRESSED} {_CASE_NAMES[lang]}, {r.case_period}"
        text = f"{int(r.case_count):,}"
        if r.measure == "share":
            total = SUPPRESSED if pd.isna(r.case_total) else f"{int(r.case_total):,}"
            text += f" {head['of']} {total} ({_share(r.case_share, r.ci_low, r.ci_high)})"
        return f"{text} {_CASE_NAMES[lang]}, {r.case_period}"

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


def funnel_text(table: pd.DataFrame, step: str, *, by: str = "country") -> str:
    """One part per group, by code in codebook order: the share reaching ``step`` with
    its interval, as :func:`share_text` gives it (the ``"all"`` group left out)."""
    book = load_codebook()
    rows = table[table[by].astype("string") != "all"]
    return share_text(sort_groups(rows, [by], book), step, by=by)


def estimate_text(
    table: pd.DataFrame,
    *,
    at: float,
    by: str = "country",
    cause: str | None = None,
    codebook: Codebook | None = None,
) -> str:
    """One part per group: a time-to-event estimate at time ``at`` with its interval.

    Groups are named by their code (``SE: 2.3% (0.9%–4.7%)``), in codebook order.
    Expects a suppressed table of :func:`format_time_to_event`'s kind; a hidden
    estimate is named as such, never shown.
    """
    book = codebook or load_codebook()
    estimate = "cif" if "cif" in table else "survival"
    rows = table[(table["time"] == at) & ((table["cause"] == cause) if cause else True)]
    parts = []
    for r in sort_groups(rows, [by], book).itertuples(index=False):
        name = str(getattr(r, by))
        value = getattr(r, estimate)
        parts.append(
            f"{name}: suppressed (small numbers)"
            if pd.isna(value)
            else f"{name}: {value:.1%} ({r.ci_low:.1%}–{r.ci_high:.1%})"
        )
    return "; ".join(parts)


# -- barriers and reliability (02_barriers) ----------------------------------------------
#: Labels of the outcome groups of :func:`cape_study.stats.barriers.outcome_groups`.
GROUP_LABELS = {
    "en": {"closed": "Closed before prosecution", "prosecuted": "Prosecuted"},
    "sv": {"closed": "Nedlagda före åtal", "prosecuted": "Ledde till åtal"},
}
#: Labels of the coefficients of :data:`cape_study.stats.reliability.COEFFICIENTS`.
COEFFICIENT_LABELS = {
    "en": {
        "cohen_kappa": "Cohen's κ",
        "fleiss_kappa": "Fleiss' κ",
        "krippendorff_alpha": "Krippendorff's α",
    },
    "sv": {
        "cohen_kappa": "Cohens κ",
        "fleiss_kappa": "Fleiss κ",
        "krippendorff_alpha": "Krippendorffs α",
    },
}
_BARRIER_HEAD = {
    "en": {
        "difference": "Difference, closed − prosecuted ({ci} CI)",
        "cell": "cases with the code (share, {ci} CI)",
        "units": "units",
        "coders": "coders",
        "coded": "Units coded by two or more coders",
        "disagree": "Units with a disagreement",
        "share": "Share",
        "scheme": "Scheme",
        "to": "to",
        "pp": "pp",
        "ci": "CI",
    },
    "sv": {
        "difference": "Skillnad, nedlagda − åtalade ({ci} KI)",
        "cell": "ärenden med koden (andel, {ci} KI)",
        "units": "enheter",
        "coders": "kodare",
        "coded": "Enheter kodade av två eller fler kodare",
        "disagree": "Enheter där kodarna är oeniga",
        "share": "Andel",
        "scheme": "Schema",
        "to": "till",
        "pp": "p.e.",
        "ci": "KI",
    },
}


def _code_labels(table: pd.DataFrame, book: Codebook, lang: Language) -> list[str]:
    return [book.label(s, c, lang) for s, c in zip(table["scheme"], table["code"], strict=True)]


def format_prevalence(
    table: pd.DataFrame,
    difference: pd.DataFrame | None = None,
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Prevalence of one scheme's codes in closed and prosecuted cases, as a table.

    Expects :func:`cape_study.stats.barriers.prevalence` for one scheme after
    :func:`cape_study.privacy.disclosure.suppress`, and optionally
    :func:`cape_study.stats.barriers.prevalence_difference` computed from that suppressed
    table. Each group's column reads "count (share, interval)"; its header gives the
    group's number of coded cases. Suppressed cells show as ``·``.
    """
    book = codebook or load_codebook()
    head = _BARRIER_HEAD[lang]
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    ci = f"{confidence:.0%}"
    codes = table[["scheme", "code"]].drop_duplicates()
    scheme = str(codes["scheme"].iloc[0]) if len(codes) else ""
    out = pd.DataFrame(
        {book.scheme(scheme).label(lang) if scheme else "": _code_labels(codes, book, lang)}
    )
    for group, label in GROUP_LABELS[lang].items():
        rows = codes.merge(table[table["group"] == group], on=["scheme", "code"], how="left")
        n = rows["n_cases"].dropna()
        size = SUPPRESSED if n.empty or pd.isna(n.iloc[0]) else f"{int(n.iloc[0]):,}"
        column = f"{label} (n = {size}): {head['cell'].format(ci=ci)}"
        out[column] = [
            SUPPRESSED if pd.isna(x) or pd.isna(p) else f"{int(x):,} ({p:.1%}, {lo:.1%}–{hi:.1%})"
            for x, p, lo, hi in zip(
                rows["present"], rows["proportion"], rows["ci_low"], rows["ci_high"], strict=True
            )
        ]
    if difference is not None:
        diff = codes.merge(difference, on=["scheme", "code"], how="left")
        out[head["difference"].format(ci=ci)] = [
            SUPPRESSED
            if pd.isna(d)
            else f"{100 * d:+.1f} {head['pp']} ({100 * lo:+.1f} {head['to']} {100 * hi:+.1f})"
            for d, lo, hi in zip(diff["difference"], diff["ci_low"], diff["ci_high"], strict=True)
        ]
    return out


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
    book = codebook or load_codebook()
    head = _BARRIER_HEAD[lang]
    keys = ["scheme", "code"] if by == "code" else ["scheme"]
    rows = table[keys].drop_duplicates()
    if by == "code":
        first = _code_labels(rows, book, lang)
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
            facts.append(f"{int(units[0]):,} {head['units']}")
        column = f"{label} ({confidence:.0%} {head['ci']})" + (
            f", {', '.join(facts)}" if facts else ""
        )
        out[column] = [
            SUPPRESSED if pd.isna(e) else f"{e:.2f} ({lo:.2f} {head['to']} {hi:.2f})"
            for e, lo, hi in zip(part["estimate"], part["ci_low"], part["ci_high"], strict=True)
        ]
    return out


def format_disagreements(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """Disagreements per code as a table: units coded by two or more coders, those
    with a disagreement and the share. Expects
    :func:`cape_study.stats.reliability.disagreement_counts` after
    :func:`cape_study.privacy.disclosure.suppress`."""
    book = codebook or load_codebook()
    head = _BARRIER_HEAD[lang]
    title = book.scheme(str(table["scheme"].iloc[0])).label(lang) if len(table) else ""
    return pd.DataFrame(
        {
            title: _code_labels(table, book, lang),
            head["coded"]: _count(table["n_units"]),
            head["disagree"]: _count(table["n_disagree"]),
            head["share"]: [SUPPRESSED if pd.isna(s) else f"{s:.0%}" for s in table["share"]],
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
    book = codebook or load_codebook()
    coders = [c for c in table.columns if c not in {"unit_id", "scheme", "code", "n_coders"}]
    doc_case = dict(
        zip(
            documents["doc_id"].astype("string"),
            documents["case_id"].astype("string"),
            strict=True,
        )
    )
    units = table["unit_id"].astype("string")
    out = pd.DataFrame(
        {
            "unit_id": units,
            "case_id": units.map(lambda u: doc_case.get(u, u)),
            "scheme": table["scheme"].astype("string"),
            "code": table["code"].astype("string"),
            "label": _code_labels(table, book, lang),
        }
    )
    for coder in coders:
        out[coder] = table[coder].map(lambda v: "" if pd.isna(v) else str(int(bool(v))))
    out["codebook_version"] = codebook_version
    out["resolved_present"] = ""
    out["note"] = ""
    return out


def difference_text(
    difference: pd.DataFrame,
    *,
    top: int = 3,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> str:
    """The codes whose prevalence differs between the groups with an interval that
    excludes 0, largest first (at most ``top`` each way), as sentence parts.

    Expects :func:`cape_study.stats.barriers.prevalence_difference` (hidden differences are
    never named).
    """
    book = codebook or load_codebook()
    shown = difference.dropna(subset=["difference", "ci_low", "ci_high"])
    parts = []
    for sign, words in ((1, "more often in closed cases"), (-1, "more often in prosecuted cases")):
        excludes_zero = (shown["ci_low"] > 0) | (shown["ci_high"] < 0)
        clear = shown[excludes_zero & (sign * shown["difference"] > 0)]
        clear = clear.reindex(clear["difference"].abs().sort_values(ascending=False).index)
        items = [
            f"{book.label(r.scheme, r.code, lang)} ({100 * r.difference:+.1f} pp, "
            f"{100 * r.ci_low:+.1f} to {100 * r.ci_high:+.1f})"
            for r in clear.head(top).itertuples()
        ]
        parts.append(f"{words}: {', '.join(items) if items else 'none'}")
    return "; ".join(parts)


def agreement_text(
    table: pd.DataFrame,
    coefficient: str = "krippendorff_alpha",
    *,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> str:
    """One coefficient across codes in words: median, lowest and highest code, and how
    many codes reach 0.667 and 0.800 (Krippendorff's thresholds). Expects
    :func:`cape_study.stats.reliability.agreement` by scheme and code."""
    book = codebook or load_codebook()
    rows = table[table["coefficient"] == coefficient].dropna(subset=["estimate"])
    if rows.empty:
        return f"{COEFFICIENT_LABELS[lang][coefficient]}: not available"
    low, high = rows.loc[rows["estimate"].idxmin()], rows.loc[rows["estimate"].idxmax()]
    return (
        f"{COEFFICIENT_LABELS[lang][coefficient]} per code has median "
        f"{rows['estimate'].median():.2f} and ranges from {low['estimate']:.2f} "
        f"({book.label(low['scheme'], low['code'], lang)}) to {high['estimate']:.2f} "
        f"({book.label(high['scheme'], high['code'], lang)}); "
        f"{int((rows['estimate'] >= 0.667).sum())} of {len(rows)} codes reach 0.667 and "
        f"{int((rows['estimate'] >= 0.8).sum())} reach 0.800"
    )


def count_text(value: object) -> str:
    """A count from a suppressed table for a sentence: the number, or "a suppressed
    number" where it was hidden."""
    return "a suppressed number" if value is None or pd.isna(value) else f"{int(value):,}"


# -- models ------------------------------------------------------------------------------
_MODEL_HEAD = {
    "en": {
        "term": "Predictor",
        "odds_ratio": "Odds ratio",
        "hazard_ratio": "Hazard ratio",
        "p_value": "p",
        "ph_p_value": "Proportional hazards, p",
        "value": "Value",
        "events": "Prosecuted",
        "non_events": "Closed without prosecution",
        "yes": "Yes",
        "no": "No",
        "all": "All",
        "ci": "{level} CI, {kind}",
    },
    "sv": {
        "term": "Prediktor",
        "odds_ratio": "Oddskvot",
        "hazard_ratio": "Hazardkvot",
        "p_value": "p",
        "ph_p_value": "Proportionella hazarder, p",
        "value": "Värde",
        "events": "Åtalade",
        "non_events": "Avslutade utan åtal",
        "yes": "Ja",
        "no": "Nej",
        "all": "Alla",
        "ci": "{level} KI, {kind}",
    },
}
_INTERVAL_KINDS = {
    "en": {
        "profile penalised likelihood": "profile penalised likelihood",
        "Wald": "Wald",
    },
    "sv": {
        "profile penalised likelihood": "profil av penaliserad likelihood",
        "Wald": "Wald",
    },
}
_POPULATION_ENDS = {
    "en": {
        "prosecuted": "Prosecuted",
        "closed": "Closed without prosecution",
        "open": "Open at the data cut-off (censored)",
        "incomplete": "A predictor unknown (left out)",
    },
    "sv": {
        "prosecuted": "Åtalade",
        "closed": "Avslutade utan åtal",
        "open": "Pågående vid datagränsen (censurerade)",
        "incomplete": "Någon prediktor okänd (utelämnade)",
    },
}


def _ratio(value: float) -> str:
    if pd.isna(value):
        return SUPPRESSED
    if value == float("inf"):
        return "∞"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def _p(value: float) -> str:
    return "" if pd.isna(value) else ("<0.001" if value < 0.001 else f"{value:.3f}")


def format_ratios(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    lang: Language = "en",
) -> pd.DataFrame:
    """Odds or hazard ratios as a readable table: predictor, ratio with its interval, p.

    Expects the ``table`` of a :class:`cape_study.stats.models.LogisticResult` or
    :class:`cape_study.stats.models.CoxResult`; the intercept is left out, and the heading
    names the interval's level and kind (profile penalised likelihood or Wald).
    """
    head = _MODEL_HEAD[lang]
    ratio = "odds_ratio" if "odds_ratio" in table else "hazard_ratio"
    rows = table[table["term"] != "(Intercept)"]
    level = f"{float(table['confidence'].iloc[0]):.0%}" if len(table) else "95%"
    kind = _INTERVAL_KINDS[lang].get(str(table["interval"].iloc[0]), "") if len(table) else ""
    out = pd.DataFrame(
        {
            head["term"]: [labels.get(t, t) for t in rows["term"]],
            f"{head[ratio]} ({head['ci'].format(level=level, kind=kind)})": [
                f"{_ratio(r)} ({_ratio(lo)}–{_ratio(hi)})"
                for r, lo, hi in zip(rows[ratio], rows["ci_low"], rows["ci_high"], strict=True)
            ],
            head["p_value"]: [_p(p) for p in rows["p_value"]],
        }
    )
    if "ph_p_value" in rows:
        out[head["ph_p_value"]] = [_p(p) for p in rows["ph_p_value"]]
    return out


def format_term_counts(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    lang: Language = "en",
) -> pd.DataFrame:
    """Cases by predictor value and outcome, as a readable table (suppressed cells ·).

    Expects :func:`cape_study.stats.models.term_counts` after disclosure control.
    """
    head = _MODEL_HEAD[lang]
    cells = table.set_index(["term", "value", "outcome"])["cases"]
    lines = list(dict.fromkeys(zip(table["term"], table["value"], strict=True)))
    return pd.DataFrame(
        {
            head["term"]: [labels.get(t, t) for t, _ in lines],
            head["value"]: [head["yes"] if v == 1 else head["no"] for _, v in lines],
            head["events"]: _count(pd.Series([cells[(t, v, 1)] for t, v in lines])),
            head["non_events"]: _count(pd.Series([cells[(t, v, 0)] for t, v in lines])),
        }
    )


def format_population(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """Cases of the model population by how they enter the models (rows) and country.

    Expects :func:`cape_study.stats.models.population_counts` after disclosure control.
    """
    book = codebook or load_codebook()
    ends = _POPULATION_ENDS[lang]
    countries = list(dict.fromkeys(table["country"]))
    out = pd.DataFrame({book.scheme("country").label(lang): [ends[e] for e in ends]})
    for country in countries:
        cells = table[table["country"] == country].set_index("end")["cases"]
        name = (
            _MODEL_HEAD[lang]["all"] if country == "all" else book.label("country", country, lang)
        )
        out[name] = _count(cells.reindex(list(ends)))
    return out


def ratio_text(table: pd.DataFrame, *, labels: Mapping[str, str], lang: Language = "en") -> str:
    """The ratios whose interval excludes 1, as a sentence part, or a statement that
    none does. Expects a model result's ``table``."""
    ratio = "odds_ratio" if "odds_ratio" in table else "hazard_ratio"
    name = {"odds_ratio": "OR", "hazard_ratio": "HR"}[ratio]
    rows = table[table["term"] != "(Intercept)"]
    clear = rows[(rows["ci_low"] > 1) | (rows["ci_high"] < 1)]
    if clear.empty:
        return f"no predictor's {name} has an interval that excludes 1"
    return "; ".join(
        f"{labels.get(r.term, r.term)} {name} {_ratio(getattr(r, ratio))} "
        f"({_ratio(r.ci_low)}–{_ratio(r.ci_high)})"
        for r in clear.itertuples(index=False)
    )


def notes_markdown(notes: list[str], lang: Language = "en") -> str:
    """A model's warnings as a Markdown block for the report (nothing when there are none)."""
    word = {"en": "Note", "sv": "Obs"}[lang]
    return "\n\n".join(f"> **{word}.** {note}" for note in notes)


def models_takeaway(
    population: pd.DataFrame, logistic: object, cox: object, *, labels: Mapping[str, str]
) -> str:
    """The finding of the models notebook in one paragraph, with numbers.

    ``population`` is :func:`cape_study.stats.models.population_counts` after disclosure
    control (its counts are the only ones named); ``logistic`` and ``cox`` are a
    :class:`cape_study.stats.models.LogisticResult` and :class:`cape_study.stats.models.CoxResult`.
    """
    totals = population[population["country"] == "all"].set_index("end")["cases"]
    separating = [labels.get(t, t) for t in logistic.separation.terms]
    why = f", because {', '.join(separating)} separates the outcome" if separating else ""
    # The EPV reveals the event count, so it is named only when that count is published.
    epv = f"{logistic.epv:.1f}" if pd.notna(totals.get("prosecuted")) else "so few"
    fragile = (
        f" With {epv} events per estimated coefficient these estimates are "
        "fragile (fewer than the usual 10)."
        if logistic.few_events
        else ""
    )

    def number(value: object) -> str:
        return "a suppressed number" if value is None or pd.isna(value) else f"{int(value):,}"

    return (
        f"**Takeaway:** of the cases with a suspect, every predictor known and an outcome by "
        f"the cut-off, "
        f"{number(totals.get('prosecuted'))} were prosecuted and "
        f"{number(totals.get('closed'))} closed without prosecution. "
        f"Logistic regression ({logistic.method}{why}; {logistic.confidence:.0%} "
        f"{logistic.interval} intervals): {ratio_text(logistic.table, labels=labels)}. "
        f"Cox regression of the time to prosecution (cause-specific, closure censored; "
        f"{cox.confidence:.0%} {cox.interval} intervals): "
        f"{ratio_text(cox.table, labels=labels)}.{fragile}"
    )


# -- describing a case file (intake) ----------------------------------------------------
_DESCRIBE_HEAD = {
    "en": {"report_year": "Year reported", "cases": "Cases", "table": "Table", "rows": "Rows"},
    "sv": {"report_year": "Anmälningsår", "cases": "Ärenden", "table": "Tabell", "rows": "Rader"},
}


def describe_headings(lang: Language = "en") -> dict[str, str]:
    """Headings of the columns that describe a case file: ``report_year``, ``cases``,
    ``table``, ``rows``."""
    return dict(_DESCRIBE_HEAD[lang])


def case_counts(
    cases: pd.DataFrame, by: list[str], *, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Cases counted by columns of the cases table, one row per combination.

    ``report_year`` stands for the year of ``report_date``. Every code of a code
    column is listed (zeros included); a code that belongs to one country (a police
    region) is listed only with its own country when ``country`` is among ``by``.
    The result (columns ``by`` and ``cases``) is ready for
    :func:`cape_study.privacy.disclosure.suppress`.
    """
    book = codebook or load_codebook()
    frame = cases
    if "report_year" in by:
        frame = cases.assign(report_year=cases["report_date"].dt.year.astype("string"))
    counts = frame.groupby(by, observed=False).size().rename("cases").reset_index()
    columns = book.table("cases").columns
    for column in by:
        scheme = columns[column].scheme if column in columns else None
        homes = (
            {c.code: c.country for c in book.scheme(scheme).codes if c.country} if scheme else {}
        )
        if homes and "country" in by and column != "country":
            home = counts[column].astype("string").map(homes)
            counts = counts[home.isna() | (home == counts["country"].astype("string"))]
    return counts.reset_index(drop=True)


def table_rows(
    case_file: object, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """The number of rows of each table of a case file (``table`` labelled, ``rows``)."""
    book = codebook or load_codebook()
    return pd.DataFrame(
        {
            "table": [book.table(t).label(lang) for t in case_file.TABLES],
            "rows": [len(getattr(case_file, t)) for t in case_file.TABLES],
        }
    )


def count_list(
    table: pd.DataFrame,
    *,
    schemes: Mapping[str, str],
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """A suppressed long count table for the report: codes as labels in codebook order,
    columns headed by their scheme's label (or a heading of their own), no
    ``suppressed`` column; hidden counts show as ``·`` with :func:`show`."""
    book = codebook or load_codebook()
    shown = table.drop(columns=["suppressed"], errors="ignore")
    order = [
        shown[c].astype("string").map({code: i for i, code in enumerate(book.codes(s))})
        for c, s in schemes.items()
    ]
    if order:
        rank = pd.concat(order, axis=1).fillna(len(shown))
        shown = shown.loc[rank.sort_values(list(rank.columns), kind="stable").index]
    labelled = with_labels(shown, schemes, lang, book)
    head = _DESCRIBE_HEAD[lang] | {c: book.scheme(s).label(lang) for c, s in schemes.items()}
    return labelled.rename(columns=head).reset_index(drop=True)


# -- text coding -------------------------------------------------------------------------
_TEXT_HEAD = {
    "en": {
        "units": "Units with a consensus",
        "present": "Present (consensus)",
        "classifier": "Classifier",
        "dictionary": "Dictionary",
        "human": "Two coders",
        "precision": "Precision",
        "recall": "Recall",
        "f1": "F1",
        "kappa": "κ",
        "unit": "Unit",
        "probability": "Probability",
        "by": "Proposed by",
        "both": "classifier and dictionary",
        "passage": "Passage",
        "why": "Terms / keyword",
        "suppressed": "a suppressed number of",
        "matched": "Coded units matched",
        "words": "Words matched",
        "sentence": "Sentence (evidence)",
    },
    "sv": {
        "units": "Enheter med konsensus",
        "present": "Förekommer (konsensus)",
        "classifier": "Klassificerare",
        "dictionary": "Ordlista",
        "human": "Två kodare",
        "precision": "Precision",
        "recall": "Täckning",
        "f1": "F1",
        "kappa": "κ",
        "unit": "Enhet",
        "probability": "Sannolikhet",
        "by": "Föreslagen av",
        "both": "klassificerare och ordlista",
        "passage": "Textavsnitt",
        "why": "Termer / nyckelord",
        "suppressed": "ett undertryckt antal",
        "matched": "Kodade enheter med träff",
        "words": "Träffade ord",
        "sentence": "Mening (belägg)",
    },
}
#: Shown for a score that cannot be computed (no prediction, or no positive case).
NOT_ESTIMABLE = "–"


def _score(value: float, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED
    return NOT_ESTIMABLE if pd.isna(value) else f"{value:.2f}"


def format_text_agreement(
    table: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Per-code agreement with the coders' consensus: classifier, dictionary, two coders.

    Expects :func:`cape_study.stats.textcoding.agreement_table` after
    :func:`cape_study.privacy.disclosure.suppress` (count ``n_positive``, total ``n_units``,
    the scores derived). Columns are grouped by method; the unit counts are those of
    the dictionary row (every unit with a consensus label). Suppressed cells show as
    ``·``, scores that cannot be computed as ``–``.
    """
    book = codebook or load_codebook()
    head = _TEXT_HEAD[lang]
    labels = book.labels(scheme, lang)
    rows = table.set_index(["code", "method"])
    codes = list(dict.fromkeys(table["code"]))
    out = {("", book.scheme(scheme).label(lang)): [labels.get(c, c) for c in codes]}
    base = [rows.loc[(c, "dictionary")] for c in codes]
    out[("", head["units"])] = _count(pd.Series([r["n_units"] for r in base], dtype="Int64"))
    out[("", head["present"])] = _count(pd.Series([r["n_positive"] for r in base], dtype="Int64"))
    scores = {
        "classifier": ("precision", "recall", "f1", "kappa"),
        "dictionary": ("precision", "recall", "f1", "kappa"),
        "human": ("f1", "kappa"),
    }
    for method, columns in scores.items():
        for column in columns:
            values = []
            for code in codes:
                if (code, method) not in rows.index:
                    values.append(NOT_ESTIMABLE)
                    continue
                row = rows.loc[(code, method)]
                values.append(_score(row[column], bool(row.get("suppressed", False))))
            out[(head[method], head[column])] = values
    frame = pd.DataFrame(out)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    return frame


def format_evidence(
    dictionary: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The dictionary's evidence: per code, the units it matched and one example (the
    words matched and their sentence), in codebook order.

    Expects :func:`cape_study.stats.textcoding.match_keywords` and its
    :func:`cape_study.stats.textcoding.match_counts` after
    :func:`cape_study.privacy.disclosure.suppress`
    of ``matched``; a code whose count is suppressed shows no example.
    """
    book = codebook or load_codebook()
    head = _TEXT_HEAD[lang]
    safe = counts.set_index("code")
    examples = dictionary[dictionary["matched"]].drop_duplicates("code").set_index("code")
    codes = [c for c in book.codes(scheme) if c in safe.index]
    columns = [book.scheme(scheme).label(lang), head["matched"], head["words"], head["sentence"]]
    rows = []
    for code in codes:
        hidden = bool(safe.loc[code, "suppressed"])
        shown = not hidden and code in examples.index
        rows.append(
            {
                book.scheme(scheme).label(lang): book.label(scheme, code, lang),
                head["matched"]: SUPPRESSED
                if hidden
                else f"{int(safe.loc[code, 'matched']):,} / {int(safe.loc[code, 'n_units']):,}",
                head["words"]: examples.loc[code, "match"] if shown else "",
                head["sentence"]: examples.loc[code, "evidence"] if shown else "",
            }
        )
    return pd.DataFrame(rows, columns=columns)


def format_suggestion_counts(
    table: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Units with a suggestion per code and source, from
    :func:`cape_study.stats.textcoding.suggestion_counts` after disclosure control."""
    book = codebook or load_codebook()
    head = _TEXT_HEAD[lang]
    wide = table.pivot(index="code", columns="source", values="units")
    codes = [c for c in book.codes(scheme) if c in wide.index]
    out = pd.DataFrame(
        {book.scheme(scheme).label(lang): [book.label(scheme, c, lang) for c in codes]}
    )
    for source in ("classifier", "dictionary"):
        out[head[source]] = _count(wide.loc[codes, source].astype("Int64"))
    return out


def format_suggestions(
    table: pd.DataFrame,
    *,
    unit: str = "unit_id",
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Suggestions from :func:`cape_study.stats.textcoding.suggest` for readers: code labels,
    probability, which method proposed the code, the passage and the terms or keyword.
    With ``limit``, only the most probable proposals (classifier first)."""
    book = codebook or load_codebook()
    head = _TEXT_HEAD[lang]
    labels = book.labels(scheme, lang)
    if limit is not None:
        table = table.sort_values("probability", ascending=False, kind="stable").head(limit)
    by = [
        head["both"] if c and d else head["classifier"] if c else head["dictionary"]
        for c, d in zip(table["classifier"], table["dictionary"], strict=True)
    ]
    why = [
        t if isinstance(t, str) and t else (k if isinstance(k, str) else "")
        for t, k in zip(table["terms"], table["keyword"], strict=True)
    ]
    return pd.DataFrame(
        {
            head["unit"]: table[unit].astype(str).to_numpy(),
            book.scheme(scheme).label(lang): [labels.get(c, c) for c in table["code"]],
            head["probability"]: [
                NOT_ESTIMABLE if pd.isna(p) else f"{p:.2f}" for p in table["probability"]
            ],
            head["by"]: by,
            head["passage"]: table["passage"].to_numpy(),
            head["why"]: why,
        }
    )


def synthetic_dictionary_note(
    table: pd.DataFrame, rule_table: pd.DataFrame, *, lang: Language = "en"
) -> str:
    """A caution for synthetic data: the generator writes each barrier with a few fixed
    sentences that the keywords may have been written to catch.

    ``table`` is :func:`cape_study.stats.textcoding.agreement_table` after disclosure control;
    ``rule_table`` the same with the dictionary of
    :func:`cape_study.stats.textcoding.rule_keywords` (only the keywords that match the
    codebook's own coding rules). Both medians are over the codes whose dictionary
    scores ``table`` shows.
    """
    shown = table[(table["method"] == "dictionary") & table["kappa"].notna()]
    rules = rule_table[rule_table["method"] == "dictionary"].set_index("code")["kappa"]
    if shown.empty:
        return ""
    full = shown["kappa"].median()
    grounded = rules.reindex(shown["code"]).median()
    if lang == "sv":
        return (
            "*Syntetiska data:* generatorn skriver varje hinder med någon av några få fasta "
            "meningar, och nyckelord som skrivits av någon som läst dem träffar dem lätt, så "
            f"ordlistans värden här är för optimistiska. Med bara de nyckelord som träffar "
            f"kodbokens egna kodningsregler och exempel är ordlistans median-κ {grounded:.2f} "
            f"i stället för {full:.2f}."
        )
    return (
        "*Synthetic data:* the generator writes each barrier with one of a few fixed "
        "sentences, which keywords written by someone who has read them catch easily, so the "
        f"dictionary's scores here are optimistic. With only the keywords that match the "
        f"codebook's own coding rules and examples, its median κ is {grounded:.2f} instead "
        f"of {full:.2f}."
    )


def text_coding_takeaway(table: pd.DataFrame, suggested: object, *, lang: Language = "en") -> str:
    """The finding of a text-coding run in one paragraph: the median kappa of each method
    over the codes the classifier was evaluated on (suppressed scores left out), for how
    many of them the classifier reaches the two coders' agreement, and how many uncoded
    units got a suggestion (``suggested``: a count from a suppressed table)."""
    kappa = table.pivot(index="code", columns="method", values="kappa")
    kappa = kappa.reindex(columns=["classifier", "dictionary", "human"])
    kappa = kappa[kappa["classifier"].notna()]
    median = kappa.median()
    both = kappa.dropna(subset=["classifier", "human"])
    reach = int((both["classifier"] >= both["human"]).sum())
    count = count_text(suggested)
    no_keywords = {"en": "(no keywords)", "sv": "(inga nyckelord)"}[lang]
    dictionary = no_keywords if pd.isna(median["dictionary"]) else f"{median['dictionary']:.2f}"
    if lang == "sv":
        count = count.replace("a suppressed number", _TEXT_HEAD["sv"]["suppressed"])
        return (
            f"**Slutsats:** mot kodarnas konsensus når klassificeraren median-κ "
            f"{median['classifier']:.2f} och ordlistan {dictionary} för de "
            f"{len(kappa)} koder som klassificeraren prövades på, medan två kodare har "
            f"median-κ {median['human']:.2f} sinsemellan; klassificeraren når minst "
            f"kodarnas överensstämmelse för {reach} av {len(both)} koder. Förslag har tagits "
            f"fram för {count} okodade enheter."
        )
    return (
        f"**Takeaway:** against the coders' consensus, the classifier reaches a median κ of "
        f"{median['classifier']:.2f} and the dictionary {dictionary} on the "
        f"{len(kappa)} codes the classifier was evaluated on, while two coders agree with "
        f"each other at a median κ of {median['human']:.2f}; the classifier reaches at "
        f"least the coders' agreement for {reach} of {len(both)} codes. Suggestions were "
        f"made for {count} uncoded units."
    )


def suggestion_sheet(
    table: pd.DataFrame,
    *,
    units: pd.DataFrame,
    scheme: str,
    codebook_version: str,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Suggested codes as a review list for the coders, one row per unit and code.

    Expects :func:`cape_study.stats.textcoding.suggest` and the units it was given
    (:func:`cape_study.stats.textcoding.coding_units`). Columns: ``unit_id``, ``case_id``,
    ``doc_type``, ``scheme``, ``code``, ``label`` (in ``lang``), ``probability``
    (classifier, 3 decimals), ``proposed_by`` (classifier, dictionary or both),
    ``passage``, ``terms``, ``keyword``, ``codebook_version``, and two empty columns
    for the reviewing coder: ``reviewed_present`` (1 or 0) and ``note``. The list is
    kept apart from the ``codings`` table: a suggestion becomes a coding only when a
    coder codes the unit.
    """
    book = codebook or load_codebook()
    labels = book.labels(scheme, lang)
    facts = units.set_index("unit_id")
    ids = table["unit_id"].astype(str)
    proposed = [
        "both" if c and d else "classifier" if c else "dictionary"
        for c, d in zip(table["classifier"], table["dictionary"], strict=True)
    ]
    return pd.DataFrame(
        {
            "unit_id": ids.to_numpy(),
            "case_id": facts.loc[ids, "case_id"].to_numpy(),
            "doc_type": facts.loc[ids, "doc_type"].to_numpy(),
            "scheme": scheme,
            "code": table["code"].to_numpy(),
            "label": [labels.get(c, c) for c in table["code"]],
            "probability": table["probability"].round(3).to_numpy(),
            "proposed_by": proposed,
            "passage": table["passage"].to_numpy(),
            "terms": table["terms"].fillna("").to_numpy(),
            "keyword": table["keyword"].fillna("").to_numpy(),
            "codebook_version": codebook_version,
            "reviewed_present": "",
            "note": "",
        }
    )
