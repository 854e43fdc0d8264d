"""Random programs: tracegrad vs JAX on value, grad, jvp, vjp and Hessian-vector products.

A program is a DAG of 10-40 NumPy operations (covering the primitives: elementwise,
broadcasting binary ops, reductions, shape ops, contractions, indexing, select) on
1-3 float64 inputs of small random shapes, written once against an array module
``xp``: tracegrad runs it with ``numpy`` (tracers), JAX with ``jax.numpy``. So the
JAX side is an independent implementation of the same program, not our lowering.

Profiles (environment variable ``HYPOTHESIS_PROFILE``):

- ``ci`` (default): 500 programs, derandomized (a fixed seed), no example database:
  the same programs on every run, in about two minutes on 2 cores.
- ``long``: 5,000 fresh random programs per run, for local bug hunting::

      HYPOTHESIS_PROFILE=long pytest tests/test_jax_random_programs.py

A mismatch found by either profile is kept as a regression case in ``REGRESSIONS``.
"""

import os
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tracegrad.interop.jax import from_jax, to_jax
from tracegrad.transforms import grad, jvp, vjp

jax.config.update("jax_enable_x64", True)

PROFILES = {
    "ci": settings(max_examples=500, derandomize=True, database=None, deadline=None,
                   suppress_health_check=list(HealthCheck), print_blob=True),
    "long": settings(max_examples=5000, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck), print_blob=True),
}
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SETTINGS = PROFILES.get(PROFILE, PROFILES["ci"])

# ---------------------------------------------------------------------------------
# operations: name -> (arity, fn(xp, *args, **params)); shapes have ndim <= 2 and dims
# in {1, 2, 3}; every operation keeps values finite and away from non-smooth points.

def _stop_gradient(xp, a):
    if xp is jnp:
        return jax.lax.stop_gradient(a)
    from tracegrad.transforms import stop_gradient
    return stop_gradient(a)


UNARY = {
    "sin": lambda xp, a: xp.sin(a),
    "cos": lambda xp, a: xp.cos(a),
    "tanh": lambda xp, a: xp.tanh(a),
    "arctan": lambda xp, a: xp.arctan(a),
    "neg": lambda xp, a: -a,
    "square": lambda xp, a: a ** 2,
    "cube": lambda xp, a: a * a * a / 4.0,
    "exp_tanh": lambda xp, a: xp.exp(xp.tanh(a)),
    "expm1_tanh": lambda xp, a: xp.expm1(xp.tanh(a)),
    "log_1p_sq": lambda xp, a: xp.log(1.0 + a * a),
    "log1p_sq": lambda xp, a: xp.log1p(a * a),
    "sqrt_1p_sq": lambda xp, a: xp.sqrt(1.0 + a * a),
    "recip": lambda xp, a: 1.0 / (1.5 + xp.sin(a)),
    "sinh_cosh": lambda xp, a: xp.sinh(xp.tanh(a)) + xp.cosh(xp.tanh(a)),
    "asin_acos": lambda xp, a: xp.arcsin(0.9 * xp.tanh(a)) - xp.arccos(0.5 * xp.tanh(a)),
    "atanh": lambda xp, a: xp.arctanh(0.9 * xp.tanh(a)),
    "asinh": lambda xp, a: xp.arcsinh(a),
    "tan": lambda xp, a: xp.tan(xp.tanh(a)),
    "logistic": lambda xp, a: 1.0 / (1.0 + xp.exp(-4.0 * xp.tanh(a))),
    "abs_shift": lambda xp, a: xp.abs(a + 10.0),
    "clip": lambda xp, a: xp.clip(a, -5.0, 5.0),
    "stop_grad_mix": lambda xp, a: a * _stop_gradient(xp, a),
    "flip": lambda xp, a: a[::-1] if a.ndim else a,
    "cumsum": lambda xp, a: xp.cumsum(a, axis=-1) / 3.0 if a.ndim else a,
    "pow_frac": lambda xp, a: (1.0 + a * a) ** 0.75,
    "int_pow": lambda xp, a: a ** 3 * 0.1,
}
BINARY = {
    "add": lambda xp, a, b: a + b,
    "sub": lambda xp, a, b: a - b,
    "mul": lambda xp, a, b: a * b,
    "div": lambda xp, a, b: a / (1.0 + b * b),
    "max": lambda xp, a, b: xp.maximum(a, b),
    "min": lambda xp, a, b: xp.minimum(a, b),
    "pow": lambda xp, a, b: (1.0 + a * a) ** xp.tanh(b),
    "arctan2": lambda xp, a, b: xp.arctan2(a, 1.0 + b * b),
    "where": lambda xp, a, b: xp.where(a > b, a * b, a - b),
}


def _reduce_axis(shape, k):
    return None if not shape else k % len(shape)


def _reductions():
    def sum_(xp, a, axis): return xp.sum(a, axis=axis)
    def mean(xp, a, axis): return xp.mean(a, axis=axis, keepdims=True)
    def max_(xp, a, axis): return xp.max(a, axis=axis)
    def prod(xp, a, axis): return xp.prod(xp.tanh(a) + 1.5, axis=axis)
    def var(xp, a, axis): return xp.var(a, axis=axis)
    def norm(xp, a, axis): return xp.sqrt(xp.sum(a * a, axis=axis) + 1.0)
    def min_(xp, a, axis): return xp.min(a, axis=axis)
    def cumsum_rev(xp, a, axis): return xp.flip(xp.cumsum(xp.flip(a, axis), axis=axis), axis)
    return {"sum": sum_, "mean": mean, "max": max_, "prod": prod, "var": var,
            "norm": norm, "min": min_, "cumsum_rev": cumsum_rev}


REDUCTIONS = _reductions()


def _out_shape_reduce(name, shape, axis):
    if name == "mean":
        return tuple(1 if i == axis else d for i, d in enumerate(shape))
    if name == "cumsum_rev":
        return tuple(shape)
    return tuple(d for i, d in enumerate(shape) if i != axis)


class Program:
    """A DAG: ``steps`` are (kind, name, operand indices, params); node i < n_inputs
    is input i. ``run(xp, *inputs)`` evaluates it and returns the last node."""

    def __init__(self, in_shapes, steps, out_shape):
        self.in_shapes, self.steps, self.out_shape = in_shapes, steps, out_shape

    def run(self, xp, *inputs):
        nodes = list(inputs)
        for kind, name, idx, params in self.steps:
            args = [nodes[i] for i in idx]
            nodes.append(apply(xp, kind, name, args, params))
        return nodes[-1]

    def __repr__(self):
        # a constructor call: paste it into REGRESSIONS to keep a failing program
        return f"Program({self.in_shapes!r}, {self.steps!r}, {self.out_shape!r})"

    def __str__(self):
        lines = [f"inputs {self.in_shapes}"]
        for k, (_kind, name, idx, params) in enumerate(self.steps):
            lines.append(f"  n{k + len(self.in_shapes)} = {name}{idx} {params or ''}")
        return "\n".join(lines + [f"as code: {self!r}"])


def apply(xp, kind, name, args, params):
    if kind == "unary":
        return UNARY[name](xp, *args)
    if kind == "binary":
        return BINARY[name](xp, *args)
    if kind == "reduce":
        return REDUCTIONS[name](xp, *args, **params)
    a = args[0]
    if name == "transpose":
        return a.T
    if name == "reshape":
        return xp.reshape(a, params["shape"])
    if name == "matmul":
        return args[0] @ args[1]
    if name == "concat":
        return xp.concatenate([args[0], args[1]], axis=params["axis"])
    if name == "slice":
        return a[..., params["start"]:params["stop"]]
    if name == "take":
        return a[xp.asarray(params["idx"])]
    if name == "take_cols":
        return a[:, xp.asarray(params["idx"])]
    if name == "swapaxes":
        return xp.swapaxes(a[None], 0, -1)[..., 0] * 1.0
    if name == "einsum":
        return xp.einsum("ij,ij->j", args[0], args[1])
    if name == "expand_squeeze":
        return xp.squeeze(xp.expand_dims(a, 0) * 1.5, 0)
    if name == "broadcast":
        return xp.broadcast_to(a, params["shape"])
    if name == "stack_sum":
        return xp.sum(xp.stack([args[0], args[1]], axis=0), axis=0)
    raise AssertionError(name)


SHAPES = [(), (3,), (2,), (2, 3), (3, 2), (2, 1), (1, 3), (3, 3)]
STRUCTURAL = ["transpose", "reshape", "matmul", "concat", "slice", "take", "take_cols",
              "expand_squeeze", "broadcast", "stack_sum", "einsum", "swapaxes"]


def _broadcastable(s, t):
    try:
        np.broadcast_shapes(s, t)
        return True
    except ValueError:
        return False


OPS = types.SimpleNamespace(unary=UNARY, binary=BINARY, reductions=REDUCTIONS, program=Program)


@st.composite
def programs(draw, min_ops=10, max_ops=40, *, max_inputs=3, weights=(4, 4, 2, 3), ops=None):
    """Random programs over ``ops`` (a namespace of ``unary``, ``binary``, ``reductions``
    tables and a ``program`` class; this module's real-valued ones by default), with
    ``weights`` for unary / binary / reduce / structural steps."""
    ops = ops or OPS
    n_in = draw(st.integers(1, max_inputs))
    in_shapes = [draw(st.sampled_from(SHAPES[:6])) for _ in range(n_in)]
    shapes = list(in_shapes)
    steps = []
    n_ops = draw(st.integers(min_ops, max_ops))
    kinds = [k for k, w in zip(("unary", "binary", "reduce", "struct"), weights)
             for _ in range(w)]
    while len(steps) < n_ops:
        # operands are biased toward recent nodes, so programs are deep, not wide
        i = len(shapes) - 1 - draw(st.integers(0, min(len(shapes) - 1, 6)))
        s = shapes[i]
        kind = draw(st.sampled_from(kinds))
        if kind == "unary":
            name = draw(st.sampled_from(sorted(ops.unary)))
            steps.append(("unary", name, (i,), {}))
            shapes.append(s)
        elif kind == "binary":
            partners = [j for j in range(len(shapes)) if j != i and
                        _broadcastable(s, shapes[j]) and
                        len(np.broadcast_shapes(s, shapes[j])) <= 2]
            if not partners:
                continue
            j = draw(st.sampled_from(partners))
            name = draw(st.sampled_from(sorted(ops.binary)))
            steps.append(("binary", name, (i, j), {}))
            shapes.append(np.broadcast_shapes(s, shapes[j]))
        elif kind == "reduce":
            if not s:
                continue
            name = draw(st.sampled_from(sorted(ops.reductions)))
            axis = draw(st.integers(0, len(s) - 1))
            steps.append(("reduce", name, (i,), {"axis": axis}))
            shapes.append(_out_shape_reduce(name, s, axis))
        else:
            name = draw(st.sampled_from(STRUCTURAL))
            out = _structural(draw, name, i, shapes)
            if out is None:
                continue
            idx, params, shape = out
            steps.append(("struct", name, idx, params))
            shapes.append(shape)
    return ops.program(in_shapes, steps, shapes[-1])


def _structural(draw, name, i, shapes):
    s = shapes[i]
    if name == "transpose":
        return ((i,), {}, s[::-1]) if len(s) == 2 else None
    if name == "reshape":
        size = int(np.prod(s, dtype=int))
        options = [t for t in SHAPES if int(np.prod(t, dtype=int)) == size and t != s]
        if not options:
            return None
        t = draw(st.sampled_from(options))
        return (i,), {"shape": t}, t
    if name == "swapaxes":
        return ((i,), {}, s[::-1]) if s else None
    if name == "take_cols":
        if len(s) != 2:
            return None
        n = draw(st.integers(1, 3))
        idx = tuple(draw(st.integers(-s[1], s[1] - 1)) for _ in range(n))
        return (i,), {"idx": idx}, (s[0], n)
    if name in ("matmul", "concat", "stack_sum", "einsum"):
        if name == "einsum":
            ok = [j for j, t in enumerate(shapes) if len(s) == 2 and t == s]
        elif name == "matmul":
            ok = [j for j, t in enumerate(shapes) if s and t and s[-1] == t[0] and len(t) <= 2]
        elif name == "concat":
            ok = [j for j, t in enumerate(shapes) if s and len(t) == len(s)]
        else:
            ok = [j for j, t in enumerate(shapes) if t == s]
        if not ok:
            return None
        j = draw(st.sampled_from(ok))
        t = shapes[j]
        if name == "matmul":
            return (i, j), {}, s[:-1] + t[1:]
        if name == "stack_sum":
            return (i, j), {}, s
        if name == "einsum":
            return (i, j), {}, s[1:]
        axes = [a for a in range(len(s)) if all(s[b] == t[b] for b in range(len(s)) if b != a)]
        if not axes:
            return None
        axis = draw(st.sampled_from(axes))
        out = list(s)
        out[axis] = s[axis] + t[axis]
        if out[axis] > 3:
            return None
        return (i, j), {"axis": axis}, tuple(out)
    if name == "slice":
        if not s or s[-1] < 2:
            return None
        start = draw(st.integers(0, s[-1] - 1))
        stop = draw(st.integers(start + 1, s[-1]))
        return (i,), {"start": start, "stop": stop}, s[:-1] + (stop - start,)
    if name == "take":
        if not s:
            return None
        n = draw(st.integers(1, 3))
        idx = tuple(draw(st.integers(-s[0], s[0] - 1)) for _ in range(n))
        return (i,), {"idx": idx}, (n,) + s[1:]
    if name == "expand_squeeze":
        return (i,), {}, s
    if name == "broadcast":
        options = [t for t in SHAPES if len(t) >= len(s) and t != s and _broadcastable(s, t)
                   and np.broadcast_shapes(s, t) == t]
        if not options:
            return None
        t = draw(st.sampled_from(options))
        return (i,), {"shape": t}, t
    raise AssertionError(name)


# ---------------------------------------------------------------------------------
# the comparison


def _close(what, ours, theirs, program):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs {theirs.shape}\n{program}"
    scale = 1.0 + float(np.max(np.abs(theirs), initial=0.0))
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9 * scale,
                               err_msg=f"{what} differs (tracegrad vs JAX) for\n{program}")


def _jax_all(program: Program, w, xs):
    """JAX's value, grad, jvp, vjp and Hessian-vector product of the program.

    The jax.numpy program is traced once to a jaxpr; JAX's transforms then apply to
    that jaxpr's function (lax primitives only), which keeps each program cheap.
    """
    from jax.extend.core import jaxpr_as_fun

    closed = jax.make_jaxpr(lambda *a: program.run(jnp, *a))(*xs)
    f = lambda *a: jaxpr_as_fun(closed)(*a)[0]
    loss = lambda *a: jnp.sum(f(*a) * w)

    def all_(xs, ts, ct):
        argnums = tuple(range(len(xs)))
        value, t_out = jax.jvp(f, xs, ts)
        _, pullback = jax.vjp(f, *xs)
        g, v = pullback(w), pullback(ct)   # grad of sum(f * w) is the pullback of w
        h = jax.jvp(jax.grad(loss, argnums=argnums), xs, ts)[1]
        return value, g, t_out, v, h

    return all_


def _tracegrad_all(program: Program, w, xs, ts, ct):
    f = lambda *a: program.run(np, *a)
    loss = lambda *a: np.sum(f(*a) * w)
    argnums = tuple(range(len(xs)))
    value = f(*xs)
    g = grad(loss, argnums=argnums)(*xs)
    t_out = jvp(f, xs, ts)[1]
    v = vjp(f, *xs)[1](ct)
    h = jvp(grad(loss, argnums=argnums), xs, ts)[1]   # forward-over-reverse
    return value, g, t_out, v, h


NAMES = ("value", "grad", "jvp", "vjp", "Hessian-vector product")


def check_program(program: Program, seed: int = 0, xla: bool = False) -> None:
    """Compare tracegrad with JAX on one program.

    JAX's side is JAX's own autodiff (jax.grad / jax.jvp / jax.vjp / jvp-of-grad) of
    the jax.numpy program. Compiling each random program with XLA takes about a
    second on a CI core, so by default JAX's derivative programs (their jaxprs) are
    evaluated with NumPy through ``from_jax`` (JAX's derivative rules, NumPy
    arithmetic; every primitive's arithmetic is checked against XLA in
    test_jax_lowering.py); ``xla=True`` runs them compiled by XLA instead.
    """
    rng = np.random.default_rng(seed)
    xs = tuple(rng.uniform(-1.5, 1.5, s) for s in program.in_shapes)
    ts = tuple(rng.normal(size=s) for s in program.in_shapes)
    ct = rng.normal(size=program.out_shape)
    w = rng.normal(size=program.out_shape)
    all_jax = _jax_all(program, w, xs)
    if xla:
        theirs = jax.jit(all_jax)(*jax.tree_util.tree_map(jnp.asarray, (xs, ts, ct)))
    else:
        with jax.disable_jit():  # inline jnp's jitted helpers: 2-3x faster tracing
            theirs = from_jax(all_jax)(xs, ts, ct)
    if not np.all(np.isfinite(np.asarray(theirs[0]))):
        return  # outside the safe domain (cannot happen with the ops above; be safe)
    ours = _tracegrad_all(program, w, xs, ts, ct)
    for name, a, b in zip(NAMES, ours, theirs):
        for k, (x, y) in enumerate(zip(jax.tree_util.tree_leaves(a),
                                       jax.tree_util.tree_leaves(b))):
            _close(f"{name} [{k}]", x, y, program)
    if xla:
        _close("to_jax value", jax.jit(to_jax(lambda *a: program.run(np, *a)))(*xs),
               theirs[0], program)


COUNT = {"programs": 0}


@SETTINGS
@given(programs())
def _random_program_property(program):
    COUNT["programs"] += 1
    # every 100th program also runs JAX's derivative programs compiled by XLA, and
    # jax.jit(to_jax(program))
    check_program(program, xla=COUNT["programs"] % 100 == 1)


def test_random_programs_against_jax():
    COUNT["programs"] = 0
    _random_program_property()
    expected = SETTINGS.max_examples
    # hypothesis may stop early only if it runs out of distinct examples
    assert COUNT["programs"] >= min(expected, 500), COUNT


# ---------------------------------------------------------------------------------
# regressions: programs that once disagreed (see the report in the commit log)

REGRESSIONS: dict[str, Program] = {
    # Not a found mismatch (none so far): a hand-written program that keeps the
    # mechanism exercised, with integer-array indexing, where, max and prod.
    "hand_written_take_where_prod": Program(
        [(2, 3), (3,)],
        [("unary", "sin", (0,), {}), ("binary", "mul", (2, 1), {}),
         ("reduce", "max", (3,), {"axis": 1}), ("struct", "take", (3,), {"idx": (1, -1, 0)}),
         ("binary", "where", (5, 1), {}), ("reduce", "prod", (6,), {"axis": 0})],
        (3,)),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regression_program(name):
    check_program(REGRESSIONS[name])
