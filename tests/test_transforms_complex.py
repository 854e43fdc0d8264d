"""Complex primitives under jvp and vjp against JAX (complex128, JAX's convention: a
cotangent c pairs with a tangent t as Re(sum(c * t))) and central finite differences
along real and imaginary directions."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.tracer import bind, registry
from tracegrad.transforms import jvp, vjp

jax.config.update("jax_enable_x64", True)


def _c(rng, *shape):
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


def _r(rng, *shape):
    return rng.normal(size=shape)


def _prim(name):
    p = registry[name]
    return lambda *xs: bind(p, *xs)


#: name -> (tracegrad function, JAX function, argument makers)
CASES = {
    "real": (_prim("real"), jnp.real, [lambda r: _c(r, 3, 2)]),
    "imag": (_prim("imag"), jnp.imag, [lambda r: _c(r, 4)]),
    "conj": (_prim("conj"), jnp.conj, [lambda r: _c(r, 2, 3)]),
    "conj_of_real": (_prim("conj"), lambda x: jax.lax.conj(x), [lambda r: _r(r, 3)]),
    "complex": (_prim("complex"), jax.lax.complex, [lambda r: _r(r, 3), lambda r: _r(r, 3)]),
    "abs": (_prim("abs"), jnp.abs, [lambda r: _c(r, 5)]),
    "mul": (_prim("mul"), jnp.multiply, [lambda r: _c(r, 3), lambda r: _c(r, 3)]),
    "exp": (_prim("exp"), jnp.exp, [lambda r: _c(r, 3)]),
}

#: primitives linear in every argument: the dot-product test applies
LINEAR = ("real", "imag", "conj", "conj_of_real", "complex")


def _like(rng, x):
    x = np.asarray(x)
    return _c(rng, *x.shape) if x.dtype.kind == "c" else _r(rng, *x.shape)


def _re_inner(a, b):
    return np.real(np.sum(np.asarray(a) * np.asarray(b)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_jvp_vjp_vs_jax_and_fd(name):
    tg, jf, makers = CASES[name]
    rng = np.random.default_rng(len(name))
    args = [m(rng) for m in makers]
    tans = [_like(rng, a) for a in args]
    out, t_out = jvp(tg, tuple(args), tuple(tans))
    j_out, j_t = jax.jvp(jf, tuple(map(jnp.asarray, args)), tuple(map(jnp.asarray, tans)))
    np.testing.assert_allclose(out, np.asarray(j_out), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t_out, np.asarray(j_t), rtol=1e-12, atol=1e-12)
    assert np.asarray(t_out).dtype == np.asarray(j_t).dtype
    h = 1e-6
    fd = (np.asarray(tg(*[a + h * t for a, t in zip(args, tans)]))
          - np.asarray(tg(*[a - h * t for a, t in zip(args, tans)]))) / (2 * h)
    np.testing.assert_allclose(t_out, fd, rtol=1e-6, atol=1e-7)
    ct = _like(rng, out)
    ours = vjp(tg, *args)[1](ct)
    theirs = jax.vjp(jf, *map(jnp.asarray, args))[1](jnp.asarray(ct))
    for a, b in zip(ours, theirs):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", LINEAR)
def test_complex_dot_product(name):
    """Re<J u, v> == Re<u, J^T v>: the transpose rules against the jvp rules."""
    tg, _, makers = CASES[name]
    rng = np.random.default_rng(3)
    args = [m(rng) for m in makers]
    for i in range(len(args)):
        def part(u, i=i):
            full = list(args)
            full[i] = u
            return tg(*full)
        u = _like(rng, args[i])
        _, ju = jvp(part, (args[i],), (u,))
        v = _like(rng, ju)
        jtv = vjp(part, args[i])[1](v)[0]
        np.testing.assert_allclose(_re_inner(ju, v), _re_inner(u, jtv), rtol=1e-12)
