"""Lowering: one JAX rule per tracegrad primitive, and the evaluator that applies them.

A rule takes JAX values (arrays or JAX tracers) and the equation's params and
returns what ``jax.lax`` / ``jax.numpy`` computes; evaluating an IR with these
rules gives a JAX-traceable function, so ``jax.jit``, ``jax.vmap`` and
``jax.grad`` work on it.

>>> import numpy as np
>>> from tracegrad.tracer import make_ir
>>> closed = make_ir(lambda x: np.sin(x) * 2)(np.ones(3))
>>> eval_ir_jax(closed.ir, closed.consts, [jnp.ones(3)])[0].shape
(3,)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax import lax

from ...tracer.ir import IR, ClosedIR, Var
from ...tracer.trace import Tracer

#: primitive name -> rule(*jax_values, **params) -> jax value (a list if multiple results)
LOWERINGS: dict[str, Callable[..., Any]] = {}


def _bcast(fn: Callable) -> Callable:
    """A lax binary op with tracegrad's NumPy broadcasting (operands share one dtype)."""
    def rule(x, y):
        # lax accepts a rank-0 operand against any shape; otherwise broadcast explicitly.
        if jnp.shape(x) != jnp.shape(y) and jnp.ndim(x) and jnp.ndim(y):
            x, y = jnp.broadcast_arrays(x, y)
        return fn(x, y)
    return rule


def _select_n(which, *cases):
    which = jnp.asarray(which)
    if which.dtype != jnp.bool_:
        which = which.astype(jnp.int32)  # lax.select_n takes bool or int32 only
    arrays = jnp.broadcast_arrays(which, *cases)
    return lax.select_n(arrays[0], *arrays[1:])


def _index_add(x, idx, updates, *, axis):
    return jnp.asarray(x).at[(slice(None),) * axis + (idx,)].add(updates)


def _reduce(fn: Callable) -> Callable:
    # dtype= keeps integer sums in the input dtype, as the abstract eval rule says.
    return lambda x, *, axes: fn(x, axis=axes, dtype=jnp.asarray(x).dtype) if axes else x


def _slice(x, *, start_indices, limit_indices, strides):
    return lax.slice(x, start_indices, limit_indices, strides)


def _convert(x, *, new_dtype):
    if jnp.iscomplexobj(x) and np.dtype(new_dtype).kind != "c":
        x = lax.real(x)  # the real part, as the impl (lax would warn: ComplexWarning)
    return lax.convert_element_type(x, new_dtype)


def _dot_general(x, y, *, dimension_numbers, preferred_element_type=None):
    return lax.dot_general(x, y, dimension_numbers,
                           preferred_element_type=preferred_element_type)


_UNARY: dict[str, Callable] = {
    "exp": lax.exp, "log": lax.log, "log1p": lax.log1p, "expm1": lax.expm1,
    "sin": lax.sin, "cos": lax.cos, "tan": lax.tan, "tanh": lax.tanh,
    "asin": lax.asin, "acos": lax.acos, "atan": lax.atan, "sinh": lax.sinh,
    "cosh": lax.cosh, "asinh": lax.asinh, "acosh": lax.acosh, "atanh": lax.atanh,
    "logistic": lax.logistic, "sqrt": lax.sqrt, "rsqrt": lax.rsqrt, "erf": lax.erf,
    "floor": lax.floor, "ceil": lax.ceil,
    # np.round rounds half to even
    "round": lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN),
    "neg": lax.neg, "abs": lax.abs, "sign": lax.sign, "stop_gradient": lax.stop_gradient,
    "is_finite": lax.is_finite, "not": lax.bitwise_not,
    # complex parts; conj of a real array is complex, as ours
    "real": lax.real, "imag": lax.imag, "conj": lax.conj,
}
_BINARY: dict[str, Callable] = {
    # lax.div truncates integers toward zero, as tracegrad's div does
    "add": lax.add, "sub": lax.sub, "mul": lax.mul, "div": lax.div, "max": lax.max,
    "min": lax.min, "pow": lax.pow, "atan2": lax.atan2, "rem": lax.rem,
    "and": lax.bitwise_and, "or": lax.bitwise_or, "xor": lax.bitwise_xor,
    "nextafter": lax.nextafter, "eq": lax.eq, "ne": lax.ne, "lt": lax.lt, "le": lax.le,
    "gt": lax.gt, "ge": lax.ge, "complex": lax.complex,
}
LOWERINGS.update(_UNARY)
LOWERINGS.update({name: _bcast(fn) for name, fn in _BINARY.items()})
LOWERINGS.update({
    "integer_pow": lambda x, *, y: lax.integer_pow(x, y),
    "convert_element_type": _convert,
    "select_n": _select_n,
    "reduce_sum": _reduce(jnp.sum),
    "reduce_prod": _reduce(jnp.prod),
    "reduce_max": lambda x, *, axes: jnp.max(x, axis=axes) if axes else x,
    "reduce_min": lambda x, *, axes: jnp.min(x, axis=axes) if axes else x,
    "reduce_and": lambda x, *, axes: jnp.all(x, axis=axes),
    "reduce_or": lambda x, *, axes: jnp.any(x, axis=axes),
    "argmax": lambda x, *, axes, index_dtype: jnp.argmax(x, axis=axes[0]).astype(index_dtype),
    "argmin": lambda x, *, axes, index_dtype: jnp.argmin(x, axis=axes[0]).astype(index_dtype),
    "cumsum": lambda x, *, axis, reverse: lax.cumsum(x, axis, reverse),
    "broadcast_in_dim": lambda x, *, shape, broadcast_dimensions: lax.broadcast_in_dim(
        x, shape, broadcast_dimensions),
    "reshape": lambda x, *, new_sizes: lax.reshape(x, new_sizes),
    "transpose": lambda x, *, permutation: lax.transpose(x, permutation),
    "squeeze": lambda x, *, dimensions: lax.squeeze(x, dimensions),
    "expand_dims": lambda x, *, dimensions: lax.expand_dims(x, dimensions),
    "rev": lambda x, *, dimensions: lax.rev(x, dimensions),
    "concatenate": lambda *xs, dimension: lax.concatenate(xs, dimension),
    "pad": lambda x, v, *, padding_config: lax.pad(x, v, padding_config),
    "slice": _slice,
    "dot_general": _dot_general,
    "index_take": lambda x, idx, *, axis: jnp.take(x, idx, axis=axis),
    "index_add": _index_add,
})

#: Params that carry a sub-program (``ClosedIR``): an equation with one of them and no
#: rule of its own (custom_vjp_call, call, ...) is lowered by evaluating the sub-program.
CALL_PARAMS = ("call", "jaxpr", "fun", "ir")


def lowering_rule(name: str) -> Callable:
    """Register a lowering for primitive ``name`` (for primitives added later).

    >>> @lowering_rule("my_square")        # doctest: +SKIP
    ... def _(x): return lax.integer_pow(x, 2)
    """
    def register(fn: Callable) -> Callable:
        LOWERINGS[name] = fn
        return fn
    return register


def _sub_program(params) -> ClosedIR | None:
    for key in CALL_PARAMS:
        sub = params.get(key)
        if isinstance(sub, ClosedIR):
            return sub
    for sub in params.values():
        if isinstance(sub, ClosedIR):
            return sub
    return None


def has_lowering(name: str, params: dict | None = None) -> bool:
    """Whether an equation of primitive ``name`` (with ``params``) can be lowered.

    >>> has_lowering("sin"), has_lowering("no_such_primitive")
    (True, False)
    """
    return name in LOWERINGS or (params is not None and _sub_program(params) is not None)


def _literal(val: Any) -> Any:
    # Literals are NumPy scalars of the exact IR dtype; keep that dtype (not weak).
    return np.asarray(val)


def eval_ir_jax(ir: IR, consts: Sequence[Any], args: Sequence[Any]) -> list:
    """Evaluate ``ir`` with the lowering rules on JAX values; returns the flat outputs.

    Sub-programs (a ``ClosedIR`` param with no rule of its own) are evaluated in
    place with an explicit stack of frames, so nesting depth costs no recursion.
    """
    # A frame: (ir, env, next equation index, the outer equation's outputs or None)
    env: dict = dict(zip(ir.const_vars, consts))
    env.update(zip(ir.in_vars, args))
    stack: list = [[ir, env, 0, None]]
    result: list = []
    while stack:
        frame = stack[-1]
        cur, env, i, outer_outs = frame
        if i == len(cur.eqns):
            stack.pop()
            outs = [env[a] if type(a) is Var else _literal(a.val) for a in cur.out_vars]
            if outer_outs is None:
                result = outs
            else:
                stack[-1][1].update(zip(outer_outs, outs))
            continue
        frame[2] = i + 1
        eqn = cur.eqns[i]
        ins = [env[a] if type(a) is Var else _literal(a.val) for a in eqn.inputs]
        rule = LOWERINGS.get(eqn.prim.name)
        if rule is None:
            sub = _sub_program(eqn.params)
            if sub is None:
                raise NotImplementedError(
                    f"No JAX lowering for tracegrad primitive {eqn.prim.name!r}; add one "
                    "with tracegrad.interop.jax.lowering.lowering_rule.")
            sub_env = dict(zip(sub.ir.const_vars, sub.consts))
            sub_env.update(zip(sub.ir.in_vars, ins))
            stack.append([sub.ir, sub_env, 0, eqn.outputs])
            continue
        out = rule(*ins, **eqn.params)
        if eqn.prim.multiple_results:
            env.update(zip(eqn.outputs, out))
        else:
            env[eqn.outputs[0]] = out
    return result


def _refuse_tracer(x: Tracer):
    return x.__jax_array__  # raises the explanation (use from_jax / to_jax)


# lax.* functions look tracers up in this JAX-internal table before probing
# ``__jax_array__``; without an entry they say only "not a valid JAX type".
try:
    from jax._src import dtypes as _jax_dtypes

    _jax_dtypes.canonicalize_value_handlers[Tracer] = _refuse_tracer
except (ImportError, AttributeError):  # a JAX version without the table: generic error
    pass

__all__ = ["LOWERINGS", "lowering_rule", "has_lowering", "eval_ir_jax"]

# Rules for primitives defined above the tracer layer (transforms' custom derivatives).
from . import lowering_custom as _lowering_custom  # noqa: E402,F401
from . import lowering_linalg as _lowering_linalg  # noqa: E402,F401
