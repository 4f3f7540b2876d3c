"""Publication tables: codes replaced by labels, suppressed cells marked, provenance shown.

One module per analysis; the labels are in :mod:`cape_study.present.labels`, numbers and
marks in :mod:`cape_study.present.display`, sentences in :mod:`cape_study.present.wording`;
their names used by the notebooks are listed here too, so that ``tables.X`` reaches them."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import (
    NOT_ESTIMABLE,
    SUPPRESSED,
    count_cells,
    count_share_cell,
    duration,
    estimate_cell,
    p_cell,
    ratio_cell,
    score_cell,
    share_cell,
    show,
)
from cape_study.present.labels import (
    BARRIER_HEAD,
    CASE_NAMES,
    COEFFICIENT_LABELS,
    COLUMN_LABELS,
    COMPARISON_HEAD,
    DESCRIBE_HEAD,
    FUNNEL_HEAD,
    GROUP_LABELS,
    INTERVAL_KINDS,
    MODEL_HEAD,
    PATH_LABELS,
    POPULATION_ENDS,
    TEXT_HEAD,
    code_labels,
    column_label,
    describe_headings,
    group_label,
    ordered_groups,
    sort_groups,
    step_labels,
    with_labels,
)
from cape_study.present.wording import (
    agreement_text,
    count_text,
    difference_text,
    estimate_text,
    funnel_text,
    models_takeaway,
    notes_markdown,
    provenance_banner,
    ratio_text,
    share_text,
    synthetic_dictionary_note,
    text_coding_takeaway,
)

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


# -- intake --------------------------------------------------------------------
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
    book = codebook_or_default(codebook)
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
    book = codebook_or_default(codebook)
    shown = table.drop(columns=["suppressed"], errors="ignore")
    order = [
        shown[c].astype("string").map({code: i for i, code in enumerate(book.codes(s))})
        for c, s in schemes.items()
    ]
    if order:
        rank = pd.concat(order, axis=1).fillna(len(shown))
        shown = shown.loc[rank.sort_values(list(rank.columns), kind="stable").index]
    labelled = with_labels(shown, schemes, lang, book)
    head = DESCRIBE_HEAD[lang] | {c: book.scheme(s).label(lang) for c, s in schemes.items()}
    return labelled.rename(columns=head).reset_index(drop=True)


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
    book = codebook_or_default(codebook)
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
    book = codebook_or_default(codebook)
    return pd.DataFrame(
        {
            "table": [book.table(t).label(lang) for t in case_file.TABLES],
            "rows": [len(getattr(case_file, t)) for t in case_file.TABLES],
        }
    )


# -- attrition -----------------------------------------------------------------
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
    head = FUNNEL_HEAD[lang]
    book = codebook_or_default(codebook)
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
            head["reached"]: count_cells(table["reached"]),
            head["n_cases"]: count_cells(table["n_cases"]),
            head["share"].format(ci=f"{confidence:.0%}"): [
                share_cell(p, lo, hi)
                for p, lo, hi in zip(
                    table["proportion"], table["ci_low"], table["ci_high"], strict=True
                )
            ],
        }
    )
    return out.rename(columns={by: book.scheme(by).label(lang)} if by in book.schemes else {})


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
    book = codebook_or_default(codebook)
    keys = [by] if isinstance(by, str) else list(by)
    labels = step_labels(lang, book)
    rows = sort_groups(table, keys, book)
    groups = list(dict.fromkeys(tuple(r) for r in rows[keys].itertuples(index=False)))
    cells = {
        (tuple(getattr(r, k) for k in keys), r.stage): count_share_cell(
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
    out[heads[estimate].format(ci=f"{confidence:.0%}")] = [
        share_cell(p, lo, hi) if pd.notna(lo) and pd.notna(hi) else estimate_cell(p)
        for p, lo, hi in zip(rows[estimate], rows["ci_low"], rows["ci_high"], strict=True)
    ]
    return out


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
        text = f"{int(r.public_value):,}"
        if pd.notna(r.public_total):
            text += f" {head['of']} {int(r.public_total):,} ({r.public_share:.1%})"
        return f"{text} {r.public_unit}, {r.public_period}"

    def case(r) -> str:
        if pd.isna(r.case_count):
            return f"{SUPPRESSED} {CASE_NAMES[lang]}, {r.case_period}"
        text = f"{int(r.case_count):,}"
        if r.measure == "share":
            total = SUPPRESSED if pd.isna(r.case_total) else f"{int(r.case_total):,}"
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


# -- barriers ------------------------------------------------------------------
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
    book = codebook_or_default(codebook)
    head = BARRIER_HEAD[lang]
    confidence = float(table["confidence"].iloc[0]) if len(table) else 0.95
    ci = f"{confidence:.0%}"
    codes = table[["scheme", "code"]].drop_duplicates()
    scheme = str(codes["scheme"].iloc[0]) if len(codes) else ""
    out = pd.DataFrame(
        {book.scheme(scheme).label(lang) if scheme else "": code_labels(codes, book, lang)}
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
    book = codebook_or_default(codebook)
    head = BARRIER_HEAD[lang]
    title = book.scheme(str(table["scheme"].iloc[0])).label(lang) if len(table) else ""
    return pd.DataFrame(
        {
            title: code_labels(table, book, lang),
            head["coded"]: count_cells(table["n_units"]),
            head["disagree"]: count_cells(table["n_disagree"]),
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
    book = codebook_or_default(codebook)
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
            "label": code_labels(table, book, lang),
        }
    )
    for coder in coders:
        out[coder] = table[coder].map(lambda v: "" if pd.isna(v) else str(int(bool(v))))
    out["codebook_version"] = codebook_version
    out["resolved_present"] = ""
    out["note"] = ""
    return out


# -- models --------------------------------------------------------------------
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
    head = MODEL_HEAD[lang]
    ratio = "odds_ratio" if "odds_ratio" in table else "hazard_ratio"
    rows = table[table["term"] != "(Intercept)"]
    level = f"{float(table['confidence'].iloc[0]):.0%}" if len(table) else "95%"
    kind = INTERVAL_KINDS[lang].get(str(table["interval"].iloc[0]), "") if len(table) else ""
    out = pd.DataFrame(
        {
            head["term"]: [labels.get(t, t) for t in rows["term"]],
            f"{head[ratio]} ({head['ci'].format(level=level, kind=kind)})": [
                f"{ratio_cell(r)} ({ratio_cell(lo)}–{ratio_cell(hi)})"
                for r, lo, hi in zip(rows[ratio], rows["ci_low"], rows["ci_high"], strict=True)
            ],
            head["p_value"]: [p_cell(p) for p in rows["p_value"]],
        }
    )
    if "ph_p_value" in rows:
        out[head["ph_p_value"]] = [p_cell(p) for p in rows["ph_p_value"]]
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
    head = MODEL_HEAD[lang]
    cells = table.set_index(["term", "value", "outcome"])["cases"]
    lines = list(dict.fromkeys(zip(table["term"], table["value"], strict=True)))
    return pd.DataFrame(
        {
            head["term"]: [labels.get(t, t) for t, _ in lines],
            head["value"]: [head["yes"] if v == 1 else head["no"] for _, v in lines],
            head["events"]: count_cells(pd.Series([cells[(t, v, 1)] for t, v in lines])),
            head["non_events"]: count_cells(pd.Series([cells[(t, v, 0)] for t, v in lines])),
        }
    )


def format_population(
    table: pd.DataFrame, *, lang: Language = "en", codebook: Codebook | None = None
) -> pd.DataFrame:
    """Cases of the model population by how they enter the models (rows) and country.

    Expects :func:`cape_study.stats.models.population_counts` after disclosure control.
    """
    book = codebook_or_default(codebook)
    ends = POPULATION_ENDS[lang]
    countries = list(dict.fromkeys(table["country"]))
    out = pd.DataFrame({book.scheme("country").label(lang): [ends[e] for e in ends]})
    for country in countries:
        cells = table[table["country"] == country].set_index("end")["cases"]
        name = MODEL_HEAD[lang]["all"] if country == "all" else book.label("country", country, lang)
        out[name] = count_cells(cells.reindex(list(ends)))
    return out


# -- text_coding ---------------------------------------------------------------
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
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
    labels = book.labels(scheme, lang)
    rows = table.set_index(["code", "method"])
    codes = list(dict.fromkeys(table["code"]))
    out = {("", book.scheme(scheme).label(lang)): [labels.get(c, c) for c in codes]}
    base = [rows.loc[(c, "dictionary")] for c in codes]
    out[("", head["units"])] = count_cells(pd.Series([r["n_units"] for r in base], dtype="Int64"))
    out[("", head["present"])] = count_cells(
        pd.Series([r["n_positive"] for r in base], dtype="Int64")
    )
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
                values.append(score_cell(row[column], bool(row.get("suppressed", False))))
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
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
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
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
    wide = table.pivot(index="code", columns="source", values="units")
    codes = [c for c in book.codes(scheme) if c in wide.index]
    out = pd.DataFrame(
        {book.scheme(scheme).label(lang): [book.label(scheme, c, lang) for c in codes]}
    )
    for source in ("classifier", "dictionary"):
        out[head[source]] = count_cells(wide.loc[codes, source].astype("Int64"))
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
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
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
    book = codebook_or_default(codebook)
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
