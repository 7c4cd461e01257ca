"""Prometheus metrics in the text exposition format (version 0.0.4), names of ARCHITECTURE §7.

Kept in-process and lock-free (one event loop updates them). The route label is the route's
pattern (``/api/sessions/{session_id}``), never the raw path, so cardinality stays bounded.
"""

from __future__ import annotations

import os
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Histogram:
    __slots__ = ("count", "counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.count = 0
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(BUCKETS, value)] += 1
        self.count += 1
        self.total += value


class ServerMetrics:
    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, str], int] = {}
        self.durations: dict[tuple[str, str], _Histogram] = {}
        self.ws_connections = 0
        self.gauges: dict[str, Callable[[], float]] = {}
        self.counters: dict[str, Callable[[], float]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        self.requests[key] = self.requests.get(key, 0) + 1
        histogram = self.durations.get((method, route))
        if histogram is None:
            histogram = self.durations[(method, route)] = _Histogram()
        histogram.observe(seconds)

    def render(self) -> str:
        lines: list[str] = []
        _header(lines, "http_requests_total", "counter", "HTTP requests handled")
        for (method, route, status), n in sorted(self.requests.items()):
            lines.append(f"http_requests_total{_labels(method=method, route=route, status=status)}"
                         f" {n}")
        _header(lines, "http_request_duration_seconds", "histogram",
                "Time to handle an HTTP request")
        for (method, route), h in sorted(self.durations.items()):
            lines.extend(_histogram_lines(method, route, h))
        _header(lines, "ws_connections", "gauge", "Open chat WebSocket connections")
        lines.append(f"ws_connections {self.ws_connections}")
        for name, read in sorted(self.counters.items()):
            _header(lines, name, "counter", _HELP.get(name, name))
            lines.append(f"{name} {_number(read())}")
        for name, read in sorted(self.gauges.items()):
            _header(lines, name, "gauge", _HELP.get(name, name))
            lines.append(f"{name} {_number(read())}")
        return "\n".join(lines) + "\n"


_HELP = {
    "llm_requests_total": "Answers asked of the language models (cached or not)",
    "llm_cache_hits_total": "Answers served by the semantic cache",
    "db_pool_size": "Connections of the engine database (writer and readers)",
    "process_resident_memory_bytes": "Resident memory of this process",
}


def _header(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _histogram_lines(method: str, route: str, h: _Histogram) -> Iterable[str]:
    running = 0
    for bound, n in zip((*BUCKETS, float("inf")), h.counts):
        running += n
        le = "+Inf" if bound == float("inf") else repr(bound)
        yield (f"http_request_duration_seconds_bucket"
               f"{_labels(method=method, route=route, le=le)} {running}")
    yield f"http_request_duration_seconds_sum{_labels(method=method, route=route)} {h.total!r}"
    yield f"http_request_duration_seconds_count{_labels(method=method, route=route)} {h.count}"


def resident_memory_bytes() -> float:
    """RSS now (Linux /proc), else the peak RSS the OS reports."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return float(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource  # not on Windows
    except ImportError:
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(peak if sys.platform == "darwin" else peak * 1024)
