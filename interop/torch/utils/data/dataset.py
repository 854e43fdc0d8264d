"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``Subset``,
``ConcatDataset``, ``ChainDataset`` and ``random_split`` (PyTorch 2.13's split: the same
subsets after the same seed).

    >>> import tracegrad.interop.torch as torch
    >>> ds = TensorDataset(torch.arange(4.0), torch.arange(4))
    >>> ds[1]
    (tensor(1.), tensor(1))
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ... import random as _random


def _core() -> Any:
    from .... import torch as core

    return core


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__`` (and usually ``__len__``).

        >>> class Squares(Dataset):
        ...     def __getitem__(self, i): return i * i
        ...     def __len__(self): return 3
        >>> Squares()[2]
        4
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses define ``__iter__``.

        >>> class Count(IterableDataset):
        ...     def __iter__(self): return iter(range(3))
        >>> list(Count())
        [0, 1, 2]
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are tuples of the tensors' rows (all tensors have the same first size).

        >>> import tracegrad.interop.torch as torch
        >>> TensorDataset(torch.zeros(5, 2), torch.ones(5))[0]
        (tensor([0., 0.]), tensor(1.))
    """

    def __init__(self, *tensors: Any) -> None:
        if not all(tensors[0].size(0) == t.size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

        >>> Subset(range(10), [7, 2])[1]
        2
    """

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[Any]:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets one after another.

        >>> ds = ConcatDataset([range(3), range(10, 12)])
        >>> len(ds), ds[3]
        (5, 10)
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets read one after another.

        >>> list(ChainDataset([range(2), range(5, 7)]))
        [0, 1, 5, 6]
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """Fractions (summing to 1) become lengths: floors, then the remainder handed out
    one by one from the first split on."""
    counts: list[int] = []
    for i, frac in enumerate(lengths):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts.append(math.floor(n * frac))
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    for i, c in enumerate(counts):
        if c == 0:
            warnings.warn(f"Length of split at index {i} is 0. "
                          "This might result in an empty dataset.", stacklevel=3)
    return counts


def random_split(dataset: Any, lengths: Sequence[float],
                 generator: _random.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into random, non-overlapping subsets of the given lengths (or
    fractions summing to 1), with PyTorch's permutation (``randperm`` of the generator,
    the default generator when none is given).

        >>> import tracegrad.interop.torch as torch
        >>> a, b = random_split(range(10), [0.3, 0.7], generator=torch.Generator().manual_seed(42))
        >>> len(a), len(b)
        (3, 7)
    """
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _split_lengths(len(dataset), lengths)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    gen = _random.default_generator if generator is None else generator
    indices = _random.randperm(int(sum(lengths)), generator=gen).tolist()
    out = []
    offset = 0
    for length in lengths:
        out.append(Subset(dataset, indices[offset:offset + int(length)]))
        offset += int(length)
    return out
