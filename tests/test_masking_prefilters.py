"""The cheap pre-filters of masking (:mod:`cape_study.privacy.caseless`, the e-mail hint,
the role-word search) find exactly what the patterns they guard find by themselves.

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from cape_study.privacy import caseless, names, patterns

_LETTERS = "abcdefghijklmnopqrstuvwxyzåäöé"
_EVERY = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def test_lowering_keeps_what_case_insensitive_patterns_need() -> None:
    odd = set(caseless.ODD)
    # every character that a case-insensitive letter matches lower-cases to that letter
    for letter in _LETTERS:
        for ch in re.findall(re.escape(letter), _EVERY, re.IGNORECASE):
            assert ch in odd or ch.lower() == letter, (letter, hex(ord(ch)))
    word = re.compile(r"\w")
    for ch in _EVERY:
        if ch in odd:
            continue
        low = ch.lower()
        assert len(low) == 1, hex(ord(ch))
        assert bool(word.match(ch)) == bool(word.match(low)), hex(ord(ch))
    assert caseless.lowered("Polis İnge") is None
    assert caseless.lowered("Polis Åsa") == "polis åsa"


_PIECES = [
    " ",
    "  ",
    "\n",
    ", ",
    ": ",
    "(",
    ")",
    "-",
    ".",
    "@",
    "at",
    "AT",
    "At",
    "ät",
    "ÄT",
    "(a)",
    "(A)",
    "snabel-a",
    "SNABEL",
    "ſnabel",
    "miuku",
    "MİUKU",
    "mıuku",
    "kissanhäntä",
    "KISSANHÄNTÄ",
    "anna",
    "Anna",
    "Berg",
    "svensson",
    "virtanen",
    "gmail",
    "punkt",
    "se",
    "polis",
    "Polis",
    "POLISINSPEKTÖR",
    "polisen",
    "åklagaren",
    "Åklagare",
    "vittnet",
    "tulkki",
    "tulkkina",
    "toimi",
    "ſyyttäjä",
    "poliıſi",
    "god man",
    "God Man",
    "vice chefsåklagare",
    "förhörsledaren",
    "herr",
    "fru",
    "x",
    "7",
    "kriminalinspektör",
    "Kriminalinspektör",
    "\u212a",
    "\u212b",
    "data",
    "kontakt",
    "att",
    "mat",
    "İ",
]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 14))) for _ in range(n)]


_TRICKY = [
    "",
    "skriv till anna at polisen.se",
    "Kontakta ANNA AT GMAIL.COM",
    "anna(a)gmail.com",
    "ſnabel-a",
    "kiſſanhäntä",
    "MİUKU",
    "data att kontakt",
    "Polisinspektör Lars Berg och åklagaren Virtanen",
    "POLISINSPEKTÖR Lars Berg",
    "polispolis Anna",
    "xpolis Anna Berg",
    "vittnet:\nAnna Svensson",
    "tolken anna svensson",
    "poliıſi Mikko",
    "İnspektör Anna Berg",
    "\u212arIMINALINSPEKTÖR Anna",
    "God Man Per Holm",
]


@pytest.mark.parametrize("seed", range(3))
def test_email_hint_prefilter_equals_the_hint(seed: int) -> None:
    for text in _TRICKY + _texts(3000, seed):
        assert patterns._email_hinted(text, caseless.lowered(text)) == bool(
            patterns._EMAIL_HINT.search(text)
        ), text


@pytest.mark.parametrize("seed", range(3))
def test_role_word_prefilter_equals_the_plain_search(seed: int) -> None:
    for text in _TRICKY + _texts(3000, seed):
        fast = [m.span() for m in caseless.finditer(names._CUED, names._CUE_START, text)]
        plain = [m.span() for m in names._CUED.finditer(text)]
        assert fast == plain, text
    assert [
        m.group("name") for m in caseless.finditer(names._CUED, names._CUE_START, _TRICKY[8])
    ] == [
        "Lars Berg",
        "Virtanen",
    ]


_GUARDED = [
    (patterns._ACCOUNT, patterns._ACCOUNT_STEMS),
    (patterns._PASSPORT, patterns._PASSPORT_STEMS),
]


@pytest.mark.parametrize("seed", range(3))
def test_pattern_prefilters_skip_only_texts_without_a_match(seed: int) -> None:
    tricky = [
        "Kontonummer: 5000-123 456 789-0",
        "BANKGIRO 5050-1055",
        "ſwish 123 456 78 90",
        "PASSNUMMER AB1234567",
        "ID-kort nr 12345678",
        "Henkilökortti: AB1234567",
        "Storgatan 12 B",
        "Mannerheimintie\t5 A 12",
        "storgatan\n12",
    ]
    for text in tricky + _texts(3000, seed):
        low = caseless.lowered(text)
        for pattern, stems in _GUARDED:
            assert patterns._holds(low, stems) or pattern.search(text) is None, text
        assert patterns._STREET_NUMBER.search(text) or patterns._ADDRESS.search(text) is None
    found = {kind for text in tricky for kind, _, _ in patterns.find(text)}
    assert {"account", "passport", "address"} <= found


_NUMBER_PIECES = [
    "19", "81", "12", "18", "811218", "9876", "98", "76", "987", "6", "131052", "9085",
    "-", "\u2013", " - ", "·", "•", "*", "#", "=", "~", ".", "/", "_", " ", "  ", "\t", "\n",
    "x", "A", "@", ",", " .", "se", "(.)", "[.]", "pass ", "AB", "(", "tolk",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_the_hints_of_the_third_rounds_patterns_skip_no_match(seed: int) -> None:
    """The grouped and split identity numbers are searched only where their hints are,
    the loose e-mail only with an @, a name before a role in brackets only with a '('."""
    from cape_study.privacy import identifiers

    rng = random.Random(seed)
    seps = ["-", " - ", "·", "*", ".", "/", " ", "\n", "", "x"]

    def piece() -> str:
        return "".join(rng.choice(_NUMBER_PIECES) for _ in range(rng.randint(0, 5)))

    def number() -> str:  # digits in the groups of the patterns, with any separators
        groups = rng.choice(
            [["811218", "98", "76"], ["81", "12", "18", "9876"], ["131052", "9085"]]
        )
        return rng.choice(["", "19"]) + "".join(g + rng.choice(seps) for g in groups)

    texts = [piece() + number() + piece() for _ in range(4000)]
    split = grouped = 0
    for text in ["811218-98 76", "1981 12 18 9876", *texts]:
        if identifiers._PNR_SPLIT.search(text):
            split += 1
            assert identifiers._SPLIT_HINT.search(text), text
        if identifiers._PNR_GROUPED.search(text):
            grouped += 1
            assert identifiers._GROUPED_HINT.search(text), text
        assert "@" in text or not patterns._EMAIL_LOOSE.search(text)
        assert "(" in text or not names._BEFORE_ROLE.search(text)
    assert split > 20 and grouped > 5, (split, grouped)  # not vacuous
