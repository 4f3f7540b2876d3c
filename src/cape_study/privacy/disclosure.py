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
cell (the usual heuristic for tables of modest size; Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, ch. 4.4). That is not always enough: hidden cells
can still be pinned down by combining lines (a "bridge" between two blocks of hidden
cells). So the pattern is then audited as an intruder would attack it (Hundepool et
al. 2012, sect. 4.3.1, the feasibility interval). Knowing every published cell, every
line total along every key (a small total only as small, since it would be suppressed
where published) and that counts are whole non-negative numbers, the intruder finds
the smallest and largest value of each hidden cell by linear programming (integer
programming for more than two keys; HiGHS, one model per table through
:class:`cape_study.privacy.intruder.Intruder`, and :func:`scipy.optimize.milp`). A hidden
non-zero cell whose interval holds a single value gets another cell of its lines
hidden, and the audit repeats, so every hidden non-zero cell has at least two feasible
values (a hidden zero may be pinned down: zeros are publishable). This does not search
for the least-cost pattern as tau-argus does.

**Rounding** (optional, ``rounding=5``): the counts and totals that remain are
rounded to the nearest multiple of the base (halves up), as the UK Office for
National Statistics does for small-area tables. Zeros stay zero. Columns derived from
the counts (shares) are left as the caller computed them, from the unrounded counts.

**Rates and proportions** (:func:`suppress_rates`): a rate or share is hidden when its
numerator or denominator is small (or, for a share, the complement), also where the
counts themselves are not published. In :func:`suppress`, columns named in
``derived`` are hidden with their count or total.

Zeros are published: a structural zero discloses nothing about a person.

**Marks.** The result says how each hidden count is marked (column ``hidden``):
:data:`SMALL` for a small count, whose mark tells the reader it is from 1 to
``threshold - 1``, and :data:`ANY` for every other hidden count (hidden to protect
others; it may be any number). A small mark is itself information, so it is only given
where it narrows nothing: an intruder who also reads the marks (as in the audit above)
must still find every value from 1 to ``threshold - 1`` feasible for each cell marked
small. The most narrowed marked cell loses its mark until that holds; if the marks
would pin down an unmarked small cell, no cell of the table is marked small.
:meth:`Disclosure.link` does the same over the whole report
(:func:`cape_study.privacy.linked.mark`).

Every hidden cell is recorded (table, cell, column, reason, threshold; never the
value), and so is a table's rounding (with an empty ``cell``), in a :class:`Disclosure`:
the audit of one notebook run, made explicitly at its top (no state is kept in the
module). It holds one entry per table name, so re-running a cell replaces that table's
record instead of adding it twice. :meth:`Disclosure.publish` displays it in the
notebook in a form the pipeline runner copies into ``reports/manifest.json``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cape_study.paths import writes_into_published
from cape_study.privacy.equations import _FIRST, _LAST, Space, _years, declared
from cape_study.privacy.linked import Dimension, LinkedTable, exposed, mark, protect
from cape_study.privacy.secondary import audited, lines_of, marks, secondary

__all__ = [
    "ANY",
    "AUDIT_MIMETYPE",
    "HIDDEN",
    "SMALL",
    "Disclosure",
    "suppress",
    "suppress_part",
    "suppress_rates",
]

#: The MIME type under which :meth:`Disclosure.publish` displays the audit for the runner.
AUDIT_MIMETYPE = "application/vnd.cape-study.disclosure+json"

#: The column of :func:`suppress`'s result saying how a hidden count is marked.
HIDDEN = "hidden"
#: Marked as a small count: from 1 to the threshold less one (hidden for its own sake).
SMALL = "small"
#: Marked as any hidden count: hidden to protect others, or a small count whose small mark
#: would let it be narrowed; it may be any number.
ANY = "any"

_ROUNDED = "rounded"
_AUDIT_COLUMNS = ["table", "cell", "column", "reason", "threshold"]


class Disclosure:
    """The disclosure audit of one notebook run (or one report): what each published
    table hides, by table name.

    Make one at the top of a notebook (re-running that cell starts over) and publish
    through it: :meth:`suppress` and :meth:`suppress_rates` are :func:`suppress` and
    :func:`suppress_rates` recording here. Recording a table name again replaces its
    record: a cell run twice is audited once.
    """

    def __init__(
        self, *, earlier: Sequence[Path] = (), remember: Callable[..., Any] | None = None
    ) -> None:
        self._tables: dict[str, list[dict]] = {}
        self._linked: dict[str, LinkedTable] = {}
        self._dimensions: dict[str, Dimension] = {"year": Dimension("years")}
        #: what :meth:`link` decides is kept by (``remember(function, *args)``, such as
        #: :func:`cape_study.notebook.remembered`), or computed each time (None)
        self._remember = remember
        for path in earlier:
            self._load(Path(path))

    def link(
        self,
        name: str,
        safe: pd.DataFrame,
        truth: pd.Series,
        *,
        count: str,
        dims: Mapping[str, str],
        threshold: int,
        dimensions: Mapping[str, Dimension] | None = None,
        derived: Sequence[str] = (),
        label: Sequence[str] = (),
        unit: str = "cases",
        every: bool = False,
        present: pd.DataFrame | None = None,
        held: bool = False,
    ) -> pd.DataFrame:
        """Protect a suppressed count table against every table linked so far, and link it.

        ``safe`` is the table after :func:`suppress`, ``truth`` its true counts; ``dims``
        maps its columns to dimensions (see :mod:`cape_study.privacy.linked`). Further
        cells are hidden (reason ``secondary (report)``, with ``derived`` columns, marked
        as protecting others) until no small hidden cell (a count from 1 to
        ``threshold - 1``) of any linked table can be narrowed by an intruder who knows
        every published cell and what each mark says: every value from 1 to
        ``threshold - 1`` stays feasible; and every other hidden cell keeps an interval
        :data:`~cape_study.privacy.linked.PROTECTION_WIDTH` wide (no one can compute it).
        A table that cannot hide enough warns, naming the exposed tables, and
        :meth:`verify` then refuses the step. Only tables of the same ``unit`` (cases,
        victims ...) are linked. A table linked again under its name replaces it; one
        held up (linked with every count hidden and unmarked, perhaps by an earlier
        step) only by a table of the same cells (else ValueError: the tables linked since
        were protected against other counts than this one publishes). The hidden cells
        checked again are those of the tables in the new one's group of dimensions, or
        with ``every`` of every table (:func:`cape_study.privacy.linked.protect`).

        ``present`` (columns of ``dims``, values as linked) holds the combinations of
        grouping values the table shows, also those of rows not linked (a step a
        country's law lacks): a table grouped with ``observed=True`` has no row for a
        combination without a case, which a reader reads as 0. Every other combination
        of the declared order of each column's dimension (a ``"code"`` dimension with an
        ``order``), else of the values ``present`` holds, is registered as a published
        zero cell (the table's other dimensions ``"all"``; not a row of the result, never
        hidden): otherwise the intruder model would let those unknowns absorb what the
        reader knows is nothing, and find a hidden count wider than it is. ``held``: the
        table is held up (a shield, every count hidden and unmarked) for a later table of
        its name; only such a table's hidden cells are not asked to stay wide.

        What is decided (the cells hidden, the tables left exposed, the marks) depends
        only on the counts, cells and marks of this table and of the tables linked so far,
        the dimensions and the options (:func:`_decided`): with ``remember`` given to the
        audit, it is kept by them, so a re-run after a change that leaves them as they are
        (a confidence level, the language) is not computed again; :meth:`verify` still
        attacks every table itself.
        """
        self._declare(dimensions or {}, unit)
        out = safe.reset_index(drop=True).copy()
        out[count] = out[count].astype("Int64")
        values = truth.reset_index(drop=True).astype("Int64")
        small = (out[count].isna() & (values > 0) & (values < threshold)).fillna(False)
        zeros = self._absent(present, dims) if present is not None else []
        n, small_all = len(out), np.r_[small.to_numpy(bool), np.zeros(len(zeros), bool)]

        def registered(frame: pd.DataFrame) -> pd.DataFrame:
            """``frame``'s cells as registered: its dimensions and count, then the zeros."""
            cells = frame[list(dims)].astype("string").assign(**{count: frame[count]})
            extra = pd.DataFrame(
                [{c: z.get(c, "all") for c in dims} for z in zeros], columns=list(dims)
            ).astype("string")
            extra[count] = pd.array([0] * len(zeros), dtype="Int64")
            return pd.concat([cells, extra], ignore_index=True) if zeros else cells

        _check_held_up(
            self._linked.pop(name, None),
            LinkedTable(name, out, count, dims, small.to_numpy(), unit=unit),
        )
        table = LinkedTable(name, registered(out), count, dims, small_all, unit=unit)
        # the cells offered the small mark: small, and marked so by suppress (the cells
        # hidden below are published ones, whose marks it left empty)
        offered = (
            (out[HIDDEN] == SMALL).fillna(False).to_numpy() if HIDDEN in out else small.to_numpy()
        ) & small.to_numpy()
        offered = np.r_[offered, np.zeros(len(zeros), bool)]
        decision = (
            _tables_state(list(self._linked.values())),
            _tables_state([table])[0],
            pd.concat([values, pd.Series([0] * len(zeros), dtype="Int64")], ignore_index=True),
            [(d, spec.to_json()) for d, spec in self._dimensions.items()],
            threshold,
            every,
            (np.arange(len(small_all)) >= n).tolist(),
            offered.tolist(),
        )
        if self._remember is None:
            added, exposed, marked = _decided(*decision)
        else:
            added, exposed, marked = self._remember(_decided, *decision)
        if exposed:
            warnings.warn(
                f"table {name!r}: hidden cells of {exposed} can still be narrowed "
                "from the published tables and their marks",
                stacklevel=2,
            )
        out.loc[added, count] = pd.NA
        for column in derived:
            out.loc[added, column] = np.nan
        if "suppressed" in out:
            out.loc[added, "suppressed"] = True
        cells = registered(out)
        out[HIDDEN] = pd.Series(pd.NA, index=out.index, dtype="string").mask(out[count].isna(), ANY)
        out.loc[marked[:n], HIDDEN] = SMALL
        records = self.records(name)
        for i in added:
            cell = {c: str(out.at[i, c]) for c in (label or list(dims))}
            records.append(_record(name, cell, count, "secondary (report)", threshold))
        self.record(name, records)
        self._linked[name] = LinkedTable(
            name, cells, count, dims, small_all, unit=unit, marked=marked, held=held
        )
        return out

    def _absent(self, present: pd.DataFrame, dims: Mapping[str, str]) -> list[dict[str, str]]:
        """The combinations of grouping values a table does not show (:meth:`link`'s
        ``present``): of the declared order of each column's dimension where it is a
        ``"code"`` dimension with one, else of the values shown (``"all"``, a total,
        is none), and for a dimension of years also the spans of dates no value shown
        covers (a year or period without a case, and before the first and after the
        last: every case is in one of the values shown)."""
        columns = [c for c in present.columns if c in dims]
        if not columns:
            return []
        shown = present[columns].astype("string").drop_duplicates()
        shown = shown[~shown.eq("all").any(axis=1)]
        values = []
        for column in columns:
            spec = self._dimensions.get(dims[column])
            seen = sorted(set(shown[column].dropna()))
            if spec is not None and spec.kind == "code" and spec.order:
                seen = [*spec.order, *(v for v in seen if v not in spec.order)]
            elif spec is not None and spec.kind == "years" and seen:
                seen = [*seen, *_uncovered(seen)]
            values.append(seen)
        known = set(shown.itertuples(index=False, name=None))
        return [
            dict(zip(columns, combo, strict=True))
            for combo in itertools.product(*values)
            if combo not in known
        ]

    def _declare(self, dimensions: Mapping[str, Dimension], unit: str) -> None:
        """Declare ``dimensions`` for a table of ``unit``. A dimension declared again
        replaces its declaration (a later step may know more classes of it), but not one
        that tables of another unit use: the same word counted over other units is
        another dimension (ValueError, naming it and the tables)."""
        for name, spec in dimensions.items():
            if self._dimensions.get(name, spec) == spec:
                continue
            others = [
                t.name for t in self._linked.values() if t.unit != unit and name in t.dimensions
            ]
            if others:
                raise ValueError(
                    f"dimension {name!r} declared for a table of {unit} differs from the one "
                    f"the tables of other units use ({others}): name it after its unit"
                )
        self._dimensions.update(dimensions)

    def classes(self, dimension: str) -> list:
        """The classes of ``dimension`` that the tables linked so far cut (for a
        dimension of dates, first day and the day after the last, as ordinals;
        :class:`cape_study.privacy.equations.Space`); empty if none of them has it."""
        tables = list(self._linked.values())
        dims = declared(tables, self._dimensions)
        if dimension not in dims:
            return []
        return Space([r["cell"] for t in tables for r in t.records()], dims).classes[dimension]

    def verify(self, *, threshold: int) -> None:
        """Attack every linked table at once, as an intruder who knows all of them and
        what every mark says (:func:`cape_study.privacy.linked.exposed`): :meth:`link`
        checks again only the tables in the new one's group of dimensions. Raises
        ValueError naming the tables with a small hidden cell that can be narrowed, or
        another hidden cell whose interval is narrower than
        :data:`~cape_study.privacy.linked.PROTECTION_WIDTH` (unless the tables linked
        before its own publish it)."""
        found = exposed(list(self._linked.values()), self._dimensions, threshold=threshold)
        if found:
            raise ValueError(
                f"hidden counts of {found} can be narrowed by combining the published "
                "tables; the report is not safe to publish, and nothing of this step is. A "
                "table published before them (in this step or by intake) pins them: such a "
                "count must be held up before that table is linked (README, 'Counts of later "
                "tables held up first'); the other steps can be published without this one "
                "with `cape-study run --publish-partial`"
            )

    def save(self, path: Path) -> None:
        """Write the linked tables as published (never a hidden value) for later steps,
        and the names of the tables recorded here that are not linked (a check that no
        count table escapes the whole-report protection unnoticed). Nothing is written
        into the published report by a notebook opened by hand (a later step opened by
        hand reads what the run published)."""
        if writes_into_published(path):
            return
        payload = {
            "dimensions": {d: spec.to_json() for d, spec in self._dimensions.items()},
            # every other table recorded here: published, but not linked
            "unlinked": [name for name in self._tables if name not in self._linked],
            "tables": [
                {"name": t.name, "unit": t.unit, "cells": t.records()}
                | ({"held": True} if t.held else {})
                for t in self._linked.values()
            ],
        }
        Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")

    def _load(self, path: Path) -> None:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            for d, spec in payload["dimensions"].items():
                self._dimensions[d] = Dimension.from_json(spec)
            for table in payload["tables"]:
                cells = pd.DataFrame([r["cell"] for r in table["cells"]])
                cells["count"] = pd.array([r["count"] for r in table["cells"]], dtype="Int64")
                dims = {d: d for d in cells.columns if d != "count"}
                small = [r["small"] for r in table["cells"]]
                marked = [r.get("marked", False) for r in table["cells"]]
                # a table registered again goes last: the order is that of linking
                self._linked.pop(table["name"], None)
                self._linked[table["name"]] = LinkedTable(
                    table["name"],
                    cells,
                    "count",
                    dims,
                    small,
                    unit=table["unit"],
                    marked=marked,
                    held=bool(table.get("held", False)),
                )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"{path}: not a registry of published tables ({error}); run 00_intake to write it"
            ) from error

    def record(self, name: str, records: Sequence[dict]) -> None:
        """Set what table ``name`` hides (replacing an earlier record of that name)."""
        self._tables[name] = [dict(r) for r in records]

    def records(self, name: str | None = None) -> list[dict]:
        """The records of table ``name`` (default: of every table, in order recorded)."""
        if name is not None:
            return [dict(r) for r in self._tables.get(name, [])]
        return [dict(r) for part in self._tables.values() for r in part]

    def suppress(
        self,
        table: pd.DataFrame,
        count: str,
        *,
        link: Mapping[str, str] | None = None,
        **options,
    ) -> pd.DataFrame:
        """:func:`suppress`, recorded in this audit; with ``link`` (columns to
        dimensions), also protected against and linked with the report's other tables
        (:meth:`link`)."""
        out = suppress(table, count, audit=self, **options)
        if link is None:
            return out
        return self.link(
            options["name"],
            out,
            table[count],
            count=count,
            dims=link,
            threshold=options["threshold"],
            derived=options.get("derived", ()),
            label=options.get("label") or options.get("keys") or (),
            present=table[list(link)],
        )

    def suppress_rates(self, table: pd.DataFrame, rates: Sequence[str], **options) -> pd.DataFrame:
        """:func:`suppress_rates`, recorded in this audit."""
        return suppress_rates(table, rates, audit=self, **options)

    def audit(self) -> pd.DataFrame:
        """Every hidden cell: table, cell, column, reason, threshold (never a value)."""
        return pd.DataFrame(self.records(), columns=_AUDIT_COLUMNS)

    def publish(self, summary: str | None = None) -> None:
        """Display the audit in the notebook, for readers and for the runner.

        The display carries the audit as JSON under :data:`AUDIT_MIMETYPE` (copied into
        the manifest by the pipeline runner) and a short Markdown summary for readers:
        ``summary`` (in the report's language, from
        :func:`cape_study.present.wording.disclosure_summary`), else an English one
        naming the tables.
        """
        from IPython.display import display

        records = self.records()
        if summary is None:
            cells = [r for r in records if not r["reason"].startswith(_ROUNDED)]
            tables = sorted({r["table"] for r in cells})
            rounded = sorted({r["table"] for r in records if r["reason"].startswith(_ROUNDED)})
            summary = (
                f"**Disclosure control:** {len(cells)} cell(s) suppressed in "
                f"{len(tables)} table(s)"
                + (f" ({', '.join(tables)})." if tables else ".")
                + (f" Counts rounded in: {', '.join(rounded)}." if rounded else "")
            )
        display(
            {AUDIT_MIMETYPE: json.loads(json.dumps(records)), "text/markdown": summary}, raw=True
        )


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
    rounding: int | None = None,
    audit: Disclosure | None = None,
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
        suppression runs along each, and the pattern is audited against an intruder
        who knows all those totals. Leave empty when the cells are not additive (a
        funnel, where each stage is a subset of the one before).
    derived
        Columns computed from the count (proportions, intervals) that are hidden with
        it.
    label
        Columns that identify a cell in the audit (default: ``keys``, else all
        non-numeric columns).
    rounding
        Round the published counts and totals to the nearest multiple of this base
        (for example 5); None (default) publishes them as they are.
    audit
        Where to record what was hidden, under ``name`` (replacing an earlier record of
        that name); None records nothing.

    Returns
    -------
    DataFrame
        A copy with hidden cells missing (counts become ``Int64``), a boolean column
        ``suppressed`` and a column ``hidden``: how a hidden count is marked
        (:data:`SMALL` or :data:`ANY`; missing where the count is shown).
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    if rounding is not None and rounding < 1:
        raise ValueError(f"rounding must be a base of at least 1, not {rounding}")
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
        out[total] = _rounded(totals.mask(hidden_total), rounding)
    lines = lines_of(out, list(keys)) if keys else {}
    if keys:
        secondary(values, reason, lines)
        audited(values, reason, lines, threshold, name)
    hidden = reason.notna()
    marked = marks(values, reason, lines, threshold)
    out[count] = _rounded(values.mask(hidden), rounding)
    out[HIDDEN] = pd.Series(pd.NA, index=out.index, dtype="string").mask(hidden, ANY)
    out.loc[marked & hidden, HIDDEN] = SMALL
    for column in derived:
        out[column] = out[column].mask(hidden | hidden_total)
    out["suppressed"] = hidden | hidden_total
    label_cols = list(
        label
        or keys
        or [
            c
            for c in out.columns
            if c not in {count, total, "suppressed", HIDDEN, *derived}
            and not pd.api.types.is_numeric_dtype(out[c])
        ]
    )
    records = []
    for i in out.index[out["suppressed"]]:
        cell = {c: str(out.at[i, c]) for c in label_cols}
        if hidden[i]:
            records.append(_record(name, cell, count, str(reason[i]), threshold))
        if hidden_total[i]:
            records.append(_record(name, cell, total, "primary", threshold))
    if rounding is not None:
        for column in [count, total] if total else [count]:
            records.append(_record(name, {}, column, f"{_ROUNDED} to base {rounding}", threshold))
    if audit is not None:
        audit.record(name, records)
    return out


def suppress_part(
    table: pd.DataFrame, count: str, records: list[dict], *, name: str, **options
) -> pd.DataFrame:
    """:func:`suppress` of one part of a table whose parts are protected apart and
    recorded together: what it hides is added to ``records``, which the caller records
    under ``name`` (:meth:`Disclosure.record`) once every part is done (recording each
    part would replace the one before)."""
    scratch = Disclosure()
    safe = suppress(table, count, name=name, audit=scratch, **options)
    records += scratch.records(name)
    return safe


def suppress_rates(
    table: pd.DataFrame,
    rates: Sequence[str],
    *,
    numerator: str,
    threshold: int,
    name: str,
    denominator: str | None = None,
    complement: bool = False,
    label: Sequence[str] | None = None,
    audit: Disclosure | None = None,
) -> pd.DataFrame:
    """Hide rates and proportions whose numerator or denominator is small.

    A rate computed from few events (``0 < numerator < threshold``) or over a small
    base (``denominator < threshold``) identifies as surely as the count does, even
    when the counts are not published; for a proportion, so does a small complement
    (``0 < denominator - numerator < threshold``, with ``complement=True``).

    Parameters
    ----------
    table
        A tidy table, one row per rate.
    rates
        The columns to hide (the rate, its interval ...).
    numerator, denominator
        The columns holding each rate's numerator and (optionally) denominator. They
        are not changed: publish them only after :func:`suppress`.
    threshold
        The rule of ``threshold``, as in :func:`suppress`.
    name
        The table's name in the audit.
    complement
        Also hide a proportion whose complement is small.
    label
        Columns that identify a row in the audit (default: non-numeric columns).
    audit
        Where to record what was hidden, as in :func:`suppress`.

    Returns
    -------
    DataFrame
        A copy with the hidden rates missing and a boolean column ``suppressed`` (or'ed
        with an existing one).
    """
    missing = [c for c in [*rates, numerator, denominator] if c and c not in table.columns]
    if missing:
        raise ValueError(
            f"table {name!r} has no column(s) {missing}; columns: {list(table.columns)}"
        )
    out = table.copy().reset_index(drop=True)
    num = out[numerator].astype("Float64")
    why = pd.Series(pd.NA, index=out.index, dtype="string")
    if denominator is not None:
        den = out[denominator].astype("Float64")
        if complement:
            rest = den - num
            why[((rest > 0) & (rest < threshold)).fillna(False)] = "rate: small complement"
        why[(den < threshold).fillna(False)] = "rate: small denominator"
    why[((num > 0) & (num < threshold)).fillna(False)] = "rate: small numerator"
    hidden = why.notna()
    for column in rates:
        out[column] = out[column].mask(hidden)
    before = out["suppressed"] if "suppressed" in out else pd.Series(False, index=out.index)
    out["suppressed"] = before.astype(bool) | hidden
    label_cols = list(
        label
        or [
            c
            for c in out.columns
            if c not in {*rates, numerator, denominator, "suppressed"}
            and not pd.api.types.is_numeric_dtype(out[c])
        ]
    )
    records = [
        _record(name, {c: str(out.at[i, c]) for c in label_cols}, column, str(why[i]), threshold)
        for i in out.index[hidden]
        for column in rates
    ]
    if audit is not None:
        audit.record(name, records)
    return out


def _uncovered(values: Sequence[str]) -> list[str]:
    """The spans of dates that no value of ``values`` (years, periods or spans of days
    of a dimension of years) covers: the gaps between them, and before the first and
    after the last (open spans)."""
    spans = sorted(_years(v) for v in values)
    out, reach = [], spans[0][0] - 1
    if spans[0][0] > _FIRST:
        out.append(f"–{_iso(spans[0][0] - 1)}")
    for low, high in spans:
        if low > reach + 1:
            out.append(f"{_iso(reach + 1)}–{_iso(low - 1)}")
        reach = max(reach, high)
    if reach < _LAST:
        out.append(f"{_iso(reach + 1)}–")
    return out


def _iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def _tables_state(tables: Sequence[LinkedTable]) -> list[tuple]:
    """``tables`` as values a result's key can be made of (tables, lists, strings,
    numbers; :func:`cape_study.stats.remembered.result_key`), every field in order;
    :func:`_table_of` makes each one again."""
    return [
        (
            t.name,
            t.cells,
            t.count,
            list(t.dims.items()),
            np.asarray(t.small, bool).tolist(),
            list(t.fixed.items()),
            t.unit,
            np.asarray(t.marked, bool).tolist(),
            t.held,
        )
        for t in tables
    ]


def _table_of(state: tuple) -> LinkedTable:
    """The table :func:`_tables_state` gave ``state`` of."""
    name, cells, count, dims, small, fixed, unit, marked, held = state
    return LinkedTable(name, cells, count, dict(dims), small, dict(fixed), unit, marked, held)


def _decided(
    linked: list[tuple],
    new: tuple,
    truth: pd.Series,
    dimensions: list[tuple[str, dict]],
    threshold: int,
    every: bool,
    keep: list[bool],
    offered: list[bool],
) -> tuple[list[int], list[str], np.ndarray]:
    """What :meth:`Disclosure.link` decides for the table ``new`` against the tables
    ``linked`` so far (as :func:`_tables_state` gives them; ``dimensions`` as
    ``(name, Dimension.to_json())``): the cells of ``new`` to hide further and the
    names of tables left exposed (:func:`~cape_study.privacy.linked.protect`), and
    which cells may carry the small mark once they are hidden, of those ``offered`` it
    (:func:`~cape_study.privacy.linked.mark`). A function of its arguments alone, so
    that its result can be kept by them."""
    tables = [_table_of(t) for t in linked]
    table = _table_of(new)
    spec = {d: Dimension.from_json(j) for d, j in dimensions}
    added, exposed = protect(
        tables, table, truth, spec, threshold=threshold, every=every, keep=np.asarray(keep, bool)
    )
    cells = table.cells.copy()
    cells.loc[added, table.count] = pd.NA
    done = LinkedTable(
        table.name, cells, table.count, table.dims, table.small, unit=table.unit, marked=offered
    )
    return added, exposed, mark(tables, done, spec, threshold=threshold)


def _check_held_up(earlier: LinkedTable | None, table: LinkedTable) -> None:
    """Raise ValueError if ``earlier`` held up ``table``'s name (every count hidden and
    unmarked) for other cells than ``table``'s."""
    if earlier is None or not earlier.held:
        return
    cells = [{k: str(v) for k, v in r["cell"].items()} for r in earlier.records()]
    held = {tuple(sorted(c.items())) for c in cells}
    mine = {tuple(sorted(r["cell"].items())) for r in table.records()}
    if held != mine:
        other = sorted(mine ^ held)[0]
        raise ValueError(
            f"table {table.name!r}: its counts were held up (hidden and unmarked) for other "
            f"cells than it has (such as {dict(other)}), so the tables linked since were not "
            "protected against its own; build both from the same data and parameters (a "
            "step's period_years or legal_changes given for 01_attrition only, not for "
            "00_intake as well: give them without the step's name)"
        )


def _record(name: str, cell: dict, column: str | None, reason: str, threshold: int) -> dict:
    return {"table": name, "cell": cell, "column": column, "reason": reason, "threshold": threshold}


def _rounded(values: pd.Series, base: int | None) -> pd.Series:
    """Round to the nearest multiple of ``base``, halves up (missing stays missing)."""
    if base is None or base == 1:
        return values
    return ((values + base // 2) // base * base).astype("Int64")
