"""Every word the report's tables and figures show that is not a code of the codebook:
headings, titles, the labels of values that are not codes, and the functions that put the
codebook's labels on codes (sv and en). The one home of these words; codes are labelled from
the codebook (:mod:`cape_study.data.codebook`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.labels.heads import DROPOUT_HEAD, ELEMENT_HEAD, FUNNEL_HEAD, SANCTION_HEAD
from cape_study.present.labels.models import (
    INTERVAL_KINDS,
    MODEL_HEAD,
    MODEL_WORDS,
    POPULATION_ENDS,
)
from cape_study.present.labels.sections import SECTIONS
from cape_study.present.labels.sentences import (
    CI_METHODS,
    FIT_METHODS,
    HIDDEN_WORDS,
    RULE_LABELS,
    SENTENCES,
    SEPARATION_WORDS,
    TAKEAWAY_WORDS,
)
from cape_study.present.labels.workbook import (
    HIDDEN_LEGEND,
    OFFENCE_STEPS,
    TABLE_NAMES,
    WORKBOOK_ABOUT,
)

__all__ = [
    "ATTRITION_TITLES",
    "BARRIER_HEAD",
    "BARRIER_TITLES",
    "BARRIER_WORDS",
    "CASE_NAMES",
    "CI_METHODS",
    "COEFFICIENT_LABELS",
    "COLUMN_LABELS",
    "COMPARISON_HEAD",
    "COUNT_WORDS",
    "DESCRIBE_HEAD",
    "DROPOUT_HEAD",
    "DURATION_WORDS",
    "ELEMENT_HEAD",
    "END_LABELS",
    "FIT_METHODS",
    "FOREST_TITLES",
    "FUNNEL_HEAD",
    "FUNNEL_TITLES",
    "GROUP_LABELS",
    "HIDDEN_LEGEND",
    "HIDDEN_WORDS",
    "INTERVAL_KINDS",
    "MODEL_HEAD",
    "MODEL_WORDS",
    "NOTE_WORD",
    "NOT_APPLICABLE",
    "OFFENCE_STEPS",
    "OUTCOME_TITLE",
    "PATH_LABELS",
    "POPULATION_ENDS",
    "RULE_LABELS",
    "SANCTION_HEAD",
    "SECTIONS",
    "SENTENCES",
    "SEPARATION_WORDS",
    "SYNTHETIC_MARK",
    "TABLE_NAMES",
    "TAKEAWAY_WORDS",
    "TEXT_HEAD",
    "TEXT_TITLES",
    "WORKBOOK_ABOUT",
    "code_labels",
    "column_label",
    "describe_headings",
    "group_label",
    "ordered_groups",
    "section_text",
    "sort_groups",
    "step_labels",
    "with_labels",
]


#: Sentences of the barriers takeaway (02_barriers): what the design can and cannot show.
BARRIER_WORDS = {
    "en": {
        "lead": "Barriers are read where they are recorded. In closure decisions the "
        "barriers named most often were: {top}",
        "none": "none can be shown",
        "barrier_shares": "the barriers' shares",
        "judged": "In judgments, {items} cases were coded.",
        "judged_groups": {"acquitted": "{n} acquitted", "convicted": "{n} convicted"},
        "judged_hidden": "coded judged cases",
        "judged_names": {"acquitted": "acquitted", "convicted": "convicted"},
        "and": " and ",
        "design": "This design shows which barriers the decisions name, at which stage and "
        "in which country; it cannot show that a barrier caused a case to drop out, and it "
        "does not compare closed with prosecuted cases, whose barriers are coded from "
        "different documents (closure decisions against judgments).",
        "rule": "coders combined by the {rule} rule; codebook {version}",
    },
    "sv": {
        "lead": "Hindren läses där de registreras. I nedläggningsbesluten nämndes oftast: {top}",
        "none": "inga kan visas",
        "barrier_shares": "hindrens andelar",
        "judged": "I domarna kodades {items} ärenden.",
        "judged_groups": {"acquitted": "{n} frikända", "convicted": "{n} fällda"},
        "judged_hidden": "kodade ärenden med dom",
        "judged_names": {"acquitted": "frikända", "convicted": "fällda"},
        "and": " och ",
        "design": "Upplägget visar vilka hinder besluten nämner, i vilket steg och i vilket "
        "land; det kan inte visa att ett hinder orsakade att ett ärende föll bort, och det "
        "jämför inte nedlagda med åtalade ärenden, vars hinder kodas från olika handlingar "
        "(nedläggningsbeslut mot domar).",
        "rule": "kodarna kombinerade med regeln {rule}; kodbok {version}",
    },
}

#: The mark on every figure exported from a run on synthetic data.
SYNTHETIC_MARK = {"en": "SYNTHETIC DATA", "sv": "SYNTETISKA DATA", "fi": "SYNTEETTINEN AINEISTO"}

#: Labels for the two case ends that are not outcome codes (see attrition.case_status).
END_LABELS = {
    "en": {"closed": "Closed without judgment", "open": "Open at the data cut-off"},
    "sv": {"closed": "Avslutat utan dom", "open": "Pågående vid datagränsen"},
}

#: Labels of values that are not codes of a codebook scheme: the offence families and
#: path ends of :func:`cape_study.stats.attrition.offence_paths`, and the ``"all"`` group of
#: :func:`cape_study.stats.attrition.funnel` with ``overall=True``.
PATH_LABELS = {
    "en": {
        "trafficking": "Human trafficking",
        "exploitation": "Labour exploitation",
        "work_environment": "Work-environment or employer offence",
        "economic": "Economic offence",
        "other": "Another offence",
        "not_prosecuted": "Not prosecuted",
        "not_judged": "Not (yet) judged",
        "all": "All cases",
        "victim_identified": "Victims identified",
        "victim_statement": "Gave a statement",
        "victim_counsel": "Had counsel for the injured party",
        "victim_case_prosecuted": "Victim in a case that reached prosecution",
        "victim_case_convicted": "Victim in a case that ended in a conviction",
    },
    "sv": {
        "trafficking": "Människohandel",
        "exploitation": "Arbetskraftsexploatering",
        "work_environment": "Arbetsmiljö- eller arbetsgivarbrott",
        "economic": "Ekonomiskt brott",
        "other": "Annat brott",
        "not_prosecuted": "Inte åtalat",
        "not_judged": "Inte (ännu) dömt",
        "all": "Alla ärenden",
        "victim_identified": "Identifierade offer",
        "victim_statement": "Lämnade uppgifter i förhör",
        "victim_counsel": "Hade målsägandebiträde",
        "victim_case_prosecuted": "Offer i ett ärende som ledde till åtal",
        "victim_case_convicted": "Offer i ett ärende som ledde till fällande dom",
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

COMPARISON_HEAD = {
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

CASE_NAMES = {"en": "cases", "sv": "ärenden"}
#: Units of a time since the report (:func:`cape_study.present.display.duration`).
DURATION_WORDS = {
    "en": {"months": "months", "year": "year", "years": "years"},
    "sv": {"months": "månader", "year": "år", "years": "år"},
}
#: The word before a model's note in the report.
NOTE_WORD = {"en": "Note", "sv": "Obs"}

#: Labels of the outcome groups of :func:`cape_study.stats.barriers.outcome_groups`.
GROUP_LABELS = {
    "en": {"closed": "Closed before prosecution", "prosecuted": "Prosecuted"},
    "sv": {"closed": "Nedlagda före åtal", "prosecuted": "Ledde till åtal"},
}

#: Tests of :func:`cape_study.stats.survival_tests.compare_groups` and of a Cox model's
#: terms (:func:`cape_study.stats.cox.cox_fit`), and the table's heads.
GROUP_TEST_LABELS = {
    "en": {
        "log-rank": "Log-rank test: rate of prosecution among open cases (closure censors)",
        "Gray": "Gray's test: share prosecuted by each time (closure competes)",
        "likelihood ratio": "Likelihood ratio test of all terms",
        "Wald": "Wald test of all terms",
        "score": "Score (log-rank) test of all terms",
    },
    "sv": {
        "log-rank": "Logrank-test: takt för åtal bland öppna ärenden (nedläggning censurerar)",
        "Gray": "Grays test: andel åtalade vid varje tidpunkt (nedläggning konkurrerar)",
        "likelihood ratio": "Likelihetskvottest av alla termer",
        "Wald": "Waldtest av alla termer",
        "score": "Scoretest (logrank) av alla termer",
    },
}
GROUP_TEST_HEAD = {
    "en": {"test": "Test", "statistic": "Chi-square", "df": "Degrees of freedom", "p": "p"},
    "sv": {"test": "Test", "statistic": "Chi-två", "df": "Frihetsgrader", "p": "p"},
}

#: Labels of the coefficients of :data:`cape_study.stats.reliability.COEFFICIENTS`.
COEFFICIENT_LABELS = {
    "en": {
        "cohen_kappa": "Cohen's κ",
        "fleiss_kappa": "Fleiss' κ",
        "krippendorff_alpha": "Krippendorff's α",
        "gwet_ac1": "Gwet's AC1",
    },
    "sv": {
        "cohen_kappa": "Cohens κ",
        "fleiss_kappa": "Fleiss κ",
        "krippendorff_alpha": "Krippendorffs α",
        "gwet_ac1": "Gwets AC1",
    },
}

BARRIER_HEAD = {
    "en": {
        "difference": "Difference, closed − prosecuted ({ci} CI)",
        "difference_judged": "Difference, acquitted − convicted ({ci} CI)",
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
        "difference_judged": "Skillnad, frikända − fällda ({ci} KI)",
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

DESCRIBE_HEAD = {
    "en": {"report_year": "Year reported", "cases": "Cases", "table": "Table", "rows": "Rows"},
    "sv": {"report_year": "Anmälningsår", "cases": "Ärenden", "table": "Tabell", "rows": "Rader"},
}

TEXT_HEAD = {
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
        "ac1": "AC1",
        "unit": "Unit",
        "probability": "Probability",
        "by": "Proposed by",
        "both": "classifier and dictionary",
        "passage": "Passage",
        "why": "Terms / keyword",
        "suppressed": "a suppressed number of",
        "no_keywords": "(no keywords)",
        "one_coder": "no second coder coded the same units, so the coders' agreement with "
        "each other cannot be measured",
        "like": "Like for like, on the units both coders coded, the classifier agrees with "
        "each coder at a median κ of {classifier} (the mean of its κ against the two) and "
        "the coders with each other at {human}; the classifier reaches at least the coders' "
        "agreement for {reach} of {compared} codes.",
        "same_units": "Units both coders coded",
        "either": "Present (either)",
        "coder": "coder {coder}",
        "versus": "{rater} vs {reference}",
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
        "ac1": "AC1",
        "unit": "Enhet",
        "probability": "Sannolikhet",
        "by": "Föreslagen av",
        "both": "klassificerare och ordlista",
        "passage": "Textavsnitt",
        "why": "Termer / nyckelord",
        "suppressed": "ett undertryckt antal",
        "no_keywords": "(inga nyckelord)",
        "one_coder": "ingen andra kodare kodade samma enheter, så kodarnas överensstämmelse "
        "sinsemellan kan inte mätas",
        "like": "Lika mot lika, på de enheter som båda kodarna kodat, stämmer klassificeraren "
        "överens med varje kodare med median-κ {classifier} (medelvärdet av dess κ mot de "
        "två) och kodarna sinsemellan med {human}; klassificeraren når minst kodarnas "
        "överensstämmelse för {reach} av {compared} koder.",
        "same_units": "Enheter som båda kodarna kodat",
        "either": "Förekommer (någon)",
        "coder": "kodare {coder}",
        "versus": "{rater} mot {reference}",
        "matched": "Kodade enheter med träff",
        "words": "Träffade ord",
        "sentence": "Mening (belägg)",
    },
}

FUNNEL_TITLES = {
    "en": ("Share of reported cases reaching each stage", "Share of reported cases"),
    "sv": ("Andel anmälda ärenden som når varje steg", "Andel av anmälda ärenden"),
}

OUTCOME_TITLE = {"en": "Final outcome", "sv": "Slutligt utfall"}

ATTRITION_TITLES = {
    "en": {
        "groups": "Share of reported cases reaching each stage",
        "share": "Share of reported cases",
        "times": "Months since the report",
        "survival": "Share of cases still open",
        "cif": "Cumulative incidence",
        "suppressed": "case file: suppressed",
        "public": "Public statistics",
        "case": "This case file",
        "count": "Number (log scale)",
        "comparison": "The case file beside the national public statistics",
        "line": "line",
        "lines": "lines",
    },
    "sv": {
        "groups": "Andel anmälda ärenden som når varje steg",
        "share": "Andel av anmälda ärenden",
        "times": "Månader sedan anmälan",
        "survival": "Andel ärenden som fortfarande är öppna",
        "cif": "Kumulativ incidens",
        "suppressed": "akten: undertryckt",
        "public": "Offentlig statistik",
        "case": "Denna akt",
        "count": "Antal (logaritmisk skala)",
        "comparison": "Akten bredvid den nationella offentliga statistiken",
        "line": "rad",
        "lines": "rader",
    },
}

BARRIER_TITLES = {
    "en": {
        "prevalence": "{scheme}: share of coded cases with each code",
        "share": "Share of coded cases",
        "cooccurrence": "Codes in the same case: phi (colour) and cases with both (number)",
        "agreement": "Inter-coder agreement per code",
        "coefficient": "Agreement (1 = perfect, 0 = chance)",
        "thresholds": "α = 0.667 and 0.800 (Krippendorff 2004)",
    },
    "sv": {
        "prevalence": "{scheme}: andel kodade ärenden med varje kod",
        "share": "Andel kodade ärenden",
        "cooccurrence": "Koder i samma ärende: phi (färg) och ärenden med båda (antal)",
        "agreement": "Överensstämmelse mellan kodare per kod",
        "coefficient": "Överensstämmelse (1 = perfekt, 0 = slump)",
        "thresholds": "α = 0,667 och 0,800 (Krippendorff 2004)",
    },
}

FOREST_TITLES = {
    "en": {
        "odds_ratio": ("What predicts reaching prosecution", "Odds ratio"),
        "hazard_ratio": ("Rate of prosecution among cases still open", "Hazard ratio"),
        "axis": "{ratio} ({level} CI, {kind}; log scale)",
        "flagged": "infinite maximum likelihood estimate (separation): Firth estimate",
        "kinds": {"profile penalised likelihood": "profile penalised likelihood"},
    },
    "sv": {
        "odds_ratio": ("Vad förutsäger att ett ärende når åtal", "Oddskvot"),
        "hazard_ratio": ("Takten till åtal bland ärenden som ännu är öppna", "Hazardkvot"),
        "axis": "{ratio} ({level} KI, {kind}; logaritmisk skala)",
        "flagged": "oändlig ML-skattning (separation): Firth-skattning",
        "kinds": {"profile penalised likelihood": "profil av penaliserad likelihood"},
    },
}

COUNT_WORDS = {
    "en": {"cases": "Cases", "hidden": "x hidden (disclosure control)"},
    "sv": {"cases": "Ärenden", "hidden": "x dolt (röjandekontroll)"},
}

TEXT_TITLES = {
    "en": {
        "title": "Agreement with the coders' consensus, per code",
        "x": "Cohen's κ (1 = perfect, 0 = chance)",
        "classifier": "Classifier (cross-validated by case)",
        "dictionary": "Dictionary (codebook keywords)",
        "human": "Two coders, with each other",
    },
    "sv": {
        "title": "Överensstämmelse med kodarnas konsensus, per kod",
        "x": "Cohens κ (1 = perfekt, 0 = slump)",
        "classifier": "Klassificerare (korsvaliderad per ärende)",
        "dictionary": "Ordlista (kodbokens nyckelord)",
        "human": "Två kodare, sinsemellan",
    },
}
#: A cell for a step that cannot happen in a country: an offence (or the conviction
#: for it) that the country's law does not have, shown instead of a count or a 0 % share.
NOT_APPLICABLE = {"en": "not applicable", "sv": "ej tillämpligt", "fi": "ei sovellu"}


def section_text(name: str, lang: Language = "en") -> str:
    """A section's heading and opening paragraph (Markdown) from :data:`SECTIONS`."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; known: {', '.join(SECTIONS)}")
    return SECTIONS[name][lang]


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
    book = codebook_or_default(codebook)
    out = table.copy()
    for column, scheme in schemes.items():
        labels = END_LABELS[lang] | book.labels(scheme, lang)
        out[column] = out[column].astype("string").map(lambda c, m=labels: m.get(c, c))
    return out


def step_labels(lang: Language = "en", codebook: Codebook | None = None) -> dict[str, str]:
    """Labels of funnel steps and offence paths: stages, outcomes, families, path ends."""
    book = codebook_or_default(codebook)
    return (
        PATH_LABELS[lang]
        | END_LABELS[lang]
        | book.labels("outcome", lang)
        | book.labels("stage", lang)
    )


def group_label(
    column: str, value: object, lang: Language = "en", codebook: Codebook | None = None
) -> str:
    """The label of a group: a code of the scheme named like the column, else a path or
    funnel label (``"all"``), else the value itself (a period such as ``2021–2024``)."""
    book = codebook_or_default(codebook)
    value = str(value)
    if column in book.schemes and value in book.codes(column):
        return book.label(column, value, lang)
    return step_labels(lang, book).get(value, value)


def column_label(column: str, lang: Language = "en", codebook: Codebook | None = None) -> str:
    """A column's heading: the codebook's scheme label, else one of :data:`COLUMN_LABELS`."""
    book = codebook_or_default(codebook)
    if column in book.schemes:
        return book.scheme(column).label(lang)
    return COLUMN_LABELS[lang].get(column, column)


def describe_headings(lang: Language = "en") -> dict[str, str]:
    """Headings of the columns that describe a case file: ``report_year``, ``cases``,
    ``table``, ``rows``."""
    return dict(DESCRIBE_HEAD[lang])


def ordered_groups(values: pd.Series, column: str, codebook: Codebook | None = None) -> list[str]:
    """The distinct values of a grouping column, in codebook order (``"all"`` first)."""
    book = codebook_or_default(codebook)
    frame = pd.DataFrame({column: values}).drop_duplicates()
    return [str(v) for v in sort_groups(frame, [column], book)[column]]


def sort_groups(
    table: pd.DataFrame, columns: list[str], codebook: Codebook | None = None
) -> pd.DataFrame:
    """Rows sorted by each column in turn: codes of the scheme named like the column in
    codebook order (``"all"`` first), categoricals in their order, else as they come."""
    book = codebook_or_default(codebook)
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


def code_labels(table: pd.DataFrame, book: Codebook, lang: Language) -> list[str]:
    return [book.label(s, c, lang) for s, c in zip(table["scheme"], table["code"], strict=True)]
