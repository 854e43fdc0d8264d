"""Dispatch: apply primitives to tensors eagerly, recording a node when autograd needs one.

The hot path is ``apply1`` (one primitive = one node, e.g. ``mul`` -> ``MulBackward0``)
and ``binary`` (PyTorch type promotion, Python scalars as literals). ``composite``
runs a function that emits several primitives into ONE node (``mean`` = ``reduce_sum``
then ``div`` -> ``MeanBackward0``). ``inplace`` turns an out-of-place result into an
in-place update with version counting. These are the documented low-level hooks for
code built on the shim (nn.functional):

>>> from tracegrad.tracer.prims_elementwise import tanh_p
>>> y = apply1("TanhBackward0", tanh_p, x)          # doctest: +SKIP
>>> z = composite("MyOpBackward0", fn, [x, w], k=2)  # fn(b, xh, wh, k=2) -> handle
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tracer import prims_elementwise as ew
from ...tracer.ir import Eqn, Params, Var
from ...tracer.trace import aval_from_value
from . import dtypes
from .grad_mode import _enabled
from .graph import (
    Builder,
    eager,
    eqns_sig,
    intern_sig,
    literal_keyed,
    new_node,
    node_class,
    user_site,
)
from .tensor import Tensor

_ndarray = np.ndarray
_asarray = np.asarray


def _var_of(t: Tensor) -> Var:
    var = t._var
    if var is None:
        var = t._var = Var(aval_from_value(t._data))
    return var


def apply1(name: str | type, prim, *args: Any, **params: Any) -> Tensor:
    """Apply one primitive to tensors (and scalars already of the right NumPy dtype).

    Records one node named ``name`` when grad mode is on and an input requires grad.
    """
    vals = [a._data if isinstance(a, Tensor) else a for a in args]
    try:
        out = prim.impl(*vals, **params)
    except ValueError:
        _broadcast_error(vals)
        raise
    if type(out) is not _ndarray:
        out = _asarray(out)
    if _enabled.get():
        for a in args:
            if isinstance(a, Tensor) and (a._rg or a._fn is not None):
                return _record1(name, prim, args, params, out)
    return Tensor._wrap(out)


def _must_record(tensors) -> bool:
    """Grad mode is on and some input is tracked, so the op becomes a graph node."""
    return _enabled.get() and any(t._rg or t._fn is not None for t in tensors)


def _broadcast_error(vals: list) -> None:
    """PyTorch's message for operands whose shapes do not broadcast."""
    shapes = [np.shape(v) for v in vals]
    if len(shapes) != 2:
        return
    a, b = shapes
    n = max(len(a), len(b))
    for i in range(1, n + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and da != 1 and db != 1:
            raise RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b "
                               f"({db}) at non-singleton dimension {n - i}")


def _record1(name, prim, args, params, out) -> Tensor:
    cls = node_class(name) if type(name) is str else name
    n = new_node(cls)
    atoms = []
    ins = []
    ivals = []
    ivers = []
    nexts = []
    litkey = []
    for a in args:
        if isinstance(a, Tensor):
            var = a._var
            if var is None:
                var = a._var = Var(aval_from_value(a._data))
            atoms.append(var)
            ins.append(var)
            ivals.append(a._data)
            vc = a._vc
            ivers.append((vc, vc[0]))
            fn = a._fn
            nexts.append(fn if fn is not None else a._producer())
            litkey.append(None)
        else:
            lit, key = literal_keyed(a.item(), a.dtype)
            atoms.append(lit)
            litkey.append(key)
    ovar = Var(aval_from_value(out))
    if len(atoms) != len(ins):
        # PyTorch lists scalar operands in next_functions as (None, 0)
        it = iter(nexts)
        n.shown = tuple(next(it) if isinstance(a, Tensor) else None for a in args)
    n.ins = tuple(ins)
    n.ivals = tuple(ivals)
    n.ivers = tuple(ivers)
    n.nexts = tuple(nexts)
    n.eqns = [Eqn(prim, tuple(atoms), (ovar,), Params(params))]
    try:
        n.sig = intern_sig((cls, prim, tuple(params.items()), tuple(litkey)))
    except TypeError:  # an unhashable param: no fast path for this node
        pass
    n.vals = [out]
    n.outs = (ovar,)
    n.opos = (0,)
    t = Tensor._wrap(out, n, ovar)
    n.overs = ((t._vc, 0),)
    n.site = user_site()
    return t


def composite(name: str, fn, tensors: list[Tensor], *args: Any, **kw: Any):
    """Run ``fn(b, *handles, *args, **kw)`` emitting several primitives into ONE node.

    ``b(prim, *operands, **params)`` applies a primitive (handles, constant arrays,
    NumPy scalars). ``fn`` returns a handle, or a list/tuple of handles and plain
    arrays (non-differentiable outputs such as indices). Without recording, ``fn``
    gets plain arrays and ``b`` evaluates eagerly.
    """
    if not _must_record(tensors):
        out = fn(eager, *[t._data for t in tensors], *args, **kw)
        if isinstance(out, (list, tuple)):
            return type(out)(Tensor._wrap(_asarray(o)) for o in out)
        return Tensor._wrap(_asarray(out))
    node = new_node(node_class(name))
    b = Builder(node)
    handles = [b.input(t) for t in tensors]
    out = fn(b, *handles, *args, **kw)
    many = isinstance(out, (list, tuple))
    outs = list(out) if many else [out]
    diff = [o for o in outs if type(o) is not _ndarray]
    result = []
    bound = []
    for o in outs:
        if type(o) is _ndarray:
            result.append(Tensor._wrap(o))
        else:
            t = Tensor._wrap(o.val, node, o.var)
            result.append(t)
            bound.append(t._vc)
    b.finish(diff, bound)
    node.site = user_site()
    node.sig = _composite_sig(node, name, fn, tensors, args, kw)
    return type(out)(result) if many else result[0]


_COMPOSITE_SIGS: dict = {}


def _composite_sig(node, name, fn, tensors, args, kw) -> int | None:
    """The node's structure: memoised on (fn, static args, input avals) when hashable
    (a closure may capture values, so it is read from the equations instead)."""
    if getattr(fn, "__closure__", None):
        return eqns_sig(node)
    try:
        memo = (name, fn, args, tuple(kw.items()) if kw else (),
                tuple((t._data.shape, t._data.dtype.char) for t in tensors))
        sig = _COMPOSITE_SIGS.get(memo)
    except TypeError:
        return eqns_sig(node)
    if sig is None:
        sig = eqns_sig(node)
        if sig is not None and len(_COMPOSITE_SIGS) < 65536:
            _COMPOSITE_SIGS[memo] = sig
    return sig


# ---------------------------------------------------------------------------
# dtypes and promotion

def dtype_of(x: Any) -> np.dtype:
    """The NumPy dtype of a tensor, or PyTorch's dtype for a Python scalar."""
    return x._data.dtype if isinstance(x, Tensor) else dtypes.scalar_dtype(x).np


def _prio(t: Tensor) -> int:
    return 2 if t._data.ndim else 1


def result_np_dtype(*xs: Any) -> np.dtype:
    """PyTorch's result dtype of tensors and Python scalars, as a NumPy dtype."""
    ops = []
    for x in xs:
        if isinstance(x, Tensor):
            ops.append((dtypes.from_numpy(x._data.dtype), _prio(x)))
        elif isinstance(x, (bool, int, float, complex, np.generic)):
            if isinstance(x, np.generic):
                x = x.item()
            ops.append((dtypes.scalar_dtype(x), 0))
    return dtypes.result_type(ops).np


def convert(t: Tensor, np_dtype: np.dtype) -> Tensor:
    """``t`` as ``np_dtype`` (recorded as ToCopyBackward0 when it carries a gradient)."""
    if t._data.dtype == np_dtype:
        return t
    data = t._data
    if data.dtype.kind == "c" and np_dtype.kind != "c":
        import warnings
        warnings.warn("Casting complex values to real discards the imaginary part (Triggered "
                      "internally at /__w/pytorch/pytorch/aten/src/ATen/native/Copy.cpp:307.)",
                      UserWarning, stacklevel=3)
        data = data.real
    if (t._rg or t._fn is not None) and np_dtype.kind in "fc" and _enabled.get():
        return apply1("ToCopyBackward0", ew.convert_element_type_p, t, new_dtype=np_dtype)
    return Tensor._wrap(data.astype(np_dtype))


def as_tensor_like(x: Any, np_dtype: np.dtype) -> Tensor:
    """``x`` as a tensor of ``np_dtype`` (recorded conversion for tensors)."""
    if isinstance(x, Tensor):
        return convert(x, np_dtype)
    return Tensor._wrap(_asarray(x, dtype=np_dtype))


def binary(name: str, prim, a: Any, b: Any, out_dtype: np.dtype | None = None) -> Tensor:
    """``prim(a, b)`` with PyTorch's promotion; either side may be a Python scalar.

    ``out_dtype`` forces the computation dtype (true division of integers).
    """
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        da = a._data.dtype
        if da == b._data.dtype and out_dtype is None:
            return apply1(name, prim, a, b)
        dt = out_dtype or result_np_dtype(a, b)
        return apply1(name, prim, convert(a, dt), convert(b, dt))
    if ta:
        t, s, t_first = a, b, True
    elif tb:
        t, s, t_first = b, a, False
    else:
        raise TypeError(f"unsupported operand types: {type(a).__name__}, {type(b).__name__}")
    if isinstance(s, np.ndarray):
        s = Tensor._wrap(s)
        return binary(name, prim, a if ta else s, b if tb else s, out_dtype)
    if not isinstance(s, (int, float, bool, complex, np.generic)):
        return NotImplemented
    if isinstance(s, np.generic):
        s = s.item()
    dt = t._data.dtype
    if out_dtype is not None:
        dt2 = out_dtype
    else:
        sk = dtypes.scalar_dtype(s)._kind
        tk = dtypes.from_numpy(dt)._kind
        dt2 = dt if sk <= tk else dtypes.result_type([(dtypes.from_numpy(dt), 2),
                                                       (dtypes.scalar_dtype(s), 0)]).np
    if dt2 != dt:
        t = convert(t, dt2)
    sv = dt2.type(s)
    return apply1(name, prim, t, sv) if t_first else apply1(name, prim, sv, t)


# ---------------------------------------------------------------------------
# in-place updates

def check_inplace(t: Tensor) -> None:
    """PyTorch refuses in-place changes of a leaf that requires grad (in grad mode)."""
    if t._fn is None and t._rg and _enabled.get():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


def inplace(t: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` (computed out of place from ``t``) into ``t``; bump its version.

    When ``t`` is a view (basic indexing) of a base tensor, the base is rebased as
    PyTorch does: its new value is a ``CopySlices`` node of its old value and ``t``.
    """
    check_inplace(t)
    view = t.__dict__.get("_view_of") if t.__dict__ else None
    if view is not None and _enabled.get() and view[0]._fn is None and view[0]._rg:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    data = t._data
    rd = result._data
    if rd.shape != data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, data.shape))}] doesn't "
                           f"match the broadcast shape [{', '.join(map(str, rd.shape))}]")
    if rd.dtype != data.dtype:
        if dtypes.from_numpy(rd.dtype)._kind > dtypes.from_numpy(data.dtype)._kind:
            from .tensor import _LEGACY
            raise RuntimeError(
                f"result type {_LEGACY[rd.dtype.name][:-6]} can't be cast to the desired "
                f"output type {_LEGACY[data.dtype.name][:-6]}")
        result = convert(result, data.dtype)
        rd = result._data
    node = result._fn
    if node is not None:
        # the node read the old value of ``t`` from this very array: keep a private copy
        old = None
        ivals = list(node.ivals)
        ivers = list(node.ivers)
        for i, v in enumerate(ivals):
            if v is data:
                if old is None:
                    old = data.copy()
                ivals[i] = old
                ivers[i] = None
        node.ivals = tuple(ivals)
        node.ivers = tuple(ivers)
    if data.ndim:
        np.copyto(data, rd, casting="unsafe")
    else:
        data[()] = rd
    vc = t._vc
    vc[0] += 1
    vc[2] = user_site()
    if node is not None:
        t._fn = node
        t._var = result._var
        vc[1] = node
        if t._retain or t._hooks:
            t._mark_hooked()  # retain_grad and hooks move to the new value, as in PyTorch
        # the node's saved result is a private array (copied into ``t``): later in-place
        # changes of ``t`` cannot spoil it, so it needs no version check
        node.overs = ((vc, None),)
    elif t._fn is None:
        t._var = None
    if view is not None and _enabled.get() and (t._fn is not None or view[0].requires_grad):
        from .ops_shape import rebase_view
        rebase_view(view[0], view[1], t)
    return t


# ---------------------------------------------------------------------------
# ops written with the tracer's NumPy layer (indexing, index updates): traced once per
# call on the concrete values, and the trace's equations become one node


def traced(name: str, fn, tensors: list[Tensor]) -> Tensor:
    """``fn(*arrays)`` written with ``tracegrad.tracer`` NumPy semantics, as ONE node."""
    if not _must_record(tensors):
        return Tensor._wrap(_asarray(fn(*[t._data for t in tensors])))
    from ...tracer.api import trace_flat
    from ...tracer.ir import Literal

    tr = trace_flat(lambda *xs: [fn(*xs)], [(aval_from_value(t._data), t._data)
                                           for t in tensors])
    node = new_node(node_class(name))
    b = Builder(node)
    mapping = {}
    for v, t in zip(tr.ir.in_vars, tensors):
        mapping[v] = b.input(t).var
    for v, c in zip(tr.ir.const_vars, tr.consts):
        mapping[v] = b.const(_asarray(c)).var
    for eqn, val in zip(tr.ir.eqns, tr.eqn_vals):
        ins = tuple(mapping.get(a, a) if type(a) is Var else a for a in eqn.inputs)
        b.eqns.append(Eqn(eqn.prim, ins, eqn.outputs, eqn.params))
        if eqn.prim.multiple_results:
            b.vals.extend(_asarray(x) for x in val)
        else:
            b.vals.append(_asarray(val))
    out = tr.ir.out_vars[0]
    out_val = _asarray(tr.out_vals[0])
    if type(out) is Literal or out in mapping:
        from .graph import H
        src = H(mapping[out], out_val) if type(out) is not Literal else out_val.copy()
        h = b(ew.convert_element_type_p, src, new_dtype=out_val.dtype)
    else:
        from .graph import H
        h = H(out, out_val)
    t = Tensor._wrap(h.val, node, h.var)
    b.finish([h], [t._vc])
    node.site = user_site()
    return t
