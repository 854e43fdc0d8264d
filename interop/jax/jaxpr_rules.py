"""JAX primitive -> tracegrad rules used by ``from_jax``: one entry per JAX primitive.

A rule takes tracegrad values (tracers, or NumPy constants) and the JAX equation's
params, and binds tracegrad primitives. Call-like primitives (``CALL_PRIMS``) have no
rule: ``fromjax`` inlines their bodies.

>>> JAX_RULES["sin"](np.float64(0.5))        # eager: NumPy  # doctest: +SKIP
0.479425538604203
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...tracer import ops
from ...tracer.primitive import bind, registry
from ...tracer.trace import Tracer

# ---------------------------------------------------------------------------------
# rules: JAX primitive name -> rule(*tracegrad values, **jax params)


def _same(name: str) -> Callable:
    """A JAX primitive that is ours under the same name; JAX-only params (accuracy,
    out_dtype, sharding) are dropped."""
    prim = registry[name]
    return lambda *xs, **_: bind(prim, *xs)


def _keep(name: str, *keys: str) -> Callable:
    """Same name, keeping the params ``keys`` (tuples stay tuples)."""
    prim = registry[name]
    return lambda *xs, **p: bind(prim, *xs, **{k: p[k] for k in keys})


def _dtype(x: Any) -> np.dtype:
    return x.dtype if isinstance(x, Tracer) else np.asarray(x).dtype


def _shape(x: Any) -> tuple:
    return x.shape if isinstance(x, Tracer) else np.shape(x)


def _convert(x, *, new_dtype, **_):
    return x if _dtype(x) == np.dtype(new_dtype) else bind(
        registry["convert_element_type"], x, new_dtype=np.dtype(new_dtype))


def _pow(x, y, **_):
    return bind(registry["pow"], x, _convert(y, new_dtype=_dtype(x)))


def _round(x, *, rounding_method=0, **_):
    if int(rounding_method) == 1:  # TO_NEAREST_EVEN, as NumPy
        return bind(registry["round"], x)
    # AWAY_FROM_ZERO: sign(x) * floor(|x| + 1/2)
    half = np.asarray(0.5, _dtype(x))[()]
    return ops.multiply(ops.sign(x), ops.floor(ops.add(ops.absolute(x), half)))


def _reshape(x, *, new_sizes, dimensions=None, **_):
    if dimensions is not None:
        x = bind(registry["transpose"], x, permutation=tuple(dimensions))
    return bind(registry["reshape"], x, new_sizes=tuple(new_sizes))


def _dot_general(x, y, *, dimension_numbers, preferred_element_type=None, **_):
    # tracegrad's dot_general takes one dtype; JAX's preferred_element_type is the
    # output dtype: convert first.
    out = np.dtype(preferred_element_type) if preferred_element_type is not None else None
    if out is not None:
        x, y = _convert(x, new_dtype=out), _convert(y, new_dtype=out)
    (lc, rc), (lb, rb) = dimension_numbers
    dn = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    return bind(registry["dot_general"], x, y, dimension_numbers=dn,
                preferred_element_type=None)


def _iota(*, dtype, shape, dimension, **_):
    # A constant: it enters the IR as a constant array.
    shape = tuple(shape)
    expanded = [1] * len(shape)
    expanded[dimension] = shape[dimension]
    ramp = np.arange(shape[dimension]).reshape(expanded)
    return np.ascontiguousarray(np.broadcast_to(ramp, shape)).astype(dtype)


def _broadcast_in_dim(x, *, shape, broadcast_dimensions, **_):
    shape, dims = tuple(shape), tuple(broadcast_dimensions)
    in_shape = _shape(x)
    if len(shape) > len(in_shape) and tuple(shape[d] for d in dims) == in_shape and all(
            shape[d] == 1 for d in range(len(shape)) if d not in dims):
        # Only inserts size-1 axes (how lax.expand_dims appears in a jaxpr).
        new = tuple(d for d in range(len(shape)) if d not in dims)
        return bind(registry["expand_dims"], x, dimensions=new)
    return bind(registry["broadcast_in_dim"], x, shape=shape, broadcast_dimensions=dims)


def _split(x, *, sizes, axis, **_):
    outs, start = [], 0
    shape = _shape(x)
    for size in sizes:
        lo = [0] * len(shape)
        hi = list(shape)
        lo[axis], hi[axis] = start, start + int(size)
        outs.append(bind(registry["slice"], x, start_indices=tuple(lo),
                         limit_indices=tuple(hi), strides=None))
        start += int(size)
    return outs


def _stack(*xs, axis, **_):
    parts = [bind(registry["expand_dims"], x, dimensions=(axis,)) for x in xs]
    return bind(registry["concatenate"], *parts, dimension=axis)


def _unstack(x, *, axis, **_):
    shape = _shape(x)
    outs = []
    for k in range(shape[axis]):
        lo, hi = [0] * len(shape), list(shape)
        lo[axis], hi[axis] = k, k + 1
        part = bind(registry["slice"], x, start_indices=tuple(lo), limit_indices=tuple(hi),
                    strides=None)
        outs.append(bind(registry["squeeze"], part, dimensions=(axis,)))
    return outs


def _clamp(lo, x, hi, **_):
    return bind(registry["min"], bind(registry["max"], x, lo), hi)


def _exp2(x, **_):
    return bind(registry["exp"], ops.multiply(x, np.asarray(np.log(2.0), _dtype(x))[()]))


def _cbrt(x, **_):
    third = np.asarray(1.0 / 3.0, _dtype(x))[()]
    return ops.multiply(ops.sign(x), bind(registry["pow"], ops.absolute(x), third))


def _erfc(x, **_):
    return ops.subtract(np.asarray(1.0, _dtype(x))[()], bind(registry["erf"], x))


def _square(x, **_):
    return bind(registry["integer_pow"], x, y=2)


def _identity(*xs, **_):
    return xs[0]


def _identity_many(*xs, **_):
    return list(xs)


def _dynamic_slice(x, *starts, slice_sizes, **_):
    if any(isinstance(s, Tracer) for s in starts):
        raise NotImplementedError(
            "from_jax: dynamic_slice with traced start indices is not supported (tracegrad "
            "has no dynamic slicing primitive); use static indices in the JAX function.")
    shape = _shape(x)
    # JAX clamps start indices so the slice fits.
    lo = [min(max(int(s), 0), d - n) for s, d, n in zip(starts, shape, slice_sizes)]
    hi = [s + n for s, n in zip(lo, slice_sizes)]
    return bind(registry["slice"], x, start_indices=tuple(lo), limit_indices=tuple(hi),
                strides=None)


def _take_axis(operand_ndim: int, index_map, collapsed, batching) -> int | None:
    if batching or len(index_map) != 1 or tuple(collapsed) != tuple(index_map):
        return None
    axis = int(index_map[0])
    return axis if 0 <= axis < operand_ndim else None


def _gather_axes(dn, shape, ishape, slice_sizes) -> tuple[int, ...] | None:
    """The operand axes a gather indexes, if it takes whole slices (no windows)."""
    axes = tuple(int(a) for a in dn.start_index_map)
    if (dn.operand_batching_dims or not axes or not ishape or ishape[-1] != len(axes)
            or sorted(int(c) for c in dn.collapsed_slice_dims) != sorted(axes)
            or tuple(slice_sizes) != tuple(1 if d in axes else n
                                           for d, n in enumerate(shape))):
        return None
    return axes


def _gather(x, idx, *, dimension_numbers, slice_sizes, **_):
    """Gathers of whole slices (``x[idx]``, ``jnp.take``, ``x[rows, cols]``) -> index_take.

    Several indexed axes are moved to the front and flattened into one, indexed by
    the row-major linear index.
    """
    dn = dimension_numbers
    shape, ishape = _shape(x), _shape(idx)
    axes = _gather_axes(dn, shape, ishape, slice_sizes)
    if axes is None:
        raise NotImplementedError(
            "from_jax: only gathers of whole slices (x[int_array], jnp.take, "
            f"x[rows, cols]) are supported; got gather with {dn} slice_sizes={slice_sizes} "
            f"on shapes {shape} and {ishape}")
    nb = len(ishape) - 1
    rest = [d for d in range(len(shape)) if d not in axes]
    if len(axes) == 1:
        axis = axes[0]
        lin = bind(registry["squeeze"], idx, dimensions=(nb,))
        lead = sum(1 for d in rest if d < axis)   # x dims before the index dims
    else:
        perm = axes + tuple(rest)
        if perm != tuple(range(len(shape))):
            x = bind(registry["transpose"], x, permutation=perm)
        size = int(np.prod([shape[a] for a in axes], dtype=np.int64))
        x = bind(registry["reshape"], x, new_sizes=(size,) + tuple(shape[d] for d in rest))
        lin, stride = None, 1
        for m in reversed(range(len(axes))):
            lo, hi = [0] * len(ishape), list(ishape)
            lo[-1], hi[-1] = m, m + 1
            part = bind(registry["squeeze"], bind(
                registry["slice"], idx, start_indices=tuple(lo), limit_indices=tuple(hi),
                strides=None), dimensions=(nb,))
            term = part if stride == 1 else ops.multiply(
                part, np.asarray(stride, _dtype(idx))[()])
            lin = term if lin is None else ops.add(lin, term)
            stride *= shape[axes[m]]
        axis, lead = 0, 0
    out = bind(registry["index_take"], x, lin, axis=axis)
    # take's layout: `lead` x dims, the index dims, the other x dims; gather puts the x
    # dims at offset_dims and the index dims elsewhere, in order.
    take_pos_of_rest = [j if j < lead else j + nb for j in range(len(rest))]
    offset = list(dn.offset_dims)
    batch = iter(range(lead, lead + nb))
    perm = tuple(take_pos_of_rest[offset.index(p)] if p in offset else next(batch)
                 for p in range(len(rest) + nb))
    if perm != tuple(range(len(perm))):
        out = bind(registry["transpose"], out, permutation=perm)
    return out


def _scatter_add(x, idx, updates, *, dimension_numbers, **_):
    """The transpose of ``_gather``'s pattern -> index_add."""
    dn = dimension_numbers
    shape, ishape, ushape = _shape(x), _shape(idx), _shape(updates)
    axis = _take_axis(len(shape), dn.scatter_dims_to_operand_dims, dn.inserted_window_dims,
                      dn.operand_batching_dims)
    window = list(dn.update_window_dims)
    rest = [d for d in range(len(shape)) if d != axis]
    if (axis is None or not ishape or ishape[-1] != 1 or len(window) != len(rest)
            or any(ushape[w] != shape[d] for w, d in zip(window, rest))):
        raise NotImplementedError(
            "from_jax: only scatter-adds of whole slices along one axis (x.at[idx].add) "
            f"are supported; got {dn} on shapes {shape}, {ishape}, {ushape}")
    nb = len(ishape) - 1
    batch_pos = [p for p in range(len(ushape)) if p not in window]
    perm = tuple(window[q] if q < axis else batch_pos[q - axis] if q < axis + nb
                 else window[q - nb] for q in range(len(ushape)))
    if perm != tuple(range(len(perm))):
        updates = bind(registry["transpose"], updates, permutation=perm)
    idx = bind(registry["squeeze"], idx, dimensions=(len(ishape) - 1,))
    return bind(registry["index_add"], x, idx, updates, axis=axis)


def _select_n(which, *cases, **_):
    return bind(registry["select_n"], which, *cases)


def _no_subset(name: str, subset_by_index) -> None:
    if subset_by_index is not None and tuple(subset_by_index) != (0, -1):
        raise NotImplementedError(f"from_jax: {name} with subset_by_index is not supported")


def _eigh(x, *, lower=True, sort_eigenvalues=True, subset_by_index=None, **_):
    _no_subset("eigh", subset_by_index)
    return bind(registry["eigh"], x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues))


def _svd(x, *, full_matrices, compute_uv, subset_by_index=None, **_):
    _no_subset("svd", subset_by_index)
    return bind(registry["svd"], x, full_matrices=bool(full_matrices),
                compute_uv=bool(compute_uv))


_SAME_NAME = [
    "add", "sub", "mul", "div", "max", "min", "atan2", "rem", "and", "or", "xor",
    "nextafter", "eq", "ne", "lt", "le", "gt", "ge", "neg", "abs", "sign", "exp", "log",
    "log1p", "expm1", "sin", "cos", "tan", "tanh", "asin", "acos", "atan", "sinh", "cosh",
    "asinh", "acosh", "atanh", "logistic", "sqrt", "rsqrt", "erf", "floor", "ceil",
    "is_finite", "not", "stop_gradient", "real", "imag", "complex",
    "conj",  # its input_dtype param is dropped: ours reads the operand's dtype
]

JAX_RULES: dict[str, Callable[..., Any]] = {name: _same(name) for name in _SAME_NAME}
JAX_RULES.update({
    "add_any": _same("add"),
    "select_n": _select_n,
    "integer_pow": _keep("integer_pow", "y"),
    "pow": _pow, "square": _square, "exp2": _exp2, "cbrt": _cbrt, "erfc": _erfc,
    "round": _round, "clamp": _clamp,
    "convert_element_type": _convert,
    "reduce_sum": _keep("reduce_sum", "axes"), "reduce_max": _keep("reduce_max", "axes"),
    "reduce_min": _keep("reduce_min", "axes"), "reduce_prod": _keep("reduce_prod", "axes"),
    "reduce_and": _keep("reduce_and", "axes"), "reduce_or": _keep("reduce_or", "axes"),
    "argmax": lambda x, *, axes, index_dtype, **_: bind(
        registry["argmax"], x, axes=tuple(axes), index_dtype=np.dtype(index_dtype)),
    "argmin": lambda x, *, axes, index_dtype, **_: bind(
        registry["argmin"], x, axes=tuple(axes), index_dtype=np.dtype(index_dtype)),
    "cumsum": _keep("cumsum", "axis", "reverse"),
    "broadcast_in_dim": _broadcast_in_dim,
    "reshape": _reshape,
    "transpose": _keep("transpose", "permutation"),
    "squeeze": _keep("squeeze", "dimensions"),
    "rev": _keep("rev", "dimensions"),
    "concatenate": _keep("concatenate", "dimension"),
    "pad": lambda x, v, *, padding_config: bind(
        registry["pad"], x, v, padding_config=tuple(tuple(c) for c in padding_config)),
    "slice": lambda x, *, start_indices, limit_indices, strides: bind(
        registry["slice"], x, start_indices=tuple(start_indices),
        limit_indices=tuple(limit_indices),
        strides=None if strides is None else tuple(strides)),
    "dynamic_slice": _dynamic_slice,
    "split": _split, "stack": _stack, "unstack": _unstack,
    "dot_general": _dot_general,
    "iota": _iota,
    "gather": _gather,
    "scatter-add": _scatter_add, "scatter_add": _scatter_add,
    "lu": _same("lu"), "cholesky": _same("cholesky"), "eigh": _eigh, "svd": _svd,
    "triangular_solve": _keep("triangular_solve", "left_side", "lower", "transpose_a",
                              "conjugate_a", "unit_diagonal"),
    # no-ops for a single-device NumPy program
    "copy": _identity, "copy_p": _identity, "sharding_constraint": _identity,
    "reduce_precision": _identity,
    "device_put": _identity_many, "optimization_barrier": _identity_many,
})

#: Call-like primitives: name -> the param holding the body, inlined (custom rules
#: dropped: tracegrad differentiates the primal body itself).
CALL_PRIMS: dict[str, str] = {
    "jit": "jaxpr", "pjit": "jaxpr", "closed_call": "call_jaxpr", "core_call": "call_jaxpr",
    "custom_jvp_call": "call_jaxpr", "custom_vjp_call": "call_jaxpr",
    "custom_vjp_call_jaxpr": "fun_jaxpr", "remat2": "jaxpr", "checkpoint": "jaxpr",
    "remat": "jaxpr",
}
