"""Creating tensors: ``tensor ones zeros full arange linspace randn rand empty``...

PyTorch's defaults: Python floats become float32 (the default dtype), Python ints
int64, bools bool; NumPy arrays keep their dtype. Random numbers are PyTorch's own:
``random.py`` emulates torch's CPU generator, so ``manual_seed(s)`` gives the values
torch gives for ``s``.

>>> tensor([1, 2]).dtype, tensor(2.0).dtype
(torch.int64, torch.float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from . import random as _random
from .random import (  # noqa: F401  (re-exported as torch.*)
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .tensor import Tensor


class device:  # noqa: N801 - PyTorch's name
    """``torch.device('cpu')``: the only device of the shim."""

    def __init__(self, type: Any = "cpu", index: int | None = None):
        self.type = str(type).split(":")[0]
        self.index = index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')"

    def __str__(self) -> str:
        return self.type

    def __eq__(self, other: Any) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.type)


def _infer_np(data: Any, dtype: Any = None) -> np.ndarray:
    """Data (nested lists of numbers or tensors, NumPy, scalars) as an array with
    PyTorch's dtype inference; Python numbers go straight to ``dtype`` when it is given
    (``tensor([0.1], dtype=float64)`` must not pass through float32)."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        return data.copy()
    if isinstance(data, np.generic):
        return np.asarray(data)
    kinds = set()
    flat = []

    def walk(x: Any) -> Any:
        if isinstance(x, Tensor):
            if x._data.size != 1 and x._data.ndim:
                return [walk(e) for e in x._data.tolist()]
            kinds.add({"b": bool, "f": float, "c": complex}.get(x._data.dtype.kind, int))
            return x._data.reshape(()).item()
        if isinstance(x, (list, tuple)):
            return [walk(e) for e in x]
        if isinstance(x, np.ndarray):
            return walk(x.tolist())
        if isinstance(x, np.generic):
            x = x.item()
        if isinstance(x, bool):
            kinds.add(bool)
        elif isinstance(x, int):
            kinds.add(int)
        elif isinstance(x, float):
            kinds.add(float)
        elif isinstance(x, complex):
            kinds.add(complex)
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
        flat.append(x)
        return x

    nested = walk(data)
    if dtype is not None:
        dt = dtypes.to_numpy(dtype)
        if complex in kinds and dt.kind != "c":
            raise TypeError("must be real number, not complex")
    elif complex in kinds:
        dt = dtypes.default_complex().np
    elif float in kinds:
        dt = dtypes.get_default_dtype().np
    elif int in kinds:
        dt = np.dtype(np.int64)
    elif bool in kinds:
        dt = np.dtype(np.bool_)
    else:
        dt = dtypes.get_default_dtype().np
    try:
        return np.array(nested, dtype=dt)
    except ValueError as e:
        raise ValueError(f"expected sequence of equal-length lists: {e}") from None


def _finish(arr: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    if dtype is not None:
        arr = arr.astype(dtypes.to_numpy(dtype), copy=False)
    if not arr.flags.writeable:
        arr = arr.copy()
    t = Tensor._wrap(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._rg = True
    return t


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new leaf tensor copied from ``data``.

    >>> tensor(2.0, requires_grad=True)
    tensor(2., requires_grad=True)
    """
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    return _finish(_infer_np(data, dtype), dtype, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``as_tensor(data)``: shares a NumPy array or tensor when it can, copies otherwise."""
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and dtype is None:
        return Tensor._wrap(data)
    return _finish(_infer_np(data, dtype), dtype, False)


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor sharing ``a``'s memory."""
    dtypes.from_numpy(a.dtype)
    return Tensor._wrap(a)


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _filled(fill: Any, size: tuple, dtype: Any, requires_grad: bool,
            default: Any = None) -> Tensor:
    dt = dtypes.to_numpy(dtype) if dtype is not None else (
        default or dtypes.get_default_dtype().np)
    return _finish(np.full(_size(size), fill, dtype=dt), None, requires_grad)


def zeros(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False,
          out: Any = None, layout: Any = None) -> Tensor:
    """``zeros(2, 3)``: float32 zeros."""
    return _filled(0, shape if size is None else (size,), dtype, requires_grad)


def ones(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False,
         out: Any = None, layout: Any = None) -> Tensor:
    """``ones(2, 2, requires_grad=True)``."""
    return _filled(1, shape if size is None else (size,), dtype, requires_grad)


def empty(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False,
          layout: Any = None, memory_format: Any = None) -> Tensor:
    """Uninitialised in PyTorch; zeros here (deterministic)."""
    return _filled(0, shape if size is None else (size,), dtype, requires_grad)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """``full((2, 2), 7.0)``; the dtype follows the fill value."""
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value)
    return _filled(fill_value, (tuple(size),) if not isinstance(size, int) else (size,),
                   dtype, requires_grad)


def _like(input: Tensor, fill: Any, dtype: Any, requires_grad: bool) -> Tensor:
    dt = dtypes.to_numpy(dtype) if dtype is not None else input._data.dtype
    return _finish(np.full(input._data.shape, fill, dtype=dt), None, requires_grad)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """``zeros_like(t)``: zeros of ``t``'s shape and dtype."""
    return _like(input, 0, dtype, requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """``ones_like(t)``: ones of ``t``'s shape and dtype."""
    return _like(input, 1, dtype, requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """``empty_like(t)``: like ``zeros_like`` (the shim never leaves memory uninitialised)."""
    return _like(input, 0, dtype, requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``full_like(t, 7.0)``: ``t``'s shape and dtype filled with a value."""
    return _like(input, fill_value, dtype, requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """``arange(4.0)`` -> ``tensor([0., 1., 2., 3.])``; ints give int64."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        dt = dtypes.get_default_dtype().np if any(isinstance(v, float) for v in vals) \
            else np.dtype(np.int64)
    else:
        dt = dtypes.to_numpy(dtype)
    s, e, st = vals
    n = int(np.ceil((e - s) / st)) if st else 0
    arr = (s + np.arange(max(n, 0), dtype=np.float64) * st).astype(dt)
    return _finish(arr, None, requires_grad)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``linspace(0, 1, 5)`` -> ``tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])``, rounded
    as PyTorch rounds (first half from ``start``, second half from ``end``)."""
    dt = dtypes.to_numpy(dtype) if dtype is not None else dtypes.get_default_dtype().np
    steps = int(steps)
    # PyTorch: step in the output dtype; the first half counts up from start, the second
    # half down from end, each a fused multiply-add (emulated exactly in long double)
    lo, hi = dt.type(start), dt.type(end)
    step = dt.type((np.longdouble(hi) - np.longdouble(lo)) / max(steps - 1, 1))
    idx = np.arange(steps, dtype=np.longdouble)
    up = np.longdouble(lo) + np.longdouble(step) * idx
    down = np.longdouble(hi) - np.longdouble(step) * (steps - 1 - idx)
    arr = np.where(idx < steps // 2, up, down)
    if steps == 1:
        arr = np.asarray([lo], dtype=np.longdouble)
    return _finish(arr.astype(dt), None, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    """``eye(2)``: the identity matrix."""
    dt = dtypes.to_numpy(dtype) if dtype is not None else dtypes.get_default_dtype().np
    return _finish(np.eye(n, m, dtype=dt), None, requires_grad)


# ---------------------------------------------------------------------------
# random numbers: PyTorch's CPU generator, emulated bit for bit (random.py)

def _rand_dtype(dtype: Any) -> np.dtype:
    return dtypes.to_numpy(dtype) if dtype is not None else dtypes.get_default_dtype().np


def randn(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, generator: Generator | None = None,
          out: Any = None, layout: Any = None) -> Tensor:
    """Standard normal samples of shape ``size``: torch's numbers for torch's seed.

    >>> _ = manual_seed(0); randn(2)
    tensor([ 1.5410, -0.2934])
    """
    shape = _size(shape if size is None else (size,))
    arr = _random.normal(shape, _rand_dtype(dtype), generator=generator)
    return _finish(arr, None, requires_grad)


def rand(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, generator: Generator | None = None,
         out: Any = None, layout: Any = None) -> Tensor:
    """Uniform samples in [0, 1) of shape ``size``: torch's numbers for torch's seed.

    >>> _ = manual_seed(0); rand(2)
    tensor([0.4963, 0.7682])
    """
    shape = _size(shape if size is None else (size,))
    arr = _random.uniform(shape, _rand_dtype(dtype), generator=generator)
    return _finish(arr, None, requires_grad)


def randint(low: int, high: Any = None, size: Any = None, *, dtype: Any = None,
            device: Any = None, requires_grad: bool = False,
            generator: Generator | None = None) -> Tensor:
    """``randint(0, 10, (3,))`` or ``randint(10, (3,))``: int64 samples in ``[low, high)``.

    >>> _ = manual_seed(0); randint(0, 10, (5,))
    tensor([4, 9, 3, 0, 3])
    """
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    dt = dtypes.to_numpy(dtype) if dtype is not None else np.dtype(np.int64)
    arr = _random.randint(_size((size,)), int(low), int(high), dt, generator=generator)
    return _finish(arr, None, requires_grad)


def randperm(n: int, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
             generator: Generator | None = None) -> Tensor:
    """``randperm(4)``: a random permutation of ``0..n-1`` (int64), torch's for its seed.

    >>> _ = manual_seed(0); randperm(5)
    tensor([4, 0, 1, 3, 2])
    """
    dt = dtypes.to_numpy(dtype) if dtype is not None else np.dtype(np.int64)
    return _finish(_random.randperm(n, dt, generator=generator), None, requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,
               device: Any = None, memory_format: Any = None) -> Tensor:
    """``randn_like(t)``: normal samples of ``t``'s shape and dtype.

    >>> randn_like(zeros(2, 3, dtype=float64)).dtype
    torch.float64
    """
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,
              device: Any = None, memory_format: Any = None) -> Tensor:
    """``rand_like(t)``: uniform samples of ``t``'s shape and dtype.

    >>> rand_like(zeros(2, 3)).shape
    torch.Size([2, 3])
    """
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> Tensor:
    """Fill ``t`` in place with normal samples, as ``t.normal_(mean, std)`` (nn.init).

    >>> _ = manual_seed(0); normal_(zeros(2), 10.0, 0.5)
    tensor([10.7705,  9.8533])
    """
    _random.normal_(t._data, mean, std, generator)
    t._vc[0] += 1
    return t


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | None = None) -> Tensor:
    """Fill ``t`` in place with uniform samples in [a, b), as ``t.uniform_(a, b)``.

    >>> _ = manual_seed(0); uniform_(zeros(2), -1.0, 1.0)
    tensor([-0.0075,  0.5364])
    """
    _random.uniform_(t._data, a, b, generator)
    t._vc[0] += 1
    return t


def legacy_tensor_init(t: Tensor, args: tuple, kwargs: dict) -> None:
    """``torch.Tensor(2, 3)`` (uninitialised float32) or ``torch.Tensor([1, 2])``."""
    if len(args) == 1 and not isinstance(args[0], int):
        data = _infer_np(args[0]).astype(dtypes.get_default_dtype().np)
    else:
        data = np.zeros(_size(args), dtype=dtypes.get_default_dtype().np)
    Tensor._init_from(t, data)


class _TypedTensorMeta(type):
    """``isinstance(t, torch.LongTensor)`` checks the dtype, as in PyTorch."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls._np


def _typed_tensor(name: str, d: Any) -> type:
    def __new__(cls, *args: Any) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], int):
            return tensor(args[0], dtype=d)
        return zeros(*args, dtype=d)
    return _TypedTensorMeta(name, (), {"__new__": __new__, "_np": d.np,
                                        "__doc__": f"``torch.{name}(data)``: a {d} tensor."})


FloatTensor = _typed_tensor("FloatTensor", dtypes.float32)
DoubleTensor = _typed_tensor("DoubleTensor", dtypes.float64)
LongTensor = _typed_tensor("LongTensor", dtypes.int64)
IntTensor = _typed_tensor("IntTensor", dtypes.int32)
BoolTensor = _typed_tensor("BoolTensor", dtypes.bool_)
