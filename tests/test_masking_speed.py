"""Shortcuts taken for masking's speed give what their definitions give (issue 22)."""

from __future__ import annotations

from cape_study.privacy import names


def _part_set_by_definition(given: list[str]) -> frozenset[str]:
    parts: set[str] = set()
    for name in given:
        words = [w.casefold() for w in names._WORD.findall(name)]
        if len(words) < 2 or words[-1] in names._COMPANY_FORMS:
            continue
        parts.update(
            w for w in words if sum(ch.isalpha() for ch in w) >= 3 and w not in names._NOT_PARTS
        )
    return frozenset(parts)


def test_part_set_equals_its_definition_on_tricky_words() -> None:
    tricky = [
        "Anna Li",
        "Bo Ek",
        "Åsa Öberg",
        "Kim O'Neil",
        "Lars Cruz:s",
        "Jo_3 Berg",
        "A1b2 C3d4e5",
        "Eva-Lotta Åström-Li",
        "Ola 2b3c Nilsson",
        "Mikko Virtanen",
        "Kalle Anka AB",
        "Maria van der Berg",
        "Ab1 Xy",
        "Ñu Ñoño",
        "İlkay Gündoğan",
        "Pekka",
        "",
    ]
    for name in tricky:
        assert names.PartyNames.part_set([name]) == _part_set_by_definition([name]), name
    assert names.PartyNames.part_set(tricky) == _part_set_by_definition(tricky)
    assert "ola" in names.PartyNames.part_set(["Ola 2b3c Nilsson"])  # not a vacuous test


def test_an_id_column_is_refused_at_its_first_row_with_personal_data() -> None:
    import pandas as pd
    import pytest

    from cape_study.privacy import masking
    from cape_study.privacy.keys import PrivacyError

    # repeated clean values are scanned once; the first row holding an identifier is named
    values = ["K1", "K2", "K1", None, "K2", "ring 070-765 43 21", "K1", "550114-2284"]
    with pytest.raises(PrivacyError, match=r"data row 6: .*phone"):
        masking._refuse_personal_data(pd.Series(values, dtype="string"), "codings", "coder")
    masking._refuse_personal_data(pd.Series(["K1", "K2"] * 50, dtype="string"), "codings", "coder")
