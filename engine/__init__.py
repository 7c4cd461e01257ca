"""Hearth's headless engine: no Qt, no aiohttp.web outside engine.server."""
