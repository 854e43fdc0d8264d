"""Plain NumPy as the user's language: ``__array_ufunc__`` and ``__array_function__``
for tracers, through explicit tables (a NumPy function without a rule fails loudly).
"""

from __future__ import annotations

import numpy as np

from . import linalg, ops, padding
from . import linalg_matrix as lm
from . import ops_extra as x
from .errors import UnexpectedTracerError
from .primitive import bind, current_trace
from .trace import Tracer

UFUNCS = {
    np.add: ops.add, np.subtract: ops.subtract, np.multiply: ops.multiply,
    np.true_divide: ops.true_divide, np.floor_divide: ops.floor_divide,
    np.remainder: ops.remainder, np.power: ops.power, np.float_power: ops.power,
    np.maximum: ops.maximum, np.minimum: ops.minimum, np.arctan2: ops.arctan2,
    np.equal: ops.equal, np.not_equal: ops.not_equal, np.less: ops.less,
    np.less_equal: ops.less_equal, np.greater: ops.greater,
    np.greater_equal: ops.greater_equal, np.logical_and: ops.logical_and,
    np.logical_or: ops.logical_or, np.logical_xor: ops.logical_xor,
    np.logical_not: ops.logical_not, np.bitwise_and: ops.bitwise_and,
    np.bitwise_or: ops.bitwise_or, np.bitwise_xor: ops.bitwise_xor,
    np.matmul: ops.matmul,
    np.negative: ops.negative, np.positive: lambda x: x, np.absolute: ops.absolute,
    np.fabs: ops.absolute, np.sign: ops.sign, np.exp: ops.exp, np.log: ops.log,
    np.log1p: ops.log1p, np.expm1: ops.expm1, np.sin: ops.sin, np.cos: ops.cos,
    np.tan: ops.tan, np.tanh: ops.tanh, np.arcsin: ops.arcsin, np.arccos: ops.arccos,
    np.arctan: ops.arctan, np.sinh: ops.sinh, np.cosh: ops.cosh,
    np.arcsinh: ops.arcsinh, np.arccosh: ops.arccosh, np.arctanh: ops.arctanh,
    np.sqrt: ops.sqrt, np.square: ops.square, np.reciprocal: ops.reciprocal,
    np.floor: ops.floor, np.ceil: ops.ceil, np.rint: ops.rint, np.isfinite: ops.isfinite,
    np.conjugate: ops.conjugate,
}

FUNCTIONS = {
    np.sum: x.sum_rule, np.mean: x.mean_rule, np.prod: x.prod_rule,
    np.max: x.minmax_rule(ops.amax, "max"), np.min: x.minmax_rule(ops.amin, "min"),
    np.amax: x.minmax_rule(ops.amax, "amax"), np.amin: x.minmax_rule(ops.amin, "amin"),
    np.argmax: x.arg_rule(ops.argmax, "argmax"), np.argmin: x.arg_rule(ops.argmin, "argmin"),
    np.all: x.minmax_rule(ops.all, "all"), np.any: x.minmax_rule(ops.any, "any"),
    np.var: x.var_rule, np.std: x.std_rule, np.cumsum: x.cumsum_rule,
    np.dot: ops.dot, np.matmul: ops.matmul, np.vdot: ops.vdot, np.inner: ops.inner,
    np.outer: ops.outer, np.tensordot: ops.tensordot, np.einsum: linalg.einsum,
    np.linalg.norm: linalg.norm, np.where: x.where_rule, np.transpose: ops.transpose,
    np.reshape: x.reshape_rule, np.ravel: ops.ravel, np.squeeze: ops.squeeze,
    np.expand_dims: ops.expand_dims, np.concatenate: x.concatenate_rule,
    np.stack: x.stack_rule, np.hstack: x.hstack, np.vstack: x.vstack,
    np.atleast_1d: x.atleast_1d, np.atleast_2d: x.atleast_2d,
    np.clip: x.clip_rule, np.broadcast_to: ops.broadcast_to,
    np.zeros_like: x.like_rule(x.zeros_like), np.ones_like: x.like_rule(x.ones_like),
    np.full_like: x.full_like_rule, np.take: x.take, np.flip: x.flip,
    np.moveaxis: ops.moveaxis, np.swapaxes: ops.swapaxes, np.astype: x.astype_rule,
    np.shape: ops.shape_of, np.ndim: ops.ndim_of, np.size: lambda a: a.size,
    np.abs: ops.absolute, np.square: ops.square, np.sqrt: ops.sqrt, np.exp: ops.exp,
    np.log: ops.log, np.real: ops.real, np.imag: ops.imag, np.angle: lambda z, deg=False: (
        ops.multiply(ops.angle(z), 180 / np.pi) if deg else ops.angle(z)),
    np.conj: ops.conjugate, np.conjugate: ops.conjugate, np.pad: padding.pad_rule,
    np.trace: lm.trace, np.linalg.det: lm.det, np.linalg.slogdet: lm.slogdet,
    np.linalg.inv: lm.inv, np.linalg.solve: lm.solve, np.linalg.cholesky: lm.cholesky,
    np.linalg.eigh: lm.eigh, np.linalg.eigvalsh: lm.eigvalsh, np.linalg.svd: lm.svd,
    np.linalg.svdvals: lm.svdvals, np.linalg.matrix_power: lm.matrix_power,
    np.linalg.pinv: lm.pinv,
}


def _check_active(args) -> None:
    trace = current_trace.get()
    for a in args:
        if isinstance(a, Tracer) and (trace is None or not a._trace.active):
            raise UnexpectedTracerError(
                "A tracer escaped its transform: it was stored during tracing (in a "
                "global, a list or an attribute) and used after the transform finished. "
                "Return traced values from the function instead.")


#: ufunc -> primitive, for the unary ufuncs whose rule binds a float tracer directly
_UNARY_PRIMS = {u: rule.prim for u, rule in UFUNCS.items() if hasattr(rule, "prim")}


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """``Tracer.__array_ufunc__``: ``np.sin(tracer)`` through the ``UFUNCS`` table."""
    if method == "__call__" and not kwargs:  # the common case, kept short
        if len(inputs) == 1:  # np.sin(float tracer): what its rule would do, one call less
            prim = _UNARY_PRIMS.get(ufunc)
            x = inputs[0]
            if prim is not None and type(x) is Tracer and x.tvar.aval.dtype.kind in "fc":
                return bind(prim, x)
        rule = UFUNCS.get(ufunc)
        if rule is not None:  # (bind itself refuses tracers that outlived their trace)
            return rule(*inputs)
    _check_active(inputs)
    if method != "__call__" or kwargs.get("out") is not None:
        raise NotImplementedError(
            f"tracegrad does not support np.{ufunc.__name__}.{method} on traced arrays; "
            "use the plain call np." + ufunc.__name__ + "(...)")
    rule = UFUNCS.get(ufunc)
    if rule is None:
        raise NotImplementedError(
            f"np.{ufunc.__name__} has no tracegrad rule; use an equivalent supported "
            "NumPy function, or add a rule to tracer/numpy_api.py")
    kwargs.pop("out", None)
    dtype = kwargs.pop("dtype", None)
    out = rule(*inputs, **kwargs)
    return ops.convert(out, dtype) if dtype is not None else out


def array_function(self, func, types, args, kwargs):
    """``Tracer.__array_function__``: ``np.sum(tracer)`` through ``FUNCTIONS``."""
    rule = FUNCTIONS.get(func)
    if rule is None:
        name = getattr(func, "__module__", "numpy").replace("numpy", "np", 1)
        raise NotImplementedError(
            f"{name}.{func.__name__} has no tracegrad rule, so it cannot take a traced "
            "array; use an equivalent supported NumPy function, or add a rule to "
            "tracer/numpy_api.py")
    return rule(*args, **kwargs)


Tracer.__array_ufunc__ = array_ufunc
Tracer.__array_function__ = array_function

from . import numpy_more as _numpy_more  # noqa: E402,F401  (registers more ufuncs/functions)
