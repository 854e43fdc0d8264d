"""Products: ``matmul``, ``dot``, ``tensordot``, ``inner``, ``outer``, ``vdot`` (each one
``dot_general``), ``np.einsum`` and ``np.linalg.norm``.

>>> einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
(2, 4)
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import ops
from . import prims_structural as st
from .linalg_matrix import svdvals
from .primitive import bind


def dot_general(x, y, dimension_numbers):
    """``lax.dot_general`` with NumPy promotion; ``dimension_numbers`` is
    ``((lhs_contract, rhs_contract), (lhs_batch, rhs_batch))``.

    >>> dot_general(np.ones((2, 3)), np.ones((3, 4)), (((1,), (0,)), ((), ()))).shape
    (2, 4)
    """
    x, y = ops.promote(x, y)
    (lc, rc), (lb, rb) = dimension_numbers
    dn = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    return bind(st.dot_general_p, x, y, dimension_numbers=dn,
                preferred_element_type=None)


def matmul(x, y):
    """``x @ y`` with NumPy's rules (1-d operands promoted, batch dims broadcast)."""
    x, y = ops.as_operand(x), ops.as_operand(y)
    xs, ys = ops.shape_of(x), ops.shape_of(y)
    if not xs or not ys:
        raise ValueError("matmul: input operand does not have enough dimensions "
                         f"(shapes {xs} and {ys}); use * for scalars")
    if len(xs) == 1 and len(ys) == 1:
        if xs != ys:
            raise ValueError(f"matmul: shapes {xs} and {ys} not aligned")
        return dot_general(x, y, (((0,), (0,)), ((), ())))
    if len(ys) == 1:
        if xs[-1] != ys[0]:
            raise ValueError(f"matmul: shapes {xs} and {ys} not aligned: {xs[-1]} (dim "
                             f"{len(xs) - 1}) != {ys[0]} (dim 0)")
        return dot_general(x, y, (((len(xs) - 1,), (0,)), ((), ())))
    if len(xs) == 1:
        if xs[0] != ys[-2]:
            raise ValueError(f"matmul: shapes {xs} and {ys} not aligned")
        out = dot_general(x, y, (((0,), (len(ys) - 2,)), ((), ())))
        return out
    if xs[-1] != ys[-2]:
        raise ValueError(f"matmul: shapes {xs} and {ys} not aligned: {xs[-1]} (dim "
                         f"{len(xs) - 1}) != {ys[-2]} (dim {len(ys) - 2})")
    if len(xs) == 2 and len(ys) == 2:
        return dot_general(x, y, (((1,), (0,)), ((), ())))
    batch = tuple(np.broadcast_shapes(xs[:-2], ys[:-2]))
    x = ops.broadcast_to(x, batch + xs[-2:])
    y = ops.broadcast_to(y, batch + ys[-2:])
    nb = len(batch)
    return dot_general(x, y, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))))


def dot(x, y):
    """``np.dot``: scalars multiply, 1-d/2-d like matmul, N-d contracts x's last axis with
    y's second to last."""
    xs, ys = ops.shape_of(x), ops.shape_of(y)
    if not xs or not ys:
        return ops.multiply(x, y)
    if len(xs) <= 2 and len(ys) <= 2:
        return matmul(x, y)
    yc = len(ys) - 2 if len(ys) >= 2 else 0
    return dot_general(x, y, (((len(xs) - 1,), (yc,)), ((), ())))


def tensordot(x, y, axes=2):
    """``np.tensordot``: ``tensordot(np.ones((2, 3)), np.ones((3, 4)), 1).shape == (2, 4)``."""
    xs, ys = ops.shape_of(x), ops.shape_of(y)
    if isinstance(axes, (int, np.integer)):
        xa = tuple(range(len(xs) - axes, len(xs)))
        ya = tuple(range(axes))
    else:
        xa, ya = axes
        xa = ops._norm_axes(xa, len(xs))
        ya = ops._norm_axes(ya, len(ys))
    return dot_general(x, y, ((xa, ya), ((), ())))


def outer(x, y):
    """``np.outer``: ``outer(np.ones(2), np.ones(3)).shape == (2, 3)``."""
    return dot_general(ops.ravel(x), ops.ravel(y), (((), ()), ((), ())))


def inner(x, y):
    """``np.inner``: ``inner(np.ones(3), np.ones(3)) == 3.0``."""
    xs, ys = ops.shape_of(x), ops.shape_of(y)
    if not xs or not ys:
        return ops.multiply(x, y)
    return dot_general(x, y, (((len(xs) - 1,), (len(ys) - 1,)), ((), ())))


def vdot(x, y):
    """``np.vdot`` (flattened dot, conjugating ``x``):
    ``vdot(np.ones((2, 2)), np.ones((2, 2))) == 4.0``, ``vdot(1j, 1j) == 1``."""
    return dot_general(ops.conjugate(ops.ravel(x)), ops.ravel(y), (((0,), (0,)), ((), ())))


# ---------------------------------------------------------------------------
# einsum

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse(subscripts: str, shapes: list) -> tuple[list[str], str]:
    """Operand label strings and the output labels, with ``...`` replaced by letters."""
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        ins, out = spec.split("->")
        explicit = True
    else:
        ins, out, explicit = spec, "", False
    terms = ins.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {len(terms)} operand subscripts in {subscripts!r} but "
                         f"{len(shapes)} operands were given")
    used = set(spec) - {".", ",", "-", ">"}
    free = [c for c in _LETTERS if c not in used]
    n_ell = builtins.max((len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes)
                          if "..." in t), default=0)
    ell = "".join(free[:n_ell])
    labels = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - len(t.replace("...", ""))
            t = t.replace("...", ell[n_ell - k:] if k else "")
        if not t.isalpha() and t:
            raise ValueError(f"einsum: invalid subscripts {subscripts!r}")
        if len(t) != len(s):
            raise ValueError(f"einsum: subscripts {t!r} do not match an operand of shape {s}")
        labels.append(t)
    if explicit:
        out = out.replace("...", ell)
    else:
        counts: dict = {}
        for t in labels:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return labels, out


def _diagonals(x: Any, labels: str) -> tuple[Any, str]:
    """Take the diagonal for every label repeated within one operand (``"ii->i"``):
    the two axes go last, are merged, and every (n+1)-th element is gathered."""
    while len(set(labels)) != len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        a1 = labels.index(c)
        a2 = labels.index(c, a1 + 1)
        shape = ops.shape_of(x)
        if shape[a1] != shape[a2]:
            raise ValueError(f"einsum: index {c!r} has sizes {shape[a1]} and {shape[a2]} "
                             "in one operand")
        n = shape[a1]
        rest = [k for k in range(len(shape)) if k not in (a1, a2)]
        x = ops.transpose(x, tuple(rest + [a1, a2]))
        x = ops.reshape(x, tuple(shape[k] for k in rest) + (n * n,))
        x = bind(st.index_take_p, x, np.arange(n, dtype=np.int64) * (n + 1),
                 axis=len(rest))
        labels = "".join(labels[k] for k in rest) + c
    return x, labels


def einsum(subscripts: str, *operands: Any, optimize: Any = None) -> Any:
    """``np.einsum``: diagonals first, then pairwise ``dot_general`` from left to right.

    >>> float(einsum("i,i->", np.arange(3.0), np.arange(3.0)))
    5.0
    """
    if not isinstance(subscripts, str):
        raise NotImplementedError("einsum: only the subscripts-string form is supported")
    operands = [ops.as_operand(o) for o in operands]
    operands = ops.promote(*operands)
    labels, out = _parse(subscripts, [ops.shape_of(o) for o in operands])
    for i, t in enumerate(labels):
        operands[i], labels[i] = _diagonals(operands[i], t)
    sizes: dict = {}
    for t, o in zip(labels, operands):
        for c, d in zip(t, ops.shape_of(o)):
            if sizes.setdefault(c, d) != d:
                raise ValueError(f"einsum: index {c!r} has sizes {sizes[c]} and {d}")
    # Sum out labels that occur in one operand only and not in the output.
    for i, t in enumerate(labels):
        elsewhere = set(out).union(*(labels[j] for j in range(len(labels)) if j != i))
        drop = tuple(k for k, c in enumerate(t) if c not in elsewhere)
        if drop:
            operands[i] = ops.sum(operands[i], axis=drop)
            labels[i] = "".join(c for c in t if c not in set(t[k] for k in drop))
    acc, acc_l = operands[0], labels[0]
    for j in range(1, len(operands)):
        b, b_l = operands[j], labels[j]
        later = set(out).union(*labels[j + 1:])
        shared = [c for c in acc_l if c in b_l]
        batch = [c for c in shared if c in later]
        contract = [c for c in shared if c not in later]
        dn = ((tuple(acc_l.index(c) for c in contract), tuple(b_l.index(c) for c in contract)),
              (tuple(acc_l.index(c) for c in batch), tuple(b_l.index(c) for c in batch)))
        acc = ops.dot_general(acc, b, dn)
        acc_l = ("".join(batch) + "".join(c for c in acc_l if c not in shared)
                 + "".join(c for c in b_l if c not in shared))
    drop = tuple(k for k, c in enumerate(acc_l) if c not in out)
    if drop:
        acc = ops.sum(acc, axis=drop)
        acc_l = "".join(c for c in acc_l if c in out)
    missing = [c for c in out if c not in acc_l]
    if missing:
        raise ValueError(f"einsum: output subscript {missing[0]!r} appears in no operand")
    return ops.transpose(acc, tuple(acc_l.index(c) for c in out))


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """``np.linalg.norm``: vector norms (None, 2, 1, inf, -inf, 0, p) and matrix norms
    (None/'fro', 1, -1, inf, -inf, 2, -2, 'nuc'; the last three from the SVD).

    >>> float(norm(np.array([3.0, 4.0])))
    5.0
    """
    x = ops.as_operand(x)
    if ops.dtype_of(x).kind in "biu":
        x = ops.convert(x, np.float64)
    nd = ops.ndim_of(x)
    if axis is None:
        if ord is None or (ord == "fro" and nd == 2):
            out = ops.sqrt(ops.sum(ops.abs2(x)))
            return _keep(out, tuple(range(nd)), keepdims)
        if nd not in (1, 2):
            raise ValueError("Improper number of dimensions to norm.")
        axis = tuple(range(nd))
    axes = ops._norm_axes(axis, nd)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def _keep(out: Any, axes: tuple, keepdims: bool) -> Any:
    return ops.expand_dims(out, axes) if keepdims and axes else out


def _vector_norm(x, ord, ax, keepdims):
    a = ops.absolute(x)
    if ord is None or ord == 2:
        return ops.sqrt(ops.sum(ops.abs2(x), axis=ax, keepdims=keepdims))
    if ord == np.inf:
        return ops.amax(a, axis=ax, keepdims=keepdims)
    if ord == -np.inf:
        return ops.amin(a, axis=ax, keepdims=keepdims)
    if ord == 1:
        return ops.sum(a, axis=ax, keepdims=keepdims)
    if ord == 0:
        nz = ops.convert(ops.not_equal(x, 0), ops.dtype_of(a))
        return ops.sum(nz, axis=ax, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order {ord!r} for vectors")
    p = float(ord)
    return ops.power(ops.sum(ops.power(a, p), axis=ax, keepdims=keepdims), 1.0 / p)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord is None or ord == "fro":
        out = ops.sqrt(ops.sum(ops.abs2(x), axis=axes))
    elif ord in (1, -1, np.inf, -np.inf):
        a = ops.absolute(x)
        inner, outer = (r, c) if ord in (1, -1) else (c, r)
        s = ops.sum(a, axis=inner)
        outer_after = outer - (1 if inner < outer else 0)
        red = ops.amax if ord > 0 else ops.amin
        out = red(s, axis=outer_after)
    elif ord in (2, -2, "nuc"):
        rest = tuple(i for i in range(ops.ndim_of(x)) if i not in axes)
        s = svdvals(ops.transpose(x, rest + (r, c)))  # descending, over the last axis
        out = (ops.amax(s, axis=-1) if ord == 2 else ops.amin(s, axis=-1) if ord == -2
               else ops.sum(s, axis=-1))
    else:
        raise ValueError(f"Invalid norm order {ord!r} for matrices")
    return _keep(out, tuple(sorted(axes)), keepdims)
