"""``torch.utils`` for the shim: only ``torch.utils.data`` (datasets, samplers, DataLoader).

    >>> import tracegrad.interop.torch as torch
    >>> from tracegrad.interop.torch.utils.data import TensorDataset
    >>> len(TensorDataset(torch.zeros(3, 2)))
    3
"""

from . import data

__all__ = ["data"]
