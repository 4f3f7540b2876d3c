"""The headings and opening paragraphs of the sections written from the library.

Part of :mod:`cape_study.present.labels`, which re-exports every name."""

from __future__ import annotations

__all__ = ["SECTIONS"]

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
        "cumulative incidence above). They can disagree: a country that closes "
        "cases sooner prosecutes a smaller share even at the same rate among open cases.",
        "sv": "### Skiljer sig Sverige och Finland i tid till åtal?\n\n"
        "Två test av samma kurvor (`cape_study.stats.survival_tests.compare_groups`). "
        "**Logrank-testet** jämför takten med vilken öppna ärenden åtalas, där en "
        "nedläggning avslutar ärendets uppföljning (som i Coxmodellen). **Grays test** "
        "jämför andelen ärenden som åtalats vid varje tidpunkt, med nedläggning som "
        "konkurrerande händelse (som den kumulativa incidensen ovan). De kan skilja "
        "sig åt: ett land som lägger ned ärenden tidigare åtalar en mindre andel även med "
        "samma takt bland öppna ärenden.",
    },
}
