"""docs/settings.md documents every ``basic-max-*`` key of a bot's config.csv, with the
default and the lower bound the code applies (the table is compared with the code)."""

from __future__ import annotations

import re
from pathlib import Path

from engine.basic import sizes
from engine.basic.expressions import DEFAULT_NESTING
from engine.basic.limits import Limits
from engine.bots.config_numbers import RULES
from engine.bots.configkeys import KNOWN_KEYS

ROOT = Path(__file__).resolve().parents[2]
_ROW = re.compile(r"^\| `(basic-max-[a-z]+)` \| ([0-9]+) \| ([^|]+) \|", re.MULTILINE)


def _rows() -> dict[str, tuple[int, str]]:
    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    return {m[1]: (int(m[2]), m[3].strip()) for m in _ROW.finditer(docs)}


def test_every_limit_key_has_a_row() -> None:
    keys = {key for key in KNOWN_KEYS if key.startswith("basic-max-")}
    assert {"basic-max-string", "basic-max-items", "basic-max-digits",
            "basic-max-nesting"} <= keys
    assert set(_rows()) == keys


def test_defaults_and_bounds_match_the_code() -> None:
    rows = _rows()
    limits = Limits()
    defaults = {
        "basic-max-steps": limits.max_steps, "basic-max-seconds": limits.max_seconds,
        "basic-max-output": limits.max_output, "basic-max-depth": limits.max_depth,
        "basic-max-loop": limits.max_loop, "basic-max-wait": limits.max_wait,
        "basic-max-string": limits.max_string, "basic-max-items": limits.max_items,
        "basic-max-digits": limits.max_digits, "basic-max-nesting": DEFAULT_NESTING,
    }
    assert {key: rows[key][0] for key in defaults} == defaults
    assert rows["basic-max-string"][1] == f"≥ {sizes.MIN_LENGTH}"
    assert rows["basic-max-items"][1] == f"≥ {sizes.MIN_LENGTH}"
    assert rows["basic-max-digits"][1] == f"≥ {sizes.MIN_DIGITS}"
    nesting = RULES["basic-max-nesting"]
    assert rows["basic-max-nesting"][1] == f"{nesting.least:g}–{nesting.most:g}"
    for key in ("basic-max-steps", "basic-max-depth", "basic-max-loop", "basic-max-output"):
        assert rows[key][1] == f"≥ {RULES[key].least:g}"
