"""Inlining: an equation whose params hold a ``call`` (a ``ClosedIR`` or ``IR``) is
replaced by that program's body, with fresh variables for each inlined copy.
"""

from __future__ import annotations

from ..ir import IR, ClosedIR, Eqn, Var


def _callee(eqn: Eqn):
    call = eqn.params.get("call") if eqn.params else None
    return call if isinstance(call, (ClosedIR, IR)) else None


class _Frame:
    """One program being copied: its equations, position, renaming and return binding."""

    __slots__ = ("eqns", "i", "env", "out_vars", "call_outputs", "parent_env")

    def __init__(self, eqns, env, out_vars=(), call_outputs=None, parent_env=None):
        self.eqns, self.i, self.env = eqns, 0, env
        self.out_vars, self.call_outputs, self.parent_env = out_vars, call_outputs, parent_env


def inline(closed: ClosedIR | IR) -> ClosedIR | IR:
    """A new program with every ``call`` equation (at any depth) replaced by its body.

    Constants of inlined programs become constants of the result; top-level variables
    keep their identity. An explicit stack of frames replaces recursion.

    >>> flat = inline(closed)  # doctest: +SKIP
    """
    is_closed = isinstance(closed, ClosedIR)
    top = closed.ir if is_closed else closed
    const_vars = list(top.const_vars)
    consts = list(closed.consts) if is_closed else []
    eqns: list = []
    top_env: dict = {}
    stack = [_Frame(top.eqns, top_env)]
    while stack:
        frame = stack[-1]
        if frame.i == len(frame.eqns):
            stack.pop()
            if frame.call_outputs is not None:  # bind the call's outputs to the body's
                for o, a in zip(frame.call_outputs, frame.out_vars):
                    frame.parent_env[id(o)] = frame.env.get(id(a), a)
            continue
        eqn = frame.eqns[frame.i]
        frame.i += 1
        env = frame.env
        ins = tuple(env.get(id(a), a) for a in eqn.inputs) if env else eqn.inputs
        callee = _callee(eqn)
        if callee is not None:
            inner = callee.ir if isinstance(callee, ClosedIR) else callee
            inner_env = {id(v): a for v, a in zip(inner.in_vars, ins)}
            inner_consts = callee.consts if isinstance(callee, ClosedIR) else []
            for v, c in zip(inner.const_vars, inner_consts):
                nv = Var(v.aval)
                const_vars.append(nv)
                consts.append(c)
                inner_env[id(v)] = nv
            stack.append(_Frame(inner.eqns, inner_env, inner.out_vars, eqn.outputs, env))
            continue
        if frame.call_outputs is None:  # top level keeps its variables
            eqns.append(eqn if ins is eqn.inputs or ins == eqn.inputs
                        else Eqn(eqn.prim, ins, eqn.outputs, eqn.params))
            continue
        outs = tuple(Var(o.aval) for o in eqn.outputs)
        for o, n in zip(eqn.outputs, outs):
            env[id(o)] = n
        eqns.append(Eqn(eqn.prim, ins, outs, eqn.params))
    out_vars = tuple(top_env.get(id(a), a) for a in top.out_vars)
    new_ir = IR(const_vars, top.in_vars, eqns, out_vars)
    if is_closed:
        return ClosedIR(new_ir, consts, closed.in_tree, closed.out_tree)
    return new_ir
