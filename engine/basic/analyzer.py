"""Name analysis (BASIC.md §12.3): which names a file declares and which are procedure locals."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from engine.basic import ast


def root_name(target: ast.Target) -> str | None:
    node: ast.Expr = target
    while isinstance(node, ast.Member | ast.Index):
        node = node.obj
    return node.key if isinstance(node, ast.Name) else None


def children(stmt: ast.Stmt) -> Iterator[tuple[ast.Stmt, bool]]:
    """Nested statements, each with whether it sits inside a WITH block of ``stmt``."""
    if isinstance(stmt, ast.If):
        for clause in stmt.clauses:
            for s in clause.body:
                yield s, False
    elif isinstance(stmt, ast.Select):
        for case in stmt.cases:
            for s in case.body:
                yield s, False
    elif isinstance(stmt, ast.For | ast.ForEach | ast.While | ast.DoLoop):
        for s in stmt.body:
            yield s, False
    elif isinstance(stmt, ast.With):
        for s in stmt.body:
            yield s, True


def assigned_names(body: Iterable[ast.Stmt], in_with: bool = False) -> Iterator[tuple[str, str]]:
    """(name, how) for every variable a body assigns; how is "assign", "dim" or "loop"."""
    for stmt in body:
        yield from _assigned_by(stmt, in_with)
        for child, enters_with in children(stmt):
            yield from assigned_names([child], in_with or enters_with)


def _assigned_by(stmt: ast.Stmt, in_with: bool) -> Iterator[tuple[str, str]]:
    if isinstance(stmt, ast.Assign):
        if in_with and not stmt.force_variable and isinstance(stmt.target, ast.Name):
            return
        name = root_name(stmt.target)
        if name:
            yield name, "assign"
    elif isinstance(stmt, ast.Dim):
        yield stmt.name.lower(), "dim"
    elif isinstance(stmt, ast.Hear | ast.CallProc) and stmt.target is not None:
        name = root_name(stmt.target)
        if name and not (in_with and isinstance(stmt.target, ast.Name)):
            yield name, "assign"
    elif isinstance(stmt, ast.For | ast.ForEach | ast.With):
        name = root_name(stmt.var if not isinstance(stmt, ast.With) else stmt.target)
        if name:
            yield name, "loop"
    elif isinstance(stmt, ast.Command) and stmt.keyword in ("PUSH", "APPEND") and stmt.names:
        first = stmt.args[0] if stmt.args else None
        if isinstance(first, ast.Name | ast.Member | ast.Index):
            name = root_name(first)
            if name:
                yield name, "assign"


class ModuleNames:
    """The declared names of a file and the local names of each procedure."""

    def __init__(self, module: ast.Module) -> None:
        self.module_vars: set[str] = {n for n, _ in assigned_names(module.body)}
        self.module_vars.update(p.name.lower() for p in module.params)
        if module.webhooks:  # the request of a WEBHOOK run (§9.7)
            self.module_vars.update(("method", "path", "params", "headers", "body"))
        if module.email_triggers:  # the message of an ON EMAIL run (§9.7)
            self.module_vars.add("email")
        self.declared: set[str] = set(self.module_vars)
        self.locals: dict[str, set[str]] = {}
        tool_params = {t.key: [p.name for p in t.params] for t in module.proc_tools}
        for key, proc in module.procedures.items():
            # a procedure tool's PARAMs are its locals, bound from the tool's arguments
            names = [p.name for p in proc.params] + tool_params.get(key, [])
            self.locals[key] = self._proc_locals(key, proc.is_function, names, proc.body)
        for index, handler in enumerate(module.handlers):
            self.locals[f"@event{index}"] = self._proc_locals("", False, ["event"], handler.body)

    def _proc_locals(self, key: str, is_function: bool, params: list[str],
                     body: tuple[ast.Stmt, ...]) -> set[str]:
        local = {p.lower() for p in params}
        if is_function:
            local.add(key)
        for name, how in assigned_names(body):
            self.declared.add(name)
            if how == "dim" or name not in self.module_vars:
                local.add(name)
        # parameters are declared only inside their own procedure (§12.3), where they are
        # locals; assigned names were added to the file's declared names above
        return local
