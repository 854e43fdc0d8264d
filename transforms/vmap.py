"""``vmap``: JAX's vectorising map, as trace -> ``batch_ir`` -> evaluate.

The function is traced once on one example (the mapped arguments with their
mapped axis removed, abstractly; unmapped arguments are passed as they are, so
Python code may branch on them, as in JAX), the IR is batched, and the batched
program is evaluated on the whole arrays: with NumPy, or, inside an enclosing
trace (``make_ir``, ``grad``), as equations of that trace.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tracer.api import input_spec, trace_flat
from ..tracer.errors import ConcretizationTypeError, TracerIntegerConversionError
from ..tracer.evaluate import eval_ir_flat
from ..tracer.ir import Aval
from ..tracer.pytree import leaf_paths, tree_flatten, tree_unflatten
from ..tracer.trace import Tracer
from .batching import batch_ir
from .call import to_result


def _is_axis(a: Any) -> bool:
    return a is None or (isinstance(a, (int, np.integer)) and not isinstance(a, bool))


def _check_spec(what: str, spec: Any) -> None:
    leaves, _ = tree_flatten(spec, is_leaf=lambda x: x is None)
    if not all(_is_axis(a) for a in leaves):
        raise TypeError(f"vmap {what} must be an int, None, or (nested) container with "
                        f"those types as leaves, but got {spec}.")


def _axes_per_leaf(spec: Any, tree: Any, what: str) -> list:
    """``spec`` (a tree prefix of ``tree``) broadcast to one entry per leaf of ``tree``,
    in flattening order; a ``ValueError`` when it is not a prefix."""
    out: list = []
    stack = [(spec, tree)]
    while stack:
        s, t = stack.pop()
        if _is_axis(s):
            out.extend([s] * len(tree_flatten(t)[0]))
            continue
        if isinstance(s, dict) and isinstance(t, dict) and sorted(s) == sorted(t):
            keys = sorted(s)
            stack.extend((s[k], t[k]) for k in reversed(keys))
            continue
        if type(s) is type(t) and isinstance(s, (tuple, list)) and len(s) == len(t):
            stack.extend(zip(reversed(s), reversed(t)))
            continue
        raise ValueError(
            f"vmap {what} specification must be a tree prefix of the corresponding "
            f"value, got specification {spec} for value tree {tree_flatten(tree)[1]}.")
    return out


def _type_of(leaf: Any) -> Aval:
    return input_spec(leaf)[0]


def _mapped_size(leaves: list, axes: list, paths: list) -> int:
    """Check every mapped axis and return the common size (``ValueError`` otherwise)."""
    sizes = []
    for leaf, a, path in zip(leaves, axes, paths):
        if a is None:
            continue
        aval = _type_of(leaf)
        if not -aval.ndim <= a < aval.ndim:
            need = a + 1 if a >= 0 else -a
            raise ValueError(
                f"vmap was requested to map its argument along axis {a}, which implies "
                f"that its rank should be at least {need}, but is only {aval.ndim} (its "
                f"shape is {aval.shape}); argument {path} of type {aval}.")
        sizes.append((aval.shape[a], a, path, aval))
    if not sizes:
        raise ValueError("vmap must have at least one non-None value in in_axes")
    if len({s for s, *_ in sizes}) > 1:
        lines = "\n".join(f"  * axis {a} of argument {p} of type {t} has size {s}"
                          for s, a, p, t in sizes)
        raise ValueError("vmap got inconsistent sizes for array axes to be mapped:\n"
                         + lines)
    return sizes[0][0]


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0) -> Callable:
    """Map ``fun`` over an axis of its arguments: ``vmap(f)(xs)[i] == f(xs[i])``.

    ``in_axes``: an int, ``None`` (not mapped) or a tuple with one entry per
    positional argument, each an int, ``None`` or a pytree prefix of that argument;
    keyword arguments are mapped over axis 0. ``out_axes``: the same for the
    output (where the mapped axis goes; ``None`` for an output that does not
    depend on a mapped input). Negative axes count from the end.

    >>> vmap(lambda x, y: x @ y, in_axes=(0, None))(np.ones((4, 3)), np.ones(3))
    array([3., 3., 3., 3.])
    """
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)  # a list of per-argument axes, as JAX accepts
    if not (_is_axis(in_axes) or isinstance(in_axes, tuple)):
        raise TypeError("vmap in_axes must be an int, None, or a tuple of entries "
                        "corresponding to the positional arguments passed to the "
                        f"function, but got {in_axes}.")
    _check_spec("in_axes", in_axes)
    _check_spec("out_axes", out_axes)

    @functools.wraps(fun)
    def vmapped(*args, **kwargs):
        if not args and not kwargs:
            raise ValueError("vmap wrapped function must be passed at least one argument "
                             "containing an array, got empty *args=() and **kwargs={}")
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(
                "vmap in_axes must be an int, None, or a tuple of entries corresponding "
                f"to the positional arguments passed to the function, but got "
                f"len(in_axes)={len(in_axes)}, len(args)={len(args)}")
        tree = (tuple(args), dict(kwargs))
        leaves, treedef = tree_flatten(tree)
        axes = _axes_per_leaf((in_axes, 0), tree, "in_axes")
        paths = [("args" if p.startswith("[0]") else "kwargs") + p[3:]
                 for p in leaf_paths(tree)]
        size = _mapped_size(leaves, axes, paths)
        return _run(fun, leaves, treedef, axes, size, out_axes)

    return vmapped


def _run(fun, leaves, treedef, axes, size, out_axes):
    mapped = [i for i, a in enumerate(axes) if a is not None]
    values, specs, in_dims = [], [], []
    for i in mapped:
        aval, val = input_spec(leaves[i])
        a = axes[i] % aval.ndim
        values.append(leaves[i] if isinstance(leaves[i], Tracer) else val)
        specs.append((Aval(aval.shape[:a] + aval.shape[a + 1:], aval.dtype), None))
        in_dims.append(a)
    box: list = []

    def flat_fn(*tracers):
        vals = list(leaves)
        for i, t in zip(mapped, tracers):
            vals[i] = t
        a, k = tree_unflatten(treedef, vals)
        out_leaves, out_tree = tree_flatten(fun(*a, **k))
        box.append(out_tree)
        return out_leaves

    try:
        traced = trace_flat(flat_fn, specs, concrete=False)
    except (ConcretizationTypeError, TracerIntegerConversionError) as e:
        e.add_note("Inside vmap the mapped arguments stand for every example at once, so "
                   "their values are unknown while tracing: branch with np.where, or pass "
                   "the value unmapped (in_axes=None).")
        raise
    out_tree = box[0]
    out_avals = [a.aval for a in traced.ir.out_vars]
    out_dims = _out_dims(out_axes, out_tree, out_avals)
    in_dims += [None] * len(traced.captured)
    closed, _ = batch_ir(traced.closed(), in_dims, size, out_dims)
    outs = eval_ir_flat(closed.ir, closed.consts, values + list(traced.captured))
    return tree_unflatten(out_tree, [to_result(v) for v in outs])


def _out_dims(out_axes, out_tree, out_avals) -> tuple:
    skeleton = tree_unflatten(out_tree, list(range(out_tree.num_leaves)))
    dims = []
    for i, (a, aval) in enumerate(zip(_axes_per_leaf(out_axes, skeleton, "out_axes"),
                                      out_avals)):
        if a is not None:
            n = aval.ndim + 1
            if not -n <= a < n:
                raise ValueError(f"vmap out_axes={a} is out of range for output {i}: "
                                 f"the mapped output is {n}-dimensional (one example "
                                 f"is {aval}); valid axes are {-n} .. {n - 1}.")
            a %= n
        dims.append(a)
    return tuple(dims)
