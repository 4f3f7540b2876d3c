"""The tables of a synthetic case file, assembled from a drawn simulation.

:class:`Assembly` turns a :class:`cape_study.synth.simulation.Simulation` into the six
tables of the intake format (as strings, exactly as written), drops the events after
the data cut-off, draws the coders' codes, and gives the facts each document is written
from (:meth:`Assembly.document_facts`, rendered by :mod:`cape_study.synth.texts`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from cape_study.synth.elements import add_elements
from cape_study.synth.model import CODERS, RELIABILITY, THIRD_CODER_SHARE, SynthError
from cape_study.synth.records import add_records
from cape_study.synth.simulation import Simulation, iso_dates
from cape_study.synth.texts import company_name, offence_label, suspect_name, victim_name

__all__ = ["Assembly"]


class Assembly:
    """Turns a drawn simulation into the six tables and the facts of each document.

    :meth:`tables` comes first: it keeps the events (``ev``), the documents (``docs``),
    which cases are censored at the cut-off (``censored``) and which the coders coded
    (``coded``, in the coded ``schemes``), for :meth:`document_facts` and for
    :func:`cape_study.synth.truth.build_truth`.
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim

    def events(self) -> pd.DataFrame:
        s, n = self.sim, self.sim.n
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
        self.censored = np.zeros(n, bool)
        self.censored[ev["c"].to_numpy()[late]] = True
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
                "date": iso_dates(self.ev["day"].to_numpy()),
                "offence": self.ev["offence"].to_numpy(dtype=object),
                "alternative": self.ev["alternative"].to_numpy(dtype=object),
                "outcome": self.ev["outcome"].to_numpy(dtype=object),
                "closure_reason": self.ev["reason"].to_numpy(dtype=object),
            }
        )

    def documents(self) -> pd.DataFrame:
        s, n, ev, rng = self.sim, self.sim.n, self.ev, self.sim.r_doc
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
        years = iso_dates(s.report)[docs["c"].to_numpy()]
        docs["path"] = [f"{y[:4]}/{d}.txt" for y, d in zip(years, docs["doc_id"], strict=True)]
        fi = s.fi[docs["c"].to_numpy()]
        docs["language"] = np.where(fi & (rng.random(len(docs)) < 0.3), "fi", "sv")
        docs["date"] = iso_dates(docs["day"].to_numpy())
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
        s, rng, docs = self.sim, self.sim.r_code, self.docs
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
        third = rng.random(len(coded)) < THIRD_CODER_SHARE
        self.coded = coded
        frames = []
        schemes = [sc for sc in s.book.codeable_schemes if sc in RELIABILITY]
        unit_of = {
            "barrier": decisive.reindex(coded).to_numpy(),
            "ilo_indicator": s.case_id[coded],
            "agency_sign": s.case_id[coded],
        }
        for si, scheme in enumerate(schemes):
            codes = s.book.codes(scheme)
            truth = (
                np.column_stack([s.codes[scheme][c][coded] for c in codes])
                if len(coded)
                else np.zeros((0, len(codes)), bool)
            )
            se = np.array([RELIABILITY[scheme][c][0] for c in codes])
            sp = np.array([RELIABILITY[scheme][c][1] for c in codes])
            for ci, coder in enumerate(CODERS):
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
        # The synthetic coders quote no passage and write no note: both stay empty.
        out["quote"] = ""
        out["note"] = ""
        return out[
            ["unit_id", "coder", "codebook_version", "scheme", "code", "present", "quote", "note"]
        ].reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        s = self.sim
        flag = np.array(["0", "1"], dtype=object)
        tables = {
            "cases": pd.DataFrame(
                {
                    "case_id": s.case_id,
                    "report_date": iso_dates(s.report),
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
        tables["victims"]["name"], tables["suspects"]["name"] = self.party_names()
        add_records(tables, s)
        add_elements(tables, s.book, s.seed)
        for name, frame in tables.items():
            columns = s.book.table(name).columns
            declared = list(columns)
            # Optional columns the generator does not fill (a coder's quote) may be absent.
            needed = {c for c in declared if columns[c].required or c in frame.columns}
            if needed != set(frame.columns):
                raise SynthError(
                    f"the codebook's table {name} has columns {declared}; the "
                    f"generator writes {list(frame.columns)}"
                )
            tables[name] = frame[[c for c in declared if c in frame.columns]].astype(object)
        return tables

    def _text_random(self) -> tuple[np.ndarray, np.ndarray]:
        """The random numbers the texts are written with: per case (names, identifiers,
        places; the same in all its documents) and per document (template variants)."""
        if not hasattr(self, "_text_rand"):
            rng = self.sim.r_text
            case_rand = rng.integers(0, 2**31 - 1, size=(self.sim.n, 24))
            doc_rand = rng.integers(0, 2**31 - 1, size=(len(self.docs), 24))
            self._text_rand = case_rand, doc_rand
        return self._text_rand

    def party_names(self) -> tuple[np.ndarray, np.ndarray]:
        """The invented names of the victims and suspects (the ``name`` columns).

        A case's first victim and its first three suspects have the names its
        documents use; a company suspect the case's company; the other parties, whom
        no document names, names drawn from their own stream.
        """
        s = self.sim
        # as Python lists: indexing NumPy arrays element by element took 2.2 s at 30,000
        # cases; the same numbers
        case_rand = self._text_random()[0].tolist()
        extra = s.r_name.integers(0, 2**31 - 1, size=(len(s.vc) + len(s.sc), 2)).tolist()
        country, sector = s.country.astype(str).tolist(), s.sector.astype(str).tolist()
        victims = np.empty(len(s.vc), dtype=object)
        rows = zip(
            s.vc.tolist(),
            s.v_j.tolist(),
            s.v_sex.astype(str).tolist(),
            s.v_cit.astype(str).tolist(),
            strict=True,
        )
        for v, (i, j, sex, cit) in enumerate(rows):
            r1, r2 = case_rand[i][:2] if j == 0 else extra[v]
            victims[v] = victim_name(sex, cit, r1, r2)
        suspects = np.empty(len(s.sc), dtype=object)
        rows = zip(
            s.sc.tolist(),
            s.s_j.tolist(),
            s.s_company.tolist(),
            s.s_sex.astype(str).tolist(),
            s.s_cit.astype(str).tolist(),
            strict=True,
        )
        for k, (i, j, company, sex, cit) in enumerate(rows):
            c = case_rand[i]
            if company:
                suspects[k] = company_name(country[i], sector[i], c)
                continue
            r1, r2 = (c[3 + 2 * j], c[4 + 2 * j]) if j < 3 else extra[len(s.vc) + k]
            suspects[k] = suspect_name(sex, cit, country[i], r1, r2)
        return victims, suspects

    def document_facts(
        self, start: int = 0, stop: int | None = None
    ) -> Iterator[tuple[str, str, dict[str, object], list[int], list[int]]]:
        """Each document's doc_id, path and facts, and the random numbers to write it with
        (documents ``start:stop`` of the documents table; default all).

        The facts are what :func:`cape_study.synth.texts.render_document` writes from.
        The first list of random numbers is the document's own (template variants), the
        second its case's, the same in all its documents (names, identifiers, places).
        """
        s, docs, book = self.sim, self.docs, self.sim.book
        labels = book.labels("offence", "sv")
        regions = book.labels("police_region", "sv")
        case_rand, doc_rand = self._text_random()
        code_lists = {k: np.array(book.codes(k), dtype=object) for k in s.codes}
        mats = {k: np.column_stack([s.codes[k][c] for c in code_lists[k]]) for k in code_lists}
        by_case_suspects: dict[int, list[tuple[str, str, str]]] = {}
        for idx in np.flatnonzero(s.s_j < 3):
            by_case_suspects.setdefault(int(s.sc[idx]), []).append(
                ("company" if s.s_company[idx] else "person", str(s.s_sex[idx]), str(s.s_cit[idx]))
            )
        closed_reason = {
            (int(c), int(j)): str(r)
            for c, j, r in zip(
                s.sc[s.s_closed], s.s_j[s.s_closed], s.s_reason[s.s_closed], strict=True
            )
        }
        report_yy = [d[2:4] for d in iso_dates(s.report)]
        # Python lists, not NumPy arrays read element by element (a quarter of a million
        # documents at 100,000 cases): the same values
        country, sector, detection = s.country.tolist(), s.sector.tolist(), s.detection.tolist()
        offences, region = s.offence.tolist(), s.region.tolist()
        n_victims, interpreter = s.n_victims.tolist(), s.interpreter.tolist()
        closure = s.closure_reason.tolist()
        first_victim = s.first_victim.tolist()
        v_sex, v_cit, v_res = s.v_sex.tolist(), s.v_cit.tolist(), s.v_res.tolist()
        label = functools.cache(lambda code, lang: offence_label(code, lang, labels))
        cols = [
            docs[k].to_numpy()[start:stop].tolist()
            for k in ("c", "type", "language", "date", "closed", "doc_id", "path")
        ]
        rows = zip(*cols, strict=True)
        block = 4096  # the documents' random numbers, as lists a block at a time
        doc_lists: list[list[int]] = []
        case: tuple | None = None  # (index, facts, random numbers) of the current case
        for pos, (i, dtype, lang, date, closed, doc_id, path) in enumerate(rows, start):
            if (pos - start) % block == 0:
                doc_lists = doc_rand[pos : pos + block].tolist()
            r = doc_lists[(pos - start) % block]
            if case is None or case[0] != i:
                cr = case_rand[i].tolist()
                v = first_victim[i]
                case = (
                    i,
                    cr,
                    {k: tuple(code_lists[k][mats[k][i]]) for k in code_lists},
                    {
                        "country": country[i],
                        "case_no": f"{5000 + cr[20] % 900}-K{cr[21] % 900000 + 100000}-"
                        f"{report_yy[i]}",
                        "region": regions[region[i]],
                        "sector": sector[i],
                        "detection_channel": detection[i],
                        "n_victims": n_victims[i],
                        "victim": (v_sex[v], v_cit[v], v_res[v])
                        if v >= 0
                        else ("unknown", "XX", "unknown"),
                        "suspects": by_case_suspects.get(i, []),
                        "interpreter": interpreter[i] == 1,
                    },
                )
            cr, chosen, shared = case[1], case[2], case[3]
            charges = s.charges.get(i, [])
            offence = offences[i]
            if dtype in ("indictment", "closure_decision") and charges and closed >= 0:
                offence = charges[0][0]
            verdicts = s.verdicts.get((i, dtype), [])
            rot = r[23]
            fact = {
                "doc_type": dtype,
                "language": lang,
                "date": date,
                "country": shared["country"],
                "case_no": shared["case_no"],
                "region": shared["region"],
                "sector": shared["sector"],
                "detection_channel": shared["detection_channel"],
                "offence": label(offence, lang),
                "charges": [(code, label(code, lang), alt) for code, alt in charges],
                "verdicts": [(j, out, label(code, lang)) for j, out, code in verdicts],
                "closure_reason": closure[i] if closed < 0 else closed_reason[i, closed],
                "closed_suspect": closed,
                "barriers": _rotated(chosen["barrier"], rot),
                "indicators": _rotated(chosen["ilo_indicator"], rot),
                "signs": _rotated(chosen["agency_sign"], rot),
                "n_victims": shared["n_victims"],
                "victim": shared["victim"],
                "suspects": shared["suspects"],
                "interpreter": shared["interpreter"],
            }
            yield doc_id, path, fact, r, cr


def _rotated(codes: tuple[str, ...], start: int) -> tuple[str, ...]:
    """The codes from position ``start`` (modulo their number) on, wrapping round."""
    if not codes:
        return ()
    k = start % len(codes)
    return codes[k:] + codes[:k]
