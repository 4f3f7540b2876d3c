"""Sentences for the report: findings in words, takeaways, notes and the provenance banner."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default, load_codebook
from cape_study.present.display import language, number, percent, ratio_cell
from cape_study.present.labels import (
    COEFFICIENT_LABELS,
    FIT_METHODS,
    HIDDEN_WORDS,
    INTERVAL_KINDS,
    MODEL_HEAD,
    MODEL_WORDS,
    NOT_APPLICABLE,
    NOTE_WORD,
    RULE_LABELS,
    SENTENCES,
    SEPARATION_WORDS,
    TAKEAWAY_WORDS,
    TEXT_HEAD,
    sort_groups,
)
from cape_study.present.limits import takeaway_label
from cape_study.stats import reliability

__all__ = [
    "agreement_text",
    "codings_text",
    "count_text",
    "difference_text",
    "disclosure_summary",
    "estimate_text",
    "exploratory_note",
    "exploratory_takeaway",
    "fit_method",
    "fit_text",
    "funnel_text",
    "hidden_section_text",
    "model_notes",
    "models_takeaway",
    "notes_markdown",
    "provenance_banner",
    "ratio_text",
    "sentence",
    "separation_text",
    "share_text",
    "synthetic_dictionary_note",
    "text_coding_takeaway",
]


def provenance_banner(
    synthetic: bool,
    label: str,
    codebook_version: str,
    data_cutoff: str,
    lang: Language | None = None,
) -> str:
    """A Markdown note on where the data come from; a loud warning for synthetic data.

    The case file is named by the label the user gave (parameter ``case_label``), never
    by its path, which may name a person; the report's provenance gives its data hash.
    ``lang`` defaults to the run's (:func:`cape_study.present.display.language`)."""
    words = _sentences(lang)
    named = f"“{label}”" if label else words["no_label"]
    facts = words["facts"].format(label=named, version=codebook_version, cutoff=data_cutoff)
    return words["synthetic" if synthetic else "data"].format(facts=facts)


def _sentences(lang: str | None) -> dict[str, str]:
    """The notebook sentences in ``lang`` (the run's if None; English for a missing word)."""
    lang = lang or language()
    return {**SENTENCES["en"], **SENTENCES.get(lang, {})}


def sentence(name: str, lang: Language | None = None, **fields: object) -> str:
    """One of the short lines a notebook shows between its tables (:data:`SENTENCES`),
    in ``lang`` (the run's if None), with ``fields`` filled in."""
    words = _sentences(lang)
    if name not in words:
        raise ValueError(f"unknown sentence {name!r}; known: {', '.join(words)}")
    return words[name].format(**fields)


def codings_text(
    version: str, others: list[str], rule: str, confidence: float, lang: Language = "en"
) -> str:
    """Which codebook version the codings are read with, the coder rule and the
    interval level, in one Markdown line."""
    words = _sentences(lang)
    which = (
        words["codings_other"].format(others=", ".join(others)) if others else words["codings_all"]
    )
    rule_words = {**RULE_LABELS["en"], **RULE_LABELS.get(lang, {})}
    return words["codings"].format(
        version=version,
        which=which,
        rule=rule_words.get(rule, rule),
        level=percent(confidence, 0, lang=lang),
    )


def disclosure_summary(records: list[Mapping[str, object]], lang: Language = "en") -> str:
    """The step's disclosure audit in one Markdown sentence for readers: how many cells
    were hidden in how many tables (the tables are named in the manifest, not here:
    their audit names are not the reader's words)."""
    words = _sentences(lang)
    rounded_reason = "rounded"
    cells = [r for r in records if not str(r["reason"]).startswith(rounded_reason)]
    rounded = {r["table"] for r in records if str(r["reason"]).startswith(rounded_reason)}
    text = words["disclosure"].format(
        cells=number(len(cells), lang=lang), tables=number(len({r["table"] for r in cells}))
    )
    if rounded:
        text += words["rounded"].format(tables=number(len(rounded), lang=lang))
    return text


def share_text(table: pd.DataFrame, stage: str, *, by: str = "country") -> str:
    """One sentence part per group: the share reaching ``stage`` with its interval.

    Expects a suppressed funnel table; a suppressed share is named as such, never shown.
    """
    parts = []
    if not (table["stage"] == stage).any():  # a stage the sample's selection implies
        return "not estimated (every case of this sample reached it by selection)"
    for key, row in table[table["stage"] == stage].set_index(by).iterrows():
        if not row.get("applicable", True):
            parts.append(f"{key}: {NOT_APPLICABLE['en']} (no such offence in its law)")
        elif row["suppressed"]:
            parts.append(f"{key}: suppressed (small numbers)")
        else:
            parts.append(
                f"{key}: {percent(row['proportion'])} "
                f"({percent(row['ci_low'])}–{percent(row['ci_high'])})"
            )
    return "; ".join(parts)


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
    book = codebook_or_default(codebook)
    estimate = "cif" if "cif" in table else "survival"
    rows = table[(table["time"] == at) & ((table["cause"] == cause) if cause else True)]
    parts = []
    for r in sort_groups(rows, [by], book).itertuples(index=False):
        name = str(getattr(r, by))
        value = getattr(r, estimate)
        parts.append(
            f"{name}: suppressed (small numbers)"
            if pd.isna(value)
            else f"{name}: {percent(value)} ({percent(r.ci_low)}–{percent(r.ci_high)})"
        )
    return "; ".join(parts)


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
    book = codebook_or_default(codebook)
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
    book = codebook_or_default(codebook)
    words = {**TAKEAWAY_WORDS["en"], **TAKEAWAY_WORDS.get(lang, {})}
    name = {**COEFFICIENT_LABELS["en"], **COEFFICIENT_LABELS.get(lang, {})}[coefficient]
    rows = table[table["coefficient"] == coefficient].dropna(subset=["estimate"])
    if rows.empty:
        return words["no_agreement"].format(coefficient=name)
    low, high = rows.loc[rows["estimate"].idxmin()], rows.loc[rows["estimate"].idxmax()]
    return words["agreement"].format(
        coefficient=name,
        median=number(rows["estimate"].median(), 2, lang=lang),
        low=number(low["estimate"], 2, lang=lang),
        low_code=book.label(low["scheme"], low["code"], lang),
        high=number(high["estimate"], 2, lang=lang),
        high_code=book.label(high["scheme"], high["code"], lang),
        n_667=int((rows["estimate"] >= 0.667).sum()),
        n=len(rows),
        n_800=int((rows["estimate"] >= 0.8).sum()),
    )


def count_text(value: object) -> str:
    """A count from a suppressed table for a sentence: the number, or "a suppressed
    number" where it was hidden."""
    return "a suppressed number" if value is None or pd.isna(value) else f"{number(int(value))}"


def ratio_text(table: pd.DataFrame, *, labels: Mapping[str, str], lang: Language = "en") -> str:
    """The ratios whose interval excludes 1, as a sentence part, or a statement that
    none does (none shown, where disclosure control hides a term's ratio). Expects a
    model result's ``table``."""
    ratio = "odds_ratio" if "odds_ratio" in table else "hazard_ratio"
    name = {"odds_ratio": "OR", "hazard_ratio": "HR"}[ratio]
    rows = table[table["term"] != "(Intercept)"]
    clear = rows[(rows["ci_low"] > 1) | (rows["ci_high"] < 1)]
    if clear.empty:
        words = {**TAKEAWAY_WORDS["en"], **TAKEAWAY_WORDS.get(lang, {})}
        head = {**MODEL_HEAD["en"], **MODEL_HEAD.get(lang, {})}
        ratio_name = name if lang == "en" else head[ratio].lower()
        hidden = "hidden" in rows and bool(rows["hidden"].any())
        return words["ratios_none_shown" if hidden else "ratios_none"].format(ratio=ratio_name)
    return "; ".join(
        f"{labels.get(r.term, r.term)} {name} {ratio_cell(getattr(r, ratio))} "
        f"({ratio_cell(r.ci_low)}–{ratio_cell(r.ci_high)})"
        for r in clear.itertuples(index=False)
    )


def notes_markdown(notes: list[str], lang: Language = "en") -> str:
    """A model's warnings as a Markdown block for the report (nothing when there are none)."""
    word = NOTE_WORD[lang]
    return "\n\n".join(f"> **{word}.** {note}" for note in notes)


def models_takeaway(
    population: pd.DataFrame,
    logistic: object,
    cox: object,
    *,
    labels: Mapping[str, str],
    lang: Language = "en",
    threshold: int = 10,
) -> str:
    """The finding of the models notebook in one paragraph, with numbers.

    ``population`` is :func:`cape_study.stats.models.population_counts` after disclosure
    control (its counts are the only ones named); ``logistic`` and ``cox`` are a
    :class:`cape_study.stats.models.LogisticResult` and :class:`cape_study.stats.models.CoxResult`.
    """
    totals = population[population["country"] == "all"].set_index("end")["cases"]
    if logistic.few_events:
        return exploratory_takeaway(population, logistic.epv, lang=lang, threshold=threshold)
    words = {**TAKEAWAY_WORDS["en"], **TAKEAWAY_WORDS.get(lang, {})}
    table = logistic.separation.table
    gone = set(table.loc[table["hidden"], "term"]) if "hidden" in table else set()
    separating = [labels.get(t, t) for t in logistic.separation.terms if t not in gone]
    why = words["separates"].format(terms=", ".join(separating)) if separating else ""
    hidden = MODEL_WORDS[lang]["hidden"]

    def count(value: object) -> str:
        return hidden if value is None or pd.isna(value) else number(int(value))

    text = words["takeaway_models"].format(
        prosecuted=count(totals.get("prosecuted")),
        closed=count(totals.get("closed")),
        method=fit_method(logistic.method, lang),
        why=why,
        level=percent(logistic.confidence, 0),
        interval=fit_method(logistic.interval, lang),
        logistic=ratio_text(logistic.table, labels=labels, lang=lang),
        cox_interval=fit_method(cox.interval, lang),
        cox=ratio_text(cox.table, labels=labels, lang=lang),
    )
    return f"**{takeaway_label(lang)}:** {text} {MODEL_WORDS[lang]['associations']}"


def fit_method(name: str, lang: Language = "en") -> str:
    """A model's fitting method or interval kind (the library's English name) in ``lang``."""
    return {**FIT_METHODS.get(lang, {}), **INTERVAL_KINDS.get(lang, {})}.get(name, name)


def exploratory_takeaway(
    population: pd.DataFrame, epv: float, *, lang: Language = "en", threshold: int = 10
) -> str:
    """The models takeaway when events per variable are below ``threshold``: descriptive
    (the cases prosecuted and closed), the models named exploratory, no ratio headlined.

    ``population`` is :func:`cape_study.stats.models.population_counts` after disclosure
    control; the EPV, which reveals the event count, is named only when that is shown.
    """
    words = MODEL_WORDS[lang]
    totals = population[population["country"] == "all"].set_index("end")["cases"]

    def count(value: object) -> str:
        return words["hidden"] if value is None or pd.isna(value) else number(int(value))

    shown = pd.notna(totals.get("prosecuted"))
    text = words["takeaway_exploratory"].format(
        prosecuted=count(totals.get("prosecuted")),
        closed=count(totals.get("closed")),
        epv=number(epv, 1) if shown else words["few"],
        threshold=threshold,
    )
    return f"**{takeaway_label(lang)}:** {text}"


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
            "kodbokens egna kodningsregler och exempel är ordlistans median-κ "
            f"{number(grounded, 2)} "
            f"i stället för {number(full, 2)}."
        )
    return (
        "*Synthetic data:* the generator writes each barrier with one of a few fixed "
        "sentences, which keywords written by someone who has read them catch easily, so the "
        f"dictionary's scores here are optimistic. With only the keywords that match the "
        f"codebook's own coding rules and examples, its median κ is {number(grounded, 2)} instead "
        f"of {number(full, 2)}."
    )


def text_coding_takeaway(
    table: pd.DataFrame,
    suggested: object,
    *,
    like: pd.DataFrame | None = None,
    lang: Language = "en",
) -> str:
    """The finding of a text-coding run in one paragraph: the median kappa of the
    classifier and the dictionary against the consensus over the codes the classifier
    was evaluated on (suppressed scores left out); like for like, on the same units, the
    classifier's median kappa against each coder beside the two coders' with each other,
    and for how many codes it reaches theirs (``like``:
    :func:`cape_study.stats.textcoding.like_for_like_summary` after disclosure control;
    without it, or without a second coder, the sentence says the coders' agreement cannot
    be measured); and how many uncoded units got a suggestion (``suggested``: a count
    from a suppressed table)."""
    summary = reliability.kappa_summary(table).set_index("method")
    median = summary["median"]
    n_codes = int(summary.loc["classifier", "n_codes"])
    count = count_text(suggested)
    head = TEXT_HEAD[lang]
    dictionary = (
        head["no_keywords"] if pd.isna(median["dictionary"]) else number(median["dictionary"], 2)
    )
    same = None
    if like is not None and like["kappa"].notna().any():
        same = reliability.kappa_summary(like, methods=("classifier", "human")).set_index("method")
    if same is None or pd.isna(same.loc["human", "median"]):
        coders = f"{head['one_coder'][0].upper()}{head['one_coder'][1:]}."
    else:
        coders = head["like"].format(
            classifier=number(same.loc["classifier", "median"], 2),
            human=number(same.loc["human", "median"], 2),
            reach=int(same.loc["classifier", "n_reaching"]),
            compared=int(same.loc["classifier", "n_compared"]),
        )
    if lang == "sv":
        count = count.replace("a suppressed number", head["suppressed"])
        return (
            f"**Slutsats:** Mot kodarnas konsensus når klassificeraren median-κ "
            f"{number(median['classifier'], 2)} och ordlistan {dictionary} för de "
            f"{n_codes} koder som klassificeraren prövades på. {coders} Förslag har tagits "
            f"fram för {count} okodade enheter."
        )
    return (
        f"**Takeaway:** Against the coders' consensus, the classifier reaches a median κ of "
        f"{number(median['classifier'], 2)} and the dictionary {dictionary} on the "
        f"{n_codes} codes the classifier was evaluated on. {coders} Suggestions were made for "
        f"{count} uncoded units."
    )


def fit_text(fit: object, lang: Language = "en", *, level: bool = True) -> str:
    """How a model was fitted and its intervals, in one Markdown line."""
    words = _sentences(lang)
    method, interval = fit_method(fit.method, lang), fit_method(fit.interval, lang)
    if not level:
        return words["fitted_no_level"].format(method=method, interval=interval)
    return words["fitted"].format(
        method=method, interval=interval, level=percent(fit.confidence, 0, lang=lang)
    )


def separation_text(
    separation: object, labels: Mapping[str, str] | None = None, lang: Language = "en"
) -> str:
    """Whether the maximum likelihood estimates exist (a
    :class:`cape_study.stats.separation.Separation`), in one sentence, with the test used.
    A term marked ``hidden`` in its table (:func:`cape_study.stats.model_links.hide_estimates`:
    its counts are hidden) is not named: an infinite estimate says a cell of its table is
    0."""
    words = {**SEPARATION_WORDS["en"], **SEPARATION_WORDS.get(lang, {})}
    if not separation.found:
        return words["none"] + words["test"]
    labels = labels or {}
    table = separation.table
    hidden = table["hidden"].to_numpy(bool) if "hidden" in table else [False] * len(table)
    rows = table[["term", "ml_estimate"]].itertuples(index=False)
    infinite = [(t, e, h) for (t, e), h in zip(rows, hidden, strict=True) if e != "finite"]
    named = ", ".join(f"{labels.get(t, t)} ({e})" for t, e, h in infinite if not h)
    if not named:  # every term named would say a hidden cell is 0
        return words["found_hidden"].format(kind=words[separation.kind]) + words["test"]
    if any(h for _, _, h in infinite):
        named += ", " + words["hidden_term"]
    return words["found"].format(kind=words[separation.kind], named=named) + words["test"]


def model_notes(
    fit: object,
    terms: list[str],
    *,
    labels: Mapping[str, str],
    lang: Language = "en",
    threshold: float = 10,
    min_cell_count: int = 1,
) -> str:
    """A model's warnings (too few events per variable, terms left out) as a Markdown
    block in ``lang``, from the fitted result: the events per variable are named only
    when the event count they reveal may be published (at least ``min_cell_count``), as
    :mod:`cape_study.stats.models` does. ``terms`` are the terms the model was asked for."""
    if lang == "en":
        return notes_markdown(fit.warnings, lang)
    words = _sentences(lang)
    notes = []
    if fit.few_events:
        logistic = hasattr(fit, "non_events")
        events = min(fit.events, fit.non_events) if logistic else fit.events
        n_terms = max(len(fit.terms), 1)
        shown = (
            number(fit.epv, 1, lang=lang)
            if events >= min_cell_count
            else words["fewer"].format(n=number(min_cell_count / n_terms, 1, lang=lang))
        )
        notes.append(
            words["epv"].format(
                shown=shown,
                what=words["epv_logistic" if logistic else "epv_cox"],
                threshold=number(threshold, lang=lang),
            )
        )
    notes += [
        words["left_out"].format(term=labels.get(t, t), n=number(fit.n, lang=lang))
        for t in terms
        if t not in fit.terms
    ]
    return notes_markdown(notes, lang)


def exploratory_note(
    fit: object, *, lang: Language = "en", threshold: float = 10, min_cell_count: int = 1
) -> str:
    """The note that a model below ``threshold`` events per variable is exploratory
    (empty when it is not); the events per variable are named only when the event count
    they reveal is at least ``min_cell_count``."""
    if not fit.few_events:
        return ""
    events = min(fit.events, fit.non_events) if hasattr(fit, "non_events") else fit.events
    epv = number(fit.epv, 1, lang=lang) if events >= min_cell_count else MODEL_WORDS[lang]["few"]
    return MODEL_WORDS[lang]["exploratory"].format(epv=epv, threshold=number(threshold, lang=lang))


def hidden_section_text(tables: int, lang: Language = "en", threshold: int = 1) -> str:
    """The one sentence that stands for a section's ``tables`` tables whose every cell
    is hidden: why they are not shown, and from what count (``threshold``, the
    parameter ``min_cell_count``) they would be."""
    words = {**HIDDEN_WORDS["en"], **HIDDEN_WORDS.get(lang, {})}
    return words["section"].format(k=number(tables, lang=lang), n=number(threshold, lang=lang))
