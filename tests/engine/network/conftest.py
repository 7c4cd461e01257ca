"""Fixtures of the network tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback_http import LoopbackServer, serving


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with serving() as running:
        yield running
