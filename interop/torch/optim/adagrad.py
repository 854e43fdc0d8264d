"""``optim.Adagrad`` with PyTorch's update formulas (lr decay, weight decay, initial
accumulator). As in PyTorch, the state is created when the optimizer is.

    >>> w = nn.Parameter(tensor([1.0, -1.0]))
    >>> opt = Adagrad([w], lr=0.1)
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


class Adagrad(Optimizer):
    """PyTorch's Adagrad. Per parameter ``p`` with gradient ``g`` at step ``t``::

        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g;   p = p - clr * g / (sqrt(s) + eps)

        >>> Adagrad([nn.Parameter(ones(1))]).defaults["eps"]
        1e-10
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group["initial_accumulator_value"])

    def _init_state(self, p: Any, init: float) -> None:
        state = self.state[p]
        if not state:
            param = storage(p)
            state["step"] = new_state_tensor(np.zeros((), np.float32))
            state["sum"] = new_state_tensor(np.full_like(param, init))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given.

            >>> Adagrad([nn.Parameter(ones(1))]).step()
        """
        loss = self._closure_loss(closure)
        site = user_site()
        for group in self.param_groups:
            lr, lr_decay, eps, wd = (group["lr"], group["lr_decay"], group["eps"],
                                     group["weight_decay"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                self._init_state(p, group["initial_accumulator_value"])
                state = self.state[p]
                param = storage(p)
                grad = storage(p.grad)
                if group["maximize"]:
                    grad = -grad
                step_arr = storage(state["step"])
                step_arr += 1
                step = float(step_arr)
                if wd != 0:
                    grad = grad + wd * param
                clr = lr / (1 + (step - 1) * lr_decay)
                target = param
                s = storage(state["sum"])
                complex_param = param.dtype.kind == "c"
                if complex_param:
                    param, grad, s = (real_pairs(a) for a in (param, grad, s))
                s += grad * grad
                std = np.sqrt(s)
                std += eps
                param -= clr * (grad / std)
                if complex_param and not np.shares_memory(param, target):
                    target[...] = param.view(target.dtype).reshape(target.shape)
                for t in state.values():
                    mark_modified(t, site)
                mark_modified(p, site)
        return loss
