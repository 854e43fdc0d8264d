"""Renaming the inputs of equations: how transforms splice one program into another.

>>> eqns = substitute(bwd.eqns, {bwd_input: forward_var})   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

from ..tracer.ir import Eqn, Var


def substitute(eqns: Sequence[Eqn], mapping: dict) -> list[Eqn]:
    """Equations with inputs renamed by ``mapping`` (var -> atom); unchanged ones kept."""
    if not mapping:
        return list(eqns)
    out = []
    for eqn in eqns:
        if any(type(a) is Var and a in mapping for a in eqn.inputs):
            ins = tuple(mapping.get(a, a) if type(a) is Var else a for a in eqn.inputs)
            eqn = Eqn(eqn.prim, ins, eqn.outputs, eqn.params)
        out.append(eqn)
    return out
