"""The random-draw helpers of the synthetic generator and its time axis (day numbers).

Used by :mod:`cape_study.synth.simulation` and :mod:`cape_study.synth.court`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

__all__ = ["any_of", "day_number", "draw", "expit", "iso_dates", "rows"]


def day_number(value: str | dt.date) -> int:
    """Days since 1970-01-01 of a date or an ISO date string (the simulation's time axis)."""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (date - dt.date(1970, 1, 1)).days


def iso_dates(days: np.ndarray) -> np.ndarray:
    """ISO date strings (YYYY-MM-DD) of an array of day numbers."""
    return np.datetime_as_string(np.asarray(days, dtype="int64").astype("datetime64[D]"))


def draw(rng: np.random.Generator, values: dict[str, float], n: int) -> np.ndarray:
    """``n`` codes drawn from a distribution given as {code: probability}."""
    codes = np.array(list(values), dtype=object)
    p = np.array(list(values.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of a matrix of (unnormalised) probabilities."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def any_of(index: np.ndarray, flag: np.ndarray, n: int) -> np.ndarray:
    """Per group of ``index`` (0..n-1): whether any of its ``flag`` is true."""
    return np.bincount(index, weights=flag.astype(float), minlength=n) > 0


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))
