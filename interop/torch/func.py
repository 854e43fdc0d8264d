"""``torch.func`` (grad, vjp, jacrev, jacfwd, hessian) over ``tracegrad.transforms``.

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
from ...tracer.ir import IR, Var
from . import graph
from .grad_mode import enable_grad, is_grad_enabled
from .ops_core import _var_of
from .replay import _eval_recorded
from .tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian"]


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
    env: dict = {}
    for v, c in zip(closed.ir.const_vars, closed.consts):
        env[id(v)] = Tensor._wrap(np.asarray(c))
    for v, t in zip(closed.ir.in_vars, tensors):
        env[id(v)] = t
    _eval_recorded(closed.ir.eqns, env)
    outs = [env[id(a)] if type(a) is Var else Tensor._wrap(np.asarray(a.val))
            for a in closed.ir.out_vars]
    return tree_unflatten(closed.out_tree, outs)


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
