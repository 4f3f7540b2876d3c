"""The legal elements of a synthetic case file: how each judgment assessed each element
of the offence tried, with a planted change at NJA 2022 s. 23.

For every judgment row (first instance, appeal, supreme court) of an offence the
codebook's scheme ``legal_element`` has elements for, one row per element of that offence
(codebook table ``elements``):

* when the judgment convicted the defendant of the offence's own family (a trafficking
  charge convicted as trafficking, an exploitation charge as exploitation, usury as
  another offence), every element is proven;
* otherwise (an acquittal, or a conviction of a lesser offence) one element is the one
  that failed, ``not_proven``, drawn with the weights :data:`FAILING`; each other
  element is proven, not assessed or unknown with the probabilities :data:`OTHERS`;
* judgments not tried or of unknown outcome get no rows.

The planted change (:data:`ELEMENT_CHANGE`): in Sweden the weight of the vulnerable
situation (svår situation) among the failing elements of trafficking and human
exploitation is higher in judgments delivered before the Supreme Court's NJA 2022 s. 23
(the date of ``se_nja_2022_s23`` in ``reference/legal_changes.yaml``) than after it, so
that "vulnerable situation not proven" is more frequent before than after. An
assumption of the study, planted so that the analysis
(:mod:`cape_study.stats.elements`) can be checked for recovery.

Draws come from a stream of their own (``SeedSequence([seed, 17])``), so that adding
the table changed no other draw. :func:`element_truth` gives, from the events alone,
the expected number of not-proven and of assessed elements by country, instance,
element and side of the change.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd
import yaml

from cape_study.data.codebook import Codebook
from cape_study.paths import PACKAGE_DIR

__all__ = ["ELEMENT_CHANGE", "FAILING", "OTHERS", "add_elements", "change_date", "element_truth"]

_JUDGMENTS = ("judgment_first_instance", "judgment_appeal", "judgment_supreme")
#: The outcome that convicts of each offence family as charged.
_HOLDS = {
    "trafficking": "convicted_trafficking",
    "exploitation": "convicted_exploitation",
    "economic": "convicted_other",
}
#: Weights of the element that failed when the offence did not hold, by offence.
FAILING: dict[str, dict[str, float]] = {
    "manniskohandel": {
        "act": 0.05,
        "means_coercion_deception": 0.25,
        "vulnerable_situation": 0.35,
        "exploitation_purpose": 0.25,
        "intent": 0.10,
    },
    "manniskoexploatering": {
        "means_coercion_deception": 0.15,
        "vulnerable_situation": 0.45,
        "exploitative_conditions": 0.30,
        "intent": 0.10,
    },
    "ocker": {"vulnerable_situation": 0.40, "disproportionate_benefit": 0.50, "intent": 0.10},
    "ihmiskauppa": {
        "act": 0.05,
        "means_coercion_deception": 0.20,
        "vulnerable_situation": 0.30,
        "exploitation_purpose": 0.35,
        "intent": 0.10,
    },
    "torkea_ihmiskauppa": {
        "means_coercion_deception": 0.20,
        "vulnerable_situation": 0.30,
        "exploitation_purpose": 0.40,
        "intent": 0.10,
    },
    "kiskonnantapainen_tyosyrjinta": {
        "vulnerable_situation": 0.35,
        "exploitative_conditions": 0.55,
        "intent": 0.10,
    },
    "kiskonta": {"vulnerable_situation": 0.40, "disproportionate_benefit": 0.50, "intent": 0.10},
}
#: The other elements of an offence that did not hold: proven, not assessed or unknown.
OTHERS = {"proven": 0.6, "not_assessed": 0.3, "unknown": 0.1}
#: The planted change: the weight of ``element`` among the failing elements of
#: ``offences`` in ``country``, before and from the date of the change ``change``
#: (by the judgment's date); the other weights are scaled to fill the rest.
ELEMENT_CHANGE = {
    "change": "se_nja_2022_s23",
    "country": "SE",
    "element": "vulnerable_situation",
    "offences": ("manniskohandel", "manniskoexploatering"),
    "before": 0.85,
    "after": 0.15,
}
_CHANGES_FILE = PACKAGE_DIR / "reference" / "legal_changes.yaml"


@cache
def change_date() -> dt.date:
    """The date of the planted change (its entry in ``reference/legal_changes.yaml``)."""
    raw = yaml.safe_load(_CHANGES_FILE.read_text(encoding="utf-8"))
    entry = next(c for c in raw["changes"] if c["id"] == ELEMENT_CHANGE["change"])
    date = entry["date"]
    return date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))


def _weights(offence: str, country: str, after: bool) -> dict[str, float]:
    """The failing-element weights of ``offence``, with the planted change applied."""
    base = FAILING[offence]
    c = ELEMENT_CHANGE
    if country != c["country"] or offence not in c["offences"]:
        return base
    w = c["after"] if after else c["before"]
    rest = sum(v for k, v in base.items() if k != c["element"])
    return {k: w if k == c["element"] else v * (1 - w) / rest for k, v in base.items()}


def _judged_rows(events: pd.DataFrame, cases: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """The judgment rows whose offence has elements and whose outcome is known, with
    the case's country, whether the offence held and the side of the change."""
    family = {c.code: c.family for c in book.scheme("offence").codes}
    rows = events[events["stage"].isin(_JUDGMENTS) & events["offence"].isin(FAILING)]
    rows = rows[~rows["outcome"].isin(["not_tried", "unknown", ""])]
    country = rows["case_id"].map(cases.set_index("case_id")["country"])
    holds = rows["outcome"] == rows["offence"].map(family).map(_HOLDS)
    after = pd.to_datetime(rows["date"].str[:10]) >= pd.Timestamp(change_date())
    return rows.assign(country=country, holds=holds, after=after)


def add_elements(tables: dict[str, pd.DataFrame], book: Codebook, seed: int) -> None:
    """Add the table ``elements`` (strings, as written) to ``tables``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 17]))
    belongs = book.element_offences()
    order = list(belongs)
    rows = []
    others, p_others = list(OTHERS), list(OTHERS.values())
    for r in _judged_rows(tables["events"], tables["cases"], book).itertuples(index=False):
        elements = [e for e in order if r.offence in belongs[e]]
        base = {"case_id": r.case_id, "suspect_id": r.suspect_id, "stage": r.stage}
        base["offence"] = r.offence
        if r.holds:
            results = dict.fromkeys(elements, "proven")
        else:
            weights = _weights(r.offence, r.country, bool(r.after))
            failing = rng.choice(list(weights), p=np.array(list(weights.values())))
            results = {
                e: "not_proven" if e == failing else str(rng.choice(others, p=p_others))
                for e in elements
            }
        rows += [{**base, "element": e, "result": v} for e, v in results.items()]
    columns = ["case_id", "suspect_id", "stage", "offence", "element", "result"]
    tables["elements"] = pd.DataFrame(rows, columns=columns)


def element_truth(events: pd.DataFrame, cases: pd.DataFrame, book: Codebook) -> dict[str, object]:
    """The planted element outcomes: for each country, instance, offence, element and
    side of the change (judgment date before or from it), the number of element rows, the expected
    number not proven and the expected number assessed (proven or not proven).

    A row of an offence that held is proven; of one that did not, its element is not
    proven with its failing weight ``w`` and assessed with ``w + (1 - w) * OTHERS
    ['proven']``. The expected share not proven among assessed is the ratio of the sums.
    """
    belongs = book.element_offences()
    out: dict = {}
    p_proven = OTHERS["proven"]
    for r in _judged_rows(events, cases, book).itertuples(index=False):
        side = "after" if r.after else "before"
        weights = _weights(r.offence, r.country, bool(r.after))
        for e in (e for e in belongs if r.offence in belongs[e]):
            w = 0.0 if r.holds else weights.get(e, 0.0)
            assessed = 1.0 if r.holds else w + (1 - w) * p_proven
            cell = (
                out.setdefault(r.country, {})
                .setdefault(r.stage, {})
                .setdefault(r.offence, {})
                .setdefault(e, {})
                .setdefault(side, {"rows": 0, "not_proven": 0.0, "assessed": 0.0})
            )
            cell["rows"] += 1
            cell["not_proven"] += w
            cell["assessed"] += assessed
    for stages in out.values():
        for offences in stages.values():
            for elements in offences.values():
                for sides in elements.values():
                    for cell in sides.values():
                        cell["not_proven"] = round(cell["not_proven"], 6)
                        cell["assessed"] = round(cell["assessed"], 6)
    return {
        "note": "expected counts of element rows not proven and assessed (proven or not "
        "proven), by country, instance, offence, element and side of the change (judgment "
        "date); "
        "an offence convicted as charged has every element proven, one that was not has "
        "one failing element drawn with the weights of cape_study.synth.elements.FAILING",
        "change": {
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in ELEMENT_CHANGE.items()},
            "date": change_date().isoformat(),
            "by": "the judgment's date",
        },
        "by_country_stage_offence_element_side": out,
    }
