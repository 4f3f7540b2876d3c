"""The codebook: its content covers the study's schemes, and it renders in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from language_words import english_words

from cape_study.data.codebook import (
    CodebookError,
    available_codebooks,
    codebook_or_default,
    load_codebook,
)
from cape_study.data.codebook_pages import render_html, render_markdown
from cape_study.paths import CODEBOOK_DIR

BOOK = load_codebook()


def test_packaged_codebook_loads_with_a_version() -> None:
    assert "cape_v2" in available_codebooks()
    assert BOOK.version == "2.0"
    assert load_codebook("cape_v1") is BOOK  # the name of version 1 reads version 2


def test_codebook_or_default_reads_the_default_or_a_name_and_keeps_a_given_one(
    tmp_path: Path,
) -> None:
    assert codebook_or_default(None) is BOOK
    assert codebook_or_default("cape_v2") is BOOK
    copy = tmp_path / "copy.yaml"
    copy.write_text((CODEBOOK_DIR / "cape_v2.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    other = load_codebook(copy)
    assert other is not BOOK
    assert codebook_or_default(other) is other
    assert codebook_or_default(copy) is other
    with pytest.raises(CodebookError, match="unknown codebook 'cape_v9'"):
        codebook_or_default("cape_v9")


def test_stages_are_ordered_with_closure_outside_the_order() -> None:
    stage = BOOK.scheme("stage")
    assert stage.ordered
    assert stage.ranked_codes == [
        "reported",
        "investigation_opened",
        "suspect_notified",
        "prosecuted",
        "judgment_first_instance",
        "judgment_appeal",
        "judgment_supreme",
    ]
    assert stage.get("closed").terminal and "closure_reason" in stage.get("closed").requires


def test_outcomes_separate_trafficking_exploitation_other_and_acquittal() -> None:
    families = {c.code: c.family for c in BOOK.scheme("outcome").codes}
    assert families == {
        "convicted_trafficking": "trafficking",
        "convicted_exploitation": "exploitation",
        "convicted_other": "other",
        "acquitted": None,
        "not_tried": None,
        "pending": None,
        "unknown": None,
    }


def test_offences_follow_reclassification_in_both_countries() -> None:
    offences = BOOK.scheme("offence")
    assert offences.get("manniskohandel").law == "4 kap. 1 a § brottsbalken"  # not 1 §: människorov
    exploitation = offences.get("manniskoexploatering")
    assert exploitation.law == "4 kap. 1 b § brottsbalken"
    assert exploitation.in_force_from.isoformat() == "2018-07-01"
    for code, family in [
        ("ocker", "economic"),
        ("arbetsmiljobrott", "work_environment"),
        ("olaga_tvang", "other"),
    ]:
        assert offences.get(code).country == "SE" and offences.get(code).family == family
    for code in ("ihmiskauppa", "kiskonnantapainen_tyosyrjinta", "kiskonta"):
        assert offences.get(code).country == "FI"
    assert offences.get("ihmiskauppa").family == "trafficking"


def test_closure_reasons_are_written_as_prosecutors_write_them() -> None:
    labels = BOOK.labels("closure_reason", "sv")
    for code, wording in [
        ("brott_kan_inte_styrkas", "Brott kan inte styrkas"),
        ("spaningsresultat_saknas", "Spaningsresultat saknas"),
        ("garningen_ar_inte_brott", "Gärningen är inte brott"),
        ("forundersokningsbegransning", "Förundersökningsbegränsning"),
        ("atalsunderlatelse", "Åtalsunderlåtelse"),
    ]:
        assert labels[code] == wording


def test_regions_sectors_channels_and_indicators() -> None:
    regions = BOOK.scheme("police_region").codes
    assert all(c.country in {"SE", "FI"} for c in regions if c.code != "unknown")
    assert BOOK.codes("sector") == [
        "agriculture_forestry",
        "construction",
        "hotel_restaurant",
        "cleaning",
        "beauty",
        "transport",
        "begging",
        "other",
    ]
    assert {"joint_inspection", "victim", "ngo", "police_initiative", "other_agency", "tip"} <= set(
        BOOK.codes("detection_channel")
    )
    assert len(BOOK.codes("ilo_indicator")) == 11
    assert {
        "lives_at_workplace",
        "paid_for_job",
        "pays_back_wages",
        "very_long_hours_every_day",
        "serious_work_environment_deficiencies",
    } <= set(BOOK.codes("agency_sign"))
    assert BOOK.codeable_schemes == ["barrier", "ilo_indicator", "agency_sign"]


def test_every_barrier_can_be_applied_by_two_coders() -> None:
    barrier = BOOK.scheme("barrier")
    groups = {g.code for g in barrier.groups}
    assert {"victim", "evidence", "legal", "investigation", "cooperation"} <= groups
    for code in barrier.codes:
        assert code.group in groups
        for field in ("include", "exclude", "example"):
            text = getattr(code, field)
            assert text is not None and text.sv.strip() and text.en.strip(), (code.code, field)
        assert code.sources and all(s.startswith("http") for s in code.sources), code.code
        assert code.definition.en != code.label.en


def test_every_label_and_definition_is_bilingual_and_distinct() -> None:
    for name, scheme in BOOK.schemes.items():
        for code in scheme.codes:
            assert code.label.sv.strip() and code.label.en.strip(), (name, code.code)
            assert len(code.definition.en) > len(code.label.en), (name, code.code)
    for tname, table in BOOK.tables.items():
        for cname, col in table.columns.items():
            assert col.label.sv.strip() and col.definition.sv.strip(), (tname, cname)


def test_intake_tables_match_the_design() -> None:
    assert list(BOOK.tables) == [
        "cases",
        "events",
        "victims",
        "suspects",
        "documents",
        "codings",
        "sanctions",
        "offence_victims",
        "sample",
        "elements",
    ]
    for optional in ("suspects", "sanctions", "offence_victims", "sample", "elements"):
        assert not BOOK.table(optional).required
    assert BOOK.table("events").columns["case_id"].references == ("cases.case_id",)
    assert set(BOOK.table("codings").columns["unit_id"].references) == {
        "cases.case_id",
        "documents.doc_id",
    }


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"known schemes: .*barrier"):
        BOOK.scheme("barriers")
    with pytest.raises(ValueError, match="known tables: cases"):
        BOOK.table("case")
    with pytest.raises(ValueError, match="not a code of scheme 'sector'"):
        BOOK.label("sector", "fishing")
    with pytest.raises(CodebookError, match=r"known: .*cape_v2"):
        load_codebook("cape_v9")


def test_codebook_or_default_keeps_a_given_codebook(tmp_path: Path) -> None:
    other = load_codebook(_broken_copy(tmp_path, lambda r: r.update(version="9.9")))
    assert codebook_or_default(other) is other
    assert codebook_or_default(None).version == BOOK.version == "2.0"


def _broken_copy(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load((CODEBOOK_DIR / "cape_v2.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: r["schemes"]["sector"]["codes"].append(r["schemes"]["sector"]["codes"][0]),
            "duplicate codes",
        ),
        (
            lambda r: r["schemes"]["sector"]["codes"][0]["label"].pop("sv"),
            r"schemes\.sector\.codes\.0\.label\.sv",
        ),
        (
            lambda r: r["tables"]["cases"]["columns"]["sector"].update(scheme="sectors"),
            "unknown scheme 'sectors'",
        ),
        (
            lambda r: r["tables"]["events"]["columns"]["case_id"].update(references=["case.id"]),
            "names no table column",
        ),
    ],
)
def test_a_broken_codebook_names_the_entry_at_fault(tmp_path: Path, mutate, message) -> None:
    with pytest.raises(CodebookError, match=message):
        load_codebook(_broken_copy(tmp_path, mutate))


def _texts(book):
    """Every label, definition and row text a reader of the codebook sees, with where."""
    for name, scheme in book.schemes.items():
        yield f"scheme {name}", scheme.label, scheme.definition
        for code in (*scheme.codes, *scheme.groups):
            yield f"{name}.{code.code}", code.label, code.definition
    for tname, table in book.tables.items():
        yield f"table {tname}", table.label, table.definition
        yield f"table {tname} row", table.row, table.row
        for cname, col in table.columns.items():
            yield f"{tname}.{cname}", col.label, col.definition


def test_every_label_and_definition_has_finnish_of_its_own() -> None:
    missing = [
        where for where, label, definition in _texts(BOOK) if not (label.fi and definition.fi)
    ]
    assert not missing, f"no Finnish label or definition: {', '.join(missing)}"
    copied = [
        where
        for where, label, definition in _texts(BOOK)
        if definition.fi in (definition.en, definition.sv) and len(definition.en) > 20
    ]
    assert not copied, f"Finnish definition copied from another language: {copied}"
    assert BOOK.title.fi and BOOK.description.fi


#: The offences' names in the official Finnish text of the Criminal Code (rikoslaki 39/1889).
FINNISH_STATUTE_NAMES = {
    "ihmiskauppa": ("Ihmiskauppa", "rikoslain 25 luvun 3 §"),
    "torkea_ihmiskauppa": ("Törkeä ihmiskauppa", "rikoslain 25 luvun 3 a §"),
    "kiskonnantapainen_tyosyrjinta": ("Kiskonnantapainen työsyrjintä", "rikoslain 47 luvun 3 a §"),
    "kiskonta": ("Kiskonta", "rikoslain 36 luvun 6 §"),
    "tyoturvallisuusrikos": ("Työturvallisuusrikos", "rikoslain 47 luvun 1 §"),
    "pakottaminen": ("Pakottaminen", "rikoslain 25 luvun 8 §"),
}


def test_offences_carry_the_statutes_finnish_names_and_provisions() -> None:
    offences = BOOK.scheme("offence")
    for code, (name, provision) in FINNISH_STATUTE_NAMES.items():
        offence = offences.get(code)
        assert offence.label.fi == name, code
        assert provision in offence.definition.fi.lower(), code
    # Every Swedish offence names its provision of the Swedish code in the Finnish text too.
    for offence in offences.codes:
        if offence.country == "SE" and offence.law and "brottsbalken" in offence.law:
            chapter, section = offence.law.split(" kap. ")[0], offence.law.split(" kap. ")[1]
            section = section.split(" §")[0]
            expected = f"rikoskaaren {chapter} luvun {section} §"
            assert expected in offence.definition.fi, (offence.code, expected)
    assert "människoexploatering)" in offences.get("manniskoexploatering").label.fi


def test_render_markdown_in_finnish() -> None:
    fi = render_markdown(BOOK, "fi")
    assert fi.startswith(f"# {BOOK.title.fi}") and "Koodistot" in fi and "Kodscheman" not in fi
    assert "#### `kiskonnantapainen_tyosyrjinta`" in fi or "Kiskonnantapainen työsyrjintä" in fi
    for table in BOOK.tables.values():
        assert table.label.fi in fi


def test_render_markdown_in_swedish_and_english() -> None:
    sv = render_markdown(BOOK, "sv")
    en = render_markdown(BOOK, "en")
    assert "Brott kan inte styrkas" in sv and "Kodscheman" in sv
    assert "Code schemes" in en and "Koda när" not in en
    assert f"{BOOK.scheme('barrier').label.sv}" in sv
    for table in BOOK.tables:
        assert f"(`{table}`)" in sv


def test_the_swedish_codebook_page_names_codes_as_code_and_reads_as_swedish() -> None:
    html = render_html(BOOK, "sv")
    # a case file's names in a definition are code (the stage `closed`, the table
    # `events`), not English words in Swedish prose
    assert "<code>closed</code>" in html and "<code>events</code>" in html
    assert "kod: <code>stage</code>" in html and "heltal" in html
    assert english_words(html) == [], english_words(html)[:20]


def test_render_html_is_a_self_contained_page() -> None:
    html = render_html(BOOK, "sv")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="sv">' in html
    assert "<table>" in html and "Åtalsunderlåtelse" in html
    assert "http" not in html.split("<body>")[0]  # no external stylesheet or script
