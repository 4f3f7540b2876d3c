"""REFI-QDA: the codebook as a .qdc, the units and their codings as a .qdpx, and the import
of a .qdpx that NVivo, MAXQDA or ATLAS.ti wrote.

REFI-QDA (the Rotterdam Exchange Format Initiative, https://www.qdasoftware.org) is how
QDA programs exchange codebooks (``.qdc``: one XML file, namespace
``urn:QDA-XML:codebook:1.0``) and projects (``.qdpx``: a zip archive of ``project.qde``,
namespace ``urn:QDA-XML:project:1.0``, and the sources' texts in ``sources/``). Every file
written here is validated against the published schemas (:data:`cape_study.paths.REFI_SCHEMA_DIR`)
before it is saved; an invalid one is never written.

Export. Each codeable scheme is a code that cannot be coded, holding its codes; a code's
name is its label, its description starts with ``[scheme:code]`` (which the import reads
back) followed by its definition. Each unit is a text source named by its unit id,
holding its masked text; each coder is a user; a code coded present becomes a coded
selection of the coder's quote where the quote is found in the text, and a coding of the
whole source otherwise. GUIDs are name-based (RFC 4122 version 5), so the same codebook
and codings give the same file.

Import. A coded selection (or a coding of a whole source) by a user becomes, for the
user's coder name, the code *present* on the unit named by the source, with the
selected text as its quote. QDA programs record only what is coded: a user who coded a
unit with at least one code of a scheme is taken to have found the scheme's other codes
*absent* there; a unit a user coded nothing on is not coded by that user. Codes are
matched to the codebook through a mapping table (:func:`suggest_mapping` proposes one by
the ``[scheme:code]`` tag, the code's name or any of its labels; the team checks it).
Everything that cannot be used (a code without a mapping, a source that is not a unit of
the plan, a selection in a picture or video) is listed with its count, never dropped
silently.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
import uuid
import zipfile
from functools import cache
from pathlib import Path

import pandas as pd
from lxml import etree

from cape_study.coding.files import replacing
from cape_study.coding.qdpx import SAFE, QdaProject, read_qdpx
from cape_study.coding.qdpx import guid as _guid_of
from cape_study.coding.returned import ANSWER_COLUMNS, problem, raise_problems
from cape_study.coding.words import text
from cape_study.data.codebook import Codebook
from cape_study.data.codings import CONSENSUS
from cape_study.data.documents import decode
from cape_study.data.reading import csv_separator
from cape_study.paths import REFI_SCHEMA_DIR

__all__ = [
    "CODEBOOK_NS",
    "MAPPING_COLUMNS",
    "PROJECT_NS",
    "QdaProject",
    "answers_from_qdpx",
    "read_mapping",
    "read_qdpx",
    "suggest_mapping",
    "validate",
    "write_qdc",
    "write_qdpx",
]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
MAPPING_COLUMNS = ["qda_guid", "qda_code", "scheme", "code", "matched_by"]
_GUIDS = uuid.UUID("6f1c5e0a-3f55-4b5e-9a43-0c2d3a1e7c11")  # the namespace of our GUIDs
_TAG = re.compile(r"^\[([a-z0-9_]+):([A-Za-z0-9_]+)\]")
_CODER = re.compile(r"[^A-Za-z0-9_.-]+")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUIDS, "\x1f".join(parts))).upper()


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(REFI_SCHEMA_DIR / f"{name}.xsd")))


def validate(xml: bytes, kind: str) -> list[str]:
    """Schema errors of a ``.qdc`` (``kind="Codebook"``) or ``project.qde``
    (``kind="Project"``) document, as ``line N: message``; empty when valid."""
    schema = _schema(kind)
    doc = etree.fromstring(xml, parser=SAFE)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _codes(parent: etree._Element, ns: str, book: Codebook, lang: str) -> None:
    for scheme in book.codeable_schemes:
        s = book.scheme(scheme)
        head = etree.SubElement(
            parent,
            f"{{{ns}}}Code",
            guid=_guid("scheme", book.codebook, scheme),
            name=text(s.label, lang),
            isCodable="false",
        )
        etree.SubElement(head, f"{{{ns}}}Description").text = text(s.definition, lang)
        for c in s.codes:
            code = etree.SubElement(
                head,
                f"{{{ns}}}Code",
                guid=_guid("code", book.codebook, scheme, c.code),
                name=text(c.label, lang),
                isCodable="true",
            )
            rules = [
                f"[{scheme}:{c.code}] {text(c.definition, lang)}",
                *(text(r, lang) for r in (c.include, c.exclude) if r is not None),
            ]
            etree.SubElement(code, f"{{{ns}}}Description").text = "\n".join(rules)


def _checked(xml: bytes, kind: str, what: str) -> bytes:
    errors = validate(xml, kind)
    if errors:
        raise ValueError(f"{what} is not valid REFI-QDA {kind}: " + "; ".join(errors[:5]))
    return xml


def write_qdc(book: Codebook, path: str | os.PathLike[str], *, lang: str = "en") -> Path:
    """Write the codebook's codeable schemes as a REFI-QDA codebook (.qdc)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", f"cape-study codebook {book.codebook} {book.version}")
    _codes(etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes"), CODEBOOK_NS, book, lang)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    path = Path(path)
    path.write_bytes(_checked(xml, "Codebook", str(path)))
    return path


def write_qdpx(
    units: pd.DataFrame,
    texts: dict[str, str],
    codings: pd.DataFrame,
    book: Codebook,
    path: str | os.PathLike[str],
    *,
    lang: str = "en",
    name: str = "cape-study",
) -> Path:
    """Write units, their texts and their codings as a REFI-QDA project (.qdpx).

    Parameters
    ----------
    units
        The units (``unit_id``, ``scheme``), for example a coding plan.
    texts
        Each unit's text, masked (:func:`cape_study.coding.workbook.masked_texts`).
    codings
        Codings of the units (``unit_id``, ``coder``, ``scheme``, ``code``,
        ``present``, ``quote``); the codes each coder coded present are exported (not
        the consensus decisions, which are no coder's).
    """
    p = PROJECT_NS
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    root = etree.Element(f"{{{p}}}Project", nsmap={None: p})
    root.set("name", name)
    root.set("origin", f"cape-study codebook {book.codebook} {book.version}")
    root.set("creationDateTime", now)
    own = codings[codings["coder"].astype("string") != CONSENSUS]  # decisions stay in codings
    present = own[pd.to_numeric(own["present"], errors="coerce").eq(1)]
    present = present[present["unit_id"].astype(str).isin(set(units["unit_id"].astype(str)))]
    coders = sorted(set(present["coder"].astype(str)))
    if coders:
        users = etree.SubElement(root, f"{{{p}}}Users")
        for coder in coders:
            etree.SubElement(users, f"{{{p}}}User", guid=_guid("user", coder), name=coder)
    codebook = etree.SubElement(root, f"{{{p}}}CodeBook")
    _codes(etree.SubElement(codebook, f"{{{p}}}Codes"), p, book, lang)
    files: dict[str, str] = {}
    unit_ids = list(dict.fromkeys(units["unit_id"].astype(str)))
    if unit_ids:
        sources = etree.SubElement(root, f"{{{p}}}Sources")
    for unit in unit_ids:
        body = texts.get(unit, "")
        sguid = _guid("source", unit)
        files[f"sources/{sguid}.txt"] = body
        source = etree.SubElement(
            sources,
            f"{{{p}}}TextSource",
            guid=sguid,
            name=unit,
            plainTextPath=f"internal://{sguid}.txt",
        )
        whole = []
        for row in present[present["unit_id"].astype(str) == unit].itertuples(index=False):
            coder, scheme, code = str(row.coder), str(row.scheme), str(row.code)
            quote = getattr(row, "quote", None)
            start = body.find(quote) if isinstance(quote, str) and quote else -1
            coding_guid = _guid("coding", unit, coder, scheme, code)
            cref = _guid("code", book.codebook, scheme, code)
            if start < 0:
                whole.append((coding_guid, coder, cref))
                continue
            sel = etree.SubElement(
                source,
                f"{{{p}}}PlainTextSelection",
                guid=_guid("selection", unit, coder, scheme, code),
                name=quote[:60],
                startPosition=str(start),
                endPosition=str(start + len(quote)),
                creatingUser=_guid("user", coder),
            )
            coding = etree.SubElement(
                sel, f"{{{p}}}Coding", guid=coding_guid, creatingUser=_guid("user", coder)
            )
            etree.SubElement(coding, f"{{{p}}}CodeRef", targetGUID=cref)
        for coding_guid, coder, cref in whole:
            coding = etree.SubElement(
                source, f"{{{p}}}Coding", guid=coding_guid, creatingUser=_guid("user", coder)
            )
            etree.SubElement(coding, f"{{{p}}}CodeRef", targetGUID=cref)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    _checked(xml, "Project", "project.qde")
    path = Path(path)
    with replacing(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for member, body in files.items():
            archive.writestr(member, body.encode("utf-8"))
    return path


def _norm(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\W_]+", " ", name).strip()


def suggest_mapping(project: QdaProject, book: Codebook) -> pd.DataFrame:
    """A proposed mapping of the project's codes to the codebook: by the ``[scheme:code]``
    tag this module writes, else by a name equal (ignoring case, spaces and punctuation)
    to a code's name or to one of its labels in any language. Unmatched codes have no
    scheme and code: fill them in, or leave them empty to list them as not mapped."""
    names: dict[str, tuple[str, str]] = {}
    for scheme in book.codeable_schemes:
        for c in book.scheme(scheme).codes:
            for label in (c.code, *(getattr(c.label, lang, None) for lang in ("sv", "en", "fi"))):
                if label:
                    names.setdefault(_norm(label), (scheme, c.code))
    rows = []
    for code in project.codes.itertuples(index=False):
        if not code.codable:
            continue
        tag = _TAG.match(code.description or "")
        leaf = code.qda_code.split(" / ")[-1]
        if (
            tag
            and tag.group(1) in book.codeable_schemes
            and tag.group(2) in book.codes(tag.group(1))
        ):
            found, how = (tag.group(1), tag.group(2)), "tag"
        elif _norm(leaf) in names:
            found, how = names[_norm(leaf)], "name"
        else:
            found, how = (None, None), None
        rows.append(
            {
                "qda_guid": code.qda_guid,
                "qda_code": code.qda_code,
                "scheme": found[0],
                "code": found[1],
                "matched_by": how,
            }
        )
    return pd.DataFrame(rows, columns=MAPPING_COLUMNS)


def read_mapping(path: str | os.PathLike[str], book: Codebook) -> pd.DataFrame:
    """Read a mapping table (CSV, :data:`MAPPING_COLUMNS`), also as Excel saves it again
    (semicolons, Windows-1252, spaces around a value); a scheme or code not in the
    codebook is a located problem."""
    path = Path(path)
    notes: list[str] = []  # a team's Excel may save it in Windows-1252 with semicolons
    body = decode(path.read_bytes(), path.name, notes)
    mapping = pd.read_csv(
        io.StringIO(body),
        sep=csv_separator(body),
        dtype="string",
        keep_default_na=False,
        na_values=[""],
    )
    mapping.columns = [str(c).strip() for c in mapping.columns]
    mapping = mapping.apply(lambda c: c.str.strip())
    problems = []
    missing = [c for c in ("qda_guid", "scheme", "code") if c not in mapping]
    if missing:
        problems.append(
            problem(
                path, column=", ".join(missing), expected="columns " + ", ".join(MAPPING_COLUMNS)
            )
        )
    else:
        for i, row in enumerate(mapping.itertuples(index=False), start=2):
            scheme = None if pd.isna(row.scheme) else str(row.scheme)
            code = None if pd.isna(row.code) else str(row.code)
            if scheme is None and code is None:
                continue
            if scheme not in book.codeable_schemes:
                problems.append(
                    problem(
                        path,
                        row=i,
                        column="scheme",
                        value=scheme,
                        expected=", ".join(book.codeable_schemes),
                    )
                )
            elif code not in book.codes(scheme):
                problems.append(
                    problem(path, row=i, column="code", value=code, expected=f"a code of {scheme}")
                )
        guids = mapping["qda_guid"].map(_guid_of)
        for i in [int(k) + 2 for k in guids.index[guids.duplicated(keep="first")]]:
            problems.append(
                problem(
                    path,
                    row=i,
                    column="qda_guid",
                    value=mapping["qda_guid"].iloc[i - 2],
                    expected="each QDA code once (a second row would count its codings twice)",
                )
            )
    raise_problems(problems, "mapping")
    return mapping


def _coder(name: str) -> str:
    coder = _CODER.sub(
        "_", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ).strip("_")
    if not coder or not coder[0].isalpha():
        coder = f"u_{coder}"
    return coder[:40]


_DOCUMENT = re.compile(r"\.(txt|docx?|pdf|rtf|odt)$", re.IGNORECASE)


def _as_units(usable: pd.DataFrame, planned: set, path: Path) -> pd.Series:
    """Each coding's unit: its source's name, or that name without the document's
    ending (``D-1.docx``) or spaces around it when that is a planned unit; two sources
    of one unit are refused."""
    units = {s for _, s in planned}
    named = {}
    for source in usable["source"].astype(str).unique():
        bare = _DOCUMENT.sub("", source.strip())
        named[source] = source if source in units or bare not in units else bare
    by_unit: dict[str, list[str]] = {}
    for source, unit in named.items():
        by_unit.setdefault(unit, []).append(source)
    twice = {u: s for u, s in by_unit.items() if len(s) > 1}
    raise_problems(
        [
            problem(
                path,
                column="TextSource name",
                value=", ".join(sorted(s)),
                expected=f"one source for unit {u}",
            )
            for u, s in twice.items()
        ],
        "qdpx",
    )
    return usable["source"].astype(str).map(named)


def answers_from_qdpx(
    project: QdaProject,
    mapping: pd.DataFrame,
    book: Codebook,
    *,
    units: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A .qdpx's codings as answers (:data:`cape_study.coding.returned.ANSWER_COLUMNS`),
    and what could not be used.

    ``units`` (the plan: ``unit_id``, ``scheme``) limits a scheme's units to the plan's;
    without it every source named like a unit id is taken as one.

    Returns
    -------
    tuple of DataFrame
        The answers, and the unused: ``what`` (``code not mapped``, ``source not a unit``,
        ``not a text selection``, ``code not in the project``), ``name``, ``n_codings``.
    """
    mapped = mapping.dropna(subset=["scheme", "code"])
    mapped = mapped.set_index(mapped["qda_guid"].map(_guid_of))[["scheme", "code"]]
    known = set(project.codes["qda_guid"])
    names = dict(zip(project.codes["qda_guid"], project.codes["qda_code"], strict=True))
    unused = []
    rows = []
    codings = project.codings
    for guid, part in codings.groupby("qda_guid", sort=False):
        if guid not in known:
            unused.append({"what": "code not in the project", "name": guid, "n_codings": len(part)})
        elif guid not in mapped.index:
            unused.append({"what": "code not mapped", "name": names[guid], "n_codings": len(part)})
    coded = set(codings["qda_guid"])
    for code in project.codes.itertuples(index=False):
        if code.codable and code.qda_guid not in mapped.index and code.qda_guid not in coded:
            unused.append({"what": "code not mapped", "name": code.qda_code, "n_codings": 0})
    usable = codings[codings["qda_guid"].isin(mapped.index)]
    kinds = usable["kind"].astype(str)
    pictures = kinds.str.contains("/") & ~kinds.str.endswith("/PlainTextSelection")
    for kind, part in usable[pictures].groupby("kind"):
        unused.append({"what": "not a text selection", "name": kind, "n_codings": len(part)})
    usable = usable[~pictures].join(mapped, on="qda_guid")
    planned = (
        None
        if units is None
        else set(zip(units["scheme"].astype(str), units["unit_id"].astype(str), strict=True))
    )
    if planned is not None:
        usable = usable.assign(source=_as_units(usable, planned, project.path))
        inside = [
            (s, u) in planned for s, u in zip(usable["scheme"], usable["source"], strict=True)
        ]
        for source, part in usable[[not x for x in inside]].groupby("source"):
            unused.append({"what": "source not a unit", "name": source, "n_codings": len(part)})
        usable = usable[inside]
    if CONSENSUS in set(usable["user"].map(_coder)):
        raise_problems(
            [
                problem(
                    project.path,
                    column="User",
                    value=CONSENSUS,
                    expected="a coder name other than consensus",
                )
            ],
            "qdpx",
        )
    usable = usable.assign(coder=usable["user"].map(_coder))
    pairs = usable[["user", "coder"]].drop_duplicates()
    clashes = pairs[pairs["coder"].duplicated(keep=False)]
    if not clashes.empty:
        raise_problems(
            [
                problem(
                    project.path,
                    column="User",
                    value=", ".join(sorted(part["user"])),
                    expected=f"users whose names give different coder names (all give {coder})",
                )
                for coder, part in clashes.groupby("coder")
            ],
            "qdpx",
        )
    for (unit, coder, scheme), part in usable.groupby(["source", "coder", "scheme"], sort=False):
        quotes = part.groupby("code")["quote"].agg(
            lambda q: " … ".join(dict.fromkeys(x for x in q if isinstance(x, str))) or None
        )
        for code in book.codes(scheme):
            here = code in quotes.index
            rows.append(
                {
                    "unit_id": unit,
                    "coder": coder,
                    "codebook_version": book.version,
                    "scheme": scheme,
                    "code": code,
                    "value": "present" if here else "absent",
                    "quote": quotes.get(code) if here else None,
                    "note": None,
                    "minutes": None,
                    "file": project.path.name,
                    "sha256": project.sha256,
                }
            )
    answers = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    return answers, pd.DataFrame(unused, columns=["what", "name", "n_codings"])
