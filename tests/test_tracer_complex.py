"""Complex numbers in the tracer: NumPy 2 promotion between real and complex (weak Python
complex scalars included), printing (``c64[3]``, ``(1+2j):c128[]``), and plain NumPy code
on complex arrays traced and evaluated against NumPy itself, abstract traces included."""

import numpy as np
import pytest
from tracegrad.tracer import Aval, eval_ir, make_ir, registry

RNG = np.random.default_rng(7)


def _c(*shape, dtype=np.complex128):
    return (RNG.normal(size=shape) + 1j * RNG.normal(size=shape)).astype(dtype)


Z = _c(3, 4)
W = _c(4, 2)
V = _c(4)
U = _c(4)
R = RNG.normal(size=4)


def _agree(f, *args, rtol=1e-12):
    """Trace f concretely and abstractly; the IR evaluated on ``args`` equals NumPy's f."""
    closed = make_ir(f)(*args)
    abstract = make_ir(f)(*[Aval(np.shape(a), np.asarray(a).dtype) for a in args])
    want = f(*args)
    want = list(want) if isinstance(want, (list, tuple)) else [want]
    got = eval_ir(closed, *args)
    assert [str(a) for a in abstract.out_avals] == [str(a) for a in closed.out_avals]
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        g, w = np.asarray(g), np.asarray(w)
        assert (g.shape, g.dtype) == (w.shape, w.dtype), (i, g.dtype, w.dtype, g.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol, err_msg=f"output {i}")
    return closed


# ---------------------------------------------------------------------------
# promotion and printing

@pytest.mark.parametrize("lhs", [np.float32, np.float64, np.complex64, np.complex128,
                                 np.int32, np.int64, np.float16, np.bool_])
@pytest.mark.parametrize("rhs", [1j, 2.5 + 1j, 2.5, 3, np.complex64(1j),
                                 np.complex128(1j), np.ones(2, np.complex64),
                                 np.ones(2, np.complex128), np.ones(2, np.float64)])
def test_promotion_matches_numpy(lhs, rhs):
    x = np.ones(2, lhs)
    for f in (lambda a: a * rhs, lambda a: rhs + a, lambda a: a / rhs, lambda a: rhs - a):
        want = f(x)
        if want.dtype.kind != "c" and x.dtype.kind != "c":
            continue  # real promotion has its own tests
        closed = make_ir(f)(x)
        assert closed.out_avals[0].dtype == want.dtype, (lhs, rhs, want.dtype)
        np.testing.assert_allclose(eval_ir(closed, x)[0], want, rtol=1e-6)


def test_weak_complex_scalar_keeps_single_precision():
    x = np.ones(3, np.float32)
    closed = make_ir(lambda a: 1j * a)(x)
    assert str(closed) == (
        "{ lambda ; a:f32[3]. let\n"
        "    b:c64[3] = convert_element_type[new_dtype=complex64] a\n"
        "    c:c64[3] = mul 1j:c64[] b\n"
        "  in (c,) }")
    closed = make_ir(lambda a: np.exp(1j * a))(np.float32(0.5))
    assert closed.out_avals == [Aval((), np.complex64)]


def test_complex_avals_and_literals_print_like_jax():
    assert str(Aval((3,), np.complex64)) == "c64[3]"
    assert str(Aval((), np.complex128)) == "c128[]"
    closed = make_ir(lambda z: np.sum(np.abs(z * (1 + 2j) - 0.5)) + 2j)(np.ones(3, complex))
    assert str(closed) == (
        "{ lambda ; a:c128[3]. let\n"
        "    b:c128[3] = mul a (1+2j):c128[]\n"
        "    c:c128[3] = sub b (0.5+0j):c128[]\n"
        "    d:f64[3] = abs c\n"
        "    e:f64[] = reduce_sum[axes=(0,)] d\n"
        "    f:c128[] = convert_element_type[new_dtype=complex128] e\n"
        "    g:c128[] = add f 2j:c128[]\n"
        "  in (g,) }")


def test_parts_conj_and_building_from_parts_print():
    closed = make_ir(lambda z, x: (z.real, np.imag(z), z.conj(), np.angle(z), x + 1j * x))(
        np.ones(2, np.complex64), np.ones(2, np.float32))
    text = str(closed)
    for line in ("c:f32[2] = real a", "d:f32[2] = imag a",
                 "e:c64[2] = conj a", "h:f32[2] = atan2 f g"):
        assert line in text, text
    assert [str(a) for a in closed.out_avals] == ["f32[2]", "f32[2]", "c64[2]", "f32[2]",
                                                  "c64[2]"]


# ---------------------------------------------------------------------------
# NumPy code on complex arrays vs NumPy

FUNCTIONS = {
    "elementwise": lambda z: [np.exp(z), np.log(z), np.sin(z), np.cos(z), np.tan(z),
                              np.tanh(z), np.sqrt(z), 1 / np.sqrt(z), np.log1p(z),
                              np.expm1(z), np.sinh(z), np.cosh(z), np.arcsin(z),
                              np.arccos(z), np.arctan(z), np.arcsinh(z), np.arccosh(z),
                              np.arctanh(z), np.sign(z), np.square(z), np.reciprocal(z),
                              -z, +z, np.abs(z), np.angle(z), np.angle(z, deg=True)],
    "powers": lambda z: [z ** 3, z ** -2, z ** 0.5, z ** (1.5 + 0.5j), z ** z,
                         np.power(z, 2.0), 2.0 ** z, z * z / (z + 2)],
    "parts": lambda z: [z.real, z.imag, np.real(z), np.imag(z), np.conj(z), z.conjugate(),
                        np.conjugate(z), np.real(z.real), np.imag(z.real), np.conj(z.real)],
    "reductions": lambda z: [np.sum(z), np.sum(z, axis=0), np.prod(z, axis=1), np.mean(z),
                             np.mean(z, axis=1, keepdims=True), np.cumsum(z, axis=1),
                             np.cumsum(z), np.var(z), np.var(z, axis=0, ddof=1),
                             np.std(z), np.std(z, axis=1, keepdims=True)],
    "shapes": lambda z: [z.T, z.reshape(4, 3), np.transpose(z), np.flip(z, 1),
                         np.concatenate([z, z[:1]]), np.concatenate([z, np.ones((3, 1))], 1),
                         np.stack([z, z], 1), np.expand_dims(z, 0), np.squeeze(z[:1]),
                         np.broadcast_to(z[:1], (2, 3, 4)), np.ravel(z), np.swapaxes(z, 0, 1),
                         np.zeros_like(z), np.ones_like(z), np.full_like(z, 2 - 1j)],
    "indexing": lambda z: [z[1], z[:, ::-2], z[np.array([2, 0, 2])], z[[0, 1], [3, 0]],
                           np.take(z, [1, 1], axis=1), z[np.array([True, False, True])]],
    "select": lambda z: [np.where(np.abs(z) > 1, z, 0), np.where(z.real > 0, z, 1j),
                         np.where(z.imag > 0, z, z.real)],
    "compare": lambda z: [z == z[0], z != 1j, np.isfinite(z), np.maximum(z, z[0]),
                          np.minimum(z, 0.5j), np.max(z, axis=0), np.min(z)],
}

PRODUCTS = {
    "matmul": lambda z, w: [z @ w, np.matmul(z, w), np.dot(z, w), z[0] @ z[1]],
    "vdot_inner": lambda z, w: [np.vdot(z, z), np.vdot(z[0], z[1]), np.inner(z, z),
                                np.inner(z[0], z[1]), np.outer(z[0], w[:, 0])],
    "einsum": lambda z, w: [np.einsum("ij,jk->ik", z, w), np.einsum("ij,ij->", z, z),
                            np.einsum("ij,jk->ki", z, w), np.tensordot(z, w, axes=1)],
    "norms": lambda z, w: [np.linalg.norm(z[0]), np.linalg.norm(z), np.linalg.norm(z, "fro"),
                           np.linalg.norm(z[0], 1), np.linalg.norm(z[0], 2),
                           np.linalg.norm(z[0], np.inf), np.linalg.norm(z[0], -np.inf),
                           np.linalg.norm(z[0], 0), np.linalg.norm(z[0], 3),
                           np.linalg.norm(z, axis=1), np.linalg.norm(z, 1),
                           np.linalg.norm(z, np.inf)],
    "mixed": lambda z, w: [z @ w.real, z.real @ w, z * w[:3, :1].real + 1j,
                           np.concatenate([z[:, :2], w[:3]], 1)],
}


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_numpy_functions_on_complex_match_numpy(name, dtype):
    z = (Z * 0.5 + 0.25).astype(dtype)
    _agree(FUNCTIONS[name], z, rtol=2e-5 if dtype == np.complex64 else 1e-12)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_complex_products_and_norms_match_numpy(name, dtype):
    _agree(PRODUCTS[name], Z.astype(dtype), W.astype(dtype),
           rtol=2e-5 if dtype == np.complex64 else 1e-12)


def test_vdot_conjugates_its_first_argument():
    closed = _agree(np.vdot, V, U)
    assert "conj" in str(closed)
    assert np.isclose(eval_ir(closed, 1j * np.ones(4), 1j * np.ones(4))[0], 4)
    assert "conj" not in str(make_ir(np.vdot)(R, R))  # real arrays: no conj equation


def test_var_std_norm_of_complex_are_real():
    for f in (np.var, np.std, np.linalg.norm):
        closed = _agree(f, V)
        assert closed.out_avals == [Aval((), np.float64)]
    assert make_ir(np.var)(V.astype(np.complex64)).out_avals == [Aval((), np.float32)]


def test_order_comparisons_are_lexicographic_as_numpy():
    a = np.array([1 + 2j, 1 + 3j, 2 + 0j, 1 + 3j, 0.5 + 9j])
    b = np.array([1 + 3j, 1 + 3j, 1 + 5j, 1 + 2j, 1 + 0j])
    closed = _agree(lambda a, b: [a < b, a <= b, a > b, a >= b, np.less(a, 1 + 3j),
                                  np.greater_equal(1 + 3j, a)], a, b)
    assert "lt" in str(closed) and "real" in str(closed)


def test_isfinite_and_rint_of_complex_look_at_both_parts():
    z = np.array([np.inf + 0j, 1 + np.nan * 1j, 1.5 + 2.5j, -0.5 - 1.5j])
    _agree(lambda z: [np.isfinite(z), np.rint(z)], z)


@pytest.mark.parametrize("how", ["set", "add", "multiply"])
def test_at_updates_on_complex(how):
    idx = np.array([0, 2, 0])

    def f(z, v):
        return getattr(z.at[idx], how)(v)

    closed = make_ir(f)(V, U[:3])
    want = V.copy()
    if how == "set":
        want[idx] = U[:3]
    elif how == "add":
        np.add.at(want, idx, U[:3])
    else:
        np.multiply.at(want, idx, U[:3])
    np.testing.assert_allclose(eval_ir(closed, V, U[:3])[0], want, rtol=1e-12)
    np.testing.assert_allclose(eval_ir(make_ir(lambda z: z.at[1].set(2j))(V), V)[0],
                               np.where(np.arange(4) == 1, 2j, V))


def test_complex_primitives_impl_and_abstract_eval_agree():
    """pad, select_n, cumsum, index_take/index_add, dot_general with batch dims."""
    z = _c(2, 3)
    cases = [
        ("pad", [z, np.complex128(1j)], {"padding_config": ((1, 0, 1), (0, 2, 0))}),
        ("select_n", [z.real > 0, z, 2 * z], {}),
        ("cumsum", [z], {"axis": 1, "reverse": True}),
        ("index_take", [z, np.array([2, 0])], {"axis": 1}),
        ("index_add", [z, np.array([1, 1]), _c(2, 2)], {"axis": 1}),
        ("dot_general", [_c(2, 3, 4), _c(2, 4, 5)],
         {"dimension_numbers": (((2,), (1,)), ((0,), (0,))), "preferred_element_type": None}),
        ("reduce_prod", [z], {"axes": (0, 1)}),
        ("reduce_max", [z], {"axes": (1,)}),
    ]
    for name, args, params in cases:
        prim = registry[name]
        out = np.asarray(prim.impl(*args, **params))
        aval = prim.abstract_eval(*[Aval(np.shape(a), np.asarray(a).dtype) for a in args],
                                  **params)
        assert aval == Aval(out.shape, out.dtype), (name, aval, out.dtype)
        assert out.dtype == np.complex128, name


# ---------------------------------------------------------------------------
# what complex numbers refuse

@pytest.mark.parametrize("f, exc, match", [
    (np.floor, TypeError, "floor does not accept dtype complex128"),
    (np.ceil, TypeError, "ceil does not accept dtype complex128"),
    (lambda z: np.arctan2(z, z), TypeError, "atan2 does not accept dtype complex128"),
    (lambda z: np.remainder(z, 2), TypeError, "rem does not accept dtype complex128"),
    (np.argmax, TypeError, "complex numbers have no order"),
    (lambda z: np.argmin(z, axis=0), TypeError, "complex numbers have no order"),
    (lambda z: np.clip(z, 0, 1), ValueError, "cannot be clipped"),
    (lambda z: np.clip(z.real, 0, 1j), ValueError, "cannot be clipped"),
])
def test_operations_without_a_complex_meaning_raise(f, exc, match):
    for arg in (V, Aval((4,), np.complex128)):  # concrete and abstract traces
        with pytest.raises(exc, match=match):
            make_ir(f)(arg)


@pytest.mark.parametrize("name", ["lt", "le", "gt", "ge", "rem", "nextafter", "atan2"])
def test_order_primitives_refuse_complex_like_lax(name):
    a = Aval((3,), np.complex64)
    with pytest.raises(TypeError, match=f"{name} does not accept dtype complex64"):
        registry[name].abstract_eval(a, a)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "erf", "is_finite"])
def test_real_unary_primitives_refuse_complex_like_lax(name):
    with pytest.raises(TypeError, match=f"{name} does not accept dtype complex128"):
        registry[name].abstract_eval(Aval((), np.complex128))


def test_logistic_of_complex():
    z = _c(5)
    np.testing.assert_allclose(registry["logistic"].impl(z), 1 / (1 + np.exp(-z)),
                               rtol=1e-13)


# ---------------------------------------------------------------------------
# simplification of complex parts

def test_simplify_folds_parts_of_built_complex_numbers():
    from tracegrad.tracer import bind, ops
    from tracegrad.tracer.passes import optimize
    conj = registry["conj"]

    def f(a, b, z):
        c = ops.make_complex(a, b)
        c0 = ops.make_complex(a, 0.0)
        return (np.real(c), np.imag(c), np.conj(np.conj(z)), ops.make_complex(z.real, z.imag),
                np.imag(c0), bind(conj, bind(conj, a)))  # conj of a real array is complex

    args = (RNG.normal(size=3), RNG.normal(size=3), _c(3))
    closed = make_ir(f)(*args)
    opt = optimize(closed)
    text = str(opt)
    assert "in (a, b, c, c, d, f) }" in text, text
    assert text.count("conj") == 2 and "real" not in text and "imag" not in text, text
    assert "f:c128[3] = conj e" in text
    assert "d:f64[3] = broadcast_in_dim[broadcast_dimensions=() shape=(3,)] 0.0:f64[]" in text
    for got, want in zip(eval_ir(opt, *args), f(*args)):
        np.testing.assert_array_equal(got, want)


def test_simplify_keeps_parts_of_other_numbers():
    from tracegrad.tracer.passes import optimize
    closed = optimize(make_ir(lambda z, w: (np.real(z * w), np.conj(np.conj(z) + w)))(V, U))
    assert str(closed).count("conj") == 2 and "real" in str(closed)
