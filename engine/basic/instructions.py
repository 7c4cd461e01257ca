"""Instructions with a second half: CALL (the callee's result comes back) and HEAR (the
user's answer comes back, possibly after the process restarted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.program import RETURNED, SUSPENDED, Eval
from engine.basic.validators import MENU_REPROMPT, Attachment, match_menu, reprompt, validate

if TYPE_CHECKING:
    from engine.basic.vm import Frame

Store = Callable[["Frame", Any], None]


@dataclass(frozen=True, slots=True)
class Message:
    """What the user sent: text and any attachments."""

    text: str
    attachments: tuple[Attachment, ...] = ()


def finish_frame(f: Frame, own: str | None) -> int:
    """Leave a body: a FUNCTION returns the value last assigned to its name (§4.9)."""
    if not f.returned:
        f.result = f.vars.get(own) if own else None
    return RETURNED


class CallInstr:
    """``CALL name(args)`` / ``name args`` / ``x = f(args)``: runs in a pushed frame."""

    __slots__ = ("args", "is_proc", "name", "store")

    def __init__(self, name: str, args: list[Eval], store: Store | None, is_proc: bool) -> None:
        self.name = name
        self.args = args
        self.store = store
        self.is_proc = is_proc

    def __call__(self, f: Frame) -> int:
        arguments = [a(f) for a in self.args]
        return f.vm.push_call(f, self.name, arguments, self.is_proc)

    def finish(self, f: Frame, result: Any) -> None:
        if self.store is not None:
            self.store(f, result)


class HearInstr:
    """HEAR / ASK: offer the menu, suspend, validate the answer, re-prompt (§5.3)."""

    __slots__ = ("default", "free_text", "menu", "prompt", "store", "type_name")

    def __init__(self, store: Store | None, type_name: str | None, menu: list[Eval],
                 prompt: Eval | None, default: Eval | None = None,
                 free_text: bool = False) -> None:
        self.store = store
        self.type_name = type_name
        self.menu = menu
        self.prompt = prompt
        self.default = default  # DEFAULT v: an empty answer takes v (compat H1)
        self.free_text = free_text  # `, *`: an answer outside the menu is kept as typed

    def __call__(self, f: Frame) -> int:
        vm = f.vm
        if self.prompt is not None:
            vm.talk(values.text(self.prompt(f)))
        options = self._options(f)
        vm.waiting = {"attempts": 0, "options": options}
        vm.offer_options(options)
        return SUSPENDED

    def _options(self, f: Frame) -> list[str] | None:
        if not self.menu:
            return None
        evaluated = [m(f) for m in self.menu]
        if len(evaluated) == 1 and type(evaluated[0]) is list:
            return [values.text(v) for v in evaluated[0]]
        if len(evaluated) == 1 and type(evaluated[0]) is not str:
            return None  # not an array: the answer is read as TEXT
        return [values.text(v) for v in evaluated]

    def deliver(self, f: Frame, message: Message) -> int | None:
        """Take the user's answer; None continues after the HEAR, SUSPENDED waits again."""
        vm = f.vm
        state = vm.waiting or {"attempts": 0, "options": None}
        options = state.get("options")
        answer = message.text.strip()
        if answer == "" and self.default is not None and not message.attachments:
            self._accept(f, self._default_value(f))
            return None
        ok, value = self._check(vm, answer, options, message)
        if not ok and self.free_text and answer:
            ok, value = True, answer
        if ok:
            self._accept(f, value)
            return None
        state["attempts"] = attempts = int(state.get("attempts", 0)) + 1
        if attempts >= vm.max_hear_attempts:
            self._accept(f, None)
            return None
        vm.talk(MENU_REPROMPT if options is not None else reprompt(self.type_name or "TEXT"))
        vm.waiting = state
        vm.offer_options(options)
        return SUSPENDED

    def _default_value(self, f: Frame) -> Any:
        """DEFAULT's value; a text default of a typed HEAR is read as that type's answer
        would be (``HEAR ok AS BOOLEAN DEFAULT "no"`` gives false)."""
        value = self.default(f) if self.default is not None else None
        if type(value) is str and self.type_name not in (None, "TEXT"):
            result = validate(self.type_name, value, f.vm.now().date(), ())
            if result.ok:
                return result.value
        return value

    def _check(self, vm: Any, answer: str, options: list[str] | None,
               message: Message) -> tuple[bool, Any]:
        if options is not None:
            choice = match_menu(options, answer)
            return choice is not None, choice
        if self.type_name is None or self.type_name == "TEXT":
            return True, answer
        if self.type_name == "AUDIO" and message.attachments:
            return True, vm.transcribe(message.attachments[0])
        result = validate(self.type_name, answer, vm.now().date(), message.attachments)
        return result.ok, result.value

    def _accept(self, f: Frame, value: Any) -> None:
        f.vm.waiting = None
        if self.store is not None:
            self.store(f, value)
