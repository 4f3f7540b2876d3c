"""Document texts for synthetic case files: templates, invented people and fake identifiers.

:mod:`cape_study.synth` decides *what* happened in each synthetic case; this module
writes it down as the documents a case file holds: police report summaries
(*Anmälan*, *Sammanfattning*), interview records, investigation memos,
*nedläggningsbeslut* with the closure reason in its standard wording,
*stämningsansökan* and judgments, in Swedish and (for some Finnish documents) Finnish.
Each document type has several templates, and most sentences several variants, so
that a text classifier has something to learn; the barrier codes of a case are
written into its closure decision or judgment, and its ILO indicators and agency
signs into its police report and interview.

People, places, companies and amounts are invented. The identity numbers and phone
numbers in the texts are checksum-valid but belong to nobody:

- **personnummer and samordningsnummer** are Skatteverket's published test numbers
  (``reference/test_identity_numbers.csv``, see the README there), which exist only
  in Skatteverket's test environment and are never assigned to a person.
- **Swedish phone numbers** come from the series that PTS (Post- och telestyrelsen)
  reserves for use in books, films and the like and never assigns to a subscriber:
  070-174 06 05 to 070-174 06 99, 031-390 06 00 to 99, 040-628 04 00 to 99,
  08-465 004 00 to 99 and 0980-319 200 to 299 (PTS, "Telefonnummer för användning i
  böcker och filmer etc.").
- **Finnish henkilötunnus** are generated with individual numbers 900-999 and a valid
  check character. The population register assigns individual numbers 002-899; the
  900 series is used only for temporary identity codes (for example in hospitals) and
  is never entered in the register (väestötietojärjestelmä; decree 128/2010), so such
  a code cannot be a resident's identity code.

Every identifier and invented name written into a text is returned with its position,
as ground truth for the privacy scanner (:func:`render_documents`).
"""

from __future__ import annotations

import csv
import functools
import string
from collections.abc import Sequence
from dataclasses import dataclass

from cape_study.paths import PACKAGE_DIR

__all__ = [
    "PHONE_SERIES",
    "Identifier",
    "finnish_hetu",
    "is_valid_hetu",
    "is_valid_personnummer",
    "luhn_digit",
    "offence_label",
    "render_document",
    "template_codes",
    "test_identity_numbers",
]

_REFERENCE = PACKAGE_DIR / "reference"

#: PTS's phone number series for fiction: (prefix as dialled, first, last) of the final digits.
PHONE_SERIES: tuple[tuple[str, int, int], ...] = (
    ("07017406", 5, 99),
    ("03139006", 0, 99),
    ("04062804", 0, 99),
    ("08465004", 0, 99),
    ("09803192", 0, 99),
)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


# -- identifiers ------------------------------------------------------------------------
def luhn_digit(digits: str) -> int:
    """The Luhn check digit of ``digits`` (Skatteverket's rule for the tenth digit)."""
    total = 0
    for i, ch in enumerate(digits):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return (10 - total % 10) % 10


def is_valid_personnummer(number: str) -> bool:
    """Whether a personnummer or samordningsnummer (10 or 12 digits, - or + allowed) is
    well formed with a correct check digit (day + 60 for samordningsnummer)."""
    digits = number.replace("-", "").replace("+", "")
    if not digits.isdigit() or len(digits) not in (10, 12):
        return False
    digits = digits[-10:]
    month, day = int(digits[2:4]), int(digits[4:6])
    day = day - 60 if day >= 60 else day
    return 0 <= month <= 12 and 0 <= day <= 31 and luhn_digit(digits[:9]) == int(digits[9])


def finnish_hetu(year: int, month: int, day: int, individual: int) -> str:
    """A Finnish henkilötunnus DDMMYYCZZZQ with its mod-31 check character."""
    if not 900 <= individual <= 999:
        raise ValueError("only the temporary series 900-999 is generated (see module docstring)")
    base = f"{day:02d}{month:02d}{year % 100:02d}"
    sign = "-" if year < 2000 else "A"
    return f"{base}{sign}{individual:03d}{_HETU_CHECK[int(base + f'{individual:03d}') % 31]}"


def is_valid_hetu(code: str) -> bool:
    """Whether a henkilötunnus has a correct check character."""
    if len(code) != 11 or not (code[:6] + code[7:10]).isdigit():
        return False
    return _HETU_CHECK[int(code[:6] + code[7:10]) % 31] == code[10]


@functools.cache
def test_identity_numbers() -> dict[str, tuple[str, ...]]:
    """Skatteverket's test personnummer and samordningsnummer vendored in the package."""
    pools: dict[str, list[str]] = {"personnummer": [], "samordningsnummer": []}
    with (_REFERENCE / "test_identity_numbers.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            pools[row["kind"]].append(row["number"])
    return {k: tuple(v) for k, v in pools.items()}


@dataclass(frozen=True)
class Identifier:
    """An identifier or name written into a document: ground truth for PII scanning."""

    kind: str  # personnummer, samordningsnummer, hetu, phone, name
    text: str  # as written in the document
    value: str  # normalised: 12 digits, hetu, phone as +46..., or the full name
    start: int
    end: int


# -- invented people and places ---------------------------------------------------------
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # group: (male first names, female first names, surnames)
    "sv": (
        (
            "Anders",
            "Johan",
            "Mikael",
            "Erik",
            "Lars",
            "Per",
            "Jonas",
            "Fredrik",
            "Mattias",
            "Magnus",
            "Niklas",
            "Henrik",
            "Tobias",
            "Oskar",
            "Göran",
            "Håkan",
        ),
        (
            "Anna",
            "Karin",
            "Sara",
            "Emma",
            "Lena",
            "Kristina",
            "Elin",
            "Johanna",
            "Malin",
            "Linnéa",
            "Sofia",
            "Frida",
            "Åsa",
            "Ingrid",
        ),
        (
            "Lindqvist",
            "Berglund",
            "Holm",
            "Sandberg",
            "Forsberg",
            "Lundgren",
            "Nyström",
            "Wikström",
            "Sjöberg",
            "Håkansson",
            "Öberg",
            "Åström",
            "Lindahl",
            "Nordin",
            "Hedlund",
            "Ekdahl",
            "Strömgren",
            "Falkman",
        ),
    ),
    "fi": (
        ("Juha", "Mikko", "Timo", "Jari", "Antti", "Ville", "Petri", "Sami", "Janne"),
        ("Laura", "Sari", "Minna", "Kaisa", "Heidi", "Tiina", "Riikka", "Päivi"),
        (
            "Virtanen",
            "Korhonen",
            "Mäkinen",
            "Nieminen",
            "Hämäläinen",
            "Laine",
            "Heikkinen",
            "Koskinen",
            "Järvelä",
            "Lehtonen",
            "Salmela",
        ),
    ),
    "th": (
        ("Somchai", "Anan", "Prasert", "Kittisak", "Somsak", "Niran", "Wichai", "Chaiwat"),
        ("Siriporn", "Malai", "Ratana", "Kanya", "Pimchanok", "Nittaya", "Sunisa"),
        (
            "Srisuk",
            "Chaiyaporn",
            "Wongsawat",
            "Boonmee",
            "Kaewkla",
            "Thongdee",
            "Phromma",
            "Saengthong",
            "Rattanakul",
        ),
    ),
    "ro": (
        ("Ion", "Mihai", "Andrei", "Florin", "Gheorghe", "Vasile", "Marian"),
        ("Elena", "Ioana", "Andreea", "Mihaela", "Florentina", "Daniela"),
        ("Popescu", "Ionescu", "Dumitru", "Munteanu", "Lungu", "Matei", "Stoica", "Rusu"),
    ),
    "ua": (
        ("Oleksandr", "Andrii", "Serhii", "Mykola", "Dmytro", "Vasyl"),
        ("Olena", "Iryna", "Oksana", "Nataliia", "Yuliia"),
        ("Kovalenko", "Bondarenko", "Tkachenko", "Shevchuk", "Melnyk", "Kravets"),
    ),
    "vn": (
        ("Minh", "Tuan", "Hung", "Duc", "Quang"),
        ("Lan", "Hoa", "Mai", "Thu", "Linh"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang"),
    ),
    "ng": (
        ("Chinedu", "Emeka", "Tunde", "Ifeanyi", "Segun"),
        ("Ngozi", "Amaka", "Blessing", "Funmilayo", "Chiamaka"),
        ("Okafor", "Adeyemi", "Eze", "Okonkwo", "Balogun", "Nwosu"),
    ),
    "pl": (
        ("Piotr", "Tomasz", "Krzysztof", "Paweł", "Marek"),
        ("Katarzyna", "Magdalena", "Agnieszka", "Joanna"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Zieliński"),
    ),
    "bg": (
        ("Georgi", "Ivan", "Dimitar", "Nikolai", "Stoyan"),
        ("Desislava", "Mariya", "Tsvetelina"),
        ("Ivanov", "Petrov", "Dimitrov", "Georgiev", "Stoyanov"),
    ),
    "sa": (
        ("Rahul", "Amit", "Rahim", "Karim", "Imran", "Sanjay"),
        ("Priya", "Fatema", "Nasrin", "Sunita"),
        ("Sharma", "Singh", "Hossain", "Rahman", "Chowdhury", "Patel"),
    ),
    "ph": (
        ("Jose", "Mark", "Rodel", "Arnel"),
        ("Maricel", "Joy", "Rowena", "Lorna"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Mendoza"),
    ),
    "xx": (
        ("Ali", "Omar", "David", "Samuel", "Yusuf"),
        ("Amina", "Sofia", "Maryam", "Grace"),
        ("Hassan", "Mensah", "Ahmadi", "Karimi", "Haile", "Osei"),
    ),
}
_NAME_GROUP = {
    "SE": "sv",
    "FI": "fi",
    "TH": "th",
    "RO": "ro",
    "MD": "ro",
    "UA": "ua",
    "VN": "vn",
    "NG": "ng",
    "PL": "pl",
    "LT": "pl",
    "BG": "bg",
    "IN": "sa",
    "BD": "sa",
    "PK": "sa",
    "LK": "sa",
    "PH": "ph",
}
_LANGUAGE_SV = {
    "TH": "thailändska",
    "RO": "rumänska",
    "MD": "rumänska",
    "UA": "ukrainska",
    "VN": "vietnamesiska",
    "NG": "engelska",
    "PL": "polska",
    "LT": "litauiska",
    "BG": "bulgariska",
    "IN": "hindi",
    "BD": "bengali",
    "PK": "urdu",
    "LK": "tamil",
    "PH": "tagalog",
    "FI": "finska",
    "SE": "svenska",
}
_LANGUAGE_FI = {
    "TH": "thai",
    "RO": "romania",
    "MD": "romania",
    "UA": "ukraina",
    "VN": "vietnam",
    "NG": "englanti",
    "PL": "puola",
    "LT": "liettua",
    "BG": "bulgaria",
    "IN": "hindi",
    "BD": "bengali",
    "PK": "urdu",
    "LK": "tamili",
    "PH": "tagalog",
    "FI": "suomi",
    "SE": "ruotsi",
}
_PLACE_SV = (
    (
        "Björk",
        "Lind",
        "Sjö",
        "Norr",
        "Söder",
        "Väster",
        "Öster",
        "Gran",
        "Hög",
        "Lång",
        "Mos",
        "Tall",
        "Ulv",
        "Ek",
        "Al",
        "Rön",
        "Hassel",
        "Stor",
    ),
    (
        "vik",
        "holm",
        "ås",
        "berga",
        "köping",
        "torp",
        "sund",
        "dal",
        "fors",
        "näs",
        "hult",
        "ryd",
        "lunda",
        "backa",
        "mark",
    ),
)
_PLACE_FI = (
    (
        "Koski",
        "Järvi",
        "Mäki",
        "Kallio",
        "Salo",
        "Vaara",
        "Harju",
        "Lehto",
        "Kivi",
        "Suo",
        "Niitty",
        "Ranta",
    ),
    ("lä", "mäki", "salmi", "joki", "lahti", "vaara", "niemi", "pelto", "harju"),
)
_TRADE_SV = {
    "agriculture_forestry": "Bär",
    "construction": "Bygg",
    "hotel_restaurant": "Restaurang",
    "cleaning": "Städ",
    "beauty": "Nagelstudio",
    "transport": "Transport",
    "begging": "Handel",
    "other": "Service",
}
_TRADE_FI = {
    "agriculture_forestry": "Marja",
    "construction": "Rakennus",
    "hotel_restaurant": "Ravintola",
    "cleaning": "Siivous",
    "beauty": "Kauneus",
    "transport": "Kuljetus",
    "begging": "Kauppa",
    "other": "Palvelu",
}


# -- templates --------------------------------------------------------------------------
# Every entry is a tuple of variants; fields in braces are filled from the case. Fields
# whose value is an identifier or a name are recorded as ground truth when filled.
_SV: dict[str, tuple[str, ...]] = {
    "police_report.head": (
        "POLISANMÄLAN\nÄrendenummer: {case_no}\nPolisregion: {region}\nInskriven: {date}\n"
        "Brott: {offence}\n\n",
        "Anmälan – sammanfattning\nDiarienummer {case_no}, {region}\nAnmälningsdatum {date}\n"
        "Rubricering: {offence}\n\n",
        "SAMMANFATTNING AV ANMÄLAN\n{region}, {date}\nÄrende {case_no}\nBrottskod: {offence}\n\n",
    ),
    "police_report.suspect": (
        "Misstänkt: {suspect} ({suspect_id}), ägare till {company}. ",
        "Som misstänkt anges {suspect}, {suspect_id}, som driver {company}. ",
        "Anmälan avser {suspect} (född {suspect_id}), ansvarig för verksamheten vid {company}. ",
    ),
    "police_report.nosuspect": (
        "Gärningsperson är okänd. ",
        "Någon misstänkt har inte kunnat identifieras. ",
    ),
    "police_report.victim": (
        "Målsägande: {victim}{victim_id_part}. ",
        "Den utsatta är {victim}{victim_id_part}. ",
        "Målsäganden {victim}{victim_id_part} har hörts upplysningsvis. ",
    ),
    "police_report.group": (
        "Sammanlagt {n_victims} arbetstagare misstänks ha utsatts. ",
        "Utöver målsäganden finns ytterligare {n_others} personer i samma situation. ",
    ),
    "police_report.phone": (
        "Målsäganden nås på telefon {victim_phone}. ",
        "Kontakt med målsäganden via mobil {victim_phone}. ",
    ),
    "police_report.closing": (
        "\nÄrendet överlämnas till förundersökningsledare för beslut.",
        "\nAnmälan har registrerats och skickas vidare till utredningsgruppen.",
        "\nFortsatta åtgärder: förhör med målsäganden och kontakt med Arbetsmiljöverket.",
    ),
    "interrogation.head": (
        "FÖRHÖR MED MÅLSÄGANDE\nÄrende {case_no}\nDatum {date}\nFörhörsledare: {officer}\n",
        "Förhörsprotokoll\n{case_no} – förhör {date}\nFörhörsledare {officer}\n",
    ),
    "interrogation.interpreter": (
        "Tolk: {interpreter_language}, via telefon.\n",
        "Förhöret hölls med tolk på {interpreter_language}.\n",
    ),
    "interrogation.person": (
        "Hörd: {victim}{victim_id_part}, tel. {victim_phone}.\n\n",
        "Förhörsperson: {victim}{victim_id_part}. Telefon {victim_phone}.\n\n",
    ),
    "interrogation.opening": (
        "{victim} berättar att {pronoun} kom till {place} för att arbeta med {work}. ",
        "{victim} uppger att {pronoun} rekryterades i hemlandet till arbete med {work} i {place}. ",
        "Enligt {victim} handlade arbetet om {work} utanför {place}. ",
    ),
    "interrogation.closing": (
        "\nFörhöret uppläst och godkänt.",
        "\nFörhörspersonen har tagit del av anteckningarna och godkänner dem.",
        "\nFörhöret avslutades.",
    ),
    "investigation_memo.head": (
        "PROMEMORIA\nÄrende {case_no}\n{date}\nAvseende: utredningsläget\n\n",
        "PM – {case_no}\nDatum: {date}\nUpprättad av: {officer}\n\n",
    ),
    "investigation_memo.body": (
        "Telefonnummer {suspect_phone} har kopplats till {suspect} genom abonnemangsuppgifter. ",
        "Samtalslistor för {suspect_phone}, som används av {suspect}, har begärts in. ",
    ),
    "investigation_memo.closing": (
        "\nFortsatt utredning planeras.",
        "\nUtredningen fortsätter med ytterligare förhör.",
    ),
    "closure_decision.head": (
        "BESLUT\nNedläggning av förundersökning\nÄrendenummer {case_no}\nBeslutsdatum {date}\n\n",
        "Åklagarmyndigheten\n{chamber}\nBESLUT {date}\nÄrende: {case_no}\n\n",
        "Polismyndigheten, {region}\nBeslut i ärende {case_no}\nDatum: {date}\n\n",
    ),
    "closure_decision.suspect": (
        "Misstänkt: {suspect}, {suspect_id}\nBrott: {offence}\n\n",
        "Den misstänkte: {suspect} ({suspect_id})\nMisstanke: {offence}\n\n",
    ),
    "closure_decision.nosuspect": (
        "Misstänkt: okänd\nBrott: {offence}\n\n",
        "Ingen misstänkt har identifierats.\nMisstanke: {offence}\n\n",
    ),
    "closure_decision.reasons": (
        "Skäl för beslutet\n",
        "Skäl\n",
        "Motivering\n",
    ),
    "closure_decision.closing": (
        "\nBeslutet kan begäras överprövat hos Utvecklingscentrum.",
        "\nDen som är missnöjd med beslutet kan begära överprövning.",
        "\nMålsäganden underrättas om beslutet.",
    ),
    "indictment.head": (
        "STÄMNINGSANSÖKAN\nTill {court}\nÅklagare: {prosecutor}, {chamber}\nÄrende {case_no}\n"
        "Datum {date}\n\n",
        "Åklagarmyndigheten, {chamber}\nSTÄMNINGSANSÖKAN {date}\n{court}\nÄrende: {case_no}\n\n",
    ),
    "indictment.defendant": (
        "Tilltalad: {suspect}, {suspect_id}\n",
        "Tilltalad {suspect} ({suspect_id})\n",
    ),
    "indictment.charge": (
        "Ansvarsyrkande: {offence} ({law}).\n",
        "Yrkande: ansvar för {offence} enligt {law}.\n",
    ),
    "indictment.alternative": (
        "Alternativt yrkas ansvar för {offence} ({law}).\n",
        "I andra hand: {offence} ({law}).\n",
    ),
    "indictment.facts": (
        "\nGärningsbeskrivning\n{suspect} har under tiden {period} i {place} rekryterat och "
        "inhyst {n_victims} arbetstagare för {work}. ",
        "\nGärning\n{suspect} har i {place} låtit {n_victims} personer utföra {work} under "
        "förhållanden som anges nedan. ",
    ),
    "indictment.closing": (
        "\nBevisning: förhör med målsägandena, skriftlig bevisning enligt bilaga.",
        "\nÅklagaren åberopar förhör med målsäganden och vittnen samt skriftlig bevisning.",
    ),
    "judgment.head": (
        "{court_upper}\nDOM {date}\nMål nr B {case_court_no}\n\nPARTER\nÅklagare: {prosecutor}\n",
        "DOM\nmeddelad av {court} den {date}\nMål B {case_court_no}\n\nÅklagare {prosecutor}, "
        "{chamber}\n",
    ),
    "judgment.defendant": (
        "Tilltalad: {suspect}, {suspect_id}\n",
        "Tilltalad {suspect} ({suspect_id}), {place}\n",
    ),
    "judgment.verdict_head": ("\nDOMSLUT\n", "\nDomslut\n"),
    "judgment.reasons": ("\nDOMSKÄL\n", "\nDomskäl\n", "\nSKÄL FÖR DOMEN\n"),
    "judgment.closing": (
        "\nHUR MAN ÖVERKLAGAR, se bilaga.",
        "\nDomen kan överklagas inom tre veckor.",
        "\nRätten i övrigt enhällig.",
    ),
}
_SV_WORK = {
    "agriculture_forestry": ("bärplockning i skogarna", "arbete i ett växthus", "skogsplantering"),
    "construction": ("renoveringsarbete på en byggarbetsplats", "takläggning", "rivningsarbete"),
    "hotel_restaurant": ("diskning och matlagning i en restaurang", "städning av hotellrum"),
    "cleaning": ("städning av kontor", "städning av trapphus och lokaler"),
    "beauty": ("arbete på en nagelsalong", "arbete i en skönhetssalong"),
    "transport": ("budkörning", "lagerarbete och flyttarbete"),
    "begging": ("tiggeri utanför livsmedelsbutiker", "insamling av pengar på gatan"),
    "other": ("arbete på en biltvätt", "arbete i en bilverkstad", "hushållsarbete"),
}
_SV_DETECTION = {
    "joint_inspection": (
        "Vid en gemensam myndighetskontroll med Arbetsmiljöverket och Skatteverket på {company} "
        "påträffades arbetstagare i bristfälliga förhållanden. ",
        "Ärendet upptäcktes vid en samordnad kontroll av arbetsplatsen. ",
    ),
    "victim": (
        "Målsäganden kom själv till polisen och gjorde anmälan. ",
        "Anmälan gjordes av den utsatta på polisstationen i {place}. ",
    ),
    "ngo": (
        "Anmälan har gjorts efter kontakt med en ideell organisation som stöder målsäganden. ",
        "En frivilligorganisation har förmedlat kontakten med polisen. ",
    ),
    "police_initiative": (
        "Polisen uppmärksammade förhållandena i samband med spaning i {place}. ",
        "Ärendet initierades av polisen efter en trafikkontroll. ",
    ),
    "other_agency": (
        "Migrationsverket har anmält misstanke om människohandel efter en intervju. ",
        "Anmälan kom från en annan myndighet som uppmärksammat förhållandena. ",
    ),
    "tip": (
        "Ett anonymt tips inkom om förhållandena på {company}. ",
        "Polisen fick ett tips om att arbetare på {company} far illa. ",
    ),
    "unknown": ("Hur ärendet kom till polisens kännedom framgår inte. ",),
}
_SV_INDICATOR = {
    "abuse_of_vulnerability": (
        "{victim} talar inte svenska och hade ingen annan försörjning. ",
        "Målsäganden saknade nätverk i landet och var helt utlämnad. ",
    ),
    "deception": (
        "{Pronoun} hade lovats en lön enligt kollektivavtal, men villkoren var andra. ",
        "Arbetet motsvarade inte det som utlovats vid rekryteringen. ",
    ),
    "restriction_of_movement": (
        "De fick inte lämna boendet utan tillstånd. ",
        "Arbetsledaren bestämde när de fick gå ut. ",
    ),
    "isolation": (
        "{Pronoun} fick inte ha kontakt med andra än arbetskamraterna. ",
        "Boendet låg avskilt och de saknade transportmöjligheter. ",
    ),
    "physical_sexual_violence": (
        "Vid ett tillfälle ska {pronoun} ha blivit slagen av {suspect}. ",
        "Målsäganden beskriver att {pronoun} utsatts för våld. ",
    ),
    "intimidation_threats": (
        "{suspect} ska ha hotat med att anmäla {pronoun_obj} till Migrationsverket. ",
        "Det förekom hot om att familjen i hemlandet skulle drabbas. ",
    ),
    "retention_of_identity_documents": (
        "Passet togs omhand vid ankomsten och lämnades aldrig tillbaka. ",
        "Arbetsgivaren behöll arbetstagarnas pass. ",
    ),
    "withholding_of_wages": (
        "{Pronoun} har endast fått {wage} kronor i timmen. ",
        "Lön har uteblivit i flera månader. ",
    ),
    "debt_bondage": (
        "{Pronoun} var skyldig {debt} kronor för resan och förmedlingsavgiften. ",
        "Skulden till rekryteraren drogs av från lönen. ",
    ),
    "abusive_working_living_conditions": (
        "De bodde många i ett rum utan fungerande toalett. ",
        "Boendet var trångt och saknade värme. ",
    ),
    "excessive_overtime": (
        "Arbetsdagarna var ofta 14-16 timmar. ",
        "De arbetade sju dagar i veckan utan ledighet. ",
    ),
}
_SV_SIGN = {
    "lives_at_workplace": (
        "{Pronoun} bodde i ett förråd på arbetsplatsen. ",
        "Arbetstagarna sov i lokalen där de arbetade. ",
    ),
    "paid_for_job": (
        "{Pronoun} hade betalat {debt} kronor för att få jobbet. ",
        "En avgift för anställningen hade betalats till en mellanhand. ",
    ),
    "pays_back_wages": (
        "Lönen sattes in på kontot men skulle tas ut och lämnas tillbaka. ",
        "Delar av lönen fick betalas tillbaka kontant till arbetsgivaren. ",
    ),
    "very_long_hours_every_day": (
        "Arbetet pågick från tidig morgon till sent på kvällen varje dag. ",
        "Det förekom inga vilodagar. ",
    ),
    "serious_work_environment_deficiencies": (
        "Arbetsmiljöverket konstaterade allvarliga brister i arbetsmiljön. ",
        "Skyddsutrustning saknades och maskinerna var i dåligt skick. ",
    ),
}
_SV_BARRIER = {
    "victim_not_participating": (
        "Målsäganden har inte velat medverka i utredningen. ",
        "Målsäganden har avböjt att höras vidare. ",
        "Målsäganden vill inte att ärendet drivs vidare. ",
    ),
    "victim_dependence": (
        "Målsäganden är beroende av arbetsgivaren för sitt arbetstillstånd och sitt boende. ",
        "Målsägandens uppehållstillstånd är knutet till anställningen. ",
    ),
    "victim_left_country": (
        "Målsäganden har lämnat landet och har inte gått att nå för förnyat förhör. ",
        "Flera av arbetstagarna har rest hem och kan inte höras. ",
        "Målsäganden har återvänt till hemlandet. ",
    ),
    "improper_means_not_proven": (
        "Det går inte att visa att otillbörliga medel har använts. ",
        "Utredningen visar inte att målsäganden befunnit sig i en svår situation i lagens mening. ",
        "Det är inte styrkt att målsäganden vilseletts eller utnyttjats genom otillbörliga medel. ",
    ),
    "weak_documentary_evidence": (
        "Det saknas skriftlig dokumentation av arbetstider och löner. ",
        "Den skriftliga bevisningen är bristfällig. ",
    ),
    "legal_interpretation": (
        "Det är oklart om förhållandena når upp till kravet på tvångsarbete "
        "eller arbete under uppenbart orimliga villkor. ",
        "Rättsläget i fråga om begreppet tvångsarbete är inte klarlagt. ",
    ),
    "reclassification": (
        "Gärningen bedöms i stället som ett lindrigare brott. ",
        "Brottsrubriceringen har ändrats under utredningen. ",
    ),
    "diffuse_employer_responsibility": (
        "Arbetstagarna var formellt anställda av ett utländskt "
        "bemanningsföretag och arbetsgivaransvaret är oklart. ",
        "Det går inte att klarlägga vem som var arbetsgivare i kedjan av underentreprenörer. ",
    ),
    "investigation_resources": (
        "Ärendet har inte kunnat prioriteras på grund av resursbrist. ",
        "Utredningsresurserna har tagits i anspråk för andra ärenden. ",
    ),
    "interpreter_language": (
        "Förhören har försvårats av att tolk inte funnits att tillgå. ",
        "Språksvårigheter har begränsat förhören. ",
    ),
    "investigation_delay": (
        "Utredningen har dragit ut på tiden och bevisläget har försämrats. ",
        "Den långa handläggningstiden har påverkat bevisningen. ",
    ),
    "inspection_not_escalated": (
        "Iakttagelserna vid myndighetskontrollen följdes inte upp. ",
        "Uppgifterna från kontrollen ledde inte till några utredningsåtgärder. ",
    ),
    "information_sharing": (
        "Uppgifter från andra myndigheter har inte kunnat inhämtas på grund av sekretess. ",
        "Informationsutbytet med andra myndigheter har varit begränsat. ",
    ),
    "victim_support_conditional": (
        "Målsäganden har inte fått stöd sedan reflektionsperioden löpt ut. ",
        "Stödet till målsäganden har upphört. ",
    ),
    "remedies_outside_criminal_track": (
        "Lönefordringarna har reglerats genom en förlikning med fackförbundet. ",
        "Målsäganden har fått ut sin lön via en civilrättslig process. ",
    ),
}
_SV_CLOSURE = {
    "brott_kan_inte_styrkas": "Förundersökningen läggs ned. Brott kan inte styrkas.",
    "spaningsresultat_saknas": "Förundersökningen läggs ned. Spaningsresultat saknas.",
    "garningen_ar_inte_brott": "Förundersökningen läggs ned. Den anmälda gärningen är inte brott.",
    "forundersokningsbegransning": "Förundersökningen läggs ned med stöd av 23 kap. 4 a § "
    "rättegångsbalken (förundersökningsbegränsning).",
    "atalsunderlatelse": "Åtal underlåts enligt 20 kap. 7 § rättegångsbalken (åtalsunderlåtelse).",
    "inte_anledning_anta_brott": "Förundersökning inleds inte. Det finns inte anledning att anta "
    "att brott som hör under allmänt åtal har förövats.",
    "brottet_preskriberat": "Förundersökningen läggs ned. Brottet är preskriberat.",
    "misstankt_avliden": "Förundersökningen läggs ned eftersom den misstänkte har avlidit.",
    "annan_orsak": "Förundersökningen läggs ned av andra skäl som anges nedan.",
}
_SV_VERDICT = {
    "convicted_trafficking": (
        "{suspect} döms för {offence} till fängelse {months} månader.",
        "{suspect} döms för {offence}. Påföljden bestäms till fängelse {months} månader.",
    ),
    "convicted_exploitation": (
        "{suspect} döms för {offence} till fängelse {months} månader.",
        "{suspect} döms för {offence} till villkorlig dom och dagsböter.",
    ),
    "convicted_other": (
        "{suspect} döms för {offence} till villkorlig dom och dagsböter.",
        "{suspect} döms för {offence}. Påföljden bestäms till skyddstillsyn.",
    ),
    "acquitted": ("Åtalet mot {suspect} ogillas.", "{suspect} frikänns."),
}
_LAW = {
    "manniskohandel": "4 kap. 1 a § brottsbalken",
    "manniskoexploatering": "4 kap. 1 b § brottsbalken",
    "ocker": "9 kap. 5 § brottsbalken",
    "arbetsmiljobrott": "3 kap. 10 § brottsbalken",
    "olaga_tvang": "4 kap. 4 § brottsbalken",
    "olaga_hot": "4 kap. 5 § brottsbalken",
    "bedrageri": "9 kap. 1 § brottsbalken",
    "utlanningslagen": "20 kap. 5 § utlänningslagen",
    "ihmiskauppa": "RL 25:3",
    "torkea_ihmiskauppa": "RL 25:3a",
    "kiskonnantapainen_tyosyrjinta": "RL 47:3a",
    "kiskonta": "RL 36:6",
    "tyoturvallisuusrikos": "RL 47:1",
    "pakottaminen": "RL 25:8",
    "annat_brott": "-",
}

_FI: dict[str, tuple[str, ...]] = {
    "police_report.head": (
        "RIKOSILMOITUS\nDiaarinumero {case_no}\n{region}\nKirjattu {date}\n"
        "Rikosnimike: {offence}\n\n",
        "Rikosilmoituksen tiivistelmä\n{case_no}, {date}\nNimike: {offence}\n\n",
    ),
    "police_report.suspect": (
        "Epäilty: {suspect} ({suspect_id}), yrityksen {company} vastuuhenkilö. ",
        "Rikoksesta epäiltynä on {suspect}, henkilötunnus {suspect_id}. ",
    ),
    "police_report.nosuspect": ("Tekijä on tuntematon. ",),
    "police_report.victim": (
        "Asianomistaja: {victim}{victim_id_part}. ",
        "Asianomistajana on {victim}{victim_id_part}. ",
    ),
    "police_report.group": (
        "Yhteensä {n_victims} työntekijää on mahdollisesti joutunut hyväksikäytetyksi. ",
    ),
    "police_report.phone": ("Asianomistajan puhelinnumero {victim_phone}. ",),
    "police_report.closing": (
        "\nAsia siirretään tutkinnanjohtajalle.",
        "\nEsitutkinta aloitetaan.",
    ),
    "interrogation.head": (
        "KUULUSTELUPÖYTÄKIRJA\nAsia {case_no}\nPäivämäärä {date}\nKuulustelija: {officer}\n",
    ),
    "interrogation.interpreter": ("Tulkki: {interpreter_language}.\n",),
    "interrogation.person": ("Kuultava: {victim}{victim_id_part}, puh. {victim_phone}.\n\n",),
    "interrogation.opening": (
        "{victim} kertoo tulleensa paikkakunnalle {place} töihin. ",
        "Kuultavan mukaan työ oli {work}. ",
    ),
    "interrogation.closing": ("\nPöytäkirja luettu ja hyväksytty.",),
    "investigation_memo.head": ("MUISTIO\nAsia {case_no}\n{date}\n\n",),
    "investigation_memo.body": (
        "Puhelinnumero {suspect_phone} on yhdistetty epäiltyyn {suspect}. ",
    ),
    "investigation_memo.closing": ("\nTutkinta jatkuu.",),
    "closure_decision.head": (
        "PÄÄTÖS\nAsia {case_no}\nPäivämäärä {date}\n\n",
        "Syyttäjälaitos\nPÄÄTÖS {date}\nAsianumero {case_no}\n\n",
    ),
    "closure_decision.suspect": ("Epäilty: {suspect}, {suspect_id}\nRikosnimike: {offence}\n\n",),
    "closure_decision.nosuspect": ("Epäilty: tuntematon\nRikosnimike: {offence}\n\n",),
    "closure_decision.reasons": ("Perustelut\n",),
    "closure_decision.closing": ("\nAsianomistajalle ilmoitetaan päätöksestä.",),
    "indictment.head": (
        "HAASTEHAKEMUS\n{court}\nSyyttäjä: {prosecutor}\nAsia {case_no}\nPäivämäärä {date}\n\n",
    ),
    "indictment.defendant": ("Vastaaja: {suspect}, {suspect_id}\n",),
    "indictment.charge": ("Rangaistusvaatimus: {offence} ({law}).\n",),
    "indictment.alternative": ("Toissijaisesti: {offence} ({law}).\n",),
    "indictment.facts": (
        "\nTeonkuvaus\n{suspect} on paikkakunnalla {place} teettänyt "
        "{n_victims} työntekijällä työtä ({work}). ",
    ),
    "indictment.closing": ("\nTodisteet: asianomistajien kuulustelut ja kirjalliset todisteet.",),
    "judgment.head": (
        "{court_upper}\nTUOMIO {date}\nAsianumero R {case_court_no}\n\nSyyttäjä: {prosecutor}\n",
    ),
    "judgment.defendant": ("Vastaaja: {suspect}, {suspect_id}\n",),
    "judgment.verdict_head": ("\nTUOMIOLAUSELMA\n",),
    "judgment.reasons": ("\nPERUSTELUT\n",),
    "judgment.closing": ("\nMuutoksenhaku: ks. liite.",),
}
_FI_WORK = {
    "agriculture_forestry": ("marjanpoiminta",),
    "construction": ("rakennustyö",),
    "hotel_restaurant": ("ravintolatyö",),
    "cleaning": ("siivoustyö",),
    "beauty": ("kauneushoitolan työ",),
    "transport": ("kuljetustyö",),
    "begging": ("kerjääminen",),
    "other": ("autopesulan työ",),
}
_FI_DETECTION = {
    "joint_inspection": ("Asia havaittiin viranomaisten yhteistarkastuksessa. ",),
    "victim": ("Asianomistaja teki ilmoituksen itse. ",),
    "ngo": ("Ilmoitus tehtiin järjestön välityksellä. ",),
    "police_initiative": ("Poliisi havaitsi asian omassa toiminnassaan. ",),
    "other_agency": ("Ilmoitus tuli toiselta viranomaiselta. ",),
    "tip": ("Poliisi sai vihjeen. ",),
    "unknown": ("",),
}
_FI_INDICATOR = {
    "abuse_of_vulnerability": (
        "Asianomistaja ei puhu suomea eikä hänellä ollut muuta toimeentuloa. ",
    ),
    "deception": ("Työehdot olivat toiset kuin luvattiin. ",),
    "restriction_of_movement": ("Asunnosta ei saanut poistua ilman lupaa. ",),
    "isolation": ("Asianomistaja ei saanut olla yhteydessä muihin. ",),
    "physical_sexual_violence": ("Asianomistajaa on lyöty. ",),
    "intimidation_threats": ("Epäilty uhkasi ilmoittaa asianomistajan viranomaisille. ",),
    "retention_of_identity_documents": ("Passi otettiin pois saapumisen yhteydessä. ",),
    "withholding_of_wages": ("Palkkaa maksettiin vain {wage} euroa tunnilta. ",),
    "debt_bondage": ("Asianomistaja oli velkaa {debt} euroa matkasta ja välityspalkkiosta. ",),
    "abusive_working_living_conditions": ("Asuinolot olivat ahtaat ja puutteelliset. ",),
    "excessive_overtime": ("Työpäivät venyivät 14-16 tuntiin. ",),
}
_FI_SIGN = {
    "lives_at_workplace": ("Asianomistaja asui työpaikalla. ",),
    "paid_for_job": ("Asianomistaja maksoi {debt} euroa saadakseen työpaikan. ",),
    "pays_back_wages": ("Osa palkasta piti maksaa takaisin työnantajalle. ",),
    "very_long_hours_every_day": ("Töitä tehtiin joka päivä aamusta iltaan. ",),
    "serious_work_environment_deficiencies": ("Työsuojeluviranomainen totesi vakavia puutteita. ",),
}
_FI_BARRIER = {
    "victim_not_participating": ("Asianomistaja ei ole halunnut osallistua tutkintaan. ",),
    "victim_dependence": ("Asianomistajan oleskelulupa on sidottu työnantajaan. ",),
    "victim_left_country": ("Asianomistaja on poistunut maasta eikä häntä ole tavoitettu. ",),
    "improper_means_not_proven": ("Näyttöä epäasiallisten keinojen käytöstä ei ole. ",),
    "weak_documentary_evidence": ("Kirjallista näyttöä työajoista ja palkoista ei ole. ",),
    "legal_interpretation": ("On epäselvää, täyttyvätkö pakkotyön tunnusmerkit. ",),
    "reclassification": ("Teko arvioidaan lievemmäksi rikokseksi. ",),
    "diffuse_employer_responsibility": ("Työnantajavastuu jakautuu alihankintaketjussa. ",),
    "investigation_resources": ("Tutkintaresursseja ei ole ollut riittävästi. ",),
    "interpreter_language": ("Tulkin puute on vaikeuttanut kuulusteluja. ",),
    "investigation_delay": ("Esitutkinta on pitkittynyt ja näyttö heikentynyt. ",),
    "inspection_not_escalated": ("Tarkastuksen havainnot eivät johtaneet tutkintaan. ",),
    "information_sharing": ("Tietoja muilta viranomaisilta ei ole saatu salassapidon vuoksi. ",),
    "victim_support_conditional": ("Asianomistajan tuki on päättynyt. ",),
    "remedies_outside_criminal_track": ("Palkkasaatavat on sovittu ammattiliiton kautta. ",),
}
_FI_CLOSURE = {
    "brott_kan_inte_styrkas": "Syyttämättäjättämispäätös: näyttö ei riitä syytteen nostamiseen.",
    "spaningsresultat_saknas": "Esitutkinta keskeytetään, koska epäiltyä ei ole tunnistettu.",
    "garningen_ar_inte_brott": "Esitutkinta lopetetaan: asiassa ei ole tapahtunut rikosta.",
    "forundersokningsbegransning": "Esitutkinta rajoitetaan (esitutkintalaki 3 luku 10 §).",
    "atalsunderlatelse": "Syyttämättä jättäminen seuraamusluonteisin perustein.",
    "inte_anledning_anta_brott": "Esitutkintaa ei toimiteta, koska ei ole syytä epäillä rikosta.",
    "brottet_preskriberat": "Esitutkinta lopetetaan: rikos on vanhentunut.",
    "misstankt_avliden": "Esitutkinta lopetetaan: rikoksesta epäilty on kuollut.",
    "annan_orsak": "Esitutkinta lopetetaan muusta syystä.",
}
_FI_VERDICT = {
    "convicted_trafficking": (
        "{suspect} tuomitaan rikoksesta {offence} {months} kuukauden vankeuteen.",
    ),
    "convicted_exploitation": ("{suspect} tuomitaan rikoksesta {offence}.",),
    "convicted_other": ("{suspect} tuomitaan rikoksesta {offence} sakkoihin.",),
    "acquitted": ("Syyte {suspect}:a vastaan hylätään.",),
}
_FI_OFFENCE = {
    "ihmiskauppa": "ihmiskauppa",
    "torkea_ihmiskauppa": "törkeä ihmiskauppa",
    "kiskonnantapainen_tyosyrjinta": "kiskonnantapainen työsyrjintä",
    "kiskonta": "kiskonta",
    "tyoturvallisuusrikos": "työturvallisuusrikos",
    "pakottaminen": "pakottaminen",
    "annat_brott": "muu rikos",
}
_TEMPLATES = {
    "sv": (
        _SV,
        _SV_WORK,
        _SV_DETECTION,
        _SV_INDICATOR,
        _SV_SIGN,
        _SV_BARRIER,
        _SV_CLOSURE,
        _SV_VERDICT,
    ),
    "fi": (
        _FI,
        _FI_WORK,
        _FI_DETECTION,
        _FI_INDICATOR,
        _FI_SIGN,
        _FI_BARRIER,
        _FI_CLOSURE,
        _FI_VERDICT,
    ),
}
_COURTS_SV = {
    "judgment_first_instance": "{town}s tingsrätt",
    "judgment_appeal": "{appeal_court}",
    "judgment_supreme": "Högsta domstolen",
}
_COURTS_FI = {
    "judgment_first_instance": "{town}n käräjäoikeus",
    "judgment_appeal": "Hovioikeus",
    "judgment_supreme": "Korkein oikeus",
}
_APPEAL_COURTS = (
    "Svea hovrätt",
    "Göta hovrätt",
    "Hovrätten för Västra Sverige",
    "Hovrätten över Skåne och Blekinge",
    "Hovrätten för Nedre Norrland",
    "Hovrätten för Övre Norrland",
)


@functools.lru_cache(maxsize=2048)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((lit, field) for lit, field, _, _ in string.Formatter().parse(template))


class _Writer:
    """Builds a text piece by piece and records where identifiers and names land."""

    __slots__ = ("found", "n", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.found: list[Identifier] = []
        self.n = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.n += len(text)

    def fill(self, template: str, fields: dict[str, object]) -> None:
        for literal, name in _parsed(template):
            if literal:
                self.add(literal)
            if name is None:
                continue
            value = fields[name]
            if isinstance(value, tuple):  # (kind, shown, normalised) or a sequence of such
                for kind, shown, norm in value if isinstance(value[0], tuple) else (value,):
                    if kind:
                        self.found.append(
                            Identifier(kind, shown, norm, self.n, self.n + len(shown))
                        )
                    self.add(shown)
            else:
                self.add(str(value))

    def text(self) -> str:
        return "".join(self.parts)


def _name(group: str, female: bool, r1: int, r2: int) -> str:
    males, females, surnames = _NAMES[group]
    first = (females if female else males)[r1 % len(females if female else males)]
    return f"{first} {surnames[r2 % len(surnames)]}"


def _pnr(number12: str, long_form: bool) -> tuple[str, str, str]:
    kind = "samordningsnummer" if int(number12[6:8]) >= 60 else "personnummer"
    shown = f"{number12[:8]}-{number12[8:]}" if long_form else f"{number12[2:8]}-{number12[8:]}"
    return (kind, shown, number12)


def _phone(r: int) -> tuple[str, str, str]:
    prefix, lo, hi = PHONE_SERIES[r % len(PHONE_SERIES)]
    number = prefix + f"{lo + (r >> 3) % (hi - lo + 1):02d}"
    if number.startswith("07"):
        forms = (
            f"{number[:3]}-{number[3:6]} {number[6:8]} {number[8:]}",
            number,
            f"+46 {number[1:3]} {number[3:6]} {number[6:8]} {number[8:]}",
        )
        shown = forms[(r >> 11) % 3]
    else:
        cut = 2 if number.startswith("08") else 4 if number.startswith("098") else 3
        rest = number[cut:]
        shown = (f"{number[:cut]}-{rest[:-4]} {rest[-4:-2]} {rest[-2:]}", number)[(r >> 11) % 2]
    return ("phone", shown, "+46" + number[1:])


def _hetu(r: int, female: bool) -> tuple[str, str, str]:
    year = 1955 + r % 50
    month = 1 + (r >> 6) % 12
    day = 1 + (r >> 10) % 28
    individual = 900 + 2 * ((r >> 15) % 50) + (0 if female else 1)
    code = finnish_hetu(year, month, day, individual)
    return ("hetu", code, code)


def _person_id(
    country: str, citizenship: str, residence: str, r: int, female: bool, long_form: bool
) -> tuple[str, str, str] | None:
    """The identity number a document would give a person, or None if they have none."""
    if country == "FI":
        return (
            _hetu(r, female)
            if citizenship == "FI" or residence in ("work_permit", "eu_eea_citizen", "citizen")
            else None
        )
    pools = test_identity_numbers()
    if citizenship == "SE" or residence == "citizen":
        pool = pools["personnummer"]
    elif residence in ("work_permit", "seasonal_work_permit", "eu_eea_citizen"):
        pool = pools["samordningsnummer"]
    else:
        return None
    return _pnr(pool[r % len(pool)], long_form)


def render_document(
    doc: dict[str, object], r: Sequence[int], c: Sequence[int]
) -> tuple[str, list[Identifier]]:
    """Write one document and return its text and the identifiers and names in it.

    Parameters
    ----------
    doc
        The document's facts: ``doc_type``, ``language``, ``date``, ``country``,
        ``case_no``, ``region``, ``sector``, ``detection_channel``, ``offence`` (label),
        ``charges`` (list of ``(code, label, alternative)``), ``verdicts`` (list of
        ``(suspect_index, outcome, offence_label)``), ``closure_reason``, ``closed_suspect``
        (index of the suspect a suspect-level closure concerns, or -1), ``barriers``,
        ``indicators``, ``signs`` (code tuples), ``n_victims``, ``victim``
        (``(sex, citizenship, residence)``), ``suspects`` (list of ``(kind, sex,
        citizenship)``), ``interpreter`` (bool).
    r
        At least 24 random non-negative integers for this document (template variants).
    c
        At least 24 random non-negative integers for its case, the same for every
        document of the case (names, identifiers, places and amounts).
    """
    lang = str(doc["language"]) if doc["language"] in _TEMPLATES else "sv"
    base, work, detection, indicator, sign, barrier, closure, verdict = _TEMPLATES[lang]
    country = str(doc["country"])
    long_form = bool(c[20] % 4 == 0)
    vsex, vcit, vres = doc["victim"]  # type: ignore[misc]
    female = vsex == "female"
    victim = _name(_NAME_GROUP.get(str(vcit), "xx"), female, c[0], c[1])
    vid = _person_id(country, str(vcit), str(vres), c[2], female, long_form)
    suspects = []
    for j, (kind, ssex, scit) in enumerate(doc["suspects"]):  # type: ignore[attr-defined]
        if kind == "company":
            continue
        sfem = ssex == "female"
        group = _NAME_GROUP.get(str(scit), "sv" if country == "SE" else "fi")
        sname = _name(group, sfem, c[3 + 2 * j], c[4 + 2 * j])
        residence = (
            "citizen" if scit == country else ("work_permit" if c[9 + j] % 3 else "no_permit")
        )
        sid = _person_id(country, str(scit), residence, c[9 + j] >> 2, sfem, long_form)
        suspects.append((j, sname, sid))
    place_parts = _PLACE_FI if country == "FI" else _PLACE_SV
    town = place_parts[0][c[12] % len(place_parts[0])] + place_parts[1][c[13] % len(place_parts[1])]
    trade = (_TRADE_FI if country == "FI" else _TRADE_SV)[str(doc["sector"])]
    company = f"{town} {trade} {'Oy' if country == 'FI' else 'AB'}"
    staff = "fi" if country == "FI" else "sv"
    officer = _name(staff, bool(c[16] % 2), c[16] >> 1, c[17])
    prosecutor = _name(staff, bool(c[18] % 2), c[18] >> 1, c[19])
    fields: dict[str, object] = {
        "case_no": doc["case_no"],
        "region": doc["region"],
        "date": doc["date"],
        "offence": doc["offence"],
        "company": company,
        "place": town,
        "town": town,
        "n_victims": doc["n_victims"],
        "n_others": max(int(doc["n_victims"]) - 1, 1),  # type: ignore[call-overload]
        "victim": ("name", victim, victim),
        "victim_id_part": (("", ", ", ""), vid) if vid else ("", "", ""),
        "victim_phone": _phone(c[14]),
        "suspect_phone": _phone(c[15]),
        "officer": ("name", officer, officer),
        "prosecutor": ("name", prosecutor, prosecutor),
        "chamber": f"Åklagarkammaren i {town}" if lang == "sv" else f"Syyttäjänvirasto, {town}",
        "work": work[str(doc["sector"])][c[21] % len(work[str(doc["sector"])])],
        "wage": 20 + c[22] % 60,
        "debt": f"{(15 + c[23] % 75) * 1000:,}".replace(",", " "),
        "months": 6 + c[22] % 36,
        "period": f"{c[22] % 20 + 1} månader",
        "pronoun": "hon" if female else "han",
        "Pronoun": "Hon" if female else "Han",
        "pronoun_obj": "henne" if female else "honom",
        "interpreter_language": (_LANGUAGE_FI if lang == "fi" else _LANGUAGE_SV).get(
            str(vcit), "engelska" if lang == "sv" else "englanti"
        ),
        "case_court_no": f"{1000 + c[21] % 8000}-{str(doc['date'])[2:4]}",
        "appeal_court": _APPEAL_COURTS[c[20] % len(_APPEAL_COURTS)],
    }
    courts = _COURTS_FI if lang == "fi" else _COURTS_SV
    fields["court"] = courts["judgment_first_instance"].format(**fields)
    first = suspects[0] if suspects else None
    if first:
        fields["suspect"] = ("name", first[1], first[1])
        fields["suspect_id"] = first[2] if first[2] else ("", "uppgift saknas", "")
    else:
        fields["suspect"] = "okänd" if lang == "sv" else "tuntematon"
        fields["suspect_id"] = ""
    w = _Writer()
    doc_type = str(doc["doc_type"])
    pick = iter(r)

    def one(options: tuple[str, ...]) -> str:
        return options[next(pick) % len(options)]

    def sentences(codes: Sequence[str], table: dict[str, tuple[str, ...]], limit: int) -> None:
        for code in list(codes)[:limit]:
            w.fill(one(table[code]), fields)

    if doc_type == "police_report":
        w.fill(one(base["police_report.head"]), fields)
        w.fill(one(detection[str(doc["detection_channel"])]), fields)
        w.fill(
            one(base["police_report.suspect"] if first else base["police_report.nosuspect"]), fields
        )
        if int(doc["n_victims"]) > 0:  # type: ignore[call-overload]
            w.fill(one(base["police_report.victim"]), fields)
            if int(doc["n_victims"]) > 1:  # type: ignore[call-overload]
                w.fill(one(base["police_report.group"]), fields)
            if next(pick) % 3:
                w.fill(one(base["police_report.phone"]), fields)
        sentences(doc["indicators"], indicator, 3)  # type: ignore[arg-type]
        sentences(doc["signs"], sign, 2)  # type: ignore[arg-type]
        w.fill(one(base["police_report.closing"]), fields)
    elif doc_type == "interrogation":
        w.fill(one(base["interrogation.head"]), fields)
        if doc["interpreter"]:
            w.fill(one(base["interrogation.interpreter"]), fields)
        w.fill(one(base["interrogation.person"]), fields)
        w.fill(one(base["interrogation.opening"]), fields)
        sentences(doc["indicators"], indicator, 6)  # type: ignore[arg-type]
        sentences(doc["signs"], sign, 4)  # type: ignore[arg-type]
        w.fill(one(base["interrogation.closing"]), fields)
    elif doc_type == "investigation_memo":
        w.fill(one(base["investigation_memo.head"]), fields)
        if first:
            w.fill(one(base["investigation_memo.body"]), fields)
        sentences(doc["barriers"], barrier, 2)  # type: ignore[arg-type]
        w.fill(one(base["investigation_memo.closing"]), fields)
    elif doc_type == "closure_decision":
        target = int(doc["closed_suspect"])  # type: ignore[call-overload]
        chosen = next((s for s in suspects if s[0] == target), first) if target >= 0 else first
        if chosen:
            fields["suspect"] = ("name", chosen[1], chosen[1])
            fields["suspect_id"] = chosen[2] if chosen[2] else ("", "uppgift saknas", "")
        w.fill(one(base["closure_decision.head"]), fields)
        w.fill(
            one(base["closure_decision.suspect"] if chosen else base["closure_decision.nosuspect"]),
            fields,
        )
        w.add(closure[str(doc["closure_reason"])] + "\n\n")
        w.fill(one(base["closure_decision.reasons"]), fields)
        sentences(doc["barriers"], barrier, 5)  # type: ignore[arg-type]
        w.fill(one(base["closure_decision.closing"]), fields)
    elif doc_type == "indictment":
        w.fill(one(base["indictment.head"]), fields)
        for _, sname, sid in suspects[:3]:
            w.fill(
                one(base["indictment.defendant"]),
                {
                    "suspect": ("name", sname, sname),
                    "suspect_id": sid if sid else ("", "uppgift saknas", ""),
                },
            )
        for code, label, alternative in doc["charges"]:  # type: ignore[attr-defined]
            key = "indictment.alternative" if alternative else "indictment.charge"
            w.fill(one(base[key]), {"offence": label, "law": _LAW.get(str(code), "-")})
        w.fill(one(base["indictment.facts"]), fields)
        sentences(doc["indicators"], indicator, 4)  # type: ignore[arg-type]
        w.fill(one(base["indictment.closing"]), fields)
    else:  # judgments
        court = courts[doc_type].format(**fields)
        fields["court"] = court
        fields["court_upper"] = court.upper()
        w.fill(one(base["judgment.head"]), fields)
        by_index = {s[0]: s for s in suspects}
        for _, sname, sid in suspects[:3]:
            w.fill(
                one(base["judgment.defendant"]),
                {
                    "suspect": ("name", sname, sname),
                    "place": town,
                    "suspect_id": sid if sid else ("", "uppgift saknas", ""),
                },
            )
        w.fill(one(base["judgment.verdict_head"]), fields)
        for index, outcome, label in doc["verdicts"]:  # type: ignore[attr-defined]
            s = by_index.get(int(index))
            who = ("name", s[1], s[1]) if s else ("", company, "")
            w.fill(
                one(verdict[str(outcome)]),
                {"suspect": who, "offence": label, "months": fields["months"]},
            )
            w.add("\n")
        w.fill(one(base["judgment.reasons"]), fields)
        sentences(doc["indicators"], indicator, 2)  # type: ignore[arg-type]
        sentences(doc["barriers"], barrier, 5)  # type: ignore[arg-type]
        w.fill(one(base["judgment.closing"]), fields)
    return w.text() + "\n", w.found


def offence_label(code: str, language: str, labels_sv: dict[str, str]) -> str:
    """How a document names an offence: the codebook's Swedish label, or Finnish for fi."""
    if language == "fi":
        return _FI_OFFENCE.get(code, labels_sv.get(code, code))
    label = labels_sv.get(code, code)
    return label[:1].lower() + label[1:]


def template_codes() -> dict[str, set[str]]:
    """The codes the templates have wording for, per scheme (checked against the codebook)."""
    return {
        "barrier": set(_SV_BARRIER) & set(_FI_BARRIER),
        "ilo_indicator": set(_SV_INDICATOR) & set(_FI_INDICATOR),
        "agency_sign": set(_SV_SIGN) & set(_FI_SIGN),
        "closure_reason": set(_SV_CLOSURE) & set(_FI_CLOSURE),
        "outcome": set(_SV_VERDICT) & set(_FI_VERDICT),
        "sector": set(_SV_WORK) & set(_FI_WORK) & set(_TRADE_SV) & set(_TRADE_FI),
        "detection_channel": set(_SV_DETECTION) & set(_FI_DETECTION),
    }
