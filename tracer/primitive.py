"""Primitives, their registry, and ``bind``: the one interception point.

Each primitive owns two rules of the tracer layer: ``impl`` (computes on NumPy
values) and ``abstract_eval`` (shapes and dtypes). The other layers keep their
own tables keyed by primitive (jvp and transpose in ``transforms``, lowering in
``interop.jax``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from ._purepath import fastpath

#: The innermost active trace, or None when values are computed eagerly.
#: Changed only by ``tracer.trace.new_trace`` which restores it in ``finally``.
current_trace: ContextVar = ContextVar("tracegrad_current_trace", default=None)

registry: dict[str, Primitive] = {}


class Primitive:
    """A named operation with an ``impl`` and an ``abstract_eval`` rule.

    >>> sin_p = Primitive("sin")  # doctest: +SKIP
    >>> sin_p.def_impl(np.sin)    # doctest: +SKIP
    """

    __slots__ = ("name", "impl", "abstract_eval", "multiple_results", "linear")

    def __init__(self, name: str, multiple_results: bool = False):
        if name in registry:
            raise ValueError(f"primitive {name!r} is already registered")
        self.name = name
        self.impl: Callable[..., Any] | None = None
        self.abstract_eval: Callable[..., Any] | None = None
        self.multiple_results = multiple_results
        registry[name] = self

    def def_impl(self, fn):
        self.impl = fn
        return fn

    def def_abstract_eval(self, fn):
        self.abstract_eval = fn
        return fn

    def bind(self, *args, **params):
        return bind(self, *args, **params)

    def __repr__(self):
        return self.name

    def __reduce__(self):
        # By name: unpickling finds the registered primitive (a module-level function,
        # so pickle does not try to copy the registry itself).
        return (lookup, (self.name,))


def lookup(name: str) -> Primitive:
    """The registered primitive called ``name`` (``lookup("sin") is sin_p``)."""
    return registry[name]


def bind(prim: Primitive, *args, **params):
    """Apply ``prim``: evaluate it eagerly, or record it in the current trace.
    (With the C extension, ``_fastpath.bind`` replaces this at import.)

    >>> bind(sin_p, np.float64(0.0))  # doctest: +SKIP
    0.0
    """
    trace = current_trace.get()
    if trace is None:
        return eager_bind(prim, *args, **params)
    return trace.process(prim, args, params)


def eager_bind(prim: Primitive, *args, **params):
    """``bind`` when no trace is open: the impl, after refusing escaped tracers."""
    for a in args:
        if type(a) is tracer_type:  # a tracer outlived its trace
            _escaped()
    return prim.impl(*args, **params)


python_bind = bind  # the reference implementation, kept for tests and fallbacks
if fastpath is not None:
    bind = fastpath.bind  # noqa: F811


#: ``tracer.trace.Tracer``, set once when that module loads (it imports this one).
tracer_type: type | None = None


def _escaped():
    from .errors import UnexpectedTracerError
    raise UnexpectedTracerError(
        "A tracer escaped its transform: it was stored during tracing (in a global, a list "
        "or an attribute) and used after the transform finished. Return traced values "
        "from the function instead.")
