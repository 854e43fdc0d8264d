"""Tracing: golden text, control flow (seed 001), abstract traces, pytrees, static
arguments, nested traces, bad input, exception safety and threads."""

import pickle
import threading
from collections import namedtuple

import jax
import numpy as np
import pytest
from tracegrad.tracer import (
    Aval,
    Literal,
    TracerBoolConversionError,
    UnexpectedTracerError,
    eval_ir,
    eval_ir_flat,
    make_ir,
    ops,
    trace_flat,
    tree_unflatten,
)
from tracegrad.tracer.api import input_spec
from tracegrad.tracer.primitive import current_trace


def test_golden_text_with_params_and_literals():
    def f(x, w):
        return np.tanh(x @ w + 1.0).sum(axis=0)

    closed = make_ir(f)(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32))
    assert str(closed) == (
        "{ lambda ; a:f32[2,3] b:f32[3,4]. let\n"
        "    c:f32[2,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ())) "
        "preferred_element_type=None] a b\n"
        "    d:f32[2,4] = add c 1.0:f32[]\n"
        "    e:f32[2,4] = tanh d\n"
        "    f:f32[4] = reduce_sum[axes=(0,)] e\n"
        "  in (f,) }")
    assert closed.in_avals == [Aval((2, 3), np.float32), Aval((3, 4), np.float32)]
    assert closed.out_avals[0].shape == (4,) and closed.out_avals[0].dtype == np.float32


# Seed 001, written in NumPy: Python control flow on values.
def seed_001(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def test_seed_001_is_specialised_to_the_path_taken():
    a = np.float64(0.7)
    closed = make_ir(seed_001)(a)
    doublings = int(np.ceil(np.log2(1000 / 1.4))) + 1  # a*2, then the loop
    doubles = [e for e in closed.eqns if e.prim.name == "mul"
               and any(isinstance(a, Literal) and a.val == 2 for a in e.inputs)]
    assert len(doubles) == doublings
    # The trace holds the loop conditions too (norm, compare), but the outputs only
    # depend on the multiplications: the IR is f restricted to this path.
    out = eval_ir(closed, a)[0]
    assert out == seed_001(a)
    k = out / a
    assert eval_ir(closed, 0.9)[0] == pytest.approx(k * 0.9)  # same path, linear
    negative = make_ir(seed_001)(np.float64(-0.7))
    assert eval_ir(negative, -0.7)[0] == seed_001(np.float64(-0.7))
    assert len(negative.eqns) > len(closed.eqns)  # the `100 * b` branch


@pytest.mark.parametrize("spec", [Aval((), np.float64),
                                  jax.ShapeDtypeStruct((3,), np.float32)])
def test_seed_001_abstract_trace_names_the_line(spec):
    with pytest.raises(TracerBoolConversionError) as info:
        make_ir(seed_001)(spec)
    msg = str(info.value)
    assert "while np.linalg.norm(b) < 1000" in msg
    assert "unknown at trace time" in msg and "static_argnums" in msg
    assert current_trace.get() is None


def test_abstract_trace_builds_the_same_ir():
    f = lambda x, y: np.sin(x) * y + 2.0
    concrete = make_ir(f)(np.ones(3), np.ones(3))
    abstract = make_ir(f)(Aval((3,), np.float64), jax.ShapeDtypeStruct((3,), np.float64))
    assert str(concrete) == str(abstract)


Point = namedtuple("Point", "x y")


def test_pytrees_in_and_out():
    def f(p, d, lst, none):
        assert none is None
        return {"s": p.x + p.y, "t": (d["a"] * lst[0], None), "l": [lst[1]]}

    args = (Point(np.ones(2), np.full(2, 2.0)), {"a": 3.0}, [np.ones(2), 4.0], None)
    closed = make_ir(f)(*args)
    assert len(closed.in_avals) == 5
    out = tree_unflatten(closed.out_tree, eval_ir(closed, np.ones(2), np.full(2, 2.0), 3.0,
                                                  np.ones(2), 4.0))
    np.testing.assert_array_equal(out["s"], [3.0, 3.0])
    np.testing.assert_array_equal(out["t"][0], [3.0, 3.0])
    assert out["t"][1] is None and out["l"] == [4.0]


def test_static_argnums():
    def f(x, n, mode):
        for _ in range(n):
            x = np.sin(x) if mode == "sin" else np.cos(x)
        return x

    closed = make_ir(f, static_argnums=(1, 2))(np.ones(2), 3, "cos")
    assert len(closed.in_avals) == 1
    assert [e.prim.name for e in closed.eqns] == ["cos"] * 3
    assert eval_ir(closed, np.zeros(2))[0] == pytest.approx(np.cos(np.cos(np.cos(0.0))))
    closed = make_ir(f, static_argnums=(-2, -1))(np.ones(2), 2, "sin")
    assert [e.prim.name for e in closed.eqns] == ["sin"] * 2


def test_nested_trace_captures_outer_tracers():
    def outer(x):
        def inner(y):
            return [np.sin(y) * x]  # x is a tracer of the outer trace

        t = trace_flat(inner, [input_spec(np.float64(0.5))])
        assert len(t.ir.in_vars) == 2 and t.captured == [x]
        assert t.concrete and t.eqn_vals[0] == np.sin(0.5)
        # evaluating the inner IR on outer tracers inlines it into the outer trace
        return eval_ir_flat(t.ir, t.consts, [x * 2.0, *t.captured])[0]

    closed = make_ir(outer)(3.0)
    assert [e.prim.name for e in closed.eqns] == ["mul", "sin", "mul"]
    assert eval_ir(closed, 0.25)[0] == pytest.approx(np.sin(0.5) * 0.25)


def test_escaped_tracer_is_reported():
    box = []
    make_ir(lambda x: box.append(x) or x)(1.0)
    with pytest.raises(UnexpectedTracerError):
        np.sin(box[0])
    with pytest.raises(UnexpectedTracerError):
        make_ir(lambda y: y + box[0])(1.0)
    with pytest.raises(UnexpectedTracerError):
        box[0] * 2.0
    with pytest.raises(UnexpectedTracerError):
        box[0] + box[0]


def test_ir_pickles():
    closed = make_ir(lambda x: np.sin(x) * 2.0)(np.ones(2))
    again = pickle.loads(pickle.dumps(closed))
    assert str(again) == str(closed)
    assert again.eqns[0].prim is closed.eqns[0].prim
    np.testing.assert_array_equal(eval_ir(again, np.ones(2))[0], 2 * np.sin(np.ones(2)))


def test_string_and_object_arguments_name_their_path():
    f = lambda tree: tree
    with pytest.raises(TypeError, match=r"args\[0\]\['b'\]\[1\]"):
        make_ir(f)({"a": np.ones(2), "b": [1.0, "hello"]})
    with pytest.raises(TypeError, match=r"args\[1\].*object"):
        make_ir(lambda x, y: x)(1.0, object())
    with pytest.raises(TypeError, match="static_argnums"):
        make_ir(lambda x, s: x)(1.0, "s")


@pytest.mark.parametrize("concrete", [True, False])
def test_broadcast_mismatch_names_both_shapes(concrete):
    args = (np.ones(3), np.ones(4)) if concrete else (Aval((3,), np.float64),
                                                      Aval((4,), np.float64))
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        make_ir(lambda x, y: x + y)(*args)
    assert current_trace.get() is None


def test_exception_mid_trace_leaves_no_trace_open():
    class Boom(Exception):
        pass

    def f(x):
        y = np.sin(x)
        raise Boom(y)

    with pytest.raises(Boom):
        make_ir(f)(1.0)
    assert current_trace.get() is None
    closed = make_ir(lambda x: np.cos(x))(1.0)
    assert [e.prim.name for e in closed.eqns] == ["cos"]
    assert np.cos(np.float64(0.0)) == 1.0  # plain NumPy works again


def test_eval_ir_checks_its_inputs():
    closed = make_ir(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError, match="flat inputs"):
        eval_ir(closed)
    with pytest.raises(TypeError, match="should be f64\\[3\\]"):
        eval_ir(closed, np.ones(4))


def test_eight_threads_trace_different_functions():
    def make_fn(k):
        def f(x):
            for j in range(30):
                x = np.sin(x) * float(k + 1) if j % 2 else x + float(j)
            return ops.sum(x[: k + 1])
        return f

    fns = [make_fn(k) for k in range(8)]
    expected = [str(make_ir(f)(np.ones(10))) for f in fns]
    results: dict = {}
    errors: list = []
    barrier = threading.Barrier(8)

    def work(k):
        try:
            barrier.wait()
            texts = [str(make_ir(fns[k])(np.ones(10))) for _ in range(20)]
            results[k] = texts
            assert current_trace.get() is None
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k in range(8):
        assert all(t == expected[k] for t in results[k])
    assert len(set(expected)) == 8
