"""The differential harness: run one short program on real torch and on the shim, compare.

A program is a function ``prog(torch)`` returning observations: tensors, numbers, strings,
None, and tuples/lists/dicts of them. Each tensor is observed as its values, dtype, shape,
``requires_grad``, ``is_leaf`` and grad_fn name; programs return ``x.grad`` themselves
(None included). Exceptions are caught inside the program with ``err(fn)`` and observed as
``(type name, message)``. The program files register programs with ``@program`` and
parametrize over ``PROGRAMS[file]``; this file also checks that every program is
deterministic on torch (running it twice gives identical observations).

    >>> @program("example")
    ... def p_mul(torch):
    ...     x = torch.tensor(2.0, requires_grad=True)
    ...     (x * 3).backward()
    ...     return x.grad
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch as real_torch

PROGRAMS: dict[str, list[Callable]] = {}


def program(group: str) -> Callable[[Callable], Callable]:
    """Register ``fn`` as a differential program of ``group`` (one group per test file)."""
    def deco(fn: Callable) -> Callable:
        PROGRAMS.setdefault(group, []).append(fn)
        return fn
    return deco


class Err(tuple):
    """An observed exception: (type name, message)."""


class Loose:
    """A tensor observed without its grad_fn name (only whether it has one).

    For results of ``create_graph=True``: which node ends a derivative formula is an
    implementation detail (torch's ``x.grad`` may even be a ``CopyBackwards``)."""

    def __init__(self, t: Any):
        self.t = t


def loose(*ts: Any) -> Any:
    """Wrap tensors (or a tuple/list of them) so their grad_fn names are not compared."""
    wrapped = [[Loose(t) for t in x] if isinstance(x, (list, tuple)) else Loose(x) for x in ts]
    return wrapped[0] if len(ts) == 1 else tuple(wrapped)


def err(fn: Callable[[], Any]) -> Any:
    """Run ``fn``; observe its exception as ``Err((type name, message))`` or its result."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the observation is the exception itself
        return Err((type(e).__name__, str(e)))


def warns(fn: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run ``fn``; return its result and the categories of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, sorted({w.category.__name__ for w in caught})


def shim_module():
    """The shim with its submodules imported (nn, optim, autograd, func)."""
    import importlib

    shim = importlib.import_module("tracegrad.interop.torch")
    for sub in ("nn", "nn.functional", "nn.init", "optim", "func"):
        try:
            importlib.import_module(f"tracegrad.interop.torch.{sub}")
        except ImportError:
            pass  # a missing submodule shows up as an AttributeError in the program
    return shim


def _grad_fn_name(t: Any) -> str | None:
    fn = getattr(t, "grad_fn", None)
    if fn is None:
        return None
    name = fn.name() if hasattr(fn, "name") else type(fn).__name__
    # torch names some nodes with a namespace ("torch::autograd::AccumulateGrad")
    return name.rsplit("::", 1)[-1]


def observe(x: Any) -> Any:
    """A plain, comparable description of an observation (iterative over containers)."""
    if isinstance(x, Err):
        return ("<error>", x[0], x[1])
    if isinstance(x, Loose):
        seen = observe(x.t)
        if isinstance(seen, tuple) and seen[0] == "<tensor>" and seen[6] is not None:
            seen = seen[:6] + ("<some grad_fn>",) + seen[7:]
        return seen
    if type(x).__name__ in ("Tensor", "Parameter") or hasattr(x, "grad_fn"):
        # torch's conj() is lazy: numpy() refuses a tensor with the conjugate bit
        v = x.detach() if hasattr(x, "detach") else x
        if hasattr(v, "resolve_conj"):
            v = v.resolve_conj()
        arr = np.array(v.numpy() if hasattr(v, "numpy") else v, copy=True)
        return ("<tensor>", type(x).__name__, str(x.dtype).replace("torch.", ""),
                tuple(x.shape), bool(x.requires_grad), bool(x.is_leaf), _grad_fn_name(x), arr)
    if isinstance(x, dict):
        return {k: observe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__ if type(x) in (list, tuple) else "tuple",
                [observe(v) for v in x])
    if isinstance(x, (np.ndarray, np.generic)):
        return ("<array>", np.asarray(x))
    if type(x).__name__ in ("dtype", "Size", "device"):
        return str(x).replace("torch.", "")
    return x


def diff(a: Any, b: Any, path: str = "out", rtol: float = 1e-5, atol: float = 1e-6) -> list[str]:
    """Differences between two observations (torch's first), as readable lines."""
    out: list[str] = []
    stack = [(a, b, path)]
    while stack:
        a, b, p = stack.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            if set(a) != set(b):
                out.append(f"{p}: keys {sorted(map(str, a))} != {sorted(map(str, b))}")
                continue
            stack.extend((a[k], b[k], f"{p}[{k!r}]") for k in a)
        elif isinstance(a, tuple) and a and a[0] == "<tensor>":
            if not (isinstance(b, tuple) and b and b[0] == "<tensor>"):
                out.append(f"{p}: torch gives a tensor, shim gives {b!r:.200}")
                continue
            names = ("class", "dtype", "shape", "requires_grad", "is_leaf", "grad_fn")
            for name, va, vb in zip(names, a[1:7], b[1:7]):
                if va != vb:
                    out.append(f"{p}.{name}: torch {va!r} != shim {vb!r}")
            if a[3] == b[3] and not _close(a[7], b[7], rtol, atol):
                out.append(f"{p}.values: torch {a[7]!r} != shim {b[7]!r}")
        elif isinstance(a, tuple) and a and a[0] == "<array>":
            if not (isinstance(b, tuple) and b and b[0] == "<array>") or not _close(
                    a[1], b[1], rtol, atol):
                out.append(f"{p}: torch {a!r:.200} != shim {b!r:.200}")
        elif isinstance(a, tuple) and a and a[0] == "<error>":
            if not (isinstance(b, tuple) and b and b[0] == "<error>"):
                out.append(f"{p}: torch raises {a[1]}: {a[2]!r}, shim gives {b!r:.300}")
            elif a[1] != b[1] or not _same_message(a[2], b[2]):
                out.append(f"{p}: torch raises {a[1]}: {a[2]!r}\n    shim raises {b[1]}: {b[2]!r}")
        elif isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], list):
            if not (isinstance(b, tuple) and len(b) == 2 and isinstance(b[1], list)) \
                    or a[0] != b[0] or len(a[1]) != len(b[1]):
                out.append(f"{p}: torch {_short(a)} != shim {_short(b)}")
                continue
            stack.extend((va, vb, f"{p}[{i}]") for i, (va, vb) in enumerate(zip(a[1], b[1])))
        elif isinstance(a, complex) and isinstance(b, complex):
            if not _close(np.asarray(a), np.asarray(b), rtol, atol):
                out.append(f"{p}: torch {a!r} != shim {b!r}")
        elif isinstance(a, float) and isinstance(b, (float, int)) and not isinstance(b, bool):
            if not (math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
                    or (math.isnan(a) and math.isnan(b))):
                out.append(f"{p}: torch {a!r} != shim {b!r}")
        elif type(a) is not type(b) or a != b:
            out.append(f"{p}: torch {a!r:.200} ({type(a).__name__}) != shim {b!r:.200} "
                       f"({type(b).__name__})")
    return out


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype == bool or b.dtype == bool:
        return bool(np.array_equal(a, b))
    if a.dtype.kind == "c" or b.dtype.kind == "c":
        # complex values: distances against magnitudes (a part may be rounding noise
        # next to a large other part); NaNs must sit in the same parts
        a, b = a.astype(np.complex128), b.astype(np.complex128)
        nan_a = np.isnan(a.real) | 2 * np.isnan(a.imag)
        nan_b = np.isnan(b.real) | 2 * np.isnan(b.imag)
        if not np.array_equal(nan_a, nan_b):
            return False
        keep = nan_a == 0
        return bool(np.allclose(a[keep], b[keep], rtol=rtol, atol=atol))
    return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                            equal_nan=True))


def _same_message(torch_msg: str, shim_msg: str) -> bool:
    """Equal, or the shim's message extends torch's (it may add source lines and hints).

    Torch's closing " Hint: ..." (anomaly detection, which the shim lacks) may be replaced
    by the shim's own hint: only the part before it must match."""
    if " Hint: " in torch_msg:
        torch_msg = torch_msg.split(" Hint: ", 1)[0]
    return shim_msg == torch_msg or shim_msg.startswith(torch_msg.rstrip())


def _short(x: Any) -> str:
    s = repr(x)
    return s if len(s) < 200 else s[:200] + "..."


def run_both(prog: Callable) -> tuple[Any, Any]:
    """Observations of ``prog`` on real torch and on the shim."""
    real_torch.manual_seed(0)
    shim = shim_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = observe(prog(real_torch))
            got = observe(prog(shim))
        finally:
            # a program that leaks grad mode must not poison the programs after it
            for lib in (real_torch, shim):
                if not lib.is_grad_enabled():
                    lib.set_grad_enabled(True)
    return expected, got


class ProgramTimeout(BaseException):
    """A program ran past its time limit (BaseException: ``err`` must not swallow it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise ProgramTimeout("the program did not finish within the time limit (a hang?)")


def check(prog: Callable, limit_s: int = 20) -> None:
    """Assert that ``prog`` observes the same on the shim as on torch; a program that
    hangs fails after ``limit_s`` seconds instead of stalling the suite."""
    import signal

    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(limit_s)
    try:
        expected, got = run_both(prog)
    except ProgramTimeout as e:
        raise AssertionError(f"{prog.__name__}: {e}") from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    problems = diff(expected, got)
    assert not problems, f"{prog.__name__}:\n  " + "\n  ".join(problems)


def test_diff_catches_a_difference():
    a = observe([real_torch.tensor([1.0, 2.0], requires_grad=True), None, Err(("E", "m"))])
    b = observe([real_torch.tensor([1.0, 2.5]), None, Err(("E", "m and more"))])
    problems = diff(a, b)
    assert len(problems) == 2 and "values" in " ".join(problems)


def test_programs_are_deterministic_on_torch():
    """Every registered program observes the same twice on torch (no hidden randomness)."""
    import test_torch_complex  # noqa: F401  (registers programs)
    import test_torch_diff_autograd  # noqa: F401
    import test_torch_diff_nn  # noqa: F401
    import test_torch_diff_ops  # noqa: F401
    import test_torch_diff_optim  # noqa: F401

    count = 0
    for progs in PROGRAMS.values():
        for prog in progs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                real_torch.manual_seed(0)
                a = observe(prog(real_torch))
                real_torch.manual_seed(1)
                b = observe(prog(real_torch))
            assert not diff(a, b, rtol=0, atol=0), prog.__name__
            count += 1
    assert count >= 120
