"""Which rows of the victims table are victims the analyses count.

Codebook 2.0 lists potential victims (``status`` ``potential_victim``: people the
authorities met or named, such as the other pickers of a berry farm, who never became
injured parties) beside the identified victims and injured parties. The analyses of
victims (the victims' view, the predictors about a case's victims, ``n_victims``)
count the identified victims only; a blank status is an identified victim, as in
version-1 files.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["POTENTIAL", "identified_victims"]

#: The ``victims.status`` of a potential victim (scheme ``victim_status``).
POTENTIAL = "potential_victim"


def identified_victims(victims: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``victims`` that are not potential victims (all rows without a
    ``status`` column)."""
    if "status" not in victims:
        return victims
    return victims[~(victims["status"].astype("string") == POTENTIAL).fillna(False)]
