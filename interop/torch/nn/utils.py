"""``torch.nn.utils`` for the shim: gradient clipping and parameters <-> one flat vector.

Clipping writes the gradients' NumPy storage in place (under ``no_grad`` in PyTorch) with
PyTorch's float32 arithmetic: ``coef = max_norm / (total_norm + 1e-6)``, clamped to 1.

    >>> import tracegrad.interop.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    >>> (w * w).sum().backward()
    >>> clip_grad_norm_([w], max_norm=1.0)
    tensor(10.)
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from .parameter import _core, mark_modified, storage, user_site, wrap

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters"]


def _vector_norm(a: np.ndarray, p: float) -> np.ndarray:
    """``torch.linalg.vector_norm(a, p)`` of a real or complex array, in its real dtype."""
    dt = a.real.dtype if a.dtype.kind == "c" else a.dtype
    if dt.kind != "f":
        dt = np.dtype(np.float32)
    x = np.abs(a).astype(np.float64).reshape(-1)
    if p == math.inf:
        r = x.max() if x.size else 0.0
    elif p == -math.inf:
        r = x.min() if x.size else math.inf
    elif p == 0:
        r = float(np.count_nonzero(x))
    elif p == 1:
        r = x.sum()
    elif p == 2:
        r = math.sqrt(float(np.dot(x, x)))
    else:
        r = float(np.sum(x ** p)) ** (1.0 / p)
    return np.asarray(r, dtype=dt)


def _as_list(parameters: Any) -> list[Any]:
    if isinstance(parameters, _core().Tensor):
        return [parameters]
    return list(parameters)


def _total_norm(grads: list[Any], norm_type: float, error_if_nonfinite: bool) -> Any:
    if not grads:
        return _core().tensor(0.0)
    norms = [_vector_norm(storage(g), norm_type) for g in grads]
    dtype = np.result_type(*norms)
    total = _vector_norm(np.stack([n.astype(dtype) for n in norms]), norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return wrap(total)


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Any:
    """Scale the gradients of ``parameters`` in place so that their joint ``norm_type``
    norm is at most ``max_norm``; returns the norm before clipping (a tensor).

        >>> import tracegrad.interop.torch as torch
        >>> w = torch.nn.Parameter(torch.ones(4)); w.sum().backward()
        >>> clip_grad_norm_(w, 1.0, norm_type=float("inf")), w.grad
        (tensor(1.), tensor([1.0000, 1.0000, 1.0000, 1.0000]))
    """
    if isinstance(parameters, _core().Tensor):
        params = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        params = list(parameters)
        if is_generator and not params:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    grads = [p.grad for p in params if p.grad is not None]
    norm_type = float(norm_type)
    total = _total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        t = storage(total)
        # torch's ``max_norm / x`` is ``x.reciprocal() * max_norm``, in the norm's dtype
        recip = t.dtype.type(1.0) / (t + t.dtype.type(1e-6))
        coef = np.minimum(recip * t.dtype.type(float(max_norm)), t.dtype.type(1.0))
        site = user_site()
        for g in grads:
            arr = storage(g)
            arr *= coef.astype(arr.real.dtype if arr.dtype.kind == "c" else arr.dtype)
            mark_modified(g, site)
    return total


def clip_grad_norm(parameters: Any, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Any:
    """Deprecated spelling of :func:`clip_grad_norm_` (warns with a FutureWarning).

        >>> import tracegrad.interop.torch as torch
        >>> import warnings; warnings.simplefilter("ignore")
        >>> clip_grad_norm([torch.nn.Parameter(torch.ones(1))], 1.0)
        tensor(0.)
    """
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Any, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient of ``parameters`` in place to ``[-clip_value, clip_value]``.

        >>> import tracegrad.interop.torch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0])); (3 * w).sum().backward()
        >>> clip_grad_value_([w], 0.5); w.grad
        tensor([0.5000, 0.5000])
    """
    clip_value = float(clip_value)
    site = user_site()
    for p in _as_list(parameters):
        if p.grad is None:
            continue
        arr = storage(p.grad)
        np.clip(arr, -clip_value, clip_value, out=arr)
        mark_modified(p.grad, site)


def parameters_to_vector(parameters: Iterable[Any]) -> Any:
    """All parameters flattened and concatenated into one vector (differentiable).

        >>> import tracegrad.interop.torch as torch
        >>> parameters_to_vector([torch.ones(2, 2), torch.zeros(1)])
        tensor([1., 1., 1., 1., 0.])
    """
    core = _core()
    vec = []
    for p in parameters:
        if not isinstance(p, core.Tensor):
            raise AttributeError(f"'{type(p).__name__}' object has no attribute 'device'")
        vec.append(p.view(-1))
    if not vec:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return core.cat(vec)


def vector_to_parameters(vec: Any, parameters: Iterable[Any]) -> None:
    """Make each parameter's data the next slice of ``vec`` (sharing ``vec``'s storage).

        >>> import tracegrad.interop.torch as torch
        >>> w = torch.nn.Parameter(torch.zeros(2)); vector_to_parameters(torch.ones(2), [w])
        >>> w
        Parameter containing:
        tensor([1., 1.], requires_grad=True)
    """
    core = _core()
    if not isinstance(vec, core.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    pointer = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n


def _typename(x: Any) -> str:
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
