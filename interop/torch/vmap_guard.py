"""torch.func.vmap's refusals of data-dependent Python code, as in PyTorch.

``func.vmap`` records the mapped function once, on the first example. Reading a value
that depends on a mapped input (``if x.sum() > 0``, ``x.item()``, ``float(x)``) would
silently specialise every example to the first one's value, so, like torch, it raises.
The state is a ContextVar: each thread and task has its own.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from .graph import Node

#: (vars of the first example's mapped leaves, graph sequence number at recording start,
#: tensors from unrecorded ops on mapped values: comparisons, isnan, any/all)
mapped: ContextVar[tuple[frozenset, int, dict] | None] = ContextVar(
    "tracegrad_vmap_mapped", default=None)


def recording(leaf_vars: frozenset, marker: int) -> tuple:
    """The state ``func.vmap`` sets while it records the first example."""
    # tainted tensors by id (kept alive with the state: Tensor's == is elementwise, so
    # a set of tensors would compare them)
    return (leaf_vars, marker, {})


def taint(out: Any, *inputs: Any) -> Any:
    """Mark ``out`` (a comparison, mask or any/all result, which the graph does not
    record) as depending on a mapped input when one of ``inputs`` does; returns ``out``."""
    state = mapped.get()
    if state is not None and any(_depends(x, state) for x in inputs):
        state[2][id(out)] = out
    return out

CONTROL_FLOW = ("vmap: It looks like you're attempting to use a Tensor in some "
                "data-dependent control flow. We don't support that yet, please file an issue "
                "at https://github.com/pytorch/pytorch/issues .")
ITEM = ("vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
        "calling .item() on a Tensor, please try to rewrite what you're doing with other "
        "operations. If error is occurring somewhere inside PyTorch internals, please file a "
        "bug report.")
STORAGE = "Cannot access data pointer of Tensor that doesn't have storage"


def check(t: Any, message: str) -> None:
    """Raise ``RuntimeError(message)`` when vmap is recording and ``t`` depends on a
    mapped input (walks only the nodes recorded since the recording began)."""
    state = mapped.get()
    if state is not None and _depends(t, state):
        raise RuntimeError(message)


def _depends(t: Any, state: tuple) -> bool:
    if not hasattr(t, "_fn"):  # a Python scalar or array operand
        return False
    leaves, marker, tainted = state
    if tainted.get(id(t)) is t or (t._var is not None and t._var in leaves):
        return True
    stack = [t._fn] if isinstance(t._fn, Node) else []
    seen: set = set()
    while stack:
        node = stack.pop()
        if id(node) in seen or node.seq < marker:
            continue
        seen.add(id(node))
        if any(v in leaves for v in node.ins):
            return True
        stack.extend(n for n in node.nexts if isinstance(n, Node))
    return False
