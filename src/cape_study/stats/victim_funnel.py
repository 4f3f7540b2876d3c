"""The victims' view: of the identified victims, how many gave a statement, had counsel,
and were victims in a case that reached prosecution or a conviction.

The steps are facts of each victim (:func:`cape_study.data.victims.identified_victims`)
and of the victim's case (:func:`cape_study.stats.case_status.case_status`); the table
has the shape of a funnel, so that :func:`cape_study.stats.funnel.suppress_funnel`
protects it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cape_study.data.victims import identified_victims
from cape_study.errors import CannotEstimate
from cape_study.stats.case_status import CONVICTED
from cape_study.stats.proportions import add_proportion

__all__ = ["VICTIM_STEPS", "victim_funnel"]


#: The steps of :func:`victim_funnel`, in order.
VICTIM_STEPS = (
    "victim_identified",
    "victim_statement",
    "victim_counsel",
    "victim_case_prosecuted",
    "victim_case_convicted",
)


def victim_funnel(
    victims: pd.DataFrame,
    status: pd.DataFrame,
    by: str | Sequence[str] | None = "country",
    *,
    confidence: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """The victims' view: of the identified victims, how many gave a statement, had
    counsel for the injured party, and were victims in a case that reached prosecution
    or ended in a conviction (of any offence).

    The last two are facts of the victim's case (:func:`cape_study.stats.attrition.
    case_status`): whether the victim was an injured party in the judgment needs the
    link between offences and victims, which the case file does not yet hold. A blank
    statement or counsel counts as not known to have happened. Every share has all
    identified victims of the group as its denominator.

    Returns
    -------
    DataFrame
        The shape of :func:`cape_study.stats.attrition.funnel` (``by`` columns,
        ``stage`` among :data:`VICTIM_STEPS`, ``level`` = ``stage``, ``n_cases`` = victims
        identified, ``reached``, proportion and interval), so that
        :func:`cape_study.stats.attrition.suppress_funnel` protects it.
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    facts = status[["case_id", *keys, "reached_prosecuted", "outcome"]].assign(
        case_id=status["case_id"].astype("string")
    )
    victims = identified_victims(victims)
    data = victims[["case_id", "gave_statement", "had_counsel"]].assign(
        case_id=victims["case_id"].astype("string")
    )
    data = data.merge(facts, on="case_id", how="inner")
    if data.empty:
        raise CannotEstimate("no_cases", "no identified victim", what="identified victims")
    flags = pd.DataFrame(
        {
            "victim_identified": True,
            "victim_statement": data["gave_statement"].astype("boolean").fillna(False),
            "victim_counsel": data["had_counsel"].astype("boolean").fillna(False),
            "victim_case_prosecuted": data["reached_prosecuted"].astype(bool),
            "victim_case_convicted": data["outcome"].isin(CONVICTED).fillna(False),
        },
        index=data.index,
    )
    groups = list(data.groupby(keys, observed=True)) if keys else [((), data)]
    if len(keys) == 1:  # the total over the groups, marked "all" as funnel(overall=True)
        groups = [(("all",), data), *groups]
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        for step in VICTIM_STEPS:
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "stage": step,
                    "level": "stage",
                    "n_cases": len(group),
                    "reached": int(flags.loc[group.index, step].sum()),
                }
            )
    table = pd.DataFrame(rows)
    if len(keys) == 1:
        table[keys[0]] = table[keys[0]].astype("string")
    table["stage"] = pd.Categorical(table["stage"], categories=list(VICTIM_STEPS), ordered=True)
    return add_proportion(table, "reached", "n_cases", confidence, method)
