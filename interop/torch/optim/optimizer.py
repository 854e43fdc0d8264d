"""``optim.Optimizer``: parameter groups, per-parameter state, zero_grad, state dicts.

Updates are written on the parameters' NumPy storage in place (what PyTorch does under
``no_grad``): no graph is recorded, and each update bumps the parameter's version counter so
a graph that saved the old value refuses to backward, as in PyTorch.

    >>> w = nn.Parameter(tensor([1.0]))
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0.8000], requires_grad=True)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

import numpy as np

from ..nn.parameter import _core, reset_grad
from ..nn.parameter import mark_modified as mark_modified
from ..nn.parameter import storage as storage
from ..nn.parameter import user_site as user_site
from ..nn.parameter import wrap as new_state_tensor


class _Required:
    """Marks a hyper-parameter with no default (``lr`` of SGD)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class: holds ``param_groups`` (dicts with "params" and hyper-parameters) and
    ``state`` (per parameter). Subclasses implement ``step``.

        >>> opt = SGD([nn.Parameter(ones(2))], lr=0.1)
        >>> opt.param_groups[0]["lr"]
        0.1
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]):
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, _core().Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got torch.{type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (defaults fill the rest).

            >>> opt = SGD([nn.Parameter(ones(1))], lr=0.1)
            >>> opt.add_param_group({"params": [nn.Parameter(ones(1))], "lr": 0.5})
        """
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, _core().Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, _core().Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                f"is {type(p).__module__}.{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every optimized parameter: to None (default) or zeros.

            >>> SGD([nn.Parameter(ones(1))], lr=0.1).zero_grad()
        """
        for group in self.param_groups:
            for p in group["params"]:
                reset_grad(p, set_to_none)

    def _closure_loss(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with _core().enable_grad():
            return closure()

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: state}, "param_groups": [... "params": [indices]]}``.

            >>> SGD([nn.Parameter(ones(1))], lr=0.1).state_dict()["state"]
            {}
        """
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            for p in g["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in g["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take hyper-parameters (copied) and state (shared, as PyTorch does) from another
        optimizer's state dict.

            >>> a = SGD([nn.Parameter(ones(1))], lr=0.1)
            >>> a.load_state_dict(a.state_dict())
        """
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(a["params"]) != len(b["params"]) for a, b in zip(groups, self.param_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = {}
        for saved, own in zip(groups, self.param_groups):
            by_index.update(zip(saved["params"], own["params"]))
            for k, v in saved.items():
                if k != "params":
                    own[k] = deepcopy(v)
        self.state = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = by_index[i]
            self.state[p] = {k: self._cast_state(k, v, p) for k, v in s.items()}

    @staticmethod
    def _cast_state(key: str, v: Any, param: Any) -> Any:
        """As PyTorch: state tensors are taken as they are (shared, not copied) unless a
        floating-point one needs the parameter's dtype; "step" is never cast."""
        if isinstance(v, _core().Tensor):
            arr = storage(v)
            if key != "step" and arr.dtype.kind == "f" and arr.dtype != storage(param).dtype:
                return new_state_tensor(arr.astype(storage(param).dtype))
            return v
        return deepcopy(v)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        raise NotImplementedError


def real_pairs(a: np.ndarray) -> np.ndarray:
    """A complex array as a flat array of its (real, imaginary) parts, sharing memory
    when ``a`` is contiguous (a copy otherwise); real arrays are returned as they are.
    PyTorch's optimisers update complex parameters this way (``view_as_real``)."""
    if a.dtype.kind != "c":
        return a
    return np.ascontiguousarray(a).reshape(-1).view(a.real.dtype)
