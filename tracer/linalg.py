"""``np.einsum`` and ``np.linalg.norm`` for tracers, built from ``dot_general``,
``transpose`` and reductions.

>>> einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
(2, 4)
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import ops

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
        if len(set(t)) != len(t):
            raise NotImplementedError(
                f"einsum: repeated index in one operand ({t!r}, a diagonal or trace) is "
                "not supported by tracegrad; use np.diagonal-free code such as "
                "np.sum(x * np.eye(n))")
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


def einsum(subscripts: str, *operands: Any, optimize: Any = None) -> Any:
    """``np.einsum`` without diagonals: pairwise ``dot_general`` from left to right.

    >>> einsum("i,i->", np.arange(3.0), np.arange(3.0))
    5.0
    """
    if not isinstance(subscripts, str):
        raise NotImplementedError("einsum: only the subscripts-string form is supported")
    operands = [ops.as_operand(o) for o in operands]
    operands = ops.promote(*operands)
    labels, out = _parse(subscripts, [ops.shape_of(o) for o in operands])
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
    (None/'fro', 1, -1, inf, -inf); the spectral and nuclear norms need an SVD.

    >>> norm(np.array([3.0, 4.0]))
    5.0
    """
    x = ops.as_operand(x)
    if ops.dtype_of(x).kind in "biu":
        x = ops.convert(x, np.float64)
    nd = ops.ndim_of(x)
    if axis is None:
        if ord is None or (ord == "fro" and nd == 2):
            out = ops.sqrt(ops.sum(ops.multiply(x, x)))
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
        return ops.sqrt(ops.sum(ops.multiply(x, x), axis=ax, keepdims=keepdims))
    if ord == np.inf:
        return ops.amax(a, axis=ax, keepdims=keepdims)
    if ord == -np.inf:
        return ops.amin(a, axis=ax, keepdims=keepdims)
    if ord == 1:
        return ops.sum(a, axis=ax, keepdims=keepdims)
    if ord == 0:
        nz = ops.convert(ops.not_equal(x, 0), ops.dtype_of(x))
        return ops.sum(nz, axis=ax, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order {ord!r} for vectors")
    p = float(ord)
    return ops.power(ops.sum(ops.power(a, p), axis=ax, keepdims=keepdims), 1.0 / p)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord is None or ord == "fro":
        out = ops.sqrt(ops.sum(ops.multiply(x, x), axis=axes))
    elif ord in (1, -1, np.inf, -np.inf):
        a = ops.absolute(x)
        inner, outer = (r, c) if ord in (1, -1) else (c, r)
        s = ops.sum(a, axis=inner)
        outer_after = outer - (1 if inner < outer else 0)
        red = ops.amax if ord > 0 else ops.amin
        out = red(s, axis=outer_after)
    elif ord in (2, -2, "nuc"):
        raise NotImplementedError(f"np.linalg.norm with ord={ord!r} on a matrix needs an "
                                  "SVD, which tracegrad does not have")
    else:
        raise ValueError(f"Invalid norm order {ord!r} for matrices")
    return _keep(out, tuple(sorted(axes)), keepdims)
