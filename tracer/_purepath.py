"""The storage of the tracer's hot-path objects, in plain Python.

``Var`` is defined here; ``Eqn``, ``Tracer`` and ``Trace`` (ir.py, trace.py) keep
their methods in Python and take their fields from a base class defined here. The
optional C extension ``_fastpath`` replaces all four with C types (``Var`` whole: it
has no other methods) and records the common equation without entering Python (see
``_fastpath.c``). ``accelerated`` says which one is in use;
``TRACEGRAD_PURE_PYTHON=1`` in the environment forces this module.

>>> Var(None).aval is None
True
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any


class Var:
    """A variable of the IR: an identity with an aval. Names come from printing.

    >>> Var(Aval((3,), np.float64)).aval
    f64[3]
    """

    __slots__ = ("aval",)

    def __init__(self, aval: Any):
        self.aval = aval

    def __reduce__(self):
        return (Var, (self.aval,))

    def __repr__(self):
        return f"Var({self.aval})"


class EqnBase:
    """Storage of an equation: ``outputs = prim[params] inputs``."""

    __slots__ = ("prim", "inputs", "outputs", "params")

    def __init__(self, prim: Any, inputs: tuple, outputs: tuple, params: Any):
        self.prim = prim
        self.inputs = inputs
        self.outputs = outputs
        self.params = params


class TracerBase:
    """Storage of a tracer: its trace, its Var and its value (None when abstract)."""

    __slots__ = ("_trace", "tvar", "val")

    def __init__(self, trace: Any, var: Any, val: Any):
        self._trace = trace
        self.tvar = var
        self.val = val


class TraceBase:
    """Storage of a trace: the fields the hot path touches."""

    __slots__ = ("eqns", "eqn_vals", "concrete", "keep_values", "active")


def _load_fastpath() -> ModuleType | None:
    if os.environ.get("TRACEGRAD_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from . import _fastpath
    except ImportError:  # built without a C compiler: the pure-Python path
        return None
    return _fastpath


#: The C extension module, or None when the pure-Python path is in use.
fastpath = _load_fastpath()
accelerated: bool = fastpath is not None
if fastpath is not None:
    Var = fastpath.Var  # type: ignore[misc,assignment]  # noqa: F811
    EqnBase = fastpath.EqnBase  # type: ignore[misc,assignment]  # noqa: F811
    TracerBase = fastpath.TracerBase  # type: ignore[misc,assignment]  # noqa: F811
    TraceBase = fastpath.TraceBase  # type: ignore[misc,assignment]  # noqa: F811
