"""The syntax tree: frozen slotted dataclasses, one per construct of BASIC.md.

Expressions and statements carry the ``line``/``col`` where they start. Keyword statements
whose effect belongs to a host service are all :class:`Command` nodes: the keyword's name,
its positional arguments and its clauses (``AS``, ``TO``, ``WITH``...). The compiler looks the
name up in the keyword registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.basic.query import TableDecl, Value
from engine.basic.tools import ParamSpec

# ---------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Literal:
    value: Value
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Interpolated:
    """A string literal with ``${…}`` parts (text parts are str, others expressions)."""

    parts: tuple[str | Expr, ...]
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Name:
    name: str  # as written; resolution is case-insensitive
    line: int = 0
    col: int = 0

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class WithMember:
    """``.name`` inside a WITH block."""

    name: str
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Member:
    obj: Expr
    name: str
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Index:
    obj: Expr
    index: Expr
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Call:
    """``name(args)``: a procedure, a built-in, a value keyword or an array index (§3.8)."""

    name: str  # upper case, words joined by "_"
    args: tuple[Expr, ...]
    line: int = 0
    col: int = 0
    written: str = ""
    parens: bool = True


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" "+" "NOT"
    operand: Expr
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / \ MOD ^ & = <> < > <= >= AND OR XOR LIKE IN
    left: Expr
    right: Expr
    line: int = 0
    col: int = 0
    negate: bool = False  # NOT LIKE / NOT IN


@dataclass(frozen=True, slots=True)
class IsNull:
    operand: Expr
    negate: bool = False
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class ArrayLit:
    items: tuple[Expr, ...]
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class MapLit:
    pairs: tuple[tuple[str, Expr], ...]
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class KeywordExpr:
    """A value keyword in keyword form or as an embedded statement (``FIND "t", f``)."""

    command: Command
    line: int = 0
    col: int = 0


Expr = (
    Literal | Interpolated | Name | WithMember | Member | Index | Call | Unary | Binary
    | IsNull | ArrayLit | MapLit | KeywordExpr
)
Target = Name | Member | Index | WithMember

# ----------------------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class Assign:
    target: Target
    op: str  # "=" or "+=" ...
    value: Expr
    line: int
    force_variable: bool = False  # LET/SET/CONST inside WITH assign a variable


@dataclass(frozen=True, slots=True)
class Dim:
    name: str
    value: Expr | None  # None: null; ArrayLit for DIM a() / DIM a(n)
    line: int


@dataclass(frozen=True, slots=True)
class ExprStmt:
    expr: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Command:
    """A keyword statement: ``keyword`` is its canonical phrase (``SEND MAIL``)."""

    keyword: str
    args: tuple[Expr, ...]
    clauses: tuple[tuple[str, tuple[Expr, ...]], ...] = ()
    line: int = 0
    col: int = 0
    names: tuple[str | None, ...] = ()  # derived names of args (SAVE, §7.5)
    where: Expr | None = None  # inline WHERE condition
    sets: tuple[tuple[str, Expr], ...] = ()  # UPDATE … SET col = expr
    text: str | None = None  # raw text argument (unquoted schedule spec...)

    def clause(self, word: str) -> tuple[Expr, ...] | None:
        for name, exprs in self.clauses:
            if name == word:
                return exprs
        return None


@dataclass(frozen=True, slots=True)
class Hear:
    target: Target | None
    type_name: str | None  # canonical HEAR type; None with no AS
    menu: tuple[Expr, ...]  # menu options (strings or one array expression)
    prompt: Expr | None  # ASK prompt, or HEAR … WITH / AS "question?" (compat H1)
    line: int
    default: Expr | None = None  # DEFAULT v: the value of an empty answer
    free_text: bool = False  # a trailing `, *` option: any answer outside the menu is kept


@dataclass(frozen=True, slots=True)
class TextBlock:
    kind: str  # "TALK", "SYSTEM PROMPT", "MAIL"
    parts: tuple[str | Expr, ...]  # lines joined with "\n", interpolations resolved
    recipient: Expr | None
    line: int


@dataclass(frozen=True, slots=True)
class IfClause:
    condition: Expr | None  # None: ELSE
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class If:
    clauses: tuple[IfClause, ...]
    line: int


@dataclass(frozen=True, slots=True)
class For:
    var: Target
    start: Expr
    end: Expr
    step: Expr | None
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ForEach:
    var: Target
    iterable: Expr
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class While:
    condition: Expr
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class DoLoop:
    condition: Expr | None
    until: bool  # the condition means "stop when true"
    test_first: bool
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class CaseItem:
    kind: str  # "eq", "is", "range"
    op: str
    value: Expr
    high: Expr | None = None


@dataclass(frozen=True, slots=True)
class CaseClause:
    items: tuple[CaseItem, ...]  # empty: CASE ELSE / DEFAULT
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Select:
    subject: Expr
    cases: tuple[CaseClause, ...]
    line: int


@dataclass(frozen=True, slots=True)
class With:
    target: Target
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    line: int


@dataclass(frozen=True, slots=True)
class Goto:
    label: str
    line: int
    col: int = 0


@dataclass(frozen=True, slots=True)
class OnError:
    mode: str  # "resume", "goto", "off"
    label: str | None
    line: int
    col: int = 0


@dataclass(frozen=True, slots=True)
class Exit:
    kind: str  # FOR WHILE DO SUB FUNCTION
    line: int


@dataclass(frozen=True, slots=True)
class Continue:
    kind: str  # FOR WHILE DO
    line: int


@dataclass(frozen=True, slots=True)
class Return:
    value: Expr | None
    line: int


@dataclass(frozen=True, slots=True)
class End:
    line: int


@dataclass(frozen=True, slots=True)
class CallProc:
    """``CALL name(args)`` or ``name args``: a procedure of the file or another script."""

    name: str
    args: tuple[Expr, ...]
    line: int
    script: bool = False  # written as CALL "x.bas" or with a hyphenated name
    target: Target | None = None  # x = CALL f(…)


@dataclass(frozen=True, slots=True)
class Unknown:
    word: str
    line: int
    col: int = 0


@dataclass(frozen=True, slots=True)
class Nothing:
    """A compile-time directive with no run-time effect (PARAM, DESCRIPTION, TABLE...)."""

    line: int


Stmt = (
    Assign | Dim | ExprStmt | Command | Hear | TextBlock | If | For | ForEach | While | DoLoop
    | Select | With | Label | Goto | OnError | Exit | Continue | Return | End | CallProc
    | Unknown | Nothing
)


@dataclass(frozen=True, slots=True)
class ProcParam:
    name: str
    default: Expr | None


@dataclass(frozen=True, slots=True)
class Procedure:
    name: str
    is_function: bool
    params: tuple[ProcParam, ...]
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ProcTool:
    """A SUB or FUNCTION with its own DESCRIPTION line: a tool of its own, named by the
    procedure, whose schema is the PARAM lines of its body (docs/basic-compatibility.md P2)."""

    name: str  # the procedure's name as written
    key: str  # lower case, the key of Module.procedures
    description: str
    params: tuple[ParamSpec, ...]
    line: int


@dataclass(frozen=True, slots=True)
class EventHandler:
    event: str
    body: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Schedule:
    spec: str
    script: str | None
    label: str | None
    line: int


@dataclass
class Module:
    """A parsed file: its top-level body, procedures and compile-time declarations."""

    body: tuple[Stmt, ...] = ()
    procedures: dict[str, Procedure] = field(default_factory=dict)
    handlers: list[EventHandler] = field(default_factory=list)
    params: list[ParamSpec] = field(default_factory=list)
    description: str | None = None
    has_description: bool = False
    proc_tools: list[ProcTool] = field(default_factory=list)
    tables: list[TableDecl] = field(default_factory=list)
    indexes: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)
    email_triggers: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    websites: list[tuple[str, str | None]] = field(default_factory=list)
    strict: bool = False
