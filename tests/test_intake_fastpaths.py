"""Intake masking's cheaper searches (issue 22) give exactly what the plain searches they
replace give: each is compared here with the straightforward code it replaced, on tricky
pieces joined at random and on arbitrary text (hypothesis).

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import random
import re
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cape_study.privacy import caseless, folding, identifiers, masking, patterns
from cape_study.privacy.identifiers import DASH_CLASS
from cape_study.stats.textcoding import texts

EXAMPLES = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

# Pieces that the searches look for, or that sit at their edges.
_PIECES = [
    " ", "  ", "\n", "\n\n", "\n\n\n", "\t", "\u00a0", "\u202f", "\u2028", "\x85", "\x0b",
    "\f", "\r\n", "\u00ad", "\u200b", "-", "- ", "\u2013", ",", ".", "(", ")", "/", "@", "#",
    "&", "&nbsp;", "&#8209;", "a", "A", "ä", "Ö", "é", "_", "1", "7", "0", "12", "550114",
    "2284", "\u0663", "\uff15", "ſ", "İ", "ı", "Σ", "at", "ät", "AT", "data", "förunder",
    "sökningen", "och", "EU", "medborgare", "Sida 2 av 5", "2 (5)", "- 3 -", "Beslut",
    "Storgatan", "gatan", "vägen", "tie", "katu", "plan",
]  # fmt: skip


def _joined(rng: random.Random, n: int = 20) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, n)))


def _random_texts(seed: int, n: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return [_joined(rng) for _ in range(n)]


def _text_or_pieces(pieces: list[str], size: int = 60, count: int = 16) -> st.SearchStrategy[str]:
    """Any text of up to ``size`` characters, or up to ``count`` of ``pieces`` joined."""
    return st.one_of(
        st.text(max_size=size), st.lists(st.sampled_from(pieces), max_size=count).map("".join)
    )


_ANY_TEXT = _text_or_pieces(_PIECES, 80, 24)


# -- normalise ----------------------------------------------------------------------------
_PLAIN_CONTINUATION = re.compile(r"(?<=[^\n])\n(?=[^\W\d_])")


def _normalise_plain(text: str) -> str:
    """:func:`texts.normalise` as written before its searches were skipped: every
    replacement made on every text."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(texts._INVISIBLE)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = texts._strip_page_furniture(text)
    text = texts._HYPHENATED.sub(texts._join_hyphenated, text)
    text = _PLAIN_CONTINUATION.sub(texts._join_continuation, text)
    text = texts._SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return texts._BLANK_LINES.sub("\n\n", text).strip()


@pytest.mark.parametrize("seed", range(3))
def test_normalise_equals_replacing_everything(seed: int) -> None:
    changed = 0
    for text in _random_texts(seed):
        fast = texts.normalise(text)
        assert fast == _normalise_plain(text), repr(text)
        changed += fast != text.strip()
    assert changed > 1000  # not a vacuous comparison


@EXAMPLES
@given(_ANY_TEXT)
def test_normalise_equals_replacing_everything_on_any_text(text: str) -> None:
    assert texts.normalise(text) == _normalise_plain(text)


def test_the_continuation_search_from_the_line_break_finds_what_the_lookbehind_finds() -> None:
    for text in [*_random_texts(7), "\na", "a\na", "\n\na", "a\n\n\na", "x\n_", "x\n1", "x\nÅ"]:
        fast = [m.span() for m in texts._CONTINUATION.finditer(text)]
        assert fast == [m.span() for m in _PLAIN_CONTINUATION.finditer(text)], repr(text)


# -- patterns: searches from a hint -------------------------------------------------------
_PLATE_PIECES = [
    "ABC", "abc", "AB", "ab", "Ab", "A", "I", "Q", "V", "ÅÄÖ", "åäö", "SEK", "DSM", "NOK",
    "SE45", "se45", "FI21", "ab12", "X", "é", "_", " ", "\u00a0", "\n", "-", "\u2013",
    "\u2212", " - ", ",", ".", "1", "12", "123", "1234", "5000", "12A", "12a", "12I", "12Q",
    "\u0663\u0664", "2019", "år ", "den ", "bilen ", "reg.nr ", "0", "00", "5",
]  # fmt: skip
_PLAIN_AT_WORD = re.compile(r"\b[aä]t\b")
_PLAIN_GIRO_WORD = re.compile(r"\b[bp]g\b")


def _plate_texts(seed: int, n: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PLATE_PIECES) for _ in range(rng.randint(0, 14))) for _ in range(n)]


def _hinted_equals_finditer(text: str) -> int:
    """Compare the IBAN and registration searches from their hints with ``finditer``;
    the number of matches."""
    found = 0
    for pattern, hint, low, high in (
        (patterns._IBAN, patterns._IBAN_HINT, 2, 2),
        (patterns._PLATE, patterns._PLATE_HINT, 2, 4),
    ):
        fast = [
            (m.span(), m.groups())
            for m in patterns._matches_at_hints(pattern, hint, text, low, high)
        ]
        plain = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert fast == plain, (pattern.pattern[:30], repr(text))
        found += len(plain)
    return found


@pytest.mark.parametrize("seed", range(3))
def test_iban_and_registration_searches_from_hints_equal_finditer(seed: int) -> None:
    tricky = [
        "SE45 5000 0000 0583 9825 7466", "se45 5000 0000 0583 9825 7466", "xSE45 5000 0000 0583",
        "ABC 123 ABC 123", "ABC-123ABC 12A", "AB - 123, abc 12a", "ABC\u00a012A", "AB-1 CD-22",
        "ABCD 123", "-AB 123", "AB 12", "AB 1234", "AB12CD34EF56GH78IJ90",
    ]  # fmt: skip
    found = sum(_hinted_equals_finditer(t) for t in [*tricky, *_plate_texts(seed)])
    assert found > 100  # not a vacuous comparison


@EXAMPLES
@given(_text_or_pieces(_PLATE_PIECES))
def test_iban_and_registration_searches_from_hints_equal_finditer_on_any_text(text: str) -> None:
    _hinted_equals_finditer(text)


def _words_found_as_before(text: str) -> None:
    low = caseless.lowered(text)
    if low is not None:
        assert bool(patterns._AT_WORD.search(low)) == bool(_PLAIN_AT_WORD.search(low)), text
        plain_giro = bool(_PLAIN_GIRO_WORD.search(low))
        assert bool(patterns._GIRO_WORD.search(low)) == plain_giro, text
    plain_street = re.compile(rf"(?:{patterns._STREET_WORDS})\s\d").search(text) is not None
    assert (patterns._STREET_NUMBER.search(text) is not None) == plain_street, text
    # the account search is skipped only where it finds nothing
    assert patterns._account_hinted(low) or patterns._ACCOUNT.search(text) is None, text


_WORD_PIECES = [
    "at", "ät", "AT", "Ät", "t", "a", "ä", "bat", "att", "_at", "at_", "ſ", "İ", "bg", "pg",
    "BG", "Pg", "uppgift", "bgx", "xpg", "konto", "Konto", "tili", "swish", "5050-1055",
    "123 456 789", "gatan", "Storgatan", "vägen", "tie", "plan", "gatan\t", "gata\u2028",
    " ", "\n", "\t", "\u00a0", ":", "-", "1", "12", "\u0663", "7", ",", ".",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_word_searches_written_from_a_later_character_find_what_the_plain_ones_find(
    seed: int,
) -> None:
    rng = random.Random(seed)
    for text in [
        "BG 5050-1055", "Pg: 123 45 67-8", "uppgift 1234567", "anna at polisen.se", "ät",
        "Storgatan 12", "storgatan\n12", "Mannerheimintie\t5", "a\nt", "att", "_at_",
    ]:  # fmt: skip
        _words_found_as_before(text)
    for _ in range(3000):
        _words_found_as_before("".join(rng.choice(_WORD_PIECES) for _ in range(rng.randint(0, 12))))


@EXAMPLES
@given(_text_or_pieces(_WORD_PIECES))
def test_word_searches_written_from_a_later_character_on_any_text(text: str) -> None:
    _words_found_as_before(text)


# -- folding and the count of long runs of digits -------------------------------------------
_PLAIN_CHANGED = re.compile(
    rf"[^\S \n]|[{folding._INVISIBLE}\uff01-\uff5e\ufe63\ufe58\u2043\u1806]"
    rf"|[\d{DASH_CLASS}][{folding._MARKS}]|{folding._ENTITY}"
)
_PLAIN_LONG_DIGITS = re.compile(r"(?<![\w])\d(?:[ \u00a0./\-\u2013]?\d){8,}(?![\w])")
_EVERY = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
_FOLD_PIECES = [
    *_PIECES, "\u0301", "\u20dd", "\ufe20", "\u2009", "\u3000", "\u1680", "\u2060", "\ufeff",
    "\ufe63", "\u2043", "&#x2011;", "&amp;", "&ndash", "&ndash;", "&", "#", "9", "55011422",
    "84", "\u2212", "/", "\u00a0", "x", "123456789", "12 345 678 90", "070.12", "\u0663\u0664",
]  # fmt: skip


def test_other_space_is_white_space_but_a_space_and_a_line_break() -> None:
    written = "".join(re.findall(f"[{folding.OTHER_SPACE}]", _EVERY))
    assert written == "".join(re.findall(r"[^\S \n]", _EVERY))


def _fold_pieces(seed: int, n: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_FOLD_PIECES) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def _fold_and_count_as_before(text: str) -> bool:
    changed = folding._CHANGED.search(text) is not None
    assert changed == (_PLAIN_CHANGED.search(text) is not None), repr(text)
    assert masking._LONG_DIGITS.findall(text) == _PLAIN_LONG_DIGITS.findall(text), repr(text)
    return changed


@pytest.mark.parametrize("seed", range(3))
def test_the_search_for_what_folding_changes_finds_what_the_plain_one_finds(seed: int) -> None:
    changed = sum(_fold_and_count_as_before(text) for text in _fold_pieces(seed))
    assert 300 < changed < 2700  # not a vacuous comparison
    long_runs = sum(len(_PLAIN_LONG_DIGITS.findall(t)) for t in _fold_pieces(seed))
    assert long_runs > 100


@EXAMPLES
@given(_text_or_pieces(_FOLD_PIECES))
def test_the_search_for_what_folding_changes_on_any_text(text: str) -> None:
    _fold_and_count_as_before(text)


# -- identity numbers: two rare hints in one search ---------------------------------------
_ID_PIECES = [
    "811218", "9876", "98", "76", "987", "6", "8", "19", "81", "12", "18", "1981", "-", " - ",
    "\u2013", ".", "/", " ", "\t", "\u00a0", "\n", "x", "+", "\u0663", "\u0664\u0665", "·",
    "811218-98 76", "81-12-18-9876", "811218 - 987 6", "81.12.18 - 9876",
]  # fmt: skip


def _one_search_finds_either_hint(text: str) -> bool:
    either = bool(identifiers._SPLIT_HINT.search(text) or identifiers._GROUPED_HINT.search(text))
    assert (identifiers._SPLIT_OR_GROUPED_HINT.search(text) is not None) == either, repr(text)
    return either


@pytest.mark.parametrize("seed", range(3))
def test_the_split_or_grouped_hint_is_found_where_either_is(seed: int) -> None:
    rng = random.Random(seed)
    texts_ = [
        "".join(rng.choice(_ID_PIECES) for _ in range(rng.randint(0, 10))) for _ in range(3000)
    ]
    found = sum(_one_search_finds_either_hint(text) for text in texts_)
    assert 100 < found < 2900  # not a vacuous comparison


@EXAMPLES
@given(_text_or_pieces(_ID_PIECES, 40, 12))
def test_the_split_or_grouped_hint_on_any_text(text: str) -> None:
    _one_search_finds_either_hint(text)


# -- masking a column: processes only for many distinct texts --------------------------------
def test_a_column_of_many_rows_but_few_distinct_texts_is_masked_in_one_process(
    monkeypatch,
) -> None:
    import pandas as pd

    helpers: list[int] = []  # the rows each process started was sent

    class Counted(masking._Helper):
        def __init__(self, work) -> None:
            helpers.append(len(work[0]))
            super().__init__(work)

    monkeypatch.setattr(masking, "_Helper", Counted)
    monkeypatch.setattr(masking, "PARALLEL_FROM", 4)
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "2")
    repeated = ["ring 070-123 45 67", "ring 070-123 45 68", "x"] * 10 + [None] * 10
    frame = pd.DataFrame({"note": pd.array(repeated, dtype="string")})
    counts = masking._mask_column(frame, "note", [None] * len(repeated), None, None)
    assert helpers == []  # three distinct texts: one process
    assert counts["TEL"] == 20 and frame["note"].tolist()[:3] == ["ring [TEL]"] * 2 + ["x"]
    distinct = [f"ring 070-123 45 {i:02d}" for i in range(8)]
    frame = pd.DataFrame({"note": pd.array(distinct, dtype="string")})
    counts = masking._mask_column(frame, "note", [None] * len(distinct), None, None)
    # eight distinct texts: two processes (this one and one started, sent the second
    # half only), the same result
    assert helpers == [4]
    assert counts["TEL"] == 8 and frame["note"].tolist() == ["ring [TEL]"] * 8
    # three processes (this one and two started): three parts, put together in order
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "3")
    texts = [f"ring 070-123 45 {i:02d} eller {i}" for i in range(9)]
    frame = pd.DataFrame({"note": pd.array(texts, dtype="string")})
    counts = masking._mask_column(frame, "note", [None] * len(texts), None, None)
    assert helpers == [4, 3, 3]
    assert counts["TEL"] == 9
    assert frame["note"].tolist() == [f"ring [TEL] eller {i}" for i in range(9)]


def test_an_error_in_a_started_masking_process_is_raised_in_the_one_that_started_it(
    monkeypatch,
) -> None:
    import pandas as pd

    monkeypatch.setattr(masking, "PARALLEL_FROM", 4)
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "2")
    texts = [f"ring 070-123 45 {i:02d}" for i in range(8)]
    frame = pd.DataFrame({"note": pd.array(texts, dtype="string")})
    # the second half's matchers have no find: the started process fails, and this one
    # masking that half itself fails alike
    with pytest.raises(AttributeError, match="find"):
        masking._mask_column(frame, "note", [None] * 4 + [0] * 4, None, None)
    assert frame["note"].tolist() == texts  # nothing half-masked was written


def test_a_part_the_started_process_cannot_mask_is_masked_here(monkeypatch) -> None:
    import pandas as pd

    monkeypatch.setattr(masking, "PARALLEL_FROM", 4)
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "2")
    texts = [f"ring 070-123 45 {i:02d}, 19121212-1212" for i in range(8)]
    masked = ["ring [TEL], [PNR]"] * 8
    started: list[object] = []
    real = masking._Helper.result

    def result(self):
        started.append(self.process)
        return real(self)

    monkeypatch.setattr(masking._Helper, "result", result)
    for case in ("fails", "cannot start", "cannot be sent"):
        normalise = None
        if case == "fails":
            monkeypatch.setattr(masking, "_HELPER_CODE", "import sys; sys.exit(1)")
        elif case == "cannot start":
            monkeypatch.setattr(masking.sys, "executable", "/nonexistent/python")
        else:
            normalise = lambda text: text  # noqa: E731 (a lambda cannot be pickled)
        frame = pd.DataFrame({"note": pd.array(texts, dtype="string")})
        counts = masking._mask_column(frame, "note", [None] * 8, None, normalise)
        assert frame["note"].tolist() == masked, case
        assert counts["TEL"] == counts["PNR"] == 8, case
    assert started[0] is not None and started[1:] == [None, None]


# -- the stems that let the passport search run -------------------------------------------
@pytest.mark.parametrize(
    "word",
    [
        "pass", "passet", "passnummer", "passport no", "passi", "passinumero", "id-kort",
        "idkort", "ID-kortet", "IDkortets", "identitetskort", "identitets-kort",
        "Identitets-kortets", "idkortsnummer", "henkilökortti", "henkilöllisyystodistus",
    ],
)  # fmt: skip
def test_every_word_before_a_passport_number_lets_the_search_run(word: str) -> None:
    text = f"Hon visade {word} AB1234567 igen"
    assert patterns._PASSPORT.search(text) is not None  # the word is one of the pattern's
    assert patterns._holds(caseless.lowered(text), patterns._PASSPORT_STEMS)
    assert ("passport", 12 + len(word), 21 + len(word)) in set(patterns.find(text))
