"""The legend of the marks of hidden cells and the first sheet of a step"s workbook.

Part of :mod:`cape_study.present.labels`, which re-exports every name."""

from __future__ import annotations

__all__ = ["HIDDEN_LEGEND", "WORKBOOK_ABOUT"]

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
