"""Python operators and array methods of ``Tracer``, installed from one table."""

from __future__ import annotations

from . import indexing, ops
from .trace import Tracer


def _swap(fn):
    def swapped(self, other):
        return fn(other, self)
    return swapped


_OPERATORS = {
    "__add__": ops.add, "__radd__": _swap(ops.add),
    "__sub__": ops.subtract, "__rsub__": _swap(ops.subtract),
    "__mul__": ops.multiply, "__rmul__": _swap(ops.multiply),
    "__truediv__": ops.true_divide, "__rtruediv__": _swap(ops.true_divide),
    "__floordiv__": ops.floor_divide, "__rfloordiv__": _swap(ops.floor_divide),
    "__mod__": ops.remainder, "__rmod__": _swap(ops.remainder),
    "__pow__": ops.power, "__rpow__": _swap(ops.power),
    "__matmul__": ops.matmul, "__rmatmul__": _swap(ops.matmul),
    "__lt__": ops.less, "__le__": ops.less_equal,
    "__gt__": ops.greater, "__ge__": ops.greater_equal,
    "__eq__": ops.equal, "__ne__": ops.not_equal,
    "__and__": ops.bitwise_and, "__rand__": _swap(ops.bitwise_and),
    "__or__": ops.bitwise_or, "__ror__": _swap(ops.bitwise_or),
    "__xor__": ops.bitwise_xor, "__rxor__": _swap(ops.bitwise_xor),
    "__neg__": ops.negative, "__pos__": lambda x: x, "__abs__": ops.absolute,
    "__invert__": ops.logical_not,
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem_error,
}

_METHODS = {
    "sum": ops.sum, "mean": ops.mean, "prod": ops.prod, "max": ops.amax, "min": ops.amin,
    "var": ops.var, "std": ops.std, "argmax": ops.argmax, "argmin": ops.argmin,
    "all": ops.all, "any": ops.any, "cumsum": ops.cumsum,
    "transpose": lambda x, *axes: ops.transpose(
        x, axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else (axes or None)),
    "reshape": lambda x, *shape, **kw: ops.reshape(
        x, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape, **kw),
    "squeeze": ops.squeeze, "ravel": ops.ravel, "flatten": ops.ravel,
    "dot": ops.dot, "clip": ops.clip, "astype": lambda x, dtype: ops.convert(x, dtype),
    "swapaxes": ops.swapaxes, "conj": ops.conjugate, "conjugate": ops.conjugate,
}


def install() -> None:
    """Install the operator and method tables on ``Tracer`` (done at import)."""
    for name, fn in {**_OPERATORS, **_METHODS}.items():
        setattr(Tracer, name, fn)
    Tracer.T = property(lambda x: ops.transpose(x))
    Tracer.at = property(indexing.at)
    Tracer.mT = property(lambda x: ops.swapaxes(x, -1, -2))
    Tracer.real = property(ops.real)
    Tracer.imag = property(ops.imag)


install()
