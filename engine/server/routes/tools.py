"""A bot's tools: their descriptors, and running one directly with arguments."""

from __future__ import annotations

from aiohttp import web

from engine.server import schemas
from engine.server.bodies import json_response, read_json
from engine.server.errors import NotFound
from engine.server.routes.common import bot_of
from engine.server.routing import TURN, Route, principal_of
from engine.server.scripts import run_script
from engine.server.state import state_of


async def list_tools(request: web.Request) -> web.Response:
    """Each tool as an OpenAI function-tool descriptor (name, description, JSON schema)."""
    bot = bot_of(request)
    return json_response({"tools": [p.openai_tool() for _, p in sorted(bot.tools.items())]})


async def run_tool(request: web.Request) -> web.Response:
    """Run a tool without the LLM; arguments are checked and converted as PARAMs say."""
    bot = bot_of(request)
    name = request.match_info["tool"]
    program = bot.tools.get(name.lower().removesuffix(".bas"))
    if program is None:
        raise NotFound(f"no tool named '{name}' in bot '{bot.package.name}'")
    body = await read_json(request, schemas.ToolRun)
    principal = principal_of(request)
    with state_of(request).admission.slot():
        run = await run_script(state_of(request).engine, bot.package.name, program,
                               channel="api", user_id=principal.user_id,
                               roles=principal.table_roles(), arguments=body.arguments)
    result = None if run.error else run.outcome.result
    return json_response({"tool": program.name, "result": result, "output": run.said,
                          "error": run.error})


ROUTES = [
    Route("GET", "/api/bots/{bot}/tools", list_tools, "user", "List a bot's tools", "tools",
          responses={200: schemas.ToolList}),
    Route("POST", "/api/bots/{bot}/tools/{tool}/run", run_tool, "user", "Run a tool", "tools",
          body=schemas.ToolRun, responses={200: schemas.ToolResult}, errors=TURN),
]
