"""IR passes: dce, cse, simplify, inline, optimize; a 100,000-equation chain."""

import sys

import numpy as np
import pytest
from tracegrad.tracer import IR, ClosedIR, Eqn, Literal, Params, Var, eval_ir, make_ir
from tracegrad.tracer.passes import cse, dce, inline, optimize, simplify


def _names(ir):
    body = ir.ir if isinstance(ir, ClosedIR) else ir
    return [e.prim.name for e in body.eqns]


def _snapshot(closed):
    return str(closed), list(closed.eqns), [tuple(e.inputs) for e in closed.eqns]


def _same_values(a, b, *args):
    for x, y in zip(eval_ir(a, *args), eval_ir(b, *args)):
        np.testing.assert_allclose(x, y, rtol=1e-12)


def test_dce_drops_dead_equations_and_keeps_signature():
    def f(x, y):
        np.cos(x)  # dead
        z = np.sin(x) * y
        np.exp(z)  # dead
        return z

    closed = make_ir(f)(1.0, 2.0)
    before = _snapshot(closed)
    out = dce(closed)
    assert _names(out) == ["sin", "mul"]
    assert out.ir.in_vars == closed.ir.in_vars and out.ir.out_vars == closed.ir.out_vars
    assert _snapshot(closed) == before  # the input is not mutated
    _same_values(closed, out, 0.3, 1.5)
    assert isinstance(dce(closed.ir), IR)


def test_cse_merges_repeats_with_literals_and_params():
    def f(x):
        a = np.sin(x) + np.sin(x)
        b = x * 2.0 + x * 2.0 + x * -0.0 + x * 0.0  # -0.0 and 0.0 are different literals
        c = np.sum(x, axis=0) + np.sum(x, axis=0)
        d = np.sum(x, axis=1)
        return a, b, c, d

    closed = make_ir(f)(np.ones((2, 2)))
    before = _snapshot(closed)
    out = cse(closed)
    assert _names(out).count("sin") == 1
    assert _names(out).count("reduce_sum") == 2  # axis 0 once, axis 1 once
    muls = [e for e in out.eqns if e.prim.name == "mul"]
    assert len(muls) == 3
    assert _snapshot(closed) == before
    _same_values(closed, out, np.arange(4.0).reshape(2, 2))


def test_simplify_identities():
    def f(x):
        y = (x * 1.0 + 0.0 - 0.0) / 1.0
        y = np.negative(-y)
        y = y ** 1
        y = y.astype(np.float64).reshape(y.shape)
        z = x * 0.0  # zeros of x's shape
        return y, z, np.transpose(x, (0, 1))

    closed = make_ir(f)(np.ones((2, 3)))
    out = simplify(closed)
    body = out.ir
    assert body.out_vars[0] is closed.ir.in_vars[0]
    assert _names(dce(out)) == ["broadcast_in_dim"]
    zeros = [e for e in body.eqns if e.prim.name == "broadcast_in_dim"][0]
    assert zeros.outputs[0].aval.shape == (2, 3) and zeros.inputs[0].val == 0.0
    assert body.out_vars[2] is closed.ir.in_vars[0]
    assert zeros.outputs[0] is closed.ir.out_vars[1]  # output identity kept
    _same_values(closed, out, np.arange(6.0).reshape(2, 3))


def test_simplify_folds_literals_and_broadcasts():
    def f(x):
        ones = np.ones_like(x)  # broadcast_in_dim of a literal
        w = np.sin(np.float64(0.5) * np.ones_like(x))  # folds through the broadcast
        return x * ones + np.zeros_like(x), w

    closed = make_ir(f)(np.ones(3))
    out = optimize(closed)
    assert _names(out) == ["broadcast_in_dim"]
    assert out.ir.out_vars[0] is closed.ir.in_vars[0]
    lit = out.eqns[0].inputs[0]
    assert isinstance(lit, Literal) and lit.val == np.sin(0.5)
    _same_values(closed, out, np.arange(3.0))


def test_simplify_constant_folds_scalar_literal_equations():
    x = Var(Literal(1.0).aval)
    a, b = Var(x.aval), Var(x.aval)
    from tracegrad.tracer.prims_elementwise import add_p, mul_p, sin_p
    ir = IR((), (x,), [Eqn(sin_p, (Literal(0.5),), (a,), Params()),
                       Eqn(mul_p, (a, Literal(2.0)), (b,), Params()),
                       Eqn(add_p, (x, b), (Var(x.aval),), Params())], ())
    ir = IR((), (x,), ir.eqns, (ir.eqns[2].outputs[0],))
    out = simplify(ir)
    assert _names(out) == ["add"]
    assert out.eqns[0].inputs[1].val == pytest.approx(np.sin(0.5) * 2)
    assert out.out_vars == ir.out_vars


def test_simplify_keeps_integer_and_shape_changing_cases_correct():
    def f(x, i):
        return x * np.zeros(3)[0] + 0.0, i * 1, (i + 0) * 0, x[None] * 1.0

    args = (np.ones((2, 3)), np.arange(3))
    closed = make_ir(f)(*args)
    out = optimize(closed)
    for g, w in zip(eval_ir(out, *args), eval_ir(closed, *args)):
        assert np.shape(g) == np.shape(w) and np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(g, w)


class _Call:
    """A stand-in call primitive (not registered) whose params hold a ClosedIR."""

    name = "test_call"
    multiple_results = True


def _call(callee, inputs):
    outs = tuple(Var(a) for a in callee.out_avals)
    return Eqn(_Call(), tuple(inputs), outs, Params(call=callee))


def test_inline_replaces_nested_calls_with_fresh_variables():
    w = np.array([1.0, 2.0])
    inner = make_ir(lambda x, y: (np.sin(x) * y + w, x))(np.ones(2), 2.0)
    x = Var(inner.in_avals[0])
    e1 = _call(inner, (x, Literal(3.0)))
    e2 = _call(inner, (e1.outputs[0], Literal(4.0)))
    # a call whose body itself calls `inner`: inlining must go two levels deep
    mid_in = [Var(a) for a in inner.in_avals]
    mid_call = _call(inner, mid_in)
    mid = ClosedIR(IR((), mid_in, [mid_call], mid_call.outputs), [])
    e3 = _call(mid, (e2.outputs[0], Literal(5.0)))
    top = ClosedIR(IR((), (x,), [e1, e2, e3], (e3.outputs[0], e1.outputs[1])), [])
    flat = inline(top)
    assert _names(flat) == ["sin", "mul", "add"] * 3
    assert len(flat.consts) == 3 and len(flat.ir.const_vars) == 3
    outs = [v for e in flat.eqns for v in e.outputs]
    assert len(set(map(id, outs))) == len(outs)  # fresh variables per copy
    x0 = np.array([0.3, 0.6])
    r1 = np.sin(x0) * 3 + w
    r2 = np.sin(r1) * 4 + w
    r3 = np.sin(r2) * 5 + w
    got = eval_ir(flat, x0)
    np.testing.assert_allclose(got[0], r3)
    np.testing.assert_allclose(got[1], x0)
    assert len(top.eqns) == 3  # not mutated


def test_optimize_reaches_a_fixed_point():
    def f(x):
        a = np.sin(x) * 1.0
        b = np.sin(x) + 0.0
        np.cos(a)  # dead
        return (a - b) * 1.0 + a

    closed = make_ir(f)(np.ones(3))
    out = optimize(closed)
    assert _names(out) == ["sin", "sub", "add"]
    assert _names(optimize(out)) == _names(out)
    _same_values(closed, out, np.arange(3.0))


def test_100k_equation_chain_without_recursion_error():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # any recursion over the graph would fail loudly
    try:
        def chain(x):
            for _ in range(25_000):
                np.cos(x)  # dead
                x = np.sin(x) * 0.999 + np.sin(x)  # repeated sin for cse
            return x

        closed = make_ir(chain)(np.float64(0.1))
        assert len(closed.eqns) == 125_000
        text = str(closed)
        assert text.count("\n") == 125_001
        small = cse(dce(closed))
        assert len(small.eqns) == 75_000
        simplified = simplify(small)
        assert len(simplified.eqns) == 75_000
        out = eval_ir(small, np.float64(0.1))[0]
        assert out == pytest.approx(closed_value(0.1))
    finally:
        sys.setrecursionlimit(limit)


def closed_value(x):
    x = np.float64(x)
    for _ in range(25_000):
        x = np.sin(x) * 0.999 + np.sin(x)
    return x
