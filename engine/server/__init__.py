"""The LAN server: REST, the chat WebSocket, the web chat, BASIC webhooks, an
OpenAI-compatible API and Prometheus metrics over one :class:`~engine.api.Engine`
(ARCHITECTURE.md §1, §6-§8). The only package that imports ``aiohttp.web``.

    server = await start_server(engine, "0.0.0.0", 8080)
    print(server.url)
    ...
    await server.aclose()
"""

from engine.server.app import build_app
from engine.server.options import ServerOptions
from engine.server.running import RunningServer, start_server

__all__ = ["RunningServer", "ServerOptions", "build_app", "start_server"]
