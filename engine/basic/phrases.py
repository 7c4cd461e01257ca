"""The right-hand side of an assignment beyond BASIC.md §4.17 (docs/basic-compatibility.md).

* **Keyword phrases** (E1): ``x = WORD WORD args`` where the upper-case phrase is a keyword
  of General Bots that Hearth lacks. :data:`PHRASES` says what each known phrase means in
  Hearth: a built-in function, a value keyword, an LLM call with an instruction, or nothing
  (a compile-time warning, then a catchable ``ServiceError`` when the line runs). A phrase
  the table does not know is read the same way and is unavailable; a phrase starting with a
  verb of :data:`LLM_VERBS` (``REWRITE``, ``GENERATE …``) is an LLM call whose instruction is
  the phrase. Never a syntax error: arguments that do not parse are ignored for an
  unavailable phrase.
* **Built-ins without parentheses** (E7): ``m = MAX a, b``, ``d = DATEADD today, 1, "day"``.

The statement parser calls :func:`known_phrase` before value keywords (``SEARCH PRODUCTS q``
must not be read as ``SEARCH``) and :func:`assignment_value` for everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from engine.basic import ast
from engine.basic.builtins import FUNCTIONS
from engine.basic.expressions import Cursor, ExpressionParser, ParseError
from engine.basic.exprforms import starts_operand
from engine.basic.keywords.catalog import VALUE_KEYWORDS
from engine.basic.lexer import NAME, Token

Declares = Callable[[str], bool]
Kind = Literal["function", "keyword", "llm", "unavailable"]


@dataclass(frozen=True, slots=True)
class Alias:
    kind: Kind
    target: str = ""  # the built-in, the value keyword, or the LLM instruction
    hint: str = ""  # shown in the compile-time warning of an unavailable phrase


def _llm(instruction: str) -> Alias:
    return Alias("llm", instruction + " Reply with the result only.")


# phrase -> its meaning in Hearth. Phrases absent here are unavailable (or LLM verbs).
PHRASES: dict[str, Alias] = {
    "JSON PARSE": Alias("function", "FROMJSON"),
    "PARSE JSON": Alias("function", "FROMJSON"),
    "JSON STRINGIFY": Alias("function", "TOJSON"),
    "TO JSON": Alias("function", "TOJSON"),
    "GENERATE UUID": Alias("function", "GUID"),
    "GENERATE GUID": Alias("function", "GUID"),
    "ANALYZE SENTIMENT": Alias("keyword", "SENTIMENT"),
    "DETECT SENTIMENT": Alias("keyword", "SENTIMENT"),
    "GET SENTIMENT": Alias("keyword", "SENTIMENT"),
    "SUMMARIZE TEXT": Alias("keyword", "SUMMARIZE"),
    "TRANSLATE TEXT": Alias("keyword", "TRANSLATE"),
    "CLASSIFY TEXT": Alias("keyword", "CLASSIFY"),
    "CLASSIFY INTENT": Alias("keyword", "CLASSIFY"),
    "REWRITE": _llm("Rewrite the following text."),
    "REWRITE TEXT": _llm("Rewrite the following text."),
    "PARAPHRASE": _llm("Paraphrase the following text."),
    "IMPROVE TEXT": _llm("Improve the wording of the following text."),
    "FIX GRAMMAR": _llm("Correct the grammar and spelling of the following text."),
    "CORRECT TEXT": _llm("Correct the grammar and spelling of the following text."),
    "EXPLAIN": _llm("Explain the following."),
    "EXPLAIN CODE": _llm("Explain what the following code does."),
    "GENERATE CODE": _llm("Write the code the following request asks for."),
    "GENERATE TEXT": _llm("Write the text the following request asks for."),
    "GENERATE EMAIL": _llm("Write the e-mail the following request asks for."),
    "GENERATE SQL": _llm("Write the SQL query the following request asks for."),
    "EXTRACT ENTITIES": _llm("List the named entities (people, organisations, places, "
                             "dates) in the following text, one per line."),
    "EXTRACT KEYWORDS": _llm("List the keywords of the following text, separated by commas."),
    "DETECT LANGUAGE": _llm("Name the language of the following text in English."),
    "ANSWER QUESTION": _llm("Answer the following question."),
    "CREATE SUMMARY": Alias("keyword", "SUMMARIZE"),
    "SELECT": Alias("unavailable", hint="use FIND with a WHERE filter"),
    "SEARCH PRODUCTS": Alias("unavailable", hint="use FIND on a products table"),
    "GENERATE IMAGE": Alias("unavailable"),
    "GENERATE VIDEO": Alias("unavailable"),
    "GENERATE AUDIO": Alias("unavailable"),
    "GENERATE QR CODE": Alias("unavailable"),
    "CREATE SITE": Alias("unavailable"),
    "GET IMAGE": Alias("unavailable"),
    "WEB SEARCH": Alias("unavailable", hint="use USE WEBSITE and the knowledge base"),
    "RUN PYTHON": Alias("unavailable"),
    "RUN JAVASCRIPT": Alias("unavailable"),
    "RUN BASH": Alias("unavailable"),
}
# a phrase starting with one of these verbs is an LLM call with the phrase as instruction
LLM_VERBS = frozenset({"REWRITE", "GENERATE"})
_MAX_WORDS = 4
_NOT_PHRASE = frozenset({"AND", "OR", "NOT", "XOR", "MOD", "IN", "LIKE", "IS", "TRUE",
                         "FALSE", "NULL", "NOTHING"})


def known_phrase(x: ExpressionParser, c: Cursor) -> ast.Expr | None:
    """A multi-word phrase of :data:`PHRASES`, written in capitals and followed by its
    arguments or nothing (``SEARCH PRODUCTS q``, ``TRANSLATE TEXT t, "pt"``); else None."""
    words = _upper_words(c, lambda name: False)
    for size in range(len(words), 1, -1):
        phrase = " ".join(t.upper for t in words[:size])
        after = c.peek(size)
        if phrase in PHRASES and (after is None or starts_operand(after)):
            return _phrase_value(x, c, phrase, size, PHRASES[phrase])
    return None


def assignment_value(x: ExpressionParser, c: Cursor, declares: Declares) -> ast.Expr:
    """A built-in without parentheses, an expression, or else a keyword phrase. When none
    applies, the expression's own error (or its unconsumed rest) is left for the caller."""
    bare = _bare_call(x, c, declares)  # when None, it left the cursor and the warnings as they were
    if bare is not None:
        return bare
    return keyword_or_phrase(x, c, c.pos, 1, declares, lambda: x.expr(c))


def keyword_or_phrase(x: ExpressionParser, c: Cursor, start: int, min_words: int,
                      declares: Declares, parse: Callable[[], ast.Expr]) -> ast.Expr:
    """``parse()``, a value keyword in keyword form (BASIC.md §4.17). When its arguments do
    not read to the end of the line and at least ``min_words`` words in capitals start at
    ``start`` (``SEARCH WEB "q"``: not SEARCH on ``WEB``), the longer keyword phrase (E1)."""
    warnings = len(x.sink.items)
    failure: ParseError | None = None
    try:
        value = parse()
        if c.done:
            return value
    except ParseError as err:
        failure = err
    end = c.pos
    c.pos = start
    words = _upper_words(c, declares)
    if len(words) >= min_words:
        del x.sink.items[warnings:]  # the arguments are parsed again
        phrase, size = _phrase_of(words)
        return _phrase_value(x, c, phrase, size, PHRASES.get(phrase) or _alias_of(phrase))
    if failure is not None:
        raise failure
    c.pos = end
    return value


def is_method_statement(c: Cursor) -> bool:
    """Whether the line is a method call used as a statement (``items.push(4)``,
    ``cart.lines.push(x)``): a name, a ``.`` right after it, and ``)`` ending the line."""
    tokens = c.tokens
    return (len(tokens) >= 5 and tokens[0].kind == NAME and tokens[1].is_op(".", "?.")
            and not tokens[1].space_before and tokens[-1].is_op(")"))


def _upper_words(c: Cursor, declares: Declares) -> list[Token]:
    """The leading words written in capitals that are not variables of the file."""
    words: list[Token] = []
    for offset in range(_MAX_WORDS):
        token = c.peek(offset)
        if token is None or token.kind != NAME:
            break
        text = str(token.value)
        if not text.isupper() or token.upper in _NOT_PHRASE or declares(text):
            break
        words.append(token)
    return words


def _phrase_of(words: list[Token]) -> tuple[str, int]:
    """The longest known phrase the words start with, else all of them."""
    for size in range(len(words), 0, -1):
        phrase = " ".join(t.upper for t in words[:size])
        if phrase in PHRASES:
            return phrase, size
    return " ".join(t.upper for t in words), len(words)


def _alias_of(phrase: str) -> Alias:
    if phrase.split()[0] in LLM_VERBS:
        return _llm(phrase.capitalize() + " as the following request asks.")
    return Alias("unavailable")


def _phrase_value(x: ExpressionParser, c: Cursor, phrase: str, size: int,
                  alias: Alias) -> ast.Expr:
    head, last = c.peek(), c.peek(size - 1)
    assert head is not None and last is not None
    c.pos += size
    if alias.kind == "unavailable":
        _skip_arguments(x, c)
        hint = f" ({alias.hint})" if alias.hint else ""
        width = last.end_col - head.col if last.line == head.line else head.end_col - head.col
        x.sink.warning(f"keyword {phrase} is not available in Hearth{hint}; the line raises "
                       f"ServiceError when run", head.line, head.col, width)
        return ast.Call("_UNAVAILABLE", (ast.Literal(phrase),), head.line, head.col, phrase)
    args = tuple(_arguments(x, c))
    if alias.kind == "function":
        return ast.Call(alias.target, args, head.line, head.col, phrase)
    if alias.kind == "keyword":
        command = ast.Command(alias.target, args, line=head.line, col=head.col)
        return ast.KeywordExpr(command, head.line, head.col)
    parts: list[str | ast.Expr] = [alias.target + "\n\n"]
    for index, arg in enumerate(args):
        parts.extend(["\n", arg] if index else [arg])
    prompt = ast.Interpolated(tuple(parts), head.line, head.col)
    command = ast.Command("LLM", (prompt,), line=head.line, col=head.col)
    return ast.KeywordExpr(command, head.line, head.col)


def _arguments(x: ExpressionParser, c: Cursor) -> list[ast.Expr]:
    """A comma list of expressions up to the end of the line (commas separate, §E2)."""
    items: list[ast.Expr] = []
    if c.done:
        return items
    x.list_depth += 1
    try:
        while True:
            items.append(x.expr(c))
            if not c.accept_op(","):
                c.expect_end()
                return items
    finally:
        x.list_depth -= 1


def _skip_arguments(x: ExpressionParser, c: Cursor) -> None:
    """An unavailable phrase's arguments are never evaluated: parse them when they parse
    (so their diagnostics are the usual ones), else ignore the rest of the line."""
    warnings = len(x.sink.items)
    try:
        _arguments(x, c)
    except ParseError:
        del x.sink.items[warnings:]
    c.pos = len(c.tokens)


def _bare_call(x: ExpressionParser, c: Cursor, declares: Declares) -> ast.Expr | None:
    """``MAX a, b``: a built-in whose name is not a variable, followed by an operand that
    is not a parenthesised list, with arguments that reach the end of the line."""
    head, after = c.peek(), c.peek(1)
    if head is None or head.kind != NAME or head.upper not in FUNCTIONS \
            or head.upper in VALUE_KEYWORDS or declares(str(head.value)):
        return None
    if not starts_operand(after) or after.is_op("("):  # type: ignore[union-attr]
        return None
    start, warnings = c.pos, len(x.sink.items)
    c.next()
    try:
        args = _arguments(x, c)
    except ParseError:
        c.pos = start
        del x.sink.items[warnings:]
        return None
    return ast.Call(head.upper, tuple(args), head.line, head.col, str(head.value), False)
