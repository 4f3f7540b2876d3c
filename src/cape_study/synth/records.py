"""What codebook 2.0 adds to a synthetic case file: case numbers, courts, degrees and
counts, sanctions, the victims an offence concerned, injured parties and potential
victims (two rows per case with ``n_potential_victims``), and the sampling frame.

These columns are drawn after everything else, from a stream of their own
(``SeedSequence([seed, 16])``), so that adding them changed no earlier draw: the cases,
events, documents and codings of a seed are the ones codebook 1.0's generator wrote.
Every case number and court name is invented in the form real ones take (no real case
is meant).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cape_study.synth.simulation import Simulation

__all__ = ["FIRST_INSTANCE_COURTS", "add_records"]

#: A first-instance court per police region (the seat of the region), invented use.
FIRST_INSTANCE_COURTS = {
    "se_nord": "Umeå tingsrätt",
    "se_mitt": "Uppsala tingsrätt",
    "se_stockholm": "Stockholms tingsrätt",
    "se_ost": "Linköpings tingsrätt",
    "se_vast": "Göteborgs tingsrätt",
    "se_syd": "Malmö tingsrätt",
    "se_bergslagen": "Örebro tingsrätt",
    "se_noa": "Stockholms tingsrätt",
    "fi_helsinki": "Helsingin käräjäoikeus",
    "fi_ita_suomi": "Pohjois-Savon käräjäoikeus",
    "fi_hame": "Kanta-Hämeen käräjäoikeus",
    "fi_ita_uusimaa": "Itä-Uudenmaan käräjäoikeus",
    "fi_kaakkois_suomi": "Kymenlaakson käräjäoikeus",
    "fi_lappi": "Lapin käräjäoikeus",
    "fi_lounais_suomi": "Varsinais-Suomen käräjäoikeus",
    "fi_oulu": "Oulun käräjäoikeus",
    "fi_pohjanmaa": "Pohjanmaan käräjäoikeus",
    "fi_sisa_suomi": "Pirkanmaan käräjäoikeus",
    "fi_lansi_uusimaa": "Länsi-Uudenmaan käräjäoikeus",
    "fi_krp": "Helsingin käräjäoikeus",
}
_HIGHER = {
    ("SE", "judgment_appeal"): "Svea hovrätt",
    ("SE", "judgment_supreme"): "Högsta domstolen",
    ("FI", "judgment_appeal"): "Helsingin hovioikeus",
    ("FI", "judgment_supreme"): "Korkein oikeus",
}
_COURT_STAGES = ("prosecuted", "judgment_first_instance", "judgment_appeal", "judgment_supreme")
_JUDGMENTS = _COURT_STAGES[1:]
#: Months of prison drawn for a conviction, by outcome: (low, high) of a uniform draw.
_PRISON_MONTHS = {
    "convicted_trafficking": (24, 72),
    "convicted_exploitation": (12, 48),
    "convicted_other": (1, 18),
}


def add_records(tables: dict[str, pd.DataFrame], sim: Simulation) -> None:
    """Add codebook 2.0's columns and tables to ``tables`` (the CSV text of each cell)."""
    rng = np.random.default_rng(np.random.SeedSequence([sim.seed, 16]))
    cases, events, victims = tables["cases"], tables["events"], tables["victims"]
    number = np.arange(1, len(cases) + 1)
    year = cases["report_date"].str[2:4].to_numpy(dtype=object)
    se = (cases["country"] == "SE").to_numpy()
    cases["police_case_number"] = np.where(
        se,
        [f"5000-K{100000 + k}-{y}" for k, y in zip(number, year, strict=True)],
        [f"{4000 + k}/R/{y}" for k, y in zip(number, year, strict=True)],
    )
    prosecuted = set(events.loc[events["stage"] == "prosecuted", "case_id"])
    charged = cases["case_id"].isin(prosecuted).to_numpy()
    cases["prosecution_case_number"] = np.where(
        charged,
        np.where(
            se,
            [f"AM-{20000 + k}-{y}" for k, y in zip(number, year, strict=True)],
            [f"R {y}/{300 + k}" for k, y in zip(number, year, strict=True)],
        ),
        "",
    )
    farm = (cases["sector"] == "agriculture_forestry").to_numpy()
    extra = rng.integers(5, 60, size=len(cases))
    cases["n_potential_victims"] = np.where(farm, extra.astype(str), "")
    cases["source"] = "case_file"

    country = cases.set_index("case_id")["country"]
    region = cases.set_index("case_id")["police_region"]
    stage = events["stage"]
    court_row = stage.isin(_COURT_STAGES).to_numpy()
    first = events["case_id"].map(region).map(FIRST_INSTANCE_COURTS).fillna("")
    higher = [
        _HIGHER.get((c, s), f)
        for c, s, f in zip(events["case_id"].map(country), stage, first, strict=True)
    ]
    events["court"] = np.where(court_row, higher, "")
    judged = stage.isin(_JUDGMENTS).to_numpy()
    serial = events["case_id"].map({c: k for k, c in enumerate(cases["case_id"], 1)})
    letter = {"judgment_first_instance": "B", "judgment_appeal": "B", "judgment_supreme": "B"}
    events["court_case_number"] = np.where(
        judged,
        [
            f"{letter.get(s, 'B')} {1000 + k}-{d[2:4]}"
            for s, k, d in zip(stage, serial.fillna(0).astype(int), events["date"], strict=True)
        ],
        "",
    )
    offence = events["offence"].to_numpy(dtype=object)
    has_offence = (offence != "") & court_row
    degree = rng.choice(["ordinary", "aggravated", "unknown"], p=[0.6, 0.3, 0.1], size=len(events))
    events["degree"] = np.where(has_offence, degree, "")
    counts = 1 + rng.poisson(0.5, size=len(events))
    events["counts"] = np.where(has_offence, counts.astype(str), "")
    n_victims = events["case_id"].map(cases.set_index("case_id")["n_victims"]).fillna("")
    events["n_victims"] = np.where(has_offence, n_victims, "")
    events["source"] = np.where(judged, "judgment", "case_file")

    victims["status"] = "injured_party"
    tables["offence_victims"] = _offence_victims(events, victims)
    tables["sanctions"] = _sanctions(events, victims, country, rng)
    tables["victims"] = _with_potential_victims(victims, cases)
    tables["sample"] = pd.DataFrame(
        {
            "sampling_frame": ["police_reports"],
            "codebook_version": [sim.book.version],
            "description": ["Synthetic police reports followed forward (no real case)"],
        }
    )


def _with_potential_victims(victims: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """``victims`` with two potential victims of each case that has some (a farm's other
    pickers whom the police met but who never became injured parties), their attributes
    unknown, linked to no offence and given no damages."""
    some = cases.loc[cases["n_potential_victims"] != "", "case_id"].to_numpy(dtype=object)
    ids = np.repeat(some, 2)
    rows = pd.DataFrame({column: "" for column in victims.columns}, index=range(len(ids)))
    rows["victim_id"] = [f"{c}-P{k % 2 + 1}" for k, c in enumerate(ids)]
    rows["case_id"] = ids
    rows[["sex", "age_band", "residence_status"]] = "unknown"
    rows["citizenship"] = "XX"
    rows["status"] = "potential_victim"
    return pd.concat([victims, rows], ignore_index=True)


def _offence_victims(events: pd.DataFrame, victims: pd.DataFrame) -> pd.DataFrame:
    """Each first-instance offence of each defendant concerns every victim of the case."""
    rows = events[(events["stage"] == "judgment_first_instance") & (events["offence"] != "")]
    pairs = rows[["case_id", "suspect_id", "offence"]].drop_duplicates()
    linked = pairs.merge(victims[["case_id", "victim_id"]], on="case_id")
    return linked[["case_id", "suspect_id", "offence", "victim_id"]].reset_index(drop=True)


def _sanctions(
    events: pd.DataFrame, victims: pd.DataFrame, country: pd.Series, rng: np.random.Generator
) -> pd.DataFrame:
    """Prison (or a conditional sentence and day fines for a short one) for each
    defendant convicted at an instance, and damages to each victim at first instance."""
    convicted = events[events["outcome"].str.startswith("convicted")]
    best = convicted.assign(
        order=convicted["outcome"].map({o: k for k, o in enumerate(_PRISON_MONTHS)})
    ).sort_values(["case_id", "suspect_id", "stage", "order"], kind="mergesort")
    per_judgment = best.drop_duplicates(["case_id", "suspect_id", "stage"])
    # each case's victims, looked up once (a scan of the victims per judgment was
    # quadratic: minutes at 100,000 cases); the draws are the same, in the same order
    # (a plain dict: pandas' groupby(...).agg(list) took 2.8 s at 30,000 cases)
    of_case: dict[str, list[str]] = {}
    for case, victim in zip(
        victims["case_id"].tolist(), victims["victim_id"].tolist(), strict=True
    ):
        of_case.setdefault(case, []).append(victim)
    rows = []
    for r in per_judgment.itertuples(index=False):
        low, high = _PRISON_MONTHS[r.outcome]
        months = int(rng.integers(low, high + 1))
        base = {"case_id": r.case_id, "suspect_id": r.suspect_id, "stage": r.stage}
        if months < 6:
            rows.append({**base, "sanction": "conditional", "amount": "", "unit": ""})
            rows.append(
                {**base, "sanction": "day_fines", "amount": str(months * 20), "unit": "day_fines"}
            )
        else:
            rows.append({**base, "sanction": "prison", "amount": str(months), "unit": "months"})
        if r.stage == "judgment_first_instance":
            currency = "sek" if country.get(r.case_id) == "SE" else "eur"
            scale = 1000 if currency == "sek" else 100
            for v in of_case.get(r.case_id, []):
                amount = int(rng.integers(20, 200)) * scale
                rows.append(
                    {**base, "sanction": "damages", "amount": str(amount), "unit": currency}
                    | {"victim_id": v}
                )
    columns = ["case_id", "suspect_id", "stage", "sanction", "amount", "unit", "victim_id"]
    return pd.DataFrame(rows, columns=columns).fillna("")
