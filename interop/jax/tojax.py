"""``to_jax``: a tracegrad function as a JAX-traceable function; ``jit`` on top of it.

The function is traced abstractly on the shapes and dtypes of its JAX inputs (so it
never sees array values), and the IR is evaluated with the lowering rules. Traced
IRs are cached by input structure, shapes, dtypes and static arguments.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ...tracer.api import split_static, trace_flat
from ...tracer.ir import Aval, ClosedIR
from ...tracer.pytree import tree_flatten, tree_unflatten
from .lowering import eval_ir_jax


def _as_jax_leaf(x: Any) -> Any:
    # JAX arrays, JAX tracers and ShapeDtypeStructs pass; numbers and NumPy arrays
    # become JAX arrays so their dtype follows JAX's config (x64 or not).
    if hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, np.ndarray):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"to_jax: argument {x!r:.60} of type {type(x).__name__} is not an "
                        "array; mark it static with static_argnums.")
    return jnp.asarray(arr)


def _static_key(args: Sequence[Any], static_argnums: Sequence[int]) -> tuple:
    n = len(args)
    key = tuple((i % n, args[i % n]) for i in sorted(static_argnums) if -n <= i < n)
    try:
        hash(key)
    except TypeError:
        raise TypeError("to_jax/jit: static arguments must be hashable (like jax.jit's "
                        f"static_argnums), got {key!r:.80}") from None
    return key


class _Lowered:
    """The traced IR of one input signature, and its output tree."""

    __slots__ = ("closed", "out_tree")

    def __init__(self, closed: ClosedIR, out_tree):
        self.closed = closed
        self.out_tree = out_tree


def to_jax(fun: Callable, static_argnums: int | Sequence[int] = ()) -> Callable:
    """A JAX-traceable version of the tracegrad (plain NumPy) function ``fun``.

    >>> f = to_jax(lambda x: np.sum(np.sin(x) ** 2))
    >>> jax.jit(f)(jnp.ones(3))          # doctest: +SKIP
    Array(2.1242..., dtype=float64)
    >>> jax.grad(f)(jnp.ones(3)).shape   # doctest: +SKIP
    (3,)

    Transformed tracegrad functions lower too: ``jax.jit(to_jax(grad(f)))``.
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    static_argnums = tuple(static_argnums)
    cache: dict = {}

    def trace(args: tuple, kwargs: dict) -> tuple[_Lowered, list]:
        dyn, rebuild = split_static(args, static_argnums)
        # keyword arguments are array pytrees too (as in jax.jit)
        leaves, in_tree = tree_flatten((tuple(dyn), kwargs))
        leaves = [_as_jax_leaf(x) for x in leaves]
        avals = tuple(Aval(x.shape, x.dtype) for x in leaves)
        key = (in_tree, avals, _static_key(args, static_argnums))
        lowered = cache.get(key)
        if lowered is None:
            out_tree_box: list = []

            def flat_fn(*tracers):
                dyn_t, kw_t = tree_unflatten(in_tree, tracers)
                out = fun(*rebuild(dyn_t), **kw_t)
                out_leaves, out_tree = tree_flatten(out)
                out_tree_box.append(out_tree)
                return out_leaves

            traced = trace_flat(flat_fn, [(a, None) for a in avals], concrete=False)
            if traced.captured:
                raise TypeError("to_jax: the function closes over a value traced by an "
                                "enclosing tracegrad transform; pass it as an argument.")
            lowered = cache[key] = _Lowered(traced.closed(in_tree), out_tree_box[0])
        return lowered, leaves

    @functools.wraps(fun)
    def lowered_fun(*args, **kwargs):
        lowered, leaves = trace(args, kwargs)
        closed = lowered.closed
        outs = eval_ir_jax(closed.ir, closed.consts, leaves)
        return tree_unflatten(lowered.out_tree, outs)

    lowered_fun.trace_cache = cache  # type: ignore[attr-defined]
    return lowered_fun


def jit(fun: Callable, static_argnums: int | Sequence[int] = ()) -> Callable:
    """Compile a tracegrad function with XLA: ``jax.jit(to_jax(fun))``.

    JAX's jit cache is keyed on input shapes, dtypes, pytree structure and static
    arguments, so a new signature traces once and later calls go straight to the
    compiled program. Python control flow on array values cannot be compiled: it
    raises ``TracerBoolConversionError`` naming the line (keep control flow static,
    use ``static_argnums``, or ``np.where``).

    >>> step = jit(grad(loss))          # doctest: +SKIP
    >>> g = step(params, x_batch)       # doctest: +SKIP
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    return jax.jit(to_jax(fun, static_argnums), static_argnums=tuple(static_argnums))
