"""Compiling the expression forms of docs/basic-compatibility.md: ``a ?? b``, method calls
(``s.trim()``, ``JSON.parse(s)``), keyword phrases Hearth lacks, and the compile-time report
of unknown functions and methods. A mixin of :class:`ExpressionCompiler`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.basic import ast, spelling
from engine.basic.builtins import FUNCTIONS
from engine.basic.errors import BasicNameError, BasicTypeError, ServiceError
from engine.basic.methods import METHODS, STATIC_CALLS
from engine.basic.program import Eval

if TYPE_CHECKING:
    from engine.basic.compiler import Scope
    from engine.basic.vm import Frame

# call names the parser gives these forms -> the method compiling them
COMPAT_FORMS = {"_NULLISH": "_nullish", "_UNAVAILABLE": "_unavailable", "_METHOD": "_method",
                "_OPTMETHOD": "_method"}


class CompatForms:
    scope: Scope

    def compile(self, node: ast.Expr) -> Eval:
        raise NotImplementedError

    def _call_builtin(self, name: str, args: tuple[ast.Expr, ...], written: str) -> Eval:
        raise NotImplementedError

    def _report_unknown(self, message: str, node: ast.Call, shown: str) -> None:
        """An unknown function or method: a compile-time diagnostic (docs/basic-compatibility.md
        D3). It stays a warning, with the ``NameError`` raised when the call runs (BASIC.md
        §12.7), except in strict mode, where it is an error."""
        compiler = self.scope.compiler
        width = len(shown)
        if shown.lower() in compiler.options.bot_procedures:
            compiler.sink.warning(f"'{shown}' is a SUB/FUNCTION of another script of this bot; "
                                  "visible only in that script (NameError when run)",
                                  node.line, node.col, width)
            return
        hint = spelling.suggestion(shown, tuple(FUNCTIONS))
        if compiler.program.module.strict or compiler.options.strict:
            compiler.sink.error(f"{message}{hint}", node.line, node.col, width)
        else:
            compiler.sink.warning(f"{message}{hint}; it raises NameError when run", node.line,
                                  node.col, width, kind="NameError")

    # -- compatibility forms (docs/basic-compatibility.md) ------------------------------------
    def _nullish(self, node: ast.Call) -> Eval:
        left, right = (self.compile(a) for a in node.args)

        def nullish(f: Frame) -> Any:
            value = left(f)
            return right(f) if value is None else value

        return nullish

    def _unavailable(self, node: ast.Call) -> Eval:
        phrase = node.args[0].value  # type: ignore[union-attr]
        return _raiser(ServiceError(f"keyword {phrase} is not available in Hearth"))

    def _method(self, node: ast.Call) -> Eval:
        receiver, name_node, *rest = node.args
        name = str(name_node.value).lower()  # type: ignore[union-attr]
        static = self._static_call(receiver, name, tuple(rest), node)
        if static is not None:
            return static
        method = METHODS.get(name)
        if method is None:
            self._report_unknown(f"unknown method '.{node.written}()'", node, node.written)
            return _raiser(BasicNameError(f"unknown method '.{node.written}()'"))
        this = self.compile(receiver)
        args = [self.compile(a) for a in rest]
        try:
            method.check_arity(node.written, len(args))
        except BasicTypeError as err:
            return _raiser(err)
        fn = method.fn
        if node.name == "_OPTMETHOD":
            def optional(f: Frame) -> Any:
                value = this(f)
                return None if value is None else fn(f.vm, value, [a(f) for a in args])

            return optional
        return lambda f: fn(f.vm, this(f), [a(f) for a in args])

    def _static_call(self, receiver: ast.Expr, name: str, args: tuple[ast.Expr, ...],
                     node: ast.Call) -> Eval | None:
        """``JSON.parse(s)``, ``Math.max(a, b)`` when JSON/Math is not a variable."""
        if not isinstance(receiver, ast.Name):
            return None
        key = receiver.key
        builtin = STATIC_CALLS.get((key, name))
        if builtin is None or self.scope.is_local(key) or self.scope.is_declared(key):
            return None
        return self._call_builtin(builtin, args, f"{receiver.name}.{node.written}")


def _raiser(error: Exception) -> Eval:
    def fail(f: Frame) -> Any:
        raise error

    return fail
