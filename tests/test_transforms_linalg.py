"""np.linalg on tracers (det, slogdet, inv, solve, cholesky, eigh, eigvalsh, svd,
matrix_power, pinv, norm 2/-2/nuc, np.trace): values vs NumPy, jvp / vjp / grad /
Hessians vs JAX (x64) and central differences, vmap vs jax.vmap, lowering to JAX,
from_jax, and the errors. ``PRIM_CASES`` / ``VMAP_CASES`` feed the registry-walking
tests in test_transforms_prims.py and test_transforms_vmap.py."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax
from tracegrad.interop.jax import from_jax, jit, to_jax
from tracegrad.tracer import bind, make_ir, registry
from tracegrad.transforms import grad, hessian, jvp, vjp, vmap

jax.config.update("jax_enable_x64", True)


# ---------------------------------------------------------------------------
# well-conditioned matrices: singular values / eigenvalues kept apart

def _orth(rng, n):
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def general(rng, shape, dt=np.float64):
    *batch, m, n = shape
    out = np.empty(shape)
    for idx in np.ndindex(*batch):
        k = min(m, n)
        s = np.linspace(1.0, 3.0, k) * rng.uniform(0.9, 1.1, k)
        out[idx] = _orth(rng, m)[:, :k] @ np.diag(s) @ _orth(rng, n)[:, :k].T
    return out.astype(dt)


def symmetric(rng, shape, dt=np.float64, positive=False):
    *batch, n, _ = shape
    out = np.empty(shape)
    for idx in np.ndindex(*batch):
        w = np.linspace(0.5, 3.0, n) if positive else np.linspace(-2.0, 2.5, n)
        q = _orth(rng, n)
        out[idx] = q @ np.diag(w) @ q.T
    return out.astype(dt)


def spd(rng, shape, dt=np.float64):
    return symmetric(rng, shape, dt, positive=True)


def normal(rng, shape, dt=np.float64):
    return rng.normal(size=shape).astype(dt)


# ---------------------------------------------------------------------------
# functions written once for both NumPy modules (xp is np or jnp); eigenvectors and
# singular vectors enter squared, which is independent of their sign convention

def _eigh_inv(xp):
    def f(a):
        w, v = xp.linalg.eigh(a)
        return v * v * w[..., None, :]
    return f


def _svd_inv(full):
    def make(xp):
        def f(a):
            u, s, vt = xp.linalg.svd(a, full_matrices=full)
            k = s.shape[-1]
            return (u[..., :, :k] * u[..., :, :k] * s[..., None, :]) @ (vt[..., :k, :] ** 2)
        return f
    return make


FUNCS = {
    "det": (lambda xp: xp.linalg.det, [(general, (3, 3))]),
    "det_batch": (lambda xp: xp.linalg.det, [(general, (2, 4, 4))]),
    "slogdet": (lambda xp: lambda a: xp.linalg.slogdet(a)[1] * xp.linalg.slogdet(a)[0],
                [(general, (2, 3, 3))]),
    "inv": (lambda xp: xp.linalg.inv, [(general, (3, 3))]),
    "inv_batch": (lambda xp: xp.linalg.inv, [(general, (2, 1, 3, 3))]),
    "solve_vec": (lambda xp: xp.linalg.solve, [(general, (4, 4)), (normal, (4,))]),
    "solve_mat": (lambda xp: xp.linalg.solve, [(general, (3, 3)), (normal, (3, 2))]),
    "solve_batch_broadcast": (lambda xp: xp.linalg.solve,
                              [(general, (2, 1, 3, 3)), (normal, (4, 3, 2))]),
    "solve_batch_vec": (lambda xp: xp.linalg.solve, [(general, (2, 3, 3)), (normal, (3,))]),
    "cholesky": (lambda xp: xp.linalg.cholesky, [(spd, (4, 4))]),
    "cholesky_batch_upper": (lambda xp: lambda a: xp.linalg.cholesky(a, upper=True),
                             [(spd, (2, 3, 3))]),
    "eigh": (_eigh_inv, [(symmetric, (4, 4))]),
    "eigh_batch": (_eigh_inv, [(symmetric, (2, 3, 3))]),
    "eigvalsh": (lambda xp: xp.linalg.eigvalsh, [(symmetric, (2, 4, 4))]),
    "svd_square": (_svd_inv(True), [(general, (3, 3))]),
    "svd_tall": (_svd_inv(False), [(general, (2, 5, 3))]),
    "svd_wide": (_svd_inv(False), [(general, (3, 5))]),
    "svdvals": (lambda xp: lambda a: xp.linalg.svd(a, compute_uv=False),
                [(general, (2, 4, 3))]),
    "matrix_power3": (lambda xp: lambda a: xp.linalg.matrix_power(a, 3), [(general, (3, 3))]),
    "matrix_power-2": (lambda xp: lambda a: xp.linalg.matrix_power(a, -2),
                       [(general, (2, 3, 3))]),
    "matrix_power0": (lambda xp: lambda a: xp.linalg.matrix_power(a, 0) + a,
                      [(general, (3, 3))]),
    "pinv": (lambda xp: xp.linalg.pinv, [(general, (4, 3))]),
    "pinv_square": (lambda xp: xp.linalg.pinv, [(general, (2, 3, 3))]),
    "trace": (lambda xp: xp.trace, [(normal, (3, 4))]),
    "trace_offset_axes": (lambda xp: lambda a: xp.trace(a, 1, 2, 0), [(normal, (3, 2, 4))]),
    "trace_neg_offset": (lambda xp: lambda a: xp.trace(a, offset=-1), [(normal, (4, 3))]),
    "norm2": (lambda xp: lambda a: xp.linalg.norm(a, 2), [(general, (3, 4))]),
    "norm-2": (lambda xp: lambda a: xp.linalg.norm(a, -2), [(general, (3, 3))]),
    "norm_nuc_axes": (lambda xp: lambda a: xp.linalg.norm(a, "nuc", axis=(2, 0),
                                                          keepdims=True),
                      [(general, (4, 2, 3))]),
}
NAMES = sorted(FUNCS)


def _args(name, dt=np.float64, seed=0):
    rng = np.random.default_rng(seed + len(name))
    return [gen(rng, shape, dt) for gen, shape in FUNCS[name][1]]


def _fns(name):
    make = FUNCS[name][0]
    return make(np), make(jnp)


def _close(a, b, rtol=1e-9, atol=1e-10):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------
# values

@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_values_vs_numpy(name, dt):
    f, _ = _fns(name)
    args = _args(name, dt)
    want = f(*args)                       # NumPy itself
    got = make_ir(f)(*args)               # traced, then evaluated
    from tracegrad.tracer import eval_ir
    out = eval_ir(got, *args)
    out = out[0] if isinstance(out, (list, tuple)) else out
    assert np.asarray(out).dtype == np.asarray(want).dtype, (out.dtype, want.dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dt == np.float32 else dict(rtol=1e-10, atol=1e-10)
    _close(out, want, **tol)


def test_namedtuple_results_and_unpacking():
    rng = np.random.default_rng(1)
    a = symmetric(rng, (3, 3))

    def f(a):
        w, v = np.linalg.eigh(a)
        r = np.linalg.svd(a)
        sl = np.linalg.slogdet(a)
        assert np.linalg.eigh(a).eigenvalues is not None and r.S is not None
        return w.sum() + r.U.sum() * 0 + sl.logabsdet + sl.sign + v.sum() * 0

    got = grad(f)(a)
    assert got.shape == (3, 3)


# ---------------------------------------------------------------------------
# first order vs JAX and finite differences

@pytest.mark.parametrize("name", NAMES)
def test_jvp_vjp_vs_jax_and_fd(name):
    f, jf = _fns(name)
    args = _args(name)
    rng = np.random.default_rng(3)
    tans = [rng.normal(size=a.shape) for a in args]
    if name.startswith(("cholesky", "eigh", "eigvalsh")):
        # NumPy reads one triangle where JAX (and tracegrad) symmetrize: for finite
        # differences of plain NumPy the perturbation stays symmetric
        tans = [t + np.swapaxes(t, -1, -2) for t in tans]
    out, t_out = jvp(f, tuple(args), tuple(tans))
    j_out, j_t = jax.jvp(jf, tuple(map(jnp.asarray, args)), tuple(map(jnp.asarray, tans)))
    _close(out, j_out)
    _close(t_out, j_t)
    h = 1e-6
    fd = (f(*[a + h * t for a, t in zip(args, tans)])
          - f(*[a - h * t for a, t in zip(args, tans)])) / (2 * h)
    _close(t_out, fd, rtol=1e-5, atol=1e-6)
    ct = rng.normal(size=np.shape(out))
    _, f_vjp = vjp(f, *args)
    _, j_vjp = jax.vjp(jf, *map(jnp.asarray, args))
    for a, b in zip(f_vjp(ct), j_vjp(jnp.asarray(ct))):
        _close(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_grad_and_hessian_vs_jax(name):
    f, jf = _fns(name)
    args = _args(name)
    rng = np.random.default_rng(5)
    w = rng.normal(size=np.shape(f(*args)))

    def loss(*xs):
        return np.sum(f(*xs) * w)

    def jloss(*xs):
        return jnp.sum(jf(*xs) * w)

    argnums = tuple(range(len(args)))
    for a, b in zip(grad(loss, argnums)(*args), jax.grad(jloss, argnums)(*args)):
        _close(a, b)
    if args[0].size <= 16:  # second order: Hessian wrt the matrix
        _close(hessian(loss)(*args), jax.hessian(jloss)(*args), rtol=1e-8, atol=1e-9)


def test_grad_of_grad_det_and_logdet():
    a = general(np.random.default_rng(2), (3, 3))

    def g(a):
        return np.sum(grad(lambda b: np.linalg.slogdet(b)[1])(a) ** 2) + np.linalg.det(a)

    def jg(a):
        return jnp.sum(jax.grad(lambda b: jnp.linalg.slogdet(b)[1])(a) ** 2) + jnp.linalg.det(a)

    _close(grad(g)(a), jax.grad(jg)(a), rtol=1e-8)


# ---------------------------------------------------------------------------
# vmap, lowering, import

@pytest.mark.parametrize("name", ["det", "inv", "solve_mat", "cholesky", "eigh",
                                  "svd_tall", "trace_offset_axes", "norm2", "pinv"])
def test_vmap_vs_jax(name):
    f, jf = _fns(name)
    args = _args(name)
    batched = [np.stack([a * (1 + 0.05 * k) for k in range(3)], axis=-1) for a in args]
    in_axes = (-1,) * len(args)
    _close(vmap(f, in_axes=in_axes)(*batched), jax.vmap(jf, in_axes=in_axes)(*batched))
    gf = vmap(grad(lambda *xs: np.sum(f(*xs))), in_axes=in_axes)(*batched)
    gj = jax.vmap(jax.grad(lambda *xs: jnp.sum(jf(*xs))), in_axes=in_axes)(*batched)
    _close(gf, gj)


@pytest.mark.parametrize("name", NAMES)
def test_to_jax_and_jit_equal_jax(name):
    f, jf = _fns(name)
    args = _args(name)
    want = jf(*args)
    _close(to_jax(f)(*args), want)
    _close(jit(f)(*args), want)
    _close(jax.grad(lambda *xs: jnp.sum(to_jax(f)(*xs)))(*args),
           jax.grad(lambda *xs: jnp.sum(jf(*xs)))(*args))


@pytest.mark.parametrize("name", ["cholesky", "eigh", "eigvalsh", "svdvals", "svd_square",
                                  "det", "norm2"])
def test_from_jax_import(name):
    f, jf = _fns(name)
    args = _args(name)
    imported = from_jax(jf)
    _close(imported(*args), f(*args))
    _close(grad(lambda *xs: np.sum(imported(*xs)))(*args),
           jax.grad(lambda *xs: jnp.sum(jf(*xs)))(*args))


def test_from_jax_lax_linalg_primitives():
    rng = np.random.default_rng(4)
    a, b = general(rng, (3, 3)), normal(rng, (3, 2))

    def jf(a, b):
        lu, _, perm = lax.linalg.lu(a)
        y = lax.linalg.triangular_solve(lu, b[perm], left_side=True, lower=True,
                                        unit_diagonal=True)
        return lax.linalg.triangular_solve(lu, y, left_side=True, lower=False)

    _close(from_jax(jf)(a, b), np.linalg.solve(a, b))
    for ours, theirs in zip(grad(lambda a, b: np.sum(from_jax(jf)(a, b)), (0, 1))(a, b),
                            jax.grad(lambda a, b: jnp.sum(jf(a, b)), (0, 1))(a, b)):
        _close(ours, theirs)


def test_from_jax_solve_is_refused_clearly():
    # jnp.linalg.solve / inv use lax.custom_linear_solve (a higher-order primitive)
    with pytest.raises(NotImplementedError, match="custom_linear_solve"):
        from_jax(jnp.linalg.inv)(np.eye(3))


# ---------------------------------------------------------------------------
# errors

@pytest.mark.parametrize("fn", [np.linalg.det, np.linalg.inv, np.linalg.cholesky,
                                np.linalg.eigh, np.linalg.slogdet,
                                lambda a: np.linalg.solve(a, np.ones(2))])
def test_non_square_raises_linalgerror(fn):
    with pytest.raises(np.linalg.LinAlgError, match=r"must have shape \[\.\.\., n, n\]"):
        grad(lambda a: np.sum(fn(a)[0]))(np.ones((2, 3)))
    # a LinAlgError is a ValueError, which jax.numpy raises
    with pytest.raises(ValueError):
        grad(lambda a: np.sum(fn(a)[0]))(np.ones(3))


def test_wrong_shapes_and_dtypes():
    with pytest.raises(ValueError, match="b must have shape"):
        grad(lambda a: np.sum(np.linalg.solve(a, np.ones(4))))(np.eye(3))
    with pytest.raises(ValueError, match="do not broadcast"):
        grad(lambda a: np.sum(np.linalg.solve(a, np.ones((3, 3, 1)))))(np.ones((2, 3, 3)))
    with pytest.raises(NotImplementedError, match="complex"):
        jvp(lambda a: np.linalg.inv(a), (np.eye(2) + 0j,), (np.eye(2) + 0j,))
    with pytest.raises(NotImplementedError, match="full_matrices"):
        grad(lambda a: np.sum(np.linalg.svd(a)[0]))(np.ones((3, 2)))
    with pytest.raises(ValueError, match="UPLO"):
        grad(lambda a: np.sum(np.linalg.eigh(a, UPLO="X")[0]))(np.eye(2))
    with pytest.raises(ValueError, match="triangular_solve"):
        registry["triangular_solve"].abstract_eval(
            *[make_ir(lambda x: x)(np.ones(s)).in_avals[0] for s in ((3, 3), (2, 2))],
            left_side=True, lower=True, transpose_a=False, conjugate_a=False,
            unit_diagonal=False)


def test_integer_input_and_singular_slogdet():
    a = np.array([[2, 1], [1, 3]])
    out = make_ir(lambda x: np.linalg.det(x))(a.astype(float))
    assert make_ir(np.linalg.inv)(a).out_avals[0].dtype == np.float64
    assert out.out_avals[0].dtype == np.float64
    sign, logdet = jit(lambda x: np.linalg.slogdet(x))(np.ones((2, 2)))
    assert float(sign) == 0.0 and np.isneginf(logdet)


# ---------------------------------------------------------------------------
# the primitives, for the registry-walking tests of the other modules

def _prim(name, pick=None, **params):
    p = registry[name]

    def f(*xs):
        out = bind(p, *xs, **params)
        return pick(*out) if pick else out
    return f


def _sym(x, xp=np):
    return x + xp.swapaxes(x, -1, -2)


def _jsvd(x, full=False):
    u, s, vt = lax.linalg.svd(x, full_matrices=full)
    return s, u, vt


def _gen(maker, shape):
    return lambda rng, dt: maker(rng, shape, dt)


_TS = dict(left_side=True, lower=True, transpose_a=True, conjugate_a=False,
           unit_diagonal=False)
_TS_R = dict(left_side=False, lower=False, transpose_a=False, conjugate_a=False,
             unit_diagonal=True)


def _svd_pick(s, u, vt):
    return (u * u * s[..., None, :]) @ (vt * vt)


# (name, tracegrad function, JAX function, argument makers(rng, dtype))
PRIM_CASES = [
    ("lu", _prim("lu", lambda lu, piv, perm: lu),
     lambda x: lax.linalg.lu(x)[0], [_gen(general, (2, 3, 3))]),
    ("triangular_solve", _prim("triangular_solve", **_TS),
     lambda a, b: lax.linalg.triangular_solve(a, b, **_TS),
     [_gen(general, (3, 3)), _gen(normal, (3, 2))]),
    ("triangular_solve_right", _prim("triangular_solve", **_TS_R),
     lambda a, b: lax.linalg.triangular_solve(a, b, **_TS_R),
     [_gen(general, (3, 3)), _gen(normal, (2, 3))]),
    ("cholesky", lambda x: bind(registry["cholesky"], _sym(x)),
     lambda x: lax.linalg.cholesky(_sym(x, jnp), symmetrize_input=False),
     [_gen(spd, (3, 3))]),
    ("eigh", lambda x: _prim("eigh", lambda v, w: v * v * w[..., None, :], lower=True,
                             sort_eigenvalues=True)(_sym(x)),
     lambda x: (lambda v, w: v * v * w[..., None, :])(
         *lax.linalg.eigh(_sym(x, jnp), symmetrize_input=False)),
     [_gen(symmetric, (3, 3))]),
    ("svd", _prim("svd", _svd_pick, full_matrices=False, compute_uv=True),
     lambda x: _svd_pick(*_jsvd(x)), [_gen(general, (4, 3))]),
    ("svd_vals", _prim("svd", lambda s: s, full_matrices=False, compute_uv=False),
     lambda x: _jsvd(x)[0], [_gen(general, (2, 3, 4))]),
]

# name -> (tracegrad function, JAX function, argument makers(rng)) for vmap
VMAP_CASES = {name: (tg, jf, [lambda r, g=g: g(r, np.float64) for g in gens])
              for name, tg, jf, gens in PRIM_CASES}


@pytest.mark.parametrize("case", PRIM_CASES, ids=[c[0] for c in PRIM_CASES])
def test_primitive_impls_and_abstract_eval(case):
    name, tg, jf, gens = case
    rng = np.random.default_rng(0)
    args = [g(rng, np.float64) for g in gens]
    _close(tg(*args), jf(*args), rtol=1e-12, atol=1e-12)
    ir = make_ir(tg)(*args)
    assert ir.out_avals[0].shape == np.shape(tg(*args))
