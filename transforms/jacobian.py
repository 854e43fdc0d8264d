"""Jacobians as one batched program: the tangent program (``forward_plan``) over a
basis of tangents, or the backward program (``backward_plan``) over a basis of
cotangents, batched by ``batch_ir`` (vmap), instead of one copy per basis vector.

The basis runs over the flattened leaves concatenated (one batch of ``N`` vectors
for ``N`` input elements, or ``M`` output elements in reverse mode); each block of
the result is a slice of the batched output, reshaped to ``out.shape + in.shape``.
A one-element basis runs the plan itself (its literal 1 simplifies away).
The batched programs are cached by the plan's structure key and the basis size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..tracer import ops
from ..tracer import prims_structural as st
from ..tracer.evaluate import eval_ir_flat
from ..tracer.ir import Aval, ClosedIR
from ..tracer.passes import optimize
from ..tracer.primitive import bind, current_trace
from ..tracer.trace import Tracer
from .backward import _Cache, _evaluator
from .batching import batch_ir


class _Program:
    """A batched plan: ``run(args)`` with NumPy (generated code), or bound into the
    current trace."""

    __slots__ = ("closed", "_fn")

    def __init__(self, closed: ClosedIR):
        self.closed, self._fn = closed, None

    def run(self, args: Sequence) -> list:
        if current_trace.get() is None and not any(isinstance(a, Tracer) for a in args):
            if self._fn is None:
                self._fn = _evaluator(self.closed)
            return self._fn(*args)
        return eval_ir_flat(self.closed.ir, self.closed.consts, list(args))


_BATCHED = _Cache()


def _batched(key: tuple, closed: ClosedIR, n_fixed: int, size: int,
             out_dims: tuple) -> _Program:
    """``closed`` with its inputs after the first ``n_fixed`` batched (axis 0)."""
    prog = _BATCHED.get(key)
    if prog is None:
        n_in = len(closed.ir.in_vars)
        in_dims = (None,) * n_fixed + (0,) * (n_in - n_fixed)
        prog = _Program(optimize(batch_ir(closed, in_dims, size, out_dims)[0]))
        _BATCHED.put(key, prog)
    return prog


def _basis(avals: Sequence[Aval]) -> list:
    """The standard basis of the concatenated flattened ``avals``, one array of shape
    ``(N,) + aval.shape`` per aval (the one vector itself when ``N == 1``)."""
    n = sum(a.size for a in avals)
    out, offset = [], 0
    for a in avals:
        if n == 1:
            out.append(np.ones(a.shape, a.dtype) if a.shape else np.ones((), a.dtype)[()])
            continue
        m = np.zeros((n, a.size), a.dtype)
        m[offset + np.arange(a.size), np.arange(a.size)] = 1
        out.append(m.reshape((n,) + a.shape))
        offset += a.size
    return out


def _block(m, axis: int, start: int, stop: int, whole: bool, shape: tuple):
    """Elements ``start:stop`` of ``m`` along ``axis`` (all of it when ``whole``),
    reshaped to ``shape``."""
    if not whole:
        s = tuple(ops.shape_of(m))
        starts = tuple(start if i == axis else 0 for i in range(len(s)))
        limits = tuple(stop if i == axis else d for i, d in enumerate(s))
        m = bind(st.slice_p, m, start_indices=starts, limit_indices=limits, strides=None)
    return ops.reshape(m, shape)


def jacobian_fwd(plan, res: Sequence, in_avals: Sequence[Aval], out_avals: Sequence[Aval],
                 key: tuple) -> list:
    """Every Jacobian block (output-major, ``out.shape + in.shape``) from the tangent
    program ``plan`` (a ``ForwardPlan``) on the residual values ``res``; ``key``
    identifies the plan (structure key and wrt)."""
    n = sum(a.size for a in in_avals)
    if n == 0:
        return [np.zeros(oa.shape + ia.shape, oa.dtype) for oa in out_avals for ia in in_avals]
    basis = _basis(in_avals)
    if n == 1:
        cols = plan.run(res, basis) if _eager(res) else _bound(plan.closed, res, basis)
        return [ops.reshape(c, oa.shape + ia.shape)
                for c, oa in zip(cols, out_avals) for ia in in_avals]
    prog = _batched(("jacfwd", key, n), plan.closed, len(res), n,
                    tuple(a.ndim for a in out_avals))  # the basis axis last
    cols = prog.run(list(res) + basis)
    blocks = []
    for c, oa in zip(cols, out_avals):
        offset = 0
        for ia in in_avals:
            blocks.append(_block(c, oa.ndim, offset, offset + ia.size, len(in_avals) == 1,
                                 oa.shape + ia.shape))
            offset += ia.size
    return blocks


def jacobian_rev(plan, res: Sequence, in_avals: Sequence[Aval], out_avals: Sequence[Aval],
                 key: tuple) -> list:
    """Every Jacobian block (output-major, ``out.shape + in.shape``) from the backward
    program ``plan`` (a ``BackwardPlan``) on the residual values ``res``; ``key``
    identifies the plan (structure key, wrt and cotangent mask)."""
    m = sum(a.size for a in out_avals)
    if m == 0:
        return [np.zeros(oa.shape + ia.shape, oa.dtype) for oa in out_avals for ia in in_avals]
    basis = _basis(out_avals)
    if m == 1:
        if _eager(res):
            rows = [np.zeros(a.shape, a.dtype) if g is None else g
                    for g, a in zip(plan.run(res, basis), in_avals)]
        else:
            rows = _bound(plan.closed, res, basis)
        return [ops.reshape(r, oa.shape + ia.shape)
                for oa in out_avals for r, ia in zip(rows, in_avals)]
    prog = _batched(("jacrev", key, m), plan.closed, len(res), m, (0,) * len(in_avals))
    rows = prog.run(list(res) + basis)
    blocks, offset = [], 0
    for oa in out_avals:
        for r, ia in zip(rows, in_avals):
            blocks.append(_block(r, 0, offset, offset + oa.size, len(out_avals) == 1,
                                 oa.shape + ia.shape))
        offset += oa.size
    return blocks


def _eager(values: Sequence) -> bool:
    return current_trace.get() is None and not any(isinstance(v, Tracer) for v in values)


def _bound(closed: ClosedIR, res: Sequence, basis: Sequence) -> list:
    return eval_ir_flat(closed.ir, closed.consts, list(res) + list(basis))
