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
from ..tracer.ir import IR, Aval, Eqn, Literal, Params, Var


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


_FOLDABLE = (ew.add_p, ew.sub_p, ew.mul_p, ew.div_p, ew.max_p, ew.min_p, ew.pow_p,
             ew.neg_p, ew.convert_element_type_p, ew.integer_pow_p, ew.exp_p, ew.log_p,
             ew.sin_p, ew.cos_p, ew.tanh_p, ew.sqrt_p, ew.select_n_p, ew.eq_p, ew.ne_p,
             ew.lt_p, ew.le_p, ew.gt_p, ew.ge_p)


def _scalar_product(eqn: Eqn, ins) -> bool:
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    x, y = ins
    return (not lc and not lb and (x.aval.shape == () or y.aval.shape == ())
            and x.aval.dtype == y.aval.dtype)


def simplify(ir: IR) -> IR:
    """Remove identities (``mul x 1``, ``add x 0``, ``add x zeros``, ``neg (neg x)``,
    same-shape reshapes and casts) and fold constants: elementwise equations on
    literals and on broadcast literals (``broadcast_in_dim 1.0``) are computed
    once and become a literal (or one broadcast of it)."""
    mapping: dict = {}
    zero_vars: set = set()
    filled: dict = {}      # var -> the scalar literal it is a broadcast of
    negs: dict = {}
    eqns = []
    for eqn in ir.eqns:
        ins = _subst_atoms(eqn.inputs, mapping)
        p = eqn.prim
        if not p.multiple_results:
            out = eqn.outputs[0]
            if p in _FOLDABLE and ins and all(type(a) is Literal or a in filled for a in ins):
                vals = [a.val if type(a) is Literal else filled[a].val for a in ins]
                val = np.asarray(p.impl(*vals, **eqn.params))[()]
                lit = Literal(val, Aval((), out.aval.dtype))
                if not out.aval.shape:
                    mapping[out] = lit
                    continue
                eqn = Eqn(st.broadcast_in_dim_p, (lit,), eqn.outputs,
                          Params(shape=out.aval.shape, broadcast_dimensions=()))
                ins, p = eqn.inputs, eqn.prim
            elif p in (ew.add_p, ew.sub_p, ew.mul_p, ew.div_p) and any(a in filled
                                                                        for a in ins):
                # x op fill(c) with x of the output's shape: the scalar c broadcasts.
                other = [a for a in ins if a not in filled]
                if len(other) == 1 and other[0].aval == out.aval:
                    ins = tuple(filled[a] if a in filled else a for a in ins)
            elif p is st.reduce_sum_p and ins[0] in filled:
                lit = filled[ins[0]]
                n = int(np.prod([ins[0].aval.shape[a] for a in eqn.params["axes"]]))
                lit = Literal(np.asarray(lit.val * n, out.aval.dtype)[()])
                if not out.aval.shape:
                    mapping[out] = lit
                    continue
                filled[out] = lit
                eqn = Eqn(st.broadcast_in_dim_p, (lit,), eqn.outputs,
                          Params(shape=out.aval.shape, broadcast_dimensions=()))
                ins, p = eqn.inputs, eqn.prim
            elif p is st.dot_general_p and _scalar_product(eqn, ins):
                # a dot_general with a 0-d operand and nothing to contract is a product
                eqn = Eqn(ew.mul_p, ins, eqn.outputs, Params())
                p = ew.mul_p
            same = _identity(eqn, ins, zero_vars)
            if same is None and p is ew.neg_p and ins[0] in negs:
                same = negs[ins[0]]
            if same is not None:
                mapping[out] = same
                continue
            if (all(type(a) is Literal for a in ins) and not out.aval.shape
                    and p.impl is not None):
                val = np.asarray(p.impl(*[a.val for a in ins], **eqn.params))
                mapping[out] = Literal(val[()], out.aval)
                continue
            if p is st.broadcast_in_dim_p and (type(ins[0]) is Literal or ins[0] in filled):
                lit = ins[0] if type(ins[0]) is Literal else filled[ins[0]]
                filled[out] = lit
                if _is_lit(lit, 0):
                    zero_vars.add(out)
                if ins[0] is not lit:
                    ins = (lit,)
                    eqn = Eqn(p, ins, eqn.outputs,
                              Params(shape=out.aval.shape, broadcast_dimensions=()))
            if p is ew.neg_p and type(ins[0]) is Var:
                negs[out] = ins[0]
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
