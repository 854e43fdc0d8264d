"""``optimize``: simplify, cse and dce repeated until nothing changes."""

from __future__ import annotations

from ..ir import IR, ClosedIR
from .cse import cse
from .dce import dce
from .simplify import simplify


def optimize(ir: IR | ClosedIR, max_rounds: int = 20) -> IR | ClosedIR:
    """simplify -> cse -> dce to a fixed point (or ``max_rounds``).

    >>> print(optimize(make_ir(lambda x: np.sin(x) * 1.0 + np.sin(x) * 0.0)(2.0)))  # doctest: +SKIP
    """
    for _ in range(max_rounds):
        body = ir.ir if isinstance(ir, ClosedIR) else ir
        before = (len(body.eqns), tuple(map(id, body.out_vars)))
        ir = dce(cse(simplify(ir)))
        body = ir.ir if isinstance(ir, ClosedIR) else ir
        if (len(body.eqns), tuple(map(id, body.out_vars))) == before:
            break
    return ir
