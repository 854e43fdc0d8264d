"""Tracing one call of a user function for a transform (shared by the user API).

``TracedCall`` flattens the arguments, checks the differentiated leaves, traces
the function once (with concrete values when they are known) and knows whether
it runs eagerly or inside an enclosing trace (then results are inlined into it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..tracer.api import flatten_args, trace_flat
from ..tracer.primitive import current_trace
from ..tracer.pytree import tree_flatten, tree_unflatten
from ..tracer.trace import Tracer
from .backward import canonical_values, structure_key


def normalize_argnums(argnums: int | Sequence[int], nargs: int, name: str) -> tuple[int, ...]:
    """``argnums`` as a tuple of non-negative positions, checked against ``nargs``.

    >>> normalize_argnums(-1, 3, "grad")
    (2,)
    """
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else tuple(argnums)
    out = []
    for a in nums:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {a!r}")
        if not -nargs <= a < nargs:
            # JAX's types: grad and value_and_grad raise TypeError for a position past the
            # end (too few arguments passed), everything else ValueError
            err = TypeError if a >= nargs and name in ("grad", "value_and_grad") else ValueError
            raise err(
                f"{name}: argnums={argnums!r} is out of range for a function called with "
                f"{nargs} positional argument{'s' if nargs != 1 else ''} (valid: "
                f"{-nargs} .. {nargs - 1}); pass more arguments or a smaller argnums.")
        out.append(int(a) % nargs)
    return tuple(out)


class TracedCall:
    """``fun(*args)`` traced once; ``diff`` marks the differentiated leaves."""

    def __init__(self, fun: Callable, args: Sequence[Any], argnums: tuple[int, ...],
                 has_aux: bool, name: str, allow_int: bool = False):
        self.name = name
        self.argnums = argnums
        leaves, specs, in_tree = flatten_args(args)
        counts = [c.num_leaves for c in in_tree.children]
        owner = [i for i, c in enumerate(counts) for _ in range(c)]
        diff = [owner[j] in argnums for j in range(len(leaves))]
        for j, (aval, _) in enumerate(specs):
            if diff[j] and aval.dtype.kind not in "fc":
                if allow_int:  # its derivative is float0 zeros (see grads_tree)
                    diff[j] = False
                    continue
                raise TypeError(
                    f"{name} requires real- or complex-valued inputs (a float dtype), but "
                    f"argument {owner[j]} has a leaf of dtype {aval.dtype} ({aval}). Pass "
                    "a float array (e.g. x.astype(np.float64) or 2.0 instead of 2), or use "
                    "vjp for integer inputs.")
        self.leaves, self.specs, self.in_tree = leaves, specs, in_tree
        self.leaf_owner = owner
        self.has_aux = has_aux
        self.aux_tree = None
        box: list = []

        def flat_fn(*tracers):
            out = fun(*tree_unflatten(in_tree, tracers))
            aux_leaves: list = []
            if has_aux:
                if not (isinstance(out, (tuple, list)) and len(out) == 2):
                    raise TypeError(f"{name} with has_aux=True needs the function to return "
                                    f"a pair (output, aux), got {type(out).__name__}")
                out, aux = out
                aux_leaves, aux_tree = tree_flatten(aux)
                box.append(aux_tree)
            out_leaves, out_tree = tree_flatten(out)
            box.insert(0, out_tree)
            return list(out_leaves) + list(aux_leaves)

        self.inline = current_trace.get() is not None
        self.traced = traced = trace_flat(flat_fn, specs)
        self.out_tree = box[0]
        if has_aux:
            self.aux_tree = box[1]
        self.n_out = len(traced.ir.out_vars) - (_count(self.aux_tree) if has_aux else 0)
        self.ir = traced.ir
        self.wrt = tuple(diff) + (False,) * len(traced.captured)
        self.diff = diff
        self.outer_args = list(leaves) + list(traced.captured)
        self._key = None

    @property
    def key(self) -> tuple:
        if self._key is None:
            self._key = structure_key(self.ir)
        return self._key

    def canonical(self) -> list:
        t = self.traced
        return canonical_values(t.consts, t.in_vals, t.ir.eqns, t.eqn_vals)

    def out_avals(self):
        return [a.aval for a in self.ir.out_vars[:self.n_out]]

    def aux(self, values: Sequence) -> Any:
        """The aux pytree from the flat aux values."""
        return tree_unflatten(self.aux_tree, [to_result(v) for v in values])

    def diff_avals(self):
        return [s[0] for s, d in zip(self.specs, self.diff) if d]

    def grads_tree(self, flat: Sequence, single: bool, out_shape: tuple = (),
                   float0: bool = True) -> Any:
        """One gradient per differentiated leaf -> the pytree(s) of argnums. An integer
        leaf (``allow_int``) gets zeros of ``out_shape + its shape``, of JAX's ``float0``
        dtype (as grad gives) or else of its own dtype (as jacrev gives)."""
        it = iter(flat)
        per_arg: dict[int, list] = {a: [] for a in self.argnums}
        for owner, d, (aval, _) in zip(self.leaf_owner, self.diff, self.specs):
            if owner in per_arg:
                per_arg[owner].append(next(it) if d else np.zeros(
                    out_shape + aval.shape, FLOAT0 if float0 else aval.dtype))
        trees = [tree_unflatten(self.in_tree.children[a], per_arg[a]) for a in self.argnums]
        return trees[0] if single else tuple(trees)


#: JAX's dtype of the derivative of an integer input (``jax.dtypes.float0``): no bits.
FLOAT0 = np.dtype([("float0", np.void, 0)])


def _count(tree) -> int:
    return 0 if tree is None else tree.num_leaves


def to_result(v) -> Any:
    """Transform results as NumPy arrays (0-d for scalars); tracers pass through.

    >>> to_result(np.float64(2.0))
    array(2.)
    """
    if isinstance(v, Tracer) or v is None:
        return v
    return np.asarray(v)
