"""Cells of 06_inside_the_ir: jvp, partial eval, transpose and the passes, step by step."""

CELLS = [
    ("md", """
# 06 · Inside the IR: how a transform rewrites a program

Every tracegrad transform is a function from IR to IR. Reverse mode is not written by hand:
it is three small transforms in a row (the route of JAX's *autodidax*):

1. **jvp**: for each equation, add the equations of its tangent (forward mode);
2. **partial eval**: split that program by dependency into the part that needs only the
   inputs (the primal computation, producing *residuals*) and the part that reads tangents,
   which is linear in them;
3. **transpose**: run the linear part backwards, turning tangents into cotangents.

Then clean-up passes (`dce`, `cse`, `simplify`) remove what the rules left behind. This
notebook runs each step on a small program, prints the IR, and counts equations beside
`jax.make_jaxpr`'s for the same functions.
"""),
    ("code", """
import numpy as np
import jax
import jax.numpy as jnp
from IPython.display import Image
from tracegrad.tracer import eval_ir, make_ir
from tracegrad.tracer.dot import render_dot, to_dot
from tracegrad.tracer.passes import cse, dce, optimize, simplify
from tracegrad.transforms import grad, hessian, jvp_ir, partial_eval, transpose_ir

jax.config.update("jax_enable_x64", True)   # compare float64 programs with float64 programs
"""),
    ("md", """
## The program

A one-layer network's loss: $L(x, W) = \\sum \\tanh(xW)^2$.
"""),
    ("code", """
def loss(x, W):
    return np.sum(np.tanh(x @ W) ** 2)

x = np.linspace(-1, 1, 6).reshape(2, 3)
W = np.linspace(0, 1, 12).reshape(3, 4)
ir = make_ir(loss)(x, W)
print(ir)
"""),
    ("md", """
## 1. jvp: tangents alongside

The JVP program takes the inputs **and one tangent per input** (`c`, `d` below) and returns
the output and its tangent. `tanh`'s rule adds $(1 + \\tanh)(1 - \\tanh)$; `dot_general`'s
adds one product per tangent.
"""),
    ("code", """
jvp_prog, nonzero = jvp_ir(ir, (True, True))
print(jvp_prog)
"""),
    ("md", """
## 2. partial eval: known and linear parts

Inputs are known, tangents unknown. Every equation that reads a tangent (directly or not)
goes to the linear part; the rest is the primal program, whose intermediate values needed
later become its outputs: the residuals.
"""),
    ("code", """
known, linear, n_res = partial_eval(jvp_prog, (True, True, False, False))
print("known part (inputs -> residuals):")
print(known)
print(f"\\nlinear part ({n_res} residuals, then the tangents -> output tangent):")
print(linear)
"""),
    ("md", """
## 3. transpose: the backward program

Transposing the linear part with respect to the tangents gives a program from the
residuals and an output cotangent to the input cotangents: the gradient.
"""),
    ("code", """
linear_in = (False,) * n_res + (True, True)
backward, nonzero_ct = transpose_ir(linear, linear_in)
print(backward)
Image(render_dot(to_dot(backward, title="transpose(linear part)")))
"""),
    ("md", """
The three pieces compose into reverse mode. Evaluate the known part on the inputs to get
the residuals, then the backward program on the residuals and one cotangent per output of
the linear part: that part also passes the loss itself through (a known value, whose
cotangent is ignored), then the loss's tangent, whose cotangent is 1. The result is the
gradient, as `grad` computes it.
"""),
    ("code", """
residuals = eval_ir(known, x, W)
dx, dW = eval_ir(backward, *residuals, 0.0, 1.0)
gx, gW = grad(loss, argnums=(0, 1))(x, W)
print(np.allclose(dx, gx), np.allclose(dW, gW))
"""),
    ("md", """
## Clean-up passes

`dce` drops equations whose results are unused, `cse` merges repeated ones, `simplify`
rewrites `mul x 1`, `add x 0`, zeros and foldable constants. On a small program with all
three kinds of waste:
"""),
    ("code", """
def wasteful(x):
    unused = np.cos(x)              # dead code
    a = np.sin(x) * 1.0 + 0.0       # identities
    b = np.sin(x)                   # a repeat
    return a * b

w_ir = make_ir(wasteful)(np.arange(3.0))
print(w_ir)
passes = [("dce", dce), ("cse", cse), ("simplify", simplify), ("optimize (all)", optimize)]
for name, p in passes:
    print(f"{name}: {len(w_ir.eqns)} -> {len(p(w_ir).eqns)} equations")
print(optimize(w_ir))
"""),
    ("md", """
## Equation counts beside `jax.make_jaxpr`

The same functions in `jax.numpy`; JAX's counts include the equations inside nested jaxprs
(`pjit`, `custom_jvp_call`), counted with an explicit stack. The table is whatever the cell
computes on the current code. A Hessian is `jacfwd(jacrev(f))`, and like JAX, tracegrad
builds each Jacobian as ONE batched (`vmap`) copy of the derivative program rather than a
copy per basis vector; the identity basis enters tracegrad's IR as a constant, where JAX
builds it with equations. A count measures the size of a program, not its speed.
"""),
    ("code", """
def count_jaxpr(closed) -> int:
    stack, n = [closed.jaxpr], 0
    while stack:
        jaxpr = stack.pop()
        for eqn in jaxpr.eqns:
            n += 1
            for v in eqn.params.values():
                for sub in (v if isinstance(v, (tuple, list)) else (v,)):
                    if hasattr(sub, "jaxpr") and hasattr(sub.jaxpr, "eqns"):
                        stack.append(sub.jaxpr)
                    elif hasattr(sub, "eqns"):
                        stack.append(sub)
    return n

def loss_jax(x, W):
    return jnp.sum(jnp.tanh(x @ W) ** 2)

rows = [
    ("loss", make_ir(loss)(x, W), jax.make_jaxpr(loss_jax)(x, W)),
    ("grad(loss)", make_ir(grad(loss, argnums=(0, 1)))(x, W),
     jax.make_jaxpr(jax.grad(loss_jax, argnums=(0, 1)))(x, W)),
    ("hessian(loss) wrt x", make_ir(hessian(loss))(x, W),
     jax.make_jaxpr(jax.hessian(loss_jax))(x, W)),
]
print(f"{'program':<22}{'tracegrad':>10}{'optimized':>11}{'jax':>6}")
for name, closed, jaxpr in rows:
    print(f"{name:<22}{len(closed.eqns):>10}{len(optimize(closed).eqns):>11}{count_jaxpr(jaxpr):>6}")
"""),
    ("md", """
The gradient program printed in full, after `optimize`:
"""),
    ("code", """
print(optimize(make_ir(grad(loss, argnums=(0, 1)))(x, W)))
"""),
]
