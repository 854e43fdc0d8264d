"""``Tensor``: a NumPy array plus what autograd records about it.

Slots: ``_data`` (the ndarray, shared by ``detach()``, ``.data`` and views), ``_fn`` (the
``grad_fn`` node, None for a leaf), ``_var`` (the IR variable naming this value in
recorded equations; a new one after each in-place change), ``_rg`` (a leaf's
requires_grad flag), ``_grad``, ``_vc`` (the version counter ``[version, grad_fn,
site of the last in-place change]``, shared by views and ``detach()``), ``_accum`` (the
leaf's AccumulateGrad), ``_retain`` and ``_hooks``.

Operators and most methods are installed by the ``ops_*`` modules (tables there).

>>> x = Tensor._wrap(np.arange(3.0, dtype=np.float32))
>>> x.shape
torch.Size([3])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import dtypes, vmap_guard
from .graph import AccumulateGrad, _Handle


class Size(tuple):
    """``torch.Size([2, 3])``: a tuple that prints like PyTorch's."""

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
    "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")


class Tensor:
    """A PyTorch-compatible tensor over a NumPy array (see the module docstring)."""

    __slots__ = ("_data", "_fn", "_var", "_rg", "_grad", "_vc", "_accum", "_retain",
                 "_hooks", "__weakref__", "__dict__")
    __array_priority__ = 1000

    # -- construction ---------------------------------------------------------------
    @classmethod
    def _wrap(cls, data: np.ndarray, fn: Any = None, var: Any = None, vc: list | None = None):
        """A tensor over ``data`` (no copy); internal fast constructor."""
        t = object.__new__(cls)
        t._data = data
        t._fn = fn
        t._var = var
        t._rg = False
        t._grad = None
        t._vc = vc if vc is not None else [0, fn, None]
        t._accum = None
        t._retain = False
        t._hooks = None
        return t

    def __init__(self, *args: Any, **kwargs: Any):
        # torch.Tensor(2, 3) makes an uninitialised float tensor; torch.Tensor([1, 2])
        # copies data as float32.
        from .creation import legacy_tensor_init
        legacy_tensor_init(self, args, kwargs)

    def _producer(self):
        """What ``next_functions`` shows for this tensor as an input."""
        fn = self._fn
        if fn is not None:
            return fn
        if self._rg:
            acc = self._accum
            if acc is None:
                acc = self._accum = AccumulateGrad(self)
            return acc
        return None

    # -- autograd attributes -----------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._rg or self._fn is not None

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Make a leaf require (or stop requiring) gradients; returns self.

        >>> x = torch.arange(4.0).requires_grad_()
        """
        if self._fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want "
                    "to use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self._fn is None

    @property
    def grad_fn(self):
        return self._fn

    @property
    def grad(self):
        if self._fn is not None and not self._retain:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{_dims(value.shape)}' to a "
                    f"tensor of size '{_dims(self.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("attempting to assign a gradient with dtype "
                                   f"'{_legacy_name(value)}' to a tensor with dtype "
                                   f"'{_legacy_name(self)}'. Please ensure that the gradient "
                                   "and the tensor have the same dtype")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retain

    def retain_grad(self) -> None:
        """Keep ``.grad`` of a non-leaf after backward (a no-op on leaves)."""
        if self._fn is None:
            if not self._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._retain = True
        self._mark_hooked()

    def _mark_hooked(self) -> None:
        fn = self._fn
        if fn.hooked is None:
            fn.hooked = {}
        fn.hooked[id(self._var)] = self

    def register_hook(self, hook):
        """Run ``hook(grad)`` when this tensor's gradient is computed; a non-None return
        replaces the gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        if self._fn is not None:
            self._mark_hooked()
        return _Handle(self._hooks, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad``.

        >>> x = torch.tensor(2.0, requires_grad=True); (x ** 2).backward(); x.grad
        tensor(4.)
        """
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A tensor sharing storage (and version counter) that autograd does not track."""
        return Tensor._wrap(self._data, vc=self._vc)

    def detach_(self) -> Tensor:
        """Make this tensor a leaf that does not require grad, in place."""
        self._fn = None
        self._rg = False
        self._var = None
        return self

    @property
    def data(self) -> Tensor:
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._var = None

    @property
    def _version(self) -> int:
        return self._vc[0]

    # -- metadata -----------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """``x.size()`` is ``torch.Size``; ``x.size(0)`` the length of a dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._data.dtype)

    @property
    def device(self):
        from .creation import device
        return device("cpu")

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def element_size(self) -> int:
        return self._data.itemsize

    def type(self, dtype: Any = None):
        if dtype is None:
            return "torch." + _legacy_name(self)
        return self.to(dtype)

    # -- conversion -------------------------------------------------------------------
    def item(self):
        """The Python number of a one-element tensor."""
        vmap_guard.check(self, vmap_guard.ITEM)
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        vmap_guard.check(self, vmap_guard.STORAGE)
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array (shared, not copied); refused while autograd tracks it."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self.__dict__ and self.__dict__.get("_conj_bit") and not force:
            raise RuntimeError("Can't call numpy() on Tensor that has conjugate bit set. Use "
                               "tensor.resolve_conj().numpy() instead.")
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # NumPy and matplotlib read tensors (even those requiring grad, as torch allows)
        a = self._data
        if dtype is not None:
            a = a.astype(dtype)
        return a

    def __array_wrap__(self, arr: np.ndarray, context: Any = None,
                       return_scalar: bool = False) -> Tensor:
        # np.sin(t) gives a tensor back, as with PyTorch
        return Tensor._wrap(np.asarray(arr))

    def __len__(self) -> int:
        if not self._data.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if not self._data.ndim:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def _scalar(self, what: str):
        vmap_guard.check(self, vmap_guard.ITEM)
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def __bool__(self) -> bool:
        vmap_guard.check(self, vmap_guard.CONTROL_FLOW)
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is "
                               "ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        return float(_real_scalar(self._scalar("float"), "double"))

    def __int__(self) -> int:
        return int(_real_scalar(self._scalar("int"), "int64_t"))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.reshape(()).item())

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return self._data.item().__format__(spec)
        return str(self).__format__(spec)

    def __repr__(self) -> str:
        from .formatting import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data.copy(), self._rg))

    def __deepcopy__(self, memo):
        if self._fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = type(self).__new__(type(self))
        Tensor._init_from(new, self._data.copy(), self._rg)
        if self._grad is not None:
            new._grad = Tensor._wrap(self._grad._data.copy())
        memo[id(self)] = new
        for k, v in getattr(self, "__dict__", {}).items():
            import copy
            new.__dict__[k] = copy.deepcopy(v, memo)
        return new

    @staticmethod
    def _init_from(t: Tensor, data: np.ndarray, requires_grad: bool = False) -> None:
        t._data = data
        t._fn = None
        t._var = None
        t._rg = bool(requires_grad)
        t._grad = None
        t._vc = [0, None, None]
        t._accum = None
        t._retain = False
        t._hooks = None


def _real_scalar(v: Any, ctype: str) -> Any:
    """A complex value with a non-zero imaginary part has no real conversion (PyTorch's
    message); otherwise its real part."""
    if isinstance(v, complex):
        if v.imag:
            raise RuntimeError(f"value cannot be converted to type {ctype} without overflow")
        return v.real
    return v


def _rebuild(data: np.ndarray, rg: bool) -> Tensor:
    t = Tensor._wrap(data)
    t._rg = rg
    return t


def _dims(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


_LEGACY = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
           "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
           "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
           "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}


def _legacy_name(t: Tensor) -> str:
    """``FloatTensor`` for float32, as PyTorch names tensor types in messages."""
    return _LEGACY.get(t._data.dtype.name, t._data.dtype.name)


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def is_tensor(x: Any) -> bool:
    """``torch.is_tensor(x)``."""
    return isinstance(x, Tensor)

