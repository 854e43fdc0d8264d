"""``optim.SGD``: stochastic gradient descent with momentum, dampening, weight decay and
Nesterov momentum, with PyTorch's update formulas.

    >>> w = nn.Parameter(tensor([1.0, -1.0]))
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> (w ** 2).sum().backward(); _ = opt.step()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, mark_modified, new_state_tensor, required, storage, user_site


class SGD(Optimizer):
    """PyTorch's SGD. Per parameter ``p`` with gradient ``g``::

        g = g + weight_decay * p                       (if weight_decay)
        b = g  (first step),  b = momentum * b + (1 - dampening) * g   (if momentum)
        g = g + momentum * b  (nesterov)  or  g = b
        p = p - lr * g

        >>> SGD([nn.Parameter(ones(1))], lr=0.01).defaults["momentum"]
        0
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given.

            >>> SGD([nn.Parameter(ones(1))], lr=0.1).step()
        """
        loss = self._closure_loss(closure)
        site = user_site()  # the user's line, named if a saved value is found stale
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, wd = group["dampening"], group["weight_decay"]
            nesterov, maximize = group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = storage(p)
                grad = storage(p.grad)
                if maximize:
                    grad = -grad
                if wd != 0:
                    grad = grad + wd * param
                if momentum != 0:
                    state = self.state[p]
                    buf_t = state.get("momentum_buffer")
                    if buf_t is None:
                        buf = np.array(grad, copy=True)
                        state["momentum_buffer"] = new_state_tensor(buf)
                    else:
                        buf = storage(buf_t)
                        buf *= momentum
                        buf += (1 - dampening) * grad
                        mark_modified(buf_t, site)
                    grad = grad + momentum * buf if nesterov else buf
                param -= lr * grad
                mark_modified(p, site)
        return loss
