"""Tables of text coding (04_text_coding): agreement with the coders, evidence, suggestions."""

from __future__ import annotations

import pandas as pd

from cape_study.data.codebook import Codebook, Language, codebook_or_default
from cape_study.present.display import NOT_ESTIMABLE, SUPPRESSED, count_cells, number, score_cell
from cape_study.present.labels import TEXT_HEAD
from cape_study.stats import textcoding

__all__ = [
    "format_evidence",
    "format_like_for_like",
    "format_suggestion_counts",
    "format_suggestions",
    "format_text_agreement",
    "suggestion_sheet",
]


def format_text_agreement(
    table: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Per-code agreement with the coders' consensus: classifier, dictionary, two coders.

    Expects :func:`cape_study.stats.textcoding.agreement_table` after
    :func:`cape_study.privacy.disclosure.suppress` (count ``n_positive``, total ``n_units``,
    the scores derived). Columns are grouped by method; the unit counts are those of
    the dictionary row (every unit with a consensus label). Suppressed cells show as
    ``x``, scores that cannot be computed as ``–``.
    """
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
    labels = book.labels(scheme, lang)
    rows = table.set_index(["code", "method"])
    codes = list(dict.fromkeys(table["code"]))
    out = {("", book.scheme(scheme).label(lang)): [labels.get(c, c) for c in codes]}
    base = [rows.loc[(c, "dictionary")] for c in codes]
    out[("", head["units"])] = count_cells(pd.Series([r["n_units"] for r in base], dtype="Int64"))
    out[("", head["present"])] = count_cells(
        pd.Series([r["n_positive"] for r in base], dtype="Int64")
    )
    scores = {
        "classifier": ("precision", "recall", "f1", "kappa", "ac1"),
        "dictionary": ("precision", "recall", "f1", "kappa", "ac1"),
        "human": ("f1", "kappa", "ac1"),
    }
    for method, columns in scores.items():
        for column in columns:
            values = []
            for code in codes:
                if (code, method) not in rows.index:
                    values.append(NOT_ESTIMABLE)
                    continue
                row = rows.loc[(code, method)]
                values.append(score_cell(row[column], bool(row.get("suppressed", False))))
            out[(head[method], head[column])] = values
    frame = pd.DataFrame(out)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    return frame


def format_like_for_like(
    table: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Per code, on the units both coders coded: κ, AC1 and F1 of the classifier against
    each coder and of one coder against the other. Expects
    :func:`cape_study.stats.textcoding.like_for_like` after
    :func:`cape_study.privacy.disclosure.suppress` (count ``n_positive``, total
    ``n_units``, the scores derived)."""
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
    labels = book.labels(scheme, lang)
    codes = list(dict.fromkeys(table["code"]))
    out = {("", book.scheme(scheme).label(lang)): [labels.get(c, c) for c in codes]}
    first = table.drop_duplicates("code").set_index("code")
    out[("", head["same_units"])] = count_cells(
        pd.Series([first.loc[c, "n_units"] for c in codes], dtype="Int64")
    )
    rows = table.set_index(["code", "rater", "reference"])
    for code_rater, reference in textcoding.COMPARISONS:
        title = head["versus"].format(
            rater=_rater(code_rater, first, head), reference=_rater(reference, first, head)
        )
        for column in ("kappa", "ac1", "f1"):
            out[(title, head[column])] = [
                score_cell(
                    rows.loc[(c, code_rater, reference), column],
                    bool(rows.loc[(c, code_rater, reference)].get("suppressed", False)),
                )
                for c in codes
            ]
    frame = pd.DataFrame(out)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    return frame


def _rater(name: str, first: pd.DataFrame, head: dict[str, str]) -> str:
    """``classifier`` in words, or a coder of the pair by the id ``first`` names."""
    if name == "classifier":
        return head["classifier"]
    return head["coder"].format(coder=first[name].iloc[0] if len(first) else "")


def format_evidence(
    dictionary: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The dictionary's evidence: per code, the units it matched and one example (the
    words matched and their sentence), in codebook order.

    Expects :func:`cape_study.stats.textcoding.match_keywords` and its
    :func:`cape_study.stats.textcoding.match_counts` after
    :func:`cape_study.privacy.disclosure.suppress`
    of ``matched``; a code whose count is suppressed shows no example.
    """
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
    safe = counts.set_index("code")
    examples = dictionary[dictionary["matched"]].drop_duplicates("code").set_index("code")
    codes = [c for c in book.codes(scheme) if c in safe.index]
    columns = [book.scheme(scheme).label(lang), head["matched"], head["words"], head["sentence"]]
    rows = []
    for code in codes:
        hidden = bool(safe.loc[code, "suppressed"])
        shown = not hidden and code in examples.index
        rows.append(
            {
                book.scheme(scheme).label(lang): book.label(scheme, code, lang),
                head["matched"]: SUPPRESSED
                if hidden
                else f"{number(int(safe.loc[code, 'matched']))} / "
                f"{number(int(safe.loc[code, 'n_units']))}",
                head["words"]: examples.loc[code, "match"] if shown else "",
                head["sentence"]: examples.loc[code, "evidence"] if shown else "",
            }
        )
    return pd.DataFrame(rows, columns=columns)


def format_suggestion_counts(
    table: pd.DataFrame,
    *,
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Units with a suggestion per code and source, from
    :func:`cape_study.stats.textcoding.suggestion_counts` after disclosure control."""
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
    wide = table.pivot(index="code", columns="source", values="units")
    codes = [c for c in book.codes(scheme) if c in wide.index]
    out = pd.DataFrame(
        {book.scheme(scheme).label(lang): [book.label(scheme, c, lang) for c in codes]}
    )
    for source in ("classifier", "dictionary"):
        out[head[source]] = count_cells(wide.loc[codes, source].astype("Int64"))
    return out


def format_suggestions(
    table: pd.DataFrame,
    *,
    unit: str = "unit_id",
    scheme: str = "barrier",
    lang: Language = "en",
    codebook: Codebook | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Suggestions from :func:`cape_study.stats.textcoding.suggest` for readers: code labels,
    probability, which method proposed the code, the passage and the terms or keyword.
    With ``limit``, only the most probable proposals (classifier first)."""
    book = codebook_or_default(codebook)
    head = TEXT_HEAD[lang]
    labels = book.labels(scheme, lang)
    if limit is not None:
        table = table.sort_values("probability", ascending=False, kind="stable").head(limit)
    by = [
        head["both"] if c and d else head["classifier"] if c else head["dictionary"]
        for c, d in zip(table["classifier"], table["dictionary"], strict=True)
    ]
    why = [
        t if isinstance(t, str) and t else (k if isinstance(k, str) else "")
        for t, k in zip(table["terms"], table["keyword"], strict=True)
    ]
    return pd.DataFrame(
        {
            head["unit"]: table[unit].astype(str).to_numpy(),
            book.scheme(scheme).label(lang): [labels.get(c, c) for c in table["code"]],
            head["probability"]: [
                NOT_ESTIMABLE if pd.isna(p) else f"{number(p, 2)}" for p in table["probability"]
            ],
            head["by"]: by,
            head["passage"]: table["passage"].to_numpy(),
            head["why"]: why,
        }
    )


def suggestion_sheet(
    table: pd.DataFrame,
    *,
    units: pd.DataFrame,
    scheme: str,
    codebook_version: str,
    lang: Language = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Suggested codes as a review list for the coders, one row per unit and code.

    Expects :func:`cape_study.stats.textcoding.suggest` and the units it was given
    (:func:`cape_study.stats.textcoding.coding_units`). Columns: ``unit_id``, ``case_id``,
    ``doc_type``, ``scheme``, ``code``, ``label`` (in ``lang``), ``probability``
    (classifier, 3 decimals), ``proposed_by`` (classifier, dictionary or both),
    ``passage``, ``terms``, ``keyword``, ``codebook_version``, and two empty columns
    for the reviewing coder: ``reviewed_present`` (1 or 0) and ``note``. The list is
    kept apart from the ``codings`` table: a suggestion becomes a coding only when a
    coder codes the unit.
    """
    book = codebook_or_default(codebook)
    labels = book.labels(scheme, lang)
    facts = units.set_index("unit_id")
    ids = table["unit_id"].astype(str)
    proposed = [
        "both" if c and d else "classifier" if c else "dictionary"
        for c, d in zip(table["classifier"], table["dictionary"], strict=True)
    ]
    return pd.DataFrame(
        {
            "unit_id": ids.to_numpy(),
            "case_id": facts.loc[ids, "case_id"].to_numpy(),
            "doc_type": facts.loc[ids, "doc_type"].to_numpy(),
            "scheme": scheme,
            "code": table["code"].to_numpy(),
            "label": [labels.get(c, c) for c in table["code"]],
            "probability": table["probability"].round(3).to_numpy(),
            "proposed_by": proposed,
            "passage": table["passage"].to_numpy(),
            "terms": table["terms"].fillna("").to_numpy(),
            "keyword": table["keyword"].fillna("").to_numpy(),
            "codebook_version": codebook_version,
            "reviewed_present": "",
            "note": "",
        }
    )
