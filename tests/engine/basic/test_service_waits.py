"""Service waits are not script time (issue 12): ``basic-max-seconds`` counts the script's own
work; waiting on the LLM, the KB, HTTP or mail is bounded by the service's own timeout, and a
timeout there is a ServiceError (kind TimeoutError) that ON ERROR catches."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engine.basic.errors import BasicTimeoutError, LimitExceeded, ServiceError
from engine.basic.vm import VM

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit

SLOW = 0.8  # each service call's wait, well over the script's time limit below
LIMIT = {"basic-max-seconds": "0.3", "basic-max-loop": "1000000000",
         "basic-max-steps": "1000000000"}


class SlowServices:
    """An LLM, KB, HTTP and mail service that each take ``SLOW`` seconds (or time out)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[str] = []

    def _wait(self, name: str) -> None:
        self.calls.append(name)
        time.sleep(SLOW)
        if self.fail:
            raise BasicTimeoutError(f"{name} did not answer within {SLOW} s")

    def complete(self, prompt: str, model: str | None) -> str:
        self._wait("llm")
        return f"answer to {prompt}"

    def think(self, question: str, collections: Sequence[str]) -> dict[str, Any]:
        self._wait("kb")
        return {"results": [{"content": "Books are lent for three weeks."}], "confidence": 0.9}

    def request(self, method: str, url: str, body: Any, headers: Mapping[str, str]) -> Any:
        self._wait("http")
        return {"ok": True}

    def send_mail(self, to: Any, subject: str, body: str, attachments: Sequence[str],
                  account: str | None) -> None:
        self._wait("mail")


def run_with(basic: BasicKit, source: str, services: SlowServices) -> Any:
    host = basic.host(LIMIT)
    host.llm = host.kb = host.http = host.messaging = services  # type: ignore[assignment]
    program = basic.program(source)
    vm = VM(host)
    started = time.monotonic()
    outcome = vm.start(program)
    return outcome, host.output.lines, time.monotonic() - started


def test_waiting_on_services_does_not_count_toward_the_time_limit(basic: BasicKit) -> None:
    services = SlowServices()
    source = ('x = LLM "hi"\nTALK x\nfound = THINK KB "loans"\nTALK found.summary\n'
              'r = POST "https://example.invalid/api", {"a": 1}\nTALK r.ok\n'
              'SEND MAIL "a@example.invalid", "hello", "body"\nTALK "sent"\n'
              'FOR i = 1 TO 2000\nNEXT')  # enough steps for the clock to be read again
    outcome, lines, spent = run_with(basic, source, services)
    assert outcome.error is None, outcome.error
    assert services.calls == ["llm", "kb", "llm", "http", "mail"]
    assert lines[0] == "< answer to hi" and lines[-2:] == ["< true", "< sent"]
    assert "Books are lent for three weeks." in "\n".join(lines)
    assert spent > 5 * SLOW > 10 * float(LIMIT["basic-max-seconds"])


def test_a_service_timeout_is_a_service_error_that_on_error_catches(basic: BasicKit) -> None:
    assert issubclass(BasicTimeoutError, ServiceError)
    source = ('ON ERROR RESUME NEXT\nx = LLM "hi"\nTALK "caught " & ERR.kind & " " & ERR.number'
              '\nFOR i = 1 TO 2000\nNEXT\nTALK "still running"')
    outcome, lines, _ = run_with(basic, source, SlowServices(fail=True))
    assert outcome.error is None
    assert lines == ["< caught TimeoutError 1004", "< still running"]


def test_the_scripts_own_work_is_still_limited_after_a_service_wait(basic: BasicKit) -> None:
    outcome, lines, _ = run_with(basic, 'x = LLM "hi"\nTALK x\nDO\nLOOP', SlowServices())
    assert lines == ["< answer to hi"]
    assert isinstance(outcome.error, LimitExceeded)
    assert str(outcome.error.args[0]).startswith("time limit exceeded")
