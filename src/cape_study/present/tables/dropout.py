"""Tables of why cases drop out (01_attrition, 02_barriers): the drop-out matrix, closure
reasons by stage, and codes found on the documents that record a drop-out."""

from __future__ import annotations

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import (
    NOT_ESTIMABLE,
    SUPPRESSED,
    Count,
    count_share_cell,
    number,
    percent,
)
from cape_study.present.labels import (
    BARRIER_WORDS,
    DROPOUT_HEAD,
    code_labels,
    column_label,
    group_label,
    step_labels,
)
from cape_study.present.takeaways import Hidden
from cape_study.present.wording import sentence

__all__ = [
    "barriers_takeaway",
    "change_without_cases",
    "format_dropout",
    "format_reasons",
    "format_stage_prevalence",
    "frame_note",
    "legal_change_list",
    "side_labels",
]


def _confidence(table: pd.DataFrame) -> str:
    return percent(float(table["confidence"].iloc[0]) if len(table) else 0.95, 0)


def _count(value: object) -> str:
    return SUPPRESSED if pd.isna(value) else Count(value)


def format_dropout(
    table: pd.DataFrame,
    *,
    by: str = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The drop-out matrix, one row per stage and group (Sweden beside Finland: groups in
    codebook order): cases at the stage, moved on (share, interval), dropped out, still
    open; a stage the sampling frame implies (``implied``) has no share (``–``).
    Expects :func:`cape_study.stats.dropout.suppress_matrix`."""
    book = codebook_or_default(codebook)
    head = DROPOUT_HEAD[lang]
    steps = step_labels(lang, book)
    rows = table.sort_values(["stage", by], key=lambda c: _order(c, by, book), kind="stable")
    return pd.DataFrame(
        {
            head["stage"]: [steps.get(str(s), str(s)) for s in rows["stage"]],
            column_label(by, lang, book): [group_label(by, v, lang, book) for v in rows[by]],
            head["at_stage"]: [_count(v) for v in rows["at_stage"]],
            head["moved_on"].format(ci=_confidence(table)): [
                NOT_ESTIMABLE if implied else count_share_cell(n, p, lo, hi)
                for n, p, lo, hi, implied in zip(
                    rows["moved_on"],
                    rows["proportion"],
                    rows["ci_low"],
                    rows["ci_high"],
                    rows["implied"] if "implied" in rows else [False] * len(rows),
                    strict=True,
                )
            ],
            head["dropped_out"]: [_count(v) for v in rows["dropped_out"]],
            head["still_open"]: [_count(v) for v in rows["still_open"]],
        }
    )


def frame_note(
    sampling_frame: str, *, lang: Language = "en", codebook: Codebook | None = None
) -> str:
    """The sentence under the drop-out matrix naming the case file's sampling frame and
    the stages it implies (reached by selection, so no share moving on from them)."""
    book = codebook_or_default(codebook)
    frame = book.scheme("sampling_frame").get(sampling_frame)
    head = DROPOUT_HEAD[lang]
    if not frame.implies:
        return head["frame"].format(frame=frame.label(lang))
    implied = ", ".join(book.label("stage", s, lang) for s in frame.implies)
    return head["frame_implies"].format(frame=frame.label(lang), stages=implied)


def _order(column: pd.Series, by: str, book: Codebook) -> pd.Series:
    if column.name == by and by in book.schemes:
        codes = book.codes(by)
        return column.astype("string").map(lambda v: codes.index(v) if v in codes else len(codes))
    return column


def format_reasons(
    table: pd.DataFrame,
    *,
    by: str = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Closure reasons by stage of drop-out: one row per reason, one column per group and
    stage ("cases (share; interval)"), headed with the cases closed there. Reasons no case
    had at any stage are left out. Expects :func:`cape_study.stats.dropout.suppress_reasons`."""
    book = codebook_or_default(codebook)
    head = DROPOUT_HEAD[lang]
    steps = step_labels(lang, book)
    labels = {**book.labels("closure_reason", lang), "unknown": head["unknown"]}
    used = table.groupby("closure_reason", sort=False)["cases"].apply(
        lambda c: bool((c.fillna(1) > 0).any())
    )
    reasons = [r for r in table["closure_reason"].drop_duplicates() if used.get(r, False)]
    out = pd.DataFrame({head["reason"]: [labels.get(r, r) for r in reasons]})
    keys = table[[by, "stage"]].drop_duplicates()
    keys = keys.sort_values(["stage", by], key=lambda c: _order(c, by, book), kind="stable")
    for g, stage in keys.itertuples(index=False):
        part = table[(table[by] == g) & (table["stage"] == stage)].set_index("closure_reason")
        n = part["n_closed"].dropna()
        size = SUPPRESSED if n.empty else Count(n.iloc[0])
        column = (
            f"{group_label(by, g, lang, book)}, {steps.get(str(stage), str(stage))} "
            f"(n = {size} {head['closed']})"
        )
        out[column] = [
            count_share_cell(*part.loc[r, ["cases", "proportion", "ci_low", "ci_high"]])
            if r in part.index
            else SUPPRESSED
            for r in reasons
        ]
    return out


def format_stage_prevalence(
    table: pd.DataFrame,
    *,
    by: str = "country",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Codes found on one type of document, by group and stage of drop-out (or outcome):
    one row per code, one column per group ("cases (share; interval)"), headed with the
    cases whose documents of that type were coded (a group that is no stage or outcome,
    such as every coded case, is not named). Expects
    :func:`cape_study.stats.dropout.stage_prevalence` for one scheme after
    :func:`cape_study.privacy.disclosure.suppress`."""
    book = codebook_or_default(codebook)
    head = DROPOUT_HEAD[lang]
    labels = {
        **step_labels(lang, book),
        "acquitted": head["acquitted"],
        "convicted": head["convicted"],
    }
    codes = table[["scheme", "code"]].drop_duplicates()
    title = book.scheme(str(codes["scheme"].iloc[0])).label(lang) if len(codes) else ""
    out = pd.DataFrame({title: code_labels(codes, book, lang)})
    keys = table[[by, "group"]].drop_duplicates()
    order = {g: i for i, g in enumerate([*step_labels(lang, book), "acquitted", "convicted"])}
    keys = keys.assign(_g=keys["group"].map(lambda g: order.get(g, len(order))))
    keys = keys.sort_values(["_g", by], key=lambda c: _order(c, by, book), kind="stable")
    for g, group, _ in keys.itertuples(index=False):
        part = table[(table[by] == g) & (table["group"] == group)]
        rows = codes.merge(part, on=["scheme", "code"], how="left")
        n = rows["n_cases"].dropna()
        size = SUPPRESSED if n.empty else Count(n.iloc[0])
        named = [group_label(by, g, lang, book), labels.get(str(group), "")]
        column = f"{', '.join(n for n in named if n)} (n = {size} {head['coded']})"
        out[column] = [
            count_share_cell(x, p, lo, hi)
            for x, p, lo, hi in zip(
                rows["present"], rows["proportion"], rows["ci_low"], rows["ci_high"], strict=True
            )
        ]
    return out


def barriers_takeaway(
    closure: pd.DataFrame,
    judged: pd.Series | None = None,
    *,
    top: int = 2,
    lang: Language = "en",
    threshold: int | None = None,
    codebook: Codebook | None = None,
) -> str:
    """The barriers takeaway's sentences: per country (codebook order) the ``top`` barriers
    named most often in closure decisions with their shares and intervals (hidden shares
    never named), the coded judged cases, and what the design can and cannot show.

    Parameters
    ----------
    closure
        :func:`cape_study.stats.dropout.stage_prevalence` of the barrier scheme over every
        stage of closure (one group per country), after disclosure control.
    judged
        Coded judged cases by group (``acquitted``, ``convicted``), counts or missing; a
        missing (hidden) count is named in the closing sentence, never shown as a mark.
    threshold
        The smallest count shown (``min_cell_count``), for the one sentence naming the
        countries whose shares are hidden.
    """
    book = codebook_or_default(codebook)
    words = BARRIER_WORDS[lang]
    parts = []
    hidden = Hidden()
    rows = closure[closure["scheme"] == "barrier"].dropna(subset=["proportion"])
    for country in [c for c in book.codes("country") if c in set(closure["country"])]:
        mine = rows[rows["country"] == country].sort_values("proportion", ascending=False)
        items = [
            f"{book.label('barrier', r.code, lang)} {percent(r.proportion, 0)} "
            f"({percent(r.ci_low, 0)}–{percent(r.ci_high, 0)})"
            for r in mine.head(top).itertuples()
        ]
        name = book.label("country", country, lang)
        if items:
            parts.append(f"{name}: {', '.join(items)}")
        else:
            hidden.add(words["barrier_shares"], name)
    text = words["lead"].format(top="; ".join(parts) or words["none"]) + "."
    if judged is not None:
        shown = []
        for group, template in words["judged_groups"].items():
            value = judged.get(group)
            if value is None or pd.isna(value):
                hidden.add(words["judged_hidden"], words["judged_names"][group])
            else:
                shown.append(template.format(n=number(int(value))))
        if shown:
            text += " " + words["judged"].format(items=words["and"].join(shown))
    return " ".join(s for s in (text, words["design"], hidden.sentence(lang, threshold)) if s)


def side_labels(sides: pd.Series, change: object, lang: Language = "en") -> pd.Series:
    """``before`` and ``after`` of :func:`cape_study.stats.legal.before_after` in words,
    with the change's date (``all`` and other values kept)."""
    head = DROPOUT_HEAD[lang]
    date = change.date.isoformat()
    words = {"before": head["before"].format(date=date), "after": head["after"].format(date=date)}
    return sides.astype("string").map(lambda s: words.get(s, s))


def change_without_cases(change, *, lang: Language = "en", codebook: Codebook | None = None) -> str:
    """The line shown instead of a legal change's tables when the case file holds no case
    from its country (a one-country file and a change of the other country)."""
    country = codebook_or_default(codebook).label("country", change.country, lang)
    return sentence("no_change_cases", lang, country=country)


def legal_change_list(changes: list, *, lang: Language = "en") -> str:
    """The legal changes chosen, as a Markdown list: date, country, label and sources."""
    head = DROPOUT_HEAD[lang]
    lines = []
    for change in changes:
        sources = "; ".join(change.sources)
        text = change.note.get(lang) or change.note.get("en", "")
        note = f" {text}" if text else ""
        lines.append(
            f"- **{change.date.isoformat()}** ({change.country}): {change.label[lang]}."
            + (f" {head['sources']}: {sources}." if sources else "")
            + note
        )
    return "\n".join(lines)
