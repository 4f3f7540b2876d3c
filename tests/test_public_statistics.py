"""The case file beside the public statistics: public rows found, case-file side counted."""

from __future__ import annotations

import csv

import pytest
from conftest import write_case_file

from cape_study.data.loaders import load_case_file
from cape_study.stats.proportions import proportion_ci
from cape_study.stats.public_statistics import (
    PUBLIC_STATISTICS_FILE,
    Comparison,
    ComparisonError,
    compare,
    load_comparisons,
    load_public_statistics,
)


@pytest.fixture
def case_file(tmp_path, tables):
    write_case_file(tmp_path / "cf", tables)
    return load_case_file(tmp_path / "cf", data_cutoff="2024-12-31")


def _comparison(case_file_side: dict, public: dict | None = None) -> Comparison:
    text = {"en": "x", "sv": "x"}
    if public is not None:
        public = {"source": {"en": "Police", "sv": "Polisen"}, **public}
    return Comparison.model_validate(
        {
            "id": "test",
            "label": {"en": "Test", "sv": "Test"},
            "public": public
            or {
                "value": {
                    "country": "SE",
                    "indicator": "reported_thb_forced_labour",
                    "year": "2018",
                },
                "source": {"en": "Police", "sv": "Polisen"},
            },
            "case_file": case_file_side,
            "comparable": text,
            "differs": text,
        }
    )


def test_public_rows_are_cited_by_their_line_in_the_file() -> None:
    table = load_public_statistics().set_index("line")
    with open(PUBLIC_STATISTICS_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for line in (2, 18, 88):
        country, indicator, year = rows[line - 1][:3]
        assert table.loc[line, ["country", "indicator", "year"]].tolist() == [
            country,
            indicator,
            year,
        ]


def test_every_packaged_comparison_finds_its_public_figure(case_file) -> None:
    comparisons = load_comparisons()
    table = compare(case_file.cases, case_file.events, lang="sv")
    assert table["id"].tolist() == [c.id for c in comparisons]
    assert table["public_value"].notna().all() and table["case_count"].notna().all()
    assert table.loc[table["measure"] == "share", "public_share"].tolist() == [4 / 200]
    assert table["label"].str.startswith(("Sverige", "Finland")).all()
    # The tiny case file: nothing reported in 2018 (SE) or 2019 (FI).
    assert table.set_index("id").loc["se_reports_2018", "case_count"] == 0


def test_sources_are_cited_in_the_report_language_not_the_csv_notes(case_file) -> None:
    """The csv's titles carry the vendor's English notes ("as reported in ..."); a page
    cites the comparison's own source in its language."""
    english = r"as reported in|press statement|report by|press release|\(NBI\)"
    assert load_public_statistics()["source_title"].str.contains(english).any()
    for lang, word in (("sv", "citerad i"), ("en", "cited in"), ("fi", "lainattu")):
        sources = compare(case_file.cases, case_file.events, lang=lang)["public_source"]
        assert sources.str.contains(word).any(), lang
        if lang != "en":
            assert not sources.str.contains(english).any(), lang
    english = compare(case_file.cases, case_file.events, lang="en")["public_source"]
    assert not english.str.contains("Polismyndigheten,|Riksrevisionen,").any()


def test_case_file_side_counts_cases_by_offence_step_and_period(case_file) -> None:
    reported = _comparison(
        {
            "country": "SE",
            "offences": ["manniskohandel", "manniskoexploatering"],
            "count": "reported",
            "dated": "report",
            "period": ["2019-01-01", "2020-12-31"],
        }
    )
    share = _comparison(
        {
            "country": "SE",
            "count": "judged",
            "of": "reported",
            "dated": "report",
            "period": ["2019-01-01", "2020-12-31"],
        },
        public={
            "value": {
                "country": "SE",
                "indicator": "court_cases_thb_forced_labour_non_begging",
                "year": "2004-2020",
            },
            "of": {
                "country": "SE",
                "indicator": "police_reports_thb_forced_labour",
                "year": "2004-2020",
            },
        },
    )
    excluded = share.model_copy(
        update={"case_file": share.case_file.model_copy(update={"exclude_sectors": ("cleaning",)})}
    )
    convicted = _comparison(
        {
            "country": "SE",
            "count": "convicted",
            "outcomes": ["convicted_trafficking"],
            "dated": "judgment",
            "period": ["2019-01-01", "2020-12-31"],
        }
    )
    table = compare(
        case_file.cases, case_file.events, comparisons=[reported, share, excluded, convicted]
    )
    assert table["case_count"].tolist() == [2, 1, 1, 0]  # SE-1's conviction was reversed
    assert table["case_total"].tolist()[1:3] == [2, 1]
    assert (table.loc[1, "ci_low"], table.loc[1, "ci_high"]) == proportion_ci(1, 2)
    assert table.loc[1, "public_lines"] == "3, 2"
    assert table.loc[0, "case_period"] == "2019–2020"


def test_a_missing_public_figure_or_unknown_code_is_named(case_file) -> None:
    side = {
        "country": "SE",
        "count": "reported",
        "dated": "report",
        "period": ["2019-01-01", "2019-12-31"],
    }
    missing = _comparison(
        side, public={"value": {"country": "SE", "indicator": "no_such", "year": "2018"}}
    )
    with pytest.raises(ComparisonError, match=r"comparison test: .* 0 rows .*indicator no_such"):
        compare(case_file.cases, case_file.events, comparisons=[missing])
    unknown = _comparison({**side, "offences": ["trafficking"]})
    with pytest.raises(ComparisonError, match="not codes of scheme 'offence'"):
        compare(case_file.cases, case_file.events, comparisons=[unknown])
