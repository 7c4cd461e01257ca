"""Compiling keyword statements and value keywords into handler calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.basic import ast, sizes, values
from engine.basic.builtins import FUNCTIONS
from engine.basic.emitter import Emitter
from engine.basic.errors import BasicNameError
from engine.basic.keywords.catalog import FUNCTION_KEYWORDS, VALUE_KEYWORDS
from engine.basic.keywords.registry import HANDLERS, Invocation, load_all
from engine.basic.keywords.where import compile_where
from engine.basic.program import Eval

if TYPE_CHECKING:
    from engine.basic.vm import Frame

load_all()


class KeywordCompiler:
    em: Emitter

    def expr(self, node: ast.Expr) -> Eval:
        raise NotImplementedError

    def store(self, target: ast.Target, force_variable: bool = False) -> Any:
        raise NotImplementedError

    def _command(self, stmt: ast.Command) -> None:
        if stmt.keyword == "PUSH" and len(stmt.args) == 2 and HANDLERS.get("PUSH"):
            self.em.emit(self._push(stmt, statement=True), stmt.line)
            return
        run = self.keyword_eval(stmt)

        def execute(f: Frame) -> None:
            run(f)

        self.em.emit(execute, stmt.line)

    def _push(self, cmd: ast.Command, statement: bool) -> Eval:
        """PUSH target, item: appending to an array needs no Invocation (the common case);
        anything else goes to the PUSH handler with the values already evaluated."""
        handler = HANDLERS["PUSH"]
        target_eval, item_eval = (self.expr(a) for a in cmd.args)
        first = cmd.args[0]
        store = self.store(first, force_variable=True) \
            if cmd.names and isinstance(first, ast.Name | ast.Member | ast.Index) else None
        small = sizes.SMALL_SIZE

        def push(f: Frame) -> Any:
            target = target_eval(f)
            item = item_eval(f)
            if type(target) is list:
                if len(target) >= small:
                    sizes.check_count(len(target) + 1)
                target.append(item)
                return None if statement else target
            result = handler(f.vm, Invocation([target, item], {}, cmd, f, None, {}, store))
            return None if statement else result

        return push

    def keyword_eval(self, cmd: ast.Command) -> Eval:
        phrase = cmd.keyword
        handler = HANDLERS.get(phrase)
        if handler is None and phrase in FUNCTION_KEYWORDS:
            return self._builtin_keyword(cmd)
        if handler is None:
            error = BasicNameError(f"keyword '{phrase}' is not available")

            def fail(f: Frame) -> Any:
                raise error
            return fail
        if phrase == "PUSH" and len(cmd.args) == 2:
            return self._push(cmd, statement=False)
        args = [self.expr(a) for a in cmd.args]
        clauses = [(word, [self.expr(e) for e in exprs]) for word, exprs in cmd.clauses]
        where = compile_where(cmd.where, self.expr) if cmd.where is not None else None
        sets = [(name, self.expr(e)) for name, e in cmd.sets]
        store = None
        if cmd.keyword in ("PUSH", "APPEND") and cmd.names and cmd.args:
            first = cmd.args[0]
            if isinstance(first, ast.Name | ast.Member | ast.Index):
                store = self.store(first, force_variable=True)

        if not clauses and where is None and not sets:  # most statements: arguments only
            def invoke_simple(f: Frame) -> Any:
                return handler(f.vm, Invocation([a(f) for a in args], {}, cmd, f, None, {},
                                                store))

            return invoke_simple

        def invoke(f: Frame) -> Any:
            invocation = Invocation(
                [a(f) for a in args],
                {word: [e(f) for e in exprs] for word, exprs in clauses},
                cmd, f,
                where(f) if where is not None else None,
                {name: e(f) for name, e in sets},
                store,
            )
            return handler(f.vm, invocation)

        return invoke

    def _builtin_keyword(self, cmd: ast.Command) -> Eval:
        entry = FUNCTIONS[cmd.keyword.replace(" ", "_")]
        args = [self.expr(a) for a in cmd.args]

        def call(f: Frame) -> Any:
            evaluated = [a(f) for a in args]
            entry.check_arity(len(evaluated))
            return entry.fn(f.vm, evaluated)

        return call

    def function_keyword(self, node: ast.Call) -> Eval | None:
        """A value keyword written as a function: ``GET_BOT_MEMORY("k")``, ``LLM("q")``."""
        phrase = node.name.replace("_", " ")
        if phrase not in VALUE_KEYWORDS or phrase not in HANDLERS:
            return None
        cmd = ast.Command(phrase, node.args, line=node.line, col=node.col)
        return self.keyword_eval(cmd)

    def _textblock(self, stmt: ast.TextBlock) -> None:
        parts: list[Eval] = [
            (lambda f, s=p: s) if isinstance(p, str) else self.expr(p)  # type: ignore[misc]
            for p in stmt.parts
        ]
        recipient = self.expr(stmt.recipient) if stmt.recipient is not None else None
        kind = stmt.kind

        def text_of(f: Frame) -> str:
            return "".join(values.text(p(f)) for p in parts)

        def block(f: Frame) -> None:
            body = text_of(f)
            if kind == "TALK":
                f.vm.talk(body)
            elif kind == "SYSTEM PROMPT":
                f.vm.host.session.append_system_prompt(body)
            else:
                f.vm.send_mail_block(recipient(f) if recipient else None, body)

        self.em.emit(block, stmt.line)
