"""Charges and judgments of a synthetic case file: :class:`Court`, the step of
:class:`cape_study.synth.simulation.Simulation` that charges the prosecuted cases'
suspects and judges them at each instance (a Python loop over the few prosecuted cases).
"""

from __future__ import annotations

import numpy as np

from cape_study.synth.draws import draw as _draw
from cape_study.synth.model import COURT, TARGETS_BY_KEY

__all__ = ["Court"]


class Court:
    """The court step of :class:`~cape_study.synth.simulation.Simulation` (a mixin: it
    reads the arrays the earlier steps drew and sets ``charges``, ``verdicts``,
    ``court_rows`` and the per-case flags ``reclassified``, ``convicted_lesser``,
    ``reversal`` and ``acquittal``)."""

    def court(self) -> None:
        rng, c = self.r_court, COURT
        rows: list[tuple] = []
        self.charges: dict[int, list[tuple[str, bool]]] = {}
        self.verdicts: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
        self.reclassified = np.zeros(self.n, bool)
        self.convicted_lesser = np.zeros(self.n, bool)
        self.reversal = np.zeros(self.n, bool)
        self.acquittal = np.zeros(self.n, bool)
        by_case: dict[int, list[int]] = {}
        for s in np.flatnonzero(self.s_pros):
            by_case.setdefault(int(self.sc[s]), []).append(int(s))
        lesser = {
            "SE": {
                "ocker": 45,
                "arbetsmiljobrott": 20,
                "olaga_tvang": 10,
                "bedrageri": 15,
                "utlanningslagen": 10,
            },
            "FI": {"kiskonnantapainen_tyosyrjinta": 75, "kiskonta": 15, "pakottaminen": 10},
        }
        # charged beside the main charge (one drawn; the codebook 2.0 offences of real
        # Finnish judgments among them: työsyrjintä, the employer's aliens offence, fraud)
        cumulative = {
            "SE": ("utlanningslagen", "olaga_hot", "arbetsmiljobrott", "bedrageri"),
            "FI": (
                "tyoturvallisuusrikos",
                "pakottaminen",
                "tyonantajan_ulkomaalaisrikkomus",
                "tyosyrjinta",
                "petos",
            ),
        }
        for i in sorted(by_case):
            country, reported = str(self.country[i]), str(self.offence[i])
            after = self.d_pros[i] >= self.exploitation_from
            u = rng.random(8)
            if reported in self.heavy:
                if u[0] < c["reclassified_charge"][country]:
                    primary = str(_draw(rng, lesser[country], 1)[0])
                    self.reclassified[i] = True
                elif (
                    country == "SE"
                    and reported == "manniskohandel"
                    and after
                    and u[1] < c["manniskohandel_charged_as_exploitation"]
                ):
                    primary = "manniskoexploatering"
                else:
                    primary = reported
            else:
                primary = reported
            heavy = primary in self.heavy
            probs = TARGETS_BY_KEY["first_instance_outcome_trafficking_charge", country]
            suspects = by_case[i]
            cat = []
            for _ in suspects:
                v = rng.random()
                if heavy:
                    cat.append(
                        "T"
                        if v < probs["convicted_as_charged"]
                        else "O"
                        if v < (probs["convicted_as_charged"] + probs["convicted_lesser"])
                        else "A"
                    )
                else:
                    cat.append("T" if v < c["convicted_as_charged_lesser_only"] else "A")
            alternative = None
            if heavy and ("O" in cat or u[2] < c["alternative_charge"]):
                if primary == "manniskohandel" and after and u[3] < 0.5:
                    alternative = "manniskoexploatering"
                else:
                    alternative = "ocker" if country == "SE" else "kiskonnantapainen_tyosyrjinta"
            options = [o for o in cumulative[country] if o not in (primary, alternative)]
            extra = options[int(u[4] * len(options))] if u[5] < c["cumulative_charge"] else None
            plan = (
                [(primary, False)]
                + ([(alternative, True)] if alternative else [])
                + ([(extra, False)] if extra else [])
            )
            self.charges[i] = plan
            for s in suspects:
                rows += [(i, s, "prosecuted", int(self.d_pros[i]), o, a, "") for o, a in plan]
            self.convicted_lesser[i] = "O" in cat
            stages = {"judgment_first_instance": [], "judgment_appeal": [], "judgment_supreme": []}
            for s, k in zip(suspects, cat, strict=True):
                extra_ok = rng.random() < 0.7
                j1 = self._judged(k, primary, alternative, extra, extra_ok)
                stages["judgment_first_instance"].append((s, j1))
                if rng.random() >= c["appeal"]:
                    continue
                convicted = any(o != "acquitted" for _, _, o in j1)
                flip = rng.random() < (
                    c["appeal_reverses_conviction"] if convicted else c["appeal_convicts_acquitted"]
                )
                j2 = (
                    self._judged("A" if convicted else "T", primary, alternative, extra, False)
                    if flip
                    else j1
                )
                stages["judgment_appeal"].append((s, j2))
                self.reversal[i] |= flip
                w = rng.random(2)
                if flip and w[0] < c["supreme_after_reversal"]:
                    stages["judgment_supreme"].append(
                        (s, j1 if w[1] < c["supreme_restores"] else j2)
                    )
                elif not flip and w[0] < c["supreme_after_confirmation"]:
                    stages["judgment_supreme"].append((s, j2))
            day = {
                "judgment_first_instance": self.d_j1[i],
                "judgment_appeal": self.d_j2[i],
                "judgment_supreme": self.d_j3[i],
            }
            for stage, judged in stages.items():
                if not judged:
                    continue
                verdicts = []
                for s, result in judged:
                    rows += [(i, s, stage, int(day[stage]), o, a, out) for o, a, out in result]
                    self.acquittal[i] |= any(out == "acquitted" for _, _, out in result)
                    verdicts.append((int(self.s_j[s]), *_best(result)))
                self.verdicts[i, stage] = verdicts
        self.court_rows = rows

    def _judged(
        self,
        category: str,
        primary: str,
        alternative: str | None,
        extra: str | None,
        extra_convicted: bool,
    ) -> list[tuple[str, bool, str]]:
        """The judgment rows (offence, alternative, outcome) of one suspect."""
        fam = self.family

        def convicted(code: str) -> str:
            return self.conviction.get(fam[code], "convicted_other")

        if category == "T":
            out = [(primary, False, convicted(primary))]
        elif category == "O":
            out = [(primary, False, "acquitted")]
            if alternative:
                out.append((alternative, True, convicted(alternative)))
        else:
            out = [(primary, False, "acquitted")] + (
                [(alternative, True, "acquitted")] if alternative else []
            )
        if extra:
            keep = extra_convicted or (category == "O" and not alternative)
            out.append(
                (extra, False, convicted(extra) if keep and category != "A" else "acquitted")
            )
        return out


def _best(result: list[tuple[str, bool, str]]) -> tuple[str, str]:
    """A suspect's most serious outcome at one stage and the offence it concerns."""
    rank = ("convicted_trafficking", "convicted_exploitation", "convicted_other", "acquitted")
    outcome, offence = min(((o, code) for code, _, o in result), key=lambda t: rank.index(t[0]))
    return outcome, offence
