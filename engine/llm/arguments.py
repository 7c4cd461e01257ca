"""Checking a small model's tool arguments against the tool's schema and the user's words,
and filling simple typed parameters from the request when the model's value fails.

The grammar already makes arguments well-formed (keys, types, enums); what a 0.1–0.5 B model
still gets wrong is the *value*: an order number it made up, a date copied from nowhere, an
empty string. ``problems`` finds those; ``filled`` repairs what can be read off the request
deterministically (numbers, enum values, ISO dates, identifiers shaped like the parameter's
``example``, the one free-text parameter of a tool); anything else stays the model's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)?(?![\w-])")
_WORD = re.compile(r"\w+")
MISSING = "missing"
NOT_GIVEN = "not a value the user gave"
MIN_COVERAGE = 0.4  # of the request's words kept by a tool's one free-text value
_DAY_WORDS = re.compile(r"\d|\b(today|tomorrow|yesterday|tonight|next|week|month|year|"
                        r"mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|"
                        r"oct|nov|dec)[a-z]*\b", re.IGNORECASE)
_BODY_WORDS = frozenset({"text", "note", "summary", "message", "body", "content",
                         "description", "details", "comment"})
_LEAD_IN = re.compile(r"^[^:]{0,40}:\s*")  # "Save a note: …", "Jot down: …"


def parameters(function: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A function descriptor's properties and required names."""
    schema = function.get("parameters") or {}
    return dict(schema.get("properties") or {}), list(schema.get("required") or [])


def problems(function: Mapping[str, Any], arguments: Mapping[str, Any], request: str
             ) -> dict[str, str]:
    """Parameter name → what is wrong with its value (empty when the arguments are fine)."""
    properties, required = parameters(function)
    sole = _sole_free_text(properties)
    found: dict[str, str] = {}
    for name in required:
        if name not in arguments or arguments[name] in ("", None):
            found[name] = MISSING
    for name, value in arguments.items():
        spec = properties.get(name)
        if spec is None:
            found[name] = "unknown parameter"
        elif name not in found and (issue := _value_problem(spec, value, request,
                                                            name == sole)):
            found[name] = issue
    return found


def unusable(function: Mapping[str, Any], arguments: Mapping[str, Any], request: str) -> bool:
    """A required value is missing, or is an identifier the user never gave (an order
    number a tool cannot look up): the call must not be made."""
    _, required = parameters(function)
    issues = problems(function, arguments, request)
    return any(issues.get(name) in (MISSING, NOT_GIVEN) for name in required)


def filled(function: Mapping[str, Any], arguments: Mapping[str, Any], request: str
           ) -> dict[str, Any]:
    """The arguments with each failing parameter read off the request where that can be done
    deterministically; a failing optional parameter that cannot be read is dropped."""
    properties, required = parameters(function)
    out = {k: v for k, v in arguments.items() if k in properties}
    sole = _sole_free_text(properties)
    for name, issue in problems(function, out, request).items():
        value = _read(properties[name], request, only_free_text=name == sole)
        if value is not None and not _value_problem(properties[name], value, request,
                                                    name == sole):
            out[name] = value
        elif name not in required and issue != MISSING:
            out.pop(name, None)
    return out


def _sole_free_text(properties: Mapping[str, Any]) -> str | None:
    """The tool's one free-text parameter that holds a text body (a note's text, a ticket's
    summary: its name or description says so), if it has exactly one such parameter and no
    other free-text one: its value carries what the user said."""
    names = [n for n, spec in properties.items() if _is_free_text(spec)]
    if len(names) != 1:
        return None
    spec = properties[names[0]]
    said = {w.lower() for w in _WORD.findall(f"{names[0]} {spec.get('description') or ''}")}
    return names[0] if said & _BODY_WORDS else None


def _value_problem(spec: Mapping[str, Any], value: Any, request: str,
                   sole_free_text: bool = False) -> str | None:
    kind = spec.get("type", "string")
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "not a number"
        numbers = [_as_number(n) for n in _NUMBER.findall(request)]
        return None if not numbers or value in numbers else "a number the user did not give"
    if kind != "string":
        return None
    if not isinstance(value, str) or not value.strip():
        return "empty"
    if spec.get("enum"):
        return None if value in spec["enum"] else "not one of the allowed values"
    if spec.get("format") == "date":
        if not _DATE.fullmatch(value):
            return "not a date like 2025-01-31"
        dates = _DATE.findall(request)
        if dates:
            return None if value in dates else "a date the user did not give"
        return None if _DAY_WORDS.search(request) else NOT_GIVEN  # "hello" gives no day
    if (pattern := _example_pattern(spec)) is not None:
        return None if value in pattern.findall(request) else NOT_GIVEN
    if not _grounded(value, request):
        return "not in the user's words"
    if sole_free_text and not any(c.isdigit() for c in value) \
            and _coverage(value, request) < MIN_COVERAGE:  # "Sunday" for a whole note
        return "leaves out most of what the user said"
    return None


def _read(spec: Mapping[str, Any], request: str, *, only_free_text: bool) -> Any:
    kind = spec.get("type", "string")
    if kind in ("number", "integer"):
        numbers = _NUMBER.findall(request)
        return _as_number(numbers[0]) if len(numbers) == 1 else None
    if spec.get("enum"):
        words = {w.lower() for w in _WORD.findall(request)}
        named = [v for v in spec["enum"] if str(v).lower() in words]
        return named[0] if len(named) == 1 else None
    if spec.get("format") == "date":
        dates = _DATE.findall(request)
        return dates[0] if len(dates) == 1 else None
    if (pattern := _example_pattern(spec)) is not None:
        shaped = pattern.findall(request)
        return shaped[0] if len(shaped) == 1 else None
    if only_free_text:  # the tool's one free-text parameter: what follows "…:" or all of it
        text = _LEAD_IN.sub("", request.strip(), count=1).strip()
        return text or None
    return None


def _example_pattern(spec: Mapping[str, Any]) -> re.Pattern[str] | None:
    """A pattern of the example's shape ("A-1001" → letter, dash, 4 digits) when the example
    is an identifier (it holds a digit), else None."""
    example = spec.get("example")
    if not isinstance(example, str) or not any(c.isdigit() for c in example) or " " in example:
        return None
    shape = "".join(r"[A-Za-z]" if c.isalpha() else r"\d" if c.isdigit() else re.escape(c)
                    for c in example)
    return re.compile(rf"(?<![\w-]){shape}(?![\w-])")


def _is_free_text(spec: Mapping[str, Any]) -> bool:
    return (spec.get("type", "string") == "string" and not spec.get("enum")
            and not spec.get("format") and _example_pattern(spec) is None)


def _grounded(value: str, request: str) -> bool:
    """Some word of the value (3+ letters or any digit) is in the request: a value may be
    rephrased or abbreviated (EUR for euros), but not invented from nothing."""
    said = {w.lower() for w in _WORD.findall(request)}
    words = [w.lower() for w in _WORD.findall(value)]
    return any(w in said or any(s.startswith(w[:3]) for s in said if len(w) >= 3)
               for w in words if len(w) >= 3 or w.isdigit())


def _coverage(value: str, request: str) -> float:
    """The share of the request's words of 3+ letters that the value keeps."""
    said = {w.lower() for w in _WORD.findall(request) if len(w) >= 3}
    kept = {w.lower() for w in _WORD.findall(value)}
    return len(said & kept) / len(said) if said else 1.0


def _as_number(text: str) -> int | float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value
