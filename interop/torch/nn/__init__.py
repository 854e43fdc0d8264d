"""``torch.nn`` for the shim: Module, Parameter, layers, losses, ``functional``, ``init``.

    >>> import tracegrad.interop.torch as torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(),
    ...                             torch.nn.Linear(10, 1))
    >>> loss = torch.nn.MSELoss()(model(torch.ones(3, 1)), torch.zeros(3, 1))
"""

from . import functional, init, utils
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
from .layers_more import (
    ELU,
    GELU,
    BatchNorm1d,
    BCELoss,
    BCEWithLogitsLoss,
    Embedding,
    Hardtanh,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    LayerNorm,
    LogSigmoid,
    Mish,
    ModuleDict,
    ParameterDict,
    ParameterList,
    ReLU6,
    SiLU,
    SmoothL1Loss,
    Softplus,
    Softsign,
)
from .loss import CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "ELU",
    "Embedding", "Flatten", "GELU", "Hardtanh", "HuberLoss", "Identity", "KLDivLoss", "L1Loss",
    "LayerNorm", "LeakyReLU", "Linear", "LogSigmoid", "LogSoftmax", "MSELoss", "Mish",
    "Module", "ModuleDict", "ModuleList", "NLLLoss", "Parameter", "ParameterDict",
    "ParameterList", "ReLU", "ReLU6", "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss",
    "Softmax", "Softplus", "Softsign", "Tanh", "functional", "init", "utils",
]
