"""A planted-identifier set for measuring masking: seeded, synthetic, made when asked.

:func:`planted` writes realistic Swedish and Finnish sentences from police and
prosecution records with identifiers planted in them, and returns each text with the
spans of what was planted:

- identity numbers: personnummer and samordningsnummer with a valid Luhn digit and
  henkilötunnus of the temporary 900 series with a valid check character (nobody's),
  in 20 written forms (10 and 12 digits; hyphen, en dash, non-breaking hyphen, minus
  sign, soft hyphen, space, ' - ', dot, slash, none, split over a line break, digits
  spaced one by one);
- phone numbers in 13 Swedish and Finnish forms (brackets, slashes, dots, +46, +358);
- e-mail addresses in 9 forms (``@``, ``(at)``, ``[at]``, `` at ``, ``[at] ... [dot]``,
  spelled out: ``snabel-a ... punkt``, `` at ... dot ``, ``miuku ... piste``);
- street addresses and car registrations (kinds ``address`` and ``registration``,
  also in lower case; not counted with the numbers and e-mail);
- names of people the case file does not list (police officers, prosecutors,
  interpreters, witnesses), Swedish, Finnish and foreign, with and without a role word,
  a surname alone after a role word, and in lower case;
- sentences without anything personal, with capitalised words that are not names
  (institutions, Finnish verbs and places at the start of a sentence, case numbers).

Run ``python tests/planted.py`` to print a sample. Nothing is written to disk.

privacy-scan: synthetic identity numbers only (generated with valid check digits)
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cape_study.privacy.identifiers import hetu_check, luhn_digit


class Planted(NamedTuple):
    """A text and what was planted in it: (kind, form, start, end)."""

    text: str
    spans: list[tuple[str, str, int, int]]


def _personnummer(rng: random.Random, samordning: bool) -> tuple[str, str]:
    year = rng.randint(1940, 2005)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    day += 60 if samordning else 0
    nine = f"{year % 100:02d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
    return f"{year // 100}", nine + str(luhn_digit(nine))


def _hetu(rng: random.Random, sign: str) -> str:
    year = rng.randint(1950, 1999) if sign != "A" else rng.randint(2000, 2005)
    base = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{year % 100:02d}"
    individual = f"{rng.randint(900, 999)}"
    return f"{base}{sign}{individual}{hetu_check(base + individual)}"


def _identity(rng: random.Random) -> tuple[str, str]:
    forms = {
        "pnr hyphen": "{d}-{n}",
        "pnr none": "{d}{n}",
        "pnr 12 hyphen": "{c}{d}-{n}",
        "pnr 12 none": "{c}{d}{n}",
        "pnr space": "{d} {n}",
        "pnr en dash": "{d}\u2013{n}",
        "pnr spaced dash": "{d} - {n}",
        "pnr dot": "{d}.{n}",
        "pnr slash": "{d}/{n}",
        "pnr non-breaking hyphen": "{d}\u2011{n}",
        "pnr minus sign": "{d}\u2212{n}",
        "pnr line break": "{d}-\n{n}",
        "pnr soft hyphen": "{d}\u00ad{n}",
        "pnr digits spaced": "{s}",
        "pnr number spaced": "{d} - {t}",
        "samordningsnummer": "{d}-{n}",
    }
    hetu = {"hetu hyphen": "-", "hetu A": "A", "hetu en dash": "\u2013"}
    hetu["hetu soft hyphen"] = "\u00ad"
    form = rng.choice([*forms, *hetu, "hetu spaced"])
    if form.startswith("hetu"):
        code = _hetu(rng, "A" if form == "hetu A" else "-")
        if form == "hetu spaced":
            return form, " ".join(code)
        return form, code.replace("-", hetu[form])
    century, number = _personnummer(rng, form == "samordningsnummer")
    spaced, tail = " ".join(number), " ".join(number[6:])
    return form, forms[form].format(c=century, d=number[:6], n=number[6:], s=spaced, t=tail)


def _phone(rng: random.Random) -> tuple[str, str]:
    d = [str(rng.randint(0, 9)) for _ in range(10)]
    m = "".join(d)
    forms = {
        "mobile hyphen": f"07{m[0]}-{m[1:4]} {m[4:6]} {m[6:8]}",
        "mobile spaces": f"07{m[0]} {m[1:4]} {m[4:6]} {m[6:8]}",
        "mobile none": f"07{m[0]}{m[1:8]}",
        "mobile slash": f"07{m[0]}/{m[1:4]} {m[4:6]} {m[6:8]}",
        "area code brackets": f"(08) {m[0:3]} {m[3:6]} {m[6:8]}",
        "area code hyphen": f"031-{m[0:3]} {m[3:5]} {m[5:7]}",
        "+46": f"+46 7{m[0]} {m[1:4]} {m[4:6]} {m[6:8]}",
        "+46 (0)": f"+46 (0)7{m[0]}-{m[1:4]} {m[4:6]} {m[6:8]}",
        "0046": f"0046 7{m[0]} {m[1:8]}",
        "+358": f"+358 40 {m[0:3]} {m[3:7]}",
        "fi mobile": f"04{m[0]} {m[1:4]} {m[4:8]}",
        "fi brackets": f"(09) {m[0:3]} {m[3:7]}",
        "dots": f"040.{m[0:3]}.{m[3:5]}.{m[5:7]}",
    }
    form = rng.choice(list(forms))
    return form, forms[form]


_USERS = ["anna.berg", "lars.holm", "m.virtanen", "kontakt", "tolk.service", "j_nilsson"]
_DOMAINS = ["polisen.se", "aklagare.se", "poliisi.fi", "example.se", "example.fi", "tolk.nu"]


def _email(rng: random.Random) -> tuple[str, str]:
    user, domain = rng.choice(_USERS) + str(rng.randint(1, 99)), rng.choice(_DOMAINS)
    name, tld = domain.rsplit(".", 1)
    forms = {
        "@": f"{user}@{domain}",
        "(at)": f"{user}(at){domain}",
        "[at]": f"{user}[at]{domain}",
        " at ": f"{user} at {domain}",
        "[at] [dot]": f"{user} [at] {name} [dot] {tld}",
        "spaced (at)": f"{user} (at) {domain}",
        "spelled sv": f"{user.replace('.', ' punkt ')} snabel-a {name} punkt {tld}",
        "spelled en": f"{user.replace('.', ' dot ')} at {name} dot {tld}",
        "spelled fi": f"{user.replace('.', ' piste ')} miuku {name} piste {tld}",
    }
    form = rng.choice(list(forms))
    return form, forms[form]


def _address(rng: random.Random) -> tuple[str, str]:
    n, m = rng.randint(1, 120), rng.randint(1, 40)
    letter = rng.choice("ABC")
    forms = {
        "street": f"{rng.choice(['Storgatan', 'Kungsvägen', 'Bergsgränd'])} {n}",
        "street letter": f"{rng.choice(['Storgatan', 'Sjövägen'])} {n} {letter}",
        "street lower case": f"{rng.choice(['storgatan', 'kungsvägen', 'skolgatan'])} {n}",
        "katu": f"{rng.choice(['Mannerheimintie', 'Hämeenkatu', 'Koivukuja'])} {n} {letter} {m}",
        "katu lower case": f"{rng.choice(['mannerheimintie', 'hämeenkatu'])} {n} a {m}",
    }
    form = rng.choice(list(forms))
    return form, forms[form]


def _registration(rng: random.Random) -> tuple[str, str]:
    letters = "".join(rng.choice("ABCDEFGHJKLMNOPRSTUWXYZ") for _ in range(3))
    digits = f"{rng.randint(0, 999):03d}"
    forms = {
        "ABC 123": f"{letters} {digits}",
        "ABC123": f"{letters}{digits}",
        "ABC 12A": f"{letters} {digits[:2]}{rng.choice('ACDEFGH')}",
        "ABC-123": f"{letters}-{digits}",
        "ABC-12": f"{letters}-{digits[:2]}",
        "abc 123": f"{letters.lower()} {digits}",
        "abc-123": f"{letters.lower()}-{digits}",
    }
    form = rng.choice(list(forms))
    return form, forms[form]


_ADDRESS_SENTENCES = [
    "Arbetarna bodde i en lägenhet på {x} i Umeå.",
    "Hon uppgav adressen {x} vid förhöret.",
    "Uhri asui osoitteessa {x} Helsingissä.",
    "Husrannsakan gjordes på {x} den 3 maj.",
]
_REGISTRATION_SENTENCES = [
    "Bilen {x} stod parkerad vid gården.",
    "Fordonet med registreringsnummer {x} kontrollerades.",
    "Auto {x} pysäytettiin tiellä.",
    "Arbetarna hämtades med en skåpbil, reg.nr {x}, varje morgon.",
]
_SV_NUMBER_SENTENCES = [
    "Den misstänkte, {x}, hördes på plats.",
    "Målsäganden uppgav personnummer {x} vid förhöret.",
    "Kontakta handläggaren på {x} för frågor.",
    "Uppgifter: {x}; ärendet överlämnas till åklagare.",
    "Arbetsgivaren nåddes via {x} den 3 mars.",
    "Enligt passkopian ({x}) är hon född i Rumänien.",
]
_FI_NUMBER_SENTENCES = [
    "Epäilty, henkilötunnus {x}, kuulusteltiin.",
    "Asianomistajan yhteystieto on {x}.",
    "Lisätietoja: {x}. Asia siirretään syyttäjälle.",
    "Työnantaja tavoitettiin numerosta {x} maaliskuussa.",
]
_SV_FIRST = [
    "Anna", "Eva", "Karin", "Sofia", "Lena", "Ingrid", "Malin", "Elin", "Sara", "Johanna",
    "Lars", "Johan", "Erik", "Anders", "Mikael", "Peter", "Fredrik", "Magnus", "Henrik", "Ola",
]  # fmt: skip
_SV_LAST = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Lindqvist", "Holm", "Berg", "Ek", "Lindberg",
    "Sandberg", "Forsberg", "Sjöberg", "Wallin", "Engström", "Hedlund", "Åberg",
]  # fmt: skip
_FI_FIRST = [
    "Mikko", "Jari", "Timo", "Juha", "Antti", "Ville", "Heikki", "Pekka", "Aino", "Liisa",
    "Sanna", "Tiina", "Minna", "Kaisa", "Riikka", "Outi", "Eero", "Lauri", "Satu", "Päivi",
]  # fmt: skip
_FI_LAST = [
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
    "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen", "Heinonen",
    "Niemi", "Kinnunen", "Salonen", "Turunen", "Laaksonen", "Rantanen",
]  # fmt: skip
_FOREIGN = [
    "Ana Popescu", "Ion Ionescu", "Piotr Nowak", "Agnieszka Kowalska", "Nguyen Van An",
    "Somchai Saetang", "Ahmed Hassan", "Fatima Ali", "Olena Shevchenko", "Dmitri Ivanov",
    "Maria Garcia", "Jonas Petrauskas", "Elena Dimitrova", "Mehmet Yilmaz", "Reza Ahmadi",
]  # fmt: skip
_SV_NAME_SENTENCES = [
    "Förhöret leddes av kriminalinspektör {x}.",
    "Närvarande: åklagare {x}.",
    "Tolken {x} översatte förhöret.",
    "Vittnet {x} uppgav att arbetarna bodde i baracken.",
    "Målsägandebiträde {x} begärde ersättning.",
    "Kammaråklagare {x} beslutade att lägga ned förundersökningen.",
    "Enligt {x} betalades ingen lön under juli.",
    "Beslutet fattades av {x} vid Åklagarmyndigheten.",
    "Polisinspektör {x} och en kollega besökte gården.",
    "{x} hördes upplysningsvis den 12 maj.",
    "Hon förhördes av {x} på stationen.",
]
_FI_NAME_SENTENCES = [
    "Kuulustelun suoritti rikoskomisario {x}.",
    "Tulkkina toimi {x}.",
    "Todistaja {x} kertoi, että palkkaa ei maksettu.",
    "Syyttäjä {x} päätti jättää syytteen nostamatta.",
    "Asianomistajan avustaja {x} oli läsnä.",
    "Poliisi {x} tavoitti työnantajan puhelimitse.",
    "{x} kuultiin todistajana toukokuussa.",
    "Kuulusteltava {x} kertoi asiasta.",
]
_CLEAN = [
    "Polisen i Stockholm inledde förundersökning om människohandel.",
    "Tingsrätten i Göteborg ogillade åtalet för människoexploatering.",
    "Beslutet överklagades till Hovrätten för Västra Sverige.",
    "Migrationsverket beviljade ett tidsbegränsat uppehållstillstånd.",
    "Arbetsmiljöverket gjorde en inspektion på bygget i Umeå.",
    "Lönen var 12 000 kr per månad enligt kontraktet från 2019-03-01.",
    "Mål B 1770-21 avgjordes den 4 juni; dnr AM-12345-19.",
    "Per telefon meddelades att tolk inte fanns att tillgå.",
    "Käräjäoikeus hylkäsi syytteen ihmiskaupasta Helsingissä.",
    "Poliisi aloitti esitutkinnan Vantaalla syyskuussa.",
    "Sosiaalityöntekijä ohjasi uhrin Auttamisjärjestelmään.",
    "Enligt 4 kap. 1 a § BrB krävs att gärningspersonen utnyttjat en utsatt situation.",
    # capitalised words at the start of a sentence, institutions, case numbers
    "Olin Turussa koko kesän ja tein töitä marjatilalla.",
    "Olen Helsingissä vain viikonloppuisin.",
    "Menin Tampereelle junalla ja sieltä Ouluun.",
    "Suomen Pankki ja Finanssivalvonta eivät kommentoineet asiaa.",
    "Dom B 1770-21 meddelades den 4 juni.",
    "Asia R 21/345 käsiteltiin käräjäoikeudessa.",
    "Målet B 1234-19 och R 19/1234 handlades gemensamt.",
    "Mål T 4567-20 avgjordes utan huvudförhandling.",
    "Nordea Bank Abp och Handelsbanken lämnade ut kontoutdrag.",
    "Kansaneläkelaitos Kela maksoi toimeentulotukea.",
    # role words and agents before ordinary words
    "vittnet sade att lönen uteblev.",
    "Tolken översatte förhöret till thai.",
    "Han förhördes av polisen i Malmö.",
    "Hon hördes av åklagaren och målsägandebiträdet.",
    "Förhöret leddes av kriminalinspektören.",
    "Syyttäjä päätti jättää syytteen nostamatta.",
    "Todistaja kertoi, että palkkaa ei maksettu.",
    "Enligt arbetsgivaren betalades lön varje månad.",
    "Bilen stod parkerad vid gården hela natten.",
    "Han arbetade 120 timmar per månad för 100 kr i timmen.",
]


def _fill(template: str, value: str, kind: str, form: str) -> Planted:
    start = template.index("{x}")
    text = template.replace("{x}", value)
    return Planted(text, [(kind, form, start, start + len(value))])


def _name(rng: random.Random, finnish: bool) -> tuple[str, str]:
    draw = rng.random()
    if draw < 0.15:
        return "foreign", rng.choice(_FOREIGN)
    first, last = (_FI_FIRST, _FI_LAST) if finnish else (_SV_FIRST, _SV_LAST)
    if draw < 0.3:
        return "surname alone", rng.choice(last)
    if draw < 0.4:
        return "lower case", rng.choice(last).lower()
    if draw < 0.45:
        return "lower case", f"{rng.choice(first)} {rng.choice(last)}".lower()
    return ("finnish" if finnish else "swedish"), f"{rng.choice(first)} {rng.choice(last)}"


def _cued(template: str) -> bool:
    """Whether a role word or an agent comes before the name (not a sentence's start)."""
    return not template.startswith("{x}")


def planted(
    seed: int = 15, *, identifiers: int = 600, names: int = 300, clean: int = 150
) -> list[Planted]:
    """``identifiers`` sentences with an identity number, a phone number or an e-mail
    address (a third each), a tenth as many with an address and with a car
    registration, ``names`` with a name not listed in the case file, and ``clean``
    without anything personal; seeded."""
    rng = random.Random(seed)
    out = []
    makers = [("identity", _identity), ("phone", _phone), ("email", _email)]
    for i in range(identifiers):
        kind, make = makers[i % 3]
        form, value = make(rng)
        finnish = form.startswith("hetu") or rng.random() < 0.3
        template = rng.choice(_FI_NUMBER_SENTENCES if finnish else _SV_NUMBER_SENTENCES)
        out.append(_fill(template, value, kind, form))
    for kind, make, templates in (
        ("address", _address, _ADDRESS_SENTENCES),
        ("registration", _registration, _REGISTRATION_SENTENCES),
    ):
        for _ in range(identifiers // 10):
            form, value = make(rng)
            out.append(_fill(rng.choice(templates), value, kind, form))
    for _ in range(names):
        finnish = rng.random() < 0.4
        form, value = _name(rng, finnish)
        templates = _FI_NAME_SENTENCES if finnish else _SV_NAME_SENTENCES
        if form in ("surname alone", "lower case"):
            templates = [t for t in templates if _cued(t)]
        out.append(_fill(rng.choice(templates), value, "name", form))
    out += [Planted(rng.choice(_CLEAN), []) for _ in range(clean)]
    return out


# -- the hostile forms of the fifth round (issue 15), drawn apart ------------------------
# OCR's letters for digits (l and I for 1, O for 0), a letter glued after the number,
# a country code without + or 00, every digit spaced after a word for a phone, a hash for
# the @, a clearing number with its check digit; names the lexicon lacks in a list, with
# particles, Romanian capitals, Finnish cases of foreign last names; and clean sentences
# with law references, case numbers, OCR'd amounts and municipalities after verbs.
_OCR = {"1": "lI", "0": "O"}


def _hostile_number(rng: random.Random) -> tuple[str, str, str]:
    """(kind, form, value) of a number in a hostile form."""
    _, number = _personnummer(rng, False)
    d = "".join(str(rng.randint(0, 9)) for _ in range(8))
    form = rng.choice(
        ["pnr OCR letter", "pnr letter glued", "46 without +", "358 without +",
         "mobile digits spaced", "hash for @", "clearing check digit"]
    )  # fmt: skip
    if form == "pnr OCR letter":
        written = f"{number[:6]}-{number[6:]}"
        places = [i for i, ch in enumerate(written) if ch in _OCR]
        if not places:
            return "identity", "pnr letter glued", f"{written}a"
        i = rng.choice(places)
        return "identity", form, written[:i] + rng.choice(_OCR[written[i]]) + written[i + 1 :]
    if form == "pnr letter glued":
        return "identity", form, f"{number[:6]}-{number[6:]}{rng.choice('abcxyz')}"
    if form == "46 without +":
        return "phone", form, f"467{rng.choice('02369')}{d[:7]}"
    if form == "358 without +":
        return "phone", form, f"3584{rng.randint(0, 9)}{d[:7]}"
    if form == "mobile digits spaced":
        return "phone", form, " ".join(f"07{rng.choice('02369')}{d[:7]}")
    if form == "hash for @":
        return "email", form, f"{rng.choice(_USERS)}#{rng.choice(_DOMAINS)}"
    return "account", form, f"8{rng.randint(100, 999)}-{rng.randint(0, 9)} {d[:3]} {d[3:6]} {d[6:]}"


_HOSTILE_NUMBER_SENTENCES = {
    "identity": ["Målsägandens personnummer {x} framgår av passkopian.", "Henkilötunnus: {x}"],
    "phone": ["Hon nås på telefon {x} efter klockan fem.", "Puhelin {x} oli pois päältä."],
    "email": ["Kontaktuppgift enligt anteckningen: {x}."],
    "account": ["Lönen sattes in på clearingnummer {x} i Swedbank."],
}
_THAI_VIET = [
    "Somchai Wongsawat", "Pranee Srisuk", "Wanida Boonmee", "Pornthip Chaiyasit",
    "Thi Lan Pham", "Van Nam Tran", "Bich Ngoc Le", "Thu Trang Hoang",
]  # fmt: skip
_PARTICLE_NAMES = [
    "Anna-Karin von Essen", "Maria de la Cruz", "Carl af Klercker", "Päivi von Hertzen",
    "Anna van der Berg",
]  # fmt: skip
_ROMANIAN = ["Ștefan Dumitrescu", "Ioana Țăranu", "ȘTEFAN POPESCU", "Răzvan Munteanu"]
_FI_FOREIGN_CASES = ["Popescun", "Kovalchukille", "Ionescun", "Shevchenkolle"]
_HOSTILE_CLEAN = [
    "Se 4 kap. 1 a § brottsbalken, NJA 2015 s. 3 och RH 2012:54.",
    "Mål B 1234-21 och R 21/1234 handlades gemensamt; KKO 2019:12.",
    "Målet avgjordes av Göta hovrätt den 3 maj 2023.",
    "Lönen 1O 000 kr, mål B 1234-2l, kl 1O.15, COVID-l9.",
    "Hon besökte Österåker under hösten och lämnade Partille i maj.",
    "De bodde i Haninge, Huddinge och Tyresö.",
    "Antal per månad: 0 7 0 1 2 3 4 5 6 7 fall.",
    "Tabell 3: 46 70 123 45 67 fall per region.",
    "Enligt lag betalades ingen lön; bordet var gjort av ek.",
]


def _hostile_name(rng: random.Random) -> Planted:
    """A sentence with a name in a hostile form (and the other names of its list)."""
    form = rng.choice(["listed unknown", "particle", "romanian", "finnish case foreign"])
    if form == "listed unknown":
        first = rng.choice(_FI_FIRST + _SV_FIRST) + " " + rng.choice(_FI_LAST + _SV_LAST)
        template = rng.choice(
            ["Asianomistajat: {y} ja {x}", "Vittnen: {y}, {x} och Jan Nowak.",
             "Underrättelse skickades till {y} och {x}."]
        )  # fmt: skip
        text, spans = template, []
        for key, value, kind in (
            ("{y}", first, "listed known"),
            ("{x}", rng.choice(_THAI_VIET), form),
        ):
            at = text.index(key)
            text = text.replace(key, value)
            spans.append(("name", kind, at, at + len(value)))
        if "Jan Nowak" in text:
            at = text.index("Jan Nowak")
            spans.append(("name", "listed known", at, at + len("Jan Nowak")))
        return Planted(text, sorted(spans, key=lambda span: span[2]))
    if form == "particle":
        template = rng.choice(["Vittnet {x} hördes per telefon.", "{x} var närvarande."])
        return _fill(template, rng.choice(_PARTICLE_NAMES), "name", form)
    if form == "romanian":
        return _fill("Målsägande: {x}, född 1990.", rng.choice(_ROMANIAN), "name", form)
    template = "Asianomistaja kertoi, että {x} veli oli hakenut heidät."
    return _fill(template, rng.choice(_FI_FOREIGN_CASES), "name", form)


def hostile(seed: int = 15, *, numbers: int = 140, names: int = 60) -> list[Planted]:
    """The forms of the fifth round (issue 15): ``numbers`` sentences with an identity,
    phone or account number or an e-mail address, ``names`` with a name, and the clean
    sentences once each; drawn with their own seed, so :func:`planted` stays as it was."""
    rng = random.Random(seed * 7919 + 5)
    out = []
    for _ in range(numbers):
        kind, form, value = _hostile_number(rng)
        out.append(_fill(rng.choice(_HOSTILE_NUMBER_SENTENCES[kind]), value, kind, form))
    out += [_hostile_name(rng) for _ in range(names)]
    return out + [Planted(text, []) for text in _HOSTILE_CLEAN]


# -- the forms of the sixth round (issue 15), drawn apart ---------------------------------
# A name the lexicon lacks alone after a source word (enligt, uppger, säger, kertoi) or
# before mukaan; the first name of a coordinated pair that shares the next name's last
# name; Finnish cases of foreign names with no cue; a person's last name in a company's
# name; a foreign registration far from its word in the sentence; and clean sentences
# with places in a Finnish local case, institutions after the source words and companies.
_UNKNOWN = ["Phromma", "Boonmee", "Chaiyasit", "Wongsawat", "Srisuk", "Saetang", "Thongdee"]
_SOURCE_SENTENCES = [
    "Enligt {x} betalades ingen lön under juli.",
    "Lönen betalades enligt {x} aldrig ut.",
    "I förhöret uppger {x} att passet togs ifrån henne.",
    "Säger {x} att han aldrig fick betalt.",
    "Kuulustelussa kertoi {x}, että palkkaa ei maksettu.",
]
_MUKAAN_SENTENCES = ["{x} mukaan palkkaa ei maksettu.", "Työpäivät olivat {x} mukaan pitkiä."]
#: A first name of the lexicon, a second first name, and their shared last name.
_COUPLES = [
    ("Mihai", "Ioana", "Popa"), ("Piotr", "Agnieszka", "Nowak"), ("Andrzej", "Ewa", "Kowalski"),
    ("Olena", "Oksana", "Shevchenko"), ("Mikko", "Anna", "Virtanen"), ("Lars", "Eva", "Nilsson"),
]  # fmt: skip
_COUPLE_SENTENCES = ["{x} hördes samma dag.", "{x} kuultiin samana päivänä.", "Vittnena {x} kom."]
_FI_CASE_SENTENCES = [
    ("Hän asui {x} kanssa samassa asunnossa.", ["Nguyenin", "Kowalskin", "Nowakin"]),
    ("Rahat maksettiin {x} käteisenä.", ["Oleksandrille", "Nguyenille", "Piotrille"]),
    ("Avaimet olivat {x} koko kesän.", ["Kowalskilla", "Nowakilla", "Nguyenilla"]),
    ("Hän lainasi rahaa {x} viime vuonna.", ["Popesculta", "Oleksandrilta", "Nguyenilta"]),
]
_COMPANY_SENTENCES = [
    "Tolken {p} översatte. Senare anlitades {s} Städ HB.",
    "{p} hördes. Hon arbetade på {s} Bygg AB i två år.",
    "Kuulusteltava {p}. Hän työskenteli {s} Trading Oy:ssä.",
]
_COMPANY_PEOPLE = ["Ioana Popescu", "Anna Lindqvist", "Van Nam Nguyen", "Anna Kowalski"]
_FAR_PLATES = ["WX 12345", "B 123 ABC", "CJ 12 ABC", "AB-1234", "123 ABC", "KR 45678"]
_FAR_PLATE_SENTENCES = [
    "Bilen som hon såg stå parkerad vid lagret hade registreringen {x} i vintras.",
    "Fordonet, som enligt vittnet stått utanför huset hela natten, bar skylten {x}.",
    "Auto, jota työnantaja käytti kuljetuksiin koko syksyn ajan, oli {x}.",
]
_ROUND6_CLEAN = [
    "Hon bodde i Gnesta hela sommaren.",
    "Han kom från Kåge med bussen.",
    "Hän asui Kemissä kaksi vuotta.",
    "Työ tehtiin Ylöjärvellä ja Lempäälässä.",
    "Hän muutti Mäkelään keväällä.",
    "Hän asuu Kivelässä äitinsä kanssa.",
    "Enligt Migrationsverket saknade hon arbetstillstånd.",
    "Enligt Polismyndigheten fanns inga fler vittnen.",
    "Enligt Svea hovrätt var beslutet riktigt.",
    "Poliisin mukaan palkkaa ei maksettu.",
    "Lain mukaan työnantajan on maksettava palkka.",
    "Syyttäjän mukaan teko oli törkeä.",
    "Helsingin mukaan asia oli selvä.",
    "Uppger Migrationsverket att beslutet står fast.",
    "Polisen och Kustbevakningen Syd samarbetade.",
    "Hon arbetade på Norrlands Bygg AB i maj.",
    "Bilen stod kvar. Mål B 123 ABC avser en annan fråga.",
    "Bilen, en Volvo XC60 och en Mercedes C 220 CDI, köptes 2019 för SEK 12000.",
]


def _round6_item(rng: random.Random) -> Planted:
    form = rng.choice(
        ["source word", "mukaan", "coordinated", "finnish case", "company", "far registration"]
    )
    if form == "source word":
        return _fill(rng.choice(_SOURCE_SENTENCES), rng.choice(_UNKNOWN), "name", form)
    if form == "mukaan":
        name = rng.choice(_UNKNOWN)
        genitive = name + ("n" if name[-1] in "aeiouy" else "in")
        return _fill(rng.choice(_MUKAAN_SENTENCES), genitive, "name", form)
    if form == "coordinated":
        first, second, last = rng.choice(_COUPLES)
        template = rng.choice(_COUPLE_SENTENCES)
        conjunction = " ja " if "kuultiin" in template else " och "
        at = template.index("{x}")
        text = template.replace("{x}", first + conjunction + f"{second} {last}")
        other = at + len(first) + len(conjunction)
        spans = [("name", form, at, at + len(first))]
        spans.append(("name", "coordinated second", other, other + len(second) + 1 + len(last)))
        return Planted(text, spans)
    if form == "finnish case":
        template, words = rng.choice(_FI_CASE_SENTENCES)
        return _fill(template, rng.choice(words), "name", form)
    if form == "company":
        person = rng.choice(_COMPANY_PEOPLE)
        template = rng.choice(_COMPANY_SENTENCES)
        text = template.replace("{p}", person)
        p_at = text.index(person)
        s_at = text.index("{s}")
        text = text.replace("{s}", person.split()[-1])
        spans = [("name", "company person", p_at, p_at + len(person))]
        spans.append(("name", form, s_at, s_at + len(person.split()[-1])))
        return Planted(text, spans)
    return _fill(rng.choice(_FAR_PLATE_SENTENCES), rng.choice(_FAR_PLATES), "registration", form)


def round6(seed: int = 15, *, items: int = 120) -> list[Planted]:
    """The forms of the sixth round (issue 15): ``items`` sentences with a name or a foreign
    registration in one of its forms, and the clean sentences once each; drawn with their
    own seed, so :func:`planted` and :func:`hostile` stay as they were."""
    rng = random.Random(seed * 104729 + 6)
    return [_round6_item(rng) for _ in range(items)] + [Planted(t, []) for t in _ROUND6_CLEAN]


#: The kinds counted as numbers and e-mail.
NUMBERS = ("identity", "phone", "email")


class Measured(NamedTuple):
    """Per (kind, form): how many were planted and how many masked; of the name
    findings, how many and how many lie inside a planted name."""

    planted: dict[tuple[str, str], int]
    masked: dict[tuple[str, str], int]
    name_findings: int
    name_true: int
    #: Findings in the sentences with nothing planted, by kind.
    clean: dict[str, int]

    def recall(self, names: bool, kinds: tuple[str, ...] = NUMBERS) -> tuple[int, int]:
        """Masked and planted, of the names or of ``kinds`` (the numbers and e-mail)."""
        keys = [k for k in self.planted if (k[0] == "name" if names else k[0] in kinds)]
        return sum(self.masked.get(k, 0) for k in keys), sum(self.planted[k] for k in keys)


def measure(items: list[Planted], findings: list[list]) -> Measured:
    """Score ``findings`` (of :func:`cape_study.privacy.masking.scan_text`, per item): a
    planted value is masked when every letter and digit of it is inside a finding."""
    planted_n: dict[tuple[str, str], int] = {}
    masked: dict[tuple[str, str], int] = {}
    name_findings = name_true = 0
    clean: dict[str, int] = {}
    for item, found in zip(items, findings, strict=True):
        if not item.spans:
            for f in found:
                clean[f.kind] = clean.get(f.kind, 0) + 1
        hit = [False] * len(item.text)
        for f in found:
            hit[f.start : f.end] = [True] * (f.end - f.start)
        for kind, form, a, b in item.spans:
            key = (kind, form)
            planted_n[key] = planted_n.get(key, 0) + 1
            ok = all(hit[i] for i in range(a, b) if item.text[i].isalnum())
            masked[key] = masked.get(key, 0) + ok
        names = [(a, b) for kind, _, a, b in item.spans if kind == "name"]
        for f in found:
            if f.kind == "name":
                name_findings += 1
                name_true += any(a <= f.start and f.end <= b for a, b in names)
    return Measured(planted_n, masked, name_findings, name_true, clean)


def forms(items: list[Planted]) -> set[str]:
    """The written forms of the numbers and e-mail addresses planted."""
    return {form for p in items for kind, form, _, _ in p.spans if kind in NUMBERS}


if __name__ == "__main__":
    for item in planted()[::37]:
        print(repr(item.text), item.spans)
