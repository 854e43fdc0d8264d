"""``torch.autograd.gradcheck`` / ``gradgradcheck``: analytical against numerical Jacobians.

The numerical Jacobian comes from central differences, perturbing one element of an input
at a time in place (the input's own storage, restored afterwards, as PyTorch does so that a
function closing over its inputs still sees the perturbation); the analytical one from
``autograd.grad`` with each basis vector as ``grad_outputs``, run twice to catch
nondeterministic backwards. A mismatch raises ``GradcheckError`` (a ``RuntimeError``) with
PyTorch's message, or returns False with ``raise_exception=False``. Complex outputs are
checked as their imaginary then real parts, complex inputs with PyTorch's conjugate
Wirtinger convention.

>>> x = tensor([0.5, 1.5], dtype=float64, requires_grad=True)
>>> gradcheck(lambda a: a.sin() * a, (x,))
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import autograd as _autograd
from .tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` and :func:`gradgradcheck` when a check fails."""


_NONDET_NOTE = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_float(t: Any) -> bool:
    return isinstance(t, Tensor) and t._data.dtype.kind in "fc"


def _differentiable(out: Any) -> tuple:
    return tuple(o for o in _as_tuple(out) if o.requires_grad)


def _diff_inputs(inputs: Sequence[Any]) -> list[Tensor]:
    return [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]


def _check_inputs(inputs: tuple) -> None:
    found = False
    for idx, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            continue
        if t._data.dtype not in (np.float64, np.complex128):
            warnings.warn(f"Input #{idx} requires gradient and is not a double precision "
                          "floating point or complex. This check will likely fail if all the "
                          "inputs are not of double precision floating point or complex. ",
                          stacklevel=4)
        if any(st == 0 and sz > 1 for st, sz in zip(t._data.strides, t._data.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical "
                "gradients correctly. You should call .contiguous on the input before "
                "passing it to gradcheck.")
        found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")


# -- the numerical Jacobian ---------------------------------------------------------------

def _outputs_now(fn: Callable, inputs: tuple) -> list[np.ndarray | None]:
    """``fn(*inputs)`` as copied arrays (None for outputs that are not float tensors)."""
    return [o._data.copy() if _is_float(o) else None for o in _as_tuple(fn(*inputs))]


def _central_difference(fn: Callable, inputs: tuple, arr: np.ndarray, idx: tuple,
                        delta: complex, eps: float) -> list[np.ndarray | None]:
    """(f(x + delta e_idx) - f(x - delta e_idx)) / (2 eps), per output, flattened."""
    orig = arr[idx].copy()
    try:
        arr[idx] = orig - delta
        below = _outputs_now(fn, inputs)
        arr[idx] = orig + delta
        above = _outputs_now(fn, inputs)
    finally:
        arr[idx] = orig
    res = []
    for a, b in zip(below, above):
        if a is None or b is None:
            res.append(None)
            continue
        if a.shape != b.shape:
            raise AssertionError(
                "Expected `func` to return outputs with the same shape when inputs are "
                f"perturbed on index {idx} by {eps}, but got: shapes "
                f"{_size(a.shape)} and {_size(b.shape)}.")
        res.append(((b - a) / (2 * eps)).reshape(-1))
    return res


def _size(shape: tuple) -> str:
    from .tensor import Size
    return repr(Size(shape))


def _numerical(fn: Callable, inputs: tuple, outputs: tuple, eps: float) -> list[list]:
    """``J[j][i]``: (numel of input j, numel of output i) per differentiable input j and
    float output i, by central differences."""
    jacobians = []
    for x in _diff_inputs(inputs):
        if not x._data.flags.writeable:
            x._data = x._data.copy()
        arr = x._data
        complex_input = arr.dtype.kind == "c"
        cols = []
        for idx in np.ndindex(*arr.shape):
            d_dx = _central_difference(fn, inputs, arr, idx, eps, eps)
            if complex_input:
                d_dy = _central_difference(fn, inputs, arr, idx, eps * 1j, eps)
                d_dx = [None if a is None else a + b * 1j for a, b in zip(d_dx, d_dy)]
            cols.append(d_dx)
        per_out = []
        for i, o in enumerate(outputs):
            if not _is_float(o):
                continue
            dtype = arr.dtype if complex_input else o._data.dtype
            jac = np.zeros((arr.size, o._data.size), dtype)
            for k, col in enumerate(cols):
                jac[k] = col[i]
            per_out.append(jac)
        jacobians.append(per_out)
    return jacobians


# -- the analytical Jacobian --------------------------------------------------------------

def _analytical(inputs: tuple, output: Tensor, nondet_tol: float) -> list[np.ndarray]:
    """Per differentiable input, (numel of input, numel of output), from one
    ``autograd.grad`` per output element; computed twice to check reentrancy."""
    diff = _diff_inputs(inputs)

    def rows() -> list[np.ndarray]:
        jacs = [np.zeros((t._data.size, output._data.size), t._data.dtype) for t in diff]
        base = np.zeros(output._data.shape, output._data.dtype)
        flat = base.reshape(-1)
        for k in range(flat.size):
            flat[:] = 0
            flat[k] = 1
            grads = _autograd.grad(output, diff, Tensor._wrap(base.copy()),
                                   retain_graph=True, allow_unused=True)
            for jac, g in zip(jacs, grads):
                if g is not None:
                    jac[:, k] = g._data.reshape(-1)
        return jacs

    first, second = rows(), rows()
    for a, b in zip(first, second):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                "gradient matches numerical gradient.The tolerance for nondeterminism was "
                f"{nondet_tol}." + _NONDET_NOTE)
    return first


def _analytical_forward(fn: Callable, inputs: tuple) -> list[list[np.ndarray]]:
    """``J[j][i]`` in the outputs' dtypes, as forward mode would give it (computed here by
    reverse mode on detached copies of the inputs)."""
    fresh = tuple(t.detach().requires_grad_(True) if isinstance(t, Tensor) and t.requires_grad
                  else t for t in inputs)
    outs = [o for o in _as_tuple(fn(*fresh)) if _is_float(o)]
    diff = _diff_inputs(fresh)
    res = [[np.zeros((t._data.size, o._data.size), o._data.dtype) for o in outs]
           for t in diff]
    for i, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for j, jac in enumerate(_analytical(fresh, o, float("inf"))):
            res[j][i] = jac.astype(o._data.dtype)
    return res


# -- comparison ---------------------------------------------------------------------------

def _allclose(a: np.ndarray, n: np.ndarray, rtol: float, atol: float) -> bool:
    dt = np.promote_types(a.dtype, n.dtype)
    a, n = a.astype(dt), n.astype(dt)
    return bool(np.all(np.abs(a - n) <= atol + rtol * np.abs(n)))


def _mismatch(a: np.ndarray, n: np.ndarray, i: int, j: int, complex_indices: Sequence[int],
              test_imag: bool, forward: bool) -> str:
    prefix = ""
    if complex_indices and (j if forward else i) in complex_indices:
        part = "imaginary" if test_imag else "real"
        prefix = (f"While considering the {part} part of complex "
                  f"{'inputs' if forward else 'outputs'} only, ")
    mode = "computed with forward mode " if forward else ""
    return (f"{prefix}Jacobian {mode}mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{Tensor._wrap(n)}\nanalytical:{Tensor._wrap(a)}\n")


def _check_pair(fn: Callable, inputs: tuple, func_out: Any, eps: float, rtol: float,
                atol: float, nondet_tol: float, forward: bool = False,
                complex_indices: Sequence[int] = (), test_imag: bool = False) -> None:
    """Compare the analytical and numerical Jacobians of ``fn`` at ``inputs``."""
    outs = _as_tuple(func_out)
    diff_outs = _differentiable(outs)
    numerical = _numerical(fn, inputs, outs, eps)
    if not diff_outs:
        if any(np.any(jac != 0) for per_out in numerical for jac in per_out):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    float_outs = [o for o in outs if _is_float(o)]
    # numerical[j][i] over float outputs -> by differentiable output
    keep = [k for k, o in enumerate(float_outs) if o.requires_grad]
    by_out = [[numerical[j][k] for j in range(len(numerical))] for k in keep]
    if forward:
        analytical = _analytical_forward(fn, inputs)
        for i, per_in in enumerate(by_out):
            for j, n in enumerate(per_in):
                a = analytical[j][keep[i]]
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_mismatch(a, n, i, j, complex_indices, test_imag,
                                                   True))
        return
    for i, o in enumerate(diff_outs):
        for j, (a, n) in enumerate(zip(_analytical(inputs, o, nondet_tol), by_out[i])):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch(a, n, i, j, complex_indices, test_imag, False))


def _part_of_outputs(fn: Callable, part: str) -> Callable:
    def wrapped(*xs: Any) -> tuple:
        return tuple(getattr(o, part) if isinstance(o, Tensor) and o._data.dtype.kind == "c"
                     else o for o in _as_tuple(fn(*xs)))
    return wrapped


def _zero_grad_outputs_give_zero_grads(outputs: tuple, inputs: tuple) -> None:
    """A backward must scale with its grad_output: zeros in, zeros out."""
    diff = _diff_inputs(inputs)
    zeros = [Tensor._wrap(np.zeros_like(o._data)) for o in outputs]
    grads = _autograd.grad(list(outputs), diff, zeros, allow_unused=True)
    for g, x in zip(grads, diff):
        if g is None:
            continue
        if np.any(g._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g._data.dtype != x._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if g._data.shape != x._data.shape:
            raise GradcheckError("grad is incorrect size")


# -- public API ---------------------------------------------------------------------------

def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.

    Returns True; a mismatch raises ``GradcheckError`` (or returns False when
    ``raise_exception=False``). Use float64 inputs: others warn and usually fail.

    >>> x = tensor([1.0, 2.0], dtype=float64, requires_grad=True)
    >>> gradcheck(lambda a: a ** 3, x)
    True
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad "
                             "to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError("Setting check_batched_grad=True requires check_backward_ad to be "
                             "True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires "
                             "check_forward_ad to be True")
    try:
        return _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol,
                          check_forward_ad, check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _gradcheck(func: Callable, inputs: tuple, eps: float, atol: float, rtol: float,
               nondet_tol: float, check_forward_ad: bool, check_backward_ad: bool) -> bool:
    _check_inputs(inputs)
    func_out = func(*inputs)
    outputs = _differentiable(func_out)
    if check_backward_ad:
        if any(isinstance(o, Tensor) and o._data.dtype.kind == "c"
               for o in _as_tuple(func_out)):
            complex_indices = [i for i, o in enumerate(outputs) if o._data.dtype.kind == "c"]
            for part in ("imag", "real"):
                fn = _part_of_outputs(func, part)
                _check_pair(fn, inputs, fn(*inputs), eps, rtol, atol, nondet_tol,
                            complex_indices=complex_indices, test_imag=part == "imag")
        else:
            _check_pair(func, inputs, func_out, eps, rtol, atol, nondet_tol)
    if check_forward_ad:
        if any(t._data.dtype.kind == "c" for t in _diff_inputs(inputs)):
            raise NotImplementedError("gradcheck(check_forward_ad=True) with complex inputs is "
                                      "not supported by the tracegrad shim")
        _check_pair(func, inputs, func_out, eps, rtol, atol, nondet_tol, forward=True)
    if not check_backward_ad:
        return True
    _zero_grad_outputs_give_zero_grads(outputs, inputs)
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: ``gradcheck`` of the map (inputs, grad_outputs) ->
    ``autograd.grad(func(inputs), inputs, grad_outputs, create_graph=True)``.

    Without ``grad_outputs``, random ones in [-1, 1) are drawn from the default generator.

    >>> x = tensor([1.0, 2.0], dtype=float64, requires_grad=True)
    >>> gradgradcheck(lambda a: a ** 3, x)
    True
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or "
                             "check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev "
                             "to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to "
                             "be True")
    ins = _as_tuple(inputs)
    if grad_outputs is None:
        gos = tuple(_random_like(o, gen_non_contig_grad_outputs)
                    for o in _differentiable(func(*ins)))
    else:
        gos = _as_tuple(grad_outputs)
    n_out = len(gos)
    diff_in = {i for i, x in enumerate(ins) if isinstance(x, Tensor) and x.requires_grad}
    diff_go = {i for i, x in enumerate(gos) if x.requires_grad}

    def first_derivative(*args: Any) -> tuple:
        xs = tuple(x.requires_grad_() if i in diff_in else x
                   for i, x in enumerate(args[:-n_out]))
        outs = _differentiable(func(*xs))
        cts = tuple(g.requires_grad_() if i in diff_go else g
                    for i, g in enumerate(args[-n_out:]))
        grads = _autograd.grad(outs, [x for i, x in enumerate(xs) if i in diff_in], cts,
                               create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, ins + gos, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)


def _random_like(o: Tensor, noncontiguous: bool) -> Tensor:
    """A grad_output like ``torch.testing.make_tensor(o.shape, low=-1, high=1)``."""
    from .creation import empty
    from .dtypes import float64

    dtype = o.dtype if o._data.dtype.kind in "fc" else float64
    shape = tuple(o.shape)
    noncontiguous = noncontiguous and int(np.prod(shape)) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    t = empty(shape, dtype=dtype)
    if t._data.dtype.kind == "c":
        from .ops_complex import view_as_real
        view_as_real(t).uniform_(-1, 1)
    else:
        t.uniform_(-1, 1)
    if noncontiguous:
        t = t[..., 1::2]
    return t.requires_grad_(True)
