"""Template filling, the Markdown subset and the HTML allow-list of GENERATE PDF."""

from __future__ import annotations

from engine.basic.values import text
from engine.office.markup import markdown_to_html, render_html, sanitise_html


def test_placeholders_are_escaped_and_survive_markdown_emphasis() -> None:
    html = render_html(
        "{first_name} and {last_name}", {"first_name": "<A&B>", "last_name": 1}, text
    )
    assert html == "<p>&lt;A&amp;B&gt; and 1</p>"


def test_placeholder_lookup() -> None:
    data = {"a": {"B": [1, 2]}, "n": None, "x": 1.5}
    html = render_html("{a.b}|{n}|{x}|{nope}|{a.B.c}|{ spaced }", data, text)
    assert html == "<p>[1,2]||1.5|||</p>"


def test_braces_that_are_not_placeholders_stay() -> None:
    assert render_html("<p>{ not one } {1x}</p>", {}, text) == "<p>{ not one } {1x}</p>"


def test_values_with_line_breaks() -> None:
    assert render_html("{v}", {"v": "a\nb"}, text) == "<p>a<br>b</p>"


def test_markdown_blocks() -> None:
    source = (
        "# Title\n\nline one\nline *two* and **bold**\n\n- a\n- b\n\n1. x\n2) y\n\n---\n\n"
        "| h1 | h2 |\n|----|:--:|\n| c1 | c2 |\n\n> quoted\n\n```\n<code>\n```\n"
        "[site](https://example.com) [bad](javascript:alert(1))"
    )
    assert markdown_to_html(source).split("\n") == [
        "<h1>Title</h1>",
        "<p>line one<br>line <i>two</i> and <b>bold</b></p>",
        "<ul><li>a</li><li>b</li></ul>",
        "<ol><li>x</li><li>y</li></ol>",
        "<hr>",
        "<table><thead><tr><th>h1</th><th>h2</th></tr></thead>"
        "<tbody><tr><td>c1</td><td>c2</td></tr></tbody></table>",
        "<blockquote>quoted</blockquote>",
        "<pre>&lt;code&gt;</pre>",
        '<p><a href="https://example.com">site</a> [bad](javascript:alert(1))</p>',
    ]


def test_a_paragraph_stops_where_a_block_starts() -> None:
    assert markdown_to_html("text\n# head") == "<p>text</p>\n<h1>head</h1>"


def test_sanitiser_keeps_only_safe_tags_and_attributes() -> None:
    dirty = (
        '<div onclick="x()"><p align="center" style="color:red">Hi<img src="/etc/passwd"></p>'
        '<a href="javascript:alert(1)">j</a><a href="https://ok.example/">k</a>'
        "<script>evil()</script><style>p {}</style><font face='x'>f</font>"
        '<td width="50%" colspan="2" class="c">t</td></div>'
    )
    assert sanitise_html(dirty) == (
        '<p><p align="center">Hi</p><a>j</a><a href="https://ok.example/">k</a>f'
        '<td width="50%" colspan="2">t</td></p>'
    )
