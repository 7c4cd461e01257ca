"""A small RTF reader: the visible text, without fonts, colours, pictures or metadata.

RTF is a stream of groups ``{...}``, control words ``\\word123`` and text. Destinations that
hold no visible text (font and colour tables, ``\\*`` groups, pictures, ``\\info``) are
skipped; ``\\par`` and ``\\line`` are line breaks; ``\\'hh`` and ``\\uN`` are characters.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"\\([a-z]{1,32})(-?\d{1,10})? ?"  # control word with its optional number
    r"|\\'([0-9a-f]{2})"  # a byte in the code page
    r"|\\(.)"  # control symbol
    r"|([{}])"  # group
    r"|([^\\{}\r\n]+)"  # text
    r"|[\r\n]",  # line breaks in the source mean nothing
    re.I,
)
_HIDDEN = frozenset({"fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header",
                     "footer", "headerl", "headerr", "footerl", "footerr", "themedata",
                     "colorschememapping", "latentstyles", "datastore", "xmlnstbl",
                     "listtable", "listoverridetable", "rsidtbl", "generator", "fldinst"})
_BREAKS = {"par": "\n", "line": "\n", "sect": "\n\n", "page": "\n\n", "tab": "\t",
           "cell": " | ", "row": "\n", "emdash": "—", "endash": "–", "bullet": "•",
           "lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”"}


def rtf_to_text(source: str) -> str:
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    hidden = False
    skip_chars = 0  # characters to drop after \uN (its ANSI fallback)
    uc = 1
    for match in _TOKEN.finditer(source):
        word, arg, hexcode, symbol, brace, text = match.groups()
        if brace == "{":
            stack.append((hidden, uc))
        elif brace == "}":
            hidden, uc = stack.pop() if stack else (False, 1)
        elif word:
            word = word.lower()
            if word in _HIDDEN:
                hidden = True
            elif word == "uc" and arg:
                uc = int(arg)
            elif word == "u" and arg and not hidden:
                out.append(chr(int(arg) % 65536))
                skip_chars = uc
            elif word in _BREAKS and not hidden:
                out.append(_BREAKS[word])
        elif symbol == "*":
            hidden = True
        elif hidden:
            continue
        elif hexcode:
            if skip_chars:
                skip_chars -= 1
            else:
                out.append(bytes([int(hexcode, 16)]).decode("cp1252", errors="replace"))
        elif symbol:
            out.append({"~": "\u00a0", "_": "-", "-": ""}.get(symbol, symbol))
        elif text:
            if skip_chars:
                dropped = min(skip_chars, len(text))
                text = text[dropped:]
                skip_chars -= dropped
            out.append(text)
    return "".join(out)
