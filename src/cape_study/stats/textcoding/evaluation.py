"""Labels and scores: the coders' consensus, cross-validation and agreement.

:func:`consensus` turns the coders' codings into one label per unit and code;
:func:`human_agreement` measures two coders against each other;
:func:`cross_validate` predicts each labelled unit from a model trained without its
case (:func:`grouped_folds`); :func:`agreement_table` puts classifier, dictionary and
coders side by side.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold
from sklearn.utils.parallel import Parallel, delayed

from cape_study.errors import CannotEstimate
from cape_study.stats import reliability
from cape_study.stats.textcoding.classifier import (
    MIN_DOCUMENTS,
    THRESHOLD,
    canonical,
    fit_code,
    label_matrix,
    make_features,
    model_factory,
    not_modelled,
    one_blas_thread,
    positive_probability,
)
from cape_study.stats.textcoding.corpus import Corpus

__all__ = [
    "METHODS",
    "TIES",
    "agreement_table",
    "coder_pair",
    "consensus",
    "cross_validate",
    "grouped_folds",
    "human_agreement",
]

#: How :func:`consensus` resolves a tie between coders.
TIES = ("exclude", "present", "absent")
#: The methods compared in :func:`agreement_table`, in the order shown.
METHODS = ("classifier", "dictionary", "human")


def consensus(
    codings: pd.DataFrame,
    *,
    scheme: str = "barrier",
    unit: str = "unit_id",
    coder: str = "coder",
    code: str = "code",
    present: str = "present",
    tie: str = "exclude",
) -> pd.DataFrame:
    """The coders' consensus label for each unit and code of ``scheme``.

    The consensus is the majority of the coders' values: present when more than half
    of the coders who coded the unit coded the code present, absent when fewer than
    half did. A unit coded by one coder takes that coder's value. A tie is resolved by
    ``tie``: ``"exclude"`` (no label; the default), ``"present"`` or ``"absent"``.
    Excluding ties leaves out the documents the coders found hardest, so agreement
    with the consensus is measured on somewhat easier documents than the agreement
    between coders.

    Returns
    -------
    DataFrame
        ``unit``, ``code``, ``n_coders``, ``n_present`` and ``label`` (boolean, missing
        for an excluded tie), one row per unit and code.
    """
    if tie not in TIES:
        raise ValueError(f"unknown tie rule {tie!r}; known rules: {', '.join(TIES)}")
    rows = _scheme_rows(codings, scheme, unit, coder, code, present)
    table = (
        rows.groupby(["unit", "code"], sort=True)
        .agg(n_coders=("coder", "nunique"), n_present=("present", "sum"))
        .reset_index()
    )
    twice = 2 * table["n_present"]
    label = pd.Series(pd.NA, index=table.index, dtype="boolean")
    label[twice > table["n_coders"]] = True
    label[twice < table["n_coders"]] = False
    if tie != "exclude":
        label[twice == table["n_coders"]] = tie == "present"
    table["label"] = label
    table = table.astype({"n_coders": "int64", "n_present": "int64"})
    return table.rename(columns={"unit": unit, "code": code})


def _scheme_rows(
    codings: pd.DataFrame, scheme: str, unit: str, coder: str, code: str, present: str
) -> pd.DataFrame:
    """The scheme's codings as plain columns unit, coder, code, present (bool)."""
    rows = codings[codings["scheme"].astype("string") == scheme]
    out = pd.DataFrame(
        {
            "unit": rows[unit].astype("string"),
            "coder": rows[coder].astype("string"),
            "code": rows[code].astype("string"),
            "present": rows[present].astype("boolean"),
        }
    ).dropna()
    return out.astype({"present": bool})


def human_agreement(
    codings: pd.DataFrame,
    *,
    scheme: str = "barrier",
    unit: str = "unit_id",
    coder: str = "coder",
    code: str = "code",
    present: str = "present",
) -> pd.DataFrame:
    """Agreement between two human coders per code: Cohen's kappa and F1.

    The pair is the two coders who coded the most units of the scheme together; only
    units both coded count. Cohen's kappa (Cohen 1960) comes from
    :func:`cape_study.stats.reliability.cohen_kappa`, as in the reliability analysis. F1 is
    positive specific agreement, 2a / (2a + b + c), which is the F1 of either coder
    against the other.

    Returns
    -------
    DataFrame
        ``code``, ``method`` (``"human"``), ``coders`` (the pair), ``n_units``,
        ``n_positive`` (units at least one of the two coded present), ``f1``, ``kappa``
        and ``ac1`` (Gwet's AC1), codes in the order they first appear; no rows when
        fewer than two coders coded the scheme.
    """
    rows = _scheme_rows(codings, scheme, unit, coder, code, present)
    pair = coder_pair(rows)
    if pair is None:  # one coder (a pilot) or none: no pair to compare
        return pd.DataFrame(
            columns=["code", "method", "coders", "n_units", "n_positive", "f1", "kappa", "ac1"]
        )
    a, b = pair
    kappa = reliability.cohen_kappa(
        rows, by=["code"], unit="unit", coders=[a, b], n_boot=0
    ).set_index("code")["estimate"]
    wide = rows[rows["coder"].isin([a, b])].pivot_table(
        index=["code", "unit"], columns="coder", values="present", aggfunc="first", sort=False
    )
    both = wide[[a, b]].dropna().astype(bool)
    out = []
    for name, group in both.groupby(level="code", sort=False):
        first, second = group[a].to_numpy(), group[b].to_numpy()
        out.append(
            {
                code: name,
                "method": "human",
                "coders": f"{a} & {b}",
                "n_units": len(group),
                "n_positive": int(np.sum(first | second)),
                "f1": _scores(first, second)["f1"],
                "kappa": kappa[name],
                "ac1": _scores(first, second)["ac1"],
            }
        )
    return pd.DataFrame(out)


def coder_pair(rows: pd.DataFrame) -> tuple[str, str] | None:
    """The two coders who coded the most units together (``rows``: columns ``unit`` and
    ``coder``); ties broken by the coders' ids; None with fewer than two coders."""
    units = rows.groupby("coder")["unit"].agg(set)
    pairs = [(a, b) for i, a in enumerate(units.index) for b in units.index[i + 1 :]]
    if not pairs:
        return None
    return max(pairs, key=lambda p: (len(units[p[0]] & units[p[1]]), p))


#: The columns of a table of scores (:func:`_scores` with the positive units), in order.
_SCORE_COLUMNS = ["n_units", "n_positive", "precision", "recall", "f1", "kappa", "ac1"]


def _scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1, Cohen's kappa and Gwet's AC1 of predictions against labels
    (bool arrays), from the 2 x 2 table; a score whose denominator is zero is missing.
    AC1's chance agreement is 2 pi (1 - pi), pi the mean share coded present by the two
    (Gwet 2008), so it stays informative when a code is rare and kappa collapses."""
    tp = int(np.sum(truth & pred))
    fp = int(np.sum(~truth & pred))
    fn = int(np.sum(truth & ~pred))
    n = len(truth)
    tn = n - tp - fp - fn
    p_o = (tp + tn) / n if n else np.nan
    p_e = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2 if n else np.nan
    pi = (2 * tp + fp + fn) / (2 * n) if n else np.nan
    p_e1 = 2 * pi * (1 - pi) if n else np.nan
    return {
        "n_units": n,
        "precision": tp / (tp + fp) if tp + fp else np.nan,
        "recall": tp / (tp + fn) if tp + fn else np.nan,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else np.nan,
        "kappa": (p_o - p_e) / (1 - p_e) if n and p_e < 1 else np.nan,
        "ac1": (p_o - p_e1) / (1 - p_e1) if n else np.nan,
    }


def grouped_folds(groups: Iterable[object], n_splits: int = 5, seed: int = 0) -> np.ndarray:
    """Assign each unit to one of ``n_splits`` folds so that a group never spans two.

    Groups (cases) are shuffled with ``seed`` and dealt to folds of about equal size
    (scikit-learn's ``GroupKFold(shuffle=True)``). Returns the fold of each unit;
    fewer groups than folds raise :class:`cape_study.errors.CannotEstimate`
    (``too_few_units``).
    """
    groups = np.asarray(list(groups), dtype=object)
    n_groups = len(set(groups))
    if n_groups < n_splits:
        raise CannotEstimate(
            "too_few_units",
            f"{n_groups} case(s) cannot be split into {n_splits} folds grouped by case",
            n=n_groups,
            needed=n_splits,
        )
    folds = np.empty(len(groups), dtype=np.int64)
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for k, (_, test) in enumerate(splitter.split(groups, groups=groups)):
        folds[test] = k
    return folds


def cross_validate(
    units: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    text: str = "text",
    unit: str = "unit_id",
    group: str = "case_id",
    model: str = "linear_svm",
    min_examples: int = 10,
    n_splits: int = 5,
    seed: int = 0,
    n_jobs: int = 1,
    unlabelled: bool = False,
) -> pd.DataFrame:
    """Out-of-fold predictions for every labelled document, folds grouped by case.

    The units are dealt to ``n_splits`` folds by case (:func:`grouped_folds`).
    For each fold, the features and one calibrated classifier per code are fitted on
    the other folds and predict the fold's units. A code with fewer than
    ``min_examples`` positive or negative labels overall is not modelled; one that
    cannot be fitted in a fold (too few cases with a label there) gets no prediction
    in that fold. With ``unlabelled``, the coded units without a consensus label for a
    code (a tie between coders) keep their row, with a missing ``label``: they are
    predicted like the others (by the model of their fold, trained on labelled units of
    other cases), so that the classifier can be compared with each coder on every unit
    the coders coded (:func:`cape_study.stats.textcoding.like_for_like`).

    Returns
    -------
    DataFrame
        One row per labelled document and code: ``unit``, ``group``, ``fold``,
        ``code``, ``label``, ``probability`` (missing when not modelled) and
        ``predicted`` (probability at least :data:`THRESHOLD`; missing likewise).

    Raises
    ------
    CannotEstimate
        ``no_codings`` without coded units, ``too_few_units`` with fewer cases than
        folds, ``too_few_examples`` when no code has ``min_examples`` units with it and
        without it.
    """
    model_factory(model)
    units = units.reset_index(drop=True)
    if units.empty:
        raise CannotEstimate("no_codings", "no coded unit to train on", scheme="")
    wide = label_matrix(units, labels, unit)
    folds = grouped_folds(units[group].astype("string"), n_splits, seed)
    groups = units[group].astype("string").to_numpy(dtype=object)
    texts = units[text].fillna("").tolist()
    skipped = {c for c in wide.columns if not_modelled(wide[c], min_examples)}
    modelled = [c for c in wide.columns if c not in skipped]
    smallest = len(units) - max(np.bincount(folds)) if len(units) else 0
    if not modelled or smallest < MIN_DOCUMENTS:
        raise CannotEstimate(
            "too_few_examples",
            f"no code has {min_examples} coded units with it and {min_examples} without",
            needed=min_examples,
        )
    probability = pd.DataFrame(np.nan, index=units.index, columns=wide.columns)
    corpus = Corpus(texts, make_features())  # each text analysed once, not once per fold

    def fold_predictions(k: int) -> dict[str, np.ndarray]:
        train_idx, test_idx = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        x_train, x_test = corpus.fold(train_idx, test_idx)
        x_train = canonical(x_train)
        out = {}
        for code in modelled:
            column = wide[code].to_numpy(dtype=object)[train_idx]
            known = pd.notna(column)
            y = column[known].astype(bool)
            clf = fit_code(x_train[known], y, groups[train_idx][known], model, seed)
            if clf is not None:
                out[code] = positive_probability(clf, x_test)
        return out

    with one_blas_thread():
        results = Parallel(n_jobs=n_jobs)(delayed(fold_predictions)(k) for k in range(n_splits))
    for k, predicted in enumerate(results):
        test_idx = np.flatnonzero(folds == k)
        for code, p in predicted.items():
            probability.loc[test_idx, code] = p
    long = (
        wide.reset_index(drop=True)
        .assign(**{unit: units[unit].to_numpy(), group: groups, "fold": folds})
        .melt(id_vars=[unit, group, "fold"], var_name="code", value_name="label")
    )
    long["probability"] = probability.to_numpy().T.ravel()
    if not unlabelled:
        long = long.dropna(subset=["label"])
    long = long[long["code"].isin(modelled) | long["label"].notna()].reset_index(drop=True)
    long["label"] = long["label"].astype("boolean" if unlabelled else bool)
    long["predicted"] = (long["probability"] >= THRESHOLD).astype("boolean")
    long.loc[long["probability"].isna(), "predicted"] = pd.NA
    return long


def agreement_table(
    predictions: pd.DataFrame,
    dictionary: pd.DataFrame,
    human: pd.DataFrame,
    *,
    unit: str = "unit_id",
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per-code agreement with the coders' consensus, three ways, in one table.

    ``classifier``: the out-of-fold predictions of :func:`cross_validate` against the
    consensus, on the documents that got a prediction. ``dictionary``: the keyword
    matches of :func:`match_keywords` against the consensus, on every labelled
    document. ``human``: the rows of :func:`human_agreement` (one coder against the
    other; precision and recall are not defined for a pair of equals). A code without
    keywords has no dictionary scores.

    Returns
    -------
    DataFrame
        ``code``, ``method`` (:data:`METHODS`), ``n_units``, ``n_positive`` (consensus
        present; for ``human``, coded present by either coder), ``precision``,
        ``recall``, ``f1``, ``kappa`` and ``ac1`` (Gwet's AC1); codes in the order of
        ``codes`` (default: as
        they appear in ``predictions``).
    """
    predictions = predictions.dropna(subset=["label"])  # unlabelled rows: like_for_like's
    order = list(codes) if codes is not None else list(dict.fromkeys(predictions["code"]))
    matched = dictionary.set_index([unit, "code"])["matched"]
    with_keywords = set(dictionary["code"])
    rows = []
    for code in order:
        labelled = predictions[predictions["code"] == code]
        truth = labelled["label"].to_numpy(dtype=bool)
        found = matched.reindex(list(zip(labelled[unit], labelled["code"], strict=True)))
        predicted = labelled["predicted"]
        done = predicted.notna().to_numpy()
        for method, t, p in (
            ("classifier", truth[done], predicted[done].to_numpy(dtype=bool)),
            ("dictionary", truth, found.eq(True).to_numpy()),
        ):
            scores = _scores(t, p)
            if method == "dictionary" and code not in with_keywords:
                scores = {k: np.nan for k in scores} | {"n_units": len(t)}
            rows.append({"code": code, "method": method, **scores, "n_positive": int(t.sum())})
    table = pd.DataFrame(rows)
    people = human[human["code"].isin(order)].drop(columns=["coders"], errors="ignore")
    table = pd.concat([table, people], ignore_index=True)
    table["_order"] = table["code"].map({c: i for i, c in enumerate(order)})
    table["_method"] = table["method"].map({m: i for i, m in enumerate(METHODS)})
    table = table.sort_values(["_order", "_method"], kind="stable").drop(
        columns=["_order", "_method"]
    )
    return table[["code", "method", *_SCORE_COLUMNS]].reset_index(drop=True)
