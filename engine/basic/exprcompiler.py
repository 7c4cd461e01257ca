"""Expressions → Python closures ``(frame) -> value`` (ARCHITECTURE.md §4).

Names are resolved at compile time (§12.3): a procedure's locals live in ``frame.vars``,
script globals in ``frame.globals`` (the same dict at the top level). Calls resolve as
procedure, then built-in function, then value keyword, then array indexing (§3.8).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.basic import ast, sizes, values
from engine.basic.builtins import FUNCTIONS
from engine.basic.errors import BasicNameError, BasicTypeError
from engine.basic.exprcompat import COMPAT_FORMS, CompatForms
from engine.basic.predefined import predefined
from engine.basic.program import Eval

if TYPE_CHECKING:
    from engine.basic.compiler import Scope
    from engine.basic.vm import Frame

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": values.add, "-": values.sub, "*": values.mul, "/": values.div,
    "\\": values.intdiv, "MOD": values.mod, "^": values.power, "&": values.concat,
}
# Fast paths: for two ints (or two floats) these give exactly what the values functions give,
# without the call. Everything else goes through the values functions.
_SMALL_INT = sizes.SMALL_INT


def _times(a: Any, b: Any) -> Any:
    """``*`` of two ints or two floats; a product of large integers is checked against the
    integer size limit before it is computed (``x = x * x`` doubles the digits each time)."""
    if type(a) is float or (-_SMALL_INT < a < _SMALL_INT and -_SMALL_INT < b < _SMALL_INT):
        return a * b
    return values.int_product(a, b)


_SAME_TYPE_FAST: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": _times,
}
_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
}
_NUMBER_TYPES = frozenset({int, float})
_SIMPLE_TYPES = frozenset({int, float, str, bool})
_MISSING = object()
_ZERO_ARG = frozenset({"NOW", "TODAY", "RND", "PI", "GUID", "UUID"})
_ERR_ALIASES = {"err_number": "number", "err_description": "description"}


class ExpressionCompiler(CompatForms):
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def compile(self, node: ast.Expr) -> Eval:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node)  # type: ignore[no-any-return]

    # -- leaves ------------------------------------------------------------------------
    def _literal(self, node: ast.Literal) -> Eval:
        value = node.value
        return lambda f: value

    def _interpolated(self, node: ast.Interpolated) -> Eval:
        parts = [_constant(p) if isinstance(p, str) else self.compile(p) for p in node.parts]
        text = values.text
        small = sizes.SMALL_SIZE

        def interpolate(f: Frame) -> str:
            texts = [text(p(f)) for p in parts]
            length = sum(map(len, texts))
            if length > small:  # refuse before building
                sizes.check_length(length)
            return "".join(texts)

        return interpolate

    def _name(self, node: ast.Name) -> Eval:
        key = node.key
        if key == "err":
            return lambda f: f.vm.err
        if key in _ERR_ALIASES and not self.scope.is_declared(key):
            field_name = _ERR_ALIASES[key]
            return lambda f: values.map_get(f.vm.err, field_name) if f.vm.err else None
        if self.scope.is_local(key):
            return lambda f: f.vars.get(key)
        proc = self.scope.procedure(key)
        if proc is not None and proc.is_function:
            return self._call_procedure(key, ())
        if self.scope.is_declared(key):
            return lambda f: f.globals.get(key)
        if key.upper() in _ZERO_ARG and key.upper() in FUNCTIONS:
            return self._call_builtin(key.upper(), (), node.name)
        reader = predefined(key)  # user, username, hour… (docs/basic-compatibility.md R1)
        if reader is not None:
            return reader
        self.scope.undeclared(node)
        name = node.name

        def read_injected(f: Frame) -> Any:
            try:
                return f.globals[key]
            except KeyError:
                raise BasicNameError(f"unknown variable '{name}'") from None

        return read_injected

    def _plain_variable(self, node: ast.Expr) -> tuple[str, bool] | None:
        """(key, whether in ``f.vars``) when ``node`` is a variable :meth:`_name` reads with
        ``dict.get``; None for anything else (ERR, a FUNCTION called by name...)."""
        if not isinstance(node, ast.Name):
            return None
        key = node.key
        if key == "err" or (key in _ERR_ALIASES and not self.scope.is_declared(key)):
            return None
        if self.scope.is_local(key):
            return key, True
        proc = self.scope.procedure(key)
        if proc is not None and proc.is_function:
            return None
        return (key, False) if self.scope.is_declared(key) else None

    def _withmember(self, node: ast.WithMember) -> Eval:
        slot = self.scope.with_slot(node)
        name = node.name
        return lambda f: values.get_member(f.vars[slot], name)

    def _member(self, node: ast.Member) -> Eval:
        obj = self.compile(node.obj)
        name = node.name
        if isinstance(node.obj, ast.Name) and node.obj.key == "err" and name.lower() == "message":
            name = "description"  # ERR.MESSAGE is an alias of ERR.DESCRIPTION (§12.7)
        get = values.get_member
        missing = _MISSING

        def member(f: Frame) -> Any:
            o = obj(f)
            if type(o) is dict:  # the exact spelling first, as values.map_get does
                found = o.get(name, missing)
                if found is not missing:
                    return found
            return get(o, name)

        return member

    def _index(self, node: ast.Index) -> Eval:
        obj = self.compile(node.obj)
        index = self.compile(node.index)
        get = values.get_item

        def item(f: Frame) -> Any:
            o = obj(f)
            i = index(f)
            if type(o) is list and type(i) is int and 0 <= i < len(o):
                return o[i]
            return get(o, i)

        return item

    def _arraylit(self, node: ast.ArrayLit) -> Eval:
        items = [self.compile(i) for i in node.items]
        return lambda f: [i(f) for i in items]

    def _maplit(self, node: ast.MapLit) -> Eval:
        pairs = [(k, self.compile(v)) for k, v in node.pairs]
        return lambda f: {k: v(f) for k, v in pairs}

    # -- operators ---------------------------------------------------------------------
    def _unary(self, node: ast.Unary) -> Eval:
        operand = self.compile(node.operand)
        if node.op == "NOT":
            truthy = values.truthy
            return lambda f: not truthy(operand(f))
        fn = values.negate if node.op == "-" else values.positive
        return lambda f: fn(operand(f))

    def _binary(self, node: ast.Binary) -> Eval:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        if op in _SAME_TYPE_FAST or op in _ORDERINGS:
            lvar = self._plain_variable(node.left)
            if lvar is not None:  # `i + 1`, `s + i`, `n < 10`: read the variable inline
                fn = _BINARY.get(op) or _compare_fn(op)
                return _variable_left(op, fn, lvar, right, node.right,
                                      self._plain_variable(node.right))
        if op in _BINARY:
            return _arith(op, _BINARY[op], left, right, node.right)
        if op in ("AND", "OR", "XOR"):
            return _logical(op, left, right)
        return _comparison(op, left, right, node.negate)

    def _isnull(self, node: ast.IsNull) -> Eval:
        operand = self.compile(node.operand)
        if node.negate:
            return lambda f: operand(f) is not None
        return lambda f: operand(f) is None

    # -- calls -----------------------------------------------------------------------------
    def _keywordexpr(self, node: ast.KeywordExpr) -> Eval:
        return self.scope.compiler.keyword_eval(node.command)

    def _call(self, node: ast.Call) -> Eval:
        name = node.name
        key = name.lower()
        if name == "IIF":
            return self._iif(node)
        if name == "_DIM_ARRAY":
            return self._dim_array(node)
        if name in COMPAT_FORMS:
            return getattr(self, COMPAT_FORMS[name])(node)  # type: ignore[no-any-return]
        if self.scope.procedure(key) is not None and not (
            self.scope.is_own_function(key) and not node.parens
        ):
            return self._call_procedure(key, node.args)
        if name in FUNCTIONS:
            return self._call_builtin(name, node.args, node.written or name)
        keyword = self.scope.compiler.function_keyword(node)
        if keyword is not None:
            return keyword
        if (self.scope.is_declared(key) or self.scope.is_local(key)) and len(node.args) == 1:
            return self._index(ast.Index(ast.Name(key), node.args[0]))
        shown = node.written or name
        self._report_unknown(f"unknown function '{shown}'", node, shown)
        return _raiser(BasicNameError(f"unknown function '{shown}'"))

    def _call_builtin(self, name: str, args: tuple[ast.Expr, ...], written: str) -> Eval:
        entry = FUNCTIONS[name]
        fn = entry.fn
        compiled = [self.compile(a) for a in args]
        try:
            entry.check_arity(len(compiled))
        except BasicTypeError as err:
            return _raiser(err)
        if len(compiled) == 1:
            a0 = compiled[0]
            return lambda f: fn(f.vm, [a0(f)])
        if len(compiled) == 2:
            a0, a1 = compiled
            return lambda f: fn(f.vm, [a0(f), a1(f)])
        return lambda f: fn(f.vm, [a(f) for a in compiled])

    def _call_procedure(self, key: str, args: tuple[ast.Expr, ...]) -> Eval:
        compiled = [self.compile(a) for a in args]
        return lambda f: f.vm.call_function(f, key, [a(f) for a in compiled])

    def _iif(self, node: ast.Call) -> Eval:
        if len(node.args) != 3:
            return _raiser(BasicTypeError(f"IIF() takes 3 argument(s), got {len(node.args)}"))
        cond, a, b = (self.compile(x) for x in node.args)
        truthy = values.truthy
        return lambda f: a(f) if truthy(cond(f)) else b(f)

    def _dim_array(self, node: ast.Call) -> Eval:
        if not node.args:
            return lambda f: []
        size = self.compile(node.args[0])

        def make(f: Frame) -> list[Any]:
            count = max(int(values.to_number(size(f))) + 1, 0)
            sizes.check_count(count)
            return [None] * count

        return make


def _constant(value: Any) -> Eval:
    return lambda f: value


def _raiser(error: Exception) -> Eval:
    def fail(f: Frame) -> Any:
        raise error

    return fail


def _arith(op: str, fn: Callable[[Any, Any], Any], left: Eval, right: Eval,
           right_node: ast.Expr) -> Eval:
    fast = _SAME_TYPE_FAST.get(op)
    if fast is not None:
        return _fast_arith(fast, fn, left, right, right_node)
    if op == "MOD":
        return _fast_mod(fn, left, right)
    if op == "&":
        small = sizes.SMALL_SIZE

        def concat(f: Frame) -> Any:
            a, b = left(f), right(f)
            if type(a) is str and type(b) is str and len(a) + len(b) <= small:
                return a + b
            return fn(a, b)

        return concat
    if isinstance(right_node, ast.Literal):
        constant = right_node.value
        return lambda f: fn(left(f), constant)
    return lambda f: fn(left(f), right(f))


def _fast_arith(fast: Callable[[Any, Any], Any], fn: Callable[[Any, Any], Any], left: Eval,
                right: Eval, right_node: ast.Expr) -> Eval:
    if isinstance(right_node, ast.Literal) and type(right_node.value) in _NUMBER_TYPES:
        constant = right_node.value
        kind = type(constant)

        def with_constant(f: Frame) -> Any:
            a = left(f)
            return fast(a, constant) if type(a) is kind else fn(a, constant)

        return with_constant

    def arith(f: Frame) -> Any:
        a = left(f)
        b = right(f)
        kind = type(a)
        if (kind is int or kind is float) and type(b) is kind:
            return fast(a, b)
        return fn(a, b)

    return arith


def _compare_fn(op: str) -> Callable[[Any, Any], Any]:
    compare = values.compare
    return lambda a, b: compare(op, a, b)


def _variable_left(op: str, fn: Callable[[Any, Any], Any], left: tuple[str, bool],
                   right: Eval, right_node: ast.Expr,
                   right_var: tuple[str, bool] | None) -> Eval:
    """``variable op x`` with the int/float fast path of ``op`` (arithmetic or ordering)."""
    fast = _SAME_TYPE_FAST.get(op) or _ORDERINGS[op]
    numbers = _NUMBER_TYPES
    key, local = left
    if isinstance(right_node, ast.Literal) and type(right_node.value) in numbers:
        constant = right_node.value
        kind = type(constant)  # the same type only: int + float may overflow (ValueError)

        def with_constant(f: Frame) -> Any:
            a = (f.vars if local else f.globals).get(key)
            return fast(a, constant) if type(a) is kind else fn(a, constant)

        return with_constant
    if right_var is not None:
        other, other_local = right_var

        def with_variable(f: Frame) -> Any:
            a = (f.vars if local else f.globals).get(key)
            b = (f.vars if other_local else f.globals).get(other)
            kind = type(a)
            return fast(a, b) if kind in numbers and type(b) is kind else fn(a, b)

        return with_variable

    def with_any(f: Frame) -> Any:
        a = (f.vars if local else f.globals).get(key)
        b = right(f)
        kind = type(a)
        return fast(a, b) if kind in numbers and type(b) is kind else fn(a, b)

    return with_any


def _fast_mod(fn: Callable[[Any, Any], Any], left: Eval, right: Eval) -> Eval:
    def mod(f: Frame) -> Any:
        a = left(f)
        b = right(f)
        if type(a) is int and type(b) is int and a >= 0 and b > 0:
            return a % b
        return fn(a, b)

    return mod


def _logical(op: str, left: Eval, right: Eval) -> Eval:
    truthy = values.truthy
    if op == "AND":
        return lambda f: truthy(left(f)) and truthy(right(f))
    if op == "OR":
        return lambda f: truthy(left(f)) or truthy(right(f))
    return lambda f: truthy(left(f)) != truthy(right(f))


def _comparison(op: str, left: Eval, right: Eval, negate: bool) -> Eval:
    if op in ("=", "<>"):
        return _equality(op == "<>", left, right)
    if op in _ORDERINGS:
        return _ordering(op, left, right)
    if op == "LIKE":
        like = values.like
        return lambda f: like(left(f), right(f)) != negate
    if op == "IN":
        contains = values.contains_in
        return lambda f: contains(left(f), right(f)) != negate
    compare = values.compare
    return lambda f: compare(op, left(f), right(f))


def _equality(negate: bool, left: Eval, right: Eval) -> Eval:
    eq = values.equals
    simple = _SIMPLE_TYPES

    def equal(f: Frame) -> bool:
        a = left(f)
        b = right(f)
        kind = type(a)
        if kind is type(b) and kind in simple:
            return (a != b) if negate else (a == b)  # type: ignore[no-any-return]
        return not eq(a, b) if negate else eq(a, b)

    return equal


def _ordering(op: str, left: Eval, right: Eval) -> Eval:
    fn = _ORDERINGS[op]
    compare = values.compare
    numbers = _NUMBER_TYPES

    def ordered(f: Frame) -> bool:
        a = left(f)
        b = right(f)
        if type(a) in numbers and type(b) in numbers:
            return fn(a, b)
        return compare(op, a, b)

    return ordered
