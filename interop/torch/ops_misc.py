"""More torch functions: ``fmod``, ``hypot``, ``sinc``, ``logit``, ``diff``, ``renorm``,
``trapezoid``, ``Tensor.unfold``, ``cummax``/``cummin``, ``logcumsumexp``,
``masked_select``.

Each is one node named as PyTorch's ``grad_fn`` (``ops_core.traced``), written with
NumPy semantics on tracer values. Index choices that do not depend on gradients (the
running argmax of ``cummax``, the positions ``masked_select`` keeps) are computed on
the concrete values first, as torch's kernels do.

>>> fmod(tensor([-3.0, 3.0]), 2)   # doctest: +SKIP
tensor([-1.,  1.])
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ...tracer import indexing as tix
from . import dtypes
from .ops_complex import refuse_complex, scalar_type_name
from .ops_core import convert, result_np_dtype, traced
from .ops_reduce import _ret_repr
from .tensor import Tensor, _wrap_dim

__all__ = ["fmod", "hypot", "sinc", "logit", "diff", "renorm", "trapezoid", "trapz",
           "unfold", "cummax", "cummin", "logcumsumexp", "masked_select"]


def _tensor(x: Any, dt: np.dtype) -> Tensor:
    return convert(x, dt) if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x, dt))


def _float_dtype(*xs: Any) -> np.dtype:
    dt = result_np_dtype(*xs)
    return dt if dt.kind in "fc" else dtypes.get_default_dtype().np


def _trunc(q: Any) -> Any:
    return np.where(q < 0, np.ceil(q), np.floor(q))


def fmod(input: Any, other: Any) -> Tensor:
    """C-style remainder, with the sign of the dividend (``remainder`` takes the
    divisor's): ``fmod(-3., 2) == -1``. FmodBackward0 (number divisor) or 1 (tensor)."""
    refuse_complex("fmod", input, other)
    dt = result_np_dtype(input, other)
    x = _tensor(input, dt)
    if dt.kind not in "fc":  # integers: exact, not differentiable
        y = other._data if isinstance(other, Tensor) else other
        if np.any(np.asarray(y) == 0):
            raise RuntimeError("ZeroDivisionError")
        return Tensor._wrap(np.asarray(np.fmod(x._data, y)).astype(dt))
    with np.errstate(all="ignore"):
        if isinstance(other, Tensor):
            return traced("FmodBackward1", lambda a, b: a - _trunc(a / b) * b,
                          [x, convert(other, dt)])
        s = dt.type(other)
        return traced("FmodBackward0", lambda a: a - _trunc(a / s) * s, [x])


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """``sqrt(input**2 + other**2)`` elementwise (HypotBackward0); floats only."""
    dt = result_np_dtype(input, other)
    if dt.kind != "f":
        raise NotImplementedError(f'"hypot_cpu" not implemented for '
                                  f"'{scalar_type_name(dt)}'")
    return traced("HypotBackward0", lambda a, b: np.sqrt(a * a + b * b),
                  [_tensor(input, dt), _tensor(other, dt)])


def sinc(input: Tensor) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0 (SincBackward0); integers become floats."""
    x = _tensor(input, _float_dtype(input))

    def fn(a):
        zero = a == 0
        safe = np.where(zero, np.ones_like(a), a) * math.pi  # no 0/0 in either branch
        return np.where(zero, np.ones_like(a), np.sin(safe) / safe)
    return traced("SincBackward0", fn, [x])


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))`` (LogitBackward0); with ``eps``, ``p`` is first clamped to
    ``[eps, 1 - eps]`` (zero gradient outside)."""
    x = _tensor(input, _float_dtype(input))

    def fn(a):
        if eps is not None:
            a = np.clip(a, eps, 1 - eps)
        return np.log(a / (1 - a))
    with np.errstate(all="ignore"):
        return traced("LogitBackward0", fn, [x])


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (SubBackward0), after
    concatenating ``prepend`` and ``append``."""
    d = _wrap_dim(dim, input.dim())
    parts = [t for t in (prepend, input, append) if t is not None]

    def fn(*xs):
        x = np.concatenate(xs, axis=d) if len(xs) > 1 else xs[0]
        for _ in range(n):
            hi = [slice(None)] * x.ndim
            lo = [slice(None)] * x.ndim
            hi[d], lo[d] = slice(1, None), slice(None, -1)
            x = x[tuple(hi)] - x[tuple(lo)]
        return x
    if input._data.dtype == np.bool_:
        raise RuntimeError("diff expects input to be numeric")  # torch: bool is refused
    return traced("SubBackward0", fn, parts)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` is scaled down to
    it (RenormBackward0)."""
    d = _wrap_dim(dim, input.dim())
    axes = tuple(i for i in range(input.dim()) if i != d)

    def fn(a):
        if p == math.inf:
            norm = np.max(np.abs(a), axis=axes, keepdims=True)
        else:
            norm = np.sum(np.abs(a) ** p, axis=axes, keepdims=True) ** (1.0 / p)
        return a * np.where(norm > maxnorm, maxnorm / (norm + 1e-7), np.ones_like(norm))
    return traced("RenormBackward0", fn, [input])


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
              dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``, with sample points ``x`` or spacing ``dx``
    (default 1): MulBackward1 for a spacing, DivBackward1 for sample points."""
    d = _wrap_dim(dim, y.dim())

    def pairs(a):
        hi = [slice(None)] * a.ndim
        lo = [slice(None)] * a.ndim
        hi[d], lo[d] = slice(1, None), slice(None, -1)
        return a[tuple(hi)], a[tuple(lo)]

    if x is not None:
        def with_points(a, b):
            if b.ndim == 1 and a.ndim > 1:  # 1-d sample points lie along dim
                b = np.reshape(b, tuple(-1 if i == d else 1 for i in range(a.ndim)))
            ah, al = pairs(a)
            bh, bl = pairs(b)
            return np.sum((bh - bl) * (ah + al), axis=d) / 2
        return traced("DivBackward1", with_points, [y, x])
    step = 1.0 if dx is None else dx

    def with_step(a):
        ah, al = pairs(a)
        return np.sum(ah + al, axis=d) * (step / 2)
    return traced("MulBackward1", with_step, [y])


trapz = trapezoid


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``x.unfold(dim, size, step)``: the windows of ``size`` along ``dim`` (every
    ``step``) as a new last dimension (UnfoldBackward0)."""
    d = _wrap_dim(dimension, input.dim())
    n = input._data.shape[d] if input.dim() else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    windows = (n - size) // step + 1
    idx = np.arange(windows)[:, None] * step + np.arange(size)[None, :]

    def fn(a):
        if a.ndim == 0:
            return np.reshape(a, (1,))
        return np.moveaxis(tix.getitem(a, (slice(None),) * d + (idx,)), d + 1, -1)
    return traced("UnfoldBackward0", fn, [input])


CummaxResult = namedtuple("cummax", ["values", "indices"])
CumminResult = namedtuple("cummin", ["values", "indices"])
for _cls in (CummaxResult, CumminResult):
    _cls.__module__ = "torch.return_types"
    _cls.__repr__ = _ret_repr  # type: ignore[method-assign]


def _running_arg(a: np.ndarray, d: int, better) -> np.ndarray:
    """The index of the running extreme along ``d``; a tie moves to the later element,
    and NaN, once seen, stays (as torch's kernel)."""
    a = np.moveaxis(a, d, -1)
    idx = np.zeros(a.shape, np.int64)
    if a.shape[-1]:
        best = a[..., 0].copy()
        cur = np.zeros(a.shape[:-1], np.int64)
        for k in range(a.shape[-1]):
            v = a[..., k]
            take = (better(v, best) | (v == best) | np.isnan(v)) & ~np.isnan(best)
            take |= k == 0
            best = np.where(take, v, best)
            cur = np.where(take, k, cur)
            idx[..., k] = cur
    return np.moveaxis(idx, -1, d)


def _cumulative_extreme(name: str, result, better, input: Tensor, dim: int):
    d = _wrap_dim(dim, input.dim())
    data = input._data if input.dim() else input._data.reshape(1)
    idx = _running_arg(data, d if input.dim() else 0, better)
    if not input.dim():
        idx = idx.reshape(())
    grids = list(np.indices(idx.shape, sparse=True))
    if input.dim():
        grids[d] = idx
    values = traced(name, lambda a: tix.getitem(a, tuple(grids)) if a.ndim else a, [input])
    return result(values, Tensor._wrap(idx))


def cummax(input: Tensor, dim: int) -> CummaxResult:
    """Running maximum along ``dim`` and where it was found (CummaxBackward0)."""
    return _cumulative_extreme("CummaxBackward0", CummaxResult, np.greater, input, dim)


def cummin(input: Tensor, dim: int) -> CumminResult:
    """Running minimum along ``dim`` and where it was found (CumminBackward0)."""
    return _cumulative_extreme("CumminBackward0", CumminResult, np.less, input, dim)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``dim``, computed stably (LogcumsumexpBackward0)."""
    from ...tracer.ops import stop_gradient
    d = _wrap_dim(dim, input.dim())

    def fn(a):
        if a.ndim == 0:
            return a
        m = np.max(a, axis=d, keepdims=True)
        m = stop_gradient(np.where(np.isfinite(m), m, np.zeros_like(m)))
        return np.log(np.cumsum(np.exp(a - m), axis=d)) + m
    with np.errstate(all="ignore"):
        return traced("LogcumsumexpBackward0", fn, [input])


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The entries of ``input`` where the (broadcast) ``mask`` is True, as a 1-d tensor
    (MaskedSelectBackward0)."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    keep = np.nonzero(np.broadcast_to(mask._data, shape))

    def fn(a):
        return tix.getitem(np.broadcast_to(a, shape), keep)
    return traced("MaskedSelectBackward0", fn, [input])
