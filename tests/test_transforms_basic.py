"""First checks of the transforms: grad, vjp, nesting, the backward plan."""

import numpy as np
import pytest
from tracegrad.tracer import make_ir
from tracegrad.transforms import backward_plan, grad, hessian, jvp, value_and_grad, vjp


def test_grad_scalar_and_argnums():
    assert grad(np.sin)(0.0) == 1.0
    gx, gy = grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 3.0)
    assert (gx, gy) == (3.0, 2.0)
    v, g = value_and_grad(lambda x: x ** 2)(3.0)
    assert (v, g) == (9.0, 6.0)


def test_no_perturbation_confusion():
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(2.0) == 4.0


def test_second_derivative_ir_is_minimal():
    f = lambda x: x * np.sin(x)
    closed = make_ir(grad(grad(f)))(1.0)
    assert len(closed.eqns) <= 6
    np.testing.assert_allclose(grad(grad(f))(1.0), 2 * np.cos(1.0) - np.sin(1.0))


def test_vjp_and_jvp():
    out, f_vjp = vjp(np.sin, 0.5)
    np.testing.assert_allclose(f_vjp(2.0)[0], 2 * np.cos(0.5))
    _, t = jvp(np.sin, (0.5,), (2.0,))
    np.testing.assert_allclose(t, 2 * np.cos(0.5))


def test_backward_plan_interface():
    closed = make_ir(lambda x, z: x ** 2)(2.0, 3.0)
    plan = backward_plan(closed.ir, (True, True), (True,))
    assert plan.zero == (False, True)
    assert plan.run([np.float64(2.0)], [np.float64(1.0)]) == [4.0, None]
    assert len(plan.closed.ir.out_vars) == 2


def test_hessian():
    h = hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(h, [[6, 0], [0, 12]])


def test_errors():
    with pytest.raises(TypeError, match="jacrev"):
        grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError, match="float"):
        grad(lambda x: x * 2)(3)
    with pytest.raises(TypeError, match="argnums"):  # JAX's type for a position too large
        grad(lambda x: x, argnums=2)(1.0)
    assert grad(np.sin)(0.0) == 1.0


def test_backward_program_does_not_repeat_the_forward():
    closed = make_ir(lambda x: np.sum(np.exp(x) * np.sin(x)))(np.ones(3))
    plan = backward_plan(closed.ir, (True,), (True,))
    names = [e.prim.name for e in plan.closed.eqns]
    assert "exp" not in names and "sin" not in names and "cos" in names


def test_threads_do_not_share_traces():
    import threading

    f = grad(lambda x: np.sum(np.tanh(x) * x))
    x = np.linspace(-1, 1, 5)
    want = f(x)
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(f(x))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in results:
        np.testing.assert_array_equal(r, want)


def test_ir_transforms_compose_by_hand():
    """jvp_ir / linearize_ir -> partial_eval -> transpose_ir, as public IR -> IR steps."""
    from tracegrad.tracer import eval_ir
    from tracegrad.transforms import jvp_ir, linearize_ir, partial_eval, transpose_ir

    closed = make_ir(lambda x, y: np.sin(x) * y)(0.5, 2.0)
    jclosed, nonzero = jvp_ir(closed, (True, False))
    assert nonzero == (True,)
    out, t = eval_ir(jclosed, 0.5, 2.0, 1.0)
    np.testing.assert_allclose([out, t], [np.sin(0.5) * 2, np.cos(0.5) * 2])

    lin = linearize_ir(closed.ir, (True, False), (True,))
    n = lin.n_canon
    known, linear, n_res = partial_eval(lin.closed, (True,) * n + (False,))
    assert [e.prim.name for e in known.eqns] == ["cos"]
    assert all(e.prim.name == "mul" for e in linear.eqns)
    bt, nz = transpose_ir(linear, (False,) * n_res + (True,))
    assert nz == (True,)
    canon = [0.5, 2.0, np.sin(0.5), np.sin(0.5) * 2]
    res = eval_ir(known, *canon)
    (g,) = eval_ir(bt, *res, 1.0)
    np.testing.assert_allclose(g, np.cos(0.5) * 2)
