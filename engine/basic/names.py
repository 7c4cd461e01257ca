"""Table and column names as scripts write them, normalised (BASIC.md §7.1).

``"Order Details.csv"`` and ``"order_details"`` must name the same table, and a map key
``"First Name"`` the column ``first_name``; every data keyword and the in-memory row
functions go through these two functions so the rule lives in one place.
"""

from __future__ import annotations

import re

from engine.basic.errors import DataError

_DATA_FILE_EXTENSIONS = (".csv", ".tsv", ".xlsx", ".xls", ".json")
_OTHER_CHARACTERS = re.compile(r"[^a-z0-9_]+")


def table_name(name: str) -> str:
    """``"Tickets.CSV"`` → ``tickets``: the extension step, then :func:`column_name`."""
    lowered = name.lower()
    for extension in _DATA_FILE_EXTENSIONS:
        if lowered.endswith(extension):
            lowered = lowered[: -len(extension)]
            break
    return _normalise(lowered, name, "table")


def column_name(name: str) -> str:
    """``"Leads-2026"`` → ``leads_2026``; ``"2026"`` → ``t_2026``; nothing left → DataError."""
    return _normalise(name.lower(), name, "column")


def _normalise(lowered: str, original: str, kind: str) -> str:
    normalised = _OTHER_CHARACTERS.sub("_", lowered).strip("_")
    if not normalised:
        raise DataError(f"invalid {kind} name '{original}'")
    if normalised[0].isdigit():
        return "t_" + normalised
    return normalised
