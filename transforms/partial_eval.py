"""Partial evaluation by dependency: split an IR into a known and a linear part.

Equations that read an unknown input (a tangent), directly or through other
equations, are unknown; the rest are known. For a JVP program the unknown part
is linear in the tangents, ready for ``transpose_ir``.

>>> known, linear, n_res = partial_eval(lin_ir, known_in=(True, True, False))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

from ..tracer.ir import IR, ClosedIR, Var


def partial_eval(closed: ClosedIR, known_in: Sequence[bool]) -> tuple[ClosedIR, ClosedIR, int]:
    """Split ``closed`` into ``known`` (known inputs -> residuals) and ``unknown``
    (``(*residuals, *unknown inputs)`` -> the outputs). Returns both and the number
    of residuals. Constants are known and shared by both parts."""
    ir = closed.ir
    unknown = {v for v, k in zip(ir.in_vars, known_in) if not k}
    known_eqns, unknown_eqns = [], []
    for eqn in ir.eqns:
        if any(type(a) is Var and a in unknown for a in eqn.inputs):
            unknown.update(eqn.outputs)
            unknown_eqns.append(eqn)
        else:
            known_eqns.append(eqn)
    consts = set(ir.const_vars)
    residuals: dict[Var, None] = {}
    for eqn in unknown_eqns:
        for a in eqn.inputs:
            if type(a) is Var and a not in unknown and a not in consts:
                residuals[a] = None
    for a in ir.out_vars:
        if type(a) is Var and a not in unknown and a not in consts:
            residuals[a] = None
    res = list(residuals)
    known_ir = IR(ir.const_vars, [v for v, k in zip(ir.in_vars, known_in) if k],
                  known_eqns, res)
    unknown_ir = IR(ir.const_vars, res + [v for v, k in zip(ir.in_vars, known_in) if not k],
                    unknown_eqns, ir.out_vars)
    return (ClosedIR(known_ir, closed.consts), ClosedIR(unknown_ir, closed.consts), len(res))
