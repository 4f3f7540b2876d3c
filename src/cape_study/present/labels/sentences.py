"""The words of the report's sentences: takeaways, the provenance banner, the notes beside
a model and the short lines a notebook shows between its tables (sv and en; Finnish falls
back to English word by word, as the codebook's labels name the codes in Finnish).

Each sentence is a short, whole sentence that an author can paste: no code names, no
paths, a hidden value summarised once, associations and not causes.
"""

from __future__ import annotations

__all__ = [
    "CI_METHODS",
    "FIT_METHODS",
    "HIDDEN_WORDS",
    "PUBLIC_UNITS",
    "RULE_LABELS",
    "SENTENCES",
    "SEPARATION_WORDS",
    "TAKEAWAY_WORDS",
]

#: Lines a notebook shows between its tables: {lang: {name: text with {fields}}}.
SENTENCES = {
    "en": {
        "synthetic": "> **SYNTHETIC DATA.** Every figure below is computed from an invented "
        "case file made by `cape-study synth`. It describes no real case or person and must "
        "not be cited as a finding. ({facts})",
        "data": "> Data: {facts}.",
        "facts": "case file {label}, codebook {version}, data cut-off {cutoff}",
        "no_label": "(no label; see the data hash in the provenance)",
        "no_text": "Documents without text (they need OCR or the original text, and are left "
        "out of text coding): {n} of {total}.",
        "codings": "Codings are tied to codebook version **{version}**; {which} Coders are "
        "combined by the **{rule}** rule; intervals are {level} intervals.",
        "codings_all": "every coding was made with it.",
        "codings_other": "codings made with version(s) {others} are left out.",
        "bootstrap": "Bootstrap: {n} replicates, seed {seed}.",
        "work_list": "Work list for the coders: `{path}`.",
        "review_list": "Review list for the coders: `{path}`.",
        "fitted": "Fitted by **{method}**; intervals: **{interval}** ({level}).",
        "fitted_no_level": "Fitted by **{method}**; intervals: **{interval}**.",
        "disclosure": "**Disclosure control:** {cells} cell(s) hidden in {tables} table(s); "
        "each is marked in its table, and the manifest lists them.",
        "rounded": " Counts rounded in {tables} table(s).",
        "epv": "Too few events per variable: {shown} {what} per estimated coefficient, below "
        "the rule of {threshold} (Peduzzi et al. 1995, 1996); estimates are unstable, may be "
        "biased away from zero, and intervals may be too narrow.",
        "epv_logistic": "cases of the rarer outcome",
        "epv_cox": "events",
        "fewer": "fewer than {n}",
        "left_out": "{term} takes one value among the {n} complete cases and was left out.",
        "hidden_times": "Not drawn in the figure, because the tables above hide them (x): {items}.",
        "hidden_times_item": "{what}, {group}: {times}",
        "tests_withheld": "The tests are not shown: they rest on every prosecution in each "
        "country, and the table of cumulative incidence above shows fewer than {n} "
        "prosecutions, or hides them, for {groups} (disclosure control).",
        "no_change_cases": "The case file holds no case from {country}, the country of this "
        "change: there is nothing to compare before and after it.",
    },
    "sv": {
        "synthetic": "> **SYNTETISKA DATA.** Varje siffra nedan är beräknad från en påhittad "
        "ärendefil, gjord med `cape-study synth`. Den beskriver inget verkligt ärende och "
        "ingen verklig person och får inte citeras som ett resultat. ({facts})",
        "data": "> Data: {facts}.",
        "facts": "ärendefil {label}, kodbok {version}, datagräns {cutoff}",
        "no_label": "(utan etikett; se datahashen i härkomstuppgifterna)",
        "no_text": "Handlingar utan text (de behöver OCR eller originaltexten och ingår inte "
        "i textkodningen): {n} av {total}.",
        "codings": "Kodningarna hör till kodboksversion **{version}**; {which} Kodarna "
        "kombineras med regeln **{rule}**; intervallen är {level}-intervall.",
        "codings_all": "alla kodningar gjordes med den.",
        "codings_other": "kodningar gjorda med version {others} ingår inte.",
        "bootstrap": "Bootstrap: {n} upprepningar, startvärde {seed}.",
        "work_list": "Arbetslista för kodarna: `{path}`.",
        "review_list": "Granskningslista för kodarna: `{path}`.",
        "fitted": "Skattad med **{method}**; intervall: **{interval}** ({level}).",
        "fitted_no_level": "Skattad med **{method}**; intervall: **{interval}**.",
        "disclosure": "**Röjandekontroll:** {cells} dolda celler i {tables} tabell(er); "
        "varje dold cell är markerad i sin tabell, och manifestet listar dem.",
        "rounded": " Antal avrundade i {tables} tabell(er).",
        "epv": "För få händelser per variabel: {shown} {what} per skattad koefficient, under "
        "tumregeln {threshold} (Peduzzi m.fl. 1995, 1996); skattningarna är instabila, kan "
        "vara förskjutna bort från noll, och intervallen kan vara för smala.",
        "epv_logistic": "ärenden med det ovanligare utfallet",
        "epv_cox": "händelser",
        "fewer": "färre än {n}",
        "left_out": "{term} har bara ett värde bland de {n} fullständiga ärendena och utelämnades.",
        "hidden_times": "Inte ritade i figuren, eftersom tabellerna ovan döljer dem (x): {items}.",
        "hidden_times_item": "{what}, {group}: {times}",
        "tests_withheld": "Testen visas inte: de bygger på varje åtal i varje land, och "
        "tabellen över kumulativ incidens ovan visar färre än {n} åtal, eller döljer dem, "
        "för {groups} (röjandekontroll).",
        "no_change_cases": "Ärendefilen innehåller inget ärende från {country}, landet för "
        "denna ändring: det finns inget att jämföra före och efter den.",
    },
}

#: Words of the takeaways written from the library
#: (:mod:`cape_study.present.takeaways`).
TAKEAWAY_WORDS = {
    "en": {
        "checked": "The case file passed every check of codebook {version}.",
        "cases_word": "cases",
        "holds": "It holds {cases} cases: {countries}.",
        "in": "{n} in {group}",
        "stored": "They are stored for analysis under keyed pseudonyms, and the parties' "
        "names are dropped.",
        "masked": "Masked in the texts: {items}.",
        "mask": {
            "PNR": "{n} identity numbers",
            "TEL": "{n} phone numbers",
            "EMAIL": "{n} e-mail addresses",
            "NAME": "{n} names of parties",
        },
        "synthetic": "The data are synthetic.",
        "shares": "Share of the reported cases that reached each step ({ci}):",
        "ci": "{level} {method} intervals",
        "step": "{step}: {parts}.",
        "at": "Two years after the report (cumulative incidence, Aalen–Johansen; cases "
        "open at the data cut-off {cutoff} are censored):",
        "nothing": "No share can be shown for these cases.",
        "and": " and ",
        "reliability": "Inter-coder reliability: {text}",
        "agreement": "{coefficient} per code has a median of {median} and ranges from "
        "{low} ({low_code}) to {high} ({high_code}); {n_667} of {n} codes reach 0.667 and "
        "{n_800} reach 0.800",
        "no_agreement": "{coefficient} cannot be estimated",
        "ratios_none": "no predictor's {ratio} has an interval that excludes 1",
        "ratios_none_shown": "no predictor's {ratio} that is shown has an interval that "
        "excludes 1 (disclosure control hides the others)",
        "takeaway_models": "Of the cases with a suspect, every predictor known and an "
        "outcome by the cut-off, {prosecuted} were prosecuted and {closed} closed without "
        "prosecution. Logistic regression ({method}{why}; {level} {interval} intervals): "
        "{logistic}. Cox regression of the time to prosecution (cause-specific, closure "
        "censored; {level} {cox_interval} intervals): {cox}.",
        "separates": ", because {terms} separates the outcome",
        "suggested": "Suggestions were made for {n} uncoded units.",
    },
    "sv": {
        "checked": "Ärendefilen klarade alla kontroller i kodbok {version}.",
        "cases_word": "ärenden",
        "holds": "Den innehåller {cases} ärenden: {countries}.",
        "in": "{n} i {group}",
        "stored": "De lagras för analys under nyckelbaserade pseudonymer, och parternas "
        "namn har tagits bort.",
        "masked": "Maskerat i texterna: {items}.",
        "mask": {
            "PNR": "{n} identitetsnummer",
            "TEL": "{n} telefonnummer",
            "EMAIL": "{n} e-postadresser",
            "NAME": "{n} namn på parter",
        },
        "synthetic": "Uppgifterna är syntetiska.",
        "shares": "Andel av de anmälda ärendena som nådde varje steg ({ci}):",
        "ci": "{level} {method}-intervall",
        "step": "{step}: {parts}.",
        "at": "Två år efter anmälan (kumulativ incidens, Aalen–Johansen; ärenden som var "
        "öppna vid datagränsen {cutoff} är censurerade):",
        "nothing": "Ingen andel kan visas för dessa ärenden.",
        "and": " och ",
        "reliability": "Överensstämmelse mellan kodare: {text}",
        "agreement": "{coefficient} per kod har medianen {median} och sträcker sig från "
        "{low} ({low_code}) till {high} ({high_code}); {n_667} av {n} koder når 0,667 och "
        "{n_800} når 0,800",
        "no_agreement": "{coefficient} kan inte skattas",
        "ratios_none": "ingen prediktors {ratio} har ett intervall som utesluter 1",
        "ratios_none_shown": "ingen visad prediktors {ratio} har ett intervall som utesluter "
        "1 (röjandekontrollen döljer de övriga)",
        "takeaway_models": "Av ärendena med en misstänkt, alla variabler kända och ett "
        "utfall vid datagränsen, ledde {prosecuted} till åtal och {closed} lades ned utan "
        "åtal. Logistisk regression ({method}{why}; {level} {interval}-intervall): "
        "{logistic}. Coxregression av tiden till åtal (orsaksspecifik, nedläggning "
        "censurerar; {level} {cox_interval}-intervall): {cox}.",
        "separates": ", eftersom {terms} separerar utfallet",
        "suggested": "Förslag har tagits fram för {n} okodade enheter.",
    },
}

#: The one sentence that names what a takeaway leaves out because it is hidden.
HIDDEN_WORDS = {
    "en": {
        "hidden": "Hidden by disclosure control (fewer than {n} cases, or a count that "
        "would reveal one): {items}.",
        "hidden_any": "Hidden by disclosure control (small numbers): {items}.",
        "all": "every share by country",
        "section": "Not shown here ({k} table(s)): every cell is hidden by disclosure "
        "control, because each count is below {n} or would reveal such a count. Counts of "
        "at least {n} would be shown, for example with more cases.",
    },
    "sv": {
        "hidden": "Dolt av röjandekontroll (färre än {n} ärenden, eller ett antal som skulle "
        "avslöja ett sådant): {items}.",
        "hidden_any": "Dolt av röjandekontroll (små tal): {items}.",
        "all": "varje andel per land",
        "section": "Visas inte här ({k} tabell(er)): varje cell är dold av röjandekontroll, "
        "eftersom varje antal är under {n} eller skulle avslöja ett sådant antal. Antal på "
        "minst {n} skulle visas, till exempel med fler ärenden.",
    },
}

#: Names of the binomial intervals (parameter ``ci_method``).
CI_METHODS = {
    "en": {
        "wilson": "Wilson",
        "wilson_cc": "Wilson (continuity-corrected)",
        "clopper_pearson": "Clopper–Pearson",
        "jeffreys": "Jeffreys",
        "agresti_coull": "Agresti–Coull",
    },
    "sv": {
        "wilson": "Wilson",
        "wilson_cc": "Wilson (kontinuitetskorrigerade)",
        "clopper_pearson": "Clopper–Pearson",
        "jeffreys": "Jeffreys",
        "agresti_coull": "Agresti–Coull",
    },
}

#: The rules that combine coders into one code (parameter ``coder_rule``).
RULE_LABELS = {
    "en": {"majority": "majority", "any": "any coder", "unanimous": "unanimity"},
    "sv": {"majority": "majoritet", "any": "någon kodare", "unanimous": "enhällighet"},
}

#: How a model was fitted (:mod:`cape_study.stats.models`), by the library's name.
FIT_METHODS = {
    "en": {},
    "sv": {
        "maximum likelihood": "maximum likelihood",
        "Firth penalised likelihood": "Firths penaliserade likelihood",
        "Cox proportional hazards, partial likelihood with Efron's method for ties": "Coxs "
        "proportionella hazarder, partiell likelihood med Efrons metod för lika tider",
    },
}

#: Sentences on separation (:class:`cape_study.stats.separation.Separation`).
SEPARATION_WORDS = {
    "en": {
        "none": "No separation: the maximum likelihood estimates exist.",
        "found": "{kind} separation: the maximum likelihood estimate of {named} is "
        "infinite, so ordinary logistic regression does not converge.",
        "found_hidden": "{kind} separation: the maximum likelihood estimate of a term whose "
        "counts disclosure control hides is infinite, so ordinary logistic regression does "
        "not converge.",
        "hidden_term": "a term whose counts disclosure control hides",
        "quasi-complete": "Quasi-complete",
        "complete": "Complete",
        "test": " (Test: the linear programs of Konis (2007), as in R's detectseparation.)",
    },
    "sv": {
        "none": "Ingen separation: maximum likelihood-skattningarna finns.",
        "found": "{kind} separation: maximum likelihood-skattningen av {named} är oändlig, "
        "så vanlig logistisk regression konvergerar inte.",
        "found_hidden": "{kind} separation: maximum likelihood-skattningen av en term vars "
        "antal röjandekontrollen döljer är oändlig, så vanlig logistisk regression "
        "konvergerar inte.",
        "hidden_term": "en term vars antal röjandekontrollen döljer",
        "quasi-complete": "Kvasifullständig",
        "complete": "Fullständig",
        "test": " (Test: Konis (2007) linjärprogram, som i R-paketet detectseparation.)",
    },
}

#: The units of the public statistics (``reference/public_statistics.csv``, column
#: ``unit``, written in English as published) in Swedish; a unit missing here is shown
#: as written.
PUBLIC_UNITS = {
    "sv": {
        "persons": "personer",
        "cases": "ärenden",
        "reported cases": "anmälda ärenden",
        "investigations": "utredningar",
        "convictions": "fällande domar",
        "workplaces": "arbetsplatser",
        "children": "barn",
        "reported offences (all purposes)": "anmälda brott (alla ändamål)",
        "applications": "ansökningar",
        "cases taken to court": "ärenden som gick till domstol",
        "indictments": "åtal",
        "criminal reports (rikosilmoitus)": "brottsanmälningar (rikosilmoitus)",
        "percent of forced-labour cases": "procent av ärendena om tvångsarbete",
        "individuals": "personer",
        "reported cases (all purposes)": "anmälda ärenden (alla ändamål)",
        "convictions (total over 15 years)": "fällande domar (totalt under 15 år)",
        "judgments (cumulative since crime introduced 1 Jul 2018)": "domar (sammanlagt sedan "
        "brottet infördes 1 juli 2018)",
        "police reports (lower bound)": "polisanmälningar (undre gräns)",
        "persons (cumulative to April 2025)": "personer (sammanlagt till april 2025)",
        "reported offences": "anmälda brott",
        "convictions (three-year total)": "fällande domar (summa för tre år)",
        "cases (approx.)": "ärenden (ungefär)",
        "adults": "vuxna",
        "persons per year (average)": "personer per år (medeltal)",
        "percent": "procent",
        "criminal reports": "brottsanmälningar",
        "judgments (approx., to spring 2013)": "domar (ungefär, till våren 2013)",
    },
}
