"""A hostile tester's sixth round (issue 15): the misses the fifth round left in Swedish
and Finnish case-file text (a name alone after a source word, the first name of a
coordinated pair, Finnish cases of foreign names without a cue, a foreign registration
far from its word, a person's last name inside a company's name), and places that must
not be taken for people. The names are common ones, no one's from a case file.
"""

from __future__ import annotations

import pytest

from cape_study.privacy.masking import mask_text, scan_text


def _masked(text: str, names: tuple[str, ...] = ()) -> str:
    return mask_text(text, names)[0]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        # an unknown capitalised name alone after a source word
        ("Enligt Phromma betalades ingen lön under juli.", "Phromma"),
        ("Lönen betalades enligt Phromma aldrig ut.", "Phromma"),
        ("I förhöret uppger Boonmee att hon fick sova i bilen.", "Boonmee"),
        ("Uppger Boonmee att passet togs ifrån henne.", "Boonmee"),
        ("Säger Chaiyasit att han aldrig fick betalt.", "Chaiyasit"),
        ("Kertoo Phromma, että passi otettiin pois.", "Phromma"),
        ("Kuulustelussa kertoi Boonmee, että palkkaa ei maksettu.", "Boonmee"),
        ("Phromman mukaan palkkaa ei maksettu.", "Phromma"),
        ("Työpäivät olivat Boonmeen mukaan pitkiä.", "Boonmee"),
        # the first name of a coordinated pair whose last name is the next name's
        ("Mihai och Ioana Popa hördes samma dag.", "Mihai"),
        ("Mihai och Ioana Popa hördes samma dag.", "Ioana"),
        ("Mihai ja Ioana Popa kuultiin samana päivänä.", "Mihai"),
        ("Mihai ja Ioana Popa kuultiin samana päivänä.", "Ioana"),
        ("Vittnena Piotr och Agnieszka Nowak kom tillsammans.", "Piotr"),
        # first names that are also words or places, a last name a town abroad has too
        ("Lars och Eva Nilsson hördes samma dag.", "Lars"),
        ("Mikko och Anna Virtanen hördes samma dag.", "Mikko"),
        ("Olena och Oksana Shevchenko hördes samma dag.", "Olena"),
        # Finnish cases of foreign names of the lexicon, no cue word
        ("Hän asui Nguyenin kanssa samassa asunnossa.", "Nguyen"),
        ("Rahat maksettiin Oleksandrille käteisenä.", "Oleksandr"),
        ("Hän lainasi rahaa Popesculta viime vuonna.", "Popescu"),
        ("Avaimet olivat Kowalskilla koko kesän.", "Kowalski"),
        ("Puhelin otettiin Nguyenilta pois.", "Nguyen"),
    ],
)
def test_the_misses_of_the_fifth_round_are_masked(text: str, hidden: str) -> None:
    assert hidden not in _masked(text)


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        (
            "Bilen som hon såg stå parkerad vid lagret hade registreringen WX 12345 i vintras.",
            "WX 12345",
        ),
        (
            "Fordonet, som enligt vittnet stått utanför huset hela natten, bar skylten B 123 ABC.",
            "B 123 ABC",
        ),
        (
            "Auto, jota työnantaja käytti kuljetuksiin koko syksyn ajan, oli CJ 12 ABC.",
            "CJ 12 ABC",
        ),
        ("Bilen med de lettiska skyltarna var enligt grannen AB-1234.", "AB-1234"),
        ("Bilen var enligt grannen en estnisk bil med nummer 123 ABC.", "123 ABC"),
    ],
)
def test_a_foreign_registration_far_from_its_word_in_the_sentence_is_masked(
    text: str, hidden: str
) -> None:
    assert hidden not in _masked(text)


@pytest.mark.parametrize(
    "text",
    [
        # a registration's form in the next sentence, or in a sentence about no vehicle
        "Bilen stod kvar. Mål B 123 ABC avser en annan fråga.",
        "Hon köpte bilen 2019. Tabell WX 12345 visar fall per län.",
        "Bilen, en Volvo XC60 och en Mercedes C 220 CDI, köptes 2019 för SEK 12000.",
        "Autolla ajettiin 2019 yhteensä 12345 km ja EU 2020 -tarkastus tehtiin.",
    ],
)
def test_codes_outside_a_vehicle_sentence_are_left(text: str) -> None:
    assert _masked(text) == text


@pytest.mark.parametrize(
    ("text", "names", "hidden", "kept"),
    [
        # a listed party's last name inside a company's name
        ("Hon arbetade för Kowalski Bygg AB i två år.", ("Anna Kowalski",), "Kowalski", "Bygg AB"),
        ("Lönen betalades av Popescu Städ HB.", ("Ioana Popescu",), "Popescu", "Städ HB"),
        ("Hän työskenteli Nguyen Trading Oy:ssä.", ("Van Nam Nguyen",), "Nguyen", "Trading Oy"),
        # a last name that is a person's elsewhere in the same text
        (
            "Anna Lindqvist hördes. Hon arbetade på Lindqvist Bygg AB.",
            (),
            "Lindqvist",
            "Bygg AB",
        ),
        (
            "Tolken Ioana Popescu översatte. Popescu Städ HB anlitades.",
            (),
            "Popescu",
            "Städ HB",
        ),
        # the person's last name found alone
        ("Tolken Popescu översatte. Popescu Städ HB anlitades.", (), "Popescu", "Städ HB"),
        (
            "Kuulusteltava Van Nam Nguyen. Hän työskenteli Nguyen Trading Oy:ssä.",
            (),
            "Nguyen",
            "Trading Oy",
        ),
    ],
)
def test_a_persons_last_name_inside_a_company_is_masked(
    text: str, names: tuple[str, ...], hidden: str, kept: str
) -> None:
    masked = _masked(text, names)
    assert hidden not in masked
    assert kept in masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a company named after no person of the text is left (as in test_unlisted_names)
        ("Hon arbetade på Lindqvist Bygg AB i maj.", "Hon arbetade på Lindqvist Bygg AB i maj."),
        ("Han drev Salovaara Kuljetus Oy:tä.", "Han drev Salovaara Kuljetus Oy:tä."),
        ("Hon arbetade på Norrlands Bygg AB i maj.", "Hon arbetade på Norrlands Bygg AB i maj."),
        # a name the lexicon lacks, with the name
        ("Enligt Prasert Chaiyaporn betalades ingen lön.", "Enligt [NAME] betalades"),
    ],
)
def test_companies_and_a_pair_after_enligt(text: str, masked: str) -> None:
    assert masked in _masked(text)


@pytest.mark.parametrize(
    "text",
    [
        # places: in the municipality or place lists, or in a place's case after a place cue
        "Hon bodde i Gnesta hela sommaren.",
        "Han kom från Kåge med bussen.",
        "Hon är från Kåge och talar bra svenska.",
        "Han var från Gnesta i Södermanland.",
        "Hän asui Kemissä kaksi vuotta.",
        "Työ tehtiin Ylöjärvellä ja Lempäälässä.",
        "Hän muutti Mäkelään keväällä.",
        "Hän asuu Kivelässä äitinsä kanssa.",
        "Hän tuli Rantaniemestä bussilla.",
        "Hän asui Hökmarkissa talven.",
        # a source word before an institution, a document or a place
        "Enligt Migrationsverket saknade hon arbetstillstånd.",
        "Enligt Polismyndigheten fanns inga fler vittnen.",
        "Enligt Europol är mönstret vanligt.",
        "Enligt Finland var ärendet avslutat.",
        "Enligt Brottsbalken är det ett brott.",
        "Poliisin mukaan palkkaa ei maksettu.",
        "Lain mukaan työnantajan on maksettava palkka.",
        "Sopimuksen mukaan työaika oli kahdeksan tuntia.",
        "Syyttäjän mukaan teko oli törkeä.",
        "Helsingin mukaan asia oli selvä.",
        "Uppger Migrationsverket att beslutet står fast.",
        "Enligt Svea hovrätt var beslutet riktigt.",
        "Enligt Aftonbladet hade firman fler anställda.",
        "Enligt Human Rights Watch är mönstret vanligt.",
        # an ordinary coordinated pair
        "Polisen och Kustbevakningen Syd samarbetade.",
        "Malmö och Lund Universitet deltog.",
    ],
)
def test_places_and_institutions_after_the_cues_are_left(text: str) -> None:
    assert _masked(text) == text


def test_each_new_finding_is_a_name_not_a_sentence() -> None:
    """The new rules mask the name's words only."""
    found = scan_text("Enligt Phromma betalades ingen lön.", unlisted=True)
    assert [(f.kind, f.start, f.end) for f in found] == [("name", 7, 14)]
    found = scan_text("Mihai och Ioana Popa hördes.", unlisted=True)
    text = "Mihai och Ioana Popa hördes."
    assert ["".join(text[f.start : f.end]) for f in found] == ["Mihai", "Ioana Popa"]
