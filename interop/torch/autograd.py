"""``torch.autograd``: ``backward``, ``grad``, ``Variable`` and the grad-mode managers.

Argument handling follows PyTorch (``_make_grads``): implicit ``1`` only for
one-element outputs, ``retain_graph`` defaults to ``create_graph``, ``inputs``
restricts which tensors get gradients. The work is done by ``engine.execute``.

>>> x = tensor(2.0, requires_grad=True)
>>> grad(x ** 3, x)
(tensor(12.),)
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import custom_function as function  # torch.autograd.function
from . import engine
from .custom_function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .tensor import Tensor


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _make_grads(outputs: list[Tensor], grads: list, is_grads_batched: bool = False) -> list:
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if o.requires_grad:
                if o._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar "
                                       "outputs")
                if o._data.dtype.kind != "f":
                    raise RuntimeError("grad can be implicitly created only for real scalar "
                                       f"outputs but got {o.dtype}")
            out.append(np.ones(o._data.shape, o._data.dtype))
            continue
        if not isinstance(g, Tensor):
            g = Tensor._wrap(np.asarray(g, o._data.dtype))
        if g._data.shape != o._data.shape:
            from .tensor import Size
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{Size(g._data.shape)} and output[{i}] has a shape of "
                               f"{Size(o._data.shape)}.")
        if g._data.dtype.kind != o._data.dtype.kind and not (
                g._data.dtype.kind in "f" and o._data.dtype.kind in "f"):
            raise RuntimeError(f"For complex Tensors, both grad_output and output are required "
                               f"to have the same dtype. Mismatch in dtype: grad_output[{i}] "
                               f"has a dtype of {g.dtype} and output[{i}] has a dtype of "
                               f"{o.dtype}.")
        out.append(g)
    return out


def _check_roots(outputs: list[Tensor]) -> None:
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(o).__name__}")
        if not o.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")


def _ct_arrays(cts: list, create_graph: bool, outputs: list[Tensor]) -> list:
    res = []
    for c, o in zip(cts, outputs):
        if isinstance(c, Tensor):
            if create_graph:
                res.append(c if c._data.dtype == o._data.dtype else c.to(o.dtype))
            else:
                res.append(c._data.astype(o._data.dtype, copy=False))
        else:
            res.append(c if not create_graph else Tensor._wrap(c))
    return res


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None,
             inputs: Any = None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves.

    >>> x = tensor([1.0, 2.0], requires_grad=True)
    >>> backward(x ** 2, grad_tensors=ones(2)); x.grad
    tensor([2., 4.])
    """
    outputs = _as_list(tensors)
    if grad_tensors is None and grad_variables is not None:
        grad_tensors = grad_variables
    if inputs is not None:
        ins = _as_list(inputs)
        if not ins:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    else:
        ins = None
    gts = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(outputs)
    if isinstance(grad_tensors, Tensor):
        gts = [grad_tensors]
    if len(gts) != len(outputs):
        raise RuntimeError(f"got {len(gts)} tensors and {len(outputs)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(outputs)
    cts = _ct_arrays(_make_grads(outputs, gts), create_graph, outputs)
    if create_graph:
        import warnings
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between "
            "the parameter and its gradient which can cause a memory leak. We recommend "
            "using autograd.grad when creating the graph to avoid this. If you have to use "
            "this function, make sure to reset the .grad fields of your parameters to None "
            "after use to break the cycle and avoid the leak. (Triggered internally at "
            "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)", UserWarning,
            stacklevel=_stacklevel())
    with set_grad_enabled(create_graph):
        engine.execute(outputs, cts, inputs=ins, retain_graph=retain_graph,
                       create_graph=create_graph, accumulate=True)


def _stacklevel() -> int:
    """The warning points at the user's line, outside the shim."""
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    f, level = sys._getframe(1), 1
    while f is not None and f.f_code.co_filename.startswith(here):
        f, level = f.f_back, level + 1
    return level


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched).

    >>> x = tensor(2.0, requires_grad=True)
    >>> grad(x ** 2, [x])
    (tensor(4.),)
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    gos = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if isinstance(grad_outputs, Tensor):
        gos = [grad_outputs]
    if len(gos) != len(outs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(gos)} "
                           f"grad_outputs and {len(outs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(outs)
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    cts = _ct_arrays(_make_grads(outs, gos), create_graph, outs)
    with set_grad_enabled(create_graph):
        res = engine.execute(outs, cts, inputs=ins, retain_graph=retain_graph,
                             create_graph=create_graph, accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(ins, res)):
        if g is None:
            if materialize_grads:
                result.append(Tensor._wrap(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not "
                                   "have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
            result.append(None)
            continue
        if isinstance(g, Tensor):
            result.append(g)
        else:
            g = np.asarray(g)
            if g.shape != t._data.shape:
                g = np.broadcast_to(g, t._data.shape)
            if g.dtype != t._data.dtype:
                g = g.astype(t._data.dtype)
            if g.base is not None or not g.flags.writeable:
                g = g.copy()
            result.append(Tensor._wrap(g))
    return tuple(result)


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """Legacy ``Variable(t, requires_grad=True)``: returns a tensor (as PyTorch does)."""
    t = data if isinstance(data, Tensor) else Tensor._wrap(np.asarray(data))
    if requires_grad:
        t.requires_grad_(True)
    return t


class _Anomaly:
    """``torch.autograd.set_detect_anomaly`` / ``detect_anomaly``: accepted, no effect."""

    def __init__(self, mode: bool = True, check_nan: bool = True):
        self.mode = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


set_detect_anomaly = detect_anomaly = _Anomaly

__all__ = ["backward", "grad", "Variable", "Function", "FunctionCtx", "function",
           "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode", "set_detect_anomaly", "detect_anomaly"]


def __getattr__(name: str) -> Any:
    # torch.autograd.functional (a module) and gradcheck / gradgradcheck, loaded on first use
    import importlib
    if name == "functional":
        return importlib.import_module(".autograd_functional", __package__)
    if name in ("gradcheck", "gradgradcheck"):
        return getattr(importlib.import_module(".autograd_gradcheck", __package__), name)
    raise AttributeError(f"module 'torch.autograd' has no attribute '{name}'")
