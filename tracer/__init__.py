"""tracegrad.tracer: the IR, primitives, tracing, evaluation and NumPy dispatch."""

from . import array_methods as _array_methods  # noqa: F401  (installs Tracer operators)
from . import numpy_api as _numpy_api  # noqa: F401  (installs NumPy dispatch)
from . import ops
from ._purepath import accelerated
from .api import Traced, make_ir, trace_flat
from .dot import render_dot, to_dot
from .errors import (
                     ConcretizationTypeError,
                     NonConcreteBooleanIndexError,
                     TracerArrayConversionError,
                     TracerBoolConversionError,
                     TracerIntegerConversionError,
                     UnexpectedTracerError,
)
from .evaluate import eval_ir, eval_ir_flat
from .ir import IR, Aval, ClosedIR, Eqn, Literal, Params, Var
from .primitive import Primitive, bind, registry
from .pytree import tree_flatten, tree_leaves, tree_map, tree_unflatten
from .trace import Trace, Tracer, new_trace

__all__ = [
    "IR", "Aval", "ClosedIR", "Eqn", "Literal", "Params", "Var", "Primitive", "bind",
    "registry", "make_ir", "eval_ir", "eval_ir_flat", "trace_flat", "Traced", "Trace",
    "Tracer", "new_trace", "ops", "tree_flatten", "tree_unflatten", "tree_map",
    "tree_leaves", "ConcretizationTypeError", "TracerArrayConversionError",
    "TracerBoolConversionError", "TracerIntegerConversionError", "UnexpectedTracerError",
    "NonConcreteBooleanIndexError", "to_dot", "render_dot", "accelerated",
]
