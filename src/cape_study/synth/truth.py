"""The ground truth of a synthetic case file: what truth.json holds.

Every true parameter of the generative model (:mod:`cape_study.synth.model`), the
true cumulative incidences, the expected inter-coder agreement per code, the counts
realised in the tables (:func:`realised_counts`) and, once the documents are written,
the position of every identifier in them (:func:`identifier_truth`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cape_study import __version__
from cape_study.data.victims import identified_victims
from cape_study.synth import texts as synth_texts
from cape_study.synth.elements import element_truth
from cape_study.synth.model import (
    CLOSURE_REASONS,
    CLOSURE_STAGE,
    CODERS,
    COURT,
    COVARIATES,
    DURATIONS,
    EFFECTS,
    LEGAL_CHANGE,
    RELIABILITY,
    STAGES,
    TARGETS,
    THIRD_CODER_SHARE,
    VICTIMS_PER_CASE,
    expected_kappa,
)
from cape_study.synth.simulation import Simulation, iso_dates
from cape_study.synth.tables import Assembly

__all__ = ["build_truth", "identifier_truth", "latent_frame", "realised_counts"]


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
        victims = identified_victims(tables["victims"])
        victims = victims[victims["case_id"].isin(ids)]
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
                st: int(e.loc[e["stage"] == st, "case_id"].nunique()) for st in STAGES
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


def _cif(sim: Simulation, mask: np.ndarray, days: tuple[int, ...]) -> dict[str, dict[str, float]]:
    """True cumulative incidence of prosecution and of closure before prosecution."""
    # scipy.special, not scipy.stats (whose import alone took 4.7 s): the gamma
    # distribution function is the regularised lower incomplete gamma of t / scale, the
    # function scipy.stats.gamma.cdf evaluates.
    from scipy.special import gammainc

    country = "FI" if sim.fi[mask].all() else "SE"
    p = sim.p_prosecution[mask]
    has = sim.n_suspects[mask] > 0
    t = np.array(days, dtype=float)

    def cdf(duration: str) -> np.ndarray:
        shape, scale = DURATIONS[duration]
        return gammainc(shape, t / scale)

    fp = cdf(f"{country}.report_to_prosecution")
    f0 = cdf("report_to_closure_without_investigation")
    fc = cdf(f"{country}.report_to_closure")
    s0 = np.where(has, CLOSURE_STAGE["with_suspect"][0], CLOSURE_STAGE["without_suspect"][0])
    close = ((1 - p)[:, None] * (s0[:, None] * f0 + (1 - s0)[:, None] * fc)).mean(axis=0)
    pros = p.mean() * fp
    return {
        name: {str(d): round(float(v), 6) for d, v in zip(days, values, strict=True)}
        for name, values in (("prosecution", pros), ("closure_before_prosecution", close))
    }


def _closure_reasons(asm: Assembly) -> dict:
    """The planted closure reasons: for the cases closed by the cut-off, the mean of each
    case's probability of each reason, by country, stage of closure and side of the
    planted legal change (report date before or from it)."""
    s = asm.sim
    date = iso_dates(np.array([s.exploitation_from]))[0]
    closed = ~s.prosecuted & ~asm.censored
    out: dict = {}
    for country in ("SE", "FI"):
        for k, stage in enumerate(STAGES[:3]):
            for side, when in (("before", s.report < s.exploitation_from), ("after", None)):
                when = when if when is not None else s.report >= s.exploitation_from
                m = closed & (s.country == country) & (s.closure_stage == k) & when
                if not m.any():
                    continue
                mean = s.reason_p[m].mean(axis=0)
                out.setdefault(country, {}).setdefault(stage, {})[side] = {
                    "cases": int(m.sum()),
                    "probabilities": {
                        r: round(float(p), 6) for r, p in zip(CLOSURE_REASONS, mean, strict=True)
                    },
                }
    return {
        "note": "mean over the cases closed by the data cut-off of each case's probability "
        "of each reason; the reasons depend on the stage of closure, whether the case has a "
        "suspect, its latent barriers and (planted change) the report date",
        "stage": "the case's furthest stage when closed (reported: no investigation)",
        "legal_change": {**LEGAL_CHANGE, "date": date, "by": "report_date"},
        "by_country_stage_side": out,
    }


def build_truth(asm: Assembly, tables: dict[str, pd.DataFrame], seed: int, command: str) -> dict:
    """truth.json without its identifiers: the generator's settings, the calibration
    targets, the planted prosecution model with its true probabilities and cumulative
    incidences by country, the other true parameters, the realised counts and the
    expected inter-coder agreement of every code at its latent prevalence."""
    s, book = asm.sim, asm.sim.book
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
            "censored_at_cutoff_latent": int(asm.censored[m].sum()),
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
    for scheme in asm.schemes:
        for code in book.codes(scheme):
            se, sp = RELIABILITY[scheme][code]
            prev = float(s.codes[scheme][code][coded].mean()) if len(coded) else float("nan")
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
        "data_cutoff": iso_dates(np.array([s.cutoff]))[0],
        "report_period": [iso_dates(np.array([s.first]))[0], iso_dates(np.array([s.last]))[0]],
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
        "closure_stage_probabilities": {k: list(v) for k, v in CLOSURE_STAGE.items()},
        "closure_reasons": _closure_reasons(asm),
        "element_outcomes": element_truth(tables["events"], tables["cases"], book),
        "court": {k: v for k, v in COURT.items()},
        "realised": realised_counts(
            tables, {c.code: c.family or "other" for c in book.scheme("offence").codes}
        ),
        "reliability": {
            "coders": list(CODERS),
            "third_coder_share": THIRD_CODER_SHARE,
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


def identifier_truth(rows: list[tuple]) -> dict:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    return {
        "note": "every identity number, phone number and invented name written into a "
        "document, with its character offsets in the text (start inclusive, end "
        "exclusive); none belongs to a real person (see cape_study.synth.texts)",
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


def latent_frame(asm: Assembly) -> pd.DataFrame:
    """Per case: the planted linear predictor and probability, whether the case was
    (eventually) prosecuted, censored and reclassified, and every latent code."""
    sim = asm.sim
    frame = pd.DataFrame(
        {
            "case_id": sim.case_id,
            "country": sim.country,
            "eta": sim.eta,
            "p_prosecution": sim.p_prosecution,
            "prosecuted": sim.prosecuted,
            "censored": asm.censored,
            "reclassified": sim.reclassified,
        }
    )
    for scheme, codes in sim.codes.items():
        for code, values in codes.items():
            frame[f"{scheme}.{code}"] = values
    return frame
