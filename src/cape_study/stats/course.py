"""A case's course, the dimension that links the funnel, the drop-out matrix and the
closure reasons in the whole-report protection (:mod:`cape_study.privacy.linked`).

A case's course is its furthest stage (up to the first-instance judgment; a case that
went further counts there) and how it ended: ``open``, ``closed`` (closed without a
judgment) or, at the last stage, its final outcome (a case has one only when judged:
:func:`cape_study.stats.attrition.case_status`). Every count of those tables is the number of cases
whose course is in a set of these classes, which :func:`course_dimension` names:

* a stage (``prosecuted``): every course that reached it (the funnel's stage rows, the
  matrix's cases at a stage);
* an outcome (``acquitted``): every course ending so (the funnel's outcome rows);
* ``moved_on:<stage>``: the next stage's courses, and after the last stage the
  convictions (:data:`cape_study.stats.dropout.CONVICTED`);
* ``dropped_out:<stage>``: closed there, and at the last stage also acquitted;
* ``still_open:<stage>``: the rest of the courses ending at the stage;
* ``closed:<stage>``: closed there without a judgment (the closure reasons' cases);
* ``no_outcome``: every course without a final outcome (the offence flows' cases charged
  and ``not_judged``);
* ``closed_before:<stage>`` and ``open_before:<stage>``: closed, or still open, at a stage
  before it (the models' cases closed without prosecution and open at the cut-off,
  ``03_models``: :mod:`cape_study.stats.model_links`).

These are the rules of :func:`cape_study.stats.dropout.matrix` and
:func:`~cape_study.stats.dropout.closure_reasons`, written as sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cape_study.privacy.linked import Dimension

__all__ = ["ENDS", "course_classes", "course_dimension"]

#: How a case without a judgment ends.
ENDS = ("open", "closed")


def course_dimension(
    stages: Sequence[str],
    outcomes: Sequence[str],
    convicted: Sequence[str],
    acquitted: str = "acquitted",
) -> Dimension:
    """The ``"sets"`` dimension of courses over ``stages`` (in order) and final
    ``outcomes``, with the members named in the module's list."""
    last = stages[-1]

    def at(stage: str, kept) -> tuple[str, ...]:
        ends = [*ENDS, *outcomes] if stage == last else ENDS
        return tuple(f"{stage}:{end}" for end in ends if kept(end))

    members: dict[str, tuple[str, ...]] = {}
    for k, stage in enumerate(stages):
        members[stage] = tuple(c for later in stages[k:] for c in at(later, lambda e: True))
    for outcome in outcomes:
        members[outcome] = (f"{last}:{outcome}",)
    for k, stage in enumerate(stages):
        if stage == last:
            on = at(stage, lambda e: e in convicted)
            out = at(stage, lambda e: e in {"closed", acquitted})
        else:
            on = members[stages[k + 1]]
            out = at(stage, lambda e: e == "closed")
        members[f"moved_on:{stage}"] = on
        members[f"dropped_out:{stage}"] = out
        members[f"still_open:{stage}"] = tuple(
            c for c in at(stage, lambda e: True) if c not in {*on, *out}
        )
        members[f"closed:{stage}"] = at(stage, lambda e: e == "closed")
    for k, stage in enumerate(stages):
        for end in ENDS:
            members[f"{end}_before:{stage}"] = tuple(f"{s}:{end}" for s in stages[:k])
    classes = tuple(c for stage in stages for c in at(stage, lambda e: True))
    members["no_outcome"] = tuple(c for c in classes if c.partition(":")[2] not in outcomes)
    return Dimension("sets", classes, tuple(members.items()))


def course_classes(status: pd.DataFrame, stages: Sequence[str]) -> pd.Series:
    """Each case's course (a class of :func:`course_dimension` over ``stages``) from
    :func:`cape_study.stats.case_status.case_status`'s ``furthest_stage`` (a stage after
    the last of ``stages`` counts there) and ``end``; an end that is no class of its
    stage (an outcome ``pending`` before the last stage: neither closed nor open) reads
    ``open``."""
    last = stages[-1]
    furthest = status["furthest_stage"].astype("string")
    stage = furthest.where(furthest.isin(list(stages)), last)
    end = status["end"].astype("string").fillna("open")
    end = end.where((stage == last) | end.isin(list(ENDS)), "open")
    return (stage + ":" + end).astype("string")
