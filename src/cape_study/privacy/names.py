"""The names of a case file's parties, found in a text word by word.

The whole name anywhere, in any case, also with a Swedish genitive ``s``; its first or
last name alone where unambiguous, that is, when it is written with a capital, has at
least three letters, is not a name particle (*von*, *af* ...) or an ordinary word that
starts sentences (*Per*, *Hans*, *Mark* ...), and the name is not a company's
(``... AB``, ``... Oy``). A first or last name is also found, written with a capital,
in the Finnish cases (:func:`finnish_stems`: *Virtasen*, *Virtaselle*, *Virtasta*,
*Mikon*, *Lindqvistille*) when a matcher holds at most :data:`INFLECTED_UP_TO` of them
(a case's own parties, as document texts are masked).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import importlib.resources
import json
import os
import pickle
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "INFLECTED_UP_TO",
    "ROLE_CUES",
    "Lexicon",
    "PartyNames",
    "UnlistedNames",
    "finnish_forms",
    "finnish_stems",
    "lexicon",
]

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

#: Finnish case endings (and the clitic *-kin*) after a name's stem: genitive, partitive,
#: essive, translative, inessive, elative, illative, adessive, ablative, allative,
#: abessive, comitative, plural.
_FI_ENDING_SET = _words(
    "n a ä ta tä na nä ksi ssa ssä sta stä lla llä lta ltä lle tta ttä ine "
    "en in on un yn än ön an han hen hin hon hun hyn hän hön t kin nkin"
)
#: A matcher with at most this many first and last names also finds their Finnish
#: inflected forms (the pattern of every party of a large case file would be too slow).
INFLECTED_UP_TO = 64
_FI_GRADATION = (("kk", "k"), ("pp", "p"), ("tt", "t"))


def finnish_stems(name: str) -> set[str]:
    """The stems a Finnish case ending follows on a (case-folded) name: *virtanen* ->
    *virtase-*, *virtas-*; *mikko* -> *mikko-*, *miko-* (consonant gradation of a double
    k, p or t); *lindqvist* -> *lindqvist-*, *lindqvisti-*."""
    if name.endswith("nen"):
        return {name[:-3] + "se", name[:-3] + "s"}
    stems = {name}
    if name[-1:].isalpha() and name[-1] not in "aeiouyäöå":
        stems.add(name + "i")
    for double, single in _FI_GRADATION:
        if name[-3:-1] == double:
            stems.add(name[:-3] + single + name[-1])
    return stems


def finnish_forms(names: Iterable[str]) -> dict[str, list[str]]:
    """The stems of the Finnish inflected forms of ``names`` (case-folded first and last
    names of at least four letters) by their first four letters."""
    found: dict[str, list[str]] = {}
    for stem in {st for n in names if len(n) >= 4 for st in finnish_stems(n)}:
        if len(stem) >= 4:
            found.setdefault(stem[:4], []).append(stem)
    return found


def _inflected(words: Iterable[str], stems: dict[str, list[str]]) -> set[str]:
    """The (case-folded) words that are a stem of ``stems`` and a Finnish case ending."""
    return {
        w
        for w in words
        if w[:4] in stems
        and any(w.startswith(st) and w[len(st) :] in _FI_ENDING_SET for st in stems[w[:4]])
    }


def _finnish_base(word: str, names: frozenset[str]) -> bool:
    """Whether ``word`` (case-folded) is a name of ``names`` in a Finnish case: a case
    ending after the name (*Annalle*), or after its stem with a double k, p or t made
    single (*Pekan*, *Mikolle*); the name of at least four letters."""
    for ending in _FI_ENDING_SET:
        base = word[: -len(ending)]
        if not word.endswith(ending) or len(base) < 4:
            continue
        if base in names:
            return True
        if base[-2] in "kpt" and base[-1] in "aeiouyäö" and base[:-1] + base[-2:] in names:
            return True
    return False


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
        self._stems: dict[str, list[str]] | None = None

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
        genitive or a colon ending (:func:`_base`), or (for a matcher of at most
        :data:`INFLECTED_UP_TO` parts) a part's Finnish inflected form written with a
        capital (:func:`finnish_forms`), can start a name; they are found with set
        operations, and the text is walked word by word only from them.
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
        if self._stems is None:
            self._stems = finnish_forms(self.parts) if len(self.parts) <= INFLECTED_UP_TO else {}
        inflected = _inflected(set(folded), self._stems) - hits if self._stems else set()
        hits |= inflected
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
            elif (
                _base(folded[i]) & self.parts
                and (words[i].group()[:1].isupper() or len(folded[i]) >= 4)
            ) or (folded[i] in inflected and words[i].group()[:1].isupper()):
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


# -- people the case file does not list ---------------------------------------------------
#: Words for the roles of people who appear in records but are not parties: police,
#: prosecutors, interpreters, witnesses, counsel, judges (Swedish and Finnish, with their
#: definite and inflected forms). A capitalised name after one is masked.
ROLE_CUES = (
    "kriminalinspektör|polisinspektör|inspektör|kriminalkommissarie|kommissarie|"
    "polisassistent|polisman|polis|utredare|förundersökningsledare|"
    "chefsåklagare|kammaråklagare|vice chefsåklagare|åklagare|tolk|vittne|"
    "målsägandebiträde|målsägande|offentlig försvarare|försvarare|advokat|biträde|"
    "rådman|domare|nämndeman|handläggare|socialsekreterare|god man|herr|fru|"
    "rikoskomisario|rikosylikonstaapeli|ylikonstaapeli|vanhempi konstaapeli|konstaapeli|"
    "komisario|poliisi|tutkija|tutkinnanjohtaja|kihlakunnansyyttäjä|aluesyyttäjä|"
    "johtava syyttäjä|syyttäjä|tulkki|todistaja|asianomistaja|avustaja|asianajaja|"
    "puolustaja|käräjätuomari|tuomari|sosiaalityöntekijä"
)
_CAPITAL = r"[A-ZÅÄÖÆØÜÉÈŁŚŻŹĆŃŠŽČ][\w'’]*(?:-[A-ZÅÄÖ][\w'’]*)?"
_CUED = re.compile(
    rf"(?i:\b(?:{ROLE_CUES})(?:en|et|n|t|na|erna|arna|a|n|t|lle|n|ä)?)"
    rf"(?:\s*[:,(]\s*|\s+)(?P<name>{_CAPITAL}(?:\s+(?:(?:von|af|van|de|da|el|al)\s+)?{_CAPITAL}){{0,3}})"
)
# A lookahead, so that every capitalised word is tried as a first name (Enligt Maria ...).
_PAIR = re.compile(
    rf"(?<![\w'’-])(?=(?P<first>{_CAPITAL})\s+(?P<rest>{_CAPITAL}(?:\s+{_CAPITAL})?))"
)
_LEXICON_VERSION = "names-dataset 3.3.1; SE, FI all; 28 countries to 2000; any to 500"
#: Countries whose first and last names the lexicon holds: all of Sweden's and Finland's,
#: and the commonest (rank up to 2,000) of the countries most victims, suspects and
#: interpreters in the study come from.
_HOME = ("SE", "FI")
_ABROAD = (
    "NO", "DK", "EE", "LT", "LV", "PL", "RO", "BG", "UA", "RU", "BY", "TH", "VN", "PH",
    "CN", "IN", "BD", "PK", "AF", "IQ", "SY", "IR", "TR", "SO", "ER", "ET", "NG", "MA",
)  # fmt: skip
_ABROAD_RANK = 2000
#: and the commonest (rank up to 500) of any country.
_ANY_RANK = 500


class Lexicon(NamedTuple):
    """First names and last names (case-folded) known to the name lexicon."""

    first: frozenset[str]
    last: frozenset[str]


@functools.cache
def lexicon() -> Lexicon:
    """The name lexicon: first and last names from the *names-dataset* package (Remy,
    ``philipperemy/name-dataset``, version 3.3.1: 730,000 first and 983,000 last names
    with their rank per country, from the 2021 Facebook leak, shipped inside the
    package; no download). It is chosen because it is maintained, installs from PyPI
    with its data, covers Swedish and Finnish names and those of the countries victims
    and interpreters come from, and runs without a model download (spaCy and Stanza
    Swedish/Finnish models cannot be installed from PyPI). Reading the package's data
    takes about 40 s and 1 GB, so the names kept (all ranked in Sweden or Finland, the
    commonest of :data:`_ABROAD` and of any country) are stored once in the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``, ``cape-study/``)."""
    cache = _cache_file()
    if cache is not None and cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("source") == _LEXICON_VERSION:
            return Lexicon(frozenset(data["first"]), frozenset(data["last"]))
    found = Lexicon(_read_names("first_names"), _read_names("last_names"))
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
            payload = {"source": _LEXICON_VERSION, "first": sorted(found.first)}
            payload["last"] = sorted(found.last)
            tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, cache)
    return found


def _cache_file() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cape-study" / "name-lexicon.json" if base else None


def _read_names(which: str) -> frozenset[str]:
    data = importlib.resources.files("names_dataset") / "v3" / f"{which}.pkl.gz"
    with data.open("rb") as raw, gzip.open(raw) as fh:
        names = pickle.load(fh)
    kept = set()
    for name, info in names.items():
        ranks = info.get("rank") or {}
        best = min((r for r in ranks.values() if r), default=_ABROAD_RANK + 1)
        if (
            any(c in ranks for c in _HOME)
            or best <= _ANY_RANK
            or any((ranks.get(c) or _ABROAD_RANK + 1) <= _ABROAD_RANK for c in _ABROAD)
        ):
            kept.add(name.casefold())
    return frozenset(kept)


#: Capitalised words that start sentences or name institutions, never taken as a name
#: after a first name (``Per Capsulam``, ``Dag Efter``).
_NOT_NAMES = _words(
    "polisen åklagaren tingsrätten hovrätten högsta domstolen migrationsverket "
    "skatteverket arbetsmiljöverket kronofogden länsstyrelsen kommunen sverige finland "
    "stockholm göteborg malmö helsingfors helsinki uppsala och eller men att som den det "
    "de han hon hen vi ni jag ja tai että hän he me te se ne kun ab oy ky"
)


class UnlistedNames:
    """Finds names of people the case file does not list: a capitalised name after a
    role word (:data:`ROLE_CUES`: *kriminalinspektör Lars Berg*, *tulkki Ana Popescu*),
    and two or three capitalised words of which the first is a first name in the
    :func:`lexicon`, also in a Finnish case (*Anna Lindqvist*, *Mikko Virtasen*, *Pekan
    Virtasen*, *Annalle Korhoselle*)."""

    def __init__(self, names: Lexicon | None = None) -> None:
        self.names = lexicon() if names is None else names

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """The spans of the names found in ``text`` (they may overlap)."""
        for m in _CUED.finditer(text):
            words = m.group("name")
            if words.split()[0].casefold() not in _NOT_NAMES:
                yield m.start("name"), m.end("name")
        first = self.names.first
        for m in _PAIR.finditer(text):
            rest = m.group("rest").split()
            given = m.group("first").casefold()
            known = given in first or (
                # an inflected first name, not before a company's or a heading's words
                _finnish_base(given, first)
                and not (_COMPANY_FORMS & {w.casefold() for w in rest})
                and not any(w.isupper() and len(w) > 2 for w in rest)
            )
            if known and rest[0].casefold() not in _NOT_NAMES:
                end = m.end("rest") if rest[-1].casefold() not in _NOT_NAMES else m.end("first")
                yield m.start("first"), max(end, m.start("rest") + len(rest[0]))
