"""Helpers shared by the passes."""

from __future__ import annotations

from ..ir import IR, ClosedIR


def rewrap(original: IR | ClosedIR, new: IR) -> IR | ClosedIR:
    """``new`` as the same kind as ``original`` (a ClosedIR keeps its consts and trees)."""
    if isinstance(original, ClosedIR):
        return ClosedIR(new, original.consts, original.in_tree, original.out_tree)
    return new


def subst(env: dict, atoms: tuple) -> tuple:
    """Atoms with replacements from ``env`` (keyed by ``id``) applied."""
    return tuple(env.get(id(a), a) for a in atoms)
