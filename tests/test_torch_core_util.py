"""Helpers for the shim's core tests: run one program on real torch and on the shim,
observe tensors (values, dtype, shape, requires_grad, is_leaf, grad_fn name), None,
numbers, strings and exceptions (type and message), and compare."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch as real_torch
import tracegrad.interop.torch as shim_torch

BOTH = [real_torch, shim_torch]


class Raised(tuple):
    """An exception observed as (type name, message)."""


def catch(fn, *args, **kwargs) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the exception is the observation
        return Raised((type(e).__name__, str(e)))


def observe(x: Any) -> Any:
    stack_out: list = []
    if isinstance(x, Raised):
        return ("<raised>",) + tuple(x)
    if hasattr(x, "grad_fn") and hasattr(x, "detach"):
        fn = x.grad_fn
        name = None if fn is None else type(fn).__name__
        arr = np.array(x.detach().numpy(), copy=True)
        return ("<tensor>", str(x.dtype), tuple(x.shape), bool(x.requires_grad),
                bool(x.is_leaf), name, arr)
    if isinstance(x, dict):
        return {k: observe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [observe(v) for v in x])
    if type(x).__name__ in ("dtype", "Size"):
        return str(x)
    del stack_out
    return x


def same(a: Any, b: Any, path: str = "out", rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Assert two observations agree (tensors by value within tolerance)."""
    pending = [(a, b, path)]
    while pending:
        a, b, p = pending.pop()
        if isinstance(a, tuple) and a and a[0] == "<tensor>":
            assert isinstance(b, tuple) and b and b[0] == "<tensor>", f"{p}: {a!r} vs {b!r}"
            assert a[1:6] == b[1:6], f"{p}: torch {a[1:6]} != shim {b[1:6]}"
            assert a[6].shape == b[6].shape and np.allclose(
                a[6], b[6], rtol=rtol, atol=atol, equal_nan=True), f"{p}: {a[6]} != {b[6]}"
        elif isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], list):
            assert isinstance(b, tuple) and len(b) == 2 and a[0] == b[0] and len(a[1]) == len(
                b[1]), f"{p}: {a!r:.200} vs {b!r:.200}"
            pending.extend((x, y, f"{p}[{i}]") for i, (x, y) in enumerate(zip(a[1], b[1])))
        elif isinstance(a, dict):
            assert isinstance(b, dict) and set(a) == set(b), f"{p}: {a!r} vs {b!r}"
            pending.extend((a[k], b[k], f"{p}[{k!r}]") for k in a)
        elif isinstance(a, tuple) and a and a[0] == "<raised>":
            # the shim may append where the value was saved and modified (tracegrad: ...)
            ok = (isinstance(b, tuple) and b[:2] == a[:2]
                  and (b[2] == a[2] or b[2].startswith(a[2] + " (tracegrad: ")))
            assert ok, f"{p}: torch raises {a[1:]} but shim gives {b!r}"
        elif isinstance(a, float) and isinstance(b, float):
            assert np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True), f"{p}: {a} != {b}"
        else:
            assert a == b, f"{p}: torch {a!r} != shim {b!r}"


def check(prog, **tol) -> None:
    """Run ``prog(torch)`` on both and compare; returns nothing, raises on a difference."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = observe(catch(prog, real_torch))
        got = observe(catch(prog, shim_torch))
    same(expected, got, **tol)
