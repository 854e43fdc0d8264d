"""Evaluation of an IR: a tight loop over equations through ``bind``.

With no trace active each equation runs its NumPy impl; under a trace the
equations are recorded again (this is how a transformed IR is inlined into an
enclosing trace).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ir import IR, ClosedIR, Var
from .primitive import bind, current_trace


def eval_ir_flat(ir: IR, consts: Sequence[Any], args: Sequence[Any]) -> list:
    """Evaluate ``ir`` on flat ``consts`` and ``args``; returns the flat outputs."""
    env: dict = dict(zip(ir.const_vars, consts))
    env.update(zip(ir.in_vars, args))
    eager = current_trace.get() is None
    for eqn in ir.eqns:
        ins = [env[a] if type(a) is Var else a.val for a in eqn.inputs]
        params = eqn.params
        if eager:
            out = eqn.prim.impl(*ins, **params) if params else eqn.prim.impl(*ins)
        else:
            out = bind(eqn.prim, *ins, **params)
        if eqn.prim.multiple_results:
            env.update(zip(eqn.outputs, out))
        else:
            env[eqn.outputs[0]] = out
    return [env[a] if type(a) is Var else a.val for a in ir.out_vars]


def eval_ir(closed: ClosedIR, *args: Any) -> list:
    """Evaluate a ``ClosedIR`` on its flat inputs; returns the list of flat outputs.

    >>> closed = make_ir(lambda x: np.sin(x) * 2)(1.0)
    >>> eval_ir(closed, 0.5)  # doctest: +SKIP
    [0.958851077208406]
    """
    ir = closed.ir
    if len(args) != len(ir.in_vars):
        raise TypeError(f"eval_ir: the IR takes {len(ir.in_vars)} flat inputs "
                        f"({', '.join(map(str, closed.in_avals))}), got {len(args)}")
    checked = []
    for i, (v, x) in enumerate(zip(ir.in_vars, args)):
        checked.append(_check_arg(i, v, x))
    return eval_ir_flat(ir, closed.consts, checked)


def _check_arg(i: int, var: Var, x: Any):
    import numpy as np

    from .trace import Tracer

    if not isinstance(x, Tracer):
        x = np.asarray(x)
        if x.dtype != var.aval.dtype and x.dtype.kind == var.aval.dtype.kind or (
                x.dtype.kind in "biu" and var.aval.dtype.kind == "f"):
            x = x.astype(var.aval.dtype)
        x = x[()]
    if tuple(x.shape) != var.aval.shape or x.dtype != var.aval.dtype:
        raise TypeError(f"eval_ir: input {i} should be {var.aval}, got "
                        f"{x.dtype}{list(x.shape)}")
    return x
