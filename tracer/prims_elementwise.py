"""Elementwise primitives: impl (NumPy) and abstract eval, one table.

Binary primitives take operands of one dtype and broadcast their shapes the
NumPy way (a scalar literal needs no ``broadcast_in_dim``); the NumPy layer
(``tracer.ops``) does dtype promotion before it binds them.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from .ir import Aval
from .primitive import Primitive

# ---------------------------------------------------------------------------
# shape and dtype rules


def broadcast_shapes(*shapes: tuple, op: str = "") -> tuple:
    """NumPy broadcasting of shapes, with an error that names every shape."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        what = f" in {op}" if op else ""
        raise ValueError(
            f"Incompatible shapes for broadcasting{what}: "
            f"{', '.join(str(tuple(s)) for s in shapes)}. Trailing dimensions must be "
            "equal or 1; reshape or expand_dims one operand.") from None


def _same_dtype(name: str, avals) -> np.dtype:
    dtypes = {a.dtype for a in avals}
    if len(dtypes) != 1:
        raise TypeError(f"{name} requires arguments of one dtype, got "
                        f"{', '.join(str(a) for a in avals)}; convert_element_type first.")
    return avals[0].dtype


def _float_only(name: str, aval: Aval) -> None:
    if not np.issubdtype(aval.dtype, np.inexact):
        raise TypeError(f"{name} requires a floating-point argument, got {aval}.")


#: Primitives that accept no complex operand (as in ``jax.lax``); ``tracer.ops``
#: spells the NumPy meaning on complex arrays with parts (``np.isfinite``, ``np.less``).
REAL_ONLY = frozenset(["erf", "floor", "ceil", "round", "is_finite", "rem", "nextafter",
                       "atan2", "lt", "le", "gt", "ge"])


def _no_complex(name: str, aval: Aval) -> None:
    if aval.dtype.kind == "c":
        raise TypeError(f"{name} does not accept dtype {aval.dtype.name}: complex numbers "
                        "have no order and no integer part. Apply it to np.real(z) / "
                        "np.imag(z) or np.abs(z).")


# ---------------------------------------------------------------------------
# unary


def _stable_logistic(x):
    if x.dtype.kind == "c":
        return (1 / (1 + np.exp(-x))).astype(x.dtype)[()]
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)[()]


def _erf(x):
    x = np.asarray(x)
    return np.vectorize(math.erf, otypes=[x.dtype])(x)[()]


def _rsqrt(x):
    return 1 / np.sqrt(x)


_FLOAT_UNARY = {
    "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "logistic": _stable_logistic, "sqrt": np.sqrt, "rsqrt": _rsqrt, "erf": _erf,
    "floor": np.floor, "ceil": np.ceil, "round": np.round,
}
_ANY_UNARY = {"neg": np.negative, "abs": np.abs, "sign": np.sign,
              "stop_gradient": lambda x: x}

unary_prims: dict[str, Primitive] = {}


def _def_unary(name, fn, float_only):
    p = Primitive(name)
    p.def_impl(fn)

    def abstract(x):
        if float_only:
            _float_only(name, x)
        if name in REAL_ONLY:
            _no_complex(name, x)
        return x

    p.def_abstract_eval(abstract)
    unary_prims[name] = p
    return p


def real_dtype(dtype: np.dtype) -> np.dtype:
    """The real dtype of a complex one (``c64 -> f32``); other dtypes are unchanged."""
    return np.finfo(dtype).dtype if dtype.kind == "c" else dtype


for _name, _fn in _FLOAT_UNARY.items():
    _def_unary(_name, _fn, True)
for _name, _fn in _ANY_UNARY.items():
    _def_unary(_name, _fn, False)

exp_p, log_p, log1p_p, expm1_p = (unary_prims[n] for n in ("exp", "log", "log1p", "expm1"))
sin_p, cos_p, tan_p, tanh_p = (unary_prims[n] for n in ("sin", "cos", "tan", "tanh"))
asin_p, acos_p, atan_p = (unary_prims[n] for n in ("asin", "acos", "atan"))
sinh_p, cosh_p = unary_prims["sinh"], unary_prims["cosh"]
asinh_p, acosh_p, atanh_p = (unary_prims[n] for n in ("asinh", "acosh", "atanh"))
logistic_p, sqrt_p, rsqrt_p, erf_p = (unary_prims[n] for n in
                                      ("logistic", "sqrt", "rsqrt", "erf"))
floor_p, ceil_p, round_p = unary_prims["floor"], unary_prims["ceil"], unary_prims["round"]
neg_p, abs_p, sign_p = unary_prims["neg"], unary_prims["abs"], unary_prims["sign"]
# |z| of a complex z is real (JAX's abs); sign(z) = z / |z| stays complex.
abs_p.def_abstract_eval(lambda x: Aval(x.shape, real_dtype(x.dtype)))
stop_gradient_p = unary_prims["stop_gradient"]

is_finite_p = Primitive("is_finite")
is_finite_p.def_impl(np.isfinite)


@is_finite_p.def_abstract_eval
def _is_finite_abstract(x):
    _no_complex("is_finite", x)
    return Aval(x.shape, np.bool_)


not_p = Primitive("not")
not_p.def_impl(np.invert)
not_p.def_abstract_eval(lambda x: x)


integer_pow_p = Primitive("integer_pow")


@integer_pow_p.def_impl
def _integer_pow_impl(x, *, y):
    if y == 2:
        return x * x
    return np.power(x, x.dtype.type(y)) if y >= 0 or x.dtype.kind in "fc" else x ** y


@integer_pow_p.def_abstract_eval
def _integer_pow_abstract(x, *, y):
    if y < 0 and not np.issubdtype(x.dtype, np.inexact):
        raise TypeError(f"integer_pow with negative exponent {y} needs a float argument, "
                        f"got {x}.")
    return x


# ---------------------------------------------------------------------------
# complex numbers: parts, conjugate, and building from parts (JAX's names)

real_p = Primitive("real")
real_p.def_impl(lambda x: np.real(x)[()])
imag_p = Primitive("imag")
imag_p.def_impl(lambda x: np.imag(x)[()])


def _complex_only(name):
    def abstract(x):
        if x.dtype.kind != "c":
            raise TypeError(f"{name} requires a complex argument, got {x}; use "
                            f"np.{name}, which also accepts real arrays.")
        return Aval(x.shape, real_dtype(x.dtype))
    return abstract


real_p.def_abstract_eval(_complex_only("real"))
imag_p.def_abstract_eval(_complex_only("imag"))

# conj of a real operand gives a complex result (as lax.conj does); np.conj on real
# arrays is the identity and never binds it.
conj_p = Primitive("conj")
conj_p.def_impl(lambda x: np.conj(x).astype(_complex_of(x.dtype))[()])


def _complex_of(dtype: np.dtype) -> np.dtype:
    return dtype if dtype.kind == "c" else np.result_type(dtype, np.complex64)


conj_p.def_abstract_eval(lambda x: Aval(x.shape, _complex_of(x.dtype)))

complex_p = Primitive("complex")
complex_p.def_impl(lambda x, y: (x + 1j * y).astype(_complex_of(x.dtype))[()])


@complex_p.def_abstract_eval
def _complex_abstract(x, y):
    dtype = _same_dtype("complex", (x, y))
    if dtype.kind != "f":
        raise TypeError(f"complex requires floating-point parts of one dtype, got {x} and "
                        f"{y}.")
    shape = x.shape if x.shape == y.shape else broadcast_shapes(x.shape, y.shape, op="complex")
    return Aval(shape, _complex_of(dtype))


def _convert_impl(x, *, new_dtype):
    x = np.asarray(x)
    if x.dtype.kind == "c" and np.dtype(new_dtype).kind != "c":
        x = x.real  # JAX keeps the real part; NumPy would warn (ComplexWarning)
    return x.astype(new_dtype)[()]


convert_element_type_p = Primitive("convert_element_type")
convert_element_type_p.def_impl(_convert_impl)
convert_element_type_p.def_abstract_eval(lambda x, *, new_dtype: Aval(x.shape, new_dtype))

# ---------------------------------------------------------------------------
# binary


def _int_div(x, y):
    if x.dtype.kind in "iu":  # lax.div truncates toward zero
        q = np.abs(x) // np.abs(y)
        return (q * (np.sign(x) * np.sign(y))).astype(x.dtype)[()]
    return x / y


def _max(x, y):
    if type(x) is np.ndarray or type(y) is np.ndarray:
        return np.maximum(x, y)
    # NumPy scalars: a binary ufunc call costs ~1 us, this ~0.1 us; NaN propagates.
    return y if (y > x or y != y) else x


def _min(x, y):
    if type(x) is np.ndarray or type(y) is np.ndarray:
        return np.minimum(x, y)
    return y if (y < x or y != y) else x


# Python operators on NumPy values are NumPy's ufuncs, but much faster on NumPy
# scalars (the 0-d values of a trace) than calling the ufunc itself.
_BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": _int_div,
    "max": _max, "min": _min, "pow": np.power, "atan2": np.arctan2,
    "rem": np.fmod, "and": operator.and_, "or": operator.or_, "xor": operator.xor,
    "nextafter": np.nextafter,
}
_COMPARE = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
            "gt": operator.gt, "ge": operator.ge}

binary_prims: dict[str, Primitive] = {}
compare_prims: dict[str, Primitive] = {}


def _def_binary(name, fn, out_dtype=None):
    p = Primitive(name)
    p.def_impl(fn)

    def abstract(x, y):
        dtype = _same_dtype(name, (x, y))
        if name in REAL_ONLY:
            _no_complex(name, x)
        shape = x.shape if x.shape == y.shape else broadcast_shapes(x.shape, y.shape, op=name)
        return Aval(shape, out_dtype or dtype)

    p.def_abstract_eval(abstract)
    return p


for _name, _fn in _BINARY.items():
    binary_prims[_name] = _def_binary(_name, _fn)
for _name, _fn in _COMPARE.items():
    compare_prims[_name] = _def_binary(_name, _fn, np.dtype(np.bool_))

add_p, sub_p, mul_p, div_p = (binary_prims[n] for n in ("add", "sub", "mul", "div"))
max_p, min_p, pow_p, atan2_p, rem_p = (binary_prims[n] for n in
                                       ("max", "min", "pow", "atan2", "rem"))
and_p, or_p, xor_p = binary_prims["and"], binary_prims["or"], binary_prims["xor"]
nextafter_p = binary_prims["nextafter"]
eq_p, ne_p, lt_p, le_p, gt_p, ge_p = (compare_prims[n] for n in
                                      ("eq", "ne", "lt", "le", "gt", "ge"))

# select_n(which, *cases): cases[which] elementwise; ``which`` is bool or int32.
select_n_p = Primitive("select_n")


@select_n_p.def_impl
def _select_n_impl(which, *cases):
    if len(cases) == 2:
        return np.where(which, cases[1], cases[0])[()]
    return np.choose(which, cases)[()]


@select_n_p.def_abstract_eval
def _select_n_abstract(which, *cases):
    if not cases:
        raise TypeError("select_n needs at least one case")
    dtype = _same_dtype("select_n", cases)
    if which.dtype != np.bool_ and not np.issubdtype(which.dtype, np.integer):
        raise TypeError(f"select_n predicate must be bool or int, got {which}")
    shape = broadcast_shapes(which.shape, *(c.shape for c in cases), op="select_n")
    return Aval(shape, dtype)
