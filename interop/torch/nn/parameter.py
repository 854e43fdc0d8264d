"""``nn.Parameter``: a leaf tensor that requires grad and registers itself on a Module,
plus the few bridges nn and optim use into the core's tensors.

    >>> p = Parameter(tensor([1.0, 2.0]))
    >>> p
    Parameter containing:
    tensor([1., 2.], requires_grad=True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import user_site as user_site
from ..tensor import Tensor


def _core() -> Any:
    """The shim package (``tracegrad.interop.torch``), looked up when first needed so that
    nn and optim can be imported while the package itself is still initialising."""
    from ... import torch as core

    return core


class Parameter(Tensor):
    """A tensor that is a module parameter: a leaf sharing ``data``'s storage (and version
    counter), requiring grad unless told otherwise.

        >>> Parameter(tensor(2.0)).requires_grad
        True
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = Tensor._wrap(np.empty((0,), np.float32))
        if requires_grad and data._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        p = object.__new__(cls)
        Tensor._init_from(p, data._data, requires_grad)
        p._vc = data._vc
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # all done in __new__ (Tensor.__init__ is the legacy constructor)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, proto: Any) -> Any:
        return (_rebuild_parameter, (self._data.copy(), self._rg))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._wrap(data), requires_grad)


def storage(t: Tensor) -> np.ndarray:
    """The NumPy array holding ``t``'s values (shared: writing it writes the tensor).

        >>> storage(tensor([1.0])).dtype
        dtype('float32')
    """
    return t._data


def mark_modified(t: Tensor, site: tuple[str, int] | None = None) -> None:
    """Record that ``t``'s storage was written in place: its version counter moves on (so
    a graph that saved the old value refuses to backward, naming ``site``, the user's line
    that made the change) and it gets a new IR variable.

        >>> t = tensor([1.0]); mark_modified(t); t._version
        1
    """
    vc = t._vc
    vc[0] += 1
    if site is not None:
        vc[2] = site
    t._var = None


def wrap(arr: np.ndarray) -> Tensor:
    """A plain tensor over ``arr`` (no copy, no autograd).

        >>> wrap(np.zeros(2, np.float32))
        tensor([0., 0.])
    """
    return Tensor._wrap(arr)


def reset_grad(p: Tensor, set_to_none: bool = True) -> None:
    """Clear ``p.grad`` as ``zero_grad`` does: to None, or detached and zeroed in place.

        >>> reset_grad(Parameter(ones(1)))
    """
    if p.grad is None:
        return
    if set_to_none:
        p.grad = None
        return
    if p.grad.grad_fn is not None:
        p.grad.detach_()
    else:
        p.grad.requires_grad_(False)
    p.grad.zero_()
