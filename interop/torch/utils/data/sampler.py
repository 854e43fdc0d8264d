"""Samplers: the order in which a ``DataLoader`` reads a map-style dataset.

``RandomSampler`` draws as PyTorch 2.13 does: without a generator, a fresh generator is
seeded with one 64-bit draw of the default generator each time iteration starts, and the
indices are ``randperm`` of that generator (``randint`` in chunks of 32 with replacement).

    >>> import tracegrad.interop.torch as torch
    >>> _ = torch.manual_seed(0)
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any

from ... import random as _random


def draw_seed(generator: _random.Generator | None = None) -> int:
    """One value of ``torch.empty((), dtype=torch.int64).random_(generator=...)``: a 64-bit
    draw of the generator reduced to ``[0, 2**63)``.

        >>> _ = _random.manual_seed(0); draw_seed()
        900450186894289455
    """
    g = _random.default_generator if generator is None else generator
    with g._lock:
        word = int(g._words64(1)[0])
    return word % (1 << 63)


class Sampler:
    """Base class: iterating a sampler gives dataset indices (or batches of them).

        >>> isinstance(SequentialSampler(range(2)), Sampler)
        True
    """

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices ``0 .. len(data_source) - 1`` in order.

        >>> list(SequentialSampler("abc"))
        [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in random order (a permutation; or ``num_samples`` draws with replacement).

        >>> import tracegrad.interop.torch as torch
        >>> sorted(RandomSampler(range(4), generator=torch.Generator().manual_seed(1)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: _random.Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        """``num_samples`` if given, else the dataset's current length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.generator is None:
            gen = _random.Generator()
            gen.manual_seed(draw_seed())
        else:
            gen = self.generator
        total = self.num_samples
        if self.replacement:
            for _ in range(total // 32):
                yield from _random.randint((32,), 0, n, generator=gen).tolist()
            yield from _random.randint((total % 32,), 0, n, generator=gen).tolist()
        else:
            for _ in range(total // n):
                yield from _random.randperm(n, generator=gen).tolist()
            yield from _random.randperm(n, generator=gen).tolist()[:total % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in random order (``randperm`` of the generator).

        >>> sorted(SubsetRandomSampler([5, 7]))
        [5, 7]
    """

    def __init__(self, indices: Sequence[int],
                 generator: _random.Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in _random.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one
    shorter, or dropped with ``drop_last``).

        >>> list(BatchSampler(range(5), 2, drop_last=True))
        [[0, 1], [2, 3]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                or batch_size <= 0):
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
