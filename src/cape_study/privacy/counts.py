"""What intake masking did, as it is published: the counts of :func:`cape_study.privacy.
masking.protect` as a table for disclosure control (:func:`counts_table`), its readable
form (:func:`format_counts`), the totals per tag (:func:`masked_totals`) and the display
the runner copies into ``reports/manifest.json`` (:func:`publish`). Never a value."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal

from cape_study.privacy.keys import KEY_ENV
from cape_study.privacy.masking import PRIVACY_MIMETYPE, TAG_ORDER

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["counts_table", "format_counts", "masked_totals", "publish"]


def counts_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """What :func:`cape_study.privacy.masking.protect` did as a tidy count table (action,
    column, tag, count), ready for :func:`cape_study.privacy.disclosure.suppress`."""
    import pandas as pd

    rows = [
        {"action": "pseudonymised", "column": column, "tag": "", "count": n}
        for column, n in record["pseudonymised"].items()
    ]
    rows += [
        {"action": "masked", "column": column, "tag": f"[{tag}]", "count": n}
        for column, tags in record["masked"].items()
        for tag, n in tags.items()
    ]
    rows += [
        {"action": "uncertain", "column": column, "tag": "", "count": n}
        for column, n in record.get("uncertain", {}).items()
    ]
    return pd.DataFrame(rows, columns=["action", "column", "tag", "count"])


_COUNT_HEAD = {
    "en": {
        "column": "Column",
        "pseudonymised": "Ids pseudonymised (distinct)",
        "uncertain": "Long digit runs left, not recognised (count)",
    },
    "sv": {
        "column": "Kolumn",
        "pseudonymised": "Unika id, pseudonymiserade",
        "uncertain": "Långa sifferföljder kvar, inte igenkända (antal)",
    },
}
#: What each mask stands for, shown beside the mask as it is written in the texts.
_TAG_WORDS = {
    "en": {
        "PNR": "identity numbers",
        "TEL": "phone numbers",
        "EMAIL": "e-mail addresses",
        "ACCOUNT": "account numbers",
        "ID": "passport numbers",
        "REG": "registration numbers",
        "ADDRESS": "addresses",
        "NAME": "names",
    },
    "sv": {
        "PNR": "identitetsnummer",
        "TEL": "telefonnummer",
        "EMAIL": "e-postadresser",
        "ACCOUNT": "kontonummer",
        "ID": "passnummer",
        "REG": "registreringsnummer",
        "ADDRESS": "adresser",
        "NAME": "namn",
    },
}
_LOCALES = {"en": "en_GB", "sv": "sv_SE"}


def format_counts(counts: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`counts_table` (after disclosure control) as a readable table in English
    (``en``) or Swedish (``sv``): one row per column, the number of ids pseudonymised
    and of each tag masked (headed by what it stands for and the tag: ``Namn [NAME]``);
    a hidden count is missing (``x`` in the report: any hidden count), a blank cell does
    not apply."""
    import pandas as pd

    head = _COUNT_HEAD[lang]
    order = ["pseudonymised", *[f"[{t}]" for t in TAG_ORDER], "uncertain"]
    cells: dict[str, dict[str, object]] = {}
    for action, column, tag, n in counts[["action", "column", "tag", "count"]].itertuples(
        index=False
    ):
        what = tag if action == "masked" else action
        row = cells.setdefault(column, dict.fromkeys(order, ""))
        row[what] = pd.NA if pd.isna(n) else int(n)
    out = pd.DataFrame.from_dict(cells, orient="index", columns=order)
    tags = {f"[{t}]": f"{w[:1].upper()}{w[1:]} [{t}]" for t, w in _TAG_WORDS[lang].items()}
    return out.rename(columns=head | tags).rename_axis(head["column"]).reset_index()


def masked_totals(counts: pd.DataFrame) -> dict[str, int | None]:
    """How many of each tag were masked over all columns, from :func:`counts_table`
    after disclosure control: None where any part was hidden (a total of a hidden
    part and shown parts would reveal it)."""
    masked = counts[counts["action"] == "masked"]
    totals: dict[str, int | None] = {}
    for tag in TAG_ORDER:
        part = masked.loc[masked["tag"] == f"[{tag}]", "count"]
        totals[tag] = None if part.isna().any() else int(part.sum())
    return totals


_SUMMARY = {
    "en": "**Privacy:** identifiers pseudonymised with the {key}; masked {masked}; columns "
    "dropped: {dropped}.",
    "sv": "**Integritet:** identifierare pseudonymiserade med {key}; maskerade {masked}; "
    "borttagna kolumner: {dropped}.",
}
#: The masked counts disclosure control hid, named once after those shown.
_HIDDEN = {
    "en": "{shown}; how many {hidden} were masked is hidden by disclosure control",
    "sv": "{shown}; hur många {hidden} som maskerades är dolt av röjandekontroll",
}
_NONE = {"en": "nothing shown", "sv": "inget som kan visas"}
_AND = {"en": " and ", "sv": " och "}
_KEY_SOURCES_SV = {
    f"environment variable {KEY_ENV}": f"nyckeln i miljövariabeln {KEY_ENV}",
    "key file": "nyckelfilen",
    "public demo key (synthetic data)": "den publika demonyckeln (syntetiska data)",
}


def publish(record: Mapping[str, Any], counts: pd.DataFrame, lang: str = "en") -> None:
    """Display what intake did, for readers and for the runner (manifest ``privacy``).

    ``counts`` is :func:`counts_table` after disclosure control; its suppressed counts
    are published as null. The key's source and the dropped columns are published; the
    key and its fingerprint are not. The summary for readers is in ``lang`` (``en`` or
    ``sv``).
    """
    from IPython.display import display

    payload = {
        "key": record["key"],
        "dropped": list(record["dropped"]),
        "counts": [
            {
                "action": r["action"],
                "column": r["column"],
                "tag": r["tag"],
                "count": None if _missing(r["count"]) else int(r["count"]),
            }
            for r in counts.to_dict("records")
        ],
    }
    key = record["key"] if lang == "en" else _KEY_SOURCES_SV.get(record["key"], record["key"])
    totals = masked_totals(counts)
    shown = ", ".join(
        f"{format_decimal(n, locale=_LOCALES[lang])} {_TAG_WORDS[lang][t]} [{t}]"
        for t, n in totals.items()
        if n is not None
    )
    hidden = [f"{_TAG_WORDS[lang][t]} [{t}]" for t, n in totals.items() if n is None]
    masked = shown or _NONE[lang]
    if hidden:
        joined = ", ".join(hidden[:-1]) + _AND[lang] + hidden[-1] if len(hidden) > 1 else hidden[0]
        masked = _HIDDEN[lang].format(shown=masked, hidden=joined)
    summary = _SUMMARY[lang].format(
        key=key, masked=masked, dropped=", ".join(record["dropped"]) or "-"
    )
    display({PRIVACY_MIMETYPE: json.loads(json.dumps(payload)), "text/markdown": summary}, raw=True)


def _missing(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
