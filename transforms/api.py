"""The JAX-style user API: grad, value_and_grad, vjp, jvp, linearize, jacfwd, jacrev,
hessian, hvp, stop_gradient.

Each wrapper traces the function once (``TracedCall``), takes the transformed
program from a cache keyed by the traced structure, and evaluates it: eagerly
with NumPy on the values the trace already computed, or, inside an enclosing
trace (higher order, a grad inside a traced function), by evaluating it on the
outer tracers so the enclosing transform sees ordinary equations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..tracer import ops
from ..tracer.api import input_spec, trace_flat
from ..tracer.evaluate import eval_ir_flat
from ..tracer.ir import IR, Aval
from ..tracer.passes import dce, optimize
from ..tracer.primitive import current_trace
from ..tracer.pytree import tree_flatten, tree_map, tree_unflatten
from ..tracer.trace import Tracer
from .backward import backward_plan
from .call import FLOAT0, TracedCall, normalize_argnums, to_result
from .checks import check_inputs, check_outputs
from .forward import forward_plan, grad_program
from .jacobian import jacobian_fwd, jacobian_rev
from .jvp import canonical_vars


def _zeros(aval: Aval):
    return np.zeros(aval.shape, aval.dtype)


def _forward_values(call: TracedCall, residuals: Sequence[int], args=None,
                    need_outputs: bool = True) -> tuple[list, list]:
    """Primal outputs (with aux) and residual values: from the concrete trace, or,
    inside an enclosing trace, by evaluating the forward program on ``args`` (the
    outer tracers by default), without the equations nothing asks for."""
    ir = call.ir
    if not call.inline:
        vals = call.canonical()
        return list(call.traced.out_vals), [vals[i] for i in residuals]
    canon = canonical_vars(ir)
    outs = list(ir.out_vars) if need_outputs else []
    ext = dce(IR(ir.const_vars, ir.in_vars, ir.eqns, outs + [canon[i] for i in residuals]))
    vals = eval_ir_flat(ext, call.traced.consts, call.outer_args if args is None else args)
    n = len(outs)
    return vals[:n], vals[n:]


def _evaluate(call: TracedCall, residuals: Sequence[int], body, need_outputs: bool) -> list:
    """``body(outs, residual_values) -> flat results``, run eagerly, or inside an
    enclosing trace as one program: traced, optimised (cse across the pieces),
    then evaluated on the outer tracers."""
    if not call.inline:
        return body(*_forward_values(call, residuals))

    def inner(*xs):
        return body(*_forward_values(call, residuals, xs, need_outputs))

    traced = trace_flat(inner, [input_spec(a) for a in call.outer_args])
    return eval_ir_flat(optimize(traced.ir), traced.consts, call.outer_args)


def _run(plan, residual_values, inputs) -> list:
    """Evaluate a plan: generated NumPy code eagerly, or bound into the current trace."""
    if current_trace.get() is None and not any(isinstance(v, Tracer) for v in inputs):
        return plan.run(residual_values, inputs)
    closed = plan.closed
    return eval_ir_flat(closed.ir, closed.consts, list(residual_values) + list(inputs))


def _check_scalar_output(call: TracedCall, name: str, holomorphic: bool) -> None:
    avals = call.out_avals()
    if len(avals) != 1 or avals[0].shape != ():
        got = ", ".join(f"shape {a.shape}" for a in avals) or "no array"
        raise TypeError(
            f"{name} requires a scalar-output function (one array of shape ()), but it "
            f"returned {got}. For a non-scalar output use jacrev (the Jacobian) or vjp "
            "(a vector-Jacobian product), or reduce the output (e.g. np.sum).")
    check_outputs(name, holomorphic, avals)


# ---------------------------------------------------------------------------
# grad and value_and_grad

def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, holomorphic: bool = False,
                   allow_int: bool = False) -> Callable:
    """``value_and_grad(f)(x) == (f(x), grad(f)(x))``, tracing ``f`` once.

    >>> value_and_grad(lambda x: x ** 2)(3.0)
    (array(9.), array(6.))
    """
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        f = functools.partial(fun, **kwargs) if kwargs else fun
        return _value_and_grad(f, args, argnums, single, has_aux, "grad", True, holomorphic,
                               allow_int)

    return wrapped


def grad(fun: Callable | None = None, argnums: int | Sequence[int] = 0,
         has_aux: bool = False, holomorphic: bool = False,
         allow_int: bool = False) -> Callable:
    """The gradient of a scalar function; ``@grad`` or ``grad(f, argnums=(0, 1))``.

    Complex numbers follow JAX: for a real ``f`` of ``z = x + 1j * y`` the gradient is
    ``df/dx - 1j * df/dy``, the ``c`` with ``df = Re(c * dz)`` (PyTorch's ``.grad`` is its
    conjugate); a holomorphic ``f`` (``holomorphic=True``) gives ``f'(z)``.

    >>> grad(np.sin)(0.0)
    array(1.)
    >>> grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 3.0)
    (array(3.), array(2.))
    >>> grad(lambda z: np.abs(z) ** 2)(1 + 2j)     # 2 * conj(z)
    array(2.-4.j)
    >>> grad(lambda z: z ** 2, holomorphic=True)(1 + 2j)
    array(2.+4.j)

    ``allow_int=True`` accepts integer inputs among ``argnums``; their gradient is
    zeros of JAX's ``float0`` dtype, as in JAX.
    """
    if fun is None:
        return functools.partial(grad, argnums=argnums, has_aux=has_aux,
                                 holomorphic=holomorphic, allow_int=allow_int)
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        f = functools.partial(fun, **kwargs) if kwargs else fun
        value, g = _value_and_grad(f, args, argnums, single, has_aux, "grad", False,
                                   holomorphic, allow_int)
        return (g, value[1]) if has_aux else g

    return wrapped


def _value_and_grad(fun, args, argnums, single, has_aux, name, want_value, holomorphic,
                    allow_int=False):
    nums = normalize_argnums(argnums, len(args), name)
    check_inputs(name, holomorphic, args, nums)
    call = TracedCall(fun, args, nums, has_aux, name, allow_int=allow_int)
    _check_scalar_output(call, name, holomorphic)
    n_aux = len(call.ir.out_vars) - 1
    ct_mask = (True,) + (False,) * n_aux
    diff_avals = call.diff_avals()
    if call.inline:
        prog = grad_program(call.ir, call.wrt, ct_mask, want_value or has_aux, call.key)
        outs = eval_ir_flat(prog.ir, list(call.traced.consts) + list(prog.consts),
                            call.outer_args)
        n_g = len(diff_avals)
        grads, outs = outs[:n_g], outs[n_g:]
        value = outs[0] if outs else None
        aux_vals = outs[1:]
    else:
        plan = backward_plan(call.ir, call.wrt, ct_mask, call.key)
        vals = call.canonical()
        one = np.ones((), call.out_avals()[0].dtype)[()]
        grads = plan.run([vals[i] for i in plan.residuals], [one])
        grads = [_zeros(a) if g is None else g for g, a in zip(grads, diff_avals)]
        value = call.traced.out_vals[0]
        aux_vals = call.traced.out_vals[1:]
    g_tree = call.grads_tree([to_result(g) for g in grads], single)
    value = to_result(value)
    if has_aux:
        value = (value, call.aux(aux_vals))
    return value, g_tree


# ---------------------------------------------------------------------------
# vjp

def _check_cotangents(call: TracedCall, ct: Any) -> list:
    leaves, tree = tree_flatten(ct)
    if tree != call.out_tree:
        raise ValueError(f"vjp_fun: the cotangent must have the structure of the output "
                         f"({call.out_tree}), got {tree}")
    out = []
    for i, (leaf, aval) in enumerate(zip(leaves, call.out_avals())):
        if isinstance(leaf, Tracer):
            shape, dtype = leaf.shape, leaf.dtype
        else:
            if isinstance(leaf, (int, float)) and not isinstance(leaf, bool):
                leaf = np.asarray(leaf, aval.dtype)  # a Python number is weakly typed
            leaf = np.asarray(leaf)
            shape, dtype = leaf.shape, leaf.dtype
        if tuple(shape) != aval.shape or dtype != aval.dtype:
            where = f" {i}" if len(leaves) > 1 else ""
            raise ValueError(
                f"vjp_fun: cotangent{where} should have shape {aval.shape} and dtype "
                f"{aval.dtype} (like the output), got shape {tuple(shape)} and dtype {dtype}.")
        out.append(leaf if isinstance(leaf, Tracer) or leaf.ndim else leaf[()])
    return out


def vjp(fun: Callable, *primals: Any, has_aux: bool = False):
    """``(out, vjp_fun)`` (``(out, vjp_fun, aux)`` with ``has_aux``); ``vjp_fun(ct)``
    returns one cotangent per primal, as a tuple.

    >>> out, f_vjp = vjp(np.sin, 0.0)
    >>> f_vjp(1.0)
    (array(1.),)
    """
    call = TracedCall(fun, primals, tuple(range(len(primals))), has_aux, "vjp",
                      allow_int=True)
    n_out = call.n_out
    n_aux = len(call.ir.out_vars) - n_out
    plan = backward_plan(call.ir, call.wrt, (True,) * n_out + (False,) * n_aux, call.key)
    outs, res = _forward_values(call, plan.residuals)
    diff_avals = call.diff_avals()
    all_avals = [s[0] for s in call.specs]

    def vjp_fun(ct):
        cts = _check_cotangents(call, ct)
        grads = _run(plan, res, cts)
        grads = [_zeros(a) if (g is None or z) and not isinstance(g, Tracer) else g
                 for g, z, a in zip(grads, plan.zero, diff_avals)]
        it = iter(grads)
        flat = [to_result(next(it)) if d else np.zeros(a.shape, FLOAT0)  # an integer
                for d, a in zip(call.diff, all_avals)]
        return tuple(tree_unflatten(call.in_tree, flat))

    out = tree_unflatten(call.out_tree, [to_result(v) for v in outs[:n_out]])
    if has_aux:
        return out, vjp_fun, call.aux(outs[n_out:])
    return out, vjp_fun


# ---------------------------------------------------------------------------
# forward mode: jvp, linearize

def _check_tangents(call: TracedCall, tangents: Sequence) -> list:
    leaves, tree = tree_flatten(tuple(tangents))
    if tree != call.in_tree:
        raise ValueError(f"jvp: tangents must have the structure of the primals "
                         f"({call.in_tree}), got {tree}")
    out = []
    for i, (leaf, (aval, _), d) in enumerate(zip(leaves, call.specs, call.diff)):
        if not d:
            continue
        if not isinstance(leaf, Tracer):
            if isinstance(leaf, (int, float)) and not isinstance(leaf, bool):
                leaf = np.asarray(leaf, aval.dtype)
            leaf = np.asarray(leaf)
        if tuple(leaf.shape) != aval.shape or leaf.dtype != aval.dtype:
            # JAX's types: a shape mismatch is a ValueError, a dtype mismatch a TypeError
            err = ValueError if tuple(leaf.shape) != aval.shape else TypeError
            raise err(f"jvp: tangent {i} should have shape {aval.shape} and dtype "
                      f"{aval.dtype} (like its primal), got shape {tuple(leaf.shape)} "
                      f"and dtype {leaf.dtype}.")
        out.append(leaf if isinstance(leaf, Tracer) or leaf.ndim else leaf[()])
    return out


def _linearized(fun, primals, name):
    call = TracedCall(fun, primals, tuple(range(len(primals))), False, name, allow_int=True)
    plan = forward_plan(call.ir, call.wrt, call.key)
    outs, res = _forward_values(call, plan.residuals)
    return call, plan, outs, res


def jvp(fun: Callable, primals: Sequence, tangents: Sequence):
    """``(fun(*primals), J @ tangents)``: forward-mode derivative.

    >>> jvp(np.sin, (0.0,), (2.0,))
    (array(0.), array(2.))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples or lists "
                        "(one entry per argument)")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    call, plan, outs, res = _linearized(fun, primals, "jvp")
    touts = _run(plan, res, _check_tangents(call, tangents))
    return (tree_unflatten(call.out_tree, [to_result(v) for v in outs]),
            tree_unflatten(call.out_tree, [to_result(v) for v in touts]))


def linearize(fun: Callable, *primals: Any):
    """``(out, f_jvp)`` where ``f_jvp(*tangents)`` reuses the forward pass.

    >>> out, f_jvp = linearize(np.sin, 0.0)
    >>> f_jvp(3.0)
    array(3.)
    """
    call, plan, outs, res = _linearized(fun, primals, "linearize")

    def f_jvp(*tangents):
        touts = _run(plan, res, _check_tangents(call, tangents))
        return tree_unflatten(call.out_tree, [to_result(v) for v in touts])

    return tree_unflatten(call.out_tree, [to_result(v) for v in outs]), f_jvp


# ---------------------------------------------------------------------------
# Jacobians

def _blocks_of(flat: list, n_in: int) -> list:
    return [[to_result(m) for m in flat[i:i + n_in]] for i in range(0, len(flat), n_in)]


def _jac_result(call: TracedCall, jac, single: bool):
    # integer inputs (jacrev's allow_int): zero blocks of the input's dtype, as JAX gives
    per_out = [call.grads_tree(row, single, oa.shape, float0=False)
               for row, oa in zip(jac, call.out_avals())]
    return tree_unflatten(call.out_tree, per_out)


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
    """The Jacobian by forward mode, one column per input element (real inputs; complex
    ones with ``holomorphic=True``, which gives ``df/dz``).

    >>> jacfwd(lambda x: x ** 2)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(fun)
    def jac_fun(*args, **kwargs):
        nums = normalize_argnums(argnums, len(args), "jacfwd")
        f = functools.partial(fun, **kwargs) if kwargs else fun
        check_inputs("jacfwd", holomorphic, args, nums, forward=True)
        call = TracedCall(f, args, nums, has_aux, "jacfwd")
        check_outputs("jacfwd", holomorphic, call.out_avals(), forward=True)
        ir, key = call.ir, call.key
        if len(ir.out_vars) > call.n_out:  # aux outputs get no tangents
            ir = IR(ir.const_vars, ir.in_vars, ir.eqns, ir.out_vars[:call.n_out])
            key = None if key is None else (key, "without aux", call.n_out)
        plan = forward_plan(ir, call.wrt, key)
        in_avals = call.diff_avals()
        out_avals = call.out_avals()

        def body(outs, res):
            flat = jacobian_fwd(plan, res, in_avals, out_avals, (key, call.wrt))
            return flat + list(outs[call.n_out:])

        flat = _evaluate(call, plan.residuals, body, has_aux)
        n = len(out_avals) * len(in_avals)
        jac = _jac_result(call, _blocks_of(flat[:n], len(in_avals)), single)
        return (jac, call.aux(flat[n:])) if has_aux else jac

    return jac_fun


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False, allow_int: bool = False) -> Callable:
    """The Jacobian by reverse mode, one row per output element (real outputs; complex
    ones with ``holomorphic=True``, which gives ``df/dz``).

    >>> jacrev(lambda x: x ** 2)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(fun)
    def jac_fun(*args, **kwargs):
        nums = normalize_argnums(argnums, len(args), "jacrev")
        f = functools.partial(fun, **kwargs) if kwargs else fun
        check_inputs("jacrev", holomorphic, args, nums)
        call = TracedCall(f, args, nums, has_aux, "jacrev", allow_int=allow_int)
        check_outputs("jacrev", holomorphic, call.out_avals())
        n_out = call.n_out
        n_aux = len(call.ir.out_vars) - n_out
        plan = backward_plan(call.ir, call.wrt, (True,) * n_out + (False,) * n_aux, call.key)
        in_avals = call.diff_avals()
        out_avals = call.out_avals()

        def body(outs, res):
            key = (call.key, call.wrt, n_out)
            return jacobian_rev(plan, res, in_avals, out_avals, key) + list(outs[n_out:])

        flat = _evaluate(call, plan.residuals, body, has_aux)
        n = len(out_avals) * len(in_avals)
        jac = _jac_result(call, _blocks_of(flat[:n], len(in_avals)), single)
        return (jac, call.aux(flat[n:])) if has_aux else jac

    return jac_fun


def hessian(fun: Callable, argnums: int | Sequence[int] = 0,
            holomorphic: bool = False) -> Callable:
    """The Hessian, forward-over-reverse: ``jacfwd(jacrev(f))`` (``holomorphic`` is passed
    to both, as in JAX).

    >>> hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacfwd(jacrev(fun, argnums, holomorphic=holomorphic), argnums,
                  holomorphic=holomorphic)


def hvp(fun: Callable, primals: Sequence, tangents: Sequence):
    """Hessian-vector product ``H @ v`` as ``jvp(grad(f), primals, tangents)[1]``.

    >>> hvp(lambda x: np.sum(x ** 3), (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    array([6., 0.])
    """
    argnums = tuple(range(len(primals)))
    g = grad(fun, argnums=argnums if len(primals) > 1 else 0)
    return jvp(g, primals, tangents)[1]


def stop_gradient(x: Any) -> Any:
    """The identity whose derivative is zero (applied to every leaf of a pytree).

    >>> grad(lambda x: x * stop_gradient(x))(3.0)
    array(3.)
    """
    return tree_map(lambda v: ops.stop_gradient(v) if isinstance(v, Tracer) else v, x)
