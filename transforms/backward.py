"""Reverse mode as a cached plan: ``backward_plan(ir, wrt, ct_mask)``.

The plan is ``transpose(partial_eval(linearize(ir)))`` cleaned by the passes: a
program whose inputs are values of the *original* IR's variables (residuals)
and the output cotangents, so a forward pass that was already traced with
concrete values is never repeated. Plans are cached by the IR's structure
(primitives, params, input positions and literals, input avals, in order), so
a training loop pays tracing and the evaluation of the backward program only.

Canonical var numbering: ``const_vars``, then ``in_vars``, then every
equation's outputs in order.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import contextmanager

from ..tracer import prims_structural as st
from ..tracer.codegen import MAX_EQNS, compile_ir
from ..tracer.evaluate import eval_ir_flat
from ..tracer.ir import IR, ClosedIR, Eqn, Literal, Params, Var
from ..tracer.passes import optimize
from .jvp import canonical_vars, linearize_ir
from .partial_eval import partial_eval
from .subst import substitute
from .transpose import transpose_ir


def _literal_key(a: Literal) -> tuple:
    v = a.val
    # Equal values of one type share a key, except 0.0 and -0.0 (told apart by
    # their bytes); a NaN literal never equals itself, so it only misses the cache.
    return (type(v), v) if v else (type(v), v.tobytes())


def structure_key(ir: IR) -> tuple:
    """A hashable key equal for IRs with the same structure (see module docstring).

    Output avals follow from the rest (abstract evaluation is deterministic), so
    only input and constant avals are part of the key. This runs on every eager
    call, so it is written for speed.

    >>> f = lambda x: np.sin(x) * 2.0
    >>> structure_key(make_ir(f)(1.0).ir) == structure_key(make_ir(f)(5.0).ir)
    True
    """
    index: dict = {}
    n = 0
    for v in ir.const_vars:
        index[v] = n
        n += 1
    for v in ir.in_vars:
        index[v] = n
        n += 1
    parts: list = [tuple([v.aval for v in ir.const_vars]),
                   tuple([v.aval for v in ir.in_vars])]
    append = parts.append
    for eqn in ir.eqns:
        ins = eqn.inputs
        if len(ins) == 2:
            a, b = ins
            key_in = (index[a] if type(a) is Var else _literal_key(a),
                      index[b] if type(b) is Var else _literal_key(b))
        elif len(ins) == 1:
            a = ins[0]
            key_in = index[a] if type(a) is Var else _literal_key(a)
        else:
            key_in = tuple([index[a] if type(a) is Var else _literal_key(a) for a in ins])
        params = eqn.params
        append((eqn.prim, tuple(params.items()), key_in) if params else (eqn.prim, key_in))
        outs = eqn.outputs
        if len(outs) == 1:
            index[outs[0]] = n
            n += 1
        else:
            for o in outs:
                index[o] = n
                n += 1
    append(tuple([index[a] if type(a) is Var else _literal_key(a) for a in ir.out_vars]))
    return tuple(parts)


class BackwardPlan:
    """The backward program of an IR, ready to run.

    - ``residuals``: canonical indices of the values the backward needs.
    - ``zero``: per differentiated input, True where its gradient is structurally
      zero (unreachable from the cotangents).
    - ``closed``: ``ClosedIR`` taking ``(*residual values, *cotangents)`` (one
      cotangent per True in ``ct_mask``) and returning one gradient per True in
      ``wrt`` (zeros where ``zero``).
    - ``run(residual_values, cotangents)``: eager NumPy evaluation (generated
      straight-line code); one entry per True in ``wrt``, None where zero.
    """

    __slots__ = ("residuals", "zero", "closed", "_fn", "ct_used")

    def __init__(self, residuals, zero, closed: ClosedIR, ct_used):
        self.residuals = residuals
        self.zero = zero
        self.closed = closed
        self.ct_used = ct_used
        self._fn = None

    def run(self, residual_values: Sequence, cotangents: Sequence) -> list:
        """``plan.run([x_val, ...], [1.0])`` -> ``[grad, ...]`` (None where zero)."""
        fn = self._fn
        if fn is None:
            fn = self._fn = _evaluator(self.closed)
        outs = fn(*residual_values, *cotangents)
        zero = self.zero
        return [None if z else o for o, z in zip(outs, zero)]

    def __repr__(self):
        return (f"BackwardPlan(residuals={self.residuals}, zero={self.zero},\n"
                f"  closed={self.closed})")


def _evaluator(closed: ClosedIR):
    ir, consts = closed.ir, list(closed.consts)
    if len(ir.eqns) <= MAX_EQNS:
        fn = compile_ir(ir)
        if not consts:
            return fn
        return lambda *args: fn(*consts, *args)
    return lambda *args: eval_ir_flat(ir, consts, args)


# ---------------------------------------------------------------------------
# the cache

class _Cache:
    """A bounded LRU map, safe to share between threads; counts hits and misses."""

    def __init__(self, size: int = 1024):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        with self.lock:
            val = self.data.get(key)
            if val is None:
                self.misses += 1
            else:
                self.hits += 1
                self.data.move_to_end(key)
            return val

    def put(self, key, val) -> None:
        with self.lock:
            self.data[key] = val
            if len(self.data) > self.size:
                self.data.popitem(last=False)


_PLANS = _Cache()


def cache_info() -> dict:
    """Hits, misses and size of the backward-plan cache.

    >>> cache_info()["hit_rate"]                            # doctest: +SKIP
    0.998
    """
    c = _PLANS
    total = c.hits + c.misses
    return {"hits": c.hits, "misses": c.misses, "size": len(c.data),
            "hit_rate": c.hits / total if total else 0.0}


def cache_clear() -> None:
    """Empty the backward-plan cache and reset its counters (``cache_clear()``)."""
    with _PLANS.lock:
        _PLANS.data.clear()
        _PLANS.hits = _PLANS.misses = 0


def backward_plan(ir: IR, wrt: tuple[bool, ...], ct_mask: tuple[bool, ...],
                  key: tuple | None = None) -> BackwardPlan:
    """The cached ``BackwardPlan`` of ``ir`` for inputs ``wrt`` and outputs ``ct_mask``.

    >>> closed = make_ir(lambda x: np.sin(x) * x)(2.0)
    >>> plan = backward_plan(closed.ir, (True,), (True,))
    >>> plan.run([closed_values[i] for i in plan.residuals], [1.0])  # doctest: +SKIP
    """
    wrt, ct_mask = tuple(wrt), tuple(ct_mask)
    if len(wrt) != len(ir.in_vars) or len(ct_mask) != len(ir.out_vars):
        raise ValueError(f"backward_plan: wrt has {len(wrt)} entries for "
                         f"{len(ir.in_vars)} inputs and ct_mask {len(ct_mask)} for "
                         f"{len(ir.out_vars)} outputs")
    full_key = ((structure_key(ir) if key is None else key), wrt, ct_mask)
    plan = _PLANS.get(full_key)
    if plan is None:
        plan = build_plan(ir, wrt, ct_mask)
        _PLANS.put(full_key, plan)
    return plan


@contextmanager
def gc_paused(n_eqns: int):
    """Pause the cyclic garbage collector while building a large program: the
    transforms allocate many small acyclic objects, and repeated full collections
    over a growing heap would make building superlinear in the program size."""
    if n_eqns < 5000 or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build_plan(ir: IR, wrt: tuple[bool, ...], ct_mask: tuple[bool, ...]) -> BackwardPlan:
    """Build (uncached) the backward plan; see ``backward_plan``."""
    with gc_paused(len(ir.eqns)):
        return _build_plan(ir, wrt, ct_mask)


def _build_plan(ir: IR, wrt: tuple[bool, ...], ct_mask: tuple[bool, ...]) -> BackwardPlan:
    lin = linearize_ir(ir, wrt, ct_mask)
    n_canon = lin.n_canon
    lin_ir = lin.closed.ir
    n_tan = len(lin_ir.in_vars) - n_canon
    known, linear, n_res = partial_eval(lin.closed, (True,) * n_canon + (False,) * n_tan)
    bt, nonzero = transpose_ir(linear, (False,) * n_res + (True,) * n_tan)
    bt_ir = bt.ir
    # Compose known -> transposed by renaming (no re-trace): the transposed
    # program's residual inputs are the known program's outputs.
    mapping = dict(zip(bt_ir.in_vars[:n_res], known.ir.out_vars))
    bt_cts = list(bt_ir.in_vars[n_res:])
    ct_vars, it = [], iter(bt_cts)
    for m_out, nz in zip([o for o, m in zip(ir.out_vars, ct_mask) if m], lin.nonzero):
        ct_vars.append(next(it) if nz else Var(m_out.aval))
    eqns = list(known.ir.eqns) + substitute(bt_ir.eqns, mapping)
    outs = [mapping.get(a, a) if type(a) is Var else a for a in bt_ir.out_vars]
    wrt_vars = [v for v, w in zip(ir.in_vars, wrt) if w]
    grads, zero, it = [], [], iter(outs)
    for v, nz in zip(wrt_vars, nonzero):
        if nz:
            grads.append(next(it))
            zero.append(False)
        else:
            g, eqn = _zeros_atom(v)
            if eqn is not None:
                eqns.append(eqn)
            grads.append(g)
            zero.append(True)
    canon_in = list(lin_ir.in_vars[:n_canon])
    const_vars = list(lin_ir.const_vars) + list(bt_ir.const_vars)
    consts = list(lin.closed.consts) + list(bt.consts)
    full = optimize(IR(const_vars, canon_in + ct_vars, eqns, grads))
    used = _used_vars(full)
    residuals = tuple(i for i, v in enumerate(canon_in) if v in used)
    keep_c = [(cv, c) for cv, c in zip(const_vars, consts) if cv in used]
    final = IR([cv for cv, _ in keep_c], [canon_in[i] for i in residuals] + ct_vars,
               full.eqns, full.out_vars)
    ct_used = tuple(v in used for v in ct_vars)
    return BackwardPlan(residuals, tuple(zero), ClosedIR(final, [c for _, c in keep_c]),
                        ct_used)


def _zeros_atom(v: Var):
    import numpy as np
    z = Literal(np.zeros((), v.aval.dtype)[()])
    if not v.aval.shape:
        return z, None
    out = Var(v.aval)
    return out, Eqn(st.broadcast_in_dim_p, (z,), (out,),
                    Params(shape=v.aval.shape, broadcast_dimensions=()))


def _used_vars(ir: IR) -> set:
    used = {a for a in ir.out_vars if type(a) is Var}
    for eqn in ir.eqns:
        used.update(a for a in eqn.inputs if type(a) is Var)
    return used


def canonical_values(consts: Sequence, in_vals: Sequence, eqns: Sequence,
                     eqn_vals: Sequence) -> list:
    """The values of a concrete trace in canonical order (see module docstring).

    >>> t = trace_flat(lambda x: [np.sin(x)], [(Aval((), np.float64), 0.0)])  # doctest: +SKIP
    >>> canonical_values(t.consts, t.in_vals, t.ir.eqns, t.eqn_vals)           # doctest: +SKIP
    [0.0, 0.0]
    """
    vals = list(consts)
    vals.extend(in_vals)
    append = vals.append
    for eqn, v in zip(eqns, eqn_vals):
        if eqn.prim.multiple_results:
            vals.extend(v)
        else:
            append(v)
    return vals


__all__ = ["BackwardPlan", "backward_plan", "build_plan", "structure_key", "cache_info",
           "cache_clear", "canonical_values", "canonical_vars"]
