"""``torch.optim`` for the shim: SGD and Adam with PyTorch's update formulas.

    >>> import tracegrad.interop.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
"""

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Adam", "Optimizer", "SGD"]
