"""The legend of the marks of hidden cells and the first sheet of a step"s workbook.

Part of :mod:`cape_study.present.labels`, which re-exports every name."""

from __future__ import annotations

__all__ = ["HIDDEN_LEGEND", "OFFENCE_STEPS", "TABLE_NAMES", "WORKBOOK_ABOUT"]

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

#: The names of a step's tables in its workbook (sheet names, and the full names on the
#: About sheet), keyed by the English name a notebook shows a table under
#: (``tables.show(..., name=...)``). A key with ``{fields}`` matches names built from
#: codes: ``{group}`` a column (its label), ``{scheme}`` a scheme, ``{country}`` a country
#: (the codebook's labels), ``{row}`` and ``{col}`` a stage of an offence flow
#: (``OFFENCE_STEPS``), ``{change}`` a legal change (its date and label).
TABLE_NAMES = {
    "sv": {
        "Rows per table": "Rader per tabell",
        "Pseudonymised and masked": "Pseudonymiserat och maskerat",
        "Cases by year reported and country": "Ärenden efter anmälningsår och land",
        "Cases by police region": "Ärenden efter polisregion",
        "Cases by sector and country": "Ärenden efter bransch och land",
        "Stage funnel": "Trattan, totalt och per land",
        "Drop-out matrix": "Bortfall steg för steg",
        "Closure reasons by stage": "Skäl för nedläggning efter steg",
        "Victims' view": "Offrens perspektiv",
        "Funnel before and after {change}": "Trattan före och efter {change}",
        "Closure reasons before and after {change}": "Skäl för nedläggning före och efter {change}",
        "Legal elements not proven": "Rekvisit som inte styrkts",
        "Legal elements assessed differently on appeal": "Rekvisit bedömda olika i hovrätten",
        "Legal elements before and after {change}": "Rekvisit före och efter {change}",
        "Sanctions by offence family": "Påföljder efter brottsfamilj",
        "Funnel by {group}": "Trattan efter {group}",
        "Still open at fixed times": "Öppna ärenden vid fasta tidpunkter",
        "Cumulative incidence at fixed times": "Kumulativ incidens vid fasta tidpunkter",
        "Country tests": "Test av skillnaden mellan länderna",
        "Offence flows, {row} to {col}": "Brottsflöden, från {row} till {col}",
        "Case file beside public statistics": "Ärendefilen bredvid den officiella statistiken",
        "Barriers in closure decisions": "Hinder i nedläggningsbeslut",
        "Barriers in closure decisions by stage": "Hinder i nedläggningsbeslut efter steg",
        "Barriers in judgments by outcome": "Hinder i domar efter utgång",
        "ILO indicators and agency signs by country": "ILO:s indikatorer och "
        "myndigheternas tecken efter land",
        "Prevalence: {scheme}": "Förekomst: {scheme}",
        "Coding progress": "Kodningens framsteg",
        "Agreement per scheme": "Överensstämmelse per schema",
        "Agreement per code: {scheme}": "Överensstämmelse per kod: {scheme}",
        "Disagreements: {scheme}": "Oenigheter: {scheme}",
        "Model population": "Ärenden i modellen",
        "Cases by predictor and outcome": "Ärenden efter prediktor och utfall",
        "Odds ratios": "Oddskvoter",
        "Hazard ratios": "Hazardkvoter",
        "Cox tests": "Test i Cox-modellen",
        "Process variables by outcome": "Processvariabler efter utfall",
        "Cases by predictor and outcome within {country}": "Ärenden efter prediktor och "
        "utfall inom {country}",
        "Odds ratios within {country}": "Oddskvoter inom {country}",
        "Dictionary evidence": "Ordlistans belägg",
        "Agreement with the consensus": "Överensstämmelse med konsensus",
        "Classifier and coders on the same units": "Klassificeraren och kodarna på samma enheter",
        "Uncoded units with a suggestion": "Okodade enheter med förslag",
        "Most probable suggestions": "Mest sannolika förslag",
    },
}

#: The stages of an offence flow (``{row}``, ``{col}`` of :data:`TABLE_NAMES`).
OFFENCE_STEPS = {
    "en": {"reported": "reported", "charged": "charged", "judged": "judged"},
    "sv": {"reported": "anmält", "charged": "åtalat", "judged": "dömt"},
}
