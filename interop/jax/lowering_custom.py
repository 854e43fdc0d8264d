"""Lowerings of the custom-derivative primitives of ``tracegrad.transforms.custom``.

``custom_vjp_call`` / ``custom_jvp_call`` become ``jax.custom_vjp`` / ``jax.custom_jvp``
functions whose rules evaluate the traced ``fwd``/``bwd``/``jvp`` programs, so
``jax.grad(to_jax(f))`` uses the user's rule exactly as tracegrad's ``grad`` does.

>>> @custom_vjp                                         # doctest: +SKIP
... def f(x): return np.sin(x)
>>> f.defvjp(lambda x: (np.sin(x), x), lambda x, g: (g * 2,))   # doctest: +SKIP
>>> jax.grad(to_jax(f))(1.0)                            # doctest: +SKIP
Array(2., dtype=float64)
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from ...tracer.ir import ClosedIR
from ...transforms.jvp import jvp_ir
from .lowering import eval_ir_jax, lowering_rule


def _run(closed: ClosedIR, args) -> list:
    return eval_ir_jax(closed.ir, closed.consts, list(args))


@lowering_rule("custom_vjp_call")
def _custom_vjp_call(*args, call: ClosedIR, fwd: ClosedIR, bwd: ClosedIR, num_res: int):
    n_out = len(call.ir.out_vars)

    @jax.custom_vjp
    def f(*xs):
        return _run(call, xs)

    def f_fwd(*xs):
        outs = _run(fwd, xs)
        return outs[:n_out], outs[n_out:]

    def f_bwd(res, cts):
        return tuple(_run(bwd, list(res) + list(cts)))

    f.defvjp(f_fwd, f_bwd)
    return f(*args)


@lowering_rule("custom_jvp_call")
def _custom_jvp_call(*args, call: ClosedIR, jvp: ClosedIR):
    n_out = len(call.ir.out_vars)

    @jax.custom_jvp
    def f(*xs):
        return _run(call, xs)

    @f.defjvp
    def f_jvp(primals, tangents):
        outs = _run(jvp, list(primals) + list(tangents))
        return outs[:n_out], outs[n_out:]

    return f(*args)


@functools.lru_cache(maxsize=256)
def _call_jvp(call: ClosedIR) -> tuple[ClosedIR, tuple[bool, ...]]:
    return jvp_ir(call, (True,) * len(call.ir.in_vars))


@lowering_rule("custom_vjp_call_lin")
def _custom_vjp_call_lin(*args, call: ClosedIR, bwd: ClosedIR, num_res: int):
    # (residuals, primals, tangents) -> the tangents of ``call``: forward mode through
    # a custom_vjp function differentiates its primal program (as tracegrad does).
    n_in, n_out = len(call.ir.in_vars), len(call.ir.out_vars)
    primals, tangents = args[num_res:num_res + n_in], args[num_res + n_in:]
    jclosed, nonzero = _call_jvp(call)
    outs = iter(_run(jclosed, list(primals) + list(tangents))[n_out:])
    return [next(outs) if nz else jnp.zeros(a.shape, a.dtype)
            for nz, a in zip(nonzero, call.out_avals)]
