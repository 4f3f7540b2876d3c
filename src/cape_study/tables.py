"""Publication tables: codes replaced by labels, suppressed cells marked, provenance shown."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from cape_study.codebook import Codebook, Language, load_codebook

__all__ = [
    "COEFFICIENT_LABELS",
    "GROUP_LABELS",
    "SUPPRESSED",
    "agreement_text",
    "count_table",
    "count_text",
    "difference_text",
    "disagreement_sheet",
    "format_agreement",
    "format_disagreements",
    "format_funnel",
    "format_population",
    "format_prevalence",
    "format_ratios",
    "format_term_counts",
    "models_takeaway",
    "notes_markdown",
    "provenance_banner",
    "ratio_text",
    "share_text",
    "show",
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
    and ``open`` of :func:`cape_study.attrition.case_status`, which get their labels.
    """
    book = codebook or load_codebook()
    out = table.copy()
    for column, scheme in schemes.items():
        labels = _END_LABELS[lang] | book.labels(scheme, lang)
        out[column] = out[column].astype("string").map(lambda c, m=labels: m.get(c, c))
    return out


def show(table: pd.DataFrame) -> Styler:
    """A table for the report: no index column, full-length text, suppressed cells marked."""
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

    Expects the output of :func:`cape_study.attrition.funnel` after
    :func:`cape_study.disclosure.suppress`; suppressed cells show as ``·``.
    """
    head = _FUNNEL_HEAD[lang]
    book = codebook or load_codebook()
    schemes = {"stage": "stage"} | ({by: by} if by and by in book.schemes else {})
    labelled = with_labels(table, schemes, lang, book)
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


# -- barriers and reliability (02_barriers) ----------------------------------------------
#: Labels of the outcome groups of :func:`cape_study.barriers.outcome_groups`.
GROUP_LABELS = {
    "en": {"closed": "Closed before prosecution", "prosecuted": "Prosecuted"},
    "sv": {"closed": "Nedlagda före åtal", "prosecuted": "Ledde till åtal"},
}
#: Labels of the coefficients of :data:`cape_study.reliability.COEFFICIENTS`.
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

    Expects :func:`cape_study.barriers.prevalence` for one scheme after
    :func:`cape_study.disclosure.suppress`, and optionally
    :func:`cape_study.barriers.prevalence_difference` computed from that suppressed
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

    Expects :func:`cape_study.reliability.agreement` after
    :func:`cape_study.disclosure.suppress` of ``n_units``. A column header names the
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
    :func:`cape_study.reliability.disagreement_counts` after
    :func:`cape_study.disclosure.suppress`."""
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

    Expects :func:`cape_study.reliability.disagreements`. Columns: ``unit_id``,
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

    Expects :func:`cape_study.barriers.prevalence_difference` (hidden differences are
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
    :func:`cape_study.reliability.agreement` by scheme and code."""
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

    Expects the ``table`` of a :class:`cape_study.models.LogisticResult` or
    :class:`cape_study.models.CoxResult`; the intercept is left out, and the heading
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

    Expects :func:`cape_study.models.term_counts` after disclosure control.
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

    Expects :func:`cape_study.models.population_counts` after disclosure control.
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

    ``population`` is :func:`cape_study.models.population_counts` after disclosure
    control (its counts are the only ones named); ``logistic`` and ``cox`` are a
    :class:`cape_study.models.LogisticResult` and :class:`cape_study.models.CoxResult`.
    """
    totals = population[population["country"] == "all"].set_index("end")["cases"]
    separating = [labels.get(t, t) for t in logistic.separation.terms]
    why = f", because {', '.join(separating)} separates the outcome" if separating else ""
    fragile = (
        f" With {logistic.epv:.1f} events per estimated coefficient these estimates are "
        "fragile (fewer than the usual 10)."
        if any("events per variable" in w for w in logistic.warnings)
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
