"""Higher order, nesting, minimal IR, custom rules, numerics and errors (vs JAX)."""

import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.tracer import make_ir
from tracegrad.tracer.primitive import current_trace
from tracegrad.transforms import (
    backward_plan,
    cache_info,
    custom_jvp,
    custom_vjp,
    grad,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    stop_gradient,
    value_and_grad,
    vjp,
)

jax.config.update("jax_enable_x64", True)


# ---------------------------------------------------------------------------
# composition to any depth

@pytest.mark.parametrize("name", ["sin_exp", "tanh_sin", "exp_tanh"])
def test_fourth_order(name):
    fs = {"sin_exp": lambda xp, x: xp.sin(xp.exp(x)),
          "tanh_sin": lambda xp, x: xp.tanh(xp.sin(x) * 2.0),
          "exp_tanh": lambda xp, x: xp.exp(xp.tanh(x)) * x}
    f = fs[name]
    ours, theirs = (lambda x: f(np, x)), (lambda x: f(jnp, x))
    for _ in range(4):
        ours, theirs = grad(ours), jax.grad(theirs)
    np.testing.assert_allclose(ours(0.3), theirs(0.3), rtol=1e-10)


def test_no_perturbation_confusion():
    ours = grad(lambda x: x * grad(lambda y: x * y)(1.0))(2.0)
    theirs = jax.grad(lambda x: x * jax.grad(lambda y: x * y)(1.0))(2.0)
    assert ours == theirs == 4.0
    # a closure over the outer input inside a nested grad, two levels deep
    f = lambda x: grad(lambda y: grad(lambda z: x * y * z ** 2)(y))(x)
    jf = lambda x: jax.grad(lambda y: jax.grad(lambda z: x * y * z ** 2)(y))(x)
    np.testing.assert_allclose(grad(f)(1.5), jax.grad(jf)(1.5))


def test_jacobian_compositions():
    f = lambda xp, x: xp.sin(x) * xp.sum(x ** 2)
    x = np.array([0.3, -0.7, 1.1])
    want = jax.jacfwd(jax.jacrev(lambda x: f(jnp, x)))(x)
    np.testing.assert_allclose(jacfwd(jacrev(lambda x: f(np, x)))(x), want, rtol=1e-10)
    np.testing.assert_allclose(jacrev(jacrev(lambda x: f(np, x)))(x), want, rtol=1e-10)
    np.testing.assert_allclose(jacfwd(jacfwd(lambda x: f(np, x)))(x), want, rtol=1e-10)


def test_hessian_100_dims():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(100, 100)) / 10
    f = lambda xp, x: xp.sum(xp.sin(x) * x) + xp.sum(xp.tanh(a @ x) ** 2)
    x = rng.normal(size=100)
    h = hessian(lambda x: f(np, x))(x)
    assert h.shape == (100, 100)
    np.testing.assert_allclose(h, jax.hessian(lambda x: f(jnp, x))(x), rtol=1e-9, atol=1e-12)


def test_long_chain_is_iterative_and_linear():
    def chain(n):
        def f(x):
            for _ in range(n // 2):
                x = np.sin(x) + 0.1
            return x
        return f

    def expected(n, x):
        d = 1.0
        for _ in range(n // 2):
            d *= np.cos(x)
            x = np.sin(x) + 0.1
        return d

    g = grad(chain(100_000))(0.5)
    np.testing.assert_allclose(g, expected(100_000, 0.5), rtol=1e-9)
    times = []
    for n in (4_000, 16_000):
        t0 = time.perf_counter()
        np.testing.assert_allclose(grad(chain(n))(0.5), expected(n, 0.5), rtol=1e-9)
        times.append(time.perf_counter() - t0)
    assert times[1] < 8 * times[0] + 0.5, times  # 4x the length: about 4x the time


# ---------------------------------------------------------------------------
# minimal programs

def test_second_grad_ir_at_most_6_equations():
    f = lambda x: x * np.sin(x)
    ours = make_ir(grad(grad(f)))(1.0)
    theirs = jax.make_jaxpr(jax.grad(jax.grad(lambda x: x * jnp.sin(x))))(1.0)
    assert len(ours.eqns) <= 6 < len(theirs.eqns)
    assert "sin" in str(ours)


def test_hessian_ir_smaller_than_jax():
    ours = make_ir(hessian(lambda x: np.sum(np.sin(x) ** 2)))(np.ones(3))
    theirs = jax.make_jaxpr(jax.hessian(lambda x: jnp.sum(jnp.sin(x) ** 2)))(jnp.ones(3))
    assert len(ours.eqns) < len(theirs.eqns)


def test_grad_ir_has_no_dead_forward_code():
    closed = make_ir(grad(lambda x: np.sum(np.exp(x) * 2.0)))(np.ones(3))
    assert [e.prim.name for e in closed.eqns] == ["exp", "mul"]
    closed = make_ir(hessian(lambda x: np.sum(np.sin(x) ** 2)))(np.ones(3))
    assert len(closed.eqns) <= 30


# ---------------------------------------------------------------------------
# custom rules

def test_custom_vjp_grad_and_hessian_through_bwd():
    @custom_vjp
    def f(x):
        return np.sin(x)

    def f_fwd(x):
        return f(x), np.cos(x)

    def f_bwd(cos_x, g):
        return (cos_x * g,)

    f.defvjp(f_fwd, f_bwd)
    x = 0.4
    assert grad(f)(x) == np.cos(x)
    # jax issue 16049: JAX raises on hessian of a custom_vjp function; we differentiate bwd.
    np.testing.assert_allclose(hessian(f)(x), -np.sin(x))

    @jax.custom_vjp
    def jf(x):
        return jnp.sin(x)

    jf.defvjp(lambda x: (jf(x), jnp.cos(x)), lambda c, g: (c * g,))
    with pytest.raises(TypeError, match="forward-mode"):
        jax.hessian(jf)(x)
    np.testing.assert_allclose(grad(grad(f))(x), -np.sin(x))
    np.testing.assert_allclose(jvp(f, (x,), (2.0,))[1], 2 * np.cos(x))

    @custom_vjp
    def clip_grad(x):
        return x

    clip_grad.defvjp(lambda x: (x, None), lambda _, g: (np.clip(g, -1.0, 1.0),))
    assert grad(lambda x: clip_grad(x) * 5.0)(1.0) == 1.0


def test_custom_vjp_bad_bwd_is_a_clear_error_then_recovers():
    @custom_vjp
    def f(x, y):
        return x * y

    f.defvjp(lambda x, y: (f(x, y), (x, y)), lambda r, g: (g * r[1],))
    with pytest.raises(TypeError, match="one cotangent per argument"):
        grad(f)(1.0, 2.0)
    assert current_trace.get() is None
    f.defvjp(lambda x, y: (f(x, y), (x, y)), lambda r, g: (g * r[1], g * r[0]))
    assert grad(f, argnums=(0, 1))(1.0, 2.0) == (2.0, 1.0)


def test_custom_vjp_nondiff_argnums():
    import functools

    @functools.partial(custom_vjp, nondiff_argnums=(0,))
    def apply(f, x):
        return f(x)

    apply.defvjp(lambda f, x: (f(x), x), lambda f, x, g: (g * 10.0,))
    assert grad(lambda x: apply(np.sin, x) * 2.0)(0.3) == 20.0


def test_custom_jvp():
    @custom_jvp
    def softplus(x):
        return np.log1p(np.exp(x))

    @softplus.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return softplus(x), t / (1.0 + np.exp(-x))

    np.testing.assert_allclose(grad(softplus)(0.0), 0.5)
    np.testing.assert_allclose(grad(grad(softplus))(0.0), 0.25)


# ---------------------------------------------------------------------------
# numerics like JAX

@pytest.mark.parametrize("x", [30.0, -30.0, 700.0, -700.0])
def test_stable_rules_at_extremes(x):
    import tracegrad.tracer.ops as ops
    pairs = [(ops.logistic, jax.nn.sigmoid), (np.tanh, jnp.tanh), (np.log1p, jnp.log1p)]
    for ours, theirs in pairs:
        if ours is np.log1p and x < 0:
            continue
        np.testing.assert_allclose(grad(ours)(x), jax.grad(theirs)(x), rtol=1e-12, atol=0)


def test_nonsmooth_points_like_jax():
    cases = [(np.sqrt, jnp.sqrt, 0.0), (np.abs, jnp.abs, 0.0),
             (lambda x: np.maximum(x, 1.0), lambda x: jnp.maximum(x, 1.0), 1.0),
             (lambda x: np.minimum(x, 1.0), lambda x: jnp.minimum(x, 1.0), 1.0),
             (lambda x: np.where(x > 0, np.sqrt(x), 0.0),
              lambda x: jnp.where(x > 0, jnp.sqrt(x), 0.0), 0.0)]
    with np.errstate(all="ignore"):
        for ours, theirs, x in cases:
            np.testing.assert_equal(grad(ours)(x), np.asarray(jax.grad(theirs)(x)))
        x = np.array([3.0, 2.0, 3.0])
        np.testing.assert_equal(grad(np.max)(x), jax.grad(jnp.max)(x))
        for x in ([0.0, 2.0, 3.0], [0.0, 0.0, 3.0], [2.0, 0.0, 5.0, 0.0]):
            x = np.array(x)
            np.testing.assert_equal(grad(np.prod)(x), jax.grad(jnp.prod)(x))
            np.testing.assert_equal(hessian(np.prod)(x), jax.hessian(jnp.prod)(x))


def test_stop_gradient():
    assert grad(lambda x: x * stop_gradient(x))(3.0) == 3.0
    assert grad(lambda x: np.sum(stop_gradient(x) ** 2))(np.ones(2)).tolist() == [0, 0]


# ---------------------------------------------------------------------------
# errors, and the library still works afterwards

def _still_works():
    assert current_trace.get() is None
    assert grad(np.sin)(0.0) == 1.0


def test_errors_and_recovery():
    with pytest.raises(TypeError, match="jacrev.*vjp|vjp.*jacrev"):
        grad(lambda x: x * 2)(np.ones(3))
    _still_works()
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    _still_works()
    with pytest.raises(ValueError, match="argnums"):
        grad(lambda x, y: x * y, argnums=(0, -3))(1.0, 2.0)
    _still_works()
    with pytest.raises(TypeError, match="float"):
        grad(lambda x: x * 2)(3)
    _still_works()
    with pytest.raises(TypeError, match="float"):
        value_and_grad(lambda x: np.sum(x))(np.arange(3))
    _still_works()
    _, f_vjp = vjp(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(3,\).*got shape \(2,\)"):
        f_vjp(np.ones(2))
    with pytest.raises(ValueError, match="float64.*float32"):
        f_vjp(np.ones(3, np.float32))
    np.testing.assert_allclose(f_vjp(np.ones(3))[0], 2 * np.ones(3))
    with pytest.raises(ValueError, match="tangent"):
        jvp(np.sin, (np.ones(3),), (np.ones(2),))
    with pytest.raises(RuntimeError, match="boom"):
        grad(lambda x: (_ for _ in ()).throw(RuntimeError("boom")))(1.0)
    _still_works()


# ---------------------------------------------------------------------------
# the seeds' examples, functional form, against real PyTorch

def test_seed000_autograd_grad_cases_match_torch():
    torch = pytest.importorskip("torch")
    t = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
    # scalar
    x = t(2.0)
    want = torch.autograd.grad(x ** 2, x)[0].item()
    assert grad(lambda x: x ** 2)(2.0) == want
    # non-scalar with weights: vjp
    x = t([1.0, 2.0, 3.0])
    w = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64)
    want = torch.autograd.grad(x ** 2, x, grad_outputs=w)[0].numpy()
    _, f_vjp = vjp(lambda x: x ** 2, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(f_vjp(np.ones(3))[0], want)
    # second order
    x = t(2.0)
    (g1,) = torch.autograd.grad(x ** 3, x, create_graph=True)
    (g2,) = torch.autograd.grad(g1, x)
    assert grad(lambda x: x ** 3)(2.0) == g1.item()
    assert grad(grad(lambda x: x ** 3))(2.0) == g2.item()
    # several inputs and outputs
    x, z = t(2.0), t(3.0)
    want = torch.autograd.grad([x ** 2 + z ** 3, x * z], [x, z],
                               grad_outputs=[torch.tensor(1.0, dtype=torch.float64)] * 2)
    _, f_vjp = vjp(lambda x, z: (x ** 2 + z ** 3, x * z), 2.0, 3.0)
    assert f_vjp((1.0, 1.0)) == tuple(w.item() for w in want)
    # an unused input: zero gradient, and a structurally-zero entry in the plan
    x, z = t(2.0), t(3.0)
    want = torch.autograd.grad(x ** 2, [x, z], allow_unused=True)
    assert want[1] is None
    assert grad(lambda x, z: x ** 2, argnums=(0, 1))(2.0, 3.0) == (want[0].item(), 0.0)
    plan = backward_plan(make_ir(lambda x, z: x ** 2)(2.0, 3.0).ir, (True, True), (True,))
    assert plan.zero == (False, True)
    # the same vjp evaluated twice (retain_graph) gives the same numbers
    _, f_vjp = vjp(lambda x: x ** 3, 2.0)
    assert f_vjp(1.0) == f_vjp(1.0) == (12.0,)


def test_seed001_d2l_examples():
    x = np.arange(4.0)
    np.testing.assert_array_equal(grad(lambda x: 2 * np.dot(x, x))(x), 4 * x)
    np.testing.assert_array_equal(grad(np.sum)(x), np.ones(4))
    np.testing.assert_array_equal(grad(lambda x: np.sum(x * x))(x), 2 * x)

    def detached(x):
        u = stop_gradient(x * x)
        return np.sum(u * x)

    np.testing.assert_array_equal(grad(detached)(x), x * x)

    def f(a):
        b = a * 2
        while np.linalg.norm(b) < 1000:
            b = b * 2
        if np.sum(b) > 0:
            c = b
        else:
            c = 100 * b
        return c

    for a in (0.37, -1.3, 5e-3):
        d = f(a)
        assert grad(f)(a) == d / a


def test_cache_reports_hits():
    f = lambda x: np.sum(np.tanh(x) * 3.0)
    grad(f)(np.ones(5))
    before = cache_info()["hits"]
    for _ in range(5):
        grad(f)(np.ones(5) * 0.5)
    assert cache_info()["hits"] >= before + 5
