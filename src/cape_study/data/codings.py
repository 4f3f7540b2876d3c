"""The codings table's two readings: the coders' raw codes, and the codes the analyses use.

Several coders code a unit; where they disagree, a team decides (adjudication,
:mod:`cape_study.coding.adjudication`) and stores the decision as codings of their own,
under the coder name :data:`CONSENSUS`. The raw codes stay in the table, because
reliability is a property of the coders' independent codes, not of the decisions.

- :func:`raw` is what reliability and the disagreement list read: every coder but
  :data:`CONSENSUS`.
- :func:`for_analysis` is what the substantive analyses read: where a unit, scheme and
  code has a consensus coding, that coding alone; elsewhere the raw codes, which the
  analysis combines by its coder rule (:data:`cape_study.stats.barriers.CODER_RULES`).
- :func:`unresolved` keeps the rows of a table (for example the disagreements) that
  no consensus coding has settled yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["CONSENSUS", "KEYS", "for_analysis", "raw", "unresolved"]

#: The coder name under which adjudicated (consensus) codes are stored.
CONSENSUS = "consensus"
#: What one coding is about: a code of a scheme on a unit.
KEYS = ("unit_id", "scheme", "code")


def _is_consensus(codings: pd.DataFrame, coder: str) -> pd.Series:
    return codings[coder].astype("string").fillna("").eq(CONSENSUS)


def raw(codings: pd.DataFrame, *, coder: str = "coder") -> pd.DataFrame:
    """The coders' own codes: every row but those of :data:`CONSENSUS`."""
    return codings[~_is_consensus(codings, coder).to_numpy()].reset_index(drop=True)


def _settled(codings: pd.DataFrame, keys: Sequence[str], coder: str) -> pd.MultiIndex:
    decided = codings[_is_consensus(codings, coder).to_numpy()]
    return pd.MultiIndex.from_frame(decided[list(keys)].astype("string"))


def for_analysis(
    codings: pd.DataFrame, *, keys: Sequence[str] = KEYS, coder: str = "coder"
) -> pd.DataFrame:
    """The codes the analyses use: a consensus coding replaces every raw code of its
    unit, scheme and code; raw codes elsewhere are kept as they are."""
    settled = _settled(codings, keys, coder)
    if settled.empty:
        return codings.reset_index(drop=True)
    index = pd.MultiIndex.from_frame(codings[list(keys)].astype("string"))
    keep = ~index.isin(settled) | _is_consensus(codings, coder).to_numpy()
    return codings[keep].reset_index(drop=True)


def unresolved(
    table: pd.DataFrame,
    codings: pd.DataFrame,
    *,
    keys: Sequence[str] = KEYS,
    coder: str = "coder",
) -> pd.DataFrame:
    """The rows of ``table`` (which has the ``keys`` columns) that no consensus coding
    in ``codings`` has settled."""
    settled = _settled(codings, keys, coder)
    if settled.empty or table.empty:
        return table.reset_index(drop=True)
    index = pd.MultiIndex.from_frame(table[list(keys)].astype("string"))
    return table[~index.isin(settled)].reset_index(drop=True)
