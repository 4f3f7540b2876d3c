"""Names of people a case file does not list, as a hostile tester writes them: a surname
alone after a role word or an agent, in lower case, with a first name that is also an
ordinary word; and the capitalised words that are no names (Finnish verbs and places at
a sentence's start, institutions, case numbers). The names are common ones in invented
sentences.
"""

from __future__ import annotations

import pytest

from cape_study.privacy.masking import mask_text
from cape_study.privacy.names import Lexicon, UnlistedNames, lexicon


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hon förhördes av andersson på stationen.", "Hon förhördes av [NAME] på stationen."),
        ("Hon förhördes av Andersson på stationen.", "Hon förhördes av [NAME] på stationen."),
        ("vittnet Virtanen sade att lönen uteblev.", "vittnet [NAME] sade att lönen uteblev."),
        ("vittnet virtanen sade att lönen uteblev.", "vittnet [NAME] sade att lönen uteblev."),
        ("Polisinspektör Andersson hörde henne.", "Polisinspektör [NAME] hörde henne."),
        ("åklagaren lindqvist väckte åtal.", "åklagaren [NAME] väckte åtal."),
        ("Kuulusteltava Korhonen kertoi asiasta.", "Kuulusteltava [NAME] kertoi asiasta."),
        ("tulkki virtanen käänsi kuulustelun.", "tulkki [NAME] käänsi kuulustelun."),
        ("syyttäjä nieminen päätti asiasta.", "syyttäjä [NAME] päätti asiasta."),
        ("Tulkkina toimi Saarinen.", "Tulkkina toimi [NAME]."),
        ("Förhöret leddes av anna svensson.", "Förhöret leddes av [NAME]."),
        ("Polisinspektör johanna lindqvist kom.", "Polisinspektör [NAME] kom."),
        ("Enligt Holm betalades ingen lön.", "Enligt [NAME] betalades ingen lön."),
        ("Lönen betalades enligt karlsson kontant.", "Lönen betalades enligt [NAME] kontant."),
        ("Sedan uppgav johansson att han inte visste.", None),
        ("Myöhemmin korhonen kertoi asiasta.", "Myöhemmin [NAME] kertoi asiasta."),
        ("Anna Virtanen kuultiin todistajana.", "[NAME] kuultiin todistajana."),
        ("Olin Virtasen kanssa töissä.", "[NAME] kanssa töissä."),
    ],
)
def test_an_unlisted_surname_alone_or_in_lower_case_is_masked(
    text: str, masked: str | None
) -> None:
    expected = masked or text.replace("johansson", "[NAME]")
    assert mask_text(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Olin Turussa koko kesän ja tein töitä marjatilalla.",
        "Olen Helsingissä vain viikonloppuisin.",
        "Asuin Oulussa kaksi vuotta.",
        "Suomen Pankki ja Finanssivalvonta eivät kommentoineet asiaa.",
        "Tiedot saatiin Suomen Pankki -nimiseltä taholta.",
        "Helsingin Sanomat kirjoitti asiasta.",
        "Vaasan Hovioikeus hylkäsi valituksen.",
        "Filmen visades på Saga Bio i Umeå.",
        "Tulin Suomeen vuonna 2015 ja asuin Espoossa.",
        "Dom B 1770-21 meddelades den 4 juni.",
        "Asia R 21/345 käsiteltiin käräjäoikeudessa.",
        "Målet B 1234-19 och R 19/1234 handlades gemensamt.",
        "Dom T 4567-20 avgjordes utan huvudförhandling.",
        "Domen meddelades av Svea hovrätt.",
        "Hon dömdes enligt RL 25:3a.",
        "vittnet sade att lönen uteblev.",
        "Tolken översatte förhöret till thai.",
        "Han förhördes av polisen i Malmö.",
        "Hon hördes av åklagaren och målsägandebiträdet.",
        "Todistaja kertoi, että palkkaa ei maksettu.",
        "Asianomistajan avustaja oli läsnä.",
        "Enligt arbetsgivaren betalades lön varje månad.",
        "Han arbetade med berg och sten hela sommaren.",
        "Tulkkina toimi toinen tulkki.",
    ],
)
def test_words_that_are_no_names_are_left(text: str) -> None:
    assert mask_text(text)[0] == text


def test_an_asianomistaja_with_on_is_masked_without_the_verb() -> None:
    assert mask_text("Asianomistajana on Yusuf Hassan.")[0] == "Asianomistajana on [NAME]."


def test_the_rules_read_the_lexicon_they_are_given() -> None:
    # a lexicon of two invented names: what is plain is masked in lower case, what is
    # also an ordinary word is not, and the pair rule needs a last name after one
    names = Lexicon(
        first=frozenset({"qwilma", "olin"}),
        last=frozenset({"zorvik", "olin"}),
        plain=frozenset({"qwilma", "zorvik"}),
        common=frozenset({"olin"}),
    )
    finder = UnlistedNames(names)

    def found(text: str) -> list[str]:
        return [text[a:b] for a, b in finder.find(text)]

    assert found("vittnet zorvik kom") == ["zorvik"]
    assert found("vittnet olin kom") == []
    assert found("tolken qwilma zorvik kom") == ["qwilma zorvik"]
    assert found("Olin Turussa. Olin Zorvik kom.") == ["Olin Zorvik"]


def test_the_lexicon_tells_names_from_ordinary_words() -> None:
    found = lexicon()
    assert {"andersson", "virtanen", "lindqvist", "svensson"} <= found.plain
    assert {"olin", "asia", "berg", "anna"} <= found.common
    assert not {"olin", "asia", "berg", "och"} & found.plain


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a lower-case surname that is also a word, right after a role word
        ("Sedan kom tolken berg och översatte.", "Sedan kom tolken [NAME] och översatte."),
        ("Vittnet ek uppgav att de bodde där.", "Vittnet [NAME] uppgav att de bodde där."),
        ("Förhöret leddes av kriminalinspektör eva berg.", None),
        ("Tulkkina toimi laine.", "Tulkkina toimi [NAME]."),
        ("Todistaja niemi kertoi asiasta.", "Todistaja [NAME] kertoi asiasta."),
        # a foreign full name whose first name is also a word, at a sentence's start
        ("Ion Ionescu kuultiin todistajana.", "[NAME] kuultiin todistajana."),
        ("Ion Popescu uppgav att lönen uteblev.", "[NAME] uppgav att lönen uteblev."),
        ("Hon hördes av Ionescu i går.", "Hon hördes av [NAME] i går."),
    ],
)
def test_a_surname_that_is_also_a_word_or_foreign_is_masked(text: str, masked: str | None) -> None:
    expected = masked or text.replace("eva berg", "[NAME]")
    assert mask_text(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Tolken var sjuk och vittnet kom sent.",
        "Todistaja koski asiaa lyhyesti.",
        "Tolken och vittnet satt bredvid varandra.",
        "Tulkkina toimi ammattitulkki.",
        "Enligt lag ska lön betalas varje månad.",
        "Ion exchange (a process) is no name, nor Ionic columns.",
    ],
)
def test_a_word_after_a_role_word_that_is_no_name_is_left(text: str) -> None:
    assert mask_text(text)[0] == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hon berättade att Lindgren hade betalat lönen.", "Hon berättade att [NAME] hade"),
        ("Pengarna skickades till Sandberg varje månad.", "Pengarna skickades till [NAME] varje"),
        ("Asiakirjat toimitti Korhonen myöhemmin.", "Asiakirjat toimitti [NAME] myöhemmin."),
        ("Han hade lånat bilen av grannen, Ionescu, i maj.", "grannen, [NAME], i maj."),
    ],
)
def test_a_last_name_inside_a_sentence_without_a_cue_is_masked(text: str, masked: str) -> None:
    assert masked in mask_text(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "Han reste från Göteborg till Kuopio via Stockholm och Helsingfors.",
        "Hon kom från Syrien, hennes bror från Irak och kusinen från Danmark.",
        "Arbetarna bodde i Granbacka och arbetade på gården i Sjöholm.",
        "Lönen skickades via Western Union och Swish.",
        "Hän muutti Suomeen ja asui Tampere keskustassa.",
        "Han var ägare till Söderholm Bär AB och Kalliovaara Palvelu Oy.",
        "Hon berättar att hon kom till Granbacka för att plocka bär.",
        "Teonkuvaus: työntekijät olivat paikkakunnalla Rantaniemi kesän.",
    ],
)
def test_places_and_countries_inside_a_sentence_are_left(text: str) -> None:
    assert mask_text(text)[0] == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Förhörsledare krim.insp. Lindqvist", "Förhörsledare krim.insp. [NAME]"),
        ("Förhörsledare: Lindqvist, Anna", "Förhörsledare: [NAME]"),
        ("Todistaja: VIRTANEN, Mikko", "Todistaja: [NAME]"),
        ("Närvarande: Lindqvist (förhörsledare)", "Närvarande: [NAME] (förhörsledare)"),
        ("Lindqvist ringde till henne.", "[NAME] ringde till henne."),
        ("Kowalski betalade ut 3000 kr.", "[NAME] betalade ut 3000 kr."),
    ],
)
def test_a_name_in_a_hostile_testers_third_round_is_masked(text: str, masked: str) -> None:
    assert mask_text(text)[0] == masked


@pytest.mark.parametrize(
    "text",
    [
        "FU\nFörhör med målsäganden.",
        "Stockholm ligger vid vattnet. Göteborg likaså.",
        "Polisen (förhörsledare) kom sent.",
    ],
)
def test_words_of_the_third_round_that_are_no_names_are_left(text: str) -> None:
    assert mask_text(text)[0] == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a protocol's header lines, joined by text normalisation
        ("Misstänkt: Persson, Lars Erik (uppgift saknas)", "Misstänkt: [NAME] (uppgift saknas)"),
        ("Epäilty: Virtanen, Pekka Juhani, puh. saatavilla", "Epäilty: [NAME], puh. saatavilla"),
        (
            "Kuulustelija: rikoskomisario Anna Mäkelä Tulkki: Saowanee Phromma (thai)",
            "Kuulustelija: rikoskomisario [NAME] Tulkki: [NAME] (thai)",
        ),
        ("Tilltalad Saowanee Phromma nekade.", "Tilltalad [NAME] nekade."),
    ],
)
def test_a_name_in_a_protocols_header_is_masked(text: str, masked: str) -> None:
    assert mask_text(text)[0] == masked


@pytest.mark.parametrize(
    "text",
    [
        "Polisregion Stockholm Tolk: rumänska",
        "Dom meddelad i Stockholm PARTER Åklagare: se nedan",
        "Hon var misstänkt för bedrägeri.",
    ],
)
def test_a_place_before_a_heading_or_role_is_no_name(text: str) -> None:
    assert mask_text(text)[0] == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Asianomistaja kertoi, että Virtasen yritys maksoi.", "että [NAME] yritys maksoi."),
        ("Rahat siirrettiin Virtaselle joka kuukausi.", "siirrettiin [NAME] joka"),
        ("Hän näki Lehtosen auton pihalla.", "Hän näki [NAME] auton pihalla."),
    ],
)
def test_an_unlisted_last_name_in_a_finnish_case_inside_a_sentence_is_masked(
    text: str, masked: str
) -> None:
    assert masked in mask_text(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "Hän asui Kuopiossa ja työskenteli Joensuussa.",
        "Hän muutti Helsinkiin ja sieltä Tampereelle.",
        "Käräjäoikeus hylkäsi syytteen Helsingissä; Helsingin poliisi tutki.",
        "HAASTEHAKEMUS\nKallioniemin käräjäoikeus\nSyyttäjä: ei tiedossa",
    ],
)
def test_a_finnish_place_in_a_case_is_left(text: str) -> None:
    assert mask_text(text)[0] == text
