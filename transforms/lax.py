"""Same-dtype array helpers built on ``bind`` for the derivative rules.

Rules call these instead of ``tracer.ops`` where NumPy's dtype promotion would
get in the way (a float32 tangent times a float64 constant must stay float32).
Everything binds primitives, so a rule's output is differentiable again.

>>> mul(np.float32(2), const(np.float32(0), 3.0)).dtype
dtype('float32')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tracer import prims_elementwise as ew
from ..tracer import prims_structural as st
from ..tracer.ir import Aval
from ..tracer.ops import dtype_of, shape_of
from ..tracer.primitive import bind

__all__ = ["const", "zeros", "add", "sub", "mul", "div", "neg", "add_any", "unbroadcast",
           "broadcast", "reduce_sum", "select", "convert", "dtype_of", "shape_of"]


def const(like: Any, value: float) -> np.generic:
    """A scalar of ``like``'s dtype: ``const(x, 2.0)`` multiplies without promotion."""
    return np.asarray(value, dtype_of(like))[()]


def zeros(aval: Aval) -> Any:
    """Zeros of ``aval`` (a literal for 0-d, else a ``broadcast_in_dim`` of one)."""
    z = np.zeros((), aval.dtype)[()]
    if not aval.shape:
        return z
    return bind(st.broadcast_in_dim_p, z, shape=aval.shape, broadcast_dimensions=())


def zeros_like(x: Any) -> Any:
    return zeros(Aval(shape_of(x), dtype_of(x)))


def add(x, y): return bind(ew.add_p, x, y)
def sub(x, y): return bind(ew.sub_p, x, y)
def mul(x, y): return bind(ew.mul_p, x, y)
def div(x, y): return bind(ew.div_p, x, y)
def neg(x): return bind(ew.neg_p, x)


def add_any(x, y):
    """Sum of two tangents/cotangents where ``None`` is a symbolic zero."""
    if x is None:
        return y
    if y is None:
        return x
    return bind(ew.add_p, x, y)


def convert(x, dtype) -> Any:
    dtype = np.dtype(dtype)
    if dtype_of(x) == dtype:
        return x
    return bind(ew.convert_element_type_p, x, new_dtype=dtype)


def reduce_sum(x, axes) -> Any:
    axes = tuple(axes)
    return bind(st.reduce_sum_p, x, axes=axes) if axes else x


def reshape(x, shape) -> Any:
    shape = tuple(shape)
    return x if shape_of(x) == shape else bind(st.reshape_p, x, new_sizes=shape)


def broadcast(x, shape) -> Any:
    """NumPy-style broadcast of ``x`` to ``shape`` (trailing axes aligned)."""
    shape = tuple(shape)
    xs = shape_of(x)
    if xs == shape:
        return x
    dims = tuple(range(len(shape) - len(xs), len(shape)))
    return bind(st.broadcast_in_dim_p, x, shape=shape, broadcast_dimensions=dims)


def unbroadcast(x, shape) -> Any:
    """Sum ``x`` down to ``shape``: the transpose of NumPy broadcasting."""
    shape = tuple(shape)
    xs = shape_of(x)
    if xs == shape:
        return x
    lead = len(xs) - len(shape)
    axes = list(range(lead)) + [lead + i for i, d in enumerate(shape)
                                if d == 1 and xs[lead + i] != 1]
    return reshape(reduce_sum(x, axes), shape)


def select(pred, on_false, on_true) -> Any:
    """``np.where(pred, on_true, on_false)`` on same-dtype operands."""
    return bind(ew.select_n_p, pred, on_false, on_true)
