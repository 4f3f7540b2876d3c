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
import itertools
import re
from collections.abc import Iterable, Iterator

from cape_study.privacy import caseless
from cape_study.privacy.lexicon import Lexicon, lexicon
from cape_study.privacy.places import MUNICIPALITIES

__all__ = [
    "INFLECTED_UP_TO",
    "ROLE_CUES",
    "Lexicon",
    "NameIndex",
    "PartyNames",
    "UnlistedNames",
    "finnish_forms",
    "finnish_stems",
    "lexicon",
]

_WORD = re.compile(r"\w+(?:['\u2019:-]\w+)*")
#: :data:`_WORD` as the separator of :func:`re.split`: the gaps and the words alternately.
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")
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
_FI_ENDING_LONGEST = max(map(len, _FI_ENDING_SET))
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
    for n in range(1, min(_FI_ENDING_LONGEST, len(word) - 4) + 1):
        if word[-n:] not in _FI_ENDING_SET:
            continue
        base = word[:-n]
        if base in names:
            return True
        if base[-2] in "kpt" and base[-1] in "aeiouyäö" and base[:-1] + base[-2:] in names:
            return True
    return False


class NameIndex(dict[str, list[tuple[str, ...]]]):
    """:meth:`PartyNames.build_index`: a first word -> the whole names that start with it,
    longest first; with the set of all of them and the lengths of each first word's
    (:meth:`lookups`), made once for the matchers that share the index."""

    _lookups: tuple[dict[str, tuple[int, ...]], frozenset[tuple[str, ...]]] | None = None

    def lookups(self) -> tuple[dict[str, tuple[int, ...]], frozenset[tuple[str, ...]]]:
        """The lengths of the names that start with each first word (longest first), and
        every name."""
        if self._lookups is None:
            lengths = {k: tuple(sorted({len(n) for n in v}, reverse=True)) for k, v in self.items()}
            self._lookups = lengths, frozenset(n for v in self.values() for n in v)
        return self._lookups


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
        if not isinstance(index, NameIndex):
            index = NameIndex(index)
        self.index, self.parts, self._triggers = index, parts, triggers
        self._part_triggers: frozenset[str] | None = None
        self._stems: dict[str, list[str]] | None = None

    @classmethod
    def of(cls, names: Iterable[str]) -> PartyNames:
        names = list(names)
        return cls(cls.build_index(names), cls.part_set(names))

    @staticmethod
    def build_index(names: Iterable[str]) -> NameIndex:
        found: dict[str, set[tuple[str, ...]]] = {}
        for name in names:
            words = tuple(w.casefold() for w in _WORD.findall(str(name)))
            if words:
                found.setdefault(words[0], set()).add(words)
        return NameIndex({k: sorted(v, key=len, reverse=True) for k, v in found.items()})

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
                w
                for w in words
                if len(w) >= 3
                and (w.isalpha() or sum(ch.isalpha() for ch in w) >= 3)
                and w not in _NOT_PARTS
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
        pieces = _WORD_SPLIT.split(text)  # the gaps and the words, alternately
        folded = list(map(str.casefold, pieces[1::2]))
        words = set(folded)
        if self._triggers is None:
            self._triggers = self.triggers(self.index)
        if self._part_triggers is None:
            self._part_triggers = self.triggers(self.parts)
        hits = self._triggers.intersection(words) | self._part_triggers.intersection(words)
        if self._stems is None:
            self._stems = finnish_forms(self.parts) if len(self.parts) <= INFLECTED_UP_TO else {}
        inflected = _inflected(words, self._stems) - hits if self._stems else set()
        hits |= inflected
        if ":" in text:  # every word with a colon (Cruz:s) is tried too
            hits |= {word for word in words if ":" in word}
        starts = set()
        for word in hits:  # where each occurs, found by list.index
            i = -1
            with contextlib.suppress(ValueError):
                while True:
                    i = folded.index(word, i + 1)
                    starts.add(i)
        if not starts:
            return
        # where each word starts and ends: pieces[2k + 1] is word k, after the gap pieces[2k]
        ends = list(itertools.accumulate(map(len, pieces)))
        gaps = pieces[2::2]
        after = 0
        for i in sorted(starts):
            if i < after:
                continue
            last = self._whole_name_at(gaps, folded, i)
            if last is not None:
                yield ends[2 * i], ends[2 * last + 1]
                after = last + 1
            elif (
                _base(folded[i]) & self.parts
                and (pieces[2 * i + 1][:1].isupper() or len(folded[i]) >= 4)
            ) or (folded[i] in inflected and pieces[2 * i + 1][:1].isupper()):
                yield ends[2 * i], ends[2 * i + 1]

    def _whole_name_at(self, gaps: list[str], folded: list[str], i: int) -> int | None:
        """The index of the last word of a whole name starting at word ``i``, or None
        (``folded``: the text's words case-folded; ``gaps[j]``: what is written between
        word ``j`` and the next): the longest name whose words are those of the text
        from word ``i`` on, a genitive ending allowed on its last word only, with only
        whitespace between them; looked up by its length in the set of the names."""
        lengths, whole = self.index.lookups()
        for first in _base(folded[i]):
            for size in lengths.get(first, ()):
                if first != folded[i] and size > 1:
                    continue  # a genitive ending belongs on the last word only
                last = i + size - 1
                if last >= len(folded):
                    continue
                if size > 1:
                    middle = (first, *folded[i + 1 : last])
                    if not any((*middle, end) in whole for end in _base(folded[last])):
                        continue
                if all(gaps[j].isspace() for j in range(i, last)):
                    return last
        return None


@functools.lru_cache(maxsize=1 << 16)
def _base(word: str) -> set[str]:
    """A word and, when it ends in a genitive or a case ending after a colon (Swedish
    *Cruz:s*, Finnish *Dang:a*), the word without it (remembered per word: the set is
    shared, not to be changed)."""
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
    "puolustaja|käräjätuomari|tuomari|sosiaalityöntekijä|kuulusteltava|kuulustelija|"
    "förhörsledare|förhörsledaren|närvarande|läsnä|misstänkte|misstänkt|tilltalade|tilltalad|"
    "epäilty|vastaaja|"
    # abbreviations in protocols: krim.insp., krinsp, insp., komm., åkl., ylikonst.
    r"krim\.\s?insp\.?|kriminalinsp\.|krinsp|polisinsp\.|insp\.|komm\.|kammaråkl\.|åkl\.|"
    r"ylikonst\.|vanh\.\s?konst\.|rikoskom\."
)
#: Words after which a name is expected although they are no role (an agent: *förhördes
#: av andersson*, *enligt Virtanen*): only a word of :attr:`Lexicon.plain` is taken.
_AGENT = re.compile(r"\b(?:av|enligt|hos|med|Av|Enligt|Hos|Med)\s+(?P<name>[^\W\d_][\w'’-]*)")
#: Verbs a name is expected before (*andersson uppgav*, *virtanen kertoi*): only a word
#: of :attr:`Lexicon.plain` is taken.
_SAYS = re.compile(
    r"\s(?:uppgav|uppger|berättade|berättar|sade|sa|säger|hördes|förhördes|medgav|nekade|"
    r"förnekade|erkände|kertoi|kertoo|sanoi|ilmoitti|totesi|kiisti|myönsi|kuultiin)\b"
)
_LAST_WORD = re.compile(r"(?<![\w'’-])(?P<name>[^\W\d_][\w'’-]*)$")
#: The capital letters of the Latin alphabets of names in the records (Swedish, Finnish,
#: Polish, Romanian *Ș Ț Ă Î*, Czech, Baltic, Turkish, Vietnamese written without its
#: tone marks ...): A-Z, Latin-1 and Latin Extended-A capitals, and Ș, Ț.
_UPPER = (
    "A-ZÀ-ÖØ-Þ"
    + "".join(ch for ch in map(chr, range(0x100, 0x180)) if ch.isupper() and ch != "\u0130")
    + "\u0218\u021a"
)
#: Their small letters (and the dotless i).
_LOWER = (
    "a-zß-öø-ÿ"
    + "".join(ch for ch in map(chr, range(0x100, 0x180)) if ch.islower())
    + "\u0219\u021b"
)
_CAPITAL_LETTER = f"[{_UPPER}]"
_CAPITAL_TAIL = r"[\w'’]*(?:-[A-ZÅÄÖ][\w'’]*)?"
_CAPITAL = _CAPITAL_LETTER + _CAPITAL_TAIL
#: Name particles between a first and a last name (*von Essen*, *de la Cruz*, *van der Berg*).
_PARTICLE = (
    r"(?:von der|von|af|van der|van den|van|de la|de los|de|da|dos|das|del|di|du|el|al|bin|ibn)"
)
#: What a label may add to its role word before the colon (*Målsägande 2:*, *Tolk i thai:*,
#: *Tolk (ukrainska):*, *Vittne nr 3:*).
_LABEL = r"(?:\s+(?:nr\.?\s?)?\d{1,2}\.?|\s+(?:i|på)\s+[a-zåäö]+|\s*\([^)\n]{1,25}\))\s*:\s*"
_CUED = re.compile(
    rf"(?i:\b(?:{ROLE_CUES})(?:en|et|n|t|na|erna|arna|a|n|t|lle|n|ä)?)"
    rf"(?:{_LABEL}|\s*[:,(]\s*|\s+)(?:(?:toimi(?:vat|nut)?|on|oli|är|var)\s+)?(?:(?P<name>{_CAPITAL}(?:\s+"
    rf"(?:{_PARTICLE}\s+)?(?!(?i:{ROLE_CUES})\b){_CAPITAL}){{0,3}})"
    rf"|(?=(?P<lower>[a-zåäöé])))"
)
#: A role word alone (in any case, with its endings).
_ROLE_WORD = re.compile(rf"(?i:(?:{ROLE_CUES})(?:en|et|n|t|na|erna|arna|a|lle|ä)?)")


def _trie(alternatives: str) -> str:
    """A regex that matches where one of ``alternatives`` (a ``|``-separated list of
    literal words, with ``\\.``, ``\\s?``, ``\\.?`` and the like) starts, as a tree of
    their common beginnings (*k(?:ri(?:m...|nsp)|o(?:m...))*): a word that another
    begins with covers it (the regex needs no end), so that the regex engine tries a
    few letters at each place, not every word. It matches at the same places as
    ``(?:alternatives)``, not always as far (``tests/test_masking_prefilters.py``)."""
    end = ""  # the key of a word's end: no piece is empty
    root: dict[str, dict] = {}
    for word in alternatives.split("|"):
        node = root
        for piece in re.findall(r"\\.\??|.\??", word):
            if end in node:
                break  # a shorter word covers this one
            node = node.setdefault(piece, {})
        else:
            node.clear()
            node[end] = {}

    def branch(node: dict[str, dict]) -> str:
        if end in node:
            return ""
        parts = [piece + branch(child) for piece, child in node.items()]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return branch(root)


#: Where a match of :data:`_CUED` can start, in the lower-cased text (found fast): where
#: ``\b(?:ROLE_CUES)`` matches, as a tree (:func:`_trie`).
_CUE_START = re.compile(rf"\b{_trie(ROLE_CUES)}")
# A first name (its capital, then ``tail``) and one or two capitalised words: the capital
# alone is taken (the rest is a lookahead), so that every capitalised word is tried as a
# first name (Enligt Maria ...); a capital first lets the search skip to the next one.
_PAIR = re.compile(
    rf"{_CAPITAL_LETTER}(?<![\w'’-].)"
    rf"(?=(?P<tail>{_CAPITAL_TAIL})\s+(?P<rest>(?:{_PARTICLE}\s+)?{_CAPITAL}(?:\s+{_CAPITAL})?))"
)
#: Endings of the words that name authorities, courts, companies and countries (Swedish,
#: Finnish, English), never taken as a name in a list (*Polismyndigheten Region Syd*,
#: *Europeiska Unionen*, *Thaimaan Suurlähetystö*, *Keskusrikospoliisi*).
_INSTITUTION_ENDINGS = tuple(
    _words(
        "myndighet myndigheten verket verk polisen polis rätten rätt kammaren styrelsen vården "
        "unionen union region regionen kommun kommunen departementet kontoret enheten byrå "
        "byrån förbund förbundet rådet nämnden inspektionen institutet centrum center "
        "centralen ambassad ambassaden tullen kyrkan skolan banken bank sjukhuset gruppen "
        "bolaget stiftelsen föreningen tolk tolkar service services sverige europeiska "
        "laitos poliisi lähetystö virasto keskus ministeriö oikeus yhtiö liitto kunta "
        "kaupunki yliopisto sairaala hallitus unioni toimisto tulli neuvosto järjestö pankki "
        "ry oy ab group agency office police court ministry embassy"
    )
)
#: The first character after a name that a list may go on with (:data:`_LIST_NEXT`).
_LIST_AFTER = frozenset(", \n\t")
#: What follows a name in a list of people: a comma, *och*, *samt*, *ja*, *sekä*, *and*, and
#: a whole name (:meth:`UnlistedNames._listed_after`).
_LIST_NEXT = re.compile(
    rf"(?:,?\s+(?:och|samt|ja|sekä|and)\s+|\s*,\s*)(?P<name>{_CAPITAL}"
    rf"(?:\s+(?:{_PARTICLE}\s+)?{_CAPITAL}){{1,2}})(?![\w'’-])"
)
#: A role word as a whole word (in any case, with its endings).
_ROLE_WORD_B = re.compile(rf"(?i:\b(?:{ROLE_CUES})(?:en|et|n|t|na|erna|arna|a|lle|ä)?\b)")
#: Two or three capitalised words (a particle allowed) and a space, tab, comma or dash,
#: just before a role word. (Here and below, a word's first letter comes before the
#: lookbehind that no letter is before it, not after: the same matches, but the regex
#: engine skips to the letters.)
_NAME_BEFORE_ROLE = re.compile(
    rf"(?P<name>{_CAPITAL_LETTER}(?<![\w'’-].){_CAPITAL_TAIL}"
    rf"(?:[ ]+(?:{_PARTICLE}[ ]+)?{_CAPITAL}){{1,2}})"
    r"(?:[ \t]+|[ ]*,[ ]*|[ ]+[-–][ ]+)$"
)
#: An initial and a last name (*L. Berg*, *A.Nowak*), from the initial's dot (found fast).
_INITIAL = re.compile(rf"\.(?<=(?<![\w.])[A-ZÅÄÖ]\.)[ ]?(?P<name>{_CAPITAL})(?![\w'’-])")
#: Capitalised words that start sentences or name institutions, never taken as a name
#: after a first name (``Per Capsulam``, ``Dag Efter``).
_NOT_NAMES = _words(
    "polisen åklagaren tingsrätten hovrätten högsta domstolen migrationsverket "
    "skatteverket arbetsmiljöverket kronofogden länsstyrelsen kommunen sverige finland "
    "stockholm göteborg malmö helsingfors helsinki uppsala och eller men att som den det "
    "de han hon hen vi ni jag ja tai että hän he me te se ne kun ab oy ky är var on oli "
    "hovrätt hovrätten tingsrätt tingsrätten hovioikeus käräjäoikeus hallinto-oikeus "
    "poliisilaitos kaupunki kunta kommun kyrka kyrkan skola skolan bio sjukhus sjukhuset "
    "sairaala yliopisto universitet pankki bank banken sanomat"
)
#: Capitalised words in the lexicon's first names that start the names of institutions,
#: papers and places, not of people (*Suomen Pankki*, *Helsingin Sanomat*), or are a verb
#: after a role (*Tulkkina toimi*).
_NOT_GIVEN = _words(
    "suomen ruotsin norjan tanskan viron venäjän euroopan helsingin turun tampereen oulun "
    "espoon vantaan kansan valtion kaupungin toimi svea göta"
)
#: Words that start a sentence before a verb of saying and are also last names.
_NOT_SPEAKERS = _words(
    "dom man alla ingen någon några många flera båda mamma pappa mor far bror syster chefen "
    "kaikki joku jotkut moni monet molemmat äiti isä veli sisko pomo mies nainen poika "
    "tyttö vaimo vittnet vittnen polisen åklagaren tolken domstolen rätten hovrätten"
)
#: Countries and towns that the lexicon holds as names and that report or state things
#: (*Sverige uppgav*, *Finland ilmoitti*).
_PLACES = _words(
    "sverige finland suomi norge danmark stockholm göteborg malmö uppsala linköping "
    "helsinki helsingfors vaasa vasa pori uusimaa"
)
#: Ordinary Finnish words ending like a surname (*-nen*), not taken as one.
_NOT_NEN = _words("toinen ihminen nainen kolmas ensimmäinen viimeinen suomalainen ruotsalainen")
#: Last names that are also Swedish or Finnish words (nature words of ornamental names:
#: *berg*, *holm*, *ek*; *laine*, *niemi*, *mäki*), taken in lower case right after a role
#: word (*tolken berg*, *todistaja niemi*), where no such word stands in a sentence. Not
#: *koski*, *kuusi*, *sten*, which are also a verb, a number or a first name.
_WORD_SURNAMES = _words(
    "berg holm lund ek ström strand lind björk dahl falk blom sjö vik hed borg gren kvist "
    "nord sund sand bäck laine niemi mäki lahti salo aho kivi harju lehto järvi vuori ranta "
    "saari kallio virta laakso honka kangas karhu lampi joki hovi koivu tammi"
)
#: Endings of last names that no Swedish, Finnish or English word has, of countries whose
#: names the lexicon lacks (Romanian *Ionescu*, *Munteanu*; Ukrainian *Kovalchuk*,
#: *Shevchenko*; Lithuanian *Petrauskas*, *Jankauskienė*; Serbian *Petrović*).
_SURNAME_ENDINGS = (
    "escu", "eanu", "chuk", "czuk", "enko", "auskas", "ienė", "iene", "aitė", "aite",
    "ović", "ovic", "ević", "evic", "oğlu", "oglu",
)  # fmt: skip


def _shaped(word: str) -> bool:
    """Whether a (case-folded) word has the ending of a foreign last name
    (:data:`_SURNAME_ENDINGS`) and at least five letters."""
    return len(word) >= 5 and word.isalpha() and word.endswith(_SURNAME_ENDINGS)


#: A foreign last name's ending, perhaps an added ``i``, and a Finnish case ending, at a
#: word's end: what :func:`_shaped_inflected` needs.
_SHAPED_CASE = re.compile(
    rf"(?:{'|'.join(_SURNAME_ENDINGS)})i?"
    rf"(?:{'|'.join(sorted(_FI_ENDING_SET, key=len, reverse=True))})$"
)


def _shaped_inflected(word: str) -> bool:
    """Whether a (case-folded) word is a foreign last name of :func:`_shaped` in a Finnish
    case: the ending after the name (*Popescun*, *Ionesculle*) or after an ``i`` added to
    its consonant (*Kovalchukille*, *Petrovićin*)."""
    if _SHAPED_CASE.search(word) is None:  # found fast: most words have no such ending
        return False
    for n in range(1, min(_FI_ENDING_LONGEST, len(word) - 5) + 1):
        if word[-n:] in _FI_ENDING_SET:
            base = word[:-n]
            if _shaped(base) or (base[-1:] == "i" and _shaped(base[:-1])):
                return True
    return False


#: A capitalised word (the pattern starts with its capital, so that it is found fast):
#: a last name where it stands inside a sentence after a word in lower case, not before
#: another capitalised word (a company's or an institution's name: *ägare till Söderholm
#: Bär AB*; a person's first name is found by the pair rule), or at the start of a text,
#: sentence or line before a word in lower case (*Lindqvist ringde*): see :meth:`_lone`.
_CAPITALISED = re.compile(rf"(?P<name>[{_UPPER}][{_LOWER}'’]+)(?![\w'’-])")
#: The word in lower case before a capitalised one inside a sentence (and a comma).
_BEFORE = re.compile(r"(?P<before>[a-zåäöéü](?<![\w'’-].)[a-zåäöéü]*),?$")
#: A first name after a last name and a comma (*Lindqvist, Anna*).
_INVERTED = re.compile(rf",[ \t]*(?P<first>{_CAPITAL}(?:[ \t]+{_CAPITAL})?)(?![\w'’-])")
#: A capitalised word before a role word in brackets (*Lindqvist (förhörsledare)*).
_BEFORE_ROLE = re.compile(rf"(?<![\w'’-])(?P<name>{_CAPITAL})\s*\((?i:{ROLE_CUES})")
#: A role word after a bracket: a text without one has no match of :data:`_BEFORE_ROLE`
#: (found fast, from the bracket).
_BRACKET_ROLE = re.compile(rf"\((?i:{ROLE_CUES})")
#: Words after which a capitalised word is a place, not a person (*i Granbacka*,
#: *paikkakunnalla Rantaniemi*).
_AT_PLACE = _words(
    "i på vid utanför nära norr söder öster väster in at near paikkakunnalla "
    "paikkakunnalle paikkakunnalta kylässä kylään kunnassa"
)
#: A verb of moving before *till* or *från*: a place follows (*kom till Granbacka*).
_MOVED = re.compile(
    r"\b(?:kom|kommit|kommer|flyttade|flyttat|flyttar|reste|rest|reser|åkte|åkt|åker|"
    r"anlände|återvände|fördes|transporterades|flög|körde|kördes)\s+(?:till|från)$"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[(\"“”«]\s*)$")

# -- a name the lexicon lacks where only a name or an institution can stand ---------------
#: A verb of saying that starts a sentence, its subject after it (*Uppger Boonmee att*,
#: *Kertoo Phromma, että*); the verbs in lower case are those of :data:`_SAYS`.
_SAYS_FIRST_VERBS = (
    "Uppger|Uppgav|Säger|Sade|Berättar|Berättade|Medger|Medgav|Kertoo|Kertoi|"
    "Sanoo|Sanoi|Ilmoittaa|Ilmoitti|Väittää|Väitti"
)
_SAYS_FIRST = re.compile(rf"(?<![\w'’-])(?:{_SAYS_FIRST_VERBS})[ \t]+")
#: The verbs of :data:`_SAYS_FIRST` alone: a text without one has no match of it (found
#: fast: the regex engine skips to their capitals).
_SAYS_FIRST_VERB = re.compile(_SAYS_FIRST_VERBS)
#: A capitalised word and the Finnish postposition *mukaan* (*Phromman mukaan*, *Dang:n
#: mukaan*): ``name`` is the word without its genitive ``n``.
_MUKAAN = re.compile(rf"(?P<name>{_CAPITAL_LETTER}[{_LOWER}'’-]+?)(?::n|n)\s+mukaan(?:sa)?\b")
#: The word in lower case (or a comma) just before a capitalised word inside a sentence.
_INSIDE = re.compile(r"(?:[a-zåäöéü]|[a-zåäöéü],)[ \t]+$")
#: Organisations that records cite like a person (*enligt Europol*), whose names are no
#: word of the name lexicon or a dictionary.
_ORGANISATIONS = _words(
    "europol interpol frontex eurojust eurostat unicef unhcr unodc iom ilo amnesty "
    "facebook google instagram whatsapp telegram tiktok twitter youtube linkedin viber "
    "wechat messenger snapchat signal migri kela vero tulli supo skatteverket"
)
#: Endings of the names of laws and records cited (*Brottsbalken*, *Rikoslain*).
_DOCUMENT_ENDINGS = (
    "balken", "balk", "lagen", "laki", "lain", "förordningen", "asetus", "asetuksen",
    "protokollet", "pöytäkirjan", "direktivet", "direktiivin", "bladet", "tidningen",
    "tidning", "posten", "nyheter", "lehti", "lehden", "uutiset", "radio", "radion",
)  # fmt: skip
#: What a Swedish or Finnish word never holds but a foreign name often does (*Phromma*,
#: *Boonmee*, *Chaiyasit*, *Nguyen*): taken at a sentence's start before *mukaan*, where
#: a Finnish noun is written with a capital as well (*Poliisin mukaan*, *Lain mukaan*).
_FOREIGN_SHAPE = re.compile(r"[bcfqwxzšžđ]|ph|th|sh|kh|gh|^ng|uy")
#: A capitalised word right after another (an institution's name: *Enligt Svea hovrätt*).
_CAPITAL_NEXT = re.compile(rf"[ \t]+{_CAPITAL_LETTER}")
#: A conjunction between two people's names (*Mihai och Ioana Popa*).
_CONJUNCTION = re.compile(r"[ \t](?:och|ja|samt|sekä|and|&)[ \t]+")
#: The capitalised word just before a conjunction.
_CAPITAL_BEFORE = re.compile(rf"(?P<name>{_CAPITAL_LETTER}(?<![\w'’-].){_CAPITAL_TAIL})$")
#: A first and a last name after a conjunction.
_TWO_CAPITALS = re.compile(rf"(?P<first>{_CAPITAL})[ \t]+(?P<last>{_CAPITAL})(?![\w'’-])")
#: Finnish case endings after a foreign name's stem that name a person, not a place:
#: genitive, partitive, essive, translative, adessive, ablative, allative, abessive and
#: *-kin* (*Nguyenin*, *Oleksandrille*, *Kowalskilla*); not the inner local cases, which
#: a place takes (*Helsingissä*, *Turusta*).
_PERSON_CASES = tuple(
    sorted(
        _words("in ia iä ina inä iksi illa illä ilta iltä ille lla llä lta ltä lle"),
        key=len,
        reverse=True,
    )
)
#: The last letters of :data:`_PERSON_CASES` (a word that ends otherwise is none).
_PERSON_CASE_LAST = ("n", "a", "ä", "e")
#: Those of :data:`_PERSON_CASES` taken after a name's last vowel (*Kowalskilla*).
_VOWEL_CASES = _words("lla llä lta ltä lle")
#: Finnish local case endings (inessive, elative, adessive, ablative, allative) of a place.
_PLACE_ENDINGS = ("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle")
#: Finnish words after which a word in a local case is a place (*asui Kivelässä*, *muutti
#: Mäkelään*, *kylässä*): living, moving, travelling, being born.
_PLACE_CUE = re.compile(
    r"(?<![\w-])(?:asu[a-zäö]*|muutt?[a-zäö]*|matkust[a-zäö]*|saapu[a-zäö]*|lähti|lähtivät|"
    r"lähtenyt|palas[a-zäö]*|palanne[a-zäö]*|synty[a-zäö]*|oleskel[a-zäö]*|majoittu[a-zäö]*|"
    r"kotoisin|tuli|tulivat|tullut|tulleet|ajoi|ajoivat|kylä[a-zäö]*|paikkakun[a-zäö]*)"
    r"[ \t]+$"
)
#: A company's form after a word, ending a company's name (*Kowalski Bygg AB*, *Nguyen
#: Trading Oy:ssä*).
_COMPANY_FORM = re.compile(r"[ \t](?:AB|HB|KB|Oy|Oyj|Ky|Ay|Tmi|Ab|Ltd|GmbH|SRL)(?![\w'’-])")

#: What :meth:`UnlistedNames._capital_kind` tells: a last name alone, or a foreign name in
#: a Finnish case.
_LONE, _FOREIGN_CASE = 1, 2
#: How many words :meth:`UnlistedNames._capital_kind` keeps (then it starts again).
_KINDS_KEPT = 200_000


_KINDS: dict[int, tuple[Lexicon, dict[str, int], dict[str, bool]]] = {}


def _kinds_of(names: Lexicon) -> tuple[dict[str, int], dict[str, bool]]:
    """The words :meth:`UnlistedNames._capital_kind` and :meth:`UnlistedNames._given`
    remember for a lexicon, shared by every :class:`UnlistedNames` of it
    (:func:`mask_text` makes one per call); the lexicon is kept with them, so that its
    ``id`` is not taken by another."""
    kept = _KINDS.get(id(names))
    if kept is None or kept[0] is not names:
        if len(_KINDS) >= 4:
            _KINDS.clear()
        kept = _KINDS[id(names)] = (names, {}, {})
    return kept[1], kept[2]


def _illative(word: str) -> bool:
    """Whether a (case-folded) word ends like a Finnish illative: a long vowel and ``n``
    (*Mäkelään*, *Turkuun*) or *-seen*, *-siin*."""
    return (
        len(word) > 4
        and word[-1] == "n"
        and word[-2] in "aeiouyäö"
        and (word[-3] == word[-2] or word.endswith(("seen", "siin")))
    )


class UnlistedNames:
    """Finds names of people the case file does not list:

    - a capitalised name after a role word (:data:`ROLE_CUES`: *kriminalinspektör Lars
      Berg*, *tulkki Ana Popescu*, *vittnet Virtanen*), or in lower case a name of the
      lexicon that is no ordinary word (:attr:`Lexicon.plain`: *vittnet virtanen*), also
      after a first name (*tolken anna svensson*), or a last name that is also a word
      right after the role word (*tolken berg*, *todistaja niemi*);
    - such a plain name, in any case, after an agent (*förhördes av andersson*, *enligt
      Virtanen*), or before or after a verb of saying (*andersson uppgav*, *uppgav
      andersson*, *virtanen kertoi*);
    - two or three capitalised words of which the first is a first name in the
      :func:`lexicon`, also in a Finnish case (*Anna Lindqvist*, *Mikko Virtasen*, *Pekan
      Virtasen*, *Annalle Korhoselle*). When the first is also an ordinary word (*Olin
      Turussa*, *Suomen Pankki*, *Dom B 1770-21*) the second must be a last name of the
      lexicon (also in a Finnish case) for the pair to be taken.

    A last name with a foreign ending that the lexicon lacks (:data:`_SURNAME_ENDINGS`:
    *Ionescu*, *Kovalchuk*) counts as a last name of the lexicon, written with a capital.

    Also (the sixth hostile round): a capitalised word the lexicon lacks where only a name
    or an institution stands, after *enligt* or a verb of saying or before *mukaan*
    (:meth:`_unknown_name`, :meth:`_mukaan`: *Enligt Phromma*, *uppger Boonmee*); the
    first name before *och*/*ja* and a full name (:meth:`_coordinated`: *Mihai och Ioana
    Popa*); a foreign name of the lexicon in a Finnish person case (:meth:`_foreign_case`:
    *Nguyenin*, *Oleksandrille*); and a found person's last name inside a company's name
    in the same text (:meth:`_in_company`: *Lindqvist Bygg AB*). A word in a Finnish local
    case after a word of living or moving is a place (:func:`_place_case`).
    """

    def __init__(self, names: Lexicon | None = None) -> None:
        self.names = lexicon() if names is None else names
        self._stems: dict[str, list[str]] | None = None
        # :meth:`_capital_kind` and :meth:`_given` per word
        self._kinds, self._givens = _kinds_of(self.names)

    def __reduce__(self) -> tuple[type[UnlistedNames], tuple[Lexicon]]:
        """Pickled as its lexicon (sent to another process): what it remembers per word
        is found again there."""
        return UnlistedNames, (self.names,)

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """The spans of the names found in ``text`` (they may overlap), and the whole
        names listed after one of them (:meth:`_listed_after`: *Somchai Saetang ja
        Wanida Boonmee*)."""
        spans = list(self._found(text))
        for end in sorted({end for _, end in spans}):
            if text[end : end + 1] in _LIST_AFTER:
                spans.extend(self._listed_after(text, end))
        if spans and _COMPANY_FORM.search(text):
            spans.extend(self._in_company(text, spans))
        return iter(spans)

    def _in_company(self, text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        """The last names of people found in ``text`` (``spans``: the names found) where they
        stand in a company's name in the same text (*Anna Lindqvist hördes ... Lindqvist
        Bygg AB*): the last name only, not the company's other words."""
        surnames: set[str] = set()
        for start, end in spans:
            words = text[start:end].split()
            last = words[-1].casefold().rstrip(",.:;") if words else ""
            if words and words[-1][:1].isupper() and len(last) >= 3 and not self._not_person(last):
                surnames.add(last)
        if not surnames:
            return
        for form in _COMPANY_FORM.finditer(text):
            # the capitalised words just before the company's form, the last four at most
            at = form.start()
            for _ in range(4):
                word = _CAPITAL_BEFORE.search(text, max(0, at - 40), at)
                if word is None:
                    break
                if word.group("name").casefold() in surnames:
                    yield word.span("name")
                at = word.start("name")
                while at > 0 and text[at - 1] in " \t&":
                    at -= 1
                if at == word.start("name"):
                    break

    def _not_person(self, word: str, common: bool = True, places: bool = True) -> bool:
        """Whether a (case-folded) capitalised word is a place (``places``: also one of the
        lexicon's, not only a municipality or a town of :data:`_PLACES`), an institution, a
        company's form, a role word or (``common``) an ordinary word, not a person's
        name."""
        return (
            (common and word in self.names.common)
            or (places and word in self.names.places)
            or word in MUNICIPALITIES
            or word in _PLACES
            or word in _NOT_NAMES
            or word in _NOT_GIVEN
            or word in _NOT_SPEAKERS
            or word in _COMPANY_FORMS
            or word in _ORGANISATIONS
            or word.endswith(_INSTITUTION_ENDINGS)
            or word.endswith(_DOCUMENT_ENDINGS)
            or _ROLE_WORD.fullmatch(word) is not None
        )

    def _unknown_name(self, text: str, start: int, end: int) -> bool:
        """Whether the word ``text[start:end]``, where only a name or an institution can
        stand (after *enligt*, a verb of saying, before *mukaan*), is a name also when the
        lexicon lacks it (*Enligt Phromma*, *uppger Boonmee*): written with a capital and
        in small letters, at least three letters, not before another capitalised word (an
        institution's name: *Svea hovrätt*) and no place, institution, law, organisation,
        role or ordinary word."""
        word = text[start:end]
        head = word.split("-", 1)[0]
        if (
            len(head) < 3
            or not head[:1].isupper()
            or not head[1:].islower()  # an abbreviation (CNP-registret, THL:n)
            or not word.replace("-", "").isalpha()
        ):
            return False
        if _CAPITAL_NEXT.match(text, end):
            return False
        return not self._not_person(word.casefold())

    def _unknown_pair(self, text: str, start: int) -> tuple[int, int] | None:
        """The span of a first and a last name at ``start`` (after *enligt*) that the
        lexicon lacks (*Enligt Prasert Chaiyaporn*): two capitalised words, not before a
        third, no place, institution or ordinary word (:meth:`_unknown_name`), one of them
        of a foreign shape (:data:`_FOREIGN_SHAPE`) or a name of the lexicon."""
        m = _TWO_CAPITALS.match(text, start)
        if m is None or _CAPITAL_NEXT.match(text, m.end()):
            return None
        first, last = m.group("first"), m.group("last")
        names = self.names
        for word, known in ((first, names.first), (last, names.last)):
            folded = word.casefold()
            if not (word[1:].islower() and word.isalpha()) or self._not_person(
                folded, common=folded not in known
            ):
                return None  # a place's, an institution's or an ordinary word (Anan, a name)
        if any(
            _FOREIGN_SHAPE.search(w) or w in names.first or w in names.last
            for w in (first.casefold(), last.casefold())
        ):
            return m.start(), m.end()
        return None

    def _coordinated(self, text: str) -> Iterator[tuple[int, int]]:
        """A first name of the lexicon before *och*, *ja*, *samt*, *sekä* or *and* and a
        whole name whose last name is of the lexicon (*Mihai och Ioana Popa*, *Piotr och
        Agnieszka Nowak*): the first name shares the last name; both names are taken."""
        names = self.names
        for m in _CONJUNCTION.finditer(text):
            if not text[m.end() : m.end() + 1].isupper() or not text[m.start() - 1].isalpha():
                continue  # found fast: most conjunctions stand between words in lower case
            before = _CAPITAL_BEFORE.search(text, max(0, m.start() - 40), m.start())
            after = _TWO_CAPITALS.match(text, m.end())
            if before is None or after is None:
                continue
            given, other = before.group("name").casefold(), after.group("first").casefold()
            last = after.group("last").casefold()
            if (
                given in names.first
                and given not in _ORDINARY
                and not before.group("name").isupper()
                and (last in names.last or _shaped(last))
                and last not in names.common
                # the first names may be words too (Lars, Mikko), not places or institutions
                and not self._not_person(given, common=False)
                and not self._not_person(
                    other, common=other not in names.first, places=other not in names.first
                )
                # a last name that a town abroad has too after two first names (Shevchenko)
                and not (
                    self._not_person(last)
                    and (other not in names.first or last in MUNICIPALITIES or last in _PLACES)
                )
            ):
                yield before.start("name"), before.end("name")
                yield after.start("first"), after.end("last")

    def _mukaan(self, text: str, m: re.Match[str]) -> tuple[int, int] | None:
        """The span of a name before *mukaan* (*Phromman mukaan*, *Nguyenin mukaan*): a name
        of the lexicon in the genitive, or, inside a sentence, a capitalised word that is
        no place or institution (:meth:`_unknown_name`); at a sentence's start, where a
        Finnish noun has a capital too (*Poliisin mukaan*), only one of a foreign shape
        (:data:`_FOREIGN_SHAPE`)."""
        word = m.group("name")
        folded = word.casefold()
        end = m.end("name") + (2 if text[m.end("name")] == ":" else 1)
        if folded + "n" in _NOT_GIVEN or self._not_person(folded + "n"):
            return None  # Helsingin, Suomen, Poliisilaitoksen
        stems = {folded} | ({folded[:-1]} if folded[-1:] == "i" else set())
        if any(self._surname(st) or st in self.names.first for st in stems) and not any(
            self._not_person(st) for st in stems
        ):
            return m.start("name"), end  # a name of the lexicon (Nowakin mukaan)
        if not self._unknown_name(text, m.start("name"), m.end("name")):
            return None
        inside = _INSIDE.search(text, max(0, m.start() - 3), m.start()) is not None
        if inside or _FOREIGN_SHAPE.search(folded):
            return m.start("name"), end
        return None

    def _capital_kind(self, word: str) -> int:
        """What a capitalised word (case-folded) of :data:`_CAPITALISED` may be, remembered
        per word (most words recur from text to text): :data:`_LONE` (:meth:`_lone`),
        :data:`_FOREIGN_CASE` (:meth:`_foreign_case` only) or 0 (no name)."""
        kind = self._kinds.get(word)
        if kind is None:
            if self._lone(word):
                kind = _LONE
            elif len(word) >= 6 and word.endswith(_PERSON_CASE_LAST) and self._foreign_case(word):
                kind = _FOREIGN_CASE
            else:
                kind = 0
            if len(self._kinds) >= _KINDS_KEPT:
                self._kinds.clear()
            self._kinds[word] = kind
        return kind

    def _foreign_case_at(self, text: str, m: re.Match[str]) -> bool:
        """Whether a match of :data:`_CAPITALISED` that is a foreign name in a Finnish case
        (:meth:`_foreign_case`) stands where one is taken: inside a sentence, where a
        Finnish noun is written in small letters; at a sentence's start only one of a
        foreign shape (:data:`_FOREIGN_SHAPE`: *Nguyenille maksettiin*, not *Akselilla oli
        vikaa*)."""
        if _INSIDE.search(text, max(0, m.start() - 3), m.start()) is not None:
            return True
        return _FOREIGN_SHAPE.search(m.group("name").casefold()) is not None

    def _foreign_case(self, word: str) -> bool:
        """Whether a capitalised word (case-folded) is a foreign first or last name of the
        lexicon (no ordinary word, no place) in a Finnish case that names a person: after
        a consonant, an ``i`` and the genitive, partitive, essive, translative, adessive,
        ablative or allative ending (*Nguyenin*, *Nguyenia*, *Oleksandrille*); after a
        vowel, the adessive, ablative or allative (*Kowalskilla*), not the genitive ``n``,
        which a Swedish word ends in as well (*Sedan*)."""
        if word in _NOT_GIVEN or word in _NOT_NAMES:
            return False  # a place's genitive (Helsingin) or an institution's
        for ending in _PERSON_CASES:
            if not word.endswith(ending) or len(word) - len(ending) < 4:
                continue
            stem = word[: -len(ending)]
            if ending[0] == "i":  # an i added to the name's consonant
                if stem[-1] in "aeiouyäö":
                    continue
            elif ending not in _VOWEL_CASES or stem[-1] not in "aeiouyäö":
                continue
            if stem in self.names.plain and not self._not_person(stem):
                return True
        return False

    def _listed_after(self, text: str, end: int) -> Iterator[tuple[int, int]]:
        """The whole names (two or three capitalised words, a particle allowed) listed
        after a name found that ends at ``end``, after a comma or *och*, *samt*, *ja*,
        *sekä*, *and*: a list of people names them all alike, also those the lexicon
        lacks (Thai, Vietnamese names). No place, institution, company or role word."""
        while (
            text[end : end + 40].lstrip().startswith((",", "och", "samt", "ja", "sekä", "and"))
            and (m := _LIST_NEXT.match(text, end)) is not None
            and self._whole_name(m.group("name"))
            and not _before_institution(text, m.end(), _INSTITUTIONS)
        ):
            yield m.start("name"), m.end("name")
            end = m.end("name")

    def _whole_name(self, written: str) -> bool:
        """Whether capitalised words (a particle allowed) where a whole name is expected
        may be one: no place, institution, company, role word or abbreviation, nor an
        ordinary word that is no first name first."""
        words = [w for w in written.split() if not w.islower()]
        folded = [w.casefold() for w in words]
        return not (
            any(
                f in _NOT_NAMES
                or f in _NOT_GIVEN
                or f in _PLACES
                or f in MUNICIPALITIES
                or f in self.names.places
                or f in _COMPANY_FORMS
                or _ROLE_WORD.fullmatch(f)
                or (w.isupper() and len(w) <= 3)
                or f.endswith(_INSTITUTION_ENDINGS)
                for w, f in zip(words, folded, strict=True)
            )
            or (folded[0] in self.names.common and folded[0] not in self.names.first)
        )

    def _before_role(self, text: str, roles: list[int]) -> Iterator[tuple[int, int]]:
        """A whole name just before a role word, after a space (a table's row, its tab
        folded: *Somchai Wongsawat<tab>målsägande*), a comma or a dash (*Lars Berg,
        kriminalinspektör*; ``roles``: where role words may start); and a last name after
        an initial (*L. Berg*)."""
        for start in roles:
            k = start  # the end of the word before (found fast: most are in lower case)
            while k > 0 and text[k - 1] in " \t,-–":
                k -= 1
            i = k
            while i > 0 and (text[i - 1].isalpha() or text[i - 1] in "'’-"):
                i -= 1
            if k == start or not text[i : i + 1].isupper() or not _ROLE_WORD_B.match(text, start):
                continue
            before = _NAME_BEFORE_ROLE.search(text, max(0, start - 80), start)
            if before is not None and self._whole_name(before.group("name")):
                yield before.start("name"), before.end("name")
        if "." in text:
            for m in _INITIAL.finditer(text):
                word = m.group("name").casefold()
                if (word in self.names.last or _shaped(word)) and not (
                    word in _NOT_NAMES
                    or word in _NOT_GIVEN
                    or word in _PLACES
                    or word.endswith(_INSTITUTION_ENDINGS)
                ):
                    yield m.start() - 1, m.end()  # an initial makes Berg a name, not a place

    def _found(self, text: str) -> Iterator[tuple[int, int]]:
        plain = self.names.plain
        roles = []  # where a role word may start (for :meth:`_before_role`)
        low = caseless.lowered(text)
        for start, m in caseless.tried(_CUED, _CUE_START, text, low):
            roles.append(start)
            if m is None:
                continue
            if m.group("name") is not None:
                if m.group("name").split()[0].casefold() not in _NOT_NAMES:
                    yield m.start("name"), self._given_after(text, m.end("name"))
            else:
                span = self._plain_words(text, m.start("lower"), role=True)
                if span:
                    yield span
        for m in _AGENT.finditer(text):
            word = m.group("name")
            # after *enligt* also a last name that is also a word (Enligt ek betalades)
            enligt = m.group()[:6].casefold() == "enligt"
            span = self._plain_words(text, m.start("name"), role=enligt)
            if span and _before_institution(text, span[1]):
                continue  # a court (av Göta hovrätt)
            if span:
                yield span
            elif (
                word[:1].isupper()
                and not word.isupper()
                and self._capital_name(word.casefold())
                # an ordinary word before a capitalised one: an organisation's name
                and not (
                    word.casefold() in self.names.common
                    and word.casefold() not in self.names.first
                    and _CAPITAL_NEXT.match(text, m.end())
                )
            ):
                yield m.start("name"), m.end("name")
            elif enligt and self._unknown_name(text, m.start("name"), m.end("name")):
                yield m.start("name"), m.end("name")  # a name the lexicon lacks (Enligt Phromma)
            elif enligt and word[:1].isupper():
                pair = self._unknown_pair(text, m.start("name"))
                if pair:
                    yield pair  # Enligt Prasert Chaiyaporn
        for m in _SAYS.finditer(text):
            before = _LAST_WORD.search(text, max(0, m.start() - 40), m.start())
            if (
                before
                and before.group("name").casefold() not in _PLACES
                and (
                    before.group("name").casefold() in plain or self._speaker(before.group("name"))
                )
            ):
                yield before.start("name"), before.end("name")
            after = (
                self._plain_words(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
            )
            if after:  # the subject after the verb (uppgav andersson)
                yield after
            elif text[m.end() : m.end() + 1] == " ":
                word = _WORD.match(text, m.end() + 1)
                if word is not None and self._unknown_name(text, *word.span()):
                    yield word.span()  # a name the lexicon lacks (uppger Boonmee att)
        for m in _SAYS_FIRST.finditer(text) if _SAYS_FIRST_VERB.search(text) else ():
            word = _WORD.match(text, m.end())
            if word is not None and (
                self._unknown_name(text, *word.span()) or self._plain_words(text, m.end())
            ):
                yield word.span()  # Uppger Boonmee att, Kertoo Phromma, että
        for m in _MUKAAN.finditer(text) if "mukaan" in text else ():
            span = self._mukaan(text, m)
            if span:
                yield span
        yield from self._coordinated(text)
        givens = self._givens
        for m in _PAIR.finditer(text):
            # found fast: most capitalised words before another are no first name
            given = text[m.start() : m.end("tail")].casefold()
            known = givens.get(given)
            if known is None:
                known = self._given(given)
                if len(givens) >= _KINDS_KEPT:
                    givens.clear()
                givens[given] = known
            if known:
                span = self._pair(text, m)
                if span:
                    yield span
        if low is None:  # no role word's start was tried but the matches'
            roles = [m.start() for m in _ROLE_WORD_B.finditer(text)]
        yield from self._before_role(text, roles)
        brackets = "(" in text and _BRACKET_ROLE.search(text) is not None
        for m in _BEFORE_ROLE.finditer(text) if brackets else ():  # Lindqvist (tolk)
            if self._capital_name(m.group("name").casefold()):
                yield m.start("name"), m.end("name")
        kinds = self._kinds
        for m in _CAPITALISED.finditer(text):
            kind = kinds.get(word := m.group("name").casefold())
            if kind is None:
                kind = self._capital_kind(word)
            if not kind:
                continue  # most capitalised words: found fast
            if (
                kind == _LONE or (kind == _FOREIGN_CASE and self._foreign_case_at(text, m))
            ) and not (_before_institution(text, m.end()) or _place_case(text, m)):
                end = self._given_after(text, m.end())  # Persson, Lars Erik
                if end > m.end() or _alone_at(text, m):
                    yield m.start(), end

    def _given_after(self, text: str, end: int) -> int:
        """The end of a name written last name first (*Lindqvist, Anna*; ``end``: the last
        name's end): after the first name of the lexicon that follows a comma."""
        m = _INVERTED.match(text, end)
        if m is None:
            return end
        names = self.names
        known = [
            w not in _NOT_NAMES
            and w not in _NOT_GIVEN
            and (
                w in names.first
                # a second given name the lexicon lacks (NGUYEN, Van Duc)
                or (k > 0 and w not in names.places and not _ROLE_WORD.fullmatch(w))
            )
            for k, w in enumerate(m.group("first").casefold().split())
        ]
        if not known[0]:
            return end
        return m.end() if all(known) else m.end() - len(m.group("first").split()[-1]) - 1

    def _lone(self, word: str) -> bool:
        """Whether a capitalised word (case-folded) inside a sentence, with no role word
        or verb near it, is a last name: one of the lexicon that is no ordinary word and
        no place (*att Lindgren hade*; not *till Stockholm*, *från Danmark*), or one with
        a foreign last name's ending (*Ionescu*); also in a Finnish case (*Virtasen
        yritys*, *Virtaselle*, *Nowakin*)."""
        if self._lone_base(word):
            return True
        if word in self.names.common or word in self.names.first or word in MUNICIPALITIES:
            return False  # an ordinary word (Sedan), a first name as written, or a place
        return any(
            word.startswith(stem) and word[len(stem) :] in _FI_ENDING_SET
            for stem in self._finnish().get(word[:4], ())
        ) or _shaped_inflected(word)

    def _finnish(self) -> dict[str, list[str]]:
        """The stems (five letters or more) of the Finnish cases of the last names
        :meth:`_lone_base` takes, by their first four letters (:func:`finnish_stems`)."""
        if self._stems is None:
            self._stems = _lone_stems(self.names)
        return self._stems

    def _lone_base(self, word: str) -> bool:
        names = self.names
        if (
            word in names.places
            or word in _NOT_NAMES
            or word in _PLACES
            or word in _NOT_GIVEN
            or word in MUNICIPALITIES
        ):
            return False
        return (word in names.plain and word in names.last) or _shaped(word)

    def _speaker(self, word: str) -> bool:
        """Whether a capitalised word before a verb of saying is a last name of the
        lexicon that is also an ordinary word (*Laine kertoi*, *Koski sanoi*, *Berg
        uppgav*: rapids and waves say nothing), not a pronoun or a word people start
        sentences with (*Dom sa*, *Man sa*)."""
        folded = word.casefold()
        return (
            word[:1].isupper()
            and not word.isupper()
            and len(word) >= 3
            and (folded in self.names.last or _shaped(folded))
            and folded not in _NOT_NAMES
            and folded not in _NOT_GIVEN
            and folded not in _ORDINARY
            and folded not in _NOT_SPEAKERS
        )

    def _capital_name(self, word: str) -> bool:
        """Whether a capitalised word (case-folded) where a name is expected is one: a
        first or last name of the lexicon (*av Berg*, *enligt Holm*), not an institution."""
        names = self.names
        return (word in names.last or word in names.first or _shaped(word)) and not (
            word in _NOT_NAMES or word in _NOT_GIVEN
        )

    def _plain_words(self, text: str, start: int, role: bool = False) -> tuple[int, int] | None:
        """The span of a name where one is expected (after a role word or an agent), in
        any case: the words from ``start`` on while each is a plain name
        (:attr:`Lexicon.plain`), or a first name before one (*anna svensson*); after a
        role word (``role``) also a last name that the dictionaries hold as a word
        (:meth:`_role_surname`: *nieminen*, *berg*)."""
        head = _WORD.search(text, start, start + 40)
        plain, names = self.names.plain, self.names

        def surname(word: str) -> bool:
            return word in plain or (role and self._role_surname(word))

        if head is None or not (
            surname(head.group().casefold()) or head.group().casefold() in names.first
        ):
            return None  # most words after a role word or an agent: found fast
        words = list(_WORD.finditer(text, head.start(), head.start() + 80))[:3]
        folded = [w.group().casefold() for w in words]
        last = -1
        for k, word in enumerate(folded):
            if k and not text[words[k - 1].end() : words[k].start()].isspace():
                break
            after = folded[k + 1 : k + 2]
            if surname(word):
                last = k
            elif (
                word not in self.names.first
                or len(word) < 3
                or word in _NOT_GIVEN
                or word in _NOT_NAMES
                or not any(surname(w) for w in after)
            ):
                break
        return (words[0].start(), words[last].end()) if last >= 0 else None

    def _role_surname(self, word: str) -> bool:
        """Whether a lower-case word right after a role word is a last name that a
        dictionary also holds: a Finnish one in *-nen* (*nieminen*, *koskinen*), or of
        :data:`_WORD_SURNAMES` (*berg*, *niemi*)."""
        last = self.names.last
        if word in _WORD_SURNAMES:
            return word in last
        return len(word) >= 7 and word.endswith("nen") and word in last and word not in _NOT_NEN

    def _given(self, given: str) -> bool:
        """Whether :meth:`_pair` may take a pair whose first word is ``given``
        (case-folded): a first name of the lexicon, also in a Finnish case
        (:func:`_finnish_base`), and not of :data:`_NOT_GIVEN`; for any other word
        :meth:`_pair` gives None."""
        first = self.names.first
        return (given in first or _finnish_base(given, first)) and given not in _NOT_GIVEN

    def _pair(self, text: str, m: re.Match[str]) -> tuple[int, int] | None:
        rest = m.group("rest").split()
        ends = [m.start("rest") + w.end() for w in _NON_SPACE.finditer(m.group("rest"))]
        if _ROLE_WORD.fullmatch(rest[-1]):  # Anna Mäkelä Tulkki: (lines joined)
            rest, ends = rest[:-1], ends[:-1]
            if not rest:
                return None
        written = text[m.start() : m.end("tail")]  # the first name
        given = written.casefold()
        first = self.names.first
        known = given in first or (
            # an inflected first name, not before a company's or a heading's words
            _finnish_base(given, first)
            and not (_COMPANY_FORMS & {w.casefold() for w in rest})
            and not any(w.isupper() and len(w) > 2 for w in rest)
        )
        k = next((i for i, w in enumerate(rest) if not w.islower()), None)  # after a particle
        if k is None:
            return None
        head = rest[k]
        if not known or given in _NOT_GIVEN or head.casefold() in _NOT_NAMES:
            return None
        if written.isupper() and len(given) <= 3:
            return None  # an abbreviation (FU, a heading's) before a line's first word
        if given in self.names.places and not self._surname(head.casefold()):
            return None  # a place before a heading or a role word (Stockholm Tolk:)
        if len(head) == 1 and re.match(r"\s*\d", text[ends[k] :]):
            return None  # a case number (Dom B 1770-21)
        company = _COMPANY_FORMS.intersection(w.casefold() for w in rest[k:])
        if (company or _COMPANY_FORM.match(text, ends[-1])) and not all(
            w.casefold() in self.names.last and w.casefold() not in self.names.common
            for w in rest[k:]
            if w.casefold() not in company
        ):
            return None  # a company's name (Kowalski Bygg AB, Nguyen Trading Oy)
        if (
            given in self.names.common
            and k == 0  # a particle before the last name: a name (Carl af Klercker)
            and _SENTENCE_START.search(text, max(0, m.start() - 4), m.start())
            and not self._surname(head.casefold())
        ):
            return None  # an ordinary word at a sentence's start (Olin Turussa, Asia R)
        end = ends[-1] if rest[-1].casefold() not in _NOT_NAMES else m.end("tail")
        return m.start(), max(end, ends[k])

    def _surname(self, word: str) -> bool:
        """Whether ``word`` (case-folded) is a last name of the lexicon, or its Finnish
        genitive (*Virtasen*, *Lindqvistin*, *Laineen*): not another case, which a place
        name takes as well (*Turussa*, *Tampereelle*)."""
        last = self.names.last
        return (
            word in last
            or word in self.names.plain
            or _shaped(word)
            or (word.endswith("sen") and word[:-3] + "nen" in last)
            or (word.endswith("n") and (word[:-1] in last or word[:-2] in last))
        )


def _place_case(text: str, m: re.Match[str]) -> bool:
    """Whether a capitalised word in a Finnish local case (:data:`_PLACE_ENDINGS`, an
    illative) follows a word of living or moving (:data:`_PLACE_CUE`: *asui Kivelässä*,
    *muutti Mäkelään*): a place, also when a last name is written alike."""
    word = m.group("name").casefold()
    return (word.endswith(_PLACE_ENDINGS) or _illative(word)) and _PLACE_CUE.search(
        text, max(0, m.start() - 30), m.start()
    ) is not None


def _alone_at(text: str, m: re.Match[str]) -> bool:
    """Whether a match of :data:`_CAPITALISED` stands where a last name alone is taken:
    inside a sentence after a word in lower case that is no preposition of place (nor
    *till*/*från* after a verb of moving), not before a capitalised word; or at a
    sentence's or line's start before a word in lower case."""
    start, after = m.start(), text[m.end() : m.end() + 2]
    after = after if after[:1] == " " else ""
    previous = text[start - 2 : start] if start >= 2 else "\n" + text[:start]
    if previous[-1] == " " and previous[0] not in ".!?":  # inside a sentence
        before = _BEFORE.search(text, max(0, start - 40), start - 1)
        if (
            before is None
            or after[1:].isupper()  # a company's or an institution's name
            or before.group("before") in _AT_PLACE
            or _MOVED.search(text, max(0, before.start() - 20), before.end("before"))
        ):
            return False
    elif previous[-1] != "\n" and previous[-1] != " ":
        return False  # inside a word (McDonald), after a bracket or a dash
    elif not after[1:].islower():
        return False  # at a sentence's or line's start: before a word in lower case
    return True


_NEXT_WORD = re.compile(r"\s+(?P<word>[\w-]+)")
_NON_SPACE = re.compile(r"\S+")


#: The words of :data:`_NOT_NAMES` that name an institution (not a conjunction, pronoun
#: or verb: *och*, *ja*, *är*).
_INSTITUTIONS = _NOT_NAMES - _words(
    "och eller men att som den det de han hon hen vi ni jag ja tai että hän he me te se ne "
    "kun är var on oli"
)


def _before_institution(text: str, end: int, words: frozenset[str] = _NOT_NAMES) -> bool:
    """Whether the word after ``end`` names an institution (*Kallioniemen käräjäoikeus*,
    *Salon kaupunki*): the word before is a place's, not a person's (``words``: the words
    that tell so)."""
    m = _NEXT_WORD.match(text, end)
    return m is not None and m.group("word").casefold() in words


@functools.lru_cache(maxsize=2)
def _lone_stems(names: Lexicon) -> dict[str, list[str]]:
    """:meth:`UnlistedNames._finnish` for a lexicon (made once per lexicon)."""
    finder = UnlistedNames(names)
    found: dict[str, list[str]] = {}
    for name in names.plain & names.last:
        # a name in -nen (Virtasen, Virtaselle) or ending in a vowel (Mäkelälle); not a
        # consonant's added i, as places take it too (Helsing: Helsingissä, Helsingin)
        if not (name.endswith("nen") or name[-1:] in "aeiouyäö") or not finder._lone_base(name):
            continue
        for stem in finnish_stems(name):
            if len(stem) >= 5 and (name.endswith("nen") or stem[-1] in "aeiouyäö"):
                found.setdefault(stem[:4], []).append(stem)
    return found
