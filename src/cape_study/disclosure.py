"""Small-cell suppression with an audit trail, for every count table that is published.

Counts of cases and victims from police files can identify people when they are
small. :func:`suppress` hides them before a table leaves the analysis:

**Primary suppression.** A count ``n`` with ``0 < n < threshold`` is hidden. When the
table gives each count's denominator (``total``), the complement ``total - n`` is
protected the same way, since "all but 2 cases" discloses as much as "2 cases".

**Secondary suppression.** Where counts add up along a key to totals that are
published or can be derived (a cross-table of sector by outcome with its margins),
one hidden cell in a line could be recovered by subtraction. For every line (cells
that differ only in one key) with exactly one hidden cell, the smallest other
non-zero cell of the line is hidden too, repeated until no line has a single hidden
cell. This is the usual heuristic for tables of modest size (see Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, ch. 4.4); it does not search for the
least-cost pattern as tau-argus does.

Zeros are published: a structural zero discloses nothing about a person.

Every hidden cell is recorded (table, cell, column, reason, threshold; never the
value) in an audit kept for the session. :func:`publish_audit` displays it in the
notebook in a form the pipeline runner copies into ``reports/manifest.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd

__all__ = ["AUDIT_MIMETYPE", "audit", "clear_audit", "publish_audit", "suppress"]

#: The MIME type under which :func:`publish_audit` displays the audit for the runner.
AUDIT_MIMETYPE = "application/vnd.cape-study.disclosure+json"

_AUDIT: list[dict] = []


def suppress(
    table: pd.DataFrame,
    count: str,
    *,
    threshold: int,
    name: str,
    total: str | None = None,
    keys: Sequence[str] = (),
    derived: Sequence[str] = (),
    label: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Hide small counts (and what would reveal them) in a count table.

    Parameters
    ----------
    table
        A tidy table, one row per cell.
    count
        The column of counts to protect.
    threshold
        Counts from 1 to ``threshold - 1`` are hidden (the rule of ``threshold``).
    name
        The table's name in the audit.
    total
        Optional column with each count's denominator; it is protected itself, and so
        is the complement ``total - count``.
    keys
        Columns along which counts add up to published or derivable totals; secondary
        suppression runs along each. Leave empty when the cells are not additive (a
        funnel, where each stage is a subset of the one before).
    derived
        Columns computed from the count (proportions, intervals) that are hidden with
        it.
    label
        Columns that identify a cell in the audit (default: ``keys``, else all
        non-numeric columns).

    Returns
    -------
    DataFrame
        A copy with hidden cells missing (counts become ``Int64``) and a boolean
        column ``suppressed``.
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    missing = [c for c in [count, total, *keys, *derived] if c and c not in table.columns]
    if missing:
        raise ValueError(
            f"table {name!r} has no column(s) {missing}; columns: {list(table.columns)}"
        )
    out = table.copy().reset_index(drop=True)
    values = out[count].astype("Int64")
    small = (values > 0) & (values < threshold)
    reason = pd.Series(pd.NA, index=out.index, dtype="string")
    reason[small.fillna(False)] = "primary"
    hidden_total = pd.Series(False, index=out.index)
    if total is not None:
        totals = out[total].astype("Int64")
        hidden_total = ((totals > 0) & (totals < threshold)).fillna(False)
        rest = totals - values
        complement = ((rest > 0) & (rest < threshold)).fillna(False) & reason.isna()
        reason[complement & ~hidden_total] = "complement"
        out[total] = totals.mask(hidden_total)
    _secondary(values, reason, out, list(keys))
    hidden = reason.notna()
    out[count] = values.mask(hidden)
    for column in derived:
        out[column] = out[column].mask(hidden | hidden_total)
    out["suppressed"] = hidden | hidden_total
    label_cols = list(
        label
        or keys
        or [
            c
            for c in out.columns
            if c not in {count, total, "suppressed", *derived}
            and not pd.api.types.is_numeric_dtype(out[c])
        ]
    )
    for i in out.index[out["suppressed"]]:
        cell = {c: str(out.at[i, c]) for c in label_cols}
        if hidden[i]:
            _AUDIT.append(
                {
                    "table": name,
                    "cell": cell,
                    "column": count,
                    "reason": str(reason[i]),
                    "threshold": threshold,
                }
            )
        if hidden_total[i]:
            _AUDIT.append(
                {
                    "table": name,
                    "cell": cell,
                    "column": total,
                    "reason": "primary",
                    "threshold": threshold,
                }
            )
    return out


def _secondary(values: pd.Series, reason: pd.Series, table: pd.DataFrame, keys: list[str]) -> None:
    """Hide further cells until no additive line has exactly one hidden cell.

    Among the cells of a line that could be hidden, prefer one whose other lines
    already hold a hidden cell (so one suppression protects two lines), then a
    non-zero cell, then the smallest.
    """
    if not keys:
        return
    lines = {}
    for key in keys:
        others = [k for k in keys if k != key]
        lines[key] = (
            table.groupby(others, observed=True, dropna=False).ngroup()
            if others
            else pd.Series(0, index=table.index)
        )
    while True:
        hidden = reason.notna()
        found = None
        for key in keys:
            per_line = hidden.groupby(lines[key]).agg(["sum", "size"])
            single = per_line.index[(per_line["sum"] == 1) & (per_line["size"] > 1)]
            if len(single):
                found = key, single[0]
                break
        if found is None:
            return
        key, line = found
        hidden_in = {k: hidden.groupby(lines[k]).sum() for k in keys}
        candidates = [i for i in table.index[lines[key] == line] if not hidden[i]]

        def cost(i: int, key: str = key, hidden_in: dict = hidden_in) -> tuple[int, bool, int]:
            opens = sum(hidden_in[k][lines[k][i]] == 0 for k in keys if k != key)
            return opens, values[i] == 0, int(values[i])

        reason[min(candidates, key=cost)] = f"secondary ({key})"


def audit() -> pd.DataFrame:
    """Every cell hidden in this session: table, cell, column, reason, threshold."""
    return pd.DataFrame(_AUDIT, columns=["table", "cell", "column", "reason", "threshold"])


def clear_audit() -> None:
    """Forget the session's audit (tests and notebooks that start over)."""
    _AUDIT.clear()


def publish_audit() -> None:
    """Display the session's audit in the notebook, for readers and for the runner.

    The display carries the audit as JSON under :data:`AUDIT_MIMETYPE` (copied into
    the manifest by the pipeline runner) and a short Markdown summary for readers.
    """
    from IPython.display import display

    records = list(_AUDIT)
    tables = sorted({r["table"] for r in records})
    summary = (
        f"**Disclosure control:** {len(records)} cell(s) suppressed in "
        f"{len(tables)} table(s)" + (f" ({', '.join(tables)})." if tables else ".")
    )
    display({AUDIT_MIMETYPE: json.loads(json.dumps(records)), "text/markdown": summary}, raw=True)
