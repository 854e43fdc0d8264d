"""Tracing: one kind of trace that records equations, and one kind of tracer.

A ``Trace`` owns the equations being recorded. A ``Tracer`` is the value a traced
function sees: its trace, its ``Var`` and, when the inputs were concrete, its
concrete value ``val`` (so Python control flow on values works). Traces nest:
a tracer of an enclosing trace used inside an inner one is *captured*, i.e. it
becomes an extra input of the inner IR (``Trace.captured``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import primitive as _primitive
from ._purepath import TraceBase, TracerBase, fastpath
from .errors import (
    TracerArrayConversionError,
    TracerBoolConversionError,
    TracerIntegerConversionError,
    UnexpectedTracerError,
    user_frame,
)
from .ir import IR, SCALAR_AVALS, Aval, Eqn, Literal, Params, Var
from .primitive import current_trace, eager_bind

_ARRAY_AVALS: dict = {}  # (shape, dtype) -> Aval, for values produced by impl rules
_EMPTY_PARAMS = Params()


def aval_from_value(val) -> Aval:
    """The aval of an impl rule's result (a NumPy array or scalar), found by type first."""
    aval = SCALAR_AVALS.get(type(val))
    if aval is not None:
        return aval
    if not hasattr(val, "dtype"):
        val = np.asarray(val)
    key = (val.shape, val.dtype)
    aval = _ARRAY_AVALS.get(key)
    if aval is None:
        aval = _ARRAY_AVALS[key] = Aval(*key)
    return aval


class Trace(TraceBase):
    """Records the equations of one traced function.

    ``concrete`` says whether values are computed alongside (all inputs known).
    (``eqns``, ``eqn_vals``, ``concrete``, ``keep_values`` and ``active`` live in
    ``TraceBase``, which the C hot path reads directly.)
    """

    __slots__ = ("parent", "in_vars", "in_vals", "const_vars", "const_vals", "_const_ids",
                 "captured", "captured_tracers", "__weakref__")

    def __init__(self, parent: Trace | None, concrete: bool, keep_values: bool = True):
        self.parent = parent
        self.eqns: list[Eqn] = []
        # The value(s) of each equation's outputs, kept as residuals for grad. make_ir
        # does not keep them: an intermediate is then freed as soon as the traced
        # function drops it (NumPy reuses the memory), as in eager NumPy.
        self.eqn_vals: list = []
        self.keep_values = keep_values
        self.in_vars: list[Var] = []
        self.in_vals: list = []
        self.const_vars: list[Var] = []
        self.const_vals: list = []
        self._const_ids: dict[int, Var] = {}
        self.captured: dict[int, Tracer] = {}  # id(outer tracer) -> inner tracer
        self.captured_tracers: list[Tracer] = []  # the outer tracers, in input order
        self.concrete = concrete
        self.active = True

    # -- inputs -------------------------------------------------------------
    def new_input(self, aval: Aval, val: Any = None) -> Tracer:
        var = Var(aval)
        self.in_vars.append(var)
        self.in_vals.append(val)
        if val is None:
            self.concrete = False
        return Tracer(self, var, val)

    def is_ancestor(self, other: Trace) -> bool:
        t = self.parent
        while t is not None:
            if t is other:
                return True
            t = t.parent
        return False

    def capture(self, outer: Tracer) -> Tracer:
        inner = self.captured.get(id(outer))
        if inner is None:
            inner = self.new_input(outer.tvar.aval, outer.val)
            self.captured[id(outer)] = inner
            self.captured_tracers.append(outer)
        return inner

    def to_atom(self, x: Any):
        """The IR atom and value of an argument: tracer, array, scalar or Literal."""
        if type(x) is Tracer and x._trace is self:
            return x.tvar, x.val
        if isinstance(x, Tracer):
            if x._trace is self:
                return x.tvar, x.val
            if x._trace.active and self.is_ancestor(x._trace):
                t = self.capture(x)
                return t.tvar, t.val
            raise UnexpectedTracerError(
                "A tracer from a transform that has finished (or from another thread's "
                "trace) was used here. This happens when a traced value is stored outside "
                "the function (a global, a list, self.attribute) and used later. Return "
                "it from the function instead.")
        if isinstance(x, Literal):
            return x, x.val
        if isinstance(x, np.ndarray) and x.ndim > 0:
            var = self._const_ids.get(id(x))
            if var is None:
                var = Var(Aval(x.shape, x.dtype))
                self._const_ids[id(x)] = var
                self.const_vars.append(var)
                self.const_vals.append(x)
            return var, x
        if isinstance(x, (np.ndarray, np.generic)):
            lit = Literal(x)
            return lit, lit.val
        if isinstance(x, (bool, int, float, complex)):
            lit = Literal(np.asarray(x)[()])
            return lit, lit.val
        raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid array "
                        "for tracegrad: use a NumPy array or a Python number.")

    # -- the hot path ---------------------------------------------------------
    def process(self, prim, args, params):
        """Record ``prim`` applied to ``args``; compute its value when concrete."""
        # Unrolled for one and two arguments (most equations): this is the hot path.
        n = len(args)
        if n == 2:
            a, b = args
            t = type(a)
            if t is Tracer and a._trace is self:
                ai, av = a.tvar, a.val
            elif t is Literal:
                ai, av = a, a.val
            else:
                ai, av = self.to_atom(a)
            t = type(b)
            if t is Tracer and b._trace is self:
                bi, bv = b.tvar, b.val
            elif t is Literal:
                bi, bv = b, b.val
            else:
                bi, bv = self.to_atom(b)
            atoms, vals = (ai, bi), (av, bv)
        elif n == 1:
            a = args[0]
            if type(a) is Tracer and a._trace is self:
                atoms, vals = (a.tvar,), (a.val,)
            else:
                ai, av = self.to_atom(a)
                atoms, vals = (ai,), (av,)
        else:
            pairs = [self.to_atom(a) for a in args]
            atoms = tuple([p[0] for p in pairs])
            vals = tuple([p[1] for p in pairs])
        eqn_params = Params(params) if params else _EMPTY_PARAMS
        if self.concrete:
            try:
                out = prim.impl(*vals, **params) if params else prim.impl(*vals)
            except Exception:
                # The abstract rule names the problem better (shapes, dtypes) than NumPy.
                prim.abstract_eval(*[a.aval for a in atoms], **params)
                raise
            if not prim.multiple_results:
                aval = SCALAR_AVALS.get(type(out))
                if aval is None:
                    try:  # an array seen before: one look-up
                        aval = _ARRAY_AVALS[(out.shape, out.dtype)]
                    except (KeyError, AttributeError):
                        aval = aval_from_value(out)
                var = Var(aval)
                self.eqns.append(Eqn(prim, atoms, (var,), eqn_params))
                if self.keep_values:
                    self.eqn_vals.append(out)
                return Tracer(self, var, out)
            out_vars = tuple(Var(aval_from_value(o)) for o in out)
        else:
            avals = prim.abstract_eval(*[a.aval for a in atoms], **params)
            if not prim.multiple_results:
                var = Var(avals)
                self.eqns.append(Eqn(prim, atoms, (var,), eqn_params))
                self.eqn_vals.append(None)
                return Tracer(self, var, None)
            out_vars = tuple(Var(a) for a in avals)
            out = (None,) * len(out_vars)
        self.eqns.append(Eqn(prim, atoms, out_vars, eqn_params))
        if self.keep_values:
            self.eqn_vals.append(out)
        return [Tracer(self, v, o) for v, o in zip(out_vars, out)]

    def to_ir(self, out_atoms) -> IR:
        return IR(self.const_vars, self.in_vars, self.eqns, out_atoms)


@contextmanager
def new_trace(concrete: bool = True, keep_values: bool = True) -> Iterator[Trace]:
    """Make a new innermost trace current for the ``with`` block; always restored.

    >>> with new_trace() as t:
    ...     x = t.new_input(Aval((), np.float64), np.float64(1.0))
    """
    parent = current_trace.get()
    trace = Trace(parent, concrete, keep_values)
    token = current_trace.set(trace)
    try:
        yield trace
    finally:
        trace.active = False
        current_trace.reset(token)


class Tracer(TracerBase):
    """A traced array. Supports Python operators, NumPy functions and array methods.

    Built as ``Tracer(trace, var, val)``; ``val`` is None when tracing abstractly.
    """

    __slots__ = ("__weakref__",)
    __array_priority__ = 1000

    @property
    def aval(self) -> Aval:
        return self.tvar.aval

    @property
    def shape(self) -> tuple:
        return self.tvar.aval.shape

    @property
    def dtype(self) -> np.dtype:
        return self.tvar.aval.dtype

    @property
    def ndim(self) -> int:
        return len(self.tvar.aval.shape)

    @property
    def size(self) -> int:
        return self.tvar.aval.size

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a 0-d traced array)")
        return self.shape[0]

    def __repr__(self):
        if self.val is not None:
            return f"Tracer<{self.aval}>({self.val!r})"
        return f"Tracer<{self.aval}>"

    # -- conversions: allowed on concrete values, a clear error otherwise --------
    def _concrete(self, what: str, err):
        if self.val is None:
            frame = user_frame(sys._getframe(2))
            raise err(
                f"{what} of a traced array {self.aval} whose value is unknown at trace "
                f"time{frame}. The function is being traced abstractly (make_ir on "
                "shapes, or jit), so Python control flow cannot depend on array values. "
                "Keep control flow static (static_argnums), use np.where / select for "
                "value-dependent choices, or trace with concrete inputs.")
        return self.val

    def __bool__(self):
        return bool(self._concrete("Boolean conversion (if/while/and/or)",
                                   TracerBoolConversionError))

    def __float__(self):
        return float(self._concrete("float()", TracerBoolConversionError))

    def __int__(self):
        return int(self._concrete("int()", TracerIntegerConversionError))

    def __index__(self):
        if not np.issubdtype(self.dtype, np.integer):
            raise TypeError(f"only integer arrays can be used as an index, got {self.aval}")
        return int(self._concrete("Use as a Python index", TracerIntegerConversionError))

    def item(self):
        return self._concrete(".item()", TracerBoolConversionError).item()

    def __array__(self, dtype=None, copy=None):
        raise TracerArrayConversionError(
            f"np.asarray() / np.array() was called on a traced array {self.aval}. That "
            "would drop out of the trace and lose the derivative. Use NumPy functions "
            "on the traced value directly (np.sin(x), x @ w, ...), or return it from the "
            "traced function and convert the result.")

    @property
    def __jax_array__(self):
        # JAX probes this attribute on unknown arguments; a property that raises gives
        # our message at every JAX entry point (NotImplementedError: JAX re-wraps a
        # TypeError into its own generic "not a valid JAX type" message).
        raise NotImplementedError(
            f"A tracegrad traced array {self.aval} was passed to a JAX function. JAX "
            "cannot trace through tracegrad tracers: wrap the JAX function with "
            "tracegrad.interop.jax.from_jax(jax_fun) to use it inside tracegrad "
            "transforms, or lower the tracegrad function with to_jax(fun) to use it "
            "inside JAX.")

    def __hash__(self):
        raise TypeError("unhashable type: traced array (use a concrete value as a key)")

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d traced array")
        return (self[i] for i in range(self.shape[0]))


_primitive.tracer_type = Tracer
if fastpath is not None:
    fastpath.install(current_trace, Trace, Tracer, Var, Eqn, Literal, Params, SCALAR_AVALS,
                     _ARRAY_AVALS, aval_from_value, eager_bind)
