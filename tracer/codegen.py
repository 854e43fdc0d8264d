"""Compile an IR into straight-line Python: one line per equation calling its impl.

The interpreter loop (``eval_ir_flat``) pays a dict lookup per input, a kwargs
dict and a branch per equation; generated code pays only the impl call. Impls,
params and literals are bound as globals of the generated function, and each
value is released (``del``) after its last use so large programs do not hold
every intermediate. Used for hot, cached IRs (backward programs).

>>> fn = compile_ir(make_ir(lambda x: np.sin(x) * 2)(1.0).ir)
>>> fn(0.5)
[0.958851077208406]
"""

from __future__ import annotations

from collections.abc import Callable

from .ir import IR, Var

#: Above this many equations the generated source would take longer to compile
#: than it saves; callers fall back to the interpreter.
MAX_EQNS = 20000


def compile_ir(ir: IR) -> Callable[..., list]:
    """A function of ``(*const values, *inputs)`` returning the list of outputs."""
    names: dict[Var, str] = {}
    glob: dict = {}

    def name(a) -> str:
        if type(a) is Var:
            return names[a]
        key = f"L{len(glob)}"
        glob[key] = a.val
        return key

    args = []
    for i, v in enumerate(list(ir.const_vars) + list(ir.in_vars)):
        names[v] = f"a{i}"
        args.append(names[v])
    last_use: dict[Var, int] = {}
    for i, eqn in enumerate(ir.eqns):
        for a in eqn.inputs:
            if type(a) is Var:
                last_use[a] = i
    keep = {a for a in ir.out_vars if type(a) is Var}
    lines = [f"def _compiled({', '.join(args)}):"]
    n = 0
    for i, eqn in enumerate(ir.eqns):
        fn = f"f{i}"
        glob[fn] = eqn.prim.impl
        call_args = [name(a) for a in eqn.inputs]
        for k, v in eqn.params.items():
            pname = f"p{i}_{k}"
            glob[pname] = v
            call_args.append(f"{k}={pname}")
        outs = []
        for o in eqn.outputs:
            names[o] = f"v{n}"
            n += 1
            outs.append(names[o])
        target = ", ".join(outs) + ("," if eqn.prim.multiple_results and len(outs) == 1 else "")
        if eqn.prim.multiple_results and not outs:
            target = "_"
        lines.append(f"    {target} = {fn}({', '.join(call_args)})")
        dead = [names[a] for a in dict.fromkeys(eqn.inputs)
                if type(a) is Var and last_use.get(a) == i and a not in keep]
        dead += [names[o] for o in eqn.outputs if o not in last_use and o not in keep]
        if dead:
            lines.append(f"    del {', '.join(dead)}")
    outs = [name(a) for a in ir.out_vars]
    lines.append(f"    return [{', '.join(outs)}]")
    src = "\n".join(lines)
    code = compile(src, "<tracegrad.codegen>", "exec")
    exec(code, glob)  # noqa: S102 - the source is generated from the IR above
    fn = glob["_compiled"]
    fn.__source__ = src
    return fn

