"""``optim.Adam``, with PyTorch's update formulas (L2 weight decay added to the gradient,
bias corrections, optional AMSGrad).

    >>> w = nn.Parameter(tensor([1.0, -1.0]))
    >>> opt = Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward(); _ = opt.step()
"""

from __future__ import annotations

import math
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


class Adam(Optimizer):
    """PyTorch's Adam. Per parameter ``p`` with gradient ``g`` at step ``t``::

        g = g + weight_decay * p
        m = m + (1 - beta1) * (g - m);   v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v)                                        (amsgrad: use vmax)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    A complex parameter is updated as its (real, imaginary) pairs, as PyTorch does
    (``view_as_real``): ``v`` holds the squares of each part, not ``g * g``.

        >>> Adam([nn.Parameter(ones(1))]).defaults["betas"]
        (0.9, 0.999)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given.

            >>> Adam([nn.Parameter(ones(1))]).step()
        """
        loss = self._closure_loss(closure)
        site = user_site()  # the user's line, named if a saved value is found stale
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
            decoupled = group.get("decoupled_weight_decay", False)
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = storage(p)
                grad = storage(p.grad)
                if maximize:
                    grad = -grad
                complex_param = param.dtype.kind == "c"
                state = self.state[p]
                if not state:
                    state["step"] = new_state_tensor(np.zeros((), np.float32))
                    state["exp_avg"] = new_state_tensor(np.zeros_like(param))
                    state["exp_avg_sq"] = new_state_tensor(np.zeros_like(param))
                    if amsgrad:
                        state["max_exp_avg_sq"] = new_state_tensor(np.zeros_like(param))
                step_arr = storage(state["step"])
                step_arr += 1
                step = float(step_arr)
                if wd != 0:
                    if decoupled:
                        param *= 1 - lr * wd
                    else:
                        grad = grad + wd * param
                m = storage(state["exp_avg"])
                v = storage(state["exp_avg_sq"])
                if complex_param:
                    target = param
                    param, grad, m, v = (real_pairs(a) for a in (param, grad, m, v))
                m += (grad - m) * (1 - beta1)
                v *= beta2
                v += (1 - beta2) * grad * grad
                bias1 = 1 - beta1 ** step
                bias2_sqrt = math.sqrt(1 - beta2 ** step)
                if amsgrad:
                    vmax = storage(state["max_exp_avg_sq"])
                    if complex_param:
                        vmax = real_pairs(vmax)
                    np.maximum(vmax, v, out=vmax)
                    denom = np.sqrt(vmax) / bias2_sqrt + eps
                else:
                    denom = np.sqrt(v) / bias2_sqrt + eps
                param -= (lr / bias1) * (m / denom)
                if complex_param and not np.shares_memory(param, target):
                    target[...] = param.view(target.dtype).reshape(target.shape)
                for t in state.values():
                    mark_modified(t, site)
                mark_modified(p, site)
        return loss
