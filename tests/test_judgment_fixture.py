"""Sixteen invented judgments typed by hand (tests/fixtures/judgments): codebook 2.0 holds
what judgments say, the analyses read them as the codebook defines, and every step of
the pipeline runs on them (one pipeline run, about a minute), in Swedish, the project's
setting: the report holds no English prose, `cape-study check-report` finds nothing
broken in it, and switching to English and back runs no step again."""

from __future__ import annotations

import re
import shutil
from html import escape
from pathlib import Path

import pytest
from language_words import causal_claims, english_words
from openpyxl import load_workbook
from test_scenarios import _EMPTY_VALUE, _takeaways

from cape_study import cli
from cape_study.data.loaders import check_case_file
from cape_study.errors import CannotEstimate
from cape_study.paths import project
from cape_study.runner.pipeline import run_pipeline
from cape_study.stats import attrition, public_statistics

FIXTURE = Path(__file__).parent / "fixtures" / "judgments"


@pytest.fixture(scope="module")
def case():
    result = check_case_file(FIXTURE)
    assert result.ok, result.report()
    return result.case_file


def test_the_fixture_holds_what_judgments_say(case) -> None:
    assert len(case.cases) >= 15 and set(case.cases["country"]) == {"SE", "FI"}
    assert case.sampling_frame == "judgments"
    precision = case.events["date_precision"].value_counts()
    assert precision["day"] and precision["month"] and precision["year"]
    assert case.cases["report_date_precision"].eq("year").sum() >= 4
    assert case.cases["n_victims"].isna().sum() == 2  # not known, not 0
    assert (case.events["stage"] == "judgment_appeal").sum() >= 5
    assert (case.events["outcome"] == "unknown").sum() == 1
    assert set(case.victims["status"].dropna()) == {"injured_party", "potential_victim", "unknown"}
    assert {"prison", "conditional", "day_fines", "damages", "business_ban", "expulsion"} <= set(
        case.sanctions["sanction"]
    )


def test_outcomes_and_reclassification_as_the_codebook_defines_them(case) -> None:
    status = attrition.case_status(case.cases, case.events).set_index("case_id")
    # restored by the supreme court; reversed on appeal to a conviction; the only result
    assert status.loc["SE-J05", "outcome"] == "convicted_trafficking"
    assert status.loc["SE-J09", "outcome"] == "convicted_exploitation"
    assert status.loc["SE-J04", "outcome"] == "acquitted"
    # kiskonnantapainen työsyrjintä is labour exploitation, not "another offence"
    assert status.loc["FI-J02", "outcome"] == "convicted_exploitation"
    # trafficking convicted as ocker or (grov) människoexploatering in the alternative,
    # and as kiskonnantapainen työsyrjintä; not the separately charged drug offence (SE-J08)
    assert attrition.reclassified(case.cases, case.events) == {"SE-J01", "SE-J03", "FI-J01"}
    assert set(status.index[status["reclassified"]]) == {"SE-J01", "SE-J03", "FI-J01"}


def test_a_judgment_sample_shows_no_share_of_reports(case) -> None:
    steps = attrition.observed_steps(attrition.FUNNEL_STEPS, case.sampling_frame)
    assert steps == attrition.OUTCOME_ORDER
    with pytest.raises(CannotEstimate) as caught:
        public_statistics.compare(case.cases, case.events, sampling_frame=case.sampling_frame)
    assert caught.value.reason == "sampling_frame"
    times = attrition.event_times(case.cases, case.events, case.data_cutoff)
    assert 0 < times["day_precise"].sum() < len(times)  # month and year dates left out


def _run(root: Path, only: list[str] | None = None, **overrides: str):
    """The pipeline on the fixture in the project ``root`` (a step's run, with ``only``)."""
    overrides = {"case_file": str(FIXTURE), "case_label": "Domar inskrivna för hand", **overrides}
    return run_pipeline(project(root), overrides=overrides, only=only, progress=lambda e: None)


@pytest.fixture(scope="module")
def swedish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pipeline run once on the fixture, in Swedish by the project's setting (the
    project's root; the tests of this module share it, and the last switches languages)."""
    repo = project()
    root = tmp_path_factory.mktemp("judgments") / "project"
    root.mkdir()
    shutil.copy(repo.root / "constraints.txt", root / "constraints.txt")
    spec = (repo.root / "pipeline.yaml").read_text(encoding="utf-8")
    assert re.search(r"^settings:\n  lang: \w+$", spec, re.M)
    spec = re.sub(r"^(settings:\n  lang:) \w+$", r"\1 sv", spec, flags=re.M)
    (root / "pipeline.yaml").write_text(spec, encoding="utf-8")
    shutil.copytree(repo.notebooks, root / "notebooks")
    result = _run(root)
    assert {s.status for s in result.steps.values()} == {"ran"}
    return root


def test_every_step_runs_on_the_fixture_in_swedish_without_english_prose(swedish: Path) -> None:
    root = swedish
    for page in sorted((root / "reports" / "steps").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert "Traceback" not in html, page.stem
        for stderr in re.findall(r'vnd\.jupyter\.stderr"[^>]*>\s*<pre>(.*?)</pre>', html, re.S):
            assert "Error" not in stderr, (page.stem, stderr[:300])
        for text in _takeaways(html):
            assert not _EMPTY_VALUE.search(text), (page.stem, text)
            assert causal_claims(text) == [], (page.stem, text)
    funnel = (root / "reports" / "steps" / "01_attrition.html").read_text(encoding="utf-8")
    assert "Urvalsram: domar" in funnel
    # Every page a reader reads is in Swedish: no English prose (a word-list check over
    # the visible text; code, ids, paths and numbers left out).
    pages = [root / "reports" / "report.html", root / "reports" / "index.html"]
    for page in [*pages, *sorted((root / "reports" / "steps").glob("*.html"))]:
        html = page.read_text(encoding="utf-8")
        assert '<html lang="sv">' in html, page.name
        # the codebook's appendix too: its definitions name tables and codes as code and
        # quote sources in their own languages (quotations are not checked)
        assert english_words(html) == [], (page.name, english_words(html)[:30])
    # The workbooks' sheets are named in Swedish, and so are the tables on their About sheet.
    for path in sorted((root / "reports" / "tables").glob("*.xlsx")):
        book = load_workbook(path, read_only=True)
        assert book.sheetnames[0] == "Om" and len(book.sheetnames) > 1, path.name
        about = {r[0]: r[1] for r in book["Om"].iter_rows(values_only=True) if r and r[0]}
        # (a sheet name cut short ends in a part of a word: left out)
        names = [
            f"<p>{escape(re.sub(r'[^ ]*…$', '', s))}. {escape(about[s])}.</p>"
            for s in book.sheetnames[1:]
        ]
        assert english_words("".join(names)) == [], (path.name, book.sheetnames)


def test_check_report_finds_nothing_wrong_in_the_swedish_report(
    chromium_present: None, swedish: Path, capsys: pytest.CaptureFixture
) -> None:
    """`cape-study check-report` (``make screenshots``) on the Swedish pages: every image
    loads, every link and in-page anchor (Swedish headings' ids) leads somewhere."""
    reports = swedish / "reports"
    assert cli.main(["check-report", str(reports), "--no-screenshots"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"{reports}: 7 page(s), no broken image, link or script", out
    anchors = re.findall(r'href="#([^"]+)"', (reports / "report.html").read_text("utf-8"))
    assert len(anchors) > 50 and all(re.fullmatch(r"[a-z0-9_-]+", a) for a in anchors)


def test_switching_to_english_and_back_runs_nothing(swedish: Path) -> None:
    """sv -> en -> sv through the runner (the project's setting, then ``-p lang=en``):
    after a step ran in English, the Swedish report comes back whole from the cache, page
    for page as it was, and no step runs (the step's Swedish result was kept)."""
    reports = swedish / "reports"
    before = {p.name: p.read_bytes() for p in (reports / "steps").glob("*.html")}
    english = _run(swedish, only=["00_intake"], lang="en")
    assert english.steps["00_intake"].status == "ran"  # its cache entry is English now
    assert not english.report_updated and english.partial_dir is not None
    html = (english.partial_dir / "steps" / "00_intake.html").read_text("utf-8")
    assert '<html lang="en">' in html  # kept aside: the other steps did not run in English
    back = _run(swedish)
    assert {f"{name}.html" for name in back.steps} == set(before)
    assert {s.status for s in back.steps.values()} == {"cached"}
    assert {p.name: p.read_bytes() for p in (reports / "steps").glob("*.html")} == before
