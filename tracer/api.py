"""Tracing a Python function into an IR: ``make_ir`` and the flat helper ``trace_flat``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .ir import Aval, ClosedIR
from .pytree import leaf_paths, tree_flatten, tree_unflatten
from .trace import Trace, Tracer, new_trace


class Traced:
    """The result of tracing a flat function.

    ``ir`` has the explicit inputs first, then one input per captured outer tracer
    (``captured``, in order). When the trace was concrete, ``in_vals``,
    ``eqn_vals`` and ``out_vals`` hold every value computed on the way.
    """

    __slots__ = ("ir", "consts", "in_vals", "eqn_vals", "out_vals", "captured",
                 "concrete", "out_tree")

    def __init__(self, trace: Trace, out_atoms, out_vals, out_tree=None):
        self.ir = trace.to_ir(out_atoms)
        self.consts = trace.const_vals
        self.in_vals = trace.in_vals
        self.eqn_vals = trace.eqn_vals
        self.out_vals = out_vals
        self.captured = trace.captured_tracers
        self.concrete = trace.concrete
        self.out_tree = out_tree

    def closed(self, in_tree=None) -> ClosedIR:
        return ClosedIR(self.ir, self.consts, in_tree, self.out_tree)


def input_spec(x: Any, path: str = "") -> tuple[Aval, Any]:
    """The aval and (possibly None) concrete value of one flat input leaf."""
    if isinstance(x, Tracer):
        return x.aval, x.val
    if isinstance(x, Aval):
        return x, None
    if isinstance(x, (np.ndarray, np.generic)):
        _check_dtype(x.dtype, x, path)
        return Aval(x.shape, x.dtype), x[()] if x.ndim == 0 else x
    if isinstance(x, (bool, int, float, complex)):
        v = np.asarray(x)[()]
        return Aval((), v.dtype), v
    if hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(x, "__array__"):
        return Aval(x.shape, x.dtype), None  # jax.ShapeDtypeStruct and friends
    if hasattr(x, "__array__") or hasattr(x, "__array_interface__"):
        arr = np.asarray(x)
        _check_dtype(arr.dtype, x, path)
        return Aval(arr.shape, arr.dtype), arr[()] if arr.ndim == 0 else arr
    where = f" at {path}" if path else ""
    raise TypeError(f"Argument{where} of type {type(x).__name__} ({x!r:.60}) is not a valid "
                    "input: pass NumPy arrays, Python numbers, or pytrees (tuple, list, dict) "
                    "of them; mark other arguments static with static_argnums.")


def _check_dtype(dtype: np.dtype, x: Any, path: str) -> None:
    if dtype.kind not in "biufc":
        where = f" at {path}" if path else ""
        raise TypeError(f"Argument{where} has dtype {dtype} ({x!r:.60}), which is not a "
                        "numeric array: pass numbers, or mark it static (static_argnums).")


def flatten_args(args: Sequence[Any], argnames: str = "args"):
    """Flatten positional args into leaves, checking each leaf; returns (leaves, tree)."""
    leaves, tree = tree_flatten(tuple(args))
    paths = None
    specs = []
    for i, leaf in enumerate(leaves):
        try:
            specs.append(input_spec(leaf))
        except TypeError:
            paths = paths or leaf_paths(tuple(args))
            input_spec(leaf, f"{argnames}{paths[i]}")
    return leaves, specs, tree


def trace_flat(flat_fn: Callable[..., Sequence[Any]], specs: Sequence[tuple[Aval, Any]],
               concrete: bool = True, keep_values: bool = True) -> Traced:
    """Trace ``flat_fn`` on inputs given by ``(aval, value)`` specs; ``keep_values=False``
    leaves ``eqn_vals`` empty (the IR alone is wanted)."""
    with new_trace(concrete, keep_values) as trace:
        ins = [trace.new_input(aval, val) for aval, val in specs]
        outs = flat_fn(*ins)
        pairs = [trace.to_atom(o) for o in outs]
    return Traced(trace, [p[0] for p in pairs], [p[1] for p in pairs])


def split_static(args: Sequence[Any], static_argnums: Sequence[int]):
    """Split args into (dynamic args, a function rebuilding the full arg tuple)."""
    n = len(args)
    static = {a % n if n else a for a in static_argnums}
    dyn = [a for i, a in enumerate(args) if i not in static]

    def rebuild(dyn_vals):
        it = iter(dyn_vals)
        return tuple(args[i] if i in static else next(it) for i in range(n))

    return dyn, rebuild


def make_ir(fun: Callable, static_argnums: int | Sequence[int] = ()) -> Callable[..., ClosedIR]:
    """Trace ``fun`` into a ``ClosedIR``; print it to read the program.

    Inputs may be arrays and numbers (traced with concrete values, so Python
    control flow on values works) or ``Aval``/``ShapeDtypeStruct`` shapes
    (abstract tracing).

    >>> print(make_ir(lambda x: np.sum(np.sin(x) ** 2))(np.ones(3)))
    { lambda ; a:f64[3]. let
        b:f64[3] = sin a
        c:f64[3] = integer_pow[y=2] b
        d:f64[] = reduce_sum[axes=(0,)] c
      in (d,) }
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)

    @functools.wraps(fun)
    def traced(*args):
        dyn, rebuild = split_static(args, static_argnums)
        leaves, specs, in_tree = flatten_args(dyn)
        out_tree_box = []

        def flat_fn(*tracers):
            out = fun(*rebuild(tree_unflatten(in_tree, tracers)))
            out_leaves, out_tree = tree_flatten(out)
            out_tree_box.append(out_tree)
            return out_leaves

        result = trace_flat(flat_fn, specs, keep_values=False)
        result.out_tree = out_tree_box[0]
        return result.closed(in_tree)

    return traced
