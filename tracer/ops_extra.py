"""NumPy functions beyond ``tracer.ops``: ``*_like`` constructors, stacking helpers,
``take``/``flip``, and ``__array_function__`` adapters for NumPy's keyword spellings.

>>> hstack([np.ones(2), np.zeros(1)])
array([1., 1., 0.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import indexing, ops
from . import prims_structural as st
from .primitive import bind
from .trace import Tracer


def full_like(x: Any, fill_value: Any, dtype: Any = None, shape: Any = None) -> Any:
    """An array like ``x`` filled with ``fill_value``: a broadcast literal for tracers.

    >>> full_like(np.ones(2), 3.0)
    array([3., 3.])
    """
    dtype = np.dtype(dtype) if dtype is not None else ops.dtype_of(x)
    shape = tuple(shape) if shape is not None else ops.shape_of(x)
    if isinstance(fill_value, Tracer):
        return ops.broadcast_to(ops.convert(fill_value, dtype), shape)
    value = np.asarray(fill_value).astype(dtype)
    if value.ndim or not isinstance(x, Tracer) or not shape:
        return np.broadcast_to(value, shape).copy()[()]
    return bind(st.broadcast_in_dim_p, value[()], shape=shape, broadcast_dimensions=())


def zeros_like(x: Any, dtype: Any = None, shape: Any = None) -> Any:
    """``np.zeros_like``."""
    return full_like(x, 0, dtype, shape)


def ones_like(x: Any, dtype: Any = None, shape: Any = None) -> Any:
    """``np.ones_like``."""
    return full_like(x, 1, dtype, shape)


def atleast_1d(x: Any) -> Any:
    """``np.atleast_1d`` of one array."""
    x = ops.as_operand(x)
    return ops.reshape(x, (1,)) if ops.ndim_of(x) == 0 else x


def atleast_2d(x: Any) -> Any:
    """``np.atleast_2d`` of one array."""
    x = ops.as_operand(x)
    nd = ops.ndim_of(x)
    return ops.reshape(x, (1,) * (2 - nd) + ops.shape_of(x)) if nd < 2 else x


def hstack(xs: Any) -> Any:
    """``np.hstack``: concatenate along axis 1 (axis 0 for 1-d arrays)."""
    xs = [atleast_1d(x) for x in xs]
    return ops.concatenate(xs, axis=0 if ops.ndim_of(xs[0]) == 1 else 1)


def vstack(xs: Any) -> Any:
    """``np.vstack``: concatenate along axis 0 after promoting to 2-d."""
    return ops.concatenate([atleast_2d(x) for x in xs], axis=0)


def take(x: Any, indices: Any, axis: Any = None) -> Any:
    """``np.take`` (mode='raise' semantics; negative indices wrap)."""
    x = ops.as_operand(x)
    if axis is None:
        x, axis = ops.ravel(x), 0
    axis = ops._norm_axes(axis, ops.ndim_of(x))[0]
    return indexing.getitem(x, (slice(None),) * axis + (indices,))


def flip(x: Any, axis: Any = None) -> Any:
    """``np.flip`` as a ``rev`` equation."""
    x = ops.as_operand(x)
    dims = ops._norm_axes(axis, ops.ndim_of(x))
    return bind(st.rev_p, x, dimensions=tuple(sorted(dims))) if dims else x


def _no_out(name: str, kwargs: dict) -> None:
    if kwargs.pop("out", None) is not None:
        raise NotImplementedError(f"np.{name}(..., out=...) cannot write into an array "
                                  "from a traced function; use the returned value")
    for k in ("where", "initial"):
        if kwargs.get(k, None) is not None and kwargs[k] is not True:
            raise NotImplementedError(f"np.{name}(..., {k}=...) is not supported by tracegrad")
        kwargs.pop(k, None)


def sum_rule(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    """``np.sum``'s signature: ``sum_rule(np.ones(3)) == 3.0``."""
    _no_out("sum", {"out": out, **kw})
    return ops.sum(a, axis, dtype=dtype, keepdims=keepdims)


def mean_rule(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    """``np.mean``'s signature: ``mean_rule(np.ones(3)) == 1.0``."""
    _no_out("mean", {"out": out, **kw})
    return ops.mean(a, axis, dtype=dtype, keepdims=keepdims)


def var_rule(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    """``np.var``'s signature: ``var_rule(np.ones(3)) == 0.0``."""
    _no_out("var", {"out": out, **kw})
    a = ops.convert(a, dtype) if dtype is not None else a
    return ops.var(a, axis, ddof=ddof, keepdims=keepdims)


def std_rule(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    """``np.std``'s signature: ``std_rule(np.ones(3)) == 0.0``."""
    _no_out("std", {"out": out, **kw})
    a = ops.convert(a, dtype) if dtype is not None else a
    return ops.std(a, axis, ddof=ddof, keepdims=keepdims)


def prod_rule(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    """``np.prod``'s signature: ``prod_rule(np.ones(3)) == 1.0``."""
    _no_out("prod", {"out": out, **kw})
    a = ops.convert(a, dtype) if dtype is not None else a
    return ops.prod(a, axis, keepdims=keepdims)


def minmax_rule(fn, name):
    """A rule for ``np.max``-like functions from ``fn(a, axis, keepdims=)``."""
    def rule(a, axis=None, out=None, keepdims=False, **kw):
        _no_out(name, {"out": out, **kw})
        return fn(a, axis, keepdims=keepdims)
    return rule


def arg_rule(fn, name):
    """A rule for ``np.argmax``-like functions from ``fn(a, axis, keepdims=)``."""
    def rule(a, axis=None, out=None, *, keepdims=False):
        _no_out(name, {"out": out})
        return fn(a, axis, keepdims=keepdims)
    return rule


def cumsum_rule(a, axis=None, dtype=None, out=None):
    """``np.cumsum``'s signature: ``cumsum_rule(np.ones(2))[-1] == 2.0``."""
    _no_out("cumsum", {"out": out})
    a = ops.convert(a, dtype) if dtype is not None else a
    return ops.cumsum(a, axis)


_NO_VALUE = getattr(np, "_NoValue", None)


def clip_rule(a, a_min=_NO_VALUE, a_max=_NO_VALUE, out=None, *, min=_NO_VALUE,  # noqa: A002
              max=_NO_VALUE, **kw):  # noqa: A002
    """``np.clip``'s signature (``a_min``/``a_max`` or ``min``/``max``).

    >>> float(clip_rule(5.0, 0, 1))
    1.0
    """
    _no_out("clip", {"out": out, **kw})
    lo = a_min if a_min is not _NO_VALUE else (min if min is not _NO_VALUE else None)
    hi = a_max if a_max is not _NO_VALUE else (max if max is not _NO_VALUE else None)
    return ops.clip(a, lo, hi)


def where_rule(condition, x=None, y=None):
    """``np.where(c, x, y)``; the one-argument form is refused (data-dependent shape)."""
    if x is None or y is None:
        raise NotImplementedError("np.where(condition) with one argument (np.nonzero) "
                                  "has a data-dependent shape; pass x and y")
    return ops.where(condition, x, y)


def concatenate_rule(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``np.concatenate``'s signature (``dtype=`` supported)."""
    _no_out("concatenate", {"out": out})
    if dtype is not None:
        arrays = [ops.convert(a, dtype) for a in arrays]
    return ops.concatenate(list(arrays), axis)


def stack_rule(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``np.stack``'s signature (``dtype=`` supported)."""
    _no_out("stack", {"out": out})
    if dtype is not None:
        arrays = [ops.convert(a, dtype) for a in arrays]
    return ops.stack(list(arrays), axis)


def like_rule(fn):
    """A rule for ``np.zeros_like``-like functions from ``fn(a, dtype=, shape=)``."""
    def rule(a, dtype=None, order="K", subok=True, shape=None, **kw):
        return fn(a, dtype=dtype, shape=shape)
    return rule


def full_like_rule(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw):
    """``np.full_like``'s signature: ``full_like_rule(np.ones(2), 3.0)[0] == 3.0``."""
    return full_like(a, fill_value, dtype, shape)


def reshape_rule(a, shape=None, order="C", *, newshape=None, copy=None):
    """``np.reshape``'s signature (``shape`` or ``newshape``; C order only)."""
    if order not in ("C", None):
        raise NotImplementedError("np.reshape with order other than 'C'")
    return ops.reshape(a, shape if shape is not None else newshape)


def astype_rule(x, dtype, copy=True, **kw):
    """``np.astype(x, dtype)``: ``astype_rule(np.ones(2), np.int32).dtype == np.int32``."""
    return ops.convert(x, dtype)
