"""Complex programs through JAX interop: every complex-accepting primitive's lowering vs
its NumPy impl; to_jax / jit / jax.grad / jax.jacfwd(holomorphic=True) of lowered
programs; from_jax of jaxprs with real, imag, conj (input_dtype), complex, abs, atan2,
sign, complex dot_general; check_against_jax on complex inputs (and a convention bug it
catches)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax as jlax
from tracegrad.interop.jax import LOWERINGS, check_against_jax, from_jax, jit, to_jax
from tracegrad.tracer import Aval, make_ir, registry
from tracegrad.transforms import cache_clear, grad, jacfwd, transpose_rules, vjp

jax.config.update("jax_enable_x64", True)

rng = np.random.default_rng(3)


def _c(*shape):
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


Z = _c(2, 3) * 0.6 + 0.1
W = _c(2, 3)
ROW = _c(3)
Z4 = _c(4)

# complex samples: (args, params)
_UNARY = ["exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "asin", "acos",
          "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "logistic", "sqrt", "rsqrt",
          "neg", "abs", "sign", "stop_gradient", "real", "imag", "conj"]
SAMPLES = {n: [((Z,), {}), ((Z.astype(np.complex64),), {})] for n in _UNARY}
SAMPLES.update({n: [((Z, W), {}), ((Z, ROW), {})] for n in ["add", "sub", "mul", "div",
                                                            "max", "min", "eq", "ne", "pow"]})
SAMPLES.update({
    "integer_pow": [((Z,), {"y": 3}), ((Z,), {"y": -2})],
    "convert_element_type": [((Z,), {"new_dtype": np.dtype(np.float64)}),
                             ((Z,), {"new_dtype": np.dtype(np.complex64)}),
                             ((Z.real,), {"new_dtype": np.dtype(np.complex128)})],
    "complex": [((Z.real.astype(np.float32), W.imag.astype(np.float32)), {})],
    "select_n": [((Z.real > 0, Z, W), {})],
    "reduce_sum": [((Z,), {"axes": (0, 1)})], "reduce_prod": [((Z,), {"axes": (1,)})],
    "reduce_max": [((Z,), {"axes": (1,)})], "reduce_min": [((Z,), {"axes": (0,)})],
    "cumsum": [((Z,), {"axis": 1, "reverse": True})],
    "broadcast_in_dim": [((ROW,), {"shape": (2, 3), "broadcast_dimensions": (1,)})],
    "reshape": [((Z,), {"new_sizes": (3, 2)})],
    "transpose": [((Z,), {"permutation": (1, 0)})],
    "squeeze": [((Z[:1],), {"dimensions": (0,)})],
    "expand_dims": [((Z,), {"dimensions": (1,)})],
    "rev": [((Z,), {"dimensions": (0, 1)})],
    "concatenate": [((Z, W), {"dimension": 1})],
    "pad": [((Z, np.complex128(1j)), {"padding_config": ((1, 0, 1), (-1, 2, 0))})],
    "slice": [((Z,), {"start_indices": (0, 1), "limit_indices": (2, 3), "strides": (1, 2)})],
    "dot_general": [((Z, W.T), {"dimension_numbers": (((1,), (0,)), ((), ()))}),
                    ((Z, W), {"dimension_numbers": (((1,), (1,)), ((0,), (0,)))})],
    "index_take": [((Z, np.array([2, 0, 2])), {"axis": 1})],
    "index_add": [((Z, np.array([1, 1])), {"axis": 1})],
})
SAMPLES["index_add"] = [((Z, np.array([1, 1]), _c(2, 2)), {"axis": 1})]
CASES = [(n, i) for n in sorted(SAMPLES) for i in range(len(SAMPLES[n]))]


@pytest.mark.parametrize("name,i", CASES)
def test_complex_lowering_matches_numpy_impl(name, i):
    prim = registry[name]
    args, params = SAMPLES[name][i]
    want = np.asarray(prim.impl(*args, **params))
    got = np.asarray(LOWERINGS[name](*[jnp.asarray(a) for a in args], **params))
    aval = prim.abstract_eval(*[Aval(np.shape(a), np.asarray(a).dtype) for a in args],
                              **params)
    assert (got.shape, got.dtype) == (want.shape, want.dtype) == (aval.shape, aval.dtype)
    tol = 2e-6 if want.dtype in (np.complex64, np.float32) else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=name)


def test_complex_to_real_conversion_lowers_without_a_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = jax.jit(to_jax(lambda z: z.astype(np.float64)))(Z)
    np.testing.assert_array_equal(out, Z.real)


# ---------------------------------------------------------------------------
# to_jax / jit

PROGRAMS = {
    "loss": lambda z: np.sum(np.abs(np.exp(1j * z.real) * z - 1) ** 2) + np.var(z)
    + np.linalg.norm(z) + np.sum(np.angle(z)) + np.real(np.vdot(z, 2 * z)),
    "parts": lambda z: (z.real, np.imag(z), np.conj(z), z.real + 1j * z.imag, np.abs(z)),
    "holomorphic": lambda z: np.sum(np.sin(z) * z ** 3 / (1 + z * z)),
    "matmul": lambda z: z @ np.conj(z.T) + np.sqrt(z @ z.T),
    "ordering": lambda z: (z < z[::-1], np.maximum(z, 0.5j), np.isfinite(z), np.rint(z)),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_to_jax_and_jit_of_complex_programs_match_numpy(name, dtype):
    f = PROGRAMS[name]
    z = Z.astype(dtype)
    want = jax.tree_util.tree_leaves(f(z))
    tol = 1e-5 if dtype == np.complex64 else 1e-12
    for got in (to_jax(f)(z), jit(f)(z)):
        got = jax.tree_util.tree_leaves(got)
        for g, w in zip(got, want):
            assert np.asarray(g).dtype == np.asarray(w).dtype
            np.testing.assert_allclose(np.asarray(g), w, rtol=tol, atol=tol)


def test_jax_grad_of_lowered_program_matches_tracegrad():
    f = PROGRAMS["loss"]
    np.testing.assert_allclose(jax.grad(to_jax(f))(Z), grad(f)(Z), rtol=1e-12)
    h = PROGRAMS["holomorphic"]
    np.testing.assert_allclose(jax.grad(to_jax(h), holomorphic=True)(Z),
                               grad(h, holomorphic=True)(Z), rtol=1e-12)
    e = lambda z: np.exp(z) * z  # noqa: E731
    np.testing.assert_allclose(jax.jacfwd(to_jax(e), holomorphic=True)(Z4),
                               jacfwd(e, holomorphic=True)(Z4), rtol=1e-12)
    np.testing.assert_allclose(jax.vmap(to_jax(f))(np.stack([Z, W])),
                               [f(Z), f(W)], rtol=1e-12)


def test_jit_of_complex_gradients():
    f = PROGRAMS["loss"]
    np.testing.assert_allclose(jit(grad(f))(Z), grad(f)(Z), rtol=1e-12)
    h = PROGRAMS["holomorphic"]
    np.testing.assert_allclose(jit(grad(h, holomorphic=True))(Z), grad(h, holomorphic=True)(Z),
                               rtol=1e-12)
    ct = _c(2, 3)
    g = lambda z: vjp(lambda z: np.exp(np.conj(z)) * z, z)[1](ct)[0]  # noqa: E731
    np.testing.assert_allclose(jit(g)(Z), g(Z), rtol=1e-12)


# ---------------------------------------------------------------------------
# from_jax

JAX_FUNCTIONS = {
    "parts": lambda z: jnp.sum(jnp.real(z) * jnp.imag(z)) + jnp.sum(jnp.abs(z)),
    "conj": lambda z: jnp.real(jnp.sum(z * jnp.conj(z * 2j))),
    "conj_of_real": lambda z: jnp.sum(jnp.abs(jlax.conj(z.real) * z)),
    "complex": lambda z: jnp.sum(jnp.abs(jlax.complex(z.imag, z.real) - z) ** 2),
    "angle": lambda z: jnp.sum(jnp.angle(z) ** 2),
    "vdot_var_norm": lambda z: jnp.real(jnp.vdot(z, z[::-1])) + jnp.var(z)
    + jnp.linalg.norm(z),
    "exp_i": lambda z: jnp.sum(jnp.real(jnp.exp(1j * z.real) * jnp.conj(z))),
    "ordering_and_where": lambda z: jnp.sum(jnp.where(z < 0.5j, jnp.abs(z), 0.0))
    + jnp.sum(jnp.isfinite(z)),
    "matmul": lambda z: jnp.sum(jnp.abs(z.reshape(2, 2) @ jnp.conj(z.reshape(2, 2))) ** 2),
}


@pytest.mark.parametrize("name", sorted(JAX_FUNCTIONS))
def test_from_jax_reads_complex_jaxprs(name):
    jf = JAX_FUNCTIONS[name]
    f = from_jax(jf)
    np.testing.assert_allclose(f(Z4), jf(Z4), rtol=1e-12)
    np.testing.assert_allclose(grad(f)(Z4), jax.grad(jf)(Z4), rtol=1e-11, atol=1e-12)


def test_from_jax_conj_drops_input_dtype():
    closed = make_ir(from_jax(lambda x: jlax.conj(x) * 2))(np.ones(3))
    text = str(closed)
    assert "conj a" in text and "input_dtype" not in text
    assert closed.out_avals == [Aval((3,), np.complex128)]


def test_from_jax_holomorphic_and_complex64():
    jf = lambda z: jnp.sin(z) * jnp.exp(z) + z ** 2  # noqa: E731
    np.testing.assert_allclose(jacfwd(from_jax(jf), holomorphic=True)(Z4),
                               jax.jacfwd(jf, holomorphic=True)(Z4), rtol=1e-12)
    z = Z4.astype(np.complex64)
    out = from_jax(jf)(z)
    assert out.dtype == np.complex64
    np.testing.assert_allclose(out, jf(z), rtol=1e-5)


def test_from_jax_sign_of_complex_differs_from_jax_by_design():
    """JAX's sign has a zero derivative on complex z; ours is that of z / |z|."""
    jf = lambda z: jnp.sum(jnp.real(jnp.sign(z) * jnp.conj(z[::-1])))  # noqa: E731
    formula = lambda z: jnp.sum(jnp.real(z / jnp.abs(z) * jnp.conj(z[::-1])))  # noqa: E731
    np.testing.assert_allclose(grad(from_jax(jf))(Z4), jax.grad(formula)(Z4), rtol=1e-12)


# ---------------------------------------------------------------------------
# check_against_jax on complex inputs

def test_check_against_jax_on_complex_functions():
    check_against_jax(lambda z: np.sum(np.abs(np.sin(z) - 1) ** 2), Z)   # real-valued
    check_against_jax(lambda z: np.tanh(z) * z ** 2, Z4)                  # holomorphic
    check_against_jax(lambda z, x: np.real(z * np.exp(1j * x)) + np.abs(z), Z4,
                      Z4.imag.copy())                                     # mixed
    check_against_jax(lambda z: np.sum(np.abs(z * z) ** 2), Z.astype(np.complex64))


def test_check_against_jax_catches_a_complex_convention_bug():
    """A conj transpose rule that forgets to conjugate: only complex tangents see it."""
    conj_p = registry["conj"]
    good = transpose_rules[conj_p]
    f = lambda z: np.sum(np.abs(np.conj(z) * 1.25 - 0.5j) ** 2)  # noqa: E731
    transpose_rules[conj_p] = lambda ct, x: [ct]
    cache_clear()
    try:
        with pytest.raises(AssertionError, match="check_against_jax"):
            check_against_jax(f, Z4, modes=("rev",), order=1)
    finally:
        transpose_rules[conj_p] = good
        cache_clear()
    check_against_jax(f, Z4, modes=("rev",), order=1)
