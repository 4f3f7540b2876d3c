"""The generative model of the synthetic case files: what is drawn, and its parameters.

:mod:`cape_study.synth` writes the case files and :mod:`cape_study.synth.simulation`
draws them, from the model documented here. Every calibrated distribution is a
:class:`Target` with its source: a row of ``reference/public_statistics.csv`` (country,
indicator, year) or the words "assumption of the study". The planted parameters
(:data:`EFFECTS`, :data:`DURATIONS`, :data:`RELIABILITY` ...) are written to
``truth.json`` with the counts realised in each case file.

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

from dataclasses import dataclass

from cape_study.data.codebook import Codebook
from cape_study.errors import CapeStudyError
from cape_study.synth import texts as synth_texts

__all__ = [
    "CLOSURE_REASONS",
    "CLOSURE_STAGE",
    "CODERS",
    "COURT",
    "COVARIATES",
    "DURATIONS",
    "EFFECTS",
    "EU",
    "LEGAL_CHANGE",
    "RELIABILITY",
    "STAGES",
    "TARGETS",
    "TARGETS_BY_KEY",
    "THIRD_CODER_SHARE",
    "VICTIMS_PER_CASE",
    "SynthError",
    "Target",
    "check_codebook",
    "expected_kappa",
]

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
#: Where a case closed before prosecution ends: probabilities of closure when reported
#: (no investigation), after an investigation was opened, and after a suspect was notified.
CLOSURE_STAGE = {"with_suspect": (0.12, 0.48, 0.40), "without_suspect": (0.30, 0.70, 0.0)}
#: The planted before/after change (issue 19), by report date: in Sweden, before
#: människoexploatering came into force (the codebook's ``in_force_from`` of the
#: exploitation offence, 1 July 2018), an investigated case of exploitation short of
#: trafficking was more often closed because the act was no offence (garningen är inte
#: brott). The weight of that reason among the cases closed after an investigation with a
#: suspect is ``before`` for Swedish reports before the date and ``after`` from it (and in
#: Finland); the other weights are as in :meth:`Simulation.latent`. Assumption of the study.
LEGAL_CHANGE = {
    "country": "SE",
    "reason": "garningen_ar_inte_brott",
    "before": 0.40,
    "after": 0.10,
}
#: Probabilities of the charges and judgments of prosecuted cases and suspects.
COURT = {
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
#: The coders: the first two code every sampled unit, the third a share of them.
CODERS = ("coder_a", "coder_b", "coder_c")
THIRD_CODER_SHARE = 0.30
#: Citizenships of the EU/EEA among the codes the victim tables draw (no permit needed).
EU = frozenset({"SE", "FI", "RO", "BG", "PL", "LT", "EE"})
#: The stages a case can reach, in order (a case may be closed at any of them).
STAGES = (
    "reported",
    "investigation_opened",
    "suspect_notified",
    "prosecuted",
    "judgment_first_instance",
    "judgment_appeal",
    "judgment_supreme",
)
#: The reasons a case-level closure is drawn from.
CLOSURE_REASONS = (
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


# -- checks against the codebook --------------------------------------------------------
_NOT_DRAWN = frozenset({"unknown", "not_tried", "pending"})


def check_codebook(book: Codebook) -> None:
    """Fail loudly when the generator's tables name codes the codebook does not have."""
    problems = []

    def check(scheme: str, keys: set[str], complete: set[str] | None = None) -> None:
        known = set(book.codes(scheme))
        unknown = keys - known
        if unknown:
            problems.append(f"{scheme}: not in the codebook: {sorted(unknown)}")
        # What a record does not say (unknown, an alternative charge not tried) is no
        # category the generator draws from these tables.
        missing = (complete or set()) - keys - _NOT_DRAWN
        if missing:
            problems.append(f"{scheme}: no probability for {sorted(missing)}")

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
    check("closure_reason", set(CLOSURE_REASONS), set(book.codes("closure_reason")))
    check("stage", {*STAGES, "closed"}, set(book.codes("stage")))
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
