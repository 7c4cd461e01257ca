"""The compiler: syntax tree → :class:`Program` (flat code lists, closures for expressions).

``compile_source`` runs the whole pipeline (lex, parse, analyse, compile) and never raises
for bad input: problems are diagnostics on the returned program, whose ``ok`` is False when
any is an error (such a program must not run).
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass

from engine.basic import ast
from engine.basic.analyzer import ModuleNames
from engine.basic.diagnostics import Diagnostic, DiagnosticSink
from engine.basic.emitter import Emitter
from engine.basic.exprcompiler import ExpressionCompiler
from engine.basic.expressions import DEFAULT_NESTING
from engine.basic.flow import FlowCompiler
from engine.basic.parser import parse
from engine.basic.program import Code, Eval, ProcCode, Program

# The parser, the compiler and compiled expressions recurse once per nesting level; the
# nesting limit (basic-max-nesting, at most a few hundred) keeps them far below this.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))


@dataclass(frozen=True, slots=True)
class CompileOptions:
    strict: bool = False  # config basic-strict
    injected: frozenset[str] = frozenset()  # names injected at run time (config params…)
    # SUB/FUNCTION names of the bot's other scripts: calling one by name is a plain warning
    # instead of an unknown function (docs/basic-compatibility.md D3)
    bot_procedures: frozenset[str] = frozenset()
    max_nesting: int = DEFAULT_NESTING  # config basic-max-nesting


def compile_source(source: str, name: str = "script",
                   options: CompileOptions | None = None) -> Program:
    """The program of ``source``; never raises: problems are its diagnostics, and a file
    too deep or too large to compile gets one error instead of a RecursionError or
    MemoryError."""
    options = options or CompileOptions()
    # The pipeline allocates tokens, nodes and closures by the hundred thousand and frees
    # almost none of them before it returns, so the cyclic collector's passes find nothing
    # and cost more than the compilation itself on a large file: pause it meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compile(source, name, options)
    except RecursionError:
        return _failed(source, name, "the script is nested too deeply to compile")
    except MemoryError:
        return _failed(source, name, "the script is too large to compile")
    finally:
        if collecting:
            gc.enable()


def _compile(source: str, name: str, options: CompileOptions) -> Program:
    module, diagnostics = parse(source, options.strict, options.max_nesting)
    sink = DiagnosticSink()
    sink.items.extend(diagnostics)
    program = Program(name, source, module, [])
    if not sink.has_errors:
        Compiler(program, sink, options).compile()
    program.diagnostics = sink.sorted()
    if program.ok:
        program.make_proc_tools()
    return program


def _failed(source: str, name: str, message: str) -> Program:
    return Program(name, source, ast.Module(), [Diagnostic("error", message, 1, 1)])


class Scope:
    """Name resolution for the body being compiled."""

    def __init__(self, compiler: Compiler, local: set[str] | None, own: str | None) -> None:
        self.compiler = compiler
        self.local = local  # None at the top level: every variable is global
        self.own = own  # the FUNCTION whose body this is
        self.with_slots: list[str] = []

    def is_local(self, key: str) -> bool:
        return self.local is not None and key in self.local

    def is_declared(self, key: str) -> bool:
        return key in self.compiler.names.declared or key in self.compiler.options.injected

    def is_own_function(self, key: str) -> bool:
        return self.own == key

    def procedure(self, key: str) -> ast.Procedure | None:
        return self.compiler.program.module.procedures.get(key)

    def with_slot(self, node: ast.WithMember) -> str:
        if not self.with_slots:
            self.compiler.sink.error(f"'.{node.name}' outside a WITH block", node.line, node.col)
            return "\x00nowith"
        return self.with_slots[-1]

    def undeclared(self, node: ast.Name) -> None:
        if self.compiler.program.module.strict or self.compiler.options.strict:
            self.compiler.sink.error(f"unknown variable '{node.name}'", node.line, node.col,
                                     len(node.name))


class Compiler(FlowCompiler):
    def __init__(self, program: Program, sink: DiagnosticSink, options: CompileOptions) -> None:
        self.program = program
        self.sink = sink
        self.options = options
        self.names = ModuleNames(program.module)
        self.scope = Scope(self, None, None)
        self.exprs = ExpressionCompiler(self.scope)
        self.em = Emitter()
        self.slot_counter = 0

    def compile(self) -> None:
        module = self.program.module
        self.program.main = self.body_code(module.body, None, None, "main")
        for key, proc in module.procedures.items():
            self.program.procs[key] = self.procedure(key, proc)
        for index, handler in enumerate(module.handlers):
            code = self.body_code(handler.body, self.names.locals[f"@event{index}"], None,
                                  f"ON EVENT {handler.event}")
            proc_code = ProcCode(f"ON EVENT {handler.event}", f"@event{index}", False,
                                 [("event", None)], code, handler.line)
            self.program.handlers.setdefault(handler.event.lower(), []).append(proc_code)
        self.program.declared = frozenset(self.names.declared)

    def procedure(self, key: str, proc: ast.Procedure) -> ProcCode:
        own = key if proc.is_function else None
        local = self.names.locals[key]
        outer = self.scope
        self.scope = Scope(self, local, own)
        self.exprs = ExpressionCompiler(self.scope)
        params: list[tuple[str, Eval | None]] = [
            (p.name.lower(), self.expr(p.default) if p.default is not None else None)
            for p in proc.params
        ]
        self.scope = outer
        self.exprs = ExpressionCompiler(self.scope)
        code = self.body_code(proc.body, local, own, proc.name)
        return ProcCode(proc.name, key, proc.is_function, params, code, proc.line)

    def body_code(self, body: tuple[ast.Stmt, ...], local: set[str] | None, own: str | None,
                  where: str) -> Code:
        outer_scope, outer_em = self.scope, self.em
        self.scope = Scope(self, local, own)
        self.exprs = ExpressionCompiler(self.scope)
        self.em = Emitter()
        try:
            for stmt in body:
                self.statement(stmt)
            self.em.emit(self.finish_instr(own), body[-1].line if body else 0)
            for diagnostic in self.em.resolve_labels():
                self.sink.items.append(diagnostic)
            return self.em.code
        finally:
            self.scope, self.em = outer_scope, outer_em
            self.exprs = ExpressionCompiler(self.scope)

    def expr(self, node: ast.Expr) -> Eval:
        return self.exprs.compile(node)

    def new_slot(self, kind: str) -> str:
        self.slot_counter += 1
        return f"\x00{kind}{self.slot_counter}"

