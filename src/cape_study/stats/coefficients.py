"""Chance-corrected agreement coefficients behind :func:`~cape_study.stats.reliability.agreement`.

Each builder takes a units x coders matrix of category numbers (-1 = not coded), the
coder names, the number of categories and, for Cohen's kappa, the pair of coders, and
returns a :class:`Stat`: the coefficient as a ratio of weighted sums over units, so that
a bootstrap replicate is a vector of unit weights (how often each unit was drawn).
The formulas and their sources are in the docstrings of
:mod:`cape_study.stats.reliability`; Gwet's AC1 is :func:`gwet_stat`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Stat", "cohen_stat", "fleiss_stat", "gwet_stat", "krippendorff_stat"]


@dataclass
class Stat:
    """One coefficient's per-unit sums for one group: ``compute`` turns unit weights
    (replicates x units) into (estimate, observed agreement, chance agreement)."""

    compute: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
    used: np.ndarray  # which units of the group it uses
    coders: list[str]
    n_values: int  # ratings it uses


def _onehot(values: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((len(values), k))
    ok = values >= 0
    out[np.flatnonzero(ok), values[ok]] = 1.0
    return out


def _counts(values: np.ndarray, k: int) -> np.ndarray:
    """Per unit, how many coders gave each category (values: units x coders, -1 = none)."""
    if k == 0:
        return np.zeros((len(values), 0))
    return np.stack([(values == c).sum(axis=1) for c in range(k)], axis=1).astype(float)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 1e-12, num / np.where(den > 1e-12, den, 1.0), np.nan)


def cohen_stat(values: np.ndarray, coders: list[str], k: int, pair: Sequence[str] | None) -> Stat:
    if pair is None:
        if len(coders) < 2:
            return Stat(lambda w: _nan(len(w)), np.zeros(len(values), bool), list(coders), 0)
        rated = values >= 0
        together = rated.T.astype(int) @ rated.astype(int)
        np.fill_diagonal(together, -1)
        # The two coders who coded the most units together (first in name order on ties).
        i, j = np.unravel_index(np.argmax(together), together.shape)
        pair = sorted([coders[i], coders[j]])
    missing = [c for c in pair if c not in coders]
    if len(pair) != 2 or missing:
        raise ValueError(f"Cohen's kappa needs two coders of the data; got {list(pair)}")
    a, b = (values[:, coders.index(c)] for c in pair)
    used = (a >= 0) & (b >= 0)
    a, b = a[used], b[used]
    agree = (a == b).astype(float)
    oa, ob = _onehot(a, k), _onehot(b, k)

    def compute(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = w.sum(axis=1)
        po = _ratio(w @ agree, n)
        pe = ((w @ oa) * (w @ ob)).sum(axis=1) / np.where(n > 0, n, 1.0) ** 2
        return _ratio(po - pe, 1 - pe), po, pe

    return Stat(compute, used, list(pair), 2 * int(used.sum()))


def fleiss_stat(values: np.ndarray, coders: list[str], k: int, pair: Sequence[str] | None) -> Stat:
    m = values.shape[1]
    used = (values >= 0).all(axis=1) if m >= 2 else np.zeros(len(values), bool)
    counts = _counts(values[used], k)
    p_unit = ((counts**2).sum(axis=1) - m) / (m * (m - 1)) if m >= 2 else np.zeros(0)

    def compute(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = w.sum(axis=1)
        observed = _ratio(w @ p_unit, n)
        share = (w @ counts) / (m * np.where(n > 0, n, 1.0))[:, None]
        chance = (share**2).sum(axis=1)
        return _ratio(observed - chance, 1 - chance), observed, chance

    return Stat(compute, used, list(coders), m * int(used.sum()))


def krippendorff_stat(
    values: np.ndarray, coders: list[str], k: int, pair: Sequence[str] | None
) -> Stat:
    m_unit = (values >= 0).sum(axis=1)
    used = m_unit >= 2  # only pairable values count
    counts = _counts(values[used], k)
    m = m_unit[used].astype(float)
    # Disagreeing ordered pairs within the unit, weighted 1/(m_u - 1) (Krippendorff 2011).
    d_unit = (m**2 - (counts**2).sum(axis=1)) / np.where(m > 1, m - 1, 1.0)

    def compute(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = w @ m
        disagreement = w @ d_unit
        totals = w @ counts
        expected = n**2 - (totals**2).sum(axis=1)  # sum over c != k of n_c * n_k
        alpha = 1 - _ratio((n - 1) * disagreement, expected)
        observed = 1 - _ratio(disagreement, n)
        chance = 1 - _ratio(expected, n * (n - 1))
        return alpha, observed, chance

    return Stat(compute, used, list(coders), int(m.sum()))


def _nan(b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.full(b, np.nan)
    return empty, empty, empty


def gwet_stat(values: np.ndarray, coders: list[str], k: int, pair: Sequence[str] | None) -> Stat:
    """Gwet's AC1 for any number of coders and missing values (Gwet 2008, 2014).

    With r_u values on unit u, n_uc of them category c, and q categories (at least 2:
    a present/absent code has two even where every coder said absent), observed
    agreement p_a is the mean over units with r_u >= 2 of sum_c n_uc (n_uc - 1) /
    (r_u (r_u - 1)); pi_c is the mean over units with a value of n_uc / r_u; chance
    agreement p_e = sum_c pi_c (1 - pi_c) / (q - 1); AC1 = (p_a - p_e) / (1 - p_e). As R's
    ``irrCAC::gwet.ac1.raw``.
    """
    r = (values >= 0).sum(axis=1)
    used = r >= 1
    counts = _counts(values[used], k)
    q = max(k, 2)
    r_used = r[used].astype(float)
    pairs = r_used >= 2
    p_unit = np.where(
        pairs,
        (counts * (counts - 1)).sum(axis=1) / np.where(pairs, r_used * (r_used - 1), 1.0),
        0.0,
    )
    share = counts / r_used[:, None] if len(r_used) else counts

    def compute(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        observed = _ratio(w @ p_unit, w @ pairs.astype(float))
        pi = (w @ share) / np.where(w.sum(axis=1) > 0, w.sum(axis=1), 1.0)[:, None]
        chance = (pi * (1 - pi)).sum(axis=1) / (q - 1)
        return _ratio(observed - chance, 1 - chance), observed, chance

    return Stat(compute, used, list(coders), int(r_used.sum()))
