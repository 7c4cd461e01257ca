"""Names General Bots scripts read without declaring them (docs/basic-compatibility.md R1).

A name that the script never assigns (nor declares, nor receives as a parameter or config
value) and that is in :data:`PREDEFINED` reads the session or the clock. The value is
computed at each read; assigning the name in a script simply makes it an ordinary variable
of that script (the session is never changed through it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.basic import values

if TYPE_CHECKING:
    from engine.basic.vm import Frame


def _session(key: str) -> Callable[[Frame], Any]:
    return lambda f: f.vm.host.session.get(key)


def _user(f: Frame) -> dict[str, Any]:
    get = f.vm.host.session.get
    return {"id": get("user_id"), "name": get("user_name"), "email": get("user_email"),
            "mobile": get("user_phone")}


def _first_name(f: Frame) -> Any:
    name = f.vm.host.session.get("user_name")
    return values.text(name).split(" ")[0] if name else None


PREDEFINED: dict[str, Callable[[Frame], Any]] = {
    "user": _user,
    "username": _session("user_name"),
    "firstname": _first_name,
    "userid": _session("user_id"),
    "mobile": _session("user_phone"),
    "phone": _session("user_phone"),
    "email": _session("user_email"),
    "bot": _session("bot_name"),
    "botname": _session("bot_name"),
    "channel": _session("channel"),
    "language": _session("language"),
    "sessionid": _session("id"),
    "hour": lambda f: f.vm.now().hour,
    "minute": lambda f: f.vm.now().minute,
    "weekday": lambda f: values.weekday(f.vm.now()),
}


def predefined(key: str) -> Callable[[Frame], Any] | None:
    """The reader of a predefined name (``key`` lower-cased), or None."""
    return PREDEFINED.get(key)
