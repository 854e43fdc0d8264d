"""Linear-algebra primitives (named and shaped after ``jax.lax.linalg``): impl and
abstract eval. Every one takes leading batch dimensions (``...,m,n``).

- ``lu(x) -> (lu, pivots, permutation)``: square matrices only; ``lu`` packs the unit
  lower factor (strictly below the diagonal) and the upper factor; ``pivots`` and
  ``permutation`` are int32 (``x[..., permutation, :] == L @ U``).
- ``triangular_solve(a, b)``: ``op(a) x = b`` (``left_side``) or ``x op(a) = b``; only
  the ``lower``/upper triangle of ``a`` is read, its diagonal taken as ones with
  ``unit_diagonal``; ``op`` transposes with ``transpose_a``.
- ``cholesky(x) -> L`` (reads the lower triangle), ``eigh(x) -> (v, w)`` (ascending
  eigenvalues; reads the ``lower`` or upper triangle), ``svd(x) -> (s, u, vt)`` or
  ``(s,)`` with ``compute_uv=False``.

The impls use ``numpy.linalg`` (no SciPy); LU is a small partial-pivoting elimination
vectorised over the batch, because NumPy exposes no pivoted LU.

>>> lu, piv, perm = lu_p.impl(np.array([[1.0, 2.0], [3.0, 4.0]]))
>>> perm.tolist()
[1, 0]
"""

from __future__ import annotations

import numpy as np

from .ir import Aval
from .primitive import Primitive


def _check_matrix(name: str, x: Aval, square: bool = True) -> None:
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        want = "[..., n, n]" if square else "[..., m, n]"
        raise ValueError(f"{name}: argument must have shape {want}, got {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: only real floating-point matrices are supported "
                        f"(float32/float64), got {x.dtype}; convert integers with "
                        ".astype(float); complex matrices are not implemented")


# ---------------------------------------------------------------------------
# lu

lu_p = Primitive("lu", multiple_results=True)


@lu_p.def_impl
def _lu_impl(x):
    a = np.array(x, copy=True)
    n = a.shape[-1]
    batch = a.shape[:-2]
    flat = a.reshape((-1, n, n))
    rows = np.arange(flat.shape[0])
    pivots = np.zeros((flat.shape[0], n), np.int32)
    perm = np.tile(np.arange(n, dtype=np.int32), (flat.shape[0], 1))
    for k in range(n):
        p = k + np.argmax(np.abs(flat[:, k:, k]), axis=1)
        pivots[:, k] = p
        # swap rows k and p of every matrix in the batch (and of the permutation)
        rk, rp = flat[rows, k].copy(), flat[rows, p].copy()
        flat[rows, k], flat[rows, p] = rp, rk
        pk, pp = perm[rows, k].copy(), perm[rows, p].copy()
        perm[rows, k], perm[rows, p] = pp, pk
        piv = flat[:, k, k]
        # a zero pivot (singular matrix) leaves its column as is, as LAPACK's getrf does
        safe = np.where(piv == 0, 1, piv)
        flat[:, k + 1:, k] /= safe[:, None]
        flat[:, k + 1:, k + 1:] -= flat[:, k + 1:, k:k + 1] * flat[:, k:k + 1, k + 1:]
    return [flat.reshape(a.shape), pivots.reshape(batch + (n,)), perm.reshape(batch + (n,))]


@lu_p.def_abstract_eval
def _lu_abstract(x):
    _check_matrix("lu", x)
    idx = Aval(x.shape[:-1], np.int32)
    return [x, idx, idx]


# ---------------------------------------------------------------------------
# triangular_solve

triangular_solve_p = Primitive("triangular_solve")


def _triangle(a: np.ndarray, lower: bool, unit_diagonal: bool) -> np.ndarray:
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        n = a.shape[-1]
        t = t * (1 - np.eye(n, dtype=a.dtype)) + np.eye(n, dtype=a.dtype)
    return t


@triangular_solve_p.def_impl
def _triangular_solve_impl(a, b, *, left_side, lower, transpose_a, conjugate_a,
                           unit_diagonal):
    t = _triangle(np.asarray(a), lower, unit_diagonal)
    if transpose_a:
        t = np.swapaxes(t, -1, -2)
    b = np.asarray(b)
    if left_side:
        return np.linalg.solve(t, b)
    # x t = b  <=>  t^T x^T = b^T
    return np.swapaxes(np.linalg.solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)),
                       -1, -2)


@triangular_solve_p.def_abstract_eval
def _triangular_solve_abstract(a, b, *, left_side, lower, transpose_a, conjugate_a,
                               unit_diagonal):
    _check_matrix("triangular_solve", a)
    if b.ndim != a.ndim or b.shape[:-2] != a.shape[:-2] or b.dtype != a.dtype:
        raise ValueError("triangular_solve: b must have a's dtype and batch dimensions, "
                         f"got a: {a} and b: {b}")
    n = a.shape[-1]
    if (b.shape[-2] if left_side else b.shape[-1]) != n:
        side = "rows" if left_side else "columns"
        raise ValueError(f"triangular_solve: b needs {n} {side} (left_side={left_side}), "
                         f"got shape {tuple(b.shape)}")
    return b


# ---------------------------------------------------------------------------
# cholesky, eigh, svd

cholesky_p = Primitive("cholesky")


@cholesky_p.def_impl
def _cholesky_impl(x):
    # NumPy raises LinAlgError on a matrix that is not positive definite; JAX returns
    # NaNs. NaNs keep a batch going (as JAX does) and the other matrices' factors valid.
    x = np.asarray(x)
    try:
        return np.linalg.cholesky(x)
    except np.linalg.LinAlgError:
        flat = x.reshape((-1,) + x.shape[-2:])
        out = np.full_like(flat, np.nan)
        for i, m in enumerate(flat):
            try:
                out[i] = np.linalg.cholesky(m)
            except np.linalg.LinAlgError:
                pass
        return out.reshape(x.shape)


@cholesky_p.def_abstract_eval
def _cholesky_abstract(x):
    _check_matrix("cholesky", x)
    return x


eigh_p = Primitive("eigh", multiple_results=True)


@eigh_p.def_impl
def _eigh_impl(x, *, lower=True, sort_eigenvalues=True):
    w, v = np.linalg.eigh(np.asarray(x), UPLO="L" if lower else "U")
    return [v, w]


@eigh_p.def_abstract_eval
def _eigh_abstract(x, *, lower=True, sort_eigenvalues=True):
    _check_matrix("eigh", x)
    return [x, Aval(x.shape[:-1], x.dtype)]


svd_p = Primitive("svd", multiple_results=True)


@svd_p.def_impl
def _svd_impl(x, *, full_matrices, compute_uv):
    x = np.asarray(x)
    if not compute_uv:
        return [np.linalg.svd(x, compute_uv=False)]
    u, s, vt = np.linalg.svd(x, full_matrices=full_matrices)
    return [s, u, vt]


@svd_p.def_abstract_eval
def _svd_abstract(x, *, full_matrices, compute_uv):
    _check_matrix("svd", x, square=False)
    *batch, m, n = x.shape
    k = min(m, n)
    s = Aval(tuple(batch) + (k,), x.dtype)
    if not compute_uv:
        return [s]
    um, vn = (m, n) if full_matrices else (k, k)
    return [s, Aval(tuple(batch) + (m, um), x.dtype), Aval(tuple(batch) + (vn, n), x.dtype)]
