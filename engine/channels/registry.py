"""Channel adapters by name: ``register_channel(name, factory)``; the built-ins use it too.

A factory takes the bot's config (a mapping of its ``config.csv``, secrets already read from
the keyring) and returns an adapter, or raises
:class:`~engine.channels.errors.ChannelNotConfigured` when the bot has not set the channel up.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping

from engine.channels.errors import ChannelError, UnknownChannel
from engine.channels.protocol import ChannelAdapter

Factory = Callable[[Mapping[str, str]], ChannelAdapter]
_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
_FACTORIES: dict[str, Factory] = {}
_BUILTINS = ("engine.channels.telegram", "engine.channels.whatsapp")


def register_channel(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make ``name`` an available channel. A second registration needs ``replace=True``."""
    if not _NAME.fullmatch(name):
        raise ChannelError(f"invalid channel name {name[:40]!r}")
    if name in _FACTORIES and not replace:
        raise ChannelError(f"the channel {name!r} is already registered")
    _FACTORIES[name] = factory


def unregister_channel(name: str) -> None:
    """Forget ``name`` (a plugin being unloaded); no error when it was not registered."""
    _FACTORIES.pop(name, None)


def channel_factory(name: str) -> Factory:
    _builtins()
    factory = _FACTORIES.get(name)
    if factory is None:
        raise UnknownChannel(f"no channel named {name[:40]!r}")
    return factory


def channel_names() -> list[str]:
    _builtins()
    return sorted(_FACTORIES)


def _builtins() -> None:
    """Import the built-in adapters, which register themselves (as a plugin would)."""
    for module in _BUILTINS:
        importlib.import_module(module)
