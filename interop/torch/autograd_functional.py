"""``torch.autograd.functional``: jacobian, hessian, vjp, jvp, vhp, hvp.

Built, like PyTorch's, on the shim's ``autograd.grad``: the user's function runs eagerly
on fresh copies of the inputs, and each derivative is one (or one per row) call of
``autograd.grad``. Forward-mode products use the double-backward trick (the gradient of
a vjp with respect to its cotangent). Results have PyTorch's nesting (a bare tensor for a
bare input/output, tuples otherwise), are detached unless ``create_graph=True``, and the
misuse errors carry PyTorch's types and messages.

>>> x = tensor([1.0, 2.0])
>>> jacobian(lambda a: a ** 2, x)
tensor([[2., 0.],
        [0., 4.]])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from . import autograd as _autograd
from .creation import zeros_like
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from .ops_shape import stack
from .tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

Tensors = Any  # a Tensor or a tuple of Tensors


# -- argument handling -----------------------------------------------------------------

def _tensors(x: Any, what: str, fn: str) -> tuple[bool, tuple]:
    """``(was a tuple, x as a tuple)``, refusing anything but tensors."""
    was_tuple = isinstance(x, tuple)
    items = x if was_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = (f"the value at index {i} has type {type(el)}" if was_tuple
                     else f"the given {what} has type {type(el)}")
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but {where}.")
    return was_tuple, items


def _fresh(ts: Sequence[Tensor], create_graph: bool, need_graph: bool) -> tuple:
    """New tensor objects for the inputs: connected views when the caller wants a graph
    back to them, detached copies otherwise (so closures over the caller's tensors are
    told apart from the differentiated inputs)."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in ts)


def _finish(ts: Any, create_graph: bool) -> Any:
    """Detach (nested tuples of) results unless the caller asked for a graph."""
    if isinstance(ts, (tuple, list)):
        return tuple(_finish(t, create_graph) for t in ts)
    return ts if create_graph or ts is None else ts.detach()


def _unpack(res: Any, flags: bool | tuple[bool, bool]) -> Any:
    """Undo the tupling of bare inputs/outputs (``flags``: was-tuple flags, outer first)."""
    if isinstance(flags, tuple):
        outer, inner = flags
        if not inner:
            res = tuple(r[0] for r in res)
        return res if outer else res[0]
    return res if flags else res[0]


def _check_v(v: tuple, ref: tuple, ref_is_tuple: bool) -> None:
    if len(v) != len(ref):
        if ref_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(ref)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, ref)):
        if a.size() != b.size():
            where = f"Entry {i} in " if ref_is_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.size()} but got "
                               f"{a.size()}.")


_STRICT = {
    "outputs": ("Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of "
                    "the user-provided function. This is not allowed in strict mode."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided "
                 "function with respect to input {i} is independent of the input. This is not "
                 "allowed in strict mode. You should ensure that your function is twice "
                 "differentiable and that the jacobian depends on the inputs (this would be "
                 "violated by a linear function for example)."),
    "hessian": ("The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should "
                "ensure that your function is thrice differentiable and that the hessian "
                "depends on the inputs."),
}


def _strict_check(ts: Sequence[Tensor | None], kind: str, strict: bool) -> None:
    """In strict mode, every tensor of ``ts`` must exist and require grad."""
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_STRICT[kind].format(i=i))


def _grad(outputs: tuple, inputs: tuple, grad_outputs: tuple | None = None,
          create_graph: bool = False, retain_graph: bool | None = None) -> tuple:
    """``autograd.grad`` over the outputs that require grad; None for unreached inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _autograd.grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                          allow_unused=True, create_graph=create_graph,
                          retain_graph=retain_graph)


_NONE_MESSAGES = {
    "back": ("The output of the user-provided function is independent of input {i}. This is "
             "not allowed in strict mode."),
    "back_trick": ("The gradient with respect to the input is independent of entry {i} in "
                   "the grad_outputs when using the double backward trick to compute forward "
                   "mode gradients. This is not allowed in strict mode."),
    "double_back": ("The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."),
    "double_back_trick": ("The hessian of the user-provided function is independent of entry "
                          "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                          "prevents from using the double backward trick to replace forward "
                          "mode AD."),
}


def _zeros_for_none(grads: tuple, refs: tuple, strict: bool, create_graph: bool,
                    stage: str) -> tuple:
    """Replace missing gradients by zeros (or raise, in strict mode)."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_NONE_MESSAGES[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        res.append(g)
    return tuple(res)


def _prepare_v(v: Any, ref: tuple, ref_is_tuple: bool, create_graph: bool, fn: str,
               none_message: str, none_ok: bool) -> tuple | None:
    if v is None:
        if not none_ok:
            raise RuntimeError(none_message)
        return None
    _, vs = _tensors(v, "v", fn)
    vs = _fresh(vs, create_graph, need_graph=False)
    _check_v(vs, ref, ref_is_tuple)
    return vs


def _single_element(ts: tuple) -> bool:
    return len(ts) == 1 and ts[0].nelement() == 1


# -- vjp / jvp -------------------------------------------------------------------------

def vjp(func: Callable, inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensors, Tensors]:
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    >>> vjp(lambda a: a * 3, tensor([1.0, 2.0]), tensor([1.0, 1.0]))
    (tensor([3., 6.]), tensor([3., 3.]))
    """
    with enable_grad():
        in_tuple, ins = _tensors(inputs, "inputs", "vjp")
        ins = _fresh(ins, create_graph, need_graph=True)
        out_tuple, outs = _tensors(func(*ins), "outputs of the user-provided function", "vjp")
        _strict_check(outs, "outputs", strict)
        vs = _prepare_v(v, outs, out_tuple, create_graph, "vjp",
                        "The vector v can only be None if the user-provided function returns "
                        "a single Tensor with a single element.", _single_element(outs))
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(outs, ins, vs, create_graph=create_graph)
        res = _zeros_for_none(grads, ins, strict, create_graph, "back")
    return (_unpack(_finish(outs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), in_tuple))


def jvp(func: Callable, inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensors, Tensors]:
    """``(func(inputs), J v)``: the Jacobian-vector product (by double backward).

    >>> jvp(lambda a: a ** 2, tensor([1.0, 2.0]), tensor([1.0, 0.0]))
    (tensor([1., 4.]), tensor([2., 0.]))
    """
    with enable_grad():
        in_tuple, ins = _tensors(inputs, "inputs", "jvp")
        ins = _fresh(ins, create_graph, need_graph=True)
        vs = _prepare_v(v, ins, in_tuple, create_graph, "jvp",
                        "The vector v can only be None if the input to the user-provided "
                        "function is a single Tensor with a single element.",
                        _single_element(ins))
        out_tuple, outs = _tensors(func(*ins), "outputs of the user-provided function", "jvp")
        _strict_check(outs, "outputs", strict)
        # the vjp is linear in its cotangent: its value does not matter (zeros are safe)
        cts = tuple(zeros_like(o, requires_grad=True) for o in outs)
        grad_ins = _grad(outs, ins, cts, create_graph=True)
        _strict_check(grad_ins, "grad_inputs", strict)
    with set_grad_enabled(True) if create_graph else nullcontext():
        grads = _grad(grad_ins, cts, vs, create_graph=create_graph)
        res = _zeros_for_none(grads, outs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), out_tuple))


# -- jacobian --------------------------------------------------------------------------

_STRATEGY_HINT = ('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If '
                  'your function has more outputs than inputs, "forward-mode" tends to be more '
                  'performant. Otherwise, prefer to use "reverse-mode".')


def jacobian(func: Callable, inputs: Tensors, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode",
             _forward_graph: bool = False) -> Tensors:
    """The Jacobian of ``func`` at ``inputs``: ``J[i][j]`` has shape
    ``outputs[i].shape + inputs[j].shape`` (a bare tensor for a bare input and output).

    >>> jacobian(lambda a, b: a * b, (tensor([1.0, 2.0]), tensor([3.0, 4.0])))[1]
    tensor([[1., 0.],
            [0., 2.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(_STRATEGY_HINT)
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.')
        return _jacobian_forward(func, inputs, strict, vectorize, _forward_graph)
    with enable_grad():
        in_tuple, ins = _tensors(inputs, "inputs", "jacobian")
        ins = _fresh(ins, create_graph, need_graph=True)
        out_tuple, outs = _tensors(func(*ins), "outputs of the user-provided function",
                                   "jacobian")
        _strict_check(outs, "outputs", strict)
        if vectorize:
            if strict:
                raise RuntimeError(
                    "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` "
                    "are not supported together. Please either set `strict=False` or "
                    "`vectorize=False`.")
            jac = _jacobian_basis(outs, ins, create_graph)
        else:
            jac = tuple(_jacobian_rows(i, out, ins, create_graph, strict)
                        for i, out in enumerate(outs))
        return _unpack(_finish(jac, create_graph), (out_tuple, in_tuple))


def _jacobian_rows(i: int, out: Tensor, ins: tuple, create_graph: bool,
                   strict: bool) -> tuple:
    """The Jacobians of output ``i`` with respect to each input, one backward per element."""
    rows: list[list[Tensor]] = [[] for _ in ins]
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        grads = _grad((flat[k],), ins, retain_graph=True, create_graph=create_graph)
        for j, (g, inp) in enumerate(zip(grads, ins)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is "
                                       f"independent of input {j}. This is not allowed in "
                                       "strict mode.")
                g = zeros_like(inp)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError("The jacobian of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode when "
                                   "create_graph=True.")
            rows[j].append(g)
    return tuple(stack(r, 0).view(tuple(out.size()) + tuple(inp.size()))
                 for r, inp in zip(rows, ins))


def _jacobian_basis(outs: tuple, ins: tuple, create_graph: bool) -> tuple:
    """``vectorize=True``: the flattened outputs pulled back along each vector of the
    standard basis (one row per output element), then split per output."""
    numels = [o.nelement() for o in outs]
    total = sum(numels)
    flats = tuple(o.reshape(-1) for o in outs)
    per_input: list[list[Tensor | None]] = [[] for _ in ins]
    for m_out, n in enumerate(numels):
        for k in range(n):
            cts = []
            for m, f in enumerate(flats):
                c = f.detach().new_zeros(numels[m])
                if m == m_out:
                    c[k] = 1
                cts.append(c)
            grads = _grad(flats, ins, tuple(cts), create_graph=create_graph,
                          retain_graph=True)
            for j, g in enumerate(grads):
                per_input[j].append(g)
    jac_in = []
    for rows, inp in zip(per_input, ins):
        if any(r is None for r in rows):
            full = zeros_like(inp).expand((total,) + tuple(inp.shape))
        else:
            full = stack(rows, 0)
        jac_in.append([part.view(tuple(o.shape) + tuple(inp.shape))
                       for part, o in zip(full.split(numels, dim=0), outs)])
    return tuple(zip(*jac_in))


def _jacobian_forward(func: Callable, inputs: Tensors, strict: bool, vectorize: bool,
                      graph: bool = False) -> Any:
    """``strategy="forward-mode"``: the same Jacobian, in the outputs' dtypes, connected
    to the inputs that require grad (as PyTorch's dual tensors are; ``graph``: to all of
    them, for hessian's outer Jacobian, whose function marks its inputs as requiring
    grad)."""
    if strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`strict=False` or `strategy="reverse-mode"`.')
    in_tuple, ins = _tensors(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
            "only implemented for `vectorize=True`.")
    keep = is_grad_enabled() and (graph or any(t.requires_grad for t in ins))
    with enable_grad():
        ins = _fresh(ins, keep, need_graph=True)
        out_tuple, outs = _tensors(func(*ins), "outputs", "jacobian")
        jac = _jacobian_basis(outs, ins, keep)
    # lists, not tuples, where both are tuples (as PyTorch's forward mode returns them)
    jac = [[j if j.dtype == o.dtype else j.to(o.dtype) for j in row]
           for row, o in zip(_finish(jac, keep), outs)]
    return _unpack(jac, (out_tuple, in_tuple))


# -- hessian, vhp, hvp -----------------------------------------------------------------

def _scalar_output(out: Any, fn: str, strict: bool) -> Tensor:
    """The one-element tensor a Hessian-type function must return."""
    out_tuple, outs = _tensors(out, "outputs of the user-provided function", fn)
    _strict_check(outs, "outputs", strict)
    if out_tuple or not isinstance(out, Tensor):
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if out.nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain "
                           "a single element")
    return out


def hessian(func: Callable, inputs: Tensors, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Tensors:
    """The Hessian of a scalar ``func``: the Jacobian of its gradient. ``H[i][j]`` has shape
    ``inputs[i].shape + inputs[j].shape`` (a bare tensor for a bare input).

    >>> hessian(lambda a: (a ** 3).sum(), tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    in_tuple, ins = _tensors(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or '
                             '"reverse-mode".')

    def scalar(*xs: Tensor) -> Tensor:
        return _scalar_output(func(*xs), "hessian", strict).squeeze()

    def gradient(*xs: Tensor) -> tuple:
        if outer_jacobian_strategy == "forward-mode":
            xs = tuple(t.requires_grad_(True) for t in xs)
        jac = jacobian(scalar, xs, create_graph=True)
        _strict_check(jac, "jacobian", strict)
        return jac

    res = jacobian(gradient, ins, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy, _forward_graph=True)
    return _unpack(res, (in_tuple, in_tuple))


_V_NONE_FOR_SCALAR_INPUT = ("The vector v can only be None if the input to the user-provided "
                            "function is a single Tensor with a single element.")


def _first_derivative(func: Callable, inputs: Tensors, v: Tensors, create_graph: bool,
                      strict: bool, name: str) -> tuple:
    """What vhp and hvp start from (under enable_grad): the inputs as fresh tensors, the
    vectors ``v``, the scalar output and its gradient, kept differentiable."""
    in_tuple, ins = _tensors(inputs, "inputs", name)
    ins = _fresh(ins, create_graph, need_graph=True)
    vs = _prepare_v(v, ins, in_tuple, create_graph, name, _V_NONE_FOR_SCALAR_INPUT,
                    _single_element(ins))
    out = _scalar_output(func(*ins), name, strict)
    jac = _grad((out,), ins, create_graph=True)
    _strict_check(jac, "jacobian", strict)
    return in_tuple, ins, vs, out, jac


def vhp(func: Callable, inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Tensors]:
    """``(func(inputs), v^T H)`` for a scalar ``func``.

    >>> vhp(lambda a: (a ** 3).sum(), tensor([1.0, 2.0]), tensor([1.0, 1.0]))
    (tensor(9.), tensor([ 6., 12.]))
    """
    with enable_grad():
        in_tuple, ins, vs, out, jac = _first_derivative(func, inputs, v, create_graph, strict,
                                                        "vhp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(jac, ins, vs, create_graph=create_graph)
        res = _zeros_for_none(grads, ins, strict, create_graph, "double_back")
    return _finish(out, create_graph), _unpack(_finish(res, create_graph), in_tuple)


def hvp(func: Callable, inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Tensors]:
    """``(func(inputs), H v)`` for a scalar ``func`` (by the double-backward trick).

    >>> hvp(lambda a: (a ** 3).sum(), tensor([1.0, 2.0]), tensor([1.0, 0.0]))
    (tensor(9.), tensor([6., 0.]))
    """
    with enable_grad():
        in_tuple, ins, vs, out, jac = _first_derivative(func, inputs, v, create_graph, strict,
                                                        "hvp")
        cts = tuple(zeros_like(t, requires_grad=True) for t in ins)
        double = _grad(jac, ins, cts, create_graph=True)
        _strict_check(jac, "hessian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(double, cts, vs, create_graph=create_graph)
        res = _zeros_for_none(grads, ins, strict, create_graph, "double_back_trick")
    return _finish(out, create_graph), _unpack(_finish(res, create_graph), in_tuple)
