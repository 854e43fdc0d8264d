"""``np.linalg`` on tracers: det, slogdet, inv, solve, cholesky, eigh, eigvalsh, svd,
matrix_power, pinv, plus ``np.trace`` and the singular values behind
``np.linalg.norm(ord=2/-2/'nuc')``. Everything is built on the primitives of
``prims_linalg`` (``lu``, ``triangular_solve``, ``cholesky``, ``eigh``, ``svd``), so the
derivatives come from their jvp rules. As ``jax.numpy.linalg`` does, ``cholesky`` and
``eigh`` symmetrize their input (``(a + a^T) / 2``), so their gradients are symmetric.

The small helpers (``mT``, ``mm``, ``diagonal``, ``permutation_matrix``) bind primitives
without dtype promotion; the derivative rules in ``transforms`` use them too.

>>> float(det(np.array([[2.0, 0.0], [0.0, 3.0]])))
6.0
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import ops
from . import prims_elementwise as ew
from . import prims_linalg as la
from . import prims_structural as st
from .primitive import bind

# ---------------------------------------------------------------------------
# helpers on batched matrices (``...,m,n``), same dtype in and out


def mT(x: Any) -> Any:
    """Swap the last two axes: ``mT(np.ones((2, 3, 4))).shape == (2, 4, 3)``."""
    nd = len(ops.shape_of(x))
    perm = tuple(range(nd - 2)) + (nd - 1, nd - 2)
    return bind(st.transpose_p, x, permutation=perm)


def mm(a: Any, b: Any) -> Any:
    """Batched matrix product of ``(...,m,k)`` and ``(...,k,n)`` with equal batch dims."""
    nb = len(ops.shape_of(a)) - 2
    batch = tuple(range(nb))
    return bind(st.dot_general_p, a, b, dimension_numbers=(((nb + 1,), (nb,)), (batch, batch)),
                preferred_element_type=None)


def diagonal(x: Any) -> Any:
    """The main diagonals of ``(...,n,n)`` as ``(...,n)``: the last two axes merged and
    every (n+1)-th element taken (``index_take`` is linear, with a transpose rule)."""
    shape = ops.shape_of(x)
    n = shape[-1]
    flat = bind(st.reshape_p, x, new_sizes=tuple(shape[:-2]) + (n * n,))
    return bind(st.index_take_p, flat, np.arange(n, dtype=np.int64) * (n + 1),
                axis=len(shape) - 2)


def tri_mask(n: int, dtype: Any, k: int = 0, lower: bool = True) -> np.ndarray:
    """A 0/1 constant selecting the lower (``k`` <= 0 below) or upper triangle."""
    m = np.tril(np.ones((n, n)), k) if lower else np.triu(np.ones((n, n)), k)
    return m.astype(dtype)


def permutation_matrix(perm: Any, dtype: Any) -> Any:
    """One-hot ``P`` with ``P @ x == x[..., perm, :]``: a per-batch permutation as a
    matrix product, which ``dot_general`` batches and transposes."""
    n = ops.shape_of(perm)[-1]
    hot = bind(ew.eq_p, bind(st.expand_dims_p, perm, dimensions=(len(ops.shape_of(perm)),)),
               np.arange(n, dtype=ops.dtype_of(perm)))
    return bind(ew.convert_element_type_p, hot, new_dtype=np.dtype(dtype))


def lu_solve(lu: Any, perm: Any, b: Any) -> Any:
    """``A^{-1} b`` from ``lu(A)``, for ``b`` of shape ``(...,n,k)`` with A's batch."""
    pb = mm(permutation_matrix(perm, ops.dtype_of(b)), b)
    y = bind(la.triangular_solve_p, lu, pb, left_side=True, lower=True, transpose_a=False,
             conjugate_a=False, unit_diagonal=True)
    return bind(la.triangular_solve_p, lu, y, left_side=True, lower=False,
                transpose_a=False, conjugate_a=False, unit_diagonal=False)


# ---------------------------------------------------------------------------
# argument checks


def _square(a: Any, name: str) -> Any:
    """``a`` as a float matrix stack ``(...,n,n)``, or the error jax.numpy raises (as a
    ``LinAlgError``, which NumPy raises and which is a ``ValueError``)."""
    a = ops.as_operand(a)
    shape = ops.shape_of(a)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError(
            f"Argument to {name} must have shape [..., n, n], got {tuple(shape)}.")
    return _float(a, name)


def _float(a: Any, name: str) -> Any:
    kind = ops.dtype_of(a).kind
    if kind == "c":
        raise NotImplementedError(f"np.linalg.{name} on complex matrices is not "
                                  "implemented in tracegrad (real float32/float64 only)")
    if kind in "biu":  # NumPy computes integer input in float64
        a = ops.convert(a, np.float64)
    return a


def _symmetrize(a: Any) -> Any:
    return ops.multiply(ops.add(a, mT(a)), np.asarray(0.5, ops.dtype_of(a))[()])


def _eye_like(a: Any) -> Any:
    shape = ops.shape_of(a)
    return ops.broadcast_to(np.eye(shape[-1], dtype=ops.dtype_of(a)), shape)


# ---------------------------------------------------------------------------
# the NumPy functions


class SlogdetResult(NamedTuple):
    sign: Any
    logabsdet: Any


class EighResult(NamedTuple):
    eigenvalues: Any
    eigenvectors: Any


class SVDResult(NamedTuple):
    U: Any
    S: Any
    Vh: Any


def _pivot_sign(pivots: Any, dtype: Any) -> Any:
    """(-1) ** (number of row swaps), from LU's pivots."""
    n = ops.shape_of(pivots)[-1]
    swapped = ops.not_equal(pivots, np.arange(n, dtype=np.int32))
    one = np.asarray(1, dtype)
    return ops.prod(ops.where(swapped, -one, one), axis=-1)


def det(a: Any) -> Any:
    """``np.linalg.det`` from an LU factorisation: the product of U's diagonal times
    the sign of the row permutation.

    >>> float(det(np.array([[1.0, 2.0], [3.0, 4.0]])))
    -2.0
    """
    a = _square(a, "det")
    lu, piv, _ = bind(la.lu_p, a)
    return ops.multiply(_pivot_sign(piv, ops.dtype_of(a)), ops.prod(diagonal(lu), axis=-1))


def slogdet(a: Any) -> SlogdetResult:
    """``np.linalg.slogdet``: ``(sign, log|det|)``; a singular matrix gives ``(0, -inf)``.

    >>> slogdet(np.diag([-2.0, 3.0])).sign
    -1.0
    """
    a = _square(a, "slogdet")
    lu, piv, _ = bind(la.lu_p, a)
    d = diagonal(lu)
    sign = ops.multiply(_pivot_sign(piv, ops.dtype_of(a)), ops.prod(ops.sign(d), axis=-1))
    return SlogdetResult(sign, ops.sum(ops.log(ops.absolute(d)), axis=-1))


def inv(a: Any) -> Any:
    """``np.linalg.inv`` (``A^{-1} I`` through LU): ``inv(2 * np.eye(2))[0, 0] == 0.5``."""
    a = _square(a, "inv")
    lu, _, perm = bind(la.lu_p, a)
    return lu_solve(lu, perm, _eye_like(a))


def solve(a: Any, b: Any) -> Any:
    """``np.linalg.solve`` with NumPy 2 semantics: ``b`` is a vector when 1-d, otherwise a
    stack of matrices ``(...,n,k)``; batch dimensions broadcast.

    >>> solve(2 * np.eye(2), np.array([2.0, 4.0])).tolist()
    [1.0, 2.0]
    """
    a = _square(a, "solve")
    b = _float(ops.as_operand(b), "solve")
    a, b = ops.promote(a, b)
    ashape, given = ops.shape_of(a), tuple(ops.shape_of(b))
    n = ashape[-1]
    vector = len(given) == 1
    if vector:
        b = ops.expand_dims(b, -1)
    bshape = ops.shape_of(b)
    if len(bshape) < 2 or bshape[-2] != n:
        raise ValueError(f"solve: b must have shape ({n},) or (..., {n}, k) for a of shape "
                         f"{tuple(ashape)}, got {given}")
    try:
        batch = tuple(np.broadcast_shapes(ashape[:-2], bshape[:-2]))
    except ValueError:
        raise ValueError(f"solve: batch dimensions of a {tuple(ashape)} and b "
                         f"{tuple(bshape)} do not broadcast") from None
    a = ops.broadcast_to(a, batch + (n, n))
    b = ops.broadcast_to(b, batch + tuple(bshape[-2:]))
    lu, _, perm = bind(la.lu_p, a)
    x = lu_solve(lu, perm, b)
    return ops.squeeze(x, -1) if vector else x


def cholesky(a: Any, upper: bool = False) -> Any:
    """``np.linalg.cholesky`` (lower ``L`` with ``L L^T = a``, or ``L^T`` with ``upper``).

    >>> cholesky(4 * np.eye(2))[1, 1]
    2.0
    """
    a = _square(a, "cholesky")
    L = bind(la.cholesky_p, _symmetrize(a))
    return mT(L) if upper else L


def eigh(a: Any, UPLO: str = "L") -> EighResult:
    """``np.linalg.eigh``: ascending eigenvalues and eigenvectors (columns).

    >>> eigh(np.diag([2.0, 1.0])).eigenvalues.tolist()
    [1.0, 2.0]
    """
    if UPLO not in ("L", "U"):
        raise ValueError(f"UPLO argument must be 'L' or 'U', got {UPLO!r}")
    a = _square(a, "eigh")
    v, w = bind(la.eigh_p, _symmetrize(a), lower=UPLO == "L", sort_eigenvalues=True)
    return EighResult(w, v)


def eigvalsh(a: Any, UPLO: str = "L") -> Any:
    """``np.linalg.eigvalsh``: ``eigvalsh(np.diag([2.0, 1.0])).tolist() == [1.0, 2.0]``."""
    return eigh(a, UPLO).eigenvalues


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> Any:
    """``np.linalg.svd``: ``(U, S, Vh)`` or the singular values alone. (``hermitian`` is
    accepted and computed by the general SVD: same values, signs may differ.)

    >>> svd(np.diag([1.0, 3.0]), compute_uv=False).tolist()
    [3.0, 1.0]
    """
    a = _float(ops.as_operand(a), "svd")
    if len(ops.shape_of(a)) < 2:
        raise np.linalg.LinAlgError(
            f"svd: argument must have shape [..., m, n], got {tuple(ops.shape_of(a))}.")
    outs = bind(la.svd_p, a, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    if not compute_uv:
        return outs[0]
    s, u, vt = outs
    return SVDResult(u, s, vt)


def svdvals(a: Any) -> Any:
    """Singular values, descending: ``svdvals(np.diag([1.0, 3.0])).tolist() == [3.0, 1.0]``."""
    return svd(a, compute_uv=False)


def matrix_power(a: Any, n: int) -> Any:
    """``np.linalg.matrix_power`` by repeated squaring (``inv`` first for ``n < 0``).

    >>> matrix_power(2 * np.eye(2), 3)[0, 0]
    8.0
    """
    if not isinstance(n, (int, np.integer)):
        raise TypeError("exponent must be an integer")
    a = ops.as_operand(a)
    shape = ops.shape_of(a)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError(
            f"Argument to matrix_power must have shape [..., n, n], got {tuple(shape)}.")
    if n == 0:
        return ops.broadcast_to(np.eye(shape[-1], dtype=ops.dtype_of(a)), shape)
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:  # binary exponentiation: log2(n) squarings
        if n & 1:
            result = base if result is None else ops.matmul(result, base)
        n >>= 1
        if n:
            base = ops.matmul(base, base)
    return result


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    """``np.linalg.pinv`` from the reduced SVD; singular values at or below
    ``rcond * max(s)`` (default ``max(m, n) * eps``) count as zero.

    >>> pinv(np.diag([2.0, 0.0])).tolist()
    [[0.5, 0.0], [0.0, 0.0]]
    """
    a = _float(ops.as_operand(a), "pinv")
    shape = ops.shape_of(a)
    if len(shape) < 2:
        raise np.linalg.LinAlgError(f"pinv: argument must have shape [..., m, n], got "
                                    f"{tuple(shape)}.")
    dtype = ops.dtype_of(a)
    if rcond is None:
        rcond = rtol if rtol is not None else max(shape[-2:]) * np.finfo(dtype).eps
    s, u, vt = bind(la.svd_p, a, full_matrices=False, compute_uv=True)
    cutoff = ops.multiply(ops.amax(s, axis=-1, keepdims=True), np.asarray(rcond, dtype))
    big = ops.greater(s, cutoff)
    safe = ops.where(big, s, np.asarray(1, dtype))
    s_inv = ops.where(big, ops.true_divide(np.asarray(1, dtype), safe), np.asarray(0, dtype))
    return mm(mT(vt), ops.multiply(ops.expand_dims(s_inv, -1), mT(u)))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
          out: Any = None) -> Any:
    """``np.trace``: the sum along a (shifted) diagonal of two axes.

    >>> float(trace(np.arange(9.0).reshape(3, 3), offset=1))
    6.0
    """
    if out is not None:
        raise NotImplementedError("np.trace(out=...) is not supported on traced arrays")
    a = ops.as_operand(a)
    nd = len(ops.shape_of(a))
    if nd < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    ax1, ax2 = ops._norm_axes((axis1, axis2), nd)
    if ax1 == ax2:
        raise ValueError("axis1 and axis2 cannot be the same")
    rest = [i for i in range(nd) if i not in (ax1, ax2)]
    a = ops.transpose(a, tuple(rest + [ax1, ax2]))
    shape = ops.shape_of(a)
    r, c = shape[-2], shape[-1]
    rows = np.arange(max(0, -offset), max(0, min(r, c - offset)), dtype=np.int64)
    flat = ops.reshape(a, tuple(shape[:-2]) + (r * c,))
    d = bind(st.index_take_p, flat, rows * c + rows + offset, axis=len(shape) - 2)
    if dtype is not None:
        d = ops.convert(d, dtype)
    elif ops.dtype_of(d).kind in "b":
        d = ops.convert(d, np.int64)  # NumPy sums booleans as integers
    return ops.sum(d, axis=-1)
