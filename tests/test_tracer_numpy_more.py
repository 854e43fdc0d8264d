"""More NumPy on tracers (tracer/numpy_more.py): values against NumPy itself (float32 and
float64), derivatives (vjp with a random cotangent, jvp with a random tangent) against
jax.numpy in x64, a few vmaps, and the exception types NumPy raises for bad input.

Each derivative case is written once against an array module ``xp`` (NumPy for tracegrad,
jax.numpy for JAX), so JAX is an independent implementation of the same program.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tracegrad.tracer import eval_ir, make_ir
from tracegrad.transforms import grad, jvp, vjp, vmap

jax.config.update("jax_enable_x64", True)

# some cases take log of negative numbers on purpose (NaN inputs for nansum, nan_to_num)
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

RNG = np.random.default_rng(7)
A = RNG.normal(size=(3, 4))
B = RNG.normal(size=(3, 4))
V = RNG.normal(size=5)
W = RNG.uniform(0.5, 2.0, size=4)
P = RNG.uniform(0.2, 3.0, size=(3, 4))
SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, 0.5, np.inf, -np.inf, np.nan, 2.5, -1.0])


def _check_values(f, *args, rtol):
    """Trace f, evaluate the IR on the inputs, compare with f on NumPy (dtype and shape)."""
    closed = make_ir(f)(*args)
    got = eval_ir(closed, *args)
    want = f(*args)
    want = list(want) if isinstance(want, (list, tuple)) else [want]
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (i, g.shape, w.shape, g.dtype,
                                                          w.dtype)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol, err_msg=str(i))


# name -> (function of one array, input)
VALUES = {
    "fmod": (lambda a: [np.fmod(a, 0.7), np.fmod(-a, 0.7), np.fmod(3.0, a)], A),
    "trunc_round": (lambda a: [np.trunc(a * 3), np.round(a, 2), np.around(a * 10),
                               np.round(a * 100, -1), np.round(a, 0)], A),
    "hypot": (lambda a: [np.hypot(a, 2.0), np.hypot(a, a[::-1]), np.hypot(0 * a, 0 * a)], A),
    "logaddexp": (lambda a: [np.logaddexp(a, 0.5), np.logaddexp2(a, a.T[:3, :1]),
                             np.logaddexp(a, a)], A),
    "exp_logs": (lambda a: [np.exp2(a), np.log2(np.abs(a) + 0.1), np.log10(a * a + 1)], A),
    "cbrt": (lambda a: [np.cbrt(a), np.cbrt(-8.0 * a)], A),
    "angles": (lambda a: [np.deg2rad(a), np.radians(a), np.rad2deg(a), np.degrees(a)], A),
    "heaviside": (lambda a: [np.heaviside(a, 0.5), np.heaviside(a * 0, a)], A),
    "copysign": (lambda a: [np.copysign(a, -1.0), np.copysign(2.0, a),
                            np.copysign(a, a.T[0:3, 0:1])], A),
    "specials": (lambda a: [np.isnan(a), np.isinf(a), np.signbit(a), np.copysign(1.0, a),
                            np.nan_to_num(a), np.nan_to_num(a, nan=-1.0, posinf=9.0,
                                                            neginf=-9.0),
                            np.heaviside(a, 0.25), np.trunc(a), np.round(a),
                            np.hypot(a, 1.0)], SPECIAL),
    "sinc": (lambda a: [np.sinc(a), np.sinc(a * 0)], A),
    "diff": (lambda a: [np.diff(a), np.diff(a, axis=0), np.diff(a, n=2), np.diff(a, n=0),
                        np.diff(a, prepend=0.0), np.diff(a, axis=0, append=a[:1]),
                        np.diff(a > 0)], A),
    "cumprod": (lambda a: [np.cumprod(a), np.cumprod(a, axis=0), np.cumprod(a, axis=1),
                           np.cumprod(a[:, :1], axis=1)], A),
    "sort": (lambda a: [np.sort(a), np.sort(a, axis=0), np.sort(a, axis=None),
                        np.argsort(a), np.argsort(a, axis=0), np.argsort(a, axis=None),
                        np.sort(np.round(a)), np.argsort(np.round(a), axis=0)], A),
    "sort_nan": (lambda a: [np.sort(a), np.argsort(a), np.median(a)], SPECIAL),
    "median": (lambda a: [np.median(a), np.median(a, axis=0), np.median(a, axis=1),
                          np.median(a, axis=(0, 1)), np.median(a, axis=1, keepdims=True),
                          np.median(a, keepdims=True)], A),
    "tile_repeat": (lambda a: [np.tile(a, 2), np.tile(a, (2, 1, 3)), np.repeat(a, 2),
                               np.repeat(a, 3, axis=1), np.repeat(a, [1, 0, 2], axis=0)], A),
    "roll_flip": (lambda a: [np.roll(a, 1), np.roll(a, -2, axis=1), np.roll(a, (1, 2), (0, 1)),
                             np.roll(a, 7, axis=0), np.fliplr(a), np.flipud(a),
                             np.flip(a, (0, 1))], A),
    "split": (lambda a: [*np.split(a, 2, axis=1), *np.array_split(a, 3, axis=1),
                         *np.split(a, [1, 2]), *np.array_split(a, 2)], A),
    "tri_diag": (lambda a: [np.tril(a), np.triu(a, 1), np.tril(a, -1), np.triu(a[0]),
                            np.diag(a), np.diag(a, 1), np.diag(a[0]), np.diag(a[0], -2),
                            np.diagonal(a), np.diagonal(a, 1), np.diagonal(a[None], 0, 1, 2),
                            np.diagonal(a, -1)], A),
    "kron_cross": (lambda a: [np.kron(a, a[:2, :2]), np.kron(a[0], a[1]),
                              np.cross(a[:, :3], a[::-1, 1:]), np.cross(a[:3, :3].T, a[:3, 1],
                                                                       axisa=0)], A),
    "append_ptp": (lambda a: [np.append(a, a[0]), np.append(a, a[:1], axis=0), np.ptp(a),
                              np.ptp(a, axis=0), np.ptp(a, axis=1, keepdims=True)], A),
    "average": (lambda a: [np.average(a), np.average(a, axis=1, weights=W),
                           np.average(a, weights=P), np.average(a, axis=0, weights=P,
                                                                returned=True)[1],
                           np.average(a, axis=1, keepdims=True)], A),
    "nan_reductions": (lambda a: [np.nansum(a), np.nanmean(a), np.nansum(a[:4])], SPECIAL),
    "nan_reductions_2d": (lambda a: [np.nansum(np.where(a > 1, np.nan, a), axis=0),
                                     np.nanmean(np.where(a > 1, np.nan, a), axis=1,
                                                keepdims=True)], A),
    "clip_arrays": (lambda a: [np.clip(a, a[0], 0.5), np.clip(a, -0.5, a[:, :1] + 1),
                               np.clip(a, a * 0 - 0.1, None)], A),
    "convolve": (lambda a: [np.convolve(a[0], a[1, :3]), np.convolve(a[0], a[1, :3], "same"),
                            np.convolve(a[0], a[1, :3], "valid"),
                            np.convolve(a[1, :2], a.ravel(), "same"),
                            np.convolve(a[0], a[1], "valid")], A),
    "polyval": (lambda a: [np.polyval(a[0], a), np.polyval(a[0], 0.3),
                           np.polyval([1.0, 2.0, -1.0], a)], A),
    "interp": (lambda a: [np.interp(a, [-1.0, 0.0, 0.5, 2.0], [0.0, 1.0, -1.0, 3.0]),
                          np.interp(a, np.sort(a[0]), a[1]),
                          np.interp(a, [-1.0, 0.0, 1.0], [1.0, 2.0, 0.0], left=-5.0,
                                    right=5.0), np.interp([-1.0, 0.0, 0.5], [-1.0, 0.0, 0.5],
                                                          a[0, :3])], A),
    "cov": (lambda a: [np.cov(a), np.cov(a, rowvar=False), np.cov(a[0]), np.cov(a, bias=True),
                       np.cov(a[0], a[1]), np.cov(a, ddof=0), np.corrcoef(a),
                       np.corrcoef(a[0], a[1]), np.corrcoef(a, rowvar=False)], A),
    "take_along_axis": (lambda a: [np.take_along_axis(a, np.argsort(a, axis=1), 1),
                                   np.take_along_axis(a, np.array([[0], [3], [-1]]), 1),
                                   np.take_along_axis(a, np.array([[2, 0, 1, 0]]), 0),
                                   np.take_along_axis(a, np.array([5, 0]), None)], A),
    "stacking": (lambda a: [np.column_stack([a[0], a[1]]), np.column_stack([a, a[:, 0]]),
                            np.dstack([a, a]), np.dstack([a[0], a[1]]), np.atleast_3d(a),
                            np.atleast_3d(a[0]), np.atleast_3d(a[0, 0]),
                            *np.atleast_3d(a, a[0])], A),
    "meshgrid": (lambda a: [*np.meshgrid(a[0], a[1, :3]), *np.meshgrid(a[0], a[1, :3],
                                                                      indexing="ij"),
                            *np.meshgrid(a[0], a[1, :2], a[2, :3], sparse=True),
                            *np.meshgrid(a[0], a[1, :2], a[2, :3])], A),
    "linspace": (lambda a: [np.linspace(a[0, 0], a[0, 1], 5), np.linspace(0.0, a[0, 1], 4,
                                                                          endpoint=False),
                            np.linspace(a[0], a[1], 3), np.linspace(a[0], a[1], 3, axis=1),
                            *np.linspace(a[0, 0], 2.0, 6, retstep=True),
                            np.linspace(a[0, 0], a[0, 1], 1)], A),
    "count_isclose": (lambda a: [np.count_nonzero(a > 0), np.count_nonzero(np.round(a),
                                                                          axis=0),
                                 np.count_nonzero(a, axis=1, keepdims=True),
                                 np.isclose(a, a + 1e-9), np.isclose(a, 0.1, atol=0.5),
                                 np.allclose(a, a * (1 + 1e-7)), np.allclose(a, a + 1)], A),
    "isclose_special": (lambda a: [np.isclose(a, a), np.isclose(a, a, equal_nan=True),
                                   np.isclose(a, 2.5)], SPECIAL),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(VALUES))
def test_values_vs_numpy(name, dtype):
    f, x = VALUES[name]
    with np.errstate(all="ignore"):
        _check_values(f, x.astype(dtype), rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_integer_inputs_follow_numpy_dtypes():
    i = np.array([[3, -1, 2], [0, 5, -4]])
    f = lambda a: [np.trunc(a), np.round(a, -1), np.fmod(a, 3), np.hypot(a, 1), np.exp2(a),
                   np.log2(np.abs(a) + 1), np.cbrt(a), np.isnan(a), np.isinf(a),
                   np.signbit(a), np.cumprod(a, axis=1), np.sort(a), np.argsort(a),
                   np.median(a), np.diff(a), np.ptp(a), np.average(a), np.cov(a),
                   np.convolve(a[0], a[1]), np.count_nonzero(a), np.nan_to_num(a),
                   np.sinc(a), np.deg2rad(a), np.kron(a, a), np.cross(a, a[::-1]),
                   np.cumprod(a > 0)]
    _check_values(f, i, rtol=1e-12)


def test_complex_inputs_where_numpy_allows_them():
    z = A[:2] + 1j * B[:2]
    f = lambda a: [np.isnan(a), np.isinf(a), np.round(a, 1), np.nan_to_num(a),
                   np.cumprod(a, axis=1), np.diff(a), np.cov(a), np.kron(a, a[:1])]
    _check_values(f, z, rtol=1e-12)


# ---------------------------------------------------------------------------
# derivatives against JAX: (name, f(xp, *args), args)

X3 = np.array([0.3, -1.2, 2.0])
TIES = np.array([1.0, 3.0, -2.0, 3.0, 1.0, 0.5])

GRADS = [
    ("fmod", lambda xp, a, b: xp.fmod(a, b + 3.0), (A, B)),
    ("trunc_round", lambda xp, a: xp.trunc(a * 3) * a + xp.round(a, 1) * a, (A,)),
    ("hypot", lambda xp, a, b: xp.hypot(a, b), (A, B)),
    ("logaddexp", lambda xp, a, b: xp.logaddexp(a, b), (A, B)),
    ("logaddexp_ties", lambda xp, a: xp.logaddexp(a, a) + xp.logaddexp2(a, 2 * a), (A,)),
    ("logaddexp2", lambda xp, a, b: xp.logaddexp2(a, b), (A, B)),
    ("exp2_logs", lambda xp, a: xp.exp2(a) + xp.log2(a) * xp.log10(a), (P,)),
    ("cbrt", lambda xp, a: xp.cbrt(a), (A,)),
    ("angles", lambda xp, a: xp.deg2rad(a) * xp.rad2deg(a) + xp.radians(a) - xp.degrees(a),
     (A,)),
    ("heaviside", lambda xp, a, b: xp.heaviside(a, b) * a + xp.heaviside(a * 0, b), (A, B)),
    ("copysign", lambda xp, a, b: xp.copysign(a, b), (A, B)),
    ("sinc", lambda xp, a: xp.sinc(a), (A,)),
    ("sinc_at_zero", lambda xp, a: xp.sinc(a * 0), (A,)),
    ("nan_to_num", lambda xp, a: xp.nan_to_num(xp.log(a)), (np.abs(A) - 0.5,)),
    ("diff", lambda xp, a: xp.diff(a, n=2, axis=0) * 2 + xp.sum(xp.diff(a, prepend=1.0)),
     (RNG.normal(size=(4, 3)),)),
    ("cumprod", lambda xp, a: xp.cumprod(a, axis=1), (A,)),
    ("cumprod_zero", lambda xp, a: xp.cumprod(a * xp.array([1.0, 0.0, 1.0, 1.0])), (A,)),
    ("sort", lambda xp, a: xp.sort(a, axis=0) * xp.arange(4.0), (A,)),
    ("sort_ties", lambda xp, a: xp.sort(a) * xp.arange(6.0), (TIES,)),
    ("argsort_gather", lambda xp, a: xp.take_along_axis(a, xp.argsort(a, axis=1), axis=1),
     (A,)),
    ("median_odd", lambda xp, a: xp.median(a, axis=0), (A,)),
    ("median_even", lambda xp, a: xp.median(a, axis=1), (A,)),
    ("median_ties", lambda xp, a: xp.median(a), (TIES,)),
    ("tile_repeat", lambda xp, a: xp.tile(a, (2, 2)) + xp.repeat(xp.repeat(a, 2, 0), 2, 1),
     (A,)),
    ("repeat_array", lambda xp, a: xp.repeat(a, xp.array([2, 0, 1]), axis=0), (A,)),
    ("roll_flip", lambda xp, a: xp.roll(a, (1, -1), (0, 1)) * xp.fliplr(a) + xp.flipud(a),
     (A,)),
    ("split", lambda xp, a: [p * (i + 1) for i, p in enumerate(xp.array_split(a, 3, 1))],
     (A,)),
    ("tril_triu", lambda xp, a: xp.tril(a, 1) * 2 + xp.triu(a, -1), (A,)),
    ("diag", lambda xp, a: xp.diag(xp.diag(a, 1), -1) + xp.sum(xp.diagonal(a)), (A,)),
    ("kron", lambda xp, a, b: xp.kron(a, b[:2, :3]), (A, B)),
    ("cross", lambda xp, a, b: xp.cross(a[:, :3], b[:, 1:]), (A, B)),
    ("append", lambda xp, a, b: xp.append(a, b[:1], axis=0), (A, B)),
    ("ptp", lambda xp, a: xp.ptp(a, axis=1), (A,)),
    ("ptp_ties", lambda xp, a: xp.ptp(a), (TIES,)),
    ("average", lambda xp, a, w: xp.average(a, axis=1, weights=w), (A, W)),
    ("average_full", lambda xp, a, w: xp.average(a, weights=w), (A, P)),
    ("nansum_nanmean", lambda xp, a: xp.nansum(xp.log(a)) + xp.nanmean(xp.log(a), axis=0),
     (A,)),
    ("clip_arrays", lambda xp, a, b: xp.clip(a, b, b + 0.5), (A, B)),
    ("clip_at_bound", lambda xp, a: xp.clip(a, a[0], 0.0), (A,)),
    ("convolve_full", lambda xp, a, v: xp.convolve(a, v), (V, X3)),
    ("convolve_same", lambda xp, a, v: xp.convolve(v, a, mode="same"), (V, X3)),
    ("convolve_valid", lambda xp, a, v: xp.convolve(a, v, mode="valid"), (V, X3)),
    ("polyval", lambda xp, p, x: xp.polyval(p, x), (X3, A)),
    ("interp", lambda xp, x, fp: xp.interp(x, xp.array([-1.0, 0.0, 0.7, 2.0]), fp),
     (A, RNG.normal(size=4))),
    ("interp_knots", lambda xp, x, fp: xp.interp(x, xp.array([-1.0, 0.0, 1.0]), fp),
     (np.array([-1.0, 0.0, 1.0, 0.5, 3.0, -2.0]), X3)),
    ("interp_xp", lambda xp, k: xp.interp(xp.array([0.1, 0.9]), k, xp.array([0.0, 1.0, 4.0])),
     (np.array([0.0, 0.5, 1.0]),)),
    ("cov", lambda xp, a: xp.cov(a), (A,)),
    ("cov_cols_y", lambda xp, a, b: xp.cov(a, b, rowvar=False), (A, B)),
    ("corrcoef", lambda xp, a: xp.corrcoef(a) * (1 - xp.eye(3)), (A,)),
    ("take_along_axis", lambda xp, a: xp.take_along_axis(a, xp.array([[1], [0], [3]]), 1),
     (A,)),
    ("stacking", lambda xp, a, b: xp.column_stack([a[0], b[1]]) + xp.dstack([a, b])[0],
     (A, B)),
    ("atleast_3d", lambda xp, a: xp.atleast_3d(a) * xp.atleast_3d(a[0]).sum(), (A,)),
    ("meshgrid", lambda xp, a, b: xp.meshgrid(a[0], b[1])[0] * xp.meshgrid(a[0], b[1])[1],
     (A, B)),
    ("linspace", lambda xp, s: xp.linspace(s[0], s[1], 5) ** 2, (X3,)),
    ("linspace_vec", lambda xp, a, b: xp.linspace(a[0], b[0], 3, axis=1), (A, B)),
    ("isclose_where", lambda xp, a: xp.where(xp.isclose(a, 0.1, atol=0.5), a, 2 * a), (A,)),
]


def _close(a, b, rtol=1e-9, atol=1e-11):
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    assert len(la) == len(lb), (ta, tb)
    for x, y in zip(la, lb):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", GRADS, ids=[c[0] for c in GRADS])
def test_derivatives_vs_jax(case):
    name, f, args = case
    ours = lambda *a: f(np, *a)
    theirs = lambda *a: f(jnp, *a)
    jargs = [jnp.asarray(a) for a in args]
    out, f_vjp = vjp(ours, *args)
    jout, j_vjp = jax.vjp(theirs, *jargs)
    _close(out, jout)
    rng = np.random.default_rng(len(name))
    ct = jax.tree_util.tree_map(lambda o: rng.normal(size=np.shape(o)), jout)
    _close(f_vjp(ct), j_vjp(jax.tree_util.tree_map(jnp.asarray, ct)))
    tans = [rng.normal(size=np.shape(a)) for a in args]
    _close(jvp(ours, args, tans), jax.jvp(theirs, jargs, [jnp.asarray(t) for t in tans]))


def test_second_derivatives_vs_jax():
    # sinc at 0 (JAX's Maclaurin rule), cbrt, hypot and logaddexp twice
    for f, x in [(lambda xp, x: xp.sinc(x), 0.0), (lambda xp, x: xp.sinc(x), 0.7),
                 (lambda xp, x: xp.cbrt(x), 1.3), (lambda xp, x: xp.hypot(x, 2.0), -0.4),
                 (lambda xp, x: xp.logaddexp(x, 0.3), 0.1),
                 (lambda xp, x: xp.sum(xp.cumprod(x * xp.arange(1.0, 4.0))), 0.6)]:
        ours = grad(grad(lambda t: f(np, t)))(x)
        theirs = jax.grad(jax.grad(lambda t: f(jnp, t)))(x)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------
# vmap

VMAPS = [
    ("sort", lambda a: np.sort(a), A),
    ("median", lambda a: np.median(a), A),
    ("cumprod", lambda a: np.cumprod(a), A),
    ("convolve", lambda a: np.convolve(a, X3, "same"), A),
    ("interp", lambda a: np.interp(a, [-1.0, 0.0, 2.0], [1.0, 0.0, 3.0]), A),
    ("diag_roll", lambda a: np.diag(np.roll(a, 1)), A),
    ("cov", lambda a: np.cov(np.stack([a, a * a])), A),
    ("take_along_axis", lambda a: np.take_along_axis(a, np.argsort(a), 0), A),
]


@pytest.mark.parametrize("case", VMAPS, ids=[c[0] for c in VMAPS])
def test_vmap(case):
    name, f, x = case
    got = vmap(f)(x)
    want = np.stack([f(row) for row in x])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # the gradient through the batched function equals the per-row gradients
    g = grad(lambda a: np.sum(vmap(f)(a) ** 2))(x)
    rows = np.stack([grad(lambda r: np.sum(f(r) ** 2))(row) for row in x])
    np.testing.assert_allclose(g, rows, rtol=1e-10, atol=1e-12)


def test_traced_roll_shift_and_lowering():
    from tracegrad.interop.jax import to_jax
    f = lambda a, s: np.roll(a, s) * np.sort(a) + np.median(a)
    x = V
    closed = make_ir(f)(x, np.int64(2))
    got = eval_ir(closed, x, np.int64(2))[0]
    np.testing.assert_allclose(got, f(x, 2), rtol=1e-12)
    jf = to_jax(f)
    np.testing.assert_allclose(np.asarray(jf(jnp.asarray(x), 2)), f(x, 2), rtol=1e-12)


def test_traced_predicates_and_allclose_under_grad():
    def f(x):
        if np.allclose(x, x + 1e-12):  # a concrete trace: bool() works
            return np.sum(np.where(np.isnan(np.log(x)), 0.0, x * x))
        return 0.0
    np.testing.assert_allclose(grad(f)(A), np.where(A > 0, 2 * A, 0.0))


# ---------------------------------------------------------------------------
# bad input: the exception types NumPy raises

ERRORS = [
    ("diff_order", lambda a: np.diff(a, n=-1), ValueError),
    ("diff_0d", lambda a: np.diff(a[0, 0]), ValueError),
    ("split_unequal", lambda a: np.split(a, 3, axis=1), ValueError),
    ("array_split_zero", lambda a: np.array_split(a, 0), ValueError),
    ("fliplr_1d", lambda a: np.fliplr(a[0]), ValueError),
    ("flipud_0d", lambda a: np.flipud(a[0, 0]), ValueError),
    ("diag_3d", lambda a: np.diag(a[None]), ValueError),
    ("diagonal_1d", lambda a: np.diagonal(a[0]), ValueError),
    ("diagonal_same_axes", lambda a: np.diagonal(a, 0, 1, 1), ValueError),
    ("cross_dims", lambda a: np.cross(a, a), ValueError),
    ("sort_axis", lambda a: np.sort(a, axis=2), np.exceptions.AxisError),
    ("median_axis", lambda a: np.median(a, axis=3), np.exceptions.AxisError),
    ("cumprod_axis", lambda a: np.cumprod(a, axis=-3), np.exceptions.AxisError),
    ("repeat_negative", lambda a: np.repeat(a, -1), ValueError),
    ("repeat_lengths", lambda a: np.repeat(a, [1, 2], axis=0), ValueError),
    ("average_no_axis", lambda a: np.average(a, weights=W), TypeError),
    ("average_weights_len", lambda a: np.average(a, axis=0, weights=W), ValueError),
    ("average_zero_weights", lambda a: np.average(a, axis=1, weights=W * 0), ZeroDivisionError),
    ("convolve_empty", lambda a: np.convolve(a[0], a[0, :0]), ValueError),
    ("convolve_mode", lambda a: np.convolve(a[0], a[1], mode="nope"), ValueError),
    ("interp_lengths", lambda a: np.interp(a, [0.0, 1.0], [1.0, 2.0, 3.0]), ValueError),
    ("meshgrid_indexing", lambda a: np.meshgrid(a[0], a[1], indexing="xx"), ValueError),
    ("linspace_num", lambda a: np.linspace(a[0, 0], 1.0, -1), ValueError),
    ("take_along_axis_float", lambda a: np.take_along_axis(a, a, 1), IndexError),
    ("take_along_axis_ndim", lambda a: np.take_along_axis(a, np.zeros(2, int), 1),
     ValueError),
    ("cov_3d", lambda a: np.cov(a[None]), ValueError),
    ("tile_bad_reps", lambda a: np.tile(a, "x"), ValueError),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_raises_like_numpy(case):
    name, f, exc = case
    with pytest.raises(exc):
        f(A)  # NumPy itself
    with pytest.raises(exc):
        make_ir(f)(A)


def test_traced_repeat_count_is_refused():
    from tracegrad.tracer import ConcretizationTypeError
    with pytest.raises(ConcretizationTypeError):
        make_ir(lambda a, r: np.repeat(a, r))(A, np.int64(2))
