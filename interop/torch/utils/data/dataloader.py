"""``DataLoader``: batches of a dataset, collated into tensors, read in the calling
process (``num_workers`` is accepted and the work done in-process).

Random numbers are drawn as PyTorch 2.13 draws them, so the same ``manual_seed`` gives
the same shuffles and leaves the generator in the same state: each ``iter(loader)``
takes one 64-bit draw of ``generator`` (the default generator when none is given; torch
uses it to seed its workers), and a shuffling ``RandomSampler`` without a generator
takes another when the first batch is read.

    >>> import tracegrad.interop.torch as torch
    >>> loader = DataLoader([1.0, 2.0, 3.0], batch_size=2)
    >>> list(loader)
    [tensor([1., 2.], dtype=torch.float64), tensor([3.], dtype=torch.float64)]
"""

from __future__ import annotations

import collections.abc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ... import random as _random
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, draw_seed

_COLLATE_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                "dicts or lists; found {}")


def _core() -> Any:
    from .... import torch as core

    return core


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def default_convert(data: Any) -> Any:
    """What the loader does to each sample when batching is off (``batch_size=None``):
    NumPy arrays become tensors, containers are converted element by element.

        >>> default_convert(np.zeros(2))
        tensor([0., 0.], dtype=torch.float64)
    """
    core = _core()
    if isinstance(data, core.Tensor):
        return data
    if isinstance(data, np.ndarray) and not isinstance(data, np.memmap):
        if data.dtype.kind in "USO":
            return data
        return core.as_tensor(data)
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return core.as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(converted)  # type: ignore[call-arg]
        except TypeError:
            return converted
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        items = [default_convert(d) for d in data]
        try:
            return type(data)(items)  # type: ignore[call-arg]
        except TypeError:
            return items
    return data


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch, as PyTorch's ``default_collate``: tensors and
    NumPy arrays are stacked, Python floats become a float64 tensor and ints an int64 (or
    bool) tensor, strings stay a sequence, and dicts, tuples and lists are collated per
    field (tuples come back as lists).

        >>> import tracegrad.interop.torch as torch
        >>> default_collate([(torch.ones(2), 1), (torch.zeros(2), 0)])
        [tensor([[1., 1.],
                [0., 0.]]), tensor([1, 0])]
    """
    core = _core()
    elem = batch[0]
    if isinstance(elem, core.Tensor):
        return core.stack(list(batch), 0)
    if isinstance(elem, np.ndarray) and not isinstance(elem, np.memmap):
        if elem.dtype.kind in "USO":
            raise TypeError(_COLLATE_ERR.format(elem.dtype))
        return default_collate([core.as_tensor(b) for b in batch])
    if isinstance(elem, np.generic) and not isinstance(elem, (np.str_, np.bytes_)):
        return core.as_tensor(np.asarray(batch))
    if isinstance(elem, float):
        return core.tensor(batch, dtype=core.float64)
    if isinstance(elem, int):
        return core.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        if type(elem) is dict:
            return collated
        try:
            return type(elem)(collated)  # type: ignore[call-arg]
        except TypeError:
            return collated
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))  # type: ignore[arg-type]
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(s) for s in zip(*batch)]  # type: ignore[arg-type]
        if isinstance(elem, tuple) or type(elem) is list:
            return columns
        try:
            return type(elem)(columns)  # type: ignore[call-arg]
        except TypeError:
            return columns
    raise TypeError(_COLLATE_ERR.format(type(elem)))


def get_worker_info() -> None:
    """Always None: the shim's loader reads in the calling process, as a worker-less
    torch loader does.

        >>> get_worker_info() is None
        True
    """
    return None


class DataLoader:
    """Iterate over a dataset in (optionally shuffled) batches.

    Accepts PyTorch's arguments; ``num_workers``, ``pin_memory``, ``timeout``,
    ``prefetch_factor`` and friends are checked as torch checks them and otherwise have
    no effect (everything runs in-process; ``worker_init_fn`` is never called).

        >>> import tracegrad.interop.torch as torch
        >>> from tracegrad.interop.torch.utils.data import TensorDataset
        >>> ds = TensorDataset(torch.arange(5.0), torch.arange(5))
        >>> len(DataLoader(ds, batch_size=2)), len(DataLoader(ds, batch_size=2, drop_last=True))
        (3, 2)
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None,
                 generator: _random.Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor if num_workers > 0 and prefetch_factor \
            is not None else (2 if num_workers > 0 else None)
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            if self._iterable:
                BatchSampler([], batch_size, drop_last)  # the same argument checks
            else:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self._auto_collation = batch_sampler is not None or (
            self._iterable and batch_size is not None)
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            draw_seed(self.generator)
            return self._iter_stream()
        indices = iter(self._index_sampler)
        draw_seed(self.generator)  # torch's base seed for workers, drawn before any index
        return self._iter_map(indices)

    def _iter_map(self, indices: Iterator[Any]) -> Iterator[Any]:
        ds = self.dataset
        many = getattr(ds, "__getitems__", None)
        for index in indices:
            if self._auto_collation:
                data = many(index) if callable(many) else [ds[i] for i in index]
            else:
                data = ds[index]
            yield self.collate_fn(data)

    def _iter_stream(self) -> Iterator[Any]:
        it = iter(self.dataset)
        if not self._auto_collation:
            for sample in it:
                yield self.collate_fn(sample)
            return
        bs = self.batch_size
        while True:
            batch = []
            for sample in it:
                batch.append(sample)
                if len(batch) == bs:
                    break
            if not batch or (self.drop_last and len(batch) < bs):  # type: ignore[operator]
                return
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)
