"""PyTorch's dtype objects and its type-promotion rules, over NumPy dtypes.

>>> float32.is_floating_point, promote_types(int64, float32)
(True, torch.float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np


class dtype:  # noqa: N801 - PyTorch spells it this way
    """A PyTorch dtype: ``torch.float32`` prints as ``torch.float32``."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize",
                 "_rank", "_kind")

    def __init__(self, name: str, np_dtype: Any, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize
        self._rank = rank
        # category for promotion: bool < integer < floating < complex
        self._kind = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[self.np.kind]

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self) -> dtype:
        return {"complex64": float32, "complex128": float64}.get(self.name, self)


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 2)
int16 = dtype("int16", np.int16, 3)
int32 = dtype("int32", np.int32, 4)
int64 = dtype("int64", np.int64, 5)
float16 = dtype("float16", np.float16, 6)
float32 = dtype("float32", np.float32, 7)
float64 = dtype("float64", np.float64, 8)
complex64 = dtype("complex64", np.complex64, 9)
complex128 = dtype("complex128", np.complex128, 10)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64,
       complex128)
#: The aliases PyTorch exports next to the canonical names.
ALIASES = {"bool": bool_, "float": float32, "double": float64, "half": float16,
           "long": int64, "int": int32, "short": int16, "cfloat": complex64,
           "cdouble": complex128}

_FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL} | ALIASES


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def from_numpy(np_dtype: Any) -> dtype:
    """The PyTorch dtype of a NumPy dtype: ``from_numpy(np.float64) is float64``."""
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only "
                        "supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint8, and bool.") from None


def to_numpy(d: Any) -> np.dtype:
    """The NumPy dtype for a PyTorch dtype (or anything ``np.dtype`` accepts)."""
    if isinstance(d, dtype):
        return d.np
    if d is float:
        return float32.np
    if d is int:
        return int64.np
    if d is bool:
        return bool_.np
    return np.dtype(d)


_default_float = [float32]


def get_default_dtype() -> dtype:
    """``torch.get_default_dtype()``: float32 unless changed."""
    return _default_float[0]


def set_default_dtype(d: dtype) -> None:
    """``torch.set_default_dtype(torch.float64)`` makes Python floats become float64."""
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to (PyTorch's table)."""
    if a is b:
        return a
    if a._kind != b._kind:
        return a if a._kind > b._kind else b
    if {a, b} == {uint8, int8}:
        return int16
    return a if a._rank > b._rank else b


def scalar_dtype(x: Any) -> dtype:
    """The dtype PyTorch gives a Python scalar: bool, int64, or the default float."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, complex):
        return complex64 if _default_float[0] is float32 else complex128
    return _default_float[0]


def result_type(operands: list[tuple[dtype, int]]) -> dtype:
    """PyTorch's ``result_type`` for (dtype, priority) pairs.

    Priority 2 is a tensor with dimensions, 1 a 0-d tensor, 0 a Python scalar. The
    highest category (bool < int < float < complex) wins; within it, the highest
    priority present decides, and those dtypes promote among themselves.
    """
    best_kind = max(d._kind for d, _ in operands)
    top = [(d, p) for d, p in operands if d._kind == best_kind]
    prio = max(p for _, p in top)
    out = None
    for d, p in top:
        if p == prio:
            out = d if out is None else promote_types(out, d)
    if prio == 0 and best_kind == 2:
        return _default_float[0]
    if prio == 0 and best_kind == 1:
        # an int scalar with a bool tensor: int64
        return int64
    # a higher-category 0-d tensor or scalar over lower-category dimensioned tensors keeps
    # its own dtype, except float scalars take the default float
    return out


# PyTorch's alias names as module attributes (torch.float is torch.float32, ...)
double = float64
half = float16
long = int64
short = int16
cfloat = complex64
cdouble = complex128
