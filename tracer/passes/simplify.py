"""Algebraic simplification and constant folding, one forward loop.

Rules (one table, keyed by primitive name): ``mul x 1``, ``mul x 0`` (zeros of the
output's shape and dtype), ``add x 0``, ``sub x 0``, ``div x 1``, ``neg (neg x)``,
``integer_pow[y=1]``, ``pow x 1``, no-op ``convert_element_type`` / ``reshape`` /
``transpose`` / ``broadcast_in_dim`` / ``squeeze`` / ``expand_dims`` / ``rev`` /
``slice`` / reductions over no axes, ``select_n`` on a literal predicate; complex parts:
``real (complex a b) -> a``, ``imag (complex a b) -> b``, ``conj (conj z) -> z``,
``complex (real z) (imag z) -> z``. A
broadcast of a scalar literal feeding an elementwise equation is replaced by the
literal when the shapes allow; elementwise equations of literals are folded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import prims_elementwise as ew
from .. import prims_structural as st
from ..ir import IR, Aval, ClosedIR, Eqn, Literal, Params, Var
from ._util import rewrap, subst

#: Primitives computed element by element: literal operands can be folded.
ELEMENTWISE = frozenset(
    list(ew.unary_prims) + list(ew.binary_prims) + list(ew.compare_prims)
    + ["select_n", "convert_element_type", "integer_pow", "is_finite", "not", "real", "imag",
       "conj", "complex"])


class Const:
    """A rule's answer "every element equals ``value``"."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _is(a: Any, v: Any) -> bool:
    return type(a) is Literal and a.aval.dtype.kind != "b" and bool(a.val == v)


def _add(ins, eqn):
    x, y = ins
    return x if _is(y, 0) else y if _is(x, 0) else None


def _mul(ins, eqn):
    x, y = ins
    if _is(y, 1):
        return x
    if _is(x, 1):
        return y
    if _is(x, 0) or _is(y, 0):
        return Const(0)
    return None


def _neg(ins, eqn, producer):
    p = producer.get(id(ins[0]))
    return p.inputs[0] if p is not None and p.prim.name == "neg" else None


def _part(k):
    """``real`` (k=0) / ``imag`` (k=1) of ``complex a b`` is ``a`` / ``b``."""
    def rule(ins, eqn, producer):
        p = producer.get(id(ins[0]))
        return p.inputs[k] if p is not None and p.prim.name == "complex" else None
    return rule


def _conj(ins, eqn, producer):
    # conj of a real operand is complex, so conj (conj x) -> x only when x is complex
    # (a dtype change makes the substitution refuse itself).
    p = producer.get(id(ins[0]))
    return p.inputs[0] if p is not None and p.prim.name == "conj" else None


def _complex(ins, eqn, producer):
    re, im = (producer.get(id(a)) for a in ins)
    if (re is not None and im is not None and re.prim.name == "real"
            and im.prim.name == "imag" and re.inputs[0] is im.inputs[0]):
        return re.inputs[0]
    return None


def _integer_pow(ins, eqn):
    y = eqn.params["y"]
    return ins[0] if y == 1 else Const(1) if y == 0 else None


def _select_n(ins, eqn):
    which, *cases = ins
    if type(which) is Literal:
        return cases[int(which.val)]
    if all(c is cases[0] for c in cases):
        return cases[0]
    return None


def _slice(ins, eqn):
    p = eqn.params
    shape = ins[0].aval.shape
    full = (all(s == 0 for s in p["start_indices"]) and tuple(p["limit_indices"]) == shape
            and (not p["strides"] or all(s == 1 for s in p["strides"])))
    return ins[0] if full else None


def _identity_if(pred):
    return lambda ins, eqn: ins[0] if pred(ins[0].aval, eqn.params) else None


RULES = {
    "add": _add,
    "sub": lambda ins, eqn: ins[0] if _is(ins[1], 0) else None,
    "mul": _mul,
    "div": lambda ins, eqn: ins[0] if _is(ins[1], 1) else None,
    "pow": lambda ins, eqn: ins[0] if _is(ins[1], 1) else None,
    "integer_pow": _integer_pow,
    "select_n": _select_n,
    "slice": _slice,
    "convert_element_type": _identity_if(lambda a, p: a.dtype == np.dtype(p["new_dtype"])),
    "reshape": _identity_if(lambda a, p: a.shape == tuple(p["new_sizes"])),
    "transpose": _identity_if(lambda a, p: tuple(p["permutation"]) == tuple(range(a.ndim))),
    "broadcast_in_dim": _identity_if(
        lambda a, p: a.shape == tuple(p["shape"])
        and tuple(p["broadcast_dimensions"]) == tuple(range(a.ndim))),
    "squeeze": _identity_if(lambda a, p: not p["dimensions"]),
    "expand_dims": _identity_if(lambda a, p: not p["dimensions"]),
    "rev": _identity_if(lambda a, p: not p["dimensions"]),
    "reduce_sum": _identity_if(lambda a, p: not p["axes"]),
    "reduce_max": _identity_if(lambda a, p: not p["axes"]),
    "reduce_min": _identity_if(lambda a, p: not p["axes"]),
    "reduce_prod": _identity_if(lambda a, p: not p["axes"]),
}
#: Rules that look at the equation producing an input.
PRODUCER_RULES = {"neg": _neg, "real": _part(0), "imag": _part(1), "conj": _conj,
                  "complex": _complex}


def _scalar_literal(value: Any, dtype: np.dtype) -> Literal:
    return Literal(np.asarray(value).astype(dtype)[()], Aval((), dtype))


def _fold_literals(eqn: Eqn, ins: tuple, bcast: dict) -> tuple:
    """Replace broadcast-of-literal operands of an elementwise equation by the literal
    itself where the output shape stays the same."""
    out_shape = eqn.outputs[0].aval.shape
    ins = list(ins)
    for i, a in enumerate(ins):
        lit = bcast.get(id(a))
        if lit is None:
            continue
        others = [b.aval.shape for j, b in enumerate(ins) if j != i]
        if tuple(np.broadcast_shapes((), *others)) == out_shape:
            ins[i] = lit
    return tuple(ins)


def simplify(ir: IR | ClosedIR) -> IR | ClosedIR:
    """A new, simplified IR; replaced equations' outputs are substituted downstream.

    >>> print(simplify(make_ir(lambda x: x * 1.0 + 0.0)(np.ones(2)).ir))  # doctest: +SKIP
    { lambda ; a:f64[2]. let  in (a,) }
    """
    body = ir.ir if isinstance(ir, ClosedIR) else ir
    env: dict = {}       # id(old var) -> atom
    bcast: dict = {}     # id(var) -> Literal: the var is that scalar broadcast
    producer: dict = {}  # id(var) -> the new equation defining it
    eqns: list = []
    for eqn in body.eqns:
        ins = subst(env, eqn.inputs) if env else eqn.inputs
        name = eqn.prim.name
        single = not eqn.prim.multiple_results and len(eqn.outputs) == 1
        out = eqn.outputs[0] if single else None
        result = None
        if single and name in ELEMENTWISE and bcast:
            scalars = [a if type(a) is Literal else bcast.get(id(a)) for a in ins]
            if all(s is not None for s in scalars):  # every operand constant: fold
                result = _evaluate(eqn, scalars)
            else:
                ins = _fold_literals(eqn, ins, bcast)
        rule = RULES.get(name) if result is None else None
        if rule is not None:
            result = rule(ins, eqn)
        elif result is None and name in PRODUCER_RULES:
            result = PRODUCER_RULES[name](ins, eqn, producer)
        if result is None and single and ins and all(type(a) is Literal for a in ins) and (
                name in ELEMENTWISE or out.aval.shape == ()):
            result = _evaluate(eqn, ins)
        if result is not None and single:
            new = _replace(out, result, env, bcast)
            if new is not False:
                if new is not None:
                    eqns.append(new)
                    producer[id(out)] = new
                continue
        new = eqn if ins == eqn.inputs else Eqn(eqn.prim, ins, eqn.outputs, eqn.params)
        if name == "broadcast_in_dim" and type(ins[0]) is Literal:
            bcast[id(out)] = ins[0]
        for o in new.outputs:
            producer[id(o)] = new
        eqns.append(new)
    outs = subst(env, body.out_vars) if env else body.out_vars
    return rewrap(ir, IR(body.const_vars, body.in_vars, eqns, outs))


def _evaluate(eqn: Eqn, ins: tuple) -> Any:
    """Constant-fold an equation of literals (None when it cannot be folded)."""
    try:
        with np.errstate(all="ignore"):
            val = eqn.prim.impl(*(a.val for a in ins), **eqn.params)
    except Exception:  # leave the equation for evaluation to report
        return None
    return Const(val) if np.shape(val) == () else None


def _replace(out: Var, result: Any, env: dict, bcast: dict):
    """Substitute ``out`` by ``result``: returns None (substituted), a new equation that
    defines ``out``, or False when the replacement would change the aval."""
    aval = out.aval
    if isinstance(result, Const):
        lit = _scalar_literal(result.value, aval.dtype)
        if aval.shape == ():
            env[id(out)] = lit
            return None
        bcast[id(out)] = lit
        return Eqn(st.broadcast_in_dim_p, (lit,), (out,),
                   Params(shape=aval.shape, broadcast_dimensions=()))
    if result.aval.dtype != aval.dtype:
        return False
    if result.aval.shape == aval.shape:
        env[id(out)] = result
        return None
    shape = result.aval.shape
    if len(shape) > len(aval.shape) or tuple(np.broadcast_shapes(shape, aval.shape)) != \
            aval.shape:
        return False
    dims = tuple(range(len(aval.shape) - len(shape), len(aval.shape)))
    return Eqn(st.broadcast_in_dim_p, (result,), (out,),
               Params(shape=aval.shape, broadcast_dimensions=dims))
