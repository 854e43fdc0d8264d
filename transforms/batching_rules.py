"""Batching rules for every primitive, one table (``batching.batch_rules``).

Elementwise primitives keep the batch axis where it is (moving it only when NumPy
broadcasting would misalign it); reductions and shape primitives shift their axis
parameters past it; ``dot_general`` turns it into a batch dimension when both
operands carry one and into a free dimension when only one does (no copy, no
transpose); indexing folds it into the indexed axis when the indices are batched.
The custom-derivative primitives batch the programs they hold, so a batched
``custom_vjp`` function keeps its rule.
"""

from __future__ import annotations

import numpy as np

from ..tracer import prims_elementwise as ew
from ..tracer import prims_structural as st
from ..tracer.ops import dtype_of, shape_of
from ..tracer.primitive import bind
from .batching import axis_size, batch_at, batch_ir, batch_rule, broadcast_batch, moveaxis
from .custom import custom_jvp_call_p, custom_lin_p, custom_vjp_call_p


def _shift(axes, d: int) -> tuple:
    """Per-example axes as axes of the batched operand (batch axis at ``d``)."""
    return tuple(a + (a >= d) for a in axes)


# ---------------------------------------------------------------------------
# elementwise

def _unary(prim):
    def rule(args, dims, **params):
        return bind(prim, args[0], **params), dims[0]
    return rule


for _p in [*ew.unary_prims.values(), ew.is_finite_p, ew.not_p, ew.integer_pow_p,
           ew.real_p, ew.imag_p, ew.conj_p, ew.convert_element_type_p]:
    batch_rule(_p)(_unary(_p))


def align_broadcast(args, dims) -> tuple[list, int]:
    """Operands of a NumPy-broadcasting primitive arranged so that broadcasting
    lines their batch axes up; returns them and the result's batch axis.

    When every batched operand has the full rank and the same batch axis ``d`` and
    no unbatched operand reaches axis ``d`` (trailing alignment), nothing moves.
    Otherwise batched operands get their batch axis first (and size-1 axes up to
    the full rank).
    """
    ranks = [len(shape_of(a)) - (d is not None) for a, d in zip(args, dims)]
    r = max(ranks)
    batched = {d for d in dims if d is not None}
    if len(batched) == 1:
        (d,) = batched
        if all(k == r if dd is not None else k <= r - d for k, dd in zip(ranks, dims)):
            return list(args), d
    out = []
    for a, d, k in zip(args, dims, ranks):
        if d is not None:
            a = moveaxis(a, d, 0)
            if k < r:
                a = bind(st.expand_dims_p, a, dimensions=tuple(range(1, 1 + r - k)))
        out.append(a)
    return out, 0


def _broadcasting(prim):
    def rule(args, dims, **params):
        args, d = align_broadcast(args, dims)
        return bind(prim, *args, **params), d
    return rule


for _p in [*ew.binary_prims.values(), *ew.compare_prims.values(), ew.select_n_p,
           ew.complex_p]:
    batch_rule(_p)(_broadcasting(_p))


# ---------------------------------------------------------------------------
# reductions and scans

def _reduce(prim):
    def rule(args, dims, *, axes, **params):
        d = dims[0]
        axes = _shift(axes, d)
        return bind(prim, args[0], axes=axes, **params), d - sum(a < d for a in axes)
    return rule


for _p in (st.reduce_sum_p, st.reduce_max_p, st.reduce_min_p, st.reduce_prod_p,
           st.reduce_and_p, st.reduce_or_p, st.argmax_p, st.argmin_p):
    batch_rule(_p)(_reduce(_p))


@batch_rule(st.cumsum_p)
def _cumsum(args, dims, *, axis, reverse):
    d = dims[0]
    return bind(st.cumsum_p, args[0], axis=axis + (axis >= d), reverse=reverse), d


# ---------------------------------------------------------------------------
# shapes

@batch_rule(st.broadcast_in_dim_p)
def _broadcast_in_dim(args, dims, *, shape, broadcast_dimensions):
    # The batch axis goes right after the output axis of the operand axis before it,
    # which keeps broadcast_dimensions increasing without moving the operand.
    (x,), (d,) = args, dims
    bd = broadcast_dimensions
    q = bd[d - 1] + 1 if d > 0 else 0
    new_bd = bd[:d] + (q,) + tuple(b + 1 for b in bd[d:])
    size = shape_of(x)[d]
    out = bind(st.broadcast_in_dim_p, x, shape=tuple(shape[:q]) + (size,) + tuple(shape[q:]),
               broadcast_dimensions=new_bd)
    return out, q


@batch_rule(st.reshape_p)
def _reshape(args, dims, *, new_sizes):
    (x,), (d,) = args, dims
    size = shape_of(x)[d]
    x = moveaxis(x, d, 0)
    return bind(st.reshape_p, x, new_sizes=(size,) + tuple(new_sizes)), 0


@batch_rule(st.transpose_p)
def _transpose(args, dims, *, permutation):
    (x,), (d,) = args, dims
    perm = list(_shift(permutation, d))
    perm.insert(d, d)  # the batch axis stays where it is
    return bind(st.transpose_p, x, permutation=tuple(perm)), d


@batch_rule(st.squeeze_p)
def _squeeze(args, dims, *, dimensions):
    (x,), (d,) = args, dims
    dimensions = _shift(dimensions, d)
    return (bind(st.squeeze_p, x, dimensions=dimensions),
            d - sum(a < d for a in dimensions))


@batch_rule(st.expand_dims_p)
def _expand_dims(args, dims, *, dimensions):
    # The batch axis lands right after the output position of the operand axis
    # before it; inserted axes at or after that position move one further.
    (x,), (d,) = args, dims
    n_out = len(shape_of(x)) - 1 + len(dimensions)
    kept = [i for i in range(n_out) if i not in dimensions]
    q = kept[d - 1] + 1 if d > 0 else 0
    return bind(st.expand_dims_p, x, dimensions=tuple(a + (a >= q) for a in dimensions)), q


@batch_rule(st.rev_p)
def _rev(args, dims, *, dimensions):
    d = dims[0]
    return bind(st.rev_p, args[0], dimensions=_shift(dimensions, d)), d


@batch_rule(st.concatenate_p)
def _concatenate(args, dims, *, dimension):
    batched = {d for d in dims if d is not None}
    t = batched.pop() if len(batched) == 1 else 0
    size = axis_size(args, dims)
    xs = [batch_at(x, d, size, t) for x, d in zip(args, dims)]
    return bind(st.concatenate_p, *xs, dimension=dimension + (dimension >= t)), t


@batch_rule(st.pad_p)
def _pad(args, dims, *, padding_config):
    (x, value), (d, vd) = args, dims
    if vd is None:
        config = padding_config[:d] + ((0, 0, 0),) + padding_config[d:]
        return bind(st.pad_p, x, value, padding_config=config), d
    # A batched padding value: pad with zero, then select the padding per example.
    size = axis_size(args, dims)
    example = tuple(shape_of(x))
    if d is not None:
        example = example[:d] + example[d + 1:]
    x = batch_at(x, d, size, 0)
    zero = np.zeros((), dtype_of(x))[()]
    padded = bind(st.pad_p, x, zero, padding_config=((0, 0, 0),) + padding_config)
    inside = st.pad_p.impl(np.ones(example, np.bool_), np.False_,
                           padding_config=padding_config)  # a constant mask
    fill = bind(st.broadcast_in_dim_p, value, shape=shape_of(padded),
                broadcast_dimensions=(0,))
    return bind(ew.select_n_p, inside, fill, padded), 0


@batch_rule(st.slice_p)
def _slice(args, dims, *, start_indices, limit_indices, strides):
    (x,), (d,) = args, dims
    size = shape_of(x)[d]
    start = start_indices[:d] + (0,) + start_indices[d:]
    limit = limit_indices[:d] + (size,) + limit_indices[d:]
    if strides:
        strides = strides[:d] + (1,) + strides[d:]
    return bind(st.slice_p, x, start_indices=start, limit_indices=limit, strides=strides), d


# ---------------------------------------------------------------------------
# contraction

@batch_rule(st.dot_general_p)
def _dot_general(args, dims, *, dimension_numbers, **params):
    (lhs, rhs), (ld, rd) = args, dims
    (lc, rc), (lb, rb) = dimension_numbers
    if ld is not None and rd is not None:
        # a new leading batch dimension of the product
        dn = ((_shift(lc, ld), _shift(rc, rd)), ((ld,) + _shift(lb, ld), (rd,) + _shift(rb, rd)))
        out_d = 0
    elif ld is not None:
        # a free dimension of the lhs: the output's free lhs dims follow the batch dims
        lc, lb = _shift(lc, ld), _shift(lb, ld)
        dn = ((lc, rc), (lb, rb))
        free = [i for i in range(len(shape_of(lhs))) if i not in lc and i not in lb]
        out_d = len(lb) + free.index(ld)
    else:
        rc, rb = _shift(rc, rd), _shift(rb, rd)
        dn = ((lc, rc), (lb, rb))
        n_lfree = len(shape_of(lhs)) - len(lc) - len(lb)
        free = [i for i in range(len(shape_of(rhs))) if i not in rc and i not in rb]
        out_d = len(lb) + n_lfree + free.index(rd)
    return bind(st.dot_general_p, lhs, rhs, dimension_numbers=dn, **params), out_d


# ---------------------------------------------------------------------------
# integer-array indexing

def _flat_indices(idx, d: int, size: int, n: int):
    """Batched indices into an axis of length ``n`` as indices into the batch axis
    and that axis merged (length ``size * n``): ``idx[b] + b * n``, batch axis first."""
    idx = moveaxis(idx, d, 0)
    dtype = dtype_of(idx)
    if dtype.kind != "u":  # wrap negative indices first, as np.take does
        neg = bind(ew.lt_p, idx, np.zeros((), dtype)[()])
        idx = bind(ew.select_n_p, neg, idx, bind(ew.add_p, idx, np.asarray(n, dtype)[()]))
    nd = len(shape_of(idx))
    offsets = (np.arange(size) * n).astype(dtype).reshape((size,) + (1,) * (nd - 1))
    return bind(ew.add_p, idx, offsets)


def _merge(x, axis: int):
    """Merge axes ``axis`` and ``axis + 1`` of ``x``."""
    s = tuple(shape_of(x))
    return bind(st.reshape_p, x, new_sizes=s[:axis] + (s[axis] * s[axis + 1],) + s[axis + 2:])


@batch_rule(st.index_take_p)
def _index_take(args, dims, *, axis):
    (x, idx), (xd, id_) = args, dims
    if id_ is None:
        if xd <= axis:
            return bind(st.index_take_p, x, idx, axis=axis + 1), xd
        return bind(st.index_take_p, x, idx, axis=axis), xd + len(shape_of(idx)) - 1
    if xd is None:
        return bind(st.index_take_p, x, idx, axis=axis), axis + id_
    # both batched: take from the batch axis and the indexed axis merged
    size = shape_of(x)[xd]
    x = moveaxis(x, xd, axis)
    n = shape_of(x)[axis + 1]
    flat = _flat_indices(idx, id_, size, n)
    return bind(st.index_take_p, _merge(x, axis), flat, axis=axis), axis


@batch_rule(st.index_add_p)
def _index_add(args, dims, *, axis):
    (x, idx, upd), (xd, id_, ud) = args, dims
    size = axis_size(args, dims)
    k = len(shape_of(idx)) - (id_ is not None)  # per-example index rank
    if id_ is None:
        # line the batch axes of the operand and the updates up (updates have the
        # index's axes where the operand has the indexed axis)
        if ud is None:
            ud = xd if xd <= axis else xd + k - 1
            upd = broadcast_batch(upd, size, ud)
        elif axis < ud < axis + k:
            upd, ud = moveaxis(upd, ud, axis), axis
        xt = ud if ud <= axis else ud - k + 1
        x = batch_at(x, xd, size, xt)
        return bind(st.index_add_p, x, idx, upd, axis=axis + (xt <= axis)), xt
    # batched indices: add into the batch axis and the indexed axis merged
    x = batch_at(x, xd, size, axis)
    s = tuple(shape_of(x))
    upd = batch_at(upd, ud, size, axis)
    flat = _flat_indices(idx, id_, size, s[axis + 1])
    out = bind(st.index_add_p, _merge(x, axis), flat, upd, axis=axis)
    return bind(st.reshape_p, out, new_sizes=s), axis


# ---------------------------------------------------------------------------
# custom derivatives: batch the programs they hold (batch axes first everywhere)

def _all_first(args, dims):
    size = axis_size(args, dims)
    return size, [batch_at(a, d, size, 0) for a, d in zip(args, dims)]


def _first(closed, size):
    """``closed`` batched with every input and output's batch axis first."""
    ir = closed.ir
    return batch_ir(closed, (0,) * len(ir.in_vars), size, (0,) * len(ir.out_vars))[0]


@batch_rule(custom_vjp_call_p)
def _custom_vjp_call(args, dims, *, call, fwd, bwd, num_res):
    size, args = _all_first(args, dims)
    outs = bind(custom_vjp_call_p, *args, call=_first(call, size), fwd=_first(fwd, size),
                bwd=_first(bwd, size), num_res=num_res)
    return outs, [0] * len(outs)


@batch_rule(custom_lin_p)
def _custom_vjp_call_lin(args, dims, *, call, bwd, num_res):
    size, args = _all_first(args, dims)
    outs = bind(custom_lin_p, *args, call=_first(call, size), bwd=_first(bwd, size),
                num_res=num_res)
    return outs, [0] * len(outs)


@batch_rule(custom_jvp_call_p)
def _custom_jvp_call(args, dims, *, call, jvp):
    size, args = _all_first(args, dims)
    outs = bind(custom_jvp_call_p, *args, call=_first(call, size), jvp=_first(jvp, size))
    return outs, [0] * len(outs)
