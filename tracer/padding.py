"""``np.pad`` on traced arrays: constant padding as ``pad`` equations, and the modes
that only move values (edge, reflect, symmetric, wrap) as one gather per axis.

>>> eval_ir(make_ir(lambda x: np.pad(x, 1, mode="edge"))(np.ones(2)), np.array([1., 2.]))
[array([1., 1., 2., 2.])]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from . import prims_structural as st
from .ops_extra import take
from .primitive import bind
from .trace import Tracer

#: modes whose output is a rearrangement of the input: NumPy computes the index map
_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")


def _per_axis(values: Any, ndim: int, name: str) -> np.ndarray:
    """NumPy's broadcasting of ``pad_width``-like arguments to ``(ndim, 2)``."""
    arr = np.asarray(values)
    try:
        return np.broadcast_to(arr, (ndim, 2))
    except ValueError:
        raise ValueError(f"np.pad: {name}={values!r} cannot be broadcast to "
                         f"({ndim}, 2) (one (before, after) pair per axis)") from None


def pad_rule(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """``np.pad(array, pad_width, mode, constant_values=..., reflect_type='even')``."""
    x = ops.as_operand(array)
    ndim = ops.ndim_of(x)
    widths = np.asarray(pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError(f"np.pad: pad_width must be integers, got {pad_width!r}")
    widths = _per_axis(widths, ndim, "pad_width").astype(np.int64)
    if (widths < 0).any():
        raise ValueError("index can't contain negative values")
    if mode == "constant":
        values = kwargs.pop("constant_values", 0)
        _no_more(kwargs, mode)
        return _constant(x, widths, values)
    if mode in _INDEX_MODES:
        if kwargs.pop("reflect_type", "even") != "even":
            raise NotImplementedError("np.pad(..., reflect_type='odd') is not supported "
                                      "by tracegrad; use the default reflect_type='even'")
        _no_more(kwargs, mode)
        for axis, (lo, hi) in enumerate(widths.tolist()):
            if lo or hi:
                n = ops.shape_of(x)[axis]
                if n == 0:
                    raise ValueError(f"can't extend empty axis {axis} using modes other "
                                     "than 'constant' or 'empty'")
                x = take(x, np.pad(np.arange(n), (lo, hi), mode=mode), axis=axis)
        return x
    raise NotImplementedError(
        f"np.pad(..., mode={mode!r}) is not supported on traced arrays; supported modes: "
        f"'constant', {', '.join(repr(m) for m in _INDEX_MODES)}")


def _no_more(kwargs: dict, mode: str) -> None:
    if kwargs:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': "
                         f"{set(kwargs)}")


def _constant(x: Any, widths: np.ndarray, values: Any) -> Any:
    dtype = ops.dtype_of(x)
    if isinstance(values, Tracer) or np.ndim(values) == 0:
        config = tuple((lo, hi, 0) for lo, hi in widths.tolist())
        return bind(st.pad_p, x, ops.convert(values, dtype), padding_config=config)
    # One value per axis side: pad axis by axis, so that (as in NumPy) later axes
    # paint the corners.
    vals = _per_axis(values, len(widths), "constant_values")
    for axis, (lo, hi) in enumerate(widths.tolist()):
        for side, width in ((0, lo), (1, hi)):
            if width:
                config = tuple((width if a == axis and side == 0 else 0,
                                width if a == axis and side == 1 else 0, 0)
                               for a in range(len(widths)))
                x = bind(st.pad_p, x, ops.convert(vals[axis, side], dtype),
                         padding_config=config)
    return x
