"""Linear algebra on shim tensors: ``torch.linalg`` (det, slogdet, inv, solve, cholesky,
eigh, svd, norms, matrix_power, pinv, multi_dot ...) and the top-level forms
(``torch.det``, ``torch.inverse``, ``torch.cholesky`` ...).

Each differentiable factorisation is ONE node named as PyTorch's ``grad_fn``
(``LinalgDetBackward0``, ``LinalgInvExBackward0``, ``LinalgEighBackward0`` ...), traced
from ``tracegrad.tracer.linalg_matrix`` (the derivatives are the jvp rules of the linalg
primitives). Composite norms are built from shim ops, so their ``grad_fn`` is the last
op's, as in torch (``matrix_norm(A, 2)`` ends in ``AmaxBackward0``). Failures that torch
detects in LAPACK (a singular matrix, a matrix that is not positive-definite) are found
on the concrete values first and raised as ``LinAlgError`` with torch's message.

>>> det(tensor([[2.0, 0.0], [0.0, 3.0]]))   # doctest: +SKIP
tensor(6.)
"""

from __future__ import annotations

import math
import warnings
from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...tracer import linalg_matrix as LM
from ...tracer import prims_elementwise as ew
from ...tracer import prims_linalg as la
from ...tracer.primitive import bind
from . import ops_more as X
from . import ops_reduce as R
from . import ops_shape as S
from .ops_complex import scalar_type_name
from .ops_core import _must_record, convert
from .tensor import Tensor, _wrap_dim

__all__ = [
    "LinAlgError", "det", "logdet", "slogdet", "inv", "inv_ex", "inverse", "solve",
    "solve_ex", "cholesky", "cholesky_ex", "torch_cholesky", "eigh", "eigvalsh", "svd",
    "svdvals", "matrix_norm", "vector_norm", "norm", "linalg_norm", "matrix_power",
    "pinv", "pinverse", "multi_dot", "cross", "traced_multi", "apply_multi",
]


class LinAlgError(RuntimeError):
    """torch's ``torch.linalg.LinAlgError`` (``torch._C._LinAlgError``): a
    ``RuntimeError`` raised when a factorisation fails (singular, not positive-definite).

    >>> issubclass(LinAlgError, RuntimeError)
    True
    """


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
LinAlgError.__module__ = "torch._C"


def _result_type(name: str, fields: list[str]) -> type:
    cls = namedtuple(name, fields)  # type: ignore[misc]
    cls.__module__ = "torch.return_types"

    def rep(self: Any) -> str:
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{body})"
    cls.__repr__ = rep  # type: ignore[method-assign]
    return cls


SlogdetResult = _result_type("linalg_slogdet", ["sign", "logabsdet"])
TorchSlogdetResult = _result_type("slogdet", ["sign", "logabsdet"])
InvExResult = _result_type("linalg_inv_ex", ["inverse", "info"])
SolveExResult = _result_type("linalg_solve_ex", ["result", "info"])
CholeskyExResult = _result_type("linalg_cholesky_ex", ["L", "info"])
EighResult = _result_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
SvdResult = _result_type("linalg_svd", ["U", "S", "Vh"])


# ---------------------------------------------------------------------------
# one node with several outputs


def traced_multi(name: str, fn: Callable, tensors: list[Tensor]) -> list[Tensor]:
    """``fn(*arrays) -> list of arrays`` (tracer NumPy semantics) as ONE node with one
    output per list entry (``slogdet``'s sign and log, ``eigh``'s values and vectors).

    >>> s, l = traced_multi("LinalgSlogdetBackward0", LM.slogdet, [a])  # doctest: +SKIP
    """
    if not _must_record(tensors):
        return [Tensor._wrap(np.asarray(o)) for o in fn(*[t._data for t in tensors])]
    from ...tracer.api import trace_flat
    from ...tracer.ir import Eqn, Literal, Var
    from ...tracer.trace import aval_from_value
    from .graph import Builder, H, new_node, node_class, user_site

    tr = trace_flat(lambda *xs: list(fn(*xs)), [(aval_from_value(t._data), t._data)
                                                for t in tensors])
    node = new_node(node_class(name))
    b = Builder(node)
    mapping: dict = {}
    for v, t in zip(tr.ir.in_vars, tensors):
        mapping[v] = b.input(t).var
    for v, c in zip(tr.ir.const_vars, tr.consts):
        mapping[v] = b.const(np.asarray(c)).var
    for eqn, val in zip(tr.ir.eqns, tr.eqn_vals):
        ins = tuple(mapping.get(a, a) if type(a) is Var else a for a in eqn.inputs)
        b.eqns.append(Eqn(eqn.prim, ins, eqn.outputs, eqn.params))
        if eqn.prim.multiple_results:
            b.vals.extend(np.asarray(x) for x in val)
        else:
            b.vals.append(np.asarray(val))
    handles = []
    result: list = []
    seen: set = set()
    for out, val in zip(tr.ir.out_vars, tr.out_vals):
        val = np.asarray(val)
        if val.dtype.kind not in "fc":  # integer outputs (pivots) carry no gradient
            result.append(Tensor._wrap(val))
            continue
        if type(out) is Literal or out in mapping or out in seen:
            src = val.copy() if type(out) is Literal else H(mapping.get(out, out), val)
            h = b(ew.convert_element_type_p, src, new_dtype=val.dtype)
        else:
            h = H(out, val)
            seen.add(out)
        handles.append(h)
        result.append(Tensor._wrap(h.val, node, h.var))
    b.finish(handles, [t._vc for t in result if t._fn is node])
    node.site = user_site()
    return result


def apply_multi(name: str, prim: Any, *args: Any, **params: Any) -> list[Tensor]:
    """A primitive with several results applied to tensors (and constants) as ONE node,
    e.g. ``eigh`` while ``create_graph=True`` replays a backward program.

    >>> w, v = apply_multi("EighBackward0", la.eigh_p, a, lower=True,
    ...                    sort_eigenvalues=True)   # doctest: +SKIP
    """
    pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]

    def fn(*xs: Any) -> list:
        full = list(args)
        for i, x in zip(pos, xs):
            full[i] = x
        return list(bind(prim, *full, **params))
    return traced_multi(name, fn, [args[i] for i in pos])


def _traced1(name: str, fn: Callable, tensors: list[Tensor]) -> Tensor:
    return traced_multi(name, lambda *xs: [fn(*xs)], tensors)[0]


# ---------------------------------------------------------------------------
# argument checks with torch's messages


def _check_matrix(a: Tensor, name: str, square: bool = True, floating: bool = True) -> None:
    if a._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if floating and a._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {scalar_type_name(a._data.dtype)}")
    m, n = a._data.shape[-2:]
    if square and m != n:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{m} by {n} matrices")
    if a._data.dtype.kind == "c":
        raise NotImplementedError(f"{name}: complex matrices are not supported by the "
                                  "tracegrad shim (real float32/float64 only)")


def _batch_prefix(data: np.ndarray, index: int) -> str:
    if data.ndim <= 2:
        return ""
    return f"(Batch element {index}): "


def _zero_pivots(data: np.ndarray) -> np.ndarray:
    """LAPACK getrf's ``info`` per matrix: 1 + the index of U's first zero diagonal
    element (0 when there is none), as int32 with the batch shape."""
    lu = np.asarray(la.lu_p.impl(data)[0])
    d = np.diagonal(lu, axis1=-2, axis2=-1) == 0
    return np.where(d.any(-1), d.argmax(-1) + 1, 0).astype(np.int32)


def _first_failure(info: np.ndarray) -> tuple[int, int] | None:
    flat = info.reshape(-1)
    bad = np.flatnonzero(flat)
    return None if not bad.size else (int(bad[0]), int(flat[bad[0]]))


def _check_invertible(a: Tensor, name: str, solver: bool = False) -> None:
    fail = _first_failure(_zero_pivots(a._data))
    if fail is None:
        return
    pre = _batch_prefix(a._data, fail[0])
    if solver:
        raise LinAlgError(f"{name}: {pre}The solver failed because the input matrix is "
                          "singular.")
    raise LinAlgError(f"{name}: {pre}The diagonal element {fail[1]} is zero, the inversion "
                      "could not be completed because the input matrix is singular.")


def _chol_info(data: np.ndarray, upper: bool) -> np.ndarray:
    """potrf's ``info``: the order of the first leading minor that is not positive
    definite (0 when the matrix is), read from one triangle as LAPACK does."""
    a = np.swapaxes(data, -1, -2) if upper else data
    a = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
    flat = a.reshape((-1,) + a.shape[-2:]).astype(np.float64)
    n = a.shape[-1]
    info = np.zeros(flat.shape[0], np.int32)
    for i, m in enumerate(flat):
        for k in range(1, n + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                info[i] = k
                break
            if not np.all(np.isfinite(m[:k, :k])):
                info[i] = k
                break
    return info.reshape(a.shape[:-2])


def _hermitian_from(a: Any, lower: bool) -> Any:
    """The symmetric matrix LAPACK reads from one triangle of ``a``, with the gradient
    of the symmetric part of ``a`` (torch's gradients of cholesky/eigh are symmetric)."""
    sym = LM._symmetrize(a)
    n = a.shape[-1]
    mask = LM.tri_mask(n, a.dtype, 0, lower)
    strict = LM.tri_mask(n, a.dtype, -1 if lower else 1, lower)
    read = a * mask + LM.mT(a * strict)
    return sym + bind(ew.stop_gradient_p, read - sym)


# ---------------------------------------------------------------------------
# determinants and inverses


def det(A: Tensor) -> Tensor:
    """``torch.linalg.det``: the determinant of each matrix (LinalgDetBackward0).

    >>> det(tensor([[1.0, 2.0], [3.0, 4.0]]))   # doctest: +SKIP
    tensor(-2.)
    """
    _check_matrix(A, "linalg.det")
    return _traced1("LinalgDetBackward0", LM.det, [A])


def slogdet(A: Tensor) -> Any:
    """``torch.linalg.slogdet``: ``(sign, logabsdet)`` (LinalgSlogdetBackward0); a singular
    matrix gives ``(0, -inf)``.

    >>> slogdet(tensor([[-2.0, 0.0], [0.0, 3.0]])).sign   # doctest: +SKIP
    tensor(-1.)
    """
    _check_matrix(A, "linalg.slogdet")
    with np.errstate(all="ignore"):
        return SlogdetResult(*traced_multi("LinalgSlogdetBackward0",
                                           lambda a: list(LM.slogdet(a)), [A]))


def torch_slogdet(A: Tensor) -> Any:
    """``torch.slogdet``: as ``linalg.slogdet``, as ``torch.return_types.slogdet``."""
    return TorchSlogdetResult(*slogdet(A))


def logdet(A: Tensor) -> Tensor:
    """``torch.logdet``: ``log(det(A))``; NaN for a negative determinant (WhereBackward0).

    >>> logdet(tensor([[2.0, 0.0], [0.0, 3.0]]))   # doctest: +SKIP
    tensor(1.7918)
    """
    _check_matrix(A, "linalg.slogdet")

    def fn(a: Any) -> Any:
        sign, logabs = LM.slogdet(a)
        return np.where(sign < 0, np.full_like(logabs, np.nan), logabs)
    with np.errstate(all="ignore"):
        return _traced1("WhereBackward0", fn, [A])


def inv(A: Tensor) -> Tensor:
    """``torch.linalg.inv`` (LinalgInvExBackward0); a singular matrix raises
    ``LinAlgError``.

    >>> inv(tensor([[2.0, 0.0], [0.0, 4.0]]))   # doctest: +SKIP
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    _check_matrix(A, "linalg.inv")
    _check_invertible(A, "linalg.inv")
    return _traced1("LinalgInvExBackward0", LM.inv, [A])


def inverse(input: Tensor) -> Tensor:
    """``torch.inverse`` / ``Tensor.inverse``: ``linalg.inv``."""
    return inv(input)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:
    """``torch.linalg.inv_ex``: ``(inverse, info)``; ``info`` is LAPACK's (0 when
    invertible), and the inverse of a singular matrix is not meaningful.

    >>> inv_ex(tensor([[2.0, 0.0], [0.0, 4.0]])).info   # doctest: +SKIP
    tensor(0, dtype=torch.int32)
    """
    _check_matrix(A, "linalg.inv_ex")
    if check_errors:
        _check_invertible(A, "linalg.inv_ex")
    info = _zero_pivots(A._data)
    if info.any():  # LAPACK's partial results are not reproduced: NaN
        out = Tensor._wrap(np.full_like(A._data, np.nan))
    else:
        out = _traced1("LinalgInvExBackward0", LM.inv, [A])
    return InvExResult(out, Tensor._wrap(np.asarray(info)))


def _solve_fn(vector: bool, left: bool) -> Callable:
    def fn(a: Any, b: Any) -> Any:
        if not left:  # X A = B  <=>  A^T X^T = B^T
            a = LM.mT(a)
            b = np.expand_dims(b, -2) if vector else LM.mT(b)
        elif vector:
            b = np.expand_dims(b, -1)
        x = LM.solve(a, b)
        if vector:
            return np.squeeze(x, -1)
        return x if left else LM.mT(x)
    return fn


def _solve_prepare(A: Tensor, B: Tensor, left: bool, name: str) -> tuple[bool, str]:
    _check_matrix(A, name)
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of "
                           f"type {scalar_type_name(A._data.dtype)} and B of type "
                           f"{scalar_type_name(B._data.dtype)} instead")
    a, b = A._data.shape, B._data.shape
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(b) == tuple(a[:-1]))
    n = a[-1]
    if vector:
        k = b[-1]
        bad = k != n
        shown = f"{n}x{n} and {k}x1" if left else f"{n}x{n} and 1x{k}"
    else:
        if B.dim() < 2:
            bad, shown = True, ""
        else:
            r, c = b[-2:]
            bad = (r if left else c) != n
            shown = f"{n}x{n} and {r}x{c}"
    if bad:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({shown})")
    batch_a = a[:-2]
    batch_b = b[:-1] if vector else b[:-2]
    from .ops_core import _broadcast_error
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        _broadcast_error([np.empty(batch_a), np.empty(batch_b)])
        raise
    return vector, name


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """``torch.linalg.solve``: ``X`` with ``A X = B`` (``X A = B`` when ``left=False``);
    ``B`` is a vector when it is 1-d or ``A``'s shape without the last dimension; batch
    dimensions broadcast (LinalgSolveExBackward0).

    >>> solve(tensor([[2.0, 0.0], [0.0, 4.0]]), tensor([2.0, 4.0]))   # doctest: +SKIP
    tensor([1., 1.])
    """
    vector, _ = _solve_prepare(A, B, left, "linalg.solve")
    _check_invertible(A, "torch.linalg.solve", solver=True)
    return _traced1("LinalgSolveExBackward0", _solve_fn(vector, left), [A, B])


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> Any:
    """``torch.linalg.solve_ex``: ``(result, info)`` (LinalgSolveExBackward0)."""
    vector, _ = _solve_prepare(A, B, left, "linalg.solve_ex")
    if check_errors:
        _check_invertible(A, "torch.linalg.solve_ex", solver=True)
    info = _zero_pivots(A._data)
    out = _traced1("LinalgSolveExBackward0", _solve_fn(vector, left), [A, B]) \
        if not info.any() else None
    if out is None:  # LAPACK's partial results are not reproduced: NaN
        shape = np.broadcast_shapes(A._data.shape[:-2], B._data.shape[:-1 if vector else -2])
        tail = B._data.shape[-1:] if vector else B._data.shape[-2:]
        out = Tensor._wrap(np.full(tuple(shape) + tuple(tail), np.nan, A._data.dtype))
    return SolveExResult(out, Tensor._wrap(np.asarray(info)))


# ---------------------------------------------------------------------------
# factorisations


def _cholesky_fn(upper: bool) -> Callable:
    def fn(a: Any) -> Any:
        return LM.cholesky(_hermitian_from(a, not upper), upper=upper)
    return fn


def _raise_chol(info: np.ndarray, data: np.ndarray, name: str) -> None:
    fail = _first_failure(info)
    if fail is not None:
        raise LinAlgError(f"{name}: {_batch_prefix(data, fail[0])}The factorization could not "
                          "be completed because the input is not positive-definite (the "
                          f"leading minor of order {fail[1]} is not positive-definite).")


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """``torch.linalg.cholesky``: lower ``L`` with ``L L^T = A`` (``L^T`` when ``upper``),
    read from ``A``'s lower (upper) triangle (LinalgCholeskyExBackward0).

    >>> cholesky(tensor([[4.0, 0.0], [0.0, 9.0]]))   # doctest: +SKIP
    tensor([[2., 0.],
            [0., 3.]])
    """
    _check_matrix(A, "linalg.cholesky")
    _raise_chol(_chol_info(A._data, upper), A._data, "linalg.cholesky")
    return _traced1("LinalgCholeskyExBackward0", _cholesky_fn(upper), [A])


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:
    """``torch.linalg.cholesky_ex``: ``(L, info)``; ``info`` is the order of the first
    leading minor that is not positive-definite (0 on success)."""
    _check_matrix(A, "linalg.cholesky_ex")
    info = _chol_info(A._data, upper)
    if check_errors:
        _raise_chol(info, A._data, "linalg.cholesky_ex")
    if info.any():
        # LAPACK leaves a partial factor; the shim gives NaN where it failed
        with np.errstate(all="ignore"):
            out = Tensor._wrap(np.full_like(A._data, np.nan))
        return CholeskyExResult(out, Tensor._wrap(np.asarray(info)))
    out = _traced1("LinalgCholeskyExBackward0", _cholesky_fn(upper), [A])
    return CholeskyExResult(out, Tensor._wrap(np.asarray(info)))


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in "
    "a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
    "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
    "equivalent results for all valid (symmetric positive definite) inputs. (Triggered "
    "internally at /__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:1765.)")


_WARNED: list = []


def torch_cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """The deprecated ``torch.cholesky`` (warns once per process, CholeskyBackward0).

    >>> torch_cholesky(tensor([[4.0]]))   # doctest: +SKIP
    tensor([[2.]])
    """
    if not _WARNED:  # torch warns once per process (TORCH_WARN_ONCE)
        _WARNED.append(True)
        warnings.warn(_CHOLESKY_DEPRECATED, UserWarning, stacklevel=2)
    _check_matrix(input, "cholesky")
    _raise_chol(_chol_info(input._data, upper), input._data, "cholesky")
    return _traced1("CholeskyBackward0", _cholesky_fn(upper), [input])


def eigh(A: Tensor, UPLO: str = "L") -> Any:
    """``torch.linalg.eigh``: ascending eigenvalues and orthonormal eigenvectors (columns)
    of the symmetric matrix read from the ``UPLO`` triangle (LinalgEighBackward0).
    Eigenvectors are defined up to sign.

    >>> eigh(tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues   # doctest: +SKIP
    tensor([1., 2.])
    """
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _check_matrix(A, "linalg.eigh")

    def fn(a: Any) -> list:
        w, v = LM.eigh(_hermitian_from(a, UPLO == "L"))
        return [w, v]
    return EighResult(*traced_multi("LinalgEighBackward0", fn, [A]))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """``torch.linalg.eigvalsh``: the eigenvalues of ``eigh`` (LinalgEighBackward0).

    >>> eigvalsh(tensor([[2.0, 0.0], [0.0, 1.0]]))   # doctest: +SKIP
    tensor([1., 2.])
    """
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _check_matrix(A, "linalg.eigvalsh")
    return _traced1("LinalgEighBackward0",
                    lambda a: LM.eigh(_hermitian_from(a, UPLO == "L"))[0], [A])


def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> Any:
    """``torch.linalg.svd``: ``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values
    descending (LinalgSvdBackward0); vectors are defined up to sign.

    >>> svd(tensor([[3.0, 0.0], [0.0, 1.0]])).S   # doctest: +SKIP
    tensor([3., 1.])
    """
    _check_matrix(A, "linalg.svd", square=False)

    def fn(a: Any) -> list:
        u, s, vh = LM.svd(a, full_matrices=bool(full_matrices))
        return [u, s, vh]
    return SvdResult(*traced_multi("LinalgSvdBackward0", fn, [A]))


def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:
    """``torch.linalg.svdvals``: singular values, descending (LinalgSvdBackward0).

    >>> svdvals(tensor([[1.0, 0.0], [0.0, 3.0]]))   # doctest: +SKIP
    tensor([3., 1.])
    """
    _check_matrix(A, "linalg.svd", square=False)
    return _traced1("LinalgSvdBackward0", LM.svdvals, [A])


# ---------------------------------------------------------------------------
# norms


def _is_ord(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """``torch.linalg.vector_norm``: the ``ord``-norm (any real, ``inf``, ``-inf``, 0)
    over all elements or ``dim`` (LinalgVectorNormBackward0).

    >>> vector_norm(tensor([3.0, 4.0]))   # doctest: +SKIP
    tensor(5.)
    """
    if not _is_ord(ord):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {type(ord).__name__}")
    if x._data.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {scalar_type_name(x._data.dtype)}")
    if dtype is not None:
        from . import dtypes
        x = convert(x, dtypes.to_numpy(dtype))
    nd = x.dim()
    if dim is None:
        axes: tuple = tuple(range(nd))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(sorted(_wrap_dim(d, max(nd, 1)) for d in dims)) if nd else ()
    p = float(ord)

    def fn(a: Any) -> Any:
        m = np.abs(a)
        if p == math.inf:
            out = np.max(m, axis=axes, keepdims=keepdim)
        elif p == -math.inf:
            out = np.min(m, axis=axes, keepdims=keepdim)
        elif p == 0:
            out = np.sum((m != 0).astype(a.dtype), axis=axes, keepdims=keepdim)
        elif p == 2:
            out = np.sqrt(np.sum(m * m, axis=axes, keepdims=keepdim))
        elif p == 1:
            out = np.sum(m, axis=axes, keepdims=keepdim)
        else:
            out = np.sum(m ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
        return out
    with np.errstate(all="ignore"):
        return _traced1("LinalgVectorNormBackward0", fn, [x])


def _matrix_dims(dim: Any, nd: int, name: str) -> tuple[int, int]:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got "
                           + (" ".join(map(str, dim)) if isinstance(dim, (tuple, list))
                              else str(dim)))
    d0, d1 = (_wrap_dim(d, nd) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{name}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """``torch.linalg.matrix_norm``: ``'fro'``, ``'nuc'``, 2, -2 (largest/smallest
    singular value), 1, -1 (max/min column sum), ``inf``, ``-inf`` (row sums). The
    result's grad_fn is torch's last op (``AmaxBackward0`` for 2, ``SumBackward1`` for
    ``'nuc'``).

    >>> matrix_norm(tensor([[3.0, 0.0], [0.0, 4.0]]))   # doctest: +SKIP
    tensor(5.)
    """
    name = "linalg.matrix_norm"
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {scalar_type_name(A._data.dtype)}")
    if dtype is not None:
        from . import dtypes
        A = convert(A, dtypes.to_numpy(dtype))
    nd = A.dim()
    d0, d1 = _matrix_dims(dim, nd, name)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        # singular values of the matrices moved to the last two dimensions
        rest = [i for i in range(nd) if i not in (d0, d1)]
        m = S.permute(A, rest + [d0, d1])
        s = svdvals(m)
        red = R.sum if ord == "nuc" else (R.amax if ord == 2 else R.amin)
        if not keepdim:
            return red(s, -1)
        # as torch: reduce with keepdim, add the second dimension, permute back
        out = S.unsqueeze(red(s, -1, keepdim=True), -1)
        perm = rest + [d0, d1]
        return S.permute(out, [perm.index(i) for i in range(nd)])
    if ord in (1, -1, math.inf, -math.inf):
        if ord in (math.inf, -math.inf):
            d0, d1 = d1, d0  # row sums: sum over the column dimension first
        sums = R.sum(_abs(A), d0, keepdim=keepdim)
        if not keepdim and d0 < d1:
            d1 -= 1
        return (R.amax if ord > 0 else R.amin)(sums, d1, keepdim=keepdim)
    raise RuntimeError(f"{name}: Order {ord} not supported.")


def _abs(x: Tensor) -> Tensor:
    from .ops_math import abs as abs_
    return abs_(x)


def linalg_norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """``torch.linalg.norm``: a vector norm for ``dim`` an int (or a 1-d input), a matrix
    norm for a 2-tuple ``dim`` (or a 2-d input with ``ord``); without ``ord`` and ``dim``,
    the 2-norm of all elements.

    >>> linalg_norm(tensor([[3.0, 0.0], [0.0, 4.0]]), "fro")   # doctest: +SKIP
    tensor(5.)
    """
    if dim is not None:
        if isinstance(dim, int) or (isinstance(dim, (tuple, list)) and len(dim) == 1):
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.dim() not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {A.dim()}D.")
    if A.dim() == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """``torch.norm`` / ``Tensor.norm``: the vector ``p``-norm, or a matrix norm for
    ``p='nuc'`` (and ``'fro'`` with a 2-element ``dim``).

    >>> norm(tensor([[3.0, 0.0], [0.0, 4.0]]), p="nuc")   # doctest: +SKIP
    tensor(7.)
    """
    if p == "nuc":
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim,
                           dtype=dtype)
    return R.norm(input, p, dim, keepdim, dtype)


# ---------------------------------------------------------------------------
# products and powers


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``torch.linalg.matrix_power``: ``A @ A @ ... @ A`` (``n`` factors; ``inv(A)`` for
    ``n < 0``; the identity for 0) by repeated squaring.

    >>> matrix_power(tensor([[2.0, 0.0], [0.0, 1.0]]), 3)   # doctest: +SKIP
    tensor([[8., 0.],
            [0., 1.]])
    """
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    r, c = A._data.shape[-2:]
    if r != c:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {r} by {c} matrices")
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if n == 0:
        eye = np.broadcast_to(np.eye(r, dtype=A._data.dtype), A._data.shape)
        if not _must_record([A]):
            return Tensor._wrap(eye.copy())
        return _traced1("CopyBackwards", lambda a: a * a.dtype.type(0) + eye, [A])
    if n < 0:
        A = inv(A)
        n = -n
        if n == 1:
            return A
    elif n == 1:
        return S.clone(A)
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else R.matmul(result, base)
        n >>= 1
        if n:
            base = R.matmul(base, base)
    assert result is not None
    return result


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """``torch.linalg.pinv``: the Moore-Penrose pseudo-inverse from the SVD; singular
    values at or below ``max(atol, rtol * max(S))`` count as zero (default ``rtol`` is
    ``eps * max(m, n)``) (LinalgPinvBackward0).

    >>> pinv(tensor([[2.0, 0.0], [0.0, 0.0]]))   # doctest: +SKIP
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    _check_matrix(A, "linalg.pinv", square=False)
    dt = A._data.dtype
    if rtol is None:
        rtol = 0.0 if (atol is not None and atol > 0) else np.finfo(dt).eps * max(
            A._data.shape[-2:])
    atol = 0.0 if atol is None else float(atol)

    def fn(a: Any) -> Any:
        u, s, vh = LM.svd(a, full_matrices=False)
        smax = np.max(s, axis=-1, keepdims=True)
        cutoff = np.maximum(smax * dt.type(rtol), np.asarray(atol, dt))
        big = s > bind(ew.stop_gradient_p, cutoff)
        safe = np.where(big, s, np.ones_like(s))
        s_inv = np.where(big, 1 / safe, np.zeros_like(s))
        return LM.mm(LM.mT(vh), np.expand_dims(s_inv, -1) * LM.mT(u))
    return _traced1("LinalgPinvBackward0", fn, [A])


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: ``linalg.pinv`` with a relative cutoff ``rcond``."""
    return pinv(input, rtol=rcond)


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """``torch.linalg.multi_dot``: the product of a chain of matrices (the first may be a
    row vector, the last a column vector), ending in ViewBackward0 as in torch.

    >>> multi_dot([ones(2, 3), ones(3, 4), ones(4)])   # doctest: +SKIP
    tensor([12., 12.])
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].dim() == 1, ts[-1].dim() == 1
    if first_vec:
        ts[0] = S.unsqueeze(ts[0], 0)
    if last_vec:
        ts[-1] = S.unsqueeze(ts[-1], -1)
    for i, t in enumerate(ts):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    out = ts[0]
    for t in ts[1:]:
        out = R.mm(out, t)
    shape = list(out.shape)
    if first_vec:
        shape = shape[1:]
    if last_vec:
        shape = shape[:-1]
    return S.view(out, tuple(shape))


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """``torch.linalg.cross``: the 3-vector cross product along ``dim`` (default -1)."""
    return X.cross(input, other, dim=dim)
