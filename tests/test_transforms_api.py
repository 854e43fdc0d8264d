"""The user API against JAX (x64) on plain-NumPy functions: grad, value_and_grad, vjp,
jvp, jacfwd, jacrev, hessian, with pytrees, argnums tuples and has_aux.

Each function is written once against an array module ``xp`` (NumPy for tracegrad,
jax.numpy for JAX), so JAX is an independent implementation of the same program.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.transforms import (
    grad,
    hessian,
    hvp,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    value_and_grad,
    vjp,
)

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(42)


def r(*shape):
    return RNG.normal(size=shape)


def _mlp(xp, params, x, y):
    h = xp.tanh(x @ params["w1"] + params["b1"])
    out = h @ params["w2"] + params["b2"]
    return xp.mean((out - y) ** 2)


def _log_softmax(xp, z):
    m = xp.max(z, axis=-1, keepdims=True)
    s = z - m
    return s - xp.log(xp.sum(xp.exp(s), axis=-1, keepdims=True))


def _xent(xp, logits, labels):
    return -xp.sum(labels * _log_softmax(xp, logits)) / logits.shape[0]


def _logsumexp(xp, x):
    m = xp.max(x)
    return m + xp.log(xp.sum(xp.exp(x - m)))


def _layer_norm(xp, x, g, b):
    mu = xp.mean(x, axis=-1, keepdims=True)
    var = xp.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return xp.sum(((x - mu) / xp.sqrt(var + 1e-5)) * g + b)


def _attention(xp, q, k, v):
    s = q @ k.T / 2.0
    p = xp.exp(_log_softmax(xp, s))
    return xp.sum((p @ v) ** 2)


MLP_PARAMS = {"w1": r(3, 4), "b1": r(4), "w2": r(4, 2), "b2": r(2)}

# (name, f(xp, *args), args, argnums)
FUNCS = [
    ("mlp_loss", _mlp, (MLP_PARAMS, r(5, 3), r(5, 2)), 0),
    ("xent", _xent, (r(4, 5), np.eye(5)[[0, 2, 4, 1]]), 0),
    ("logsumexp", _logsumexp, (r(6),), 0),
    ("l2_norm", lambda xp, x: xp.sqrt(xp.sum(x ** 2)), (r(5),), 0),
    ("l1_norm", lambda xp, x: xp.sum(xp.abs(x)), (r(2, 3),), 0),
    ("linalg_norm", lambda xp, x: xp.linalg.norm(x), (r(4),), 0),
    ("einsum", lambda xp, a, b: xp.einsum("ij,jk->", a, b), (r(2, 3), r(3, 4)), (0, 1)),
    ("einsum_batch", lambda xp, a, b: xp.sum(xp.einsum("bij,bjk->bik", a, b) ** 2),
     (r(2, 2, 3), r(2, 3, 2)), (0, 1)),
    ("slicing", lambda xp, x: xp.sum(x[1:3, ::2] ** 2) + xp.sum(x[:, 1] * 3), (r(4, 3),), 0),
    ("int_indexing", lambda xp, x: xp.sum(xp.sin(x[xp.array([0, 2, 2])])), (r(4, 2),), 0),
    ("concat", lambda xp, x, y: xp.sum(xp.concatenate([x, y * 2], axis=0) ** 3),
     (r(2, 3), r(1, 3)), (0, 1)),
    ("stack", lambda xp, x, y: xp.sum(xp.stack([x, xp.cos(y)], axis=1) ** 2),
     (r(3), r(3)), (0, 1)),
    ("sum_axis", lambda xp, x: xp.sum(xp.sum(x, axis=0) ** 2), (r(3, 4),), 0),
    ("mean_axis", lambda xp, x: xp.sum(xp.mean(x, axis=(0, 2)) ** 2), (r(2, 3, 4),), 0),
    ("var_std", lambda xp, x: xp.std(x) + xp.sum(xp.var(x, axis=1)), (r(3, 4),), 0),
    ("max_axis", lambda xp, x: xp.sum(xp.max(x, axis=1) ** 2), (r(3, 5),), 0),
    ("prod", lambda xp, x: xp.prod(x), (r(4),), 0),
    ("where", lambda xp, x: xp.sum(xp.where(x > 0, x ** 2, xp.sin(x))), (r(6),), 0),
    ("relu_clip", lambda xp, x: xp.sum(xp.maximum(x, 0.0) + xp.clip(x, -0.5, 0.5)),
     (r(6),), 0),
    ("softplus", lambda xp, x: xp.sum(xp.log1p(xp.exp(x))), (r(5),), 0),
    ("logistic_loss", lambda xp, w, x: xp.sum(xp.log(1 + xp.exp(-(x @ w)))),
     (r(3), r(4, 3)), 0),
    ("cumsum", lambda xp, x: xp.sum(xp.cumsum(x) ** 2), (r(5),), 0),
    ("transpose_reshape", lambda xp, x: xp.sum(xp.reshape(x.T, (2, 6)) @ xp.ones(6) ** 2),
     (r(3, 4),), 0),
    ("quadratic_form", lambda xp, x, a: x @ a @ x, (r(3), r(3, 3)), (0, 1)),
    ("outer", lambda xp, x, y: xp.sum(xp.sin(xp.outer(x, y))), (r(3), r(2)), (0, 1)),
    ("power_float", lambda xp, x: xp.sum(xp.abs(x) ** 1.5), (r(4),), 0),
    ("arctan2", lambda xp, x, y: xp.sum(xp.arctan2(x, y)), (r(3), r(3)), (0, 1)),
    ("division", lambda xp, x, y: xp.sum(x / (1.5 + y ** 2)), (r(2, 3), r(3)), (0, 1)),
    ("layer_norm", _layer_norm, (r(2, 4), r(4), r(4)), (0, 1, 2)),
    ("attention", _attention, (r(3, 2), r(4, 2), r(4, 3)), (0, 1, 2)),
    ("trig_chain", lambda xp, x: xp.sum(xp.sin(xp.cos(xp.tan(x * 0.3)))), (r(4),), 0),
    ("cosine_sim", lambda xp, x, y: x @ y / (xp.linalg.norm(x) * xp.linalg.norm(y)),
     (r(4), r(4)), (0, 1)),
    ("bias_broadcast", lambda xp, x, b: xp.sum(xp.tanh(x + b) * x), (r(3, 4), r(4)), (0, 1)),
    ("tuple_list_pytree",
     lambda xp, p: xp.sum(p[0] * p[1][0]) + xp.sum(xp.exp(p[1][1])),
     ((r(3), [r(3), r(2)]),), 0),
]


def _jax_args(args):
    return jax.tree_util.tree_map(jnp.asarray, args)


def _close(a, b, rtol=1e-8, atol=1e-10):
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    assert ta == tb, (ta, tb)
    for x, y in zip(la, lb):
        assert isinstance(x, np.ndarray), type(x)
        np.testing.assert_allclose(x, np.asarray(y), rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", FUNCS, ids=[c[0] for c in FUNCS])
def test_grad_family_vs_jax(case):
    name, f, args, argnums = case
    ours = lambda *a: f(np, *a)
    theirs = lambda *a: f(jnp, *a)
    jargs = _jax_args(args)
    _close(grad(ours, argnums)(*args), jax.grad(theirs, argnums)(*jargs))
    v, g = value_and_grad(ours, argnums)(*args)
    jv, jg = jax.value_and_grad(theirs, argnums)(*jargs)
    _close((v, g), (jv, jg))
    # vjp with a non-unit cotangent, all arguments
    out, f_vjp = vjp(ours, *args)
    jout, j_vjp = jax.vjp(theirs, *jargs)
    _close(f_vjp(np.asarray(1.7)), j_vjp(jnp.asarray(1.7)))
    # jvp with random tangents
    tans = jax.tree_util.tree_map(lambda a: RNG.normal(size=np.shape(a)), args)
    _close(jvp(ours, args, tans), jax.jvp(theirs, jargs, _jax_args(tans)))
    out, f_jvp = linearize(ours, *args)
    _close(f_jvp(*tans), jax.jvp(theirs, jargs, _jax_args(tans))[1])


JAC_CASES = FUNCS[:14]


@pytest.mark.parametrize("case", JAC_CASES, ids=[c[0] for c in JAC_CASES])
def test_jacobians_and_hessian_vs_jax(case):
    # JAX's references are jitted: un-jitted jax.hessian takes seconds per function.
    name, f, args, argnums = case
    ours = lambda *a: f(np, *a)
    theirs = lambda *a: f(jnp, *a)
    jargs = _jax_args(args)
    want = jax.jit(jax.jacrev(theirs, argnums))(*jargs)
    _close(jacrev(ours, argnums)(*args), want)
    _close(jacfwd(ours, argnums)(*args), want)
    _close(hessian(ours, argnums)(*args), jax.jit(jax.hessian(theirs, argnums))(*jargs),
           rtol=1e-7, atol=1e-9)


def test_vector_output_jacobians_pytree_out():
    def f(xp, x, y):
        return {"a": xp.sin(x) * y[0], "b": (xp.cumsum(x) ** 2, y)}
    args = (r(3), r(2))
    jargs = _jax_args(args)
    for ours_t, theirs_t in ((jacrev, jax.jacrev), (jacfwd, jax.jacfwd)):
        _close(ours_t(lambda *a: f(np, *a), (0, 1))(*args),
               theirs_t(lambda *a: f(jnp, *a), (0, 1))(*jargs))
    out, f_vjp = vjp(lambda *a: f(np, *a), *args)
    ct = jax.tree_util.tree_map(lambda o: np.ones_like(o) * 0.5, out)
    jout, j_vjp = jax.vjp(lambda *a: f(jnp, *a), *jargs)
    _close(f_vjp(ct), j_vjp(_jax_args(ct)))


def test_has_aux():
    def f(xp, x):
        y = xp.sin(x)
        return xp.sum(y ** 2), {"y": y, "n": 3}
    x = r(3)
    g, aux = grad(lambda x: f(np, x), has_aux=True)(x)
    jg, jaux = jax.grad(lambda x: f(jnp, x), has_aux=True)(jnp.asarray(x))
    _close(g, jg)
    np.testing.assert_allclose(aux["y"], jaux["y"])
    (v, aux), g = value_and_grad(lambda x: f(np, x), has_aux=True)(x)
    np.testing.assert_allclose(v, np.sum(np.sin(x) ** 2))
    out, f_vjp, aux = vjp(lambda x: f(np, x), x, has_aux=True)
    np.testing.assert_allclose(f_vjp(2.0)[0], 2 * np.asarray(jg))
    jac, aux = jacrev(lambda x: (np.sin(x), x[0]), has_aux=True)(x)
    np.testing.assert_allclose(jac, np.diag(np.cos(x)))


def test_result_types():
    g = grad(lambda x: x * x)(3.0)
    assert isinstance(g, np.ndarray) and g.shape == () and g.dtype == np.float64
    g32 = grad(lambda x: np.sum(np.sin(x)))(np.ones(3, np.float32))
    assert g32.dtype == np.float32
    g32s = grad(lambda x: x * 2)(np.float32(1.0))
    assert g32s.dtype == np.float32 and g32s.shape == ()
    gt = grad(lambda p: p[0] * p[1][0])((2.0, [3.0]))
    assert isinstance(gt, tuple) and isinstance(gt[1], list)
    gl = grad(lambda p: p[0] * p[1])([2.0, 3.0])
    assert isinstance(gl, list) and gl == [3.0, 2.0]


def test_argnums_tuple_with_unused_input():
    g = grad(lambda x, y, z: x * y, argnums=(0, 2))(2.0, 3.0, 4.0)
    assert g == (3.0, 0.0)


def test_hvp_matches_hessian():
    f = lambda x: np.sum(np.sin(x) * x ** 2)
    x, v = r(4), r(4)
    np.testing.assert_allclose(hvp(f, (x,), (v,)), hessian(f)(x) @ v, rtol=1e-10)


def test_jvp_of_grad_and_jacfwd_of_jacrev():
    f = lambda xp, x: xp.sum(xp.tanh(x) ** 3)
    x, v = r(3), r(3)
    ours = jvp(grad(lambda x: f(np, x)), (x,), (v,))
    theirs = jax.jvp(jax.grad(lambda x: f(jnp, x)), (jnp.asarray(x),), (jnp.asarray(v),))
    _close(ours, theirs)
    _close(jacrev(jacrev(lambda x: f(np, x)))(x), jax.hessian(lambda x: f(jnp, x))(x))


def test_keyword_arguments_are_not_differentiated():
    f = lambda x, scale=1.0: np.sum(x ** 3) * scale
    assert grad(f)(2.0, scale=3.0) == 36.0
    np.testing.assert_allclose(hessian(f)(np.ones(2), scale=2.0), 12 * np.eye(2))
