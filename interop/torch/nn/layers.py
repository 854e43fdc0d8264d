"""Layers: ``Linear``, the activation modules (``ReLU``, ``Tanh``, ``Sigmoid``) and the
containers ``Sequential`` and ``ModuleList``.

    >>> model = Sequential(Linear(1, 10), ReLU(), Linear(10, 1))
    >>> model(tensor([[1.0], [2.0]])).shape
    torch.Size([2, 1])
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter, _core


class Linear(Module):
    """``y = x @ weight.T + bias`` with PyTorch's default initialisation: weight from
    ``kaiming_uniform_(a=sqrt(5))`` and bias uniform in ``±1/sqrt(in_features)``.

        >>> Linear(3, 2).weight.shape
        torch.Size([2, 3])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        torch = _core()
        self.in_features = in_features
        self.out_features = out_features
        kw = {} if dtype is None else {"dtype": dtype}
        self.weight = Parameter(torch.empty(out_features, in_features, **kw))
        if bias:
            self.bias = Parameter(torch.empty(out_features, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights as PyTorch's ``Linear.reset_parameters`` does.

            >>> Linear(2, 2).reset_parameters()
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Any) -> Any:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    """``max(x, 0)`` elementwise; the gradient at 0 is 0, as in PyTorch.

        >>> ReLU()(tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> Any:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """``tanh`` elementwise.

        >>> Tanh()(tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Any) -> Any:
        return F.tanh(input)


class Sigmoid(Module):
    """The logistic function elementwise.

        >>> Sigmoid()(tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input: Any) -> Any:
        return F.sigmoid(input)


class LeakyReLU(Module):
    """``x`` for ``x > 0``, else ``negative_slope * x``.

        >>> LeakyReLU(0.1)(tensor([-1.0, 2.0]))
        tensor([-0.1000,  2.0000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Any) -> Any:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                         else "")


class Dropout(Module):
    """Randomly zero elements with probability ``p`` while training; identity in eval mode.

        >>> Dropout(0.5).eval()(tensor([1.0, 2.0]))
        tensor([1., 2.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Any) -> Any:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Flatten(Module):
    """Flatten dimensions ``start_dim..end_dim`` into one.

        >>> Flatten()(ones(2, 3, 4)).shape
        torch.Size([2, 12])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Any) -> Any:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Softmax(Module):
    """``softmax`` along ``dim``.

        >>> Softmax(dim=0)(tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Any:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """``log_softmax`` along ``dim``.

        >>> LogSoftmax(dim=0)(tensor([0.0, 0.0])).shape
        torch.Size([2])
    """

    def forward(self, input: Any) -> Any:
        return F.log_softmax(input, self.dim)


class Identity(Module):
    """Returns its input.

        >>> Identity()(tensor([1.0]))
        tensor([1.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Sequential(Module):
    """Modules applied in order; indexable, sliceable, iterable.

        >>> len(Sequential(Linear(1, 2), ReLU()))
        2
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def _index(self, idx: int) -> int:
        n = len(self._modules)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range")
        return idx % n

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[self._index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules.keys())[self._index(idx)]
        setattr(self, key, module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules.keys())
        for key in (keys[idx] if isinstance(idx, slice) else [keys[self._index(idx)]]):
            del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; returns self.

            >>> len(Sequential().append(ReLU()))
            1
        """
        self.add_module(str(len(self)), module)
        return self

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(Module):
    """A list of registered submodules.

        >>> len(ModuleList([ReLU(), Tanh()]))
        2
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or ():
            self.append(m)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return list(self._modules.values())[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self.

            >>> len(ModuleList().append(ReLU()))
            1
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each of ``modules``; returns self.

            >>> len(ModuleList().extend([ReLU(), Tanh()]))
            2
        """
        for m in modules:
            self.append(m)
        return self
