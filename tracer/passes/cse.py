"""Common-subexpression elimination: an equation identical to an earlier one (same
primitive, inputs and params) is dropped and its outputs replaced by the earlier ones.
"""

from __future__ import annotations

from ..ir import IR, ClosedIR, Eqn, Literal
from ._util import rewrap, subst


def _key(eqn_prim, inputs: tuple, params) -> tuple:
    # Vars compare by identity; Literals by value and aval.
    return (eqn_prim, tuple(a._key() if type(a) is Literal else id(a) for a in inputs),
            params)


def cse(ir: IR | ClosedIR) -> IR | ClosedIR:
    """A new IR in which each distinct computation happens once.

    >>> f = lambda x: np.sin(x) + np.sin(x)
    >>> len(cse(make_ir(f)(1.0).ir).eqns)  # doctest: +SKIP
    2
    """
    body = ir.ir if isinstance(ir, ClosedIR) else ir
    env: dict = {}   # id(var) -> replacement atom
    seen: dict = {}
    eqns = []
    for eqn in body.eqns:
        inputs = subst(env, eqn.inputs) if env else eqn.inputs
        try:
            key = _key(eqn.prim, inputs, eqn.params)
            hash(key)
        except TypeError:  # unhashable params: never merged
            key = None
        prev = seen.get(key) if key is not None else None
        if prev is not None:
            for o, p in zip(eqn.outputs, prev.outputs):
                env[id(o)] = p
            continue
        if inputs is not eqn.inputs:
            eqn = Eqn(eqn.prim, inputs, eqn.outputs, eqn.params)
        if key is not None:
            seen[key] = eqn
        eqns.append(eqn)
    outs = subst(env, body.out_vars) if env else body.out_vars
    return rewrap(ir, IR(body.const_vars, body.in_vars, eqns, outs))
