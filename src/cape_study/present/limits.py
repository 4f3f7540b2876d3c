"""What a section cannot show with these data, and what data would make it possible.

A statistics function that the case file cannot support raises
:class:`cape_study.errors.CannotEstimate` with a ``reason`` (a key of :data:`REASONS`)
and the ``facts`` its sentence needs. :func:`cannot_text` words it in the report's
language: one sentence saying why the section cannot be estimated here, and one saying
what data would make it possible. Every reason has every language of :data:`LANGUAGES`
(a test checks it), so no sentence is ever left unworded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.errors import CannotEstimate
from cape_study.present.display import number

__all__ = [
    "LANGUAGES",
    "REASONS",
    "absent_causes_text",
    "blanks_sentence",
    "blanks_text",
    "cannot_text",
    "implied_stages_text",
    "imprecise_dates_text",
    "pooled_alpha_text",
    "takeaway_label",
]

LANGUAGES = ("en", "sv")

#: Why an estimate cannot be made, and what would make it possible: {reason: {lang: text}}.
#: The texts are ``str.format`` templates over the exception's facts.
REASONS: dict[str, dict[str, str]] = {
    "imprecise_dates": {
        "en": "No case has its report and its end dated to the day, so times to prosecution "
        "or closure cannot be estimated ({n} case(s) dated only to the month or year). "
        "Dates to the day would make it possible.",
        "sv": "Inget ärende har anmälan och slut daterade till dagen, så tiden till åtal eller "
        "nedläggning kan inte skattas ({n} ärenden daterade bara till månad eller år). "
        "Datum till dagen skulle göra det möjligt.",
    },
    "sampling_frame": {
        "en": "The cases were chosen as {frame}, so every case reached {implied} by the way "
        "it was chosen, and shares of reported cases cannot be estimated. A sample of police "
        "reports followed forward would make it possible.",
        "sv": "Ärendena valdes som {frame}, så varje ärende nådde {implied} genom urvalet, "
        "och andelar av anmälda ärenden kan inte skattas. Ett urval av polisanmälningar "
        "följda framåt skulle göra det möjligt.",
    },
    "no_cases": {
        "en": "No case in the case file falls in {what}, so it cannot be estimated here. "
        "Cases of that kind in the case file would make it possible.",
        "sv": "Inget ärende i ärendefilen hör till {what}, så det kan inte skattas här. "
        "Ärenden av det slaget i ärendefilen skulle göra det möjligt.",
    },
    "no_elements": {
        "en": "The case file records no legal element (the elements table), so which "
        "element a court found not proven cannot be shown. Coding the courts' assessment of "
        "each element of the offence (proven, not proven, not assessed) would make it "
        "possible.",
        "sv": "Ärendefilen har inga rekvisit (tabellen elements), så vilket rekvisit en "
        "domstol fann inte styrkt kan inte visas. En kodning av domstolens bedömning av "
        "varje rekvisit i brottet (styrkt, inte styrkt, inte prövat) skulle göra det möjligt.",
    },
    "no_sanctions": {
        "en": "The case file records no sanction (the sanctions table), so sanctions cannot "
        "be summarised. The sanctions the judgments imposed would make it possible.",
        "sv": "Ärendefilen har inga påföljder (tabellen sanctions), så påföljderna kan inte "
        "sammanfattas. Påföljderna som domarna bestämde skulle göra det möjligt.",
    },
    "no_codings": {
        "en": "The case file has no codings{scheme}, so this section cannot be computed. "
        "Coders' codings of closure decisions, judgments or cases (the codings table) "
        "would make it possible.",
        "sv": "Ärendefilen har inga kodningar{scheme}, så avsnittet kan inte beräknas. "
        "Kodares kodningar av nedläggningsbeslut, domar eller ärenden (tabellen codings) "
        "skulle göra det möjligt.",
    },
    "one_coder": {
        "en": "Fewer than two coders coded the same units{scheme}, so agreement between "
        "coders cannot be computed. A second coder coding the same units would make it "
        "possible.",
        "sv": "Färre än två kodare har kodat samma enheter{scheme}, så överensstämmelsen "
        "mellan kodare kan inte beräknas. En andra kodare som kodar samma enheter skulle "
        "göra det möjligt.",
    },
    "earlier": {
        "en": "Not shown: it needs a result above that cannot be estimated here.",
        "sv": "Visas inte: det bygger på ett resultat ovan som inte kan skattas här.",
    },
    "too_few_units": {
        "en": "The coded units come from too few cases ({n}) for cross-validation in "
        "{needed} folds, so the classifier cannot be trained and scored here. At least "
        "{needed} coded cases would make it possible.",
        "sv": "De kodade enheterna kommer från för få ärenden ({n}) för korsvalidering i "
        "{needed} delar, så klassificeraren kan inte tränas och bedömas här. Minst "
        "{needed} kodade ärenden skulle göra det möjligt.",
    },
    "too_few_examples": {
        "en": "No code has {needed} coded units with it and {needed} without it (parameter "
        "min_examples), so the classifier cannot be trained and scored here. More coded "
        "units, or a smaller min_examples, would make it possible.",
        "sv": "Ingen kod har {needed} kodade enheter med koden och {needed} utan den "
        "(parametern min_examples), så klassificeraren kan inte tränas och bedömas här. "
        "Fler kodade enheter, eller ett mindre min_examples, skulle göra det möjligt.",
    },
    "one_group": {
        "en": "The case file holds cases of one country only, so the countries cannot be "
        "compared here. Cases from both countries would make it possible.",
        "sv": "Ärendefilen har ärenden från ett land, så länderna kan inte jämföras här. "
        "Ärenden från båda länderna skulle göra det möjligt.",
    },
    "no_event_of_cause": {
        "en": "No case was {cause} by the data cut-off, so the countries cannot be compared "
        "in time to it. Cases that reached it would make it possible.",
        "sv": "Inget ärende var {cause} före datagränsen, så länderna kan inte jämföras i "
        "tid till det. Ärenden som nått dit skulle göra det möjligt.",
    },
    "none_prosecuted": {
        "en": "No case was prosecuted (in at least one country), so offences cannot be "
        "followed from the report to the charge and the judgment here. Prosecuted cases "
        "would make it possible.",
        "sv": "Inget ärende har lett till åtal (i minst ett land), så brotten kan inte följas "
        "från anmälan till åtal och dom här. Åtalade ärenden skulle göra det möjligt.",
    },
    "no_complete_cases": {
        "en": "No case of the model population has every predictor known ({blanks}), so "
        "the model cannot be fitted. Filling in those fields, or leaving the predictors "
        "out (parameter `predictors`), would make it possible.",
        "sv": "Inget ärende i modellpopulationen har alla förklaringsvariabler kända "
        "({blanks}), så modellen kan inte skattas. Att fylla i de fälten, eller att ta bort "
        "variablerna (parametern `predictors`), skulle göra det möjligt.",
    },
    "no_outcome_variation": {
        "en": "Among the complete cases modelled ({n}), {events} had the outcome "
        "({outcome}) and {non_events} did not; a model needs at least one of each, so it "
        "is not fitted and the table of cases by predictor and outcome is shown instead. "
        "Cases with both outcomes would make it possible.",
        "sv": "Bland de fullständiga ärenden som modelleras ({n}) hade {events} utfallet "
        "({outcome}) och {non_events} inte; en modell kräver minst ett av varje, så den "
        "skattas inte och tabellen över ärenden efter variabel och utfall visas i stället. "
        "Ärenden med båda utfallen skulle göra det möjligt.",
    },
    "no_term_varies": {
        "en": "No predictor varies among the complete cases modelled ({n}), so there is "
        "nothing to estimate. Cases that differ in the predictors would make it possible.",
        "sv": "Ingen förklaringsvariabel varierar bland de fullständiga ärenden som "
        "modelleras ({n}), så det finns inget att skatta. Ärenden som skiljer sig i variablerna "
        "skulle göra det möjligt.",
    },
    "too_few_events": {
        "en": "The rarer outcome has fewer cases ({rarer}) than the model has coefficients "
        "({terms}), under one event per variable, so the model is not fitted and the table "
        "of cases by predictor and outcome is shown instead. More cases of the rarer "
        "outcome, or fewer predictors, would make it possible.",
        "sv": "Det ovanligare utfallet har färre ärenden ({rarer}) än modellen har "
        "koefficienter ({terms}), under en händelse per variabel, så modellen skattas inte "
        "och tabellen över ärenden efter variabel och utfall visas i stället. Fler ärenden "
        "med det ovanligare utfallet, eller färre variabler, skulle göra det möjligt.",
    },
    "no_convergence": {
        "en": "Among the complete cases modelled ({n}), the penalised likelihood has no "
        "maximum that the fitting could find (Newton's method, then a quasi-Newton "
        "search): some predictors nearly separate the outcomes, so the model is not "
        "fitted. More cases, or fewer predictors, would make it possible.",
        "sv": "Bland de fullständiga ärenden som modelleras ({n}) har den penaliserade "
        "likelihooden inget maximum som skattningen kunde hitta (Newtons metod, sedan en "
        "kvasi-Newtonsökning): några variabler skiljer nästan helt utfallen åt, så "
        "modellen skattas inte. Fler ärenden, eller färre variabler, skulle göra det möjligt.",
    },
    "collinear": {
        "en": "Among the complete cases modelled ({n}), some predictors are determined by "
        "the others (collinear), so their effects cannot be told apart. More cases, or "
        "fewer predictors, would make it possible.",
        "sv": "Bland de fullständiga ärenden som modelleras ({n}) bestäms några variabler av "
        "de andra (kollinearitet), så deras effekter kan inte skiljas åt. Fler ärenden, "
        "eller färre variabler, skulle göra det möjligt.",
    },
    "no_finite_term": {
        "en": "Every predictor's hazard ratio is infinite in these data (no prosecution on "
        "one side of each predictor), so the Cox model is not fitted. Prosecutions on "
        "both sides of a predictor would make it possible.",
        "sv": "Varje variabels hazardkvot är oändlig i dessa data (inget åtal på ena sidan "
        "om varje variabel), så Coxmodellen skattas inte. Åtal på båda sidor om en "
        "variabel skulle göra det möjligt.",
    },
}

_CAUSES = {
    "prosecuted": {"en": "prosecuted", "sv": "åtalat"},
    "prosecution": {"en": "prosecution", "sv": "åtal"},
    "closed": {"en": "closed without prosecution", "sv": "nedlagt utan åtal"},
}

#: The groups a :class:`CannotEstimate` of reason ``no_cases`` names (``what``), in words.
_GROUPS = {
    "closed cases": {"en": "closed cases", "sv": "nedlagda ärenden"},
    "identified victims": {"en": "identified victims", "sv": "identifierade offer"},
    "the case file": {"en": "the case file", "sv": "ärendefilen"},
    "the cases with exact dates": {
        "en": "the cases with exact dates",
        "sv": "ärendena med exakta datum",
    },
}

_TAKEAWAY = {"en": "Takeaway", "sv": "Slutsats"}

_BLANKS_LEAD = {
    "en": "Cases left out of the models because a predictor was blank: ",
    "sv": "Ärenden som lämnas utanför modellerna för att en variabel var tom: ",
}

_BLANKS = {
    "en": ("{name}: {n} case(s)", "no predictor was blank"),
    "sv": ("{name}: {n} ärende(n)", "ingen variabel var tom"),
}


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known languages: {', '.join(LANGUAGES)}")
    return lang


#: Facts that count cases: below the disclosure threshold they are not shown.
_CASE_COUNTS = ("n", "events", "non_events", "rarer")

_FEWER = {"en": "fewer than {threshold}", "sv": "färre än {threshold}"}


def _count(n: int, threshold: int, lang: str) -> str:
    """A count of cases as it may be published: 0, or at least ``threshold``."""
    return str(n) if n == 0 or n >= threshold else _FEWER[lang].format(threshold=threshold)


def cannot_text(error: CannotEstimate, lang: str = "en", *, threshold: int = 1) -> str:
    """The sentence saying why a section cannot be estimated here, in ``lang``.

    Counts of cases in it (and the blanks per predictor) that are below ``threshold``
    (the disclosure threshold, ``min_cell_count``) are written "fewer than 5"; zeros
    are published, as in the tables.
    """
    lang = _lang(lang)
    template = REASONS[error.reason][lang]
    facts = dict(error.facts)
    for key in _CASE_COUNTS:
        if isinstance(facts.get(key), int):
            facts[key] = _count(facts[key], threshold, lang)
    for key, words in (("cause", _CAUSES), ("outcome", _CAUSES), ("what", _GROUPS)):
        if facts.get(key) in words:
            facts[key] = words[facts[key]][lang]
    book = codebook_or_default(None)
    if "frame_code" in facts:  # the codebook's labels in the sentence's language
        facts["frame"] = book.label("sampling_frame", facts["frame_code"], lang).lower()
        facts["implied"] = book.label("stage", facts["implied_code"], lang).lower()
    if isinstance(facts.get("blanks"), Mapping):
        facts["blanks"] = blanks_text(facts["blanks"], lang=lang, threshold=threshold)
    return template.format(**facts)


def blanks_text(
    blanks: Mapping[str, int],
    *,
    lang: str = "en",
    labels: Mapping | None = None,
    threshold: int = 1,
) -> str:
    """How many cases each predictor's blanks removed, e.g. ``interpreter_needed: 12
    case(s)``; ``labels`` maps predictor names to their labels; counts below
    ``threshold`` are written "fewer than 5"."""
    lang = _lang(lang)
    each, none = _BLANKS[lang]
    parts = [
        each.format(name=(labels or {}).get(name, name), n=_count(n, threshold, lang))
        for name, n in blanks.items()
        if n
    ]
    return "; ".join(parts) if parts else none


def absent_causes_text(events: Sequence[object], causes: Sequence[str], lang: str = "en") -> str:
    """A sentence for each cause no case had (``""`` when every cause occurred): the
    curve of a cause without events is zero, and the others have nothing competing."""
    seen = set(events)
    missing = [c for c in causes if c not in seen]
    if not missing:
        return ""
    lang = _lang(lang)
    names = ", ".join(_CAUSES.get(c, {}).get(lang, str(c)) for c in missing)
    if lang == "sv":
        return (
            f"Inget ärende har utfallet {names} före brytdatum, så den kurvan är noll och "
            "konkurrerar inte med de andra. Ärenden med det utfallet skulle göra den möjlig."
        )
    return (
        f"No case was {names} by the data cut-off, so that curve is zero and does not "
        "compete with the others. Cases with that end would make it possible."
    )


def implied_stages_text(frame: str, lang: str = "en", codebook: Codebook | None = None) -> str:
    """A sentence naming the stages a sample of ``frame`` reached by its selection, left
    out of the funnel (``""`` for police reports followed forward)."""
    book = codebook_or_default(codebook)
    lang = _lang(lang)
    implied = book.scheme("sampling_frame").get(frame).implies
    if not implied:
        return ""
    stages = ", ".join(book.label("stage", s, lang) for s in implied)
    name = book.label("sampling_frame", frame, lang).lower()
    if lang == "sv":
        return (
            f"Urvalsram: {name}. Stadierna {stages} nåddes genom urvalet och visas inte som "
            "andelar."
        )
    return (
        f"Sampling frame: {name}. The stages {stages} were reached by selection and are not "
        "shown as shares."
    )


def imprecise_dates_text(
    n: int, min_count: int, lang: str = "en", *, hidden: str | None = None
) -> str:
    """A sentence saying how many cases the time-to-event estimates left out because a
    date was known only to the month or year (``""`` when none); a count below
    ``min_count`` is not shown. ``hidden``: how the whole-report protection publishes
    the count (:meth:`cape_study.stats.time_links.TimeClasses.link_left_out`: None as it
    is, ``"small"`` as fewer than ``min_count``, ``"any"`` not at all)."""
    if n <= 0:
        return ""
    lang = _lang(lang)
    fewer = {"sv": f"färre än {min_count}", "en": f"fewer than {min_count}"}[lang]
    shown = str(n) if n >= min_count and hidden is None else fewer
    if hidden == "any":
        shown = {"sv": "Några", "en": "Some"}[lang]
    if lang == "sv":
        return (
            f"{shown} ärenden vars anmälningsdatum eller slutdatum bara är känt till månad "
            "eller år ingår inte i tidsanalysen (de ingår i antal och tratt)."
        )
    return (
        f"{shown} case(s) whose report or end date is known only to the month or year are "
        "left out of the time-to-event estimates (they are in the counts and the funnel)."
    )


def takeaway_label(lang: str = "en") -> str:
    """The word that starts a takeaway ("Takeaway", "Slutsats")."""
    return _TAKEAWAY[_lang(lang)]


def blanks_sentence(
    blanks: Mapping[str, int],
    *,
    lang: str = "en",
    labels: Mapping | None = None,
    threshold: int = 1,
) -> str:
    """The sentence saying how many cases each predictor's blanks removed (always shown
    beside the model population; "no predictor was blank" when none was)."""
    text = blanks_text(blanks, lang=lang, labels=labels, threshold=threshold)
    return _BLANKS_LEAD[_lang(lang)] + text + "."


def pooled_alpha_text(
    pooled: pd.DataFrame, scheme_labels: Mapping[str, str], lang: str = "en"
) -> str:
    """Krippendorff's alpha pooled over each scheme, for a takeaway ("0.71 (0.62-0.80)
    for barriers; ..."), or, when no scheme has an estimate (one coder, no codings),
    the sentence saying why; never an empty value."""
    rows = pooled.dropna(subset=["estimate"])
    if rows.empty:
        return cannot_text(CannotEstimate("one_coder", "", scheme=""), lang)
    lead = {"en": "pooled over each scheme, α is ", "sv": "sammantaget per schema är α "}
    word = {"en": "for", "sv": "för"}[_lang(lang)]
    return lead[lang] + "; ".join(
        f"{number(r.estimate, 2)} ({number(r.ci_low, 2)}–{number(r.ci_high, 2)}) {word} "
        f"{scheme_labels.get(r.scheme, r.scheme)}"
        for r in rows.itertuples()
    )
