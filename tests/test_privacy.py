"""Privacy: identity numbers, phones, e-mail and names found and masked (also against the
demo's ground truth), false positives, keys, pseudonyms, intake end to end, and the
scan of rendered reports. Every identity in here is synthetic: Skatteverket's and the
Finnish population register's published example numbers, Finnish temporary identity
codes (individual number 900-999), PTS's phone numbers for fiction, example.* e-mail
domains and invented names.

privacy-scan: published or synthetic identity numbers only (tests/test_repository.py)
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import shutil
import stat
from collections import defaultdict
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from conftest import VALID_TABLES, write_case_file
from pydantic import BaseModel, ConfigDict

from cape_study import cli
from cape_study.data.loaders import load_case_file, read_processed, write_processed
from cape_study.paths import project
from cape_study.privacy import counts as privacy_counts
from cape_study.privacy import identifiers, keys
from cape_study.privacy import masking as privacy
from cape_study.privacy import names as party_names
from cape_study.privacy.keys import (
    DEMO_KEY,
    KEY_ENV,
    KeyMissing,
    PrivacyError,
    PseudonymKey,
    load_key,
    pseudonym,
    write_key,
)
from cape_study.privacy.masking import mask_text, protect, scan_text
from cape_study.privacy.scanning import PersonalDataFound
from cape_study.runner import pages
from cape_study.runner.pipeline import run_pipeline
from cape_study.synth.texts import test_identity_numbers as vendored_numbers

REPO = project()
DEMO = REPO.demo_case_file
SECRET = "0123456789abcdef" * 4  # a test key: 64 hex digits
KEY = PseudonymKey(SECRET.encode(), "test")
ZERO = dict.fromkeys(privacy.TAG_ORDER, 0)


def kinds(text: str, names: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in scan_text(text, names)]


# -- identity numbers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Skatteverket's published examples (SKV 704 and SKV 707) and "Tolvan Tolvansson"
        ("811218-9876", "personnummer"),
        ("19811218-9876", "personnummer"),
        ("198112189876", "personnummer"),
        ("8112189876", "personnummer"),
        ("121212-1212", "personnummer"),
        ("121212+1212", "personnummer"),  # the + form: over 100 years old
        ("19121212-1212", "personnummer"),
        ("701063-2391", "samordningsnummer"),  # day 03 + 60
        # Finnish henkilötunnus examples of the Digital and Population Data Services Agency
        ("131052-308T", "hetu"),
        ("010594Y9021", "hetu"),  # century sign Y (1900s), in use since 2023
        ("010101A923F", "hetu"),  # a temporary code (individual number 900-999)
    ],
)
def test_published_identity_numbers_are_found(text: str, kind: str) -> None:
    assert kinds(f"Uppgift: {text}, se ovan.") == [(kind, text)]


def test_every_vendored_test_number_is_found_in_every_form_and_a_wrong_check_digit_never() -> None:
    pools = vendored_numbers()
    for kind, numbers in pools.items():
        for number in numbers:
            short = number[2:]
            forms = [number, f"{number[:8]}-{number[8:]}", short, f"{short[:6]}-{short[6:]}"]
            for form in forms:
                assert kinds(f"({form})") == [(kind, form)], form
            # A typo in the check digit still points to a person: written as an identity
            # number is written (with a separator, or 12 digits) it is found; ten plain
            # digits with a wrong check digit are left to the phone patterns.
            wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
            for form in (f"{wrong[:8]}-{wrong[8:]}", f"{wrong[2:8]} {wrong[8:]}", wrong):
                assert kinds(f"({form})") == [(kind, form)], form
            assert list(identifiers.find(f"({wrong[2:]})")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Anmälan registrerades 2019-03-01 och beslut fattades 20190301.",
        "Datum 01 03 2019, år 2019, kl. 14.30.",
        "Mål B 1770-21 vid tingsrätten, ärende AM-12345-19, K-nummer 5000-K123456-19.",
        "Lönen var 12 000 kr i månaden; skulden 1 234 567,50 kr; 100 000 EUR.",
        "Organisationsnummer 556012-5790 (ett aktiebolag, månad 60).",
        "Felaktig kontrollsiffra utan skiljetecken: 8112189875.",
        "Ogiltigt datum: 811318-9876 (månad 13), 810230-1234.",
        "Tabell: 10 20 30 40 50 60; 3 av 12 ärenden; 1 234 567 personer.",
        "Sidan 0 av 12, version 0.5.1, 0,75 procent.",
        "Koefficient 1.3901042899, p = 0.0701740605, andel 0,8112189876.",
    ],
)
def test_dates_case_numbers_amounts_and_wrong_checksums_are_left_alone(text: str) -> None:
    assert scan_text(text) == []
    assert mask_text(text) == (text, ZERO)


def test_an_identity_number_with_a_typo_in_its_check_digit_is_masked() -> None:
    """A case file's typo (a wrong check digit or character) leaves a number that still
    points to a person: written as one, with a separator, it is masked like a valid one."""
    text = "Förhör med 811218-9875, 19121212-1213 och 640823 3235; hetu 131052-308U."
    masked, counts = mask_text(text)
    assert not re.search(r"\d{4}", masked), masked
    assert sum(counts.values()) == 4
    assert [k for k, _ in kinds(text)] == ["personnummer"] * 3 + ["hetu"]


# -- phones and e-mail --------------------------------------------------------------------
@pytest.mark.parametrize(
    "phone",
    [
        "070-174 06 05",  # PTS numbers reserved for fiction
        "0701740605",
        "070-1740605",
        "+46 70 174 06 05",
        "+46701740605",
        "0046 70 174 06 05",
        "+46 (0)70-174 06 05",
        "08-465 004 00",
        "031-390 06 00",
        "0980-319 200",
        "040 1234567",  # Finnish mobile
        "+358 40 1234567",
        "+40 721 234 567",  # a Romanian mobile
    ],
)
def test_phone_numbers_are_found(phone: str) -> None:
    assert kinds(f"Tel. {phone}.") == [("phone", phone)]


def test_a_phone_number_keeps_only_its_own_digit_groups() -> None:
    assert kinds("ring 070-174 06 05 12 gånger") == [("phone", "070-174 06 05")]


def test_email_addresses_are_found() -> None:
    text = "Skriv till anna.svensson@example.se eller <kontakt+cape@polisen.example.org>."
    assert kinds(text) == [
        ("email", "anna.svensson@example.se"),
        ("email", "kontakt+cape@polisen.example.org"),
    ]


# -- names --------------------------------------------------------------------------------
PARTIES = ("Anna Svensson", "Per Holm", "Nguyen Van Minh", "Grandal Restaurang AB")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Målsägande: Anna Svensson.", ["Anna Svensson"]),
        ("ANNA SVENSSON hördes", ["ANNA SVENSSON"]),
        ("anna  svensson\nhördes", ["anna  svensson"]),
        ("Anna Svenssons lön", ["Anna Svenssons"]),  # Swedish genitive
        ("Syyte Anna Svensson:ia vastaan", ["Anna Svensson:ia"]),  # Finnish case ending
        ("Svensson berättade", ["Svensson"]),
        ("Enligt Anna var det kallt", ["Anna"]),
        ("Holm sa", ["Holm"]),
        ("Per Holm sa", ["Per Holm"]),
        ("Per månad betalades 2 000 kr", []),  # "Per" alone is an ordinary word
        ("holmen vid sjön, svensson-lagen", []),  # lower case, or part of another word
        ("Nguyen kom 2019", ["Nguyen"]),
        ("Van Minh kom", ["Minh"]),  # "Van" alone is a name particle
        ("Grandal Restaurang AB anställde", ["Grandal Restaurang AB"]),
        ("Restaurang Grandal", []),  # a company's name is masked only whole
    ],
)
def test_party_names_whole_and_unambiguous_parts(text: str, found: list[str]) -> None:
    assert [t for k, t in kinds(text, PARTIES) if k == "name"] == found


def test_mask_text_tags_and_counts() -> None:
    text = (
        "Målsägande: Anna Svensson, 19121212-1212, tel. 070-174 06 05, "
        "anna.svensson@example.se. Anna uppger att Per Holm (811218-9876) tog passet."
    )
    masked, counts = mask_text(text, PARTIES)
    assert masked == (
        "Målsägande: [NAME], [PNR], tel. [TEL], [EMAIL]. [NAME] uppger att [NAME] ([PNR]) "
        "tog passet."
    )
    assert counts == ZERO | {"PNR": 2, "TEL": 1, "EMAIL": 1, "NAME": 3}
    assert mask_text(masked, PARTIES) == (masked, dict.fromkeys(counts, 0))


# -- the demo's ground truth --------------------------------------------------------------
def test_scanner_finds_every_identifier_of_the_demo_ground_truth() -> None:
    truth = json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))["identifiers"]
    docs = pd.read_csv(DEMO / "documents.csv", dtype=str)
    names: dict[str, list[str]] = defaultdict(list)
    for table in ("victims", "suspects"):
        frame = pd.read_csv(DEMO / f"{table}.csv", dtype=str)
        for case_id, name in zip(frame["case_id"], frame["name"], strict=True):
            names[case_id].append(name)
    by_doc = defaultdict(list)
    for doc_id, kind, _text, value, start, end in truth["rows"]:
        by_doc[doc_id].append((kind, value, start, end))
    tag = privacy.TAGS
    found, total, stray = defaultdict(int), defaultdict(int), []
    for doc in docs.itertuples():
        text = (DEMO / "documents" / doc.path).read_text(encoding="utf-8")
        findings = scan_text(text, names[doc.case_id])
        for kind, value, start, end in by_doc[doc.doc_id]:
            if kind == "name" and value not in names[doc.case_id]:
                continue  # an officer or prosecutor: not a party listed in the case file
            total[kind] += 1
            found[kind] += any(
                f.start <= start and end <= f.end and f.tag == tag[kind] for f in findings
            ) or (kind == "phone" and any(f.start <= start and end <= f.end for f in findings))
        stray += [
            text[f.start : f.end]
            for f in findings
            if not any(f.start < e and s < f.end for _, _, s, e in by_doc[doc.doc_id])
        ]
    assert set(total) == {"personnummer", "samordningsnummer", "hetu", "phone", "name"}
    assert dict(found) == dict(total), {k: (found[k], total[k]) for k in total}
    # Every other finding is a listed party too: a company suspect, named only whole.
    parties = {n for listed in names.values() for n in listed}
    assert stray and all(s in parties and s.endswith((" AB", " Oy")) for s in stray)


def test_demo_party_names_are_the_names_the_documents_use() -> None:
    truth = json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))["identifiers"]
    docs = pd.read_csv(DEMO / "documents.csv", dtype=str).set_index("doc_id")
    victims = pd.read_csv(DEMO / "victims.csv", dtype=str)
    listed: dict[str, set[str]] = defaultdict(set)
    for table in ("victims", "suspects"):
        frame = pd.read_csv(DEMO / f"{table}.csv", dtype=str)
        for case_id, name in zip(frame["case_id"], frame["name"], strict=True):
            listed[case_id].add(name)
    staff = re.compile(r"(Förhörsledare|Upprättad av|Kuulustelija|Åklagare|Syyttäjä):?\s*$")
    unlisted = set()
    for doc_id, kind, text, _value, start, _end in truth["rows"]:
        if kind != "name":
            continue
        case_id = docs.at[doc_id, "case_id"]
        if text in listed[case_id]:
            continue
        path = DEMO / "documents" / docs.at[doc_id, "path"]
        before = path.read_text(encoding="utf-8")[max(0, start - 40) : start]
        if not staff.search(before):
            unlisted.add(case_id)
    # Only cases that list no victim by name name one in a text (a generator artefact);
    # potential victims (codebook 2.0) are listed without a name.
    named = victims["name"].notna()
    assert unlisted and not unlisted & set(victims.loc[named, "case_id"])
    assert victims.loc[~named, "status"].eq("potential_victim").all()


# -- keys ---------------------------------------------------------------------------------
def test_key_from_the_environment_comes_first(tmp_path: Path) -> None:
    key = load_key(tmp_path / "absent.key", environ={KEY_ENV: SECRET}, root=tmp_path / "p")
    assert key.secret == SECRET.encode() and KEY_ENV in key.source
    assert SECRET not in repr(key) and SECRET not in str(key)
    with pytest.raises(PrivacyError, match="too short"):
        load_key(None, environ={KEY_ENV: "short"})


def test_keygen_writes_a_private_key_that_intake_reads(tmp_path: Path, capsys) -> None:
    root = tmp_path / "project"
    root.mkdir()
    path = write_key(tmp_path / "home" / "cape.key", root=root)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    secret = path.read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    key = load_key(path, root=root, environ={})
    assert key.secret == secret.encode() and key.source == "key file"
    with pytest.raises(PrivacyError, match="already exists"):
        write_key(path, root=root)
    assert write_key(path, root=root, force=True).read_text().strip() != secret
    path.chmod(0o644)
    with pytest.raises(PrivacyError, match="chmod 600"):
        load_key(path, root=root, environ={})
    with pytest.raises(PrivacyError, match="inside the project"):
        write_key(root / "keys" / "cape.key", root=root)
    with pytest.raises(PrivacyError, match="inside the project"):
        load_key(root / "cape.key", root=root, environ={})
    out = tmp_path / "cli" / "pseudonym.key"
    assert cli.main(["keygen", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert str(out) in printed.out
    assert out.read_text().strip() not in printed.out + printed.err


def test_without_a_key_only_synthetic_data_get_the_public_demo_key(tmp_path: Path) -> None:
    absent = tmp_path / "none.key"
    with pytest.raises(KeyMissing, match="cape-study keygen") as info:
        load_key(absent, environ={}, root=tmp_path / "p")
    assert str(info.value).count(".") <= 3  # says how, in one sentence
    demo = load_key(absent, synthetic=True, environ={}, root=tmp_path / "p")
    assert demo.secret == DEMO_KEY.encode() and "demo" in demo.source


# -- pseudonyms ---------------------------------------------------------------------------
def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC as RFC 2104 defines it, from SHA-256 alone (independent of the hmac module)."""
    block = 64
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key) + message).digest()
    return hashlib.sha256(bytes(b ^ 0x5C for b in key) + inner).digest()


def test_pseudonym_is_a_truncated_keyed_hmac() -> None:
    import base64

    digest = _hmac_sha256(SECRET.encode(), b"cases\x1fSE-1")
    assert pseudonym("SE-1", KEY, "cases") == "C-" + base64.b32encode(digest).decode()[:10]
    assert re.fullmatch(r"V-[A-Z2-7]{10}", pseudonym("SE-1", KEY, "victims"))
    assert pseudonym("SE-1", KEY, "victims")[2:] != pseudonym("SE-1", KEY, "cases")[2:]
    other = PseudonymKey(b"another key that is long enough!!", "test")
    assert pseudonym("SE-1", other, "cases") != pseudonym("SE-1", KEY, "cases")


def _named_case_file(folder: Path, coder: str = "C1") -> Path:
    tables = {name: [dict(r) for r in rows] for name, rows in VALID_TABLES.items()}
    for row, name in zip(
        tables["victims"], ["Somchai Srisuk", "Anan Boonmee", "Olena Melnyk", ""], strict=True
    ):
        row["name"] = name
    for row, name in zip(
        tables["suspects"],
        ["Johan Berglund", "Grandal Restaurang AB", "Karin Holm", "Mikko Virtanen"],
        strict=True,
    ):
        row["name"] = name
    tables["codings"][0]["coder"] = coder
    texts = {
        "D-1.txt": "Anmälan om människohandel. Målsägande Somchai Srisuk, 19121212-1212, "
        "tel. 070-174 06 05, arbetade åt Johan Berglund på Grandal Restaurang AB. Srisuk "
        "fick ingen lön för juli.",
        "D-2.txt": "Beslut: förundersökningen mot Karin Holm (811218-9876, "
        "karin.holm@example.se) läggs ned. Skäl: spaningsresultat saknas.",
    }
    return write_case_file(folder, tables, texts)


def test_protect_pseudonymises_consistently_masks_and_drops_names(tmp_path: Path) -> None:
    case = load_case_file(_named_case_file(tmp_path / "casefile"), data_cutoff="2024-12-31")
    protected, record = protect(case, KEY)
    ids = {
        "cases": dict(zip(case.cases["case_id"], protected.cases["case_id"], strict=True)),
        "documents": dict(
            zip(case.documents["doc_id"], protected.documents["doc_id"], strict=True)
        ),
        "suspects": dict(
            zip(case.suspects["suspect_id"], protected.suspects["suspect_id"], strict=True)
        ),
    }
    assert all(re.fullmatch(r"C-[A-Z2-7]{10}", v) for v in ids["cases"].values())
    assert protected.events["case_id"].tolist() == [ids["cases"][c] for c in case.events.case_id]
    assert protected.events["suspect_id"].tolist() == [
        pd.NA if pd.isna(s) else ids["suspects"][s] for s in case.events["suspect_id"]
    ]
    units = [ids["cases"].get(u) or ids["documents"][u] for u in case.codings["unit_id"]]
    assert protected.codings["unit_id"].tolist() == units
    assert protected.documents["path"].tolist() == [
        f"{ids['documents'][d]}.txt" for d in case.documents["doc_id"]
    ]
    assert "name" not in protected.victims and "name" not in protected.suspects
    assert protected.documents["text"].tolist() == [
        "Anmälan om människohandel. Målsägande [NAME], [PNR], tel. [TEL], arbetade åt [NAME] "
        "på [NAME]. [NAME] fick ingen lön för juli.",
        "Beslut: förundersökningen mot [NAME] ([PNR], [EMAIL]) läggs ned. Skäl: "
        "spaningsresultat saknas.",
    ]
    assert record["masked"]["documents.text"] == ZERO | {"PNR": 2, "TEL": 1, "EMAIL": 1, "NAME": 5}
    assert record["pseudonymised"]["cases.case_id"] == 3
    assert record["dropped"] == ["victims.name", "suspects.name"]
    # The same key gives the same pseudonyms; the joins survive.
    again, _ = protect(case, KEY)
    assert again.cases["case_id"].tolist() == protected.cases["case_id"].tolist()
    per_case = protected.events.groupby("case_id").size()
    assert sorted(per_case) == sorted(case.events.groupby("case_id").size())


def test_masking_over_two_processes_gives_the_same_tables_and_counts(
    tmp_path: Path, monkeypatch
) -> None:
    from cape_study.stats.textcoding import normalise

    case = load_case_file(_named_case_file(tmp_path / "casefile"), data_cutoff="2024-12-31")
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "1")
    one, one_record = protect(case, KEY, normalise=normalise)
    helpers: list[int] = []

    class Counted(privacy._Helper):
        def __init__(self, work) -> None:
            helpers.append(len(work[0]))
            super().__init__(work)

    monkeypatch.setattr(privacy, "_Helper", Counted)
    monkeypatch.setattr(privacy, "PARALLEL_FROM", 2)  # every text column of two rows or more
    monkeypatch.setenv("CAPE_STUDY_WORKERS", "2")
    two, two_record = protect(case, KEY, normalise=normalise)
    assert helpers and set(helpers) == {1}  # masked by two processes: this one and one started
    assert two_record == one_record
    for name, table in one.tables.items():
        pd.testing.assert_frame_equal(two.tables[name], table)
    assert "[PNR]" in two.documents["text"].iloc[0]


def test_personal_data_in_an_identifier_that_is_not_pseudonymised_stops_intake(
    tmp_path: Path,
) -> None:
    folder = _named_case_file(tmp_path / "casefile", coder="anna.svensson@example.se")
    case = load_case_file(folder, data_cutoff="2024-12-31")
    with pytest.raises(PrivacyError, match=r"table codings, column coder, data row 1: .*email"):
        protect(case, KEY)


def test_a_pseudonym_collision_fails_loudly(monkeypatch, tmp_path: Path) -> None:
    case = load_case_file(_named_case_file(tmp_path / "casefile"), data_cutoff="2024-12-31")
    many = pd.concat([case.cases] * 20, ignore_index=True)
    many["case_id"] = [f"SE-{i}" for i in range(len(many))]
    monkeypatch.setattr(keys, "_PSEUDONYM_LENGTH", 1)
    with pytest.raises(PrivacyError, match="same pseudonym"):
        protect(dataclasses.replace(case, cases=many), KEY)


def test_the_key_never_reaches_what_is_stored(tmp_path: Path) -> None:
    case = load_case_file(_named_case_file(tmp_path / "casefile"), data_cutoff="2024-12-31")
    protected, record = protect(case, KEY)
    written = write_processed(protected, tmp_path / "processed", metadata={"privacy": record})
    for path in written:
        data = path.read_bytes()
        assert SECRET.encode() not in data and b"Somchai" not in data
        assert b"19121212-1212" not in data and b"Grandal" not in data
    back = read_processed(tmp_path / "processed")
    assert back.documents["text"].str.contains(r"\[NAME\]").all()
    meta = json.loads((tmp_path / "processed" / "metadata.json").read_text())
    assert meta["privacy"]["fingerprint"] == KEY.fingerprint != SECRET[:12]


# -- reports ------------------------------------------------------------------------------
def test_a_rendered_page_with_personal_data_is_named_with_its_position(tmp_path: Path) -> None:
    steps = tmp_path / "steps"
    steps.mkdir()
    image = "data:image/png;base64," + "7001019876" * 50  # base-64 text is skipped
    (steps / "a.html").write_text(f'<p>ok</p><img src="{image}">', encoding="utf-8")
    (steps / "b.html").write_text("<p>ok</p>\n<td>Kontakt: 070-174 06 05</td>", encoding="utf-8")
    with pytest.raises(PersonalDataFound) as info:
        pages.check_personal_data(tmp_path, "reports")
    message = str(info.value)
    assert "reports/steps/b.html" in message and "phone at line 2, column 14" in message
    assert "070" not in message


def test_markup_is_not_scanned_only_what_a_reader_sees(tmp_path: Path) -> None:
    # nbconvert gives every cell a random UUID; its digit groups can look like a number.
    page = (
        '<div class="jp-Cell" id="cell-id=3f2a9c1d-0123-4567-8901-b2c3d4e5f6a7">\n'
        "<style>.x{margin:0 0 24 24}</style><p>Ärende 5000-K123456-19</p></div>"
    )
    (tmp_path / "ok.html").write_text(page, encoding="utf-8")
    pages.check_personal_data(tmp_path, "reports")
    (tmp_path / "leak.html").write_text(page.replace("Ärende", "Tel 0123-4567"), encoding="utf-8")
    with pytest.raises(PersonalDataFound, match=r"leak\.html: .*phone at line 2"):
        pages.check_personal_data(tmp_path, "reports")


class _Intake(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    case_file: str = "data/raw/demo"


def _leaky_project(base: Path) -> Path:
    """A one-step project whose notebook prints a personnummer into its page."""
    root = base / "project"
    (root / "notebooks").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "cape-study", "display_name": "cape", "language": "python"}
    params = nbformat.v4.new_code_cell('case_file = "data/raw/demo"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell('print("Tolvan: 19121212-1212")')]
    nbformat.write(nb, root / "notebooks" / "leak.ipynb")
    (root / "data" / "raw" / "demo").mkdir(parents=True)
    (root / "constraints.txt").write_text("example==1.0\n", encoding="utf-8")
    pipeline = {"steps": {"leak": {"notebook": "notebooks/leak.ipynb", "parameters": "intake"}}}
    (root / "pipeline.yaml").write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    return root


def test_a_report_with_personal_data_is_not_published(tmp_path: Path) -> None:
    root = _leaky_project(tmp_path)
    (root / "reports").mkdir()
    (root / "reports" / "index.html").write_text("the last good report", encoding="utf-8")
    with pytest.raises(PersonalDataFound, match=r"reports/steps/leak\.html: .*personnummer"):
        run_pipeline(project(root), progress=None, parameter_sets={"intake": _Intake})
    assert (root / "reports" / "index.html").read_text(encoding="utf-8") == "the last good report"
    assert not (root / "reports" / "manifest.json").exists()
    assert not list((root / "reports").glob(".tmp-*"))
    # The page never reaches the cache, so a second run cannot publish it from there.
    assert not (project(root).cache / "leak").exists()
    with pytest.raises(PersonalDataFound):
        run_pipeline(project(root), progress=None, parameter_sets={"intake": _Intake})


# -- intake end to end --------------------------------------------------------------------
def test_intake_step_on_the_demo_with_a_key_from_the_environment(
    tmp_path: Path, monkeypatch
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO.constraints, root / "constraints.txt")
    shutil.copytree(REPO.notebooks, root / "notebooks")
    shutil.copytree(DEMO, root / "data" / "raw" / "demo")
    steps = yaml.safe_load(REPO.pipeline_file.read_text(encoding="utf-8"))["steps"]
    pipeline = {"steps": {"00_intake": steps["00_intake"]}}
    (root / "pipeline.yaml").write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    monkeypatch.setenv(KEY_ENV, SECRET)
    run_pipeline(project(root), progress=None)

    manifest = json.loads((root / "reports" / "manifest.json").read_text())
    record = manifest["privacy"]["00_intake"]
    assert record["key"] == f"environment variable {KEY_ENV}"
    assert record["dropped"] == ["victims.name", "suspects.name"]
    counts = {(r["column"], r["tag"]): r["count"] for r in record["counts"]}
    truth = json.loads((DEMO / "truth.json").read_text())["identifiers"]["counts"]
    identity = truth["personnummer"] + truth["samordningsnummer"] + truth["hetu"]
    pnr, tel = counts["documents.text", "[PNR]"], counts["documents.text", "[TEL]"]
    assert pnr >= identity and pnr + tel == identity + truth["phone"]
    assert counts["cases.case_id", ""] == 400
    # No published cell below the threshold, and the audit is in the manifest.
    assert {r["table"] for r in manifest["disclosure"]} >= {"cases by year reported"}
    shown = [r["count"] for r in record["counts"] if r["count"] is not None]
    assert not [n for n in shown if 0 < n < 5]

    processed = read_processed(root / "data" / "processed")
    assert processed.cases["case_id"].str.fullmatch(r"C-[A-Z2-7]{10}").all()
    assert "name" not in processed.victims
    everything = [
        *root.joinpath("reports").rglob("*"),
        *root.joinpath("data", "processed").rglob("*"),
        *root.joinpath(".cache").rglob("*"),
    ]
    for path in everything:
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data, path
    page = (root / "reports" / "steps" / "00_intake.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in page and "[PNR]" in page and "SE000001" not in page


def test_publish_shows_counts_after_disclosure_control_and_never_the_key(monkeypatch) -> None:
    import IPython.display

    from cape_study.privacy import disclosure

    record = {
        "key": "key file",
        "fingerprint": KEY.fingerprint,
        "pseudonymised": {"cases.case_id": 40},
        "masked": {"documents.text": {"PNR": 12, "TEL": 3, "EMAIL": 0, "NAME": 30}},
        "dropped": ["victims.name"],
    }
    counts = disclosure.suppress(
        privacy_counts.counts_table(record), "count", threshold=5, name="p", label=["column", "tag"]
    )
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    privacy_counts.publish(record, counts, lang="sv")
    payload = shown[0][privacy.PRIVACY_MIMETYPE]
    assert {(r["tag"], r["count"]) for r in payload["counts"]} == {
        ("", 40),
        ("[PNR]", 12),
        ("[TEL]", None),
        ("[EMAIL]", 0),
        ("[NAME]", 30),
    }
    assert KEY.fingerprint not in json.dumps(payload) and SECRET not in json.dumps(payload)
    assert shown[0]["text/markdown"].startswith("**Integritet:** identifierare")
    summary = shown[0]["text/markdown"]
    assert "12 identitetsnummer [PNR]" in summary and "30 namn [NAME]" in summary
    # the hidden count is said once, in words, never as a mark
    assert "hur många telefonnummer [TEL] som maskerades är dolt av röjandekontroll" in summary
    assert " x " not in summary and "nyckelfilen" in summary
    table = privacy_counts.format_counts(counts, "en")
    assert table.columns.tolist() == [
        "Column",
        "Ids pseudonymised (distinct)",
        "Identity numbers [PNR]",
        "Phone numbers [TEL]",
        "E-mail addresses [EMAIL]",
        "Account numbers [ACCOUNT]",
        "Passport numbers [ID]",
        "Registration numbers [REG]",
        "Addresses [ADDRESS]",
        "Names [NAME]",
        "Long digit runs left, not recognised (count)",
    ]
    tel = "Phone numbers [TEL]"
    assert pd.isna(table.loc[1, tel]) and table.loc[0, tel] == ""
    assert "Namn [NAME]" in privacy_counts.format_counts(counts, "sv").columns
    assert privacy_counts.masked_totals(counts) == ZERO | {"PNR": 12, "TEL": None, "NAME": 30}


# -- the fast paths against the straightforward definitions ---------------------------
def _old_find(names: party_names.PartyNames, text: str) -> list[tuple[int, int]]:
    """_Names.find as first written: every word of the text, one by one."""
    words = list(party_names._WORD.finditer(text))
    folded = [w.group().casefold() for w in words]
    gaps = [text[a.end() : b.start()] for a, b in itertools.pairwise(words)]
    found, i = [], 0
    while i < len(words):
        word = folded[i]
        if (
            word not in names.index
            and word not in names.parts
            and not word.endswith("s")
            and ":" not in word
        ):
            i += 1
            continue
        last = names._whole_name_at(gaps, folded, i)
        if last is not None:
            found.append((words[i].start(), words[last].end()))
            i = last + 1
            continue
        if words[i].group()[:1].isupper() and party_names._base(folded[i]) & names.parts:
            found.append((words[i].start(), words[i].end()))
        i += 1
    return found


def test_name_finding_from_trigger_words_equals_walking_every_word() -> None:
    case = load_case_file(project().demo_case_file)
    names = [n for t in (case.victims, case.suspects) for n in t["name"].dropna()]
    everyone = party_names.PartyNames.of(names)
    texts = case.documents["text"].dropna().tolist()
    texts += [
        "Anna Svenssons vittnesmål; ANNA SVENSSON: och Svensson:s bil, Dang:a, Per Hansson's",
        "Maria von Berg AB och maria  von\nberg; Berg's. Korhonen: Virtanen ja Mikko",
    ]
    for text in texts:
        assert list(everyone.find(text)) == _old_find(everyone, text)
        own = party_names.PartyNames(everyone.index, party_names.PartyNames.part_set(names[:3]))
        assert list(own.find(text)) == _old_find(own, text)


def test_pseudonym_is_the_first_ten_base32_characters_of_the_whole_hmac() -> None:
    import base64
    import hmac

    key = PseudonymKey(b"k" * 40, "test")
    for value in ["C-1", "", "ärende 17", "x" * 300]:
        for table in ("cases", "documents"):
            whole = hmac.new(key.secret, f"{table}\x1f{value}".encode(), hashlib.sha256).digest()
            code = base64.b32encode(whole).decode("ascii")[:10]
            assert pseudonym(value, key, table) == f"{table[0].upper()}-{code}"
