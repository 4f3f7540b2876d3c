"""Every word the report's tables and figures show that is not a code of the codebook:
headings, titles, the labels of values that are not codes, and the functions that put the
codebook's labels on codes (sv and en). The one home of these words; codes are labelled from
the codebook (:mod:`cape_study.data.codebook`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.labels.sentences import (
    CI_METHODS,
    FIT_METHODS,
    HIDDEN_WORDS,
    RULE_LABELS,
    SENTENCES,
    SEPARATION_WORDS,
    TAKEAWAY_WORDS,
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
    "OUTCOME_TITLE",
    "PATH_LABELS",
    "POPULATION_ENDS",
    "RULE_LABELS",
    "SECTIONS",
    "SENTENCES",
    "SEPARATION_WORDS",
    "SYNTHETIC_MARK",
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


FUNNEL_HEAD = {
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

#: Headings of the drop-out matrix, closure reasons and barriers at drop-out
#: (:mod:`cape_study.stats.dropout`).
DROPOUT_HEAD = {
    "en": {
        "stage": "Stage",
        "at_stage": "Cases at the stage",
        "moved_on": "Moved on ({ci} CI)",
        "dropped_out": "Dropped out here",
        "still_open": "Still open here",
        "reason": "Closure reason",
        "closed": "closed",
        "coded": "coded",
        "cell": "cases (share; {ci} CI)",
        "unknown": "No reason recorded",
        "document": {
            "closure_decision": "closure decisions",
            "judgment": "judgments",
        },
        "stage_of": "closed at: {stage}",
        "before": "reported before {date}",
        "after": "reported from {date}",
        "sources": "Sources",
        "acquitted": "Acquitted (final)",
        "convicted": "Convicted (final)",
        "frame": "Sampling frame: {frame}.",
        "frame_implies": "Sampling frame: {frame}. Every case reached these stages by the "
        "way the cases were chosen, so no share moves on from them (–): {stages}.",
    },
    "sv": {
        "stage": "Steg",
        "at_stage": "Ärenden i steget",
        "moved_on": "Gick vidare ({ci} KI)",
        "dropped_out": "Föll bort här",
        "still_open": "Pågår här",
        "reason": "Skäl för nedläggning",
        "closed": "nedlagda",
        "coded": "kodade",
        "cell": "ärenden (andel; {ci} KI)",
        "unknown": "Inget skäl angivet",
        "document": {
            "closure_decision": "nedläggningsbeslut",
            "judgment": "domar",
        },
        "stage_of": "nedlagt vid: {stage}",
        "before": "anmälda före {date}",
        "after": "anmälda från {date}",
        "sources": "Källor",
        "acquitted": "Frikänd (slutligt)",
        "convicted": "Fälld (slutligt)",
        "frame": "Urvalsram: {frame}.",
        "frame_implies": "Urvalsram: {frame}. Varje ärende nådde dessa steg genom hur "
        "ärendena valdes, så ingen andel går vidare från dem (–): {stages}.",
    },
}

#: Headings of the sanctions table (:mod:`cape_study.stats.sanctions`).
SANCTION_HEAD = {
    "en": {
        "family": "Offence family (most serious conviction)",
        "sentenced": "Defendants sentenced",
        "prison": "Prison",
        "months": "Prison, months: median (quartiles)",
        "conditional": "Conditional sentence or probation",
        "day_fines": "Day fines",
        "day_fines_median": "Day fines: median",
        "damages": "Ordered to pay damages",
        "damages_median": "Damages per defendant: median",
    },
    "sv": {
        "family": "Brottsfamilj (allvarligaste fällande dom)",
        "sentenced": "Dömda tilltalade",
        "prison": "Fängelse",
        "months": "Fängelse, månader: median (kvartiler)",
        "conditional": "Villkorlig dom eller skyddstillsyn",
        "day_fines": "Dagsböter",
        "day_fines_median": "Dagsböter: median",
        "damages": "Ålagda skadestånd",
        "damages_median": "Skadestånd per tilltalad: median",
    },
}

#: Headings of the legal-element tables (:mod:`cape_study.stats.elements`).
ELEMENT_HEAD = {
    "en": {
        "instance": "Instance",
        "assessed": "Assessed",
        "not_proven": "Not proven ({ci} CI)",
        "pairs": "Assessed at both instances",
        "differ": "Assessed differently ({ci} CI)",
        "side": "{side} {date}: not proven of assessed",
        "before": "judged before",
        "after": "judged from",
        "difference": "Difference, before − after ({ci} CI)",
        "of": "{count} of {n}",
    },
    "sv": {
        "instance": "Instans",
        "assessed": "Prövade",
        "not_proven": "Inte styrkt ({ci} KI)",
        "pairs": "Prövat i båda instanserna",
        "differ": "Bedömt olika ({ci} KI)",
        "side": "{side} {date}: inte styrkt av prövade",
        "before": "dömda före",
        "after": "dömda från",
        "difference": "Skillnad, före − efter ({ci} KI)",
        "of": "{count} av {n}",
    },
}

#: The headings and opening paragraphs of sections written from the library (Markdown),
#: so that they read in the report's language: {section: {lang: text}}.
SECTIONS = {
    "dropout": {
        "en": "## Why cases drop out, stage by stage\n\n"
        "Sweden beside Finland: of the cases at each stage, how many moved on to the next "
        "(a first-instance judgment moves on when the final outcome is a conviction), how "
        "many dropped out there (closed, or acquitted) and how many were still open at the "
        "data cut-off (`cape_study.stats.dropout`). Open cases stay in the denominator, so "
        "for recent reports the share moving on is a lower bound.",
        "sv": "## Varför ärenden faller bort, steg för steg\n\n"
        "Sverige bredvid Finland: av ärendena i varje steg, hur många som gick vidare till "
        "nästa (en dom i första instans går vidare när det slutliga utfallet är en fällande "
        "dom), hur många som föll bort där (lades ned eller frikändes) och hur många som "
        "fortfarande pågick vid datagränsen (`cape_study.stats.dropout`). Pågående ärenden "
        "ingår i nämnaren, så för sent anmälda ärenden är andelen som går vidare en undre "
        "gräns.",
    },
    "reasons": {
        "en": "### Closure reasons, by the stage where the case was closed\n\n"
        "Each closed case counts once, with the reason of its last closure decision (if "
        "that decision gives several, the first in the codebook's order). The reasons of a "
        "stage add up to the cases closed there. The reason is the decision's wording, not "
        "a finding about why the case failed.",
        "sv": "### Skäl för nedläggning, efter steget där ärendet lades ned\n\n"
        "Varje nedlagt ärende räknas en gång, med skälet i dess sista nedläggningsbeslut "
        "(anger beslutet flera, det första i kodbokens ordning). Skälen i ett steg summerar "
        "till de ärenden som lades ned där. Skälet är beslutets formulering, inte ett fynd "
        "om varför ärendet inte gick vidare.",
    },
    "victims": {
        "en": "## The victims' view\n\n"
        "Of the victims identified in the cases, how many gave a statement, had counsel "
        "for the injured party, and were victims in a case that reached prosecution or "
        "ended in a conviction (of any offence). Whether a victim was an injured party in "
        "the judgment, and was awarded damages, needs the link between offences and "
        "victims and the sanctions, which this case file does not hold. Every share has "
        "the identified victims as its denominator (a blank counts as not known to have "
        "happened).",
        "sv": "## Offrens perspektiv\n\n"
        "Av de offer som identifierats i ärendena: hur många lämnade uppgifter i förhör, "
        "hade målsägandebiträde och var offer i ett ärende som ledde till åtal eller till "
        "fällande dom (för något brott). Om ett offer var målsägande i domen och fick "
        "skadestånd kräver kopplingen mellan brott och offer och påföljderna, som "
        "ärendefilen inte har. Varje andel har de identifierade offren som nämnare (en tom "
        "uppgift räknas som inte känd att ha skett).",
    },
    "legal_change": {
        "en": "## Before and after the legal changes\n\n"
        "For each legal change chosen (parameter legal_changes; dates and sources in "
        "`reference/legal_changes.yaml`), the funnel of its country's cases reported "
        "before the date beside those reported on or after it (the report date decides "
        "which law applied to the acts reported; for a precedent, which applies to later "
        "decisions too, the split is an approximation). Later cases have had less time, "
        "so their shares are lower bounds; a difference is a change over time, not an "
        "effect of the law. The report periods of the other sections start at the years of "
        "these changes.",
        "sv": "## Före och efter lagändringarna\n\n"
        "För varje vald lagändring (parametern legal_changes; datum och källor i "
        "`reference/legal_changes.yaml`) visas trattmodellen för landets ärenden anmälda "
        "före datumet bredvid dem som anmäldes samma dag eller senare (anmälningsdatumet "
        "avgör vilken lag som gällde för de anmälda gärningarna; för ett prejudikat, som "
        "också gäller senare beslut, är uppdelningen en approximation). Senare ärenden har "
        "haft kortare tid, så deras andelar är undre gränser; en skillnad är en förändring "
        "över tid, inte en effekt av lagen. Rapportperioderna i de andra avsnitten börjar "
        "de år då ändringarna skedde.",
    },
    "closure_barriers": {
        "en": "## Barriers named in closure decisions, by stage and country\n\n"
        "Barriers are analysed where they are recorded. Here: the barriers coded on the "
        "closure decisions of the cases closed before a judgment, first over every stage "
        "of closure, then by the stage where the case was closed (its furthest stage). "
        "Only cases whose closure decision was coded count in a denominator. Every share "
        "compares cases coded from the same kind of document.",
        "sv": "## Hinder som nämns i nedläggningsbeslut, efter steg och land\n\n"
        "Hindren analyseras där de registreras. Här: hindren som kodats i "
        "nedläggningsbesluten för ärenden som lades ned före dom, först över alla steg, "
        "sedan efter steget där ärendet lades ned (dess sista steg). Bara ärenden vars "
        "nedläggningsbeslut kodats ingår i en nämnare. Varje andel jämför ärenden kodade "
        "från samma slags handling.",
    },
    "judgment_barriers": {
        "en": "## Barriers named in judgments: acquittals beside convictions\n\n"
        "The barriers coded on the judgments of judged cases, by final outcome (acquitted, "
        "or convicted of any offence), with the difference acquitted minus convicted "
        "(Newcombe's hybrid score interval): both groups are coded from judgments, so the "
        "comparison is like for like. Few cases are judged, so most cells may be "
        "suppressed.",
        "sv": "## Hinder som nämns i domar: frikännanden bredvid fällande domar\n\n"
        "Hindren som kodats i domarna i dömda ärenden, efter slutligt utfall (frikänd, "
        "eller fälld för något brott), med skillnaden frikända minus fällda (Newcombes "
        "hybrida score-intervall): båda grupperna är kodade från domar, så jämförelsen "
        "avser samma slags handling. Få ärenden döms, så de flesta celler kan vara "
        "undertryckta.",
    },
    "case_signs": {
        "en": "## ILO indicators and agency signs, by country\n\n"
        "Coded on the case as a whole, from all its documents. They are shown by country "
        "only: a prosecuted case has more documents than a closed one, so a comparison by "
        "outcome would partly measure how much was written.",
        "sv": "## ILO:s indikatorer och myndigheternas tecken, efter land\n\n"
        "Kodade på ärendet som helhet, från alla dess handlingar. De visas bara efter "
        "land: ett åtalat ärende har fler handlingar än ett nedlagt, så en jämförelse "
        "efter utfall skulle delvis mäta hur mycket som skrivits.",
    },
    "group_tests": {
        "en": "### Do Sweden and Finland differ in time to prosecution?\n\n"
        "Two tests of the same curves (`cape_study.stats.survival_tests.compare_groups`). "
        "The **log-rank test** compares the rate at which open cases are prosecuted, with "
        "a closure ending a case's follow-up (as in the Cox model). **Gray's test** "
        "compares the share of cases prosecuted by each time, closure competing (as the "
        "cumulative incidence curves above). They can disagree: a country that closes "
        "cases sooner prosecutes a smaller share even at the same rate among open cases.",
        "sv": "### Skiljer sig Sverige och Finland i tid till åtal?\n\n"
        "Två test av samma kurvor (`cape_study.stats.survival_tests.compare_groups`). "
        "**Logrank-testet** jämför takten med vilken öppna ärenden åtalas, där en "
        "nedläggning avslutar ärendets uppföljning (som i Coxmodellen). **Grays test** "
        "jämför andelen ärenden som åtalats vid varje tidpunkt, med nedläggning som "
        "konkurrerande händelse (som kurvorna för kumulativ incidens ovan). De kan skilja "
        "sig åt: ett land som lägger ned ärenden tidigare åtalar en mindre andel även med "
        "samma takt bland öppna ärenden.",
    },
}

#: Sentences of the barriers takeaway (02_barriers): what the design can and cannot show.
BARRIER_WORDS = {
    "en": {
        "lead": "Barriers are read where they are recorded. In closure decisions the "
        "barriers named most often were: {top}",
        "none": "none can be shown",
        "barrier_shares": "the barriers' shares",
        "judged": "In judgments, {acquitted} acquitted and {convicted} convicted cases were coded.",
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
        "judged": "I domarna kodades {acquitted} frikända och {convicted} fällda ärenden.",
        "design": "Upplägget visar vilka hinder besluten nämner, i vilket steg och i vilket "
        "land; det kan inte visa att ett hinder orsakade att ett ärende föll bort, och det "
        "jämför inte nedlagda med åtalade ärenden, vars hinder kodas från olika handlingar "
        "(nedläggningsbeslut mot domar).",
        "rule": "kodarna kombinerade med regeln {rule}; kodbok {version}",
    },
}

#: Words of the models step (03_models) on what its models can show.
MODEL_WORDS = {
    "en": {
        "exploratory": "**Exploratory model.** With {epv} events per estimated coefficient "
        "(fewer than {threshold}) the estimates are unstable: read them as a description "
        "of these cases, not as a finding.",
        "process": "## Process variables, by outcome (descriptive)\n\n"
        "{names}: these come about during the investigation (counsel for the injured "
        "party is appointed in it, statements are taken in it, a victim may leave while "
        "it lasts), so they are consequences of the process as much as causes of its "
        "outcome. They are shown here as counts by outcome and are not in the default "
        "model; named in the parameter `predictors`, they enter it as mediators, to be "
        "read with this in mind.",
        "within": "## Within {country}: predictors of its own law\n\n"
        "{names} exists only in {country}: in a model of both countries it is zero for "
        "every case of the other country, which separates the outcome by design, so it is "
        "modelled here among the cases of {country} only.",
        "takeaway_exploratory": "Of the cases with a suspect, every predictor known and an "
        "outcome by the cut-off, {prosecuted} were prosecuted and {closed} closed without "
        "prosecution. With {epv} events per estimated coefficient (fewer than "
        "{threshold}) the models are exploratory: their odds and hazard ratios are in the "
        "tables above and are not findings. The models describe associations in these "
        "cases; they cannot show that a feature causes prosecution.",
        "few": "so few",
        "hidden": "a suppressed number",
        "associations": "The models describe associations in these cases; they cannot "
        "show that a feature causes prosecution.",
    },
    "sv": {
        "exploratory": "**Explorativ modell.** Med {epv} händelser per skattad koefficient "
        "(färre än {threshold}) är skattningarna instabila: läs dem som en beskrivning av "
        "dessa ärenden, inte som ett resultat.",
        "process": "## Processvariabler, efter utfall (beskrivande)\n\n"
        "{names}: de uppstår under utredningen (målsägandebiträde förordnas i den, förhör "
        "hålls i den, ett offer kan lämna landet medan den pågår), så de är lika mycket "
        "följder av processen som orsaker till dess utfall. De visas här som antal efter "
        "utfall och ingår inte i standardmodellen; anges de i parametern `predictors` ingår "
        "de som mediatorer, och ska läsas med detta i minnet.",
        "within": "## Inom {country}: variabler från landets egen lag\n\n"
        "{names} finns bara i {country}: i en modell av båda länderna är den noll för "
        "varje ärende i det andra landet, vilket separerar utfallet av konstruktionen, så "
        "den modelleras här bland ärendena i {country} enbart.",
        "takeaway_exploratory": "Av ärendena med en misstänkt, alla variabler kända och "
        "ett utfall vid datagränsen, ledde {prosecuted} till åtal och {closed} lades ned "
        "utan åtal. Med {epv} händelser per skattad koefficient (färre än {threshold}) är "
        "modellerna explorativa: deras oddskvoter och hazardkvoter står i tabellerna ovan "
        "och är inte resultat. Modellerna beskriver samband i dessa ärenden; de kan inte "
        "visa att en egenskap orsakar åtal.",
        "few": "så få",
        "hidden": "ett undertryckt antal",
        "associations": "Modellerna beskriver samband i dessa ärenden; de kan inte visa "
        "att en egenskap orsakar åtal.",
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

MODEL_HEAD = {
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

INTERVAL_KINDS = {
    "en": {"profile penalised likelihood": "profile penalised likelihood", "Wald": "Wald"},
    "sv": {"profile penalised likelihood": "profil av penaliserad likelihood", "Wald": "Wald"},
}

POPULATION_ENDS = {
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
        "years": "Years since the report",
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
        "years": "År sedan anmälan",
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
#: The legend of the marks of hidden cells (:mod:`cape_study.present.display`), under every
#: table that holds one and on the first sheet of a step's workbook; ``{n}`` is the
#: threshold (``min_cell_count``), ``{m}`` one less.
HIDDEN_LEGEND = {
    "en": {
        "small": "a count from 1 to {m}, hidden because it is below {n}",
        "any": "hidden by disclosure control: a count hidden so that no count below {n} "
        "can be worked out from totals or other tables (secondary suppression), or a "
        "small count whose own mark would narrow it; it may be any number, small or "
        "large; also a share, estimate or score computed from a hidden count",
        "head": "Marks",
    },
    "sv": {
        "small": "ett antal från 1 till {m}, dolt eftersom det är under {n}",
        "any": "dolt av röjandekontroll: ett antal dolt så att inget antal under {n} kan "
        "räknas fram ur summor eller andra tabeller (sekundär undertryckning), eller ett "
        "litet antal som sitt eget tecken skulle avslöja mer om; det kan vara vilket tal "
        "som helst, litet eller stort; även en andel, skattning eller ett mått beräknat "
        "på ett dolt antal",
        "head": "Tecken",
    },
    "fi": {
        "small": "lukumäärä 1–{m}, piilotettu, koska se on alle {n}",
        "any": "piilotettu tietosuojan vuoksi: lukumäärä, joka on piilotettu, jotta mitään "
        "alle {n}:n lukumäärää ei voi laskea summista tai muista taulukoista (toissijainen "
        "suojaus), tai pieni lukumäärä, josta sen oma merkki kertoisi liikaa; se voi olla "
        "mikä tahansa luku, pieni tai suuri; myös piilotetusta lukumäärästä laskettu "
        "osuus, estimaatti tai mittaluku",
        "head": "Merkit",
    },
}

#: The first sheet of a step's workbook (:func:`cape_study.notebook.write_workbook`).
WORKBOOK_ABOUT = {
    "en": {
        "sheet": "About",
        "what": "What this is",
        "text": "The tables of step {step} ({title}) as its report page shows them, "
        "after disclosure control: one sheet per table.",
        "run": "Made by",
        "published": "the pipeline (cape-study run): the published report",
        "lab": "the notebook run by hand (reports/lab): not the published report",
        "warning": "WARNING",
        "synthetic": "SYNTHETIC DATA: an invented case file; nothing in it describes a "
        "real case or person.",
        "case": "Case file",
        "no_label": "(no label given: see the data hash in the report's provenance)",
        "codebook": "Codebook version",
        "cutoff": "Data cut-off",
        "parameters": "Parameters",
        "marks": "Marks",
        "dash": "not estimable (too few examples to model)",
        "sheets": "Sheets",
        "sheet_name": "Sheet",
        "table_name": "Table",
        "unknown": "unknown",
        "count": "number",
        "estimate": "estimate",
        "lower": "lower limit",
        "upper": "upper limit",
    },
    "sv": {
        "sheet": "Om",
        "what": "Vad detta är",
        "text": "Tabellerna i steg {step} ({title}) så som rapportsidan visar dem, "
        "efter röjandekontroll: ett blad per tabell.",
        "run": "Gjord av",
        "published": "pipelinen (cape-study run): den publicerade rapporten",
        "lab": "notebooken körd för hand (reports/lab): inte den publicerade rapporten",
        "warning": "VARNING",
        "synthetic": "SYNTETISKA DATA: ett påhittat ärendematerial; inget i det beskriver "
        "ett verkligt ärende eller en verklig person.",
        "case": "Ärendematerial",
        "no_label": "(ingen etikett angiven: se datahashen i rapportens härkomstuppgifter)",
        "codebook": "Kodboksversion",
        "cutoff": "Datum för datauttag",
        "parameters": "Parametrar",
        "marks": "Tecken",
        "dash": "kan inte skattas (för få exempel för en modell)",
        "sheets": "Blad",
        "sheet_name": "Blad",
        "table_name": "Tabell",
        "unknown": "okänt",
        "count": "antal",
        "estimate": "skattning",
        "lower": "nedre gräns",
        "upper": "övre gräns",
    },
    "fi": {
        "sheet": "Tietoja",
        "what": "Mikä tämä on",
        "text": "Vaiheen {step} ({title}) taulukot sellaisina kuin raporttisivu ne näyttää, "
        "tietosuojakäsittelyn jälkeen: yksi välilehti taulukkoa kohden.",
        "run": "Tekijä",
        "published": "putki (cape-study run): julkaistu raportti",
        "lab": "käsin ajettu muistikirja (reports/lab): ei julkaistu raportti",
        "warning": "VAROITUS",
        "synthetic": "SYNTEETTINEN AINEISTO: keksitty asia-aineisto; mikään siinä ei kuvaa "
        "todellista asiaa tai henkilöä.",
        "case": "Asia-aineisto",
        "no_label": "(ei nimeä: katso aineiston tiiviste raportin alkuperätiedoista)",
        "codebook": "Koodikirjan versio",
        "cutoff": "Aineiston rajauspäivä",
        "parameters": "Parametrit",
        "marks": "Merkit",
        "dash": "ei voida estimoida (liian vähän esimerkkejä mallille)",
        "sheets": "Välilehdet",
        "sheet_name": "Välilehti",
        "table_name": "Taulukko",
        "unknown": "tuntematon",
        "count": "lukumäärä",
        "estimate": "estimaatti",
        "lower": "alaraja",
        "upper": "yläraja",
    },
}


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
