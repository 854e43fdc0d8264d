"""User-defined derivatives: ``custom_vjp`` and ``custom_jvp``, as primitives.

Under a transform a decorated function becomes one equation whose params hold
the traced programs: ``custom_vjp_call[call fwd bwd]`` and ``custom_jvp_call[call
jvp]``. Because ``fwd``, ``bwd`` and the user's jvp rule are traced into IR and
inlined where they are needed, they are differentiated like any other code:
``hessian`` (forward over reverse) of a ``custom_vjp`` function differentiates
the user's ``bwd`` (JAX raises on this, jax issue 16049).

The reverse-mode path: the jvp rule of ``custom_vjp_call`` evaluates ``fwd`` and
emits ``custom_vjp_call_lin`` (linear in the tangents); transposing ``custom_vjp_call_lin``
evaluates ``bwd``. Evaluated forward, ``custom_vjp_call_lin`` is the plain jvp of ``call``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..tracer.api import flatten_args, trace_flat
from ..tracer.evaluate import eval_ir_flat
from ..tracer.ir import Aval, ClosedIR, Var
from ..tracer.primitive import Primitive, bind, current_trace
from ..tracer.pytree import tree_flatten, tree_map, tree_unflatten
from . import lax
from .jvp import jvp_eqns, jvp_ir, jvp_rule
from .transpose import is_linear, transpose_rule

# The custom functions whose rules are being traced right now: a call of one of
# them inside its own fwd/jvp rule (``return f(x), res``) is just its primal code.
_IN_RULE: ContextVar[frozenset] = ContextVar("tracegrad_custom_in_rule", default=frozenset())


@contextmanager
def _tracing_rule_of(fn_obj):
    token = _IN_RULE.set(_IN_RULE.get() | {id(fn_obj)})
    try:
        yield
    finally:
        _IN_RULE.reset(token)


custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)
custom_lin_p = Primitive("custom_vjp_call_lin", multiple_results=True)
custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)


def _eval(closed: ClosedIR, args) -> list:
    """Evaluate through ``bind``: recorded when a trace is active (inlining)."""
    return eval_ir_flat(closed.ir, closed.consts, list(args))


def _impl_eval(closed: ClosedIR, args) -> list:
    """Evaluate with the impls only: an impl runs while its own trace is current."""
    ir = closed.ir
    env = dict(zip(ir.const_vars, closed.consts))
    env.update(zip(ir.in_vars, args))
    for eqn in ir.eqns:
        out = eqn.prim.impl(*[env[a] if type(a) is Var else a.val for a in eqn.inputs],
                            **eqn.params)
        env.update(zip(eqn.outputs, out if eqn.prim.multiple_results else [out]))
    return [env[a] if type(a) is Var else a.val for a in ir.out_vars]


# ---------------------------------------------------------------------------
# impl and abstract eval (the tracer-layer rules of the new primitives)

@custom_vjp_call_p.def_impl
def _custom_vjp_call_impl(*args, call, fwd, bwd, num_res):
    return _impl_eval(call, args)


@custom_jvp_call_p.def_impl
def _custom_jvp_call_impl(*args, call, jvp):
    return _impl_eval(call, args)


def _call_abstract(*avals, call, **params):
    return list(call.out_avals)


custom_vjp_call_p.def_abstract_eval(_call_abstract)
custom_jvp_call_p.def_abstract_eval(_call_abstract)


@functools.lru_cache(maxsize=256)
def _call_jvp(call: ClosedIR) -> ClosedIR:
    """The jvp program of ``call`` with respect to every input (cached per call)."""
    return jvp_ir(call, (True,) * len(call.ir.in_vars))[0]


@custom_lin_p.def_impl
def _custom_lin_impl(*args, call, bwd, num_res):
    # (residuals, primals, tangents) -> the jvp of ``call``: forward mode through
    # a custom_vjp function differentiates its primal code.
    n = len(call.ir.in_vars)
    primals, tangents = args[num_res:num_res + n], args[num_res + n:]
    out = _impl_eval(_call_jvp(call), list(primals) + list(tangents))
    return out[len(call.ir.out_vars):]


@custom_lin_p.def_abstract_eval
def _custom_lin_abstract(*avals, call, bwd, num_res):
    return list(call.out_avals)


# ---------------------------------------------------------------------------
# derivative rules

@jvp_rule(custom_vjp_call_p)
def _custom_vjp_call_jvp(primals, tangents, out, *, call, fwd, bwd, num_res):
    fwd_out = _eval(fwd, primals)
    n_out = len(call.ir.out_vars)
    res = fwd_out[n_out:]
    tans = [lax.zeros(Aval(lax.shape_of(p), lax.dtype_of(p))) if t is None else t
            for p, t in zip(primals, tangents)]
    return bind(custom_lin_p, *res, *primals, *tans, call=call, bwd=bwd, num_res=num_res)


@transpose_rule(custom_lin_p)
def _custom_lin_transpose(cts, *args, call, bwd, num_res):
    n = len(call.ir.in_vars)
    res = args[:num_res]
    if any(is_linear(r) for r in list(res) + list(args[num_res:num_res + n])):
        raise NotImplementedError("custom_vjp_call_lin is linear in its tangents only")
    cts = [lax.zeros(a) if c is None else c for c, a in zip(cts, call.out_avals)]
    in_cts = _eval(bwd, list(res) + cts)
    return [None] * (num_res + n) + list(in_cts)


@jvp_rule(custom_lin_p)
def _custom_lin_jvp(primals, tangents, out, *, call, bwd, num_res):
    # custom_vjp_call_lin is the jvp of ``call``; its own jvp differentiates that program.
    jc = _call_jvp(call)
    args = primals[num_res:]
    env = dict(zip(jc.ir.in_vars, args))
    env.update(zip(jc.ir.const_vars, jc.consts))
    tan = {v: t for v, t in zip(jc.ir.in_vars, tangents[num_res:]) if t is not None}
    jvp_eqns(jc.ir.eqns, env, tan, None)
    outs = jc.ir.out_vars[len(call.ir.out_vars):]
    return [tan.get(o) for o in outs]


@jvp_rule(custom_jvp_call_p)
def _custom_jvp_call_jvp(primals, tangents, out, *, call, jvp):
    tans = [lax.zeros(Aval(lax.shape_of(p), lax.dtype_of(p))) if t is None else t
            for p, t in zip(primals, tangents)]
    outs = _eval(jvp, list(primals) + tans)
    return outs[len(call.ir.out_vars):]


# ---------------------------------------------------------------------------
# the user-facing decorators

def _trace(fn: Callable, specs, what: str):
    box: list = []

    def flat(*tracers):
        out = fn(*tracers)
        leaves, tree = tree_flatten(out)
        box.append(tree)
        return leaves

    traced = trace_flat(flat, specs)
    if traced.captured:
        raise TypeError(
            f"custom derivative: the {what} closes over a value traced by an enclosing "
            "transform; pass that value as an explicit argument instead.")
    return traced, box[0]


class custom_vjp:
    """A function with a user-defined reverse-mode derivative.

    >>> @custom_vjp
    ... def f(x):
    ...     return np.sin(x)
    >>> f.defvjp(lambda x: (np.sin(x), np.cos(x)), lambda cos_x, g: (cos_x * g,))
    >>> grad(f)(0.0)
    array(1.)

    ``fwd(*args) -> (out, residuals)``; ``bwd(residuals, out_cotangent)`` returns a
    tuple with one cotangent per argument (``None`` for zero). With
    ``nondiff_argnums`` (static arguments, e.g. functions or sizes) ``bwd`` receives
    those arguments first and returns cotangents for the others only, as in JAX.
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args: Any) -> Any:
        if self.fwd is None or self.bwd is None:
            raise TypeError(f"custom_vjp function {self.__name__} has no rule: call "
                            "f.defvjp(fwd, bwd) first")
        if current_trace.get() is None or id(self) in _IN_RULE.get():
            return self.fun(*args)
        fun, fwd_fn, bwd_fn, args = _split_static(self, args)
        leaves, specs, in_tree = flatten_args(args)
        unflat = functools.partial(tree_unflatten, in_tree)
        call, out_tree = _trace(lambda *xs: fun(*unflat(xs)), specs, "function")

        def fwd_flat(*xs):
            pair = fwd_fn(*unflat(xs))
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError(f"custom_vjp fwd of {self.__name__} must return a pair "
                                f"(output, residuals), got {type(pair).__name__}")
            return pair

        with _tracing_rule_of(self):
            fwd, fwd_tree = _trace(fwd_flat, specs, "fwd rule")
        n_out = out_tree.num_leaves
        out_leaves_tree = fwd_tree.children[0] if fwd_tree.children else None
        if out_leaves_tree != out_tree:
            raise TypeError(f"custom_vjp fwd of {self.__name__} returned an output with "
                            f"structure {out_leaves_tree}, but the function returns "
                            f"{out_tree}")
        res_tree = fwd_tree.children[1]
        res_avals = [v.aval for v in fwd.ir.out_vars[n_out:]]
        out_avals = [v.aval for v in call.ir.out_vars]
        arg_avals = [s[0] for s in specs]
        name = self.__name__

        def bwd_flat(*xs):
            res = tree_unflatten(res_tree, xs[:len(res_avals)])
            ct = tree_unflatten(out_tree, xs[len(res_avals):])
            cts = bwd_fn(res, ct)
            return _check_bwd_output(name, cts, args, in_tree, arg_avals)

        bwd_specs = [(a, None) for a in res_avals + out_avals]
        bwd = trace_flat(bwd_flat, bwd_specs, concrete=False)
        if bwd.captured:
            raise TypeError("custom_vjp bwd closes over a traced value; pass it through "
                            "the residuals instead.")
        outs = bind(custom_vjp_call_p, *leaves, call=call.closed(), fwd=fwd.closed(),
                    bwd=bwd.closed(), num_res=len(res_avals))
        return tree_unflatten(out_tree, outs)


def _merge(static_nums: Sequence[int], static: Sequence, dyn: Sequence) -> tuple:
    """The full argument tuple from the static arguments (at ``static_nums``) and the
    others in order: ``_merge((0,), ("f",), (1, 2)) == ("f", 1, 2)``."""
    n = len(static) + len(dyn)
    where = {i % n: v for i, v in zip(static_nums, static)} if n else {}
    it = iter(dyn)
    return tuple(where[i] if i in where else next(it) for i in range(n))


def _split_static(f: custom_vjp, args: tuple):
    """(fun, fwd, bwd, dynamic args) with ``nondiff_argnums`` bound as constants."""
    if not f.nondiff_argnums:
        return f.fun, f.fwd, f.bwd, args
    n = len(args)
    static = sorted({i % n for i in f.nondiff_argnums})
    dyn = tuple(a for i, a in enumerate(args) if i not in static)

    def full(dyn_vals):
        it = iter(dyn_vals)
        return tuple(args[i] if i in static else next(it) for i in range(n))

    fixed = [args[i] for i in static]
    return (lambda *d: f.fun(*full(d)), lambda *d: f.fwd(*full(d)),
            lambda res, ct: f.bwd(*fixed, res, ct), dyn)


def _check_bwd_output(name: str, cts: Any, args: tuple, in_tree, arg_avals) -> list:
    """Flatten bwd's result (one entry per argument, None = zero), with clear errors."""
    if not isinstance(cts, (tuple, list)) or len(cts) != len(args):
        raise TypeError(
            f"custom_vjp bwd of {name} must return a tuple with one cotangent per "
            f"argument ({len(args)}), got {type(cts).__name__}"
            f"{' of length ' + str(len(cts)) if isinstance(cts, (tuple, list)) else ''}.")
    flat = []
    it = iter(arg_avals)
    for i, (arg, ct) in enumerate(zip(args, cts)):
        arg_leaves, arg_tree = tree_flatten(arg)
        avals = [next(it) for _ in arg_leaves]
        if ct is None:
            flat.extend(lax.zeros(a) for a in avals)
            continue
        ct_leaves, ct_tree = tree_flatten(ct)
        if ct_tree != arg_tree:
            raise TypeError(f"custom_vjp bwd of {name}: cotangent {i} has structure "
                            f"{ct_tree}, but argument {i} has structure {arg_tree}.")
        for c, a in zip(ct_leaves, avals):
            shape, dtype = lax.shape_of(c), lax.dtype_of(c)
            if tuple(shape) != a.shape:
                raise ValueError(f"custom_vjp bwd of {name}: cotangent {i} has shape "
                                 f"{tuple(shape)}, expected {a.shape} (the argument's).")
            flat.append(lax.convert(c, a.dtype) if dtype != a.dtype else c)
    return flat


class custom_jvp:
    """A function with a user-defined forward-mode derivative (linear in tangents).

    >>> @custom_jvp
    ... def f(x):
    ...     return np.log1p(np.exp(x))
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), t / (1 + np.exp(-x))
    >>> grad(f)(0.0)
    array(0.5)

    ``defjvps(jvp_0, jvp_1, ...)`` gives one rule per argument instead,
    ``jvp_i(tangent_i, primal_out, *primals)`` (None: no dependence), summed. With
    ``nondiff_argnums`` (static arguments) the rule receives those arguments first and
    primals/tangents of the others only, as in JAX.
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp: Callable | None = None

    def defjvp(self, jvp: Callable) -> Callable:
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps: Callable | None) -> None:
        """One tangent rule per argument: ``f.defjvps(lambda t, ans, x, y: ..., None)``."""
        def rule(*args):
            n_static = len(self.nondiff_argnums)
            static, (primals, tangents) = args[:n_static], args[n_static:]
            if len(jvps) != len(primals):
                raise TypeError(f"custom_jvp {self.__name__}: defjvps got {len(jvps)} rules "
                                f"for {len(primals)} differentiable arguments")
            out = self.fun(*_merge(self.nondiff_argnums, static, primals))
            total = None
            for fn, t in zip(jvps, tangents):
                if fn is not None:
                    term = fn(t, out, *primals)
                    total = term if total is None else tree_map(lambda a, b: a + b,
                                                                total, term)
            if total is None:
                total = tree_map(lambda o: o * 0, out)
            return out, total

        self.jvp = rule

    def __call__(self, *args: Any) -> Any:
        if self.jvp is None:
            raise TypeError(f"custom_jvp function {self.__name__} has no rule: use "
                            "@f.defjvp")
        if current_trace.get() is None or id(self) in _IN_RULE.get():
            return self.fun(*args)
        fun, rule = self.fun, self.jvp
        if self.nondiff_argnums:
            n_all = len(args)
            nums = sorted({i % n_all for i in self.nondiff_argnums})
            fixed = tuple(args[i] for i in nums)
            args = tuple(a for i, a in enumerate(args) if i not in nums)
            fun = lambda *d: self.fun(*_merge(nums, fixed, d))  # noqa: E731
            rule = lambda p, t: self.jvp(*fixed, p, t)  # noqa: E731
        leaves, specs, in_tree = flatten_args(args)
        unflat = functools.partial(tree_unflatten, in_tree)
        call, out_tree = _trace(lambda *xs: fun(*unflat(xs)), specs, "function")
        n = len(leaves)

        def jvp_flat(*xs):
            pair = rule(tuple(unflat(xs[:n])), tuple(unflat(xs[n:])))
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError("a custom_jvp rule must return (primal_out, tangent_out)")
            out, t = pair
            o_leaves, o_tree = tree_flatten(out)
            t_leaves, t_tree = tree_flatten(t)
            if o_tree != out_tree or t_tree != out_tree:
                raise TypeError(f"the custom_jvp rule returned structures {o_tree} and "
                                f"{t_tree}; both must match the function's {out_tree}")
            return list(o_leaves) + list(t_leaves)

        jspecs = [(a, None) for a, _ in specs] * 2
        with _tracing_rule_of(self):
            jvp_tr = trace_flat(jvp_flat, jspecs, concrete=False)
        if jvp_tr.captured:
            raise TypeError("custom_jvp rule closes over a traced value; pass it as an "
                            "argument instead.")
        outs = bind(custom_jvp_call_p, *leaves, call=call.closed(), jvp=jvp_tr.closed())
        return tree_unflatten(out_tree, outs)
