"""Shape, joining, indexing and conversion: ``reshape view transpose cat stack x[i]``...

Views (``view``, ``reshape``, ``transpose``, ``x[i]``...) share the version counter
with their base, so an in-place change through either is seen by autograd's checks.
``x[idx] = v`` is a differentiable in-place update (``CopySlices``).

>>> stack([tensor([1.0]), tensor([2.0])]).shape   # doctest: +SKIP
torch.Size([2, 1])
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ...tracer import indexing as tix
from ...tracer import prims_elementwise as ew
from ...tracer import prims_structural as st
from . import dtypes
from .grad_mode import _enabled
from .ops_complex import refuse_complex
from .ops_core import apply1, composite, convert, inplace, traced
from .tensor import Tensor, _wrap_dim


def _share(out: Tensor, base: Tensor) -> Tensor:
    """Make ``out`` a view of ``base`` for version counting."""
    vc = base._vc
    out._vc = vc
    if out._fn is not None:
        out._fn.overs = ((vc, vc[0]),)
    return out


def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer(shape: tuple, size: int) -> tuple:
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        if known == 0 or size % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input "
                               f"of size {size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != size:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of "
                           f"size {size}")
    return shape


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """Same data, new shape (ViewBackward0); one ``-1`` is inferred."""
    new = _infer(_shape_arg(shape), input._data.size)
    return _share(apply1("ViewBackward0", st.reshape_p, input, new_sizes=new), input)


view = reshape


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``x.view_as(y)``: ``x`` with ``y``'s shape."""
    return reshape(input, tuple(other.shape))


reshape_as = view_as


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """``x.flatten(1)``: merge dimensions ``start_dim..end_dim`` into one."""
    nd = input.dim()
    if nd == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s == e:
        return input
    shape = input._data.shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def ravel(input: Tensor) -> Tensor:
    """``x.ravel()``: all elements as a 1-D tensor."""
    return reshape(input, -1)


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """``x.unflatten(1, (2, 3))``: split one dimension into several."""
    d = _wrap_dim(dim, input.dim())
    shape = input._data.shape
    return reshape(input, shape[:d] + tuple(sizes) + shape[d + 1:])


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder dimensions (PermuteBackward0)."""
    perm = tuple(_wrap_dim(d, input.dim()) for d in _shape_arg(dims))
    return _share(apply1("PermuteBackward0", st.transpose_p, input, permutation=perm), input)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (TransposeBackward0)."""
    nd = input.dim()
    if nd == 0:
        return _share(apply1("TransposeBackward0", st.transpose_p, input, permutation=()),
                      input)
    perm = list(range(nd))
    a, b = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    perm[a], perm[b] = perm[b], perm[a]
    return _share(apply1("TransposeBackward0", st.transpose_p, input,
                         permutation=tuple(perm)), input)


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose a matrix (TBackward0); 0-D and 1-D tensors come back as they are."""
    nd = input.dim()
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    perm = tuple(reversed(range(nd)))
    return _share(apply1("TBackward0", st.transpose_p, input, permutation=perm), input)


def numpy_T(input: Tensor) -> Tensor:
    """``x.T``: all dimensions reversed (PermuteBackward0)."""
    perm = tuple(reversed(range(input.dim())))
    return _share(apply1("PermuteBackward0", st.transpose_p, input, permutation=perm), input)


def mT(input: Tensor) -> Tensor:
    """``x.mT``: the last two dimensions swapped."""
    return transpose(input, -2, -1)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dimensions (all, or ``dim``)."""
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        name = "SqueezeBackward0"
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = tuple(sorted({_wrap_dim(d, len(shape)) for d in ds if shape}))
        dims = tuple(d for d in dims if shape[d] == 1)
        name = "SqueezeBackward1" if not isinstance(dim, (tuple, list)) else "SqueezeBackward2"
    return _share(apply1(name, st.squeeze_p, input, dimensions=dims), input)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim`` (UnsqueezeBackward0)."""
    nd = input.dim() + 1
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                         f"{nd - 1}], but got {dim})")
    return _share(apply1("UnsqueezeBackward0", st.expand_dims_p, input,
                         dimensions=(dim % nd,)), input)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes`` (-1 keeps a dimension) without copying (ExpandBackward0)."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand(torch.{_tn(input)}{{[{', '.join(map(str, shape))}]}}, "
                           f"size=[{', '.join(map(str, sizes))}]): the number of sizes "
                           "provided (1) must be greater or equal to the number of dimensions "
                           "in the tensor (2)")
    new = tuple(shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    for i, s in enumerate(shape):
        if s != 1 and s != new[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({new[i + lead]}) must match "
                               f"the existing size ({s}) at non-singleton dimension "
                               f"{i + lead}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                               f"Tensor sizes: [{', '.join(map(str, shape))}]")
    return _share(apply1("ExpandBackward0", st.broadcast_in_dim_p, input, shape=new,
                         broadcast_dimensions=tuple(range(lead, len(new)))), input)


def _tn(t: Tensor) -> str:
    from .tensor import _legacy_name
    return _legacy_name(t)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``x.expand_as(y)``: broadcast ``x`` to ``y``'s shape."""
    return expand(input, tuple(other.shape))


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    """``torch.broadcast_to(x, (2, 3))`` = ``x.expand(2, 3)``."""
    return expand(input, tuple(size))


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join along an existing dimension (CatBackward0)."""
    ts = list(tensors)
    if not ts:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")  # as torch
    from .ops_core import result_np_dtype
    dt = result_np_dtype(*ts)
    ts = [convert(x, dt) for x in ts if not (x._data.ndim == 1 and x._data.shape[0] == 0)] \
        or [ts[0]]
    d = _wrap_dim(dim, ts[0].dim())
    return composite("CatBackward0", lambda b, *xs: b(st.concatenate_p, *xs, dimension=d), ts)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join along a new dimension (StackBackward0)."""
    ts = list(tensors)
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = ts[0]._data.shape
    for i, x in enumerate(ts):
        if x._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, shape))}] at entry 0 and "
                               f"[{', '.join(map(str, x._data.shape))}] at entry {i}")
    from .ops_core import result_np_dtype
    dt = result_np_dtype(*ts)
    ts = [convert(x, dt) for x in ts]
    nd = len(shape) + 1
    d = dim % nd if -nd <= dim < nd else _wrap_dim(dim, nd)

    def fn(b, *xs):
        parts = [b(st.expand_dims_p, x, dimensions=(d,)) for x in xs]
        return b(st.concatenate_p, *parts, dimension=d)
    return composite("StackBackward0", fn, ts)


def hstack(tensors: Any) -> Tensor:
    """Join along dimension 1 (0 for 1-D tensors)."""
    ts = list(tensors)
    return cat(ts, 0 if ts[0].dim() == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """Join along dimension 0, 1-D tensors as rows."""
    return cat([x if x.dim() > 1 else unsqueeze(x, 0) for x in tensors], 0)


def _slice(input: Tensor, d: int, start: int, stop: int, name: str = "SliceBackward0"):
    nd = input.dim()
    starts = tuple(start if i == d else 0 for i in range(nd))
    limits = tuple(stop if i == d else s for i, s in enumerate(input._data.shape))
    return _share(apply1(name, st.slice_p, input, start_indices=starts, limit_indices=limits,
                         strides=None), input)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """``x.split(2)`` or ``x.split([1, 3])``: views along ``dim`` (SplitBackward0)."""
    d = _wrap_dim(dim, tensor.dim())
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        bounds = [(i, min(i + step, n)) for i in range(0, n, step)] or [(0, 0)]
        name = "SplitBackward0"
    else:
        bounds, i = [], 0
        for s in split_size_or_sections:
            bounds.append((i, i + s))
            i += s
        name = "SplitWithSizesBackward0"
    return tuple(_slice(tensor, d, a, b, name) for a, b in bounds)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``x.chunk(3)``: ``split`` into (at most) ``chunks`` equal parts."""
    n = input._data.shape[_wrap_dim(dim, input.dim())]
    step = -(-n // chunks)
    return split(input, step, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """``x.unbind(0)``: the slices along ``dim`` as a tuple (SelectBackward0 each)."""
    d = _wrap_dim(dim, input.dim())
    return tuple(select(input, d, i) for i in range(input._data.shape[d]))


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """``x.select(0, i)`` = ``x[i]`` (SelectBackward0)."""
    d = _wrap_dim(dim, input.dim())
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, input._data.shape))}] at dimension {d}")
    i = index % n

    def fn(b, x):
        nd = x.ndim
        s = b(st.slice_p, x, start_indices=tuple(i if k == d else 0 for k in range(nd)),
              limit_indices=tuple(i + 1 if k == d else x.shape[k] for k in range(nd)),
              strides=None)
        return b(st.squeeze_p, s, dimensions=(d,))
    return _share(composite("SelectBackward0", fn, [input]), input)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``x.narrow(1, 0, 2)`` = ``x[:, 0:2]``."""
    d = _wrap_dim(dim, input.dim())
    return _slice(input, d, start, start + length)


def flip(input: Tensor, dims: Any) -> Tensor:
    """``x.flip(0)``: reverse the order along ``dims`` (FlipBackward0)."""
    ds = tuple(sorted(_wrap_dim(d, input.dim()) for d in (dims if isinstance(
        dims, (list, tuple)) else (dims,))))
    return apply1("FlipBackward0", st.rev_p, input, dimensions=ds)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy that autograd tracks (CloneBackward0)."""
    return apply1("CloneBackward0", ew.convert_element_type_p, input,
                  new_dtype=input._data.dtype)


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself (NumPy arrays need no contiguity for the shim)."""
    return input


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``x.to(torch.float64)`` (ToCopyBackward0); devices other than cpu are refused."""
    dtype = kwargs.get("dtype")
    copy = kwargs.get("copy", False)
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, str) or type(a).__name__ == "device":
            if str(a) not in ("cpu",) and not str(a).startswith("cpu"):
                raise RuntimeError(f"tracegrad's torch shim runs on the CPU only; got device "
                                   f"{a!r}")
    if dtype is None:
        return clone(input) if copy else input
    npd = dtypes.to_numpy(dtype)
    if npd == input._data.dtype:
        return clone(input) if copy else input
    return convert(input, npd)


def _caster(d: dtypes.dtype):
    def cast(input: Tensor, memory_format: Any = None) -> Tensor:
        return to(input, d)
    return cast


float_ = _caster(dtypes.float32)
double = _caster(dtypes.float64)
half = _caster(dtypes.float16)
long = _caster(dtypes.int64)
int_ = _caster(dtypes.int32)
bool_ = _caster(dtypes.bool_)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    """``x.type_as(y)``: ``x`` converted to ``y``'s dtype."""
    return to(input, other.dtype)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """``x.repeat(2, 1)``: tile the tensor (RepeatBackward0)."""
    reps = _shape_arg(sizes)
    return traced("RepeatBackward0", lambda x: _np_tile(x, reps), [input])


def _np_tile(x: Any, reps: tuple) -> Any:
    from ...tracer import ops
    nd = len(reps)
    shape = (1,) * (nd - len(ops.shape_of(x))) + tuple(ops.shape_of(x))
    x = ops.reshape(x, shape)
    for axis, r in enumerate(reps):
        if r != 1:
            x = ops.concatenate([x] * r, axis=axis)
    return x


# ---------------------------------------------------------------------------
# indexing


def _index_arg(idx: Any) -> Any:
    if isinstance(idx, tuple):
        return tuple(_index_arg(i) for i in idx)
    if isinstance(idx, Tensor):
        d = idx._data
        if d.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool "
                             "tensors")
        return d
    if isinstance(idx, list):
        return np.asarray([_index_arg(i) for i in idx])
    if isinstance(idx, slice) and idx.step is not None and idx.step <= 0:
        raise ValueError("step must be greater than zero")
    return idx


def _index_name(idx: tuple) -> str:
    kinds = [type(i) for i in idx]
    if any(k is np.ndarray for k in kinds):
        return "IndexBackward0"
    if kinds and all(k is int for k in kinds):
        return "SelectBackward0"
    last = idx[-1] if idx else None
    if any(k is int for k in kinds) and not isinstance(last, slice):
        return "SelectBackward0"
    if last is None:
        return "UnsqueezeBackward0"
    if any(k is slice for k in kinds):
        return "SliceBackward0"
    return "AliasBackward0"


def getitem(input: Tensor, idx: Any) -> Tensor:
    """``x[idx]`` with NumPy/PyTorch semantics; basic indexing shares storage."""
    i = _index_arg(idx)
    tup = i if isinstance(i, tuple) else (i,)
    if isinstance(i, np.ndarray) and i.dtype == np.bool_ and i.shape == input._data.shape \
            and not (_enabled.get() and input.requires_grad):
        return Tensor._wrap(input._data[i])
    record = _enabled.get() and input.requires_grad
    basic = not any(isinstance(p, np.ndarray) for p in tup)
    if not record:
        out = input._data[i]
        t = Tensor._wrap(out if type(out) is np.ndarray else np.asarray(out))
        if basic and type(out) is np.ndarray and out.base is not None:
            t._vc = input._vc
            t._view_of = (input, i)
        return t
    name = _index_name(tup)
    out = traced(name, lambda x: tix.getitem(x, i), [input])
    if basic:
        _share(out, input)
        out._view_of = (input, i)
    return out


def rebase_view(base: Tensor, idx: Any, view: Tensor) -> None:
    """After an in-place change of ``view`` (= ``base[idx]``): ``base`` becomes
    ``CopySlices(old base, view)`` so gradients flow through the new values.

    ``idx`` is an index, or a function ``(base, view) -> new base`` written with the
    tracer's NumPy (the views of complex parts, ``ops_complex``)."""
    if callable(idx):
        new = traced("CopySlices", idx, [base, view])
    else:
        new = traced("CopySlices", lambda b, v: tix.at(b)[idx].set(v), [base, view])
    if not np.shares_memory(base._data, view._data):
        if callable(idx):
            base._data[...] = new._data
        else:
            base._data[idx] = view._data
    node = new._fn
    if node is None:
        return
    vc = base._vc
    base._fn = node
    base._var = new._var
    vc[1] = node
    node.overs = ((vc, None),)  # its saved result is a private copy


def setitem(input: Tensor, idx: Any, value: Any) -> None:
    """``x[idx] = v``: an in-place update; differentiable in both (CopySlices)."""
    i = _index_arg(idx)
    if input._fn is None and input._rg and _enabled.get():
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    v_rg = isinstance(value, Tensor) and value.requires_grad
    record = _enabled.get() and (input.requires_grad or v_rg)
    dt = input._data.dtype
    if not record:
        v = value._data if isinstance(value, Tensor) else value
        input._data[i] = v
        vc = input._vc
        vc[0] += 1
        from .graph import user_site
        vc[2] = user_site()
        if input._fn is None:
            input._var = None
        return
    if isinstance(value, Tensor):
        v = convert(value, dt)
    else:
        v = Tensor._wrap(np.asarray(value, dtype=dt))
    parts = i if isinstance(i, tuple) else (i,)
    name = "IndexPutBackward0" if any(isinstance(p, np.ndarray) for p in parts) \
        else "CopySlices"
    result = traced(name, lambda x, y: tix.at(x)[i].set(y), [input, v])
    inplace(input, result)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``x.index_select(0, idx)``: rows (or entries along ``dim``) at ``idx``."""
    d = _wrap_dim(dim, input.dim())
    return apply1("IndexSelectBackward0", st.index_take_p, input,
                  Tensor._wrap(np.asarray(index._data, np.int64)), axis=d)


SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
for _cls in (SortResult, TopkResult):
    _cls.__module__ = "torch.return_types"
    _cls.__repr__ = lambda self: (f"torch.return_types.{type(self).__name__}(\n"  # type: ignore
                                  f"values={self.values!r},\nindices={self.indices!r})")


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """``x.argsort(descending=True)``: int64 indices that sort ``x`` along ``dim``."""
    refuse_complex("sort", input)
    d = _wrap_dim(dim, input.dim())
    data = input._data
    idx = np.argsort(-data if descending else data, axis=d, kind="stable")
    return Tensor._wrap(np.asarray(idx, np.int64))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """``(values, indices)`` sorted along ``dim`` (SortBackward0: gradients go back to
    the original positions)."""
    idx = argsort(input, dim, descending)
    return SortResult(gather(input, dim, idx, _name="SortBackward0"), idx)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) entries along ``dim`` and their indices."""
    refuse_complex("topk", input)
    d = _wrap_dim(dim, input.dim())
    idx = argsort(input, d, descending=largest)
    idx = Tensor._wrap(np.ascontiguousarray(np.take(idx._data, np.arange(k), axis=d)))
    return TopkResult(gather(input, d, idx, _name="TopkBackward0"), idx)


def gather(input: Tensor, dim: int, index: Tensor, *, _name: str = "GatherBackward0"):
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (GatherBackward0)."""
    d = _wrap_dim(dim, input.dim())
    idx = index._data

    def fn(x):
        from ...tracer import ops
        grids = list(np.indices(idx.shape, sparse=True))
        grids[d] = idx
        return tix.getitem(x, tuple(grids)) if not isinstance(x, np.ndarray) else ops.as_operand(
            x[tuple(grids)])
    return traced(_name, fn, [input])
