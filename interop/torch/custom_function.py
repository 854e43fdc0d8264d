"""``torch.autograd.Function``: user-defined operations with a Python backward.

A custom Function's backward is arbitrary Python on tensors, so it cannot join the
engine's IR. Its node (``MyFnBackward``, which is also the ``ctx`` that ``forward`` and
``backward`` see) holds no equations: its outputs are cut vars for the engine
(``node.hooked``), so the stages that read them stop there and their total gradients
wait in the engine's pending list. When all have arrived the engine calls
``node._run_backward``: the user's ``backward`` runs eagerly on shim tensors (recorded
when ``create_graph=True``, so a backward written with differentiable ops can be
differentiated again), its results are checked as PyTorch checks them, and each input
gradient continues from that input's producer.

>>> class Exp(Function):
...     @staticmethod
...     def forward(ctx, x):
...         y = x.exp()
...         ctx.save_for_backward(y)
...         return y
...     @staticmethod
...     def backward(ctx, g):
...         y, = ctx.saved_tensors
...         return g * y
>>> x = tensor([0.0, 1.0], requires_grad=True)
>>> Exp.apply(x).sum().backward(); x.grad
tensor([1.0000, 2.7183])
"""

from __future__ import annotations

import functools
import inspect
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ...tracer.ir import Var
from ...tracer.trace import aval_from_value
from . import graph
from .grad_mode import _enabled, no_grad, set_grad_enabled
from .tensor import Tensor, _legacy_name

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "InplaceFunction",
           "once_differentiable"]

_ONCE = "trying to differentiate twice a function that was marked with @once_differentiable"


class FunctionCtx:
    """What ``forward``/``setup_context`` use to pass state to ``backward``.

    >>> ctx.save_for_backward(x, w); ctx.k = 3     # doctest: +SKIP
    """

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors (or None) for ``backward`` (read back as ``ctx.saved_tensors``);
        a tensor changed in place before then makes ``saved_tensors`` raise."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self.to_save = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that ``forward`` modified in place (they must be returned)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that get no ``grad_fn`` (backward still receives a zero
        gradient for each of them)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` gets None (not zeros) for outputs that got no
        gradient."""
        self.materialize_grads = bool(value)


class BackwardCFunction(graph.Node, FunctionCtx):
    """The ``grad_fn`` of a custom Function's outputs, and the ``ctx`` it was given.

    One subclass per Function, named ``<Function>Backward``; ``_forward_cls`` is the
    Function.
    """

    _forward_cls: type

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward`` (() until forward has returned)."""
        if self.freed:
            from .engine import SECOND_BACKWARD
            raise RuntimeError(SECOND_BACKWARD)
        saved = self._saved
        if saved is None:
            return ()
        for t, version, out_nr in saved:
            if t is not None and t._vc[0] != version:
                raise RuntimeError(self._version_message(t, version, out_nr))
        return tuple(t for t, _, _ in saved)

    def _version_message(self, t: Tensor, version: int, out_nr: int | None) -> str:
        fn = self if out_nr is not None else t._fn
        which = ""
        if fn is not None:
            base = re.sub(r"Backward\d*$", "", type(fn).__name__)
            which = f", which is output {out_nr or 0} of {base},"
        dims = ", ".join(map(str, t._data.shape))
        return ("one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: [torch.{_legacy_name(t)} [{dims}]]{which} is at "
                f"version {t._vc[0]}; expected version {version} instead. Hint: enable "
                "anomaly detection to find the operation that failed to compute its "
                "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")

    def free(self) -> None:
        """retain_graph=False: the saved tensors go; reading them later raises."""
        super().free()
        self._saved = None

    def _run_backward(self, got: dict, create_graph: bool) -> list[tuple]:
        """Call the user's backward with one gradient per forward output (``got``: id of
        an output var -> its gradient); returns ``(input var, producer, gradient)`` for
        each input that requires grad and got one."""
        grads = []
        for meta in self._out_meta:
            if meta is None:  # a non-tensor output
                grads.append(None)
                continue
            var, shape, dtype = meta
            g = got.get(id(var)) if var is not None else None
            if g is None:
                if self.materialize_grads:
                    g = Tensor._wrap(np.zeros(shape, dtype))
            elif not isinstance(g, Tensor):
                g = Tensor._wrap(np.asarray(g))
            grads.append(g)
        with set_grad_enabled(create_graph):
            res = _user_backward(self._forward_cls)(self, *grads)
        return self._check_grads(res if isinstance(res, tuple) else (res,), create_graph)

    def _check_grads(self, res: tuple, create_graph: bool) -> list[tuple]:
        name = type(self).__name__
        ins = self._in_meta
        if len(res) > len(ins) and all(r is None for r in res[len(ins):]):
            res = res[:len(ins)]
        if len(res) != len(ins):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {len(ins)}, got {len(res)})")
        out = []
        index = 0  # position among the tensor inputs (the node's edges)
        for i, (r, meta) in enumerate(zip(res, ins)):
            if meta is None:
                if r is not None:
                    raise RuntimeError(f"function {name} returned a gradient different than "
                                       f"None at position {i + 1}, but the corresponding "
                                       "forward input was not a Variable")
                continue
            if r is not None and not isinstance(r, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            var, nf, shape, dtype = meta
            if r is not None and nf is not None:
                if r._data.shape != shape:
                    r = _sum_to(r, shape, name, index)
                if r._data.dtype != dtype:
                    r = r.to(dtype=_torch_dtype(dtype))
                out.append((var, nf, r if create_graph else r._data))
            index += 1
        return out


def _torch_dtype(np_dtype: np.dtype):
    from .dtypes import from_numpy
    return from_numpy(np_dtype)


def _sum_to(r: Tensor, shape: tuple, name: str, index: int) -> Tensor:
    """Reduce a gradient to its input's shape when that shape broadcasts to it (as
    PyTorch does), else PyTorch's error."""
    lead = r._data.ndim - len(shape)
    if lead < 0 or any(s not in (1, d) for s, d in zip(shape, r._data.shape[lead:])):
        got = ", ".join(map(str, r._data.shape))
        want = ", ".join(map(str, shape))
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - "
                           f"got [{got}] but expected shape compatible with [{want}]")
    dims = list(range(lead)) + [lead + k for k, s in enumerate(shape)
                                if s == 1 and r._data.shape[lead + k] != 1]
    if dims:
        r = r.sum(dim=tuple(dims), keepdim=True)
    return r.reshape(shape)


def _user_backward(cls: type) -> Callable:
    """The Function's ``backward`` (or ``vjp``, its alias; defining both is an error)."""
    bwd, vjp = cls.backward, cls.vjp
    if bwd is not Function.backward and vjp is not Function.vjp:
        raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is "
                           "not allowed. You should only implement one of them.")
    return vjp if vjp is not Function.vjp else bwd


class Function:
    """Base class of custom autograd operations: subclass it with static ``forward``
    and ``backward``, call ``MyFn.apply(*args)``.

    >>> class Double(Function):
    ...     @staticmethod
    ...     def forward(ctx, x): return x * 2
    ...     @staticmethod
    ...     def backward(ctx, g): return g * 2
    >>> Double.apply(tensor(1.0, requires_grad=True))
    tensor(2., grad_fn=<DoubleBackward>)
    """

    _backward_cls: type
    generate_vmap_rule = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("_node_name", cls.__name__ + "Backward")
        cls._backward_cls = type(name, (BackwardCFunction,), {
            "_forward_cls": cls, "__module__": "torch.autograd.function"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Legacy autograd function with non-static forward method is "
                           "deprecated. Please use new-style autograd function with static "
                           "forward method. (Example: https://pytorch.org/docs/stable/"
                           "autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        """``forward(ctx, *args)``, or ``forward(*args)`` with ``setup_context``."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        """Optional: fill ``ctx`` from the inputs and output of a ctx-less forward."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """One gradient (or None) per forward input, given one per forward output."""
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording; its tensor outputs get a ``<cls>Backward``
        ``grad_fn`` when an input tensor requires grad (and grad mode is on).

        >>> y = Double.apply(x)          # doctest: +SKIP
        """
        new_style = cls.setup_context is not Function.setup_context
        if new_style:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = tuple(bound.args), dict(bound.kwargs)
        elif kwargs:
            args, kwargs = _bind_old_style(cls.forward, args, kwargs)
        ctx = graph.new_node(cls._backward_cls)
        ctx.materialize_grads = True
        ctx._saved = None
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = _enabled.get() and any(ctx.needs_input_grad)
        # what backward needs to know of the inputs, taken before forward may change them
        ins = []
        for a in args:
            if not isinstance(a, Tensor):
                ins.append(None)
                continue
            nf = a._producer() if a.requires_grad else None
            var = a._var if a._var is not None else Var(aval_from_value(a._data))
            if nf is not None:
                a._var = var
            ins.append((var, nf, a._data.shape, a._data.dtype))
        with no_grad():
            if new_style:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        many = isinstance(out, tuple)
        outs = _connect(ctx, args, ins, out if many else (out,), record)
        return tuple(outs) if many else outs[0]


def _bind_old_style(forward: Callable, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Keyword arguments naming forward's positional parameters become positional."""
    try:
        bound = inspect.signature(forward).bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return args, kwargs
    return tuple(bound.args[1:]), dict(bound.kwargs)


def _connect(ctx: BackwardCFunction, args: tuple, ins: list, outs: tuple,
             record: bool) -> list:
    """Give forward's tensor outputs the node ``ctx`` as ``grad_fn`` (when ``record``)
    and finish the node: inputs, outputs, saved tensors."""
    arg_ids = {id(a) for a in args if isinstance(a, Tensor)}
    dirty = {id(t) for t in getattr(ctx, "dirty_tensors", ())}
    non_diff = {id(t) for t in getattr(ctx, "non_differentiable", ())}
    out_ids = {id(o) for o in outs}
    if any(d not in out_ids for d in dirty):
        raise RuntimeError("Some elements marked as dirty during the forward method were not "
                           "returned as output. The inputs that are modified inplace must all "
                           "be outputs of the Function.")
    result = []
    meta = []
    hooked: dict = {}
    out_pos: dict = {}
    for o in outs:
        if not isinstance(o, Tensor):
            result.append(o)
            meta.append(None)
            continue
        if id(o) in dirty:
            if record and o._fn is None and o._rg:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            o._vc[0] += 1
        elif id(o) in arg_ids:
            o = Tensor._wrap(o._data, vc=o._vc)  # an input returned as is: an alias
        diff = record and id(o) not in non_diff and o._data.dtype.kind in "fc"
        var = None
        if diff:
            var = Var(aval_from_value(o._data))
            o._fn, o._var, o._rg = ctx, var, False
            if o._vc[1] is None or id(o) in dirty:
                o._vc[1] = ctx  # named by version errors ("output 0 of ...")
            hooked[id(var)] = o
            out_pos[id(o)] = len(meta)
        result.append(o)
        meta.append((var, o._data.shape, o._data.dtype))
    ctx.seq = next(graph._seq)  # after anything forward recorded
    tensor_ins = [m for m in ins if m is not None]
    ctx.ins = tuple(m[0] for m in tensor_ins)
    ctx.nexts = tuple(m[1] for m in tensor_ins)
    ctx.ivals = ctx.ivers = ctx.opos = ctx.overs = ()
    ctx.eqns, ctx.vals = [], []
    ctx.outs = tuple(m[0] for m in meta if m is not None and m[0] is not None)
    ctx.hooked = hooked
    ctx._in_meta = ins
    ctx._out_meta = meta
    ctx._saved = [(t, t._vc[0] if t is not None else None, out_pos.get(id(t)))
                  for t in getattr(ctx, "to_save", ())]
    return result


def func_transform_error(node: BackwardCFunction) -> Exception:
    """The error for a custom Function met inside a ``torch.func`` transform: PyTorch's
    for one without ``setup_context``; otherwise the shim's own limitation."""
    cls = node._forward_cls
    if cls.setup_context is Function.setup_context:
        return RuntimeError("In order to use an autograd.Function with functorch transforms "
                            "(vmap, grad, jvp, jacrev, ...), it must override the "
                            "setup_context staticmethod. For more details, please see "
                            "https://pytorch.org/docs/main/notes/extending.func.html")
    return NotImplementedError(f"tracegrad: torch.func transforms do not support custom "
                               f"autograd.Function yet ({cls.__name__}); use "
                               "torch.autograd.grad or .backward() instead")


class InplaceFunction(Function):
    """A Function told whether to work in place (``inplace`` argument)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace


class _DelayedError(Function):
    """The ``Error`` node put after a ``once_differentiable`` backward under create_graph:
    differentiating through it raises."""

    _node_name = "Error"

    @staticmethod
    def forward(ctx: Any, *xs: Tensor) -> Any:
        return xs if len(xs) > 1 else xs[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        raise RuntimeError(_ONCE)


_DelayedError._backward_cls.name = lambda self: "torch::autograd::Error"  # type: ignore
_DelayedError._backward_cls.__repr__ = graph.Node.__repr__  # type: ignore


def once_differentiable(fn: Callable) -> Callable:
    """Decorate a ``backward`` that is not itself differentiable: it runs without recording,
    and differentiating its results again (create_graph=True) raises.

    >>> @staticmethod
    ... @once_differentiable
    ... def backward(ctx, g): return g * 2     # doctest: +SKIP
    """
    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not (_enabled.get() and any(isinstance(a, Tensor) and a.requires_grad
                                       for a in args)):
            return outputs
        many = isinstance(outputs, tuple)
        flat = outputs if many else (outputs,)
        fakes = []
        for g in flat:
            if isinstance(g, Tensor):
                g = g.detach()
                g._rg = True
            fakes.append(g)
        tensors = [g for g in fakes if isinstance(g, Tensor)]
        if not tensors:
            return outputs
        err = _DelayedError.apply(*tensors)
        it = iter(err if len(tensors) > 1 else (err,))
        wrapped = tuple(next(it) if isinstance(g, Tensor) else g for g in fakes)
        return wrapped if many else wrapped[0]

    return wrapper
