"""Intake masking's cheaper searches (issue 22) give exactly what the plain searches they
replace give: each is compared here with the straightforward code it replaced, on tricky
pieces joined at random and on arbitrary text (hypothesis).

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


_ANY_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(_PIECES), max_size=24).map("".join),
)


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
