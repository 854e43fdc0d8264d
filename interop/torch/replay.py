"""``create_graph=True``: evaluate a backward plan through the shim's recording ops.

The plan's residuals may be values computed inside composite nodes, which no tensor
holds; to make them differentiable functions of the leaves, the stage's forward
equations are replayed with recording from the boundary tensors (the real leaf
tensors, so higher-order gradients reach them), then the plan's closed backward
program is evaluated the same way. Each replayed equation becomes a node named
after its primitive (table below).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tracer.ir import Literal
from .grad_mode import enable_grad
from .ops_core import apply1
from .tensor import Tensor

#: primitive -> the PyTorch-style node name of a replayed equation
PRIM_NODE_NAMES = {
    "add": "AddBackward0", "sub": "SubBackward0", "mul": "MulBackward0",
    "div": "DivBackward0", "neg": "NegBackward0", "integer_pow": "PowBackward0",
    "pow": "PowBackward1", "exp": "ExpBackward0", "log": "LogBackward0",
    "sin": "SinBackward0", "cos": "CosBackward0", "tan": "TanBackward0",
    "tanh": "TanhBackward0", "logistic": "SigmoidBackward0", "sqrt": "SqrtBackward0",
    "rsqrt": "RsqrtBackward0", "abs": "AbsBackward0", "sign": "SignBackward0",
    "max": "MaximumBackward0", "min": "MinimumBackward0", "select_n": "WhereBackward0",
    "reduce_sum": "SumBackward1", "reduce_max": "AmaxBackward0",
    "reduce_min": "AminBackward0", "broadcast_in_dim": "ExpandBackward0",
    "reshape": "ViewBackward0", "transpose": "PermuteBackward0",
    "squeeze": "SqueezeBackward1", "expand_dims": "UnsqueezeBackward0",
    "dot_general": "MmBackward0", "concatenate": "CatBackward0",
    "slice": "SliceBackward0", "pad": "ConstantPadNdBackward0",
    "convert_element_type": "ToCopyBackward0", "index_take": "IndexBackward0",
    "index_add": "IndexAddBackward0", "log1p": "Log1PBackward0", "expm1": "Expm1Backward0",
    "erf": "ErfBackward0", "rev": "FlipBackward0", "cumsum": "CumsumBackward0",
    "atan2": "Atan2Backward0", "rem": "FmodBackward0",
}


def node_name(prim) -> str:
    """The PyTorch-style node name of a replayed primitive (``mul`` -> ``MulBackward0``)."""
    return PRIM_NODE_NAMES.get(prim.name, prim.name.capitalize() + "Backward0")


def _arg(env: dict, atom: Any):
    if type(atom) is Literal:
        return atom.val
    return env[id(atom)]


def _eval_recorded(eqns, env: dict) -> None:
    for eqn in eqns:
        args = [_arg(env, a) for a in eqn.inputs]
        if not any(isinstance(a, Tensor) for a in args):
            out = eqn.prim.impl(*args, **eqn.params)
            outs = out if eqn.prim.multiple_results else [out]
            for v, o in zip(eqn.outputs, outs):
                env[id(v)] = Tensor._wrap(np.asarray(o))
            continue
        if eqn.prim.multiple_results:  # lu, eigh, svd: one node with several outputs
            from .ops_linalg import apply_multi
            outs = apply_multi(node_name(eqn.prim), eqn.prim, *args, **eqn.params)
            for v, o in zip(eqn.outputs, outs):
                env[id(v)] = o
            continue
        env[id(eqn.outputs[0])] = apply1(node_name(eqn.prim), eqn.prim, *args, **eqn.params)


def replay_backward(stage, plan) -> list:
    """Differentiable gradients (Tensors, None where zero) for ``stage.diffs``."""
    with enable_grad():
        env: dict = {}
        for e in stage.consts:
            env[id(e.var)] = e.tensor if e.tensor is not None else Tensor._wrap(e.val)
        for e in stage.diffs:
            env[id(e.var)] = e.tensor
        n_ext = len(stage.ext)
        canon = [e.var for e in stage.ext]
        if any(r >= n_ext for r in plan.residuals):
            stage.values(plan.residuals)  # version and freed checks
            _eval_recorded(stage.ir.eqns, env)
            for eqn in stage.ir.eqns:
                canon.extend(eqn.outputs)
        else:
            stage.values(plan.residuals)
        closed = plan.closed
        benv: dict = {}
        for v, c in zip(closed.ir.const_vars, closed.consts):
            benv[id(v)] = Tensor._wrap(np.asarray(c))
        n_res = len(plan.residuals)
        for v, r in zip(closed.ir.in_vars[:n_res], plan.residuals):
            benv[id(v)] = env[id(canon[r])]
        for v, (_, ct) in zip(closed.ir.in_vars[n_res:], stage.roots):
            benv[id(v)] = ct if isinstance(ct, Tensor) else Tensor._wrap(np.asarray(ct))
        _eval_recorded(closed.ir.eqns, benv)
        outs = []
        for a, z in zip(closed.ir.out_vars, plan.zero):
            if z:
                outs.append(None)
            elif type(a) is Literal:
                outs.append(Tensor._wrap(np.asarray(a.val)))
            else:
                outs.append(benv[id(a)])
        return outs
