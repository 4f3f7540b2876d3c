"""Identifiers other than identity numbers, as people write them in Swedish and Finnish
records: phone numbers, e-mail addresses, bank accounts, passport numbers, car
registrations and street addresses.

:func:`find` gives ``(kind, start, end)`` for each candidate; overlaps are resolved
by :func:`cape_study.privacy.masking.scan_text`.

- ``phone``: international (``+46 70 174 06 05``, ``+358 40 123 4567``, ``0046 ...``,
  ``+46 (0)8 ...``; 8-15 digits) and national with a trunk 0 (``070-174 06 05``,
  ``(08) 123 456 78``, ``070/765 43 21``, ``09 1234 5678``, ``040.123.45.67``; 8-11
  digits); groups separated by spaces, any dash, a slash or a dot, or a line break. A
  date written with separators (``01.02.2019``) is not a number.
- ``email``: ``name@example.se`` and the spelled-out forms ``name(at)example.se``,
  ``name [at] example [dot] se``, ``name at example.se``, ``name(a)example.se``, and
  read aloud: ``anna punkt svensson snabel-a polisen punkt se``, ``anna dot svensson
  at gmail dot com``, ``anna piste virtanen miuku poliisi piste fi``.
- ``account``: an IBAN of any country (two letters, two check digits, up to 30
  characters, with or without spaces in groups of four) whose ISO 13616 check (mod 97)
  holds; Swedish accounts (clearing number of four or five digits and an account
  number: ``5000-123 456 789-0``, ``8327-9, 123 456 789-0``), bankgiro and plusgiro
  numbers and Finnish old-format accounts (``123456-789``), after a word that names an
  account (*konto*, *kontonummer*, *bankgiro*, *clearing*, *tili*, *tilinumero* ...).
- ``passport``: 6-9 letters and digits (with a digit) after *pass*, *passnummer*,
  *passport*, *passi*, *passinumero*, *ID-kort*, *henkilökortti* ... within a few words;
  digits only right after the word or its *nummer*, *nr*, *numero*, *on*, *är*
  (*ID-kortets nummer är 12345678*, not *ID-kort men hade 123456 ärenden*).
- ``registration``: Swedish car registrations ``ABC 123`` and ``ABC 12A`` (letters
  without I, Q, V; not a currency code, authority or manual: *SCB 123*, *DSM-5*) and
  Finnish ``ABC-123``, ``ABC-12`` (also ``ABC - 123``; two letters or one digit, as in
  *AM-123* or *NRM-2*, only after a vehicle word);
  in lower case (``abc 123``, ``abc-123``) after a word for a vehicle or its
  registration (*bilen*, *fordonet*, *reg.nr*, *auto*, *rekisterinumero* ...) within a
  few words, unless the letters are a short word (*med 120*).
- ``address``: a street name ending in a Swedish or Finnish street word (*-gatan*,
  *-vägen*, *-gränd*, *-stigen*, *-backen*, *-torget*, *-allén*, *-tie*, *-katu*,
  *-kuja*, *-polku*, *-tori*, *-väylä*) and a number (``Storgatan 12 B``,
  ``Mannerheimintie 5 A 12``), with a postal code and town after it when written; also
  in lower case (``storgatan 12``, ``mannerheimintie 5 a 3``) for the street words that
  end no ordinary word followed by a number (not *plan*, *backen*, *torget* ...), and not
  a distance (``riksvägen 12 km``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cape_study.privacy.caseless import lowered
from cape_study.privacy.identifiers import DASH_CLASS as _DASH
from cape_study.privacy.identifiers import DASHES as _DASHES

__all__ = ["find", "iban_ok"]

_SPACE = r"[ \u00a0]"
# Between digit groups: a space, a dash, slash or dot (spaced or not), or a line break
# (a number broken over two lines: ``070-123`` / ``45 67``).
_GROUPSEP = rf"(?:{_SPACE}?[{_DASH}/.]{_SPACE}?\n?|{_SPACE}|\n)"


def _not_after(first: str) -> str:
    """Not inside a word or a longer number, nor the decimals of one, written after the
    pattern's first character ``first`` so that the regex engine can skip to it."""
    return rf"(?<![\w+:{_DASH}]{first})(?<!\d[.,]{first})"


_NATIONAL_BODY = rf"(?:{_GROUPSEP})?\d{{2,8}}(?:{_GROUPSEP}\d{{2,4}}){{0,3}}(?!\w|[{_DASH}]\d)"
_AFTER_ZERO, _AFTER_BRACKET = _not_after("0"), _not_after(r"\(")
# a tel: link (``tel:+46701234567``) is a number; other words and times before + are not
_PLUS = r"\+"
_AFTER_PLUS = rf"(?:(?<=[Tt][Ee][Ll]:\+)|{_not_after(_PLUS)})"
_PHONE_NATIONAL = re.compile(
    rf"0{_AFTER_ZERO}[1-9]\d{{0,3}}{_NATIONAL_BODY}"
    rf"|\({_AFTER_BRACKET}0[1-9]\d{{0,3}}\){_SPACE}?{_NATIONAL_BODY}"
)
# A country code without its + or 00 (``46701234567``, ``358401234567``): a Swedish or
# Finnish mobile number written as digits only; with groups (``46 70 123 45 67``) only
# after a word for a phone (:data:`_PHONE_CUE`), since a row of counts is written so too.
_PHONE_BARE_CC = re.compile(
    rf"(?:46(?<![\w+.,{_DASH}]46)[ {_DASH}]?7[02369]"
    rf"|358(?<![\w+.,{_DASH}]358)[ {_DASH}]?(?:4\d|50))"
    rf"(?:[ {_DASH}]?\d){{6,8}}(?!\w|[.,{_DASH}]?\d)"
)
_BARE_LENGTHS = {"46": (11,), "35": (11, 12, 13)}
# A mobile number with every digit spaced (``0 7 0 1 2 3 4 5 6 7``, ``0 4 0 1 2 3 4 5 6 7``):
# after a word for a phone only.
_PHONE_SPACED = re.compile(r"0(?<![\w+.,]0) (?:7 [02369]|4 \d|5 0)(?: \d){7}(?![\w]|[ .,]\d)")
#: Words for a phone before a number written as :data:`_PHONE_BARE_CC` in groups or
#: :data:`_PHONE_SPACED`, on the same line and at most 60 characters before it.
_PHONE_CUE = re.compile(
    r"(?i:\b(?:tel|telefon\w*|mobil\w*|nummer\w*|nr|ring\w*|sms|whatsapp|signal|nås|nåddes|"
    r"puh|puhelin\w*|numero\w*|gsm|phone|soit\w*|tavoit\w*|yhteys\w*|kontakt\w*)\b)"
)


def _phone_cued(text: str, start: int) -> bool:
    """Whether a word for a phone stands before ``start`` on its line (60 characters)."""
    line = text.rfind("\n", 0, start) + 1
    return _PHONE_CUE.search(text, max(line, start - 60), start) is not None


_PHONE_INTERNATIONAL = re.compile(
    rf"(?:\+{_AFTER_PLUS}|0{_AFTER_ZERO}0)\d{{1,3}}(?:{_SPACE}?\(0\))?"
    rf"(?:{_GROUPSEP})?\d{{1,4}}(?:{_GROUPSEP}?\d{{2,4}}){{1,5}}(?!\w|[{_DASH}]\d)"
)
_SPOKEN_AT = r"at|AT|snabel-?a|ät|miuku|kissanhäntä"
_SPOKEN_DOT = r"dot|DOT|punkt|piste"
_AT = rf"(?:\s?@\s?|\s?[(\[{{<]\s?(?:{_SPOKEN_AT}|a)\s?[)\]}}>]\s?|\s(?:{_SPOKEN_AT})\s)"
_DOT = rf"(?:\.|\s?[(\[{{]\s?(?:{_SPOKEN_DOT}|\.)\s?[)\]}}]\s?|\s(?:{_SPOKEN_DOT})\s)"
_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+(?:\s(?:{_SPOKEN_DOT})\s[\w.+-]+)*{_AT}"
    rf"[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[A-Za-z]{{2,}}(?![\w-])"
)
# With an @, the dot before a country's or a common top-level domain written with a space
# before it or as a comma (``anna@polisen .se``, ``anna@polisen,se``: a typo or OCR).
_TOP_LEVEL = "se|fi|com|net|org|nu|eu|info|io|uk|de|no|dk|ee|pl|ro|bg|lt|lv|ua|ru"
_EMAIL_LOOSE = re.compile(
    rf"(?<![\w.+-])[\w.+-]+\s?@\s?[\w-]+(?:\.[\w-]+)*(?:\s\.|,)\s?(?i:{_TOP_LEVEL})(?![\w-])"
)
# A hash for the @ (``anna.berg#polisen.se``: a typo, or written to dodge a filter), with a
# country's or a common top-level domain after the dot.
_EMAIL_HASH = re.compile(
    rf"(?<![\w.+#-])[\w.+-]*\w#[\w-]+(?:\.[\w-]+)*\.(?i:{_TOP_LEVEL})(?![\w-])"
)
_EMAIL_HINT = re.compile(r"@|\bat\b|\(a\)|\bAT\b|snabel-?a|\bät\b|miuku|kissanhäntä", re.IGNORECASE)
# What :data:`_EMAIL_HINT` needs, looked for in the lower-cased text (fast: no text in a
# case file has one, and the hint's search case-insensitively costs 75 µs a text).
_HINT_WORDS = ("(a)", "snabel", "miuku", "kissanhäntä")
# the word at or ät (``\b[aä]t\b``), written from its t on (the rest in a lookbehind), so
# that the regex engine skips to each t instead of trying the pattern everywhere
_AT_WORD = re.compile(r"t(?<=\b[aä]t)\b")


def _email_hinted(text: str, low: str | None) -> bool:
    """Whether :data:`_EMAIL_HINT` is found in ``text`` (``low``: its
    :func:`~cape_study.privacy.caseless.lowered` copy): searched only when the text
    holds ``@``, a word of :data:`_HINT_WORDS` or the word *at* or *ät* in any case."""
    if low is not None and not (
        "@" in text or any(w in low for w in _HINT_WORDS) or _AT_WORD.search(low)
    ):
        return False
    return _EMAIL_HINT.search(text) is not None


# An address read aloud with a bare "at" (``anna at polisen.se``) that is a sentence of a
# report instead: a word that comes before "at" in prose (*available at www.bra.se*,
# *published at scb.se*, *stored at data.parquet*), a web site (``www.``) or a file
# (``intake.py``, ``numbers.csv``) after it.
_BARE_AT = re.compile(r"(?P<user>[\w.+-]+)\s(?:at|AT)\s(?P<domain>\S+)$")
_PROSE_BEFORE_AT = frozenset(
    re.findall(
        r"\S+",
        "available published found online located posted obtained hosted retrieved downloaded "
        "accessible stored written kept saved read see look looked are is was were be been and "
        "or also only here there data statistics figures information more model models report "
        "reports table tables page pages code file files results cases text source sources "
        "documentation website site live run runs ran held shown given listed cited quoted seen "
        "estimated measured counted closed open opened prosecuted aimed arrived started ended "
        "stopped left remained",
    )
)
_FILE_ENDINGS = frozenset(
    re.findall(
        r"\S+",
        "py csv tsv html htm parquet xlsx xls json ipynb md txt pdf docx doc yaml yml toml svg "
        "png jpg zip gz log ini cfg index models stats",
    )
)


def _prose_at(found: str) -> bool:
    """Whether an e-mail address found with a bare *at* is a sentence (:data:`_BARE_AT`)."""
    m = _BARE_AT.search(found)
    if m is None or "@" in found:
        return False
    user, domain = m["user"].casefold(), m["domain"].casefold()
    return (
        user in _PROSE_BEFORE_AT
        or domain.startswith("www.")
        or domain.rsplit(".", 1)[-1] in _FILE_ENDINGS
    )


_DIGIT_GROUP = re.compile(r"\d+")
# Years after a word for an account are no account number (*BG 2019-2020*: Bulgaria; a
# heading *konto 2019 2020 2021*).
_YEARS = re.compile(rf"(?:19|20)\d\d(?:{_SPACE}?[{_DASH}/ ]{_SPACE}?(?:19|20)\d\d)+")
# in capitals or, as a tester writes it, in lower case (``se45 5000 ...``: of a country of
# _IBAN_LOWER only, so that hashes and ids in published files are not read as one)
_IBAN_LOWER = frozenset(
    re.findall(r"\w+", "SE FI NO DK IS EE LV LT PL RO BG DE GB NL BE FR ES IT UA MD TR")
)
_IBAN = re.compile(
    rf"(?<![\w])[A-Za-z]{{2}}\d{{2}}(?:[ \u00a0{_DASH}]?[A-Za-z0-9]){{11,30}}(?![\w])"
)
#: Two digits after two letters: what every match of :data:`_IBAN` holds two characters
#: after its start (searched fast: from a digit, where :data:`_IBAN` starts with a
#: lookbehind that the regex engine tries everywhere).
_IBAN_HINT = re.compile(r"\d(?<=[A-Za-z]{2}\d)\d")
_ACCOUNT_WORD = (
    r"(?:bank)?konto(?:nummer|nr|t)?|clearing(?:nummer|nr)?|bankgiro(?:nummer)?|bg|"
    r"plusgiro(?:nummer)?|pg|swish|(?:pankki)?tili(?:numero|nro|lle|ltä|n)?|account(?: number)?"
)
#: What every word of :data:`_ACCOUNT_WORD` holds, and every word before a passport's
#: number in :data:`_PASSPORT` (looked for in the lower-cased text first).
_ACCOUNT_STEMS = (
    "konto", "clearing", "bankgiro", "bg", "plusgiro", "pg", "swish", "tili", "account",
)  # fmt: skip
_PASSPORT_STEMS = (
    "pass", "id-kort", "idkort", "identitetskort", "identitets-kort", "henkilökort",
    "henkilöllisyystodist",
)  # fmt: skip


def _holds(low: str | None, stems: tuple[str, ...]) -> bool:
    """Whether a lower-cased text (``None``: not known) may hold one of ``stems``."""
    return low is None or any(stem in low for stem in stems)


#: :data:`_ACCOUNT_STEMS` but the two that are words of their own in :data:`_ACCOUNT_WORD`
#: (*bg*, *pg*: as parts of words, in *uppgift*, they are in most Swedish texts).
_ACCOUNT_LONG_STEMS = tuple(stem for stem in _ACCOUNT_STEMS if stem not in ("bg", "pg"))
# the word bg or pg (``\b[bp]g\b``), written from its g on, so that the regex engine
# skips to each g
_GIRO_WORD = re.compile(r"g(?<=\b[bp]g)\b")


def _account_hinted(low: str | None) -> bool:
    """Whether a lower-cased text (``None``: not known) may hold a match of
    :data:`_ACCOUNT`: one of :data:`_ACCOUNT_LONG_STEMS`, or *bg* or *pg* as a word."""
    return (
        low is None
        or any(stem in low for stem in _ACCOUNT_LONG_STEMS)
        or _GIRO_WORD.search(low) is not None
    )


_ACCOUNT = re.compile(
    rf"\b(?:{_ACCOUNT_WORD})\b[^\n\d]{{0,40}}?"
    rf"(?P<number>\d[\d {_DASH},.]{{4,24}}\d)(?![\w])",
    re.IGNORECASE,
)
#: A clearing number after its word: four digits, a Swedbank one with a fifth, its check
#: digit, after a dash (``clearingnummer 8327-9``; the account number follows).
_CLEARING = re.compile(rf"\d{{4}}(?:{_SPACE}?[{_DASH}]{_SPACE}?\d)?")
_PASSPORT = re.compile(
    r"\b(?:pass(?:et|ets|en|nummer|nr|number|port(?:\s?(?:no|number|nr))?)?|"
    r"passi(?:n|a|ssa|sta|numero|nro)?|(?:id|identitets)-?kort(?:et|ets|s?nummer|s?nr)?|"
    r"henkilökort(?:ti|in|issa|ista|ia)|henkilöllisyystodistu(?:s|ksen|ksessa))\b"
    r"(?P<gap>[^\n]{0,30}?)(?P<number>(?<![\w])(?:(?=[A-Z]{0,3}\d)[A-Z0-9]{6,9}|"
    r"[A-Z]{1,3}[ -]\d{6,8}|\d{2,4}(?: \d{2,4}){1,3}))(?![\w])",
    re.IGNORECASE,
)
#: What may stand between a passport word and a number of digits only (with letters, a
#: number is one wherever it stands near the word): *ID-kortets nummer är 12345678*, not
#: *ID-kort men hade 123456 ärenden*.
_PASSPORT_GAP = re.compile(
    r"[\s:.,(#-]*(?:(?:nr|nummer|number|no|numero|nro|n:o|är|var|on|oli|is|was|med|with)"
    r"[\s:.,(#-]*)*",
    re.IGNORECASE,
)
_PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZÅÄÖ"
#: Letters before a number that are not a registration: currencies, standards, hashes.
_NOT_PLATES = frozenset(
    (
        "SEK", "EUR", "USD", "NOK", "DKK", "GBP", "CHF", "PLN", "RON", "BGN", "SHA", "ISO",
        "SFS", "UTF", "RFC", "SOU", "COM", "ILO", "PDF", "CSV", "EU", "EN", "IEC", "MD",
        "HS", "KB", "NJA", "RH", "AD", "HD", "KKO", "KHO",
        # authorities, registers and manuals a report on cases names with a number
        "BRÅ", "SCB", "MSB", "RPS", "NOA", "EKB", "NRM", "UHR", "KRP", "THL", "STM",
        "OKM", "TEM", "LVU", "LVM", "LSS", "DSM", "SMS", "DNA", "WHO", "OSK", "EUT",
        # units after a number in a sentence about a car (150 KWH, 90 KMH)
        "KWH", "KMH", "MPH", "RPM", "CCM",
    )
)  # fmt: skip
_PLATE = re.compile(
    rf"(?<![\w{_DASH}])(?P<letters>[{_PLATE_LETTERS}{_PLATE_LETTERS.lower()}]{{2,3}})"
    rf"(?P<number>[ \u00a0]?\d{{2}}[0-9A-HJ-NPR-UW-Za-hj-npr-uw-z]"
    rf"|[ \u00a0]?[{_DASH}][ \u00a0]?\d{{1,3}})(?![\w]|[{_DASH},.]\d)"
)
#: What every match of :data:`_PLATE` holds two to four characters after its start (after
#: its letters and a space): two digits and a digit or letter, or a dash and a digit
#: (perhaps after a space), with two letters (and a space) before it. Searched fast, from
#: a digit or dash.
_PLATE_HINT = re.compile(
    rf"[\d{_DASH}](?:(?<=[{_PLATE_LETTERS}{_PLATE_LETTERS.lower()}]{{2}}.)"
    rf"|(?<=[{_PLATE_LETTERS}{_PLATE_LETTERS.lower()}]{{2}}[ \u00a0].))"
    rf"(?:(?<=\d)\d[0-9A-HJ-NPR-UW-Za-hj-npr-uw-z]|(?<=[{_DASH}])[ \u00a0]?\d)"
)
#: Words after which a registration is expected, in any case (``bilen abc 123``).
_VEHICLE_WORDS = (
    r"\b(?:(?:person|last|skåp|hyr|firma)?bil(?:en|ar|arna)?|fordon(?:et)?|"
    r"reg(?:istrerings)?(?:\.?\s?nr|nummer|nummret|skylt(?:en)?)?|"
    r"(?:paketti|kuorma|henkilö)?auto(?:n|lla|a|ssa)?|ajoneuvo(?:n|lla|a)?|"
    r"rek(?:isteri)?(?:\.?\s?nro|numero(?:lla|n)?|kilpi)?|car|vehicle|plate)\b"
)
#: The words of a sentence about a vehicle, any of them (a foreign registration may
#: stand far from its word: *Bilen som hon såg ... hade registreringen WX 12345*).
_VEHICLE_ANYWHERE = re.compile(
    _VEHICLE_WORDS[:-3] + r"|registrering(?:en|ar|arna)?|skylt(?:en|ar|arna|arna)?|"
    r"rekisterikilpi|kilpi|kilven|kilvet|kilvessä)\b",
    re.IGNORECASE,
)
#: Where a sentence ends (before the one a registration stands in).
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÅÄÖ])|\n")
_VEHICLE = re.compile(_VEHICLE_WORDS + r"[^\n\d]{0,40}$", re.IGNORECASE)
#: What every word of :data:`_VEHICLE` holds (looked for in the lower-cased text first).
_VEHICLE_STEMS = (
    "bil", "fordon", "reg", "auto", "ajoneuvo", "rek", "car", "vehicle", "plate", "skylt",
    "kilpi", "kilve",
)  # fmt: skip
#: Short words that a number may follow in a sentence about a car (``bilen med 120``).
_PLATE_WORDS = frozenset(
    re.findall(
        r"\w+",
        "och med för den det som var har kan ska att per kvm mil tim min sek ton kap sid kom "
        "tog gav får tar går kör ger ser bor ett sex sju tre fem nio tio oli sen sai kun jos "
        "tai yli alle noin",
    )
)


def _plate(m: re.Match[str], text: str) -> bool:
    """Whether a match of :data:`_PLATE` is a registration: in capitals, three letters
    that are no currency, authority or code, with two or three digits after a hyphen
    (Finnish), unless after a word for a vehicle (:data:`_VEHICLE`) within a few words
    (*Auto NOK-13*, *auton AB-1*); in lower case, only
    after such a word, and no short word."""
    letters, number = m.group("letters"), m.group("number")

    def cued() -> bool:
        return _VEHICLE.search(text, max(0, m.start() - 60), m.start()) is not None

    if letters.isupper():
        # two letters (SE-12, AM-123: a country, a prosecution office) or one digit after
        # a hyphen (DSM-5, NRM-2) only after a vehicle word
        digits = sum(ch.isdigit() for ch in number)
        form = len(letters) == 3 and (number.lstrip(" \u00a0")[:1].isdigit() or digits >= 2)
        return (form and letters not in _NOT_PLATES) or (
            (len(letters) == 3 or number[:1] in _DASHES) and cued()
        )
    return letters.casefold() not in _PLATE_WORDS and letters.upper() not in _NOT_PLATES and cued()


_STREET_WORDS = (
    "gatan|gata|vägen|väg|gränd|gränden|stigen|backen|torget|allén|plan|tie|katu|kuja|"
    "polku|tori|väylä|kaari|rinne"
)
#: The street words that end a street's name also in lower case (not *plan*, *backen*,
#: *torget*, *tori*, *rinne*, *kaari*: *detaljplan 2*, *sateenkaari 5*).
_STREET_WORDS_LOWER = "gatan|gata|vägen|väg|gränd|gränden|stigen|allén|tie|katu|kuja|polku|väylä"
#: What every match of :data:`_ADDRESS` holds: a street word, a space and a digit
#: (``(?:{_STREET_WORDS})\s\d``), written from the space on (the street word in
#: lookbehinds) so that the regex engine tries it at white space only; only whether it
#: is found is used.
_STREET_NUMBER = re.compile(
    r"\s(?=\d)(?:" + "|".join(rf"(?<={word}\s)" for word in _STREET_WORDS.split("|")) + ")"
)
_ADDRESS = re.compile(
    rf"\b(?:[A-ZÅÄÖ][\wåäöé-]*(?:{_STREET_WORDS})|[a-zåäö][\wåäöé-]{{2,}}(?:{_STREET_WORDS_LOWER}))"
    r"\s\d{1,4}(?!\d|\s?(?:km|mil|%)(?!\w))(?:\s?(?!i\b)[A-Za-z](?:\s?\d{1,3})?(?![\w]))?"
    r"(?:,?\s?(?:lgh|tr|as\.?|bst|B)\.?\s?\d{1,4})*"
    r"(?:,?\s\d{3}\s?\d{2}\s[A-ZÅÄÖ][\wåäö]+)?"
)
#: A foreign identity number after its word: Polish PESEL (11 digits), Romanian CNP (13),
#: Lithuanian *asmens kodas* (11), Estonian *isikukood* (11), Latvian *personas kods*
#: (11, a dash after six), Ukrainian RNOKPP or ИНН (10), Bulgarian ЕГН (10).
_FOREIGN_ID = re.compile(
    r"\b(?:PESEL|CNP|ЕГН|RNOKPP|РНОКПП|ИНН|asmens\s+kodas|isikukood|personas\s+kods)"
    rf"\b[^\n\d]{{0,25}}?(?P<number>(?<![\w])\d{{6}}[{_DASH} ]?\d{{4,7}})(?![\w]|[{_DASH}]\d)",
    re.IGNORECASE,
)
_FOREIGN_ID_STEMS = (
    "pesel", "cnp", "егн", "rnokpp", "рнокпп", "инн", "asmens", "isikukood", "personas",
)  # fmt: skip
#: A foreign registration (Ukrainian ``AA 1234 BB``, Romanian ``B 123 ABC``, Polish
#: ``WX 12345``) after a word for a vehicle (:data:`_VEHICLE`).
_FOREIGN_PLATE = re.compile(
    r"[A-Z](?<![\w-].)(?:[A-Z] ?\d{4} ?[A-Z]{2}|[A-Z]? ?\d{2,3} ?(?P<ro>[A-Z]{3})"
    r"|[A-Z]{1,2} ?\d{4,5}|[A-Z]-\d{4})(?![\w-])"
)
#: An Estonian registration (``123 ABC``), digits first, after a word for a vehicle.
_DIGITS_PLATE = re.compile(r"\d(?<![\w-].)\d\d ?(?P<ee>[A-Z]{3})(?![\w-])")
#: The letters of an engine after a car's model (*C 220 CDI*), not of a registration.
_ENGINES = frozenset(("CDI", "TDI", "TSI", "GTI", "HDI", "DCI", "CRD", "AMG", "TDS", "GTD"))


def iban_ok(text: str) -> bool:
    """Whether an IBAN (spaces allowed) passes the ISO 13616 check: the number formed by
    moving the first four characters to the end, letters as 10-35, is 1 modulo 97."""
    code = re.sub(rf"[ \u00a0{_DASH}]", "", text).upper()
    if not 15 <= len(code) <= 34:
        return False
    digits = "".join(str(int(ch, 36)) for ch in code[4:] + code[:4])
    return int(digits) % 97 == 1


_OTHER_CASE = {
    True: re.compile(r"[ \u00a0]\S*[a-zåäö]"),
    False: re.compile(r"[ \u00a0]\S*[A-ZÅÄÖ]"),
}


def _one_case(candidate: str) -> str:
    """A candidate IBAN up to the first group (after a space) with a letter in the other
    case than its country code: words after a code in capitals are no part of it (*Volvo
    XC60 och en Mercedes C* passed mod 97 by chance)."""
    m = _OTHER_CASE[candidate[:2].isupper()].search(candidate)
    return candidate if m is None else candidate[: m.start()]


def _printed_groups(candidate: str) -> str:
    """A candidate IBAN in lower case up to the end of its first group that is not four
    characters long (an IBAN is printed in groups of four, the last shorter): a short
    hash in lower case followed by words (``de09a45bcdc7 with uncommitted changes`` in a
    report's footer) passed mod 97 by chance and stopped the run."""
    if not candidate[:2].islower():
        return candidate
    end = 0
    for m in re.finditer(rf"[^ \u00a0{_DASH}]+", candidate):
        end = m.end()
        if len(m.group()) != 4:
            break
    return candidate[:end]


def _iban_length(candidate: str) -> int:
    """The length of the IBAN that ``candidate`` starts with (0 if none): the whole, or
    cut at a separator when a word in capitals or a number follows it (``FI21 1234 5600
    0007 85 NORDEA``)."""
    cuts = [m.start() for m in re.finditer(rf"[ \u00a0{_DASH}]", candidate)]
    for end in (len(candidate), *reversed(cuts)):
        if iban_ok(candidate[:end]):
            return end
    return 0


def _phone(m: re.Match[str], low: int, high: int) -> tuple[int, int] | None:
    """The span of a phone number within the match: trailing digit groups are dropped
    while there are too many digits; a date written with separators is not a number."""
    groups = list(_DIGIT_GROUP.finditer(m.group()))
    while groups and sum(len(g.group()) for g in groups) > high:
        groups.pop()
    digits = [g.group() for g in groups]
    if sum(map(len, digits)) < low:
        return None
    if len(digits) == 3 and len(digits[2]) in (2, 4) and _is_date(*digits):
        return None
    return m.start(), m.start() + groups[-1].end()


def _vehicle_sentence(text: str, start: int) -> bool:
    """Whether a word for a vehicle (:data:`_VEHICLE_ANYWHERE`) stands before ``start``
    in the same sentence (at most 200 characters back)."""
    begin = max(0, start - 200)
    for m in _SENTENCE_END.finditer(text, begin, start):
        begin = m.end()
    return _VEHICLE_ANYWHERE.search(text, begin, start) is not None


def _is_date(day: str, month: str, year: str) -> bool:
    if len(year) == 2:
        return 1 <= int(month) <= 12 and 1 <= int(day) <= 31 and len(day) <= 2
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31 and 1900 <= int(year) <= 2099


def _matches_at_hints(
    pattern: re.Pattern[str], hint: re.Pattern[str], text: str, low: int, high: int
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, for a pattern (matching no empty string) each of whose
    matches holds a match of ``hint`` starting ``low`` to ``high`` characters after its
    own start: the pattern is tried only at the ``high - low + 1`` starts before each
    hint found (in order, from the end of the last match on), so a text without the
    hint costs one fast search."""
    pos = at = 0
    while (found := hint.search(text, at)) is not None:
        q = found.start()
        for start in range(max(pos, q - high), q - low + 1):
            m = pattern.match(text, start)
            if m is not None:
                yield m
                pos = m.end()
                break
        at = max(q + 1, pos + low)


def find(text: str) -> Iterator[tuple[str, int, int]]:
    """The candidates in ``text``: ``(kind, start, end)``, overlapping ones included."""
    lower = lowered(text)
    if _email_hinted(text, lower):
        for m in _EMAIL.finditer(text):
            if not _prose_at(m.group()):
                yield "email", m.start(), m.end()
        for m in _EMAIL_LOOSE.finditer(text) if "@" in text else ():
            yield "email", m.start(), m.end()
    for m in _EMAIL_HASH.finditer(text) if "#" in text else ():
        yield "email", m.start(), m.end()
    for pattern, low, high in ((_PHONE_INTERNATIONAL, 8, 15), (_PHONE_NATIONAL, 8, 11)):
        for m in pattern.finditer(text):
            span = _phone(m, low, high)
            if span:
                yield ("phone", *span)
    for m in _PHONE_BARE_CC.finditer(text) if "46" in text or "358" in text else ():
        # digits only (11 after 46, 11-13 after 358), or in groups after a word for a phone
        if (m.group().isdigit() and len(m.group()) in _BARE_LENGTHS[m.group()[:2]]) or (
            _phone_cued(text, m.start())
        ):
            yield "phone", m.start(), m.end()
    for m in _PHONE_SPACED.finditer(text) if "0 " in text else ():
        if _phone_cued(text, m.start()):
            yield "phone", m.start(), m.end()
    for m in _matches_at_hints(_IBAN, _IBAN_HINT, text, 2, 2):
        if not m.group()[:2].isupper() and m.group()[:2].upper() not in _IBAN_LOWER:
            continue  # a code in lower case (a hash, an id) of no country near the study
        length = _iban_length(_printed_groups(_one_case(m.group())))
        if length:
            yield "account", m.start(), m.start() + length
    for m in _ACCOUNT.finditer(text) if _account_hinted(lower) else ():
        number = m.group("number").rstrip(" ,.")
        clearing = _CLEARING.fullmatch(number) and m.group()[:8].casefold() == "clearing"
        if clearing or (sum(ch.isdigit() for ch in number) >= 7 and not _YEARS.fullmatch(number)):
            yield "account", m.start("number"), m.start("number") + len(number)
    for m in _PASSPORT.finditer(text) if _holds(lower, _PASSPORT_STEMS) else ():
        number = m.group("number").replace(" ", "")
        if sum(ch.isdigit() for ch in number) > 9:
            continue  # digits in groups (12 34 56 78) are six to nine
        if not number.isdigit() or _PASSPORT_GAP.fullmatch(m.group("gap")):
            yield "passport", m.start("number"), m.end("number")
    for m in _matches_at_hints(_PLATE, _PLATE_HINT, text, 2, 4):
        if _plate(m, text):
            yield "registration", m.start(), m.end()
    for m in _FOREIGN_ID.finditer(text) if _holds(lower, _FOREIGN_ID_STEMS) else ():
        yield "foreign_id", m.start("number"), m.end("number")
    vehicle = _holds(lower, _VEHICLE_STEMS)
    for m in _FOREIGN_PLATE.finditer(text) if vehicle else ():
        letters = m.group()[:3].rstrip(" -0123456789")
        if (
            letters not in _NOT_PLATES
            and m.group("ro") not in _ENGINES
            and _vehicle_sentence(text, m.start())
        ):
            yield "registration", m.start(), m.end()
    for m in _DIGITS_PLATE.finditer(text) if vehicle else ():
        letters = m.group("ee")
        if (
            letters not in _NOT_PLATES
            and letters not in _ENGINES
            and _vehicle_sentence(text, m.start())
        ):
            yield "registration", m.start(), m.end()
    for m in _ADDRESS.finditer(text) if _STREET_NUMBER.search(text) else ():
        yield "address", m.start(), m.end()
