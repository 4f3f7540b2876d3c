"""An empty case-file workbook made from the codebook, for typing records into Excel.

:func:`write_template` writes one sheet per table of the codebook, named by the
table's label in the chosen language, with a header row of the columns' labels (the
loaders read labels in every language as the codebook's names,
:mod:`cape_study.data.headers`), frozen so it stays visible. Cells carry what the
codebook declares:

- code columns: a drop-down list of ``code — label`` entries (labels in the chosen
  language); the loaders read such an entry as its code;
- yes/no columns: a drop-down list of the language's words for yes and no;
- dates: text cells (format ``@``) of 4 to 10 characters, so that a date known only
  to the month or year (``2019-11``, ``2017``) stays as typed instead of being turned
  into a day by Excel; whole numbers: the format 0 and a check of the codebook's lower
  bound.

Row 2 of each sheet is a filled example. Its first cell starts with ``#``, and the
loaders skip any row whose first cell does (:data:`cape_study.data.headers.EXAMPLE_MARK`),
with a note: it may be left in place or deleted. A sheet of explanations lists every
column: its definition, whether it is required, its allowed values and an example.
A hidden sheet holds the drop-down lists.

Languages: ``sv`` and ``en`` come from the codebook. ``fi``: the codebook has no
Finnish labels yet, so a Finnish template uses the Finnish label where the codebook
has one and the English one otherwise (table, column and code labels, definitions,
and the words of this module); yes/no drop-downs are Finnish (kyllä/ei).
"""

from __future__ import annotations

import os
from pathlib import Path

from cape_study.data.codebook import Codebook, Column, Table, load_codebook
from cape_study.data.headers import CODE_SEPARATOR, EXAMPLE_MARK, normalise, table_aliases

__all__ = ["HELPER_SHEETS", "TEMPLATE_LANGUAGES", "write_template"]

TEMPLATE_LANGUAGES = ("sv", "en", "fi")
#: Rows of each sheet that carry the drop-downs and formats.
_ROWS = 5000

_WORDS = {
    "sv": {
        "explain": "Förklaringar",
        "lists": "Listor",
        "sheet": "Blad",
        "column": "Kolumn",
        "name": "Namn i kodboken",
        "required": "Obligatorisk",
        "definition": "Definition",
        "allowed": "Tillåtna värden",
        "example": "Exempel",
        "yes": "ja",
        "no": "nej",
        "id": "en identifierare utan mellanslag eller osynliga tecken",
        "text": "text",
        "date": (
            "ett datum ÅÅÅÅ-MM-DD, eller ÅÅÅÅ-MM eller ÅÅÅÅ när bara månaden eller året är känt"
        ),
        "integer": "ett heltal",
        "at_least": "minst",
        "boolean": "ja eller nej (tomt = okänt)",
        "code": "en kod ur listan",
        "country": "en landskod med två bokstäver (ISO 3166-1, t.ex. SE, FI, TH); XX = okänt",
        "scheme_name": "ett kodschema",
        "scheme_code": "en kod ur schemat i kolumnen",
        "intro": (
            "Mall för en ärendefil, gjord från kodboken {book} {version}. Ett blad per tabell; "
            "första raden är rubrikerna (ändra dem inte). Rad 2 på varje blad är ett exempel: "
            "dess första cell börjar med #, och rader vars första cell börjar med # läses inte. "
            "Låt den stå eller ta bort den. Välj koder i listorna ('kod — etikett' läses som "
            "koden). Spara som .xlsx med mappen documents/ bredvid och kontrollera med "
            "cape-study validate FIL.xlsx."
        ),
    },
    "en": {
        "explain": "Explanations",
        "lists": "Lists",
        "sheet": "Sheet",
        "column": "Column",
        "name": "Name in the codebook",
        "required": "Required",
        "definition": "Definition",
        "allowed": "Allowed values",
        "example": "Example",
        "yes": "yes",
        "no": "no",
        "id": "an identifier without spaces or invisible characters",
        "text": "text",
        "date": "a date YYYY-MM-DD, or YYYY-MM or YYYY when only the month or year is known",
        "integer": "a whole number",
        "at_least": "at least",
        "boolean": "yes or no (blank = unknown)",
        "code": "a code from the list",
        "country": "a two-letter country code (ISO 3166-1, e.g. SE, FI, TH); XX = unknown",
        "scheme_name": "a code scheme",
        "scheme_code": "a code of the scheme in column",
        "intro": (
            "Template of a case file, made from codebook {book} {version}. One sheet per "
            "table; the first row holds the headers (do not change them). Row 2 of each "
            "sheet is an example: its first cell starts with #, and rows whose first cell "
            "starts with # are not read. Leave it or delete it. Pick codes from the lists "
            "('code — label' is read as the code). Save as .xlsx with the documents/ folder "
            "beside it and check it with cape-study validate FILE.xlsx."
        ),
    },
}
_WORDS["fi"] = {
    "explain": "Selitykset",
    "lists": "Luettelot",
    "sheet": "Välilehti",
    "column": "Sarake",
    "name": "Nimi koodikirjassa",
    "required": "Pakollinen",
    "definition": "Määritelmä",
    "allowed": "Sallitut arvot",
    "example": "Esimerkki",
    "yes": "kyllä",
    "no": "ei",
    "id": "tunniste ilman välilyöntejä tai näkymättömiä merkkejä",
    "text": "teksti",
    "date": "päivämäärä, VVVV-KK-PP",
    "integer": "kokonaisluku",
    "at_least": "vähintään",
    "boolean": "kyllä tai ei (tyhjä = ei tiedossa)",
    "code": "koodi luettelosta",
    "country": "kaksikirjaiminen maakoodi (ISO 3166-1, esim. SE, FI, TH); XX = ei tiedossa",
    "scheme_name": "koodisto",
    "scheme_code": "sarakkeessa nimetyn koodiston koodi",
    "intro": (
        "Asiakirja-aineiston pohja, tehty koodikirjasta {book} {version}. Yksi välilehti "
        "kutakin taulua kohden; ensimmäisellä rivillä ovat otsikot (älä muuta niitä). "
        "Kunkin välilehden rivi 2 on esimerkki: sen ensimmäinen solu alkaa merkillä #, eikä "
        "rivejä, joiden ensimmäinen solu alkaa merkillä #, lueta. Jätä se tai poista se. "
        "Valitse koodit luetteloista ('koodi — nimike' luetaan koodina). Tallenna "
        ".xlsx-tiedostona documents/-kansio vierellään ja tarkista komennolla cape-study "
        "validate TIEDOSTO.xlsx."
    ),
}

#: Sheet names of every language's template that are not tables.
HELPER_SHEETS = frozenset(normalise(w[k]) for w in _WORDS.values() for k in ("explain", "lists"))


def _text(text: object, lang: str) -> str:
    return getattr(text, lang, None) or text.en  # type: ignore[attr-defined]


def _sheet_name(label: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in label).strip()
    return cleaned[:31]


def _example(cname: str, col: Column, book: Codebook, lang: str) -> object:
    w = _WORDS[lang]
    if col.type == "id":
        return f"{cname.removesuffix('_id').upper()[:3]}-0001"
    if col.type == "date":
        return "2024-03-15"
    if col.type == "integer":
        return max(col.min or 0, 1)
    if col.type == "boolean":
        return w["yes"]
    if col.type == "code":
        codes = book.scheme(col.scheme).codes
        code = next((c for c in codes if c.country in (None, "SE")), codes[0])
        return f"{code.code}{CODE_SEPARATOR}{_text(code.label, lang)}"
    if col.type == "country":
        return "SE"
    if col.type == "scheme_name":
        return book.codeable_schemes[0]
    if col.type == "scheme_code":
        return book.codes(book.codeable_schemes[0])[0]
    if cname == "codebook_version":
        return book.version
    if cname == "path":
        return "DOC-0001.txt"
    return ""


def _allowed(col: Column, table: Table, book: Codebook, lang: str) -> str:
    w = _WORDS[lang]
    if col.type == "integer" and col.min is not None:
        return f"{w['integer']}, {w['at_least']} {col.min}"
    if col.type == "code":
        scheme = book.scheme(col.scheme)
        codes = [f"{c.code} ({_text(c.label, lang)})" for c in scheme.codes]
        shown = "; ".join(codes[:15]) + ("; ..." if len(codes) > 15 else "")
        return f"{w['code']}: {shown}"
    if col.type == "scheme_name":
        return f"{w['scheme_name']}: {', '.join(book.codeable_schemes)}"
    if col.type == "scheme_code":
        label = _text(table.columns[col.scheme_column].label, lang)
        return f"{w['scheme_code']} {label}"
    return w[col.type]


def write_template(
    path: str | os.PathLike[str], lang: str = "sv", codebook: str | Codebook = "cape_v2"
) -> Path:
    """Write an empty case-file workbook for ``codebook`` with labels in ``lang``.

    Parameters
    ----------
    path
        The .xlsx file to write (replaced if it exists).
    lang
        ``sv``, ``en`` or ``fi`` (Finnish where the codebook has it, else English).
    codebook
        The codebook (or its name) whose tables the workbook holds.
    """
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    if lang not in TEMPLATE_LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(TEMPLATE_LANGUAGES)}")
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    w = _WORDS[lang]
    path = Path(path)
    wb = openpyxl.Workbook()
    explain = wb.active
    explain.title = w["explain"]
    lists = wb.create_sheet(w["lists"])
    lists.sheet_state = "hidden"
    list_ranges: dict[str, str] = {}
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    example_font = Font(italic=True, color="808080")
    aliases = table_aliases(book)

    def code_list(scheme: str) -> str:
        if scheme not in list_ranges:
            n = len(list_ranges) + 1
            letter = get_column_letter(n)
            lists.cell(1, n, scheme)
            for i, c in enumerate(book.scheme(scheme).codes, start=2):
                lists.cell(i, n, f"{c.code}{CODE_SEPARATOR}{_text(c.label, lang)}")
            last = len(book.scheme(scheme).codes) + 1
            list_ranges[scheme] = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${last}"
        return list_ranges[scheme]

    explain.append([w["intro"].format(book=book.codebook, version=book.version)])
    explain.append([])
    heads = ["sheet", "column", "name", "required", "definition", "allowed", "example"]
    explain.append([w[h] for h in heads])
    for cell in explain[3]:
        cell.font = bold
    for tname, table in book.tables.items():
        sheet = wb.create_sheet(_sheet_name(_text(table.label, lang)))
        if aliases.get(normalise(sheet.title)) != tname:
            sheet.title = tname
        for j, (cname, col) in enumerate(table.columns.items(), start=1):
            letter = get_column_letter(j)
            header = sheet.cell(1, j, _text(col.label, lang))
            header.font, header.fill = bold, header_fill
            example = _example(cname, col, book, lang)
            if j == 1:
                example = f"{EXAMPLE_MARK}{example}"
            cell = sheet.cell(2, j, example if example != "" else None)
            cell.font = example_font
            sheet.column_dimensions[letter].width = max(12, len(header.value) + 4)
            cells = f"{letter}2:{letter}{_ROWS}"
            check = None
            if col.type == "code":
                check = DataValidation(type="list", formula1=code_list(col.scheme))
            elif col.type == "scheme_name":
                check = DataValidation(type="list", formula1=f'"{",".join(book.codeable_schemes)}"')
            elif col.type == "boolean":
                check = DataValidation(type="list", formula1=f'"{w["yes"]},{w["no"]}"')
            elif col.type == "date":
                check = DataValidation(
                    type="textLength", operator="between", formula1="4", formula2="10"
                )
                cell.number_format = "@"
                sheet.column_dimensions[letter].number_format = "@"
            elif col.type == "integer":
                check = DataValidation(
                    type="whole", operator="greaterThanOrEqual", formula1=str(col.min or 0)
                )
                sheet.column_dimensions[letter].number_format = "0"
            elif col.type in ("id", "text"):
                # typed as text: Excel would turn 00123 into 123 and 1-2 into a date
                sheet.column_dimensions[letter].number_format = "@"
            if check is not None:
                check.error = _allowed(col, table, book, lang)
                check.showErrorMessage = True
                check.add(cells)
                sheet.add_data_validation(check)
            explain.append(
                [
                    sheet.title,
                    header.value,
                    f"{tname}.{cname}",
                    w["yes"] if col.required else w["no"],
                    " ".join(_text(col.definition, lang).split()),
                    _allowed(col, table, book, lang),
                    str(example),
                ]
            )
        sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (14, 24, 26, 10, 70, 50, 22), strict=True):
        explain.column_dimensions[letter].width = width
    wb.move_sheet(explain, offset=len(wb.sheetnames))
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
