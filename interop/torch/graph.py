"""The recorded graph: ``grad_fn`` nodes holding the primitive equations an op emitted.

A node is one PyTorch-level operation (``MulBackward0``, ``MeanBackward0``): the
equations it emitted (``mean`` is ``reduce_sum`` then ``div``), the values they
computed (the residuals the backward may need), its external inputs (the vars of
the tensors it read, their arrays and versions) and ``nexts`` (the producer of each
input: a node, an ``AccumulateGrad`` for a leaf, or None for a constant). The
engine (``engine.py``) turns the nodes between roots and leaves into one IR.

Node classes are made per PyTorch name, so ``type(y.grad_fn).__name__`` and
``y.grad_fn.name()`` read like PyTorch's.
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any

import numpy as np

from ...tracer.ir import Eqn, Literal, Params, Var
from ...tracer.trace import aval_from_value

_seq = itertools.count()
_HERE = os.path.dirname(os.path.abspath(__file__))


def user_site() -> tuple[str, int] | None:
    """(file, line) of the innermost frame outside the shim: where the user's op is."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_HERE):
        f = f.f_back
    return None if f is None else (f.f_code.co_filename, f.f_lineno)


def describe_site(site: tuple[str, int] | None) -> str:
    """``file:line: source`` of a recorded site, for error messages."""
    if site is None:
        return "<unknown>"
    import linecache

    path, line = site
    src = linecache.getline(path, line).strip()
    return f"{path}:{line}: {src}" if src else f"{path}:{line}"


class Node:
    """A ``grad_fn``: one recorded operation (see the module docstring)."""

    __slots__ = ("seq", "ins", "ivals", "ivers", "nexts", "eqns", "vals", "outs", "opos",
                 "overs", "site", "freed", "hooked", "pre_hooks", "hooks", "shown", "sig",
                 "__weakref__")

    def name(self) -> str:
        """``y.grad_fn.name() == 'MulBackward0'`` (PyTorch's own C++ nodes carry their
        namespace: ``torch::autograd::CopySlices``)."""
        name = type(self).__name__
        return "torch::autograd::" + name if name in _NAMESPACED else name

    @property
    def next_functions(self) -> tuple:
        """((producer, 0), ...) per input: a node, an AccumulateGrad, or None (a constant,
        or a Python scalar operand, which PyTorch lists too)."""
        return tuple((fn, 0) for fn in (self.shown or self.nexts))

    @property
    def metadata(self) -> dict:
        return {}

    def register_hook(self, fn):
        """A hook on the node itself is accepted but not run (PyTorch runs it after the
        node's backward; tensor hooks are the supported way here)."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(fn)
        return _Handle(self.hooks, fn)

    def register_prehook(self, fn):
        if self.pre_hooks is None:
            self.pre_hooks = []
        self.pre_hooks.append(fn)
        return _Handle(self.pre_hooks, fn)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def free(self) -> None:
        """Drop the saved values (retain_graph=False); a later backward raises."""
        self.freed = True
        self.vals = None
        self.ivals = None


_NAMESPACED = {"CopySlices", "CopyBackwards"}


class AccumulateGrad:
    """The ``next_functions`` entry of a leaf that requires grad; ``.variable`` is it."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable: Any):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _Handle:
    """What ``register_hook`` returns: ``.remove()`` takes the hook off."""

    __slots__ = ("_list", "_fn")

    def __init__(self, lst: list, fn: Any):
        self._list = lst
        self._fn = fn

    def remove(self) -> None:
        try:
            self._list.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_classes: dict[str, type] = {}


def node_class(name: str) -> type:
    """The Node subclass called ``name`` (made once)."""
    cls = _classes.get(name)
    if cls is None:
        # no module, as torch's C++ nodes: type(y.grad_fn) prints <class 'MulBackward0'>
        cls = _classes[name] = type(name, (Node,), {"__slots__": (), "__module__": "builtins"})
    return cls


def new_node(cls: type) -> Node:
    """A fresh node of class ``cls`` with the next sequence number (creation order)."""
    n = cls.__new__(cls)
    n.seq = next(_seq)
    n.freed = False
    n.hooked = None
    n.pre_hooks = None
    n.hooks = None
    n.site = None
    n.shown = None
    n.sig = None
    return n


#: structural signatures of nodes, interned to small ints (see ``engine``'s fast path)
_SIGS: dict = {}


def intern_sig(key) -> int | None:
    """A small int standing for the structure ``key`` (the same key, the same int).

    Ids are never reused (a cached plan is found by them), so once the table is full new
    structures get None and take the general backward path.
    """
    sig = _SIGS.get(key)
    if sig is None:
        if len(_SIGS) >= 200_000:
            return None
        sig = _SIGS[key] = len(_SIGS)
    return sig


def eqns_sig(node: Node) -> int | None:
    """The interned structure of a node's equations (prims, params, literals, wiring)."""
    local = {id(v): ("i", k) for k, v in enumerate(node.ins)}
    parts = []
    j = 0
    try:
        for e in node.eqns:
            ins = tuple(local[id(a)] if type(a) is Var else (a.val.dtype.char, a.val.tobytes())
                        for a in e.inputs)
            parts.append((e.prim, tuple(e.params.items()), ins))
            for o in e.outputs:
                local[id(o)] = j
                j += 1
        outs = tuple(local[id(v)] for v in node.outs)
        return intern_sig((type(node), tuple(parts), outs))
    except (KeyError, TypeError):
        return None


# ---------------------------------------------------------------------------
# literals: Python scalars inside equations

_LIT_CACHE: dict = {}


def literal(value: Any, np_dtype: np.dtype) -> Literal:
    """A scalar ``Literal`` of ``np_dtype`` (cached for the common non-zero values)."""
    return literal_keyed(value, np_dtype)[0]


def literal_keyed(value: Any, np_dtype: np.dtype) -> tuple:
    """``(Literal, structural key)``: the key (dtype, exact bytes) tells -0.0 from 0.0."""
    cache_key = (value, np_dtype.char)
    hit = _LIT_CACHE.get(cache_key)
    if hit is None:
        v = np_dtype.type(value)
        hit = (Literal(v), (np_dtype.char, v.tobytes()))
        if value and value == value and len(_LIT_CACHE) < 4096:
            _LIT_CACHE[cache_key] = hit
    return hit


# ---------------------------------------------------------------------------
# composite recording: a builder that emits equations into one node


class H:
    """A value inside a composite op being recorded: its var and its NumPy value."""

    __slots__ = ("var", "val")

    def __init__(self, var: Var, val: Any):
        self.var = var
        self.val = val

    @property
    def shape(self) -> tuple:
        return self.val.shape

    @property
    def dtype(self) -> np.dtype:
        return self.val.dtype

    @property
    def ndim(self) -> int:
        return self.val.ndim


class Builder:
    """Emits the equations of one composite op into one node.

    ``b(prim, *args, **params)`` applies ``prim``: args are ``H`` handles, NumPy arrays
    (constants: they become inputs with no producer) or NumPy scalars (literals).
    The eager twin (``eager``) takes and returns plain arrays, so one composite
    function serves both modes.
    """

    __slots__ = ("node", "ins", "ivals", "ivers", "nexts", "eqns", "vals")

    def __init__(self, node: Node):
        self.node = node
        self.ins: list = []
        self.ivals: list = []
        self.ivers: list = []
        self.nexts: list = []
        self.eqns: list = []
        self.vals: list = []

    def input(self, t: Any) -> H:
        """A handle for tensor ``t`` read by this op (recorded as an external input)."""
        var = t._var
        if var is None:
            var = t._var = Var(aval_from_value(t._data))
        self.ins.append(var)
        self.ivals.append(t._data)
        vc = t._vc
        self.ivers.append((vc, vc[0]))
        self.nexts.append(t._producer())
        return H(var, t._data)

    def const(self, arr: np.ndarray) -> H:
        var = Var(aval_from_value(arr))
        self.ins.append(var)
        self.ivals.append(arr)
        self.ivers.append(None)
        self.nexts.append(None)
        return H(var, arr)

    def __call__(self, prim, *args, **params):
        atoms = []
        vals = []
        for a in args:
            ta = type(a)
            if ta is H:
                atoms.append(a.var)
                vals.append(a.val)
            elif ta is np.ndarray and a.ndim:
                h = self.const(a)
                atoms.append(h.var)
                vals.append(a)
            else:
                if not isinstance(a, np.generic):
                    a = np.asarray(a)[()]
                atoms.append(literal(a.item(), a.dtype))
                vals.append(a)
        out = prim.impl(*vals, **params)
        if prim.multiple_results:
            outs = [o if type(o) is np.ndarray else np.asarray(o) for o in out]
            out_vars = tuple(Var(aval_from_value(o)) for o in outs)
            self.eqns.append(Eqn(prim, tuple(atoms), out_vars, Params(params)))
            self.vals.extend(outs)
            return [H(v, o) for v, o in zip(out_vars, outs)]
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        var = Var(aval_from_value(out))
        self.eqns.append(Eqn(prim, tuple(atoms), (var,), Params(params)))
        self.vals.append(out)
        return H(var, out)

    def finish(self, outs: list[H], out_vcs: list) -> Node:
        """Seal the node: outputs are ``outs`` (handles), bound to tensors with ``out_vcs``."""
        n = self.node
        n.ins = tuple(self.ins)
        n.ivals = tuple(self.ivals)
        n.ivers = tuple(self.ivers)
        n.nexts = tuple(self.nexts)
        n.eqns = self.eqns
        n.vals = self.vals
        n.outs = tuple(h.var for h in outs)
        last = self.eqns[-1].outputs if self.eqns else ()
        if len(outs) == 1 and len(last) == 1 and outs[0].var is last[0]:
            n.opos = (len(self.vals) - 1,)  # the usual case: the last equation's result
        else:
            pos = {id(v): i for i, v in enumerate(_eqn_out_vars(self.eqns))}
            n.opos = tuple(pos.get(id(h.var), -1) for h in outs)
        n.overs = tuple((vc, vc[0]) for vc in out_vcs)
        return n


def _eqn_out_vars(eqns: list) -> list:
    return [v for e in eqns for v in e.outputs]


def eager(prim, *args, **params):
    """The eager twin of ``Builder.__call__``: apply ``prim`` to arrays and scalars."""
    out = prim.impl(*args, **params)
    if prim.multiple_results:
        return [o if type(o) is np.ndarray else np.asarray(o) for o in out]
    return out if type(out) is np.ndarray else np.asarray(out)
