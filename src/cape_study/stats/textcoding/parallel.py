"""Spreading the text-coding work over processes (joblib), with the same results.

:func:`spread` hands contiguous parts of a list of units to
:func:`cape_study.paths.workers` processes (``cape-study run`` sets that to the step's
share of the cores) and returns the parts' results in order, so that nothing depends on
the number of processes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from cape_study import paths

__all__ = ["PARALLEL_FROM", "spread"]

#: Work is spread over processes from this many units on (starting them takes seconds).
PARALLEL_FROM = 5000


def spread(function: Callable[[list], list], items: list, n_jobs: int | None) -> list[list]:
    """``function`` of contiguous parts of ``items``, one part per process, in order.

    ``n_jobs`` processes (default :func:`cape_study.paths.workers`, which ``cape-study
    run`` sets to the step's share of the cores); one part, in this process, when
    that is 1 or there are fewer than ``PARALLEL_FROM`` items.
    """
    n = paths.workers() if n_jobs is None else max(n_jobs, 1)
    if n == 1 or len(items) < PARALLEL_FROM:
        return [function(items)]
    # scikit-learn (about 1 s to import) only when the work is spread: intake
    # normalises texts through here and needs nothing else of it.
    from sklearn.utils.parallel import Parallel, delayed

    bounds = np.linspace(0, len(items), n + 1).astype(int)
    return Parallel(n_jobs=n)(delayed(function)(items[a:b]) for a, b in itertools.pairwise(bounds))
