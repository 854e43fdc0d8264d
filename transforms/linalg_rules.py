"""Jvp, transpose and batching rules of the linear-algebra primitives
(``tracer.prims_linalg``). The formulas are the standard ones (as in JAX's
``lax.linalg``); each jvp is linear in the tangent and built from ``dot_general``,
``triangular_solve`` (linear in ``b``, transposed below), masks and ``index_take``, so
reverse mode and higher orders follow.

- lu: ``A[perm] = L U`` gives ``X = L^{-1} dA[perm] U^{-1}``, ``dL = L tril(X, -1)``,
  ``dU = triu(X) U``.
- triangular_solve: ``d(op(a)^{-1} b) = op(a)^{-1} (db - op(da) x)`` (right side alike).
- cholesky: ``dL = L Phi(L^{-1} dA L^{-T})``, Phi = lower triangle, diagonal halved.
- eigh: ``dw = diag(V^T dA V)``, ``dV = V (F * (V^T dA V))``, ``F_ij = 1/(w_j - w_i)``.
- svd: reduced SVD; the rectangular extra terms for ``m != n``.
"""

from __future__ import annotations

import numpy as np

from ..tracer import prims_linalg as la
from ..tracer import prims_structural as st
from ..tracer.linalg_matrix import diagonal, mm, mT, permutation_matrix, tri_mask
from ..tracer.primitive import Primitive, bind
from .batching import axis_size, batch_at, batch_rule
from .jvp import jvp_rule
from .lax import add, add_any, div, dtype_of, mul, neg, shape_of, sub
from .transpose import is_linear, transpose_rule


def _ts(a, b, *, left_side=True, lower=True, transpose_a=False, unit_diagonal=False):
    return bind(la.triangular_solve_p, a, b, left_side=left_side, lower=lower,
                transpose_a=transpose_a, conjugate_a=False, unit_diagonal=unit_diagonal)


def _eye(n: int, dtype) -> np.ndarray:
    return np.eye(n, dtype=dtype)


def _real_only(name: str, x) -> None:
    if dtype_of(x).kind == "c":
        raise NotImplementedError(f"derivatives of {name} on complex matrices are not "
                                  "implemented")


# ---------------------------------------------------------------------------
# jvp rules

@jvp_rule(la.lu_p)
def _lu_jvp(primals, tangents, outs):
    lu, _, perm = outs
    da = tangents[0]
    n, dtype = shape_of(lu)[-1], dtype_of(lu)
    strict = tri_mask(n, dtype, -1)
    upper = tri_mask(n, dtype, 0, lower=False)
    pda = mm(permutation_matrix(perm, dtype), da)
    x = _ts(lu, _ts(lu, pda, unit_diagonal=True), left_side=False, lower=False)
    L = add(mul(lu, strict), _eye(n, dtype))
    U = mul(lu, upper)
    return [add(mm(L, mul(x, strict)), mm(mul(x, upper), U)), None, None]


@jvp_rule(la.triangular_solve_p)
def _triangular_solve_jvp(primals, tangents, out, *, left_side, lower, transpose_a,
                          conjugate_a, unit_diagonal):
    a, _ = primals
    da, db = tangents
    params = dict(left_side=left_side, lower=lower, transpose_a=transpose_a,
                  unit_diagonal=unit_diagonal)
    result = None if db is None else _ts(a, db, **params)
    if da is not None:
        _real_only("triangular_solve", a)
        # only the triangle the primitive reads (no diagonal when it is implicitly 1)
        k = 1 if unit_diagonal else 0
        mask = tri_mask(shape_of(a)[-1], dtype_of(a), -k if lower else k, lower=lower)
        opda = mul(da, mask)
        if transpose_a:
            opda = mT(opda)
        g = mm(opda, out) if left_side else mm(out, opda)
        result = add_any(result, neg(_ts(a, g, **params)))
    return result


@jvp_rule(la.cholesky_p)
def _cholesky_jvp(primals, tangents, out):
    L, da = out, tangents[0]
    n, dtype = shape_of(L)[-1], dtype_of(L)
    tmp = _ts(L, da, left_side=False, transpose_a=True)  # dA L^{-T}
    x = _ts(L, tmp)                                       # L^{-1} dA L^{-T}
    phi = tri_mask(n, dtype, -1) + 0.5 * _eye(n, dtype)
    return mm(L, mul(x, phi))


def _gap_reciprocals(w, square: bool):
    """``F[..., i, j] = 1 / (w_j - w_i)`` (of ``w_j^2 - w_i^2`` when ``square``), 0 on
    the diagonal: the eigen/singular vector derivative's coupling matrix."""
    n, dtype = shape_of(w)[-1], dtype_of(w)
    row = bind(st.expand_dims_p, w, dimensions=(len(shape_of(w)) - 1,))
    col = bind(st.expand_dims_p, w, dimensions=(len(shape_of(w)),))
    diff = sub(row, col)
    if square:
        diff = mul(add(row, col), diff)
    eye = _eye(n, dtype)
    return sub(div(np.ones((), dtype)[()], add(diff, eye)), eye)


@jvp_rule(la.eigh_p)
def _eigh_jvp(primals, tangents, outs, *, lower, sort_eigenvalues):
    v, w = outs
    _real_only("eigh", v)
    vdav = mm(mm(mT(v), tangents[0]), v)
    return [mm(v, mul(_gap_reciprocals(w, False), vdav)), diagonal(vdav)]


@jvp_rule(la.svd_p)
def _svd_jvp(primals, tangents, outs, *, full_matrices, compute_uv):
    a, da = primals[0], tangents[0]
    _real_only("svd", a)
    m, n = shape_of(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            "the derivative of the SVD with full_matrices=True of a non-square matrix is "
            "not defined uniquely (as in JAX); use full_matrices=False")
    if compute_uv:
        s, u, vt = outs
    else:
        s, u, vt = bind(la.svd_p, a, full_matrices=False, compute_uv=True)
    ut, v = mT(u), mT(vt)
    ds_mat = mm(mm(ut, da), v)
    ds = diagonal(ds_mat)
    if not compute_uv:
        return [ds]
    nd = len(shape_of(s))
    s_row = bind(st.expand_dims_p, s, dimensions=(nd - 1,))   # [..., 1, k]
    s_col = bind(st.expand_dims_p, s, dimensions=(nd,))       # [..., k, 1]
    F = _gap_reciprocals(s, True)
    dss = mul(s_row, ds_mat)  # dS diag(s)
    sds = mul(s_col, ds_mat)  # diag(s) dS
    du = mm(u, mul(F, add(dss, mT(dss))))
    dv = mm(v, mul(F, add(sds, mT(sds))))
    if m > n:  # the part of dA's range outside span(U)
        dav = mm(da, v)
        du = add(du, div(sub(dav, mm(u, mm(ut, dav))), s_row))
    if n > m:
        dau = mm(mT(da), u)
        dv = add(dv, div(sub(dau, mm(v, mm(vt, dau))), s_row))
    return [ds, du, mT(dv)]


# ---------------------------------------------------------------------------
# transpose: triangular_solve is linear in b

@transpose_rule(la.triangular_solve_p)
def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a,
                                unit_diagonal):
    if is_linear(a):
        raise NotImplementedError("triangular_solve is not linear in the matrix a")
    return [None, _ts(a, ct, left_side=left_side, lower=lower, transpose_a=not transpose_a,
                      unit_diagonal=unit_diagonal)]


# ---------------------------------------------------------------------------
# batching: the primitives take leading batch dimensions, so the batch axis goes first

def _batch_leading(prim: Primitive):
    def rule(args, dims, **params):
        size = axis_size(args, dims)
        args = [batch_at(x, d, size, 0) for x, d in zip(args, dims)]
        out = bind(prim, *args, **params)
        if prim.multiple_results:
            return out, [0] * len(out)
        return out, 0
    return rule


for _p in (la.lu_p, la.triangular_solve_p, la.cholesky_p, la.eigh_p, la.svd_p):
    batch_rule(_p)(_batch_leading(_p))
