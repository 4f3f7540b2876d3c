"""Masking's fast paths (issue 22) find exactly what the plain searches they replace find,
on tricky and random texts: the party-name search from one split of the text.

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from cape_study.privacy import identifiers, names
from cape_study.stats.textcoding import texts

_NAMES = [
    "Anna Svensson",
    "Anna Maria Svensson",
    "Mikko Virtanen",
    "Maria von Berg",
    "Kalle Anka AB",
    "Lars Cruz",
    "Eva-Lotta Åström",
    "Kim O'Neil",
    "Berg",
]
_PIECES = [
    " ", "  ", "\n", "\u00a0", "\t", ", ", ": ", ".", "-", "'", "\u2019", "s", ":s", ":a",
    "Anna", "ANNA", "anna", "Annas", "Anna's", "Maria", "maria", "Svensson", "svensson",
    "Svenssons", "Svensson:s", "Mikko", "Mikon", "Virtanen", "Virtasen", "Virtaselle", "von",
    "Berg", "berg", "Berg's", "AB", "Kalle", "Anka", "Lars", "Cruz", "Cruz:s", "Eva-Lotta",
    "Åström", "Kim", "O'Neil", "O\u2019Neil", "och", "ja", "7", "x", "é", "_",
]  # fmt: skip


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 16))) for _ in range(n)]


def _find_walking_match_objects(matcher: names.PartyNames, text: str) -> list[tuple[int, int]]:
    """PartyNames.find as written before the split: the words as match objects, the text
    between two words sliced from the text."""
    words = list(names._WORD.finditer(text))
    folded = [w.group().casefold() for w in words]
    hits = names.PartyNames.triggers(matcher.index).intersection(folded)
    hits |= names.PartyNames.triggers(matcher.parts).intersection(folded)
    stems = names.finnish_forms(matcher.parts) if len(matcher.parts) <= 64 else {}
    inflected = names._inflected(set(folded), stems) - hits if stems else set()
    hits |= inflected
    starts = {i for i, w in enumerate(folded) if w in hits or ":" in w}
    found, after = [], 0
    for i in sorted(starts):
        if i < after:
            continue
        last = None
        for first in names._base(folded[i]):
            for name in matcher.index.get(first, ()):
                end = i + len(name) - 1
                if (first != folded[i] and len(name) > 1) or end >= len(words):
                    continue
                same = all(
                    folded[i + k] == name[k]
                    or (k == len(name) - 1 and name[k] in names._base(folded[i + k]))
                    for k in range(1, len(name))
                )
                gaps = (text[words[j].end() : words[j + 1].start()] for j in range(i, end))
                if same and all(g.isspace() for g in gaps):
                    last = end
                    break
            if last is not None:
                break
        if last is not None:
            found.append((words[i].start(), words[last].end()))
            after = last + 1
        elif (
            names._base(folded[i]) & matcher.parts
            and (words[i].group()[:1].isupper() or len(folded[i]) >= 4)
        ) or (folded[i] in inflected and words[i].group()[:1].isupper()):
            found.append((words[i].start(), words[i].end()))
    return found


@pytest.mark.parametrize("seed", range(3))
def test_party_names_from_one_split_equal_walking_match_objects(seed: int) -> None:
    everyone = names.PartyNames.of(_NAMES)
    own = names.PartyNames(everyone.index, names.PartyNames.part_set(_NAMES[2:5]))
    tricky = [
        "",
        "Anna Svenssons bil; ANNA  SVENSSON:\nsa att Svensson:s vän",
        "Maria von\nBerg och maria von berg; Berg's. Mikon ja Virtaselle",
        "Anna Maria Svensson, Anna Maria, Anna-Maria Svensson",
        "Kalle Anka AB:s vd; Cruz:s; Lars Cruz:a",
        "Eva-Lotta Åström och O\u2019Neil, Kim O'Neil",
    ]
    found = 0
    for text in tricky + _texts(2000, seed):
        for matcher in (everyone, own):
            fast = list(matcher.find(text))
            assert fast == _find_walking_match_objects(matcher, text), text
            found += len(fast)
    assert found > 1000  # not a vacuous comparison
    assert list(own.find("Mikon auto, Anna Svenssons")) == [(0, 5), (12, 26)]


# -- identity numbers: the patterns tried only where their hints are -------------------
_NUMBER_PIECES = [
    "0", "1", "2", "5", "9", "19", "20", "550114", "2284", "5501", "14", "811218", "9876",
    "131052", "308T", "308t", "1310", "52", "0101", "010101", "\u0663", "\uff15", "-",
    "\u2011", "\u2212", "+", ".", ",", "/", "_", ":", "~", " ", "  ", "\n", "\n\n", "\t",
    "\u00a0", "-\n", "A", "x", "K", "é", "nr", "Dom ",
]  # fmt: skip
_NUMBERS = [
    "550114-2284",
    "19550114-2284",
    "5501-\n14-2284",
    "5501\n142284 x",
    "pnr 5501\n142284",
    "811218~9876",
    "131052-308T",
    "2019-03-01 550114 - 2284",
    "1955011422845501142284",
    "55011-4-2-2-8-4",
]


def _number_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = _NUMBER_PIECES + _NUMBERS
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 20))) for _ in range(n)]


def _spans(matches: object) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", range(3))
def test_identity_number_searches_from_hints_equal_the_whole_search(seed: int) -> None:
    rng = random.Random(seed)
    found = broken = 0
    for text in _NUMBERS + _number_texts(3000, seed):
        pos = rng.randint(0, len(text))
        for start in (0, pos):
            plain = _spans(identifiers._PNR.finditer(text, start))
            assert _spans(identifiers._pnr_matches(text, start)) == plain, (text, start)
            hetu = identifiers._matches_from_hints(
                identifiers._HETU, identifiers._HETU_HINT, text, start
            )
            assert _spans(hetu) == _spans(identifiers._HETU.finditer(text, start)), text
            found += len(plain)
        whole = [
            (kind, m.start(), m.end())
            for m in identifiers._PNR_BROKEN.finditer(text)
            if (kind := identifiers._broken_kind(text, m))
        ]
        assert list(identifiers._broken(text)) == whole, text
        broken += len(whole)
    assert found > 500 and broken > 100, (found, broken)  # not vacuous comparisons


def test_a_run_of_digits_is_what_backslash_d_matches() -> None:
    digit = re.compile(r"\d")
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert bool(digit.match(ch)) == ch.isdecimal(), hex(code)


# -- text normalisation: the keys of the lines only when a short line recurs --------------
def _strip_without_pages_every_key(text: str) -> str:
    """_strip_page_furniture of a text without pages, as first written: every line's key."""
    lines = text.split("\n")
    keys = [texts._furniture_key(line) for line in lines]
    counts: dict[str, int] = {}
    for line, key in zip(lines, keys, strict=True):
        if line.strip() and len(line.strip()) <= 80:
            counts[key] = counts.get(key, 0) + 1
    drop = set()
    for i, (line, key) in enumerate(zip(lines, keys, strict=True)):
        repeated = line.strip() and counts.get(key, 0) >= 3
        if texts._PAGE_NUMBER.match(line.strip()) or repeated:
            drop.add(i)
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


@pytest.mark.parametrize("seed", range(3))
def test_page_furniture_of_a_text_without_pages_equals_keying_every_line(seed: int) -> None:
    rng = random.Random(seed)
    lines = [
        "", " ", "Sida 1 av 3", "sida 2", "- 3 -", "2 (5)", "12", "Polismyndigheten",
        "POLISMYNDIGHETEN  ", "Ärende 5000-K12-19", "Ärende 5000-K13-20", "Beslut",
        "x" * 81, "  " + "x" * 79 + "  ", "Anna  Svensson 550114-2284", "\t", "a" * 80 + " 1",
        "a" * 80 + " 22",
        "Beslut 7",
        "Beslut" + " " * 80 + "12",  # a long line with the key of a short one
    ]  # fmt: skip
    dropped = 0
    for _ in range(3000):
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(1, 12)))
        fast = texts._strip_page_furniture(text)
        assert fast == _strip_without_pages_every_key(text), text
        dropped += fast.count("\n") < text.count("\n")
    assert dropped > 1000  # not a vacuous comparison


# -- unlisted names: the pair rule's search skips to capitals ------------------------------
_PAIR_AS_LOOKAHEAD = re.compile(
    rf"(?<![\w'’-])(?=(?P<first>{names._CAPITAL})\s+"
    rf"(?P<rest>(?:{names._PARTICLE}\s+)?{names._CAPITAL}(?:\s+{names._CAPITAL})?))"
)


@pytest.mark.parametrize("seed", range(3))
def test_pair_search_from_a_capital_equals_the_lookahead(seed: int) -> None:
    tricky = [
        "Anna Lindqvist och Eva-Lotta Åström-Berg, enligt Maria Anna Svensson",
        "x-Anna Berg; 'Anna Berg; ’Anna Berg; _Anna Berg; 7Anna Berg; \nAnna\n\nBerg",
        "ÅSA ÖBERG, Łukasz Żak, Čeněk Šťastný, Émile Zola",
        "Anna", "Anna ", "A B C D", "",
    ]  # fmt: skip
    found = 0
    for text in tricky + _texts(3000, seed):
        fast = [(m.start(), m.end("tail"), m.span("rest")) for m in names._PAIR.finditer(text)]
        plain = [
            (m.start(), m.end("first"), m.span("rest")) for m in _PAIR_AS_LOOKAHEAD.finditer(text)
        ]
        assert fast == plain, text
        found += len(fast)
    assert found > 300  # not a vacuous comparison
