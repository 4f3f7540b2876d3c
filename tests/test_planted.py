"""Recall of masking on the planted-identifier set (tests/planted.py): at least 99.5 %
of the identity numbers, phone numbers and e-mail addresses, in every written form.
Names are measured, not asserted, by benchmarks/bench_masking.py.

privacy-scan: synthetic identity numbers only (generated with valid check digits)
"""

from __future__ import annotations

from collections import Counter

from planted import forms, planted

from cape_study.privacy.masking import scan_text


def covered(text: str, start: int, end: int) -> bool:
    """Whether every character of text[start:end] that is a letter or digit is inside
    a finding."""
    hit = [False] * len(text)
    for f in scan_text(text, unlisted=True):
        hit[f.start : f.end] = [True] * (f.end - f.start)
    return all(hit[i] for i in range(start, end) if text[i].isalnum())


def test_numbers_and_e_mail_are_masked_with_at_least_995_percent_recall() -> None:
    items = planted(seed=15)
    spans = [(p.text, s) for p in items for s in p.spans if s[0] != "name"]
    assert len(spans) >= 500 and len(forms(items)) >= 20
    assert sum(s[0] == "name" for p in items for s in p.spans) >= 200
    missed = Counter(form for text, (_, form, a, b) in spans if not covered(text, a, b))
    recall = 1 - sum(missed.values()) / len(spans)
    assert recall >= 0.995, (recall, missed)


def test_sentences_without_personal_data_are_left_alone() -> None:
    clean = [p.text for p in planted(seed=15) if not p.spans]
    assert [t for t in clean if scan_text(t, unlisted=True)] == []
