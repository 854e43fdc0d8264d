"""IR -> IR passes: dce, cse, simplify, inline and optimize (loops only, no recursion).

Each pass returns a new program and never mutates its input; it accepts an ``IR``
(and returns an ``IR``) or a ``ClosedIR`` (and returns one with the same consts).
"""

from .cse import cse
from .dce import dce
from .inline import inline
from .optimize import optimize
from .simplify import simplify

__all__ = ["cse", "dce", "inline", "optimize", "simplify"]
