"""Takeaways an author can paste: short whole sentences in the run's language, groups named
by the codebook's labels (``Sverige``, not ``SE``), every hidden value left out of the
sentences and named once, at the end, in one sentence saying why.

The words are in :mod:`cape_study.present.labels.sentences`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import number, percent
from cape_study.present.labels import HIDDEN_WORDS, TAKEAWAY_WORDS, sort_groups, step_labels
from cape_study.present.labels.sentences import CI_METHODS
from cape_study.present.limits import takeaway_label

__all__ = ["Hidden", "attrition_takeaway", "intake_takeaway", "share_parts"]


def _words(table: Mapping[str, Mapping], lang: str) -> dict:
    """``table``'s words in ``lang``, English for a word it lacks (Finnish)."""
    return {**table["en"], **table.get(lang, {})}


class Hidden:
    """What a takeaway leaves out because disclosure control hid it: each item once, with
    the groups it was hidden in, said in one sentence by :meth:`sentence`."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, what: str, group: str | None = None) -> None:
        """Note that ``what`` (in ``group``, if given) is hidden."""
        groups = self.items.setdefault(what, [])
        if group is not None and group not in groups:
            groups.append(group)

    def sentence(self, lang: str, threshold: int | None) -> str:
        """One sentence naming every hidden item and why (empty when nothing is hidden);
        ``threshold`` is the smallest count shown (``min_cell_count``)."""
        if not self.items:
            return ""
        words = _words(HIDDEN_WORDS, lang)
        items = "; ".join(
            f"{what} ({', '.join(groups)})" if groups else what
            for what, groups in self.items.items()
        )
        key = "hidden" if threshold is not None else "hidden_any"
        return words[key].format(n=threshold, items=items)


def _count(value: object, what: str, hidden: Hidden, group: str | None = None) -> str | None:
    """A count for a sentence, or None after noting it as hidden."""
    if value is None or pd.isna(value):
        hidden.add(what, group)
        return None
    return number(int(value))


def intake_takeaway(
    *,
    version: str,
    cases: object,
    countries: Mapping[str, object],
    masked: Mapping[str, object],
    synthetic: bool,
    lang: Language = "en",
    threshold: int | None = None,
    codebook: Codebook | None = None,
) -> str:
    """The intake's finding: the checks passed, the cases by country, what was masked.

    ``cases`` and ``countries`` (country code -> count) and ``masked`` (tag -> count, as
    :func:`cape_study.privacy.masking.masked_totals`) come from suppressed tables; a
    hidden count is named once in the last sentence, never shown.
    """
    book = codebook_or_default(codebook)
    words = _words(TAKEAWAY_WORDS, lang)
    hidden = Hidden()
    country_labels = book.labels("country", lang)
    sentences = [words["checked"].format(version=version)]
    total = _count(cases, words["cases_word"], hidden)
    parts = []
    for code in [c for c in book.codes("country") if c in countries]:
        group = country_labels.get(code, code)
        shown = _count(countries[code], words["cases_word"], hidden, group)
        if shown is not None:
            parts.append(words["in"].format(n=shown, group=group))
    if total is not None and parts:
        sentences.append(words["holds"].format(cases=total, countries=", ".join(parts)))
    sentences.append(words["stored"])
    items = []
    for tag, template in words["mask"].items():
        what = template.format(n="").strip()
        shown = _count(masked.get(tag), what, hidden)
        if shown is not None:
            items.append(template.format(n=shown))
    if items:
        joined = ", ".join(items[:-1]) + words["and"] + items[-1] if len(items) > 1 else items[0]
        sentences.append(words["masked"].format(items=joined))
    if synthetic:
        sentences.append(words["synthetic"])
    sentences.append(hidden.sentence(lang, threshold))
    return f"**{takeaway_label(lang)}:** " + " ".join(s for s in sentences if s)


def share_parts(
    rows: pd.DataFrame,
    estimate: str,
    what: str,
    hidden: Hidden,
    *,
    by: str = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> str:
    """Each group's ``estimate`` with its interval (``Sverige 12,0 % (8,1 %–17,2 %)``),
    in codebook order, the ``all`` group left out; a hidden one noted in ``hidden`` under
    ``what``, never shown."""
    book = codebook_or_default(codebook)
    rows = rows[rows[by].astype("string") != "all"]
    parts = []
    for r in sort_groups(rows, [by], book).itertuples(index=False):
        code = str(getattr(r, by))
        group = book.label(by, code, lang) if code in book.codes(by) else code
        value = getattr(r, estimate)
        if pd.isna(value) or bool(getattr(r, "suppressed", False)):
            hidden.add(what, group)
            continue
        parts.append(
            f"{group} {percent(value, lang=lang)} "
            f"({percent(r.ci_low, lang=lang)}–{percent(r.ci_high, lang=lang)})"
        )
    return "; ".join(parts)


def attrition_takeaway(
    funnel: pd.DataFrame,
    incidence: pd.DataFrame | None,
    *,
    steps: Sequence[str] = (
        "prosecuted",
        "convicted_trafficking",
        "convicted_exploitation",
        "convicted_other",
    ),
    at: float = 730,
    confidence: float = 0.95,
    method: str = "wilson",
    cutoff: str = "",
    lang: Language = "en",
    threshold: int | None = None,
    codebook: Codebook | None = None,
) -> str:
    """The attrition finding: per country, the share of reported cases that reached each
    of ``steps`` (those the funnel holds: a stage the sample's selection implies is not a
    finding), then the cumulative incidence of prosecution and of closure ``at`` days
    after the report. A hidden share is named once, in the last sentence.

    ``funnel`` is a suppressed :func:`cape_study.stats.attrition.funnel` by country;
    ``incidence`` a suppressed cumulative incidence table at fixed times (or None).
    """
    book = codebook_or_default(codebook)
    words = _words(TAKEAWAY_WORDS, lang)
    labels = step_labels(lang, book)
    hidden = Hidden()
    ci = words["ci"].format(
        level=percent(confidence, 0, lang=lang), method=_words(CI_METHODS, lang)[method]
    )
    shares = [
        words["step"].format(step=labels.get(step, step), parts=parts)
        for step in steps
        if (funnel["stage"] == step).any()
        and (
            parts := share_parts(
                funnel[funnel["stage"] == step],
                "proportion",
                labels.get(step, step),
                hidden,
                lang=lang,
                codebook=book,
            )
        )
    ]
    sentences = [words["shares"].format(ci=ci), *shares] if shares else []
    if incidence is not None and not incidence.empty:
        rows = incidence[incidence["time"] == at]
        causes = [
            words["step"].format(step=labels.get(cause, cause), parts=parts)
            for cause in ("prosecuted", "closed")
            if (
                parts := share_parts(
                    rows[rows["cause"] == cause],
                    "cif",
                    labels.get(cause, cause),
                    hidden,
                    lang=lang,
                    codebook=book,
                )
            )
        ]
        if causes:
            sentences += [words["at"].format(cutoff=cutoff), *causes]
    if not sentences:
        shown_nothing = hidden.items
        hidden = Hidden()
        if shown_nothing:
            hidden.add(_words(HIDDEN_WORDS, lang)["all"])
        else:
            sentences.append(words["nothing"])
    sentences.append(hidden.sentence(lang, threshold))
    return f"**{takeaway_label(lang)}:** " + " ".join(s for s in sentences if s)
