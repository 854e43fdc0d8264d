"""Complex primitives under jvp and vjp against JAX (complex128, JAX's convention: a
cotangent c pairs with a tangent t as Re(sum(c * t))) and central finite differences
along random complex, real and imaginary directions; the dot-product test
Re<J u, v> == Re<u, J^T v> for every case; JAX's dtype errors of the user API.

Functions of complex inputs (grad, holomorphic Jacobians, Hessians, second order) are in
test_transforms_complex_functions.py.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax as jlax
from tracegrad.tracer import bind, registry
from tracegrad.transforms import (
    grad,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    value_and_grad,
    vjp,
)

jax.config.update("jax_enable_x64", True)


def _c(rng, *shape):
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


def _r(rng, *shape):
    return rng.normal(size=shape)


def _prim(name, **params):
    p = registry[name]
    return lambda *xs: bind(p, *xs, **params)


def _cs(*shape):
    return lambda r: _c(r, *shape)


def _rs(*shape):
    return lambda r: _r(r, *shape)


_PRED = np.array([[True, False, True], [False, False, True]])
_IDX = np.array([2, 0, 2])
_DN = (((1,), (0,)), ((), ()))
_DN_BATCH = (((2,), (1,)), ((0,), (0,)))
_PAD = ((1, 2, 1),)

#: name -> (tracegrad function, JAX function, argument makers). A name is a primitive's
#: (test_transforms_prims.py counts these as derivative tests) or a variant of one.
CASES = {
    "real": (_prim("real"), jnp.real, [_cs(3, 2)]),
    "imag": (_prim("imag"), jnp.imag, [_cs(4)]),
    "conj": (_prim("conj"), jnp.conj, [_cs(2, 3)]),
    "conj_of_real": (_prim("conj"), lambda x: jlax.conj(x), [_rs(3)]),
    "complex": (_prim("complex"), jlax.complex, [_rs(3), _rs(3)]),
    "complex_broadcast": (_prim("complex"), lambda a, b: jlax.complex(
        *jnp.broadcast_arrays(a, b)), [_rs(2, 3), _rs(3)]),
    "abs": (_prim("abs"), jnp.abs, [_cs(5)]),
    "mul": (_prim("mul"), jnp.multiply, [_cs(3), _cs(3)]),
    "exp": (_prim("exp"), jnp.exp, [_cs(3)]),
    "add": (_prim("add"), jnp.add, [_cs(2, 3), _cs(3)]),
    "sub": (_prim("sub"), jnp.subtract, [_cs(3), _cs(2, 3)]),
    "neg": (_prim("neg"), jnp.negative, [_cs(3)]),
    "div": (_prim("div"), jnp.divide, [_cs(2, 3), _cs(3)]),
    "log": (_prim("log"), jnp.log, [_cs(4)]),
    "log1p": (_prim("log1p"), jnp.log1p, [_cs(4)]),
    "expm1": (_prim("expm1"), jnp.expm1, [_cs(4)]),
    "sin": (_prim("sin"), jnp.sin, [_cs(4)]),
    "cos": (_prim("cos"), jnp.cos, [_cs(4)]),
    "tan": (_prim("tan"), jnp.tan, [_cs(4)]),
    "tanh": (_prim("tanh"), jnp.tanh, [_cs(4)]),
    "asin": (_prim("asin"), jnp.arcsin, [_cs(4)]),
    "acos": (_prim("acos"), jnp.arccos, [_cs(4)]),
    "atan": (_prim("atan"), jnp.arctan, [_cs(4)]),
    "sinh": (_prim("sinh"), jnp.sinh, [_cs(4)]),
    "cosh": (_prim("cosh"), jnp.cosh, [_cs(4)]),
    "asinh": (_prim("asinh"), jnp.arcsinh, [_cs(4)]),
    # JAX's acosh jvp, rsqrt(z^2 - 1), has the wrong sign for Re z < 0 (finite differences
    # disagree); JAX differentiating the principal-branch formula is right, as ours is.
    "acosh": (_prim("acosh"), lambda z: jnp.log(z + jnp.sqrt(z + 1) * jnp.sqrt(z - 1)),
              [_cs(6)]),
    "acosh_right_half_plane": (_prim("acosh"), jnp.arccosh,
                               [lambda r: np.abs(_r(r, 4)) + 1j * _r(r, 4)]),
    "atanh": (_prim("atanh"), jnp.arctanh, [_cs(4)]),
    "logistic": (_prim("logistic"), jlax.logistic, [_cs(4)]),
    "sqrt": (_prim("sqrt"), jnp.sqrt, [_cs(4)]),
    "rsqrt": (_prim("rsqrt"), jlax.rsqrt, [_cs(4)]),
    # lax.sign has a zero derivative even on complex numbers, where sign(z) = z / |z| is
    # smooth; ours is the derivative of z / |z| (finite differences agree).
    "sign": (_prim("sign"), lambda z: z / jnp.abs(z), [_cs(5)]),
    "integer_pow": (_prim("integer_pow", y=3), lambda z: jlax.integer_pow(z, 3), [_cs(4)]),
    "integer_pow_negative": (_prim("integer_pow", y=-2), lambda z: jlax.integer_pow(z, -2),
                             [_cs(4)]),
    "pow": (_prim("pow"), jlax.pow, [_cs(4), _cs(4)]),
    "max": (_prim("max"), jlax.max, [_cs(4), _cs(4)]),
    "min": (_prim("min"), jlax.min, [_cs(4), _cs(4)]),
    "select_n": (lambda a, b: bind(registry["select_n"], _PRED, a, b),
                 lambda a, b: jlax.select_n(_PRED, a, b), [_cs(2, 3), _cs(2, 3)]),
    "convert_element_type": (_prim("convert_element_type", new_dtype=np.dtype(np.float64)),
                             lambda z: jlax.convert_element_type(jnp.real(z), jnp.float64),
                             [_cs(3)]),
    "convert_element_type_to_complex": (
        _prim("convert_element_type", new_dtype=np.dtype(np.complex128)),
        lambda x: jlax.convert_element_type(x, jnp.complex128), [_rs(3)]),
    "reduce_sum": (_prim("reduce_sum", axes=(1,)), lambda z: jnp.sum(z, axis=1), [_cs(2, 3)]),
    "reduce_prod": (_prim("reduce_prod", axes=(1,)), lambda z: jnp.prod(z, axis=1),
                    [_cs(2, 3)]),
    "reduce_max": (_prim("reduce_max", axes=(1,)), lambda z: jnp.max(z, axis=1), [_cs(2, 3)]),
    "reduce_min": (_prim("reduce_min", axes=(0,)), lambda z: jnp.min(z, axis=0), [_cs(2, 3)]),
    "cumsum": (_prim("cumsum", axis=1, reverse=True),
               lambda z: jlax.cumsum(z, 1, reverse=True), [_cs(2, 3)]),
    "broadcast_in_dim": (_prim("broadcast_in_dim", shape=(2, 3), broadcast_dimensions=(1,)),
                         lambda z: jlax.broadcast_in_dim(z, (2, 3), (1,)), [_cs(3)]),
    "reshape": (_prim("reshape", new_sizes=(3, 2)), lambda z: jlax.reshape(z, (3, 2)),
                [_cs(2, 3)]),
    "transpose": (_prim("transpose", permutation=(1, 0)),
                  lambda z: jlax.transpose(z, (1, 0)), [_cs(2, 3)]),
    "squeeze": (_prim("squeeze", dimensions=(0,)), lambda z: jlax.squeeze(z, (0,)),
                [_cs(1, 3)]),
    "expand_dims": (_prim("expand_dims", dimensions=(0,)),
                    lambda z: jlax.expand_dims(z, (0,)), [_cs(3)]),
    "rev": (_prim("rev", dimensions=(1,)), lambda z: jlax.rev(z, (1,)), [_cs(2, 3)]),
    "concatenate": (_prim("concatenate", dimension=0),
                    lambda *zs: jlax.concatenate(zs, 0), [_cs(2, 3), _cs(1, 3)]),
    "pad": (_prim("pad", padding_config=_PAD), lambda z, v: jlax.pad(z, v, _PAD),
            [_cs(3), _cs()]),
    "slice": (_prim("slice", start_indices=(0, 1), limit_indices=(2, 3), strides=None),
              lambda z: jlax.slice(z, (0, 1), (2, 3)), [_cs(2, 3)]),
    "dot_general": (_prim("dot_general", dimension_numbers=_DN, preferred_element_type=None),
                    lambda a, b: jlax.dot_general(a, b, _DN), [_cs(2, 3), _cs(3, 4)]),
    "dot_general_batch": (
        _prim("dot_general", dimension_numbers=_DN_BATCH, preferred_element_type=None),
        lambda a, b: jlax.dot_general(a, b, _DN_BATCH), [_cs(2, 3, 4), _cs(2, 4, 2)]),
    "index_take": (lambda z: bind(registry["index_take"], z, _IDX, axis=0),
                   lambda z: jnp.take(z, _IDX, axis=0), [_cs(4, 3)]),
    "index_add": (lambda z, u: bind(registry["index_add"], z, _IDX, u, axis=1),
                  lambda z, u: z.at[:, _IDX].add(u), [_cs(2, 4), _cs(2, 3)]),
}

#: primitives linear in every argument (the dot-product test below runs on every case:
#: it holds for any Jacobian)
LINEAR = ("real", "imag", "conj", "conj_of_real", "complex")


def _like(rng, x):
    x = np.asarray(x)
    return _c(rng, *x.shape) if x.dtype.kind == "c" else _r(rng, *x.shape)


def _re_inner(a, b):
    return np.real(np.sum(np.asarray(a) * np.asarray(b)))


def _fd(f, args, tans, h=1e-6):
    return (np.asarray(f(*[a + h * t for a, t in zip(args, tans)]))
            - np.asarray(f(*[a - h * t for a, t in zip(args, tans)]))) / (2 * h)


def _directions(rng, args):
    """Per argument: a random complex (or real) tangent, then, for complex arguments, a
    purely real and a purely imaginary one with the other arguments' tangents zero."""
    out = [[_like(rng, a) for a in args]]
    for i, a in enumerate(args):
        if np.asarray(a).dtype.kind == "c":
            for unit in (1, 1j):
                tans = [np.zeros_like(b) for b in args]
                tans[i] = unit * _r(rng, *np.shape(a)) + 0j
                out.append(tans)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_jvp_vjp_vs_jax_and_fd(name):
    tg, jf, makers = CASES[name]
    rng = np.random.default_rng(len(name))
    args = [m(rng) for m in makers]
    for tans in _directions(rng, args):
        out, t_out = jvp(tg, tuple(args), tuple(tans))
        j_out, j_t = jax.jvp(jf, tuple(map(jnp.asarray, args)), tuple(map(jnp.asarray, tans)))
        np.testing.assert_allclose(out, np.asarray(j_out), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(t_out, np.asarray(j_t), rtol=1e-11, atol=1e-12)
        assert np.asarray(t_out).dtype == np.asarray(j_t).dtype
        np.testing.assert_allclose(t_out, _fd(tg, args, tans), rtol=1e-6, atol=1e-7)
    ct = _like(rng, out)
    ours = vjp(tg, *args)[1](ct)
    theirs = jax.vjp(jf, *map(jnp.asarray, args))[1](jnp.asarray(ct))
    for a, b in zip(ours, theirs):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
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
        np.testing.assert_allclose(_re_inner(ju, v), _re_inner(u, jtv), rtol=1e-11)


def test_stop_gradient_of_complex():
    z = _c(np.random.default_rng(0), 3)
    p = registry["stop_gradient"]
    _, t = jvp(lambda z: bind(p, z), (z,), (z,))
    np.testing.assert_array_equal(t, np.zeros(3, complex))
    assert vjp(lambda z: bind(p, z), z)[1](z)[0].dtype == np.complex128


def test_derivatives_at_zero_are_finite_like_jax():
    """|z| and z / |z| at z = 0: a zero derivative, as JAX's abs; no NaN."""
    z = np.array([0j, 1 + 1j])
    t = np.array([1 + 2j, 1j])
    for name in ("abs", "sign"):
        out, t_out = jvp(CASES[name][0], (z,), (t,))
        assert np.all(np.isfinite(t_out)) and t_out[0] == 0, name
    np.testing.assert_allclose(jvp(CASES["abs"][0], (z,), (t,))[1],
                               jax.jvp(jnp.abs, (z,), (t,))[1], rtol=1e-14)


# ---------------------------------------------------------------------------
# jvp, vjp, linearize of complex programs (several inputs and outputs)

def _program(xp):
    def f(z, x, w):
        e = xp.exp(1j * x) * z
        return {"e": e, "abs": xp.abs(w @ xp.conj(e)), "re": xp.real(xp.sum(z * w[0]))}
    return f


def _program_args(rng):
    return _c(rng, 3), _r(rng, 3), _c(rng, 2, 3)


def _tree_close(ours, theirs, rtol=1e-12):
    a, b = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert np.asarray(x).dtype == np.asarray(y).dtype
        np.testing.assert_allclose(x, np.asarray(y), rtol=rtol, atol=rtol)


def test_jvp_vjp_linearize_of_a_complex_program_match_jax():
    rng = np.random.default_rng(5)
    args = _program_args(rng)
    tans = tuple(_like(rng, a) for a in args)
    f, jf = _program(np), _program(jnp)
    _tree_close(jvp(f, args, tans), jax.jvp(jf, args, tans))
    out, f_jvp = linearize(f, *args)
    j_out, j_jvp = jax.linearize(jf, *args)
    _tree_close(out, j_out)
    _tree_close(f_jvp(*tans), j_jvp(*tans))
    ct = {k: _like(rng, v) for k, v in out.items()}
    _tree_close(vjp(f, *args)[1](ct), jax.vjp(jf, *args)[1](ct))


def test_vjp_of_a_complex_output_needs_a_complex_cotangent():
    z = _c(np.random.default_rng(0), 2)
    with pytest.raises(ValueError, match="dtype complex128"):
        vjp(np.exp, z)[1](np.ones(2))
    with pytest.raises(ValueError):  # JAX raises ValueError too
        jax.vjp(jnp.exp, z)[1](jnp.ones(2))
    # a real input's cotangent is real: Re(c * t) for real t only sees Re(c)
    ct = np.array([1 + 1j, 2j])
    ours = vjp(lambda x: np.exp(1j * x), np.ones(2))[1](ct)[0]
    theirs = jax.vjp(lambda x: jnp.exp(1j * x), jnp.ones(2))[1](ct)[0]
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=1e-14)


# ---------------------------------------------------------------------------
# JAX's dtype errors: same type, same message (JAX's "jax.vjp" is our "vjp")

Z = _c(np.random.default_rng(1), 3)
X = _r(np.random.default_rng(2), 3)


def _sumsq(xp):
    return lambda z: xp.sum(xp.abs(z) ** 2)


ERRORS = {
    "grad of a complex output": lambda g, xp: g.grad(lambda z: z ** 2)(1 + 2j),
    "value_and_grad of a complex output": lambda g, xp: g.value_and_grad(
        lambda z: xp.sum(z))(Z),
    "grad holomorphic, real input": lambda g, xp: g.grad(lambda x: x ** 2,
                                                         holomorphic=True)(1.0),
    "grad holomorphic, real output": lambda g, xp: g.grad(xp.abs, holomorphic=True)(1j),
    "grad holomorphic, integer input": lambda g, xp: g.grad(lambda x: x * 1j,
                                                            holomorphic=True)(1),
    "grad of an integer output": lambda g, xp: g.grad(lambda x: xp.sum(x > 0))(X),
    "jacfwd of a complex input": lambda g, xp: g.jacfwd(lambda z: z * 2)(Z),
    "jacfwd holomorphic, real input": lambda g, xp: g.jacfwd(xp.exp, holomorphic=True)(X),
    "jacfwd holomorphic, real output": lambda g, xp: g.jacfwd(xp.abs, holomorphic=True)(Z),
    "jacrev of a complex output": lambda g, xp: g.jacrev(xp.exp)(Z),
    "jacrev of a real input, complex output": lambda g, xp: g.jacrev(
        lambda x: xp.exp(1j * x))(X),
    "jacrev holomorphic, real input": lambda g, xp: g.jacrev(xp.sin, holomorphic=True)(X),
    "jacrev holomorphic, real output": lambda g, xp: g.jacrev(xp.abs, holomorphic=True)(Z),
    "hessian of a real function of a complex input": lambda g, xp: g.hessian(_sumsq(xp))(Z),
    "hessian holomorphic, real output": lambda g, xp: g.hessian(_sumsq(xp),
                                                                holomorphic=True)(Z),
    "hessian of a complex output": lambda g, xp: g.hessian(
        lambda x: xp.sum(xp.exp(1j * x)))(X),
}


class _Ours:
    grad, value_and_grad, jacfwd, jacrev, hessian = (grad, value_and_grad, jacfwd, jacrev,
                                                     hessian)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_dtype_errors_match_jax(case):
    with pytest.raises(Exception) as theirs:
        ERRORS[case](jax, jnp)
    with pytest.raises(Exception) as ours:
        ERRORS[case](_Ours, np)
    assert ours.type is theirs.type is TypeError
    assert str(ours.value) == str(theirs.value).replace("jax.", ""), (ours.value,
                                                                      theirs.value)
    assert "holomorphic" in str(ours.value) or "integer outputs" in str(ours.value)


def test_integer_inputs_still_raise():
    for f in (grad(lambda x: x * 1.0), jacfwd(lambda x: x * 1.0), jacrev(lambda x: x * 1.0)):
        with pytest.raises(TypeError, match="int64"):
            f(np.arange(3))


def test_allowed_mixed_jacobians_match_jax():
    """jacfwd of a real input to a complex output and jacrev of a complex input to a real
    output need no holomorphic=True (as in JAX)."""
    f = lambda xp: lambda x: xp.exp(1j * x) * xp.sum(x)  # noqa: E731
    _tree_close(jacfwd(f(np))(X), jax.jacfwd(f(jnp))(X))
    g = lambda xp: lambda z: xp.abs(z) ** 2 + xp.real(z[::-1])  # noqa: E731
    _tree_close(jacrev(g(np))(Z), jax.jacrev(g(jnp))(Z))
    h = lambda xp: lambda x, z: xp.real(z * xp.sin(x))  # noqa: E731
    _tree_close(jacrev(h(np), argnums=(0, 1))(X, Z), jax.jacrev(h(jnp), argnums=(0, 1))(X, Z))
