"""Forward mode as a cached plan, and the forward+backward program for inlining.

``forward_plan(ir, wrt)`` is the tangent program of ``ir`` (``linearize_ir``,
cleaned and pruned): inputs are residual values of the original IR's variables
then one tangent per differentiated input; outputs one tangent per output.
``grad_program`` is the whole gradient (forward and backward, cotangent 1) as one
optimised IR, evaluated on outer tracers when a transform runs inside a trace.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..tracer.ir import IR, ClosedIR, Literal, Var
from ..tracer.passes import optimize
from .backward import (
    _Cache,
    _evaluator,
    _used_vars,
    _zeros_atom,
    backward_plan,
    gc_paused,
    structure_key,
)
from .jvp import canonical_vars, linearize_ir
from .subst import substitute


class ForwardPlan:
    """``closed``: ``(*residual values, *tangents)`` -> one tangent per output;
    ``zero`` marks outputs whose tangent is structurally zero."""

    __slots__ = ("residuals", "zero", "closed", "_fn")

    def __init__(self, residuals, zero, closed: ClosedIR):
        self.residuals, self.zero, self.closed, self._fn = residuals, zero, closed, None

    def run(self, residual_values: Sequence, tangents: Sequence) -> list:
        fn = self._fn
        if fn is None:
            fn = self._fn = _evaluator(self.closed)
        return fn(*residual_values, *tangents)


_FORWARD = _Cache()
_GRAD_PROGRAMS = _Cache()


def forward_plan(ir: IR, wrt: tuple[bool, ...], key: tuple | None = None) -> ForwardPlan:
    """The cached tangent program of ``ir`` for the inputs marked in ``wrt``.

    >>> plan = forward_plan(make_ir(np.sin)(1.0).ir, (True,))   # doctest: +SKIP
    """
    full_key = ((structure_key(ir) if key is None else key), tuple(wrt))
    plan = _FORWARD.get(full_key)
    if plan is None:
        with gc_paused(len(ir.eqns)):
            plan = _build_forward(ir, tuple(wrt))
        _FORWARD.put(full_key, plan)
    return plan


def _build_forward(ir: IR, wrt: tuple[bool, ...]) -> ForwardPlan:
    lin = linearize_ir(ir, wrt, (True,) * len(ir.out_vars))
    lir = lin.closed.ir
    outs, zero, eqns, it = [], [], list(lir.eqns), iter(lir.out_vars)
    for o, nz in zip(ir.out_vars, lin.nonzero):
        if nz:
            outs.append(next(it))
            zero.append(False)
        else:
            g, eqn = _zeros_atom(o if type(o) is Var else Var(o.aval))
            if eqn is not None:
                eqns.append(eqn)
            outs.append(g)
            zero.append(True)
    canon_in = list(lir.in_vars[:lin.n_canon])
    tans = list(lir.in_vars[lin.n_canon:])
    full = optimize(IR(lir.const_vars, lir.in_vars, eqns, outs))
    used = _used_vars(full)
    residuals = tuple(i for i, v in enumerate(canon_in) if v in used)
    final = IR(full.const_vars, [canon_in[i] for i in residuals] + tans, full.eqns,
               full.out_vars)
    return ForwardPlan(residuals, tuple(zero), ClosedIR(final, lin.closed.consts))


def grad_program(ir: IR, wrt: tuple[bool, ...], ct_mask: tuple[bool, ...],
                 with_outputs: bool, key: tuple | None = None) -> ClosedIR:
    """Forward and backward of ``ir`` in one optimised IR, cotangents fixed to 1.

    Inputs are ``ir``'s (its const_vars first, then the plan's constants); outputs
    the gradients for ``wrt`` (then ``ir``'s outputs when ``with_outputs``). Every
    masked output must be a scalar (the cotangent is the literal 1).
    """
    key = structure_key(ir) if key is None else key
    full_key = (key, tuple(wrt), tuple(ct_mask), with_outputs)
    prog = _GRAD_PROGRAMS.get(full_key)
    if prog is None:
        with gc_paused(len(ir.eqns)):
            prog = _build_grad_program(ir, tuple(wrt), tuple(ct_mask), with_outputs, key)
        _GRAD_PROGRAMS.put(full_key, prog)
    return prog


def _build_grad_program(ir, wrt, ct_mask, with_outputs, key) -> ClosedIR:
    plan = backward_plan(ir, wrt, ct_mask, key)
    canon = canonical_vars(ir)
    bir = plan.closed.ir
    n_res = len(plan.residuals)
    mapping: dict = {bir.in_vars[i]: canon[r] for i, r in enumerate(plan.residuals)}
    for v in bir.in_vars[n_res:]:
        mapping[v] = Literal(np.ones((), v.aval.dtype)[()])
    eqns = list(ir.eqns) + substitute(bir.eqns, mapping)
    outs = [mapping.get(a, a) if type(a) is Var else a for a in bir.out_vars]
    if with_outputs:
        outs += list(ir.out_vars)
    const_vars = list(ir.const_vars) + list(bir.const_vars)
    prog = optimize(IR(const_vars, ir.in_vars, eqns, outs))
    return ClosedIR(prog, list(plan.closed.consts))
