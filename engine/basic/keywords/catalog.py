"""The keyword table: one source of truth for the parser, the editor's highlighter and docs.

``STATEMENTS`` maps each statement phrase (BASIC.md §2.5) to how its arguments are read:
``"args"`` a comma list, possibly with clause words; other values name a dedicated parse
rule. ``VALUE_KEYWORDS`` are the phrases usable as the right-hand side of an assignment in
keyword form (§4.17). ``CLAUSES`` lists the clause words each generic keyword accepts.
"""

from __future__ import annotations

STRUCTURE = frozenset(
    {
        "IF", "ELSE", "ELSEIF", "END", "ENDIF", "FOR", "NEXT", "WHILE", "WEND", "DO", "LOOP",
        "SELECT", "SWITCH", "CASE", "DEFAULT", "SUB", "FUNCTION", "WITH", "EXIT", "CONTINUE",
        "GOTO", "RETURN", "CALL", "DIM", "LET", "CONST", "OPTION", "ON", "TABLE", "BEGIN",
    }
)

# phrase -> parse rule
STATEMENTS: dict[str, str] = {
    "ADD SUGGESTION": "suggestion",
    "ADD SWITCHER": "args",
    "ADD TOOL": "args",
    "USE TOOL": "args",
    "AGGREGATE": "args",
    "APPEND": "args",
    "ASSERT": "args",
    "BOOK": "args",
    "CLEAR ERROR": "args",
    "CLEAR HEADERS": "args",
    "CLEAR KB": "clear_kb",
    "CLEAR SUGGESTIONS": "args",
    "CLEAR SWITCHERS": "args",
    "CLEAR TOOLS": "args",
    "CLEAR WEBSITES": "args",
    "COMPRESS": "args",
    "COPY": "args",
    "CREATE DRAFT": "args",
    "CREATE INDEX": "create_index",
    "CREATE TASK": "args",
    "DELETE": "delete",
    "DELETE FILE": "args",
    "DELETE HTTP": "args",
    "DESCRIPTION": "description",
    "DOWNLOAD": "args",
    "EXTRACT": "args",
    "FIND": "where",
    "GENERATE PDF": "args",
    "HEAR": "hear",
    "INSERT": "insert",
    "LIST": "args",
    "LOG_DEBUG": "args",
    "LOG_ERROR": "args",
    "LOG_INFO": "args",
    "LOG_WARN": "args",
    "MERGE": "merge",
    "MERGE PDF": "args",
    "MOVE": "args",
    "PARAM": "param",
    "PRINT": "print",
    "PUBLISH EVENT": "args",
    "PUSH": "args",
    "READ": "args",
    "REMEMBER": "remember",
    "SAVE": "save",
    "SAVE FROM UNSTRUCTURED": "args",
    "SEND EMAIL": "args",
    "SEND FILE": "args",
    "SEND FILE TO": "args",
    "SEND MAIL": "args",
    "SEND SMS": "args",
    "SEND TEMPLATE": "args",
    "SEND TO": "args",
    "SET": "args",
    "SET BOT MEMORY": "args",
    "SET CONTEXT": "args",
    "SET HEADER": "args",
    "SET SCHEDULE": "schedule",
    "SET SESSION": "args",
    "SET USER": "args",
    "SET USER MEMORY": "args",
    "TALK": "args",
    "TALK TO": "args",
    "THROW": "args",
    "RAISE": "args",
    "TRANSFER TO HUMAN": "args",
    "UPDATE": "update",
    "UPLOAD": "args",
    "USE KB": "args",
    "USE MODEL": "args",
    "USE WEBSITE": "args",
    "WAIT": "args",
    "WEBHOOK": "webhook",
    "WRITE": "args",
}

# phrase -> clause words the generic parse accepts after the positional arguments
CLAUSES: dict[str, tuple[str, ...]] = {
    "ADD SWITCHER": ("AS",),
    "COPY": ("TO",),
    "MOVE": ("TO",),
    "WRITE": ("TO",),
    "READ": ("AS",),
    "SET CONTEXT": ("AS",),
    "SEND MAIL": ("USING",),
    "SEND EMAIL": ("USING",),
    "USE WEBSITE": ("REFRESH",),
    "WAIT FOR EVENT": ("TIMEOUT",),
    "ASK": ("AS",),
    "MERGE PDF": ("TO",),
    "COMPRESS": ("TO",),
    "EXTRACT": ("TO",),
}

VALUE_KEYWORDS = frozenset(
    {
        "HEAR", "ASK", "CALL", "GET", "GET BOT MEMORY", "GET USER MEMORY", "GET SESSION",
        "RECALL", "POST", "PUT", "PATCH", "DELETE", "DELETE HTTP", "FIND", "SEARCH", "SAVE",
        "INSERT", "UPDATE", "MERGE", "FILTER", "AGGREGATE", "SORT", "GROUP BY", "JOIN",
        "PIVOT", "MAP", "FILL", "FIRST", "LAST", "COUNT", "LLM", "TRANSLATE", "SUMMARIZE",
        "CLASSIFY", "SENTIMENT", "SEE", "OCR", "THINK KB", "SAVE FROM UNSTRUCTURED",
        "DOWNLOAD", "UPLOAD", "READ", "LIST", "COMPRESS", "EXTRACT", "GENERATE PDF",
        "MERGE PDF", "WEATHER", "CREATE TASK", "CREATE DRAFT", "BOOK", "TRANSFER TO HUMAN",
        "WAIT FOR EVENT",
    }
)

# Value keywords that are simply built-in functions written without parentheses.
FUNCTION_KEYWORDS = frozenset(
    {"FILTER", "AGGREGATE", "SORT", "GROUP BY", "JOIN", "PIVOT", "MAP", "FILL", "FIRST",
     "LAST", "COUNT"}
)

# Value keywords that may also be used as statements on their own (result discarded).
STATEMENT_VALUE_KEYWORDS = VALUE_KEYWORDS - {"HEAR", "CALL"}

ALL_PHRASES = frozenset(STATEMENTS) | VALUE_KEYWORDS


def phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(phrase.split())


def longest_phrase(words: list[str], phrases: frozenset[str] | set[str]) -> str | None:
    """The longest phrase of ``phrases`` that ``words`` starts with."""
    best: str | None = None
    for size in range(1, min(len(words), 4) + 1):
        candidate = " ".join(words[:size])
        if candidate in phrases:
            best = candidate
    return best


def highlight_words() -> frozenset[str]:
    """Every word the editor colours as a keyword."""
    words: set[str] = set(STRUCTURE)
    for phrase in ALL_PHRASES:
        words.update(phrase.replace("_", " ").split())
    words.update({"THEN", "TO", "STEP", "EACH", "IN", "AS", "WEND", "UNTIL", "AND", "OR",
                  "NOT", "XOR", "MOD", "LIKE", "IS", "TRUE", "FALSE", "NULL", "NOTHING"})
    return frozenset(words)
