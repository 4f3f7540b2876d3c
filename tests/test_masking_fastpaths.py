"""Masking's fast paths (issue 22) find exactly what the plain searches they replace find,
on tricky and random texts: the party-name search from one split of the text."""

from __future__ import annotations

import random

import pytest

from cape_study.privacy import names

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
