"""The names of a case file's parties, found in a text word by word.

The whole name anywhere, in any case, also with a Swedish genitive ``s``; its first or
last name alone where unambiguous, that is, when it is written with a capital, has at
least three letters, is not a name particle (*von*, *af* ...) or an ordinary word that
starts sentences (*Per*, *Hans*, *Mark* ...), and the name is not a company's
(``... AB``, ``... Oy``). Finnish inflected forms (*Virtasen*) are not recognised.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator

__all__ = ["PartyNames"]

_WORD = re.compile(r"\w+(?:['\u2019:-]\w+)*")
_GENITIVE = ("s", "'s", "\u2019s")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_COMPANY_FORMS = _words("ab hb kb ek oy oyj ky ay tmi ltd llc inc gmbh as aps sa srl bv plc spa sp")
_PARTICLES = _words("af al bin da de del der di du el la le van von zu")
#: Given names and surnames that are also ordinary words at the start of a sentence.
_ORDINARY = _words(
    "per hans mark dag bo sten björn ulf stig axel sol vide rose grace joy hope faith will "
    "may june april august bill onni toivo usko lahja armas valo tuuli satu aamu ilta "
    "lumi into voitto sulo"
)

_NOT_PARTS = _PARTICLES | _ORDINARY


class PartyNames:
    """Matches the names of a case file's parties in a text, word by word.

    ``index`` maps a first word to the whole names (as tuples of case-folded words)
    that start with it; they are matched in any case, with any whitespace between the
    words and a genitive ending allowed on the last word. ``parts`` are the first and
    last names that are also matched alone, where written with a capital.
    """

    def __init__(
        self,
        index: dict[str, list[tuple[str, ...]]],
        parts: frozenset[str],
        triggers: frozenset[str] | None = None,
    ) -> None:
        """``triggers`` are :meth:`triggers` of the index (computed when not given:
        matchers that share an index can share them)."""
        self.index, self.parts, self._triggers = index, parts, triggers
        self._part_triggers: frozenset[str] | None = None

    @classmethod
    def of(cls, names: Iterable[str]) -> PartyNames:
        names = list(names)
        return cls(cls.build_index(names), cls.part_set(names))

    @staticmethod
    def build_index(names: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
        found: dict[str, set[tuple[str, ...]]] = {}
        for name in names:
            words = tuple(w.casefold() for w in _WORD.findall(str(name)))
            if words:
                found.setdefault(words[0], set()).add(words)
        return {k: sorted(v, key=len, reverse=True) for k, v in found.items()}

    @staticmethod
    def part_set(names: Iterable[str]) -> frozenset[str]:
        """The first and last names that are unambiguous alone (see the module
        docstring): not of a company, at least three letters, no particle or ordinary
        word."""
        parts: set[str] = set()
        for name in names:
            words = [w.casefold() for w in _WORD.findall(str(name))]
            if len(words) < 2 or words[-1] in _COMPANY_FORMS:
                continue
            parts.update(
                w for w in words if sum(ch.isalpha() for ch in w) >= 3 and w not in _NOT_PARTS
            )
        return frozenset(parts)

    @staticmethod
    def triggers(words: Iterable[str]) -> frozenset[str]:
        """The words of a text in which one of ``words`` (first words of whole names, or
        parts) may start: each word alone and with a genitive ending (:func:`_base`)."""
        return frozenset(w + end for w in words for end in ("", *_GENITIVE))

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """The spans of the names in ``text``, in order, not overlapping.

        Only the words that are a name's first word or a part, alone or with a
        genitive or a colon ending (:func:`_base`), can start a name; they are found
        with set operations, and the text is walked word by word only from them.
        """
        folded = list(map(str.casefold, _WORD.findall(text)))
        if self._triggers is None:
            self._triggers = self.triggers(self.index)
        part_triggers = self._part_triggers
        if part_triggers is None:
            part_triggers = self.triggers(self.parts)
            if len(self.parts) > 64:  # kept for every party's parts, not for one case's few
                self._part_triggers = part_triggers
        hits = self._triggers.intersection(folded) | part_triggers.intersection(folded)
        starts = set()
        for word in hits:  # where each occurs, found by list.index
            i = -1
            with contextlib.suppress(ValueError):
                while True:
                    i = folded.index(word, i + 1)
                    starts.add(i)
        if ":" in text:
            starts.update(i for i, word in enumerate(folded) if ":" in word)
        if not starts:
            return
        words = list(_WORD.finditer(text))
        after = 0
        for i in sorted(starts):
            if i < after:
                continue
            last = self._whole_name_at(text, words, folded, i)
            if last is not None:
                yield words[i].start(), words[last].end()
                after = last + 1
            elif words[i].group()[:1].isupper() and _base(folded[i]) & self.parts:
                yield words[i].start(), words[i].end()

    def _whole_name_at(
        self, text: str, words: list[re.Match[str]], folded: list[str], i: int
    ) -> int | None:
        """The index of the last word of a whole name starting at word ``i``, or None."""
        for first in _base(folded[i]):
            for name in self.index.get(first, ()):
                if first != folded[i] and len(name) > 1:
                    continue  # a genitive ending belongs on the last word only
                last = i + len(name) - 1
                if last >= len(words):
                    continue
                same = all(
                    folded[i + k] == name[k]
                    or (k == len(name) - 1 and name[k] in _base(folded[i + k]))
                    for k in range(1, len(name))
                )
                if same and all(
                    text[words[j].end() : words[j + 1].start()].isspace() for j in range(i, last)
                ):
                    return last
        return None


def _base(word: str) -> set[str]:
    """A word and, when it ends in a genitive or a case ending after a colon (Swedish
    *Cruz:s*, Finnish *Dang:a*), the word without it."""
    stems = {word[: -len(g)] for g in _GENITIVE if word.endswith(g) and len(word) > len(g)}
    if ":" in word:
        stems.add(word.split(":", 1)[0])
    return {word} | stems
