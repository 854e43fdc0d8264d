"""Common-subexpression elimination: an equation identical to an earlier one (same
primitive, inputs and params) is dropped and its outputs replaced by the earlier ones.
"""

from __future__ import annotations

from ..ir import IR, ClosedIR, Eqn
from ._util import rewrap, subst


def cse(ir: IR | ClosedIR) -> IR | ClosedIR:
    """A new IR in which each distinct computation happens once.

    Keys are ``(primitive, inputs, params)``: Vars compare by identity, Literals by
    value (exact bytes) and params by value.

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
        # Nested dicts prim -> params -> inputs: no key tuple is built per equation
        # (fewer allocations, so less garbage-collector work on long programs).
        by_params = seen.get(eqn.prim)
        if by_params is None:
            by_params = seen[eqn.prim] = {}
        try:
            by_inputs = by_params.get(eqn.params)
            if by_inputs is None:
                by_inputs = by_params[eqn.params] = {}
            prev = by_inputs.get(inputs)
        except TypeError:  # unhashable params or inputs: never merged
            by_inputs = prev = None
        if prev is not None:
            for o, p in zip(eqn.outputs, prev.outputs):
                env[id(o)] = p
            continue
        if inputs is not eqn.inputs:
            eqn = Eqn(eqn.prim, inputs, eqn.outputs, eqn.params)
        if by_inputs is not None:
            by_inputs[inputs] = eqn
        eqns.append(eqn)
    outs = subst(env, body.out_vars) if env else body.out_vars
    return rewrap(ir, IR(body.const_vars, body.in_vars, eqns, outs))
