"""Reading a REFI-QDA project (.qdpx, or a bare project.qde) as NVivo, ATLAS.ti, MAXQDA,
QDA Miner or Quirkos write it: its users, its code tree and every coding of a text,
with the selected text as the quote (:func:`read_qdpx`). The mapping to the codebook and
the answers are made in :mod:`cape_study.coding.refi`.

What real exports vary in, and how it is read: GUIDs in upper or lower case, with or
without braces (one spelling, :func:`guid`); a source's text inline
(``PlainTextContent``) or in ``sources/`` (``internal://``), in UTF-8 or, with a
byte-order mark, UTF-16/32; a PDF's text as its ``Representation``; positions counting
characters (Unicode code points) of the text as stored, a CR LF being two, unless the
selection's name matches the text only with a CR LF counted as one. A text that
cannot be decoded, a source missing from the archive or a selection outside its text
stops the import with its place, and nothing is read.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree

from cape_study.coding.returned import problem, raise_problems

__all__ = ["SAFE", "QdaProject", "guid", "read_qdpx"]

#: The parser for a file from elsewhere: no entity is expanded and nothing is fetched, so
#: a project cannot pull a file of this machine (or a web address) into what is read.
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class QdaProject:
    """What a .qdpx holds that the import uses.

    ``users``: guid -> name. ``codes``: ``qda_guid``, ``qda_code`` (its path in the code
    tree, ``parent / child``), ``description``, ``codable``. ``codings``: one row per
    coding of a text: ``source``, ``kind`` (the source element), ``user`` (a name),
    ``qda_guid``, ``start``, ``end``, ``quote`` (missing for a whole source).
    ``origin``: the program that wrote it. ``sha256``: of the file.
    """

    path: Path
    origin: str
    users: dict[str, str]
    codes: pd.DataFrame
    codings: pd.DataFrame
    sha256: str


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _qde(archive: zipfile.ZipFile, path: Path) -> tuple[bytes, str]:
    """project.qde and the folder it is in (``""`` at the top; a project folder zipped
    again by hand, as macOS does with its ``__MACOSX`` copies, has one)."""
    found = [
        n
        for n in archive.namelist()
        if n.lower().endswith(".qde") and not n.startswith("__MACOSX/")
    ]
    top = [n for n in found if "/" not in n]
    names = top or found
    if "project.qde" in names:
        return archive.read("project.qde"), ""
    if len(names) == 1:  # ATLAS.ti names the file after the project
        return archive.read(names[0]), names[0].rpartition("/")[0] + "/" * ("/" in names[0])
    raise_problems(
        [problem(path, value=", ".join(names) or "none", expected="one project.qde")], "qdpx"
    )
    raise AssertionError  # unreachable


def guid(value: str | None) -> str | None:
    """A GUID as one spelling: programs write upper or lower case, some in braces."""
    return value.strip().strip("{}").upper() if value else value


_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]


def _decoded(raw: bytes, path: Path, member: str, problems: list[dict]) -> str | None:
    """A source's text: UTF-8 (the standard's), or UTF-16/32 when a byte-order mark says
    so; anything else is a located problem, never a guess."""
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        problems.append(
            problem(
                path,
                member,
                value=f"byte {exc.start}: {raw[exc.start : exc.start + 4]!r}",
                expected=f"{encoding} text (REFI-QDA sources are UTF-8; save it as UTF-8)",
            )
        )
        return None


def _body(source, q, members, path: Path, problems: list[dict]) -> str | None:
    content = source.find(q("PlainTextContent"))
    if content is not None and content.text is not None:
        return content.text
    where = source.get("plainTextPath", "")
    if not where.startswith("internal://") or not members:
        return None  # an external file, or a bare project.qde: the selection names quote
    member = "sources/" + where[len("internal://") :]
    raw = members.get(member.lower())
    if raw is None:
        problems.append(
            problem(
                path,
                "project.qde",
                row=source.sourceline,
                column=f"{_local(source)} {source.get('name')!r} plainTextPath",
                value=where,
                expected=f"{member} in the archive",
            )
        )
        return None
    return _decoded(raw, path, member, problems)


def _span(sel, body: str | None, path: Path, problems: list[dict]) -> tuple | None:
    """A text selection's start, end and quote; positions count characters (Unicode code
    points) of the source's text as stored, and one outside it is a located problem."""
    start, end = sel.get("startPosition"), sel.get("endPosition")
    where = {"sheet": "project.qde", "row": sel.sourceline}
    try:
        first, last = int(start), int(end)
    except (TypeError, ValueError):
        problems.append(
            problem(
                path,
                **where,
                column=f"{_local(sel)} startPosition, endPosition",
                value=f"{start}, {end}",
                expected="two whole numbers",
            )
        )
        return None
    size = None if body is None else max(len(r) for r in _readings(body))
    if first < 0 or last < first or (size is not None and last > size):
        problems.append(
            problem(
                path,
                **where,
                column=f"{_local(sel)} startPosition, endPosition",
                value=f"{first}, {last}",
                expected=f"0 <= start <= end <= {size if size is not None else 'end'}"
                " (the length of the source's text)",
            )
        )
        return None
    if body is None:
        return start, end, sel.get("name")
    return start, end, _quote(body, first, last, sel.get("name"))


def _readings(body: str) -> list[str]:
    """The text as stored, then as a program counting line ends the other way saw it."""
    if "\r\n" in body:
        return [body, body.replace("\r\n", "\n")]
    return [body, body.replace("\n", "\r\n")] if "\n" in body else [body]


def _quote(body: str, first: int, last: int, name: str | None) -> str:
    """The selected text. Programs differ in counting a CR LF as two characters or one
    (QualCoder's issue 37 and pull request 1312): the text as stored is read, unless the
    selection's name (the start of the selected text, as NVivo and ATLAS.ti write it)
    matches only the text with its line ends counted the other way, or the selection
    ends beyond the text as stored but not beyond it counted the other way."""
    said = " ".join((name or "").split())[:30]
    readings = _readings(body)
    fits = [r for r in readings if last <= len(r)]
    for text in fits:
        if said and " ".join(text[first:last].split()).startswith(said):
            return text[first:last].replace("\r\n", "\n") if text is not body else text[first:last]
    return fits[0][first:last]


def read_qdpx(path: str | os.PathLike[str]) -> QdaProject:
    """Read a .qdpx (or a bare project.qde) written by any REFI-QDA program.

    GUIDs are read in any case, with or without braces. A source's text is UTF-8, or
    UTF-16/32 with a byte-order mark. A selection's positions count characters (Unicode
    code points) of the text as stored, line ends included as they are (a CR LF is two).
    A text that cannot be decoded, a source file missing from the archive, or a
    selection outside its text stops the import with its place (file, member or line of
    project.qde, element, value) and nothing is read.
    """
    path = Path(path)
    data = path.read_bytes()
    members: dict[str, bytes] = {}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            xml, folder = _qde(archive, path)
            members = {
                n[len(folder) :].lower(): archive.read(n)
                for n in archive.namelist()
                if n.startswith(folder) and not n.endswith("/")
            }
    else:
        xml = data
    try:
        root = etree.fromstring(xml, parser=SAFE)
    except etree.XMLSyntaxError as exc:
        raise_problems([problem(path, value=str(exc), expected="REFI-QDA XML")], "qdpx")
    if _local(root) != "Project":
        raise_problems([problem(path, value=_local(root), expected="a Project")], "qdpx")
    ns = etree.QName(root).namespace
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)
    users = {
        guid(u.get("guid")): u.get("name") or u.get("id") or u.get("guid")
        for u in root.iter(q("User"))
    }
    codes = []

    def walk(el: etree._Element, trail: list[str]) -> None:
        for code in el.findall(q("Code")):
            here = [*trail, code.get("name", "")]
            desc = code.find(q("Description"))
            codes.append(
                {
                    "qda_guid": guid(code.get("guid")),
                    "qda_code": " / ".join(here),
                    "description": desc.text if desc is not None and desc.text else "",
                    "codable": code.get("isCodable", "true").lower() == "true",
                }
            )
            walk(code, here)

    for holder in root.iter(q("Codes")):
        walk(holder, [])
    fallback = root.get("creatingUserGUID")
    rows = []
    problems: list[dict] = []

    def report(**where) -> None:
        problems.append(problem(path, "project.qde", **where))

    sources = root.find(q("Sources"))
    for source in [] if sources is None else list(sources):
        if not isinstance(source.tag, str):
            continue  # a comment or processing instruction
        kind = _local(source)
        bodies = {  # a text source's text, or a PDF's text Representation's
            el: _body(el, q, members, path, problems)
            for el in source.iter(q("TextSource"), q("Representation"))
        }
        owner = source.get("creatingUser") or fallback
        for coding in source.findall(q("Coding")):
            rows += _codings(coding, q, source, kind, None, None, None, owner, users, report)
        for sel in source.iter():
            if not isinstance(sel.tag, str) or not _local(sel).endswith("Selection"):
                continue
            start, end, quote = sel.get("startPosition"), sel.get("endPosition"), None
            if _local(sel) == "PlainTextSelection":
                span = _span(sel, bodies.get(sel.getparent()), path, problems)
                if span is None:
                    continue
                start, end, quote = span
            who = sel.get("creatingUser") or owner
            for coding in sel.findall(q("Coding")):
                rows += _codings(
                    coding, q, source, kind, start, end, quote, who, users, report, sel
                )
    raise_problems(problems, "qdpx")
    codings = pd.DataFrame(
        rows, columns=["source", "kind", "user", "qda_guid", "start", "end", "quote"]
    )
    return QdaProject(
        path=path,
        origin=root.get("origin", ""),
        users=users,
        codes=pd.DataFrame(codes, columns=["qda_guid", "qda_code", "description", "codable"]),
        codings=codings,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _codings(
    coding, q, source, kind, start, end, quote, who, users, report, sel=None
) -> list[dict]:
    user_guid = guid(coding.get("creatingUser") or who)
    if user_guid is None and len(users) == 1:
        user_guid = next(iter(users))  # the project's one user
    elif user_guid is None:
        report(
            row=coding.sourceline,
            column="Coding creatingUser",
            expected="the user who coded it, on the Coding, its selection, its source or "
            f"the Project ({len(users)} users in the project: whose coding is it?)",
        )
        return []
    out = []
    for ref in coding.findall(q("CodeRef")):
        out.append(
            {
                "source": source.get("name") or source.get("guid"),
                "kind": kind if sel is None else f"{kind}/{_local(sel)}",
                "user": users.get(user_guid, user_guid),
                "qda_guid": guid(ref.get("targetGUID")),
                "start": start,
                "end": end,
                "quote": quote,
            }
        )
    return out
