"""A planted-identifier set for measuring masking: seeded, synthetic, made when asked.

:func:`planted` writes realistic Swedish and Finnish sentences from police and
prosecution records with identifiers planted in them, and returns each text with the
spans of what was planted:

- identity numbers: personnummer and samordningsnummer with a valid Luhn digit and
  henkilötunnus of the temporary 900 series with a valid check character (nobody's),
  in 15 written forms (10 and 12 digits; hyphen, en dash, non-breaking hyphen, minus
  sign, space, ' - ', dot, slash, none, split over a line break);
- phone numbers in 13 Swedish and Finnish forms (brackets, slashes, dots, +46, +358);
- e-mail addresses in 6 forms (``@``, ``(at)``, ``[at]``, `` at ``, ``[at] ... [dot]``);
- names of people the case file does not list (police officers, prosecutors,
  interpreters, witnesses), Swedish, Finnish and foreign, with and without a role word;
- sentences without anything personal, with capitalised words that are not names.

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
        "samordningsnummer": "{d}-{n}",
    }
    form = rng.choice([*forms, "hetu hyphen", "hetu A", "hetu en dash"])
    if form.startswith("hetu"):
        code = _hetu(rng, "A" if form == "hetu A" else "-")
        return form, code.replace("-", "\u2013") if form == "hetu en dash" else code
    century, number = _personnummer(rng, form == "samordningsnummer")
    return form, forms[form].format(c=century, d=number[:6], n=number[6:])


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
    }
    form = rng.choice(list(forms))
    return form, forms[form]


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
]
_FI_NAME_SENTENCES = [
    "Kuulustelun suoritti rikoskomisario {x}.",
    "Tulkkina toimi {x}.",
    "Todistaja {x} kertoi, että palkkaa ei maksettu.",
    "Syyttäjä {x} päätti jättää syytteen nostamatta.",
    "Asianomistajan avustaja {x} oli läsnä.",
    "Poliisi {x} tavoitti työnantajan puhelimitse.",
    "{x} kuultiin todistajana toukokuussa.",
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
]


def _fill(template: str, value: str, kind: str, form: str) -> Planted:
    start = template.index("{x}")
    text = template.replace("{x}", value)
    return Planted(text, [(kind, form, start, start + len(value))])


def _name(rng: random.Random, finnish: bool) -> tuple[str, str]:
    if rng.random() < 0.2:
        return "foreign", rng.choice(_FOREIGN)
    if finnish:
        return "finnish", f"{rng.choice(_FI_FIRST)} {rng.choice(_FI_LAST)}"
    return "swedish", f"{rng.choice(_SV_FIRST)} {rng.choice(_SV_LAST)}"


def planted(
    seed: int = 15, *, identifiers: int = 600, names: int = 300, clean: int = 150
) -> list[Planted]:
    """``identifiers`` sentences with an identity number, a phone number or an e-mail
    address (a third each), ``names`` with a name not listed in the case file, and
    ``clean`` without anything personal; seeded."""
    rng = random.Random(seed)
    out = []
    makers = [("identity", _identity), ("phone", _phone), ("email", _email)]
    for i in range(identifiers):
        kind, make = makers[i % 3]
        form, value = make(rng)
        finnish = form.startswith("hetu") or rng.random() < 0.3
        template = rng.choice(_FI_NUMBER_SENTENCES if finnish else _SV_NUMBER_SENTENCES)
        out.append(_fill(template, value, kind, form))
    for _ in range(names):
        finnish = rng.random() < 0.4
        form, value = _name(rng, finnish)
        template = rng.choice(_FI_NAME_SENTENCES if finnish else _SV_NAME_SENTENCES)
        out.append(_fill(template, value, "name", form))
    out += [Planted(rng.choice(_CLEAN), []) for _ in range(clean)]
    return out


class Measured(NamedTuple):
    """Per (kind, form): how many were planted and how many masked; of the name
    findings, how many and how many lie inside a planted name."""

    planted: dict[tuple[str, str], int]
    masked: dict[tuple[str, str], int]
    name_findings: int
    name_true: int

    def recall(self, names: bool) -> tuple[int, int]:
        """Masked and planted, of the names or of the numbers and e-mail."""
        keys = [k for k in self.planted if (k[0] == "name") == names]
        return sum(self.masked.get(k, 0) for k in keys), sum(self.planted[k] for k in keys)


def measure(items: list[Planted], findings: list[list]) -> Measured:
    """Score ``findings`` (of :func:`cape_study.privacy.masking.scan_text`, per item): a
    planted value is masked when every letter and digit of it is inside a finding."""
    planted_n: dict[tuple[str, str], int] = {}
    masked: dict[tuple[str, str], int] = {}
    name_findings = name_true = 0
    for item, found in zip(items, findings, strict=True):
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
    return Measured(planted_n, masked, name_findings, name_true)


def forms(items: list[Planted]) -> set[str]:
    """The written forms of the numbers and e-mail addresses planted."""
    return {form for p in items for kind, form, _, _ in p.spans if kind != "name"}


if __name__ == "__main__":
    for item in planted()[::37]:
        print(repr(item.text), item.spans)
