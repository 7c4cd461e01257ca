"""Memory and session-state keywords (BASIC.md §6.2, §6.3, §8): bot/user memory,
REMEMBER/RECALL, SET/GET SESSION, USE TOOL/KB/WEBSITE/MODEL and their CLEARs."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.durations import parse_duration
from engine.basic.keywords.registry import Invocation, keyword

if TYPE_CHECKING:
    from engine.basic.vm import VM


def _key(value: Any) -> str:
    return values.text(value)


@keyword("SET BOT MEMORY")
def set_bot_memory(vm: VM, call: Invocation) -> None:
    vm.host.memory.set_bot(_key(call.arg(0)), call.arg(1))


@keyword("GET BOT MEMORY")
def get_bot_memory(vm: VM, call: Invocation) -> Any:
    return vm.host.memory.get_bot(_key(call.arg(0)))


@keyword("SET USER MEMORY")
def set_user_memory(vm: VM, call: Invocation) -> None:
    vm.host.memory.set_user(_key(call.arg(0)), call.arg(1))


@keyword("GET USER MEMORY")
def get_user_memory(vm: VM, call: Invocation) -> Any:
    return vm.host.memory.get_user(_key(call.arg(0)))


@keyword("REMEMBER")
def remember(vm: VM, call: Invocation) -> None:
    duration: timedelta | None = parse_duration(call.arg(2)) if len(call.args) > 2 else None
    expires = vm.now() + duration if duration is not None else None
    vm.host.memory.remember(_key(call.arg(0)), call.arg(1), expires)


@keyword("RECALL")
def recall(vm: VM, call: Invocation) -> Any:
    return vm.host.memory.recall(_key(call.arg(0)), vm.now())


@keyword("SET SESSION")
def set_session(vm: VM, call: Invocation) -> None:
    vm.host.session.set(_key(call.arg(0)), call.arg(1))


@keyword("GET SESSION")
def get_session(vm: VM, call: Invocation) -> Any:
    if len(call.args) > 1:
        return vm.host.session.get_other(_key(call.arg(0)), _key(call.arg(1)))
    return vm.host.session.get(_key(call.arg(0)))


def tool_reference(name: str) -> str:
    """``"x.bas"`` and ``"bot.gbdialog/x.bas"`` name the tool ``x`` (§6.3)."""
    base = re.split(r"[\\/]", name.strip())[-1]
    return base[:-4] if base.lower().endswith(".bas") else base


@keyword("ADD TOOL", "USE TOOL")
def use_tool(vm: VM, call: Invocation) -> None:
    for arg in call.args:
        name = tool_reference(values.text(arg))
        vm.host.session.add_tool(name)
        # a file that declares procedure tools offers them all (docs/basic-compatibility.md P2)
        program = vm.host.scripts.load(name)
        if program is not None and program.tool is None:
            for tool in program.proc_tools.values():
                vm.host.session.add_tool(tool.name)


@keyword("CLEAR TOOLS")
def clear_tools(vm: VM, call: Invocation) -> None:
    vm.host.session.clear_tools()


@keyword("USE KB")
def use_kb(vm: VM, call: Invocation) -> None:
    for arg in call.args:
        vm.host.session.use_kb(values.text(arg))


@keyword("CLEAR KB")
def clear_kb(vm: VM, call: Invocation) -> None:
    vm.host.session.clear_kb(values.text(call.arg(0)) if call.args else None)


@keyword("USE WEBSITE")
def use_website(vm: VM, call: Invocation) -> None:
    refresh = call.clause("REFRESH")
    vm.host.session.use_website(values.text(call.arg(0)),
                                values.text(refresh[0]) if refresh else None)


@keyword("CLEAR WEBSITES")
def clear_websites(vm: VM, call: Invocation) -> None:
    vm.host.session.clear_websites()


@keyword("USE MODEL")
def use_model(vm: VM, call: Invocation) -> None:
    name = values.text(call.arg(0)).strip()
    vm.host.session.use_model(None if name.lower() in ("", "default", "auto") else name)
