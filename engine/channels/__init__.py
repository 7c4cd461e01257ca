"""Channels: the platforms a bot meets its users on besides the web chat (docs/channels.md).

An adapter (:mod:`engine.channels.protocol`) turns a platform's inbound payload into
``UserMessage`` values and a bot's answer into the platform's outbound calls; adapters are
found by name in :mod:`engine.channels.registry` (the built-ins register like a plugin would);
:mod:`engine.channels.service` runs the turns and :mod:`engine.channels.sender` makes the calls.
"""
