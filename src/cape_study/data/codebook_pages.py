"""The codebook as a document: Markdown and a self-contained HTML page, in Swedish,
English or Finnish (``cape-study codebook``, and the report's codebook appendix).

Rendering only: reading and checking the codebook is :mod:`cape_study.data.codebook`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import markdown

from cape_study.data.codebook import Code, Codebook, Language, check_language

__all__ = ["render_html", "render_markdown"]

_HEAD: dict[str, dict] = {
    "sv": {
        "code": "Kod",
        "label": "Etikett",
        "definition": "Definition",
        "schemes": "Kodscheman",
        "tables": "Tabeller (inläsningsformat)",
        "column": "Kolumn",
        "type": "Typ",
        "required": "Obligatorisk",
        "yes": "ja",
        "no": "nej",
        "version": "Version",
        "include": "Koda när",
        "exclude": "Koda inte när",
        "example": "Exempel",
        "keywords": "Nyckelord och mönster för textkodning",
        "sources": "Källor",
        "law": "Lagrum",
        "in_force": "I kraft från",
        "offences": "Rekvisit i brotten",
        "country": "Land",
        "group": "Grupp",
        "row": "En rad per",
        "codeable": "Kodas i tabellen `codings`",
        "ordered": "Ordnad skala",
        "types": {
            "id": "id",
            "text": "text",
            "date": "datum",
            "integer": "heltal",
            "boolean": "sant/falskt",
            "code": "kod",
            "country": "landskod",
            "scheme_name": "schemats namn",
            "scheme_code": "kod i schemat",
        },
    },
    "en": {
        "code": "Code",
        "label": "Label",
        "definition": "Definition",
        "schemes": "Code schemes",
        "tables": "Tables (intake format)",
        "column": "Column",
        "type": "Type",
        "required": "Required",
        "yes": "yes",
        "no": "no",
        "version": "Version",
        "include": "Code when",
        "exclude": "Do not code when",
        "example": "Example",
        "keywords": "Keywords and patterns for text coding",
        "sources": "Sources",
        "law": "Legal provision",
        "in_force": "In force from",
        "offences": "An element of the offences",
        "country": "Country",
        "group": "Group",
        "row": "One row per",
        "codeable": "Coded in the `codings` table",
        "ordered": "Ordered scale",
        "types": {
            "id": "id",
            "text": "text",
            "date": "date",
            "integer": "whole number",
            "boolean": "true/false",
            "code": "code",
            "country": "country code",
            "scheme_name": "name of a scheme",
            "scheme_code": "code of that scheme",
        },
    },
    "fi": {
        "code": "Koodi",
        "label": "Nimike",
        "definition": "Määritelmä",
        "schemes": "Koodistot",
        "tables": "Taulut (aineiston syöttömuoto)",
        "column": "Sarake",
        "type": "Tyyppi",
        "required": "Pakollinen",
        "yes": "kyllä",
        "no": "ei",
        "version": "Versio",
        "include": "Koodaa, kun",
        "exclude": "Älä koodaa, kun",
        "example": "Esimerkki",
        "keywords": "Avainsanat ja hakulausekkeet tekstin koodaukseen",
        "sources": "Lähteet",
        "law": "Lainkohta",
        "in_force": "Voimassa alkaen",
        "offences": "Tunnusmerkki rikoksissa",
        "country": "Maa",
        "group": "Ryhmä",
        "row": "Yksi rivi kutakin",
        "codeable": "Koodataan taulussa `codings`",
        "ordered": "Järjestysasteikko",
        "types": {
            "id": "tunniste",
            "text": "teksti",
            "date": "päivämäärä",
            "integer": "kokonaisluku",
            "boolean": "tosi/epätosi",
            "code": "koodi",
            "country": "maakoodi",
            "scheme_name": "koodiston nimi",
            "scheme_code": "koodiston koodi",
        },
    },
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _names(codebook: Codebook, lang: Language) -> re.Pattern[str] | None:
    """The names a case file is written with (tables, columns, schemes, codes, a code's
    family) that are no word of the codebook's labels in ``lang``: where a definition
    names one (``en rad med stage closed``) it is shown as code, not read as prose. A
    name that is also a word of the language (``ocker``) is left as written."""
    words = {
        w.lower()
        for text in (
            *(t.label(lang) for t in codebook.tables.values()),
            *(c.label(lang) for t in codebook.tables.values() for c in t.columns.values()),
            *(s.label(lang) for s in codebook.schemes.values()),
            *(c.label(lang) for s in codebook.schemes.values() for c in s.codes),
        )
        for w in re.findall(r"[^\W\d_]+", text)
    }
    names = {
        *codebook.tables,
        *(c for t in codebook.tables.values() for c in t.columns),
        *codebook.schemes,
        *(c.code for s in codebook.schemes.values() for c in s.codes),
        *(g.code for s in codebook.schemes.values() for g in s.groups),
        *Code.model_fields,  # a code's attributes: offences, family ...
    }
    names = {n for n in names if len(n) > 2 and n.lower() not in words and n.isascii()}
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![`\w/.-])({alternatives})(?![`\w/-]|\.\w)")


def render_markdown(codebook: Codebook, lang: Language = "en") -> str:
    """Render the codebook as a Markdown document in Swedish (``sv``), English (``en``) or
    Finnish (``fi``)."""
    check_language(lang)
    h = _HEAD[lang]
    names = _names(codebook, lang)

    def defined(text: str) -> str:
        return names.sub(r"`\1`", text) if names is not None else text

    out = [
        f"# {codebook.title(lang)}",
        "",
        f"{h['version']}: {codebook.version}",
        "",
        codebook.description(lang).strip(),
        "",
    ]
    out += [f"## {h['schemes']}", ""]
    for name, scheme in codebook.schemes.items():
        out += [f"### {scheme.label(lang)} (`{name}`)", "", defined(scheme.definition(lang)), ""]
        flags = [h[f] for f in ("ordered", "codeable") if getattr(scheme, f)]
        if flags:
            out += [f"*{'; '.join(flags)}.*", ""]
        groups = {g.code: g.label(lang) for g in scheme.groups}
        detailed = any(c.include or c.exclude or c.example or c.sources for c in scheme.codes)
        if detailed:
            for c in scheme.codes:
                out += [f"#### `{c.code}`: {c.label(lang)}", "", defined(c.definition(lang)), ""]
                out += _code_attributes(c, groups, h, lang, defined=defined)
        else:
            out += [f"| {h['code']} | {h['label']} | {h['definition']} |", "|---|---|---|"]
            for c in scheme.codes:
                extra = "; ".join(_code_attributes(c, groups, h, lang, inline=True))
                definition = defined(_cell(c.definition(lang)))
                definition += f" ({_cell(extra)})" if extra else ""
                out.append(f"| `{c.code}` | {_cell(c.label(lang))} | {definition} |")
            out.append("")
    out += [f"## {h['tables']}", ""]
    for tname, table in codebook.tables.items():
        out += [
            f"### {table.label(lang)} (`{tname}`)",
            "",
            defined(table.definition(lang)),
            "",
            f"{h['row']}: {table.row(lang)}",
            "",
            f"| {h['column']} | {h['type']} | {h['required']} | {h['definition']} |",
            "|---|---|---|---|",
        ]
        for cname, col in table.columns.items():
            kind = h["types"][col.type] + (f": `{col.scheme}`" if col.scheme else "")
            req = h["yes"] if col.required else h["no"]
            out.append(
                f"| `{cname}` | {kind} | {req} | **{_cell(col.label(lang))}.** "
                f"{defined(_cell(col.definition(lang)))} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _code_attributes(
    c: Code,
    groups: dict[str, str],
    h: dict[str, str],
    lang: Language,
    inline: bool = False,
    defined: Callable[[str], str] = str,
) -> list[str]:
    attrs = []
    if c.group:
        attrs.append(f"{h['group']}: {groups[c.group]}")
    if c.country:
        attrs.append(f"{h['country']}: {c.country}")
    if c.law:
        attrs.append(f"{h['law']}: {c.law}")
    if c.in_force_from:
        attrs.append(f"{h['in_force']}: {c.in_force_from.isoformat()}")
    if c.offences:
        attrs.append(f"{h['offences']}: " + ", ".join(c.offences))
    if inline:
        return attrs
    lines = [f"- {a}" for a in attrs]
    for key in ("include", "exclude", "example"):
        text = getattr(c, key)
        if text is not None:
            said = _cell(text(lang))
            lines.append(f"- **{h[key]}:** {said if key == 'example' else defined(said)}")
    if c.keywords is not None:
        lines.append(f"- **{h['keywords']}:**")
        for lang in ("sv", "en", "fi"):
            patterns = getattr(c.keywords, lang)
            if patterns:
                lines.append(f"    - {lang}: " + ", ".join(f"`{p}`" for p in patterns))
    if c.sources:
        lines.append(f"- **{h['sources']}:** " + "; ".join(f"<{s}>" for s in c.sources))
    return [*lines, ""] if lines else []


def render_html(codebook: Codebook, lang: Language = "en") -> str:
    """Render the codebook as a self-contained HTML page."""
    body = markdown.markdown(render_markdown(codebook, lang), extensions=["tables"])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{codebook.title(lang)} {codebook.version}</title>\n<style>{_CSS}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#222}table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{background:#f6f6f6;padding:0 .2rem}h2{border-bottom:2px solid #ddd}"
)
