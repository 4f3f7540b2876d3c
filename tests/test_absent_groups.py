"""Groups without a case in the whole-report protection: a funnel grouped with
``observed=True`` has no row for a group no case is in (Finland without a case of some
offence family), which a reader reads as 0. The intruder model must know that too, or
the unknowns of those groups absorb what the reader knows is nothing and a hidden count
looks protected that a reader computes exactly. Attacked here by an independent linear
programme over the full cross-classification (country by offence family by course),
with the absent groups fixed at 0 as a reader knows them."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from cape_study.privacy.disclosure import Disclosure
from cape_study.privacy.linked import PROTECTION_WIDTH
from cape_study.stats import attrition
from cape_study.stats.case_status import FAMILIES, FUNNEL_STEPS, OUTCOME_ORDER, STAGE_ORDER

LAST = len(STAGE_ORDER) - 1
#: A case's course: furthest stage (index) and how it ended there.
COURSES = [(k, end) for k in range(LAST) for end in ("open", "closed")] + [
    (LAST, end) for end in ("open", "closed", *OUTCOME_ORDER)
]
COUNTRIES = ("FI", "SE")

#: Nine cases: Finland has trafficking only, Sweden trafficking and exploitation (the
#: smallest case file found, by dropping cases one at a time from 40 random ones, on
#: which the model without the absent groups' zeros left counts computable).
CASES = pd.DataFrame(
    {
        "country": ["FI"] * 5 + ["SE"] * 4,
        "reported": ["trafficking"] * 6 + ["exploitation", "trafficking", "exploitation"],
        "furthest": [4, 4, 4, 1, 0, 1, 0, 3, 2],
        "end": ["closed", "pending", "convicted_trafficking", "closed", "closed"] + ["open"] * 4,
    }
)


def _status(cases: pd.DataFrame) -> pd.DataFrame:
    """What :func:`cape_study.stats.attrition.case_status` gives the funnel: the stages
    each case reached and its final outcome (only for a case judged)."""
    status = cases[["country", "reported"]].copy()
    for k, stage in enumerate(STAGE_ORDER):
        status[f"reached_{stage}"] = cases["furthest"] >= k
    outcome = cases["end"].where(cases["end"].isin(OUTCOME_ORDER))
    status["outcome"] = outcome.astype("string")
    return status


def _published(status: pd.DataFrame) -> tuple[Disclosure, list[pd.DataFrame]]:
    """The stage funnel by country and the funnel by country and offence reported,
    suppressed and linked as ``01_attrition`` does (report_funnels.group_funnel)."""
    audit = Disclosure()
    overall = attrition.funnel(status, by="country", steps=FUNNEL_STEPS, overall=True)
    split = attrition.funnel(status, by=["country", "reported"], steps=STAGE_ORDER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an exposed table warns; the attack below judges
        stage = attrition.suppress_funnel(
            overall,
            threshold=5,
            name="stage funnel",
            additive=["country"],
            audit=audit,
            link={"country": "country"},
        )
        by_reported = attrition.suppress_funnel(
            split,
            threshold=5,
            name="funnel by country and reported",
            additive=["reported"],
            audit=audit,
            link={"country": "country", "reported": "reported"},
        )
    stage["truth"] = overall["reached"].to_numpy()
    by_reported["truth"] = split["reached"].to_numpy()
    return audit, [stage, by_reported]


def _inside(cell: dict, combo: tuple) -> bool:
    """Whether a case of ``combo`` (country, family, course) counts in a funnel ``cell``."""
    country, family, (furthest, end) = combo
    if cell["country"] not in ("all", country) or cell.get("reported", family) != family:
        return False
    if cell["stage"] in STAGE_ORDER:
        return furthest >= STAGE_ORDER.index(cell["stage"])
    return furthest == LAST and end == cell["stage"]


def _attack(tables: list[pd.DataFrame]) -> list[tuple[dict, str, int, float, float]]:
    """Each hidden cell's ``(cell, mark, true count, low, high)`` for a reader who knows
    every published cell, what each mark says (a small count is 1 to 4) and that a
    group the table by offence family shows no row of has no case."""
    combos = list(itertools.product(COUNTRIES, FAMILIES, COURSES))

    def row(cell: dict) -> np.ndarray:
        return np.array([float(_inside(cell, combo)) for combo in combos])

    known, hidden = [], []
    for table in tables:
        for record in table.to_dict("records"):
            cell = {k: str(record[k]) for k in ("country", "reported", "stage") if k in record}
            if pd.isna(record["reached"]):
                hidden.append((cell, str(record["hidden"]), int(record["truth"])))
            else:
                known.append((row(cell), float(record["reached"])))
    shown = set(zip(tables[1]["country"], tables[1]["reported"], strict=True))
    for country, family in itertools.product(COUNTRIES, FAMILIES):
        if (country, family) not in shown:  # no row: the reader knows it is 0
            known.append((row({"country": country, "reported": family, "stage": "reported"}), 0))
    a_eq = np.array([r for r, _ in known])
    b_eq = np.array([v for _, v in known])
    marked = [row(cell) for cell, mark, _ in hidden if mark == "small"]
    a_ub = np.vstack([*marked, *(-r for r in marked)]) if marked else None
    b_ub = np.array([4.0] * len(marked) + [-1.0] * len(marked)) if marked else None
    out = []
    for cell, mark, truth in hidden:
        target = row(cell)
        low = linprog(target, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None))
        high = linprog(-target, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None))
        assert low.status == 0 and high.status in (0, 3)  # the truth is feasible
        out.append((cell, mark, truth, low.fun, np.inf if high.status == 3 else -high.fun))
    return out


def _narrowed(found: list[tuple[dict, str, int, float, float]]) -> list[tuple]:
    """The hidden cells a reader narrows: a small count (1 to 4) not left every value
    from 1 to 4 (nor, unmarked, an interval 5 wide), any other but a zero narrower than
    PROTECTION_WIDTH (a zero may be pinned: zeros are publishable, and the stage
    funnel's own zeros pin the parts of them)."""
    bad = []
    for cell, mark, truth, low, high in found:
        if truth == 0:
            continue
        if 0 < truth < 5:
            ok = (low <= 1 + 1e-6 and high >= 4 - 1e-6) or (mark != "small" and high - low >= 5)
        else:
            ok = high - low >= PROTECTION_WIDTH - 1e-6
        if not ok:
            bad.append((cell, truth, round(low, 6), round(high, 6)))
    return bad


def test_a_family_a_country_has_no_case_of_hides_no_count_from_the_model() -> None:
    # Before the absent groups were registered as zeros, the funnel by offence family
    # published Finland's trafficking cases reported (5), Finland's only family, and the
    # model let Finland's exploitation (no row) take any number: Finland's hidden total
    # reported was 5 exactly for a reader, and Sweden's (4, small) the total of all
    # cases (9) less 5.
    found = _attack(_published(_status(CASES))[1])
    assert len(found) >= 10
    assert not _narrowed(found), _narrowed(found)


def test_the_absent_groups_are_registered_as_zeros_not_shown() -> None:
    audit, (_, by_reported) = _published(_status(CASES))
    # the table shows the groups that have cases, and nothing more
    shown = set(zip(by_reported["country"], by_reported["reported"], strict=True))
    assert shown == {("FI", "trafficking"), ("SE", "trafficking"), ("SE", "exploitation")}
    table = audit._linked["funnel by country and reported"]
    zeros = [r for r in table.records() if r["count"] == 0 and r["cell"]["stage"] == "all"]
    # every other family of the declared order (the offence flows' FAMILIES), both countries
    expected = {(c, f) for c in COUNTRIES for f in FAMILIES} - shown
    assert {(r["cell"]["country"], r["cell"]["reported"]) for r in zeros} == expected
    assert len(table.records()) == len(by_reported) + len(expected)
    assert not any(r["small"] or r["marked"] for r in zeros)


def test_a_step_a_countrys_law_lacks_is_no_zero() -> None:
    # Sweden's funnel by offence has rows for an offence that is not Swedish law (not
    # applicable, not linked): the group has cases, so it is no zero cell.
    from cape_study.stats.funnel import _present

    table = pd.DataFrame(
        {
            "country": ["SE", "SE", "FI"],
            "offence": ["torkea_ihmiskauppa", "manniskohandel", "torkea_ihmiskauppa"],
            "applicable": [False, True, True],
        }
    )
    audit = Disclosure()
    absent = audit._absent(_present(table, {"country": "country", "offence": "offence"}, {}),
                           {"country": "country", "offence": "offence"})  # fmt: skip
    assert absent == [{"country": "FI", "offence": "manniskohandel"}]


def test_03_registers_the_channels_and_families_a_country_has_no_case_of(tmp_path) -> None:
    # 03 declares every detection channel of the case file and joint_inspection, and the
    # offence families with törkeä ihmiskauppa a class of its own: a (country, class)
    # without a case is a zero a reader knows (01's funnels show no row; Swedish law has
    # no törkeä ihmiskauppa), registered as such; counted here from the case file.
    from cape_study.data.codebook import codebook_or_default
    from cape_study.data.loaders import load_case_file
    from cape_study.stats.model_links import ABSENT_NAME, CaseClasses
    from cape_study.synth import SynthSpec, write_synthetic_case_file

    folder = write_synthetic_case_file(
        tmp_path / "casefile", SynthSpec(60, 1), command="test", progress=None
    )
    case = load_case_file(folder, read_documents=False)
    cases = case.cases.assign(
        country=case.cases["country"].astype(str),
        channel=case.cases["detection_channel"].astype(str),
        offence=case.cases["offence_reported"].astype(str),
    )
    classes = CaseClasses(case)
    absent = classes.absent()
    channels = sorted({*cases["channel"], "joint_inspection"})
    families = {c.code: c.family for c in codebook_or_default(None).scheme("offence").codes}
    cases["family"] = cases["offence"].map(families)
    expected_channels = {
        (c, ch)
        for c in sorted(set(cases["country"]))
        for ch in channels
        if not ((cases["country"] == c) & (cases["channel"] == ch)).any()
    }
    expected_families = {
        (c, f)
        for c in sorted(set(cases["country"]))
        for f in sorted(set(families.values()))
        if not ((cases["country"] == c) & (cases["family"] == f)).any()
    }
    expected_families |= {(c, "torkea_ihmiskauppa") for c in set(cases["country"]) if c != "FI"}
    got = {d: {(z["country"], z[d]) for z in cells} for d, cells in absent.items()}
    assert got.get("detection_channel", set()) == expected_channels
    assert got.get("reported", set()) == expected_families
    assert expected_families  # the 60 cases lack some family in some country
    audit = Disclosure()
    classes.link_zeros(audit, threshold=5)
    registered = {n for n in audit._linked if n.startswith(ABSENT_NAME)}
    assert registered == {f"{ABSENT_NAME}: {d}" for d in absent}
    for name in registered:
        assert all(r["count"] == 0 for r in audit._linked[name].records())
