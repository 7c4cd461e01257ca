"""Running a tool from a suggestion button: missing parameters are asked for (§5.5).

When required parameters are missing, a small dialog script is generated that asks for
each one (with the parameter's type as the HEAR type, or its ENUM as a menu) and then CALLs
the tool with every argument in PARAM order. Being plain BASIC, it suspends and resumes like
any other dialog; its source is stored with the suspended run.
"""

from __future__ import annotations

from typing import Any

from engine.basic import values
from engine.basic.program import Program
from engine.basic.validators import canonical_type


def basic_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '""').replace("$", "\\$")
    return f'"{escaped}"'


def tool_wrapper(tool: Program, arguments: dict[str, Any]) -> str | None:
    """The generated dialog, or None when no required parameter is missing."""
    given = {k.lower(): v for k, v in arguments.items()}
    params = tool.params
    if all(not p.required or p.name.lower() in given for p in params):
        return None
    lines = [f"' asks for the missing arguments of {tool.name}, then runs it"]
    names: list[str] = []
    for index, param in enumerate(params):
        variable = f"arg_{index + 1}"
        names.append(variable)
        key = param.name.lower()
        if key in given:
            lines.append(f"{variable} = FROMJSON({basic_string(values.json_text(given[key]))})")
        elif param.required:
            prompt = param.description or f"Please give the {param.name.replace('_', ' ')}."
            lines.append(f"TALK {basic_string(prompt)}")
            if param.enum:
                menu = ", ".join(basic_string(option) for option in param.enum)
                lines.append(f"HEAR {variable} AS {menu}")
            else:
                hear_type = canonical_type(param.type) or "TEXT"
                lines.append(f"HEAR {variable} AS {hear_type}")
        else:
            lines.append(f"{variable} = NULL")
    lines.append(f"result = CALL {basic_string(tool.name + '.bas')}({', '.join(names)})")
    lines.append("RETURN result")
    return "\n".join(lines) + "\n"
