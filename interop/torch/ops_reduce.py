"""Reductions and products: ``sum mean max min norm softmax mm matmul dot``...

``x.max(dim)`` returns ``(values, indices)`` and sends the gradient to the chosen
index only; ``x.max()`` splits it evenly among tied maxima (as PyTorch does).

>>> sum(tensor([[1.0, 2.0]]), dim=1, keepdim=True)   # doctest: +SKIP
tensor([[3.]])
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from typing import Any

import numpy as np

from ...tracer import prims_elementwise as ew
from ...tracer import prims_structural as st
from . import dtypes, vmap_guard
from .ops_complex import refuse_complex, scalar_type_name
from .ops_core import apply1, composite, convert
from .tensor import Tensor, _legacy_name, _wrap_dim


def _dims(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        return tuple(sorted(_wrap_dim(d, ndim) for d in dim)) if ndim else ()
    return (_wrap_dim(dim, ndim),) if ndim else ()


def _keep(b, out, axes, ndim):
    """Re-insert reduced axes of size 1 (keepdim=True)."""
    if not axes:
        return out
    shape = list(out.shape)
    for a in axes:
        shape.insert(a, 1)
    return b(st.reshape_p, out, new_sizes=tuple(shape))


def _sum(b, x, axes, keepdim):
    out = b(st.reduce_sum_p, x, axes=axes) if axes else b(ew.convert_element_type_p, x,
                                                          new_dtype=x.dtype)
    return _keep(b, out, axes, x.ndim) if keepdim else out


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum of all elements (SumBackward0) or over ``dim`` (SumBackward1)."""
    x = input
    if dtype is not None:
        x = convert(x, dtypes.to_numpy(dtype))
    elif x._data.dtype.kind in "bui" and x._data.dtype != np.int64:
        x = convert(x, np.dtype(np.int64))
    axes = _dims(dim, x._data.ndim)
    name = "SumBackward0" if dim is None else "SumBackward1"
    return composite(name, _sum, [x], axes, keepdim)


def _mean(b, x, axes, keepdim):
    n = 1
    for a in axes:
        n *= x.shape[a]
    s = b(st.reduce_sum_p, x, axes=axes) if axes else x
    out = b(ew.div_p, s, x.dtype.type(n))
    return _keep(b, out, axes, x.ndim) if keepdim else out


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Average (MeanBackward0 over everything, MeanBackward1 over ``dim``)."""
    x = input
    if dtype is not None:
        x = convert(x, dtypes.to_numpy(dtype))
    if x._data.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                           "a floating point or complex dtype. Got: "
                           f"{_legacy_name(x)[:-6]}")
    axes = _dims(dim, x._data.ndim)
    return composite("MeanBackward0" if dim is None else "MeanBackward1", _mean, [x], axes,
                     keepdim)


def _var(b, x, axes, correction, keepdim, take_sqrt):
    n = 1
    for a in axes:
        n *= x.shape[a]
    t = x.dtype.type
    m = b(ew.div_p, b(st.reduce_sum_p, x, axes=axes), t(n))
    m = _keep(b, m, axes, x.ndim)
    d = b(ew.sub_p, x, m)
    sq = _abs2(b, d) if x.dtype.kind == "c" else b(ew.integer_pow_p, d, y=2)
    v = b(ew.div_p, b(st.reduce_sum_p, sq, axes=axes),
          sq.dtype.type(builtins.max(n - correction, 0)))
    if take_sqrt:
        v = b(ew.sqrt_p, v)
    return _keep(b, v, axes, x.ndim) if keepdim else v


def var(input: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """Variance with Bessel's correction by default (VarBackward0)."""
    c = (1 if unbiased else 0) if correction is None else correction
    return composite("VarBackward0", _var, [input], _dims(dim, input.dim()), c, keepdim, False)


def std(input: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """Standard deviation (StdBackward0)."""
    c = (1 if unbiased else 0) if correction is None else correction
    return composite("StdBackward0", _var, [input], _dims(dim, input.dim()), c, keepdim, True)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product of all elements (ProdBackward0) or along ``dim`` (ProdBackward1)."""
    axes = _dims(dim, input.dim())

    def fn(b, x):
        out = b(st.reduce_prod_p, x, axes=axes)
        return _keep(b, out, axes, x.ndim) if keepdim else out
    return composite("ProdBackward0" if dim is None else "ProdBackward1", fn, [input])


MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])
for _cls in (MaxResult, MinResult):
    _cls.__module__ = "torch.return_types"


def _ret_repr(self) -> str:
    return (f"torch.return_types.{type(self).__name__}(\nvalues={self.values!r},\n"
            f"indices={self.indices!r})")


MaxResult.__repr__ = MinResult.__repr__ = _ret_repr  # type: ignore[method-assign]


def _reduce_extreme(b, x, axes, prim):
    return b(prim, x, axes=axes)


def _along(b, x, idx, axis, keepdim):
    """x's entries at ``idx`` along ``axis``: a one-hot mask and a sum, so the gradient
    reaches the chosen index only."""
    iota = np.arange(x.shape[axis]).reshape([-1 if i == axis else 1 for i in range(x.ndim)])
    mask = np.expand_dims(idx, axis) == iota
    zero = x.dtype.type(0)
    picked = b(ew.select_n_p, mask, zero, x)
    out = b(st.reduce_sum_p, picked, axes=(axis,))
    return _keep(b, out, (axis,), x.ndim) if keepdim else out


def _extreme(input: Tensor, dim: Any, keepdim: bool, is_max: bool, other: Any = None):
    from .ops_math import maximum, minimum
    if isinstance(dim, Tensor):
        return (maximum if is_max else minimum)(input, dim)
    if other is not None:
        return (maximum if is_max else minimum)(input, other)
    prim = st.reduce_max_p if is_max else st.reduce_min_p
    refuse_complex(("max" if is_max else "min") + ("_all" if dim is None else "_dim"), input)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{'max' if is_max else 'min'}(): Expected reduction dim to be "
                               "specified for input.numel() == 0. Specify the reduction dim "
                               "with the 'dim' argument.")
        name = "MaxBackward1" if is_max else "MinBackward1"
        return composite(name, _reduce_extreme, [input], tuple(range(input.dim())), prim)
    axis = _wrap_dim(dim, input.dim())
    data = input._data
    if data.ndim == 0:
        idx = np.zeros((), np.int64)
        vals = composite("MaxBackward0" if is_max else "MinBackward0",
                         lambda b, x: b(ew.convert_element_type_p, x, new_dtype=x.dtype),
                         [input])
        return (MaxResult if is_max else MinResult)(vals, Tensor._wrap(idx))
    idx = (np.argmax if is_max else np.argmin)(_nan_first(data, is_max), axis=axis)
    vals = composite("MaxBackward0" if is_max else "MinBackward0", _along, [input],
                     np.asarray(idx), axis, keepdim)
    out_idx = np.expand_dims(idx, axis) if keepdim else idx
    return (MaxResult if is_max else MinResult)(vals, Tensor._wrap(np.asarray(out_idx,
                                                                              np.int64)))


def _nan_first(data: np.ndarray, is_max: bool) -> np.ndarray:
    return data


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None):
    """``max(x)`` (MaxBackward1), ``max(x, dim)`` -> (values, indices), ``max(x, y)``."""
    return _extreme(input, dim, keepdim, True)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None):
    """``min(x)``, ``min(x, dim)`` -> (values, indices), ``min(x, y)``."""
    return _extreme(input, dim, keepdim, False)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim``; ties share the gradient evenly (AmaxBackward0)."""
    refuse_complex("amax", input)
    axes = _dims(dim if dim != () else None, input.dim())

    def fn(b, x):
        out = b(st.reduce_max_p, x, axes=axes)
        return _keep(b, out, axes, x.ndim) if keepdim else out
    return composite("AmaxBackward0", fn, [input])


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim``; ties share the gradient evenly (AminBackward0)."""
    refuse_complex("amin", input)
    axes = _dims(dim if dim != () else None, input.dim())

    def fn(b, x):
        out = b(st.reduce_min_p, x, axes=axes)
        return _keep(b, out, axes, x.ndim) if keepdim else out
    return composite("AminBackward0", fn, [input])


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """``x.argmax(dim=1)``: int64 indices of the maxima."""
    refuse_complex("argmax", input)
    d = input._data
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(d), np.int64))
    return Tensor._wrap(np.asarray(np.argmax(d, axis=dim, keepdims=keepdim), np.int64))


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """``x.argmin()``: int64 index of the minimum (flattened without ``dim``)."""
    refuse_complex("argmin", input)
    d = input._data
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(d), np.int64))
    return Tensor._wrap(np.asarray(np.argmin(d, axis=dim, keepdims=keepdim), np.int64))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether all elements (over ``dim``) are true."""
    return vmap_guard.taint(Tensor._wrap(np.asarray(np.all(input._data, axis=dim,
                                                            keepdims=keepdim))), input)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether any element (over ``dim``) is true."""
    return vmap_guard.taint(Tensor._wrap(np.asarray(np.any(input._data, axis=dim,
                                                            keepdims=keepdim))), input)


def _abs2(b, x):
    """``|x| ** 2``: ``x * x``, or ``Re(x * conj(x))`` for complex ``x`` (real)."""
    if x.dtype.kind == "c":
        return b(ew.real_p, b(ew.mul_p, x, b(ew.conj_p, x)))
    return b(ew.mul_p, x, x)


def _norm(b, x, axes, keepdim, p):
    t = np.finfo(x.dtype).dtype.type  # the real dtype of complex x
    if p == 2:
        out = b(ew.sqrt_p, b(st.reduce_sum_p, _abs2(b, x), axes=axes))
    elif p == 1:
        out = b(st.reduce_sum_p, b(ew.abs_p, x), axes=axes)
    elif p == float("inf"):
        out = b(st.reduce_max_p, b(ew.abs_p, x), axes=axes)
    else:
        s = b(st.reduce_sum_p, b(ew.pow_p, b(ew.abs_p, x), t(p)), axes=axes)
        out = b(ew.pow_p, s, t(1.0 / p))
    return _keep(b, out, axes, x.ndim) if keepdim else out


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector p-norm (2 by default) over all elements or ``dim``."""
    if p in ("fro", None):
        p = 2
    x = input if input._data.dtype.kind in "fc" else convert(input, np.dtype(np.float32))
    return composite("LinalgVectorNormBackward0", _norm, [x], _dims(dim, x.dim()), keepdim,
                     float(p))


def _softmax(b, x, axis, log):
    m = b(ew.stop_gradient_p, b(st.reduce_max_p, x, axes=(axis,)))
    m = _keep(b, m, (axis,), x.ndim)
    z = b(ew.sub_p, x, m)
    e = b(ew.exp_p, z)
    s = _keep(b, b(st.reduce_sum_p, e, axes=(axis,)), (axis,), x.ndim)
    if log:
        return b(ew.sub_p, z, b(ew.log_p, s))
    return b(ew.div_p, e, s)


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (SoftmaxBackward0)."""
    x = input if dtype is None else convert(input, dtypes.to_numpy(dtype))
    refuse_complex("softmax", x)
    axis = _wrap_dim(dim if dim is not None else -1, x.dim())
    if x._data.ndim == 0:
        return composite("SoftmaxBackward0", lambda b, v: b(ew.div_p, v, v), [x])
    return composite("SoftmaxBackward0", _softmax, [x], axis, False)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim`` (LogSoftmaxBackward0)."""
    x = input if dtype is None else convert(input, dtypes.to_numpy(dtype))
    refuse_complex("log_softmax", x)
    axis = _wrap_dim(dim if dim is not None else -1, x.dim())
    return composite("LogSoftmaxBackward0", _softmax, [x], axis, True)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, computed stably."""
    axes = _dims(dim, input.dim())

    def fn(b, x):
        m = _keep(b, b(ew.stop_gradient_p, b(st.reduce_max_p, x, axes=axes)), axes, x.ndim)
        s = b(st.reduce_sum_p, b(ew.exp_p, b(ew.sub_p, x, m)), axes=axes)
        out = b(ew.add_p, b(ew.log_p, s), b(st.reshape_p, m, new_sizes=s.shape))
        return _keep(b, out, axes, x.ndim) if keepdim else out
    return composite("LogsumexpBackward0", fn, [input])


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``dim`` (CumsumBackward0)."""
    axis = _wrap_dim(dim, input.dim())
    return apply1("CumsumBackward0", st.cumsum_p, input, axis=axis, reverse=False)


# ---------------------------------------------------------------------------
# products


def _check_same(a: Tensor, b: Tensor, op: str) -> None:
    if a._data.dtype != b._data.dtype:
        from .tensor import _legacy_name
        n = {"FloatTensor": "float", "DoubleTensor": "double", "LongTensor": "long int",
             "ComplexFloatTensor": "c10::complex<float>",
             "ComplexDoubleTensor": "c10::complex<double>"}
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{n.get(_legacy_name(a), _legacy_name(a))} != "
                           f"{n.get(_legacy_name(b), _legacy_name(b))}")


_DN_DOT = (((0,), (0,)), ((), ()))
_DN_MM = (((1,), (0,)), ((), ()))


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors (DotBackward0)."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D "
                           "tensors")
    if input.shape[0] != other.shape[0]:
        n, m = input.shape[0], other.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{scalar_type_name(input._data.dtype)} and "
                           f"{scalar_type_name(other._data.dtype)}")
    return apply1("DotBackward0", st.dot_general_p, input, other, dimension_numbers=_DN_DOT)


inner = dot


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of 2-D tensors (MmBackward0)."""
    if input.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError("self must be a matrix" if input.dim() != 2 else
                           "mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x"
                           f"{input.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    _check_same(input, mat2, "mm")
    return apply1("MmBackward0", st.dot_general_p, input, mat2, dimension_numbers=_DN_MM)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product (MvBackward0)."""
    return apply1("MvBackward0", st.dot_general_p, input, vec, dimension_numbers=_DN_MM)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """``@``: dot, mv, mm, or a batched product with broadcasting of batch dims."""
    a, b = input.dim(), other.dim()
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 2:
        return mm(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if input._data.dtype != other._data.dtype:
        _check_same(input, other, "matmul")
    if a == 1 and b == 2:
        def fn(bb, x, y):
            return bb(st.dot_general_p, x, y, dimension_numbers=_DN_DOT)
        return composite("SqueezeBackward4", fn, [input, other])
    if b <= 2 and a > 2:
        # (..., n, k) @ (k, m) or (k,)
        def fn(bb, x, y):
            dn = (((x.ndim - 1,), (0,)), ((), ()))
            return bb(st.dot_general_p, x, y, dimension_numbers=dn)
        return composite("UnsafeViewBackward0", fn, [input, other])

    def batched(bb, x, y):
        x2 = x if x.ndim > 1 else bb(st.expand_dims_p, x, dimensions=(0,))
        y2 = y if y.ndim > 1 else bb(st.expand_dims_p, y, dimensions=(1,))
        batch = np.broadcast_shapes(x2.shape[:-2], y2.shape[:-2])
        nb = len(batch)
        xs = tuple(batch) + x2.shape[-2:]
        ys = tuple(batch) + y2.shape[-2:]
        if x2.shape != xs:
            x2 = bb(st.broadcast_in_dim_p, x2, shape=xs, broadcast_dimensions=tuple(
                range(len(xs) - x2.ndim, len(xs))))
        if y2.shape != ys:
            y2 = bb(st.broadcast_in_dim_p, y2, shape=ys, broadcast_dimensions=tuple(
                range(len(ys) - y2.ndim, len(ys))))
        bd = tuple(range(nb))
        out = bb(st.dot_general_p, x2, y2, dimension_numbers=(((nb + 1,), (nb,)), (bd, bd)))
        if x.ndim == 1:
            out = bb(st.squeeze_p, out, dimensions=(nb,))
        if y.ndim == 1:
            out = bb(st.squeeze_p, out, dimensions=(out.ndim - 1,))
        return out
    return composite("BmmBackward0" if a == b == 3 else "UnsafeViewBackward0", batched,
                     [input, other])


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product (``matmul`` of 3-D tensors)."""
    return matmul(input, mat2)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """``outer(u, v)``: the outer product of two vectors."""
    def fn(b, x, y):
        return b(st.dot_general_p, x, y, dimension_numbers=(((), ()), ((), ())))
    return composite("MulBackward0", fn, [input, vec2])  # torch 2.13 names it so


ger = outer
