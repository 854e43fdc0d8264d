"""``optim.RMSprop`` with PyTorch's update formulas (weight decay, momentum, centered).

    >>> w = nn.Parameter(tensor([1.0, -1.0]))
    >>> opt = RMSprop([w], lr=0.01, momentum=0.9)
    >>> (w ** 2).sum().backward(); _ = opt.step()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .optimizer import (
    Optimizer,
    mark_modified,
    new_state_tensor,
    real_pairs,
    storage,
    user_site,
)


class RMSprop(Optimizer):
    """PyTorch's RMSprop. Per parameter ``p`` with gradient ``g``::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - ga * ga) (centered, ga = lerp(ga, g, 1 - alpha))  or  sqrt(v);  avg += eps
        b = momentum * b + g / avg;  p -= lr * b        (momentum > 0)
        p -= lr * g / avg                               (otherwise)

        >>> RMSprop([nn.Parameter(ones(1))]).defaults["alpha"]
        0.99
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given.

            >>> RMSprop([nn.Parameter(ones(1))]).step()
        """
        loss = self._closure_loss(closure)
        site = user_site()
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            wd, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = storage(p)
                grad = storage(p.grad)
                if group["maximize"]:
                    grad = -grad
                state = self.state[p]
                if not state:
                    state["step"] = new_state_tensor(np.zeros((), np.float32))
                    state["square_avg"] = new_state_tensor(np.zeros_like(param))
                    if momentum > 0:
                        state["momentum_buffer"] = new_state_tensor(np.zeros_like(param))
                    if centered:
                        state["grad_avg"] = new_state_tensor(np.zeros_like(param))
                storage(state["step"])[...] += 1
                if wd != 0:
                    grad = grad + wd * param
                complex_param = param.dtype.kind == "c"
                target = param
                v = storage(state["square_avg"])
                if complex_param:
                    param, grad, v = (real_pairs(a) for a in (param, grad, v))
                v *= alpha
                v += (1 - alpha) * grad * grad
                if centered:
                    ga = storage(state["grad_avg"])
                    if complex_param:
                        ga = real_pairs(ga)
                    w = 1 - alpha  # torch's lerp: from the nearer end
                    if abs(w) < 0.5:
                        ga += w * (grad - ga)
                    else:
                        ga[...] = grad - (grad - ga) * (1 - w)
                    avg = np.sqrt(v - ga * ga)
                else:
                    avg = np.sqrt(v)
                avg += eps
                if momentum > 0:
                    buf = storage(state["momentum_buffer"])
                    if complex_param:
                        buf = real_pairs(buf)
                    buf *= momentum
                    buf += grad / avg
                    param -= lr * buf
                else:
                    param -= lr * (grad / avg)
                if complex_param and not np.shares_memory(param, target):
                    target[...] = param.view(target.dtype).reshape(target.shape)
                for t in state.values():
                    mark_modified(t, site)
                mark_modified(p, site)
        return loss
