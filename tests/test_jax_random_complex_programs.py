"""Random complex programs: tracegrad vs JAX (x64, complex128) on value, grad of a real
loss, jvp and vjp with complex tangents and cotangents, and Hessian-vector products.

The generator of test_jax_random_programs.py (its DAG, shapes and structural operations)
with complex inputs and complex operation tables: holomorphic and non-holomorphic maps
(conj, abs, real/imag parts, angle, lexicographic where/maximum), each kept away from
branch cuts and poles by ``_squash`` (a / (1 + |a|) has modulus < 1). The loss is
``sum(real(f * w))`` with a complex ``w``. JAX's derivative programs are evaluated with
NumPy through ``from_jax`` (so from_jax reads JAX's complex derivative jaxprs too).

Profiles as in test_jax_random_programs.py (``HYPOTHESIS_PROFILE``): ``ci`` runs 80
derandomized programs (about 30 s on 2 cores), ``long`` 2,000 fresh ones.
"""

import os
import types

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import HealthCheck, given, settings
from test_jax_random_programs import apply as apply_real
from test_jax_random_programs import programs as real_programs
from tracegrad.interop.jax import from_jax
from tracegrad.transforms import grad, jvp, vjp

jax.config.update("jax_enable_x64", True)

PROFILES = {
    "ci": settings(max_examples=80, derandomize=True, database=None, deadline=None,
                   suppress_health_check=list(HealthCheck), print_blob=True),
    "long": settings(max_examples=2000, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck), print_blob=True),
}
SETTINGS = PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), PROFILES["ci"])


def _squash(xp, a):
    return a / (1.0 + xp.abs(a))


def _stop_gradient(xp, a):
    if xp is jnp:
        return jax.lax.stop_gradient(a)
    from tracegrad.transforms import stop_gradient
    return stop_gradient(a)


UNARY = {
    "conj": lambda xp, a: xp.conj(a),
    "mul_i": lambda xp, a: 1j * a,
    "real_part": lambda xp, a: xp.real(a) * (1.0 + 0.5j),
    "imag_part": lambda xp, a: xp.imag(a) - 0.5j * xp.real(a),
    "abs_sq": lambda xp, a: xp.abs(a) ** 2 * (0.3 + 0.1j),
    "squash": _squash,
    "square": lambda xp, a: a * a * 0.5,
    "exp": lambda xp, a: xp.exp(_squash(xp, a)),
    "log": lambda xp, a: xp.log(_squash(xp, a) + 2.0),
    "sqrt": lambda xp, a: xp.sqrt(_squash(xp, a) + 2.0),
    "recip": lambda xp, a: 1.0 / (_squash(xp, a) + 2.0),
    "angle": lambda xp, a: xp.angle(_squash(xp, a) + 2.0) * (1.0 + 1.0j),
    "sin_cos": lambda xp, a: xp.sin(_squash(xp, a)) + xp.cos(a * 0.1),
    "sinh_cosh": lambda xp, a: xp.sinh(_squash(xp, a)) * xp.cosh(_squash(xp, a)),
    "tan_tanh": lambda xp, a: xp.tan(0.5 * _squash(xp, a)) - xp.tanh(0.5 * _squash(xp, a)),
    "inverse_trig": lambda xp, a: xp.arcsin(0.5 * _squash(xp, a))
    + xp.arctan(0.5 * _squash(xp, a)) - xp.arccos(0.5 * _squash(xp, a)),
    "inverse_hyperbolic": lambda xp, a: xp.arcsinh(0.5 * _squash(xp, a))
    + xp.arctanh(0.5 * _squash(xp, a)) + xp.arccosh(_squash(xp, a) + 2.0),
    "log1p_expm1": lambda xp, a: xp.log1p(0.5 * _squash(xp, a)) + xp.expm1(_squash(xp, a)),
    "pow": lambda xp, a: (_squash(xp, a) + 2.0) ** (0.75 + 0.25j),
    "int_pow": lambda xp, a: _squash(xp, a) ** 3,
    "stop_grad_mix": lambda xp, a: a * _stop_gradient(xp, _squash(xp, a)),
    "flip": lambda xp, a: a[::-1] if a.ndim else a,
    "cumsum": lambda xp, a: xp.cumsum(a, axis=-1) / 3.0 if a.ndim else a,
}
BINARY = {
    "add": lambda xp, a, b: a + b,
    "sub": lambda xp, a, b: a - b,
    "mul": lambda xp, a, b: a * b,
    "mul_conj": lambda xp, a, b: a * xp.conj(b),
    "div": lambda xp, a, b: a / (_squash(xp, b) + 2.0),
    "pow": lambda xp, a, b: (_squash(xp, a) + 2.0) ** _squash(xp, b),
    "where": lambda xp, a, b: xp.where(xp.real(a) > xp.real(b), a * b, a - b),
    "maximum": lambda xp, a, b: xp.maximum(a, b),
}


def _reductions():
    def sum_(xp, a, axis): return xp.sum(a, axis=axis)
    def mean(xp, a, axis): return xp.mean(a, axis=axis, keepdims=True)
    def prod(xp, a, axis): return xp.prod(_squash(xp, a) + 1.5, axis=axis)
    def var(xp, a, axis): return xp.var(a, axis=axis) * (1.0 - 0.5j)
    def norm(xp, a, axis): return xp.linalg.norm(a, axis=axis) * (0.5 + 1.0j)
    def max_(xp, a, axis): return xp.max(a, axis=axis)
    def cumsum_rev(xp, a, axis): return xp.flip(xp.cumsum(xp.flip(a, axis), axis=axis), axis)
    return {"sum": sum_, "mean": mean, "prod": prod, "var": var, "norm": norm,
            "max": max_, "cumsum_rev": cumsum_rev}


REDUCTIONS = _reductions()


class Program:
    """A DAG of steps (kind, name, operand indices, params); node i < n_inputs is input i."""

    def __init__(self, in_shapes, steps, out_shape):
        self.in_shapes, self.steps, self.out_shape = in_shapes, steps, out_shape

    def run(self, xp, *inputs):
        nodes = list(inputs)
        for kind, name, idx, params in self.steps:
            args = [nodes[i] for i in idx]
            if kind == "unary":
                nodes.append(UNARY[name](xp, *args))
            elif kind == "binary":
                nodes.append(BINARY[name](xp, *args))
            elif kind == "reduce":
                nodes.append(REDUCTIONS[name](xp, *args, **params))
            else:
                nodes.append(apply_real(xp, kind, name, args, params))
        return nodes[-1]

    def __repr__(self):
        return f"Program({self.in_shapes!r}, {self.steps!r}, {self.out_shape!r})"


def programs():
    """Complex programs: the real-valued generator's DAGs over this module's op tables."""
    return real_programs(6, 20, max_inputs=2, weights=(4, 3, 1, 2),
                         ops=types.SimpleNamespace(unary=UNARY, binary=BINARY,
                                                   reductions=REDUCTIONS, program=Program))


def _c(rng, shape, scale=1.0):
    return scale * (rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape))


def _jax_all(program, w):
    from jax.extend.core import jaxpr_as_fun

    def all_(xs, ts, ct):
        closed = jax.make_jaxpr(lambda *a: program.run(jnp, *a))(*xs)
        f = lambda *a: jaxpr_as_fun(closed)(*a)[0]  # noqa: E731
        loss = lambda *a: jnp.sum(jnp.real(f(*a) * w))  # noqa: E731
        nums = tuple(range(len(xs)))
        value, t_out = jax.jvp(f, xs, ts)
        v = jax.vjp(f, *xs)[1](ct)
        g = jax.grad(loss, argnums=nums)(*xs)
        h = jax.jvp(jax.grad(loss, argnums=nums), xs, ts)[1]
        return value, g, t_out, v, h

    return all_


def _ours_all(program, w, xs, ts, ct):
    f = lambda *a: program.run(np, *a)  # noqa: E731
    loss = lambda *a: np.sum(np.real(f(*a) * w))  # noqa: E731
    nums = tuple(range(len(xs)))
    value, t_out = jvp(f, xs, ts)
    v = vjp(f, *xs)[1](ct)
    g = grad(loss, argnums=nums)(*xs)
    h = jvp(grad(loss, argnums=nums), xs, ts)[1]
    return value, g, t_out, v, h


def check_program(program, seed=0):
    rng = np.random.default_rng(seed)
    xs = tuple(_c(rng, s, 1.5) for s in program.in_shapes)
    ts = tuple(_c(rng, s) for s in program.in_shapes)
    out = np.asarray(program.run(np, *xs))
    if out.dtype.kind != "c" or not np.all(np.isfinite(out)):
        return False
    ct, w = _c(rng, out.shape), _c(rng, out.shape)
    with jax.disable_jit():
        theirs = from_jax(_jax_all(program, w))(xs, ts, ct)
    ours = _ours_all(program, w, xs, ts, ct)
    for name, a, b in zip(("value", "grad", "jvp", "vjp", "hvp"), ours, theirs):
        for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
            x, y = np.asarray(x), np.asarray(y)
            assert x.dtype == y.dtype, (name, x.dtype, y.dtype, program)
            scale = 1.0 + float(np.max(np.abs(y), initial=0.0))
            np.testing.assert_allclose(x, y, rtol=1e-7, atol=1e-9 * scale,
                                       err_msg=f"{name} differs for {program!r}")
    return True


COUNT = {"checked": 0, "programs": 0}


@SETTINGS
@given(programs())
def _random_complex_program_property(program):
    COUNT["programs"] += 1
    COUNT["checked"] += check_program(program)


def test_random_complex_programs_against_jax():
    COUNT.update(checked=0, programs=0)
    _random_complex_program_property()
    assert COUNT["programs"] >= min(SETTINGS.max_examples, 80), COUNT
    assert COUNT["checked"] >= 0.8 * COUNT["programs"], COUNT  # few skipped as non-finite
