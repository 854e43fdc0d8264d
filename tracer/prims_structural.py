"""Reductions, shape primitives, contraction and indexing: impl and abstract eval."""

from __future__ import annotations

import numpy as np

from .ir import Aval
from .primitive import Primitive


def _axes_ok(name: str, aval: Aval, axes: tuple) -> None:
    if any(not 0 <= a < aval.ndim for a in axes) or len(set(axes)) != len(axes):
        raise ValueError(f"{name}: invalid axes {axes} for an array of shape {aval.shape}")


# ---------------------------------------------------------------------------
# reductions

def _def_reduce(name, fn, out_dtype=None):
    p = Primitive(name)
    p.def_impl(lambda x, *, axes: fn(x, axis=axes)[()] if axes else x)

    def abstract(x, *, axes):
        _axes_ok(name, x, axes)
        if name in ("reduce_max", "reduce_min"):
            for a in axes:
                if x.shape[a] == 0:
                    raise ValueError(f"{name} of an empty axis {a} (shape {x.shape}) "
                                     "has no identity; pass an initial value instead.")
        shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
        return Aval(shape, out_dtype or x.dtype)

    p.def_abstract_eval(abstract)
    return p


# ufunc.reduce directly: np.sum and friends add a Python wrapper (~1 us a call).
reduce_sum_p = _def_reduce("reduce_sum", np.add.reduce)
reduce_max_p = _def_reduce("reduce_max", np.maximum.reduce)
reduce_min_p = _def_reduce("reduce_min", np.minimum.reduce)
reduce_prod_p = _def_reduce("reduce_prod", np.multiply.reduce)
reduce_and_p = _def_reduce("reduce_and", np.logical_and.reduce, np.dtype(np.bool_))
reduce_or_p = _def_reduce("reduce_or", np.logical_or.reduce, np.dtype(np.bool_))


def _def_arg_reduce(name, fn):
    p = Primitive(name)
    p.def_impl(lambda x, *, axes, index_dtype: fn(x, axis=axes[0]).astype(index_dtype)[()])

    def abstract(x, *, axes, index_dtype):
        _axes_ok(name, x, axes)
        if len(axes) != 1:
            raise ValueError(f"{name} takes exactly one axis, got {axes}")
        return Aval(tuple(d for i, d in enumerate(x.shape) if i != axes[0]), index_dtype)

    p.def_abstract_eval(abstract)
    return p


argmax_p = _def_arg_reduce("argmax", np.argmax)
argmin_p = _def_arg_reduce("argmin", np.argmin)

cumsum_p = Primitive("cumsum")


@cumsum_p.def_impl
def _cumsum_impl(x, *, axis, reverse):
    if reverse:
        return np.flip(np.cumsum(np.flip(x, axis), axis=axis), axis)
    return np.cumsum(x, axis=axis)


@cumsum_p.def_abstract_eval
def _cumsum_abstract(x, *, axis, reverse):
    _axes_ok("cumsum", x, (axis,))
    return x


# ---------------------------------------------------------------------------
# shapes

broadcast_in_dim_p = Primitive("broadcast_in_dim")


@broadcast_in_dim_p.def_impl
def _broadcast_in_dim_impl(x, *, shape, broadcast_dimensions):
    x = np.asarray(x)
    expanded = [1] * len(shape)
    for src, dst in enumerate(broadcast_dimensions):
        expanded[dst] = x.shape[src]
    return np.broadcast_to(x.reshape(expanded), shape)


@broadcast_in_dim_p.def_abstract_eval
def _broadcast_in_dim_abstract(x, *, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim or any(
            x.shape[i] not in (1, shape[d]) for i, d in enumerate(broadcast_dimensions)):
        raise ValueError(f"broadcast_in_dim cannot broadcast shape {x.shape} to {shape} "
                         f"with broadcast_dimensions={broadcast_dimensions}")
    return Aval(shape, x.dtype)


reshape_p = Primitive("reshape")
reshape_p.def_impl(lambda x, *, new_sizes: np.reshape(x, new_sizes))


@reshape_p.def_abstract_eval
def _reshape_abstract(x, *, new_sizes):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise ValueError(f"cannot reshape an array of shape {x.shape} (size {x.size}) "
                         f"into shape {new_sizes}")
    return Aval(new_sizes, x.dtype)


transpose_p = Primitive("transpose")
transpose_p.def_impl(lambda x, *, permutation: np.transpose(x, permutation))


@transpose_p.def_abstract_eval
def _transpose_abstract(x, *, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise ValueError(f"transpose permutation {permutation} is not a permutation of "
                         f"the {x.ndim} axes of shape {x.shape}")
    return Aval(tuple(x.shape[p] for p in permutation), x.dtype)


squeeze_p = Primitive("squeeze")
squeeze_p.def_impl(lambda x, *, dimensions: np.squeeze(x, dimensions)[()])


@squeeze_p.def_abstract_eval
def _squeeze_abstract(x, *, dimensions):
    _axes_ok("squeeze", x, dimensions)
    if any(x.shape[d] != 1 for d in dimensions):
        raise ValueError(f"squeeze dimensions {dimensions} of shape {x.shape} are not 1")
    return Aval(tuple(d for i, d in enumerate(x.shape) if i not in dimensions), x.dtype)


expand_dims_p = Primitive("expand_dims")
expand_dims_p.def_impl(lambda x, *, dimensions: np.expand_dims(x, dimensions))


@expand_dims_p.def_abstract_eval
def _expand_dims_abstract(x, *, dimensions):
    ndim = x.ndim + len(dimensions)
    if any(not 0 <= d < ndim for d in dimensions) or len(set(dimensions)) != len(dimensions):
        raise ValueError(f"expand_dims: invalid dimensions {dimensions} for shape {x.shape}")
    it = iter(x.shape)
    return Aval(tuple(1 if i in dimensions else next(it) for i in range(ndim)), x.dtype)


rev_p = Primitive("rev")
rev_p.def_impl(lambda x, *, dimensions: np.flip(x, dimensions) if dimensions else x)


@rev_p.def_abstract_eval
def _rev_abstract(x, *, dimensions):
    _axes_ok("rev", x, dimensions)
    return x


concatenate_p = Primitive("concatenate")
concatenate_p.def_impl(lambda *xs, dimension: np.concatenate(xs, axis=dimension))


@concatenate_p.def_abstract_eval
def _concatenate_abstract(*xs, dimension):
    if not xs:
        raise ValueError("concatenate needs at least one array")
    first = xs[0]
    if not 0 <= dimension < first.ndim:
        raise ValueError(f"concatenate dimension {dimension} out of range for {first.shape}")
    for x in xs:
        if (x.ndim != first.ndim or x.dtype != first.dtype or any(
                a != b for i, (a, b) in enumerate(zip(x.shape, first.shape))
                if i != dimension)):
            raise ValueError("concatenate needs equal dtypes and equal shapes except along "
                             f"dimension {dimension}, got {', '.join(map(str, xs))}")
    shape = list(first.shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return Aval(shape, first.dtype)


pad_p = Primitive("pad")


@pad_p.def_impl
def _pad_impl(x, padding_value, *, padding_config):
    x = np.asarray(x)
    # interior padding first, then edges (negative edges crop)
    shape = [d + max(d - 1, 0) * interior for d, (_, _, interior) in
             zip(x.shape, padding_config)]
    inner = np.full(shape, padding_value, dtype=x.dtype)
    inner[tuple(slice(None, None, interior + 1) for _, _, interior in padding_config)] = x
    pads = [(max(lo, 0), max(hi, 0)) for lo, hi, _ in padding_config]
    out = np.pad(inner, pads, constant_values=padding_value)
    crop = tuple(slice(-min(lo, 0), out.shape[i] + min(hi, 0))
                 for i, (lo, hi, _) in enumerate(padding_config))
    return out[crop]


@pad_p.def_abstract_eval
def _pad_abstract(x, padding_value, *, padding_config):
    if len(padding_config) != x.ndim or padding_value.shape != ():
        raise ValueError(f"pad needs one (low, high, interior) per axis of {x.shape} and "
                         f"a scalar padding value, got {padding_config}")
    shape = [lo + hi + d + max(d - 1, 0) * interior
             for d, (lo, hi, interior) in zip(x.shape, padding_config)]
    if any(s < 0 for s in shape):
        raise ValueError(f"pad config {padding_config} gives negative size for {x.shape}")
    return Aval(shape, x.dtype)


slice_p = Primitive("slice")


@slice_p.def_impl
def _slice_impl(x, *, start_indices, limit_indices, strides):
    strides = strides or (1,) * len(start_indices)
    return np.asarray(x)[tuple(slice(s, e, st) for s, e, st in
                               zip(start_indices, limit_indices, strides))]


@slice_p.def_abstract_eval
def _slice_abstract(x, *, start_indices, limit_indices, strides):
    strides = strides or (1,) * len(start_indices)
    if not (len(start_indices) == len(limit_indices) == len(strides) == x.ndim) or any(
            not (0 <= s <= e <= d) or st < 1
            for s, e, st, d in zip(start_indices, limit_indices, strides, x.shape)):
        raise ValueError(f"slice start={start_indices} limit={limit_indices} "
                         f"strides={strides} does not fit shape {x.shape}")
    return Aval([(e - s + st - 1) // st for s, e, st in
                 zip(start_indices, limit_indices, strides)], x.dtype)


# ---------------------------------------------------------------------------
# contraction

dot_general_p = Primitive("dot_general")


def _dot_general_impl(lhs, rhs, *, dimension_numbers, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    if not lb and lhs.ndim <= 2 and rhs.ndim <= 2:
        # The common matmul / matvec / dot cases go straight to BLAS.
        if len(lc) == 1 and lhs.ndim >= 1 and rhs.ndim >= 1:
            # one contracted axis: a (transposed) view into matmul, no copies
            a = lhs if lc[0] == lhs.ndim - 1 else lhs.T
            b = rhs if rc[0] == 0 else rhs.T
            return np.matmul(a, b)[()]
        if not lc:
            return np.multiply.outer(lhs, rhs)
    lfree = [i for i in range(lhs.ndim) if i not in lc and i not in lb]
    rfree = [i for i in range(rhs.ndim) if i not in rc and i not in rb]
    batch = [lhs.shape[i] for i in lb]
    csize = int(np.prod([lhs.shape[i] for i in lc], dtype=np.int64))
    lf = [lhs.shape[i] for i in lfree]
    rf = [rhs.shape[i] for i in rfree]
    a = np.transpose(lhs, list(lb) + lfree + list(lc)).reshape(
        batch + [int(np.prod(lf, dtype=np.int64)), csize])
    b = np.transpose(rhs, list(rb) + list(rc) + rfree).reshape(
        batch + [csize, int(np.prod(rf, dtype=np.int64))])
    return np.matmul(a, b).reshape(batch + lf + rf)[()]


dot_general_p.def_impl(_dot_general_impl)


@dot_general_p.def_abstract_eval
def _dot_general_abstract(lhs, rhs, *, dimension_numbers, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"dot_general requires one dtype, got {lhs} and {rhs}")
    if (len(lc) != len(rc) or len(lb) != len(rb)
            or any(lhs.shape[i] != rhs.shape[j] for i, j in zip(lc, rc))
            or any(lhs.shape[i] != rhs.shape[j] for i, j in zip(lb, rb))):
        raise ValueError(f"dot_general: contracting or batch dimensions do not match for "
                         f"shapes {lhs.shape} and {rhs.shape} with "
                         f"dimension_numbers={dimension_numbers}")
    lfree = [d for i, d in enumerate(lhs.shape) if i not in lc and i not in lb]
    rfree = [d for i, d in enumerate(rhs.shape) if i not in rc and i not in rb]
    return Aval([lhs.shape[i] for i in lb] + lfree + rfree, lhs.dtype)


# ---------------------------------------------------------------------------
# integer-array indexing: take along one axis, and its transpose

index_take_p = Primitive("index_take")
index_take_p.def_impl(lambda x, idx, *, axis: np.take(x, idx, axis=axis))


@index_take_p.def_abstract_eval
def _index_take_abstract(x, idx, *, axis):
    _axes_ok("index_take", x, (axis,))
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"index_take indices must be integers, got {idx}")
    return Aval(x.shape[:axis] + idx.shape + x.shape[axis + 1:], x.dtype)


index_add_p = Primitive("index_add")


@index_add_p.def_impl
def _index_add_impl(x, idx, updates, *, axis):
    out = np.array(x, copy=True)
    np.add.at(out, (slice(None),) * axis + (idx,), updates)
    return out


@index_add_p.def_abstract_eval
def _index_add_abstract(x, idx, updates, *, axis):
    _axes_ok("index_add", x, (axis,))
    expected = x.shape[:axis] + idx.shape + x.shape[axis + 1:]
    if updates.shape != expected or updates.dtype != x.dtype:
        raise ValueError(f"index_add updates must be {Aval(expected, x.dtype)}, "
                         f"got {updates}")
    return x
