"""``torch.func`` (grad, vjp, jacrev, jacfwd, hessian, vmap) over ``tracegrad.transforms``.

The user's function runs once on fresh leaf tensors with recording on; the recorded
nodes are the IR of that function (specialised to the path taken, as in PyTorch). The
JAX-style transform is applied to that IR as a NumPy function, traced once more into a
derivative IR, and the derivative IR is evaluated through the shim's recording ops on the
caller's tensors. So results are ordinary tensors that stay connected to any enclosing
recording: ``grad(grad(f))`` and ``autograd.grad`` of a ``func.grad`` result work.

    >>> grad(lambda x: (x ** 3).sum())(tensor([1.0, 2.0]))
    tensor([ 3., 12.])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import transforms as T
from ...tracer import eval_ir_flat, make_ir, tree_flatten, tree_map, tree_unflatten
from ...tracer.ir import IR, ClosedIR, Var
from . import graph, vmap_guard
from .custom_function import BackwardCFunction, func_transform_error
from .grad_mode import enable_grad, is_grad_enabled
from .ops_core import _var_of
from .replay import _eval_recorded
from .tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian", "vmap"]


def _argnums(argnums: int | Sequence[int], n_args: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for a in nums:
        if not -n_args <= a < n_args:
            raise RuntimeError(f"Got argnum={a}, but only {n_args} positional inputs")
    return tuple(a % n_args for a in nums)


class _Recorded:
    """``f`` recorded on fresh leaves: an IR over (differentiated leaves, captured tensors).

    ``captured`` are tensors from outside that the function read and that require grad
    (module parameters, values of an enclosing recording): they enter the IR as inputs so
    that evaluating the derivative on them keeps the enclosing graph connected.
    """

    def __init__(self, f: Callable, args: tuple, nums: tuple[int, ...], has_aux: bool,
                 what: str):
        diff_args = [args[i] for i in nums]
        flat, self.diff_tree = tree_flatten(diff_args)
        for t in flat:
            if not isinstance(t, Tensor):
                raise RuntimeError(f"{what}: expected the differentiated arguments to be "
                                   f"Tensors, got {type(t).__name__}")
            if t._data.dtype.kind not in "fc":
                raise RuntimeError("only Tensors of floating point dtype can require "
                                   "gradients")
        self.diff_tensors = flat
        fresh = [Tensor._wrap(t._data) for t in flat]
        for t in fresh:
            t._rg = True
            _var_of(t)
        fresh_args = list(args)
        for i, sub in zip(nums, tree_unflatten(self.diff_tree, fresh)):
            fresh_args[i] = sub
        marker = next(graph._seq)
        with enable_grad():
            out = f(*fresh_args)
        self.aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError(f"{what}: output of function f should be a tuple: "
                                   "(output, aux) if has_aux is True")
            out, self.aux = out
        outs, self.out_tree = tree_flatten(out)
        for o in outs:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{what}: Expected f(*args) to return a Tensor, got "
                                   f"{type(o)}")
        self.outs = outs
        self._build(fresh, outs, marker)

    def _build(self, fresh: list[Tensor], outs: list[Tensor], marker: int) -> None:
        inner = _inner_nodes(outs, marker)
        eqns = [e for n in inner for e in n.eqns]
        known = {id(t._var) for t in fresh}
        known.update(id(v) for e in eqns for v in e.outputs)
        const_vars, const_vals, cap_vars, captured = [], [], [], []

        def external(var: Var, val: Any, producer: Any, tensor: Tensor | None) -> None:
            known.add(id(var))
            if producer is None:
                const_vars.append(var)
                const_vals.append(val)
                return
            if tensor is None:
                tensor = (producer.variable if type(producer) is graph.AccumulateGrad
                          else Tensor._wrap(val, producer, var))
            cap_vars.append(var)
            captured.append(tensor)

        for n in inner:
            if n.ivals is None:
                raise RuntimeError(_freed_message())
            for var, nf, val in zip(n.ins, n.nexts, n.ivals):
                if id(var) not in known:
                    external(var, val, nf, None)
        for o in outs:
            var = _var_of(o)
            if id(var) not in known:
                external(var, o._data, o._producer() if o.requires_grad else None, o)
        self.n_diff = len(fresh)
        self.ir = IR(const_vars, [t._var for t in fresh] + cap_vars, eqns,
                     [o._var for o in outs])
        self.consts = const_vals
        self.captured = captured

    def arrays(self) -> list[np.ndarray]:
        """The values of the IR's inputs: differentiated tensors, then captured ones."""
        return [t._data for t in self.diff_tensors] + [t._data for t in self.captured]

    def tensors(self) -> list[Tensor]:
        """The caller's tensors bound to the IR's inputs when the derivative is evaluated."""
        return list(self.diff_tensors) + list(self.captured)

    def outputs(self) -> Any:
        """The function's outputs as the caller sees them: plain tensors, or (when the
        caller's tensors are recorded) re-evaluated on them so they stay connected."""
        tensors = self.tensors()
        if is_grad_enabled() and any(t.requires_grad for t in tensors):
            return _evaluate(self.numpy_fn(), self.arrays(), tensors)
        return tree_unflatten(self.out_tree, [o.detach() for o in self.outs])

    def plain_aux(self) -> Any:
        """``aux`` with its tensors detached from the recording made on the fresh leaves."""
        return tree_map(lambda v: v.detach() if isinstance(v, Tensor) else v, self.aux)

    def numpy_fn(self) -> Callable:
        """The recorded function on flat NumPy inputs (tracers under a transform)."""
        ir, consts, tree = self.ir, self.consts, self.out_tree

        def fn(*xs: Any) -> Any:
            return tree_unflatten(tree, eval_ir_flat(ir, consts, xs))

        return fn


def _freed_message() -> str:
    from .engine import SECOND_BACKWARD
    return SECOND_BACKWARD


def _inner_nodes(outs: list[Tensor], marker: int) -> list[graph.Node]:
    """Nodes created after ``marker`` that the outputs depend on, in creation order."""
    seen: set = set()
    nodes = []
    stack = [o._fn for o in outs if o._fn is not None and o._fn.seq > marker]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, BackwardCFunction):
            raise func_transform_error(n)
        nodes.append(n)
        for nf in n.nexts:
            if isinstance(nf, graph.Node) and nf.seq > marker and id(nf) not in seen:
                stack.append(nf)
    nodes.sort(key=lambda n: n.seq)
    return nodes


def _evaluate(h: Callable, arrays: list[np.ndarray], tensors: list[Tensor]) -> Any:
    """Trace ``h`` (a NumPy function of ``arrays``) into an IR and evaluate it through the
    shim's recording ops with ``tensors`` as its inputs; returns h's output structure."""
    closed = make_ir(h)(*arrays)
    return tree_unflatten(closed.out_tree, _evaluate_closed(closed, tensors))


def _evaluate_closed(closed: Any, tensors: list[Tensor]) -> Any:
    """Evaluate a closed IR through the shim's recording ops with ``tensors`` as its
    inputs; returns its outputs as a flat list."""
    env: dict = {}
    for v, c in zip(closed.ir.const_vars, closed.consts):
        env[id(v)] = Tensor._wrap(np.asarray(c))
    for v, t in zip(closed.ir.in_vars, tensors):
        env[id(v)] = t
    _eval_recorded(closed.ir.eqns, env)
    outs = [env[id(a)] if type(a) is Var else Tensor._wrap(np.asarray(a.val))
            for a in closed.ir.out_vars]
    return outs


def _regroup(rec: _Recorded, flat: Sequence[Any], single: bool) -> Any:
    """Flat per-leaf results -> torch.func's structure (one per argnum, or bare)."""
    groups = tree_unflatten(rec.diff_tree, list(flat))
    return groups[0] if single else tuple(groups)


def _diff_nums(rec: _Recorded) -> tuple[int, ...]:
    return tuple(range(rec.n_diff))


def grad_and_value(func: Callable, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False) -> Callable:
    """Like ``grad`` but returns ``(gradient, value)`` (``((gradient, (value, aux))`` with
    ``has_aux``).

        >>> grad_and_value(lambda x: (x ** 2).sum())(tensor([3.0]))
        (tensor([6.]), tensor(9.))
    """
    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        f = functools.partial(func, **kwargs) if kwargs else func
        nums = _argnums(argnums, len(args))
        rec = _Recorded(f, args, nums, has_aux, "grad_and_value(f)(*args)")
        if len(rec.outs) != 1 or rec.outs[0].dim() != 0:
            o = rec.outs[0]
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                               f"scalar Tensor, got tensor with {o.dim()} dims. Maybe you "
                               "wanted to use the vjp or jacrev APIs instead?")
        g = T.grad(rec.numpy_fn(), argnums=_diff_nums(rec))
        flat = _evaluate(g, rec.arrays(), rec.tensors())
        grads = _regroup(rec, flat, isinstance(argnums, int))
        value = rec.outputs()
        return (grads, (value, rec.plain_aux())) if has_aux else (grads, value)

    return wrapped


def grad(func: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """The gradient of a function returning a scalar tensor, w.r.t. ``args[argnums]``
    (``(gradient, aux)`` with ``has_aux``).

        >>> grad(lambda x, y: (x * y).sum(), argnums=1)(tensor([2.0]), tensor([5.0]))
        tensor([2.])
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapped


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(output, vjp_fn)`` (plus ``aux``); ``vjp_fn(cotangents)`` returns one gradient per
    primal, as a tuple.

        >>> out, fn = vjp(lambda x: x * 3, tensor([1.0, 2.0]))
        >>> fn(tensor([1.0, 1.0]))
        (tensor([3., 3.]),)
    """
    nums = tuple(range(len(primals)))
    rec = _Recorded(func, primals, nums, has_aux, "vjp(f, *primals)")
    out = rec.outputs()
    f_np = rec.numpy_fn()
    n_diff = rec.n_diff

    def vjp_fn(cotangents: Any) -> tuple:
        cts, ct_tree = tree_flatten(cotangents)
        if ct_tree != rec.out_tree or len(cts) != len(rec.outs):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function.")
        for i, (c, o) in enumerate(zip(cts, rec.outs)):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{c.shape} and output[{i}] has a shape of {o.shape}.")

        def h(*xs: Any) -> Any:
            prim, ct = xs[:-len(cts)], xs[-len(cts):]
            _, pull = T.vjp(lambda *d: f_np(*d, *prim[n_diff:]), *prim[:n_diff])
            return pull(tree_unflatten(rec.out_tree, list(ct)))

        flat = _evaluate(h, rec.arrays() + [c._data for c in cts], rec.tensors() + list(cts))
        return tuple(tree_unflatten(rec.diff_tree, list(flat)))

    return (out, vjp_fn, rec.plain_aux()) if has_aux else (out, vjp_fn)


def _jacobian(kind: str, func: Callable, argnums: int | Sequence[int], has_aux: bool,
              name: str) -> Callable:
    transform = T.jacrev if kind == "rev" else T.jacfwd

    @functools.wraps(func)
    def wrapped(*args: Any) -> Any:
        nums = _argnums(argnums, len(args))
        rec = _Recorded(func, args, nums, has_aux, name)
        f_np = rec.numpy_fn()
        n_diff = rec.n_diff
        single_out = isinstance(tree_unflatten(rec.out_tree, rec.outs), Tensor)

        def h(*xs: Any) -> Any:
            jac = transform(lambda *d: f_np(*d, *xs[n_diff:]), argnums=tuple(range(n_diff)))
            return jac(*xs[:n_diff])

        jac = _evaluate(h, rec.arrays(), rec.tensors())
        single_in = isinstance(argnums, int)
        if single_out:
            result = _regroup(rec, jac, single_in)
        else:
            result = _per_output(rec, jac, single_in)
        return (result, rec.plain_aux()) if has_aux else result

    return wrapped


def _per_output(rec: _Recorded, jac: Any, single_in: bool) -> Any:
    """JAX nests a Jacobian as outputs-then-inputs, as torch.func does: regroup each
    output's per-leaf blocks by argnum."""
    leaves_per_out = len(rec.diff_tensors)
    flat, _ = tree_flatten(jac)
    blocks = [flat[i:i + leaves_per_out] for i in range(0, len(flat), leaves_per_out)]
    return tree_unflatten(rec.out_tree, [_regroup(rec, b, single_in) for b in blocks])


def jacrev(func: Callable, argnums: int | Sequence[int] = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False) -> Callable:
    """The Jacobian by reverse mode: ``out.shape + arg.shape`` per (output, argnum).

        >>> jacrev(lambda x: x * x)(tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    return _jacobian("rev", func, argnums, has_aux, "jacrev(f)(*args)")


def jacfwd(func: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """The Jacobian by forward mode (the IR's jvp transform).

        >>> jacfwd(lambda x: x.sin())(tensor([0.0]))
        tensor([[1.]])
    """
    return _jacobian("fwd", func, argnums, has_aux, "jacfwd(f)(*args)")


def hessian(func: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The Hessian of a scalar function, ``jacfwd(jacrev(f))``.

        >>> hessian(lambda x: (x ** 3).sum())(tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------------------------- vmap
# torch's pytrees for vmap's in_dims / out_dims: tuples, lists and dicts (in key order)

class _Spec:
    """The structure of a pytree: a leaf (``kind`` None) or a container and its children."""

    __slots__ = ("kind", "keys", "children")

    def __init__(self, kind: type | None, keys: Any = None, children: tuple = ()):
        self.kind, self.keys, self.children = kind, keys, children

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, _Spec) and self.kind is other.kind
                and self.keys == other.keys and self.children == other.children)

    def __hash__(self) -> int:
        return hash((self.kind, self.children))

    def show(self, indent: int = 0) -> str:
        """torch's ``TreeSpec`` repr, which its structure-mismatch messages quote."""
        if self.kind is None:
            return "*"
        sep = ",\n" + " " * (indent + 2)
        inner = sep.join(c.show(indent + 2) for c in self.children)
        return f"TreeSpec({self.kind.__name__}, {self.keys!r}, [{inner}])"


def _flatten(tree: Any) -> tuple[list, _Spec]:
    leaves: list = []

    def walk(x: Any) -> _Spec:
        if type(x) in (tuple, list):
            return _Spec(type(x), None, tuple(walk(c) for c in x))
        if type(x) is dict:
            keys = list(x)
            return _Spec(dict, keys, tuple(walk(x[k]) for k in keys))
        leaves.append(x)
        return _Spec(None)

    return leaves, walk(tree)


def _unflatten(spec: _Spec, leaves: list) -> Any:
    it = iter(leaves)

    def build(s: _Spec) -> Any:
        if s.kind is None:
            return next(it)
        kids = [build(c) for c in s.children]
        return dict(zip(s.keys, kids)) if s.kind is dict else s.kind(kids)

    return build(spec)


def _dims_per_leaf(dims: Any, spec: _Spec) -> list | None:
    """``dims`` (a prefix of ``spec``, int/None at its leaves) broadcast to one entry
    per leaf of ``spec``; None when it is not a prefix."""
    out: list = []
    stack = [(dims, spec)]
    while stack:
        d, s = stack.pop()
        if type(d) not in (tuple, list, dict):
            out.extend([d] * _count_leaves(s))
            continue
        if s.kind is not type(d) or len(d) != len(s.children) or (
                s.kind is dict and list(d) != s.keys):
            return None
        subs = list(d.values()) if type(d) is dict else list(d)
        stack.extend(zip(reversed(subs), reversed(s.children)))
    return out


def _count_leaves(s: _Spec) -> int:
    return 1 if s.kind is None else sum(_count_leaves(c) for c in s.children)


def _fn_name(func: Any) -> str:
    return getattr(func, "__name__", None) or repr(func)


_RANDOMNESS = ("error", "different", "same")


def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error",
         *, chunk_size: int | None = None) -> Callable:
    """Map ``func`` over a dimension of its inputs: ``vmap(f)(xs)[i] == f(xs[i])``.

    ``in_dims``: an int (every positional input is mapped over that dimension) or a
    tuple with one entry per positional argument, each an int, ``None`` (not mapped:
    non-tensor arguments need ``None``) or a nested tuple/list/dict matching that
    argument. Keyword arguments are passed as they are. ``out_dims``: an int or a
    tuple per output (where the mapped dimension goes; ``None`` for an output that
    does not depend on a mapped input). ``chunk_size`` only bounds memory in torch,
    results are the same, so it is accepted and ignored.

    How: ``func`` is recorded once on the first example (the mapped inputs' slices at
    index 0, as fresh leaves), the recorded IR is batched with
    ``tracegrad.transforms.batch_ir`` and the batched program runs through the shim's
    recording ops on the caller's tensors, so the result is differentiable
    (``vmap(f)(x).sum().backward()`` fills ``x.grad``) and composes with ``grad``,
    ``jacrev``, ... and with ``vmap`` itself. Like the other transforms here the recording
    is specialised to the path the first example takes, so reading a mapped value in Python
    raises torch's errors (``if x.sum() > 0``, ``if (x > 0).all()``: "data-dependent control
    flow"; ``.item()``, ``float(x)``: ".item()"; ``.tolist()``; see ``vmap_guard``). A
    value computed from a mapped input outside the recording (``.detach()``, ``no_grad()``,
    ``.numpy()``, a conversion to an integer dtype) is not caught: it is the first
    example's value for every example. Where one recording cannot stand for all
    examples the examples run one by one instead (slices through ``select``, results joined
    with ``stack``, still differentiable): when a mapped input is not floating point
    (integer labels, indices: operations on them are not recorded) and with
    ``randomness='different'``. A random operation while recording raises, as in torch, with
    ``randomness='error'``; with ``'same'`` the first draw is shared by all examples.

        >>> vmap(lambda x, w: (x * w).sum(), in_dims=(0, None))(ones(3, 2), tensor([1., 2.]))
        tensor([3., 3., 3.])
    """
    if randomness not in _RANDOMNESS:
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', "
                           f"or 'same'. Got {randomness}")
    if chunk_size is not None and not chunk_size > 0:
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. "
                         f"(got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        name = _fn_name(func)
        leaves, spec, dims, size = _vmap_inputs(name, in_dims, args)
        mapped = [i for i, d in enumerate(dims) if d is not None]
        loop = randomness == "different" or any(
            leaves[i]._data.dtype.kind not in "fc" for i in mapped)
        if loop:
            return _vmap_loop(func, name, out_dims, leaves, spec, dims, size, kwargs)
        return _vmap_batched(func, name, out_dims, randomness, leaves, spec, dims, size,
                             kwargs)

    return wrapped


def _vmap_inputs(name: str, in_dims: Any, args: tuple) -> tuple:
    """Check ``in_dims`` against the inputs as torch does; returns (leaves, structure,
    per-leaf dims normalised to be non-negative, batch size)."""
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                         "inputs, or you are trying to vmap over a function with no "
                         "inputs. The latter is unsupported.")
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if not (type(in_dims) is tuple or (isinstance(in_dims, int)
                                       and not isinstance(in_dims, bool))):
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) "
                         "tuple matching the structure of inputs, got: "
                         f"{type(in_dims)}.")
    leaves, spec = _flatten(args)
    if type(in_dims) is tuple:
        dims = _dims_per_leaf(in_dims, spec)
        if dims is None:
            raise ValueError(f"{where}: in_dims is not compatible with the structure of "
                             f"`inputs`. in_dims has structure {_flatten(in_dims)[1].show()}"
                             f" but inputs has structure {spec.show()}.")
    else:
        dims = [in_dims] * len(leaves)
    sizes, norm = [], []
    for x, d in zip(leaves, dims):
        if d is None:
            norm.append(None)
            continue
        if not isinstance(d, int) or isinstance(d, bool):
            raise ValueError(f"{where}: Got in_dim={d} for an input but in_dim must be "
                             "either an integer dimension or None.")
        if not isinstance(x, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of "
                             f"type {type(x)}. We cannot vmap over non-Tensor arguments, "
                             "please use None as the respective in_dim")
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a "
                             f"Tensor of dimensionality {n} so expected in_dim to satisfy "
                             f"-{n} <= in_dim < {n}.")
        norm.append(d % n)
        sizes.append(x._data.shape[d % n])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) > 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return leaves, spec, norm, sizes[0]


def _vmap_outputs(name: str, out_dims: Any, out: Any) -> tuple[list, _Spec, list]:
    """Flatten ``func``'s output and broadcast ``out_dims`` over it (torch's checks)."""
    ok = (out_dims is None or (isinstance(out_dims, int) and not isinstance(out_dims, bool))
          or type(out_dims) in (tuple, list))
    if ok and type(out_dims) in (tuple, list):
        flat_dims, _ = _flatten(out_dims)
        ok = all(d is None or (isinstance(d, int) and not isinstance(d, bool))
                 for d in flat_dims)
    if not ok:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an "
                         "int, None or a python collection of ints representing where in "
                         "the outputs the vmapped dimension should appear.")
    outs, spec = _flatten(out)
    dims = (_dims_per_leaf(out_dims, spec) if type(out_dims) in (tuple, list)
            else [out_dims] * len(outs))
    if dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is "
                         "not compatible with the structure of `outputs`. out_dims has "
                         f"structure {_flatten(out_dims)[1].show()} but outputs has "
                         f"structure {spec.show()}.")
    for o, d in zip(outs, dims):
        if not isinstance(o, Tensor) and d is not None:
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got "
                             f"type {type(o)}. Did you mean to set out_dims= to None for "
                             "output?")
    return outs, spec, dims


def _out_dim(d: int, ndim: int) -> int:
    """Where the batch dimension goes in an output of ``ndim`` dims per example."""
    n = ndim + 1
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {d})")
    return d % n


def _vmap_batched(func, name, out_dims, randomness, leaves, spec, dims, size, kwargs):
    from .random import default_generator

    mapped = [i for i, d in enumerate(dims) if d is not None]
    fresh = []
    for i in mapped:
        t = Tensor._wrap(np.take(leaves[i]._data, 0, axis=dims[i]))
        t._rg = True
        _var_of(t)
        fresh.append(t)
    example = list(leaves)
    for i, t in zip(mapped, fresh):
        example[i] = t
    state = default_generator.get_state()._data.copy()
    marker = next(graph._seq)
    token = vmap_guard.mapped.set(vmap_guard.recording(frozenset(t._var for t in fresh),
                                                      marker))
    try:
        with enable_grad():
            out = func(*_unflatten(spec, example), **kwargs)
    finally:
        vmap_guard.mapped.reset(token)
    if randomness == "error" and not np.array_equal(state,
                                                    default_generator.get_state()._data):
        raise RuntimeError("vmap: called random operation while in randomness error mode. "
                           "Please either use the 'same' or 'different' randomness flags on "
                           "vmap or perform the randomness operation out of vmap")
    outs, out_spec, odims = _vmap_outputs(name, out_dims, out)
    tensor_pos = [k for k, o in enumerate(outs) if isinstance(o, Tensor)]
    touts = [outs[k] for k in tensor_pos]
    rec = _Recorded.__new__(_Recorded)
    rec._build(fresh, touts, marker)
    want = [None if odims[k] is None else _out_dim(odims[k], outs[k].dim())
            for k in tensor_pos]
    in_bdims = [dims[i] for i in mapped] + [None] * len(rec.captured)
    closed = ClosedIR(rec.ir, rec.consts)
    try:
        bclosed, _ = T.batch_ir(closed, in_bdims, size, want)
    except ValueError as e:
        if "out_axes is None" not in str(e):
            raise
        raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when "
                         "out_dim is None") from None
    results = _evaluate_closed(bclosed, [leaves[i] for i in mapped] + rec.captured)
    final = list(outs)
    for k, r in zip(tensor_pos, results):
        final[k] = r
    return _unflatten(out_spec, final)


def _vmap_loop(func, name, out_dims, leaves, spec, dims, size, kwargs):
    from .ops_shape import select, stack

    per_example = []
    for j in range(size):
        example = [x if d is None else select(x, d, j) for x, d in zip(leaves, dims)]
        per_example.append(func(*_unflatten(spec, example), **kwargs))
    outs, out_spec, odims = _vmap_outputs(name, out_dims, per_example[0])
    columns = [_flatten(o)[0] for o in per_example]
    final = []
    for k, (o, d) in enumerate(zip(outs, odims)):
        if d is None:
            final.append(o)
            continue
        final.append(stack([c[k] for c in columns], dim=_out_dim(d, o.dim())))
    return _unflatten(out_spec, final)
