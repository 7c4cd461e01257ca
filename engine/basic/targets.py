"""Assignment targets: variables, WITH properties, property paths and indexes (§3.8, §4.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.basic import ast, values
from engine.basic.errors import BasicTypeError
from engine.basic.program import Eval, Instr

if TYPE_CHECKING:
    from engine.basic.compiler import Scope
    from engine.basic.vm import Frame

Store = Callable[["Frame", Any], None]

_COMPOUND = {"+=": values.add, "-=": values.sub, "*=": values.mul, "/=": values.div,
             "&=": values.concat, "\\=": values.intdiv}


class TargetCompiler:
    scope: Scope

    def expr(self, node: ast.Expr) -> Eval:
        raise NotImplementedError

    def assign_instr(self, stmt: ast.Assign) -> Instr:
        value = self.expr(stmt.value)
        store = self.store(stmt.target, stmt.force_variable)
        if stmt.op == "=":
            fast = self._fast_store(stmt.target, stmt.force_variable)
            if fast is not None:
                key, is_local = fast
                if is_local or self.scope.local is None:
                    def assign_local(f: Frame) -> None:
                        f.vars[key] = value(f)
                    return assign_local

                def assign_global(f: Frame) -> None:
                    f.globals[key] = value(f)
                return assign_global

            def assign(f: Frame) -> None:
                store(f, value(f))
            return assign
        combine = _COMPOUND[stmt.op]
        load = self.load(stmt.target, stmt.force_variable)

        def compound(f: Frame) -> None:
            store(f, combine(load(f), value(f)))
        return compound

    def _fast_store(self, target: ast.Target, force: bool) -> tuple[str, bool] | None:
        if not isinstance(target, ast.Name) or (self.scope.with_slots and not force):
            return None
        return target.key, self.scope.is_local(target.key)

    def load(self, target: ast.Target, force_variable: bool = False) -> Eval:
        if isinstance(target, ast.Name) and self.scope.with_slots and not force_variable:
            slot = self.scope.with_slots[-1]
            name = target.name
            return lambda f: values.get_member(f.vars[slot], name)
        return self.expr(target)

    def store(self, target: ast.Target, force_variable: bool = False) -> Store:
        if isinstance(target, ast.Name):
            if self.scope.with_slots and not force_variable:
                return self._member_store(_with_object(self.scope.with_slots[-1]), target.name)
            return self._variable_store(target.key)
        if isinstance(target, ast.WithMember):
            slot = self.scope.with_slot(target)
            return self._member_store(_with_object(slot), target.name)
        container = self._container(target.obj)
        if isinstance(target, ast.Member):
            return self._member_store(container, target.name)
        index = self.expr(target.index)
        set_item = values.set_item

        def store_item(f: Frame, value: Any) -> None:
            obj = container(f)
            i = index(f)
            if type(obj) is list and type(i) is int and 0 <= i < len(obj):
                obj[i] = value  # replacing an element: what values.set_item does
            else:
                set_item(obj, i, value)
        return store_item

    def _variable_store(self, key: str) -> Store:
        if self.scope.is_local(key) or self.scope.local is None:
            def store_local(f: Frame, value: Any) -> None:
                f.vars[key] = value
            return store_local

        def store_global(f: Frame, value: Any) -> None:
            f.globals[key] = value
        return store_global

    def _member_store(self, container: Eval, name: str) -> Store:
        set_member = values.set_member

        def store_member(f: Frame, value: Any) -> None:
            obj = container(f)
            if type(obj) is dict and name in obj:
                obj[name] = value  # the exact spelling exists: what values.map_set does
            else:
                set_member(obj, name, value)
        return store_member

    def _container(self, node: ast.Expr) -> Eval:
        """The map/array a path stores into; null maps along the path become ``{}`` (§3.8)."""
        if isinstance(node, ast.Name | ast.WithMember | ast.Member):
            load = self.expr(node)
            store = self._variable_store(node.key) if isinstance(node, ast.Name) \
                else self.store(node)

            def vivify(f: Frame) -> Any:
                current = load(f)
                if current is None:
                    current = {}
                    store(f, current)
                return current
            return vivify
        if isinstance(node, ast.Index):
            return self.expr(node)
        return _not_assignable


def _with_object(slot: str) -> Eval:
    return lambda f: f.vars[slot]


def _not_assignable(f: Frame) -> Any:
    raise BasicTypeError("this expression cannot be assigned into")
