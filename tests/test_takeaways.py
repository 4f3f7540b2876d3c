"""Takeaways an author can paste: whole sentences in the run's language, groups named by
the codebook's labels, every hidden value named once, in one sentence saying why."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from language_words import ENGLISH, SWEDISH, prose, words_of

from cape_study.present import takeaways, wording
from cape_study.present.display import use_language


@pytest.fixture(params=["en", "sv"])
def lang(request):
    use_language(request.param)
    yield request.param
    use_language("en")


def _funnel() -> pd.DataFrame:
    rows = []
    for stage, se, fi in [
        ("prosecuted", 0.12, None),
        ("convicted_trafficking", None, None),
        ("convicted_exploitation", 0.05, 0.08),
    ]:
        for country, p in [("SE", se), ("FI", fi), ("all", 0.1)]:
            rows.append(
                {
                    "stage": stage,
                    "country": country,
                    "proportion": np.nan if p is None else p,
                    "ci_low": np.nan if p is None else p / 2,
                    "ci_high": np.nan if p is None else p * 1.5,
                    "suppressed": p is None,
                }
            )
    return pd.DataFrame(rows)


def _incidence() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": [730] * 4 + [365],
            "cause": ["prosecuted", "prosecuted", "closed", "closed", "closed"],
            "country": ["SE", "FI", "SE", "FI", "SE"],
            "cif": [0.023, np.nan, 0.94, 0.76, 0.5],
            "ci_low": [0.009, np.nan, 0.9, 0.66, 0.4],
            "ci_high": [0.047, np.nan, 0.96, 0.84, 0.6],
        }
    )


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", text) if s]


def test_the_attrition_takeaway_names_countries_by_label_and_each_hidden_share_once(lang) -> None:
    text = takeaways.attrition_takeaway(
        _funnel(), _incidence(), cutoff="2024-12-31", lang=lang, threshold=5
    )
    sweden, finland = {"en": ("Sweden", "Finland"), "sv": ("Sverige", "Finland")}[lang]
    assert text.startswith({"en": "**Takeaway:** Share", "sv": "**Slutsats:** Andel"}[lang])
    assert sweden in text and "SE" not in text.replace("SE:", "?") and "SE:" not in text
    assert "convicted_" not in text and "prosecuted" not in text.split("**", 2)[2].split(" ")[0]
    # hidden: said once, in the last sentence, with the threshold; never as a number
    hidden = {"en": "Hidden by disclosure control", "sv": "Dolt av röjandekontroll"}[lang]
    assert text.count(hidden) == 1 and text.rindex(hidden) > text.rindex("%")
    last = text[text.index(hidden) :]
    assert "5" in last and finland in last
    trafficking = {"en": "Convicted of trafficking", "sv": "Dömd för människohandel"}[lang]
    assert f"{trafficking} ({sweden}, {finland})" in last  # a step hidden everywhere
    assert text.count(trafficking) == 1
    # the one-year row is not the two-year figure
    assert "50" not in text
    other = {"en": SWEDISH, "sv": ENGLISH}[lang]
    assert not words_of(text, other), words_of(text, other)


def test_an_attrition_takeaway_with_every_share_hidden_says_so_in_one_sentence(lang) -> None:
    funnel = _funnel().assign(proportion=np.nan, suppressed=True)
    text = takeaways.attrition_takeaway(funnel, None, lang=lang, threshold=5)
    assert "%" not in text
    assert text.count(".") == 1 + ("Aalen" in text)  # the hidden sentence only
    assert {"en": "every share by country", "sv": "varje andel per land"}[lang] in text


def test_the_intake_takeaway_is_short_sentences_with_hidden_counts_named_once(lang) -> None:
    text = wording.provenance_banner(True, "", "2.0", "2024-12-31", lang)
    assert {"en": "SYNTHETIC DATA", "sv": "SYNTETISKA DATA"}[lang] in text
    text = takeaways.intake_takeaway(
        version="2.0",
        cases=400,
        countries={"SE": 300, "FI": np.nan},
        masked={"PNR": 1027, "TEL": 544, "EMAIL": np.nan, "NAME": 2574},
        synthetic=True,
        lang=lang,
        threshold=5,
    )
    assert text.startswith({"en": "**Takeaway:** The", "sv": "**Slutsats:** Ärendefilen"}[lang])
    body = text.split("** ", 1)[1]
    assert all(s[0].isupper() for s in _sentences(body) if s[0].isalpha())
    assert re.search(r"\b300\b", text) and "Finland" in text and "nan" not in text
    # 1 027 in Swedish, 1,027 in English
    assert {"en": "1,027", "sv": "1\xa0027"}[lang] in text
    assert len(re.findall({"en": "Hidden", "sv": "Dolt"}[lang], text)) == 1
    email = {"en": "e-mail addresses", "sv": "e-postadresser"}[lang]
    assert text.count(email) == 1 and text.index(email) > text.index("Finland") - 40
    other = {"en": SWEDISH, "sv": ENGLISH}[lang]
    assert not words_of(text, other), words_of(text, other)


def test_notebook_sentences_and_model_notes_are_in_the_run_language(lang) -> None:
    summary = wording.disclosure_summary(
        [
            {"table": "cases by outcome: interpreter_needed", "reason": "small"},
            {"table": "stage funnel", "reason": "secondary"},
            {"table": "rows", "reason": "rounded to 5"},
        ],
        lang,
    )
    assert "interpreter_needed" not in summary and "stage funnel" not in summary
    assert re.search(r"\b2\b.*\b2\b", summary)
    fit = SimpleNamespace(
        method="Firth penalised likelihood",
        interval="profile penalised likelihood",
        confidence=0.95,
        few_events=True,
        epv=3.25,
        events=13,
        non_events=200,
        n=213,
        terms=["a", "b", "c", "d"],
        warnings=["Too few events per variable: 3.2 cases of the rarer outcome per estimated"],
    )
    lines = " ".join(
        [
            wording.fit_text(fit, lang),
            wording.model_notes(
                fit, ["a", "b", "c", "d", "e"], labels={"e": "Tolk"}, lang=lang, threshold=10
            ),
            wording.exploratory_note(fit, lang=lang, threshold=10, min_cell_count=20),
            wording.codings_text("2.0", [], "majority", 0.95, lang),
            wording.sentence("work_list", lang, path="reports/x.csv"),
        ]
    )
    other = {"en": SWEDISH, "sv": ENGLISH}[lang]
    assert not words_of(prose(lines), other), words_of(prose(lines), other)
    assert "majority" not in lines or lang == "en"
    if lang == "sv":
        assert "3,2" in lines and "Tolk" in lines and "Firths" in lines
        # 13 events are below min_cell_count 20: the exploratory note does not give the EPV
        assert "Med så få händelser" in lines


def test_a_table_whose_every_cell_is_hidden_is_said_in_one_sentence(lang) -> None:
    from cape_study.present import display, export

    hidden = pd.DataFrame(
        {
            "Stage": ["Reported", "Charged"],
            "Cases": [display.SMALL_MARK, display.SUPPRESSED],
            "Share": [display.share_cell(np.nan, 0, 0), np.nan],
        }
    )
    shown = hidden.assign(Cases=[display.Count(12), display.SUPPRESSED])
    assert display.all_hidden(hidden) and not display.all_hidden(shown)
    assert not display.all_hidden(pd.DataFrame({"Stage": ["Reported"]}))  # labels only
    taken: list[str | None] = []
    before = dict(export._sinks)
    try:
        export.connect(
            table=lambda name, frame: None,
            figure=lambda figure, name: None,
            hidden=lambda name: taken.append(name) or True,
        )
        assert isinstance(display.show(hidden, name="Funnel"), display.Nothing)
        assert not isinstance(display.show(shown, name="Shown"), display.Nothing)
        assert taken == ["Funnel"]
    finally:
        export._sinks.clear()
        export._sinks.update(before)
    text = wording.hidden_section_text(2, lang, threshold=5)
    assert "5" in text and "2" in text and "min_cell_count" not in text  # no code names
    other = {"en": SWEDISH, "sv": ENGLISH}[lang]
    assert not words_of(prose(text), other), words_of(prose(text), other)
