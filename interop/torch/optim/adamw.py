"""``optim.AdamW``: Adam with decoupled weight decay (default 0.01), as PyTorch 2.13
defines it (an ``Adam`` whose groups say ``decoupled_weight_decay: True``).

    >>> w = nn.Parameter(tensor([1.0, -1.0]))
    >>> opt = AdamW([w], lr=0.1)
    >>> (w ** 2).sum().backward(); _ = opt.step()
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .adam import Adam


class AdamW(Adam):
    """PyTorch's AdamW: ``p = p * (1 - lr * weight_decay)`` first, then Adam's update.

        >>> AdamW([nn.Parameter(ones(1))]).defaults["weight_decay"]
        0.01
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
