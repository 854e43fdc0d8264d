"""``check_against_jax``: tracegrad's derivatives of a NumPy function vs JAX's autodiff.

The forward program is shared (JAX runs ``to_jax(fun)``, our lowering of the same
IR); the derivative rules are independent (tracegrad's jvp/transpose tables vs
JAX's own), so agreement up to ``order`` validates tracegrad's rules on ``fun``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from ...tracer.pytree import leaf_paths, tree_flatten, tree_map
from .tojax import to_jax

_DEFAULT_TOL = {2: (1e-3, 1e-3), 4: (1e-4, 1e-5), 8: (1e-7, 1e-9)}


def _real_itemsize(x: Any) -> int:
    """Bytes per real number: complex128 counts as float64."""
    dtype = np.asarray(x).dtype
    return dtype.itemsize // 2 if dtype.kind == "c" else dtype.itemsize


def _tolerance(args: Sequence[Any], rtol: float | None, atol: float | None):
    sizes = [_real_itemsize(x) for x in tree_flatten(tuple(args))[0]]
    d_rtol, d_atol = _DEFAULT_TOL.get(min(sizes, default=8), (1e-7, 1e-9))
    return (d_rtol if rtol is None else rtol), (d_atol if atol is None else atol)


def _compare(what: str, ours: Any, theirs: Any, rtol: float, atol: float) -> None:
    ours_leaves, ours_tree = tree_flatten(ours)
    theirs_leaves, theirs_tree = tree_flatten(theirs)
    if len(ours_leaves) != len(theirs_leaves):
        raise AssertionError(f"check_against_jax: {what}: tracegrad returned {ours_tree}, "
                             f"JAX returned {theirs_tree}")
    paths = leaf_paths(theirs)
    for i, (a, b) in enumerate(zip(ours_leaves, theirs_leaves)):
        a, b = np.asarray(a), np.asarray(b)
        where = f"output{paths[i] if i < len(paths) else f'[{i}]'}"
        if a.shape != b.shape:
            raise AssertionError(f"check_against_jax: {what}, {where}: tracegrad shape "
                                 f"{a.shape} vs JAX shape {b.shape}")
        if a.dtype.kind == "c" or b.dtype.kind == "c":
            wide, scalar = np.complex128, complex
        else:
            wide, scalar = np.float64, float
        a64, b64 = a.astype(wide), b.astype(wide)
        bad = ~(np.abs(a64 - b64) <= atol + rtol * np.abs(b64))
        bad &= ~(np.isnan(a64) & np.isnan(b64))
        if bad.any():
            idx = tuple(int(j) for j in np.argwhere(bad)[0])
            x, y = a64[idx], b64[idx]
            raise AssertionError(
                f"check_against_jax: {what}, {where} entry {idx} "
                f"({int(bad.sum())} of {bad.size} entries differ): tracegrad={scalar(x)!r}, "
                f"JAX={scalar(y)!r}, |diff|={abs(x - y):.3g} > atol + rtol*|JAX| = "
                f"{atol + rtol * abs(y):.3g} (rtol={rtol}, atol={atol})")


def _random_like(tree: Any, rng: np.random.Generator) -> Any:
    """Random tangents / cotangents like ``tree``: complex leaves get random real and
    imaginary parts."""
    def draw(x):
        x = np.asarray(x)
        v = rng.standard_normal(x.shape)
        if x.dtype.kind == "c":
            v = v + 1j * rng.standard_normal(x.shape)
        return v.astype(x.dtype)[()] if x.ndim == 0 else v.astype(x.dtype)
    return tree_map(draw, tree)


def check_against_jax(fun: Callable, *args: Any, order: int = 2,
                      modes: Sequence[str] = ("fwd", "rev"), rtol: float | None = None,
                      atol: float | None = None, seed: int = 0) -> None:
    """Check tracegrad's derivatives of ``fun`` against JAX's, up to ``order``.

    ``fun`` is plain NumPy code of real or complex array arguments (pytrees allowed;
    complex inputs get complex random tangents, compared in JAX's convention).
    At each order and for each mode, the function is linearised in a random
    direction: ``"fwd"`` compares ``tracegrad.transforms.jvp`` with ``jax.jvp``,
    ``"rev"`` compares ``tracegrad.transforms.vjp`` with ``jax.vjp``; the next
    order differentiates those directional derivatives again (fwd-over-rev,
    rev-over-rev, ... : Hessian-vector products at order 2). Raises
    ``AssertionError`` showing the first mismatching entry, both values and the
    tolerance. Default tolerances follow the dtype (float64: rtol 1e-7, atol 1e-9).

    Use it in your own test suite::

        import numpy as np
        from tracegrad.interop.jax import check_against_jax

        def loss(w, x):
            return np.sum(np.tanh(x @ w) ** 2)

        def test_loss_derivatives():
            rng = np.random.default_rng(0)
            check_against_jax(loss, rng.normal(size=(3, 2)), rng.normal(size=(4, 3)))
    """
    from ...transforms import jvp, vjp  # the derivatives under test

    for mode in modes:
        if mode not in ("fwd", "rev"):
            raise ValueError(f"check_against_jax: modes must be 'fwd' or 'rev', got {mode!r}")
    args = tuple(tree_map(lambda x: np.asarray(x)[()], a) for a in args)
    rtol, atol = _tolerance(args, rtol, atol)
    rng = np.random.default_rng(seed)
    wide = any(_real_itemsize(x) == 8 for x in tree_flatten(args)[0])
    with jax.enable_x64(True) if wide else contextlib.nullcontext():
        jax_args = tuple(tree_map(jax.numpy.asarray, a) for a in args)
        ours0, theirs0 = fun(*args), to_jax(fun)(*jax_args)
        _compare("value", ours0, theirs0, rtol, atol)
        # A work list of (name, depth, tracegrad function, JAX function, its output):
        # one entry per derivative to take, no recursion.
        work = [("f", 0, fun, to_jax(fun), ours0)]
        while work:
            name, depth, f_ours, f_jax, out = work.pop()
            if depth == order:
                continue
            for mode in modes:
                label = f"{mode}({name})"
                if mode == "fwd":
                    t = _random_like(args, rng)
                    jt = tuple(tree_map(jax.numpy.asarray, a) for a in t)
                    g_ours = _fwd(jvp, f_ours, t)
                    g_jax = _fwd(jax.jvp, f_jax, jt)
                else:
                    ct = _random_like(out, rng)
                    g_ours = _rev(vjp, f_ours, ct)
                    g_jax = _rev(jax.vjp, f_jax, tree_map(jax.numpy.asarray, ct))
                ours, theirs = g_ours(*args), g_jax(*jax_args)
                _compare(f"{label} (order {depth + 1} derivative)", ours, theirs, rtol, atol)
                work.append((label, depth + 1, g_ours, g_jax, ours))


def _fwd(jvp: Callable, f: Callable, tangents: tuple) -> Callable:
    """x -> the directional derivative of f at x along ``tangents``."""
    return lambda *x: jvp(f, x, tangents)[1]


def _rev(vjp: Callable, f: Callable, cotangent: Any) -> Callable:
    """x -> the cotangent pulled back through f at x."""
    return lambda *x: vjp(f, *x)[1](cotangent)
