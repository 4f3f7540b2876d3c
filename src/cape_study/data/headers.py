"""Table and column names as people write them: the codebook's names and labels.

A case file typed in Sweden may call the cases sheet ``Ärenden`` and its first column
``Ärende-id``; one typed from the template (:mod:`cape_study.data.template`) does. A
table or column is found by its codebook name (``cases``, ``case_id``) or by its label
in any of the codebook's languages, compared without case, spaces or punctuation
(``Case ID`` = ``case_id`` = ``CASE-ID``). Finnish labels are used as soon as the
codebook has them.

:func:`find_header` finds the header row of a sheet: the first of its first
:data:`HEADER_SEARCH_ROWS` non-blank rows in which at least half of the filled cells
are column names of the table. Rows above it (a title) are skipped, with a note.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from cape_study.data.codebook import Codebook, Table

__all__ = [
    "CODE_SEPARATOR",
    "EXAMPLE_MARK",
    "HEADER_SEARCH_ROWS",
    "cell_text",
    "column_aliases",
    "find_header",
    "normalise",
    "table_aliases",
]

#: Between a code and its label in a template's drop-down entry (``SE — Sverige``); the
#: loaders read such an entry as its code.
CODE_SEPARATOR = " — "
#: A row whose first cell starts with this is an example or comment, not data.
EXAMPLE_MARK = "#"
#: How many non-blank rows at the top of a sheet are searched for the header row.
HEADER_SEARCH_ROWS = 10
_LANGUAGES = ("sv", "en", "fi")
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise(name: object) -> str:
    """A name compared without case, accents' encoding, spaces or punctuation."""
    text = unicodedata.normalize("NFC", str(name)).casefold()
    return _NOT_ALNUM.sub("", text)


def _labels(text: object) -> list[str]:
    return [v for lang in _LANGUAGES if (v := getattr(text, lang, None))]


def table_aliases(codebook: Codebook) -> dict[str, str]:
    """Normalised table name or label -> table name."""
    aliases: dict[str, str] = {}
    for name, table in codebook.tables.items():
        for alias in [*_labels(table.label), name]:
            aliases[normalise(alias)] = name
    return aliases


def column_aliases(table: Table) -> dict[str, str]:
    """Normalised column name or label -> column name; a label that two columns of the
    table share is left out (it could be either)."""
    found: dict[str, set[str]] = {}
    for name, col in table.columns.items():
        for alias in _labels(col.label):
            found.setdefault(normalise(alias), set()).add(name)
    aliases = {key: next(iter(names)) for key, names in found.items() if len(names) == 1}
    aliases.update({normalise(name): name for name in table.columns})
    return aliases


def find_header(rows: Sequence[Sequence[object]], table: Table) -> int | None:
    """The index in ``rows`` of the header row of ``table``, or None if none of the
    first :data:`HEADER_SEARCH_ROWS` rows is one."""
    aliases = column_aliases(table)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [normalise(v) for v in row if v is not None and str(v).strip()]
        known = sum(v in aliases for v in filled)
        if filled and known and 2 * known >= len(filled):
            return i
    return None


_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_text(value: str) -> str:
    """A workbook cell's text with the characters it stores escaped written as such
    (here, without pandas, so that the publication scanner needs none)."""
    if "_x" not in value:
        return value
    return _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
