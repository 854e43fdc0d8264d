"""np.pad on traced arrays against NumPy (values) and jax.numpy.pad (gradients)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.tracer import eval_ir, make_ir
from tracegrad.transforms import grad

jax.config.update("jax_enable_x64", True)

X = np.arange(12.0).reshape(3, 4) - 5.5
CASES = [
    (2, {}), ((1, 2), {}), (((0, 1), (2, 3)), {}), (1, {"constant_values": -7.5}),
    (((1, 2), (3, 1)), {"constant_values": ((1.0, 2.0), (3.0, 4.0))}),
    (((1, 1), (0, 2)), {"mode": "edge"}), (2, {"mode": "reflect"}),
    (((2, 5), (1, 7)), {"mode": "reflect"}), (((4, 1), (2, 2)), {"mode": "symmetric"}),
    (((3, 7), (5, 1)), {"mode": "wrap"}), (0, {"mode": "edge"}),
]


@pytest.mark.parametrize("width,kw", CASES, ids=[str(i) for i in range(len(CASES))])
def test_pad_matches_numpy_and_jax_gradient(width, kw):
    f = lambda x: np.pad(x, width, **kw)
    out = eval_ir(make_ir(f)(X), X)[0]
    np.testing.assert_array_equal(out, np.pad(X, width, **kw))
    w = np.random.default_rng(0).normal(size=out.shape)
    ours = grad(lambda x: np.sum(np.pad(x, width, **kw) * w))(X)
    theirs = jax.grad(lambda x: jnp.sum(jnp.pad(x, width, **kw) * w))(X)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_pad_with_traced_constant_value_is_differentiable():
    # (NumPy dispatches np.pad on its first argument only, so the array is traced too)
    g = grad(lambda c, x: np.sum(np.pad(x, 1, constant_values=c)))(2.0, X)
    assert g == np.pad(X, 1).size - X.size


def test_pad_errors_name_the_problem():
    with pytest.raises(ValueError, match="negative"):
        make_ir(lambda x: np.pad(x, -1))(X)
    with pytest.raises(ValueError, match="broadcast"):
        make_ir(lambda x: np.pad(x, ((1, 2, 3),)))(X)
    with pytest.raises(NotImplementedError, match="mode='median'.*supported modes"):
        make_ir(lambda x: np.pad(x, 1, mode="median"))(X)
    with pytest.raises(NotImplementedError, match="reflect_type"):
        make_ir(lambda x: np.pad(x, 1, mode="reflect", reflect_type="odd"))(X)
