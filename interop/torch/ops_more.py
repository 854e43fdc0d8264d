"""Less common torch functions: ``addmm``, ``cumprod``, ``diag``, ``einsum``, ``scatter``...

Most are written in NumPy semantics on tracer values through ``ops_core.traced`` (one
node named as PyTorch's ``grad_fn``); the rest are not differentiable (``nonzero``,
``unique``, ``count_nonzero``) or reuse the shim's existing ops (``tile`` is ``repeat``).

>>> tril(ones(3, 3))   # doctest: +SKIP
tensor([[1., 0., 0.],
        [1., 1., 0.],
        [1., 1., 1.]])
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from ...tracer import indexing as tix
from ...tracer import prims_elementwise as ew
from ...tracer import prims_structural as st
from . import dtypes
from . import ops_reduce as R
from . import ops_shape as S
from .ops_complex import refuse_complex
from .ops_core import composite, convert, result_np_dtype, traced
from .tensor import Tensor, _wrap_dim

__all__ = [
    "addmm", "atan2", "baddbmm", "cdist", "count_nonzero", "cross", "cumprod", "diag",
    "diag_embed", "diagonal", "dist", "einsum", "frac", "heaviside", "kron", "lerp",
    "logaddexp", "masked_fill", "median", "meshgrid", "nan_to_num", "nonzero", "normal",
    "repeat_interleave", "roll", "scatter", "scatter_add", "std_mean", "take", "tensordot",
    "tile", "tril", "triu", "trunc", "unique", "var_mean", "xlogy",
]


def _get(x: Any, idx: Any) -> Any:
    """``x[idx]`` for a tracer or an array (advanced indexing included)."""
    return tix.getitem(x, idx)


def _float(t: Tensor) -> Tensor:
    if t._data.dtype.kind in "fc":
        return t
    return convert(t, dtypes.get_default_dtype().np)


def _same(a: Any, b: Any, floats: bool = False) -> tuple[Tensor, Tensor]:
    """Both operands as tensors of their promoted dtype (float when ``floats``)."""
    dt = result_np_dtype(a, b)
    if floats and dt.kind not in "fc":
        dt = dtypes.get_default_dtype().np
    ta = convert(a, dt) if isinstance(a, Tensor) else Tensor._wrap(np.asarray(a, dt))
    tb = convert(b, dt) if isinstance(b, Tensor) else Tensor._wrap(np.asarray(b, dt))
    return ta, tb


def _shape_str(shape: tuple) -> str:
    return "x".join(map(str, shape))


# ---------------------------------------------------------------------------
# products


def _scaled_sum(name: str, input: Tensor, prod: Any, a: Tensor, b: Tensor,
                beta: Any, alpha: Any) -> Tensor:
    def fn(i, x, y):
        p = prod(x, y)
        if alpha != 1:
            p = p * alpha
        if beta == 0:  # torch ignores input (even NaN) when beta is 0
            return p + np.zeros_like(i)
        return (i * beta if beta != 1 else i) + p
    return traced(name, fn, [input, a, b])


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
          alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` (AddmmBackward0)."""
    if mat1.dim() != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.dim()}-D tensor")
    if mat2.dim() != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.dim()}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({_shape_str(mat1.shape)} and {_shape_str(mat2.shape)})")
    out_shape = (mat1.shape[0], mat2.shape[1])
    input = S.broadcast_to(input, out_shape) if tuple(input.shape) != out_shape else input
    return _scaled_sum("AddmmBackward0", input, np.matmul, mat1, mat2, beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)`` (BaddbmmBackward0)."""
    if batch1.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    out_shape = (batch1.shape[0], batch1.shape[1], batch2.shape[2])
    if batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch1.shape[0]}, {batch1.shape[2]}] but got: "
                           f"[{batch2.shape[0]}, {batch2.shape[1]}].")
    input = S.broadcast_to(input, out_shape) if tuple(input.shape) != out_shape else input
    return _scaled_sum("BaddbmmBackward0", input, np.matmul, batch1, batch2, beta, alpha)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The 3-vector cross product along ``dim`` (LinalgCrossBackward0); without ``dim``,
    the first dimension of size 3 (torch.cross's deprecated default)."""
    a, b = _same(input, other)
    if a.dim() != b.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.",
                      UserWarning, stacklevel=2)
        sizes = [d for d in range(a.dim()) if a.shape[d] == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        d = sizes[0]
    else:
        d = _wrap_dim(dim, a.dim())
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim if dim is not None else d} "
                           f"must have length 3. Got {a.shape[d]} and {b.shape[d]}")
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))

    def fn(x, y):
        i1, i2 = np.array([1, 2, 0]), np.array([2, 0, 1])
        x = np.broadcast_to(x, shape)
        y = np.broadcast_to(y, shape)
        return (np.take(x, i1, axis=d) * np.take(y, i2, axis=d)
                - np.take(x, i2, axis=d) * np.take(y, i1, axis=d))
    return traced("LinalgCrossBackward0", fn, [a, b])


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product (UnsafeViewBackward0)."""
    a, b = _same(input, other)
    n = builtins.max(a.dim(), b.dim())
    sa = (1,) * (n - a.dim()) + tuple(a.shape)
    sb = (1,) * (n - b.dim()) + tuple(b.shape)
    out_shape = tuple(i * j for i, j in zip(sa, sb))

    def fn(x, y):
        x = np.reshape(x, tuple(v for s in sa for v in (s, 1)))
        y = np.reshape(y, tuple(v for s in sb for v in (1, s)))
        return np.reshape(x * y, out_shape)
    return traced("UnsafeViewBackward0", fn, [a, b])


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """``np.tensordot`` (ViewBackward0); ``dims`` an int or two lists of dimensions."""
    x, y = _same(a, b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        axes: Any = dims
    else:
        d1, d2 = dims
        d1 = [d1] if isinstance(d1, int) else list(d1)
        d2 = [d2] if isinstance(d2, int) else list(d2)
        if len(d1) != len(d2):
            raise RuntimeError("both dimension lists should have same length")
        axes = ([_wrap_dim(d, x.dim()) for d in d1], [_wrap_dim(d, y.dim()) for d in d2])
    return traced("ViewBackward0", lambda p, q: np.tensordot(p, q, axes), [x, y])


def _einsum_node(equation: str, n: int) -> str:
    ins, _, out = equation.replace(" ", "").partition("->")
    terms = ins.split(",")
    if not _:
        letters = [c for c in ins if c.isalpha()]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    summed = {c for t in terms for c in t if c.isalpha()} - set(out)
    if n == 1:
        return "SumBackward1" if summed else "PermuteBackward0"
    if n == 2 and not summed:
        return "MulBackward0"
    return "ViewBackward0"


def einsum(equation: str, *operands: Any) -> Tensor:
    """``torch.einsum('ij,jk->ik', a, b)`` through NumPy's einsum on tracers (one node
    named as torch's last step: ViewBackward0, MulBackward0, SumBackward1 or
    PermuteBackward0)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    dt = result_np_dtype(*operands)
    ts = [convert(t, dt) for t in operands]
    return traced(_einsum_node(equation, len(ts)), lambda *xs: np.einsum(equation, *xs), ts)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """Pairwise distances between rows (CdistBackward0); ``p`` 1, 2 or inf (a zero
    distance has gradient 0, as in torch)."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1._data.dtype.kind not in "f" or x2._data.dtype.kind not in "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{x1.dtype}")

    def fn(a, b):
        d = np.expand_dims(a, -2) - np.expand_dims(b, -3)
        if p == 2:
            s = np.sum(d * d, axis=-1)
            zero = s == 0
            return np.where(zero, 0, np.sqrt(np.where(zero, 1, s)))
        if p == 1:
            return np.sum(np.abs(d), axis=-1)
        if p == math.inf:
            return np.max(np.abs(d), axis=-1)
        s = np.sum(np.abs(d) ** p, axis=-1)
        zero = s == 0
        return np.where(zero, 0, np.where(zero, 1, s) ** (1.0 / p))
    return traced("CdistBackward0", fn, [x1, x2])


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """``norm(input - other, p)`` as one node (DistBackward0)."""
    a, b = _same(input, other, floats=True)

    def fn(x, y):
        d = np.abs(x - y)
        if p == math.inf:
            return np.max(d)
        if p == -math.inf:
            return np.min(d)
        if p == 0:
            return np.sum(d != 0).astype(d.dtype)
        if p == 1:
            return np.sum(d)
        s = np.sum(d ** p)
        zero = s == 0
        return np.where(zero, 0, np.where(zero, 1, s) ** (1.0 / p))
    return traced("DistBackward0", fn, [a, b])


# ---------------------------------------------------------------------------
# cumulative, diagonal and triangular


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative product along ``dim`` (CumprodBackward0); integers give int64."""
    if dtype is not None:
        input = convert(input, dtypes.to_numpy(dtype))
    elif input._data.dtype.kind in "biu":
        input = convert(input, np.dtype(np.int64))
    d = _wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return traced("CumprodBackward0", lambda x: x * 1, [input])
    n = input.shape[d]
    keep = np.tri(n, dtype=bool)  # keep[i, j]: factor j enters the product i

    def fn(x):
        x = np.moveaxis(x, d, -1)
        rows = np.broadcast_to(np.expand_dims(x, -2), x.shape[:-1] + (n, n))
        out = np.prod(np.where(keep, rows, np.ones_like(rows)), axis=-1)
        return np.moveaxis(out, -1, d)
    return traced("CumprodBackward0", fn, [input])


def _diag_positions(n: int, offset: int) -> tuple[np.ndarray, np.ndarray, int]:
    size = n + builtins.abs(offset)
    i = np.arange(n)
    return (i, i + offset, size) if offset >= 0 else (i - offset, i, size)


def _embed(x: Any, offset: int, size: int, rows: np.ndarray, cols: np.ndarray) -> Any:
    """Place the last axis of ``x`` on a diagonal of new trailing (size, size) axes."""
    x = np.asarray(x) if isinstance(x, np.ndarray) else x
    shape = tuple(np.shape(x))[:-1] + (size, size)
    zeros = np.zeros(shape, dtype=x.dtype)
    return tix.at(zeros)[..., rows, cols].set(x)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The last dimension of ``input`` on a diagonal of two new dimensions
    (DiagEmbedBackward0)."""
    nd = input.dim() + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rows, cols, size = _diag_positions(input.shape[-1] if input.dim() else 1, offset)

    def fn(x):
        out = _embed(x, offset, size, rows, cols)
        return np.moveaxis(out, (-2, -1), (d1, d2))
    return traced("DiagEmbedBackward0", fn, [input])


def _diagonal(name: str, input: Tensor, offset: int, dim1: int, dim2: int) -> Tensor:
    nd = input.dim()
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    r, c = input.shape[d1], input.shape[d2]
    if offset >= 0:
        n = builtins.max(builtins.min(r, c - offset), 0)
        rows, cols = np.arange(n), np.arange(n) + offset
    else:
        n = builtins.max(builtins.min(r + offset, c), 0)
        rows, cols = np.arange(n) - offset, np.arange(n)

    def fn(x):
        x = np.moveaxis(x, (d1, d2), (-2, -1))
        return _get(x, (Ellipsis, rows, cols))
    return traced(name, fn, [input])


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes, as a last dimension (DiagonalBackward0)."""
    if input.dim() < 2:
        raise RuntimeError(f"diagonal(): expected input to have at least 2 dimensions, "
                           f"but got {input.dim()}")
    return _diagonal("DiagonalBackward0", input, offset, dim1, dim2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-d: a matrix with ``input`` on a diagonal; 2-d: a diagonal of the matrix."""
    if input.dim() == 1:
        return diag_embed(input, diagonal)
    if input.dim() == 2:
        return _diagonal("DiagonalBackward0_copy", input, diagonal, 0, 1)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " f"{input.dim()}D")


def _triangle(name: str, lower: bool, input: Tensor, diagonal: int) -> Tensor:
    if input.dim() < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    r, c = input.shape[-2], input.shape[-1]
    keep = np.tri(r, c, diagonal, dtype=bool)
    if not lower:
        keep = ~np.tri(r, c, diagonal - 1, dtype=bool)
    node = "TrilBackward0" if lower else "TriuBackward0"
    return traced(node, lambda x: np.where(keep, x, np.zeros_like(x)), [input])


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Zero above the ``diagonal``-th diagonal (TrilBackward0)."""
    return _triangle("tril", True, input, diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Zero below the ``diagonal``-th diagonal (TriuBackward0)."""
    return _triangle("triu", False, input, diagonal)


# ---------------------------------------------------------------------------
# elementwise


def _trunc_np(x: Any) -> Any:
    return np.where(x < 0, np.ceil(x), np.floor(x))


def trunc(input: Tensor) -> Tensor:
    """Round toward zero (TruncBackward0, zero gradient); integers are copied."""
    refuse_complex("trunc", input)
    if input._data.dtype.kind in "biu":
        return input.clone()
    never = np.zeros(input._data.shape, dtype=bool)
    # the where keeps x in the graph: its gradient is zeros (torch's), not None
    return traced("TruncBackward0", lambda x: np.where(never, x, _trunc_np(x)), [input])


fix = trunc


def frac(input: Tensor) -> Tensor:
    """``x - trunc(x)`` (FracBackward0, gradient 1)."""
    refuse_complex("frac", input)
    if input._data.dtype.kind in "biu":
        raise RuntimeError(f"\"frac_cpu\" not implemented for "
                           f"'{dtypes.from_numpy(input._data.dtype).name()}'")
    return traced("FracBackward0", lambda x: x - _trunc_np(x), [input])


def atan2(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``arctan(input / other)`` with quadrants (Atan2Backward0)."""
    a, b = _same(input, other, floats=True)
    return traced("Atan2Backward0", np.arctan2, [a, b])


arctan2 = atan2


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(a) + exp(b))`` computed stably (LogaddexpBackward0)."""
    a, b = _same(input, other, floats=True)

    def fn(x, y):
        from ...tracer.ops import stop_gradient
        m = np.maximum(x, y)
        fin = np.isfinite(m)
        m = stop_gradient(np.where(fin, m, np.zeros_like(m)))
        out = m + np.log(np.exp(x - m) + np.exp(y - m))
        return np.where(fin, out, np.maximum(x, y))  # inf, or NaN as torch
    with np.errstate(all="ignore"):
        return traced("LogaddexpBackward0", fn, [a, b])


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input == 0`` (unless ``other`` is NaN)."""
    name = ("XlogyBackward0" if isinstance(input, Tensor) and isinstance(other, Tensor)
            else "XlogyBackward2" if isinstance(input, Tensor) else "XlogyBackward1")
    a, b = _same(input, other, floats=True)

    def fn(x, y):
        zero = x == 0
        ys = np.where(zero, np.ones_like(y), y)
        out = np.where(zero, np.zeros_like(x * y), x * np.log(ys))
        return np.where(y != y, y, out)
    with np.errstate(all="ignore"):
        return traced(name, fn, [a, b])


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """``input + weight * (end - input)`` (LerpBackward0 for a number weight,
    LerpBackward1 for a tensor)."""
    if input._data.dtype != end._data.dtype:
        raise RuntimeError(f"expected dtype {dtypes.from_numpy(input._data.dtype)} for `end`"
                           f" but got dtype {dtypes.from_numpy(end._data.dtype)}")
    if isinstance(weight, Tensor):
        w = weight
        return traced("LerpBackward1", lambda s, e, q: s + q * (e - s), [input, end, w])
    return traced("LerpBackward0", lambda s, e: s + weight * (e - s), [input, end])


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 below zero, 1 above, ``values`` at zero (not differentiable)."""
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    if input.requires_grad or values.requires_grad:
        from .grad_mode import _enabled
        if _enabled.get():
            raise RuntimeError("the derivative for 'heaviside' is not implemented.")
    x = input._data
    out = np.where(x == 0, values._data, (x > 0)).astype(x.dtype)
    return Tensor._wrap(np.asarray(out))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced by numbers (NanToNumBackward0); the infinities
    default to the dtype's largest and smallest values."""
    dt = input._data.dtype
    if dt.kind not in "fc":
        return input.clone()
    info = np.finfo(dt)
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf

    def fn(x):
        t = dt.type
        x = np.where(x != x, t(nan), x)
        x = np.where(x == np.inf, t(hi), x)
        return np.where(x == -np.inf, t(lo), x)
    return traced("NanToNumBackward0", fn, [input])


# ---------------------------------------------------------------------------
# indexing and rearranging


#: torch's C type names in some messages
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double",
            "float16": "c10::Half", "bool": "bool"}


def _check_mask(mask: Tensor) -> None:
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                           f"dtype {_C_NAMES.get(mask._data.dtype.name, mask._data.dtype.name)}")


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``value`` where ``mask`` is True (MaskedFillBackward0; a 0-d tensor value:
    MaskedFillBackward1, its gradient the sum over the mask)."""
    _check_mask(mask)
    m = np.broadcast_to(mask._data, input._data.shape)
    dt = input._data.dtype
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, "
                               f"but got tensor with {value.dim()} dimension(s).")
        v = convert(value, dt)
        return traced("MaskedFillBackward1", lambda x, s: np.where(m, s, x), [input, v])
    fill = np.asarray(value).astype(dt)
    return traced("MaskedFillBackward0", lambda x: np.where(m, fill, x), [input])


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 1-d tensors (ExpandBackward0); ``indexing='ij'`` (default)
    or ``'xy'`` (the first two dimensions swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list"
                               f" but got: {t}")
    sizes = [builtins.max(t.numel(), 1) if t.dim() else 1 for t in tensors]
    n = len(tensors)
    order = list(range(n))
    if indexing == "xy" and n >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    out = []
    for k, t in enumerate(tensors):
        pos = order.index(k)
        view = tuple(sizes[k] if j == pos else 1 for j in range(n))
        out.append(traced("ExpandBackward0",
                          lambda x, view=view: np.broadcast_to(np.reshape(x, view), shape), [t]))
    return tuple(out)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the nonzero entries: an (n, ndim) int64 tensor, or one per dimension."""
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (Tensor._wrap(np.nonzero(np.atleast_1d(x))[0].astype(np.int64)),)
        return tuple(Tensor._wrap(np.ascontiguousarray(i.astype(np.int64)))
                     for i in np.nonzero(x))
    return Tensor._wrap(np.ascontiguousarray(np.argwhere(x).astype(np.int64)))


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of nonzero entries (over ``dim``), int64."""
    axes = None if dim is None else tuple(_wrap_dim(d, input.dim()) for d in (
        dim if isinstance(dim, (list, tuple)) else (dim,)))
    return Tensor._wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element repeated ``repeats`` times (along ``dim``, or flattened);
    ``repeat_interleave(counts)`` gives ``[0]*counts[0] + [1]*counts[1] + ...``."""
    if repeats is None:
        counts = input._data
        if counts.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return Tensor._wrap(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    x = input if dim is not None else S.reshape(input, (-1,))
    d = 0 if dim is None else _wrap_dim(dim, input.dim())
    reps = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if reps.ndim and reps.size not in (1, x.shape[d]):
        raise RuntimeError("repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {reps.size} and input.size({d}) = "
                           f"{x.shape[d]}")
    if reps.size and (reps < 0).any():
        raise RuntimeError("repeats can not be negative")
    idx = np.repeat(np.arange(x.shape[d]), reps.reshape(-1) if reps.ndim else int(reps))
    name = "ViewBackward0" if dim is None else "IndexSelectBackward0"
    return traced(name, lambda v: np.take(v, idx, axis=d), [x])


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Entries shifted cyclically along ``dims`` (or the flattened tensor): RollBackward0."""
    sh = [shifts] if isinstance(shifts, int) else list(shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"roll: shifts must be a scalar or a list of size 1 when dims "
                               f"is not specified, got {len(sh)}")
        n = input.numel()
        idx = (np.arange(n) - sh[0]) % builtins.max(n, 1)
        shape = tuple(input.shape)
        return traced("RollBackward0",
                      lambda x: np.reshape(np.take(np.reshape(x, (-1,)), idx), shape), [input])
    ds = [dims] if isinstance(dims, int) else list(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:"
                           f"{len(ds)}")
    ds = [_wrap_dim(d, input.dim()) for d in ds]

    def fn(x):
        for s, d in zip(sh, ds):
            n = input.shape[d]
            x = np.take(x, (np.arange(n) - s) % builtins.max(n, 1), axis=d)
        return x
    return traced("RollBackward0", fn, [input])


def take(input: Tensor, index: Tensor) -> Tensor:
    """Entries of the flattened ``input`` at ``index`` (TakeBackward0), shaped as index."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{dtypes.from_numpy(index._data.dtype).name()}")
    n = input.numel()
    idx = index._data
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of "
                         f"{n} elements.")
    return traced("TakeBackward0",
                  lambda x: np.reshape(np.take(np.reshape(x, (-1,)), idx.reshape(-1)),
                                       idx.shape), [input])


def tile(input: Tensor, dims: Any) -> Tensor:
    """``input`` repeated along each dimension (RepeatBackward0); ``dims`` shorter than
    the tensor's rank is padded with ones in front."""
    reps = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
    if len(reps) < input.dim():
        reps = (1,) * (input.dim() - len(reps)) + reps
    return S.repeat(input, *reps)


def _scatter_grids(dim: int, index: Tensor, nd: int) -> tuple:
    grids = list(np.indices(index._data.shape, sparse=True))
    grids[dim] = index._data
    return tuple(grids)


def _check_scatter(name: str, input: Tensor, dim: int, index: Tensor, src: Any) -> int:
    d = _wrap_dim(dim, input.dim())
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    if index.dim() != input.dim():
        raise RuntimeError("Index tensor must have the same number of dimensions as self "
                           "tensor")
    return d


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """``out[index[i][j]][j] = src[i][j]`` along ``dim`` (ScatterBackward0; a number
    ``value``: ScatterBackward1). ``reduce`` ('add'/'multiply') is not supported."""
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported by the shim")
    if src is None:
        src = value
    d = _check_scatter("scatter", input, dim, index, src)
    grids = _scatter_grids(d, index, input.dim())
    if isinstance(src, Tensor):
        part = tuple(slice(0, s) for s in index._data.shape)
        written = np.zeros(input._data.shape, dtype=bool)
        written[grids] = True

        def fn(x, s):
            from ...tracer.ops import stop_gradient
            s = _get(s, part)
            base = np.where(written, np.zeros_like(x), x)
            summed = tix.at(base)[grids].add(s)
            # the value of the last write; the gradient of src is grad.gather(dim, index)
            # for every entry, repeated indices included, as in torch
            return summed - stop_gradient(summed - tix.at(base)[grids].set(s))
        return traced("ScatterBackward0", fn, [input, src])
    fill = np.asarray(src).astype(input._data.dtype)
    return traced("ScatterBackward1", lambda x: tix.at(x)[grids].set(fill), [input])


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``out[index[i][j]][j] += src[i][j]`` along ``dim`` (ScatterAddBackward0)."""
    d = _check_scatter("scatter_add", input, dim, index, src)
    grids = _scatter_grids(d, index, input.dim())
    part = tuple(slice(0, s) for s in index._data.shape)
    return traced("ScatterAddBackward0",
                  lambda x, s: tix.at(x)[grids].add(_get(s, part)), [input, src])


# ---------------------------------------------------------------------------
# statistics


def _moments(b, x, axes, correction, keepdim, take_sqrt):
    v = R._var(b, x, axes, correction, keepdim, take_sqrt)
    n = 1
    for a in axes:
        n *= x.shape[a]
    m = b(ew.div_p, b(st.reduce_sum_p, x, axes=axes), x.dtype.type(n))
    if keepdim:
        m = R._keep(b, m, axes, x.ndim)
    return (v, m)


def _moments_op(name: str, take_sqrt: bool, input: Tensor, dim: Any, unbiased: Any,
                keepdim: bool, correction: Any) -> tuple[Tensor, Tensor]:
    if isinstance(dim, bool) and unbiased is None:  # var_mean(x, False): unbiased
        dim, unbiased = None, dim
    c = (1 if unbiased in (None, True) else 0) if correction is None else correction
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be "
                           f"either a floating point or complex dtype. Got: "
                           f"{dtypes.from_numpy(input._data.dtype).name().capitalize()}")
    node = "StdMeanBackward0" if take_sqrt else "VarMeanBackward0"
    return composite(node, _moments, [input], R._dims(dim, input.dim()), c, keepdim,
                     take_sqrt)


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False,
             *, correction: Any = None) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` in one node (VarMeanBackward0)."""
    return _moments_op("var_mean", False, input, dim, unbiased, keepdim, correction)


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False,
             *, correction: Any = None) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` in one node (StdMeanBackward0)."""
    return _moments_op("std_mean", True, input, dim, unbiased, keepdim, correction)


MedianResult = namedtuple("median", ["values", "indices"])
MedianResult.__module__ = "torch.return_types"


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median: of all entries (MedianBackward0), or along ``dim`` as
    ``(values, indices)`` (MedianBackward1)."""
    refuse_complex("median", input)
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        if flat.size == 0:
            return Tensor._wrap(np.asarray(np.nan, dtype=x.dtype))
        k = int(np.argsort(flat, kind="stable")[(flat.size - 1) // 2])
        if np.isnan(flat).any() if x.dtype.kind == "f" else False:
            k = int(np.flatnonzero(np.isnan(flat))[0])
        return traced("MedianBackward0", lambda v: np.reshape(v, (-1,))[k], [input])
    d = _wrap_dim(dim, input.dim())
    if x.ndim == 0:
        return MedianResult(traced("MedianBackward1", lambda v: v * 1, [input]),
                            Tensor._wrap(np.asarray(0, dtype=np.int64)))
    n = x.shape[d]
    order = np.argsort(x, axis=d, kind="stable")
    idx = np.take(order, [(n - 1) // 2], axis=d)
    grids = list(np.indices(idx.shape, sparse=True))
    grids[d] = idx
    grids = tuple(grids)

    def fn(v):
        out = _get(v, grids)
        return out if keepdim else np.squeeze(out, axis=d)
    vals = traced("MedianBackward1", fn, [input])
    ind = idx if keepdim else np.squeeze(idx, axis=d)
    return MedianResult(vals, Tensor._wrap(np.ascontiguousarray(ind.astype(np.int64))))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values, sorted (not differentiable); optionally the inverse indices
    (shaped as ``input``) and the counts."""
    x = input._data
    if dim is not None:
        d = _wrap_dim(dim, input.dim())
        vals, inv, cnt = np.unique(x, return_inverse=True, return_counts=True, axis=d)
    else:
        vals, inv, cnt = np.unique(x.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(x.shape)
    out = [Tensor._wrap(np.ascontiguousarray(vals))]
    if return_inverse:
        out.append(Tensor._wrap(np.ascontiguousarray(inv.astype(np.int64))))
    if return_counts:
        out.append(Tensor._wrap(cnt.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# ---------------------------------------------------------------------------
# random


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, requires_grad: bool = False, out: Any = None) -> Tensor:
    """Normal samples with torch's draws: ``normal(0.0, 1.0, (2, 3))``, or elementwise
    means/stds from tensors (NormalBackward1/2/3, differentiable in mean and std)."""
    from . import random as _random
    from .creation import _size

    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not tm and not ts:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments")
        dt = dtypes.to_numpy(dtype) if dtype is not None else dtypes.get_default_dtype().np
        arr = _random.normal(_size((size,)), dt, float(mean), float(std), generator=generator)
        t = Tensor._wrap(arr)
        if requires_grad:
            t.requires_grad_(True)
        return t
    if ts and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not ts and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if tm and not ts:
        dt = mean._data.dtype
        z = _random.normal(tuple(mean.shape), dt, 0.0, float(std), generator=generator)
        return _sampled("NormalBackward1", z + mean._data, [mean])
    if ts and not tm:
        dt = std._data.dtype
        z = _random.normal(tuple(std.shape), dt, 0.0, 1.0, generator=generator)
        return _sampled("NormalBackward2", z * std._data + dt.type(mean), [std])
    shape = np.broadcast_shapes(tuple(mean.shape), tuple(std.shape))
    dt = mean._data.dtype
    z = _random.normal(shape, dt, 0.0, 1.0, generator=generator)
    return _sampled("NormalBackward3", z * std._data + mean._data, [mean, std])


def _sampled(name: str, value: np.ndarray, params: list[Tensor]) -> Tensor:
    """``value`` as a node of ``params`` whose gradients are zeros (torch's formula for
    normal: the samples are not reparametrised)."""
    never = np.zeros(value.shape, dtype=bool)
    value = np.asarray(value)

    def fn(*ps):
        out = value
        for p in ps:
            out = np.where(never, p, out)
        return out
    return traced(name, fn, params)
