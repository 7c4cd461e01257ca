"""Turning an HTTP response into a BASIC value or a file (BASIC.md §9.2). Pure functions."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote

from engine.basic.errors import BasicValueError, HttpError
from engine.basic.query import Value
from engine.basic.values import from_json_text, json_text

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete response: status line, the headers that matter and the whole body."""

    status: int
    reason: str
    content_type: str
    charset: str | None
    content_disposition: str | None
    body: bytes
    request_line: str
    """``METHOD url`` of the request that got this reply (for error messages)."""
    path: str


def status_error(reply: Reply) -> HttpError:
    status = f"HTTP {reply.status} {reply.reason}".rstrip()
    return HttpError(f"{status}: {reply.request_line}")


def decode_reply(reply: Reply) -> Value:
    """JSON (content type containing ``json``) as typed values, anything else as text."""
    text = reply_text(reply)
    if "json" not in reply.content_type.lower():
        return text
    if not text.strip():
        return None
    try:
        return from_json_text(text)
    except BasicValueError as exc:
        raise HttpError(f"invalid JSON in the response: {reply.request_line}") from exc


def reply_text(reply: Reply) -> str:
    encoding = reply.charset or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    text = reply.body.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def encode_body(body: Value) -> tuple[bytes | None, str | None]:
    """Request content and its default content type: map/array → JSON, text → plain, null → none."""
    if body is None:
        return None, None
    if isinstance(body, str):
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    return json_text(body).encode("utf-8"), "application/json"


def file_name(reply: Reply) -> str:
    """The Content-Disposition file name, else the last segment of the URL path, made safe."""
    name = _disposition_name(reply.content_disposition) or unquote(reply.path.rsplit("/", 1)[-1])
    return safe_file_name(name)


def safe_file_name(name: str) -> str:
    """One harmless path component: no folders, no control or reserved characters, no dots."""
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" .")
    return base[:200] or "download"


def _disposition_name(header: str | None) -> str | None:
    if not header:
        return None
    message = EmailMessage()
    message["content-disposition"] = header
    try:
        return message.get_filename()
    except (ValueError, LookupError):
        return None
