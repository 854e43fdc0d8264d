"""NumPy indexing of tracers: ``x[idx]`` and the functional update ``x.at[idx].set(v)``.

Basic indices (ints, slices with any step, ``None``, ``Ellipsis``) become
``rev``/``slice``/``squeeze``/``expand_dims`` equations; integer arrays and lists
become one ``index_take`` (several advanced indices are combined into one flat
index, placed by NumPy's rules); a boolean mask must be concrete.

>>> make_ir(lambda x: x[1:, ::-1])(np.ones((3, 4)))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from . import prims_elementwise as ew
from . import prims_structural as st
from .errors import NonConcreteBooleanIndexError
from .primitive import bind
from .trace import Tracer

_INT_TYPES = (int, np.integer)


def _is_int(i: Any) -> bool:
    return isinstance(i, _INT_TYPES) and not isinstance(i, (bool, np.bool_))


def _as_index_array(i: Any, what: str = "index"):
    """A list / array / tracer index as a NumPy int array or an integer tracer."""
    if isinstance(i, list) and any(isinstance(e, Tracer) for e in i):
        i = ops.stack([ops.as_operand(e) for e in i])  # x[[t, 0]] with traced entries
    if isinstance(i, Tracer):
        if i.dtype.kind == "b":
            if i.val is None:
                raise NonConcreteBooleanIndexError(
                    f"A boolean mask {i.aval} whose value is unknown at trace time was used "
                    "as an index; the result's shape would depend on the values. Use "
                    "np.where(mask, x, 0) instead, or trace with concrete inputs.")
            return np.asarray(i.val)
        if i.dtype.kind not in "iu":
            raise IndexError(f"arrays used as indices must be of integer or boolean type, "
                             f"got {i.aval}")
        return i
    arr = np.asarray(i)
    if arr.dtype.kind not in "biu" and arr.size:
        raise IndexError(f"arrays used as {what}s must be of integer or boolean type, got "
                         f"{arr.dtype}")
    return arr.astype(np.int64) if arr.dtype.kind not in "bi" else arr


def _expand(x_ndim: int, idx: tuple):
    """Entries (kind, value, position in idx) with masks split and Ellipsis expanded."""
    arrays = [i for i in idx if not (i is None or i is Ellipsis or isinstance(i, slice)
                                     or _is_int(i))]
    has_adv = bool(arrays)
    entries: list = []
    for pos, i in enumerate(idx):
        if i is None:
            entries.append(("none", None, pos))
        elif i is Ellipsis:
            entries.append(("ellipsis", None, pos))
        elif isinstance(i, slice):
            entries.append(("slice", i, pos))
        elif _is_int(i):
            entries.append(("adv" if has_adv else "int", int(i), pos))
        elif isinstance(i, (bool, np.bool_)):
            raise NotImplementedError("indexing with a scalar boolean (x[True]) is not "
                                      "supported by tracegrad; use expand_dims")
        else:
            arr = _as_index_array(i)
            if not isinstance(arr, Tracer) and arr.dtype.kind == "b":
                for part in np.nonzero(arr):  # a mask covers arr.ndim dimensions
                    entries.append(("adv", part, pos))
                if arr.ndim == 0:
                    raise NotImplementedError("indexing with a 0-d boolean mask is not "
                                              "supported by tracegrad")
            else:
                entries.append(("adv", arr, pos))
    used = sum(1 for k, _, _ in entries if k in ("slice", "int", "adv"))
    if sum(1 for k, _, _ in entries if k == "ellipsis") > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if used > x_ndim:
        raise IndexError(f"too many indices for array: array is {x_ndim}-dimensional, "
                         f"but {used} were indexed")
    out = []
    for kind, val, pos in entries:
        if kind == "ellipsis":
            out.extend(("slice", slice(None), pos) for _ in range(x_ndim - used))
            used = x_ndim
        else:
            out.append((kind, val, pos))
    out.extend(("slice", slice(None), len(idx)) for _ in range(x_ndim - used))
    return out


def _normalize_adv(a, n: int, dim: int):
    """Negative entries of an index array wrapped; bounds checked when concrete."""
    if isinstance(a, Tracer):
        if a.dtype.kind == "u":
            return a
        return ops.where(ops.less(a, 0), ops.add(a, n), a)
    if isinstance(a, int):
        a = np.int64(a)
    if a.size and (a.min() < -n or a.max() >= n):
        bad = a[(a < -n) | (a >= n)].flat[0]
        raise IndexError(f"index {bad} is out of bounds for axis {dim} with size {n}")
    return np.where(a < 0, a + n, a).astype(np.int64)


def getitem(x: Any, idx: Any) -> Any:
    """``x[idx]`` with NumPy semantics.

    >>> getitem(np.arange(5.0), slice(None, None, -2))
    array([4., 2., 0.])
    """
    x = ops.as_operand(x)
    if not isinstance(idx, tuple):
        idx = (idx,)
    shape = ops.shape_of(x)
    entries = _expand(len(shape), idx)
    # 1. slices, reversals and integers (dims in `layout` keep their entry order)
    starts, limits, strides, rev, squeeze = [], [], [], [], []
    dim = 0
    kept: list = []  # per remaining dim of y: the entry number it came from
    advs: list = []  # (entry number, y dim, index array)
    for e, (kind, val, _) in enumerate(entries):
        if kind == "none":
            continue
        n = shape[dim]
        if kind == "slice":
            start, stop, step = val.indices(n)
            m = len(range(start, stop, step))
            if step < 0:
                rev.append(dim)
                start = n - 1 - start
                step = -step
            starts.append(start if m else 0)
            limits.append(start + (m - 1) * step + 1 if m else 0)
            strides.append(step)
            kept.append(e)
        elif kind == "int":
            if not -n <= val < n:
                raise IndexError(f"index {val} is out of bounds for axis {dim} with size {n}")
            val %= n
            starts.append(val)
            limits.append(val + 1)
            strides.append(1)
            squeeze.append(dim)
        else:
            starts.append(0)
            limits.append(n)
            strides.append(1)
            advs.append((e, len(kept), _normalize_adv(val, n, dim)))
            kept.append(e)
        dim += 1
    y = x
    if rev:
        y = bind(st.rev_p, y, dimensions=tuple(rev))
    if tuple(starts) != (0,) * len(shape) or tuple(limits) != shape or any(
            s != 1 for s in strides):
        y = bind(st.slice_p, y, start_indices=tuple(starts), limit_indices=tuple(limits),
                 strides=None if all(s == 1 for s in strides) else tuple(strides))
    if squeeze:
        y = bind(st.squeeze_p, y, dimensions=tuple(squeeze))
    # 2. advanced indices -> one index_take; `tokens` names each dim of y
    tokens: list = list(kept)
    contiguous = True
    if advs:
        y, tokens = _take(y, kept, advs)
        positions = sorted({pos for kind, _, pos in entries if kind == "adv"})
        contiguous = positions[-1] - positions[0] + 1 == len(positions)
    # 3. NumPy's order: the B block where the advanced indices stood (or first when
    #    they are separated), new axes for None, slices in entry order.
    nb = tokens.count("B")
    order: list = [] if contiguous else ["B"] * nb
    for e, (kind, _, _) in enumerate(entries):
        if kind == "slice":
            order.append(e)
        elif kind == "none":
            order.append("N")
        elif kind == "adv" and contiguous and "B" not in order:
            order.extend(["B"] * nb)
    plain = [t for t in order if t != "N"]
    if plain != tokens:
        src = {t: i for i, t in enumerate(tokens) if t != "B"}
        b_dims = iter([i for i, t in enumerate(tokens) if t == "B"])
        y = ops.transpose(y, [next(b_dims) if t == "B" else src[t] for t in plain])
    if "N" in order:
        new_dims = tuple(i for i, t in enumerate(order) if t == "N")
        y = bind(st.expand_dims_p, y, dimensions=new_dims)
    return y


def _take(y, kept: list, advs: list):
    """Gather with the advanced indices ``advs`` on the dims of ``y``; returns (z, tokens)."""
    ys = ops.shape_of(y)
    arrays = [a for _, _, a in advs]
    shapes = [ops.shape_of(a) for a in arrays]
    try:
        bshape = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together "
                         f"with shapes {' '.join(map(str, shapes))}") from None
    if len(advs) == 1:
        _, d, a = advs[0]
        z = bind(st.index_take_p, y, a, axis=d)
        tokens = kept[:d] + ["B"] * len(bshape) + kept[d + 1:]
        return z, tokens
    dims = [d for _, d, _ in advs]
    rest = [d for d in range(len(ys)) if d not in dims]
    y = ops.transpose(y, dims + rest)
    sizes = [ys[d] for d in dims]
    y = ops.reshape(y, (int(np.prod(sizes, dtype=np.int64)),) + tuple(ys[d] for d in rest))
    # The row-major flat index: concrete parts computed now, traced parts as equations.
    const = np.zeros((), np.int64)
    traced = None
    stride = 1
    for a, n in zip(reversed(arrays), reversed(sizes)):
        if isinstance(a, Tracer):
            term = ops.convert(a if stride == 1 else ops.multiply(a, stride), np.int64)
            traced = term if traced is None else ops.add(traced, term)
        else:
            const = const + a * stride
        stride *= n
    if traced is None:
        flat = np.broadcast_to(const, bshape)
    else:
        flat = ops.broadcast_to(traced if not const.any() and const.shape == ()
                                else ops.add(traced, const[()] if const.ndim == 0 else const),
                                bshape)
    z = bind(st.index_take_p, y, flat, axis=0)
    return z, ["B"] * len(bshape) + [kept[d] for d in rest]


def setitem_error(x: Any, idx: Any, value: Any):
    """``x[idx] = v`` on a tracer: a TypeError pointing to ``x.at[idx].set(v)``."""
    raise TypeError(
        "traced arrays are immutable: x[idx] = v cannot change one in place. Use the "
        "functional update y = x.at[idx].set(v) (or .add / .multiply) and use y.")


class _IndexUpdateRef:
    """``x.at[idx]``: functional updates that return a new array."""

    __slots__ = ("x", "idx")

    def __init__(self, x: Any, idx: Any):
        self.x = x
        self.idx = idx

    def get(self) -> Any:
        """``x.at[idx].get() == x[idx]``."""
        return getitem(self.x, self.idx)

    def set(self, v: Any) -> Any:
        """A copy of x with ``x[idx] = v`` (the last write wins for repeated indices)."""
        return _update(self.x, self.idx, v, "set")

    def add(self, v: Any) -> Any:
        """A copy of x with ``x[idx] += v``; repeated indices accumulate."""
        return _update(self.x, self.idx, v, "add")

    def multiply(self, v: Any) -> Any:
        """A copy of x with ``x[idx] *= v``; repeated indices multiply."""
        return _update(self.x, self.idx, v, "multiply")

    mul = multiply


class _IndexUpdateHelper:
    __slots__ = ("x",)

    def __init__(self, x: Any):
        self.x = x

    def __getitem__(self, idx: Any) -> _IndexUpdateRef:
        return _IndexUpdateRef(self.x, idx)


def at(x: Any) -> _IndexUpdateHelper:
    """``x.at[idx].set(v)``: JAX's functional index update."""
    return _IndexUpdateHelper(x)


def _has_tracer(idx: Any) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return any(isinstance(p, Tracer) and not (p.dtype.kind == "b" and p.val is not None)
               for p in parts)


def _concrete_idx(idx: Any) -> Any:
    parts = idx if isinstance(idx, tuple) else (idx,)
    out = tuple(np.asarray(p.val) if isinstance(p, Tracer) else p for p in parts)
    return out if isinstance(idx, tuple) else out[0]


def _update(x: Any, idx: Any, v: Any, how: str) -> Any:
    x = ops.as_operand(x)
    shape, dtype = ops.shape_of(x), ops.dtype_of(x)
    size = int(np.prod(shape, dtype=np.int64))
    iota = np.arange(size, dtype=np.int64).reshape(shape)
    flat_x = ops.reshape(x, (size,))
    if _has_tracer(idx):
        # Positions depend on traced values: gather them from a constant iota.
        pos = ops.ravel(getitem(iota, idx))
        upd = ops.ravel(ops.convert(ops.broadcast_to(v, ops.shape_of(getitem(iota, idx))),
                                    dtype))
        rounds = [(pos, upd)]
        if how == "multiply":
            # Repeats are unknown at trace time and products do not add up: apply the
            # factors one position at a time (exact, differentiable, n rounds).
            n = ops.shape_of(pos)[0]
            rounds = [(bind(st.index_take_p, pos, np.array([k]), axis=0),
                       bind(st.index_take_p, upd, np.array([k]), axis=0)) for k in range(n)]
    else:
        pos_arr = iota[_concrete_idx(idx)]
        upd = ops.ravel(ops.convert(ops.broadcast_to(v, pos_arr.shape), dtype))
        rounds = _rounds(pos_arr.ravel(), upd)
    out = flat_x
    for pos, u in rounds:
        n = ops.shape_of(pos)[0]
        if how == "add":
            out = bind(st.index_add_p, out, pos, u, axis=0)
            continue
        zeros = bind(st.broadcast_in_dim_p, dtype.type(0), shape=(size,),
                     broadcast_dimensions=())
        scattered = bind(st.index_add_p, zeros, pos, u, axis=0)
        if isinstance(pos, Tracer) and how == "multiply":
            hit = bind(st.index_add_p, zeros, pos, ops.convert(np.ones(n), dtype), axis=0)
            mask = ops.not_equal(hit, 0)
        elif isinstance(pos, Tracer):
            # Repeats are unknown at trace time: repeated writes are averaged (equal
            # values, the usual case, give that value; JAX leaves the winner unspecified).
            hit = bind(st.index_add_p, zeros, pos, ops.convert(np.ones(n), dtype), axis=0)
            mask = ops.not_equal(hit, 0)
            if dtype.kind in "fc":
                scattered = ops.true_divide(scattered, ops.maximum(hit, 1))
        else:
            mask = np.zeros(size, dtype=bool)
            mask[pos] = True
        if how == "set":
            out = bind(ew.select_n_p, mask, out, scattered)
        else:
            out = ops.multiply(out, bind(ew.select_n_p, mask,
                                         ops.convert(np.ones(size), dtype), scattered))
    return ops.reshape(out, shape)


def _rounds(pos: np.ndarray, upd: Any) -> list:
    """Split positions into rounds without repeats (occurrence order kept), so that a
    ``set`` applied round by round lets the last write win."""
    if len(np.unique(pos)) == len(pos):
        return [(pos, upd)]
    occurrence = np.zeros(len(pos), dtype=np.int64)
    seen: dict = {}
    for i, p in enumerate(pos.tolist()):
        occurrence[i] = seen.get(p, 0)
        seen[p] = occurrence[i] + 1
    out = []
    for r in range(int(occurrence.max()) + 1):
        sel = np.nonzero(occurrence == r)[0]
        out.append((pos[sel], bind(st.index_take_p, upd, sel, axis=0)))
    return out
