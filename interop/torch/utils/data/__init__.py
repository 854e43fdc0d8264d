"""``torch.utils.data`` for the shim: datasets, samplers, ``DataLoader`` and
``random_split``, drawing their random numbers as PyTorch 2.13 does (the same shuffles
and splits after the same ``manual_seed``).

    >>> import tracegrad.interop.torch as torch
    >>> loader = DataLoader(TensorDataset(torch.arange(6.0)), batch_size=4)
    >>> [len(b[0]) for b in loader]
    [4, 2]
"""

from .dataloader import DataLoader, default_collate, default_convert, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
    "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "Subset",
    "SubsetRandomSampler", "TensorDataset", "default_collate", "default_convert",
    "get_worker_info", "random_split",
]
