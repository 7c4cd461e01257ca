"""Running one BASIC script outside a conversation: a tool called over REST, a webhook.

Same machinery as the engine's jobs (``Engine._run_without_user``): the bot's shared services,
a throw-away session state, the run on the session manager's worker threads with its events
published as they happen. Unlike a job, the caller gets the script's result value.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.api import Engine
from engine.basic.program import Program
from engine.basic.vm import VM, Outcome
from engine.sessions.bridge import RunOutput, run_in_thread
from engine.sessions.state import SessionState


@dataclass(frozen=True, slots=True)
class ScriptRun:
    outcome: Outcome
    said: list[str]

    @property
    def error(self) -> str | None:
        if self.outcome.waiting:
            return "the script waited for an answer (HEAR), but it runs without a user"
        return None if self.outcome.error is None else str(self.outcome.error)


async def run_script(engine: Engine, bot: str, program: Program, *, channel: str,
                     user_id: str | None = None, roles: frozenset[str] | None = None,
                     arguments: dict[str, Any] | None = None,
                     request: dict[str, Any] | None = None) -> ScriptRun:
    services = engine.bots.services(bot)
    state = SessionState(id=f"{channel}-{uuid.uuid4().hex[:12]}", bot_name=bot,
                         user_id=user_id, channel=channel,
                         started_at=datetime.now().replace(microsecond=0),
                         role_names=None if roles is None else sorted(roles))
    loop = asyncio.get_running_loop()
    output = RunOutput(loop, state, bot)
    host = services.host(state, output)

    def job() -> Outcome:
        services.acting_as(roles)
        return VM(host).start(program, arguments, request)

    outcome: Outcome = await run_in_thread(loop, engine.sessions.executor, output,
                                           engine.publish, job)
    return ScriptRun(outcome, list(output.said))
