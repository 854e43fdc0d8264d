"""Forward mode: the jvp rule table and the IR -> IR transforms built on it.

A jvp rule is ``rule(primals, tangents, out, **params) -> out_tangent``:
``tangents`` holds ``None`` for a symbolic zero (an input that does not depend on
what is differentiated), ``out`` is the primal output (a list for primitives with
several results), and the rule returns the output tangent (``None`` for zero).
Rules bind primitives (``transforms.lax``), so their results are differentiable.

>>> @jvp_rule(sin_p)                                  # doctest: +SKIP
... def _sin(primals, tangents, out):
...     return mul(tangents[0], cos(primals[0]))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..tracer.api import trace_flat
from ..tracer.ir import IR, Aval, ClosedIR, Var
from ..tracer.primitive import Primitive, bind
from . import lax

JvpRule = Callable[..., object]
jvp_rules: dict[Primitive, JvpRule] = {}


def jvp_rule(*prims: Primitive) -> Callable[[JvpRule], JvpRule]:
    """Register a jvp rule for one or more primitives (``@jvp_rule(sin_p)``)."""
    def register(fn: JvpRule) -> JvpRule:
        for p in prims:
            jvp_rules[p] = fn
        return fn
    return register


def differentiable(aval: Aval) -> bool:
    """Only inexact arrays carry tangents (integers and booleans are constants).

    >>> differentiable(Aval((), np.int64))
    False
    """
    return aval.dtype.kind in "fc"


def jvp_eqns(eqns: Sequence, env: dict, tan: dict, given: dict | None) -> None:
    """Walk ``eqns`` applying jvp rules: an iterative interpreter, not recursion.

    ``env`` maps vars to primal values and ``tan`` vars to nonzero tangents. With
    ``given`` (var -> primal value of an equation output) the primal equations are
    not re-bound: their outputs are known values (residuals from a forward pass).
    """
    for eqn in eqns:
        ins = [env[a] if type(a) is Var else a.val for a in eqn.inputs]
        tans = [tan.get(a) if type(a) is Var else None for a in eqn.inputs]
        prim = eqn.prim
        if given is not None:
            outs = [given[o] for o in eqn.outputs]
        elif prim.multiple_results:
            outs = list(bind(prim, *ins, **eqn.params))
        else:
            outs = [bind(prim, *ins, **eqn.params)]
        for o, v in zip(eqn.outputs, outs):
            env[o] = v
        if not any(t is not None for t in tans):
            continue
        rule = jvp_rules.get(prim)
        if rule is None:
            raise NotImplementedError(f"no jvp rule for primitive {prim.name!r}")
        if prim.multiple_results:
            touts = rule(ins, tans, outs, **eqn.params)
        else:
            touts = [rule(ins, tans, outs[0], **eqn.params)]
        for o, t in zip(eqn.outputs, touts):
            if t is not None and differentiable(o.aval):
                tan[o] = t


def jvp_ir(closed: ClosedIR, wrt: Sequence[bool]) -> tuple[ClosedIR, tuple[bool, ...]]:
    """The JVP program: inputs ``(*in_vars, *tangents for wrt)``, outputs
    ``(*primal outs, *nonzero output tangents)``; also returns which outputs have
    a nonzero tangent. Constants stay constants.

    >>> jclosed, nonzero = jvp_ir(make_ir(np.sin)(1.0), (True,))
    >>> print(jclosed)                                  # doctest: +SKIP
    { lambda ; a:f64[] b:f64[]. let c:f64[] = sin a; d:f64[] = cos a; e:f64[] = mul b d in (c, e) }
    """
    ir = closed.ir
    n_in = len(ir.in_vars)
    wrt_vars = [v for v, w in zip(ir.in_vars, wrt) if w]
    nonzero: list[bool] = []

    def walk(*args):
        env = dict(zip(ir.const_vars, closed.consts))
        env.update(zip(ir.in_vars, args[:n_in]))
        tan = {v: t for v, t in zip(wrt_vars, args[n_in:]) if differentiable(v.aval)}
        jvp_eqns(ir.eqns, env, tan, None)
        outs = [read(env, a) for a in ir.out_vars]
        touts = [tan.get(a) if type(a) is Var else None for a in ir.out_vars]
        nonzero[:] = [t is not None for t in touts]
        return outs + [t for t in touts if t is not None]

    specs = [(v.aval, None) for v in ir.in_vars] + [(v.aval, None) for v in wrt_vars]
    traced = trace_flat(walk, specs, concrete=False)
    return traced.closed(), tuple(nonzero)


def read(env: dict, atom):
    return env[atom] if type(atom) is Var else atom.val


class Linearized:
    """``closed``: inputs ``(*canonical vars of the source IR, *tangents)`` -> nonzero
    output tangents; ``nonzero`` marks which masked outputs have one."""

    __slots__ = ("closed", "n_canon", "nonzero")

    def __init__(self, closed: ClosedIR, n_canon: int, nonzero: tuple[bool, ...]):
        self.closed, self.n_canon, self.nonzero = closed, n_canon, nonzero


def canonical_vars(ir: IR) -> list[Var]:
    """const_vars, then in_vars, then every equation's outputs in order.

    >>> len(canonical_vars(make_ir(lambda x: np.sin(x) * 2)(1.0).ir))
    3
    """
    out = list(ir.const_vars) + list(ir.in_vars)
    for eqn in ir.eqns:
        out.extend(eqn.outputs)
    return out


def linearize_ir(ir: IR, wrt: Sequence[bool], out_mask: Sequence[bool]) -> Linearized:
    """The tangent program of ``ir`` given all its primal values as inputs.

    Every canonical var of ``ir`` becomes an input, so primal equations are not
    repeated: the result holds only the jvp rules' work (``cos x`` for ``sin``)
    and the tangent equations, linear in the tangent inputs.

    >>> lin = linearize_ir(make_ir(np.sin)(1.0).ir, (True,), (True,))
    >>> print(lin.closed)                                   # doctest: +SKIP
    { lambda ; a:f64[] b:f64[] c:f64[]. let d:f64[] = cos a; e:f64[] = mul c d in (e,) }
    """
    canon = canonical_vars(ir)
    n_canon = len(canon)
    wrt_vars = [v for v, w in zip(ir.in_vars, wrt) if w]
    nonzero: list[bool] = []

    def walk(*args):
        env = dict(zip(canon, args[:n_canon]))
        tan = {}
        for v, t in zip(wrt_vars, args[n_canon:]):
            if differentiable(v.aval):
                tan[v] = t
        jvp_eqns(ir.eqns, env, tan, env)
        touts = [tan.get(a) if type(a) is Var and m else None
                 for a, m in zip(ir.out_vars, out_mask)]
        nonzero[:] = [t is not None for t in touts]
        return [t for t in touts if t is not None]

    specs = [(v.aval, None) for v in canon] + [(v.aval, None) for v in wrt_vars]
    traced = trace_flat(walk, specs, concrete=False)
    return Linearized(traced.closed(), n_canon, tuple(nonzero))


def instantiate(t, aval: Aval):
    """A tangent that is ``None`` (symbolic zero) made into an array of zeros.

    >>> instantiate(None, Aval((2,), np.float64))
    array([0., 0.])
    """
    return lax.zeros(aval) if t is None else t
