"""Tensor operators and methods: a table from method name to shim function.

In-place methods (``add_``, ``mul_``, ``clamp_``...) compute out of place and write
back through ``ops_core.inplace`` (version counter, leaf check, CopySlices-like
rebinding of ``grad_fn``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_complex as C
from . import ops_linalg as LA
from . import ops_math as M
from . import ops_misc as Z
from . import ops_more as X
from . import ops_reduce as R
from . import ops_shape as S
from .dtypes import complex64, complex128
from .ops_core import check_inplace, inplace
from .tensor import Tensor


def _r(fn):
    """The reflected operator: ``2 - x`` calls ``x.__rsub__(2)``."""
    return lambda self, other: fn(other, self)


def _swap_sub(self: Tensor, other: Any) -> Tensor:
    return M.rsub(self, other)


_OPERATORS = {
    "__add__": M.add, "__radd__": _r(M.add), "__sub__": M.sub, "__rsub__": _swap_sub,
    "__mul__": M.mul, "__rmul__": _r(M.mul), "__truediv__": M.div,
    "__rtruediv__": _r(M.div), "__floordiv__": M.floor_divide,
    "__rfloordiv__": _r(M.floor_divide), "__mod__": M.remainder,
    "__rmod__": _r(M.remainder), "__pow__": M.pow, "__rpow__": _r(M.pow),
    "__matmul__": R.matmul, "__rmatmul__": _r(R.matmul), "__neg__": M.neg,
    "__pos__": lambda self: self, "__abs__": M.abs, "__eq__": M.eq, "__ne__": M.ne,
    "__lt__": M.lt, "__le__": M.le, "__gt__": M.gt, "__ge__": M.ge,
    "__and__": M.logical_and, "__or__": M.logical_or, "__xor__": M.logical_xor,
    "__rand__": _r(M.logical_and), "__ror__": _r(M.logical_or),
    "__invert__": M.bitwise_not, "__getitem__": S.getitem, "__setitem__": S.setitem,
}

_METHODS = {
    # arithmetic
    "add": M.add, "sub": M.sub, "subtract": M.sub, "mul": M.mul, "multiply": M.mul,
    "div": M.div, "divide": M.div, "true_divide": M.div, "pow": M.pow, "neg": M.neg,
    "negative": M.neg, "abs": M.abs, "sign": M.sign, "reciprocal": M.reciprocal,
    "remainder": M.remainder, "fmod": Z.fmod, "floor_divide": M.floor_divide,
    "exp": M.exp, "log": M.log, "sin": M.sin, "cos": M.cos, "tan": M.tan, "tanh": M.tanh,
    "sigmoid": M.sigmoid, "sqrt": M.sqrt, "rsqrt": M.rsqrt, "log1p": M.log1p,
    "expm1": M.expm1, "erf": M.erf, "floor": M.floor, "ceil": M.ceil, "round": M.round,
    "relu": M.relu, "clamp": M.clamp, "clip": M.clamp, "clamp_min": M.clamp_min,
    "clamp_max": M.clamp_max, "maximum": M.maximum, "minimum": M.minimum,
    "eq": M.eq, "ne": M.ne, "lt": M.lt, "le": M.le, "gt": M.gt, "ge": M.ge,
    "logical_not": M.logical_not, "logical_and": M.logical_and,
    "logical_or": M.logical_or, "isfinite": M.isfinite, "isnan": M.isnan, "isinf": M.isinf,
    "equal": M.equal, "allclose": M.allclose, "isclose": M.isclose,
    "where": lambda self, cond, other: M.where(cond, self, other),
    "asin": M.asin, "acos": M.acos, "atan": M.atan, "sinh": M.sinh, "cosh": M.cosh,
    "asinh": M.asinh, "acosh": M.acosh, "atanh": M.atanh, "arcsinh": M.asinh,
    "arccosh": M.acosh, "arctanh": M.atanh, "square": M.square, "log2": M.log2,
    "log10": M.log10, "exp2": M.exp2, "trace": M.trace,
    # reductions and products
    "sum": R.sum, "mean": R.mean, "var": R.var, "std": R.std, "prod": R.prod,
    "max": R.max, "min": R.min, "amax": R.amax, "amin": R.amin, "argmax": R.argmax,
    "argmin": R.argmin, "all": R.all, "any": R.any,
    "softmax": R.softmax, "log_softmax": R.log_softmax, "logsumexp": R.logsumexp,
    "cumsum": R.cumsum, "dot": R.dot, "mm": R.mm, "mv": R.mv, "matmul": R.matmul,
    "bmm": R.bmm, "outer": R.outer, "inner": R.inner,
    # shapes
    "reshape": S.reshape, "view": S.view, "view_as": S.view_as, "reshape_as": S.reshape_as,
    "flatten": S.flatten, "ravel": S.ravel, "unflatten": S.unflatten,
    "permute": S.permute, "transpose": S.transpose, "swapaxes": S.transpose,
    "t": S.t, "squeeze": S.squeeze, "unsqueeze": S.unsqueeze, "expand": S.expand,
    "expand_as": S.expand_as, "split": S.split, "chunk": S.chunk, "unbind": S.unbind,
    "select": S.select, "narrow": S.narrow, "flip": S.flip, "clone": S.clone,
    "contiguous": S.contiguous, "to": S.to, "float": S.float_, "double": S.double,
    "half": S.half, "long": S.long, "int": S.int_, "bool": S.bool_, "type_as": S.type_as,
    "repeat": S.repeat, "index_select": S.index_select, "gather": S.gather,
    "sort": S.sort, "argsort": S.argsort, "topk": S.topk,
    "cpu": lambda self: self, "cuda": lambda self, *a, **k: S.to(self, "cuda"),
    # complex numbers
    "conj": C.conj, "conj_physical": C.conj_physical, "resolve_conj": C.resolve_conj,
    "is_conj": C.is_conj, "is_complex": C.is_complex, "angle": C.angle, "sgn": C.sgn,
    "vdot": C.vdot, "cfloat": lambda self: S.to(self, complex64),
    "cdouble": lambda self: S.to(self, complex128),
    # less common functions (ops_more)
    "addmm": X.addmm, "baddbmm": X.baddbmm, "cross": X.cross, "cumprod": X.cumprod,
    "diag": X.diag, "diag_embed": X.diag_embed, "diagonal": X.diagonal, "dist": X.dist,
    "lerp": X.lerp, "masked_fill": X.masked_fill, "nan_to_num": X.nan_to_num,
    "nonzero": X.nonzero, "repeat_interleave": X.repeat_interleave, "roll": X.roll,
    "scatter": X.scatter, "scatter_add": X.scatter_add, "take": X.take,
    "tensordot": X.tensordot, "tile": X.tile, "tril": X.tril, "triu": X.triu,
    "trunc": X.trunc, "fix": X.trunc, "logaddexp": X.logaddexp, "xlogy": X.xlogy,
    "frac": X.frac, "heaviside": X.heaviside, "count_nonzero": X.count_nonzero,
    "kron": X.kron, "atan2": X.atan2, "arctan2": X.atan2, "median": X.median,
    "unique": X.unique,
    # more (ops_misc)
    "hypot": Z.hypot, "sinc": Z.sinc, "logit": Z.logit, "diff": Z.diff, "renorm": Z.renorm,
    "unfold": Z.unfold, "cummax": Z.cummax, "cummin": Z.cummin,
    "logcumsumexp": Z.logcumsumexp, "masked_select": Z.masked_select,
    # linear algebra (ops_linalg)
    "det": LA.det, "logdet": LA.logdet, "slogdet": LA.torch_slogdet, "inverse": LA.inverse,
    "cholesky": LA.torch_cholesky, "matrix_power": LA.matrix_power,
    "pinverse": LA.pinverse, "norm": LA.norm,
}

_PROPERTIES = {"T": S.numpy_T, "mT": S.mT, "real": (C.real, C.set_real),
               "imag": (C.imag, C.set_imag)}


def _make_inplace(fn):
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        check_inplace(self)
        return inplace(self, fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    return method


_INPLACE = {
    "add_": M.add, "sub_": M.sub, "mul_": M.mul, "div_": M.div, "pow_": M.pow,
    "neg_": M.neg, "abs_": C.abs_inplace, "exp_": M.exp, "log_": M.log, "sqrt_": M.sqrt,
    "sin_": M.sin, "cos_": M.cos, "tanh_": M.tanh, "sigmoid_": M.sigmoid, "relu_": M.relu,
    "clamp_": M.clamp, "clip_": M.clamp, "clamp_min_": M.clamp_min,
    "clamp_max_": M.clamp_max, "floor_": M.floor, "ceil_": M.ceil, "round_": M.round,
    "remainder_": M.remainder, "reciprocal_": M.reciprocal,
    "__iadd__": M.add, "__isub__": M.sub, "__imul__": M.mul, "__itruediv__": M.div,
    "__ipow__": M.pow, "__imod__": M.remainder,
    "masked_fill_": X.masked_fill, "scatter_": X.scatter, "scatter_add_": X.scatter_add,
    "tril_": X.tril, "triu_": X.triu, "trunc_": X.trunc, "lerp_": X.lerp,
    "nan_to_num_": X.nan_to_num, "cumprod_": X.cumprod,
}


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros in place; returns self."""
    return fill_(self, 0)


def fill_(self: Tensor, value: Any) -> Tensor:
    """Fill with ``value`` in place (a leaf requiring grad is refused in grad mode)."""
    from .grad_mode import _enabled
    check_inplace(self)
    if isinstance(value, Tensor):
        value = value.item()
    if self._fn is not None and _enabled.get():
        return inplace(self, M.add(M.mul(self, 0), value))
    self._data[...] = value
    vc = self._vc
    vc[0] += 1
    if self._fn is None:
        self._var = None
    return self


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copy ``src``'s values (broadcast) into self, in place."""
    from .grad_mode import _enabled
    check_inplace(self)
    if _enabled.get() and (src.requires_grad or self.requires_grad):
        val = M.add(M.mul(self, 0), S.to(src, self.dtype))
        return inplace(self, val)
    self._data[...] = src._data if isinstance(src, Tensor) else src
    self._vc[0] += 1
    if self._fn is None:
        self._var = None
    return self


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None):
    """``t.normal_(0, 1)``: fill with normal samples in place."""
    from .creation import normal_ as impl
    check_inplace(self)
    return impl(self, mean, std, generator)


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None):
    """``t.uniform_(-1, 1)``: fill with uniform samples in place."""
    from .creation import uniform_ as impl
    check_inplace(self)
    return impl(self, a, b, generator)


def random_(self: Tensor, *args: Any, generator: Any = None, **kwargs: Any):
    """``t.random_()``, ``t.random_(to)``, ``t.random_(from, to)``: integers drawn in place
    (as torch draws them: the default range is [0, 2**mantissa] for floats, [0, max]
    for integers)."""
    from . import random as _random
    check_inplace(self)
    low, high = 0, None
    if "from" in kwargs or "to" in kwargs:
        low, high = kwargs.pop("from", 0), kwargs.pop("to", None)
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) == 1:
        high = args[0]
    elif len(args) == 2:
        low, high = args
    elif args:
        raise TypeError("random_() takes at most 2 positional arguments")
    arr = self._data
    view = _random._memory_order_view(arr)
    if high is None:  # the full range: one word per element, 64 bits for 8-byte dtypes
        if arr.dtype.kind == "f":
            span = (1 << (np.finfo(arr.dtype).nmant + 1)) + 1
        elif arr.dtype == np.bool_:
            span = 2
        else:
            span = int(np.iinfo(arr.dtype).max) + 1
        g = _random._gen(generator)
        with g._lock:
            words = g._words64(arr.size) if arr.dtype.itemsize == 8 else g._words(arr.size)
        vals = words % np.uint64(span)
        view[...] = vals.astype(arr.dtype).reshape(view.shape)
    else:
        view[...] = _random.randint(view.shape, low, high, arr.dtype, generator)
    self._vc[0] += 1
    return self


def new_tensor(self: Tensor, data: Any, dtype: Any = None, requires_grad: bool = False):
    """``t.new_tensor([1.0])``: a new leaf with ``t``'s dtype."""
    from .creation import tensor
    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False):
    """``t.new_zeros(2, 3)``: zeros with ``t``'s dtype."""
    from .creation import zeros
    return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False):
    """``t.new_ones(2)``: ones with ``t``'s dtype."""
    from .creation import ones
    return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)


def new_full(self: Tensor, size: Any, fill_value: Any, dtype: Any = None,
             requires_grad: bool = False):
    """``t.new_full((2,), 7.0)``: a filled tensor with ``t``'s dtype."""
    from .creation import full
    return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


def new_empty(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False):
    """``t.new_empty(2)``: like ``new_zeros``."""
    return new_zeros(self, *size, dtype=dtype, requires_grad=requires_grad)


def install() -> None:
    """Attach the tables above to ``Tensor``."""
    for name, fn in {**_OPERATORS, **_METHODS}.items():
        setattr(Tensor, name, fn)
    for name, fn in _PROPERTIES.items():
        setattr(Tensor, name, property(*fn) if isinstance(fn, tuple) else property(fn))
    for name, fn in _INPLACE.items():
        setattr(Tensor, name, _make_inplace(fn))
    for fn in (zero_, fill_, copy_, normal_, uniform_, random_, new_tensor, new_zeros,
               new_ones, new_full, new_empty):
        setattr(Tensor, fn.__name__, fn)
    Tensor.__hash__ = lambda self: id(self)  # __eq__ is elementwise, hash stays identity


install()
