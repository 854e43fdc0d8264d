"""``from_jax``: read a JAX function's jaxpr into tracegrad's IR.

Each JAX primitive has a rule (``jaxpr_rules.JAX_RULES``) that binds tracegrad primitives; the
jaxpr is interpreted once per input signature inside an abstract tracegrad trace,
which yields a ``ClosedIR``. Calls (``jit``, ``closed_call``, ``custom_jvp_call``,
``custom_vjp_call``, ``remat``) are inlined through an explicit stack of frames;
custom derivative rules are dropped (tracegrad differentiates the primal function).

>>> f = from_jax(lambda x: jnp.sum(jnp.sin(x) ** 2))
>>> f(np.ones(3))                          # doctest: +SKIP
2.1242...
>>> grad(f)(np.ones(3))                    # tracegrad's own transforms  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np
from jax.extend import core as jcore

from ...tracer.api import flatten_args, split_static, trace_flat
from ...tracer.evaluate import eval_ir_flat
from ...tracer.ir import Aval, ClosedIR
from ...tracer.pytree import tree_flatten, tree_unflatten
from ...tracer.trace import Tracer
from .jaxpr_rules import CALL_PRIMS, JAX_RULES

# ---------------------------------------------------------------------------------
# jaxpr -> IR


def _body(eqn) -> tuple[Any, list]:
    """(open jaxpr, consts) of a call-like equation."""
    sub = eqn.params[CALL_PRIMS[eqn.primitive.name]]
    if isinstance(sub, jcore.ClosedJaxpr):
        return sub.jaxpr, list(sub.consts)
    return sub, []


def unsupported_primitives(closed_jaxpr) -> list[str]:
    """Names of every JAX primitive in ``closed_jaxpr`` (nested calls included) that
    ``from_jax`` cannot translate.

    >>> unsupported_primitives(jax.make_jaxpr(jnp.sort)(jnp.ones(3)))   # doctest: +SKIP
    ['sort']
    """
    missing: set[str] = set()
    stack = [closed_jaxpr.jaxpr]
    while stack:
        jaxpr = stack.pop()
        for eqn in jaxpr.eqns:
            name = eqn.primitive.name
            if name in CALL_PRIMS:
                stack.append(_body(eqn)[0])
            elif name not in JAX_RULES:
                missing.add(name)
    return sorted(missing)


def _const(val: Any) -> Any:
    arr = np.asarray(val)
    return arr[()] if arr.ndim == 0 else arr


def _interpret(closed_jaxpr, args: Sequence[Any]) -> list:
    """Evaluate a jaxpr with ``JAX_RULES`` on tracegrad values (inside a trace)."""

    def read(env: dict, v):
        if isinstance(v, jcore.Literal):
            return np.asarray(v.val, dtype=v.aval.dtype)[()]
        return env[v]

    def write(env: dict, outvars, vals) -> None:
        for v, val in zip(outvars, vals):
            if not isinstance(v, jcore.DropVar):
                env[v] = val

    top = closed_jaxpr.jaxpr
    env: dict = {}
    write(env, top.constvars, [_const(c) for c in closed_jaxpr.consts])
    write(env, top.invars, args)
    stack: list = [[top, env, 0, None]]  # frame: jaxpr, env, next eqn, outer eqn
    while True:
        frame = stack[-1]
        jaxpr, env, i, outer = frame
        if i == len(jaxpr.eqns):
            outs = [read(env, v) for v in jaxpr.outvars]
            stack.pop()
            if not stack:
                return outs
            write(stack[-1][1], outer.outvars, outs)
            continue
        frame[2] = i + 1
        eqn = jaxpr.eqns[i]
        ins = [read(env, v) for v in eqn.invars]
        name = eqn.primitive.name
        if name in CALL_PRIMS:
            body, consts = _body(eqn)
            sub_env: dict = {}
            write(sub_env, body.constvars, [_const(c) for c in consts])
            write(sub_env, body.invars, ins)
            stack.append([body, sub_env, 0, eqn])
            continue
        out = JAX_RULES[name](*ins, **eqn.params)
        write(env, eqn.outvars, out if eqn.primitive.multiple_results else [out])


def jaxpr_to_ir(closed_jaxpr) -> ClosedIR:
    """Translate a ``jax.make_jaxpr`` result into a tracegrad ``ClosedIR``.

    >>> closed = jaxpr_to_ir(jax.make_jaxpr(jnp.sin)(1.0))   # doctest: +SKIP
    >>> print(closed)                                        # doctest: +SKIP
    { lambda ; a:f64[]. let b:f64[] = sin a in (b,) }
    """
    missing = unsupported_primitives(closed_jaxpr)
    if missing:
        raise NotImplementedError(
            f"from_jax: unsupported JAX primitive(s): {', '.join(missing)}. tracegrad "
            "translates straight-line jaxprs of its own primitives (control flow such as "
            "cond / while / scan, sorting and random numbers are not supported).")
    specs = [(Aval(v.aval.shape, v.aval.dtype), None) for v in closed_jaxpr.jaxpr.invars]
    traced = trace_flat(lambda *xs: _interpret(closed_jaxpr, xs), specs, concrete=False)
    return traced.closed()


def from_jax(jax_fun: Callable, static_argnums: int | Sequence[int] = ()) -> Callable:
    """Use a JAX function as a tracegrad (NumPy) function: its jaxpr becomes our IR.

    The result takes NumPy arrays (evaluated with NumPy) or tracegrad tracers (recorded,
    so ``grad``, ``jvp``, ``hessian``... differentiate it with tracegrad's rules).
    Translated IRs are cached by input structure, shapes and dtypes.

    >>> f = from_jax(lambda x: jnp.sum(jnp.tanh(x) ** 2))
    >>> grad(f)(np.ones(3))                     # doctest: +SKIP
    array([0.6397..., 0.6397..., 0.6397...])
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    static_argnums = tuple(static_argnums)
    cache: dict = {}

    @functools.wraps(jax_fun)
    def wrapped(*args):
        dyn, rebuild = split_static(args, static_argnums)
        leaves, specs, in_tree = flatten_args(dyn)
        avals = tuple(s[0] for s in specs)
        n = len(args)
        static_key = tuple((i % n, args[i % n]) for i in sorted(static_argnums))
        key = (in_tree, avals, static_key)
        entry = cache.get(key)
        if entry is None:
            entry = cache[key] = _translate(jax_fun, rebuild, in_tree, avals)
        closed, out_tree = entry
        flat = [x if isinstance(x, Tracer) else val for x, (_, val) in zip(leaves, specs)]
        return tree_unflatten(out_tree, eval_ir_flat(closed.ir, closed.consts, flat))

    wrapped.translation_cache = cache  # type: ignore[attr-defined]
    return wrapped


def _translate(jax_fun: Callable, rebuild, in_tree, avals) -> tuple[ClosedIR, Any]:
    structs = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in avals]

    def flat_fun(*xs):
        return jax_fun(*rebuild(tree_unflatten(in_tree, xs)))

    # 64-bit inputs need JAX's x64 mode, or JAX would silently compute in 32 bits.
    wide = any(a.dtype.itemsize == (16 if a.dtype.kind == "c" else 8) for a in avals)
    with jax.enable_x64(True) if wide else contextlib.nullcontext():
        closed_jaxpr, out_shape = jax.make_jaxpr(flat_fun, return_shape=True)(*structs)
    _, out_tree = tree_flatten(out_shape)
    return jaxpr_to_ir(closed_jaxpr), out_tree
