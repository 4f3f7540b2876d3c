"""The coding workbench's words, in Swedish, English and Finnish: the one home of every word
its workbooks show that is not a label or definition of the codebook.

Codes, schemes and their definitions come from the codebook; where it has no text in a
language (Finnish coding rules and examples may be missing) the English one is shown
(:func:`text`). The words here are complete in all three languages.
"""

from __future__ import annotations

import unicodedata

__all__ = ["LANGUAGES", "VALUES", "WORDS", "text", "value_of", "words"]

LANGUAGES = ("sv", "en", "fi")

#: The three answers of a code cell, by language; the workbook's drop-down shows them.
VALUES = {
    "sv": {"present": "förekommer", "absent": "förekommer inte", "unclear": "oklart"},
    "en": {"present": "present", "absent": "absent", "unclear": "unclear"},
    "fi": {"present": "esiintyy", "absent": "ei esiinny", "unclear": "epäselvä"},
}

WORDS = {
    "sv": {
        "about": "Om",
        "codebook": "Kodbok",
        "texts": "Texter",
        "decisions": "Beslut",
        "unit_id": "Enhets-id",
        "case_id": "Ärende-id",
        "unit": "Enhet",
        "doc_type": "Handlingstyp",
        "date": "Datum",
        "text": "Text",
        "open_text": "visa text",
        "timeline": "Ärendets händelser",
        "quote": "Citat",
        "note": "Anteckning",
        "minutes": "Minuter",
        "scheme": "Schema",
        "code": "Kod",
        "label": "Etikett",
        "definition": "Definition",
        "include": "Koda när",
        "exclude": "Koda inte när",
        "example": "Exempel",
        "coder": "Kodare",
        "units_coded": "Kodade enheter",
        "units_shared": "varav kodade även av en annan kodare",
        "round": "Omgång",
        "version": "Kodboksversion",
        "pseudonym": "Pseudonym i rapporten",
        "decision": "Beslut",
        "decision_note": "Motivering",
        "value_of": "{coder}: kod",
        "quote_of": "{coder}: citat",
        "truncated": "[texten kortad här; läs hela handlingen]",
        "no_text": "[ingen text: handlingen behöver OCR eller originaltexten]",
        "intro": (
            "Kodningsarbetsbok för {coder}, kodbok {book} version {version}, omgång {round}. "
            "Ett blad per kodschema, en rad per enhet. Välj för varje kod förekommer, "
            "förekommer inte eller oklart i listan; skriv inte själv i kodcellerna. Citat: "
            "ett ställe i texten som stöder de koder som förekommer. Minuter: tid för enheten. "
            "Bladet {texts} har enhetens maskerade text och ärendets händelser; bladet "
            "{codebook} definitionerna. Flytta inte kolumner och byt inte namn på blad: "
            "arbetsboken läses in med cape-study coding import."
        ),
        "adjudication_intro": (
            "Oenigheter att avgöra, kodbok {book} version {version}. En rad per enhet och "
            "kod där kodarna gav olika svar eller någon svarade oklart. Välj beslut "
            "(förekommer eller förekommer inte) och motivera. Pseudonymen är enhetens id i "
            "rapportens lista över oenigheter. Läs in med cape-study coding adjudicate --decisions."
        ),
    },
    "en": {
        "about": "About",
        "codebook": "Codebook",
        "texts": "Texts",
        "decisions": "Decisions",
        "unit_id": "Unit ID",
        "case_id": "Case ID",
        "unit": "Unit",
        "doc_type": "Document type",
        "date": "Date",
        "text": "Text",
        "open_text": "show text",
        "timeline": "Events of the case",
        "quote": "Quote",
        "note": "Note",
        "minutes": "Minutes",
        "scheme": "Scheme",
        "code": "Code",
        "label": "Label",
        "definition": "Definition",
        "include": "Code when",
        "exclude": "Do not code when",
        "example": "Example",
        "coder": "Coder",
        "units_coded": "Units coded",
        "units_shared": "of which also coded by another coder",
        "round": "Round",
        "version": "Codebook version",
        "pseudonym": "Pseudonym in the report",
        "decision": "Decision",
        "decision_note": "Reason",
        "value_of": "{coder}: code",
        "quote_of": "{coder}: quote",
        "truncated": "[text shortened here; read the whole document]",
        "no_text": "[no text: the document needs OCR or the original text]",
        "intro": (
            "Coding workbook of {coder}, codebook {book} version {version}, round {round}. "
            "One sheet per code scheme, one row per unit. For each code pick present, absent "
            "or unclear from the list; do not type in the code cells. Quote: a passage of "
            "the text that supports the codes that are present. Minutes: time spent on the "
            "unit. Sheet {texts} holds each unit's masked text and the case's events; sheet "
            "{codebook} the definitions. Do not move columns or rename sheets: the workbook "
            "is read back with cape-study coding import."
        ),
        "adjudication_intro": (
            "Disagreements to decide, codebook {book} version {version}. One row per unit and "
            "code on which the coders differed or one of them answered unclear. Pick a "
            "decision (present or absent) and give a reason. The pseudonym is the unit's id "
            "in the report's list of disagreements. Read back with cape-study coding "
            "adjudicate --decisions."
        ),
    },
    "fi": {
        "about": "Tietoja",
        "codebook": "Koodikirja",
        "texts": "Tekstit",
        "decisions": "Päätökset",
        "unit_id": "Yksikön tunnus",
        "case_id": "Asian tunnus",
        "unit": "Yksikkö",
        "doc_type": "Asiakirjan tyyppi",
        "date": "Päivämäärä",
        "text": "Teksti",
        "open_text": "näytä teksti",
        "timeline": "Asian tapahtumat",
        "quote": "Lainaus",
        "note": "Huomautus",
        "minutes": "Minuutit",
        "scheme": "Luokitus",
        "code": "Koodi",
        "label": "Nimi",
        "definition": "Määritelmä",
        "include": "Koodaa kun",
        "exclude": "Älä koodaa kun",
        "example": "Esimerkki",
        "coder": "Koodaaja",
        "units_coded": "Koodatut yksiköt",
        "units_shared": "joista myös toinen koodaaja koodasi",
        "round": "Kierros",
        "version": "Koodikirjan versio",
        "pseudonym": "Pseudonyymi raportissa",
        "decision": "Päätös",
        "decision_note": "Perustelu",
        "value_of": "{coder}: koodi",
        "quote_of": "{coder}: lainaus",
        "truncated": "[teksti lyhennetty tästä; lue koko asiakirja]",
        "no_text": "[ei tekstiä: asiakirja tarvitsee tekstintunnistuksen tai alkuperäisen tekstin]",
        "intro": (
            "Koodaajan {coder} koodaustyökirja, koodikirja {book} versio {version}, kierros "
            "{round}. Yksi välilehti kutakin luokitusta kohden, yksi rivi kutakin yksikköä "
            "kohden. Valitse jokaiselle koodille luettelosta esiintyy, ei esiinny tai "
            "epäselvä; älä kirjoita koodisoluihin itse. Lainaus: tekstin kohta, joka tukee "
            "esiintyviä koodeja. Minuutit: yksikköön käytetty aika. Välilehdellä {texts} on "
            "yksikön peitetty teksti ja asian tapahtumat, välilehdellä {codebook} "
            "määritelmät. Älä siirrä sarakkeita äläkä nimeä välilehtiä uudelleen: työkirja "
            "luetaan komennolla cape-study coding import."
        ),
        "adjudication_intro": (
            "Ratkaistavat erimielisyydet, koodikirja {book} versio {version}. Yksi rivi "
            "kutakin yksikköä ja koodia kohden, joissa koodaajat vastasivat eri tavoin tai "
            "joku vastasi epäselvä. Valitse päätös (esiintyy tai ei esiinny) ja perustele. "
            "Pseudonyymi on yksikön tunnus raportin erimielisyysluettelossa. Luetaan "
            "komennolla cape-study coding adjudicate --decisions."
        ),
    },
}


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")


def words(lang: str) -> dict[str, str]:
    """The workbench's words in ``lang`` (``sv``, ``en`` or ``fi``)."""
    _check(lang)
    return WORDS[lang]


def text(value: object, lang: str) -> str:
    """A codebook text in ``lang``, in English when the codebook has none in it."""
    _check(lang)
    if value is None:
        return ""
    return getattr(value, lang, None) or value.en  # type: ignore[attr-defined]


def value_of(answer: object, lang: str) -> str | None:
    """The value (``present``, ``absent``, ``unclear``) of a cell's answer in ``lang``
    or in English, ``None`` for a blank cell; ``ValueError`` for anything else."""
    _check(lang)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    said = unicodedata.normalize("NFC", " ".join(str(answer).split())).casefold()
    for table in (VALUES[lang], VALUES["en"]):
        for value, word in table.items():
            if said == word.casefold():
                return value
    raise ValueError(said)
