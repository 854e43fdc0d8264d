"""More of NumPy on tracers: extra ufuncs (``fmod``, ``hypot``, ``logaddexp``, ``isnan``...)
and functions (``sort``, ``median``, ``diff``, ``cumprod``, ``convolve``, ``cov``...).

Everything here is composed from existing primitives, so jvp, transpose, batching and the
JAX lowering come for free. Importing the module registers the rules into
``numpy_api.UFUNCS`` / ``numpy_api.FUNCTIONS``.

>>> diff(np.array([1.0, 4.0, 9.0]))
array([3., 5.])

Sorting is built from pairwise comparisons (a stable rank, then a gather), so ``sort``,
``argsort`` and ``median`` cost O(n^2) memory along the sorted axis: fine for the vectors
users differentiate through, not for sorting millions of elements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import indexing, ops
from . import ops_extra as ox
from . import prims_elementwise as ew
from .errors import ConcretizationTypeError
from .primitive import bind
from .trace import Tracer

_NO_VALUE = getattr(np, "_NoValue", None)


# ---------------------------------------------------------------------------
# helpers

def _arr(x: Any) -> Any:
    """Arrays and tracers pass; lists become arrays; Python scalars stay weak (NEP 50:
    ``np.fmod(f32, 0.7)`` is float32)."""
    if isinstance(x, (bool, int, float, complex)):
        return x
    return ops.as_operand(x)


def _float(x: Any) -> Any:
    """``x`` as an inexact array: integers and booleans become float64 (NumPy's rule)."""
    x = _arr(x)
    return ops.convert(x, np.float64) if ops.dtype_of(x).kind in "biu" else x


def _floats(*xs: Any) -> list:
    xs = ops.promote(*[_arr(v) for v in xs])
    if ops.dtype_of(xs[0]).kind in "biu":
        xs = [ops.convert(v, np.float64) for v in xs]
    return xs


def _axis(axis: Any, ndim: int) -> int:
    return ops._norm_axes(axis, ndim)[0]


def _zeros(x: Any) -> Any:
    return ox.zeros_like(x)


def _slice_along(x: Any, axis: int, start: int | None, stop: int | None) -> Any:
    idx = (slice(None),) * axis + (slice(start, stop),)
    return indexing.getitem(x, idx)


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise NotImplementedError(f"np.{name}(..., out=...) cannot write into an array "
                                  "from a traced function; use the returned value")


def _real_only(x: Any, name: str) -> None:
    if ops.dtype_of(x).kind == "c":
        raise NotImplementedError(f"np.{name} of a complex array is not supported by "
                                  "tracegrad; use np.real(z) or np.abs(z)")


# ---------------------------------------------------------------------------
# ufuncs

def isnan(x: Any) -> Any:
    """``np.isnan``: ``x != x`` (False for integers).

    >>> bool(isnan(np.nan))
    True
    """
    x = _arr(x)
    kind = ops.dtype_of(x).kind
    if kind == "c":
        return ops.logical_or(isnan(ops.real(x)), isnan(ops.imag(x)))
    if kind in "biu":
        return ox.zeros_like(x, dtype=bool)
    return ops.not_equal(x, x)


def isinf(x: Any) -> Any:
    """``np.isinf``: ``|x| == inf`` (False for integers).

    >>> bool(isinf(-np.inf))
    True
    """
    x = _arr(x)
    kind = ops.dtype_of(x).kind
    if kind == "c":
        return ops.logical_or(isinf(ops.real(x)), isinf(ops.imag(x)))
    if kind in "biu":
        return ox.zeros_like(x, dtype=bool)
    return ops.equal(ops.absolute(x), np.inf)


def signbit(x: Any) -> Any:
    """``np.signbit``: True for negative numbers and -0.0.

    Without a bitcast primitive, -0.0 is told from 0.0 by ``arctan2(x, -1)`` (-pi vs pi);
    the sign bit of a NaN cannot be read, so NaNs give False.

    >>> bool(signbit(-0.0))
    True
    """
    x = _arr(x)
    _real_only(x, "signbit")
    if ops.dtype_of(x).kind in "biu":
        return ops.less(x, 0)
    neg_zero = ops.logical_and(ops.equal(x, 0), ops.less(ops.arctan2(x, -1.0), 0))
    return ops.logical_or(ops.less(x, 0), neg_zero)


def trunc(x: Any) -> Any:
    """``np.trunc``: round toward zero (integers unchanged); derivative 0.

    >>> float(trunc(-1.7))
    -1.0
    """
    x = _arr(x)
    if ops.dtype_of(x).kind in "biu":
        return x
    _real_only(x, "trunc")
    return ops.where(ops.less(x, 0), ops.ceil(x), ops.floor(x))


def fmod(x: Any, y: Any) -> Any:
    """``np.fmod``: C-style remainder with the sign of the dividend.

    >>> float(fmod(-5.0, 3.0))
    -2.0
    """
    x, y = ops.promote(_arr(x), _arr(y))
    _real_only(x, "fmod")
    return bind(ew.rem_p, x, y)  # lax.rem truncates: exactly C's fmod


def hypot(x: Any, y: Any) -> Any:
    """``np.hypot``: ``sqrt(x**2 + y**2)`` without overflow (scaled by the larger one).

    >>> float(hypot(3.0, 4.0))
    5.0
    """
    x, y = _floats(x, y)
    _real_only(x, "hypot")
    ax, ay = ops.absolute(x), ops.absolute(y)
    big, small = ops.maximum(ax, ay), ops.minimum(ax, ay)
    safe = ops.where(ops.equal(big, 0), 1.0, big)  # 0/0 would poison the derivative
    r = ops.multiply(big, ops.sqrt(ops.add(1.0, ops.square(ops.true_divide(small, safe)))))
    r = ops.where(ops.equal(big, 0), big, r)
    # an infinite side wins over a NaN on the other (C99 hypot, NumPy)
    return ops.where(ops.logical_or(isinf(x), isinf(y)), np.inf, r)


def _logaddexp_base(x: Any, y: Any, exp_fn, log1p_scale: float) -> Any:
    x, y = _floats(x, y)
    _real_only(x, "logaddexp")
    big = ops.maximum(x, y)
    delta = ops.subtract(x, y)
    tail = ops.log1p(exp_fn(ops.negative(ops.absolute(delta))))
    if log1p_scale != 1.0:
        tail = ops.true_divide(tail, log1p_scale)
    # delta is NaN for x == y == +-inf (and NaN inputs): x + y gives the right answer
    return ops.where(isnan(delta), ops.add(x, y), ops.add(big, tail))


def logaddexp(x: Any, y: Any) -> Any:
    """``np.logaddexp``: ``log(exp(x) + exp(y))``, stably.

    >>> round(float(logaddexp(0.0, 0.0)), 6)
    0.693147
    """
    return _logaddexp_base(x, y, ops.exp, 1.0)


def logaddexp2(x: Any, y: Any) -> Any:
    """``np.logaddexp2``: ``log2(2**x + 2**y)``, stably.

    >>> float(logaddexp2(1.0, 1.0))
    2.0
    """
    return _logaddexp_base(x, y, exp2, math.log(2.0))


def exp2(x: Any) -> Any:
    """``np.exp2``: ``2**x`` as ``exp(x * ln 2)``.

    >>> float(exp2(3.0))
    8.0
    """
    x = _float(x)
    return ops.exp(ops.multiply(x, math.log(2.0)))


def log2(x: Any) -> Any:
    """``np.log2``: ``log(x) / ln 2``.

    >>> float(log2(8.0))
    3.0
    """
    return ops.true_divide(ops.log(_float(x)), math.log(2.0))


def log10(x: Any) -> Any:
    """``np.log10``: ``log(x) / ln 10``.

    >>> float(log10(1000.0))
    3.0
    """
    return ops.true_divide(ops.log(_float(x)), math.log(10.0))


def cbrt(x: Any) -> Any:
    """``np.cbrt``: the real cube root (negative for negative ``x``).

    >>> float(cbrt(-8.0))
    -2.0
    """
    x = _float(x)
    _real_only(x, "cbrt")
    r = ops.power(ops.absolute(x), 1.0 / 3.0)
    return ops.where(ops.less(x, 0), ops.negative(r), r)


def deg2rad(x: Any) -> Any:
    """``np.deg2rad`` / ``np.radians``.

    >>> round(float(deg2rad(180.0)), 6)
    3.141593
    """
    return ops.multiply(_float(x), np.pi / 180)


def rad2deg(x: Any) -> Any:
    """``np.rad2deg`` / ``np.degrees``.

    >>> round(float(rad2deg(np.pi)), 6)
    180.0
    """
    return ops.multiply(_float(x), 180 / np.pi)


def heaviside(x1: Any, x2: Any) -> Any:
    """``np.heaviside``: 0 below zero, 1 above, ``x2`` at zero (NaN stays NaN).

    >>> float(heaviside(0.0, 0.5))
    0.5
    """
    x1, x2 = _floats(x1, x2)
    _real_only(x1, "heaviside")
    out = ops.where(ops.less(x1, 0), 0.0, ops.where(ops.greater(x1, 0), 1.0, x2))
    return ops.where(isnan(x1), x1, out)


def copysign(x1: Any, x2: Any) -> Any:
    """``np.copysign``: ``|x1|`` with the sign of ``x2`` (see ``signbit`` on NaN signs).

    >>> float(copysign(2.0, -0.0))
    -2.0
    """
    x1, x2 = _floats(x1, x2)
    a = ops.absolute(x1)
    return ops.where(signbit(x2), ops.negative(a), a)


def round_(a: Any, decimals: int = 0, out: Any = None) -> Any:
    """``np.round`` / ``np.around``: half to even at ``decimals`` digits (as NumPy:
    scale, ``rint``, unscale); derivative 0.

    >>> float(round_(2.675, 1))
    2.7
    """
    _no_out("round", out)
    a = _arr(a)
    decimals = int(decimals)
    kind = ops.dtype_of(a).kind
    if kind == "c":
        return ops.make_complex(round_(ops.real(a), decimals), round_(ops.imag(a), decimals))
    if kind in "biu":
        if decimals >= 0:
            return a
        # integer rounding to tens, hundreds...: through float64 and back
        return ops.convert(round_(ops.convert(a, np.float64), decimals), ops.dtype_of(a))
    if decimals == 0:
        return ops.rint(a)
    f = ops.dtype_of(a).type(10.0 ** abs(decimals))
    if decimals > 0:
        return ops.true_divide(ops.rint(ops.multiply(a, f)), f)
    return ops.multiply(ops.rint(ops.true_divide(a, f)), f)


def sinc(x: Any) -> Any:
    """``np.sinc``: ``sin(pi x) / (pi x)``, 1 at 0; a Taylor branch at 0 gives JAX's first
    and second derivatives there.

    >>> float(sinc(0.0))
    1.0
    """
    x = _float(x)
    zero = ops.equal(x, 0)
    safe = ops.where(zero, 1.0, x)
    px = ops.multiply(safe, np.pi)
    main = ops.true_divide(ops.sin(px), px)
    t = ops.square(ops.multiply(x, np.pi))
    taylor = ops.add(1.0, ops.multiply(t, ops.add(-1.0 / 6.0, ops.multiply(t, 1.0 / 120.0))))
    return ops.where(zero, taylor, main)


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    """``np.nan_to_num``: NaN -> ``nan``, +-inf -> ``posinf``/``neginf`` (largest finite).

    >>> float(nan_to_num(np.inf, posinf=7.0))
    7.0
    """
    x = _arr(x)
    kind = ops.dtype_of(x).kind
    if kind in "biu":
        return x
    if kind == "c":
        return ops.make_complex(nan_to_num(ops.real(x), nan=nan, posinf=posinf, neginf=neginf),
                                nan_to_num(ops.imag(x), nan=nan, posinf=posinf, neginf=neginf))
    dt = ops.dtype_of(x)
    big = np.finfo(dt).max
    hi = dt.type(big if posinf is None else posinf)
    lo = dt.type(-big if neginf is None else neginf)
    out = ops.where(isnan(x), dt.type(nan), x)
    out = ops.where(ops.equal(x, np.inf), hi, out)
    return ops.where(ops.equal(x, -np.inf), lo, out)


# ---------------------------------------------------------------------------
# differences, scans, products

def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = _NO_VALUE,
         append: Any = _NO_VALUE) -> Any:
    """``np.diff``: ``n``-th differences along ``axis`` (booleans: ``!=``).

    >>> diff(np.array([1.0, 2.0, 4.0]), n=2)
    array([1.])
    """
    a = _arr(a)
    n = int(n)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    if n == 0:
        return a
    nd = ops.ndim_of(a)
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = _axis(axis, nd)
    parts = []
    for extra in (prepend, append):
        if extra is _NO_VALUE or extra is None:
            parts.append(None)
            continue
        extra = _arr(extra)
        if ops.ndim_of(extra) == 0:
            shape = list(ops.shape_of(a))
            shape[ax] = 1
            extra = ops.broadcast_to(extra, tuple(shape))
        parts.append(extra)
    if parts[0] is not None or parts[1] is not None:
        pieces = [p for p in (parts[0], a, parts[1]) if p is not None]
        a = ops.concatenate(pieces, ax)
    is_bool = ops.dtype_of(a).kind == "b"
    for _ in range(n):
        hi, lo = _slice_along(a, ax, 1, None), _slice_along(a, ax, None, -1)
        a = ops.not_equal(hi, lo) if is_bool else ops.subtract(hi, lo)
    return a


def _scan(x: Any, axis: int, op, identity: Any) -> Any:
    """Inclusive prefix ``op`` along ``axis`` in log2(n) doubling steps (Hillis-Steele):
    every step is one shifted ``op``, so derivatives are those of the plain products."""
    n = ops.shape_of(x)[axis]
    shift = 1
    while shift < n:
        pad_shape = list(ops.shape_of(x))
        pad_shape[axis] = shift
        pad = ox.full_like(x, identity, shape=tuple(pad_shape))
        shifted = ops.concatenate([pad, _slice_along(x, axis, None, n - shift)], axis)
        x = op(x, shifted)
        shift *= 2
    return x


def cumprod(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """``np.cumprod`` (booleans and small integers as int64).

    >>> cumprod(np.array([1.0, 2.0, 3.0]))
    array([1., 2., 6.])
    """
    _no_out("cumprod", out)
    a = _arr(a)
    if dtype is not None:
        a = ops.convert(a, dtype)
    elif ops.dtype_of(a).kind in "bi" and ops.dtype_of(a).itemsize < 8:
        a = ops.convert(a, np.int64)
    elif ops.dtype_of(a).kind == "u" and ops.dtype_of(a).itemsize < 8:
        a = ops.convert(a, np.uint64)
    if axis is None:
        a, axis = ops.ravel(a), 0
    return _scan(a, _axis(axis, ops.ndim_of(a)), ops.multiply, 1)


def kron(a: Any, b: Any) -> Any:
    """``np.kron``: the Kronecker product, as a broadcast product and a reshape.

    >>> kron(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
    array([ 1., 10.,  2., 20.])
    """
    a, b = _arr(a), _arr(b)
    nd = max(ops.ndim_of(a), ops.ndim_of(b))
    sa = (1,) * (nd - ops.ndim_of(a)) + ops.shape_of(a)
    sb = (1,) * (nd - ops.ndim_of(b)) + ops.shape_of(b)
    a2 = ops.reshape(a, tuple(v for d in sa for v in (d, 1)))
    b2 = ops.reshape(b, tuple(v for d in sb for v in (1, d)))
    return ops.reshape(ops.multiply(a2, b2), tuple(p * q for p, q in zip(sa, sb)))


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Any:
    """``np.cross`` of 3-vectors (2-vectors count as z = 0; two 2-vectors give the z part).

    >>> cross(np.array([1.0, 0, 0]), np.array([0.0, 1, 0]))
    array([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = ops.promote(_arr(a), _arr(b))
    a = ops.moveaxis(a, _axis(axisa, ops.ndim_of(a)), -1)
    b = ops.moveaxis(b, _axis(axisb, ops.ndim_of(b)), -1)
    na, nb = ops.shape_of(a)[-1], ops.shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")

    def comp(v, i, n):
        return indexing.getitem(v, (Ellipsis, i)) if i < n else None

    a0, a1, a2 = (comp(a, i, na) for i in range(3))
    b0, b1, b2 = (comp(b, i, nb) for i in range(3))

    def mul(p, q):
        return None if p is None or q is None else ops.multiply(p, q)

    def sub(p, q):
        if p is None and q is None:
            return None
        if q is None:
            return p
        return ops.negative(q) if p is None else ops.subtract(p, q)

    z = sub(mul(a0, b1), mul(a1, b0))
    if na == 2 and nb == 2:
        return z
    x_ = sub(mul(a1, b2), mul(a2, b1))
    y_ = sub(mul(a2, b0), mul(a0, b2))
    shape = np.broadcast_shapes(ops.shape_of(a)[:-1], ops.shape_of(b)[:-1])
    comps = [ops.broadcast_to(ops.multiply(c, 1) if not isinstance(c, Tracer) else c, shape)
             for c in (x_, y_, z)]
    out = ops.stack(comps, -1)
    return ops.moveaxis(out, -1, _axis(axisc, ops.ndim_of(out)))


# ---------------------------------------------------------------------------
# sorting (stable ranks from pairwise comparisons, then a gather)

def _ranks_last(x: Any) -> Any:
    """The stable sort position of each element along the last axis (NaNs last)."""
    n = ops.shape_of(x)[-1]
    xi = ops.expand_dims(x, -1)  # [..., i, 1]
    xj = ops.expand_dims(x, -2)  # [..., 1, j]
    lt, eq = ops.less(xj, xi), ops.equal(xj, xi)
    if ops.dtype_of(x).kind in "fc":
        ni, nj = isnan(xi), isnan(xj)
        lt = ops.logical_or(lt, ops.logical_and(ni, ops.logical_not(nj)))
        eq = ops.logical_or(eq, ops.logical_and(ni, nj))
    earlier = np.arange(n)[None, :] < np.arange(n)[:, None]  # j before i: ties keep order
    before = ops.logical_or(lt, ops.logical_and(eq, earlier))
    return ops.sum(before, -1)


def _argsort_last(x: Any) -> Any:
    n = ops.shape_of(x)[-1]
    rank = _ranks_last(x)  # [..., i]
    hit = ops.equal(ops.expand_dims(rank, -2), np.arange(n)[:, None])  # [..., k, i]
    return ops.sum(ops.where(hit, np.arange(n, dtype=np.int64), np.int64(0)), -1)


def _prep_sort(a: Any, axis: Any, name: str) -> tuple[Any, int]:
    a = _arr(a)
    _real_only(a, name)
    if axis is None:
        a, axis = ops.ravel(a), 0
    if ops.ndim_of(a) == 0:
        raise np.exceptions.AxisError(axis, 0)
    if ops.dtype_of(a).kind == "b":
        return a, _axis(axis, ops.ndim_of(a))
    return a, _axis(axis, ops.ndim_of(a))


def argsort(a: Any, axis: int | None = -1, kind: Any = None, order: Any = None, *,
            stable: bool | None = None) -> Any:
    """``np.argsort`` (always stable; NaNs last): int64 indices.

    >>> argsort(np.array([3.0, 1.0, 2.0]))
    array([1, 2, 0])
    """
    if order is not None:
        raise NotImplementedError("np.argsort(order=...) (structured arrays) on tracers")
    a, ax = _prep_sort(a, axis, "argsort")
    key = ops.convert(a, np.int8) if ops.dtype_of(a).kind == "b" else a
    return ops.moveaxis(_argsort_last(ops.moveaxis(key, ax, -1)), -1, ax)


def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> Any:
    """``np.take_along_axis`` (a gather; negative indices wrap).

    >>> take_along_axis(np.array([[1.0, 2.0]]), np.array([[1, 0]]), 1)
    array([[2., 1.]])
    """
    arr, indices = _arr(arr), _arr(indices)
    if ops.dtype_of(indices).kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    if axis is None:
        if ops.ndim_of(indices) != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        arr, axis = ops.ravel(arr), 0
    nd = ops.ndim_of(arr)
    if ops.ndim_of(indices) != nd:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    ax = _axis(axis, nd)
    sa, si = list(ops.shape_of(arr)), list(ops.shape_of(indices))
    sa_, si_ = sa.copy(), si.copy()
    sa_[ax] = si_[ax] = 1
    common = list(np.broadcast_shapes(tuple(sa_), tuple(si_)))
    arr = ops.broadcast_to(arr, tuple(common[:ax] + [sa[ax]] + common[ax + 1:]))
    indices = ops.broadcast_to(indices, tuple(common[:ax] + [si[ax]] + common[ax + 1:]))
    idx: list = []
    for d in range(nd):
        if d == ax:
            idx.append(indices)
        else:
            shape = [1] * nd
            shape[d] = common[d]
            idx.append(np.arange(common[d]).reshape(shape))
    return indexing.getitem(arr, tuple(idx))


def sort(a: Any, axis: int | None = -1, kind: Any = None, order: Any = None, *,
         stable: bool | None = None) -> Any:
    """``np.sort`` (stable, NaNs last); the derivative follows the permutation, as in JAX.

    >>> sort(np.array([3.0, 1.0, 2.0]))
    array([1., 2., 3.])
    """
    if order is not None:
        raise NotImplementedError("np.sort(order=...) (structured arrays) on tracers")
    a, ax = _prep_sort(a, axis, "sort")
    return take_along_axis(a, argsort(a, ax), ax)


def _merge_axes_last(a: Any, axis: Any) -> tuple[Any, tuple]:
    """Move ``axis`` (int, tuple or None) to one trailing axis; returns (x, reduced axes)."""
    nd = ops.ndim_of(a)
    axes = ops._norm_axes(axis, nd)
    if len(set(axes)) != len(axes):
        raise ValueError("repeated axis")
    rest = [d for d in range(nd) if d not in axes]
    x = ops.transpose(a, rest + list(axes))
    shape = ops.shape_of(x)
    size = int(np.prod([shape[len(rest) + i] for i in range(len(axes))], dtype=np.int64))
    return ops.reshape(x, shape[:len(rest)] + (size,)), axes


def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
           keepdims: bool = False) -> Any:
    """``np.median``: the middle of the sorted values (mean of the two middle ones for
    even counts, each getting half the derivative, as ``jax.numpy``); NaN if any NaN.

    >>> float(median(np.array([3.0, 1.0, 4.0, 2.0])))
    2.5
    """
    _no_out("median", out)
    a = _float(a)
    _real_only(a, "median")
    if ops.ndim_of(a) == 0 and axis is None:
        a = ops.reshape(a, (1,))
        x, axes = a, (0,)
        scalar = True
    else:
        x, axes = _merge_axes_last(a, axis)
        scalar = False
    n = ops.shape_of(x)[-1]
    s = sort(x, -1)
    lo = indexing.getitem(s, (Ellipsis, (n - 1) // 2))
    hi = indexing.getitem(s, (Ellipsis, n // 2))
    med = ops.multiply(ops.add(lo, hi), 0.5)
    med = ops.where(ops.any(isnan(x), -1), np.nan, med)
    if scalar:
        med = ops.reshape(med, ())
    if keepdims:
        if axis is None:
            med = ops.reshape(med, (1,) * ops.ndim_of(a))
        else:
            med = ops.expand_dims(med, axes)
    return med


# ---------------------------------------------------------------------------
# reductions and statistics

def ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """``np.ptp``: ``max - min`` (ties share the derivative, as in JAX).

    >>> float(ptp(np.array([1.0, 5.0, 2.0])))
    4.0
    """
    _no_out("ptp", out)
    a = _arr(a)
    return ops.subtract(ops.amax(a, axis, keepdims=keepdims), ops.amin(a, axis,
                                                                       keepdims=keepdims))


def count_nonzero(a: Any, axis: Any = None, *, keepdims: bool = False) -> Any:
    """``np.count_nonzero`` (int64).

    >>> int(count_nonzero(np.array([0.0, 1.0, 2.0])))
    2
    """
    return ops.sum(ops.not_equal(_arr(a), 0), axis, keepdims=keepdims)


def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *,
            keepdims: bool = False) -> Any:
    """``np.average`` with optional ``weights`` (1-d weights along an int ``axis``).

    >>> float(average(np.array([1.0, 3.0]), weights=np.array([3.0, 1.0])))
    1.5
    """
    a = _float(a)
    if weights is None:
        avg = ops.mean(a, axis, keepdims=keepdims)
        axes = ops._norm_axes(axis, ops.ndim_of(a))
        count = int(np.prod([ops.shape_of(a)[d] for d in axes], dtype=np.int64))
        scl = ox.full_like(avg, count)
    else:
        w = _arr(weights)
        if ops.shape_of(w) != ops.shape_of(a):
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            if ops.ndim_of(w) != 1:
                raise TypeError("1D weights expected when shapes of a and weights differ.")
            ax = _axis(axis, ops.ndim_of(a))
            if ops.shape_of(w)[0] != ops.shape_of(a)[ax]:
                raise ValueError("Length of weights not compatible with specified axis.")
            shape = [1] * ops.ndim_of(a)
            shape[ax] = -1
            w = ops.reshape(w, tuple(shape))
        if not isinstance(weights, Tracer) and np.any(np.sum(np.broadcast_to(
                np.reshape(weights, ops.shape_of(w)), ops.shape_of(a)), axis) == 0.0):
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        a, w = _floats(a, w)
        scl = ops.sum(ops.broadcast_to(w, ops.shape_of(a)), axis, keepdims=keepdims)
        avg = ops.true_divide(ops.sum(ops.multiply(a, w), axis, keepdims=keepdims), scl)
    if returned:
        return avg, ops.broadcast_to(scl, ops.shape_of(avg))
    return avg


def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
           keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:
    """``np.nansum``: NaNs count as zero (and get a zero derivative).

    >>> float(nansum(np.array([1.0, np.nan, 2.0])))
    3.0
    """
    _no_out("nansum", out)
    if initial is not None or where is not None:
        raise NotImplementedError("np.nansum(initial=/where=) on tracers")
    a = _arr(a)
    a = ops.where(isnan(a), _zeros(a), a)
    return ops.sum(a, axis, dtype=dtype, keepdims=keepdims)


def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False, *, where: Any = None) -> Any:
    """``np.nanmean``: the mean of the non-NaN values (NaN when there are none).

    >>> float(nanmean(np.array([1.0, np.nan, 2.0])))
    1.5
    """
    _no_out("nanmean", out)
    if where is not None:
        raise NotImplementedError("np.nanmean(where=) on tracers")
    a = _float(a)
    if dtype is not None:
        a = ops.convert(a, dtype)
    ok = ops.logical_not(isnan(a))
    total = ops.sum(ops.where(ok, a, _zeros(a)), axis, keepdims=keepdims)
    count = ops.sum(ok, axis, keepdims=keepdims)
    return ops.true_divide(total, ops.convert(count, ops.dtype_of(total)))


def isclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Any:
    """``np.isclose``: ``|a - b| <= atol + rtol * |b|`` (infinities equal to themselves).

    >>> bool(isclose(1.0, 1.0 + 1e-9))
    True
    """
    a, b = _arr(a), _arr(b)
    if ops.dtype_of(b).kind in "biu":
        b = ops.convert(b, np.result_type(ops.dtype_of(b), np.float64) if
                        ops.dtype_of(a).kind in "biu" else ops.dtype_of(a))
    close = ops.less_equal(ops.absolute(ops.subtract(a, b)),
                           ops.add(atol, ops.multiply(rtol, ops.absolute(b))))
    out = ops.logical_or(ops.logical_and(close, ops.isfinite(b)), ops.equal(a, b))
    if equal_nan:
        out = ops.logical_or(out, ops.logical_and(isnan(a), isnan(b)))
    return out


def allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> Any:
    """``np.allclose``: ``all(isclose(...))`` as a traced boolean (``bool()`` it when the
    trace is concrete).

    >>> bool(allclose(np.ones(2), np.ones(2)))
    True
    """
    return ops.all(isclose(a, b, rtol, atol, equal_nan))


def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False,
        ddof: int | None = None, fweights: Any = None, aweights: Any = None, *,
        dtype: Any = None) -> Any:
    """``np.cov`` (no frequency/analytic weights): rows are variables unless
    ``rowvar=False``; computed in float64 at least, as NumPy.

    >>> float(cov(np.array([1.0, 2.0, 3.0])))
    1.0
    """
    if fweights is not None or aweights is not None:
        raise NotImplementedError("np.cov(fweights=/aweights=) on tracers")
    m = _arr(m)
    if ops.ndim_of(m) > 2:
        raise ValueError("m has more than 2 dimensions")
    rt = [ops.dtype_of(m), np.float64] + ([] if y is None else [ops.dtype_of(y)])
    dt = np.dtype(dtype) if dtype is not None else np.result_type(*rt)
    X = ox.atleast_2d(ops.convert(m, dt))
    if not rowvar and ops.shape_of(X)[0] != 1:
        X = ops.transpose(X)
    if y is not None:
        y = _arr(y)
        if ops.ndim_of(y) > 2:
            raise ValueError("y has more than 2 dimensions")
        Y = ox.atleast_2d(ops.convert(y, dt))
        if not rowvar and ops.shape_of(Y)[0] != 1:
            Y = ops.transpose(Y)
        X = ops.concatenate([X, Y], 0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = ops.shape_of(X)[1]
    Xc = ops.subtract(X, ops.mean(X, 1, keepdims=True))
    c = ops.matmul(Xc, ops.conjugate(ops.transpose(Xc)))
    c = ops.true_divide(c, dt.type(max(n - ddof, 0)))
    return ops.squeeze(c)


def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    """``np.corrcoef``: ``cov`` scaled by the standard deviations, clipped to [-1, 1].

    >>> float(corrcoef(np.array([1.0, 2.0]), np.array([2.0, 4.0]))[0, 1])
    1.0
    """
    c = cov(x, y, rowvar, dtype=dtype)
    if ops.ndim_of(c) == 0:
        return ops.true_divide(c, c)
    d = diagonal(c)
    std = ops.sqrt(ops.real(d))
    c = ops.true_divide(c, ops.expand_dims(std, 1))
    c = ops.true_divide(c, ops.expand_dims(std, 0))
    if ops.dtype_of(c).kind == "c":
        return ops.make_complex(ops.clip(ops.real(c), -1, 1), ops.clip(ops.imag(c), -1, 1))
    return ops.clip(c, -1, 1)


# ---------------------------------------------------------------------------
# shapes: tiling, repeating, rolling, flipping, splitting, stacking

def tile(A: Any, reps: Any) -> Any:
    """``np.tile``: a broadcast along new interleaved axes and a reshape.

    >>> tile(np.array([1.0, 2.0]), 2)
    array([1., 2., 1., 2.])
    """
    A = _arr(A)
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    nd = max(len(reps), ops.ndim_of(A))
    reps = (1,) * (nd - len(reps)) + reps
    shape = (1,) * (nd - ops.ndim_of(A)) + ops.shape_of(A)
    x = ops.reshape(A, tuple(v for d in shape for v in (1, d)))
    x = ops.broadcast_to(x, tuple(v for r, d in zip(reps, shape) for v in (r, d)))
    return ops.reshape(x, tuple(r * d for r, d in zip(reps, shape)))


def repeat(a: Any, repeats: Any, axis: int | None = None) -> Any:
    """``np.repeat`` with concrete ``repeats`` (a traced count would make the shape
    data-dependent).

    >>> repeat(np.array([1.0, 2.0]), 2)
    array([1., 1., 2., 2.])
    """
    a = _arr(a)
    if isinstance(repeats, Tracer):
        raise ConcretizationTypeError(
            "np.repeat with traced `repeats`: the output shape would depend on traced "
            "values; pass repeats as a Python int or a NumPy array")
    if axis is None:
        a, axis = ops.ravel(a), 0
    ax = _axis(axis, ops.ndim_of(a))
    n = ops.shape_of(a)[ax]
    r = np.asarray(repeats)
    if r.ndim == 0 or r.size == 1:
        k = int(r.reshape(()))
        if k < 0:
            raise ValueError("repeats may not contain negative values.")
        x = ops.expand_dims(a, ax + 1)
        shape = list(ops.shape_of(x))
        shape[ax + 1] = k
        x = ops.broadcast_to(x, tuple(shape))
        shape = list(ops.shape_of(a))
        shape[ax] = n * k
        return ops.reshape(x, tuple(shape))
    idx = np.repeat(np.arange(n), r)  # NumPy checks the lengths and signs here
    return ox.take(a, idx, axis=ax)


def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    """``np.roll`` (slices and a concatenate; a traced shift becomes a gather).

    >>> roll(np.array([1.0, 2.0, 3.0]), 1)
    array([3., 1., 2.])
    """
    a = _arr(a)
    if axis is None:
        return ops.reshape(roll(ops.ravel(a), shift, 0), ops.shape_of(a))
    nd = ops.ndim_of(a)
    if isinstance(shift, Tracer):
        if not isinstance(axis, (int, np.integer)):
            raise NotImplementedError("np.roll with a traced shift takes one int axis")
        ax = _axis(axis, nd)
        n = ops.shape_of(a)[ax]
        if n == 0:
            return a
        idx = ops.remainder(ops.subtract(np.arange(n, dtype=np.int64),
                                         ops.convert(shift, np.int64)), n)
        return ox.take(a, idx, axis=ax)
    shifts, axes = np.broadcast_arrays(np.asarray(shift), np.asarray(axis))
    total: dict[int, int] = {}
    for s, ax in zip(shifts.ravel(), axes.ravel()):
        ax = _axis(int(ax), nd)
        total[ax] = total.get(ax, 0) + int(s)
    for ax, s in total.items():
        n = ops.shape_of(a)[ax]
        if n == 0 or s % n == 0:
            continue
        s %= n
        a = ops.concatenate([_slice_along(a, ax, n - s, None), _slice_along(a, ax, None,
                                                                             n - s)], ax)
    return a


def fliplr(m: Any) -> Any:
    """``np.fliplr``: reverse axis 1.

    >>> fliplr(np.array([[1.0, 2.0]]))
    array([[2., 1.]])
    """
    m = _arr(m)
    if ops.ndim_of(m) < 2:
        raise ValueError("Input must be >= 2-d.")
    return ox.flip(m, 1)


def flipud(m: Any) -> Any:
    """``np.flipud``: reverse axis 0.

    >>> flipud(np.array([1.0, 2.0]))
    array([2., 1.])
    """
    m = _arr(m)
    if ops.ndim_of(m) < 1:
        raise ValueError("Input must be >= 1-d.")
    return ox.flip(m, 0)


def flip(m: Any, axis: Any = None) -> Any:
    """``np.flip`` (as before, with NumPy's AxisError for bad axes).

    >>> flip(np.array([1.0, 2.0]))
    array([2., 1.])
    """
    return ox.flip(m, axis)


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """``np.array_split``: near-equal sections (the first ones one longer), or split
    points.

    >>> [p.tolist() for p in array_split(np.arange(5.0), 2)]
    [[0.0, 1.0, 2.0], [3.0, 4.0]]
    """
    ary = _arr(ary)
    ax = _axis(axis, ops.ndim_of(ary))
    n = ops.shape_of(ary)[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    return [_slice_along(ary, ax, lo, hi) if (lo, hi) != (0, n) else ary
            for lo, hi in zip(bounds[:-1], bounds[1:])]


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """``np.split``: like ``array_split``, but sections must divide the axis.

    >>> [p.tolist() for p in split(np.arange(4.0), 2)]
    [[0.0, 1.0], [2.0, 3.0]]
    """
    if isinstance(indices_or_sections, (int, np.integer)):
        n = ops.shape_of(ary)[_axis(axis, ops.ndim_of(ary))]
        if int(indices_or_sections) > 0 and n % int(indices_or_sections):
            raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


def _tri_mask(m: Any, k: int, lower: bool) -> Any:
    m = _arr(m)
    shape = ops.shape_of(m)
    if len(shape) == 0:
        raise ValueError("tril/triu need an array of at least 1 dimension")
    rows, cols = (shape[-2], shape[-1]) if len(shape) >= 2 else (shape[-1], shape[-1])
    mask = np.tri(rows, cols, k if lower else k - 1, dtype=bool)
    if not lower:
        mask = ~mask
    out_shape = np.broadcast_shapes(mask.shape, shape)
    return ops.where(mask, ops.broadcast_to(m, out_shape), _zeros(m))


def tril(m: Any, k: int = 0) -> Any:
    """``np.tril``: zero above the ``k``-th diagonal (of the last two axes).

    >>> tril(np.ones((2, 2)))
    array([[1., 0.],
           [1., 1.]])
    """
    return _tri_mask(m, int(k), True)


def triu(m: Any, k: int = 0) -> Any:
    """``np.triu``: zero below the ``k``-th diagonal (of the last two axes).

    >>> triu(np.ones((2, 2)))
    array([[1., 1.],
           [0., 1.]])
    """
    return _tri_mask(m, int(k), False)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """``np.diagonal``: the diagonal of ``axis1``/``axis2``, as a new last axis.

    >>> diagonal(np.arange(4.0).reshape(2, 2))
    array([0., 3.])
    """
    a = _arr(a)
    nd = ops.ndim_of(a)
    if nd < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    a1, a2 = _axis(axis1, nd), _axis(axis2, nd)
    if a1 == a2:
        raise ValueError("axis1 and axis2 cannot be the same")
    x = ops.moveaxis(a, (a1, a2), (-2, -1))
    n1, n2 = ops.shape_of(x)[-2:]
    offset = int(offset)
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        rows = np.arange(length)
        cols = rows + offset
    else:
        length = max(0, min(n1 + offset, n2))
        cols = np.arange(length)
        rows = cols - offset
    return indexing.getitem(x, (Ellipsis, rows, cols))


def diag(v: Any, k: int = 0) -> Any:
    """``np.diag``: the ``k``-th diagonal of a matrix, or a matrix with ``v`` on it.

    >>> diag(np.array([1.0, 2.0]))
    array([[1., 0.],
           [0., 2.]])
    """
    v = _arr(v)
    k = int(k)
    if ops.ndim_of(v) == 2:
        return diagonal(v, k)
    if ops.ndim_of(v) != 1:
        raise ValueError("Input must be 1- or 2-d.")
    n = ops.shape_of(v)[0]
    size = n + abs(k)
    i, j = np.indices((size, size))
    # entry (i, j) holds v[min(i, j)] on the k-th diagonal, else the appended zero
    idx = np.where(j - i == k, np.minimum(i, j), n)
    padded = ops.concatenate([v, ox.zeros_like(v, shape=(1,))], 0)
    return indexing.getitem(padded, idx)


def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    """``np.append``: concatenate (flattened when ``axis`` is None).

    >>> append(np.array([1.0]), [2.0, 3.0])
    array([1., 2., 3.])
    """
    arr, values = _arr(arr), _arr(values)
    if axis is None:
        return ops.concatenate([ops.ravel(arr), ops.ravel(values)], 0)
    return ops.concatenate([arr, values], axis)


def atleast_3d(*arys: Any) -> Any:
    """``np.atleast_3d``: (N,) -> (1, N, 1), (M, N) -> (M, N, 1); a tuple for several.

    >>> atleast_3d(np.ones(2)).shape
    (1, 2, 1)
    """
    out = []
    for x in arys:
        x = _arr(x)
        shape = ops.shape_of(x)
        if len(shape) == 0:
            x = ops.reshape(x, (1, 1, 1))
        elif len(shape) == 1:
            x = ops.reshape(x, (1, shape[0], 1))
        elif len(shape) == 2:
            x = ops.reshape(x, shape + (1,))
        out.append(x)
    return out[0] if len(out) == 1 else tuple(out)


def column_stack(tup: Sequence) -> Any:
    """``np.column_stack``: 1-d arrays become columns.

    >>> column_stack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    cols = []
    for x in tup:
        x = _arr(x)
        if ops.ndim_of(x) < 2:
            x = ops.reshape(x, (-1, 1)) if ops.ndim_of(x) == 1 else ops.reshape(x, (1, 1))
        cols.append(x)
    return ops.concatenate(cols, 1)


def dstack(tup: Sequence) -> Any:
    """``np.dstack``: stack along the third axis.

    >>> dstack([np.ones(2), np.zeros(2)]).shape
    (1, 2, 2)
    """
    xs = [atleast_3d(x) for x in tup]
    return ops.concatenate(xs, 2)


def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False,
             indexing: str = "xy") -> tuple:
    """``np.meshgrid`` (a tuple, as NumPy 2).

    >>> [g.shape for g in meshgrid(np.ones(2), np.ones(3))]
    [(3, 2), (3, 2)]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    nd = len(xi)
    outs = []
    for i, x in enumerate(xi):
        shape = [1] * nd
        shape[i] = -1
        outs.append(ops.reshape(_arr(x), tuple(shape)))
    if indexing == "xy" and nd > 1:
        outs[0] = ops.reshape(outs[0], (1, -1) + (1,) * (nd - 2))
        outs[1] = ops.reshape(outs[1], (-1, 1) + (1,) * (nd - 2))
    if not sparse:
        shape = np.broadcast_shapes(*[ops.shape_of(o) for o in outs])
        outs = [ops.broadcast_to(o, shape) for o in outs]
    return tuple(outs)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0, *,
             device: Any = None) -> Any:
    """``np.linspace`` with traced ``start``/``stop`` (``num`` must be a Python int).

    >>> linspace(0.0, 1.0, 3)
    array([0. , 0.5, 1. ])
    """
    num = int(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start, stop = _arr(start), _arr(stop)
    div = (num - 1) if endpoint else num
    dt = np.result_type(ops._dtype_arg(start), ops._dtype_arg(stop), float(num))
    start, stop = ops.convert(start, dt), ops.convert(stop, dt)
    delta = ops.subtract(stop, start)
    bshape = np.broadcast_shapes(ops.shape_of(start), ops.shape_of(stop))
    iota = np.arange(0, num, dtype=dt).reshape((-1,) + (1,) * len(bshape))
    if div > 0:
        step = ops.true_divide(delta, dt.type(div))
        y = ops.multiply(iota, step)
    else:
        step = ops.multiply(delta, np.nan)
        y = ops.multiply(iota, delta)
    y = ops.add(y, start)
    y = ops.broadcast_to(y, (num,) + tuple(bshape))
    if endpoint and num > 1:
        last = ops.broadcast_to(ops.expand_dims(stop, 0) if ops.ndim_of(stop) else
                                ops.reshape(stop, (1,)), (1,) + tuple(bshape))
        y = ops.concatenate([indexing.getitem(y, slice(None, -1)), last], 0)
    if axis != 0:
        y = ops.moveaxis(y, 0, axis)
    if dtype is not None:
        dtype = np.dtype(dtype)
        y = ops.convert(ops.floor(y) if dtype.kind in "iu" else y, dtype)
    return (y, step) if retstep else y


# ---------------------------------------------------------------------------
# polynomials, convolution, interpolation

def polyval(p: Any, x: Any) -> Any:
    """``np.polyval``: Horner's rule, highest power first.

    >>> float(polyval(np.array([1.0, 0.0, -1.0]), 3.0))
    8.0
    """
    p, x = _arr(p), _arr(x)
    y = ox.zeros_like(x)
    for i in range(ops.shape_of(p)[0]):
        y = ops.add(ops.multiply(y, x), indexing.getitem(p, i))
    return y


def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """``np.convolve`` of 1-d arrays (modes full/same/valid): a gather of sliding windows
    of the zero-padded longer array and one matrix-vector product.

    >>> convolve(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([1., 3., 2.])
    """
    a, v = ops.promote(_arr(a), _arr(v))
    a, v = ops.ravel(a), ops.ravel(v)
    n, m = ops.shape_of(a)[0], ops.shape_of(v)[0]
    if n == 0:
        raise ValueError("a cannot be empty")
    if m == 0:
        raise ValueError("v cannot be empty")
    if m > n:
        a, v, n, m = v, a, m, n
    if mode == "full":
        ks = np.arange(n + m - 1)
    elif mode == "same":
        ks = np.arange(n) + (m - 1) // 2
    elif mode == "valid":
        ks = np.arange(m - 1, n)
    else:
        raise ValueError(f"mode must be one of 'full', 'same', or 'valid', got {mode!r}")
    zeros = ox.zeros_like(a, shape=(m - 1,))
    padded = ops.concatenate([zeros, a, zeros], 0) if m > 1 else a
    # out[k] = sum_j a[k - j] v[j] = sum_j padded[k + m - 1 - j] v[j]
    idx = ks[:, None] + (m - 1) - np.arange(m)[None, :]
    return ops.matmul(indexing.getitem(padded, idx), v)


def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
           period: Any = None) -> Any:
    """``np.interp`` (1-d, increasing ``xp``): piecewise-linear; at a knot the derivative
    is the right segment's, as ``jax.numpy``.

    >>> float(interp(0.5, np.array([0.0, 1.0]), np.array([0.0, 2.0])))
    1.0
    """
    if period is not None:
        raise NotImplementedError("np.interp(period=...) on tracers")
    x, xp, fp = _arr(x), _arr(xp), _arr(fp)
    if ops.ndim_of(xp) != 1 or ops.ndim_of(fp) != 1:
        raise ValueError("xp and fp must be one-dimensional")
    n = ops.shape_of(xp)[0]
    if n == 0:
        raise ValueError("array of sample points is empty")
    if ops.shape_of(fp)[0] != n:
        raise ValueError("fp and xp are not of the same length.")
    # NumPy computes (and returns) float64 whatever the inputs' precision
    dt = np.result_type(ops.dtype_of(fp), np.float64)
    x, xp, fp = ops.convert(x, np.float64), ops.convert(xp, np.float64), ops.convert(fp, dt)
    if n == 1:
        return ops.where(isnan(x), x, ops.broadcast_to(indexing.getitem(fp, 0),
                                                       ops.shape_of(x)))
    # side='right' search: how many knots are <= x, kept inside [1, n-1]
    count = ops.sum(ops.less_equal(xp, ops.expand_dims(x, -1)), -1)
    i = ops.clip(count, 1, n - 1)
    f0, f1 = indexing.getitem(fp, ops.subtract(i, 1)), indexing.getitem(fp, i)
    x0, x1 = indexing.getitem(xp, ops.subtract(i, 1)), indexing.getitem(xp, i)
    dx = ops.subtract(x1, x0)
    flat = ops.less_equal(ops.absolute(dx), np.spacing(np.finfo(ops.dtype_of(dx)).eps))
    slope = ops.true_divide(ops.subtract(f1, f0), ops.where(flat, 1.0, dx))
    f = ops.where(flat, f0, ops.add(f0, ops.multiply(ops.subtract(x, x0), slope)))
    lo = indexing.getitem(fp, 0) if left is None else left
    hi = indexing.getitem(fp, -1) if right is None else right
    f = ops.where(ops.less(x, indexing.getitem(xp, 0)), lo, f)
    return ops.where(ops.greater(x, indexing.getitem(xp, -1)), hi, f)


# ---------------------------------------------------------------------------
# registration

def _register() -> None:
    from .numpy_api import FUNCTIONS, UFUNCS
    UFUNCS.update({
        np.fmod: fmod, np.trunc: trunc, np.hypot: hypot, np.logaddexp: logaddexp,
        np.logaddexp2: logaddexp2, np.exp2: exp2, np.log2: log2, np.log10: log10,
        np.cbrt: cbrt, np.deg2rad: deg2rad, np.radians: deg2rad, np.rad2deg: rad2deg,
        np.degrees: rad2deg, np.heaviside: heaviside, np.copysign: copysign,
        np.isnan: isnan, np.isinf: isinf, np.signbit: signbit,
    })
    FUNCTIONS.update({
        np.round: round_, np.around: round_, np.sinc: sinc, np.nan_to_num: nan_to_num,
        np.diff: diff,
        np.cumprod: cumprod, np.sort: sort, np.argsort: argsort, np.tile: tile,
        np.repeat: repeat, np.roll: roll, np.fliplr: fliplr, np.flipud: flipud,
        np.split: split, np.array_split: array_split, np.tril: tril, np.triu: triu,
        np.diag: diag, np.diagonal: diagonal, np.kron: kron, np.cross: cross,
        np.append: append, np.ptp: ptp, np.average: average, np.median: median,
        np.nansum: nansum, np.nanmean: nanmean, np.convolve: convolve,
        np.polyval: polyval, np.interp: interp, np.cov: cov, np.corrcoef: corrcoef,
        np.take_along_axis: take_along_axis, np.column_stack: column_stack,
        np.dstack: dstack, np.atleast_3d: atleast_3d, np.meshgrid: meshgrid,
        np.linspace: linspace, np.count_nonzero: count_nonzero, np.isclose: isclose,
        np.allclose: allclose,
    })


_register()
