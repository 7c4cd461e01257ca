"""Statements → instructions: assignments, blocks, loops, jumps, calls (BASIC.md §4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.basic import ast, values
from engine.basic.diagnostics import DiagnosticSink
from engine.basic.emitter import Emitter, Label
from engine.basic.errors import BasicTypeError, BasicValueError, LimitExceeded
from engine.basic.instructions import CallInstr, HearInstr, finish_frame
from engine.basic.keywords.dispatch import KeywordCompiler
from engine.basic.program import ENDED, RETURNED, Eval, Instr, Program
from engine.basic.targets import TargetCompiler

if TYPE_CHECKING:
    from engine.basic.vm import Frame


class FlowCompiler(TargetCompiler, KeywordCompiler):
    em: Emitter
    sink: DiagnosticSink
    program: Program

    def new_slot(self, kind: str) -> str:
        raise NotImplementedError

    def statement(self, stmt: ast.Stmt) -> None:
        method = getattr(self, "_" + type(stmt).__name__.lower())
        method(stmt)

    def finish_instr(self, own: str | None) -> Instr:
        return lambda f: finish_frame(f, own)

    # -- simple statements -----------------------------------------------------------------
    def _assign(self, stmt: ast.Assign) -> None:
        value = stmt.value
        if stmt.op == "=" and isinstance(value, ast.Call) and \
                value.name.lower() in self.program.module.procedures and \
                not self.scope.is_own_function(value.name.lower()):
            # `x = f(args)`: a frame push, so a HEAR inside f can suspend (§12.4)
            store = self.store(stmt.target, stmt.force_variable)
            args = [self.expr(a) for a in value.args]
            self.em.emit(CallInstr(value.name.lower(), args, store, True), stmt.line)
            return
        self.em.emit(self.assign_instr(stmt), stmt.line)

    def _dim(self, stmt: ast.Dim) -> None:
        value = self.expr(stmt.value) if stmt.value is not None else (lambda f: None)
        store = self.store(ast.Name(stmt.name, stmt.line), force_variable=True)

        def dim(f: Frame) -> None:
            store(f, value(f))

        self.em.emit(dim, stmt.line)

    def _exprstmt(self, stmt: ast.ExprStmt) -> None:
        value = self.expr(stmt.expr)

        def run(f: Frame) -> None:
            value(f)

        self.em.emit(run, stmt.line)

    def _nothing(self, stmt: ast.Nothing) -> None:
        return

    def _unknown(self, stmt: ast.Unknown) -> None:
        message = f"line {stmt.line}: skipped unknown statement '{stmt.word}'"

        def skip(f: Frame) -> None:
            f.vm.host.output.warn(message)

        self.em.emit(skip, stmt.line)

    def _label(self, stmt: ast.Label) -> None:
        problem = self.em.define_label(stmt.name, stmt.line)
        if problem is not None:
            self.sink.items.append(problem)

    def _goto(self, stmt: ast.Goto) -> None:
        label = self.em.goto_label(stmt.label, stmt.line, stmt.col)
        self.em.emit(lambda f: label.pc, stmt.line)

    def _onerror(self, stmt: ast.OnError) -> None:
        mode = stmt.mode
        label = self.em.goto_label(stmt.label, stmt.line, stmt.col) if stmt.label else None

        def on_error(f: Frame) -> None:
            f.on_error = mode
            f.error_pc = label.pc if label is not None else -1
            f.vm.err = None

        self.em.emit(on_error, stmt.line)

    def _return(self, stmt: ast.Return) -> None:
        value = self.expr(stmt.value) if stmt.value is not None else None

        def ret(f: Frame) -> int:
            f.result = value(f) if value is not None else f.vm.function_result(f)
            f.returned = True
            return RETURNED

        self.em.emit(ret, stmt.line)

    def _end(self, stmt: ast.End) -> None:
        self.em.emit(lambda f: ENDED, stmt.line)

    def _exit(self, stmt: ast.Exit) -> None:
        if stmt.kind in ("SUB", "FUNCTION"):
            own = self.scope.own
            self.em.emit(lambda f: finish_frame(f, own), stmt.line)
            return
        exit_label, _ = self.loop_labels(stmt.kind)
        self.em.emit(lambda f: exit_label.pc, stmt.line)

    def _continue(self, stmt: ast.Continue) -> None:
        _, next_label = self.loop_labels(stmt.kind)
        self.em.emit(lambda f: next_label.pc, stmt.line)

    def loop_labels(self, kind: str) -> tuple[Label, Label]:
        for loop_kind, exit_label, next_label in reversed(self.loops):
            if loop_kind == kind:
                return exit_label, next_label
        raise AssertionError("the parser checks EXIT/CONTINUE placement")

    @property
    def loops(self) -> list[tuple[str, Label, Label]]:
        if not hasattr(self.em, "loops"):
            self.em.loops = []  # type: ignore[attr-defined]
        return self.em.loops  # type: ignore[attr-defined, no-any-return]

    def _callproc(self, stmt: ast.CallProc) -> None:
        args = [self.expr(a) for a in stmt.args]
        store = self.store(stmt.target) if stmt.target is not None else None
        is_proc = not stmt.script and stmt.name in self.program.module.procedures
        self.em.emit(CallInstr(stmt.name, args, store, is_proc), stmt.line)

    def _hear(self, stmt: ast.Hear) -> None:
        store = self.store(stmt.target) if stmt.target is not None else None
        menu = [self.expr(m) for m in stmt.menu]
        prompt = self.expr(stmt.prompt) if stmt.prompt is not None else None
        default = self.expr(stmt.default) if stmt.default is not None else None
        self.em.emit(HearInstr(store, stmt.type_name, menu, prompt, default, stmt.free_text),
                     stmt.line)

    # -- IF / SELECT ---------------------------------------------------------------------
    def _if(self, stmt: ast.If) -> None:
        end = Label()
        last = stmt.clauses[-1]
        for clause in stmt.clauses:
            following = Label()
            if clause.condition is not None:
                self.em.emit(_branch(self.expr(clause.condition), following,
                                     _is_boolean(clause.condition)), clause.line, resume=end)
            for inner in clause.body:
                self.statement(inner)
            if clause is not last:  # the last clause simply falls through to the end
                self.em.emit(lambda f: end.pc, clause.line)
            self.em.mark(following)
        self.em.mark(end)

    def _select(self, stmt: ast.Select) -> None:
        slot = self.new_slot("select")
        subject = self.expr(stmt.subject)
        end = Label()

        def evaluate(f: Frame) -> None:
            f.vars[slot] = subject(f)

        self.em.emit(evaluate, stmt.line, resume=end)
        for case in stmt.cases:
            following = Label()
            if case.items:
                test = _case_test(slot, [(i, self.expr(i.value),
                                          self.expr(i.high) if i.high else None)
                                         for i in case.items])
                self.em.emit(_branch(test, following), case.line, resume=end)
            for inner in case.body:
                self.statement(inner)
            if case is not stmt.cases[-1]:
                self.em.emit(lambda f: end.pc, case.line)
            self.em.mark(following)
        self.em.mark(end)

    # -- loops -------------------------------------------------------------------------
    # A loop's test runs once before the body and then once per iteration fused with the
    # step back (one instruction, one step), which jumps to the body or past the loop.
    def _for(self, stmt: ast.For) -> None:
        slot = self.new_slot("for")
        load, store = self.load(stmt.var), self.store(stmt.var)
        start, end_value = self.expr(stmt.start), self.expr(stmt.end)
        step = self.expr(stmt.step) if stmt.step is not None else (lambda f: 1)
        body_label, next_label, exit_label = Label(), Label(), Label()
        self.em.emit(_for_init(slot, start, end_value, step, store), stmt.line, resume=exit_label)
        self.em.emit(_for_test(slot, load, exit_label), stmt.line, resume=exit_label)
        self.em.mark(body_label)
        self._loop_body("FOR", stmt.body, exit_label, next_label)
        self.em.mark(next_label)
        plain = self._fast_store(stmt.var, False)
        in_vars = plain is not None and (plain[1] or self.scope.local is None)
        self.em.emit(_for_next(slot, load, store, body_label, exit_label,
                               plain[0] if plain is not None else None, in_vars),
                     stmt.line, resume=exit_label)
        self.em.mark(exit_label)

    def _foreach(self, stmt: ast.ForEach) -> None:
        slot = self.new_slot("each")
        store = self.store(stmt.var)
        iterable = self.expr(stmt.iterable)
        body_label, next_label, exit_label = Label(), Label(), Label()
        self.em.emit(_each_init(slot, iterable), stmt.line, resume=exit_label)
        self.em.emit(_each_next(slot, store, exit_label, None), stmt.line, resume=exit_label)
        self.em.mark(body_label)
        self._loop_body("FOR", stmt.body, exit_label, next_label)
        self.em.mark(next_label)
        self.em.emit(_each_next(slot, store, exit_label, body_label), stmt.line,
                     resume=exit_label)
        self.em.mark(exit_label)

    def _while(self, stmt: ast.While) -> None:
        self._conditional_loop("WHILE", stmt.condition, False, True, stmt.body, stmt.line)

    def _doloop(self, stmt: ast.DoLoop) -> None:
        self._conditional_loop("DO", stmt.condition, stmt.until, stmt.test_first, stmt.body,
                               stmt.line)

    def _conditional_loop(self, kind: str, condition: ast.Expr | None, until: bool,
                          test_first: bool, body: tuple[ast.Stmt, ...], line: int) -> None:
        slot = self.new_slot("loop")
        test = self.expr(condition) if condition is not None else None
        boolean = _is_boolean(condition)
        top, next_label, exit_label = Label(), Label(), Label()
        self.em.emit(_reset_counter(slot), line)
        if test is not None and test_first:
            self.em.emit(_loop_test(test, until, exit_label, boolean), line, resume=exit_label)
        self.em.mark(top)
        self._loop_body(kind, body, exit_label, next_label)
        self.em.mark(next_label)
        if test is not None:
            self.em.emit(_loop_back_if(slot, test, until, top, boolean), line, resume=exit_label)
        else:
            self.em.emit(_loop_back(slot, top), line)
        self.em.mark(exit_label)

    def _loop_body(self, kind: str, body: tuple[ast.Stmt, ...], exit_label: Label,
                   next_label: Label) -> None:
        self.loops.append((kind, exit_label, next_label))
        for inner in body:
            self.statement(inner)
        self.loops.pop()

    # -- WITH ---------------------------------------------------------------------------
    def _with(self, stmt: ast.With) -> None:
        slot = self.new_slot("with")
        # a nested `WITH b` names the variable b (`WITH .b` is the outer object's property)
        load, store = self.load(stmt.target, True), self.store(stmt.target, True)
        end = Label()

        def enter(f: Frame) -> None:
            target = load(f)
            if target is None:
                target = {}
                store(f, target)
            elif type(target) is not dict:
                raise BasicTypeError(f"WITH needs a map, got {values.type_name(target)}")
            f.vars[slot] = target

        self.em.emit(enter, stmt.line, resume=end)
        self.scope.with_slots.append(slot)
        try:
            for inner in stmt.body:
                self.statement(inner)
        finally:
            self.scope.with_slots.pop()
        self.em.mark(end)


_BOOLEAN_OPS = frozenset({"=", "<>", "<", ">", "<=", ">=", "LIKE", "IN", "AND", "OR", "XOR"})


def _is_boolean(node: ast.Expr | None) -> bool:
    """Whether ``node`` always evaluates to a bool, so a condition needs no truthiness test."""
    if isinstance(node, ast.Binary):
        return node.op in _BOOLEAN_OPS
    if isinstance(node, ast.Unary):
        return node.op == "NOT"
    if isinstance(node, ast.IsNull):
        return True
    return isinstance(node, ast.Literal) and type(node.value) is bool


def _branch(test: Eval, otherwise: Label, boolean: bool = False) -> Instr:
    if boolean:
        def branch_bool(f: Frame) -> int | None:
            return None if test(f) else otherwise.pc

        return branch_bool
    truthy = values.truthy

    def branch(f: Frame) -> int | None:
        return None if truthy(test(f)) else otherwise.pc

    return branch


def _case_test(slot: str, items: list[tuple[ast.CaseItem, Eval, Eval | None]]) -> Eval:
    def test(f: Frame) -> bool:
        subject = f.vars[slot]
        for item, value, high in items:
            if item.kind == "eq" and values.equals(subject, value(f)):
                return True
            if item.kind == "is" and _compare(item.op, subject, value(f)):
                return True
            if item.kind == "range" and high is not None and \
                    values.compare("<=", value(f), subject) and \
                    values.compare("<=", subject, high(f)):
                return True
        return False

    return test


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "=":
        return values.equals(a, b)
    if op == "<>":
        return not values.equals(a, b)
    return values.compare(op, a, b)


def _for_init(slot: str, start: Eval, end: Eval, step: Eval, store: Any) -> Instr:
    to_number = values.to_number

    def init(f: Frame) -> None:
        first, last, by = to_number(start(f)), to_number(end(f)), to_number(step(f))
        if by == 0:
            raise BasicValueError("STEP must not be zero")
        f.vars[slot] = [last, by, 1]  # the count of the iteration about to start
        store(f, first)

    return init


def _for_test(slot: str, load: Eval, exit_label: Label) -> Instr:
    to_number = values.to_number

    def test(f: Frame) -> int | None:
        last, by, _ = f.vars[slot]
        current = to_number(load(f))
        if (by > 0 and current > last) or (by < 0 and current < last):
            return exit_label.pc
        return None

    return test


def _for_next(slot: str, load: Eval, store: Any, body: Label, exit_label: Label,
              key: str | None, in_vars: bool) -> Instr:
    """NEXT: step the variable, then the loop test (the variable may have been assigned).
    ``key`` names a plain variable (in ``f.vars`` when ``in_vars``, else ``f.globals``),
    read and written directly; otherwise ``load``/``store`` handle the target."""
    add = values.add
    to_number = values.to_number

    def step(f: Frame) -> int:
        state = f.vars[slot]
        by = state[1]
        if key is None:
            current = load(f)
            current = current + by if type(current) is int and type(by) is int \
                else add(current, by)
            store(f, current)
        else:
            variables = f.vars if in_vars else f.globals
            current = variables.get(key)
            current = current + by if type(current) is int and type(by) is int \
                else add(current, by)
            variables[key] = current
        if type(current) is not int:
            current = to_number(current)
        if (by > 0 and current > state[0]) or (by < 0 and current < state[0]):
            return exit_label.pc
        count = state[2] + 1
        if count > f.vm.max_loop:
            raise LimitExceeded("loop iteration limit exceeded")
        state[2] = count
        return body.pc

    return step


def _each_init(slot: str, iterable: Eval) -> Instr:
    def init(f: Frame) -> None:
        source = iterable(f)
        kind = type(source)
        if source is None:
            items: list[Any] = []
        elif kind is list:
            items = list(source)
        elif kind is dict:
            items = list(source.keys())
        elif kind is str:
            items = list(source)
        else:
            raise BasicTypeError(f"FOR EACH cannot iterate over {values.type_name(source)}")
        f.vars[slot] = [items, 0]

    return init


def _each_next(slot: str, store: Any, exit_label: Label, body: Label | None) -> Instr:
    """The next element into the variable, then the body (``body`` None: fall through)."""
    def advance(f: Frame) -> int | None:
        state = f.vars[slot]
        items, index = state
        if index >= len(items):
            return exit_label.pc
        if index >= f.vm.max_loop:
            raise LimitExceeded("loop iteration limit exceeded")
        state[1] = index + 1
        store(f, items[index])
        return body.pc if body is not None else None

    return advance


def _reset_counter(slot: str) -> Instr:
    """A loop's iteration count: an iteration counts when it starts, so EXIT in the body
    does not hide it, and the limit allows exactly basic-max-loop iterations."""
    def reset(f: Frame) -> None:
        f.vars[slot] = 1

    return reset


def _loop_test(test: Eval, until: bool, exit_label: Label, boolean: bool) -> Instr:
    truthy = (lambda v: v) if boolean else values.truthy

    def check(f: Frame) -> int | None:
        return exit_label.pc if truthy(test(f)) == until else None

    return check


def _loop_back(slot: str, top: Label) -> Instr:
    def back(f: Frame) -> int:
        count = f.vars[slot] + 1
        if count > f.vm.max_loop:
            raise LimitExceeded("loop iteration limit exceeded")
        f.vars[slot] = count
        return top.pc

    return back


def _loop_back_if(slot: str, test: Eval, until: bool, top: Label, boolean: bool) -> Instr:
    """The loop test at the bottom: back to ``top`` or on past the loop."""
    truthy = values.truthy

    def back(f: Frame) -> int | None:
        if (test(f) if boolean else truthy(test(f))) == until:
            return None
        count = f.vars[slot] + 1
        if count > f.vm.max_loop:
            raise LimitExceeded("loop iteration limit exceeded")
        f.vars[slot] = count
        return top.pc

    return back
