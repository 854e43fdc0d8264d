"""The shim's classes under PyTorch's names, for scripts that print ``type(x)``.

When the runner makes ``import torch`` resolve to the shim, ``print(type(x))`` should
read ``<class 'torch.Tensor'>``, not the shim's module path. ``present_as_torch``
sets each public class's ``__module__`` to the one it has in PyTorch 2.13 (autograd
node classes have none at all, see ``graph.node_class``); ``restore`` undoes it
when the runner hands ``torch`` back (notebooks, tests).

>>> saved = present_as_torch()              # doctest: +SKIP
>>> type(torch.ones(1))                     # doctest: +SKIP
<class 'torch.Tensor'>
>>> restore(saved)                          # doctest: +SKIP
"""

from __future__ import annotations

import importlib

_PKG = __name__.rsplit(".", 1)[0]

#: (shim module, class name) -> the class's module in PyTorch 2.13
_TORCH_MODULES: dict[tuple[str, str], str] = {
    ("tensor", "Tensor"): "torch",
    ("tensor", "Size"): "torch",
    ("dtypes", "dtype"): "torch",
    ("creation", "device"): "torch",
    ("creation", "FloatTensor"): "torch",
    ("creation", "DoubleTensor"): "torch",
    ("creation", "LongTensor"): "torch",
    ("creation", "IntTensor"): "torch",
    ("creation", "BoolTensor"): "torch",
    ("random", "Generator"): "torch._C",
    ("grad_mode", "no_grad"): "torch.autograd.grad_mode",
    ("grad_mode", "enable_grad"): "torch.autograd.grad_mode",
    ("grad_mode", "set_grad_enabled"): "torch.autograd.grad_mode",
    ("grad_mode", "inference_mode"): "torch.autograd.grad_mode",
    ("graph", "AccumulateGrad"): "builtins",
    ("nn.parameter", "Parameter"): "torch.nn.parameter",
    ("nn.module", "Module"): "torch.nn.modules.module",
    ("optim.optimizer", "Optimizer"): "torch.optim.optimizer",
    ("optim.sgd", "SGD"): "torch.optim.sgd",
    ("optim.adam", "Adam"): "torch.optim.adam",
    ("optim.adamw", "AdamW"): "torch.optim.adamw",
    ("optim.rmsprop", "RMSprop"): "torch.optim.rmsprop",
    ("optim.adagrad", "Adagrad"): "torch.optim.adagrad",
    **{("optim.lr_scheduler", n): "torch.optim.lr_scheduler" for n in (
        "LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ExponentialLR",
        "CosineAnnealingLR", "ReduceLROnPlateau")},
    **{("utils.data.dataset", n): "torch.utils.data.dataset" for n in (
        "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
        "ChainDataset")},
    **{("utils.data.sampler", n): "torch.utils.data.sampler" for n in (
        "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler")},
    ("utils.data.dataloader", "DataLoader"): "torch.utils.data.dataloader",
}

#: nn classes by the PyTorch module that defines them
_NN_MODULES: dict[str, tuple[str, ...]] = {
    "torch.nn.modules.linear": ("Linear", "Identity"),
    "torch.nn.modules.activation": (
        "ReLU", "ReLU6", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "LeakyReLU", "ELU",
        "GELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardtanh", "LogSigmoid"),
    "torch.nn.modules.loss": (
        "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
        "HuberLoss", "L1Loss", "SmoothL1Loss", "KLDivLoss"),
    "torch.nn.modules.container": (
        "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"),
    "torch.nn.modules.dropout": ("Dropout",),
    "torch.nn.modules.flatten": ("Flatten",),
    "torch.nn.modules.batchnorm": ("BatchNorm1d",),
    "torch.nn.modules.normalization": ("LayerNorm",),
    "torch.nn.modules.sparse": ("Embedding",),
}


def _classes() -> list[tuple[type, str]]:
    """(shim class, its PyTorch module) for every class that has a PyTorch name."""
    out = []
    for (mod, name), torch_mod in _TORCH_MODULES.items():
        cls = getattr(importlib.import_module(f"{_PKG}.{mod}"), name, None)
        if isinstance(cls, type):
            out.append((cls, torch_mod))
    nn = importlib.import_module(f"{_PKG}.nn")
    for torch_mod, names in _NN_MODULES.items():
        for name in names:
            cls = getattr(nn, name, None)
            if isinstance(cls, type):
                out.append((cls, torch_mod))
    return out


def present_as_torch() -> dict[type, str]:
    """Give the shim's classes PyTorch's module names; returns what to ``restore``."""
    saved = {}
    for cls, torch_mod in _classes():
        saved[cls] = cls.__module__
        cls.__module__ = torch_mod
    return saved


def restore(saved: dict[type, str]) -> None:
    """Undo ``present_as_torch``."""
    for cls, mod in saved.items():
        cls.__module__ = mod
