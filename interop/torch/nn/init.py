"""``nn.init``: fill tensors in place (under no_grad, as PyTorch does), drawing from the
shim's emulation of torch's CPU generator (``random.py``): after ``manual_seed(s)`` the
values are PyTorch's for ``s`` (``nn.Linear(3, 2)`` gets torch's weights), and each
bound is computed in PyTorch's order of operations so that it rounds the same.

    >>> w = empty(3, 4)
    >>> _ = kaiming_uniform_(w, a=math.sqrt(5))
    >>> bool((w.abs() <= 0.5).all())
    True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random as _random
from .parameter import mark_modified, storage, user_site


def _fill(tensor: Any, values: Any) -> Any:
    arr = storage(tensor)
    np.copyto(arr, values, casting="unsafe")
    mark_modified(tensor, user_site())
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

        >>> calculate_gain("relu")
        1.4142135623730951
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {slope} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Any) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = 1
    for d in tensor.shape[2:]:
        receptive *= d
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Any, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Any:
    """Fill with values drawn uniformly from ``[a, b)``.

        >>> bool((uniform_(empty(5), -1.0, 1.0).abs() <= 1).all())
        True
    """
    _random.uniform_(storage(tensor), a, b, generator)
    mark_modified(tensor, user_site())
    return tensor


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Any:
    """Fill with values drawn from N(mean, std²).

        >>> normal_(empty(3), 0.0, 0.1).shape
        torch.Size([3])
    """
    _random.normal_(storage(tensor), mean, std, generator)
    mark_modified(tensor, user_site())
    return tensor


def constant_(tensor: Any, val: float) -> Any:
    """Fill with ``val``.

        >>> constant_(empty(2), 3.0)
        tensor([3., 3.])
    """
    return _fill(tensor, val)


def zeros_(tensor: Any) -> Any:
    """Fill with zeros.

        >>> zeros_(empty(2))
        tensor([0., 0.])
    """
    return _fill(tensor, 0)


def ones_(tensor: Any) -> Any:
    """Fill with ones.

        >>> ones_(empty(2))
        tensor([1., 1.])
    """
    return _fill(tensor, 1)


def kaiming_uniform_(tensor: Any, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Any = None) -> Any:
    """He initialisation: uniform in ``±gain * sqrt(3 / fan)``. ``Linear`` uses
    ``a=sqrt(5)``, which gives ``±1/sqrt(fan_in)``.

        >>> bool((kaiming_uniform_(empty(2, 4), a=math.sqrt(5)).abs() <= 0.5).all())
        True
    """
    if 0 in tuple(tensor.shape):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Any, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> Any:
    """He initialisation, normal: N(0, (gain / sqrt(fan))²).

        >>> kaiming_normal_(empty(2, 4), nonlinearity="relu").shape
        torch.Size([2, 4])
    """
    if 0 in tuple(tensor.shape):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def xavier_uniform_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Any:
    """Glorot initialisation: uniform in ``±gain * sqrt(6 / (fan_in + fan_out))``.

        >>> xavier_uniform_(empty(3, 2)).shape
        torch.Size([3, 2])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Any:
    """Glorot normal initialisation: N(0, gain² * 2 / (fan_in + fan_out)).

        >>> xavier_normal_(empty(3, 2)).shape
        torch.Size([3, 2])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)
