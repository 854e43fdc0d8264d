"""Dead-code elimination: drop equations none of whose outputs reach an output.

>>> dce(make_ir(lambda x: (np.sin(x), np.cos(x))[0])(1.0).ir)  # doctest: +SKIP
"""

from __future__ import annotations

from ..ir import IR, ClosedIR, Var
from ._util import rewrap


def dce(ir: IR | ClosedIR) -> IR | ClosedIR:
    """A new IR without the equations whose outputs are never used.

    Inputs, constants and output variables are kept as they are (the signature
    does not change); one backward loop, so any length works.
    """
    body = ir.ir if isinstance(ir, ClosedIR) else ir
    live = {a for a in body.out_vars if type(a) is Var}  # Vars hash by identity
    kept = []
    for eqn in reversed(body.eqns):
        for o in eqn.outputs:
            if o in live:
                break
        else:
            continue
        kept.append(eqn)
        for a in eqn.inputs:
            if type(a) is Var:
                live.add(a)
    kept.reverse()
    return rewrap(ir, IR(body.const_vars, body.in_vars, kept, body.out_vars))
