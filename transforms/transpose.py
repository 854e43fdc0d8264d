"""Transposition of linear IR: the transpose rule table and ``transpose_ir``.

A transpose rule is ``rule(ct, *args, **params) -> cotangents per input``. An
argument that is a linear input arrives as ``UndefinedPrimal(aval)``; the others
are values (residuals). ``ct`` is the output cotangent (a list for primitives
with several results). Return ``None`` for an input that gets no cotangent.
Binary primitives broadcast, so their rules sum cotangents back to the operand
shape (``lax.unbroadcast``).

>>> @transpose_rule(neg_p)                          # doctest: +SKIP
... def _neg(ct, x):
...     return [neg(ct)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..tracer import prims_elementwise as ew
from ..tracer import prims_structural as st
from ..tracer.api import trace_flat
from ..tracer.ir import Aval, ClosedIR, Var
from ..tracer.primitive import Primitive, bind
from . import lax
from .lax import div, mul, neg, unbroadcast

TransposeRule = Callable[..., Sequence]
transpose_rules: dict[Primitive, TransposeRule] = {}


def transpose_rule(*prims: Primitive) -> Callable[[TransposeRule], TransposeRule]:
    """Register a transpose rule for linear primitives (``@transpose_rule(neg_p)``)."""
    def register(fn: TransposeRule) -> TransposeRule:
        for p in prims:
            transpose_rules[p] = fn
        return fn
    return register


class UndefinedPrimal:
    """Stands for a linear input of an equation being transposed."""

    __slots__ = ("aval",)

    def __init__(self, aval: Aval):
        self.aval = aval


def is_linear(x) -> bool:
    return type(x) is UndefinedPrimal


def transpose_eqns(eqns: Sequence, linear: set, env: dict, ct_env: dict) -> None:
    """Walk linear ``eqns`` backwards (iteratively), accumulating cotangents.

    ``linear`` holds the vars that depend on the linear inputs, ``env`` the values
    of the others; ``ct_env`` maps linear vars to their (nonzero) cotangent.
    """
    for eqn in reversed(eqns):
        cts = [ct_env.pop(o, None) for o in eqn.outputs]
        if all(c is None for c in cts):
            continue
        args = []
        for a in eqn.inputs:
            if type(a) is Var:
                args.append(UndefinedPrimal(a.aval) if a in linear else env[a])
            else:
                args.append(a.val)
        prim = eqn.prim
        rule = transpose_rules.get(prim)
        if rule is None:
            raise NotImplementedError(
                f"cannot transpose {prim.name!r}: it is not linear in the differentiated "
                "inputs (a custom jvp rule must be linear in the tangents)")
        if prim.multiple_results:
            in_cts = rule(cts, *args, **eqn.params)
        else:
            ct = cts[0]
            if ct is None:
                continue
            in_cts = rule(ct, *args, **eqn.params)
        for a, c in zip(eqn.inputs, in_cts):
            if c is not None and type(a) is Var and a in linear:
                ct_env[a] = lax.add_any(ct_env.get(a), c)


def transpose_ir(closed: ClosedIR, linear_in: Sequence[bool]) -> tuple[ClosedIR, tuple[bool, ...]]:
    """Transpose an IR that is linear in the inputs marked by ``linear_in``.

    The result takes ``(*non-linear inputs, *one cotangent per output)`` and returns
    the nonzero cotangents of the linear inputs; the mask says which are nonzero.

    >>> bt, nonzero = transpose_ir(lin_closed, (False, True))   # doctest: +SKIP
    """
    ir = closed.ir
    res_vars = [v for v, lin in zip(ir.in_vars, linear_in) if not lin]
    lin_vars = [v for v, lin in zip(ir.in_vars, linear_in) if lin]
    linear = set(lin_vars)
    for eqn in ir.eqns:
        # An equation of a linear IR is linear iff it reads a linear var; the
        # others (zeros made by rules, say) are evaluated like residuals.
        if any(type(a) is Var and a in linear for a in eqn.inputs):
            linear.update(eqn.outputs)
    nonzero: list[bool] = []

    def walk(*args):
        env = dict(zip(ir.const_vars, closed.consts))
        env.update(zip(res_vars, args[:len(res_vars)]))
        ct_env: dict = {}
        lin_eqns = []
        for eqn in ir.eqns:
            if eqn.outputs[0] in linear:
                lin_eqns.append(eqn)
            else:
                ins = [env[a] if type(a) is Var else a.val for a in eqn.inputs]
                out = bind(eqn.prim, *ins, **eqn.params)
                outs = out if eqn.prim.multiple_results else [out]
                env.update(zip(eqn.outputs, outs))
        for o, ct in zip(ir.out_vars, args[len(res_vars):]):
            if type(o) is Var and o in linear:
                ct_env[o] = lax.add_any(ct_env.get(o), ct)
        transpose_eqns(lin_eqns, linear, env, ct_env)
        outs = [ct_env.get(v) for v in lin_vars]
        nonzero[:] = [c is not None for c in outs]
        return [c for c in outs if c is not None]

    specs = [(v.aval, None) for v in res_vars] + [(o.aval, None) for o in ir.out_vars]
    traced = trace_flat(walk, specs, concrete=False)
    return traced.closed(), tuple(nonzero)


# ---------------------------------------------------------------------------
# rules

@transpose_rule(ew.add_p)
def _add(ct, x, y):
    return [unbroadcast(ct, x.aval.shape) if is_linear(x) else None,
            unbroadcast(ct, y.aval.shape) if is_linear(y) else None]


@transpose_rule(ew.sub_p)
def _sub(ct, x, y):
    return [unbroadcast(ct, x.aval.shape) if is_linear(x) else None,
            unbroadcast(neg(ct), y.aval.shape) if is_linear(y) else None]


@transpose_rule(ew.neg_p)
def _neg(ct, x):
    return [neg(ct)]


@transpose_rule(ew.mul_p)
def _mul(ct, x, y):
    if is_linear(x) and is_linear(y):
        raise NotImplementedError("mul of two linear values is not linear")
    if is_linear(x):
        return [unbroadcast(mul(ct, y), x.aval.shape), None]
    return [None, unbroadcast(mul(x, ct), y.aval.shape)]


@transpose_rule(ew.div_p)
def _div(ct, x, y):
    if is_linear(y):
        raise NotImplementedError("div is linear in its numerator only")
    return [unbroadcast(div(ct, y), x.aval.shape), None]


@transpose_rule(ew.convert_element_type_p)
def _convert(ct, x, *, new_dtype):
    return [lax.convert(ct, x.aval.dtype)]


# Complex parts. A cotangent c stands for the real functional t -> Re(sum(c * t))
# (JAX's convention, no conjugation), so e.g. imag's transpose is c -> -1j * c.

@transpose_rule(ew.real_p)
def _real(ct, x):
    return [bind(ew.complex_p, ct, lax.const(ct, 0))]


@transpose_rule(ew.imag_p)
def _imag(ct, x):
    return [bind(ew.complex_p, lax.const(ct, 0), neg(ct))]


@transpose_rule(ew.conj_p)
def _conj(ct, x):
    if x.aval.dtype.kind == "c":
        return [bind(ew.conj_p, ct)]
    return [lax.convert(bind(ew.real_p, ct), x.aval.dtype)]


@transpose_rule(ew.complex_p)
def _complex(ct, x, y):
    return [unbroadcast(bind(ew.real_p, ct), x.aval.shape) if is_linear(x) else None,
            unbroadcast(neg(bind(ew.imag_p, ct)), y.aval.shape) if is_linear(y) else None]


@transpose_rule(ew.select_n_p)
def _select_n(ct, which, *cases):
    zero = lax.zeros(Aval(lax.shape_of(ct), lax.dtype_of(ct)))
    out = [None]
    for i, c in enumerate(cases):
        if not is_linear(c):
            out.append(None)
            continue
        picked = [zero] * len(cases)
        picked[i] = ct
        out.append(unbroadcast(bind(ew.select_n_p, which, *picked), c.aval.shape))
    return out


@transpose_rule(st.reduce_sum_p)
def _reduce_sum(ct, x, *, axes):
    shape = x.aval.shape
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    return [bind(st.broadcast_in_dim_p, ct, shape=shape, broadcast_dimensions=kept)]


@transpose_rule(st.broadcast_in_dim_p)
def _broadcast_in_dim(ct, x, *, shape, broadcast_dimensions):
    in_shape = x.aval.shape
    bdims = broadcast_dimensions
    axes = [d for d in range(len(shape)) if d not in bdims]
    axes += [d for i, d in enumerate(bdims) if in_shape[i] == 1 and shape[d] != 1]
    return [lax.reshape(lax.reduce_sum(ct, sorted(axes)), in_shape)]


@transpose_rule(st.reshape_p)
def _reshape(ct, x, *, new_sizes):
    return [lax.reshape(ct, x.aval.shape)]


@transpose_rule(st.transpose_p)
def _transpose(ct, x, *, permutation):
    inverse = tuple(int(i) for i in np.argsort(permutation))
    return [bind(st.transpose_p, ct, permutation=inverse)]


@transpose_rule(st.squeeze_p)
def _squeeze(ct, x, *, dimensions):
    return [bind(st.expand_dims_p, ct, dimensions=dimensions)]


@transpose_rule(st.expand_dims_p)
def _expand_dims(ct, x, *, dimensions):
    return [bind(st.squeeze_p, ct, dimensions=dimensions)]


@transpose_rule(st.rev_p)
def _rev(ct, x, *, dimensions):
    return [bind(st.rev_p, ct, dimensions=dimensions)]


@transpose_rule(st.cumsum_p)
def _cumsum(ct, x, *, axis, reverse):
    return [bind(st.cumsum_p, ct, axis=axis, reverse=not reverse)]


@transpose_rule(st.slice_p)
def _slice(ct, x, *, start_indices, limit_indices, strides):
    strides = strides or (1,) * len(start_indices)
    out_shape = lax.shape_of(ct)
    config = []
    for s, st_, n, d in zip(start_indices, strides, out_shape, x.aval.shape):
        used = s + (n - 1) * st_ + 1 if n else s
        config.append((s, d - used, st_ - 1 if n else 0))
    zero = lax.const(ct, 0)
    return [bind(st.pad_p, ct, zero, padding_config=tuple(config))]


@transpose_rule(st.pad_p)
def _pad(ct, x, pv, *, padding_config):
    # The operand's cotangent: undo the edge padding (negative edges were crops,
    # so they pad back with zeros), then take every (interior + 1)-th element.
    unpad = tuple((-lo, -hi, 0) for lo, hi, _ in padding_config)
    t = bind(st.pad_p, ct, lax.const(ct, 0), padding_config=unpad)
    shape = lax.shape_of(t)
    t = bind(st.slice_p, t, start_indices=(0,) * len(shape), limit_indices=shape,
             strides=tuple(i + 1 for _, _, i in padding_config))
    ct_pv = None
    if is_linear(pv):
        # Every output element that is not an operand element is the padding value.
        ct_pv = lax.sub(lax.reduce_sum(ct, range(len(lax.shape_of(ct)))),
                        lax.reduce_sum(t, range(len(shape))))
    return [t if is_linear(x) else None, ct_pv]


@transpose_rule(st.concatenate_p)
def _concatenate(ct, *xs, dimension):
    shape = lax.shape_of(ct)
    out, start = [], 0
    for x in xs:
        n = x.aval.shape[dimension] if is_linear(x) else lax.shape_of(x)[dimension]
        if is_linear(x):
            lo = [0] * len(shape)
            hi = list(shape)
            lo[dimension], hi[dimension] = start, start + n
            out.append(bind(st.slice_p, ct, start_indices=tuple(lo), limit_indices=tuple(hi),
                            strides=None))
        else:
            out.append(None)
        start += n
    return out


@transpose_rule(st.index_take_p)
def _index_take(ct, x, idx, *, axis):
    return [bind(st.index_add_p, lax.zeros(x.aval), idx, ct, axis=axis), None]


@transpose_rule(st.index_add_p)
def _index_add(ct, x, idx, upd, *, axis):
    return [ct if is_linear(x) else None, None,
            bind(st.index_take_p, ct, idx, axis=axis) if is_linear(upd) else None]


@transpose_rule(st.dot_general_p)
def _dot_general(ct, x, y, *, dimension_numbers, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    if is_linear(x) and is_linear(y):
        raise NotImplementedError("dot_general of two linear values is not linear")
    if is_linear(x):
        return [_dot_transpose_lhs(ct, x.aval, y, lc, rc, lb, rb), None]
    return [None, _dot_transpose_lhs(ct, y.aval, x, rc, lc, rb, lb, swap=True)]


def _dot_transpose_lhs(ct, x_aval: Aval, y, lc, rc, lb, rb, swap: bool = False):
    """Cotangent of the operand ``x`` of ``dot_general(x, y)`` (or of ``(y, x)`` when
    ``swap``): contract ``ct`` with ``y`` over y's free axes, then permute to x's
    axis order. Of the two operand orders, the one needing no final transpose is
    used when there is one (``x^T @ ct`` rather than ``(ct^T @ x)^T``)."""
    x_nd = len(x_aval.shape)
    y_nd = len(lax.shape_of(y))
    x_free = [i for i in range(x_nd) if i not in lc and i not in lb]
    y_free = [i for i in range(y_nd) if i not in rc and i not in rb]
    nb = len(lb)
    # ct's axes: batch, then lhs free, then rhs free (of the original product)
    if swap:
        ct_y_free = list(range(nb, nb + len(y_free)))
    else:
        ct_y_free = list(range(nb + len(x_free), nb + len(x_free) + len(y_free)))
    y_contract = [j for j in range(y_nd) if j in rc]
    x_of_y_contract = [lc[list(rc).index(j)] for j in y_contract]
    batch = tuple(range(nb))
    # ct first: result axes are batch, x's free axes, then x's contracted axes
    src_ct_first = list(lb) + x_free + x_of_y_contract
    # y first: batch, x's contracted axes (y's order), then x's free axes
    src_y_first = list(lb) + x_of_y_contract + x_free
    if src_y_first == list(range(x_nd)) and src_ct_first != list(range(x_nd)):
        dn = ((tuple(y_free), tuple(ct_y_free)), (tuple(rb), batch))
        return bind(st.dot_general_p, y, ct, dimension_numbers=dn,
                    preferred_element_type=None)
    dn = ((tuple(ct_y_free), tuple(y_free)), (batch, tuple(rb)))
    out = bind(st.dot_general_p, ct, y, dimension_numbers=dn, preferred_element_type=None)
    perm = tuple(src_ct_first.index(i) for i in range(x_nd))
    if perm != tuple(range(x_nd)):
        out = bind(st.transpose_p, out, permutation=perm)
    return out
