"""Tool choice by constrained decoding, for models without native tool calling.

The model answers one JSON object ``{"tool": NAME, "arguments": {...}}`` or
``{"tool": "none"}``; the provider constrains decoding to a JSON schema whose branches are
the tools (a llama.cpp grammar for the local model), so even a 135M-parameter model names an
existing tool with arguments that match its schema. ``"tool"`` comes first, so the arguments
are written knowing which tool they are for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.llm.prompt import openai_tool
from engine.llm.provider import JsonObject, Message

NONE = "none"
_KEPT_FORMATS = frozenset({"date", "date-time", "time", "uuid"})
_KEPT_KEYS = ("type", "enum", "items", "properties", "required")

ROUTER_PROMPT = """You decide whether a tool must be called to fulfil the user's last \
message. Reply with one JSON object: {{"tool": "<tool name>", "arguments": {{...}}}} to call \
a tool, or {{"tool": "none"}} when no tool fits (greetings, questions you can answer \
yourself). Take argument values from the user's words.

Tools:
{tools}"""
RESULT_PROMPT = ("Tool {name} was called with {arguments} and returned: {result}\n"
                 "Call another tool only if the request still needs one; otherwise reply "
                 '{{"tool": "none"}}.')
RETRY_PROMPT = ("These arguments are wrong: {issues}. Call {name} again with values copied "
                "from my message, or reply {{\"tool\": \"none\"}}.")
ANSWER_PROMPT = ("Tool results for the user's last message (use them in your answer):\n"
                 "{results}")


@dataclass(frozen=True, slots=True)
class Decision:
    tool: str
    arguments: dict[str, Any]

    @property
    def is_call(self) -> bool:
        return self.tool != NONE


def decision_schema(tools: Sequence[JsonObject], none: bool = True) -> dict[str, Any]:
    """``anyOf`` one branch per tool (its name as a constant, its parameters) plus none
    (unless ``none`` is False: the model must call one of the tools)."""
    branches: list[dict[str, Any]] = [_branch(openai_tool(t)["function"]) for t in tools]
    if none:
        branches.append({"type": "object", "properties": {"tool": {"const": NONE}},
                         "required": ["tool"], "additionalProperties": False})
    return {"anyOf": branches}


def router_messages(tools: Sequence[JsonObject], conversation: Sequence[Message],
                    context: str | None = None) -> list[Message]:
    """The decision prompt: the tool list, then the conversation (user/assistant turns)."""
    listing = "\n".join(_describe(openai_tool(t)["function"]) for t in tools)
    prompt = ROUTER_PROMPT.format(tools=listing)
    if context:
        prompt += f"\n\nContext:\n{context}"
    return [Message("system", prompt), *conversation]


def result_messages(decision: Decision, result: str) -> list[Message]:
    """How a tool run is shown to the router for the next round."""
    call = json.dumps({"tool": decision.tool, "arguments": decision.arguments})
    return [Message("assistant", call),
            Message("user", RESULT_PROMPT.format(name=decision.tool, result=result,
                                                 arguments=json.dumps(decision.arguments)))]


def retry_messages(decision: Decision, issues: Mapping[str, str]) -> list[Message]:
    """The failed call and what is wrong with it, for one more decision."""
    call = json.dumps({"tool": decision.tool, "arguments": decision.arguments})
    listed = "; ".join(f"{name}: {issue}" for name, issue in issues.items())
    return [Message("assistant", call),
            Message("user", RETRY_PROMPT.format(issues=listed, name=decision.tool))]


def answer_message(runs: Sequence[tuple[Decision, str]]) -> Message:
    """The tool results as a system message for the final answer."""
    lines = [f"- {d.tool}({json.dumps(d.arguments)}) returned: {result}" for d, result in runs]
    return Message("system", ANSWER_PROMPT.format(results="\n".join(lines)))


def parse_decision(text: str, tools: Sequence[JsonObject]) -> Decision:
    """The decision in the model's answer; anything unusable is ``none``."""
    start, end = text.find("{"), text.rfind("}")
    try:
        value = json.loads(text[start:end + 1]) if 0 <= start < end else None
    except json.JSONDecodeError:
        value = None
    names = {openai_tool(t)["function"]["name"] for t in tools}
    if not isinstance(value, dict) or value.get("tool") not in names:
        return Decision(NONE, {})
    arguments = value.get("arguments")
    return Decision(str(value["tool"]), arguments if isinstance(arguments, dict) else {})


def _branch(function: Mapping[str, Any]) -> dict[str, Any]:
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    return {"type": "object",
            "properties": {"tool": {"const": function["name"]},
                           "arguments": _grammar_schema(parameters)},
            "required": ["tool", "arguments"], "additionalProperties": False}


def _grammar_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a parameter schema that constrain decoding (descriptions, examples and
    formats a grammar cannot express are dropped; objects get no extra keys)."""
    kept: dict[str, Any] = {k: schema[k] for k in _KEPT_KEYS if k in schema}
    if schema.get("format") in _KEPT_FORMATS:
        kept["format"] = schema["format"]
    if "properties" in kept:
        kept["properties"] = {k: _grammar_schema(v) for k, v in kept["properties"].items()}
        kept["additionalProperties"] = False
    if isinstance(kept.get("items"), Mapping):
        kept["items"] = _grammar_schema(kept["items"])
    return kept


def _describe(function: Mapping[str, Any]) -> str:
    parameters = function.get("parameters") or {}
    required = set(parameters.get("required") or ())
    arguments = [_describe_parameter(name, spec, name in required)
                 for name, spec in (parameters.get("properties") or {}).items()]
    line = f"- {function['name']}: {function.get('description') or ''}".rstrip()
    return line + (f" Arguments: {'; '.join(arguments)}." if arguments else "")


def _describe_parameter(name: str, spec: Mapping[str, Any], required: bool) -> str:
    parts = [str(spec.get("type", "string"))] + ([] if required else ["optional"])
    if spec.get("enum"):
        parts.append("one of " + ", ".join(map(str, spec["enum"])))
    text = f"{name} ({', '.join(parts)})"
    return text + (f" {spec['description']}" if spec.get("description") else "")
