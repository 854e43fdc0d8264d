"""Helpers shared by the passes."""

from __future__ import annotations

from ..ir import IR, ClosedIR


def rewrap(original: IR | ClosedIR, new: IR) -> IR | ClosedIR:
    """``new`` as the same kind as ``original`` (a ClosedIR keeps its consts and trees)."""
    if isinstance(original, ClosedIR):
        return ClosedIR(new, original.consts, original.in_tree, original.out_tree)
    return new


def subst(env: dict, atoms: tuple) -> tuple:
    """Atoms with replacements from ``env`` (keyed by ``id``) applied; the same tuple
    when nothing changes (no allocation on the common path of a long loop)."""
    for a in atoms:
        if id(a) in env:
            return tuple([env.get(id(b), b) for b in atoms])
    return atoms
