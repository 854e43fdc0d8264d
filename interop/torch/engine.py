"""The backward engine: recorded nodes -> one IR -> ``transforms.backward_plan``.

It is not a second autodiff engine: it only collects the nodes between the roots and
the differentiated tensors (an explicit stack, no recursion), concatenates their
equations in creation order into an ``IR``, asks the transforms for the (cached)
backward plan, feeds it the saved values (checking their versions) and hands the
gradients out: into ``.grad`` (``backward``) or back to the caller (``grad``).

Tensors with hooks or ``retain_grad`` and non-leaf ``inputs`` cut the graph: their
total gradient is computed first, hooks run on it, and the backward continues from
them in a later stage (latest-created first, so every contribution has arrived).
With ``create_graph=True`` the forward equations and the plan's backward program are
evaluated through the shim's own recording ops, so the gradients are differentiable.
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np

from ...tracer.ir import IR
from ...transforms import backward_plan
from .custom_function import BackwardCFunction
from .graph import AccumulateGrad, Node, describe_site
from .tensor import Tensor, _legacy_name

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")

#: statistics for benchmarks: backward calls, IR equations assembled, fast-path hits
stats = {"backward_calls": 0, "stages": 0, "eqns": 0, "fast": 0, "fast_builds": 0}


class _Ext:
    """An external input of a stage's IR: a differentiated var or a constant."""

    __slots__ = ("var", "val", "ver", "kind", "tensor", "node")

    def __init__(self, var, val, ver, kind, tensor, node=None):
        self.node = node      # the producer of a cut var
        self.var = var
        self.val = val
        self.ver = ver
        self.kind = kind  # leaf, target, unused (a target no node reads), cut or const
        self.tensor = tensor


def _collect(root_nodes: list[Node], cut: dict) -> list[Node]:
    """Nodes reachable from the roots without crossing a cut var, in creation order."""
    seen = set()
    nodes = []
    stack = list(root_nodes)
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.freed:
            raise RuntimeError(SECOND_BACKWARD)
        nodes.append(n)
        for var, nf in zip(n.ins, n.nexts):
            if type(nf) is not AccumulateGrad and nf is not None:
                if id(var) in cut:
                    continue
                h = nf.hooked
                if h is not None and id(var) in h:
                    continue
                if id(nf) not in seen:
                    stack.append(nf)
    nodes.sort(key=_seq)
    return nodes


def _seq(n: Node) -> int:
    return n.seq


class Stage:
    """One IR between some roots and the boundary (leaves, cut vars, constants)."""

    def __init__(self, roots: list, nodes: list[Node], targets: dict, all_leaves: bool):
        # roots: (var, ct array or Tensor) pairs, one per distinct var
        self.nodes = nodes
        consts: list[_Ext] = []
        diffs: list[_Ext] = []
        seen: set = set()
        eqns: list = []
        for n in nodes:
            eqns.extend(n.eqns)
            ivers = n.ivers
            for i, (var, nf) in enumerate(zip(n.ins, n.nexts)):
                vid = id(var)
                if vid in seen:
                    continue
                if nf is None:
                    kind, tensor = "const", None
                elif vid in targets:
                    kind, tensor = "target", targets[vid]
                elif type(nf) is AccumulateGrad:
                    # not differentiated here, but create_graph replays it as the leaf
                    kind, tensor = ("leaf" if all_leaves else "const"), nf.variable
                else:
                    h = nf.hooked
                    if h is not None and vid in h:
                        kind, tensor = "cut", h[vid]
                    else:
                        continue  # produced inside this stage
                seen.add(vid)
                ext = _Ext(var, n.ivals[i], ivers[i], kind, tensor,
                           nf if kind in ("cut", "target") and isinstance(nf, Node) else None)
                (consts if kind == "const" else diffs).append(ext)
        # targets that no collected equation reads are still inputs (zero gradient)
        root_ids = {id(v) for v, _ in roots}
        for vid, t in targets.items():
            if vid not in seen and vid not in root_ids:
                seen.add(vid)
                diffs.append(_Ext(t._var, t._data, None, "unused", t))
        self.consts = consts
        self.diffs = diffs
        self.ext = consts + diffs
        self.roots = roots
        self.ir = IR([e.var for e in consts], [e.var for e in diffs], eqns,
                     [v for v, _ in roots])
        stats["eqns"] += len(eqns)

    def values(self, indices) -> list:
        """The saved values at canonical ``indices``, refusing stale (modified) ones."""
        ext = self.ext
        n_ext = len(ext)
        out = []
        eqn_index = None
        for r in indices:
            if r < n_ext:
                e = ext[r]
                if e.ver is not None and e.ver[0][0] != e.ver[1]:
                    _raise_version(e.val, e.ver, None, self._readers(e.var))
                out.append(e.val)
            else:
                if eqn_index is None:
                    eqn_index = self._eqn_index(n_ext)
                node, k, local = eqn_index[r]
                if node.vals is None:
                    raise RuntimeError(SECOND_BACKWARD)
                if k is not None:
                    vc, ver = node.overs[k]
                    if ver is not None and vc[0] != ver:
                        _raise_version(node.vals[local], (vc, ver), node,
                                       self._readers(node.outs[k]))
                out.append(node.vals[local])
        return out

    def _readers(self, var) -> list[Node]:
        """The nodes of this stage that read ``var`` (for error messages)."""
        return [n for n in self.nodes if any(v is var for v in n.ins)]

    def _eqn_index(self, base: int) -> dict:
        """Canonical index -> (node, output slot or None, index into node.vals)."""
        index = {}
        for n in self.nodes:
            outs = {p: k for k, p in enumerate(n.opos)}
            m = _n_outs(n)
            for j in range(m):
                index[base + j] = (n, outs.get(j), j)
            base += m
        return index


def _n_outs(n: Node) -> int:
    return sum(len(e.outputs) for e in n.eqns)


#: primitives whose backward reads their own result (PyTorch saves the output)
_SAVES_OUTPUT = {"exp", "tanh", "logistic", "sqrt", "rsqrt", "expm1"}


def _raise_version(val: np.ndarray, ver: tuple, saved_by: Node | None,
                   readers: list[Node]) -> None:
    vc, expected = ver
    t = Tensor._wrap(val)
    dims = ", ".join(map(str, val.shape))
    fn = vc[1]
    if saved_by is not None and (fn is None or saved_by.eqns[-1].prim.name in _SAVES_OUTPUT):
        fn = saved_by  # PyTorch names the node whose own result was saved
    which = ""
    if fn is not None:
        name = type(fn).__name__
        base = name[:-9] if name.endswith("Backward0") or name.endswith("Backward1") else name
        which = f", which is output 0 of {base},"
    msg = (f"one of the variables needed for gradient computation has been modified by an "
           f"inplace operation: [torch.{_legacy_name(t)} [{dims}]]{which} is at version "
           f"{vc[0]}; expected version {expected} instead. Hint: enable anomaly detection to "
           "find the operation that failed to compute its gradient, with "
           "torch.autograd.set_detect_anomaly(True, check_nan=False).")
    extra = []
    sites = [n.site for n in readers if n.site is not None]
    if saved_by is not None and saved_by.site is not None and (
            not sites or saved_by.eqns[-1].prim.name in _SAVES_OUTPUT):
        sites.insert(0, saved_by.site)
    if sites:
        extra.append(f"the value was saved by {describe_site(sites[0])}")
    if vc[2] is not None:
        extra.append(f"last modified in place by {describe_site(vc[2])}")
    if extra:
        msg += " (tracegrad: " + "; ".join(extra) + ")"
    raise RuntimeError(msg)


def wirtinger(g: Any) -> Any:
    """Switch a gradient between PyTorch's complex convention and the transforms' (JAX's).

    The transforms pair a cotangent ``c`` with a tangent ``t`` as ``Re(sum(c * t))``;
    PyTorch's gradients are conjugate Wirtinger derivatives, paired as
    ``Re(sum(conj(g) * t))``, so PyTorch's vector-Jacobian product with ``g`` is
    ``conj(vjp(conj(g)))``. The engine applies this to every stage's root cotangents
    on the way in and to its gradients on the way out, so hooks, ``retain_grad``,
    ``.grad``, ``autograd.grad`` and ``create_graph`` all see PyTorch's values. Real
    arrays pass unchanged (the map is its own inverse).
    """
    if isinstance(g, Tensor):
        if g._data.dtype.kind != "c":
            return g
        from ...tracer.prims_elementwise import conj_p
        from .ops_core import apply1
        return apply1("ConjBackward0", conj_p, g)
    if getattr(g, "dtype", None) is not None and g.dtype.kind == "c":
        return np.conj(g)
    return g


def run_stage(stage: Stage, create_graph: bool) -> list:
    """Gradients (arrays, or Tensors when create_graph) for ``stage.diffs``."""
    ir = stage.ir
    plan = backward_plan(ir, (True,) * len(ir.in_vars), (True,) * len(ir.out_vars))
    stats["stages"] += 1
    if not create_graph:
        res = stage.values(plan.residuals)
        cts = [ct._data if isinstance(ct, Tensor) else ct for _, ct in stage.roots]
        return plan.run(res, cts)
    from .replay import replay_backward
    return replay_backward(stage, plan)



def execute(roots: list[Tensor], cts: list, *, inputs: list[Tensor] | None,
            retain_graph: bool, create_graph: bool, accumulate: bool) -> list | None:
    """Run a backward pass from ``roots`` with cotangents ``cts`` (arrays or Tensors).

    ``accumulate``: backward() semantics (into ``.grad`` of the leaves, or of ``inputs``);
    otherwise grad() semantics: return one gradient (or None) per tensor in ``inputs``.
    """
    stats["backward_calls"] += 1
    targets: dict = {}
    if inputs is not None:
        for t in inputs:
            if t._var is None:
                from .ops_core import _var_of
                _var_of(t)
            targets[id(t._var)] = t
    visited: list[Node] = []
    paused: list = []
    try:
        return _execute(roots, cts, targets, inputs, retain_graph, create_graph,
                        accumulate, visited, paused)
    finally:
        if paused:
            gc.enable()


def _execute(roots, cts, targets, inputs, retain_graph, create_graph, accumulate, visited,
             paused):
    all_leaves = accumulate and inputs is None
    results: dict = {}       # id(var) -> [tensor, summed gradient]
    pending: dict = {}       # id(var) -> [tensor, summed gradient, var, producer node]
    done: set = set()        # non-leaf targets whose total gradient is known

    def add(store: dict, vid: int, tensor: Tensor, g: Any) -> None:
        if g is None:
            return
        cur = store.get(vid)
        if cur is None:
            store[vid] = [tensor, g]
        else:
            cur[1] = cur[1] + g

    def add_pending(vid: int, tensor: Tensor, g: Any, var: Any, node: Node) -> None:
        if g is None:
            return
        cur = pending.get(vid)
        if cur is None:
            pending[vid] = [tensor, g, var, node]
        else:
            cur[1] = cur[1] + g

    def route(var: Any, nf: Any, g: Any) -> None:
        # a custom Function's input gradient continues from that input's producer
        vid = id(var)
        t = targets.get(vid)
        if type(nf) is AccumulateGrad:
            if t is not None or all_leaves:
                add(results, vid, nf.variable, g)
        elif t is not None:
            add_pending(vid, t, g, var, nf)
        else:
            h = nf.hooked
            add_pending(vid, h.get(vid, _UNNAMED) if h else _UNNAMED, g, var, nf)

    waiting: dict = {}       # id(custom node) -> {id(output var): gradient}

    # roots: merge repeats; a root that is itself a boundary contributes directly
    stage_roots: dict = {}
    for t, ct in zip(roots, cts):
        vid = id(t._var) if t._var is not None else None
        if t._fn is None:
            if vid is None:
                from .ops_core import _var_of
                _var_of(t)
                vid = id(t._var)
            if vid in targets or (all_leaves and t._rg):
                add(results, vid, t, ct)
            continue
        if vid in targets or (t._hooks or t._retain) or isinstance(t._fn, BackwardCFunction):
            add_pending(vid, t, ct, t._var, t._fn)
            continue
        if vid in stage_roots:
            stage_roots[vid][1] = stage_roots[vid][1] + ct
        else:
            stage_roots[vid] = [t, ct]
    work = [[(t._var, ct) for t, ct in stage_roots.values()],
            [t._fn for t, _ in stage_roots.values()]]
    while True:
        root_pairs, root_nodes = work
        if root_pairs:
            root_pairs = [(v, wirtinger(ct)) for v, ct in root_pairs]
            nodes = _collect(root_nodes, targets)
            if len(nodes) > 5000 and gc.isenabled():
                # a big graph: building its IR allocates many long-lived objects, and
                # full collections would walk them again and again
                gc.disable()
                paused.append(True)
            visited.extend(nodes)
            fast = None if create_graph else _fast_stage(root_pairs, nodes, targets,
                                                         all_leaves)
            if fast is not None:
                for var, t, g in fast:
                    add(results, id(var), t, wirtinger(_materialize(g, t)))
                root_pairs = None
        if root_pairs:
            stage = Stage(root_pairs, nodes, targets, all_leaves)
            grads = run_stage(stage, create_graph)
            for e, g in zip(stage.diffs, grads):
                g = wirtinger(g if e.kind == "unused" else _materialize(g, e.tensor))
                vid = id(e.var)
                if e.kind == "cut" or (e.kind == "target" and e.node is not None):
                    add_pending(vid, e.tensor, g, e.var, e.node)
                else:
                    add(results, vid, e.tensor, g)
        if not pending:
            break
        vid = max(pending, key=lambda k: pending[k][3].seq)
        t, g, var, node = pending.pop(vid)
        current = t._var is var  # hooks and retain_grad follow the tensor's newest value
        if current:
            g = _run_tensor_hooks(t, g, create_graph)
            if t._retain:
                _retain(t, g, create_graph)
        if vid in targets:
            add(results, vid, t, g)
            done.add(vid)
            if not all_leaves and all(k in done for k in targets):
                work = [[], []]     # nothing upstream is asked for
                continue
        work = [[(var, g)], [node]]
        if isinstance(node, BackwardCFunction):
            # a custom Function: its Python backward runs once all its outputs' gradients
            # are in (they share the node's seq, so they are popped one after another)
            work = [[], []]
            waiting.setdefault(id(node), {})[id(var)] = g
            if not any(p[3] is node for p in pending.values()):
                visited.append(node)
                for ivar, nf, ig in node._run_backward(waiting.pop(id(node)), create_graph):
                    route(ivar, nf, ig)
    if not retain_graph:
        for n in visited:
            n.free()
    if accumulate:
        ct_ids = {id(c) for c in cts}
        for t, g in results.values():
            if id(g) in ct_ids and isinstance(g, np.ndarray):
                g = g.copy()  # .grad must not alias the caller's gradient tensor
            _accumulate(t, g, create_graph)
        return None
    return [results[id(t._var)][1] if id(t._var) in results else None for t in inputs]


class _Unnamed:
    """Stands for the tensor of a var known only by its producer (no hooks to run)."""

    _var = None


_UNNAMED = _Unnamed()


def _materialize(g: Any, t: Tensor | None) -> Any:
    """A structurally zero gradient (floor, sign, round...) of a tensor the graph reaches
    is a zero tensor in PyTorch, not None (None means "not in the graph")."""
    if g is None and t is not None:
        return np.zeros(t._data.shape, t._data.dtype)
    return g


def _as_tensor(g: Any) -> Tensor:
    return g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g))


def _run_tensor_hooks(t: Tensor, g: Any, create_graph: bool) -> Any:
    if not t._hooks:
        return g
    gt = _as_tensor(g)
    for hook in list(t._hooks):
        out = hook(gt)
        if out is not None:
            gt = out
    return gt if create_graph else gt._data


def _owned(g: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A private, writable copy unless ``g`` already is one."""
    if g.dtype != dtype:
        return g.astype(dtype)
    if g.base is not None or not g.flags.writeable:
        return g.copy()
    return g


def _retain(t: Tensor, g: Any, create_graph: bool) -> None:
    if isinstance(g, Tensor) and not create_graph:
        g = g._data
    if t._grad is None:
        t._grad = g if isinstance(g, Tensor) else Tensor._wrap(_owned(g, t._data.dtype).copy())
    else:
        t._grad = _plus(t._grad, g, create_graph)


def _plus(a: Tensor, g: Any, create_graph: bool) -> Tensor:
    if create_graph or isinstance(g, Tensor):
        from . import ops_math
        return ops_math.add(a, _as_tensor(g))
    return Tensor._wrap(a._data + g)


def _accumulate(t: Tensor, g: Any, create_graph: bool) -> None:
    """AccumulateGrad: leaf hooks, then ``.grad`` = g (first time) or += g."""
    if t._hooks:
        g = _run_tensor_hooks(t, g, create_graph)
        if isinstance(g, np.ndarray):
            g = g.copy()  # a hook may keep the tensor it saw: .grad must not alias it
    dtype = t._data.dtype
    if t._grad is None:
        if create_graph:
            from ...tracer.prims_elementwise import convert_element_type_p
            from .ops_core import apply1
            gt = _as_tensor(g)
            t._grad = apply1("CopyBackwards", convert_element_type_p, gt, new_dtype=dtype)
        else:
            if isinstance(g, Tensor):
                g = g._data
            g = np.asarray(g)
            if g.shape != t._data.shape:
                g = np.broadcast_to(g, t._data.shape)
            t._grad = Tensor._wrap(_owned(g, dtype))
        return
    cur = t._grad
    if create_graph:
        from . import ops_math
        t._grad = ops_math.add(cur, _as_tensor(g))
        return
    if isinstance(g, Tensor):
        g = g._data
    # in place, as PyTorch does outside create_graph (an existing grad made with
    # create_graph keeps its grad_fn)
    data = cur._data
    if not data.flags.writeable:
        data = cur._data = data.copy()
    np.add(data, g, out=data, casting="unsafe")
    cur._vc[0] += 1


# the fast path lives in its own module; it uses Stage and stats from here
from .fast_path import _fast_stage, cache_info  # noqa: E402,F401
