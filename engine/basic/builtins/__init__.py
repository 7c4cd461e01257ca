"""Built-in functions. Importing this package registers every built-in module."""

from engine.basic.builtins import arrays as arrays
from engine.basic.builtins import conversion as conversion
from engine.basic.builtins import dates as dates
from engine.basic.builtins import formatting as formatting
from engine.basic.builtins import jsonyaml as jsonyaml
from engine.basic.builtins import math as math
from engine.basic.builtins import registry
from engine.basic.builtins import rows as rows
from engine.basic.builtins import strings as strings
from engine.basic.builtins.registry import FUNCTIONS, Builtin, FunctionContext, builtin, lookup

__all__ = ["FUNCTIONS", "Builtin", "FunctionContext", "builtin", "lookup", "registry"]
