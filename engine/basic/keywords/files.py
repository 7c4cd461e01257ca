"""Drive and HTTP keywords (BASIC.md §9.1–9.3): READ, WRITE, APPEND, LIST, COPY, MOVE,
DELETE FILE, UPLOAD, DOWNLOAD, COMPRESS, EXTRACT, GENERATE PDF, MERGE PDF; GET (session,
URL or file), POST, PUT, PATCH, DELETE HTTP, SET HEADER, CLEAR HEADERS."""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.errors import BasicPermissionError, BasicTypeError, BasicValueError
from engine.basic.keywords.api import api_call, is_api_path
from engine.basic.keywords.registry import Invocation, keyword

if TYPE_CHECKING:
    from engine.basic.vm import VM

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def _path(value: Any) -> str:
    if type(value) is dict:
        return values.text(values.map_get(value, "path"))
    return values.text(value)


@keyword("READ")
def read(vm: VM, call: Invocation) -> Any:
    path = _path(call.arg(0))
    mode_clause = call.clause("AS")
    mode = values.text(mode_clause[0]).upper() if mode_clause else "TEXT"
    text = vm.host.drive.read_text(path)
    if mode == "LINES":
        lines = text.splitlines()
        return lines
    if mode == "JSON":
        return values.from_json_text(text)
    if mode == "TABLE":
        return [dict(row) for row in csv.DictReader(io.StringIO(text))]
    return text


@keyword("WRITE")
def write(vm: VM, call: Invocation) -> None:
    content = call.arg(1)
    data = content if type(content) is str else (
        values.json_text(content) if type(content) in (list, dict) else values.text(content))
    vm.host.drive.write(_path(call.arg(0)), data)


@keyword("LIST")
def list_files(vm: VM, call: Invocation) -> list[str]:
    return vm.host.drive.list(_path(call.arg(0)) if call.args else "")


def _source_target(call: Invocation) -> tuple[str, str]:
    to = call.clause("TO")
    target = to[0] if to else call.arg(1)
    return _path(call.arg(0)), _path(target)


@keyword("COPY")
def copy(vm: VM, call: Invocation) -> None:
    vm.host.drive.copy(*_source_target(call))


@keyword("MOVE")
def move(vm: VM, call: Invocation) -> None:
    vm.host.drive.move(*_source_target(call))


@keyword("DELETE FILE")
def delete_file(vm: VM, call: Invocation) -> None:
    vm.host.drive.delete(_path(call.arg(0)))


@keyword("UPLOAD")
def upload(vm: VM, call: Invocation) -> str:
    source, target = call.arg(0), _path(call.arg(1))
    text = _path(source)
    if _SCHEME.match(text):
        with vm.service_wait():
            data, _name = vm.host.http.fetch(_checked_url(text), vm.headers)
        return vm.host.drive.store(data, target)
    return vm.host.drive.store(vm.host.drive.read_bytes(text), target)


@keyword("DOWNLOAD")
def download(vm: VM, call: Invocation) -> str:
    with vm.service_wait():
        data, name = vm.host.http.fetch(_checked_url(values.text(call.arg(0))), vm.headers)
    target = _path(call.arg(1)) if len(call.args) > 1 else f"downloads/{name}"
    return vm.host.drive.store(data, target)


@keyword("COMPRESS")
def compress(vm: VM, call: Invocation) -> str:
    files = call.arg(0)
    paths = [_path(f) for f in files] if type(files) is list else [_path(files)]
    to = call.clause("TO")
    return vm.host.drive.compress(paths, _path(to[0] if to else call.arg(1)))


@keyword("EXTRACT")
def extract(vm: VM, call: Invocation) -> list[str]:
    to = call.clause("TO")
    folder = to[0] if to else call.arg(1)
    return vm.host.drive.extract(_path(call.arg(0)), _path(folder) if folder else "")


@keyword("GENERATE PDF")
def generate_pdf(vm: VM, call: Invocation) -> str:
    return vm.host.drive.generate_pdf(values.text(call.arg(0)), call.arg(1), _path(call.arg(2)))


@keyword("MERGE PDF")
def merge_pdf(vm: VM, call: Invocation) -> str:
    files = call.arg(0)
    paths = [_path(f) for f in files] if type(files) is list else [_path(files)]
    to = call.clause("TO")
    return vm.host.drive.merge_pdf(paths, _path(to[0] if to else call.arg(1)))


# -- HTTP -------------------------------------------------------------------------------------
def _checked_url(url: str) -> str:
    match = _SCHEME.match(url)
    if match is None or match.group(1).lower() not in ("http", "https"):
        raise BasicPermissionError(f"only http and https URLs are allowed: {url}")
    return url


def http_call(vm: VM, method: str, url: str, body: Any) -> Any:
    with vm.service_wait():
        return vm.host.http.request(method, _checked_url(url), body, dict(vm.headers))


@keyword("GET")
def get(vm: VM, call: Invocation) -> Any:
    """§9.2: ``session.…`` reads the session, ``scheme://`` is a URL, else a drive file."""
    if call.arg(0) is None:  # an unset variable must not read the drive's root (compat R3)
        raise BasicValueError("GET needs a URL, a session key or a file path, not null")
    target = values.text(call.arg(0))
    if target.lower().startswith("session."):
        return vm.host.session.get(target[len("session."):])
    if _SCHEME.match(target):
        return http_call(vm, "GET", target, None)
    if is_api_path(target):
        return api_call(vm, "GET", target, None)
    if not target.strip():
        raise BasicValueError("GET needs a URL, a session key or a file path, not \"\"")
    return vm.host.drive.read_text(target)


@keyword("POST", "PUT", "PATCH")
def send(vm: VM, call: Invocation) -> Any:
    url = values.text(call.arg(0))
    if is_api_path(url):
        return api_call(vm, call.command.keyword, url, call.arg(1))
    return http_call(vm, call.command.keyword, url, call.arg(1))


@keyword("DELETE HTTP")
def delete_http(vm: VM, call: Invocation) -> Any:
    return http_call(vm, "DELETE", values.text(call.arg(0)), None)


@keyword("SET HEADER")
def set_header(vm: VM, call: Invocation) -> None:
    if len(call.args) != 2:
        raise BasicTypeError("SET HEADER needs a name and a value")
    vm.headers[values.text(call.arg(0))] = values.text(call.arg(1))


@keyword("CLEAR HEADERS")
def clear_headers(vm: VM, call: Invocation) -> None:
    vm.headers.clear()
