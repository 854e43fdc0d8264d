"""Functions of complex inputs against JAX (x64): grad / value_and_grad of real-valued
functions (JAX's convention: the gradient of a real f of z = x + iy is df/dx - i df/dy),
holomorphic functions under grad / jacfwd / jacrev / hessian with holomorphic=True,
real parameters through complex intermediates to a real loss (grad and hessian), second
order derivatives of real functions of complex inputs, complex64, custom_vjp and
custom_jvp with complex values, stop_gradient, and the size of derivative programs.

Each function is written once against an array module ``xp``: tracegrad runs it with
NumPy, JAX with ``jax.numpy``.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.tracer import make_ir
from tracegrad.transforms import (
    custom_jvp,
    custom_vjp,
    grad,
    hessian,
    hvp,
    jacfwd,
    jacrev,
    jvp,
    stop_gradient,
    value_and_grad,
    vjp,
)

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(11)


def _c(*shape):
    return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


def _r(*shape):
    return RNG.normal(size=shape)


N = 6
_n = np.arange(N)
DFT = np.exp(-2j * np.pi * np.outer(_n, _n) / N)   # X = DFT @ x, written as a matmul
SIGNAL = np.cos(2 * np.pi * 1.3 * _n / N) + 0.5j * np.sin(2 * np.pi * 0.7 * _n / N)
A, B = _c(3, 4), _c(3)
B4 = _c(4)
W = np.abs(_r(N)) + 0.1
IDX = np.array([3, 0, 1, 3])


def C(*shape):
    return lambda: _c(*shape)


def R(*shape):
    return lambda: _r(*shape)


#: real-valued functions of complex (and real) inputs: name -> (f(xp), argument makers)
REAL_LOSSES = {
    "abs_squared": (lambda xp: lambda z: xp.sum(xp.abs(z) ** 2), [C(4)]),
    "abs": (lambda xp: lambda z: xp.sum(xp.abs(z)), [C(4)]),
    "re_z_conj_w": (lambda xp: lambda z, w: xp.real(xp.sum(z * xp.conj(w))), [C(4), C(4)]),
    "vdot": (lambda xp: lambda z, w: xp.imag(xp.vdot(z, w)) + xp.abs(xp.vdot(w, z)) ** 2,
             [C(4), C(4)]),
    "exp_i_theta": (lambda xp: lambda th: xp.sum(xp.real(xp.exp(1j * th) * B4)), [R(4)]),
    "phasor_fit": (lambda xp: lambda th, z: xp.sum(xp.abs(xp.exp(1j * th) - z) ** 2),
                   [R(4), C(4)]),
    "matmul_residual": (lambda xp: lambda z: xp.sum(xp.abs(A @ z - B) ** 2), [C(4)]),
    "matmul_norm": (lambda xp: lambda m, z: xp.linalg.norm(m @ z), [C(3, 4), C(4)]),
    "dft_power_of_real_signal": (lambda xp: lambda x: xp.sum(W * xp.abs(DFT @ x) ** 2),
                                 [R(N)]),
    "dft_power_of_complex_signal": (lambda xp: lambda x: xp.sum(W * xp.abs(DFT @ x) ** 2),
                                    [C(N)]),
    "dft_log_spectrum": (lambda xp: lambda x: xp.sum(xp.log(xp.abs(DFT @ x) ** 2 + 1.0)),
                         [C(N)]),
    "frequency_fit": (lambda xp: lambda f: xp.sum(xp.abs(xp.sum(
        xp.exp(-2j * xp.pi * f[:, None] * _n[None, :] / N) * SIGNAL, axis=1)) ** 2), [R(3)]),
    "angle": (lambda xp: lambda z: xp.sum(xp.angle(z) ** 2), [C(4)]),
    "log_abs": (lambda xp: lambda z: xp.sum(xp.log(xp.abs(z) ** 2 + 1)), [C(4)]),
    "re_log": (lambda xp: lambda z: xp.real(xp.sum(xp.log(z))), [C(4)]),
    "im_sin_cos_conj": (lambda xp: lambda z: xp.imag(xp.sum(xp.sin(z) * xp.cos(xp.conj(z)))),
                        [C(4)]),
    "norm": (lambda xp: lambda z: xp.linalg.norm(z), [C(2, 3)]),
    "var_std": (lambda xp: lambda z: xp.var(z) + xp.sum(xp.std(z, axis=0)), [C(3, 2)]),
    "tanh": (lambda xp: lambda z: xp.sum(xp.real(xp.tanh(z)) ** 2), [C(4)]),
    "polynomial_abs": (lambda xp: lambda z: xp.sum(xp.abs(z ** 3 - 1)), [C(4)]),
    "sqrt_parts": (lambda xp: lambda z: xp.sum(xp.real(xp.sqrt(z)) * xp.imag(z)), [C(4)]),
    "mixed_real_complex": (lambda xp: lambda x, z: xp.sum(xp.abs(x * z + 1j * x) ** 2),
                           [R(4), C(4)]),
    "where": (lambda xp: lambda z: xp.sum(xp.where(xp.real(z) > 0, xp.abs(z),
                                                   xp.abs(z) ** 2)), [C(4)]),
    "indexing_cumsum": (lambda xp: lambda z: xp.sum(xp.abs(xp.cumsum(z[IDX]) - z[::-1][IDX])
                                                    ** 2), [C(4)]),
    "at_add": (lambda xp: lambda u, z: xp.sum(xp.abs(z.at[IDX].add(u)) ** 2), [C(4), C(4)]),
    "prod": (lambda xp: lambda z: xp.abs(xp.prod(z)), [C(4)]),
    "max_of_real_part": (lambda xp: lambda z: xp.max(xp.real(z * z)), [C(4)]),
    "einsum": (lambda xp: lambda z, w: xp.real(xp.einsum("ij,jk->", z, w) ** 2),
               [C(2, 3), C(3, 2)]),
    "exp_log_sin": (lambda xp: lambda z: xp.sum(xp.abs(xp.exp(xp.sin(z))
                                                       + xp.log(1 + z * z))), [C(4)]),
    "concatenate_stack": (lambda xp: lambda z, x: xp.sum(xp.abs(xp.stack(
        [xp.concatenate([z, x[:1]]), xp.concatenate([x, z[:1]])])) ** 2), [C(3), R(3)]),
}

#: holomorphic functions: name -> f(xp) (elementwise unless marked), input maker
HOLOMORPHIC = {
    "polynomial": lambda xp: lambda z: z ** 3 - 2 * z ** 2 + (1 + 1j) * z - 5,
    "exp_sin": lambda xp: lambda z: xp.exp(xp.sin(z)),
    "log_1p_square": lambda xp: lambda z: xp.log(1 + z ** 2),
    "rational": lambda xp: lambda z: z * xp.cos(z) / (1 + z),
    "tanh_sqrt": lambda xp: lambda z: xp.tanh(z) ** 2 + xp.sqrt(z + 3),
    "inverse_powers": lambda xp: lambda z: 1 / z + z ** -2,
    "matmul": lambda xp: lambda z: A @ (z * z),
    "dft_of_exp": lambda xp: lambda z: DFT[:, :4] @ xp.exp(z),
    "cumsum_prod": lambda xp: lambda z: xp.cumsum(z) * xp.prod(z),
}

#: real parameters through complex intermediates to a real loss
PARAM_LOSSES = {
    "phasor_sum": (lambda xp: lambda th: xp.abs(xp.sum(xp.exp(1j * th) * B4)) ** 2, [R(4)]),
    "from_parts": (lambda xp: lambda a, b: xp.sum(xp.abs((a + 1j * b) ** 2 - B4) ** 2),
                   [R(4), R(4)]),
    "frequency_fit": REAL_LOSSES["frequency_fit"],
    "complex_layer": (lambda xp: lambda w: xp.sum(xp.abs(xp.tanh(
        (w[0] + 1j * w[1]) @ B4[:2])) ** 2), [R(2, 3, 2)]),
}


def _args(makers, seed=0):
    global RNG
    RNG = np.random.default_rng(seed)
    return tuple(m() for m in makers)


def _close(ours, theirs, rtol=1e-10, atol=1e-12):
    a, b = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape, (x.dtype, y.dtype, x.shape)
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


def _like(x):
    x = np.asarray(x)
    return _c(*x.shape) if x.dtype.kind == "c" else _r(*x.shape)


# ---------------------------------------------------------------------------
# first order: grad of real-valued functions

@pytest.mark.parametrize("name", sorted(REAL_LOSSES))
def test_grad_of_real_function_matches_jax(name):
    f, makers = REAL_LOSSES[name]
    args = _args(makers)
    nums = tuple(range(len(args)))
    _close(grad(f(np), argnums=nums)(*args), jax.grad(f(jnp), argnums=nums)(*args))
    value, g = value_and_grad(f(np), argnums=nums[-1])(*args)
    j_value, j_g = jax.value_and_grad(f(jnp), argnums=nums[-1])(*args)
    _close((value, g), (j_value, j_g))
    _close(jacrev(f(np), argnums=nums)(*args), jax.jacrev(f(jnp), argnums=nums)(*args))


def test_grad_convention_on_known_cases():
    """|z|^2 -> 2 conj(z); Re(z conj(w)) -> (conj(w), conj(z)); |z| -> conj(z) / |z|."""
    z, w = _c(3), _c(3)
    np.testing.assert_allclose(grad(lambda z: np.sum(np.abs(z) ** 2))(z), 2 * np.conj(z))
    gz, gw = grad(lambda z, w: np.real(np.sum(z * np.conj(w))), argnums=(0, 1))(z, w)
    np.testing.assert_allclose(gz, np.conj(w))
    np.testing.assert_allclose(gw, np.conj(z))
    np.testing.assert_allclose(grad(lambda z: np.sum(np.abs(z)))(z), np.conj(z) / np.abs(z))


def test_gradient_step_descends():
    """With JAX's convention the descent step on z is z - lr * conj(grad)."""
    f = REAL_LOSSES["matmul_residual"][0](np)
    z = _c(4)
    g = grad(f)(z)
    assert f(z - 1e-3 * np.conj(g)) < f(z)


# ---------------------------------------------------------------------------
# holomorphic functions

@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_holomorphic_jacobians_match_jax(name):
    f = HOLOMORPHIC[name]
    z = _args([C(4)], seed=1)[0] * 0.5 + 0.2
    fwd = jacfwd(f(np), holomorphic=True)(z)
    rev = jacrev(f(np), holomorphic=True)(z)
    _close(fwd, jax.jacfwd(f(jnp), holomorphic=True)(z))
    _close(rev, jax.jacrev(f(jnp), holomorphic=True)(z))
    _close(fwd, rev)


@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_holomorphic_grad_and_hessian_match_jax(name):
    f = HOLOMORPHIC[name]
    z = _args([C(4)], seed=2)[0] * 0.5 + 0.2
    s_np = lambda z: np.sum(f(np)(z))  # noqa: E731
    s_jnp = lambda z: jnp.sum(f(jnp)(z))  # noqa: E731
    _close(grad(s_np, holomorphic=True)(z), jax.grad(s_jnp, holomorphic=True)(z))
    _close(value_and_grad(s_np, holomorphic=True)(z),
           jax.value_and_grad(s_jnp, holomorphic=True)(z))
    _close(hessian(s_np, holomorphic=True)(z), jax.hessian(s_jnp, holomorphic=True)(z),
           rtol=1e-9)


def test_holomorphic_derivative_is_the_complex_derivative():
    z = 0.3 + 0.4j
    np.testing.assert_allclose(grad(np.sin, holomorphic=True)(z), np.cos(z))
    np.testing.assert_allclose(grad(grad(lambda z: z ** 4, holomorphic=True),
                                    holomorphic=True)(z), 12 * z ** 2)


# ---------------------------------------------------------------------------
# real parameters -> complex intermediates -> real loss

@pytest.mark.parametrize("name", sorted(PARAM_LOSSES))
def test_real_parameters_through_complex_intermediates(name):
    f, makers = PARAM_LOSSES[name]
    args = _args(makers, seed=3)
    nums = tuple(range(len(args)))
    g = grad(f(np), argnums=nums)(*args)
    _close(g, jax.grad(f(jnp), argnums=nums)(*args))
    assert all(np.asarray(x).dtype == np.float64 for x in g)
    _close(hessian(f(np), argnums=nums)(*args), jax.hessian(f(jnp), argnums=nums)(*args),
           rtol=1e-9)
    tans = tuple(_like(a) for a in args)
    _close(hvp(f(np), args, tans),
           jax.jvp(jax.grad(f(jnp), argnums=nums), args, tans)[1], rtol=1e-9)


# ---------------------------------------------------------------------------
# second order of real functions of complex inputs

SECOND_ORDER = sorted(n for n in REAL_LOSSES if n not in ("max_of_real_part",))


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_of_real_function_of_complex_inputs(name):
    f, makers = REAL_LOSSES[name]
    args = _args(makers, seed=4)
    nums = tuple(range(len(args)))
    g_np, g_jnp = grad(f(np), argnums=nums), jax.grad(f(jnp), argnums=nums)
    tans = tuple(_like(a) for a in args)
    _close(jvp(g_np, args, tans), jax.jvp(g_jnp, args, tans), rtol=1e-9, atol=1e-10)
    out, pullback = vjp(g_np, *args)
    cts = tuple(_like(o) for o in out)
    _close(pullback(cts), jax.vjp(g_jnp, *args)[1](cts), rtol=1e-9, atol=1e-10)
    # grad of a real function of the gradient (rev over rev)
    h_np = lambda *a: sum(np.sum(np.abs(x) ** 2) for x in g_np(*a))  # noqa: E731
    h_jnp = lambda *a: sum(jnp.sum(jnp.abs(x) ** 2) for x in g_jnp(*a))  # noqa: E731
    _close(grad(h_np, argnums=nums)(*args), jax.grad(h_jnp, argnums=nums)(*args),
           rtol=1e-9, atol=1e-10)


def test_second_derivative_against_finite_differences():
    """jvp of grad along real and imaginary directions vs differences of the gradient."""
    f = REAL_LOSSES["dft_log_spectrum"][0](np)
    z = _args([C(N)], seed=5)[0]
    g = grad(f)
    for unit in (1, 1j):
        t = unit * _r(N)
        h = 1e-6
        fd = (g(z + h * t) - g(z - h * t)) / (2 * h)
        np.testing.assert_allclose(jvp(g, (z,), (t + 0j,))[1], fd, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------
# complex64

@pytest.mark.parametrize("name", ["abs_squared", "phasor_fit", "matmul_residual",
                                  "dft_power_of_complex_signal", "mixed_real_complex",
                                  "var_std", "exp_log_sin"])
def test_complex64_gradients_match_jax(name):
    f, makers = REAL_LOSSES[name]
    args = tuple(a.astype(np.complex64 if a.dtype.kind == "c" else np.float32)
                 for a in _args(makers, seed=6))
    nums = tuple(range(len(args)))
    ours = grad(f(np), argnums=nums)(*args)
    theirs = jax.grad(f(jnp), argnums=nums)(*args)
    for a, x in zip(ours, args):
        if name not in ("matmul_residual", "dft_power_of_complex_signal"):  # c128 consts
            assert np.asarray(a).dtype == x.dtype
    _close(ours, theirs, rtol=2e-4, atol=2e-5)


def test_complex64_holomorphic_and_weak_scalars():
    z = _c(3).astype(np.complex64)
    f = HOLOMORPHIC["polynomial"]
    jac = jacfwd(f(np), holomorphic=True)(z)
    assert jac.dtype == np.complex64
    _close(jac, jax.jacfwd(f(jnp), holomorphic=True)(z), rtol=2e-5, atol=2e-5)
    x = np.float32(0.7)
    g = grad(lambda x: np.real(np.exp(1j * x) * (2 - 1j)))(x)  # 1j * f32 stays c64
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, jax.grad(lambda x: jnp.real(jnp.exp(1j * x) * (2 - 1j)))(x),
                               rtol=1e-6)


# ---------------------------------------------------------------------------
# custom rules, stop_gradient

def test_custom_vjp_with_complex_values_matches_jax():
    def build(cv, xp):
        f = cv(lambda z, w: xp.exp(z) * xp.conj(w))

        def fwd(z, w):
            e = xp.exp(z)
            return e * xp.conj(w), (e, w)

        def bwd(res, ct):  # JAX's convention: cotangents are not conjugated
            e, w = res
            return ct * xp.conj(w) * e, xp.conj(ct * e)

        f.defvjp(fwd, bwd)
        return lambda z, w: xp.sum(xp.abs(f(z, w) - 1) ** 2)

    z, w = _c(3), _c(3)
    ours = grad(build(custom_vjp, np), argnums=(0, 1))(z, w)
    _close(ours, jax.grad(build(jax.custom_vjp, jnp), argnums=(0, 1))(z, w))
    plain = lambda z, w: np.sum(np.abs(np.exp(z) * np.conj(w) - 1) ** 2)  # noqa: E731
    _close(ours, grad(plain, argnums=(0, 1))(z, w))


def test_custom_jvp_with_complex_values_matches_jax():
    def build(cj, xp):
        f = cj(lambda z: z * xp.conj(z))

        def f_jvp(primals, tangents):
            (z,), (t,) = primals, tangents
            return f(z), t * xp.conj(z) + z * xp.conj(t)

        f.defjvp(f_jvp)
        return lambda z: xp.sum(xp.real(f(z) * xp.sin(z)))

    z = _c(3)
    ours = grad(build(custom_jvp, np))(z)
    _close(ours, jax.grad(build(jax.custom_jvp, jnp))(z))
    t = _c(3)
    _close(jvp(grad(build(custom_jvp, np)), (z,), (t,)),
           jax.jvp(jax.grad(build(jax.custom_jvp, jnp)), (z,), (t,)), rtol=1e-9)


def test_stop_gradient_on_complex_matches_jax():
    def f(xp, sg):
        return lambda z: xp.sum(xp.abs(z * sg(xp.conj(z)) + z) ** 2)

    z = _c(4)
    _close(grad(f(np, stop_gradient))(z), jax.grad(f(jnp, jax.lax.stop_gradient))(z))


# ---------------------------------------------------------------------------
# derivative programs stay small

def test_gradient_programs_are_minimal():
    z = _c(3)
    ir = make_ir(grad(lambda z: np.sum(np.real(z * np.conj(z)))))(z)
    assert str(ir) == (
        "{ lambda ; a:c128[3]. let\n"
        "    b:c128[3] = conj a\n"
        "    c:c128[3] = add b b\n"
        "  in (c,) }")
    ir = make_ir(grad(lambda x: np.sum(np.real(np.exp(1j * x)))))(np.ones(3))
    names = [e.prim.name for e in ir.eqns]
    assert len(names) <= 6 and "complex" not in names, str(ir)
    ir = make_ir(grad(lambda z: np.sum(np.abs(z) ** 2)))(z)
    assert len(ir.eqns) <= 11, str(ir)
    ir = make_ir(grad(lambda z: z ** 3, holomorphic=True))(1j)
    assert [e.prim.name for e in ir.eqns] == ["integer_pow", "mul"], str(ir)
