"""Hostile spellings a tester found after issue 15's masking was built: identity numbers
with a soft hyphen for a separator or their digits spaced, e-mail addresses read
aloud, street addresses and registrations in lower case; and words masked that were
not personal data (case numbers). Names: see tests/test_unlisted_names.py.

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import pytest

from cape_study.privacy.folding import fold
from cape_study.privacy.masking import mask_text

# Skatteverket's published test number and a Finnish temporary (900-series) code.
PNR = ("811218", "9876")
HETU = ("131052", "9085")


@pytest.mark.parametrize(
    "written",
    [
        f"{HETU[0]}\u00ad{HETU[1]}",  # the century sign written as a soft hyphen
        f"{HETU[0]}\u00ad\u00ad{HETU[1]}",
        f"{PNR[0]}\u00ad{PNR[1]}",
        f"19{PNR[0]}\u00ad{PNR[1]}",
    ],
)
def test_an_identity_number_with_a_soft_hyphen_for_its_separator_is_masked(written: str) -> None:
    masked = mask_text(f"Tunnus {written} kirjattiin.", unlisted=False)[0]
    assert masked == "Tunnus [PNR] kirjattiin."


def test_a_soft_hyphen_becomes_a_hyphen_only_after_six_digits() -> None:
    assert fold(f"{HETU[0]}\u00ad{HETU[1]}").text == f"{HETU[0]}-{HETU[1]}"
    assert fold(f"19{PNR[0]}\u00ad{PNR[1]}").text == f"19{PNR[0]}{PNR[1]}"
    assert fold("Anders\u00adson 12\u00ad34").text == "Andersson 1234"


def _spaced(text: str) -> str:
    return " ".join(text)


@pytest.mark.parametrize(
    "written",
    [
        _spaced(PNR[0] + PNR[1]),
        _spaced("19" + PNR[0] + PNR[1]),
        f"{PNR[0]} - {_spaced(PNR[1])}",
        f"{_spaced(PNR[0])} - {_spaced(PNR[1])}",
        f"{_spaced(HETU[0])} - {_spaced(HETU[1])}",
        f"{HETU[0]} - {_spaced(HETU[1])}",
        f"{_spaced(HETU[0])} A {_spaced(HETU[1])}",
    ],
)
def test_an_identity_number_with_its_digits_spaced_is_masked(written: str) -> None:
    masked = mask_text(f"Personnummer: {written}. Noterat.", unlisted=False)[0]
    assert masked == "Personnummer: [PNR]. Noterat.", written


@pytest.mark.parametrize(
    "text",
    [
        f"Siffrorna {_spaced(PNR[0] + PNR[1][:3] + '5')} stämmer inte.",  # wrong check digit
        f"Koodi {_spaced(HETU[0])} - {_spaced(HETU[1][:3] + '6')} on väärä.",
        "Lönen var 1 2 3 4 5 6 kr, 12 000 kr och 1 500 000 kr.",
        "Tabell: 3 4 5 6 7 8 9 1 2 3 4 5 6 7 8 9",
        # a table row read with single spaces: never an identity number, even a valid one
        f"Rad: {' '.join(PNR[0] + PNR[1])} 7 2",
        f"Rad: {PNR[0][:2]} {PNR[0][2:4]} {PNR[0][4:]} {PNR[1][:2]} {PNR[1][2:]}",
    ],
)
def test_spaced_digits_that_are_no_valid_number_are_left(text: str) -> None:
    assert mask_text(text, unlisted=False)[0] == text


@pytest.mark.parametrize(
    "written",
    [
        "anna punkt svensson snabel-a polisen punkt se",
        "anna dot svensson at gmail dot com",
        "anna.svensson snabela polisen punkt se",
        "anna piste virtanen miuku poliisi piste fi",
        "kontakt snabel-a tolk.nu",
        "anna (snabel-a) polisen (punkt) se",
    ],
)
def test_an_e_mail_address_read_aloud_is_masked(written: str) -> None:
    assert mask_text(f"Skriv till {written} i dag.", unlisted=False)[0] == (
        "Skriv till [EMAIL] i dag."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Vi sågs at home, och han kom till punkt se upp.",
        "Han satte punkt för samtalet klockan 12.",
        "Kokous päättyi piste kello 12.",
    ],
)
def test_words_for_at_and_dot_in_ordinary_sentences_are_left(text: str) -> None:
    assert mask_text(text, unlisted=False)[0] == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hon bodde på storgatan 12 i Umeå.", "Hon bodde på [ADDRESS] i Umeå."),
        ("Hon bodde på storgatan 12 b.", "Hon bodde på [ADDRESS]."),
        ("Osoite mannerheimintie 5 a 3, Helsinki.", "Osoite [ADDRESS], Helsinki."),
        ("Uhri asui hämeenkatu 14:ssä.", "Uhri asui [ADDRESS]:ssä."),
        ("Husrannsakan på kungsvägen 7 lgh 1102.", "Husrannsakan på [ADDRESS]."),
    ],
)
def test_a_street_address_in_lower_case_is_masked(text: str, masked: str) -> None:
    assert mask_text(text, unlisted=False)[0] == masked


@pytest.mark.parametrize(
    "text",
    [
        "Enligt detaljplan 2 får gården byggas ut.",
        "Olyckan skedde på riksvägen 12 km söder om Umeå.",
        "Näin sateenkaari 5 kertaa taivaalla.",
        "Storgatan 12% av hyran.",
    ],
)
def test_words_ending_like_streets_before_a_number_are_left(text: str) -> None:
    assert mask_text(text, unlisted=False)[0] == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Bilen abc 123 stod parkerad.", "Bilen [REG] stod parkerad."),
        ("Bilen, reg.nr abc123, stod parkerad.", "Bilen, reg.nr [REG], stod parkerad."),
        ("Fordonet med registreringsnummer xyz 12a kontrollerades.", None),
        ("Auto abc-123 pysäytettiin.", "Auto [REG] pysäytettiin."),
        ("Auto ABC-123 pysäytettiin.", "Auto [REG] pysäytettiin."),
        ("Bilen ABC-12 stod där.", "Bilen [REG] stod där."),
        ("Bilen ABC - 123 stod där.", "Bilen [REG] stod där."),
        ("Ajoneuvon rekisterinumero on ab-12.", "Ajoneuvon rekisterinumero on [REG]."),
    ],
)
def test_a_registration_in_lower_case_or_with_a_spaced_dash_is_masked(
    text: str, masked: str | None
) -> None:
    expected = masked or text.replace("xyz 12a", "[REG]")
    assert mask_text(text, unlisted=False)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bilen med 120 hästkrafter var 100 meter bort.",
        "Bilen körde 120 km/h och kostade 120 000 kr.",
        "Han arbetade för 100 kr i timmen, kap 123 i boken.",
        "Auto oli noin 100 metrin päässä.",
    ],
)
def test_words_and_numbers_near_a_vehicle_are_left(text: str) -> None:
    assert mask_text(text, unlisted=False)[0] == text


@pytest.mark.parametrize(
    "written",
    [
        f"{PNR[0]}~{PNR[1]}",  # a tilde for the separator
        f"{PNR[0]} ~ {PNR[1]}",
        f"19{PNR[0]}~{PNR[1]}",
    ],
)
def test_an_identity_number_with_a_tilde_for_its_separator_is_masked(written: str) -> None:
    masked = mask_text(f"Personnummer {written} noterades.", unlisted=False)[0]
    assert masked == "Personnummer [PNR] noterades.", written


@pytest.mark.parametrize(
    "written",
    [
        f"{PNR[0]}\n{PNR[1]}",  # at the separator
        f"{PNR[0][:4]}\n{PNR[0][4:]}{PNR[1]}",  # inside the date, no hyphen
        f"{PNR[0][:4]}\n{PNR[0][4:]}-{PNR[1]}",
        f"{PNR[0]}{PNR[1][:3]}\n{PNR[1][3:]}",  # inside the number
        f"{PNR[0]}-{PNR[1][:2]}\n{PNR[1][2:]}",
        f"19{PNR[0][:2]}\n{PNR[0][2:]}{PNR[1]}",
        f"{HETU[0]}-{HETU[1][:2]}\n{HETU[1][2:]}",
    ],
)
def test_an_identity_number_broken_over_a_line_without_a_hyphen_is_masked(written: str) -> None:
    masked = mask_text(f"Uppgifter: {written} (kopia).", unlisted=False)[0]
    assert masked == "Uppgifter: [PNR] (kopia).", written


@pytest.mark.parametrize(
    "text",
    [
        # a number on each line (a column of amounts) that joined is no valid number
        f"Belopp:\n{PNR[0][:4]}\n{PNR[0][4:]}{PNR[1][:3]}5\n",
        "Antal:\n2019\n120034\n",
        # a wrong check digit across a line end is a number of something else
        f"Löpnummer {PNR[0]}{PNR[1][:3]}\n5 kvar.",
    ],
)
def test_digits_on_two_lines_that_are_no_valid_number_are_left(text: str) -> None:
    assert mask_text(text, unlisted=False)[0] == text


@pytest.mark.parametrize(
    "text",
    [
        "Hon visade ID-kort men hade 123456 ärenden hos kommunen.",
        "Passet förnyades 2019 och kostade 1650 kr; hon har rest 120000 mil.",
        "Passi oli voimassa, ja hän oli tehnyt 123456 tuntia töitä.",
    ],
)
def test_a_number_near_a_word_for_a_passport_that_is_no_passport_number_is_left(
    text: str,
) -> None:
    assert mask_text(text, unlisted=False)[0] == text


@pytest.mark.parametrize(
    "text",
    [
        "Hon visade ID-kort nr 12345678 vid kontrollen.",
        "Passnummer: 87654321.",
        "ID-kortets nummer är 12345678.",
        "Henkilökortin numero on 123456789.",
        "Hans pass, nummer AB1234567, låg i bilen.",
        "Passport no. 12345678 was shown.",
    ],
)
def test_a_passport_or_id_card_number_is_still_masked(text: str) -> None:
    masked, counts = mask_text(text, unlisted=False)
    assert counts["ID"] == 1 and not any(ch.isdigit() for ch in masked), masked


@pytest.mark.parametrize(
    "written",
    [
        f"{PNR[0]}\u00b7{PNR[1]}",  # a middle dot
        f"{PNR[0]}\u2022{PNR[1]}",  # a bullet
        f"{PNR[0]}*{PNR[1]}",
        f"{PNR[0]}#{PNR[1]}",
        f"{PNR[0]}={PNR[1]}",
        f"{PNR[0]}-{PNR[1][:2]} {PNR[1][2:]}",  # the number in pairs
        f"{PNR[0]} - {PNR[1][:2]} {PNR[1][2:]}",
        f"{PNR[0]}-{PNR[1][:3]} {PNR[1][3:]}",
        f"{PNR[0]}-{PNR[1][:1]} {PNR[1][1:]}",
        f"19{PNR[0][:2]} {PNR[0][2:4]} {PNR[0][4:]} {PNR[1]}",  # 12 digits in groups
        f"19{PNR[0][:2]}.{PNR[0][2:4]}.{PNR[0][4:]}.{PNR[1]}",
        f"{HETU[0]} {HETU[1]}",  # a henkilötunnus with a space for its century sign
        f"{HETU[0]}/{HETU[1]}",
        f"{HETU[0]}_{HETU[1]}",
    ],
)
def test_an_identity_number_in_a_hostile_testers_third_round_is_masked(written: str) -> None:
    masked = mask_text(f"Uppgifter: {written} (kopia).", unlisted=False)[0]
    assert masked == "Uppgifter: [PNR] (kopia).", written


@pytest.mark.parametrize(
    "text",
    [
        "Tabell: 10 12 18 2019 och 10 12 18 1234 kr.",  # counts, and a date before a sum
        "Datum 2019.12.18.1430 noterades.",
        f"Rad: {PNR[0]} 12 34 (antal).",  # a valid date and two pairs that are no number
    ],
)
def test_groups_of_digits_that_are_no_identity_number_are_left(text: str) -> None:
    assert mask_text(text, unlisted=False)[0] == text


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("anna.svensson[at]polisen[.]se", "EMAIL"),
        ("anna.svensson(at)polisen(.)se", "EMAIL"),
        ("anna.svensson@polisen .se", "EMAIL"),
        ("anna.svensson@polisen,se", "EMAIL"),
        ("iban se45 5000 0000 0583 9825 7466", "ACCOUNT"),  # an IBAN in lower case
        ("pass: 12 34 56 78", "ID"),
        ("pass AB 1234567", "ID"),
        ("passnummer AB-1234567", "ID"),
    ],
)
def test_an_e_mail_iban_or_passport_of_the_third_round_is_masked(text: str, tag: str) -> None:
    masked, counts = mask_text(f"Uppgift: {text} (kopia).", unlisted=False)
    assert counts[tag] == 1 and masked.endswith(f"[{tag}] (kopia)."), masked
    assert not any(ch.isdigit() for ch in masked) and "@" not in masked, masked


def test_a_code_in_lower_case_of_no_nearby_country_is_no_iban() -> None:
    from cape_study.privacy.patterns import iban_ok

    code = "zz00" + "a1b2c3d4e5f6g7"  # made valid: the check digits set to pass mod 97
    check = 98 - int("".join(str(int(ch, 36)) for ch in code[4:].upper() + "ZZ00")) % 97
    code = f"zz{check:02d}" + code[4:]
    assert iban_ok(code)
    assert mask_text(f"id {code} end", unlisted=False)[0] == f"id {code} end"
    assert mask_text(f"id {code.upper()} end", unlisted=False)[0] == "id [ACCOUNT] end"
