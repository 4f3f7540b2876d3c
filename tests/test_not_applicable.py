"""An offence that a country's law does not have is not applicable there: the funnels and
their tables say so, never 0 % with an interval (issue 16 item 3)."""

from __future__ import annotations

import pandas as pd

from cape_study.data.codebook import load_codebook
from cape_study.present.labels import NOT_APPLICABLE
from cape_study.present.tables import format_funnel, format_funnel_wide
from cape_study.present.wording import funnel_text
from cape_study.privacy.disclosure import Disclosure
from cape_study.stats.attrition import funnel, suppress_funnel


def _without_finnish_exploitation():
    """Codebook 1.0's situation: Finland's law had no offence of the exploitation family."""
    book = load_codebook().model_copy(deep=True)
    for code in book.scheme("offence").codes:
        if code.code == "kiskonnantapainen_tyosyrjinta":
            object.__setattr__(code, "family", "other")
    assert not book.applies_in("outcome", "convicted_exploitation", "FI")
    return book


def _status() -> pd.DataFrame:
    rows = []
    for country, n, outcomes in (
        ("SE", 40, ["convicted_exploitation"] * 6 + ["acquitted"] * 6),
        ("FI", 12, ["convicted_other"] * 6),
    ):
        for i in range(n):
            rows.append(
                {
                    "case_id": f"{country}-{i}",
                    "country": country,
                    "reached_reported": True,
                    "reached_prosecuted": i < len(outcomes),
                    "outcome": outcomes[i] if i < len(outcomes) else pd.NA,
                }
            )
    return pd.DataFrame(rows).astype({"outcome": "string"})


STEPS = ["reported", "prosecuted", "convicted_exploitation", "convicted_other", "acquitted"]


def test_a_conviction_the_law_lacks_is_not_applicable_not_zero() -> None:
    book = _without_finnish_exploitation()
    table = funnel(_status(), by="country", steps=STEPS, overall=True, codebook=book)
    row = table.set_index(["country", "stage"])
    fi = row.loc[("FI", "convicted_exploitation")]
    assert not fi["applicable"] and pd.isna(fi["reached"]) and pd.isna(fi["proportion"])
    assert pd.isna(fi["ci_low"]) and pd.isna(fi["ci_high"])  # no 0-26 % interval
    se = row.loc[("SE", "convicted_exploitation")]
    assert se["applicable"] and se["reached"] == 6 and se["proportion"] == 6 / 40
    # the "all" group and every other step are applicable, with counts
    assert row.loc[("all", "convicted_exploitation"), "reached"] == 6
    assert (
        row.loc[("FI", "acquitted"), "applicable"] and row.loc[("FI", "acquitted"), "reached"] == 0
    )
    # with the packaged codebook kiskonnantapainen työsyrjintä is Finland's exploitation
    assert funnel(_status(), by="country", steps=STEPS)["applicable"].all()


def test_tables_and_text_say_not_applicable() -> None:
    book = _without_finnish_exploitation()
    table = funnel(_status(), by="country", steps=STEPS, overall=True, codebook=book)
    safe = suppress_funnel(
        table, threshold=5, name="funnel", additive=["country"], audit=Disclosure()
    )
    fi = safe[(safe["country"] == "FI") & (safe["stage"] == "convicted_exploitation")].iloc[0]
    assert not fi["suppressed"] and pd.isna(fi["reached"])
    for lang in ("sv", "en"):  # the report's languages
        wide = format_funnel_wide(safe, by="country", lang=lang, steps_as_rows=True, codebook=book)
        cells = wide.set_index(wide.columns[0])
        label = book.label("outcome", "convicted_exploitation", lang)
        finland = [c for c in cells.columns if c.startswith(book.label("country", "FI", lang))]
        sweden = [c for c in cells.columns if c.startswith(book.label("country", "SE", lang))]
        assert cells.loc[label, finland[0]] == NOT_APPLICABLE[lang]
        assert cells.loc[label, sweden[0]].startswith("6 (")
        long = format_funnel(safe, lang=lang, codebook=book).astype(str)
        cell = long[
            (long.iloc[:, 0] == book.label("country", "FI", lang)) & (long.iloc[:, 1] == label)
        ]
        assert list(cell.iloc[0, [2, 4]]) == [NOT_APPLICABLE[lang]] * 2
    text = funnel_text(safe, "convicted_exploitation")
    assert "FI: not applicable" in text and "SE: 15" in text
