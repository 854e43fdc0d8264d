"""Batching: the batching rule table and the IR -> IR transform ``batch_ir`` (vmap).

A batching rule is ``rule(args, dims, **params) -> (out, out_dim)``. ``args`` are
the operands; ``dims[i]`` is the position of the batch axis in ``args[i]``, or
``None`` for an operand shared by every example (at least one is batched, so
rules never see an all-``None`` equation: that is bound as it is). The rule binds
primitives on the batched operands and returns the result and the position of
its batch axis; a primitive with several results returns two lists. Rules move a
batch axis only when the primitive needs it somewhere else: the transform keeps
every value's batch axis where it happens to be and moves it once, at the end.

>>> @batch_rule(sin_p)                                 # doctest: +SKIP
... def _sin(args, dims):
...     return bind(sin_p, args[0]), dims[0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..tracer import prims_structural as st
from ..tracer.api import trace_flat
from ..tracer.ir import Aval, ClosedIR, Var
from ..tracer.ops import shape_of
from ..tracer.primitive import Primitive, bind

BatchRule = Callable[..., tuple]
batch_rules: dict[Primitive, BatchRule] = {}


def batch_rule(*prims: Primitive) -> Callable[[BatchRule], BatchRule]:
    """Register a batching rule for one or more primitives (``@batch_rule(sin_p)``)."""
    def register(fn: BatchRule) -> BatchRule:
        for p in prims:
            batch_rules[p] = fn
        return fn
    return register


# ---------------------------------------------------------------------------
# moving and inserting the batch axis (used by the rules and by the transform)

def moveaxis(x, src: int, dst: int):
    """``x`` with its axis ``src`` moved to position ``dst`` (one ``transpose``)."""
    if src == dst:
        return x
    perm = [i for i in range(len(shape_of(x))) if i != src]
    perm.insert(dst, src)
    return bind(st.transpose_p, x, permutation=tuple(perm))


def broadcast_batch(x, size: int, axis: int):
    """An unbatched ``x`` repeated ``size`` times along a new axis ``axis``."""
    shape = tuple(shape_of(x))
    out = shape[:axis] + (size,) + shape[axis:]
    dims = tuple(i for i in range(len(out)) if i != axis)
    return bind(st.broadcast_in_dim_p, x, shape=out, broadcast_dimensions=dims)


def batch_at(x, dim: int | None, size: int, dst: int):
    """``x`` (batch axis at ``dim``, or unbatched when ``None``) with its batch axis
    at ``dst``."""
    return broadcast_batch(x, size, dst) if dim is None else moveaxis(x, dim, dst)


def axis_size(args: Sequence, dims: Sequence) -> int:
    """The batch size, read from the first batched operand."""
    for a, d in zip(args, dims):
        if d is not None:
            return shape_of(a)[d]
    raise ValueError("axis_size: no batched operand")


def batched_aval(aval: Aval, dim: int | None, size: int) -> Aval:
    """``aval`` with a batch axis of ``size`` inserted at ``dim`` (``None``: unchanged)."""
    if dim is None:
        return aval
    return Aval(aval.shape[:dim] + (size,) + aval.shape[dim:], aval.dtype)


# ---------------------------------------------------------------------------
# the transform

def batch_eqns(eqns: Sequence, env: dict, dims: dict) -> None:
    """Walk ``eqns`` applying batching rules: an iterative interpreter, not recursion.

    ``env`` maps vars to values and ``dims`` batched vars to their batch axis; an
    equation none of whose inputs is batched is bound unchanged.
    """
    for eqn in eqns:
        ins = [env[a] if type(a) is Var else a.val for a in eqn.inputs]
        ds = [dims.get(a) if type(a) is Var else None for a in eqn.inputs]
        prim = eqn.prim
        if all(d is None for d in ds):
            out = bind(prim, *ins, **eqn.params)
            env.update(zip(eqn.outputs, out if prim.multiple_results else [out]))
            continue
        rule = batch_rules.get(prim)
        if rule is None:
            raise NotImplementedError(f"no batching rule for primitive {prim.name!r}")
        out, out_dim = rule(ins, ds, **eqn.params)
        if not prim.multiple_results:
            out, out_dim = [out], [out_dim]
        for o, v, d in zip(eqn.outputs, out, out_dim):
            env[o] = v
            if d is not None:
                dims[o] = d


def _check_dims(dims: Sequence, avals: Sequence[Aval], extra: int, what: str) -> tuple:
    out = []
    for i, (d, a) in enumerate(zip(dims, avals)):
        if d is None:
            out.append(None)
            continue
        n = a.ndim + extra
        if not -n <= d < n:
            raise ValueError(f"batch_ir: {what} {i} has batch axis {d}, out of range for "
                             f"{a} (valid: {-n} .. {n - 1} or None)")
        out.append(d % n)
    return tuple(out)


def batch_ir(closed: ClosedIR, in_dims: Sequence[int | None], size: int,
             out_dims: Sequence[int | None] | None = None
             ) -> tuple[ClosedIR, tuple[int | None, ...]]:
    """The batched program of ``closed``: input ``i`` gains a batch axis of ``size``
    at ``in_dims[i]`` (``None``: shared by every example). Returns the program and
    the batch axis of each output (``None``: the same for every example).

    With ``out_dims`` each output's batch axis is moved there (an unbatched output
    is broadcast); ``None`` there requires the output to be unbatched
    (``ValueError`` otherwise, as vmap's ``out_axes=None``).

    >>> bclosed, dims = batch_ir(make_ir(np.sin)(np.ones(3)), (0,), 5)
    >>> print(bclosed)                                   # doctest: +SKIP
    { lambda ; a:f64[5,3]. let b:f64[5,3] = sin a in (b,) }
    """
    ir = closed.ir
    if len(in_dims) != len(ir.in_vars):
        raise ValueError(f"batch_ir: {len(in_dims)} in_dims for {len(ir.in_vars)} inputs")
    in_dims = _check_dims(in_dims, [v.aval for v in ir.in_vars], 1, "input")
    if out_dims is not None:
        if len(out_dims) != len(ir.out_vars):
            raise ValueError(f"batch_ir: {len(out_dims)} out_dims for "
                             f"{len(ir.out_vars)} outputs")
        out_dims = _check_dims(out_dims, [a.aval for a in ir.out_vars], 1, "output")
    natural: list = []

    def walk(*args):
        env = dict(zip(ir.const_vars, closed.consts))
        env.update(zip(ir.in_vars, args))
        dims = {v: d for v, d in zip(ir.in_vars, in_dims) if d is not None}
        batch_eqns(ir.eqns, env, dims)
        outs = [env[a] if type(a) is Var else a.val for a in ir.out_vars]
        odims = [dims.get(a) if type(a) is Var else None for a in ir.out_vars]
        if out_dims is None:
            natural[:] = odims
            return outs
        moved = []
        for i, (x, d, want) in enumerate(zip(outs, odims, out_dims)):
            if want is None:
                if d is not None:
                    raise ValueError(
                        f"vmap has mapped output but out_axes is None (output {i}, "
                        f"{batched_aval(ir.out_vars[i].aval, d, size)}, depends on a "
                        "mapped input): give that output an integer out_axes.")
                moved.append(x)
            else:
                moved.append(batch_at(x, d, size, want))
        return moved

    specs = [(batched_aval(v.aval, d, size), None) for v, d in zip(ir.in_vars, in_dims)]
    traced = trace_flat(walk, specs, concrete=False)
    return traced.closed(), tuple(natural) if out_dims is None else out_dims
