"""tracegrad.interop.jax: JAX as reference backend and accelerator path.

- ``to_jax(f)`` / ``jit(f)``: lower a tracegrad function to JAX (then ``jax.jit``,
  ``jax.vmap``, devices and shardings apply).
- ``from_jax(jf)``: import a JAX function's jaxpr so tracegrad transforms differentiate it.
- ``check_against_jax(f, *args)``: compare tracegrad's derivatives with JAX's.

JAX is imported only when one of these names is first used, so importing
``tracegrad.interop`` never requires JAX.

>>> from tracegrad.interop.jax import to_jax   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "to_jax": ".tojax", "jit": ".tojax", "from_jax": ".fromjax",
    "check_against_jax": ".check", "LOWERINGS": ".lowering", "lowering_rule": ".lowering",
    "eval_ir_jax": ".lowering", "JAX_RULES": ".fromjax", "jaxpr_to_ir": ".fromjax",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracegrad.interop.jax' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
