"""Each service's own timeout (issue 12): a mail server that accepts the connection and then
says nothing fails after ``email-timeout`` with a TimeoutError that is a ServiceError, and a
script catches it with ON ERROR and goes on (the wait never counted as script time)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from engine.basic.errors import BasicTimeoutError, ServiceError
from engine.basic.vm import VM
from engine.bots.outbox import LocalMessaging

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never sends a greeting."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    for connection in held:
        connection.close()
    listener.close()


class _NoDrive:
    def read_bytes(self, path: str) -> bytes:
        raise AssertionError("no attachments here")


def messaging(port: int, timeout: str) -> LocalMessaging:
    config = {"email-server": "127.0.0.1", "email-port": str(port), "email-timeout": timeout}
    return LocalMessaging(_NoDrive(), config)  # type: ignore[arg-type]


def test_a_silent_mail_server_times_out_after_email_timeout(silent_smtp: int) -> None:
    started = time.monotonic()
    with pytest.raises(BasicTimeoutError) as failed:
        messaging(silent_smtp, "0.5").send_mail("a@example.invalid", "s", "b", [], None)
    assert 0.4 < time.monotonic() - started < 5
    assert isinstance(failed.value, ServiceError) and failed.value.kind == "TimeoutError"
    assert "did not answer within 0.5 s" in failed.value.message


def test_on_error_catches_the_mail_timeout(basic: BasicKit, silent_smtp: int,
                                           tmp_path: Path) -> None:
    host = basic.host({"basic-max-seconds": "0.2", "basic-max-loop": "1000000"})
    host.messaging = messaging(silent_smtp, "0.6")  # type: ignore[assignment]
    program = basic.program('ON ERROR RESUME NEXT\nSEND MAIL "a@example.invalid", "s", "b"\n'
                            'TALK "mail: " & ERR.kind\nFOR i = 1 TO 2000\nNEXT\nTALK "done"')
    outcome = VM(host).start(program)
    assert outcome.error is None, outcome.error
    assert host.output.lines == ["< mail: TimeoutError", "< done"]
