"""``torch.optim`` for the shim: SGD, Adam, AdamW, RMSprop and Adagrad with PyTorch's
update formulas; ``lr_scheduler``.

    >>> import tracegrad.interop.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
