"""``torch.nn`` for the shim: Module, Parameter, layers, losses, ``functional``, ``init``.

    >>> import tracegrad.interop.torch as torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(),
    ...                             torch.nn.Linear(10, 1))
    >>> loss = torch.nn.MSELoss()(model(torch.ones(3, 1)), torch.zeros(3, 1))
"""

from . import functional, init
from .layers import (
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .loss import CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "CrossEntropyLoss", "Dropout", "Flatten", "Identity", "LeakyReLU", "Linear", "LogSoftmax",
    "MSELoss", "Module", "ModuleList", "NLLLoss", "Parameter", "ReLU", "Sequential", "Sigmoid",
    "Softmax", "Tanh", "functional", "init",
]
