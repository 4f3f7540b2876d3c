"""The codebook: variables, code schemes and their Swedish and English labels.

``codebooks/<name>.yaml`` is the one source of truth for the study's coding. The
table schemas (:mod:`cape_study.data.schema`), the labels in every table and figure, the
code lists used by the synthetic generator and the rendered codebook page are all
derived from it. This module reads and checks the YAML (with pydantic, so that a
malformed codebook fails with the path of the offending entry);
:mod:`cape_study.data.codebook_pages` renders it as Markdown or HTML.

A codebook has two parts:

``schemes``
    Named lists of codes. Each code has a Swedish and English label and definition,
    and optional attributes (country, legal reference, date in force, offence family,
    group, coding instructions and sources). Schemes marked ``codeable`` are the
    ones coders apply to cases and documents in the ``codings`` table.
``tables``
    The intake format: for each table of a case file, its columns with a type, whether
    a value is required, the scheme a code comes from and the keys it refers to.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cape_study.errors import CapeStudyError
from cape_study.paths import CODEBOOK_DIR

__all__ = [
    "Code",
    "Codebook",
    "CodebookError",
    "Column",
    "Keywords",
    "Scheme",
    "Table",
    "Text",
    "available_codebooks",
    "check_language",
    "codebook_or_default",
    "load_codebook",
]

Language = Literal["sv", "en", "fi"]
LANGUAGES: tuple[Language, ...] = ("sv", "en", "fi")
DEFAULT_CODEBOOK = "cape_v2"
#: Names of earlier packaged codebooks, read as the codebook that replaced them (which
#: reads case files of their version, see :attr:`Codebook.migrations`).
_REPLACED = {"cape_v1": "cape_v2"}


class CodebookError(CapeStudyError, ValueError):
    """A codebook file that cannot be read or does not describe a consistent scheme."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in the study's working languages, Swedish and English, and in Finnish.

    ``fi`` is optional in the model: every label and definition of a code, scheme, table
    and column has it (tests/test_codebook.py checks), the coding rules and examples
    (include, exclude, example) may lack it, and are then given in English."""

    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)
    fi: str | None = Field(None, min_length=1)

    def __call__(self, lang: Language) -> str:
        return getattr(self, lang) or self.en


class Keywords(_Strict):
    """Words and patterns that signal a code in a document's text, by document language.

    Each entry is a Python regular expression (a plain word is one too), written in
    lower case and matched against normalised, lower-cased text by
    :mod:`cape_study.stats.textcoding`, the study's transparent dictionary baseline; a space
    stands for any run of whitespace.
    """

    sv: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    fi: tuple[str, ...] = ()

    @field_validator("sv", "en", "fi")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"keyword {pattern!r} is not a regular expression: {exc}"
                ) from None
            if compiled.search(""):
                raise ValueError(f"keyword {pattern!r} matches the empty text")
            if re.sub(r"\\.", "", pattern) != re.sub(r"\\.", "", pattern).lower():
                raise ValueError(f"keyword {pattern!r} is not written in lower case")
        return patterns

    def items(self) -> list[tuple[str, str]]:
        """Every (language, pattern) pair, in the order written."""
        return [(lang, p) for lang in ("sv", "en", "fi") for p in getattr(self, lang)]


class Code(_Strict):
    """One code of a scheme, with labels, definition and optional attributes."""

    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: Text
    definition: Text
    group: str | None = None
    country: Literal["SE", "FI"] | None = None
    law: str | None = None
    in_force_from: dt.date | None = None
    family: (
        Literal["trafficking", "exploitation", "work_environment", "economic", "other"] | None
    ) = None
    terminal: bool = False
    requires: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()
    offences: tuple[str, ...] = ()
    include: Text | None = None
    exclude: Text | None = None
    example: Text | None = None
    keywords: Keywords | None = None
    sources: tuple[str, ...] = ()


class Scheme(_Strict):
    """A named list of codes.

    A sampling frame's ``implies`` lists the stages every case of such a sample has
    reached by the way it was chosen (implied, not observed). A legal element's
    ``offences`` lists the offences (codes of scheme ``offence``) it is an element of.

    ``ordered`` schemes (stages, age bands) list their codes in order; codes marked
    ``terminal`` (a closure) stand outside that order. ``groups`` name the groups
    that codes may belong to (for example the barrier categories).
    """

    label: Text
    definition: Text
    ordered: bool = False
    codeable: bool = False
    groups: tuple[Code, ...] = ()
    codes: tuple[Code, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Scheme:
        _no_duplicates([c.code for c in self.codes], "code")
        _no_duplicates([g.code for g in self.groups], "group")
        known_groups = {g.code for g in self.groups}
        for c in self.codes:
            if c.group is not None and c.group not in known_groups:
                raise ValueError(
                    f"code {c.code!r} is in group {c.group!r}, which is not one of the scheme's "
                    f"groups {sorted(known_groups)}"
                )
        return self

    @property
    def code_list(self) -> list[str]:
        return [c.code for c in self.codes]

    @property
    def ranked_codes(self) -> list[str]:
        """Codes in their order, without terminal codes (for ordered schemes)."""
        return [c.code for c in self.codes if not c.terminal]

    def get(self, code: str) -> Code:
        for c in self.codes:
            if c.code == code:
                return c
        raise KeyError(code)


ColumnType = Literal[
    "id", "text", "date", "integer", "boolean", "code", "country", "scheme_name", "scheme_code"
]


class Column(_Strict):
    """A column of an intake table.

    Types: ``id`` (a non-empty identifier), ``text``, ``date`` (ISO 8601,
    YYYY-MM-DD), ``integer``, ``boolean`` (1/0, true/false, yes/no, ja/nej),
    ``code`` (a code of ``scheme``), ``country`` (ISO 3166-1 alpha-2, ``XX`` for
    unknown), ``scheme_name`` (the name of a codeable scheme) and ``scheme_code`` (a
    code of the scheme named in column ``scheme_column`` of the same row).

    A ``personal`` column (the names of the parties) holds direct identifiers: intake
    uses it to mask the document texts (:mod:`cape_study.privacy.masking`) and drops it
    before anything is stored. A ``pseudonymised`` column (a police, prosecution or
    court case number) is replaced by a keyed pseudonym at intake, like the ids.
    """

    type: ColumnType
    label: Text
    definition: Text
    required: bool = False
    unique: bool = False
    scheme: str | None = None
    scheme_column: str | None = None
    min: int | None = None
    max: int | None = None
    references: tuple[str, ...] = ()
    personal: bool = False
    pseudonymised: bool = False

    @model_validator(mode="after")
    def _type_arguments(self) -> Column:
        if (self.type == "code") != (self.scheme is not None):
            raise ValueError("a column has a scheme exactly when its type is 'code'")
        if (self.type == "scheme_code") != (self.scheme_column is not None):
            raise ValueError("a column has a scheme_column exactly when its type is 'scheme_code'")
        if self.personal and (self.type != "text" or self.required or self.unique):
            raise ValueError("a personal column is an optional, non-unique text column")
        return self


class Table(_Strict):
    """One table of a case file."""

    label: Text
    definition: Text
    row: Text
    required: bool = True
    key: str | None = None
    unique_together: tuple[tuple[str, ...], ...] = ()
    columns: dict[str, Column] = Field(min_length=1)


class Definition(_Strict):
    """A term the analyses apply (such as reclassification), defined once, in words."""

    label: Text
    definition: Text


class Migration(_Strict):
    """How a case file written for an earlier codebook version is read with this one.

    ``outcome_by_offence`` maps an offence to the outcome codes that change meaning for
    it (``{offence: {old outcome: new outcome}}``); ``same_codings``: the codeable
    schemes did not change, so codings made with the earlier version count as codings
    of this one; ``note`` says what the migration does.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_version: str = Field(alias="from", pattern=r"^\d+\.\d+$")
    note: Text
    outcome_by_offence: dict[str, dict[str, str]] = {}
    same_codings: bool = False


class Codebook(_Strict):
    """A versioned codebook: code schemes and the intake tables that use them.

    ``definitions`` hold terms the analyses apply (reclassification), ``migrations``
    how case files of earlier versions are read (:mod:`cape_study.data.loaders`).
    """

    codebook: str
    version: str
    title: Text
    description: Text
    sources: tuple[str, ...] = ()
    definitions: dict[str, Definition] = {}
    migrations: tuple[Migration, ...] = ()
    schemes: dict[str, Scheme]
    tables: dict[str, Table]

    @field_validator("schemes", "tables")
    @classmethod
    def _snake_case_names(cls, value: dict) -> dict:
        for name in value:
            if not name.replace("_", "").isalnum() or not name.islower():
                raise ValueError(f"name {name!r} is not lower snake_case")
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> Codebook:
        for tname, table in self.tables.items():
            if table.key is not None and table.key not in table.columns:
                raise ValueError(f"table {tname!r}: key {table.key!r} is not one of its columns")
            for group in table.unique_together:
                missing = [c for c in group if c not in table.columns]
                if missing:
                    raise ValueError(f"table {tname!r}: unique_together names unknown {missing}")
            for cname, col in table.columns.items():
                where = f"table {tname!r}, column {cname!r}"
                if col.scheme is not None and col.scheme not in self.schemes:
                    raise ValueError(f"{where}: unknown scheme {col.scheme!r}")
                if col.scheme_column is not None and col.scheme_column not in table.columns:
                    raise ValueError(f"{where}: unknown scheme_column {col.scheme_column!r}")
                for ref in col.references:
                    rt, _, rc = ref.partition(".")
                    if rt not in self.tables or rc not in self.tables[rt].columns:
                        raise ValueError(f"{where}: reference {ref!r} names no table column")
        for m in self.migrations:
            for offence, changes in m.outcome_by_offence.items():
                codes = set(self.codes("outcome"))
                if offence not in self.codes("offence") or not set(changes.values()) <= codes:
                    raise ValueError(
                        f"migration from {m.from_version}: unknown offence {offence!r} or outcome"
                    )
        offences = (
            {c.code for c in self.schemes["offence"].codes} if "offence" in self.schemes else set()
        )
        for sname, scheme in self.schemes.items():
            for c in scheme.codes:
                if set(c.offences) - offences:
                    raise ValueError(
                        f"scheme {sname!r}, code {c.code!r}: offences "
                        f"{sorted(set(c.offences) - offences)} are not codes of scheme 'offence'"
                    )
                unknown = set(c.implies) - {s.code for s in self.schemes["stage"].codes}
                if unknown:
                    raise ValueError(f"scheme {sname!r}, code {c.code!r}: implies {unknown}")
                for req in c.requires:
                    if not any(req in t.columns for t in self.tables.values()):
                        raise ValueError(
                            f"scheme {sname!r}, code {c.code!r}: requires unknown column {req!r}"
                        )
        return self

    # -- look-ups ---------------------------------------------------------------------
    def scheme(self, name: str) -> Scheme:
        """The scheme called ``name``; ValueError listing the known schemes otherwise."""
        try:
            return self.schemes[name]
        except KeyError:
            raise ValueError(
                f"unknown code scheme {name!r}; known schemes: {', '.join(sorted(self.schemes))}"
            ) from None

    def table(self, name: str) -> Table:
        """The intake table called ``name``; ValueError listing the known tables otherwise."""
        try:
            return self.tables[name]
        except KeyError:
            raise ValueError(
                f"unknown table {name!r}; known tables: {', '.join(self.tables)}"
            ) from None

    def codes(self, scheme: str) -> list[str]:
        """The codes of ``scheme`` in codebook order."""
        return self.scheme(scheme).code_list

    def labels(self, scheme: str, lang: Language = "en") -> dict[str, str]:
        """Map each code of ``scheme`` to its label in ``lang``."""
        check_language(lang)
        return {c.code: c.label(lang) for c in self.scheme(scheme).codes}

    def label(self, scheme: str, code: str, lang: Language = "en") -> str:
        """The label of one code; ValueError naming the scheme's codes if it is unknown."""
        labels = self.labels(scheme, lang)
        if code not in labels:
            raise ValueError(f"{code!r} is not a code of scheme {scheme!r}; codes: {list(labels)}")
        return labels[code]

    def applies_in(self, scheme: str, code: str, country: str) -> bool:
        """Whether ``code`` of ``scheme`` exists in ``country``'s law: a code without a
        country applies everywhere; an offence family or an outcome applies where some
        offence of that family does (an offence a country's law lacks is not
        applicable there, never 0 %)."""
        if scheme in ("offence_family", "outcome"):
            family = code if scheme == "offence_family" else self.scheme("outcome").get(code).family
            if family is None:
                return True
            return any(
                c.family == family and c.country in (None, country)
                for c in self.scheme("offence").codes
            )
        found = self.scheme(scheme).get(code)
        return found.country in (None, country)

    def element_offences(self) -> dict[str, tuple[str, ...]]:
        """Each legal element (scheme ``legal_element``) with the offences it is an
        element of; empty for a codebook without that scheme."""
        if "legal_element" not in self.schemes:
            return {}
        return {c.code: c.offences for c in self.scheme("legal_element").codes}

    def migration(self, version: str) -> Migration | None:
        """How a case file of codebook ``version`` is read (None for this version);
        CodebookError when this codebook cannot read that version."""
        if version == self.version:
            return None
        for m in self.migrations:
            if m.from_version == version:
                return m
        known = ", ".join([self.version, *(m.from_version for m in self.migrations)])
        raise CodebookError(
            f"codebook {self.codebook} {self.version} cannot read a case file of version "
            f"{version}; it reads versions {known}"
        )

    @property
    def codeable_schemes(self) -> list[str]:
        """Schemes that coders apply in the ``codings`` table."""
        return [name for name, s in self.schemes.items() if s.codeable]


def _no_duplicates(items: list[str], what: str) -> None:
    seen: set[str] = set()
    dups = sorted({i for i in items if i in seen or seen.add(i)})
    if dups:
        raise ValueError(f"duplicate {what}s: {dups}")


def check_language(lang: str) -> None:
    """ValueError naming the known languages unless ``lang`` is one."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known languages: {', '.join(LANGUAGES)}")


def available_codebooks() -> list[str]:
    """Names of the codebooks shipped with the package."""
    return sorted(p.stem for p in CODEBOOK_DIR.glob("*.yaml"))


def load_codebook(name: str | Path = DEFAULT_CODEBOOK) -> Codebook:
    """Read and check a codebook.

    Parameters
    ----------
    name
        The name of a packaged codebook (``"cape_v2"``; ``"cape_v1"`` reads
        ``cape_v2``, which reads version-1 case files) or the path of a YAML file.

    Raises
    ------
    CodebookError
        When the file is missing, is not YAML, or breaks the codebook's rules; the
        message names the entry at fault.
    """
    path = Path(_REPLACED.get(str(name), name))
    if path.suffix not in {".yaml", ".yml"}:
        known = available_codebooks()
        if str(path) not in known:
            raise CodebookError(f"unknown codebook {str(name)!r}; known: {', '.join(known)}")
        path = CODEBOOK_DIR / f"{path}.yaml"
    return _load_path(path.resolve())


def codebook_or_default(codebook: Codebook | str | Path | None = None) -> Codebook:
    """The codebook a function was given, or the study's default one.

    The one place where library functions with a ``codebook=None`` argument turn it
    into a :class:`Codebook`: ``None`` reads the default codebook (``cape_v2``), a
    name or path is read with :func:`load_codebook`, and a codebook is returned as it
    is. Reading is cached, so calling this in every function costs nothing.
    """
    if isinstance(codebook, Codebook):
        return codebook
    return load_codebook(DEFAULT_CODEBOOK if codebook is None else codebook)


# libyaml's parser when PyYAML has it (8 times faster on cape_v2.yaml), with the same
# safe constructors as yaml.safe_load.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=8)
def _load_path(path: Path) -> Codebook:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError:
        raise CodebookError(f"{path}: no such codebook file") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not valid YAML: {exc}") from None
    try:
        return Codebook.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: the codebook breaks {exc.error_count()} rule(s):"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {loc}: {err['msg']}")
        raise CodebookError("\n".join(lines)) from None
