"""JAX's dtype checks for the differentiation API, complex numbers included.

Reverse mode (``grad``, ``value_and_grad``, ``jacrev``) takes real or complex inputs and
needs real outputs, unless ``holomorphic=True``, which needs complex inputs and complex
outputs. Forward mode (``jacfwd``) needs real inputs (its basis tangents are real), or
complex inputs and outputs with ``holomorphic=True``. ``jvp``, ``vjp`` and ``linearize``
check nothing: they take any real or complex program. Integer inputs are refused by
``TracedCall``. The messages are JAX's, naming the problem and the fix.

>>> check_outputs("grad", True, [Aval((), np.complex128)])  # holomorphic: complex out
>>> check_inputs("jacfwd", False, (np.ones(2),), (0,))       # real inputs: forward ok
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tracer.ir import Aval
from ..tracer.pytree import tree_flatten


def _dtype(x: Any) -> np.dtype | None:
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(x).dtype
        except Exception:  # not an array: TracedCall names the argument
            return None
    return np.dtype(dtype)


def check_inputs(name: str, holomorphic: bool, args: Sequence, argnums: Sequence[int],
                 forward: bool = False) -> None:
    """Refuse the differentiated leaves of ``args`` whose dtype ``name`` cannot take."""
    if not holomorphic and not forward:
        return  # reverse mode takes real and complex inputs (integers: TracedCall)
    leaves, _ = tree_flatten(tuple(args[i] for i in argnums))
    for leaf in leaves:
        dtype = _dtype(leaf)
        if dtype is None or dtype.kind not in "biufc":
            continue
        if holomorphic and dtype.kind != "c":
            raise TypeError(f"{name} with holomorphic=True requires inputs with complex "
                            f"dtype, but got {dtype.name}.")
        if forward and not holomorphic and dtype.kind == "c":
            raise TypeError(
                f"{name} requires real-valued inputs (input dtype that is a sub-dtype of "
                f"np.floating), but got {dtype.name}. For holomorphic differentiation, pass "
                "holomorphic=True. For differentiation of non-holomorphic functions "
                "involving complex inputs or integer inputs, use jvp directly.")


def check_outputs(name: str, holomorphic: bool, avals: Sequence[Aval],
                  forward: bool = False) -> None:
    """Refuse outputs whose dtype ``name`` cannot differentiate (see the module doc)."""
    for aval in avals:
        dtype = aval.dtype
        if holomorphic:
            if dtype.kind != "c":
                raise TypeError(f"{name} with holomorphic=True requires outputs with complex "
                                f"dtype, but got {dtype.name}.")
        elif forward:
            continue
        elif dtype.kind == "c":
            raise TypeError(
                f"{name} requires real-valued outputs (output dtype that is a sub-dtype of "
                f"np.floating), but got {dtype.name}. For holomorphic differentiation, pass "
                "holomorphic=True. For differentiation of non-holomorphic functions "
                "involving complex outputs, use vjp directly.")
        elif dtype.kind != "f":
            raise TypeError(
                f"{name} requires real-valued outputs (output dtype that is a sub-dtype of "
                f"np.floating), but got {dtype.name}. For differentiation of functions with "
                "integer outputs, use vjp directly.")
