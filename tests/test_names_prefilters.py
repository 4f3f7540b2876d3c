"""The fast paths of :mod:`cape_study.privacy.names` find exactly what the plain ways
they replace find: the role words' tree (:func:`names._trie`), the texts skipped
without a verb or a role word in brackets, the pairs skipped by their first word
(:meth:`UnlistedNames._given`).

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import random
import re

import pytest

from cape_study.privacy import caseless, names
from cape_study.privacy.names import UnlistedNames

_PIECES = [
    " ", "  ", "\n", "\t", ", ", ": ", ". ", "(", ")", "-", "'", "’", ".", ":", "x", "7",
    "a", "A", "s", "n", "en", "et", "ssa", "lle", "kin", "in",
    "polis", "Polis", "POLISINSPEKTÖR", "polisen", "polisman", "åklagaren", "Åklagare",
    "kammaråkl.", "krim.insp.", "krim. insp", "Krim.Insp", "krinsp", "insp.", "inspektör",
    "komm.", "kommissarie", "vanh. konst.", "vanh.konst", "ylikonst.", "rikoskom.",
    "vittnet", "tulkki", "tulkkina", "toimi", "god man", "God Man", "vice chefsåklagare",
    "förhörsledaren", "herr", "fru", "tolk", "(tolk)", "(Tolk i thai)", "tolkar",
    "Uppger", "Uppgav", "uppger", "Kertoi", "Sanoi", "Väitti", "Ilmoittaa", "Sade",
    "Uppger ", " Kertoi ", ". Medgav ", "Sanoo\t", "xSäger ",
    "enligt", "Enligt", "av", "med", "mukaan", "och", "ja", "AB", "Oy",
    "Anna", "anna", "Mikko", "Mikon", "Pekan", "Annalle", "Maria", "Per", "Hans", "Olin",
    "Berg", "berg", "Lindqvist", "Virtanen", "Virtasen", "Korhoselle", "Svensson",
    "Nguyen", "Nguyenin", "Popescu", "Kovalchukille", "Phromma", "Boonmee",
    "Stockholm", "Turussa", "Suomen", "Pankki", "Svea", "hovrätt", "Bygg", "Dom", "B",
    "1770-21", "von", "af", "de la", "Klercker", "Cruz:s", "Dang:a", "FU", "ANNA", "BERG",
    "İnge", "ſyyttäjä", "poliıſi",
]  # fmt: skip


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 24))) for _ in range(n)]


def _everywhere(pattern: str, text: str) -> list[int]:
    """Every place where ``pattern`` matches in ``text``."""
    return [m.start() for m in re.finditer(f"(?={pattern})", text)]


@pytest.mark.parametrize("seed", range(3))
def test_the_role_words_tree_matches_where_the_role_words_do(seed: int) -> None:
    plain = rf"\b(?:{names.ROLE_CUES})"
    words = names.ROLE_CUES.split("|")
    texts = [*_texts(3000, seed), " ".join(words), "".join(words), "x".join(words)]
    for text in texts:
        for low in {text.lower(), caseless.lowered(text) or ""}:
            assert _everywhere(names._CUE_START.pattern, low) == _everywhere(plain, low), low
    # a word covered by a shorter one it starts with (polisinspektör by polis) is still found
    assert _everywhere(names._CUE_START.pattern, "polisinspektör kriminalinspektör") == [0, 15]


def test_the_tree_of_words_covers_each_word() -> None:
    assert names._trie("ab|ac|a|b\\.?|cd\\s?e") == "(?:a|b\\.?|cd\\s?e)"
    assert names._trie("abc|abd") == "ab(?:c|d)"


@pytest.mark.parametrize("seed", range(3))
def test_texts_skipped_have_no_match(seed: int) -> None:
    """A text without a verb of :data:`names._SAYS_FIRST` or a role word after a bracket
    has no match of the pattern that is then not searched."""
    says = brackets = 0
    for text in _texts(4000, seed):
        if names._SAYS_FIRST.search(text):
            says += 1
            assert names._SAYS_FIRST_VERB.search(text), text
        if names._BEFORE_ROLE.search(text):
            brackets += 1
            assert names._BRACKET_ROLE.search(text), text
    assert says > 20 and brackets > 20, (says, brackets)  # not vacuous


class _EveryPair(UnlistedNames):
    """:class:`UnlistedNames` that tries every match of :data:`names._PAIR` in full."""

    def __init__(self) -> None:
        super().__init__()
        self._givens = {}  # its own: not the shared words' decisions

    def _given(self, given: str) -> bool:
        return True


@pytest.mark.parametrize("seed", range(3))
def test_pairs_skipped_by_their_first_word_are_no_name(seed: int) -> None:
    fast, every = UnlistedNames(), _EveryPair()
    found = 0
    for text in _texts(3000, seed):
        spans = list(fast.find(text))
        assert spans == list(every.find(text)), text
        found += bool(spans)
        for m in names._PAIR.finditer(text):
            if not fast._given(text[m.start() : m.end("tail")].casefold()):
                assert every._pair(text, m) is None, text
    assert found > 150, found  # not vacuous


#: The patterns whose first letter now comes before their lookbehind, as they were.
_LOOKBEHIND_FIRST = {
    "_CAPITAL_BEFORE": rf"(?<![\w'’-])(?P<name>{names._CAPITAL})$",
    "_BEFORE": r"(?<![\w'’-])(?P<before>[a-zåäöéü]+),?$",
    "_NAME_BEFORE_ROLE": (
        rf"(?<![\w'’-])(?P<name>{names._CAPITAL}(?:[ ]+(?:{names._PARTICLE}[ ]+)?"
        rf"{names._CAPITAL}){{1,2}})(?:[ \t]+|[ ]*,[ ]*|[ ]+[-–][ ]+)$"
    ),
}


@pytest.mark.parametrize("seed", range(3))
def test_letter_first_patterns_match_as_lookbehind_first(seed: int) -> None:
    """Searched in a window before a place, as the finders search them."""
    rng = random.Random(seed)
    found = dict.fromkeys(_LOOKBEHIND_FIRST, 0)
    for text in _texts(2000, seed):
        for name, plain in _LOOKBEHIND_FIRST.items():
            fast, slow = getattr(names, name), re.compile(plain)
            after = [i + 1 for i, ch in enumerate(text) if ch in " ,\t"]  # before a word
            for _ in range(3):
                end = (
                    rng.choice(after) if after and rng.random() < 0.7 else rng.randint(0, len(text))
                )
                start = max(0, end - rng.choice([1, 5, 40, 80]))
                a, b = fast.search(text, start, end), slow.search(text, start, end)
                assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict()))
                found[name] += a is not None
    assert min(found.values()) > 20, found  # not vacuous


def test_lowered_remembers_only_the_same_text() -> None:
    text = "Polis Åsa"
    assert caseless.lowered(text) == "polis åsa"
    assert caseless.lowered(text) == "polis åsa"
    assert caseless.lowered("Polis İnge") is None
    assert caseless.lowered("Polis ınge") is None
    assert caseless.lowered("ſnabel") is None
    assert caseless.lowered("POLIS") == "polis"
    for text in _texts(2000, 5):
        odd = any(ch in text for ch in caseless.ODD)
        assert caseless.lowered(text) == (None if odd else text.lower()), text
