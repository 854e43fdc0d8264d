"""IR clean-up used by the transforms: ``dce``, ``cse``, ``simplify``, ``optimize``.

Interim, minimal versions owned by transforms until ``tracer.passes`` lands; each
is ``IR -> IR`` (a new IR; the input is not changed) and iterative.

>>> print(optimize(ir))                                 # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..tracer import prims_elementwise as ew
from ..tracer import prims_structural as st
from ..tracer.ir import IR, Eqn, Literal, Params, Var


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


def _subst_atoms(atoms, mapping: dict) -> tuple:
    return tuple(mapping.get(a, a) if type(a) is Var else a for a in atoms)


def dce(ir: IR) -> IR:
    """Drop equations whose outputs are not used (inputs are kept)."""
    live = {a for a in ir.out_vars if type(a) is Var}
    kept = []
    for eqn in reversed(ir.eqns):
        if any(o in live for o in eqn.outputs):
            kept.append(eqn)
            live.update(a for a in eqn.inputs if type(a) is Var)
    kept.reverse()
    return IR(ir.const_vars, ir.in_vars, kept, ir.out_vars)


def _atom_key(a, ids: dict):
    if type(a) is Var:
        return ids.setdefault(a, len(ids))
    return ("lit", a.val.dtype, a.val.tobytes())


def cse(ir: IR) -> IR:
    """Merge equations with the same primitive, params and inputs."""
    seen: dict = {}
    mapping: dict = {}
    ids: dict = {}
    eqns = []
    for eqn in ir.eqns:
        ins = _subst_atoms(eqn.inputs, mapping)
        key = (eqn.prim, eqn.params, tuple(_atom_key(a, ids) for a in ins))
        prev = seen.get(key)
        if prev is not None:
            mapping.update(zip(eqn.outputs, prev.outputs))
            continue
        if ins != eqn.inputs:
            eqn = Eqn(eqn.prim, ins, eqn.outputs, eqn.params)
        seen[key] = eqn
        eqns.append(eqn)
    return IR(ir.const_vars, ir.in_vars, eqns, _subst_atoms(ir.out_vars, mapping))


def _is_lit(a, value) -> bool:
    return type(a) is Literal and a.val == value


def _identity(eqn: Eqn, ins: tuple, zero_vars: set):
    """The atom ``eqn``'s output equals, or None (algebraic identities only)."""
    p, out = eqn.prim, eqn.outputs[0]
    if p is ew.mul_p or p is ew.add_p or p is ew.sub_p:
        x, y = ins
        unit = 1 if p is ew.mul_p else 0
        if (_is_lit(y, unit) or (p is not ew.mul_p and y in zero_vars)) and x.aval == out.aval:
            return x
        if p is not ew.sub_p and (_is_lit(x, unit) or (p is ew.add_p and x in zero_vars)) \
                and y.aval == out.aval:
            return y
        return None
    if p is ew.div_p:
        x, y = ins
        return x if _is_lit(y, 1) and x.aval == out.aval else None
    if p is ew.integer_pow_p and eqn.params["y"] == 1:
        return ins[0]
    if p in (ew.convert_element_type_p, st.reshape_p, st.broadcast_in_dim_p, st.transpose_p,
             st.squeeze_p, st.expand_dims_p, st.rev_p, st.reduce_sum_p, st.slice_p):
        x = ins[0]
        if x.aval == out.aval and (p is not st.transpose_p
                                   or eqn.params["permutation"] == tuple(range(out.aval.ndim))
                                   ) and (p is not st.rev_p or not eqn.params["dimensions"]):
            return x
    return None


def simplify(ir: IR) -> IR:
    """Remove identities (``mul x 1``, ``add x 0``, ``add x zeros``, ``neg (neg x)``,
    same-shape reshapes and casts) and fold scalar equations on literals."""
    mapping: dict = {}
    zero_vars: set = set()
    negs: dict = {}
    eqns = []
    for eqn in ir.eqns:
        ins = _subst_atoms(eqn.inputs, mapping)
        p = eqn.prim
        if not p.multiple_results:
            same = _identity(eqn, ins, zero_vars)
            if same is None and p is ew.neg_p and ins[0] in negs:
                same = negs[ins[0]]
            if same is not None:
                mapping[eqn.outputs[0]] = same
                continue
            if (all(type(a) is Literal for a in ins) and not eqn.outputs[0].aval.shape
                    and p.impl is not None):
                val = np.asarray(p.impl(*[a.val for a in ins], **eqn.params))
                mapping[eqn.outputs[0]] = Literal(val[()], eqn.outputs[0].aval)
                continue
            if p is st.broadcast_in_dim_p and _is_lit(ins[0], 0):
                zero_vars.add(eqn.outputs[0])
            if p is ew.neg_p and type(ins[0]) is Var:
                negs[eqn.outputs[0]] = ins[0]
        if ins != eqn.inputs:
            eqn = Eqn(p, ins, eqn.outputs, eqn.params)
        eqns.append(eqn)
    return IR(ir.const_vars, ir.in_vars, eqns, _subst_atoms(ir.out_vars, mapping))


def optimize(ir: IR, max_rounds: int = 4) -> IR:
    """``simplify``, ``cse`` and ``dce`` to a fixed point."""
    for _ in range(max_rounds):
        n = len(ir.eqns)
        ir = dce(cse(simplify(ir)))
        if len(ir.eqns) == n:
            break
    return ir


__all__ = ["dce", "cse", "simplify", "optimize", "substitute", "Params"]
