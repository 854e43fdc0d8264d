"""Lowering rules of the linear-algebra primitives (``tracer.prims_linalg``) to
``jax.lax.linalg``; the output orders are JAX's primitives' own (``lu``: lu, pivots,
permutation; ``eigh``: v, w; ``svd``: s, u, vt).

>>> LOWERINGS["cholesky"](jnp.eye(2) * 4.0)[1, 1]     # doctest: +SKIP
Array(2., dtype=float64)
"""

from __future__ import annotations

from jax.lax import linalg as lax_linalg

from .lowering import lowering_rule


@lowering_rule("lu")
def _lu(x):
    return list(lax_linalg.lu(x))


@lowering_rule("triangular_solve")
def _triangular_solve(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    return lax_linalg.triangular_solve(a, b, left_side=left_side, lower=lower,
                                       transpose_a=transpose_a, conjugate_a=conjugate_a,
                                       unit_diagonal=unit_diagonal)


@lowering_rule("cholesky")
def _cholesky(x):
    # the primitive reads the lower triangle as given (callers symmetrize first)
    return lax_linalg.cholesky(x, symmetrize_input=False)


@lowering_rule("eigh")
def _eigh(x, *, lower=True, sort_eigenvalues=True):
    return list(lax_linalg.eigh(x, lower=lower, symmetrize_input=False,
                                sort_eigenvalues=sort_eigenvalues))


@lowering_rule("svd")
def _svd(x, *, full_matrices, compute_uv):
    if not compute_uv:
        return [lax_linalg.svd(x, full_matrices=full_matrices, compute_uv=False)]
    u, s, vt = lax_linalg.svd(x, full_matrices=full_matrices, compute_uv=True)
    return [s, u, vt]
