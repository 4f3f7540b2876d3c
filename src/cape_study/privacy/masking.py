"""Pseudonymisation and personal-data scanning: what intake does before anything is stored.

Case files are special-category personal data (offences, victims). Intake
(``00_intake``) therefore replaces every identifier by a keyed pseudonym, masks the
personal data in every free-text column, and drops the columns that hold the names of
the parties; the report pages are scanned again after rendering.

**Personal data in text** (:func:`scan_text`, :func:`mask_text`):

- Swedish personnummer and samordningsnummer and Finnish henkilötunnus
  (:mod:`cape_study.privacy.identifiers`);
- phone numbers, e-mail addresses (also ``name(at)example.se``), IBANs and bank
  accounts, passport numbers, car registrations and street addresses
  (:mod:`cape_study.privacy.patterns`);
- the names of the parties that the case file lists (``victims.name``,
  ``suspects.name``; :class:`~cape_study.privacy.names.PartyNames`), and of people it
  does not list (:class:`~cape_study.privacy.names.UnlistedNames`: after a role word
  or an agent, also in lower case when no ordinary word, or a first name of the name
  lexicon followed by a capitalised word).

Masking runs on normalised text (see :func:`protect`). Overlapping findings are joined,
so that no part of an identifier is left.

Masks carry a tag: ``[PNR]`` (personnummer, samordningsnummer, henkilötunnus),
``[TEL]``, ``[EMAIL]``, ``[ACCOUNT]``, ``[ID]`` (passport), ``[REG]`` (car
registration), ``[ADDRESS]`` and ``[NAME]``. Dates (2019-03-01, 20190301), case numbers
(B 1770-21, AM-12345-19, 5000-K123456-19), amounts (12 000 kr, 1 234 567,50), years and
numbers with a wrong check digit are left alone. :func:`protect` applies all of this to
a :class:`~cape_study.data.loaders.CaseFile` and counts what it did (never the values); the
intake notebook shows the counts with :func:`cape_study.privacy.counts.publish`, and the
runner copies them into ``reports/manifest.json`` (``privacy``).

Keys and pseudonyms: :mod:`cape_study.privacy.keys`; the parties' names:
:mod:`cape_study.privacy.names`; scanning rendered outputs:
:mod:`cape_study.privacy.scanning`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import pickle
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from cape_study import paths
from cape_study.data.codebook import Codebook, load_codebook
from cape_study.privacy import identifiers, patterns
from cape_study.privacy.folding import fold
from cape_study.privacy.keys import PrivacyError, PseudonymKey, pseudonym
from cape_study.privacy.names import PartyNames, UnlistedNames

if TYPE_CHECKING:
    import pandas as pd

    from cape_study.data.loaders import CaseFile

__all__ = [
    "PRIVACY_MIMETYPE",
    "TAGS",
    "TAG_ORDER",
    "Finding",
    "mask_text",
    "protect",
    "redact",
    "scan_text",
    "withhold_excerpts",
]

#: The MIME type under which :func:`cape_study.privacy.counts.publish` displays the counts
#: for the runner.
PRIVACY_MIMETYPE = "application/vnd.cape-study.privacy+json"
#: The mask written for each kind of finding.
TAGS = {
    "personnummer": "PNR",
    "samordningsnummer": "PNR",
    "hetu": "PNR",
    "foreign_id": "PNR",
    "phone": "TEL",
    "email": "EMAIL",
    "account": "ACCOUNT",
    "passport": "ID",
    "registration": "REG",
    "address": "ADDRESS",
    "name": "NAME",
}
TAG_ORDER = ("PNR", "TEL", "EMAIL", "ACCOUNT", "ID", "REG", "ADDRESS", "NAME")


class Finding(NamedTuple):
    """Personal data found in a text: its kind and where (``text[start:end]``)."""

    kind: str
    start: int
    end: int

    @property
    def tag(self) -> str:
        return TAGS[self.kind]


def _found(
    text: str, names: PartyNames | None, unlisted: UnlistedNames | None = None
) -> list[Finding]:
    """The findings in ``text``, searched in its folded form
    (:func:`~cape_study.privacy.folding.fold`: thin spaces, fullwidth digits, soft
    hyphens, indented line breaks ...), with spans in ``text`` as written."""
    folded = fold(text)
    if names is None and unlisted is None and len(folded.text) >= PARALLEL_SCAN_FROM:
        found = _resolve(_candidates_shared(folded.text))
    else:
        found = _resolve(_candidates(folded.text, names, unlisted))
    if folded.starts is None:
        return found
    return [Finding(f.kind, *folded.span(f.start, f.end)) for f in found]


def _candidates(
    text: str, names: PartyNames | None, unlisted: UnlistedNames | None = None
) -> Iterator[Finding]:
    for kind, start, end in identifiers.find(text):
        yield Finding(kind, start, end)
    for kind, start, end in patterns.find(text):
        yield Finding(kind, start, end)
    yield from _ocr_candidates(text)
    if names is not None:
        for start, end in names.find(text):
            yield Finding("name", start, end)
    if unlisted is not None:
        for start, end in unlisted.find(text):
            yield Finding("name", start, end)


#: From this many characters on, a text searched without names (a large published file:
#: the coders' review list is 110 MB at 100,000 cases, about 90 CPU s) is searched by two
#: processes when :func:`cape_study.paths.workers` allows: the identity numbers and
#: patterns as written in this one, those read with OCR's letters for digits (about half
#: the work) in another. The findings are the same (:func:`_resolve` sorts them).
PARALLEL_SCAN_FROM = 4_000_000


def _candidates_shared(text: str) -> list[Finding]:
    """:func:`_candidates` of ``text`` without names, the OCR reading searched by a
    second Python process (:class:`_Helper`) when more than one worker is allowed; if
    that process cannot be started or fails, this one searches the OCR reading itself."""
    if paths.workers() < 2:
        return list(_candidates(text, None))
    helper = _Helper((text,), _ocr_list)
    try:
        found = [Finding(*f) for f in identifiers.find(text)]
        found += [Finding(*f) for f in patterns.find(text)]
        return found + helper.result()
    finally:
        helper.close()


def _ocr_list(text: str) -> list[Finding]:
    """:func:`_ocr_candidates` as a list (what a :class:`_Helper` sends back)."""
    return list(_ocr_candidates(text))


def _ocr_candidates(text: str) -> Iterator[Finding]:
    """The valid identity numbers and the phone numbers that hold a letter OCR reads for a
    digit (``5501l4-2284``, ``07O-123 45 67``: :func:`identifiers.ocr_digits`)."""
    read = identifiers.ocr_digits(text)
    if read is None:
        return
    digits, changed = read

    def touches(start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in changed)

    for kind, start, end in identifiers.find(digits):
        if touches(start, end) and identifiers.strictly_valid(digits[start:end]):
            yield Finding(kind, start, end)
    for kind, start, end in patterns.find(digits):
        if kind == "phone" and touches(start, end):
            yield Finding(kind, start, end)


_PRIORITY = {
    "personnummer": 0,
    "samordningsnummer": 0,
    "hetu": 0,
    "foreign_id": 0,
    "account": 1,
    "email": 2,
    "passport": 3,
    "phone": 4,
    "registration": 5,
    "address": 6,
    "name": 7,
}


def _resolve(found: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings: overlapping ones are joined into one span (so that no
    part of either is left), of the first kind among identity numbers, accounts,
    e-mail, passports, phones, registrations, addresses and names."""
    ordered = sorted(found, key=lambda f: (f.start, -(f.end - f.start), _PRIORITY[f.kind]))
    kept: list[Finding] = []
    for f in ordered:
        if kept and f.start < kept[-1].end:
            last = kept[-1]
            kind = f.kind if _PRIORITY[f.kind] < _PRIORITY[last.kind] else last.kind
            kept[-1] = Finding(kind, last.start, max(last.end, f.end))
            continue
        kept.append(f)
    return kept


def scan_text(text: str, names: Iterable[str] = (), *, unlisted: bool = False) -> list[Finding]:
    """Find personal data in a text.

    Parameters
    ----------
    text
        Any text (a document, a cell, a rendered HTML page).
    names
        Full names of people or companies to look for as well (see the module
        docstring for how names and their parts are matched).
    unlisted
        Also look for the names of people not listed (:class:`UnlistedNames`: after a
        role word, or a first name of the name lexicon and a capitalised word).

    Returns
    -------
    list of Finding
        ``(kind, start, end)`` in text order, not overlapping; ``kind`` is one of
        ``personnummer``, ``samordningsnummer``, ``hetu``, ``phone``, ``email``, ``name``.
    """
    names = list(names)
    others = UnlistedNames() if unlisted else None
    return _found(text, PartyNames.of(names) if names else None, others)


def mask_text(
    text: str, names: Iterable[str] = (), *, unlisted: bool = True
) -> tuple[str, dict[str, int]]:
    """Replace the personal data that :func:`scan_text` finds (with ``unlisted``
    names, by default) by tags.

    Returns
    -------
    tuple
        The masked text (``[PNR]``, ``[TEL]``, ``[EMAIL]``, ``[NAME]`` in place of each
        finding) and how many of each tag were written (every tag, zeros included).
    """
    names = list(names)
    others = UnlistedNames() if unlisted else None
    return _mask(text, PartyNames.of(names) if names else None, others)


def _mask(
    text: str, names: PartyNames | None, unlisted: UnlistedNames | None = None
) -> tuple[str, dict[str, int]]:
    counts = dict.fromkeys(TAG_ORDER, 0)
    parts, pos = [], 0
    for f in _found(text, names, unlisted):
        parts += [text[pos : f.start], f"[{f.tag}]"]
        counts[f.tag] += 1
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts), counts


def redact(message: str) -> str:
    """A message about a case file (a note, a problem's cause) with the identifiers it
    quotes masked: the names of its files, sheets and columns are the user's and may
    hold an identity number (``dom 550114-2284.pdf``); names of people are not looked
    for (column and table names would be taken for them)."""
    return _mask(message, None)[0]


_WITHHELD = {
    "en": "[excerpt withheld: a real case file, excerpts not reviewed]",
    "sv": "[utdrag undanhållet: verkliga data, utdragen inte granskade]",
}


def withhold_excerpts(
    table: pd.DataFrame,
    columns: Iterable[str],
    *,
    synthetic: bool,
    reviewed: bool,
    lang: str = "en",
) -> pd.DataFrame:
    """``table`` with its free-text excerpts (``columns``: sentences, passages, matched
    words) replaced by a note, unless the case file is synthetic or the excerpts were
    reviewed (the ``excerpts_reviewed`` parameter): masking finds what it was built to
    find, and a person reads an excerpt before it is published from real records.
    Missing values stay missing."""
    if synthetic or reviewed:
        return table
    note = _WITHHELD.get(lang, _WITHHELD["en"])
    out = table.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].where(out[column].isna(), note)
    return out


# -- a case file ------------------------------------------------------------------------
def protect(
    case: CaseFile,
    key: PseudonymKey,
    codebook: str | Codebook = "cape_v2",
    *,
    normalise: Callable[[str], str] | None = None,
) -> tuple[CaseFile, dict[str, Any]]:
    """Pseudonymise, mask and strip a checked case file before it is stored.

    1. Every free-text column (codebook type ``text``, and the document texts) is
       masked (:func:`mask_text`): document texts with the full names of every party of
       the case file and the first and last names of the parties of their own case;
       other columns with the names of every party; all of them with the names of
       people the case file does not list (:class:`UnlistedNames`). Document texts are
       first normalised with ``normalise`` (give the text-coding step's,
       :func:`cape_study.stats.textcoding.normalise`), so that masking sees the text
       as analysed and normalising can never join the parts of an identifier again
       (``900315-`` / ``4565`` across a line break). Identifier columns that are not
       pseudonymised (``codings.coder``) must hold no personal data, since masking
       would merge distinct ids. Code, date and number columns are checked against
       the codebook at validation and hold none.
    2. Every table's id, every column that refers to one and every column the
       codebook marks ``pseudonymised`` (police, prosecution and court case numbers)
       is pseudonymised (:func:`pseudonym`), consistently across the tables;
       ``documents.path`` becomes the document's pseudonym plus the file's extension
       (file names carry ids).
    3. The personal columns (``personal: true`` in the codebook: the parties' names)
       are dropped.

    Returns
    -------
    tuple
        The protected :class:`~cape_study.data.loaders.CaseFile` and a record of what was
        done: ``key`` (where the key came from), ``fingerprint`` (see
        :class:`PseudonymKey`), ``pseudonymised`` (distinct ids per column),
        ``masked`` (per column, the count of each tag) and ``dropped`` (columns); never
        a value.

    Raises
    ------
    PrivacyError
        Two ids of a table with the same pseudonym, or personal data in an identifier
        column that is not pseudonymised (naming the table, column and row).
    """
    book = codebook if not isinstance(codebook, str) else load_codebook(codebook)
    tables = {name: frame.copy() for name, frame in case.tables.items()}
    personal = [
        (t, c)
        for t, table in book.tables.items()
        for c, col in table.columns.items()
        if col.personal and c in tables.get(t, ())
    ]
    party_names: dict[str, list[str]] = {}
    for t, c in personal:
        frame = tables[t]
        if "case_id" not in frame:
            continue
        for case_id, name in zip(frame["case_id"], frame[c], strict=True):
            if isinstance(name, str) and name.strip():
                party_names.setdefault(str(case_id), []).append(name.strip())
    all_names = [n for names in party_names.values() for n in names]
    index = PartyNames.build_index(all_names)
    triggers = PartyNames.triggers(index)
    everyone = PartyNames(index, PartyNames.part_set(all_names), triggers)
    ids = _id_columns(book)
    others = UnlistedNames()
    masked: dict[str, dict[str, int]] = {}
    uncertain: dict[str, int] = {}
    for t, frame in tables.items():
        for c in frame.columns:
            column = book.tables[t].columns.get(c)
            # documents.text is the one text column the codebook does not declare; the
            # others it does not declare are derived (a date's precision)
            text = column is None and (t, c) == ("documents", "text")
            kind = column.type if column is not None else ("text" if text else "derived")
            if (t, c) in ids or (t, c) in personal or (t, c) == ("documents", "path"):
                continue  # pseudonymised, dropped, or replaced by the pseudonym
            if kind == "id":
                _refuse_personal_data(frame[c], t, c)
            if kind != "text" or not _is_text(frame[c]):
                continue  # codes, dates, numbers: checked against the codebook
            if t == "documents" and c == "text" and "case_id" in frame:
                own = {
                    k: PartyNames(index, PartyNames.part_set(v), triggers)
                    for k, v in party_names.items()
                }
                plain = PartyNames(index, frozenset(), triggers)
                matchers = [own.get(str(k), plain) for k in frame["case_id"]]
            else:
                matchers = [everyone] * len(frame)
            first = normalise if (t, c) == ("documents", "text") else None
            masked[f"{t}.{c}"] = _mask_column(frame, c, matchers, others, first)
            uncertain[f"{t}.{c}"] = _uncertain(frame[c])
    pseudonymised = _pseudonymise(tables, ids, key)
    if "path" in tables["documents"] and "doc_id" in tables["documents"]:
        docs = tables["documents"]
        suffix = docs["path"].astype("string").str.extract(r"(\.[A-Za-z0-9]{1,5})$")[0]
        docs["path"] = (docs["doc_id"].astype("string") + suffix.fillna("")).astype("string")
    for t, c in personal:
        tables[t] = tables[t].drop(columns=c)
    protected = dataclasses.replace(case, **tables)
    record = {
        "key": key.source,
        "fingerprint": key.fingerprint,
        "pseudonymised": pseudonymised,
        "masked": masked,
        "uncertain": {column: n for column, n in uncertain.items() if n},
        "dropped": [f"{t}.{c}" for t, c in personal],
    }
    return protected, record


def _is_text(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_string_dtype(series) and not isinstance(
        series.dtype, pd.CategoricalDtype
    )


#: A column of this many distinct texts or more is masked by
#: :func:`cape_study.paths.workers` processes (starting them costs more than masking fewer
#: texts; a column of many rows with few texts, or one text repeated, is masked once per
#: distinct text in one process).
PARALLEL_FROM = 5000


def _mask_column(
    frame: pd.DataFrame,
    column: str,
    matchers: list[PartyNames],
    unlisted: UnlistedNames,
    normalise: Callable[[str], str] | None,
) -> dict[str, int]:
    """Mask one column in place, each row with its own names and the names of people
    not listed, after ``normalise`` (when given); the counts per tag.

    From :data:`PARALLEL_FROM` distinct texts on, the column is cut in
    :func:`cape_study.paths.workers` contiguous parts: this process masks the first while
    a new process (:class:`_Helper`) masks each other one, and the parts are put together
    in order: the same texts and counts as in one process."""
    import pandas as pd

    values = frame[column].tolist()
    texts = len({value for value in values if isinstance(value, str)})
    n = min(paths.workers(), max(texts // max(PARALLEL_FROM // 2, 1), 1))
    if n > 1 and texts >= PARALLEL_FROM and sys.executable:
        bounds = [len(values) * i // n for i in range(n + 1)]
        helpers: list[_Helper] = []
        try:
            for a, b in itertools.pairwise(bounds[1:]):
                helpers.append(_Helper((values[a:b], matchers[a:b], unlisted, normalise)))
            first = bounds[1]
            parts = [_mask_values(values[:first], matchers[:first], unlisted, normalise)]
            parts += [helper.result() for helper in helpers]
        finally:
            for helper in helpers:
                helper.close()
    else:
        parts = [_mask_values(values, matchers, unlisted, normalise)]
    counts = dict.fromkeys(TAG_ORDER, 0)
    out: list[object] = []
    for texts, found in parts:
        out += texts
        for tag, k in found.items():
            counts[tag] += k
    frame[column] = pd.Series(out, index=frame.index, dtype=frame[column].dtype)
    return counts


#: What a :class:`_Helper`'s process runs: it takes the ``sys.path`` of the process that
#: started it and then its function and work on its standard input, and writes the result
#: on its standard output (all pickled).
_HELPER_CODE = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from cape_study.privacy.masking import _help; _help()"
)


class _Helper:
    """A new Python process (``sys.executable``) that computes ``function(*work)`` (by
    default :func:`_mask_values` of a part of a column: that part, its matchers and the
    masking functions) and is sent the function and ``work`` through a pipe, nothing
    else. A forked process would hold (and count in memory) every page of this one, which
    holds the whole case file, and the caller may be the runner, whose threads a forked
    copy would lack (neither is it started by multiprocessing, which would import the
    caller's main script again). If it cannot be started or fails, :meth:`result`
    computes the work here.

    ``work`` is pickled at once, before this process goes on (the matchers remember what
    they computed, and this process changes them while it masks its own part); a thread
    sends it, so that this process need not wait for the new one to start."""

    def __init__(self, work: tuple, function: Callable[..., Any] | None = None) -> None:
        self.work = work
        self.function = _mask_values if function is None else function
        self.sender: threading.Thread | None = None
        self.process: subprocess.Popen[bytes] | None = None
        try:
            data = [
                pickle.dumps(sys.path),
                pickle.dumps((self.function, work), protocol=pickle.HIGHEST_PROTOCOL),
            ]
        except (pickle.PicklingError, AttributeError, TypeError):
            return  # a normalising function that cannot be sent (a lambda): done here
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-c", _HELPER_CODE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return
        self.sender = threading.Thread(target=self._send, args=(data,), daemon=True)
        self.sender.start()

    def _send(self, data: list[bytes]) -> None:
        assert self.process is not None and self.process.stdin is not None
        # if the process ended early, the part is masked here (result)
        with contextlib.suppress(OSError), self.process.stdin:
            for piece in data:
                self.process.stdin.write(piece)

    def result(self) -> Any:
        """``function(*work)``: from the process, or computed here if it could not be
        started or failed (an error of the work is then raised here)."""
        if self.process is not None:
            assert self.process.stdout is not None
            try:
                with self.process.stdout:
                    data = self.process.stdout.read()
                if self.process.wait() == 0:
                    return pickle.loads(data)
            except (OSError, pickle.UnpicklingError, EOFError, TypeError, ValueError):
                pass
            finally:
                self.close()
        return self.function(*self.work)

    def close(self) -> None:
        """End the process if it still runs."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
        if self.sender is not None:
            self.sender.join()


def _help() -> None:
    """The work of a :class:`_Helper`'s process (see :data:`_HELPER_CODE`)."""
    output = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may mix with the result
    function, work = pickle.load(sys.stdin.buffer)
    output.write(pickle.dumps(function(*work), protocol=pickle.HIGHEST_PROTOCOL))
    output.flush()


def _mask_values(
    values: list[object],
    matchers: list[PartyNames],
    unlisted: UnlistedNames,
    normalise: Callable[[str], str] | None,
) -> tuple[list[object], dict[str, int]]:
    counts = dict.fromkeys(TAG_ORDER, 0)
    out: list[object] = []
    done: dict[tuple[str, int], tuple[str, dict[str, int]]] = {}  # a value repeated
    for value, names in zip(values, matchers, strict=True):
        if not isinstance(value, str):
            out.append(value)
            continue
        key = (value, id(names))
        if key not in done:
            done[key] = _mask(normalise(value) if normalise else value, names, unlisted)
        text, found = done[key]
        out.append(text)
        for tag, n in found.items():
            counts[tag] += n
    return out, counts


#: Nine or more digits in a row (single spaces, dashes, dots or slashes between them)
#: left after masking: perhaps an identifier in a form not recognised.
#: (``(?<![\w])\d...``, written with the lookbehind after the first digit so that the regex
#: engine skips to digits.)
_LONG_DIGITS = re.compile(r"\d(?<![\w]\d)(?:[ \u00a0./\-\u2013]?\d){8,}(?![\w])")


def _uncertain(series: pd.Series) -> int:
    """How many runs of digits that might be an identifier are left in a masked
    column (counted, never shown: intake reports the number)."""
    return sum(len(_LONG_DIGITS.findall(v)) for v in series.tolist() if isinstance(v, str) and v)


def _refuse_personal_data(series: pd.Series, table: str, column: str) -> None:
    clean: set[str] = set()  # the values found clean (a coder's id repeats on every row)
    for row, value in enumerate(series.tolist(), start=1):
        if not isinstance(value, str) or value in clean:
            continue
        found = scan_text(value)
        if not found:
            clean.add(value)
        else:
            raise PrivacyError(
                f"table {table}, column {column}, data row {row}: an identifier holds "
                f"personal data ({found[0].kind}); use codes or initials instead"
            )


def _id_columns(book: Codebook) -> dict[tuple[str, str], list[str]]:
    """(table, column) -> the tables whose ids it holds: every table's id column of
    type ``id`` and every column that references one."""
    keys = {
        t: table.key
        for t, table in book.tables.items()
        if table.key is not None and table.columns[table.key].type == "id"
    }
    columns = {(t, k): [t] for t, k in keys.items()}
    for t, table in book.tables.items():
        for c, col in table.columns.items():
            refs = [
                rt for rt, _, rc in (r.partition(".") for r in col.references) if keys.get(rt) == rc
            ]
            if refs:
                columns[(t, c)] = refs
            elif col.pseudonymised:
                columns[(t, c)] = [f"{t}.{c}"]  # a case number: its own pseudonym space
    return columns


def _pseudonymise(
    tables: dict[str, pd.DataFrame], ids: dict[tuple[str, str], list[str]], key: PseudonymKey
) -> dict[str, int]:
    import pandas as pd

    known = {
        refs[0]: set(tables[t][c].dropna().astype(str))
        for (t, c), refs in ids.items()
        if len(refs) == 1 and refs[0] == t
    }
    cache: dict[tuple[str, str], str] = {}

    def made(table: str, value: str) -> str:
        found = cache.get((table, value))
        if found is None:
            found = cache[table, value] = pseudonym(value, key, table)
        return found

    def one(value: object, refs: list[str]) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return pd.NA
        value = str(value)
        return made(next((r for r in refs if value in known.get(r, ())), refs[0]), value)

    for table, values in known.items():
        if len({made(table, v) for v in values}) != len(values):
            raise PrivacyError(
                f"two ids of table {table} have the same pseudonym ({len(values)} ids, "
                f"{len({made(table, v) for v in values})} pseudonyms); this should "
                "practically never happen: report it"
            )
    counts = {}
    for (t, c), refs in ids.items():
        if c not in tables.get(t, ()):
            continue
        frame = tables[t]
        counts[f"{t}.{c}"] = int(frame[c].dropna().nunique())
        memo: dict[object, object] = {}
        out = []
        for value in frame[c].tolist():
            if value not in memo:
                memo[value] = one(value, refs)
            out.append(memo[value])
        frame[c] = pd.array(out, dtype="string")
    return counts
