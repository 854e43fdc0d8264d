"""Every primitive's jvp and vjp against JAX (x64) and central finite differences,
float32 and float64, with broadcasting; the dot-product test per linear primitive;
the registry crossed with the rule tables."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.tracer import bind, registry
from tracegrad.tracer import prims_elementwise as ew
from tracegrad.tracer import prims_structural as st
from tracegrad.transforms import jvp, jvp_rules, transpose_rules, vjp

jax.config.update("jax_enable_x64", True)

R = np.random.default_rng(0)


def _u(*shape, lo=-2.0, hi=2.0):
    return lambda rng, dt: rng.uniform(lo, hi, shape).astype(dt)


def _pos(*shape):
    return _u(*shape, lo=0.3, hi=2.0)


def _un(name, jf, gen=None):
    p = registry[name]
    return (name, lambda x: bind(p, x), jf, [gen or _u(3, 4)])


def _bin(name, jf, shapes, gens=None):
    p = registry[name]
    gens = gens or [_u(*s) for s in shapes]
    return (name, lambda x, y: bind(p, x, y), jf, gens)


lax = jax.lax
CASES = [
    _un("exp", jnp.exp), _un("log", jnp.log, _pos(3, 4)), _un("log1p", jnp.log1p, _pos(5)),
    _un("expm1", jnp.expm1), _un("sin", jnp.sin), _un("cos", jnp.cos),
    _un("tan", jnp.tan, _u(4, lo=-1, hi=1)), _un("tanh", jnp.tanh),
    _un("asin", jnp.arcsin, _u(4, lo=-0.9, hi=0.9)),
    _un("acos", jnp.arccos, _u(4, lo=-0.9, hi=0.9)), _un("atan", jnp.arctan),
    _un("sinh", jnp.sinh), _un("cosh", jnp.cosh), _un("asinh", jnp.arcsinh),
    _un("acosh", jnp.arccosh, _u(4, lo=1.2, hi=3)),
    _un("atanh", jnp.arctanh, _u(4, lo=-0.9, hi=0.9)), _un("logistic", jax.nn.sigmoid),
    _un("sqrt", jnp.sqrt, _pos(2, 3)), _un("rsqrt", lax.rsqrt, _pos(3)),
    _un("erf", jax.scipy.special.erf), _un("neg", jnp.negative), _un("abs", jnp.abs),
    _un("floor", jnp.floor), _un("ceil", jnp.ceil), _un("round", jnp.round),
    _un("sign", jnp.sign), _un("stop_gradient", lax.stop_gradient),
    ("integer_pow3", lambda x: bind(ew.integer_pow_p, x, y=3), lambda x: x ** 3, [_u(4)]),
    ("integer_pow-2", lambda x: bind(ew.integer_pow_p, x, y=-2), lambda x: x ** -2,
     [_pos(4)]),
    ("integer_pow0", lambda x: bind(ew.integer_pow_p, x, y=0), lambda x: x ** 0, [_u(2)]),
    _bin("add", jnp.add, [(3, 4), (4,)]), _bin("add", jnp.add, [(), (2, 3)]),
    _bin("sub", jnp.subtract, [(2, 1, 3), (4, 3)]), _bin("mul", jnp.multiply, [(3, 1), (1, 4)]),
    _bin("div", jnp.divide, [(3, 4), (4,)], [_u(3, 4), _pos(4)]),
    _bin("max", jnp.maximum, [(3, 4), (4,)]), _bin("min", jnp.minimum, [(3,), (2, 3)]),
    _bin("pow", jnp.power, [(3, 4), (4,)], [_pos(3, 4), _u(4)]),
    _bin("atan2", jnp.arctan2, [(3,), (2, 3)]),
    _bin("rem", jnp.fmod, [(5,), (5,)], [_u(5, lo=2, hi=5), _u(5, lo=0.7, hi=1.3)]),
    ("select_n", lambda a, b: bind(ew.select_n_p, np.array([True, False, True]), a, b),
     lambda a, b: lax.select_n(jnp.array([True, False, True]), a, b), [_u(3), _u(3)]),
    ("convert_element_type",
     lambda x: bind(ew.convert_element_type_p, x, new_dtype=np.dtype(np.float64)),
     lambda x: x.astype(jnp.float64), [_u(3)]),
    ("reduce_sum", lambda x: bind(st.reduce_sum_p, x, axes=(0, 2)),
     lambda x: jnp.sum(x, (0, 2)), [_u(2, 3, 4)]),
    ("reduce_max", lambda x: bind(st.reduce_max_p, x, axes=(1,)),
     lambda x: jnp.max(x, 1), [_u(3, 4)]),
    ("reduce_min", lambda x: bind(st.reduce_min_p, x, axes=(0,)),
     lambda x: jnp.min(x, 0), [_u(3, 4)]),
    ("reduce_prod", lambda x: bind(st.reduce_prod_p, x, axes=(1,)),
     lambda x: jnp.prod(x, 1), [_u(3, 4)]),
    ("cumsum", lambda x: bind(st.cumsum_p, x, axis=1, reverse=False),
     lambda x: jnp.cumsum(x, 1), [_u(3, 4)]),
    ("cumsum_rev", lambda x: bind(st.cumsum_p, x, axis=0, reverse=True),
     lambda x: lax.cumsum(x, 0, reverse=True), [_u(3, 4)]),
    ("broadcast_in_dim",
     lambda x: bind(st.broadcast_in_dim_p, x, shape=(2, 3, 4), broadcast_dimensions=(0, 2)),
     lambda x: lax.broadcast_in_dim(x, (2, 3, 4), (0, 2)), [_u(2, 4)]),
    ("broadcast_in_dim1",
     lambda x: bind(st.broadcast_in_dim_p, x, shape=(3, 4), broadcast_dimensions=(0, 1)),
     lambda x: lax.broadcast_in_dim(x, (3, 4), (0, 1)), [_u(1, 4)]),
    ("reshape", lambda x: bind(st.reshape_p, x, new_sizes=(4, 3)),
     lambda x: x.reshape(4, 3), [_u(2, 6)]),
    ("transpose", lambda x: bind(st.transpose_p, x, permutation=(2, 0, 1)),
     lambda x: jnp.transpose(x, (2, 0, 1)), [_u(2, 3, 4)]),
    ("squeeze", lambda x: bind(st.squeeze_p, x, dimensions=(1,)),
     lambda x: jnp.squeeze(x, 1), [_u(3, 1, 2)]),
    ("expand_dims", lambda x: bind(st.expand_dims_p, x, dimensions=(0, 2)),
     lambda x: jnp.expand_dims(x, (0, 2)), [_u(3, 2)]),
    ("rev", lambda x: bind(st.rev_p, x, dimensions=(1,)), lambda x: jnp.flip(x, 1),
     [_u(3, 4)]),
    ("concatenate", lambda x, y: bind(st.concatenate_p, x, y, dimension=1),
     lambda x, y: jnp.concatenate([x, y], 1), [_u(2, 3), _u(2, 2)]),
    ("pad", lambda x, v: bind(st.pad_p, x, v, padding_config=((1, -1, 1), (0, 2, 0))),
     lambda x, v: lax.pad(x, v, ((1, -1, 1), (0, 2, 0))), [_u(3, 2), _u()]),
    ("slice", lambda x: bind(st.slice_p, x, start_indices=(1, 0), limit_indices=(4, 3),
                             strides=(2, 1)),
     lambda x: lax.slice(x, (1, 0), (4, 3), (2, 1)), [_u(5, 3)]),
    ("dot_general", lambda x, y: bind(st.dot_general_p, x, y,
                                      dimension_numbers=(((1,), (0,)), ((), ())),
                                      preferred_element_type=None),
     lambda x, y: x @ y, [_u(3, 4), _u(4, 2)]),
    ("dot_general_batch", lambda x, y: bind(st.dot_general_p, x, y,
                                            dimension_numbers=(((2,), (1,)), ((0,), (2,))),
                                            preferred_element_type=None),
     lambda x, y: lax.dot_general(x, y, (((2,), (1,)), ((0,), (2,)))),
     [_u(2, 3, 4), _u(5, 4, 2)]),
    ("index_take", lambda x: bind(st.index_take_p, x, np.array([2, 0, 2]), axis=1),
     lambda x: jnp.take(x, jnp.array([2, 0, 2]), axis=1), [_u(2, 3)]),
    ("index_add", lambda x, u: bind(st.index_add_p, x, np.array([1, 1, 0]), u, axis=0),
     lambda x, u: x.at[jnp.array([1, 1, 0])].add(u), [_u(3, 2), _u(3, 2)]),
]

# 0-d and 3-d variants of some elementwise cases: several shapes per primitive.
CASES += [
    _un("exp", jnp.exp, _u()), _un("sin", jnp.sin, _u(2, 1, 3)), _un("tanh", jnp.tanh, _u()),
    _un("logistic", jax.nn.sigmoid, _u(2, 2, 2)), _un("log", jnp.log, _pos()),
    _un("sqrt", jnp.sqrt, _pos(2, 1, 2)), _un("abs", jnp.abs, _u()),
    _bin("mul", jnp.multiply, [(), ()]), _bin("div", jnp.divide, [(2, 1, 3), ()],
                                           [_u(2, 1, 3), _pos()]),
    _bin("max", jnp.maximum, [(2, 1, 3), (4, 1)]), _bin("pow", jnp.power, [(), (3,)],
                                                        [_pos(), _u(3)]),
]

# The linear-algebra primitives (their NumPy-level tests: test_transforms_linalg.py).
from test_transforms_linalg import PRIM_CASES as LINALG_CASES  # noqa: E402

CASES += LINALG_CASES

# Primitives with integer or boolean results, or no floating inputs: zero tangents.
NON_DIFFERENTIABLE = {"and", "or", "xor", "not", "eq", "ne", "lt", "le", "gt", "ge",
                      "is_finite", "argmax", "argmin", "reduce_and", "reduce_or",
                      "nextafter"}

ZERO_DERIVATIVE = ("round", "floor", "ceil", "sign", "stop_gradient")

LINEAR = {"add", "sub", "neg", "mul", "div", "convert_element_type", "reduce_sum",
          "broadcast_in_dim", "reshape", "transpose", "squeeze", "expand_dims",
          "dot_general", "concatenate", "pad", "slice", "rev", "cumsum", "index_take",
          "index_add", "select_n", "real", "imag", "conj", "complex"}


def test_registry_crossed_with_rule_tables():
    tested = {c[0].rstrip("0123456789-_rev").rstrip("_batch") for c in CASES}
    tested |= {c[0] for c in CASES}
    from test_transforms_complex import CASES as COMPLEX_CASES
    tested |= set(COMPLEX_CASES)
    for name, p in registry.items():
        assert p in jvp_rules, f"no jvp rule for {name}"
        assert p.impl is not None and p.abstract_eval is not None, name
        if name in LINEAR:
            assert p in transpose_rules, f"no transpose rule for linear {name}"
        if not name.startswith("custom_"):
            assert (name in tested or name.startswith("integer_pow")
                    or name in NON_DIFFERENTIABLE), f"no derivative test for {name}"


def _tol(dt):
    return dict(rtol=2e-4, atol=2e-5) if dt == np.float32 else dict(rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_jvp_vjp_vs_jax_and_fd(case, dt):
    name, tg, jf, gens = case
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    args = [g(rng, dt) for g in gens]
    args = [a if isinstance(a, np.ndarray) and a.ndim else np.asarray(a, dt)[()] for a in args]
    tans = [np.asarray(rng.normal(size=np.shape(a)), dt) for a in args]
    tans = [t if t.ndim else t[()] for t in tans]
    out, t_out = jvp(tg, tuple(args), tuple(tans))
    j_out, j_t = jax.jvp(jf, tuple(jnp.asarray(a) for a in args),
                         tuple(jnp.asarray(t) for t in tans))
    np.testing.assert_allclose(out, np.asarray(j_out), **_tol(dt))
    np.testing.assert_allclose(t_out, np.asarray(j_t), **_tol(dt))
    assert np.asarray(t_out).dtype == np.asarray(out).dtype
    ct = np.asarray(rng.normal(size=np.shape(out)), np.asarray(out).dtype)
    _, f_vjp = vjp(tg, *args)
    ours = f_vjp(ct if ct.ndim else ct[()])
    _, j_vjp = jax.vjp(jf, *[jnp.asarray(a) for a in args])
    theirs = j_vjp(jnp.asarray(ct))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, np.asarray(b), **_tol(dt))
    if dt == np.float64 and name not in ZERO_DERIVATIVE:
        h = 1e-6
        plus = tg(*[a + h * t for a, t in zip(args, tans)])
        minus = tg(*[a - h * t for a, t in zip(args, tans)])
        fd = (np.asarray(plus) - np.asarray(minus)) / (2 * h)
        np.testing.assert_allclose(t_out, fd, rtol=1e-5, atol=1e-6)


def _linear_cases():
    return [c for c in CASES if c[0] in LINEAR or c[0].rsplit("_", 1)[0] in LINEAR
            or c[0].rstrip("1") in LINEAR]


@pytest.mark.parametrize("case", _linear_cases(), ids=lambda c: c[0])
def test_dot_product_linear(case):
    """<J u, v> == <u, J^T v> in every argument: jvp rules against transpose rules."""
    name, tg, _, gens = case
    rng = np.random.default_rng(7)
    args = [np.asarray(g(rng, np.float64)) for g in gens]
    args = [a if a.ndim else a[()] for a in args]
    for i in range(len(args)):
        def part(u, i=i):
            full = list(args)
            full[i] = u
            return tg(*full)
        u = np.asarray(rng.normal(size=np.shape(args[i])))
        _, ju = jvp(part, (args[i],), (u if u.ndim else u[()],))
        v = np.asarray(rng.normal(size=np.shape(ju)))
        _, f_vjp = vjp(part, args[i])
        jtv = f_vjp(v if v.ndim else v[()])[0]
        np.testing.assert_allclose(np.sum(ju * v), np.sum(u * jtv), rtol=1e-10, atol=1e-12)
