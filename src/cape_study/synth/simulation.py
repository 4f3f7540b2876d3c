"""Drawing a synthetic case file from the generative model (:mod:`cape_study.synth.model`).

:class:`Simulation` draws the cases, their victims and suspects, the planted
prosecution outcome, the paths through the stages, the charges and judgments, and the
latent barrier, ILO-indicator and agency-sign codes, each step from its own random
stream. It holds per-case, per-victim and per-suspect numpy arrays;
:class:`cape_study.synth.tables.Assembly` turns them into the tables.
"""

from __future__ import annotations

import numpy as np

from cape_study.data.codebook import Codebook
from cape_study.synth.court import Court
from cape_study.synth.draws import any_of as _any
from cape_study.synth.draws import day_number, iso_dates
from cape_study.synth.draws import draw as _draw
from cape_study.synth.draws import expit as _expit
from cape_study.synth.draws import rows as _rows
from cape_study.synth.model import (
    CLOSURE_REASONS,
    CLOSURE_STAGE,
    COURT,
    DURATIONS,
    EFFECTS,
    EU,
    LEGAL_CHANGE,
    TARGETS_BY_KEY,
    VICTIMS_PER_CASE,
)

__all__ = ["Simulation", "day_number", "iso_dates"]


class Simulation(Court):
    """Draws one case file, one step after the other: :meth:`cases`, :meth:`victims`,
    :meth:`suspects`, :meth:`outcome`, :meth:`court` and :meth:`latent`.

    Each step draws from its own child stream of ``SeedSequence(seed)`` (see
    :func:`cape_study.synth.simulate`); the results are per-case arrays (``country``,
    ``report``, ``prosecuted`` ...), per-victim arrays (``v_*``, case index ``vc``),
    per-suspect arrays (``s_*``, case index ``sc``) and the latent ``codes`` per scheme.
    """

    def __init__(
        self,
        book: Codebook,
        n: int,
        seed: int,
        share_fi: float,
        first: int,
        last: int,
        cutoff: int,
        coded_cases: int,
    ) -> None:
        self.book, self.n, self.seed = book, n, seed
        self.first, self.last, self.cutoff = first, last, cutoff
        self.share_fi, self.coded_cases = share_fi, coded_cases
        # Children are numbered: a stream added at the end leaves the others unchanged.
        streams = np.random.SeedSequence(seed).spawn(10)
        (
            self.r_case,
            self.r_victim,
            self.r_suspect,
            self.r_path,
            self.r_court,
            self.r_latent,
            self.r_doc,
            self.r_code,
            self.r_text,
            self.r_name,
        ) = (np.random.default_rng(s) for s in streams)
        offence = book.scheme("offence")
        self.family = {c.code: c.family or "other" for c in offence.codes}
        # The offences the published targets count as trafficking charges: trafficking
        # and människoexploatering (codebook 1.0's two serious families; kiskonnantapainen
        # työsyrjintä joined the labour exploitation family in 2.0 and stays a lesser
        # charge here, so that the draw is the one of version 1.0).
        self.heavy = {c.code for c in offence.codes if c.family == "trafficking"} | {
            "manniskoexploatering"
        }
        self.conviction = {
            c.family: c.code for c in book.scheme("outcome").codes if c.family is not None
        }
        self.exploitation_from = min(
            (
                day_number(c.in_force_from)
                for c in offence.codes
                if c.in_force_from and c.family == "exploitation"
            ),
            default=day_number("2018-07-01"),
        )

    # cases ----------------------------------------------------------------------------
    def cases(self) -> None:
        n, rng = self.n, self.r_case
        n_fi = round(n * self.share_fi)
        country = np.array(["SE"] * (n - n_fi) + ["FI"] * n_fi, dtype=object)
        frac = np.sqrt(1.0 + 3.0 * rng.random(n)) - 1.0  # density rising 1 -> 2
        report = self.first + np.floor(frac * (self.last - self.first + 1)).astype(np.int64)
        report = np.minimum(report, self.last)
        order = np.lexsort((report, country == "FI"))
        self.country, self.report = country[order], report[order]
        fi = self.country == "FI"
        self.fi = fi
        self.region = np.empty(n, dtype=object)
        self.sector = np.empty(n, dtype=object)
        self.detection = np.empty(n, dtype=object)
        self.offence = np.empty(n, dtype=object)
        for code, mask in (("SE", ~fi), ("FI", fi)):
            k = int(mask.sum())
            self.region[mask] = _draw(rng, TARGETS_BY_KEY["police_region", code], k)
            self.sector[mask] = _draw(rng, TARGETS_BY_KEY["sector", code], k)
            self.detection[mask] = _draw(rng, TARGETS_BY_KEY["detection_channel", code], k)
        post = ~fi & (self.report >= self.exploitation_from)
        for key, mask in (
            (("offence_reported_before_2018_07", "SE"), ~fi & ~post),
            (("offence_reported_from_2018_07", "SE"), post),
            (("offence_reported", "FI"), fi),
        ):
            self.offence[mask] = _draw(rng, TARGETS_BY_KEY[key], int(mask.sum()))
        width = len(str(max(n, 1)))
        self.case_id = np.array(
            [f"{c}{i + 1:0{max(width, 6)}d}" for i, c in enumerate(self.country)], dtype=object
        )
        self.home = np.where(fi, "FI", "SE").astype(object)

    # victims --------------------------------------------------------------------------
    def victims(self) -> None:
        n, rng = self.n, self.r_victim
        agri = self.sector == "agriculture_forestry"
        v = VICTIMS_PER_CASE
        none = rng.random(n) < v["share_without_victim"]
        group = rng.random(n) < np.where(agri, v["group_case_agriculture"], v["group_case_other"])
        size_group = v["group_size_min"] + np.minimum(
            rng.geometric(v["group_size_geometric_p"], n) - 1,
            v["group_size_max"] - v["group_size_min"],
        )
        size_single = 1 + np.minimum(
            rng.poisson(v["single_extra_poisson"], n), v["single_size_max"] - 1
        )
        self.n_victims = np.where(none, 0, np.where(group, size_group, size_single))
        vc = np.repeat(np.arange(n), self.n_victims)
        nv = len(vc)
        self.vc = vc
        origin = np.empty(n, dtype=object)
        for code, mask in (("SE", ~self.fi & ~agri), ("FI", self.fi & ~agri), (None, agri)):
            table = (
                TARGETS_BY_KEY["victim_citizenship_agriculture", "both"]
                if code is None
                else TARGETS_BY_KEY["victim_citizenship", code]
            )
            origin[mask] = _draw(rng, table, int(mask.sum()))
        general = np.where(self.fi[vc], None, None).astype(object)
        se_v = ~self.fi[vc]
        general[se_v] = _draw(rng, TARGETS_BY_KEY["victim_citizenship", "SE"], int(se_v.sum()))
        general[~se_v] = _draw(rng, TARGETS_BY_KEY["victim_citizenship", "FI"], int((~se_v).sum()))
        cit = np.where(rng.random(nv) < 0.85, origin[vc], general).astype(object)
        self.v_cit = cit
        p_male = {
            "agriculture_forestry": 0.70,
            "construction": 0.95,
            "hotel_restaurant": 0.60,
            "cleaning": 0.40,
            "beauty": 0.15,
            "transport": 0.90,
            "begging": 0.50,
            "other": 0.70,
        }
        pm = np.array([p_male[s] for s in self.sector])[vc]
        u = rng.random(nv)
        self.v_sex = np.where(
            u < 0.02, "unknown", np.where(u < 0.02 + 0.98 * pm, "male", "female")
        ).astype(object)
        self.v_age = _draw(rng, TARGETS_BY_KEY["victim_age_band", "both"], nv)
        home = cit == self.home[vc]
        eu = np.isin(cit, list(EU)) & ~home
        third = ~home & ~eu
        res = np.empty(nv, dtype=object)
        res[home] = "citizen"
        res[eu] = np.where(rng.random(int(eu.sum())) < 0.9, "eu_eea_citizen", "unknown")
        t_agri = third & agri[vc]
        t_other = third & ~agri[vc]
        res[t_agri] = _draw(
            rng,
            {
                "seasonal_work_permit": 75,
                "work_permit": 10,
                "no_permit": 8,
                "other": 3,
                "unknown": 4,
            },
            int(t_agri.sum()),
        )
        res[t_other] = _draw(
            rng,
            {"work_permit": 35, "asylum_seeker": 15, "no_permit": 30, "other": 8, "unknown": 12},
            int(t_other.sum()),
        )
        self.v_res = res
        p_left = {
            "citizen": 0.0,
            "eu_eea_citizen": 0.40,
            "seasonal_work_permit": 0.65,
            "work_permit": 0.15,
            "asylum_seeker": 0.20,
            "no_permit": 0.35,
            "other": 0.25,
            "unknown": 0.30,
        }
        self.v_left = rng.random(nv) < np.array([p_left[r] for r in res])
        self.v_gave = rng.random(nv) < np.where(self.v_left, 0.35, 0.80)
        self.v_gave_missing = rng.random(nv) < 0.03
        counsel_p = np.where(self.fi[vc], 0.40, 0.30)
        self.v_counsel = rng.random(nv) < np.where(self.v_gave, counsel_p, 0.08)
        self.v_support = rng.random(nv) < 0.5
        self.v_support_missing = rng.random(nv) < 0.08
        width = max(2, len(str(int(self.n_victims.max(initial=1)))))
        starts = np.cumsum(self.n_victims) - self.n_victims
        self.v_j = np.arange(nv) - starts[vc]
        self.victim_id = np.array(
            [f"{self.case_id[c]}-V{j + 1:0{width}d}" for c, j in zip(vc, self.v_j, strict=True)],
            dtype=object,
        )
        self.any_left = _any(vc, self.v_left, n)
        self.any_counsel = _any(vc, self.v_counsel, n)
        self.any_silent = _any(vc, ~self.v_gave & ~self.v_gave_missing, n)
        self.any_gave = _any(vc, self.v_gave & ~self.v_gave_missing, n)
        self.any_dependent = _any(
            vc, np.isin(res, ["work_permit", "seasonal_work_permit", "no_permit"]), n
        )
        self.any_unsupported = _any(vc, ~self.v_support & ~self.v_support_missing, n)
        foreign = _any(vc, ~home, n)
        u = rng.random(n)
        self.interpreter = np.where(
            rng.random(n) < 0.04, -1, (u < np.where(foreign, 0.8, 0.05)).astype(int)
        )
        first = np.full(n, -1)
        first[vc[self.v_j == 0]] = np.flatnonzero(self.v_j == 0)
        self.first_victim = first

    # suspects -------------------------------------------------------------------------
    def suspects(self) -> None:
        n, rng = self.n, self.r_suspect
        none = rng.random(n) < np.where(self.fi, 0.05, 0.08)
        self.n_suspects = np.where(none, 0, 1 + np.minimum(rng.poisson(0.6, n), 7))
        sc = np.repeat(np.arange(n), self.n_suspects)
        ns = len(sc)
        starts = np.cumsum(self.n_suspects) - self.n_suspects
        j = np.arange(ns) - starts[sc]
        company = (j > 0) & (rng.random(ns) < 0.2)
        self.sc, self.s_j, self.s_company = sc, j, company
        self.s_sex = np.where(company, "", np.where(rng.random(ns) < 0.8, "male", "female")).astype(
            object
        )
        origin = np.where(
            self.first_victim[sc] >= 0, self.v_cit[np.maximum(self.first_victim[sc], 0)], "XX"
        ).astype(object)
        u = rng.random(ns)
        general = np.where(self.fi[sc], "FI", "SE").astype(object)
        other = _draw(rng, {"RO": 1, "UA": 1, "TH": 1, "PL": 1, "BG": 1, "XX": 1}, ns)
        self.s_cit = np.where(u < 0.45, general, np.where(u < 0.9, origin, other)).astype(object)
        self.s_cit[company] = np.where(
            rng.random(int(company.sum())) < 0.7, general[company], origin[company]
        )
        role_person = _draw(
            rng,
            {
                "employer": 55,
                "recruiter": 15,
                "supervisor": 12,
                "staffing_agency": 5,
                "landlord": 5,
                "other": 8,
            },
            ns,
        )
        role_company = _draw(rng, {"employer": 60, "staffing_agency": 40}, ns)
        self.s_role = np.where(company, role_company, role_person).astype(object)
        self.suspect_id = np.array(
            [f"{self.case_id[c]}-S{k + 1}" for c, k in zip(sc, j, strict=True)], dtype=object
        )
        self.any_company = _any(sc, company | (self.s_role == "staffing_agency"), n)

    # the planted model and the paths ----------------------------------------------------
    def outcome(self) -> None:
        n, rng = self.n, self.r_path
        e = EFFECTS
        self.x = {
            "joint_inspection": (self.detection == "joint_inspection").astype(float),
            "victim_counsel": self.any_counsel.astype(float),
            "victim_left_country": self.any_left.astype(float),
            "torkea_ihmiskauppa": (self.offence == "torkea_ihmiskauppa").astype(float),
        }
        eta = np.where(self.fi, e.intercept["FI"], e.intercept["SE"])
        for name, values in self.x.items():
            eta = eta + getattr(e, name) * values
        self.eta = eta
        self.p_prosecution = np.where(self.n_suspects > 0, _expit(eta), 0.0)
        self.prosecuted = rng.random(n) < self.p_prosecution
        has = self.n_suspects > 0
        stage_p = np.where(
            has[:, None],
            np.array(CLOSURE_STAGE["with_suspect"]),
            np.array(CLOSURE_STAGE["without_suspect"]),
        )
        self.closure_stage = np.where(self.prosecuted, -1, _rows(rng, stage_p))
        g = DURATIONS

        def gamma(key: str) -> np.ndarray:
            return rng.gamma(*g[key], size=n)

        tp = np.where(self.fi, gamma("FI.report_to_prosecution"), gamma("SE.report_to_prosecution"))
        tc = np.where(self.fi, gamma("FI.report_to_closure"), gamma("SE.report_to_closure"))
        t0 = gamma("report_to_closure_without_investigation")
        self.t_pros = np.maximum(np.ceil(tp), 30).astype(np.int64)
        t_close = np.where(
            self.closure_stage == 0, np.maximum(np.ceil(t0), 1), np.maximum(np.ceil(tc), 3)
        ).astype(np.int64)
        self.t_close = t_close
        t_end = np.where(self.prosecuted, self.t_pros, t_close)
        self.d_pros = self.report + self.t_pros
        self.d_close = self.report + t_close
        self.d_inv = (
            self.report + 1 + np.floor(rng.uniform(0.02, 0.15, n) * (t_end - 2)).astype(np.int64)
        )
        self.d_sn = self.d_inv + np.floor(
            rng.uniform(0.3, 0.6, n) * (self.report + t_end - self.d_inv)
        ).astype(np.int64)
        self.d_j1 = (
            self.d_pros
            + 1
            + np.floor(gamma("prosecution_to_judgment_first_instance")).astype(np.int64)
        )
        self.d_j2 = (
            self.d_j1 + 1 + np.floor(gamma("judgment_first_instance_to_appeal")).astype(np.int64)
        )
        self.d_j3 = self.d_j2 + 1 + np.floor(gamma("judgment_appeal_to_supreme")).astype(np.int64)
        sc, ns = self.sc, len(self.sc)
        pros_case = self.prosecuted[sc]
        person = ~self.s_company
        u = rng.random(ns)
        self.s_pros = pros_case & (
            (person & ((self.s_j == 0) | (u < COURT["other_person_suspect_prosecuted"])))
            | (~person & self.fi[sc] & (u < COURT["company_prosecuted_FI"]))
        )
        v = rng.random(ns)
        notified = (pros_case & (self.s_pros | (person & (v < 0.8)))) | (
            (self.closure_stage[sc] == 2) & person & ((self.s_j == 0) | (v < 0.85))
        )
        self.s_notified = notified
        end = np.where(pros_case, self.d_pros[sc], self.d_close[sc])
        self.s_d_sn = self.d_sn[sc] + np.floor(rng.random(ns) * (end - self.d_sn[sc])).astype(
            np.int64
        )
        self.s_closed = pros_case & person & ~self.s_pros
        self.s_reason = _draw(
            rng,
            {
                "brott_kan_inte_styrkas": 60,
                "forundersokningsbegransning": 25,
                "atalsunderlatelse": 15,
            },
            ns,
        )

    # latent codes -----------------------------------------------------------------------
    def latent(self) -> None:
        n, rng = self.n, self.r_latent
        u = lambda: rng.random(n)  # noqa: E731
        joint = self.detection == "joint_inspection"
        inspected = joint | (self.detection == "other_agency")
        slow = np.where(self.prosecuted, self.t_pros, self.t_close) > 730
        p = {
            "victim_not_participating": np.where(self.any_silent, 0.75, 0.05),
            "victim_dependence": np.where(self.any_dependent, 0.55, 0.05),
            "victim_left_country": self.any_left.astype(float),
            "improper_means_not_proven": np.where(
                np.isin(
                    self.offence,
                    sorted(self.heavy),
                ),
                0.45,
                0.10,
            ),
            "weak_documentary_evidence": np.full(n, 0.35),
            "legal_interpretation": np.where(self.acquittal | self.reversal, 0.45, 0.15),
            "reclassification": np.where(self.reclassified | self.convicted_lesser, 1.0, 0.04),
            "diffuse_employer_responsibility": np.where(self.any_company, 0.55, 0.05),
            "investigation_resources": np.where(self.fi, 0.15, 0.25),
            "interpreter_language": np.where(self.interpreter == 1, 0.35, 0.0),
            "investigation_delay": np.where(self.fi, 0.35, 0.20) + 0.2 * slow,
            "inspection_not_escalated": np.where(inspected, 0.35, 0.0),
            "information_sharing": np.full(n, 0.12),
            "victim_support_conditional": np.where(self.any_unsupported, 0.25, 0.0),
            "remedies_outside_criminal_track": np.full(n, 0.15),
        }
        barrier = {k: u() < v for k, v in p.items()}
        agri = self.sector == "agriculture_forestry"
        sign = {
            "lives_at_workplace": u() < np.where(agri, 0.45, 0.25),
            "paid_for_job": u() < np.where(agri, 0.6, 0.35),
            "pays_back_wages": u() < 0.2,
            "very_long_hours_every_day": u() < 0.45,
            "serious_work_environment_deficiencies": u() < np.where(joint, 0.6, 0.3),
        }
        ilo = {
            "abuse_of_vulnerability": u() < 0.55,
            "deception": u() < 0.5,
            "restriction_of_movement": u() < 0.15,
            "isolation": u() < np.where(sign["lives_at_workplace"], 0.4, 0.15),
            "physical_sexual_violence": u() < 0.08,
            "intimidation_threats": u() < 0.35,
            "retention_of_identity_documents": u() < 0.2,
            "withholding_of_wages": u() < np.where(sign["pays_back_wages"], 0.85, 0.55),
            "debt_bondage": u() < np.where(sign["paid_for_job"], 0.55, 0.1),
            "abusive_working_living_conditions": u() < 0.5,
            "excessive_overtime": u() < np.where(sign["very_long_hours_every_day"], 0.8, 0.2),
        }
        self.codes = {"barrier": barrier, "ilo_indicator": ilo, "agency_sign": sign}
        closed = ~self.prosecuted
        stage0 = closed & (self.closure_stage == 0)
        nosusp = closed & ~stage0 & (self.n_suspects == 0)
        other = closed & ~stage0 & ~nosusp
        w = np.zeros((n, len(CLOSURE_REASONS)))
        col = {r: k for k, r in enumerate(CLOSURE_REASONS)}
        w[stage0, col["inte_anledning_anta_brott"]] = 0.75
        w[stage0, col["garningen_ar_inte_brott"]] = 0.20
        w[stage0, col["annan_orsak"]] = 0.05
        for r, v in (
            ("spaningsresultat_saknas", 0.65),
            ("brott_kan_inte_styrkas", 0.25),
            ("annan_orsak", 0.05),
            ("inte_anledning_anta_brott", 0.05),
        ):
            w[nosusp, col[r]] = v
        base = {
            "brott_kan_inte_styrkas": 0.50,
            "spaningsresultat_saknas": 0.03,
            "garningen_ar_inte_brott": 0.10,
            "forundersokningsbegransning": 0.08,
            "atalsunderlatelse": 0.03,
            "inte_anledning_anta_brott": 0.06,
            "brottet_preskriberat": 0.02,
            "misstankt_avliden": 0.01,
            "annan_orsak": 0.07,
        }
        for r, v in base.items():
            w[other, col[r]] = v
        change = LEGAL_CHANGE
        before = (self.country == change["country"]) & (self.report < self.exploitation_from)
        w[other, col[change["reason"]]] = np.where(before[other], change["before"], change["after"])
        b = barrier
        evidence = (
            b["victim_left_country"]
            | b["victim_not_participating"]
            | b["improper_means_not_proven"]
        )
        w[other, col["brott_kan_inte_styrkas"]] += 0.25 * evidence[other]
        w[other, col["garningen_ar_inte_brott"]] += 0.10 * b["legal_interpretation"][other]
        w[other, col["forundersokningsbegransning"]] += 0.05 * b["investigation_resources"][other]
        #: Each case's probability of each closure reason (rows of closed cases sum to 1).
        self.reason_p = (w + 1e-12) / (w + 1e-12).sum(axis=1, keepdims=True)
        reason = np.array(CLOSURE_REASONS, dtype=object)[_rows(rng, w + 1e-12)]
        self.closure_reason = np.where(closed, reason, "").astype(object)
