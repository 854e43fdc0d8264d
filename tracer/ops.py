"""Array operations with NumPy semantics (broadcasting, NumPy 2 dtype promotion with
weak Python scalars) built from primitives. Tracer operators, the NumPy dispatch
tables and the derivative rules all call these.

Every function accepts tracers, NumPy arrays and Python numbers:

>>> multiply(np.float32(2), 3.0).dtype   # Python scalars are weak
dtype('float32')
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import prims_elementwise as ew
from . import prims_structural as st
from .ir import SCALAR_AVALS, Literal
from .primitive import bind
from .trace import Tracer

_SCALARS = (bool, int, float, complex)


def dtype_of(x: Any) -> np.dtype:
    """The NumPy dtype of a tracer, array or number: ``dtype_of(1.0) == np.float64``."""
    if isinstance(x, Tracer):
        return x.tvar.aval.dtype
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype
    return np.asarray(x).dtype


def shape_of(x: Any) -> tuple:
    """The shape of a tracer, array or number: ``shape_of(np.ones((2, 3))) == (2, 3)``."""
    if isinstance(x, Tracer):
        return x.tvar.aval.shape
    return np.shape(x)


def ndim_of(x: Any) -> int:
    """The number of dimensions: ``ndim_of(np.ones((2, 3))) == 2``."""
    return len(shape_of(x))


def _dtype_arg(x: Any):
    """What np.result_type should see: Python scalars stay weak."""
    if isinstance(x, Tracer):
        return x.tvar.aval.dtype
    if isinstance(x, _SCALARS):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype
    return np.asarray(x).dtype


def convert(x: Any, dtype: Any) -> Any:
    """Cast to ``dtype``: a ``convert_element_type`` equation for tracers."""
    dtype = np.dtype(dtype)
    if isinstance(x, Tracer):
        if x.tvar.aval.dtype == dtype:
            return x
        return bind(ew.convert_element_type_p, x, new_dtype=dtype)
    arr = np.asarray(x)
    if arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr[()] if arr.ndim == 0 else arr


def as_operand(x: Any) -> Any:
    """Tracers and NumPy values pass; Python numbers and lists become NumPy values."""
    if isinstance(x, (Tracer, np.ndarray, np.generic)):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"unsupported operand {x!r:.60} of type {type(x).__name__}")
    return arr[()] if arr.ndim == 0 else arr


#: (array dtype, Python scalar type) -> the result dtype when they meet (NEP 50: weak).
_WEAK_RESULT: dict = {}
#: (dtype, Python type, value) -> Literal; literals are immutable, so they are shared.
_WEAK_LITERALS: dict = {}


def weak_literal(dtype: np.dtype, x: Any) -> Literal | None:
    """A Python scalar ``x`` as a Literal of ``dtype`` when NEP 50 promotion keeps
    ``dtype`` (``f32 * 2.0 -> f32``); None when the array side would be promoted."""
    t = type(x)
    if x and x == x:  # not 0.0/-0.0 (equal keys, different values) and not NaN
        key = (dtype, t, x)
        lit = _WEAK_LITERALS.get(key)
        if lit is not None:
            return lit
    else:
        key = None
    res = _WEAK_RESULT.get((dtype, t))
    if res is None:
        res = _WEAK_RESULT[(dtype, t)] = np.result_type(dtype, t(0))
    if res is not dtype and res != dtype:
        return None
    scalar = SCALAR_AVALS.get(dtype.type)
    if scalar is None:
        return None
    lit = Literal(dtype.type(x), scalar)
    if key is not None:
        if len(_WEAK_LITERALS) > 4096:  # bounded: programs with many distinct constants
            _WEAK_LITERALS.clear()
        _WEAK_LITERALS[key] = lit
    return lit


def promote(*xs: Any) -> list:
    """Bring operands to their common NumPy 2 result dtype (Python scalars are weak)."""
    if len(xs) == 2:
        a, b = xs
        ta, tb = type(a), type(b)
        if ta is Tracer:
            if tb is Tracer:
                if a.tvar.aval.dtype == b.tvar.aval.dtype:
                    return [a, b]
            elif tb is float or tb is int:
                lit = weak_literal(a.tvar.aval.dtype, b)
                if lit is not None:
                    return [a, lit.val]  # a NumPy scalar: callers may compute with it
        elif tb is Tracer and (ta is float or ta is int):
            lit = weak_literal(b.tvar.aval.dtype, a)
            if lit is not None:
                return [lit.val, b]
    dtype = np.result_type(*[_dtype_arg(x) for x in xs])
    return [convert(x, dtype) for x in xs]


def _binary(prim, x, y):
    x, y = promote(x, y)
    return bind(prim, x, y)


def _fast_binary(prim, name: str):
    """``name(x, y)`` for ``prim``: tracer-with-tracer of one dtype and tracer-with-Python
    scalar go straight to ``bind`` (the hot path of traced arithmetic)."""
    def fn(x, y):
        if type(x) is Tracer:
            ty = type(y)
            if ty is Tracer:
                if x.tvar.aval.dtype is y.tvar.aval.dtype:
                    return bind(prim, x, y)
            elif ty is float or ty is int:
                dtype = x.tvar.aval.dtype
                # the cache of weak_literal, read here first: this is the hot path
                lit = _WEAK_LITERALS.get((dtype, ty, y)) or weak_literal(dtype, y)
                if lit is not None:
                    return bind(prim, x, lit)
        x, y = promote(x, y)
        return bind(prim, x, y)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``np.{name}`` with NumPy 2 promotion (Python scalars are weak)."
    return fn


add = _fast_binary(ew.add_p, "add")
subtract = _fast_binary(ew.sub_p, "subtract")
multiply = _fast_binary(ew.mul_p, "multiply")
def maximum(x, y): return _binary(ew.max_p, x, y)
def minimum(x, y): return _binary(ew.min_p, x, y)
def arctan2(x, y): return _binary(ew.atan2_p, *_to_float(x, y))
def equal(x, y): return _binary(ew.eq_p, x, y)
def not_equal(x, y): return _binary(ew.ne_p, x, y)


def _order(prim, strict):
    """An order comparison; complex operands compare lexicographically (real part
    first, then imaginary), as NumPy and ``jax.numpy`` do."""
    def fn(x, y):
        x, y = promote(x, y)
        if dtype_of(x).kind != "c":
            return bind(prim, x, y)
        rx, ry = bind(ew.real_p, x), bind(ew.real_p, y)
        ties = logical_and(equal(rx, ry), bind(prim, bind(ew.imag_p, x), bind(ew.imag_p, y)))
        return logical_or(bind(strict, rx, ry), ties)
    return fn


less = _order(ew.lt_p, ew.lt_p)
less_equal = _order(ew.le_p, ew.lt_p)
greater = _order(ew.gt_p, ew.gt_p)
greater_equal = _order(ew.ge_p, ew.gt_p)
def logical_and(x, y): return _binary(ew.and_p, convert(x, bool), convert(y, bool))
def logical_or(x, y): return _binary(ew.or_p, convert(x, bool), convert(y, bool))
def logical_xor(x, y): return _binary(ew.xor_p, convert(x, bool), convert(y, bool))
def bitwise_and(x, y): return _binary(ew.and_p, x, y)
def bitwise_or(x, y): return _binary(ew.or_p, x, y)
def bitwise_xor(x, y): return _binary(ew.xor_p, x, y)


def _to_float(*xs):
    xs = promote(*xs)
    if dtype_of(xs[0]).kind in "biu":
        xs = [convert(x, np.float64) for x in xs]
    return xs


def true_divide(x, y):
    return bind(ew.div_p, *_to_float(x, y))


def floor_divide(x, y):
    x, y = promote(x, y)
    if dtype_of(x).kind == "f":
        return floor(bind(ew.div_p, x, y))
    q = bind(ew.div_p, x, y)  # truncates toward zero
    r = bind(ew.rem_p, x, y)
    fix = logical_and(not_equal(r, 0), not_equal(less(r, 0), less(y, 0)))
    return where(fix, subtract(q, 1), q)


def remainder(x, y):
    x, y = promote(x, y)
    r = bind(ew.rem_p, x, y)
    fix = logical_and(not_equal(r, 0), not_equal(less(r, 0), less(y, 0)))
    return where(fix, add(r, y), r)


def power(x, y):
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool) and isinstance(x, Tracer):
        return bind(ew.integer_pow_p, x, y=int(y))
    x, y = promote(x, y)
    return bind(ew.pow_p, x, y)


def _unary(prim, x, need_float=False):
    if type(x) is Tracer and x.tvar.aval.dtype.kind in "fc":
        return bind(prim, x)
    x = as_operand(x)
    if need_float and dtype_of(x).kind in "biu":
        x = convert(x, np.float64)
    return bind(prim, x)


def _fast_unary(prim, name: str, need_float: bool = True):
    """``name(x)`` for ``prim``; integers become float64 first when ``need_float``."""
    def fn(x):
        if type(x) is Tracer and x.tvar.aval.dtype.kind in "fc":
            return bind(prim, x)
        return _unary(prim, x, need_float)
    fn.__name__ = fn.__qualname__ = name
    fn.prim = prim  # type: ignore[attr-defined]  # numpy_api's shortcut for float tracers
    return fn


negative = _fast_unary(ew.neg_p, "negative", False)
absolute = _fast_unary(ew.abs_p, "absolute", False)
sign = _fast_unary(ew.sign_p, "sign", False)
exp = _fast_unary(ew.exp_p, "exp")
log = _fast_unary(ew.log_p, "log")
log1p = _fast_unary(ew.log1p_p, "log1p")
expm1 = _fast_unary(ew.expm1_p, "expm1")
sin = _fast_unary(ew.sin_p, "sin")
cos = _fast_unary(ew.cos_p, "cos")
tan = _fast_unary(ew.tan_p, "tan")
tanh = _fast_unary(ew.tanh_p, "tanh")
arcsin = _fast_unary(ew.asin_p, "arcsin")
arccos = _fast_unary(ew.acos_p, "arccos")
arctan = _fast_unary(ew.atan_p, "arctan")
sinh = _fast_unary(ew.sinh_p, "sinh")
cosh = _fast_unary(ew.cosh_p, "cosh")
arcsinh = _fast_unary(ew.asinh_p, "arcsinh")
arccosh = _fast_unary(ew.acosh_p, "arccosh")
arctanh = _fast_unary(ew.atanh_p, "arctanh")
sqrt = _fast_unary(ew.sqrt_p, "sqrt")
def rsqrt(x):
    """``1 / sqrt(x)`` as one ``rsqrt`` equation: ``rsqrt(4.0) == 0.5``."""
    return _unary(ew.rsqrt_p, x, True)
def logistic(x):
    """The sigmoid ``1 / (1 + exp(-x))``, computed stably: ``logistic(0.0) == 0.5``."""
    return _unary(ew.logistic_p, x, True)
def erf(x):
    """The error function: ``erf(0.0) == 0.0``."""
    return _unary(ew.erf_p, x, True)
def stop_gradient(x):
    """The identity, with a zero derivative: ``stop_gradient(2.0) == 2.0``."""
    return _unary(ew.stop_gradient_p, x)
def isfinite(x):
    x = as_operand(x)
    if dtype_of(x).kind == "c":  # both parts finite (is_finite itself takes real arrays)
        return logical_and(bind(ew.is_finite_p, bind(ew.real_p, x)),
                           bind(ew.is_finite_p, bind(ew.imag_p, x)))
    return _unary(ew.is_finite_p, x)
def logical_not(x): return bind(ew.not_p, convert(as_operand(x), bool))


def real(x: Any) -> Any:
    """``np.real``: the real part; a real array is returned as it is."""
    x = as_operand(x)
    return bind(ew.real_p, x) if dtype_of(x).kind == "c" else x


def imag(x: Any) -> Any:
    """``np.imag``: the imaginary part; zeros of the same dtype for a real array."""
    x = as_operand(x)
    if dtype_of(x).kind == "c":
        return bind(ew.imag_p, x)
    return multiply(x, x.dtype.type(0)) if not isinstance(x, Tracer) else bind(
        st.broadcast_in_dim_p, convert(0, dtype_of(x)), shape=shape_of(x),
        broadcast_dimensions=())


def conjugate(x: Any) -> Any:
    """``np.conj``: the complex conjugate; the identity on real arrays (as in NumPy)."""
    x = as_operand(x)
    return bind(ew.conj_p, x) if dtype_of(x).kind == "c" else x


def make_complex(re: Any, im: Any) -> Any:
    """``re + 1j * im`` as one ``complex`` equation: ``make_complex(1.0, 2.0) == 1 + 2j``."""
    re, im = _to_float(re, im)
    return bind(ew.complex_p, re, im)


def angle(x: Any) -> Any:
    """``np.angle``: ``atan2(imag(x), real(x))`` (0 or pi for real arrays)."""
    x = as_operand(x)
    if dtype_of(x).kind != "c":
        x = convert(x, np.result_type(dtype_of(x), np.float16) if dtype_of(x).kind == "f"
                    else np.float64)
        return arctan2(imag(x), x)
    return arctan2(bind(ew.imag_p, x), bind(ew.real_p, x))


def floor(x):
    return x if dtype_of(x).kind in "biu" else _unary(ew.floor_p, x)


def ceil(x):
    return x if dtype_of(x).kind in "biu" else _unary(ew.ceil_p, x)


def rint(x):
    kind = dtype_of(x).kind
    if kind == "c":  # both parts rounded, as NumPy
        return bind(ew.complex_p, rint(bind(ew.real_p, x)), rint(bind(ew.imag_p, x)))
    return x if kind in "biu" else _unary(ew.round_p, x)


def square(x):
    x = as_operand(x)
    return bind(ew.integer_pow_p, x, y=2) if isinstance(x, Tracer) else x * x


def reciprocal(x):
    return true_divide(1.0, x)


def where(cond, x, y):
    """``np.where(cond, x, y)`` as ``select_n(cond, y, x)``."""
    x, y = promote(x, y)
    return bind(ew.select_n_p, convert(as_operand(cond), bool), y, x)


def clip(x, lo=None, hi=None):
    """``np.clip(x, lo, hi)`` as max/min equations: ``clip(5.0, 0.0, 1.0) == 1.0``."""
    if builtins.any(v is not None and dtype_of(v).kind == "c" for v in (x, lo, hi)):
        raise ValueError("np.clip received a complex value: complex numbers have no order "
                         "and cannot be clipped (as in jax.numpy). Clip np.real(z), "
                         "np.imag(z) or np.abs(z) instead.")
    if lo is not None:
        x = maximum(x, lo)
    if hi is not None:
        x = minimum(x, hi)
    return x


# ---------------------------------------------------------------------------
# shapes

def _norm_axes(axis, ndim: int) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise np.exceptions.AxisError(a, ndim)
        out.append(a % ndim if ndim else 0)
    return tuple(out)


def reshape(x, shape) -> Any:
    """``np.reshape`` (one ``-1`` allowed): ``reshape(np.ones(6), (2, -1)).shape == (2, 3)``."""
    x = as_operand(x)
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = tuple(int(s) for s in shape)
    size = int(np.prod(shape_of(x), dtype=np.int64))
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
        if shape.count(-1) > 1 or known == 0 or size % known:
            raise ValueError(f"cannot reshape array of shape {shape_of(x)} into shape {shape}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    if shape == shape_of(x):
        return x
    return bind(st.reshape_p, x, new_sizes=shape)


def transpose(x, axes=None):
    """``np.transpose``: ``transpose(np.ones((2, 3))).shape == (3, 2)``."""
    x = as_operand(x)
    nd = ndim_of(x)
    perm = tuple(reversed(range(nd))) if axes is None else _norm_axes(axes, nd)
    if perm == tuple(range(nd)):
        return x
    return bind(st.transpose_p, x, permutation=perm)


def moveaxis(x, source, destination):
    """``np.moveaxis``: ``moveaxis(np.ones((2, 3, 4)), 0, -1).shape == (3, 4, 2)``."""
    nd = ndim_of(x)
    src = _norm_axes(source, nd)
    dst = _norm_axes(destination, nd)
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


def swapaxes(x, a, b):
    """``np.swapaxes``: ``swapaxes(np.ones((2, 3)), 0, 1).shape == (3, 2)``."""
    perm = list(range(ndim_of(x)))
    a, b = _norm_axes((a, b), len(perm))
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


def expand_dims(x, axis):
    """``np.expand_dims``: ``expand_dims(np.ones(3), 0).shape == (1, 3)``."""
    x = as_operand(x)
    nd = ndim_of(x) + (1 if isinstance(axis, (int, np.integer)) else len(axis))
    dims = tuple(sorted(_norm_axes(axis, nd)))
    return bind(st.expand_dims_p, x, dimensions=dims)


def squeeze(x, axis=None):
    """``np.squeeze``: ``squeeze(np.ones((1, 3))).shape == (3,)``."""
    x = as_operand(x)
    shape = shape_of(x)
    if axis is None:
        dims = tuple(i for i, d in enumerate(shape) if d == 1)
    else:
        dims = tuple(sorted(_norm_axes(axis, len(shape))))
        for d in dims:
            if shape[d] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not "
                                 f"equal to one (axis {d} of shape {shape})")
    if not dims:
        return x
    return bind(st.squeeze_p, x, dimensions=dims)


def broadcast_to(x, shape):
    """``np.broadcast_to``: ``broadcast_to(np.ones(3), (2, 3)).shape == (2, 3)``."""
    x = as_operand(x)
    shape = tuple(int(s) for s in shape)
    xs = shape_of(x)
    if xs == shape:
        return x
    # builtins.any: this module's own `any` is np.any's rule
    if len(xs) > len(shape) or builtins.any(
            a not in (1, b) for a, b in zip(xs[::-1], shape[::-1])):
        raise ValueError(f"cannot broadcast an array of shape {xs} to shape {shape}")
    dims = tuple(range(len(shape) - len(xs), len(shape)))
    return bind(st.broadcast_in_dim_p, x, shape=shape, broadcast_dimensions=dims)


def ravel(x):
    """``np.ravel``: ``ravel(np.ones((2, 3))).shape == (6,)``."""
    return reshape(x, (-1,))


def concatenate(xs: Sequence, axis=0):
    """``np.concatenate``, promoting dtypes: ``concatenate([np.ones(2), [1]]).shape == (3,)``."""
    xs = promote(*xs)
    if axis is None:
        xs = [ravel(x) for x in xs]
        axis = 0
    nd = ndim_of(xs[0])
    if nd == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    if len(xs) == 1:
        return xs[0]
    return bind(st.concatenate_p, *xs, dimension=_norm_axes(axis, nd)[0])


def stack(xs: Sequence, axis=0):
    """``np.stack``: ``stack([np.ones(2), np.ones(2)], axis=1).shape == (2, 2)``."""
    shapes = {shape_of(x) for x in xs}
    if len(shapes) != 1:
        raise ValueError(f"all input arrays must have the same shape, got {sorted(shapes)}")
    nd = ndim_of(xs[0]) + 1
    ax = _norm_axes(axis, nd)[0]
    return concatenate([expand_dims(x, ax) for x in xs], ax)


# ---------------------------------------------------------------------------
# reductions

def _reduce(prim, x, axis, keepdims):
    x = as_operand(x)
    nd = ndim_of(x)
    axes = _norm_axes(axis, nd)
    out = bind(prim, x, axes=axes) if axes else x
    if keepdims and axes:
        out = expand_dims(out, axes)
    return out


def sum(x, axis=None, dtype=None, keepdims=False):  # noqa: A001
    """``np.sum`` (booleans count as int64): ``sum(np.ones((2, 3)), axis=0).shape == (3,)``."""
    x = as_operand(x)
    if dtype is not None:
        x = convert(x, dtype)
    elif dtype_of(x).kind == "b":
        x = convert(x, np.int64)
    return _reduce(st.reduce_sum_p, x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    """``np.prod``: ``prod(np.full(3, 2.0)) == 8.0``."""
    x = as_operand(x)
    if dtype_of(x).kind == "b":
        x = convert(x, np.int64)
    return _reduce(st.reduce_prod_p, x, axis, keepdims)


def amax(x, axis=None, keepdims=False):
    """``np.max``: ``amax(np.arange(3.0)) == 2.0``."""
    return _reduce(st.reduce_max_p, x, axis, keepdims)


def amin(x, axis=None, keepdims=False):
    """``np.min``: ``amin(np.arange(3.0)) == 0.0``."""
    return _reduce(st.reduce_min_p, x, axis, keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    """``np.all``: ``all(np.ones(3)) == True``."""
    return _reduce(st.reduce_and_p, convert(as_operand(x), bool), axis, keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    """``np.any``: ``any(np.zeros(3)) == False``."""
    return _reduce(st.reduce_or_p, convert(as_operand(x), bool), axis, keepdims)


def mean(x, axis=None, dtype=None, keepdims=False):
    """``np.mean`` (integers averaged in float64): ``mean(np.arange(4)) == 1.5``."""
    x = as_operand(x)
    if dtype is not None:
        x = convert(x, dtype)
    elif dtype_of(x).kind in "biu":
        x = convert(x, np.float64)
    axes = _norm_axes(axis, ndim_of(x))
    n = int(np.prod([shape_of(x)[a] for a in axes], dtype=np.int64))
    return true_divide(sum(x, axes, keepdims=keepdims), dtype_of(x).type(n))


def var(x, axis=None, ddof=0, keepdims=False):
    """``np.var`` with ``ddof``: ``var(np.array([1.0, 3.0])) == 1.0``."""
    x = as_operand(x)
    if dtype_of(x).kind in "biu":
        x = convert(x, np.float64)
    axes = _norm_axes(axis, ndim_of(x))
    n = int(np.prod([shape_of(x)[a] for a in axes], dtype=np.int64))
    centered = subtract(x, mean(x, axes, keepdims=True))
    sq = sum(abs2(centered), axes, keepdims=keepdims)
    return true_divide(sq, dtype_of(sq).type(n - ddof))


def abs2(x):
    """``|x|**2`` elementwise: ``x * x``, or ``real(x * conj(x))`` (a real array) for
    complex ``x``, as NumPy's var and norm and JAX compute it."""
    x = as_operand(x)
    if dtype_of(x).kind == "c":
        return bind(ew.real_p, multiply(x, bind(ew.conj_p, x)))
    return multiply(x, x)


def std(x, axis=None, ddof=0, keepdims=False):
    """``np.std`` with ``ddof``: ``std(np.array([1.0, 3.0])) == 1.0``."""
    return sqrt(var(x, axis, ddof, keepdims))


def _arg_reduce(prim, x, axis, keepdims):
    x = as_operand(x)
    if dtype_of(x).kind == "c":
        raise TypeError(f"np.{prim.name} of a complex array {dtype_of(x)}: complex numbers "
                        "have no order (jax.numpy refuses it too); use np.abs(z) or "
                        "np.real(z).")
    if axis is None:
        x = ravel(x)
        axis = 0
    ax = _norm_axes(axis, ndim_of(x))
    out = bind(prim, x, axes=ax, index_dtype=np.dtype(np.int64))
    return expand_dims(out, ax) if keepdims else out


def argmax(x, axis=None, keepdims=False):
    """``np.argmax`` (int64 result): ``argmax(np.array([1.0, 3.0, 2.0])) == 1``."""
    return _arg_reduce(st.argmax_p, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """``np.argmin`` (int64 result): ``argmin(np.array([1.0, 3.0, 2.0])) == 0``."""
    return _arg_reduce(st.argmin_p, x, axis, keepdims)


def cumsum(x, axis=None):
    """``np.cumsum``: ``list(cumsum(np.ones(3))) == [1.0, 2.0, 3.0]``."""
    x = as_operand(x)
    if axis is None:
        x, axis = ravel(x), 0
    if dtype_of(x).kind == "b":
        x = convert(x, np.int64)
    return bind(st.cumsum_p, x, axis=_norm_axes(axis, ndim_of(x))[0], reverse=False)


# ---------------------------------------------------------------------------
# docstrings of the NumPy-named families, from one table (each is ``np.<name>``)

_UNARY_NAMES = ("negative absolute sign exp log log1p expm1 sin cos tan tanh arcsin arccos "
                "arctan sinh cosh arcsinh arccosh arctanh sqrt isfinite logical_not floor "
                "ceil rint square reciprocal")
_BINARY_NAMES = ("maximum minimum arctan2 equal not_equal less less_equal greater "
                 "greater_equal logical_and logical_or logical_xor true_divide floor_divide "
                 "remainder power")
_INT_BINARY_NAMES = "bitwise_and bitwise_or bitwise_xor"


def _document() -> None:
    for name in _UNARY_NAMES.split():
        v = 1.5 if name == "arccosh" else 0.5
        globals()[name].__doc__ = (
            f"``np.{name}(x)`` on tracers (an equation), arrays and numbers.\n\n"
            f">>> bool({name}({v}) == np.{name}({v}))\nTrue")
    for name in _BINARY_NAMES.split():
        globals()[name].__doc__ = (
            f"``np.{name}(x, y)`` with broadcasting and NumPy 2 promotion.\n\n"
            f">>> bool({name}(0.5, 2.0) == np.{name}(0.5, 2.0))\nTrue")
    for name in _INT_BINARY_NAMES.split():
        globals()[name].__doc__ = (
            f"``np.{name}(x, y)`` on integer or boolean operands.\n\n"
            f">>> int({name}(6, 3)) == int(np.{name}(6, 3))\nTrue")


_document()


# Products live in tracer.linalg (with einsum and norm); they stay reachable as ops.X.
from .linalg import dot, dot_general, inner, matmul, outer, tensordot, vdot  # noqa: E402,F401
