"""Built-in functions. Importing this package registers every built-in module."""

from engine.basic.builtins import registry
from engine.basic.builtins.registry import FUNCTIONS, Builtin, FunctionContext, builtin, lookup

__all__ = ["FUNCTIONS", "Builtin", "FunctionContext", "builtin", "lookup", "registry"]
