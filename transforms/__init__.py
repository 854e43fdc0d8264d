"""tracegrad.transforms: IR -> IR derivative transforms and the JAX-style user API.

User API (JAX semantics): ``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``linearize``,
``jacfwd``, ``jacrev``, ``hessian``, ``hvp``, ``vmap``, ``stop_gradient``,
``custom_vjp``, ``custom_jvp``.

IR transforms: ``jvp_ir`` (forward mode), ``linearize_ir`` (tangent program given
all primal values), ``partial_eval`` (split by dependency), ``transpose_ir``
(reverse a linear program), ``batch_ir`` (vectorise over a batch axis). Rule
tables: ``jvp_rules`` (every primitive), ``transpose_rules`` (every linear
primitive), ``batch_rules`` (every primitive).

Shared entry point for reverse mode (used by ``grad`` and by the PyTorch shim)::

    plan = backward_plan(ir, wrt, ct_mask)      # cached by the IR's structure

- ``ir``: an ``IR``; ``wrt[i]`` marks ``ir.in_vars[i]`` as differentiated;
  ``ct_mask[j]`` marks ``ir.out_vars[j]`` as receiving a cotangent.
- Canonical var numbering: ``ir.const_vars``, then ``ir.in_vars``, then every
  equation's outputs in order.
- ``plan.residuals``: tuple of canonical indices whose values the backward needs.
- ``plan.zero``: per True in ``wrt``, True where the gradient is structurally zero
  (unreachable; PyTorch's ``allow_unused`` gives None there).
- ``plan.run(residual_values, cotangents) -> list``: eager NumPy evaluation,
  one entry per True in ``wrt``, None where zero. ``cotangents``: one per True
  in ``ct_mask``, in order.
- ``plan.closed``: ``ClosedIR`` with inputs ``(*residual values, *cotangents)`` and
  one output per True in ``wrt`` (zeros where ``zero``); evaluate it with
  ``eval_ir_flat(plan.closed.ir, plan.closed.consts, [...])`` under a trace or
  through recording ops to get a differentiable backward (create_graph=True).

``cache_info()`` reports the plan cache's hits and misses.
"""

from . import batching_rules as _batching_rules  # noqa: F401  (fills the batching table)
from . import jvp_rules as _jvp_rules  # noqa: F401  (fills the jvp table)
from . import linalg_rules as _linalg_rules  # noqa: F401  (linear-algebra rules)
from .api import (
    grad,
    hessian,
    hvp,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    stop_gradient,
    value_and_grad,
    vjp,
)
from .backward import BackwardPlan, backward_plan, cache_clear, cache_info, structure_key
from .batching import batch_ir, batch_rule, batch_rules
from .custom import custom_jvp, custom_vjp
from .jvp import jvp_ir, jvp_rule, jvp_rules, linearize_ir
from .partial_eval import partial_eval
from .transpose import transpose_ir, transpose_rule, transpose_rules
from .vmap import vmap

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "linearize", "jacfwd", "jacrev", "hessian",
    "hvp", "vmap", "stop_gradient", "custom_vjp", "custom_jvp", "backward_plan",
    "BackwardPlan", "cache_info", "cache_clear",
    "structure_key", "jvp_ir", "linearize_ir", "partial_eval", "transpose_ir", "jvp_rule",
    "jvp_rules", "transpose_rule", "transpose_rules", "batch_ir", "batch_rule",
    "batch_rules",
]
