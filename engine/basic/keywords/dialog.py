"""Dialog keywords: TALK, suggestions, switchers, context, PRINT/LOG, WAIT, errors, PUSH,
TALK TO, TRANSFER TO HUMAN, events and run-time schedules (BASIC.md §4.11–4.16, §5, §9.6–9.7)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from engine.basic import sizes, values
from engine.basic.errors import BasicTypeError, UserError
from engine.basic.host import Suggestion
from engine.basic.keywords.registry import Invocation, keyword
from engine.basic.schedules import to_cron

if TYPE_CHECKING:
    from engine.basic.vm import VM

_CHANNELS = ("whatsapp", "telegram", "teams", "email", "sms", "web")


def joined(args: list[Any]) -> str:
    return " ".join(values.text(a) for a in args)


@keyword("TALK")
def talk(vm: VM, call: Invocation) -> None:
    vm.talk(joined(call.args))


@keyword("PRINT")
def print_(vm: VM, call: Invocation) -> None:
    seps = call.clause("SEP") or []
    out: list[str] = []
    for index, arg in enumerate(call.args):
        out.append(values.text(arg))
        if index < len(call.args) - 1:
            out.append(values.text(seps[index]) if index < len(seps) else " ")
    vm.log("".join(out))


@keyword("LOG_INFO", "LOG_WARN", "LOG_ERROR", "LOG_DEBUG")
def log(vm: VM, call: Invocation) -> None:
    level = call.command.keyword.split("_")[1]
    vm.log(f"[{level}] {joined(call.args)}")


@keyword("WAIT")
def wait(vm: VM, call: Invocation) -> None:
    seconds = float(values.to_number(call.arg(0)))
    vm.wait(min(max(seconds, 0.0), vm.limits.max_wait))


@keyword("THROW", "RAISE")
def throw(vm: VM, call: Invocation) -> None:
    raise UserError(values.text(call.arg(0)))


@keyword("ASSERT")
def assert_(vm: VM, call: Invocation) -> None:
    if not values.truthy(call.arg(0)):
        message = call.arg(1)
        raise UserError(values.text(message) if message is not None else "assertion failed")


@keyword("CLEAR ERROR")
def clear_error(vm: VM, call: Invocation) -> None:
    vm.err = None


@keyword("PUSH", "APPEND")
def push(vm: VM, call: Invocation) -> Any:
    target, item = call.arg(0), call.arg(1)
    if call.command.keyword == "APPEND" and type(target) is str:
        vm.host.drive.append_line(target, values.text(item))
        return None
    if target is None:
        target = [item]
        if call.store is not None:
            call.store(call.frame, target)
        return target
    if type(target) is not list:
        raise BasicTypeError(f"{call.command.keyword} needs an array, got "
                             f"{values.type_name(target)}")
    if len(target) >= sizes.SMALL_SIZE:
        sizes.check_count(len(target) + 1)
    target.append(item)
    return target


# -- suggestions, switchers, context -------------------------------------------------------------
@keyword("ADD SUGGESTION")
def add_suggestion(vm: VM, call: Invocation) -> None:
    kind, value = str(call.arg(0)), values.text(call.arg(1))
    label = values.text(call.arg(2)) if len(call.args) > 2 else value
    suggestion = Suggestion(label, value, kind)  # type: ignore[arg-type]
    vm.host.session.add_suggestion(suggestion)
    vm.host.output.suggest(suggestion)


@keyword("ADD SWITCHER")
def add_switcher(vm: VM, call: Invocation) -> None:
    ident = values.text(call.arg(0))
    labels = call.clause("AS") or call.args[1:]
    label = values.text(labels[0]) if labels else ident
    suggestion = Suggestion(label, ident, "switcher")
    vm.host.session.add_switcher(suggestion)
    vm.host.output.suggest(suggestion)


@keyword("CLEAR SUGGESTIONS")
def clear_suggestions(vm: VM, call: Invocation) -> None:
    vm.host.session.clear_suggestions()
    vm.host.output.clear_suggestions(False)


@keyword("CLEAR SWITCHERS")
def clear_switchers(vm: VM, call: Invocation) -> None:
    vm.host.session.clear_switchers()
    vm.host.output.clear_suggestions(True)


@keyword("SET CONTEXT")
def set_context(vm: VM, call: Invocation) -> None:
    text_clause = call.clause("AS")
    if text_clause:
        vm.host.session.set_context(values.text(call.arg(0)), values.text(text_clause[0]))
    elif len(call.args) > 1:
        vm.host.session.set_context(values.text(call.arg(0)), values.text(call.arg(1)))
    else:
        vm.host.session.set_context("default", values.text(call.arg(0)))


# -- other people, hand-off ----------------------------------------------------------------------
def resolve_recipient(recipient: str) -> tuple[str, str]:
    """The channel and address of a TALK TO / SEND TO recipient (§5.2)."""
    text = recipient.strip()
    prefix, _, rest = text.partition(":")
    if rest and prefix.lower() in _CHANNELS:
        return prefix.lower(), rest.strip()
    compact = re.sub(r"[\s\-()]", "", text)
    if re.fullmatch(r"\+\d+", compact) or re.fullmatch(r"\d{8,}", compact):
        return "whatsapp", compact
    if "@" in text:
        return "email", text
    return "web", text


@keyword("TALK TO", "SEND TO")
def talk_to(vm: VM, call: Invocation) -> None:
    channel, address = resolve_recipient(values.text(call.arg(0)))
    with vm.service_wait():
        vm.host.messaging.talk_to(channel, address, joined(call.args[1:]))


@keyword("TRANSFER TO HUMAN")
def transfer(vm: VM, call: Invocation) -> dict[str, Any]:
    first = call.arg(0)
    if type(first) is dict:
        department = values.map_get(first, "department")
        priority = values.map_get(first, "priority")
        reason = values.map_get(first, "reason")
    else:
        department, priority, reason = first, call.arg(1), call.arg(2)
    department = values.text(department) or "general"
    priority = values.text(priority) or "normal"
    vm.host.messaging.transfer_to_human(department, priority, reason)
    return {"queued": True, "department": department, "priority": priority}


@keyword("SET USER")
def set_user(vm: VM, call: Invocation) -> None:
    vm.host.session.set_user(values.text(call.arg(0)))


# -- events and schedules ------------------------------------------------------------------------
@keyword("PUBLISH EVENT")
def publish_event(vm: VM, call: Invocation) -> None:
    name = values.text(call.arg(0))
    data = call.arg(1)
    frame = call.frame
    for handler in frame.program.handlers.get(name.lower(), []):
        vm.run_handler(frame, handler, {"name": name, "data": data})
    vm.host.events.publish(name, data, frame.program.name.lower())


@keyword("WAIT FOR EVENT")
def wait_for_event(vm: VM, call: Invocation) -> Any:
    timeout = call.clause("TIMEOUT")
    seconds = float(values.to_number(timeout[0])) if timeout else None
    return vm.host.events.wait_for(values.text(call.arg(0)), seconds)


@keyword("SET SCHEDULE")
def set_schedule(vm: VM, call: Invocation) -> None:
    when, script = call.arg(0), values.text(call.arg(1))
    if type(when) is datetime:
        vm.host.scheduler.schedule_once(when, script)
    elif type(when) is date:
        vm.host.scheduler.schedule_once(datetime(when.year, when.month, when.day), script)
    else:
        spec = values.text(when)
        if to_cron(spec) is None:
            raise BasicTypeError(f"invalid schedule '{spec}'")
        vm.host.scheduler.schedule_recurring(spec, script)


@keyword("WEATHER")
def weather(vm: VM, call: Invocation) -> Any:
    return vm.host.weather.weather(values.text(call.arg(0)))
