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
    """The smallest dtype both ``a`` and ``b`` convert to (PyTorch's table):
    ``promote_types(float64, complex64) is complex128``."""
    if a is b:
        return a
    if a._kind != b._kind:
        hi, lo = (a, b) if a._kind > b._kind else (b, a)
        if hi._kind == 3 and lo._kind == 2:
            return promote_types(hi, to_complex(lo))  # float64 with complex64: complex128
        return hi
    if {a, b} == {uint8, int8}:
        return int16
    return a if a._rank > b._rank else b


def to_complex(d: dtype) -> dtype:
    """The complex dtype with ``d``'s precision (float64 -> complex128); complex32 does
    not exist here, so float16 gives complex64."""
    if d._kind == 3:
        return d
    return complex128 if d is float64 else complex64


def default_complex() -> dtype:
    """The dtype of a Python complex: complex128 when the default float is float64."""
    return complex128 if _default_float[0] is float64 else complex64


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

    Priority 2 is a tensor with dimensions, 1 a 0-d tensor, 0 a Python scalar (whose
    float and complex dtypes are the defaults). Each priority class promotes within
    itself; then the classes combine from the highest down: a lower class only wins
    with a higher category (bool < int < float < complex), and a complex lower class
    over a float higher one keeps the float's precision (float64 tensor + 1j gives
    complex128, as c10's ``combine_categories``).
    """
    states: list = [None, None, None]
    for d, p in operands:
        if p == 0:
            if d._kind == 3:
                d = default_complex()
            elif d._kind == 2:
                d = _default_float[0]
        cur = states[p]
        states[p] = d if cur is None else promote_types(cur, d)
    return _combine(states[2], _combine(states[1], states[0]))


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._kind == 3:
        return higher
    if lower._kind == 3:
        return to_complex(higher) if higher._kind == 2 else lower
    if higher._kind == 2:
        return higher
    if higher is bool_ or lower._kind == 2:
        return promote_types(higher, lower)
    return higher


# PyTorch's alias names as module attributes (torch.float is torch.float32, ...)
double = float64
half = float16
long = int64
short = int16
cfloat = complex64
cdouble = complex128
