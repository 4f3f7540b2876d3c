"""A notebook opened by hand never writes into the published report (data/processed)."""

from __future__ import annotations

import os

import pytest
from conftest import write_case_file

from cape_study.data.loaders import load_case_file, write_processed
from cape_study.errors import CaseFileError
from cape_study.paths import RUN_ENV, writes_into_published
from cape_study.privacy.disclosure import Disclosure


@pytest.fixture
def published(tmp_path):
    """A project after cape-study run: data/processed links into .published/."""
    version = tmp_path / ".published" / "v-1" / "data" / "processed"
    version.mkdir(parents=True)
    (version / "metadata.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    os.symlink("../.published/v-1/data/processed", tmp_path / "data" / "processed")
    return tmp_path / "data" / "processed"


def test_intake_by_hand_refuses_to_replace_the_published_data(
    published, tmp_path, tables, monkeypatch
) -> None:
    monkeypatch.delenv(RUN_ENV, raising=False)
    write_case_file(tmp_path / "cf", tables)
    case = load_case_file(tmp_path / "cf", data_cutoff="2024-12-31")
    before = sorted(p.name for p in published.iterdir())
    with pytest.raises(CaseFileError, match="cape-study run --only 00_intake"):
        write_processed(case, published)
    assert published.is_symlink() and sorted(p.name for p in published.iterdir()) == before
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["processed"]
    # another folder is the researcher's own
    written = write_processed(case, tmp_path / "mine")
    assert (tmp_path / "mine" / "metadata.json") in written


def test_a_disclosure_registry_is_not_saved_into_the_published_data_by_hand(
    published, monkeypatch
) -> None:
    monkeypatch.delenv(RUN_ENV, raising=False)
    Disclosure().save(published / "disclosure_01_attrition.json")
    assert not (published / "disclosure_01_attrition.json").exists()
    # a step of cape-study run writes into its stage, and may
    monkeypatch.setenv(RUN_ENV, "1")
    assert not writes_into_published(published / "disclosure.json")
    monkeypatch.delenv(RUN_ENV)
    assert writes_into_published(published / "disclosure.json")
    assert not writes_into_published(published.parent / "raw" / "x.csv")
