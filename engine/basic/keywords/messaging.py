"""Mail, SMS, files and templates to people (BASIC.md §9.4, §9.5)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.keywords.registry import Handler, Invocation, keyword

if TYPE_CHECKING:
    from engine.basic.vm import VM


def _waits(handler: Handler) -> Handler:
    """Sending waits on a service: that time is not script time (``VM.service_wait``)."""

    @functools.wraps(handler)
    def waiting(vm: VM, call: Invocation) -> Any:
        with vm.service_wait():
            return handler(vm, call)

    return waiting


def _paths(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if type(value) is list else [value]
    return [values.text(values.map_get(i, "path")) if type(i) is dict else values.text(i)
            for i in items]


@keyword("SEND MAIL", "SEND EMAIL")
@_waits
def send_mail(vm: VM, call: Invocation) -> None:
    using = call.clause("USING")
    account = values.text(using[0]) if using else None
    vm.host.messaging.send_mail(call.arg(0), values.text(call.arg(1)), values.text(call.arg(2)),
                                _paths(call.arg(3)), account)


@keyword("CREATE DRAFT")
@_waits
def create_draft(vm: VM, call: Invocation) -> Any:
    return vm.host.messaging.create_draft(call.arg(0), values.text(call.arg(1)),
                                          values.text(call.arg(2)))


@keyword("SEND SMS")
@_waits
def send_sms(vm: VM, call: Invocation) -> None:
    vm.host.messaging.send_sms(values.text(call.arg(0)), values.text(call.arg(1)), call.arg(2),
                               call.arg(3))


@keyword("SEND FILE")
@_waits
def send_file(vm: VM, call: Invocation) -> None:
    caption = call.arg(1)
    vm.host.messaging.send_file(None, _paths(call.arg(0))[0],
                                values.text(caption) if caption is not None else None)


@keyword("SEND FILE TO")
@_waits
def send_file_to(vm: VM, call: Invocation) -> None:
    caption = call.arg(2)
    vm.host.messaging.send_file(values.text(call.arg(0)), _paths(call.arg(1))[0],
                                values.text(caption) if caption is not None else None)


@keyword("SEND TEMPLATE")
@_waits
def send_template(vm: VM, call: Invocation) -> None:
    vm.host.messaging.send_template(values.text(call.arg(0)), values.text(call.arg(1)),
                                    call.arg(2))
