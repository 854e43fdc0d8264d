"""Small helpers of ``nn.Module``: hook handles, ``load_state_dict``'s result, and the
legacy tensor type names PyTorch uses in assignment errors.

    >>> h = RemovableHandle(OrderedDict(), print); h.remove()
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable
from typing import Any


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns; prints like PyTorch's when everything matched."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _tensor_type_name(value: Any) -> str:
    """PyTorch's legacy type name in its assignment errors ('torch.FloatTensor')."""
    dtype = str(getattr(value, "dtype", ""))
    names = {"torch.float32": "torch.FloatTensor", "torch.float64": "torch.DoubleTensor",
             "torch.int64": "torch.LongTensor", "torch.bool": "torch.BoolTensor"}
    return names.get(dtype, type(value).__name__)


class RemovableHandle:
    """What the hook registrations return: ``.remove()`` takes the hook off.

        >>> h = RemovableHandle(OrderedDict(), print); h.remove()
    """

    _next_id = 0

    def __init__(self, table: OrderedDict, hook: Callable[..., Any]):
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1
        self._table = table
        table[self.id] = hook

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()
