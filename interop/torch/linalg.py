# ruff: noqa: F401  (this module re-exports the linalg functions, as torch.linalg does)
"""``torch.linalg`` on the shim: ``import torch.linalg`` / ``from torch.linalg import inv``
in a script run with ``python -m tracegrad.interop.torch`` find this module.

>>> from tracegrad.interop.torch import linalg, tensor
>>> linalg.det(tensor([[2.0, 0.0], [0.0, 3.0]]))
tensor(6.)
"""

from __future__ import annotations

from .ops_linalg import (
    LinAlgError,
    cholesky,
    cholesky_ex,
    cross,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    matrix_norm,
    matrix_power,
    multi_dot,
    pinv,
    slogdet,
    solve,
    solve_ex,
    svd,
    svdvals,
    vector_norm,
)
from .ops_linalg import linalg_norm as norm
from .ops_reduce import matmul

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "eigh", "eigvalsh",
           "inv", "inv_ex", "matmul", "matrix_norm", "matrix_power", "multi_dot", "norm",
           "pinv", "slogdet", "solve", "solve_ex", "svd", "svdvals", "vector_norm"]
