"""Document templates for GENERATE PDF: ``{field}`` filling, Markdown and safe HTML (BASIC.md §9.3).

A template is Markdown or HTML text with ``{field}`` placeholders (``{customer.name}`` reaches
into nested maps). Both kinds end as one HTML subset that the PDF renderer understands.
Templates and data are untrusted: every filled value is HTML-escaped, and the HTML is rebuilt
from a tag allow-list with nearly every attribute dropped, so no template can make the renderer
load an image, a font or a stylesheet from the disk or the network.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

from engine.basic.query import Value

_PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_][\w]*(?:\.[\w]+)*)\s*\}")
_TOKEN = re.compile("\x00(\\d+)\x00")
_HTML_HINT = re.compile(r"<(?:!doctype|html|body|p|div|h[1-6]|table|ul|ol|br|b|i|strong)\b", re.I)

TextForm = Callable[[Value], str]


def looks_like_html(template: str) -> bool:
    return _HTML_HINT.search(template) is not None


def render_html(template: str, data: Value, text_form: TextForm) -> str:
    """The template as sanitised HTML with every placeholder replaced by its escaped value."""
    protected, fields = _protect(template.replace("\x00", ""))
    body = protected if looks_like_html(template) else markdown_to_html(protected)
    values = [_escaped(_lookup(data, field), text_form) for field in fields]
    return sanitise_html(_TOKEN.sub(lambda m: values[int(m.group(1))], body))


def _protect(template: str) -> tuple[str, list[str]]:
    """Swap placeholders for NUL tokens so Markdown emphasis cannot eat ``{first_name}``."""
    fields: list[str] = []

    def token(match: re.Match[str]) -> str:
        fields.append(match.group(1))
        return f"\x00{len(fields) - 1}\x00"

    return _PLACEHOLDER.sub(token, template), fields


def _lookup(data: Value, field: str) -> Value:
    """``a.b`` in nested maps; keys match exactly, else ignoring case; missing is null."""
    current = data
    for key in field.split("."):
        if not isinstance(current, dict):
            return None
        if key in current:
            current = current[key]
            continue
        folded = key.casefold()
        current = next((v for k, v in current.items() if str(k).casefold() == folded), None)
    return current


def _escaped(value: Value, text_form: TextForm) -> str:
    return html.escape(text_form(value)).replace("\n", "<br>")


# Markdown ----------------------------------------------------------------------------------


def markdown_to_html(text: str) -> str:
    """A small Markdown subset; unlike CommonMark a line break inside a paragraph is kept."""
    return "\n".join(_markdown_blocks(text.replace("\r\n", "\n").split("\n")))


def _markdown_blocks(lines: list[str]) -> Iterator[str]:
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        if not line.strip():
            index += 1
            continue
        for matcher in _BLOCKS:
            taken = matcher(lines, index)
            if taken is not None:
                block, index = taken
                yield block
                break


_Block = tuple[str, int] | None


def _heading(lines: list[str], index: int) -> _Block:
    match = re.match(r"(#{1,6})\s+(.*?)\s*#*\s*$", lines[index])
    if match is None:
        return None
    level = len(match.group(1))
    return f"<h{level}>{_inline(match.group(2))}</h{level}>", index + 1


def _rule(lines: list[str], index: int) -> _Block:
    if re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", lines[index]):
        return "<hr>", index + 1
    return None


def _fence(lines: list[str], index: int) -> _Block:
    if not lines[index].lstrip().startswith("```"):
        return None
    end = index + 1
    while end < len(lines) and not lines[end].lstrip().startswith("```"):
        end += 1
    code = html.escape("\n".join(lines[index + 1 : end]))
    return f"<pre>{code}</pre>", end + 1


def _list(lines: list[str], index: int) -> _Block:
    for tag, pattern in (("ul", r"\s*[-*+]\s+(.*)"), ("ol", r"\s*\d+[.)]\s+(.*)")):
        items: list[str] = []
        while index < len(lines) and (match := re.fullmatch(pattern, lines[index].rstrip())):
            items.append(f"<li>{_inline(match.group(1))}</li>")
            index += 1
        if items:
            return f"<{tag}>{''.join(items)}</{tag}>", index
    return None


def _table(lines: list[str], index: int) -> _Block:
    rows: list[list[str]] = []
    while index < len(lines) and lines[index].strip().startswith("|"):
        cells = [cell.strip() for cell in lines[index].strip().strip("|").split("|")]
        if not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
            rows.append(cells)
        index += 1
    if not rows:
        return None
    head = "".join(f"<th>{_inline(cell)}</th>" for cell in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>" for row in rows[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>", index


def _quote(lines: list[str], index: int) -> _Block:
    quoted: list[str] = []
    while index < len(lines) and (match := re.match(r"\s*>\s?(.*)", lines[index])):
        quoted.append(_inline(match.group(1)))
        index += 1
    if not quoted:
        return None
    return f"<blockquote>{'<br>'.join(quoted)}</blockquote>", index


def _paragraph(lines: list[str], index: int) -> _Block:
    taken: list[str] = []
    while index < len(lines) and lines[index].strip():
        if taken and _starts_block(lines, index):
            break
        taken.append(_inline(lines[index].strip()))
        index += 1
    return f"<p>{'<br>'.join(taken)}</p>", index


def _starts_block(lines: list[str], index: int) -> bool:
    return any(matcher(lines, index) is not None for matcher in _BLOCKS[:-1])


_BLOCKS: list[Callable[[list[str], int], _Block]] = [
    _heading,
    _fence,
    _rule,
    _list,
    _table,
    _quote,
    _paragraph,
]

_INLINE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*|__(.+?)__"), r"<b>\1\2</b>"),
    (
        re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"),
        r"<i>\1\2</i>",
    ),
    (re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s\"]+)\)"), r'<a href="\2">\1</a>'),
]


def _inline(text: str) -> str:
    result = html.escape(text, quote=False)
    for pattern, replacement in _INLINE:
        result = pattern.sub(replacement, result)
    return result


# HTML --------------------------------------------------------------------------------------

_ALLOWED = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
_RENAMED = {"div": "p", "center": "p", "section": "p", "article": "p", "del": "s"}
_DROP_CONTENT = frozenset(
    {"script", "style", "head", "title", "template", "iframe", "object", "svg", "math"}
)
_VOID = frozenset({"br", "hr"})
_ATTRIBUTES = {
    "a": frozenset({"href"}),
    "p": frozenset({"align"}),
    "td": frozenset({"align", "colspan", "rowspan", "width"}),
    "th": frozenset({"align", "colspan", "rowspan", "width"}),
    "table": frozenset({"width"}),
}
_SAFE_VALUE = re.compile(r"(?:left|right|center|justify|\d{1,4}%?|(?:https?://|mailto:)\S+)", re.I)


class _Sanitiser(HTMLParser):
    """Rebuilds HTML keeping only allow-listed tags and attributes (no images, no styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._skipping += 1
        tag = _RENAMED.get(tag, tag)
        if self._skipping or tag not in _ALLOWED:
            return
        kept = "".join(
            f' {name}="{html.escape(value)}"'
            for name, value in attrs
            if name in _ATTRIBUTES.get(tag, ()) and value and _SAFE_VALUE.fullmatch(value)
        )
        self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self._skipping = max(0, self._skipping - 1)
        tag = _RENAMED.get(tag, tag)
        if not self._skipping and tag in _ALLOWED and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(html.escape(data, quote=False))


def sanitise_html(markup: str) -> str:
    sanitiser = _Sanitiser()
    sanitiser.feed(markup)
    sanitiser.close()
    return "".join(sanitiser.out)
