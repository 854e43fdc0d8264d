"""vmap and batch_ir against jax.vmap (x64): every primitive batched along different
axes (unbatched operands, negative axes, out_axes), pytrees, nested vmap, vmap of
grad and grad of vmap, custom derivatives, errors, IR size, random programs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from test_jax_random_programs import programs
from tracegrad.tracer import bind, make_ir, registry
from tracegrad.tracer.errors import TracerBoolConversionError
from tracegrad.tracer.primitive import current_trace
from tracegrad.transforms import (
    batch_ir,
    batch_rules,
    custom_jvp,
    custom_vjp,
    grad,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    vjp,
    vmap,
)

jax.config.update("jax_enable_x64", True)
lax = jax.lax
B = 3  # the batch size


def _f(*shape, lo=-2.0, hi=2.0):
    return lambda r: r.uniform(lo, hi, shape)


def _i(n, *shape):
    return lambda r: r.integers(-n, n, shape)


def _b(*shape):
    return lambda r: r.uniform(size=shape) > 0.5


def _c(*shape):
    return lambda r: r.normal(size=shape) + 1j * r.normal(size=shape)


def _p(name, **params):
    p = registry[name]
    return lambda *xs: bind(p, *xs, **params)


# name -> (tracegrad function, JAX function, per-example argument makers)
UNARY_JAX = {
    "exp": jnp.exp, "log": jnp.log, "log1p": jnp.log1p, "expm1": jnp.expm1, "sin": jnp.sin,
    "cos": jnp.cos, "tan": jnp.tan, "tanh": jnp.tanh, "asin": jnp.arcsin,
    "acos": jnp.arccos, "atan": jnp.arctan, "sinh": jnp.sinh, "cosh": jnp.cosh,
    "asinh": jnp.arcsinh, "acosh": jnp.arccosh, "atanh": jnp.arctanh,
    "logistic": jax.nn.sigmoid, "sqrt": jnp.sqrt, "rsqrt": lax.rsqrt,
    "erf": jax.scipy.special.erf, "floor": jnp.floor, "ceil": jnp.ceil, "round": jnp.round,
    "neg": jnp.negative, "abs": jnp.abs, "sign": jnp.sign,
    "stop_gradient": lax.stop_gradient,
}
DOMAIN = {"log": (0.3, 2), "log1p": (0.3, 2), "sqrt": (0.3, 2), "rsqrt": (0.3, 2),
          "asin": (-0.8, 0.8), "acos": (-0.8, 0.8), "atanh": (-0.8, 0.8), "acosh": (1.2, 3),
          "tan": (-1, 1)}
BINARY_JAX = {
    "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "div": jnp.divide,
    "max": jnp.maximum, "min": jnp.minimum, "atan2": jnp.arctan2,
    "nextafter": jnp.nextafter, "eq": jnp.equal, "ne": jnp.not_equal, "lt": jnp.less,
    "le": jnp.less_equal, "gt": jnp.greater, "ge": jnp.greater_equal,
}
CASES = {}
for _n, _jf in UNARY_JAX.items():
    CASES[_n] = (_p(_n), _jf, [_f(3, 2, lo=DOMAIN.get(_n, (-2, 2))[0],
                                 hi=DOMAIN.get(_n, (-2, 2))[1])])
for _n, _jf in BINARY_JAX.items():
    CASES[_n] = (_p(_n), _jf, [_f(2, 3), _f(3)])  # NumPy broadcasting of ranks 2 and 1
    CASES[_n + "_scalar"] = (_p(_n), _jf, [_f(), _f(2)])
CASES.update({
    "pow": (_p("pow"), jnp.power, [_f(2, 3, lo=0.3), _f(3)]),
    "rem": (_p("rem"), jnp.fmod, [_f(4, lo=2, hi=5), _f(4, lo=0.7, hi=1.3)]),
    "and": (_p("and"), jnp.logical_and, [_b(2, 3), _b(2, 1)]),
    "or": (_p("or"), jnp.bitwise_or, [_i(5, 3), _i(5, 3)]),
    "xor": (_p("xor"), jnp.logical_xor, [_b(4), _b(4)]),
    "not": (_p("not"), jnp.logical_not, [_b(2, 2)]),
    "is_finite": (_p("is_finite"), jnp.isfinite, [_f(3)]),
    "integer_pow": (_p("integer_pow", y=3), lambda x: x ** 3, [_f(2, 2)]),
    "convert_element_type": (_p("convert_element_type", new_dtype=np.dtype(np.float32)),
                             lambda x: x.astype(jnp.float32), [_f(3)]),
    "real": (_p("real"), jnp.real, [_c(3)]),
    "imag": (_p("imag"), jnp.imag, [_c(2, 2)]),
    "conj": (_p("conj"), jnp.conj, [_c(3)]),
    "complex": (_p("complex"), lax.complex, [_f(2, 3), _f(2, 3)]),
    "select_n": (_p("select_n"), lax.select_n, [_b(2, 3), _f(2, 3), _f(2, 3)]),
    "select_n_scalar": (_p("select_n"), lax.select_n, [_b(), _f(2), _f(2)]),
    "select_n_int": (_p("select_n"), lax.select_n, [lambda r: r.integers(0, 3, (4,)),
                                                    _f(4), _f(4), _f(4)]),
    "reduce_sum": (_p("reduce_sum", axes=(0, 2)), lambda x: jnp.sum(x, (0, 2)),
                   [_f(2, 3, 4)]),
    "reduce_max": (_p("reduce_max", axes=(1,)), lambda x: jnp.max(x, 1), [_f(3, 4)]),
    "reduce_min": (_p("reduce_min", axes=(0,)), lambda x: jnp.min(x, 0), [_f(3, 4)]),
    "reduce_prod": (_p("reduce_prod", axes=(0, 1)), jnp.prod, [_f(3, 2)]),
    "reduce_and": (_p("reduce_and", axes=(1,)), lambda x: jnp.all(x, 1), [_b(2, 3)]),
    "reduce_or": (_p("reduce_or", axes=(0,)), lambda x: jnp.any(x, 0), [_b(3, 2)]),
    "argmax": (_p("argmax", axes=(1,), index_dtype=np.dtype(np.int64)),
               lambda x: jnp.argmax(x, 1), [_f(3, 4)]),
    "argmin": (_p("argmin", axes=(0,), index_dtype=np.dtype(np.int32)),
               lambda x: jnp.argmin(x, 0).astype(jnp.int32), [_f(3, 4)]),
    "cumsum": (_p("cumsum", axis=1, reverse=False), lambda x: jnp.cumsum(x, 1), [_f(3, 4)]),
    "cumsum_rev": (_p("cumsum", axis=0, reverse=True),
                   lambda x: lax.cumsum(x, 0, reverse=True), [_f(3, 4)]),
    "broadcast_in_dim": (_p("broadcast_in_dim", shape=(2, 3, 4), broadcast_dimensions=(0, 2)),
                         lambda x: lax.broadcast_in_dim(x, (2, 3, 4), (0, 2)), [_f(2, 4)]),
    "broadcast_in_dim1": (_p("broadcast_in_dim", shape=(3, 4), broadcast_dimensions=(0, 1)),
                          lambda x: lax.broadcast_in_dim(x, (3, 4), (0, 1)), [_f(1, 4)]),
    "broadcast_in_dim0": (_p("broadcast_in_dim", shape=(2, 3), broadcast_dimensions=()),
                          lambda x: lax.broadcast_in_dim(x, (2, 3), ()), [_f()]),
    "reshape": (_p("reshape", new_sizes=(4, 3)), lambda x: x.reshape(4, 3), [_f(2, 6)]),
    "transpose": (_p("transpose", permutation=(2, 0, 1)),
                  lambda x: jnp.transpose(x, (2, 0, 1)), [_f(2, 3, 4)]),
    "squeeze": (_p("squeeze", dimensions=(1, 3)), lambda x: jnp.squeeze(x, (1, 3)),
                [_f(3, 1, 2, 1)]),
    "expand_dims": (_p("expand_dims", dimensions=(0, 2)),
                    lambda x: jnp.expand_dims(x, (0, 2)), [_f(3, 2)]),
    "expand_dims_end": (_p("expand_dims", dimensions=(1, 3)),
                        lambda x: jnp.expand_dims(x, (1, 3)), [_f(3, 2)]),
    "rev": (_p("rev", dimensions=(0, 1)), lambda x: jnp.flip(x, (0, 1)), [_f(3, 4)]),
    "concatenate": (_p("concatenate", dimension=1),
                    lambda x, y, z: jnp.concatenate([x, y, z], 1),
                    [_f(2, 3), _f(2, 2), _f(2, 1)]),
    "pad": (_p("pad", padding_config=((1, -1, 1), (0, 2, 0))),
            lambda x, v: lax.pad(x, v, ((1, -1, 1), (0, 2, 0))), [_f(3, 2), _f()]),
    "slice": (_p("slice", start_indices=(1, 0), limit_indices=(4, 3), strides=(2, 1)),
              lambda x: lax.slice(x, (1, 0), (4, 3), (2, 1)), [_f(5, 3)]),
    "slice_unit": (_p("slice", start_indices=(1,), limit_indices=(3,), strides=None),
                   lambda x: lax.slice(x, (1,), (3,)), [_f(4)]),
    "dot_general": (_p("dot_general", dimension_numbers=(((1,), (0,)), ((), ())),
                       preferred_element_type=None), jnp.matmul, [_f(3, 4), _f(4, 2)]),
    "dot_general_vec": (_p("dot_general", dimension_numbers=(((0,), (0,)), ((), ())),
                           preferred_element_type=None), jnp.dot, [_f(4), _f(4)]),
    "dot_general_outer": (_p("dot_general", dimension_numbers=(((), ()), ((), ()))),
                          jnp.outer, [_f(2), _f(3)]),
    "dot_general_batch": (_p("dot_general", dimension_numbers=(((2,), (1,)), ((0,), (2,))),
                             preferred_element_type=None),
                          lambda x, y: lax.dot_general(x, y, (((2,), (1,)), ((0,), (2,)))),
                          [_f(2, 3, 4), _f(5, 4, 2)]),
    "index_take": (_p("index_take", axis=1), lambda x, i: jnp.take(x, i, 1, mode="wrap"),
                   [_f(2, 3), _i(3, 4)]),
    "index_take_2d": (_p("index_take", axis=0), lambda x, i: jnp.take(x, i, 0, mode="wrap"),
                      [_f(4, 2), _i(4, 2, 3)]),
    "index_take_scalar": (_p("index_take", axis=0),
                          lambda x, i: jnp.take(x, i, 0, mode="wrap"), [_f(4, 2), _i(4)]),
    "index_add": (_p("index_add", axis=0), lambda x, i, u: x.at[i].add(u),
                  [_f(3, 2), _i(3, 4), _f(4, 2)]),
    "index_add_mid": (_p("index_add", axis=1), lambda x, i, u: x.at[:, i].add(u),
                      [_f(2, 3, 2), _i(3, 2, 2), _f(2, 2, 2, 2)]),
    "index_add_scalar": (_p("index_add", axis=1), lambda x, i, u: x.at[:, i].add(u),
                         [_f(2, 3, 2), _i(3), _f(2, 2)]),
})

# The linear-algebra primitives (their NumPy-level tests: test_transforms_linalg.py).
from test_transforms_linalg import VMAP_CASES  # noqa: E402

CASES.update(VMAP_CASES)


def _configs(ndims, out_ndim):
    """(in_axes, out_axes) pairs: all first, all last (negative), each operand alone
    (the others unbatched), and mixed axes."""
    n = len(ndims)
    out = [((0,) * n, 0), ((-1,) * n, -1)]
    if n > 1:
        for i in range(n):
            out.append((tuple(min(1, d) if j == i else None for j, d in enumerate(ndims)), 0))
        out.append((tuple(d if j % 2 else 0 for j, d in enumerate(ndims)), min(1, out_ndim)))
    else:
        out.append(((min(1, ndims[0]),), -1))
    return out


def _insert(x, axis):
    """B examples of ``x`` (each perturbed) stacked along ``axis`` (None: ``x``)."""
    if axis is None:
        return x
    x = np.asarray(x)
    if x.dtype.kind in "fc":
        xs = [x * (1 + 0.1 * k) for k in range(B)]
    elif x.dtype.kind == "b":
        xs = [x ^ bool(k % 2) for k in range(B)]
    else:
        xs = [np.roll(x, k) for k in range(B)]
    return np.stack(xs, axis)


def _check(ours, theirs):
    theirs = np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_primitive_batched_along_axes_vs_jax(name):
    tg, jf, makers = CASES[name]
    rng = np.random.default_rng(len(name))
    args = [np.asarray(m(rng)) for m in makers]
    out_ndim = np.ndim(tg(*args))
    for in_axes, out_axes in _configs([a.ndim for a in args], out_ndim):
        bargs = [_insert(a, ax) for a, ax in zip(args, in_axes)]
        ours = vmap(tg, in_axes=in_axes, out_axes=out_axes)(*bargs)
        theirs = jax.vmap(jf, in_axes=in_axes, out_axes=out_axes)(*map(jnp.asarray, bargs))
        _check(ours, theirs)


def test_registry_crossed_with_batching_table():
    tested = {n.split("_scalar")[0] for n in CASES}
    for name, p in registry.items():
        assert p in batch_rules, f"no batching rule for {name}"
        if not name.startswith("custom_"):
            assert any(t == name or t.startswith(name) for t in tested), \
                f"no batching test for {name}"


# ---------------------------------------------------------------------------
# pytrees, keyword arguments, nesting

def test_pytree_in_axes_prefixes_and_out_axes():
    rng = np.random.default_rng(0)
    params = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=(2,))}
    xs = rng.normal(size=(4, 3))
    pair = (rng.normal(size=(2, 4)), [rng.normal(size=(4,)), None])

    def f(p, x, pr):
        h = np.tanh(x @ p["w"] + p["b"])
        a, (c, _) = pr
        return {"h": h, "s": (np.sum(h) * c, a * 2.0)}

    def jf(p, x, pr):
        h = jnp.tanh(x @ p["w"] + p["b"])
        a, (c, _) = pr
        return {"h": h, "s": (jnp.sum(h) * c, a * 2.0)}

    in_axes = (None, 0, (1, [0, None]))
    out_axes = {"h": 0, "s": (-1, 1)}
    ours = vmap(f, in_axes, out_axes)(params, xs, pair)
    theirs = jax.vmap(jf, in_axes, out_axes)(params, xs, pair)
    assert set(ours) == {"h", "s"} and isinstance(ours["s"], tuple)
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        _check(a, b)
    # in_axes given as a list (per positional argument), dict prefixes
    ours = vmap(f, [{"w": None, "b": None}, 0, (1, [0, None])])(params, xs, pair)
    _check(ours["h"], theirs["h"])


def test_kwargs_mapped_over_axis_0_and_lists_stay_lists():
    xs, ys = np.ones((3, 2)), np.arange(6.0).reshape(3, 2)
    out = vmap(lambda x, y=None: [x + y, x * y])(xs, y=ys)
    assert isinstance(out, list)
    _check(out[1], xs * ys)


def test_unmapped_python_values_and_control_flow_on_them():
    def f(x, n, mode):
        y = x
        for _ in range(n):  # a Python int, not traced
            y = np.sin(y)
        return y * 2 if mode == "double" else y

    xs = np.linspace(0, 1, 5)
    _check(vmap(f, (0, None, None))(xs, 3, "double"), 2 * np.sin(np.sin(np.sin(xs))))


def test_control_flow_on_a_mapped_value_raises_with_a_hint():
    with pytest.raises(TracerBoolConversionError) as e:
        vmap(lambda x: x if x > 0 else -x)(np.ones(3))
    assert "np.where" in "".join(getattr(e.value, "__notes__", []))
    assert current_trace.get() is None
    _check(vmap(lambda x: np.where(x > 0, x, -x))(np.array([-1.0, 2.0])), np.array([1.0, 2.0]))


def test_nested_vmap_outer_product_and_matmul():
    a, b = np.arange(3.0), np.arange(4.0) + 1
    outer = vmap(vmap(lambda x, y: x * y, (None, 0)), (0, None))(a, b)
    _check(outer, np.outer(a, b))
    rng = np.random.default_rng(1)
    m, n = rng.normal(size=(2, 5)), rng.normal(size=(5, 3))
    mm = vmap(vmap(np.dot, (None, 1)), (0, None))(m, n)
    _check(mm, m @ n)
    f = vmap(vmap(lambda x: np.sum(np.sin(x) * x), in_axes=1, out_axes=0), in_axes=2)
    x = rng.normal(size=(2, 3, 4))
    theirs = jax.vmap(jax.vmap(lambda x: jnp.sum(jnp.sin(x) * x), 1, 0), 2)(x)
    _check(f(x), theirs)


def test_unbatched_output_broadcast_and_out_axes_none():
    x = np.ones((4, 2))
    out = vmap(lambda x, c: (x * 2, c + 1.0), in_axes=(0, None), out_axes=(0, None))(x, 3.0)
    _check(out[0], 2 * x)
    _check(out[1], np.asarray(4.0))
    _check(vmap(lambda x: 1.0)(x), np.ones(4))  # a constant output is broadcast


# ---------------------------------------------------------------------------
# composition with derivatives

def _mlp(xp):
    def loss(w, x):
        return xp.sum(xp.tanh(x @ w) ** 2) + xp.sum(xp.sin(w)) * x[0]
    return loss


def test_vmap_of_grad_and_grad_of_vmap_vs_jax():
    rng = np.random.default_rng(2)
    w, xs = rng.normal(size=(3, 2)), rng.normal(size=(5, 3))
    ours = vmap(grad(_mlp(np)), in_axes=(None, 0))(w, xs)
    theirs = jax.vmap(jax.grad(_mlp(jnp)), in_axes=(None, 0))(w, xs)
    _check(ours, theirs)
    ours = grad(lambda w: np.sum(vmap(_mlp(np), (None, 0))(w, xs)))(w)
    theirs = jax.grad(lambda w: jnp.sum(jax.vmap(_mlp(jnp), (None, 0))(w, xs)))(w)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    # per-example gradients with respect to the batched argument, then a Hessian
    ours = vmap(grad(_mlp(np), argnums=1), in_axes=(None, 0))(w, xs)
    _check(ours, jax.vmap(jax.grad(_mlp(jnp), argnums=1), in_axes=(None, 0))(w, xs))
    ours = vmap(hessian(_mlp(np), argnums=1), in_axes=(None, 0))(w, xs)
    theirs = jax.jit(jax.vmap(jax.hessian(_mlp(jnp), argnums=1), in_axes=(None, 0)))(w, xs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_jvp_vjp_jacobians_of_vmap_and_vmap_of_them():
    rng = np.random.default_rng(3)
    xs, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    f = lambda x: np.sin(x) * np.sum(x ** 2)
    jf = lambda x: jnp.sin(x) * jnp.sum(x ** 2)
    out, tout = jvp(vmap(f), (xs,), (t,))
    jout, jtout = jax.jvp(jax.vmap(jf), (xs,), (t,))
    _check(out, jout)
    _check(tout, jtout)
    _check(vmap(lambda x, t: jvp(f, (x,), (t,))[1])(xs, t),
           jax.vmap(lambda x, t: jax.jvp(jf, (x,), (t,))[1])(xs, t))
    _check(vjp(vmap(f), xs)[1](t)[0], jax.vjp(jax.vmap(jf), xs)[1](t)[0])
    _check(vmap(jacrev(f))(xs), jax.vmap(jax.jacrev(jf))(xs))
    _check(jacfwd(vmap(f))(xs), jax.jacfwd(jax.vmap(jf))(xs))


def test_make_ir_of_vmap_is_readable_and_small():
    w = np.ones((2, 3))
    closed = make_ir(vmap(lambda x: np.tanh(w @ x)))(np.ones((5, 3)))
    names = [e.prim.name for e in closed.eqns]
    # the batch axis is a free dimension of the product: no copy per example
    assert names.count("dot_general") == 1 and len(names) <= 3, closed
    assert "tanh" in str(closed)
    jaxpr = jax.make_jaxpr(jax.vmap(lambda x: jnp.tanh(w @ x)))(jnp.ones((5, 3)))
    assert len(closed.eqns) <= len(jaxpr.eqns)


def test_batch_ir_directly():
    closed = make_ir(lambda x, y: np.sum(x * y, axis=0))(np.ones((2, 3)), np.ones(3))
    bclosed, dims = batch_ir(closed, (1, None), 4)
    assert [v.aval.shape for v in bclosed.ir.in_vars] == [(2, 4, 3), (3,)]
    assert dims == (0,)
    bclosed, dims = batch_ir(closed, (None, None), 4, out_dims=(1,))
    assert bclosed.ir.out_vars[0].aval.shape == (3, 4) and dims == (1,)


# ---------------------------------------------------------------------------
# custom derivatives keep their rules under vmap

@custom_vjp
def _clip_grad(x):
    return np.sin(x)


_clip_grad.defvjp(lambda x: (np.sin(x), np.cos(x)), lambda c, g: (2.0 * c * g,))


@custom_jvp
def _softplus(x):
    return np.log1p(np.exp(x))


@_softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _softplus(x), 3.0 * t / (1 + np.exp(-x))


def test_custom_vjp_and_custom_jvp_under_vmap():
    xs = np.linspace(-1, 1, 4)
    _check(vmap(_clip_grad)(xs), np.sin(xs))
    _check(grad(lambda x: np.sum(vmap(_clip_grad)(x)))(xs), 2 * np.cos(xs))
    _check(vmap(grad(_clip_grad))(xs), 2 * np.cos(xs))
    # jacfwd goes through the linearised custom call (custom_vjp_call_lin), batched
    _check(jacfwd(lambda x: _clip_grad(x) * 1.0)(xs), np.diag(np.cos(xs)))
    _check(vmap(_softplus)(xs), np.log1p(np.exp(xs)))
    sig = 1 / (1 + np.exp(-xs))
    _check(grad(lambda x: np.sum(vmap(_softplus)(x)))(xs), 3 * sig)
    _check(vmap(grad(_softplus))(xs), 3 * sig)
    _check(jacrev(_softplus)(xs), np.diag(3 * sig))


# ---------------------------------------------------------------------------
# errors: JAX's types and wording; the library stays usable

@pytest.mark.parametrize("call, err, match", [
    (lambda: vmap(lambda x, y: x + y)(np.ones(2), np.ones(3)), ValueError,
     "inconsistent sizes"),
    (lambda: vmap(np.sin, in_axes=1)(np.ones(3)), ValueError, "rank should be at least 2"),
    (lambda: vmap(np.sin, in_axes=-2)(np.ones(3)), ValueError, "rank should be at least 2"),
    (lambda: vmap(np.sin, in_axes=(0, 0))(np.ones(3)), ValueError, "len\\(in_axes\\)=2"),
    (lambda: vmap(lambda p: p, in_axes=({"a": 0},))((np.ones(2),)), ValueError,
     "tree prefix"),
    (lambda: vmap(np.sin, in_axes="0"), TypeError, "in_axes must be an int"),
    (lambda: vmap(np.sin, in_axes=(1.5,)), TypeError, "in_axes must be an int"),
    (lambda: vmap(np.sin, out_axes=[0.0]), TypeError, "out_axes must be an int"),
    (lambda: vmap(np.sin, in_axes=None)(np.ones(3)), ValueError, "at least one non-None"),
    (lambda: vmap(np.sin)(), ValueError, "at least one argument"),
    (lambda: vmap(np.sin, out_axes=None)(np.ones(3)), ValueError,
     "mapped output but out_axes is None"),
    (lambda: vmap(np.sin, out_axes=2)(np.ones(3)), ValueError, "out of range"),
    (lambda: vmap(np.sin)(2.0), ValueError, "rank should be at least 1"),
])
def test_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()
    assert current_trace.get() is None
    _check(vmap(np.sin)(np.zeros(2)), np.zeros(2))


def test_jax_wording_for_inconsistent_sizes_names_the_arguments():
    with pytest.raises(ValueError) as e:
        vmap(lambda a, b: a["x"] + b, in_axes=({"x": 1}, 0))({"x": np.ones((3, 2))}, np.ones(3))
    msg = str(e.value)
    assert "axis 1 of argument args[0]['x'] of type f64[3,2] has size 2" in msg
    assert "axis 0 of argument args[1] of type f64[3] has size 3" in msg


# ---------------------------------------------------------------------------
# random programs (the generator of test_jax_random_programs): vmap against a loop


@settings(max_examples=100, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=hst.data(), program=programs(min_ops=5, max_ops=20))
def test_random_programs_vmap_matches_a_loop(data, program):
    rng = np.random.default_rng(0)
    shapes = program.in_shapes
    axes = [data.draw(hst.sampled_from([None] + list(range(-len(s) - 1, len(s) + 1))))
            for s in shapes]
    if all(a is None for a in axes):
        axes[0] = 0
    xs = [rng.normal(size=s) for s in shapes]
    bxs = [_insert(x, a) for x, a in zip(xs, axes)]
    run = lambda *a: program.run(np, *a)
    ours = vmap(run, in_axes=tuple(axes))(*bxs)
    per = []
    for k in range(B):
        ex = [x if a is None else np.take(bx, k, axis=a) for x, bx, a in zip(xs, bxs, axes)]
        per.append(run(*ex))
    np.testing.assert_allclose(ours, np.stack(per), rtol=1e-10, atol=1e-12,
                               err_msg=f"in_axes={axes}\n{program}")
    # and the per-example gradient
    g = lambda *a: grad(lambda *b: np.sum(run(*b)))(*a)
    ours = vmap(g, in_axes=tuple(axes))(*bxs)
    ex0 = [x if a is None else np.take(bx, 1, axis=a) for x, bx, a in zip(xs, bxs, axes)]
    np.testing.assert_allclose(np.take(ours, 1, axis=0), g(*ex0), rtol=1e-9, atol=1e-11,
                               err_msg=f"in_axes={axes}\n{program}")


def test_batched_programs_lower_to_jax():
    from tracegrad.interop.jax import to_jax

    rng = np.random.default_rng(4)
    f = vmap(lambda x, y, i: np.tanh(x @ y)[i], in_axes=(1, 2, 0))
    args = rng.normal(size=(3, 5, 4)), rng.normal(size=(4, 2, 5)), rng.integers(-3, 3, (5, 2))
    np.testing.assert_allclose(jax.jit(to_jax(f))(*args), f(*args), rtol=1e-12)


def test_vmap_of_a_100k_equation_chain():
    def chain(x):
        for _ in range(100_000):
            x = np.sin(x)
        return x

    xs = np.linspace(0.0, 1.0, 3)
    out = vmap(chain)(xs)
    assert out.shape == (3,) and np.all(np.isfinite(out)) and np.all(out < xs + 1e-12)


# ---------------------------------------------------------------------------
# jacfwd / jacrev / hessian: one batched copy of the jvp / vjp program

def test_jacobians_are_one_batched_copy_whatever_the_basis_size():
    f = lambda x: np.sum(np.tanh(x) ** 2) * np.sum(x)
    v = lambda x: np.sin(x) * np.sum(x ** 2)
    for transform, fn in [(hessian, f), (jacfwd, v), (jacrev, v)]:
        sizes = {len(make_ir(transform(fn))(np.linspace(0.1, 1, n)).eqns) for n in (2, 5, 40)}
        assert len(sizes) == 1, (transform.__name__, sizes)


def test_notebook_06_hessian_is_smaller_than_jax():
    x, w = np.linspace(-1, 1, 6).reshape(2, 3), np.linspace(0, 1, 12).reshape(3, 4)
    ours = make_ir(hessian(lambda x, w: np.sum(np.tanh(x @ w) ** 2)))(x, w)
    theirs = jax.make_jaxpr(jax.hessian(lambda x, w: jnp.sum(jnp.tanh(x @ w) ** 2)))(x, w)
    assert len(ours.eqns) < len(theirs.eqns)


def test_jacobians_of_several_leaves_vs_jax():
    rng = np.random.default_rng(5)
    a, b, c = rng.normal(size=(2, 3)), rng.normal(), rng.normal(size=4)

    def f(xp):
        def fun(a, b, c):
            return {"u": xp.tanh(a) * b, "v": xp.sum(a) * c, "w": b * 2.0 + 0 * xp.sum(c)}
        return fun

    args = (a, np.float64(b), c)
    for ours, theirs in [(jacfwd, jax.jacfwd), (jacrev, jax.jacrev)]:
        got = ours(f(np), argnums=(0, 1, 2))(*args)
        want = theirs(f(jnp), argnums=(0, 1, 2))(*map(jnp.asarray, args))
        for x, y in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
            _check(x, y)
    got = hessian(lambda a, c: np.sum(np.sin(a) ** 2) * np.sum(c ** 3), argnums=(0, 1))(a, c)
    want = jax.hessian(lambda a, c: jnp.sum(jnp.sin(a) ** 2) * jnp.sum(c ** 3),
                       argnums=(0, 1))(a, c)
    for x, y in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)
