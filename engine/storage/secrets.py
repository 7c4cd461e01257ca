"""Secrets of shared backends, named in a URL but never written in it.

A storage URL may say where a password or secret key is kept: ``keyring:NAME`` (the OS
keyring, service ``hearth``, as ``llm-key`` does) or ``env:NAME`` (an environment variable,
for servers and CI). The literal secret never appears in the URL, so settings files, logs and
error messages that show a URL show no secret.
"""

from __future__ import annotations

import os

from engine.storage.errors import StorageError, StorageUrlError

KEYRING_SERVICE = "hearth"


def resolve_secret(reference: str | None, *, what: str) -> str | None:
    """The secret that ``reference`` names, or None when there is no reference.

    ``what`` names the option in messages (``"redis password"``). A reference that is neither
    ``keyring:NAME`` nor ``env:NAME`` is refused: it would be the secret itself."""
    if reference is None:
        return None
    source, _, name = reference.partition(":")
    name = name.strip()
    if source not in ("keyring", "env") or not name:
        raise StorageUrlError(
            f"the {what} is named as keyring:NAME or env:NAME, never written in the URL"
        )
    value = os.environ.get(name) if source == "env" else _from_keyring(name, what)
    if not value:
        raise StorageError(f"the {what} is missing: nothing under {source}:{name}")
    return value


def _from_keyring(name: str, what: str) -> str | None:
    import keyring  # local: the keyring backend is loaded only when a secret is needed

    try:
        return keyring.get_password(KEYRING_SERVICE, name)
    except Exception as error:  # keyring backends raise their own error types
        message = f"the keyring cannot be read for the {what} ({type(error).__name__})"
        raise StorageError(message) from error
