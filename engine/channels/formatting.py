"""Per-platform text: Markdown → Telegram HTML / WhatsApp markup, splitting under a limit,
citations as text.

The bots write a small Markdown (``**bold**``, ``*italic*``/``_italic_``, `` `code` ``,
fenced code, ``[text](url)``, ``~~strike~~``); each platform gets its own markup and every
other character is shown as written (Telegram HTML escapes ``<``, ``>`` and ``&``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from engine.channels.protocol import Reply
from engine.events import CitationDTO

_FENCE = re.compile(r"```[^\n]*\n?(.*?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])"
                     r"|(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])")
_STRIKE = re.compile(r"~~(.+?)~~", re.S)
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_HOLE = "\x00{}\x00"


def _convert(text: str, fence: Callable[[str], str], code: Callable[[str], str],
             rest: Callable[[str], str]) -> str:
    """``rest`` applied outside code; fenced blocks and code spans through their own function
    (their contents are never read as Markdown)."""
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value)
        return _HOLE.format(len(kept) - 1)

    text = _FENCE.sub(lambda m: keep(fence(m.group(1))), text)
    text = _CODE.sub(lambda m: keep(code(m.group(1))), text)
    text = rest(text)
    for n, value in enumerate(kept):
        text = text.replace(_HOLE.format(n), value)
    return text


def _quoted(url: str) -> str:
    """An URL already HTML-escaped (``&`` done) made safe inside a double-quoted attribute."""
    return url.replace('"', "&quot;")


def telegram_html(markdown: str) -> str:
    """Markdown as Telegram's ``parse_mode=HTML`` text."""
    def rest(text: str) -> str:
        text = html.escape(text, quote=False)
        text = _LINK.sub(lambda m: f'<a href="{_quoted(m.group(2))}">{m.group(1)}</a>', text)
        text = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", text)
        text = _ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", text)
        return _STRIKE.sub(r"<s>\1</s>", text)

    return _convert(markdown,
                    lambda inner: f"<pre>{html.escape(inner, quote=False)}</pre>",
                    lambda inner: f"<code>{html.escape(inner, quote=False)}</code>", rest)


def whatsapp_markup(markdown: str) -> str:
    """Markdown as WhatsApp's markup (``*bold*``, ``_italic_``, ``~strike~``, ```` ``` ````)."""
    def rest(text: str) -> str:
        text = _LINK.sub(r"\1 (\2)", text)
        text = _ITALIC.sub(lambda m: f"_{m.group(1) or m.group(2)}_", text)
        text = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
        return _STRIKE.sub(r"~\1~", text)

    return _convert(markdown, lambda inner: f"```{inner}```", lambda inner: f"```{inner}```",
                    rest)


def with_citations(text: str, citations: Sequence[CitationDTO]) -> str:
    """``text`` followed by its sources as plain lines ([n] source, p. N)."""
    if not citations:
        return text
    lines = [f"[{c.n}] {c.source}" + (f", p. {c.page}" if c.page is not None else "")
             for c in citations]
    return text + "\n\n" + "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a paragraph break if one
    fits, else a line, a sentence, a word, and only for a word longer than ``limit`` inside
    the word. Whitespace at a cut is dropped; no piece is empty."""
    if limit < 1:
        raise ValueError("the limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut(text: str, limit: int) -> int:
    window = text[:limit + 1]  # a separator right at the limit still counts
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at > 0:
            return at
    ends = [m.start() for m in _SENTENCE.finditer(window)]
    if ends and ends[-1] > 0:
        return ends[-1]
    at = max(window.rfind(" "), window.rfind("\t"))
    return at if at > 0 else limit


def rendered_pieces(markdown: str, limit: int, convert: Callable[[str], str]) -> list[str]:
    """``markdown`` converted to a platform's markup in pieces of at most ``limit`` characters
    each *after* conversion (markup can lengthen a piece: such a piece is cut again)."""
    pieces: list[str] = []
    for piece in split_text(markdown, limit):
        converted = convert(piece)
        if len(converted) <= limit or len(piece) <= 1:
            pieces.append(converted)
        else:
            pieces.extend(rendered_pieces(piece, max(1, len(piece) // 2), convert))
    return pieces


def button_label(text: str, limit: int) -> str:
    """A suggestion's text as a button label of at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def reply_pieces(reply: Reply, limit: int, convert: Callable[[str], str]) -> list[str]:
    """Each of the bot's messages in its own piece(s), converted and cut under ``limit``;
    the citations follow the last message."""
    messages = [m for m in reply.messages if m.strip()]
    if reply.citations:
        last = messages.pop() if messages else ""
        messages.append(with_citations(last, reply.citations).strip())
    return [piece for message in messages for piece in rendered_pieces(message, limit, convert)]
