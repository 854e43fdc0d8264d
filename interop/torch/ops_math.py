"""Arithmetic and elementwise functions: ``torch.add``, ``torch.exp``, ``relu``, ``clamp``...

Each is one primitive (one node, named in ``_UNARY``) or a small composite with
PyTorch's gradient convention at the edges (relu and clamp pass the gradient where
``x > 0`` / ``min <= x <= max``; ``maximum`` splits ties in half).

>>> add(tensor([1.0]), 2, alpha=3)   # doctest: +SKIP
tensor([7.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tracer import prims_elementwise as ew
from . import dtypes, vmap_guard
from .ops_complex import abs, refuse_complex
from .ops_core import apply1, binary, composite, convert, result_np_dtype, traced
from .tensor import Tensor

#: torch function -> (primitive, node name); float-only: integers become the default float
_UNARY = {
    "exp": (ew.exp_p, "ExpBackward0"), "log": (ew.log_p, "LogBackward0"),
    "sin": (ew.sin_p, "SinBackward0"), "cos": (ew.cos_p, "CosBackward0"),
    "tan": (ew.tan_p, "TanBackward0"), "tanh": (ew.tanh_p, "TanhBackward0"),
    "sigmoid": (ew.logistic_p, "SigmoidBackward0"), "sqrt": (ew.sqrt_p, "SqrtBackward0"),
    "rsqrt": (ew.rsqrt_p, "RsqrtBackward0"), "log1p": (ew.log1p_p, "Log1PBackward0"),
    "expm1": (ew.expm1_p, "Expm1Backward0"), "erf": (ew.erf_p, "ErfBackward0"),
    "asin": (ew.asin_p, "AsinBackward0"), "acos": (ew.acos_p, "AcosBackward0"),
    "atan": (ew.atan_p, "AtanBackward0"), "sinh": (ew.sinh_p, "SinhBackward0"),
    "cosh": (ew.cosh_p, "CoshBackward0"), "asinh": (ew.asinh_p, "AsinhBackward0"),
    "acosh": (ew.acosh_p, "AcoshBackward0"), "atanh": (ew.atanh_p, "AtanhBackward0"),
}
#: keep the dtype (integers stay integers)
_UNARY_ANY = {
    "neg": (ew.neg_p, "NegBackward0"),
    "sign": (ew.sign_p, "SignBackward0"), "floor": (ew.floor_p, "FloorBackward0"),
    "ceil": (ew.ceil_p, "CeilBackward0"), "round": (ew.round_p, "RoundBackward0"),
}


def _float_input(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "fc":
        return x
    return convert(x, dtypes.get_default_dtype().np)


def _make_unary(fname: str, prim, node: str, float_only: bool):
    refused = fname in ("sign", "floor", "ceil", "round", "erf")

    def op(input: Tensor) -> Tensor:
        if refused:
            refuse_complex(fname, input)
        if float_only:
            input = _float_input(input)
        if fname in ("floor", "ceil", "round") and input._data.dtype.kind in "iub":
            return input.clone()
        return apply1(node, prim, input)
    op.__name__ = fname
    op.__doc__ = f"``torch.{fname}(x)`` elementwise (grad_fn ``{node}``)."
    return op


for _n, (_p, _node) in _UNARY.items():
    globals()[_n] = _make_unary(_n, _p, _node, True)
for _n, (_p, _node) in _UNARY_ANY.items():
    globals()[_n] = _make_unary(_n, _p, _node, False)

exp = globals()["exp"]
log = globals()["log"]
neg = globals()["neg"]
sigmoid = globals()["sigmoid"]
tanh = globals()["tanh"]
sqrt = globals()["sqrt"]
negative = neg
absolute = abs


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other`` (AddBackward0)."""
    if alpha != 1:
        other = mul(other, alpha)
    return binary("AddBackward0", ew.add_p, input, other)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other`` (SubBackward0)."""
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    return binary("SubBackward0", ew.sub_p, input, other)


subtract = sub


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``other - alpha * input`` (RsubBackward1 for a scalar ``other``)."""
    if alpha != 1:
        input = mul(input, alpha)
    name = "RsubBackward1" if not isinstance(other, Tensor) else "RsubBackward0"
    return binary(name, ew.sub_p, other, input)


def mul(input: Any, other: Any) -> Tensor:
    """Elementwise product with broadcasting (MulBackward0)."""
    return binary("MulBackward0", ew.mul_p, input, other)


multiply = mul


def _true_div_dtype(a: Any, b: Any) -> np.dtype | None:
    dt = result_np_dtype(a, b)
    return None if dt.kind in "fc" else dtypes.get_default_dtype().np


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """True division (DivBackward0); ``rounding_mode='floor'|'trunc'`` rounds."""
    if rounding_mode is not None:
        a = input._data if isinstance(input, Tensor) else input
        b = other._data if isinstance(other, Tensor) else other
        dt = result_np_dtype(input, other)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.true_divide(a, b)
            q = np.floor(q) if rounding_mode == "floor" else np.trunc(q)
        return Tensor._wrap(np.asarray(q).astype(dt))
    if not isinstance(input, Tensor):
        # scalar / tensor: PyTorch computes reciprocal * scalar (MulBackward0)
        return binary("MulBackward0", ew.mul_p, reciprocal(other), input)
    return binary("DivBackward0", ew.div_p, input, other, _true_div_dtype(input, other))


divide = true_divide = div


def reciprocal(input: Tensor) -> Tensor:
    """``1 / x`` (ReciprocalBackward0)."""
    input = _float_input(input)
    return apply1("ReciprocalBackward0", ew.div_p, input._data.dtype.type(1), input)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``a // b``: division rounded down (not differentiable)."""
    refuse_complex("floor_divide", input, other)
    return div(input, other, rounding_mode="floor")


def remainder(input: Any, other: Any) -> Tensor:
    """Python-style modulo (sign of the divisor); gradient 1 for ``input``."""
    refuse_complex("remainder", input, other)
    def fn(b, x, y=None):
        yv = y if y is not None else other_s
        q = b(ew.floor_p, b(ew.div_p, x, yv))
        return b(ew.sub_p, x, b(ew.mul_p, q, yv))
    dt = result_np_dtype(input, other)
    x = input if isinstance(input, Tensor) else Tensor._wrap(np.asarray(input, dt))
    x = convert(x, dt)
    if isinstance(other, Tensor):
        other_s = None
        if dt.kind not in "fc":
            return Tensor._wrap(np.mod(x._data, other._data).astype(dt))
        return composite("RemainderBackward0", fn, [x, convert(other, dt)])
    other_s = dt.type(other)
    if dt.kind not in "fc":
        return Tensor._wrap(np.asarray(np.mod(x._data, other_s)))
    return composite("RemainderBackward0", fn, [x])



def pow(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent``: PowBackward0 (scalar exponent), 1 (tensor), 2 (scalar base)."""
    if not isinstance(input, Tensor):
        base = input
        e = _float_input(exponent) if isinstance(base, float) else exponent
        return binary("PowBackward2", ew.pow_p, base, e)
    if isinstance(exponent, Tensor):
        if exponent._data.ndim == 0 and exponent._fn is None and not exponent._rg \
                and input._data.ndim:
            return binary("PowBackward1", ew.pow_p, input, exponent)
        return binary("PowBackward1", ew.pow_p, input, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(exponent, bool):
        exponent = int(exponent)
    if isinstance(exponent, int) or (isinstance(exponent, float) and exponent.is_integer()
                                     and -64 <= exponent <= 64):
        x = input
        if isinstance(exponent, float) and x._data.dtype.kind not in "fc":
            x = _float_input(x)
        n = int(exponent)
        if n < 0 and x._data.dtype.kind in "iub":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return apply1("PowBackward0", ew.integer_pow_p, x, y=n)
    return binary("PowBackward0", ew.pow_p, input, exponent)


def _scalar_fill(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise max; a tie sends half the gradient each way (MaximumBackward0)."""
    refuse_complex("maximum", input, other)
    return binary("MaximumBackward0", ew.max_p, input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise min; ties split the gradient (MinimumBackward0)."""
    refuse_complex("minimum", input, other)
    return binary("MinimumBackward0", ew.min_p, input, other)


fmax, fmin = maximum, minimum


def _relu(b, x):
    zero = x.dtype.type(0)
    return b(ew.select_n_p, b(ew.gt_p, x, zero), zero, x)


def relu(input: Tensor) -> Tensor:
    """``max(x, 0)`` with gradient 0 at 0 (ReluBackward0)."""
    refuse_complex("clamp", input)
    return composite("ReluBackward0", _relu, [input])


def _clamp(b, x, lo, hi):
    out = x
    if lo is not None:
        lo_v = lo if type(lo) is not np.ndarray else lo
        out = b(ew.select_n_p, b(ew.lt_p, x, lo_v), out, lo_v)
    if hi is not None:
        out = b(ew.select_n_p, b(ew.gt_p, x, hi), out, hi)
    if out is x:
        out = b(ew.convert_element_type_p, x, new_dtype=x.dtype)
    return out


def clamp(input: Tensor, min: Any = None, max: Any = None, *,
          _name: str = "ClampBackward1") -> Tensor:
    """Limit to ``[min, max]``; the gradient passes where ``min <= x <= max``."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    refuse_complex("clamp", input)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = where(lt(out, min), min, out) if isinstance(min, Tensor) else clamp(out, min)
        if max is not None:
            out = where(gt(out, max), max, out) if isinstance(max, Tensor) else clamp(out,
                                                                                     None, max)
        return out
    dt = result_np_dtype(input, *(v for v in (min, max) if v is not None))
    x = convert(input, dt)
    lo = None if min is None else dt.type(min)
    hi = None if max is None else dt.type(max)
    return composite(_name, _clamp, [x], lo, hi)


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:
    """``x.clamp_min(0.0)`` (ClampMinBackward0)."""
    return clamp(input, min=min, _name="ClampMinBackward0")


def clamp_max(input: Tensor, max: Any) -> Tensor:
    """``x.clamp_max(1.0)`` (ClampMaxBackward0)."""
    return clamp(input, max=max, _name="ClampMaxBackward0")


def where(condition: Tensor, input: Any = None, other: Any = None) -> Tensor:
    """``input`` where ``condition`` else ``other`` (WhereBackward0)."""
    if input is None and other is None:
        return tuple(Tensor._wrap(i) for i in np.nonzero(condition._data))
    dt = result_np_dtype(*(v for v in (input, other)))
    xs = [v if isinstance(v, Tensor) else Tensor._wrap(np.asarray(v, dt)) for v in (input,
                                                                                   other)]
    xs = [convert(v, dt) for v in xs]
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)

    def fn(b, x, y):
        c = cond if cond.ndim else cond[()]
        return b(ew.select_n_p, c, y, x)
    return composite("WhereBackward0", fn, xs)


# ---------------------------------------------------------------------------
# comparisons and logic (never differentiable)


def _compare(np_fn):
    name = {"less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge"}.get(
        np_fn.__name__)

    def op(input: Any, other: Any) -> Tensor:
        if name is not None:
            refuse_complex(name, input, other)
        a = input._data if isinstance(input, Tensor) else input
        b = other._data if isinstance(other, Tensor) else other
        if isinstance(input, Tensor) and isinstance(other, Tensor) and a.dtype != b.dtype:
            dt = result_np_dtype(input, other)
            a, b = a.astype(dt), b.astype(dt)
        return vmap_guard.taint(Tensor._wrap(np.asarray(np_fn(a, b))), input, other)
    op.__name__ = np_fn.__name__
    return op


eq = _compare(np.equal)
ne = not_equal = _compare(np.not_equal)
lt = less = _compare(np.less)
le = less_equal = _compare(np.less_equal)
gt = greater = _compare(np.greater)
ge = greater_equal = _compare(np.greater_equal)
logical_and = _compare(np.logical_and)
logical_or = _compare(np.logical_or)
logical_xor = _compare(np.logical_xor)
bitwise_and = _compare(np.bitwise_and)
bitwise_or = _compare(np.bitwise_or)
bitwise_xor = _compare(np.bitwise_xor)


def logical_not(input: Tensor) -> Tensor:
    """``~mask`` for bool tensors: elementwise not."""
    return vmap_guard.taint(Tensor._wrap(np.logical_not(input._data)), input)


def bitwise_not(input: Tensor) -> Tensor:
    """``~x`` for integer and bool tensors."""
    if input._data.dtype.kind == "f":
        raise TypeError("bitwise_not is only implemented for integer and bool tensors")
    return Tensor._wrap(np.invert(input._data))


def isfinite(input: Tensor) -> Tensor:
    """Elementwise ``isfinite`` as a bool tensor."""
    return vmap_guard.taint(Tensor._wrap(np.isfinite(input._data)), input)


def isnan(input: Tensor) -> Tensor:
    """Elementwise ``isnan`` as a bool tensor."""
    return vmap_guard.taint(Tensor._wrap(np.isnan(input._data)), input)


def isinf(input: Tensor) -> Tensor:
    """Elementwise ``isinf`` as a bool tensor."""
    return vmap_guard.taint(Tensor._wrap(np.isinf(input._data)), input)


def equal(input: Tensor, other: Tensor) -> bool:
    """``torch.equal(a, b)``: same shape and all elements equal (a Python bool)."""
    return input.shape == other.shape and bool(np.all(input._data == other._data))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """``torch.allclose(a, b)``: all elements close (a Python bool)."""
    return bool(np.allclose(input._data, other._data, rtol, atol, equal_nan))


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise closeness as a bool tensor."""
    b = other._data if isinstance(other, Tensor) else other
    return Tensor._wrap(np.isclose(input._data, b, rtol, atol, equal_nan))


arcsinh, arccosh, arctanh = asinh, acosh, atanh  # noqa: F821 (defined from _UNARY)


def square(input: Tensor) -> Tensor:
    """``torch.square(x)``: ``x ** 2`` (PowBackward0)."""
    return pow(input, 2)


def _log_base(name: str, node: str, base: float):
    def op(input: Tensor) -> Tensor:
        refuse_complex(name, input) if name == "exp2" else None
        x = _float_input(input)
        ln = float(np.log(base))
        if name == "exp2":
            fn = lambda a: np.exp(a * ln)  # noqa: E731
        else:
            fn = lambda a: np.log(a) / ln  # noqa: E731
        with np.errstate(all="ignore"):
            out = traced(node, fn, [x])
        # The derivative needs only x (or the recorded value); the tensor itself gets
        # NumPy's own log2/log10/exp2, so exact cases such as log2(8) == 3 hold.
        dt = out._data.dtype
        wide = x._data.astype(np.complex128 if dt.kind == "c" else np.float64)
        with np.errstate(all="ignore"):  # float32 in float64, rounded once: as torch
            out._data = np.asarray(_EXACT[name](wide), dtype=dt)
        return out
    op.__name__ = name
    op.__doc__ = f"``torch.{name}(x)`` elementwise (grad_fn ``{node}``)."
    return op


_EXACT = {"log2": np.log2, "log10": np.log10, "exp2": np.exp2}
log2 = _log_base("log2", "Log2Backward0", 2.0)
log10 = _log_base("log10", "Log10Backward0", 10.0)
exp2 = _log_base("exp2", "Exp2Backward0", 2.0)


def trace(input: Tensor) -> Tensor:
    """``torch.trace(m)``: the sum of a 2-d tensor's diagonal (TraceBackward0)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    k = min(input._data.shape)  # a rectangular matrix sums its leading square's diagonal
    return traced("TraceBackward0", lambda m: np.einsum("ii->", m[:k, :k]), [input])
