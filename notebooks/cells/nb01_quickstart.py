"""Cells of 01_quickstart: grad, make_ir of a function and of its gradient, hessian."""

CELLS = [
    ("md", """
# 01 · Quickstart

tracegrad differentiates **plain NumPy code**. Calling a transform such as `grad` traces
your function into a small typed program (the IR, printed like a jaxpr), rewrites that
program, and evaluates the result. This notebook shows the three things to know:

1. `grad`, `value_and_grad`, `hessian`: functions in, functions out (JAX's API);
2. `make_ir`: the program tracegrad traced, for a function and for its gradient;
3. Python control flow and NumPy calls work as you wrote them.
"""),
    ("code", """
import numpy as np
from IPython.display import Image
from tracegrad.tracer import make_ir
from tracegrad.tracer.dot import render_dot, to_dot
from tracegrad.transforms import grad, hessian, jacfwd, value_and_grad
"""),
    ("md", """
## A NumPy function and its gradient

`f` is ordinary NumPy; called on arrays it computes a number, as always.
"""),
    ("code", """
def f(x):
    return np.sum(np.tanh(x) ** 2) + np.sin(x[0]) * x[1]

x = np.array([0.5, -1.0, 2.0])
f(x)
"""),
    ("code", """
df = grad(f)
df(x)
"""),
    ("md", """
By hand: $\\partial f / \\partial x_i = 2\\tanh x_i (1 - \\tanh^2 x_i)$, plus
$\\cos(x_0)\\,x_1$ on $x_0$ and $\\sin(x_0)$ on $x_1$.
"""),
    ("code", """
t = np.tanh(x)
by_hand = 2 * t * (1 - t ** 2) + np.array([np.cos(x[0]) * x[1], np.sin(x[0]), 0.0])
print(by_hand)
print(np.allclose(df(x), by_hand))
"""),
    ("md", """
`grad` is also a decorator, and `value_and_grad` returns both in one pass.
"""),
    ("code", """
@grad
def slope(x):
    return x * np.sin(x)

print(slope(1.0), np.sin(1.0) + np.cos(1.0))
print(value_and_grad(f)(x))
"""),
    ("md", """
## The IR: what tracegrad traced

`make_ir(f)(x)` runs `f` on tracers and returns the program it recorded: typed variables
(`a:f64[3]` is a float64 vector of 3) and one equation per primitive operation, with its
parameters in brackets. Indexing, `**2` and `np.sum` each became primitives.
"""),
    ("code", """
print(make_ir(f)(x))
"""),
    ("md", """
The gradient is a program too: `make_ir(grad(f))` shows the forward equations, then the
backward ones that the vjp transform wrote (derivatives are built from the same primitives,
so they can be differentiated again).
"""),
    ("code", """
grad_ir = make_ir(grad(f))(x)
print(grad_ir)
print(len(make_ir(f)(x).eqns), "equations in f,", len(grad_ir.eqns), "in grad(f)")
"""),
    ("md", """
`to_dot` draws an IR with Graphviz: inputs blue, outputs green, equations as boxes.
"""),
    ("code", """
Image(render_dot(to_dot(make_ir(f)(x), rankdir="LR")))
"""),
    ("md", """
## Higher order: `grad(grad(...))`, `hessian`

Transforms compose: the second derivative of $x \\sin x$ is $2\\cos x - x \\sin x$; the Hessian
of `f` is symmetric and equals the Jacobian of its gradient.
"""),
    ("code", """
print(grad(grad(lambda x: x * np.sin(x)))(1.0), 2 * np.cos(1.0) - np.sin(1.0))
H = hessian(f)(x)
print(H)
print("symmetric:", np.allclose(H, H.T))
print("equals jacfwd(grad(f)):", np.allclose(H, jacfwd(grad(f))(x)))
"""),
    ("md", """
## Python control flow

Inputs are concrete values while tracing, so `if` and `while` on them work: the IR is the
path actually taken, exactly as PyTorch records it.
"""),
    ("code", """
def g(x):
    while np.sum(x ** 2) < 100.0:
        x = 2.0 * x
    return np.sum(x) if x[0] > 0 else -np.sum(x)

print(grad(g)(np.array([1.0, 2.0])))     # doubled 3 times: 8 * ones
print(grad(g)(np.array([-1.0, 2.0])))    # the other branch: -8 * ones
print(make_ir(g)(np.array([1.0, 2.0])))
"""),
    ("md", """
The comparisons that steered the loop and the branch (`lt`, `gt`) are in the IR too; no
output depends on them, so the dead-code pass removes them (more passes in notebook 06):
"""),
    ("code", """
from tracegrad.tracer.passes import dce
print(dce(make_ir(g)(np.array([1.0, 2.0]))))
"""),
]
