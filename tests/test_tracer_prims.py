"""Every registered primitive of the tracer: impl against a NumPy reference on random
inputs (broadcasting; float32 and float64), and abstract eval against the impl."""

import math

import numpy as np
import pytest
from tracegrad.tracer import Aval, registry

RNG = np.random.default_rng(0)


def _f(shape, dtype, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype(dtype)


def _i(shape, dtype=np.int64, lo=-5, hi=6):
    return RNG.integers(lo, hi, shape).astype(dtype)


def _b(shape):
    return RNG.random(shape) > 0.5


_erf = np.vectorize(math.erf)

# name -> (reference, argument makers taking a float dtype, params)
UNARY_FLOAT = {
    "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "tanh": np.tanh, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x), "logistic": lambda x: 1 / (1 + np.exp(-x)),
    "erf": _erf, "floor": np.floor, "ceil": np.ceil, "round": np.round, "neg": np.negative,
    "abs": np.abs, "sign": np.sign, "stop_gradient": lambda x: x,
}
DOMAIN = {"log": (0.1, 3), "log1p": (-0.5, 3), "sqrt": (0.1, 3), "rsqrt": (0.1, 3),
          "asin": (-0.9, 0.9), "acos": (-0.9, 0.9), "atanh": (-0.9, 0.9), "acosh": (1.1, 3)}
BINARY_FLOAT = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "max": np.maximum, "min": np.minimum, "atan2": np.arctan2, "rem": np.fmod,
    "nextafter": np.nextafter, "eq": np.equal, "ne": np.not_equal, "lt": np.less,
    "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
}


def _cases(dtype):
    """(primitive name, reference, args, params) for one float dtype."""
    out = []
    for name, ref in UNARY_FLOAT.items():
        lo, hi = DOMAIN.get(name, (-2, 2))
        out.append((name, ref, [_f((3, 4), dtype, lo, hi)], {}))
    for name, ref in BINARY_FLOAT.items():
        a, b = _f((3, 1), dtype, 0.5, 2), _f((4,), dtype, 0.5, 2)
        out.append((name, ref, [a, b], {}))
    x34 = _f((3, 4), dtype)
    x234 = _f((2, 3, 4), dtype)
    out += [
        ("pow", np.power, [_f((3, 4), dtype, 0.5, 2), _f((4,), dtype)], {}),
        ("integer_pow", lambda x, y: x ** y, [x34], {"y": 3}),
        ("is_finite", np.isfinite, [np.array([1.0, np.inf, np.nan], dtype)], {}),
        ("convert_element_type", lambda x, new_dtype: x.astype(new_dtype), [x34],
         {"new_dtype": np.dtype(np.int32)}),
        ("select_n", lambda p, a, b: np.where(p, b, a), [_b((3, 1)), x34, _f((4,), dtype)],
         {}),
        ("reduce_sum", lambda x, axes: np.sum(x, axes), [x234], {"axes": (0, 2)}),
        ("reduce_max", lambda x, axes: np.max(x, axes), [x234], {"axes": (1,)}),
        ("reduce_min", lambda x, axes: np.min(x, axes), [x234], {"axes": (0, 1, 2)}),
        ("reduce_prod", lambda x, axes: np.prod(x, axes), [x234], {"axes": (2,)}),
        ("argmax", lambda x, axes, index_dtype: np.argmax(x, axes[0]), [x234],
         {"axes": (1,), "index_dtype": np.dtype(np.int64)}),
        ("argmin", lambda x, axes, index_dtype: np.argmin(x, axes[0]), [x234],
         {"axes": (2,), "index_dtype": np.dtype(np.int64)}),
        ("cumsum", lambda x, axis, reverse: np.cumsum(x, axis), [x234],
         {"axis": 1, "reverse": False}),
        ("broadcast_in_dim", lambda x, shape, broadcast_dimensions: np.broadcast_to(
            x[:, None, :], shape), [x34], {"shape": (3, 5, 4), "broadcast_dimensions": (0, 2)}),
        ("reshape", lambda x, new_sizes: x.reshape(new_sizes), [x234], {"new_sizes": (6, 4)}),
        ("transpose", lambda x, permutation: x.transpose(permutation), [x234],
         {"permutation": (2, 0, 1)}),
        ("squeeze", lambda x, dimensions: x.squeeze(dimensions), [_f((3, 1, 4, 1), dtype)],
         {"dimensions": (1, 3)}),
        ("expand_dims", lambda x, dimensions: np.expand_dims(x, dimensions), [x34],
         {"dimensions": (0, 3)}),
        ("rev", lambda x, dimensions: np.flip(x, dimensions), [x234], {"dimensions": (0, 2)}),
        ("concatenate", lambda *xs, dimension: np.concatenate(xs, dimension),
         [x34, _f((3, 2), dtype)], {"dimension": 1}),
        ("pad", lambda x, v, padding_config: np.pad(x, ((1, 2), (0, 1)), constant_values=v),
         [x34, dtype(0.5)], {"padding_config": ((1, 2, 0), (0, 1, 0))}),
        ("slice", lambda x, start_indices, limit_indices, strides: x[0:2, 1:3:2, ::3],
         [x234], {"start_indices": (0, 1, 0), "limit_indices": (2, 3, 4),
                  "strides": (1, 2, 3)}),
        ("dot_general", lambda a, b, dimension_numbers, preferred_element_type: np.einsum(
            "bij,bjk->bik", a, b), [x234, _f((2, 4, 5), dtype)],
         {"dimension_numbers": (((2,), (1,)), ((0,), (0,))), "preferred_element_type": None}),
        ("index_take", lambda x, idx, axis: np.take(x, idx, axis), [x234, _i((2, 2), lo=0, hi=3)],
         {"axis": 1}),
        ("index_add", _index_add_ref, [x34, np.array([0, 2, 0]), _f((3, 3), dtype)],
         {"axis": 1}),
    ]
    return out


def _index_add_ref(x, idx, upd, axis):
    out = x.copy()
    for j, i in enumerate(idx):
        out[:, i] += upd[:, j]
    return out


INT_CASES = [
    ("div", lambda a, b: np.trunc(a / b).astype(a.dtype), [_i((5,)), np.array([2, -3, 4, -1, 7])],
     {}),
    ("rem", np.fmod, [_i((5,)), np.array([2, -3, 4, -1, 7])], {}),
    ("and", np.bitwise_and, [_i((3, 1)), _i((4,))], {}),
    ("or", np.bitwise_or, [_i((3, 1)), _i((4,))], {}),
    ("xor", np.bitwise_xor, [_i((3, 1)), _i((4,))], {}),
    ("and", np.logical_and, [_b((3, 1)), _b((4,))], {}),
    ("not", np.logical_not, [_b((3, 4))], {}),
    ("reduce_and", lambda x, axes: np.all(x, axes), [_b((3, 4))], {"axes": (1,)}),
    ("reduce_or", lambda x, axes: np.any(x, axes), [_b((3, 4))], {"axes": (0,)}),
    ("integer_pow", lambda x, y: x ** y, [_i((3, 4))], {"y": 2}),
    ("abs", np.abs, [_i((3, 4))], {}),
    ("sign", np.sign, [_i((3, 4))], {}),
    ("neg", np.negative, [_i((3, 4))], {}),
    ("select_n", lambda p, a, b, c: np.choose(p, [a, b, c]),
     [_i((3, 4), np.int32, 0, 3), _i((3, 4)), _i((3, 4)), _i((3, 4))], {}),
]


def _c(shape, dtype=np.complex128):
    return (RNG.normal(size=shape) + 1j * RNG.normal(size=shape)).astype(dtype)


def _complex_cases(dtype):
    real = np.float32 if dtype == np.complex64 else np.float64
    z, w = _c((3, 4), dtype), _c((4,), dtype)
    return [
        ("real", np.real, [z], {}), ("imag", np.imag, [z], {}),
        ("conj", np.conj, [z], {}),
        ("complex", lambda a, b: a + 1j * b, [z.real.astype(real), w.imag.astype(real)], {}),
        ("abs", np.abs, [z], {}), ("sign", lambda a: a / np.abs(a), [z], {}),
        ("mul", np.multiply, [z, w], {}), ("div", np.divide, [z, w], {}),
        ("exp", np.exp, [z], {}), ("log", np.log, [z], {}), ("sin", np.sin, [z], {}),
        ("sqrt", np.sqrt, [z], {}), ("tanh", np.tanh, [z], {}),
        ("integer_pow", lambda a, y: a ** y, [z], {"y": 3}),
        ("reduce_sum", lambda a, axes: np.sum(a, axes), [z], {"axes": (1,)}),
        ("dot_general", lambda a, b, dimension_numbers, preferred_element_type: a @ b,
         [z, _c((4, 2), dtype)],
         {"dimension_numbers": (((1,), (0,)), ((), ())), "preferred_element_type": None}),
        ("convert_element_type", lambda a, new_dtype: a.real.astype(new_dtype), [z],
         {"new_dtype": np.dtype(real)}),
    ]


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_impls_match_numpy_and_abstract_eval(dtype):
    rtol = 1e-5 if dtype == np.complex64 else 1e-12
    for name, ref, args, params in _complex_cases(dtype):
        prim = registry[name]
        got, want = np.asarray(prim.impl(*args, **params)), np.asarray(ref(*args, **params))
        assert got.dtype == want.dtype and got.shape == want.shape, (name, got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol, err_msg=name)
        aval = prim.abstract_eval(*[Aval(np.shape(a), np.asarray(a).dtype) for a in args],
                                  **params)
        assert aval == Aval(got.shape, got.dtype), (name, aval, got.dtype)


def test_complex_parts_refuse_real_operands():
    for name in ("real", "imag"):
        with pytest.raises(TypeError, match="complex argument"):
            registry[name].abstract_eval(Aval((3,), np.float64))
    with pytest.raises(TypeError, match="floating-point parts"):
        registry["complex"].abstract_eval(Aval((3,), np.int64), Aval((3,), np.int64))
    assert registry["conj"].abstract_eval(Aval((2,), np.float32)) == Aval((2,), np.complex64)


def _check(name, ref, args, params, rtol):
    prim = registry[name]
    got = prim.impl(*args, **params)
    want = ref(*args, **params)
    got_arr, want_arr = np.asarray(got), np.asarray(want)
    assert got_arr.shape == want_arr.shape, (name, got_arr.shape, want_arr.shape)
    if name not in ("convert_element_type",) and want_arr.dtype != np.float64 or (
            args and np.asarray(args[0]).dtype == np.float64):
        assert got_arr.dtype == want_arr.dtype or name in ("erf",), (
            name, got_arr.dtype, want_arr.dtype)
    np.testing.assert_allclose(got_arr.astype(np.float64), want_arr.astype(np.float64),
                               rtol=rtol, atol=rtol, err_msg=name)
    aval = prim.abstract_eval(*[Aval(np.shape(a), np.asarray(a).dtype) for a in args],
                              **params)
    assert aval == Aval(got_arr.shape, got_arr.dtype), (name, aval, got_arr.shape,
                                                         got_arr.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_impls_match_numpy_and_abstract_eval(dtype):
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for name, ref, args, params in _cases(dtype):
        _check(name, ref, args, params, rtol)


def test_integer_and_bool_impls():
    for name, ref, args, params in INT_CASES:
        _check(name, ref, args, params, 0)


def _tracer_primitives() -> set:
    """The primitives the tracer defines (other layers may register their own)."""
    from tracegrad.tracer import prims_elementwise, prims_structural
    from tracegrad.tracer.primitive import Primitive
    names = set(prims_elementwise.unary_prims) | set(prims_elementwise.binary_prims)
    names |= set(prims_elementwise.compare_prims)
    for mod in (prims_elementwise, prims_structural):
        names |= {p.name for p in vars(mod).values() if isinstance(p, Primitive)}
    return names


def test_every_tracer_primitive_is_covered():
    covered = {c[0] for c in _cases(np.float64)} | {c[0] for c in INT_CASES}
    covered |= {c[0] for c in _complex_cases(np.complex128)}
    ours = _tracer_primitives()
    assert len(ours) > 60
    missing = sorted(ours - covered)
    assert not missing, f"primitives without an impl test: {missing}"
    for name in ours:
        p = registry[name]
        assert p.impl is not None and p.abstract_eval is not None, name


def test_abstract_eval_errors_are_clear():
    f64, f32 = Aval((3,), np.float64), Aval((3,), np.float32)
    with pytest.raises(TypeError, match="one dtype"):
        registry["add"].abstract_eval(f64, f32)
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        registry["mul"].abstract_eval(f64, Aval((4,), np.float64))
    with pytest.raises(TypeError, match="floating-point"):
        registry["sin"].abstract_eval(Aval((3,), np.int64))
    with pytest.raises(ValueError, match="reshape"):
        registry["reshape"].abstract_eval(f64, new_sizes=(2, 2))
