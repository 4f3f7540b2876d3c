"""Document texts for synthetic case files: templates, invented people and fake identifiers.

:mod:`cape_study.synth` decides *what* happened in each synthetic case; this module
writes it down as the documents a case file holds: police report summaries
(*Anmälan*, *Sammanfattning*), interview records, investigation memos,
*nedläggningsbeslut* with the closure reason in its standard wording,
*stämningsansökan* and judgments, in Swedish and (for some Finnish documents) Finnish.
Each document type has several templates, and most sentences several variants, so
that a text classifier has something to learn; the barrier codes of a case are
written into its closure decision or judgment, and its ILO indicators and agency
signs into its police report and interview. The wording is data, in
``synth/templates/`` (``sv.yaml``, ``fi.yaml``; invented names and the laws cited in
``common.yaml``); this module picks variants, fills them and keeps track of positions.

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
as ground truth for the privacy scanner (:func:`render_document`).
"""

from __future__ import annotations

import csv
import functools
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from cape_study.paths import PACKAGE_DIR
from cape_study.privacy.identifiers import hetu_check

__all__ = [
    "PHONE_SERIES",
    "Identifier",
    "company_name",
    "finnish_hetu",
    "offence_label",
    "render_document",
    "suspect_name",
    "template_codes",
    "test_identity_numbers",
    "victim_name",
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


# -- identifiers ------------------------------------------------------------------------
def finnish_hetu(year: int, month: int, day: int, individual: int) -> str:
    """A Finnish henkilötunnus DDMMYYCZZZQ with its mod-31 check character."""
    if not 900 <= individual <= 999:
        raise ValueError("only the temporary series 900-999 is generated (see module docstring)")
    base = f"{day:02d}{month:02d}{year % 100:02d}"
    sign = "-" if year < 2000 else "A"
    return f"{base}{sign}{individual:03d}{hetu_check(base + f'{individual:03d}')}"


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


# -- templates and invented people ------------------------------------------------------
_TEMPLATE_DIR = PACKAGE_DIR / "synth" / "templates"
_LANGUAGES = ("sv", "fi")
_NO_ID = ("", "uppgift saknas", "")
# libyaml's parser where there is one (a tenth of the time), with the same safe
# constructors as yaml.safe_load (as the codebook is read).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _texts(name: str) -> dict[str, Any]:
    """One file of ``synth/templates/``: the ``sv`` or ``fi`` texts, or the ``common`` ones."""
    with (_TEMPLATE_DIR / f"{name}.yaml").open(encoding="utf-8") as f:
        return yaml.load(f, Loader=_YAML_LOADER)


@functools.cache
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((lit, field) for lit, field, _, _ in string.Formatter().parse(template))


class _Writer:
    """Builds a text from template variants and records where identifiers and names land.

    Each variant is picked with the next of the document's random numbers; ``fields``
    fill the templates unless a call gives its own.
    """

    __slots__ = ("fields", "found", "n", "parts", "pick")

    def __init__(self, variants: Sequence[int], fields: dict[str, object]) -> None:
        self.parts: list[str] = []
        self.found: list[Identifier] = []
        self.n = 0
        self.pick = iter(variants)
        self.fields = fields

    def draw(self) -> int:
        return next(self.pick)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.n += len(text)

    def write(self, variants: Sequence[str], fields: dict[str, object] | None = None) -> None:
        """One of ``variants``, with its fields filled."""
        # The hot loop of synth (a quarter million calls per 10,000 cases): parts and the
        # running length are kept in locals, with what add() does written out.
        template = variants[next(self.pick) % len(variants)]
        fields = self.fields if fields is None else fields
        parts, found, n = self.parts, self.found, self.n
        for literal, name in _parsed(template):
            if literal:
                parts.append(literal)
                n += len(literal)
            if name is None:
                continue
            value = fields[name]
            if isinstance(value, tuple):  # (kind, shown, normalised) or a sequence of such
                for kind, shown, norm in value if isinstance(value[0], tuple) else (value,):
                    if kind:
                        found.append(Identifier(kind, shown, norm, n, n + len(shown)))
                    parts.append(shown)
                    n += len(shown)
            else:
                text = str(value)
                parts.append(text)
                n += len(text)
        self.n = n

    def sentences(
        self, codes: Sequence[str], variants: dict[str, Sequence[str]], limit: int
    ) -> None:
        """A sentence for each of the first ``limit`` codes."""
        for code in list(codes)[:limit]:
            self.write(variants[code])

    def text(self) -> str:
        return "".join(self.parts)


def _name(group: str, female: bool, r1: int, r2: int) -> str:
    names = _texts("common")["names"][group]
    firsts = names["female" if female else "male"]
    return f"{firsts[r1 % len(firsts)]} {names['surnames'][r2 % len(names['surnames'])]}"


def victim_name(sex: str, citizenship: str, r1: int, r2: int) -> str:
    """An invented name for a victim, from the name group of their citizenship.

    The case's named victim gets ``r1, r2 = c[0], c[1]`` of the case's random numbers
    (see :func:`render_document`), which is the name its documents use.
    """
    groups = _texts("common")["name_groups"]
    return _name(groups.get(str(citizenship), "xx"), sex == "female", r1, r2)


def suspect_name(sex: str, citizenship: str, country: str, r1: int, r2: int) -> str:
    """An invented name for a suspected person (name group of their citizenship, else of
    the case's country).

    The ``j``-th of a case's first three suspects gets ``r1, r2 = c[3 + 2j], c[4 + 2j]``,
    which is the name its documents use.
    """
    groups = _texts("common")["name_groups"]
    group = groups.get(str(citizenship), "sv" if country == "SE" else "fi")
    return _name(group, sex == "female", r1, r2)


def company_name(country: str, sector: str, c: Sequence[int]) -> str:
    """The invented company of a case (its town and trade), as its documents name it."""
    home = _texts("fi" if country == "FI" else "sv")
    return f"{_town(country, c)} {home['trades'][str(sector)]} {'Oy' if country == 'FI' else 'AB'}"


def _town(country: str, c: Sequence[int]) -> str:
    places = _texts("fi" if country == "FI" else "sv")["places"]
    stems, endings = places["stems"], places["endings"]
    return stems[c[12] % len(stems)] + endings[c[13] % len(endings)]


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


#: A named suspect of a case: (index among the case's suspects, name, identity number).
_Suspect = tuple[int, str, tuple[str, str, str] | None]


@dataclass(frozen=True)
class _Cast:
    """The named suspects, company and town of a case, the same in each of its documents."""

    suspects: list[_Suspect]
    company: str
    town: str


def _defendant(suspect: _Suspect) -> dict[str, object]:
    _, name, number = suspect
    return {"suspect": ("name", name, name), "suspect_id": number if number else _NO_ID}


#: The facts of a case (with the language) its fields were last made from, and those fields
#: and its cast: a case's documents come one after the other (:func:`_case`).
_last_case: list[Any] = [None, None]


def _case(doc: dict[str, Any], c: Sequence[int], lang: str) -> tuple[dict[str, object], _Cast]:
    """The fields the templates are filled from, and the case's cast.

    What depends on the case and language alone (names, identity numbers, phones, the
    company, the town ...) is made once for consecutive documents of the same case
    (about 2.8 a case) and copied; the date, offence and court number are the
    document's."""
    key = (
        c,
        lang,
        doc["country"],
        doc["victim"],
        doc["suspects"],
        doc["sector"],
        doc["case_no"],
        doc["region"],
        doc["n_victims"],
    )
    if _last_case[0] != key:
        _last_case[:] = [key, _case_fields(doc, c, lang)]
    shared, cast = _last_case[1]
    fields = dict(shared)
    fields["date"] = doc["date"]
    fields["offence"] = doc["offence"]
    fields["case_court_no"] = f"{1000 + c[21] % 8000}-{str(doc['date'])[2:4]}"
    fields["court"] = _texts(lang)["courts"]["judgment_first_instance"].format(**fields)
    return fields, cast


def _case_fields(
    doc: dict[str, Any], c: Sequence[int], lang: str
) -> tuple[dict[str, object], _Cast]:
    """The fields of :func:`_case` that depend on the case and language alone."""
    country = str(doc["country"])
    long_form = bool(c[20] % 4 == 0)
    vsex, vcit, vres = doc["victim"]
    female = vsex == "female"
    victim = victim_name(str(vsex), str(vcit), c[0], c[1])
    vid = _person_id(country, str(vcit), str(vres), c[2], female, long_form)
    suspects = []
    for j, (kind, ssex, scit) in enumerate(doc["suspects"]):
        if kind == "company":
            continue
        sfem = ssex == "female"
        sname = suspect_name(str(ssex), str(scit), country, c[3 + 2 * j], c[4 + 2 * j])
        residence = (
            "citizen" if scit == country else ("work_permit" if c[9 + j] % 3 else "no_permit")
        )
        sid = _person_id(country, str(scit), residence, c[9 + j] >> 2, sfem, long_form)
        suspects.append((j, sname, sid))
    company = company_name(country, str(doc["sector"]), c)
    town = _town(country, c)
    staff = "fi" if country == "FI" else "sv"
    officer = _name(staff, bool(c[16] % 2), c[16] >> 1, c[17])
    prosecutor = _name(staff, bool(c[18] % 2), c[18] >> 1, c[19])
    texts = _texts(lang)
    work = texts["work"][str(doc["sector"])]
    appeal_courts = _texts("sv")["appeal_courts"]
    fields: dict[str, object] = {
        "case_no": doc["case_no"],
        "region": doc["region"],
        "company": company,
        "place": town,
        "town": town,
        "n_victims": doc["n_victims"],
        "n_others": max(int(doc["n_victims"]) - 1, 1),
        "victim": ("name", victim, victim),
        "victim_id_part": (("", ", ", ""), vid) if vid else ("", "", ""),
        "victim_phone": _phone(c[14]),
        "suspect_phone": _phone(c[15]),
        "officer": ("name", officer, officer),
        "prosecutor": ("name", prosecutor, prosecutor),
        "chamber": f"Åklagarkammaren i {town}" if lang == "sv" else f"Syyttäjänvirasto, {town}",
        "work": work[c[21] % len(work)],
        "wage": 20 + c[22] % 60,
        "debt": f"{(15 + c[23] % 75) * 1000:,}".replace(",", " "),
        "months": 6 + c[22] % 36,
        "period": f"{c[22] % 20 + 1} månader",
        "pronoun": "hon" if female else "han",
        "Pronoun": "Hon" if female else "Han",
        "pronoun_obj": "henne" if female else "honom",
        "interpreter_language": texts["interpreter_languages"].get(
            str(vcit), "engelska" if lang == "sv" else "englanti"
        ),
        "appeal_court": appeal_courts[c[20] % len(appeal_courts)],
    }
    if suspects:
        fields.update(_defendant(suspects[0]))
    else:
        fields["suspect"] = "okänd" if lang == "sv" else "tuntematon"
        fields["suspect_id"] = ""
    return fields, _Cast(suspects, company, town)


# -- the documents ----------------------------------------------------------------------
def _police_report(w: _Writer, t: dict[str, Any], doc: dict[str, Any], cast: _Cast) -> None:
    parts = t["documents"]
    w.write(parts["police_report.head"])
    w.write(t["detection_channel"][str(doc["detection_channel"])])
    w.write(parts["police_report.suspect" if cast.suspects else "police_report.nosuspect"])
    if int(doc["n_victims"]) > 0:
        w.write(parts["police_report.victim"])
        if int(doc["n_victims"]) > 1:
            w.write(parts["police_report.group"])
        if w.draw() % 3:
            w.write(parts["police_report.phone"])
    w.sentences(doc["indicators"], t["ilo_indicator"], 3)
    w.sentences(doc["signs"], t["agency_sign"], 2)
    w.write(parts["police_report.closing"])


def _interrogation(w: _Writer, t: dict[str, Any], doc: dict[str, Any], cast: _Cast) -> None:
    parts = t["documents"]
    w.write(parts["interrogation.head"])
    if doc["interpreter"]:
        w.write(parts["interrogation.interpreter"])
    w.write(parts["interrogation.person"])
    w.write(parts["interrogation.opening"])
    w.sentences(doc["indicators"], t["ilo_indicator"], 6)
    w.sentences(doc["signs"], t["agency_sign"], 4)
    w.write(parts["interrogation.closing"])


def _investigation_memo(w: _Writer, t: dict[str, Any], doc: dict[str, Any], cast: _Cast) -> None:
    parts = t["documents"]
    w.write(parts["investigation_memo.head"])
    if cast.suspects:
        w.write(parts["investigation_memo.body"])
    w.sentences(doc["barriers"], t["barrier"], 2)
    w.write(parts["investigation_memo.closing"])


def _closure_decision(w: _Writer, t: dict[str, Any], doc: dict[str, Any], cast: _Cast) -> None:
    parts = t["documents"]
    target = int(doc["closed_suspect"])
    first = cast.suspects[0] if cast.suspects else None
    chosen = next((s for s in cast.suspects if s[0] == target), first) if target >= 0 else first
    if chosen:
        w.fields.update(_defendant(chosen))
    w.write(parts["closure_decision.head"])
    w.write(parts["closure_decision.suspect" if chosen else "closure_decision.nosuspect"])
    w.add(t["closure_reason"][str(doc["closure_reason"])] + "\n\n")
    w.write(parts["closure_decision.reasons"])
    w.sentences(doc["barriers"], t["barrier"], 5)
    w.write(parts["closure_decision.closing"])


def _indictment(w: _Writer, t: dict[str, Any], doc: dict[str, Any], cast: _Cast) -> None:
    parts, laws = t["documents"], _texts("common")["laws"]
    w.write(parts["indictment.head"])
    for suspect in cast.suspects[:3]:
        w.write(parts["indictment.defendant"], _defendant(suspect))
    for code, label, alternative in doc["charges"]:
        key = "indictment.alternative" if alternative else "indictment.charge"
        w.write(parts[key], {"offence": label, "law": laws.get(str(code), "-")})
    w.write(parts["indictment.facts"])
    w.sentences(doc["indicators"], t["ilo_indicator"], 4)
    w.write(parts["indictment.closing"])


def _judgment(w: _Writer, t: dict[str, Any], doc: dict[str, Any], cast: _Cast) -> None:
    parts = t["documents"]
    court = t["courts"][str(doc["doc_type"])].format(**w.fields)
    w.fields["court"] = court
    w.fields["court_upper"] = court.upper()
    w.write(parts["judgment.head"])
    for suspect in cast.suspects[:3]:
        w.write(parts["judgment.defendant"], {**_defendant(suspect), "place": cast.town})
    w.write(parts["judgment.verdict_head"])
    by_index = {s[0]: s for s in cast.suspects}
    for index, outcome, label in doc["verdicts"]:
        s = by_index.get(int(index))
        who = ("name", s[1], s[1]) if s else ("", cast.company, "")
        w.write(
            t["outcome"][str(outcome)],
            {"suspect": who, "offence": label, "months": w.fields["months"]},
        )
        w.add("\n")
    w.write(parts["judgment.reasons"])
    w.sentences(doc["indicators"], t["ilo_indicator"], 2)
    w.sentences(doc["barriers"], t["barrier"], 5)
    w.write(parts["judgment.closing"])


_DOCUMENTS: dict[str, Callable[[_Writer, dict[str, Any], dict[str, Any], _Cast], None]] = {
    "police_report": _police_report,
    "interrogation": _interrogation,
    "investigation_memo": _investigation_memo,
    "closure_decision": _closure_decision,
    "indictment": _indictment,
    "judgment_first_instance": _judgment,
    "judgment_appeal": _judgment,
    "judgment_supreme": _judgment,
}


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
    lang = str(doc["language"]) if doc["language"] in _LANGUAGES else "sv"
    fields, cast = _case(doc, c, lang)
    w = _Writer(r, fields)
    _DOCUMENTS[str(doc["doc_type"])](w, _texts(lang), doc, cast)
    return w.text() + "\n", w.found


def offence_label(code: str, language: str, labels_sv: dict[str, str]) -> str:
    """How a document names an offence: the codebook's Swedish label, or Finnish for fi."""
    if language == "fi":
        return _texts("fi")["offences"].get(code, labels_sv.get(code, code))
    label = labels_sv.get(code, code)
    return label[:1].lower() + label[1:]


def template_codes() -> dict[str, set[str]]:
    """The codes the templates have wording for, per scheme (checked against the codebook)."""
    sv, fi = _texts("sv"), _texts("fi")

    def both(section: str) -> set[str]:
        return set(sv[section]) & set(fi[section])

    schemes = ("barrier", "ilo_indicator", "agency_sign", "closure_reason", "outcome")
    return {
        **{scheme: both(scheme) for scheme in schemes},
        "sector": both("work") & both("trades"),
        "detection_channel": both("detection_channel"),
    }
