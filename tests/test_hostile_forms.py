"""A hostile tester's second round (issue 15), after masking learnt spaced digits, read-aloud
e-mail and lower-case names: ordinary report content that must never stop a report (a
false stop of the publication scanner is as bad as a leak for the users), and spellings
of an identity number that still passed (invisible direction marks, combining marks, HTML
character references left in a text).

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cape_study.privacy.masking import mask_text, scan_text
from cape_study.privacy.scanning import scan_paths

# Skatteverket's published test number and a Finnish temporary (900-series) code.
PNR = ("811218", "9876")
HETU = ("131052", "9085")
DIGITS = PNR[0] + PNR[1]


def _row(cells: list[str], gap: str = " ") -> str:
    return gap.join(cells)


# Rows of counts whose digits, joined, happen to be a valid personnummer: grouped as
# no one writes one (a two-digit count across the date and the number, or half of the
# number), or printed in columns (a DataFrame printed in a page: two blanks or a tab).
ROWS = [
    "Nord " + _row([*DIGITS[:6], DIGITS[6:8], *DIGITS[8:]]),  # 8 1 1 2 1 8 98 7 6
    "Syd " + _row([*DIGITS[:8], DIGITS[8:]]),  # 8 1 1 2 1 8 9 8 76
    "Väst " + _row([*DIGITS[:5], DIGITS[5:7], *DIGITS[7:]]),  # 8 1 1 2 1 89 8 7 6
    "Mitt  " + _row(list(DIGITS), "  "),
    "Öst\t" + _row(list(DIGITS), "\t"),
    "19" + _row(list(DIGITS), "   "),  # the index of a printed frame is a column too
]


@pytest.mark.parametrize("row", ROWS)
def test_a_row_of_counts_never_stops_a_report(row: str, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><pre>region  counts\n{row}\n</pre></body></html>")
    text = tmp_path / "table.txt"
    text.write_text(row + "\n")
    assert scan_paths([page, text]) == []


@pytest.mark.parametrize("row", ROWS[:3])
def test_a_row_of_counts_grouped_anyhow_is_not_masked(row: str) -> None:
    assert mask_text(row, unlisted=False)[0] == row


@pytest.mark.parametrize(
    "written",
    [
        " ".join(DIGITS),
        f"{PNR[0]} - {' '.join(PNR[1])}",
        f"{' '.join(PNR[0])} - {PNR[1]}",
        f"{PNR[0][:2]} {PNR[0][2:4]} {PNR[0][4:]} - {' '.join(PNR[1])}",
        f"{' '.join(HETU[0])} - {' '.join(HETU[1])}",
    ],
)
def test_a_spaced_number_in_a_sentence_still_stops_a_report(written: str, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(f"<p>Personnummer: {written}.</p>")
    assert [f.kind for f in scan_paths([page])] in (["personnummer"], ["hetu"])


@pytest.mark.parametrize(
    "content",
    [
        "2 0 1 9",
        "1 2 3 4 5 6",
        "B 1234-19, R 21/345, Ä 123-20, AM-12345-20, 5000-12345-19",
        "2019-03-04, 4.3.2019, 04.03.2019",
        "BrB 4:1a, RL 25:3a, prop. 2017/18:123, SFS 2018:618, HE 252/2018",
        "12 500 kr, 1 234,50 €, 1 234 567, 12,5 %, 114 55 Stockholm, 00100 Helsinki",
        "ISBN 978-91-7343-123-4, ISSN 1234-5678, doi:10.1016/j.chiabu.2019.104123",
        "Totalt 1 234 5 678 9 012",
        "0 0 0 0 0 0 0 0 0 0",
        "2015 2016 2017 2018 2019 2020 2021",
    ],
)
def test_ordinary_report_content_is_no_identifier(content: str) -> None:
    assert scan_text(content) == []


@pytest.mark.parametrize(
    "written",
    [
        f"{PNR[0]}\u200e-{PNR[1]}",  # left-to-right mark
        f"{PNR[0][:3]}\u200f{PNR[0][3:]}-{PNR[1]}",  # right-to-left mark inside the date
        f"{PNR[0]}\u2066-\u2069{PNR[1]}",  # an isolate around the dash
        f"{PNR[0]}\u2063{PNR[1]}",  # invisible separator
        f"{PNR[0]}\u202e-{PNR[1]}",  # right-to-left override
        "".join(c + "\u0301" for c in PNR[0]) + "-" + PNR[1],  # combining acute accents
        f"{PNR[0]}-\u0332{PNR[1]}",  # combining low line (underlined)
        f"{PNR[0]}&#8209;{PNR[1]}",  # an HTML reference left in a text
        f"{PNR[0]}&#x2011;{PNR[1]}",
        f"{PNR[0]}&nbsp;{PNR[1]}",
        f"{PNR[0]}&ndash;{PNR[1]}",
        f"{PNR[0]}\u1806{PNR[1]}",  # Mongolian soft hyphen (a dash in some fonts)
        f"{HETU[0]}\u200f-{HETU[1]}",
        f"{HETU[0]}&#45;{HETU[1]}",
    ],
)
def test_an_identity_number_with_invisible_or_escaped_characters_is_masked(written: str) -> None:
    masked = mask_text(f"Hen {written} hördes.", unlisted=False)[0]
    assert masked == "Hen [PNR] hördes.", repr(written)


@pytest.mark.parametrize(
    "written",
    [
        f"{PNR[0][:4]}-\n{PNR[0][4:]}-{PNR[1]}",  # a PDF line hyphenated inside the date
        f"{PNR[0]}-{PNR[1][:2]}-\n{PNR[1][2:]}",  # ... inside the number
        f"19{PNR[0]}-{PNR[1][:2]}-\n{PNR[1][2:]}",
        f"{HETU[0]}-{HETU[1][:2]}-\n{HETU[1][2:]}",
    ],
)
def test_an_identity_number_hyphenated_at_a_line_end_is_masked(written: str) -> None:
    from cape_study.stats.textcoding import normalise

    for text in (f"Hen {written} hördes.", normalise(f"Hen {written} hördes.")):
        assert mask_text(text, unlisted=False)[0] == "Hen [PNR] hördes.", repr(text)


@pytest.mark.parametrize("written", ["070-123\n45 67", "070-\n123 45 67", "(08) 123\n456 78"])
def test_a_phone_number_broken_over_two_lines_is_masked(written: str) -> None:
    assert mask_text(f"Tel {written} (hem).", unlisted=False)[0] == "Tel [TEL] (hem)."


@pytest.mark.parametrize(
    "content",
    [
        "Diagnos enligt DSM-5 och ICD-10.",
        "Land SE-12, SE-5",
        "Åklagarkammare AM-123",
        "NRM-2, UNO-3, MR-12, BRÅ-12",
        "Källa: SCB 123, DNA 123",
        "År 2019-\n2020 ökade antalet; 2019-03-04\n2020-05-06",
        "Mål B 1234-19\n2019 fall",
    ],
)
def test_acronyms_codes_and_ranges_are_no_registration(content: str) -> None:
    assert scan_text(content) == []


@pytest.mark.parametrize(
    "written", ["ABC 123", "ABC-12", "ABC 12A", "bilen ABC-1", "auton AB-123", "Auto NOK-13"]
)
def test_registrations_are_still_masked(written: str) -> None:
    assert [f.kind for f in scan_text(written)] == ["registration"]


@pytest.mark.parametrize(
    "sentence",
    ["Laine kertoi poliisille.", "Koski sanoi, ettei hän tiennyt.", "Berg uppgav att hon visste."],
)
def test_a_surname_that_is_also_a_word_before_a_verb_of_saying_is_masked(sentence: str) -> None:
    masked = mask_text(sentence, unlisted=True)[0]
    assert masked.startswith("[NAME] ") and masked.count("[NAME]") == 1, masked


@pytest.mark.parametrize(
    "sentence",
    [
        "Dom sa att de skulle betala.",
        "Man sa att det var lugnt.",
        "Mamma sa att hon var rädd.",
        "Äiti kertoi poliisille.",
        "Polisen uppgav att utredningen lades ned.",
        "Sverige uppgav i rapporten att antalet ökade.",
        "Finland ilmoitti luvut.",
    ],
)
def test_words_and_countries_before_a_verb_of_saying_are_no_names(sentence: str) -> None:
    assert mask_text(sentence, unlisted=True)[0] == sentence


@pytest.mark.parametrize(
    "content",
    [
        "Statistics are available at www.bra.se and at scb.se.",
        "Published at polisen.se in 2020.",
        "See the figures at stat.fi.",
        "Available at doi.org/10.1016/j.chiabu.2019.104123",
        "Tables are stored at data.parquet and written at intake.py.",
    ],
)
def test_a_report_sentence_with_at_and_a_web_site_is_no_e_mail(content: str) -> None:
    assert scan_text(content) == []


@pytest.mark.parametrize(
    "written",
    [
        "anna at polisen.se",
        "kontakt at tolk.nu",
        "anna.berg12 at polisen.se",
        "a dot b at x dot fi",
    ],
)
def test_an_address_read_aloud_with_at_is_still_found(written: str) -> None:
    assert [f.kind for f in scan_text(f"Mejla {written} i dag.")] == ["email"]


@pytest.mark.parametrize("content", ["BG 2019-2020", "konto 2019 2020 2021", "Clearing 2019 2020"])
def test_years_after_an_account_word_are_no_account(content: str) -> None:
    assert scan_text(content) == []


def test_an_account_number_after_an_account_word_is_still_found() -> None:
    assert [f.kind for f in scan_text("Bankgiro 5050-1055, konto 8327-9, 123 456 789-0")] == [
        "account",
        "account",
    ]
