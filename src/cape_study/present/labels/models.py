"""The words of the models step (03_models): its notes, table headings and interval kinds.

Part of :mod:`cape_study.present.labels`, which re-exports every name."""

from __future__ import annotations

__all__ = ["INTERVAL_KINDS", "MODEL_HEAD", "MODEL_WORDS", "POPULATION_ENDS"]

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
