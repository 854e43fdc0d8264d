"""Lowering to JAX: every registered primitive has a rule, and each rule agrees with
the primitive's NumPy impl; to_jax / jit on 30+ functions; bad-input errors."""

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.interop.jax import LOWERINGS, jit, to_jax
from tracegrad.tracer import ClosedIR, TracerBoolConversionError, make_ir, registry

jax.config.update("jax_enable_x64", True)

rng = np.random.default_rng(0)
A = rng.uniform(-0.9, 0.9, (2, 3))           # inside every float function's domain
P = rng.uniform(0.5, 2.0, (2, 3))            # positive
G = rng.uniform(1.5, 3.0, (2, 3))            # > 1 (acosh)
I = rng.integers(-5, 6, (2, 3)).astype(np.int64)
J = rng.integers(1, 4, (2, 3)).astype(np.int64)
B = A > 0
ROW = rng.uniform(-1, 1, (3,))

# Sample (args, params) for every primitive; several for the subtle ones.
_FLOAT_UNARY = ["exp", "log1p", "expm1", "sin", "cos", "tan", "tanh", "asin", "acos",
                "atan", "sinh", "cosh", "asinh", "atanh", "logistic", "erf", "floor",
                "ceil", "neg", "abs", "sign", "stop_gradient", "is_finite"]
SAMPLES: dict[str, list] = {n: [((A,), {})] for n in _FLOAT_UNARY}
SAMPLES.update({
    "log": [((P,), {})], "sqrt": [((P,), {})], "rsqrt": [((P,), {})],
    "acosh": [((G,), {})],
    "round": [((np.array([0.5, 1.5, 2.5, -0.5, -1.7, 3.2]),), {})],
    "not": [((B,), {}), ((I,), {})],
    "integer_pow": [((A,), {"y": 3}), ((P,), {"y": -2}), ((I,), {"y": 2})],
    "convert_element_type": [((A * 5,), {"new_dtype": np.dtype(np.int64)}),
                             ((I,), {"new_dtype": np.dtype(np.float64)}),
                             ((A,), {"new_dtype": np.dtype(np.bool_)})],
    "select_n": [((B, A, P), {}), ((J - 1, A, P, G), {}), ((np.bool_(True), A, P), {})],
    "reduce_sum": [((A,), {"axes": (0,)}), ((I,), {"axes": (0, 1)}), ((A,), {"axes": ()})],
    "reduce_prod": [((A,), {"axes": (1,)})],
    "reduce_max": [((A,), {"axes": (0, 1)})], "reduce_min": [((A,), {"axes": (1,)})],
    "reduce_and": [((B,), {"axes": (0,)})], "reduce_or": [((B,), {"axes": (1,)})],
    "argmax": [((A,), {"axes": (1,), "index_dtype": np.dtype(np.int32)})],
    "argmin": [((A,), {"axes": (0,), "index_dtype": np.dtype(np.int64)})],
    "cumsum": [((A,), {"axis": 1, "reverse": False}), ((A,), {"axis": 0, "reverse": True})],
    "broadcast_in_dim": [((ROW,), {"shape": (2, 3), "broadcast_dimensions": (1,)}),
                         ((np.float64(2.0),), {"shape": (2,), "broadcast_dimensions": ()})],
    "reshape": [((A,), {"new_sizes": (3, 2)})],
    "transpose": [((A,), {"permutation": (1, 0)})],
    "squeeze": [((A[:1],), {"dimensions": (0,)})],
    "expand_dims": [((A,), {"dimensions": (0, 3)})],
    "rev": [((A,), {"dimensions": (1,)})],
    "concatenate": [((A, P, G), {"dimension": 0})],
    "pad": [((A, np.float64(0.5)), {"padding_config": ((1, 0, 1), (-1, 2, 0))})],
    "slice": [((A,), {"start_indices": (0, 1), "limit_indices": (2, 3), "strides": None}),
              ((A,), {"start_indices": (0, 0), "limit_indices": (2, 3), "strides": (1, 2)})],
    "dot_general": [((A, P.T), {"dimension_numbers": (((1,), (0,)), ((), ()))}),
                    ((A, P), {"dimension_numbers": (((1,), (1,)), ((0,), (0,)))}),
                    ((ROW, ROW), {"dimension_numbers": (((), ()), ((), ()))})],
    "index_take": [((A, np.array([2, 0, -1, 2])), {"axis": 1}),
                   ((A, np.array([[1], [0]])), {"axis": 0})],
    "index_add": [((A, np.array([2, 0, 2]), rng.uniform(size=(2, 3))), {"axis": 1})],
})
# complex parts (complex samples of the other primitives: tests/test_jax_complex.py)
CZ = A + 1j * P
SAMPLES.update({
    "real": [((CZ,), {})], "imag": [((CZ.astype(np.complex64),), {})],
    "conj": [((CZ,), {}), ((A,), {})],
    "complex": [((A, P), {}), ((A, ROW), {})],
})
# linear algebra: a well-conditioned square matrix, an SPD and a symmetric one
SQ = np.array([[2.0, 0.5, -0.3], [1.0, 3.0, 0.2], [-0.4, 0.7, 2.5]])
SPD = SQ @ SQ.T
_TS = dict(left_side=True, lower=True, transpose_a=False, conjugate_a=False,
           unit_diagonal=False)
SAMPLES.update({
    "lu": [((SQ,), {}), ((np.stack([SQ, SQ.T]),), {})],
    "triangular_solve": [((SQ, A.T), _TS),
                         ((SQ, A), dict(_TS, left_side=False, lower=False, transpose_a=True,
                                        unit_diagonal=True))],
    "cholesky": [((SPD,), {})],
    "eigh": [((SPD,), {"lower": True, "sort_eigenvalues": True})],
    "svd": [((A,), {"full_matrices": False, "compute_uv": True}),
            ((A,), {"full_matrices": True, "compute_uv": False})],
})
for name in ["add", "sub", "mul", "max", "min", "atan2", "nextafter"]:
    SAMPLES[name] = [((A, P), {}), ((A, ROW), {})]
SAMPLES["div"] = [((A, P), {}), ((I, J), {}), ((-I, J), {})]
SAMPLES["pow"] = [((P, A), {})]
SAMPLES["rem"] = [((A * 7, P), {}), ((I, J), {})]
for name in ["and", "or", "xor"]:
    SAMPLES[name] = [((B, ~B), {}), ((I, J), {})]
for name in ["eq", "ne", "lt", "le", "gt", "ge"]:
    SAMPLES[name] = [((A, np.round(A, 0)), {}), ((I, J), {})]


def _is_call_like(name: str) -> bool:
    """Primitives carrying sub-programs: tested end to end in test_jax_custom_* below."""
    return "call" in name


def test_every_registered_primitive_has_a_lowering():
    import tracegrad.interop.torch  # noqa: F401  (every layer registers its primitives)
    import tracegrad.transforms  # noqa: F401

    missing = [n for n in sorted(registry) if n not in LOWERINGS]
    assert not missing, f"primitives without a JAX lowering rule: {missing}"


def test_every_registered_primitive_has_a_lowering_sample():
    missing = [n for n in sorted(registry) if n not in SAMPLES and not _is_call_like(n)]
    assert not missing, f"add samples to tests/test_jax_lowering.py for: {missing}"


CASES = [(name, i) for name in sorted(SAMPLES) for i in range(len(SAMPLES[name]))]


@pytest.mark.parametrize("name,i", CASES)
def test_lowering_matches_numpy_impl(name, i):
    if name not in registry:
        pytest.skip(f"{name} is not registered")
    prim = registry[name]
    args, params = SAMPLES[name][i]
    want = prim.impl(*args, **params)
    got = LOWERINGS[name](*[jnp.asarray(a) for a in args], **params)
    wants, gots = (want, got) if prim.multiple_results else ([want], [got])
    avals = prim.abstract_eval(*[make_aval(a) for a in args], **params)
    avals = avals if prim.multiple_results else [avals]
    for w, g, aval in zip(wants, gots, avals):
        w, g = np.asarray(w), np.asarray(g)
        assert g.shape == w.shape and g.dtype == w.dtype, (name, g.dtype, w.dtype, g.shape)
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-14, err_msg=name)
        # ... and the abstract eval rule agrees with both
        assert (aval.shape, aval.dtype) == (g.shape, g.dtype), (name, aval)


def make_aval(a):
    from tracegrad.tracer import Aval
    a = np.asarray(a)
    return Aval(a.shape, a.dtype)


def test_sub_program_equations_lower_by_evaluating_them():
    """A primitive carrying a ClosedIR (like custom_vjp_call) and no rule of its own."""
    from tracegrad.interop.jax import eval_ir_jax
    from tracegrad.tracer import Eqn, Params, Primitive, Var
    from tracegrad.tracer.ir import IR

    inner = make_ir(lambda x: np.sin(x) * 3)(np.ones(3))
    name = "test_jax_fake_call"
    prim = registry.get(name) or Primitive(name)
    try:
        x = Var(inner.in_avals[0])
        out = Var(inner.out_avals[0])
        ir = IR((), (x,), [Eqn(prim, (x,), (out,), Params(call=inner))], (out,))
        got = eval_ir_jax(ir, [], [jnp.full(3, 0.5)])
        np.testing.assert_allclose(got[0], np.sin(0.5) * 3)
        assert isinstance(inner, ClosedIR)
    finally:
        registry.pop(name, None)


# ---------------------------------------------------------------------------------
# to_jax(f) == f on 30+ functions

x23 = rng.normal(size=(2, 3))
y23 = rng.normal(size=(2, 3))
v3 = rng.normal(size=3)
m34 = rng.normal(size=(3, 4))
p23 = rng.uniform(0.5, 2, (2, 3))

FUNCTIONS = {
    "sin_sum": (lambda x: np.sum(np.sin(x) ** 2), (x23,)),
    "poly": (lambda x: 3 * x ** 3 - 2 * x + 1, (x23,)),
    "exp_log": (lambda x: np.log(np.exp(x) + 1.0), (x23,)),
    "div": (lambda x, y: x / (1 + y ** 2), (x23, y23)),
    "broadcast_add": (lambda x, v: x + v, (x23, v3)),
    "matmul": (lambda x, m: x @ m, (x23, m34)),
    "matvec": (lambda m, v: v @ m, (m34, v3)),
    "dot_scalar": (lambda v: np.dot(v, v), (v3,)),
    "outer": (lambda v: np.outer(v, v), (v3,)),
    "tensordot": (lambda x, y: np.tensordot(x, y, axes=([0, 1], [0, 1])), (x23, y23)),
    "mean_axis": (lambda x: np.mean(x, axis=0), (x23,)),
    "var": (lambda x: np.var(x, axis=1), (x23,)),
    "std": (lambda x: np.std(x), (x23,)),
    "max_keepdims": (lambda x: np.max(x, axis=1, keepdims=True) - x, (x23,)),
    "min": (lambda x: np.min(x), (x23,)),
    "prod": (lambda x: np.prod(x, axis=1), (x23,)),
    "logsumexp": (lambda x: np.log(np.sum(np.exp(x - np.max(x)))) + np.max(x), (x23,)),
    "softmax": (lambda x: np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True), (x23,)),
    "where": (lambda x, y: np.where(x > y, x, y * 2), (x23, y23)),
    "relu": (lambda x: np.maximum(x, 0.0), (x23,)),
    "clip": (lambda x: np.clip(x, -0.5, 0.5), (x23,)),
    "abs_sign": (lambda x: np.abs(x) * np.sign(x), (x23,)),
    "tanh_chain": (lambda x: np.tanh(np.tanh(np.tanh(x))), (x23,)),
    "transpose": (lambda x: x.T @ x, (x23,)),
    "reshape": (lambda x: np.reshape(x, (3, 2)) * 2, (x23,)),
    "ravel": (lambda x: np.ravel(x)[::-1] if False else np.ravel(x), (x23,)),
    "concat": (lambda x, y: np.concatenate([x, y], axis=1), (x23, y23)),
    "stack": (lambda x, y: np.stack([x, y], axis=0), (x23, y23)),
    "expand_squeeze": (lambda x: np.squeeze(np.expand_dims(x, 0), 0), (x23,)),
    "moveaxis": (lambda x: np.moveaxis(x[None], 0, -1), (x23,)),
    "cumsum": (lambda x: np.cumsum(x, axis=1), (x23,)),
    "argmax_take": (lambda x: np.argmax(x, axis=1), (x23,)),
    "sqrt_pos": (lambda p: np.sqrt(p) + 1 / p, (p23,)),
    "power": (lambda p, x: p ** x, (p23, x23)),
    "arctan2": (lambda x, y: np.arctan2(x, y), (x23, y23)),
    "hyperbolic": (lambda x: np.sinh(x) + np.cosh(x) - np.arcsinh(x), (x23,)),
    "int_ops": (lambda x: (x * 10).astype(np.int64) // 3, (x23,)),
    "bool_logic": (lambda x, y: np.logical_and(x > 0, y < 0) | (x > y), (x23, y23)),
    "mlp": (lambda x, m, v: np.sum(np.tanh(x @ m) @ np.ones(4) * v[:2]), (x23, m34, v3)),
    "pytree_out": (lambda x, y: {"s": np.sum(x), "p": (x * y, np.mean(y))}, (x23, y23)),
    "pytree_in": (lambda d: d["a"] * np.sum(d["b"][0]), ({"a": x23, "b": (v3,)},)),
    "const_capture": (lambda x: x * np.arange(3.0), (x23,)),
}


def _flat(tree):
    return jax.tree_util.tree_leaves(tree)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_to_jax_matches_numpy(name):
    f, args = FUNCTIONS[name]
    want = f(*args)
    for got in (to_jax(f)(*args), jax.jit(to_jax(f))(*args), jit(f)(*args)):
        assert jax.tree_util.tree_structure(got) == jax.tree_util.tree_structure(want)
        for g, w in zip(_flat(got), _flat(want)):
            assert np.shape(g) == np.shape(w), name
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-12, atol=1e-12)


def test_to_jax_under_vmap_and_jax_grad():
    f = lambda x: np.sum(np.sin(x) ** 2)
    xs = rng.normal(size=(5, 3))
    np.testing.assert_allclose(jax.vmap(to_jax(f))(xs), np.sum(np.sin(xs) ** 2, axis=1))
    np.testing.assert_allclose(jax.grad(to_jax(f))(xs[0]), 2 * np.sin(xs[0]) * np.cos(xs[0]))
    np.testing.assert_allclose(jax.jit(jax.grad(to_jax(f)))(xs[0]),
                               2 * np.sin(xs[0]) * np.cos(xs[0]))


def test_to_jax_caches_traced_ir_by_shape_and_dtype():
    calls = []

    def f(x):
        calls.append(1)
        return x * 2

    g = to_jax(f)
    g(jnp.ones(3))
    g(jnp.zeros(3))
    assert len(calls) == 1
    g(jnp.ones(4))
    g(jnp.ones(3, dtype=jnp.int32))
    assert len(calls) == 3
    assert len(g.trace_cache) == 3


def test_jit_static_argnums_and_pytrees():
    def f(params, x, n):
        for _ in range(n):     # static: a Python int
            x = np.tanh(x @ params["w"] + params["b"])
        return {"y": x, "n": n * 1.0}

    params = {"w": rng.normal(size=(3, 3)) / 3, "b": rng.normal(size=3)}
    x = rng.normal(size=(2, 3))
    step = jit(f, static_argnums=2)
    for n in (1, 3):
        got = step(params, x, n)
        want = f(params, x, n)
        np.testing.assert_allclose(got["y"], want["y"], rtol=1e-12)
        assert float(got["n"]) == n


def test_to_jax_and_jit_keyword_arguments():
    f = lambda x, *, scale, shift=0.0: np.sin(x) * scale + shift
    x = rng.normal(size=3)
    np.testing.assert_allclose(to_jax(f)(x, scale=2.0), np.sin(x) * 2, rtol=1e-13)
    np.testing.assert_allclose(jit(f)(x, scale=np.ones(3), shift=1.0), np.sin(x) + 1,
                               rtol=1e-13)


def test_jit_of_grad():
    from tracegrad.transforms import grad

    f = lambda w, x: np.sum(np.tanh(x @ w) ** 2)
    w, x = rng.normal(size=(3, 2)), rng.normal(size=(4, 3))
    g = jit(grad(f))(w, x)
    np.testing.assert_allclose(g, jax.grad(to_jax(f))(w, x), rtol=1e-12)
    np.testing.assert_allclose(jax.jit(to_jax(grad(f)))(w, x), g, rtol=1e-12)


def test_jit_value_based_control_flow_names_the_line():
    def f(x):
        if np.sum(x) > 0:  # value-dependent branch
            return x
        return -x

    with pytest.raises(TracerBoolConversionError) as info:
        jit(f)(np.ones(3))
    msg = str(info.value)
    assert "if np.sum(x) > 0:" in msg and "test_jax_lowering.py" in msg
    assert "static_argnums" in msg and "np.where" in msg
    # and tracegrad is fully usable afterwards
    np.testing.assert_allclose(jit(lambda x: x + 1)(np.ones(2)), 2.0)


@pytest.mark.parametrize("call", [
    lambda x: jnp.sin(x), lambda x: jnp.add(x, 1.0), lambda x: jax.lax.sin(x),
    lambda x: jnp.asarray(x), lambda x: jax.jit(jnp.sin)(x), lambda x: jnp.ones(3) * x,
    lambda x: jax.grad(lambda t: jnp.sum(t))(x),
])
def test_tracer_passed_to_jax_raises_clear_error(call):
    with pytest.raises(NotImplementedError, match="from_jax"):
        make_ir(call)(np.ones(3))


def test_import_interop_does_not_import_jax():
    code = textwrap.dedent("""
        import sys
        import tracegrad.interop, tracegrad.interop.jax
        assert "jax" not in sys.modules, "importing tracegrad.interop imported jax"
    """)
    env = dict(os.environ)
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# ---------------------------------------------------------------------------------
# custom derivatives (transforms.custom_vjp / custom_jvp) lower to jax.custom_vjp / _jvp


def _custom_fns():
    from tracegrad.transforms import custom_jvp, custom_vjp

    @custom_vjp
    def clipped(x):
        return np.sin(x) * 2

    clipped.defvjp(lambda x: (np.sin(x) * 2, np.cos(x)), lambda c, g: (g * c * 3,))

    @custom_jvp
    def softplus(x):
        return np.log1p(np.exp(x))

    @softplus.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return softplus(x), t * 5.0  # deliberately not the true derivative

    return clipped, softplus


def test_custom_vjp_lowers_to_jax_custom_vjp():
    from tracegrad.transforms import grad, jvp

    clipped, _ = _custom_fns()
    f = lambda x: np.sum(clipped(x * 1.5) ** 2)
    x = rng.normal(size=4)
    np.testing.assert_allclose(to_jax(f)(x), f(x), rtol=1e-13)
    ours = grad(f)(x)
    np.testing.assert_allclose(jax.grad(to_jax(f))(x), ours, rtol=1e-12)
    np.testing.assert_allclose(jit(grad(f))(x), ours, rtol=1e-12)
    # forward mode through custom_vjp differentiates the primal (custom_vjp_call_lin)
    t = rng.normal(size=4)
    g = lambda x: clipped(x * 1.5)
    want = jvp(g, (x,), (t,))[1]
    np.testing.assert_allclose(jax.jit(to_jax(lambda x, t: jvp(g, (x,), (t,))[1]))(x, t),
                               want, rtol=1e-12)


def test_custom_jvp_lowers_to_jax_custom_jvp():
    from tracegrad.transforms import grad

    _, softplus = _custom_fns()
    f = lambda x: np.sum(softplus(x))
    x = rng.normal(size=3)
    np.testing.assert_allclose(grad(f)(x), 5.0)
    np.testing.assert_allclose(jax.grad(to_jax(f))(x), 5.0)
    np.testing.assert_allclose(jit(grad(f))(x), 5.0)
