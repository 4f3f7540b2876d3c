"""Seeded synthetic case files with planted, known effects.

``cape-study synth --cases N --seed S --out DIR`` writes a complete case file in the
intake format (see :mod:`cape_study.loaders`) that describes no real case or person:
the six tables, a ``documents/`` folder of Swedish (and some Finnish) texts, a
``truth.json`` with every true parameter and realised count, a ``SYNTHETIC`` marker and
a ``README.md``. The same seed and package version give byte-identical files.

The generative model, in the order it is drawn
----------------------------------------------
1. **Cases.** Country (a fixed share Finnish), report date (density rising linearly to
   twice its start over the report period), police region, sector, detection channel
   and reported offence, from the tables :data:`TARGETS` documents with their sources.
2. **Victims and suspects.** Victims per case (5 % none; group cases of 3-40 more often
   in agriculture and forestry); each victim's sex, age band, citizenship (most share
   the case's origin), residence status, and whether they left the country, gave a
   statement, had counsel (*målsägandebiträde*) and received support. Suspects per case
   (none in 8 % of Swedish and 5 % of Finnish cases); the first is a person, later ones
   are companies with probability 0.2.
3. **Prosecution (the planted model).** Among cases with at least one suspect, a case
   reaches prosecution with probability ``expit(eta)``, where ``eta`` is the country's
   intercept plus the coefficients in :data:`EFFECTS` times the indicators: detection
   by joint inspection, any victim with counsel, any victim who left the country, and
   reported offence *törkeä ihmiskauppa* (rare, about 2 % of Finnish reports, odds
   ratio 403: in small samples every such case is prosecuted, which separates the
   outcome completely, so ordinary maximum likelihood diverges and Firth's correction
   is needed). Cases without a suspect are never prosecuted (a structural zero outside
   the model's population). Durations do not depend on the covariates, so the odds
   ratios can be recovered from the cases that ended before the cut-off (their
   selection depends on the outcome only, which moves the intercept alone).
4. **Charges and judgments.** Prosecuted suspects are charged with the reported
   trafficking offence or, in a share of cases, a lesser one (reclassification to
   ocker, arbetsmiljöbrott... in Sweden, kiskonnantapainen työsyrjintä in Finland);
   some also in the alternative or cumulatively (one events row per offence). Each
   suspect is convicted as charged, convicted of a lesser offence or acquitted; half
   appeal; an appeal reverses the judgment with a known probability, and the supreme
   court, rarely, restores the first judgment.
5. **Time.** Report to prosecution and report to closure are gamma distributed by
   country (:data:`DURATIONS`); events after the data cut-off are dropped, so recent
   cases are open (censored). The true cumulative incidence of prosecution and of
   closure is in ``truth.json``.
6. **Barriers, ILO indicators and agency signs.** Latent true codes per case, consistent
   with the case (``victim_left_country`` exactly when a victim left; ``reclassification``
   when charges were reduced...). Closure decisions and judgments put the case's
   barriers into words, police reports and interviews its indicators and signs.
7. **Coding.** Two coders (and a third on 30 % of units) code a sample of ended cases:
   barriers on the closure decision or last judgment, ILO indicators and agency signs on
   the case. Each coder reports a latent code correctly with the per-code sensitivity
   and specificity in :data:`RELIABILITY`, independently, so the expected agreement
   and Cohen's kappa of each code are known (:func:`expected_kappa`).

The planted prosecution model is the single place where covariates act on the
outcome; everything else that a later analysis estimates (funnel shares, closure
reasons, conviction types, reliability) is listed with its true value in ``truth.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cape_study import __version__, synth_texts
from cape_study.codebook import Codebook, load_codebook
from cape_study.errors import CapeStudyError, ParameterError

__all__ = [
    "COVARIATES",
    "DEFAULT_CUTOFF",
    "DURATIONS",
    "EFFECTS",
    "RELIABILITY",
    "TARGETS",
    "TARGETS_BY_KEY",
    "VICTIMS_PER_CASE",
    "SynthError",
    "SyntheticCaseFile",
    "expected_kappa",
    "print_progress",
    "realised_counts",
    "simulate",
    "synth_command",
    "write_synthetic_case_file",
]

DEFAULT_CUTOFF = "2024-12-31"
DEFAULT_FIRST_REPORT = "2012-01-01"
MARKER = "SYNTHETIC"
_MARKER_TEXT = "synthetic case file generated by cape-study synth"
_TABLES = ("cases", "events", "victims", "suspects", "documents", "codings")
_OUTPUT_NAMES = frozenset(
    {
        *(f"{t}.csv" for t in _TABLES),
        "casefile.xlsx",
        "documents",
        "truth.json",
        MARKER,
        "README.md",
    }
)
_SRC = "public_statistics.csv"


class SynthError(CapeStudyError):
    """The generator cannot do what was asked (an output folder it must not touch, a
    codebook its tables do not fit)."""


# -- targets and planted parameters -----------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One calibration target: a distribution over codes or a single value, with its source."""

    name: str
    country: str
    values: dict[str, float]
    source: str


def _t(name: str, country: str, source: str, **values: float) -> Target:
    total = sum(values.values())
    return Target(name, country, {k: v / total for k, v in values.items()}, source)


#: Every calibrated distribution, with the public figure (``public_statistics.csv``
#: country, indicator, year) it rests on or the words "assumption of the study".
TARGETS: tuple[Target, ...] = (
    _t(
        "police_region",
        "SE",
        "assumption of the study: regions in proportion to population, "
        "with a share for the national unit (NOA); no public breakdown by region",
        se_stockholm=25,
        se_vast=18,
        se_syd=15,
        se_ost=10,
        se_mitt=8,
        se_bergslagen=8,
        se_nord=8,
        se_noa=8,
    ),
    _t(
        "police_region",
        "FI",
        "assumption of the study: departments in proportion to "
        "population, with a share for the NBI (KRP); no public breakdown by department",
        fi_helsinki=18,
        fi_ita_uusimaa=9,
        fi_lansi_uusimaa=9,
        fi_lounais_suomi=9,
        fi_hame=7,
        fi_sisa_suomi=6,
        fi_ita_suomi=7,
        fi_kaakkois_suomi=5,
        fi_pohjanmaa=6,
        fi_oulu=7,
        fi_lappi=5,
        fi_krp=12,
    ),
    _t(
        "sector",
        "SE",
        f"{_SRC}: SE identified_potential_victims_regional_coordinators 2022 "
        "(commonest labour sectors: green industry, construction, hotel/restaurant, cleaning) "
        "and SE suspected_thb_cases_berry_picking_migration_agency 2023 (about 230 of 576 "
        "cases); shares are the study's assumption within that ranking",
        agriculture_forestry=30,
        construction=17,
        hotel_restaurant=17,
        cleaning=9,
        beauty=6,
        transport=5,
        begging=6,
        other=10,
    ),
    _t(
        "sector",
        "FI",
        f"{_SRC}: FI share_forced_labour_cases_natural_product_picking 2023 "
        "(32 %; gardening 4 %), restaurants 13 %, cleaning 11 %, wellness 4 % (same row's "
        "note); construction and transport are assumptions",
        agriculture_forestry=36,
        construction=10,
        hotel_restaurant=13,
        cleaning=11,
        beauty=4,
        transport=6,
        begging=2,
        other=18,
    ),
    _t(
        "detection_channel",
        "SE",
        f"assumption of the study, informed by {_SRC}: SE "
        "suspected_thb_cases_migration_agency 2017-2024 (the Migration Agency reports "
        "hundreds of cases a year: other_agency) and SE suspected_labour_exploitation_"
        "victims_empact 2024 (joint inspections find few victims)",
        joint_inspection=15,
        victim=17,
        ngo=12,
        police_initiative=18,
        other_agency=25,
        tip=8,
        unknown=5,
    ),
    _t(
        "detection_channel",
        "FI",
        "assumption of the study",
        joint_inspection=15,
        victim=20,
        ngo=15,
        police_initiative=15,
        other_agency=20,
        tip=10,
        unknown=5,
    ),
    _t(
        "offence_reported_before_2018_07",
        "SE",
        "assumption of the study: almost all reports "
        "of suspected forced labour are recorded as människohandel",
        manniskohandel=86,
        ocker=4,
        arbetsmiljobrott=2,
        olaga_tvang=3,
        olaga_hot=1,
        bedrageri=1,
        utlanningslagen=2,
        annat_brott=1,
    ),
    _t(
        "offence_reported_from_2018_07",
        "SE",
        "assumption of the study: människoexploatering "
        "(in force 1 July 2018) takes a third of new reports",
        manniskohandel=50,
        manniskoexploatering=36,
        ocker=4,
        arbetsmiljobrott=2,
        olaga_tvang=3,
        olaga_hot=1,
        bedrageri=1,
        utlanningslagen=2,
        annat_brott=1,
    ),
    _t(
        "offence_reported",
        "FI",
        f"{_SRC}: FI police_reports_aggravated_thb 2023 (8) of FI "
        "police_reports_thb 2023 (392) gives törkeä ihmiskauppa 2 %; the note on the same row "
        "(kiskonnantapainen työsyrjintä is the most common charge) gives it 30 %; the rest "
        "is assumption",
        ihmiskauppa=55,
        torkea_ihmiskauppa=2,
        kiskonnantapainen_tyosyrjinta=30,
        kiskonta=4,
        tyoturvallisuusrikos=4,
        pakottaminen=3,
        annat_brott=2,
    ),
    _t(
        "reaches_prosecution",
        "SE",
        f"{_SRC}: SE court_cases_thb_forced_labour_non_begging "
        "2004-2020 (4 of SE police_reports_thb_forced_labour 2004-2020, over 200, i.e. about "
        "2 %, begging cases excluded); the study assumes 3 % of reports with begging cases",
        yes=3,
        no=97,
    ),
    _t(
        "reaches_prosecution",
        "FI",
        "assumption of the study: clearly higher than Sweden "
        f"(GRETA, {_SRC} FI identified_victims 2022 note: low but not negligible prosecution)",
        yes=15,
        no=85,
    ),
    _t(
        "first_instance_outcome_trafficking_charge",
        "SE",
        f"{_SRC}: SE persons_prosecuted_thb "
        "2009-2012 (49): convicted of trafficking 14 (SE persons_convicted_thb_final_instance), "
        "of another offence 22 (SE persons_convicted_other_related_offence_after_thb_charge), "
        "acquitted 13 (SE persons_acquitted_after_thb_charge)",
        convicted_as_charged=14,
        convicted_lesser=22,
        acquitted=13,
    ),
    _t(
        "first_instance_outcome_trafficking_charge",
        "FI",
        "assumption of the study",
        convicted_as_charged=30,
        convicted_lesser=40,
        acquitted=30,
    ),
    _t(
        "victim_citizenship",
        "SE",
        f"{_SRC}: SE identified_potential_victims_labour_"
        "exploitation 2023 (Thailand 62, Romania 34, Ukraine 29, Nigeria 23, Sweden 23 of "
        "189); Thai nationals are drawn mainly through the agriculture table below",
        RO=17,
        UA=12,
        TH=8,
        NG=10,
        SE=8,
        BG=7,
        PL=6,
        VN=6,
        BD=5,
        IN=5,
        PH=4,
        LT=3,
        MD=3,
        XX=6,
    ),
    _t(
        "victim_citizenship",
        "FI",
        "assumption of the study",
        VN=15,
        UA=12,
        TH=6,
        FI=6,
        RO=6,
        BD=7,
        IN=7,
        NG=5,
        PH=6,
        EE=5,
        RU=6,
        BG=4,
        LK=5,
        XX=10,
    ),
    _t(
        "victim_citizenship_agriculture",
        "both",
        f"{_SRC}: SE identified_potential_victims_"
        "labour_exploitation 2023 (about 40 Thai berry pickers in one case); FI share_forced_"
        "labour_cases_berry_farms 2023",
        TH=65,
        UA=12,
        VN=6,
        BG=5,
        RO=5,
        PL=3,
        XX=4,
    ),
    _t(
        "victim_age_band",
        "both",
        f"{_SRC}: SE reported_thb_forced_labour 2018 (5 children of "
        "29) and SE identified_child_victims_regional_coordinators 2023 (20 of about 400); "
        "adult bands are assumptions",
        age_0_17=5,
        age_18_24=15,
        age_25_34=32,
        age_35_44=25,
        age_45_54=14,
        age_55_plus=6,
        unknown=3,
    ),
)
#: The targets keyed by (name, country), e.g. ``TARGETS_BY_KEY['sector', 'SE']``.
TARGETS_BY_KEY = {(t.name, t.country): t.values for t in TARGETS}
_TARGET = TARGETS_BY_KEY


@dataclass(frozen=True)
class _Effects:
    """True coefficients (log odds) of the planted prosecution model."""

    intercept: dict[str, float]
    joint_inspection: float
    victim_counsel: float
    victim_left_country: float
    torkea_ihmiskauppa: float


#: The planted logistic model of reaching prosecution (log-odds scale). The intercepts were
#: tuned on 1,000,000 simulated cases so that the mean probability over *all* reports
#: (those without a suspect count as 0) matches the ``reaches_prosecution`` targets:
#: 3.00 % in Sweden, 15.0 % in Finland.
EFFECTS = _Effects(
    intercept={"SE": -3.66, "FI": -2.08},
    joint_inspection=0.9,
    victim_counsel=1.1,
    victim_left_country=-1.2,
    torkea_ihmiskauppa=6.0,
)
COVARIATES = {
    "joint_inspection": "cases.detection_channel == 'joint_inspection'",
    "victim_counsel": "any victim of the case with victims.had_counsel == 1",
    "victim_left_country": "any victim of the case with victims.left_country == 1",
    "torkea_ihmiskauppa": "cases.offence_reported == 'torkea_ihmiskauppa' (Finland only; "
    "rare; separates the outcome completely in small samples)",
}

#: Victims per case: none, one to four, or a group case of 3-40 (more often in agriculture).
#: Assumption of the study, informed by public_statistics.csv: SE suspected_thb_cases_
#: migration_agency 2022 (about half of 515 cases in two large cases), SE suspected_thb_
#: cases_berry_picking_migration_agency 2023 (about 230), and the Lycksele berry case
#: (about 150 pickers, 9 plaintiffs; research/barriers.md). Mean about 2.3 per case.
VICTIMS_PER_CASE: dict[str, float] = {
    "share_without_victim": 0.05,
    "group_case_agriculture": 0.30,
    "group_case_other": 0.08,
    "group_size_min": 3,
    "group_size_max": 40,
    "group_size_geometric_p": 1 / 6,
    "single_extra_poisson": 0.4,
    "single_size_max": 4,
}

#: Gamma (shape, scale in days) of the durations; judgments count from the previous stage.
DURATIONS: dict[str, tuple[float, float]] = {
    "SE.report_to_prosecution": (3.0, 150.0),
    "FI.report_to_prosecution": (3.0, 200.0),
    "SE.report_to_closure": (1.5, 150.0),
    "FI.report_to_closure": (1.5, 220.0),
    "report_to_closure_without_investigation": (2.0, 12.0),
    "prosecution_to_judgment_first_instance": (4.0, 35.0),
    "judgment_first_instance_to_appeal": (4.0, 60.0),
    "judgment_appeal_to_supreme": (4.0, 75.0),
}
_CLOSURE_STAGE = {"with_suspect": (0.12, 0.48, 0.40), "without_suspect": (0.30, 0.70, 0.0)}
_COURT = {
    "reclassified_charge": {"SE": 0.30, "FI": 0.45},
    "manniskohandel_charged_as_exploitation": 0.30,
    "alternative_charge": 0.35,
    "cumulative_charge": 0.25,
    "convicted_as_charged_lesser_only": 0.70,
    "other_person_suspect_prosecuted": 0.70,
    "company_prosecuted_FI": 0.50,
    "appeal": 0.50,
    "appeal_reverses_conviction": 0.30,
    "appeal_convicts_acquitted": 0.20,
    "supreme_after_reversal": 0.25,
    "supreme_restores": 0.60,
    "supreme_after_confirmation": 0.02,
}

#: Per-code (sensitivity, specificity) of every coder against the latent true code.
RELIABILITY: dict[str, dict[str, tuple[float, float]]] = {
    "barrier": {
        "victim_not_participating": (0.85, 0.95),
        "victim_dependence": (0.75, 0.92),
        "victim_left_country": (0.95, 0.98),
        "improper_means_not_proven": (0.80, 0.90),
        "weak_documentary_evidence": (0.70, 0.90),
        "legal_interpretation": (0.65, 0.88),
        "reclassification": (0.90, 0.97),
        "diffuse_employer_responsibility": (0.75, 0.93),
        "investigation_resources": (0.70, 0.92),
        "interpreter_language": (0.85, 0.96),
        "investigation_delay": (0.75, 0.90),
        "inspection_not_escalated": (0.70, 0.95),
        "information_sharing": (0.65, 0.95),
        "victim_support_conditional": (0.70, 0.93),
        "remedies_outside_criminal_track": (0.80, 0.97),
    },
    "ilo_indicator": {
        "abuse_of_vulnerability": (0.70, 0.85),
        "deception": (0.80, 0.90),
        "restriction_of_movement": (0.80, 0.95),
        "isolation": (0.70, 0.92),
        "physical_sexual_violence": (0.92, 0.98),
        "intimidation_threats": (0.85, 0.94),
        "retention_of_identity_documents": (0.92, 0.98),
        "withholding_of_wages": (0.90, 0.92),
        "debt_bondage": (0.85, 0.94),
        "abusive_working_living_conditions": (0.75, 0.85),
        "excessive_overtime": (0.85, 0.92),
    },
    "agency_sign": {
        "lives_at_workplace": (0.92, 0.97),
        "paid_for_job": (0.90, 0.96),
        "pays_back_wages": (0.88, 0.97),
        "very_long_hours_every_day": (0.85, 0.92),
        "serious_work_environment_deficiencies": (0.80, 0.93),
    },
}
_CODERS = ("coder_a", "coder_b", "coder_c")
_THIRD_CODER_SHARE = 0.30
_EU = frozenset({"SE", "FI", "RO", "BG", "PL", "LT", "EE"})
_CLOSURE_REASONS = (
    "brott_kan_inte_styrkas",
    "spaningsresultat_saknas",
    "garningen_ar_inte_brott",
    "forundersokningsbegransning",
    "atalsunderlatelse",
    "inte_anledning_anta_brott",
    "brottet_preskriberat",
    "misstankt_avliden",
    "annan_orsak",
)


def expected_kappa(prevalence: float, sensitivity: float, specificity: float) -> dict[str, float]:
    """Expected agreement and Cohen's kappa of two coders with the same error rates.

    Each coder reports a latent binary code (present in a share ``prevalence`` of units)
    as present with probability ``sensitivity`` when it is present and as absent with
    probability ``specificity`` when it is absent, independently of the other coder.
    Then ``p = prevalence * se + (1 - prevalence) * (1 - sp)`` is each coder's expected
    rate of "present", the expected observed agreement is
    ``prevalence * (se**2 + (1-se)**2) + (1-prevalence) * (sp**2 + (1-sp)**2)``, chance
    agreement is ``p**2 + (1-p)**2`` and kappa = (observed - chance) / (1 - chance)
    (Cohen 1960). Because both coders have the same expected marginals, this is also the
    large-sample value of Scott's pi, Fleiss' kappa and Krippendorff's alpha (nominal).
    """
    pi, se, sp = prevalence, sensitivity, specificity
    p = pi * se + (1 - pi) * (1 - sp)
    observed = pi * (se**2 + (1 - se) ** 2) + (1 - pi) * (sp**2 + (1 - sp) ** 2)
    chance = p**2 + (1 - p) ** 2
    kappa = (observed - chance) / (1 - chance) if chance < 1 else float("nan")
    return {"p_present": p, "agreement": observed, "chance_agreement": chance, "kappa": kappa}


# -- the simulation ---------------------------------------------------------------------
def _day(value: str | dt.date) -> int:
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (date - dt.date(1970, 1, 1)).days


def _dates(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype="int64").astype("datetime64[D]"))


def _draw(rng: np.random.Generator, values: dict[str, float], n: int) -> np.ndarray:
    """``n`` codes drawn from a distribution given as {code: probability}."""
    codes = np.array(list(values), dtype=object)
    p = np.array(list(values.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def _rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of a matrix of (unnormalised) probabilities."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _any(index: np.ndarray, flag: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(index, weights=flag.astype(float), minlength=n) > 0


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class SyntheticCaseFile:
    """A simulated case file: the six tables (strings, as written), truth and texts.

    ``tables`` hold the values exactly as they are written to CSV (codes, ISO dates,
    1/0, empty string for missing). ``latent`` holds per-case quantities that are not
    in the tables (the planted linear predictor, the latent barrier codes ...), for
    tests. ``documents`` is the table of document facts the texts are written from.
    """

    tables: dict[str, pd.DataFrame]
    truth: dict
    latent: pd.DataFrame
    documents: pd.DataFrame = field(repr=False)
    codebook: Codebook = field(repr=False)


class _Sim:
    """Draws one case file; each step uses its own random stream (see :func:`simulate`)."""

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
        streams = np.random.SeedSequence(seed).spawn(9)
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
        ) = (np.random.default_rng(s) for s in streams)
        offence = book.scheme("offence")
        self.family = {c.code: c.family or "other" for c in offence.codes}
        self.exploitation_from = min(
            (
                _day(c.in_force_from)
                for c in offence.codes
                if c.in_force_from and c.family == "exploitation"
            ),
            default=_day("2018-07-01"),
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
            self.region[mask] = _draw(rng, _TARGET["police_region", code], k)
            self.sector[mask] = _draw(rng, _TARGET["sector", code], k)
            self.detection[mask] = _draw(rng, _TARGET["detection_channel", code], k)
        post = ~fi & (self.report >= self.exploitation_from)
        pre = ~fi & ~post
        self.offence[pre] = _draw(
            rng, _TARGET["offence_reported_before_2018_07", "SE"], int(pre.sum())
        )
        self.offence[post] = _draw(
            rng, _TARGET["offence_reported_from_2018_07", "SE"], int(post.sum())
        )
        self.offence[fi] = _draw(rng, _TARGET["offence_reported", "FI"], int(fi.sum()))
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
                _TARGET["victim_citizenship_agriculture", "both"]
                if code is None
                else _TARGET["victim_citizenship", code]
            )
            origin[mask] = _draw(rng, table, int(mask.sum()))
        general = np.where(self.fi[vc], None, None).astype(object)
        se_v = ~self.fi[vc]
        general[se_v] = _draw(rng, _TARGET["victim_citizenship", "SE"], int(se_v.sum()))
        general[~se_v] = _draw(rng, _TARGET["victim_citizenship", "FI"], int((~se_v).sum()))
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
        self.v_age = _draw(rng, _TARGET["victim_age_band", "both"], nv)
        home = cit == self.home[vc]
        eu = np.isin(cit, list(_EU)) & ~home
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
            np.array(_CLOSURE_STAGE["with_suspect"]),
            np.array(_CLOSURE_STAGE["without_suspect"]),
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
            (person & ((self.s_j == 0) | (u < _COURT["other_person_suspect_prosecuted"])))
            | (~person & self.fi[sc] & (u < _COURT["company_prosecuted_FI"]))
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

    # charges and judgments (a Python loop over the few prosecuted cases) ----------------
    def court(self) -> None:
        rng, c = self.r_court, _COURT
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
        cumulative = {
            "SE": ("utlanningslagen", "olaga_hot", "arbetsmiljobrott"),
            "FI": ("tyoturvallisuusrikos", "pakottaminen"),
        }
        for i in sorted(by_case):
            country, reported = str(self.country[i]), str(self.offence[i])
            after = self.d_pros[i] >= self.exploitation_from
            u = rng.random(8)
            if self.family[reported] in ("trafficking", "exploitation"):
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
            heavy = self.family[primary] in ("trafficking", "exploitation")
            probs = _TARGET["first_instance_outcome_trafficking_charge", country]
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
            return f"convicted_{fam[code]}"

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
                    [k for k, f in self.family.items() if f in ("trafficking", "exploitation")],
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
        self.barrier = {k: u() < v for k, v in p.items()}
        agri = self.sector == "agriculture_forestry"
        s = {
            "lives_at_workplace": u() < np.where(agri, 0.45, 0.25),
            "paid_for_job": u() < np.where(agri, 0.6, 0.35),
            "pays_back_wages": u() < 0.2,
            "very_long_hours_every_day": u() < 0.45,
            "serious_work_environment_deficiencies": u() < np.where(joint, 0.6, 0.3),
        }
        self.sign = s
        self.ilo = {
            "abuse_of_vulnerability": u() < 0.55,
            "deception": u() < 0.5,
            "restriction_of_movement": u() < 0.15,
            "isolation": u() < np.where(s["lives_at_workplace"], 0.4, 0.15),
            "physical_sexual_violence": u() < 0.08,
            "intimidation_threats": u() < 0.35,
            "retention_of_identity_documents": u() < 0.2,
            "withholding_of_wages": u() < np.where(s["pays_back_wages"], 0.85, 0.55),
            "debt_bondage": u() < np.where(s["paid_for_job"], 0.55, 0.1),
            "abusive_working_living_conditions": u() < 0.5,
            "excessive_overtime": u() < np.where(s["very_long_hours_every_day"], 0.8, 0.2),
        }
        closed = ~self.prosecuted
        stage0 = closed & (self.closure_stage == 0)
        nosusp = closed & ~stage0 & (self.n_suspects == 0)
        other = closed & ~stage0 & ~nosusp
        w = np.zeros((n, len(_CLOSURE_REASONS)))
        col = {r: k for k, r in enumerate(_CLOSURE_REASONS)}
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
        b = self.barrier
        evidence = (
            b["victim_left_country"]
            | b["victim_not_participating"]
            | b["improper_means_not_proven"]
        )
        w[other, col["brott_kan_inte_styrkas"]] += 0.25 * evidence[other]
        w[other, col["garningen_ar_inte_brott"]] += 0.10 * b["legal_interpretation"][other]
        w[other, col["forundersokningsbegransning"]] += 0.05 * b["investigation_resources"][other]
        reason = np.array(_CLOSURE_REASONS, dtype=object)[_rows(rng, w + 1e-12)]
        self.closure_reason = np.where(closed, reason, "").astype(object)


def _best(result: list[tuple[str, bool, str]]) -> tuple[str, str]:
    """A suspect's most serious outcome at one stage and the offence it concerns."""
    rank = ("convicted_trafficking", "convicted_exploitation", "convicted_other", "acquitted")
    outcome, offence = min(((o, code) for code, _, o in result), key=lambda t: rank.index(t[0]))
    return outcome, offence


class _Assemble:
    """Turns a drawn simulation into the six tables, the document facts and the truth."""

    def __init__(self, sim: _Sim) -> None:
        self.s = sim

    def events(self) -> pd.DataFrame:
        s, n = self.s, self.s.n
        case = np.arange(n)
        inv = s.prosecuted | (s.closure_stage >= 1)
        closed = ~s.prosecuted
        court = s.court_rows
        parts = [
            pd.DataFrame({"c": case, "s": -1, "stage": "reported", "day": s.report}),
            pd.DataFrame(
                {"c": case[inv], "s": -1, "stage": "investigation_opened", "day": s.d_inv[inv]}
            ),
            pd.DataFrame(
                {
                    "c": s.sc[s.s_notified],
                    "s": np.flatnonzero(s.s_notified),
                    "stage": "suspect_notified",
                    "day": s.s_d_sn[s.s_notified],
                }
            ),
            pd.DataFrame(
                {
                    "c": case[closed],
                    "s": -1,
                    "stage": "closed",
                    "day": s.d_close[closed],
                    "reason": s.closure_reason[closed],
                }
            ),
            pd.DataFrame(
                {
                    "c": s.sc[s.s_closed],
                    "s": np.flatnonzero(s.s_closed),
                    "stage": "closed",
                    "day": s.d_pros[s.sc[s.s_closed]],
                    "reason": s.s_reason[s.s_closed],
                }
            ),
            pd.DataFrame(
                {
                    "c": [r[0] for r in court],
                    "s": [r[1] for r in court],
                    "stage": [r[2] for r in court],
                    "day": [r[3] for r in court],
                    "offence": [r[4] for r in court],
                    "alternative": ["1" if r[5] else "0" for r in court],
                    "outcome": [r[6] for r in court],
                }
            ),
        ]
        ev = pd.concat(parts, ignore_index=True)
        for col in ("reason", "offence", "alternative", "outcome"):
            ev[col] = ev[col].fillna("").astype(object)
        ev["c"] = ev["c"].astype(np.int64)
        ev["s"] = ev["s"].astype(np.int64)
        ev["day"] = ev["day"].astype(np.int64)
        late = ev["day"].to_numpy() > s.cutoff
        s.censored = _any(ev["c"].to_numpy()[late], np.ones(int(late.sum()), bool), n)
        ev = ev.loc[~late]
        rank = {code: k for k, code in enumerate(s.book.codes("stage"))}
        ev = ev.assign(rank=ev["stage"].map(rank))
        ev = ev.sort_values(["c", "day", "rank", "s", "offence"], kind="mergesort")
        self.ev = ev.reset_index(drop=True)
        return pd.DataFrame(
            {
                "case_id": s.case_id[self.ev["c"].to_numpy()],
                "suspect_id": np.where(
                    self.ev["s"].to_numpy() >= 0,
                    s.suspect_id[np.maximum(self.ev["s"].to_numpy(), 0)],
                    "",
                ),
                "stage": self.ev["stage"].to_numpy(dtype=object),
                "date": _dates(self.ev["day"].to_numpy()),
                "offence": self.ev["offence"].to_numpy(dtype=object),
                "alternative": self.ev["alternative"].to_numpy(dtype=object),
                "outcome": self.ev["outcome"].to_numpy(dtype=object),
                "closure_reason": self.ev["reason"].to_numpy(dtype=object),
            }
        )

    def documents(self) -> pd.DataFrame:
        s, n, ev, rng = self.s, self.s.n, self.ev, self.s.r_doc
        case = np.arange(n)
        kept = ev.groupby(["c", "stage"], sort=False)["day"].min()
        first = {
            st: kept.xs(st, level="stage")
            if st in kept.index.get_level_values(1)
            else pd.Series(dtype=np.int64)
            for st in ("investigation_opened", "suspect_notified")
        }
        inv_day = pd.Series(first["investigation_opened"]).reindex(case).to_numpy()
        sn_day = pd.Series(first["suspect_notified"]).reindex(case).to_numpy()
        ok = s.cutoff
        parts = [pd.DataFrame({"c": case, "type": "police_report", "day": s.report})]
        m = ~np.isnan(inv_day) & s.any_gave
        parts.append(pd.DataFrame({"c": case[m], "type": "interrogation", "day": inv_day[m]}))
        m = ~np.isnan(sn_day) & (rng.random(n) < 0.3)
        parts.append(pd.DataFrame({"c": case[m], "type": "investigation_memo", "day": sn_day[m]}))
        m = ~s.prosecuted & (s.d_close <= ok)
        parts.append(
            pd.DataFrame(
                {"c": case[m], "type": "closure_decision", "day": s.d_close[m], "closed": -1}
            )
        )
        first_closed = pd.Series(s.s_j[s.s_closed], index=s.sc[s.s_closed]).groupby(level=0).min()
        m = s.prosecuted & (s.d_pros <= ok) & np.isin(case, first_closed.index)
        parts.append(
            pd.DataFrame(
                {
                    "c": case[m],
                    "type": "closure_decision",
                    "day": s.d_pros[m],
                    "closed": first_closed.reindex(case[m]).to_numpy(),
                }
            )
        )
        m = s.prosecuted & (s.d_pros <= ok)
        parts.append(pd.DataFrame({"c": case[m], "type": "indictment", "day": s.d_pros[m]}))
        days = {
            "judgment_first_instance": s.d_j1,
            "judgment_appeal": s.d_j2,
            "judgment_supreme": s.d_j3,
        }
        judged = [(i, st) for (i, st) in s.verdicts if days[st][i] <= ok]
        parts.append(
            pd.DataFrame(
                {
                    "c": [i for i, _ in judged],
                    "type": [t for _, t in judged],
                    "day": [days[t][i] for i, t in judged],
                }
            )
        )
        docs = pd.concat(parts, ignore_index=True)
        docs["closed"] = docs["closed"].fillna(-1).astype(np.int64)
        docs["c"] = docs["c"].astype(np.int64)
        docs["day"] = docs["day"].astype(np.int64)
        order = {t: k for k, t in enumerate(s.book.codes("doc_type"))}
        docs["rank"] = docs["type"].map(order)
        docs = docs.sort_values(["c", "day", "rank"], kind="mergesort").reset_index(drop=True)
        k = docs.groupby("c").cumcount().to_numpy() + 1
        cid = s.case_id[docs["c"].to_numpy()]
        docs["doc_id"] = [f"{c}-D{j:02d}" for c, j in zip(cid, k, strict=True)]
        years = _dates(s.report)[docs["c"].to_numpy()]
        docs["path"] = [f"{y[:4]}/{d}.txt" for y, d in zip(years, docs["doc_id"], strict=True)]
        fi = s.fi[docs["c"].to_numpy()]
        docs["language"] = np.where(fi & (rng.random(len(docs)) < 0.3), "fi", "sv")
        docs["date"] = _dates(docs["day"].to_numpy())
        self.docs = docs
        return pd.DataFrame(
            {
                "doc_id": docs["doc_id"],
                "case_id": cid,
                "doc_type": docs["type"],
                "date": docs["date"],
                "language": docs["language"],
                "path": docs["path"],
            }
        )

    def codings(self) -> pd.DataFrame:
        s, rng, docs = self.s, self.s.r_code, self.docs
        decisive_types = [
            "closure_decision",
            "judgment_first_instance",
            "judgment_appeal",
            "judgment_supreme",
        ]
        d = docs[
            docs["type"].isin(decisive_types)
            & ~((docs["type"] == "closure_decision") & (docs["closed"] >= 0))
        ]
        decisive = d.groupby("c").tail(1).set_index("c")["doc_id"]
        eligible = decisive.index.to_numpy()
        k = min(s.coded_cases, len(eligible))
        coded = np.sort(rng.choice(eligible, size=k, replace=False)) if k else eligible[:0]
        third = rng.random(len(coded)) < _THIRD_CODER_SHARE
        self.coded = coded
        frames = []
        schemes = [sc for sc in s.book.codeable_schemes if sc in RELIABILITY]
        latent = {"barrier": s.barrier, "ilo_indicator": s.ilo, "agency_sign": s.sign}
        unit_of = {
            "barrier": decisive.reindex(coded).to_numpy(),
            "ilo_indicator": s.case_id[coded],
            "agency_sign": s.case_id[coded],
        }
        for si, scheme in enumerate(schemes):
            codes = s.book.codes(scheme)
            truth = (
                np.column_stack([latent[scheme][c][coded] for c in codes])
                if len(coded)
                else np.zeros((0, len(codes)), bool)
            )
            se = np.array([RELIABILITY[scheme][c][0] for c in codes])
            sp = np.array([RELIABILITY[scheme][c][1] for c in codes])
            for ci, coder in enumerate(_CODERS):
                rows = np.arange(len(coded)) if ci < 2 else np.flatnonzero(third)
                u = rng.random((len(rows), len(codes)))
                t = truth[rows]
                present = np.where(t, u < se, u >= sp)
                frames.append(
                    pd.DataFrame(
                        {
                            "order": np.repeat(rows, len(codes)),
                            "ci": ci,
                            "si": si,
                            "k": np.tile(np.arange(len(codes)), len(rows)),
                            "unit_id": np.repeat(unit_of[scheme][rows], len(codes)),
                            "coder": coder,
                            "scheme": scheme,
                            "code": np.tile(np.array(codes, dtype=object), len(rows)),
                            "present": np.where(present.ravel(), "1", "0"),
                        }
                    )
                )
        out = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(
                columns=["order", "ci", "si", "k", "unit_id", "coder", "scheme", "code", "present"]
            )
        )
        out = out.sort_values(["si", "order", "ci", "k"], kind="mergesort")
        out.insert(2, "codebook_version", s.book.version)
        self.schemes = schemes
        return out[
            ["unit_id", "coder", "codebook_version", "scheme", "code", "present"]
        ].reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        s = self.s
        flag = np.array(["0", "1"], dtype=object)
        tables = {
            "cases": pd.DataFrame(
                {
                    "case_id": s.case_id,
                    "report_date": _dates(s.report),
                    "country": s.country,
                    "police_region": s.region,
                    "offence_reported": s.offence,
                    "sector": s.sector,
                    "detection_channel": s.detection,
                    "n_victims": s.n_victims.astype(str),
                    "n_suspects": s.n_suspects.astype(str),
                    "interpreter_needed": np.where(
                        s.interpreter < 0, "", s.interpreter.astype(str)
                    ),
                }
            ),
            "events": self.events(),
            "victims": pd.DataFrame(
                {
                    "victim_id": s.victim_id,
                    "case_id": s.case_id[s.vc],
                    "sex": s.v_sex,
                    "age_band": s.v_age,
                    "citizenship": s.v_cit,
                    "residence_status": s.v_res,
                    "left_country": flag[s.v_left.astype(int)],
                    "gave_statement": np.where(s.v_gave_missing, "", flag[s.v_gave.astype(int)]),
                    "had_counsel": flag[s.v_counsel.astype(int)],
                    "received_support": np.where(
                        s.v_support_missing, "", flag[s.v_support.astype(int)]
                    ),
                }
            ),
            "suspects": pd.DataFrame(
                {
                    "suspect_id": s.suspect_id,
                    "case_id": s.case_id[s.sc],
                    "kind": np.where(s.s_company, "company", "person"),
                    "sex": s.s_sex,
                    "citizenship": s.s_cit,
                    "role": s.s_role,
                }
            ),
        }
        tables["documents"] = self.documents()
        tables["codings"] = self.codings()
        for name, frame in tables.items():
            declared = list(s.book.table(name).columns)
            if set(declared) != set(frame.columns):
                raise SynthError(
                    f"the codebook's table {name} has columns {declared}; the "
                    f"generator writes {list(frame.columns)}"
                )
            tables[name] = frame[declared].astype(object)
        return tables


# -- checks against the codebook --------------------------------------------------------
def _check_codebook(book: Codebook) -> None:
    """Fail loudly when the generator's tables name codes the codebook does not have."""
    problems = []

    def check(scheme: str, keys: set[str], complete: set[str] | None = None) -> None:
        known = set(book.codes(scheme))
        unknown = keys - known
        if unknown:
            problems.append(f"{scheme}: not in the codebook: {sorted(unknown)}")
        if complete is not None and complete - keys:
            problems.append(f"{scheme}: no probability for {sorted(complete - keys)}")

    for t in TARGETS:
        scheme = {
            "police_region": "police_region",
            "sector": "sector",
            "detection_channel": "detection_channel",
        }.get(t.name)
        if t.name.startswith("offence_reported"):
            scheme = "offence"
        if scheme:
            by_country = {
                c.code for c in book.scheme(scheme).codes if c.country in (None, t.country)
            }
            check(scheme, set(t.values), by_country if scheme != "offence" else None)
        elif t.name == "victim_age_band":
            check("age_band", set(t.values), set(book.codes("age_band")))
    for scheme, codes in RELIABILITY.items():
        check(scheme, set(codes), set(book.codes(scheme)))
    for scheme, codes in synth_texts.template_codes().items():
        check(scheme, codes, set(book.codes(scheme)))
    check("closure_reason", set(_CLOSURE_REASONS), set(book.codes("closure_reason")))
    check(
        "stage",
        {
            "reported",
            "investigation_opened",
            "suspect_notified",
            "prosecuted",
            "judgment_first_instance",
            "judgment_appeal",
            "judgment_supreme",
            "closed",
        },
        set(book.codes("stage")),
    )
    families = {c.code: c.family for c in book.scheme("offence").codes}
    for code in ("manniskohandel", "ihmiskauppa", "torkea_ihmiskauppa"):
        if families.get(code) != "trafficking":
            problems.append(f"offence {code}: family {families.get(code)!r}, expected trafficking")
    if families.get("manniskoexploatering") != "exploitation":
        problems.append("offence manniskoexploatering: expected family exploitation")
    missing = set(RELIABILITY) - set(book.codeable_schemes)
    if missing:
        problems.append(f"codeable schemes missing from the codebook: {sorted(missing)}")
    if problems:
        raise SynthError(
            "the generator does not fit the codebook "
            f"{book.codebook} {book.version}:\n  " + "\n  ".join(problems)
        )


# -- truth ------------------------------------------------------------------------------
_RANKED_OUTCOMES = (
    "convicted_trafficking",
    "convicted_exploitation",
    "convicted_other",
    "acquitted",
)


def realised_counts(tables: dict[str, pd.DataFrame], families: dict[str, str]) -> dict[str, dict]:
    """Counts of what a case file contains, per country and overall (written to truth.json).

    ``families`` maps offence codes to their family (trafficking, exploitation, other).
    Definitions: a case *reaches* a stage when it has any events row of that stage; it
    is *closed before prosecution* when it has a case-level closed row; it has *no end
    by the cut-off* when it has neither a case-level closed row nor a judgment; a
    suspect's outcome at a stage is the most serious outcome of their rows at that
    stage; a case is *reclassified* when it was reported as trafficking or exploitation
    and prosecuted, but no offence charged other than in the alternative belongs to
    those families.
    """
    cases, ev = tables["cases"], tables["events"]
    country = cases.set_index("case_id")["country"]
    out: dict[str, dict] = {}
    ev = ev.assign(country=ev["case_id"].map(country))
    judged = ev[ev["stage"].str.startswith("judgment")]
    stages = ["judgment_first_instance", "judgment_appeal", "judgment_supreme"]
    best = (
        judged.assign(r=judged["outcome"].map({o: k for k, o in enumerate(_RANKED_OUTCOMES)}))
        .groupby(["country", "suspect_id", "stage"])["r"]
        .min()
        .unstack("stage")
        .reindex(columns=stages)
    )
    for c in [*sorted(country.unique()), "all"]:
        sel = cases if c == "all" else cases[cases["country"] == c]
        e = ev if c == "all" else ev[ev["country"] == c]
        ids = set(sel["case_id"])
        case_closed = e[(e["stage"] == "closed") & (e["suspect_id"] == "")]
        pros = e[e["stage"] == "prosecuted"]
        heavy_reported = set(
            sel.loc[
                sel["offence_reported"].map(families).isin(["trafficking", "exploitation"]),
                "case_id",
            ]
        )
        heavy_charged = set(
            pros.loc[
                (pros["alternative"] != "1")
                & pros["offence"].map(families).isin(["trafficking", "exploitation"]),
                "case_id",
            ]
        )
        b = best if c == "all" else best[best.index.get_level_values(0) == c]
        first, appeal, supreme = (b[st] for st in stages)
        convicted = b < 3  # rank 3 is acquitted
        final = b.ffill(axis=1)["judgment_supreme"]
        appealed = appeal.notna()
        reversed_ = appealed & (
            convicted["judgment_first_instance"] != convicted["judgment_appeal"]
        )
        restored = (
            supreme.notna()
            & (convicted["judgment_supreme"] != convicted["judgment_appeal"])
            & (convicted["judgment_supreme"] == convicted["judgment_first_instance"])
        )
        victims = tables["victims"][tables["victims"]["case_id"].isin(ids)]
        out[c] = {
            "cases": len(sel),
            "victims": len(victims),
            "suspects": int(tables["suspects"]["case_id"].isin(ids).sum()),
            "company_suspects": int(
                (
                    tables["suspects"]["case_id"].isin(ids)
                    & (tables["suspects"]["kind"] == "company")
                ).sum()
            ),
            "events": len(e),
            "documents": {
                t: int(v)
                for t, v in tables["documents"][tables["documents"]["case_id"].isin(ids)][
                    "doc_type"
                ]
                .value_counts()
                .sort_index()
                .items()
            },
            "cases_reaching_stage": {
                st: int(e.loc[e["stage"] == st, "case_id"].nunique())
                for st in (
                    "reported",
                    "investigation_opened",
                    "suspect_notified",
                    "prosecuted",
                    "judgment_first_instance",
                    "judgment_appeal",
                    "judgment_supreme",
                )
            },
            "cases_closed_before_prosecution": int(case_closed["case_id"].nunique()),
            "closure_reasons": {
                r: int(v)
                for r, v in case_closed["closure_reason"].value_counts().sort_index().items()
            },
            "suspect_level_closures": int(
                ((e["stage"] == "closed") & (e["suspect_id"] != "")).sum()
            ),
            "cases_without_end_at_cutoff": len(
                ids
                - set(case_closed["case_id"])
                - set(judged.loc[judged["case_id"].isin(ids), "case_id"])
            ),
            "cases_reclassified": len((heavy_reported & set(pros["case_id"])) - heavy_charged),
            "suspects_by_first_instance_outcome": {
                o: int((first == k).sum()) for k, o in enumerate(_RANKED_OUTCOMES)
            },
            "suspects_by_final_outcome": {
                o: int((final == k).sum()) for k, o in enumerate(_RANKED_OUTCOMES)
            },
            "suspects_appealed": int(appealed.sum()),
            "appeal_reversals": int(reversed_.sum()),
            "supreme_court_judgments": int(supreme.notna().sum()),
            "supreme_court_restorations": int(restored.sum()),
            "victims_left_country": int((victims["left_country"] == "1").sum()),
            "victims_with_counsel": int((victims["had_counsel"] == "1").sum()),
        }
    return out


def _cif(sim: _Sim, mask: np.ndarray, days: tuple[int, ...]) -> dict[str, dict[str, float]]:
    """True cumulative incidence of prosecution and of closure before prosecution."""
    from scipy.stats import gamma

    country = "FI" if sim.fi[mask].all() else "SE"
    p = sim.p_prosecution[mask]
    has = sim.n_suspects[mask] > 0
    t = np.array(days, dtype=float)
    fp = gamma.cdf(
        t,
        DURATIONS[f"{country}.report_to_prosecution"][0],
        scale=DURATIONS[f"{country}.report_to_prosecution"][1],
    )
    f0 = gamma.cdf(
        t,
        DURATIONS["report_to_closure_without_investigation"][0],
        scale=DURATIONS["report_to_closure_without_investigation"][1],
    )
    fc = gamma.cdf(
        t,
        DURATIONS[f"{country}.report_to_closure"][0],
        scale=DURATIONS[f"{country}.report_to_closure"][1],
    )
    s0 = np.where(has, _CLOSURE_STAGE["with_suspect"][0], _CLOSURE_STAGE["without_suspect"][0])
    close = ((1 - p)[:, None] * (s0[:, None] * f0 + (1 - s0)[:, None] * fc)).mean(axis=0)
    pros = p.mean() * fp
    return {
        "prosecution": {str(d): round(float(v), 6) for d, v in zip(days, pros, strict=True)},
        "closure_before_prosecution": {
            str(d): round(float(v), 6) for d, v in zip(days, close, strict=True)
        },
    }


def _truth(
    sim: _Sim, asm: _Assemble, tables: dict[str, pd.DataFrame], seed: int, command: str
) -> dict:
    s, book = sim, sim.book
    model_pop = s.n_suspects > 0
    by_country = {}
    for c in ("SE", "FI"):
        m = s.country == c
        if not m.any():
            continue
        pm = m & model_pop
        by_country[c] = {
            "cases": int(m.sum()),
            "model_population_cases": int(pm.sum()),
            "mean_true_probability_of_prosecution": round(float(s.p_prosecution[m].mean()), 6),
            "mean_true_probability_in_model_population": round(float(s.p_prosecution[pm].mean()), 6)
            if pm.any()
            else None,
            "eventually_prosecuted_latent": int(s.prosecuted[m].sum()),
            "censored_at_cutoff_latent": int(s.censored[m].sum()),
            "cumulative_incidence_by_days_since_report": _cif(
                s, m, (90, 180, 365, 730, 1095, 1825)
            ),
        }
    e = EFFECTS
    coef = {
        "intercept_SE": e.intercept["SE"],
        "intercept_FI": e.intercept["FI"],
        **{k: getattr(e, k) for k in COVARIATES},
    }
    coded = asm.coded
    reliability = []
    latent = {"barrier": s.barrier, "ilo_indicator": s.ilo, "agency_sign": s.sign}
    for scheme in asm.schemes:
        for code in book.codes(scheme):
            se, sp = RELIABILITY[scheme][code]
            prev = float(latent[scheme][code][coded].mean()) if len(coded) else float("nan")
            k = expected_kappa(prev, se, sp)
            reliability.append(
                {
                    "scheme": scheme,
                    "code": code,
                    "unit": "document" if scheme == "barrier" else "case",
                    "latent_prevalence": round(prev, 6),
                    "sensitivity": se,
                    "specificity": sp,
                    "expected_agreement": round(k["agreement"], 6),
                    "expected_chance_agreement": round(k["chance_agreement"], 6),
                    "expected_cohen_kappa": round(k["kappa"], 6),
                    "expected_krippendorff_alpha": round(k["kappa"], 6),
                }
            )
    codings = tables["codings"]
    return {
        "synthetic": True,
        "generator": {
            "package": "cape-study",
            "version": __version__,
            "seed": seed,
            "n_cases": s.n,
            "share_fi": s.share_fi,
            "command": command,
            "codebook": book.codebook,
            "codebook_version": book.version,
        },
        "data_cutoff": _dates(np.array([s.cutoff]))[0],
        "report_period": [_dates(np.array([s.first]))[0], _dates(np.array([s.last]))[0]],
        "targets": [
            {
                "name": t.name,
                "country": t.country,
                "values": {k: round(v, 6) for k, v in t.values.items()},
                "source": t.source,
            }
            for t in TARGETS
        ],
        "prosecution_model": {
            "outcome": "the case reaches prosecution (any events row with stage prosecuted), "
            "eventually (before censoring)",
            "population": "cases with n_suspects >= 1; cases without a suspect are never "
            "prosecuted",
            "link": "logit",
            "coefficients": coef,
            "odds_ratios": {
                k: round(math.exp(v), 6) for k, v in coef.items() if not k.startswith("intercept")
            },
            "covariates": COVARIATES,
            "separating_predictor": {
                "covariate": "torkea_ihmiskauppa",
                "column": "cases.offence_reported",
                "code": "torkea_ihmiskauppa",
                "note": "about 2 % of Finnish reports; true odds ratio "
                f"{math.exp(e.torkea_ihmiskauppa):.1f}, so in samples of hundreds "
                "every such case is prosecuted (complete separation); use Firth's "
                "penalised likelihood",
                "cases": int((s.offence == "torkea_ihmiskauppa").sum()),
                "cases_prosecuted_latent": int(
                    (s.prosecuted & (s.offence == "torkea_ihmiskauppa")).sum()
                ),
            },
            "note": "durations do not depend on the covariates, so cases that ended before "
            "the cut-off give unbiased odds ratios (only the intercept shifts)",
            "by_country": by_country,
        },
        "victims_per_case": {k: round(v, 6) for k, v in VICTIMS_PER_CASE.items()},
        "durations_gamma_shape_scale_days": {k: list(v) for k, v in DURATIONS.items()},
        "closure_stage_probabilities": {k: list(v) for k, v in _CLOSURE_STAGE.items()},
        "court": {k: v for k, v in _COURT.items()},
        "realised": realised_counts(
            tables, {c.code: c.family or "other" for c in book.scheme("offence").codes}
        ),
        "reliability": {
            "coders": list(_CODERS),
            "third_coder_share": _THIRD_CODER_SHARE,
            "coded_cases": len(coded),
            "units": {
                "barrier": "the case's closure decision or last judgment (doc_id)",
                "ilo_indicator": "the case (case_id)",
                "agency_sign": "the case (case_id)",
            },
            "rows": len(codings),
            "model": "each coder reports the latent code with the code's sensitivity and "
            "specificity, independently of the other coders; expected values from "
            "cape_study.synth.expected_kappa at the latent prevalence among coded units",
            "codes": reliability,
        },
    }


# -- document texts ---------------------------------------------------------------------
def _render(
    sim: _Sim, asm: _Assemble, folder: Path | None, progress: Callable[[str], None] | None
) -> tuple[list[tuple], list[str] | None]:
    """Write (or return) every document text; return the identifier ground truth."""
    s, docs, book = sim, asm.docs, sim.book
    labels = book.labels("offence", "sv")
    regions = book.labels("police_region", "sv")
    rng = s.r_text
    case_rand = rng.integers(0, 2**31 - 1, size=(s.n, 24))
    doc_rand = rng.integers(0, 2**31 - 1, size=(len(docs), 24))
    code_lists = {
        k: np.array(book.codes(k), dtype=object)
        for k in ("barrier", "ilo_indicator", "agency_sign")
    }
    matrices = {"barrier": s.barrier, "ilo_indicator": s.ilo, "agency_sign": s.sign}
    mats = {k: np.column_stack([matrices[k][c] for c in code_lists[k]]) for k in code_lists}
    vict = np.where(s.first_victim >= 0, s.first_victim, 0)
    by_case_suspects: dict[int, list[tuple[str, str, str]]] = {}
    for idx in np.flatnonzero(s.s_j < 3):
        by_case_suspects.setdefault(int(s.sc[idx]), []).append(
            ("company" if s.s_company[idx] else "person", str(s.s_sex[idx]), str(s.s_cit[idx]))
        )
    closed_reason = {
        (int(c), int(j)): str(r)
        for c, j, r in zip(s.sc[s.s_closed], s.s_j[s.s_closed], s.s_reason[s.s_closed], strict=True)
    }
    report_yy = [d[2:4] for d in _dates(s.report)]
    identifiers: list[tuple] = []
    texts: list[str] | None = None if folder else []
    if folder:
        for year in sorted({p.split("/")[0] for p in docs["path"]}):
            (folder / year).mkdir(parents=True, exist_ok=True)
    total = len(docs)
    step = max(total // 10, 1)
    cols = [
        docs[k].to_numpy() for k in ("c", "type", "language", "date", "closed", "doc_id", "path")
    ]
    for pos, (i, dtype, lang, date, closed, doc_id, path) in enumerate(zip(*cols, strict=True)):
        i = int(i)
        cr = case_rand[i]
        charges = s.charges.get(i, [])
        offence = str(s.offence[i])
        if dtype in ("indictment", "closure_decision") and charges and closed >= 0:
            offence = charges[0][0]
        verdicts = s.verdicts.get((i, dtype), [])
        rot = int(doc_rand[pos, 23])

        def present(scheme: str, i: int = i, rot: int = rot) -> tuple[str, ...]:
            codes = code_lists[scheme][mats[scheme][i]]
            if len(codes) == 0:
                return ()
            k = rot % len(codes)
            return tuple(codes[k:]) + tuple(codes[:k])

        fact = {
            "doc_type": dtype,
            "language": lang,
            "date": date,
            "country": s.country[i],
            "case_no": f"{5000 + int(cr[20]) % 900}-K{int(cr[21]) % 900000 + 100000}-"
            f"{report_yy[i]}",
            "region": regions[s.region[i]],
            "sector": s.sector[i],
            "detection_channel": s.detection[i],
            "offence": synth_texts.offence_label(offence, lang, labels),
            "charges": [
                (code, synth_texts.offence_label(code, lang, labels), alt) for code, alt in charges
            ],
            "verdicts": [
                (j, out, synth_texts.offence_label(code, lang, labels)) for j, out, code in verdicts
            ],
            "closure_reason": s.closure_reason[i] if closed < 0 else closed_reason[i, int(closed)],
            "closed_suspect": int(closed),
            "barriers": present("barrier"),
            "indicators": present("ilo_indicator"),
            "signs": present("agency_sign"),
            "n_victims": int(s.n_victims[i]),
            "victim": (s.v_sex[vict[i]], s.v_cit[vict[i]], s.v_res[vict[i]])
            if s.first_victim[i] >= 0
            else ("unknown", "XX", "unknown"),
            "suspects": by_case_suspects.get(i, []),
            "interpreter": s.interpreter[i] == 1,
        }
        text, found = synth_texts.render_document(fact, doc_rand[pos].tolist(), cr.tolist())
        identifiers += [(doc_id, f.kind, f.text, f.value, f.start, f.end) for f in found]
        if folder:
            with open(folder / path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        else:
            texts.append(text)  # type: ignore[union-attr]
        if progress and (pos + 1) % step == 0:
            progress(f"documents {pos + 1:,}/{total:,}")
    return identifiers, texts


# -- public API -------------------------------------------------------------------------
def _check_arguments(
    n_cases: int, seed: int, share_fi: float, first: int, last: int, cutoff: int, coded_cases: int
) -> None:
    if not isinstance(n_cases, int | np.integer) or n_cases < 1:
        raise ParameterError(f"--cases must be a whole number of at least 1, not {n_cases!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"--seed must be a whole number of at least 0, not {seed!r}")
    if not 0.0 <= share_fi <= 1.0:
        raise ParameterError(f"share_fi must lie between 0 and 1, not {share_fi!r}")
    if not first <= last <= cutoff:
        raise ParameterError(
            "the report period must start before it ends, and end on or before the data cut-off"
        )
    if coded_cases < 0:
        raise ParameterError(f"coded_cases must be at least 0, not {coded_cases!r}")


def _parse_day(value: str | dt.date, what: str) -> int:
    try:
        return _day(value)
    except ValueError:
        raise ParameterError(f"{what} {value!r} is not a date written YYYY-MM-DD") from None


def _run(
    n_cases: int,
    seed: int,
    *,
    share_fi: float,
    data_cutoff: str | dt.date,
    first_report: str | dt.date,
    last_report: str | dt.date | None,
    coded_cases: int,
    codebook: str | Path | Codebook,
    command: str,
    progress: Callable[[str], None] | None,
) -> tuple[_Sim, _Assemble, dict, dict]:
    cutoff = _parse_day(data_cutoff, "data cut-off")
    first = _parse_day(first_report, "first report date")
    last = cutoff if last_report is None else _parse_day(last_report, "last report date")
    _check_arguments(n_cases, seed, share_fi, first, last, cutoff, coded_cases)
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    _check_codebook(book)
    say = progress or (lambda _msg: None)
    sim = _Sim(
        book, int(n_cases), int(seed), float(share_fi), first, last, cutoff, int(coded_cases)
    )
    say(f"simulating {n_cases:,} cases (seed {seed})")
    sim.cases()
    sim.victims()
    sim.suspects()
    sim.outcome()
    sim.court()
    sim.latent()
    say("assembling tables")
    asm = _Assemble(sim)
    tables = asm.tables()
    truth = _truth(sim, asm, tables, int(seed), command)
    return sim, asm, tables, truth


def _latent_frame(sim: _Sim) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "case_id": sim.case_id,
            "country": sim.country,
            "eta": sim.eta,
            "p_prosecution": sim.p_prosecution,
            "prosecuted": sim.prosecuted,
            "censored": sim.censored,
            "reclassified": sim.reclassified,
        }
    )
    for scheme, codes in (
        ("barrier", sim.barrier),
        ("ilo_indicator", sim.ilo),
        ("agency_sign", sim.sign),
    ):
        for code, values in codes.items():
            frame[f"{scheme}.{code}"] = values
    return frame


def simulate(
    n_cases: int,
    seed: int,
    *,
    share_fi: float = 0.25,
    data_cutoff: str | dt.date = DEFAULT_CUTOFF,
    first_report: str | dt.date = DEFAULT_FIRST_REPORT,
    last_report: str | dt.date | None = None,
    coded_cases: int = 1000,
    codebook: str | Path | Codebook = "cape_v1",
    texts: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyntheticCaseFile:
    """Simulate a synthetic case file in memory (nothing is written).

    Parameters
    ----------
    n_cases
        Number of police reports (cases); a share ``share_fi`` of them Finnish.
    seed
        Seed of :class:`numpy.random.SeedSequence`; every step draws from its own
        child stream, so the same seed (and package version) gives the same data.
    data_cutoff
        Events after this date are dropped (the cases are censored).
    first_report, last_report
        The report period (``last_report`` defaults to the cut-off).
    coded_cases
        How many ended cases the coders code (at most; a random sample).
    codebook
        The codebook whose codes and tables are used; its code lists are checked
        against the generator's probability tables.
    texts
        Also render the document texts (``truth["identifiers"]`` and the column
        ``text`` of ``documents``).

    Returns
    -------
    SyntheticCaseFile
    """
    sim, asm, tables, truth = _run(
        n_cases,
        seed,
        share_fi=share_fi,
        data_cutoff=data_cutoff,
        first_report=first_report,
        last_report=last_report,
        coded_cases=coded_cases,
        codebook=codebook,
        command=f"simulate({n_cases}, {seed})",
        progress=progress,
    )
    docs = tables["documents"].copy()
    if texts:
        identifiers, rendered = _render(sim, asm, None, progress)
        docs["text"] = rendered
        truth["identifiers"] = _identifier_truth(identifiers)
    return SyntheticCaseFile(
        tables=tables, truth=truth, latent=_latent_frame(sim), documents=docs, codebook=sim.book
    )


def _identifier_truth(rows: list[tuple]) -> dict:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    return {
        "note": "every identity number, phone number and invented name written into a "
        "document, with its character offsets in the text (start inclusive, end "
        "exclusive); none belongs to a real person (see cape_study.synth_texts)",
        "sources": {
            "personnummer": "Skatteverket test personnummer (open data), vendored in "
            "cape_study/reference/test_identity_numbers.csv",
            "samordningsnummer": "Skatteverket test samordningsnummer (open data), vendored "
            "in the same file",
            "phone": "PTS number series reserved for books and films: "
            + ", ".join(f"{p}{lo:02d}-{p}{hi:02d}" for p, lo, hi in synth_texts.PHONE_SERIES),
            "hetu": "Finnish identity codes with individual numbers 900-999 (temporary codes, "
            "never entered in the population register) and a valid check character",
            "name": "invented combinations of common first names and surnames",
        },
        "counts": dict(sorted(counts.items())),
        "columns": ["doc_id", "kind", "text", "value", "start", "end"],
        "rows": rows,
    }


def _write_truth(path: Path, truth: dict) -> None:
    """truth.json, indented, with one identifier per line (it has a row per identifier)."""
    rows = truth["identifiers"]["rows"]
    head = dict(truth, identifiers=dict(truth["identifiers"], rows="@ROWS@"))
    text = json.dumps(head, ensure_ascii=False, indent=1)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        before, after = text.split('"@ROWS@"')
        fh.write(before + "[\n")
        fh.write(",\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
        fh.write("\n ]" + after + "\n")


def _check_output(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise SynthError(f"{out} is a file; --out must name a folder")
    if not out.exists() or not any(out.iterdir()):
        return
    names = {p.name for p in out.iterdir()}
    marker = out / MARKER
    ours = marker.is_file() and marker.read_text(encoding="utf-8", errors="replace").startswith(
        _MARKER_TEXT
    )
    if not ours or names - _OUTPUT_NAMES:
        other = sorted(names - _OUTPUT_NAMES) if ours else sorted(names)[:5]
        raise SynthError(
            f"{out} holds files that cape-study synth did not write "
            f"({', '.join(other)}); it will not write there, even with --force, "
            "so that a real case file can never be overwritten"
        )
    if not force:
        raise SynthError(f"{out} already holds a synthetic case file; use --force to replace it")


def _write_xlsx(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """A workbook with one sheet per table, made byte-reproducible (fixed timestamps)."""
    from openpyxl import Workbook

    integers = {"n_victims", "n_suspects"}
    book = Workbook(write_only=True)
    for name, frame in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        cols = [frame[c].to_numpy() for c in frame.columns]
        conv = [int if c in integers else None for c in frame.columns]
        for row in zip(*cols, strict=True):
            sheet.append(
                [None if v == "" else (f(v) if f else v) for v, f in zip(row, conv, strict=True)]
            )
    raw = path.with_suffix(".tmp")
    book.save(raw)
    fixed = "2000-01-01T00:00:00Z"
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + fixed.encode() + rb"\g<3>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    raw.unlink()


def _readme(truth: dict, fmt: str) -> str:
    g, pm = truth["generator"], truth["prosecution_model"]
    real = truth["realised"]
    lines = [
        "# SYNTHETIC case file",
        "",
        "**Every case, person, name, identity number and phone number in this folder is "
        "invented.** It was generated by `cape-study synth` and describes no real case. "
        "Reports built from it must say that they are based on synthetic data (the file "
        f"`{MARKER}` beside the tables tells the loaders so).",
        "",
        "## How it was made",
        "",
        f"    {g['command']}",
        "",
        f"cape-study {g['version']}, seed {g['seed']}, {g['n_cases']} cases "
        f"(share Finnish {g['share_fi']}), codebook {g['codebook']} {g['codebook_version']}, "
        f"reports {truth['report_period'][0]} to {truth['report_period'][1]}, data cut-off "
        f"{truth['data_cutoff']}, format {fmt}. The same command with the same package "
        "version writes byte-identical files.",
        "",
        "## What it contains",
        "",
        "| | Sweden | Finland |",
        "|---|---:|---:|",
    ]
    for key, label in (
        ("cases", "cases"),
        ("victims", "victims"),
        ("suspects", "suspects"),
        ("events", "events rows"),
    ):
        lines.append(
            f"| {label} | {real.get('SE', {}).get(key, 0)} | {real.get('FI', {}).get(key, 0)} |"
        )
    for stage in ("prosecuted", "judgment_first_instance", "judgment_appeal"):
        lines.append(
            f"| cases reaching {stage} | "
            f"{real.get('SE', {}).get('cases_reaching_stage', {}).get(stage, 0)} | "
            f"{real.get('FI', {}).get('cases_reaching_stage', {}).get(stage, 0)} |"
        )
    lines.append(
        f"| cases without an end at the cut-off | "
        f"{real.get('SE', {}).get('cases_without_end_at_cutoff', 0)} | "
        f"{real.get('FI', {}).get('cases_without_end_at_cutoff', 0)} |"
    )
    lines += [
        "",
        "## What is planted",
        "",
        "Reaching prosecution follows a logistic model among cases with a suspect "
        "(true coefficients on the log-odds scale):",
        "",
        "| term | coefficient | odds ratio |",
        "|---|---:|---:|",
    ]
    for k, v in pm["coefficients"].items():
        odds = pm["odds_ratios"].get(k)
        lines.append(f"| {k} | {v} | {'' if odds is None else round(odds, 3)} |")
    lines += [
        "",
        "`torkea_ihmiskauppa` (reported offence, about 2 % of Finnish cases) separates the "
        "outcome completely in small samples. Cases are reclassified to lesser charges "
        "(ocker, arbetsmiljöbrott ...; kiskonnantapainen työsyrjintä), convictions are "
        "reversed on appeal, and two or three coders code barriers, ILO indicators and "
        "agency signs with known per-code error rates.",
        "",
        "`truth.json` holds every true parameter, the calibration targets with their "
        "sources, the realised counts, the expected inter-coder agreement per code and the "
        "position of every identifier in the documents (ground truth for privacy "
        "scanning). See `cape_study/synth.py` for the model.",
        "",
    ]
    return "\n".join(lines)


def write_synthetic_case_file(
    out: str | os.PathLike[str],
    n_cases: int,
    seed: int,
    *,
    fmt: str = "csv",
    force: bool = False,
    share_fi: float = 0.25,
    data_cutoff: str | dt.date = DEFAULT_CUTOFF,
    first_report: str | dt.date = DEFAULT_FIRST_REPORT,
    last_report: str | dt.date | None = None,
    coded_cases: int = 1000,
    codebook: str | Path | Codebook = "cape_v1",
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write a synthetic case file to the folder ``out``; return its path.

    The folder receives the tables (``*.csv``, or ``casefile.xlsx`` with ``fmt="xlsx"``),
    ``documents/``, ``truth.json``, ``SYNTHETIC`` and ``README.md``. Everything is
    written to a temporary sibling folder first and moved into place at the end, so an
    interrupted run leaves nothing half-written.

    Raises
    ------
    SynthError
        When ``out`` is not empty and ``force`` is not set, or when it holds anything
        other than an earlier output of this generator (even with ``force``).
    ParameterError
        For an impossible argument (no cases, a negative seed, an unknown format ...).
    """
    writers = ("csv", "xlsx")
    if fmt not in writers:
        raise ParameterError(f"unknown format {fmt!r}; known formats: {', '.join(writers)}")
    out = Path(out)
    _check_output(out, force)
    command = command or synth_command(
        n_cases,
        seed,
        out,
        fmt=fmt,
        share_fi=share_fi,
        data_cutoff=str(data_cutoff),
        coded_cases=coded_cases,
        force=force,
    )
    sim, asm, tables, truth = _run(
        n_cases,
        seed,
        share_fi=share_fi,
        data_cutoff=data_cutoff,
        first_report=first_report,
        last_report=last_report,
        coded_cases=coded_cases,
        codebook=codebook,
        command=command,
        progress=progress,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.synth-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        say = progress or (lambda _msg: None)
        say("writing tables")
        if fmt == "csv":
            for name, frame in tables.items():
                frame.to_csv(
                    tmp / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8"
                )
        else:
            _write_xlsx(tmp / "casefile.xlsx", tables)
        say(f"writing {len(asm.docs):,} documents")
        identifiers, _ = _render(sim, asm, tmp / "documents", progress)
        truth["identifiers"] = _identifier_truth(identifiers)
        _write_truth(tmp / "truth.json", truth)
        (tmp / MARKER).write_text(
            f"{_MARKER_TEXT}, seed {seed}, {n_cases} cases, cape-study {__version__}\n",
            encoding="utf-8",
        )
        (tmp / "README.md").write_text(_readme(truth, fmt), encoding="utf-8")
        _check_output(out, force)  # nothing else appeared while we were writing
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"wrote {out}")
    return out


def synth_command(
    n_cases: int,
    seed: int,
    out: str | os.PathLike[str],
    *,
    fmt: str = "csv",
    share_fi: float = 0.25,
    data_cutoff: str = DEFAULT_CUTOFF,
    coded_cases: int = 1000,
    force: bool = False,
) -> str:
    """The ``cape-study synth`` command line that writes these data (recorded in truth.json)."""
    parts = [
        "cape-study",
        "synth",
        "--cases",
        str(n_cases),
        "--seed",
        str(seed),
        "--out",
        Path(out).as_posix(),
    ]
    if fmt != "csv":
        parts += ["--format", fmt]
    if share_fi != 0.25:
        parts += ["--share-fi", str(share_fi)]
    if str(data_cutoff) != DEFAULT_CUTOFF:
        parts += ["--data-cutoff", str(data_cutoff)]
    if coded_cases != 1000:
        parts += ["--coded-cases", str(coded_cases)]
    if force:
        parts.append("--force")
    return " ".join(parts)


def print_progress(message: str) -> None:
    """Progress messages on standard error (for the command line)."""
    print(f"synth: {message}", file=sys.stderr, flush=True)
