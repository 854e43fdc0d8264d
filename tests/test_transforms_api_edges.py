"""Edges of the JAX-style API checked against JAX itself: the exception type of each
misuse, integer inputs (``allow_int`` and vjp give ``float0`` zeros), and ``has_aux`` on
the Jacobians."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad import transforms as tg

jax.config.update("jax_enable_x64", True)

X = np.array([1.0, 2.0, 3.0])

# (name, call(lib, numpy-like module)) : each raises in JAX; we must raise the same type
MISUSES = {
    "grad of a vector output": lambda lib, xp: lib.grad(lambda a: a * 2)(X),
    "grad of an integer input": lambda lib, xp: lib.grad(lambda a: a * 2)(3),
    "grad argnums past the end": lambda lib, xp: lib.grad(lambda a, b: a * b, argnums=2)(1.0, 2.0),
    "grad negative argnums out of range": lambda lib, xp: lib.grad(
        lambda a: a, argnums=-3)(1.0),
    "value_and_grad argnums past the end": lambda lib, xp: lib.value_and_grad(
        lambda a: a, argnums=1)(1.0),
    "jacrev argnums past the end": lambda lib, xp: lib.jacrev(lambda a: a, argnums=2)(1.0),
    "has_aux without a pair": lambda lib, xp: lib.grad(lambda a: xp.sum(a ** 2),
                                                       has_aux=True)(X),
    "vjp cotangent of the wrong shape": lambda lib, xp: lib.vjp(lambda a: a * 2, X)[1](
        np.ones(2)),
    "jvp tangent of the wrong shape": lambda lib, xp: lib.jvp(lambda a: a * 2, (X,),
                                                              (np.ones(2),)),
    "jvp tangent of the wrong dtype": lambda lib, xp: lib.jvp(lambda a: a * 2, (X,),
                                                              (np.ones(3, np.float32),)),
    "grad of a function returning None": lambda lib, xp: lib.grad(lambda a: None)(X),
    "grad of a string argument": lambda lib, xp: lib.grad(lambda a: a)("s"),
    "jacfwd of a complex input": lambda lib, xp: lib.jacfwd(lambda z: z * 2)(1j),
    "holomorphic grad of a real input": lambda lib, xp: lib.grad(lambda z: z * 2,
                                                                 holomorphic=True)(1.0),
}


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is the observation
        return type(e)
    return None


@pytest.mark.parametrize("name", sorted(MISUSES))
def test_misuse_raises_the_exception_type_jax_raises(name):
    theirs = _raised(lambda: MISUSES[name](jax, jnp))
    ours = _raised(lambda: MISUSES[name](tg, np))
    assert theirs is not None, "JAX accepts this: the case is wrong"
    assert ours is not None, "tracegrad accepted a misuse JAX refuses"
    # JAX's own exception classes derive from the builtin ones (TypeError, ValueError)
    assert issubclass(theirs, ours) or ours is theirs, (ours, theirs)
    assert ours in (TypeError, ValueError) or issubclass(ours, (TypeError, ValueError))
    tg.grad(np.sin)(0.0)  # still usable


def _same_float0(ours, theirs):
    theirs = np.asarray(theirs)
    assert ours.dtype == jax.dtypes.float0 == theirs.dtype
    assert ours.shape == theirs.shape


def test_allow_int_gives_float0_zeros_as_jax():
    f = lambda a, i: np.sum(a * i)
    jf = lambda a, i: jnp.sum(a * i)
    i = np.array([3, 4, 5])
    ours = tg.grad(f, argnums=(0, 1), allow_int=True)(X, i)
    theirs = jax.grad(jf, argnums=(0, 1), allow_int=True)(X, i)
    np.testing.assert_allclose(ours[0], theirs[0])
    _same_float0(ours[1], theirs[1])
    v_ours = tg.value_and_grad(f, argnums=1, allow_int=True)(X, i)
    v_theirs = jax.value_and_grad(jf, argnums=1, allow_int=True)(X, i)
    np.testing.assert_allclose(v_ours[0], v_theirs[0])
    _same_float0(v_ours[1], v_theirs[1])
    with pytest.raises(TypeError):  # and without allow_int, both refuse
        tg.grad(f, argnums=1)(X, i)


def test_vjp_of_an_integer_primal_is_float0_as_jax():
    ours = tg.vjp(lambda a, n: a * n, X, 3)[1](np.ones(3))
    theirs = jax.vjp(lambda a, n: a * n, X, 3)[1](np.ones(3))
    np.testing.assert_allclose(ours[0], theirs[0])
    _same_float0(ours[1], theirs[1])


def test_jacrev_allow_int_blocks_as_jax():
    ours = tg.jacrev(lambda a, n: a * n, argnums=(0, 1), allow_int=True)(X, 3)
    theirs = jax.jacrev(lambda a, n: a * n, argnums=(0, 1), allow_int=True)(X, 3)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)
        assert o.shape == t.shape and o.dtype == np.asarray(t).dtype


@pytest.mark.parametrize("which", ["jacfwd", "jacrev"])
def test_jacobians_with_has_aux_match_jax(which):
    ours_fn = getattr(tg, which)(lambda a: (np.sin(a) * a, {"s": a.sum(), "c": np.cos(a)}),
                                 has_aux=True)
    theirs_fn = getattr(jax, which)(lambda a: (jnp.sin(a) * a,
                                               {"s": a.sum(), "c": jnp.cos(a)}), has_aux=True)
    (jo, ao), (jt, at) = ours_fn(X), theirs_fn(X)
    np.testing.assert_allclose(jo, jt, rtol=1e-12)
    np.testing.assert_allclose(ao["s"], at["s"])
    np.testing.assert_allclose(ao["c"], at["c"])


def test_hessian_by_jacfwd_of_jacrev_with_aux_matches_jax():
    ours = tg.jacfwd(tg.jacrev(lambda a: (np.sum(a ** 3), a), has_aux=True), has_aux=True)(X)
    theirs = jax.jacfwd(jax.jacrev(lambda a: (jnp.sum(a ** 3), a), has_aux=True),
                        has_aux=True)(X)
    np.testing.assert_allclose(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1])


def _custom_jvp_programs(lib, xp):
    from functools import partial

    @partial(lib.custom_jvp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    @app.defjvp
    def app_jvp(f, primals, tangents):
        (x,), (t,) = primals, tangents
        return app(f, x), 10.0 * t

    @lib.custom_jvp
    def k(x, n):
        return x * n

    k.defjvps(lambda t, ans, x, n: t * n, lambda t, ans, x, n: t * x * 100)

    @lib.custom_jvp
    def m(x, y):
        return xp.sin(x) * y

    m.defjvps(None, lambda t, ans, x, y: t * xp.cos(x))
    return [
        lib.grad(lambda x: app(xp.sin, x))(1.0),
        lib.jvp(lambda x: app(xp.sin, x) * x, (1.0,), (1.0,)),
        lib.grad(k, argnums=(0, 1))(2.0, 3.0),
        lib.hessian(lambda x: k(x, x) * x)(2.0),
        lib.grad(m, argnums=(0, 1))(0.5, 2.0),
        lib.jvp(m, (0.5, 2.0), (1.0, 1.0)),
    ]


def test_custom_jvp_nondiff_argnums_and_defjvps_match_jax():
    ours = jax.tree_util.tree_leaves(_custom_jvp_programs(tg, np))
    theirs = jax.tree_util.tree_leaves(_custom_jvp_programs(jax, jnp))
    assert len(ours) == len(theirs) == 10
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-12)
