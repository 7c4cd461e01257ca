"""Setting up frames: entry points, tool arguments (§11.4), config parameters (§8.3),
procedure and script calls, and the serialisable snapshot of a suspended run (§12.4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.errors import BasicNameError, BasicTypeError
from engine.basic.host import Host, Suggestion
from engine.basic.program import ProcCode, Program
from engine.basic.tools import coerce_argument

if TYPE_CHECKING:
    from engine.basic.vm import Frame

_UNSET = frozenset({"", "none", "null", "n/a"})
_REQUEST_VARIABLES = ("method", "path", "params", "headers", "body")
# A snapshot holds program counters, so it is only valid for the code layout that made it:
# bump this whenever the compiler lays instructions out differently (2: fused loop tests).
SNAPSHOT_VERSION = 2


def config_parameters(config: Mapping[str, str]) -> dict[str, Any]:
    """``param-<name>`` rows as typed script variables (§8.3)."""
    params: dict[str, Any] = {}
    raw_rows = getattr(config, "raw", None)
    rows: Mapping[str, str] = raw_rows() if callable(raw_rows) else config
    for key, raw in rows.items():
        if not key.lower().startswith("param-"):
            continue
        name = key[6:].lower().replace("-", "_")
        params[name] = _typed(raw)
    return params


def _typed(raw: str) -> Any:
    text = raw.strip()
    if text.lower() in _UNSET:
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    number = values.parse_numeric(text)
    return number if number is not None else text


class RunSetup:
    frame_class: type[Frame]  # the VM's frame class (runs.py cannot import vm.py)
    host: Host
    frames: list[Frame]
    err: dict[str, Any] | None
    waiting: dict[str, Any] | None
    headers: dict[str, str]
    steps: int
    output_chars: int
    elapsed: float

    def entry_frame(self, program: Program, arguments: dict[str, Any] | None,
                    request: dict[str, Any] | None) -> Frame:
        from engine.basic.vm import Frame

        global_vars: dict[str, Any] = config_parameters(self.host.config)
        if program.module.webhooks or request is not None:
            request = request or {}
            for name in _REQUEST_VARIABLES:
                global_vars[name] = request.get(name)
        given = _by_name(arguments or {})
        if program.entry is not None:
            return self._proc_tool_frame(program, program.entry, global_vars, given)
        self._bind_params(program, global_vars, given, global_vars)
        self._enum_suggestions(program, global_vars)
        return Frame(self, program, program.main, global_vars, global_vars, None, True)  # type: ignore[arg-type]

    def _proc_tool_frame(self, program: Program, proc: ProcCode, global_vars: dict[str, Any],
                         arguments: dict[str, Any]) -> Frame:
        """A procedure tool's run starts in its procedure: its PARAMs (and header
        parameters of the same names) are locals bound from the arguments (§11.4); other
        header parameters take their defaults (docs/basic-compatibility.md P2)."""
        from engine.basic.vm import Frame

        local_vars: dict[str, Any] = dict.fromkeys(proc.names)
        self._bind_params(program, local_vars, arguments, global_vars)
        self._enum_suggestions(program, local_vars)
        frame = Frame(self, program, proc.code, local_vars, global_vars, proc, True)  # type: ignore[arg-type]
        for name, default in proc.params:
            if local_vars.get(name) is None and default is not None:
                local_vars[name] = default(frame)
        return frame

    def _bind_params(self, program: Program, target: dict[str, Any],
                     arguments: dict[str, Any], config: dict[str, Any]) -> None:
        """Each PARAM into ``target``: the argument, else its DEFAULT, else the config
        parameter of that name (in ``config``), coerced (§11.4)."""
        today = self.host.clock.now().date()
        for param in program.params:
            key = param.name.lower()
            value = arguments.get(key)
            if value is None and param.has_default:
                value = param.default
            if value is None:
                value = config.get(key)
            target[key] = None if value is None else coerce_argument(param, value, today)

    def _enum_suggestions(self, program: Program, global_vars: dict[str, Any]) -> None:
        for param in program.params:
            if param.enum and global_vars.get(param.name.lower()) is None:
                for option in param.enum:
                    suggestion = Suggestion(option, option, "text")
                    self.host.session.add_suggestion(suggestion)
                    self.host.output.suggest(suggestion)

    def proc_frame(self, caller: Frame, proc: ProcCode, args: list[Any]) -> Frame:
        names = proc.names
        given = len(args)
        if given > len(names):
            raise BasicTypeError(f"{proc.name} takes {len(names)} argument(s), got {given}")
        variables = dict(zip(names, args))
        if given < len(names):
            for name, default in proc.params[given:]:
                variables[name] = default(caller) if default is not None else None
        return self.frame_class(self, caller.program, proc.code, variables,  # type: ignore[arg-type]
                                caller.globals, proc, False)

    def script_frame(self, name: str, args: list[Any]) -> Frame:
        """``CALL other-script(args)``: its own globals, PARAMs bound by position (§4.9)."""
        from engine.basic.vm import Frame

        program = self.host.scripts.load(name)
        if program is None:
            raise BasicNameError(f"unknown script '{name}'")
        global_vars: dict[str, Any] = config_parameters(self.host.config)
        positional = {p.name.lower(): a for p, a in zip(program.params, args)}
        if program.entry is not None:  # a procedure tool (a tool button's dialog calls it)
            return self._proc_tool_frame(program, program.entry, global_vars, positional)
        self._bind_params(program, global_vars, positional, global_vars)
        return Frame(self, program, program.main, global_vars, global_vars, None, True)  # type: ignore[arg-type]

    # -- persistence ----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The whole suspended run as JSON-able data (typed values, shared references kept)."""
        frames = [
            {"script": f.program.name, "hash": f.program.hash,
             "proc": f.proc.key if f.proc is not None else None, "pc": f.pc,
             "on_error": f.on_error, "error_pc": f.error_pc, "base": f.base}
            for f in self.frames
        ]
        data = {"vars": [f.vars for f in self.frames], "globals": [f.globals for f in self.frames],
                "err": self.err, "waiting": self.waiting, "headers": self.headers}
        return {"version": SNAPSHOT_VERSION, "frames": frames, "data": values.encode(data),
                "steps": self.steps, "output": self.output_chars, "elapsed": self.elapsed}

    def restore(self, snapshot: Mapping[str, Any], main: Program) -> bool:
        """Rebuild a suspended run; False when a script changed since (§12.4)."""
        from engine.basic.vm import Frame

        if snapshot.get("version") != SNAPSHOT_VERSION:
            return False
        data = values.decode(snapshot["data"])
        frames: list[Frame] = []
        for index, info in enumerate(snapshot["frames"]):
            program = main if info["script"] == main.name else self.host.scripts.load(
                info["script"])
            if program is None or program.hash != info["hash"]:
                return False
            proc = _find_proc(program, info["proc"])
            code = proc.code if proc is not None else program.main
            frame = Frame(self, program, code, data["vars"][index], data["globals"][index],  # type: ignore[arg-type]
                          proc, info["base"])
            frame.pc, frame.on_error = info["pc"], info["on_error"]
            frame.error_pc = info["error_pc"]
            frames.append(frame)
        self.frames = frames
        self.err, self.waiting, self.headers = data["err"], data["waiting"], data["headers"]
        self.steps, self.output_chars = snapshot["steps"], snapshot["output"]
        self.elapsed = snapshot["elapsed"]
        return True


def _find_proc(program: Program, key: str | None) -> ProcCode | None:
    if key is None:
        return None
    if key in program.procs:
        return program.procs[key]
    for handlers in program.handlers.values():
        for handler in handlers:
            if handler.key == key:
                return handler
    return None


def _by_name(arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in arguments.items()}
