"""Headings of the tables that follow a case through the stages: the funnel, drop-out,
sanctions and legal elements.

Part of :mod:`cape_study.present.labels`, which re-exports every name."""

from __future__ import annotations

__all__ = ["DROPOUT_HEAD", "ELEMENT_HEAD", "FUNNEL_HEAD", "SANCTION_HEAD"]

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
