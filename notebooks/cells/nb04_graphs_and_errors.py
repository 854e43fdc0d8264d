"""Cells of 04_graphs_and_errors: seeds 002 and 003 (backward(gradient), graphs, two errors)."""

CELLS = [
    ("md", """
# 04 · Computation graphs, `backward(gradient)` and two errors

Seed `002` explains the `gradient` argument of `backward` as the weights of a
Jacobian-vector product; seed `003` draws a computation graph $x \\to y \\to z \\to m$ and
shows the two errors beginners meet: backward of a non-scalar, and backward twice through
a freed graph. Here both run on tracegrad's PyTorch shim, and the graphs are drawn from the
shim's recorded graph and from tracegrad's IR with `to_dot` (Graphviz DOT text, rendered
with the `dot` program of the system package `graphviz`).
"""),
    ("code", """
import numpy as np
from IPython.display import Image
import tracegrad.interop.torch as shim
from tracegrad.interop.torch.viz import to_dot as tensor_to_dot
from tracegrad.tracer import make_ir
from tracegrad.tracer.dot import render_dot, to_dot
from tracegrad.transforms import grad, jacrev, vjp

with shim.as_torch():   # inside the block, `import torch` gives the shim
    import torch
"""),
    ("md", """
## A scalar backward (seed 002)

$out = \\frac14 \\sum_i (x_i + 2)^2$ at $x_i = 1$:
$\\partial out / \\partial x_i = (x_i + 2)/2 = 1.5$.
"""),
    ("code", """
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y
out = z.mean()
out.backward()
print("x.grad:{}".format(x.grad))
"""),
    ("md", """
## The `gradient` argument: a weighted sum of Jacobian rows

$$y_1 = x_1^2 + 2x_2 + x_3,\\quad y_2 = x_1 + x_2^3 + x_3^2,\\quad y_3 = 2x_1 + x_2^2 + x_3^3$$

$$J = \\begin{pmatrix} 2x_1 & 2 & 1 \\\\ 1 & 3x_2^2 & 2x_3 \\\\ 2 & 2x_2 & 3x_3^2 \\end{pmatrix}$$

`y.backward(v)` computes $v^\\top J$. The tutorial's text weights the rows with
$v = (3, 2, 1)$ and gets $(10, 34, 42)$ at $x = (1, 2, 3)$; its code then passes
`torch.ones(3)`, which gives the column sums $(5, 18, 34)$. Both below. The tutorial fills
`y` by index assignment into a random vector (`CopySlices` in PyTorch); the result does
not depend on the random values, which are overwritten.
"""),
    ("code", """
def seed_002(weights):
    x1 = torch.tensor(1, requires_grad=True, dtype=torch.float)
    x2 = torch.tensor(2, requires_grad=True, dtype=torch.float)
    x3 = torch.tensor(3, requires_grad=True, dtype=torch.float)
    y = torch.randn(3)  # produce a random vector for vector function define
    y[0] = x1 ** 2 + 2 * x2 + x3  # define each vector function
    y[1] = x1 + x2 ** 3 + x3 ** 2
    y[2] = 2 * x1 + x2 ** 2 + x3 ** 3
    y.backward(weights)
    return y, (x1.grad, x2.grad, x3.grad)

print(seed_002(torch.tensor([3.0, 2.0, 1.0])))
print(seed_002(torch.ones(3)))
"""),
    ("code", """
# Functional: the whole Jacobian with jacrev, and v^T J with vjp.
def F(x):
    x1, x2, x3 = x[0], x[1], x[2]
    return np.stack([x1 ** 2 + 2 * x2 + x3, x1 + x2 ** 3 + x3 ** 2, 2 * x1 + x2 ** 2 + x3 ** 3])

x0 = np.array([1.0, 2.0, 3.0])
J = jacrev(F)(x0)
print(J)
print(np.array([3.0, 2.0, 1.0]) @ J)
_, pullback = vjp(F, x0)
print(pullback(np.array([3.0, 2.0, 1.0])))
"""),
    ("md", """
## The graph $x \\to y \\to z \\to m$ (seed 003)

$m = \\mathrm{mean}(2(x + 1))$ over 6 elements, so $\\partial m / \\partial x_i = 2/6 = 1/3$.
"""),
    ("code", """
x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
y = x + 1
z = 2 * y
m = torch.mean(z)
print(y.requires_grad, m)
m.backward(retain_graph=True)
x.grad
"""),
    ("md", """
`tracegrad.interop.torch.viz.to_dot(m)` draws what the shim recorded, in the style of
torchviz: one node per backward function (`MeanBackward0`, `MulBackward0`, ...) and an
`AccumulateGrad` node for the leaf `x`; `names=` labels tensors with their variable names.
"""),
    ("code", """
Image(render_dot(tensor_to_dot(m, names={"x": x, "y": y, "z": z, "m": m})))
"""),
    ("md", """
The same program as tracegrad IR: variables are ellipses (`name:type`), equations boxes.
Then the IR of its gradient, which is what `m.backward()` evaluates.
"""),
    ("code", """
def xyzm(x):
    y = x + 1
    z = 2 * y
    return np.mean(z)

x0 = np.array([[1., 2., 3.], [4., 5., 6.]])
ir = make_ir(xyzm)(x0)
print(ir)
Image(render_dot(to_dot(ir, rankdir="LR")))
"""),
    ("code", """
grad_ir = make_ir(grad(xyzm))(x0)
print(grad_ir)
Image(render_dot(to_dot(grad_ir, rankdir="LR")))
"""),
    ("md", """
## Error 1: backward of a non-scalar

`z` has 6 elements: `backward()` needs the weights (`gradient=`), and PyTorch says so.
"""),
    ("code", """
try:
    z.backward()
except RuntimeError as e:
    print("RuntimeError:", e)
"""),
    ("md", """
## Error 2: backward twice through a freed graph

The first call above kept the graph (`retain_graph=True`); a second call without it frees
the saved values, and a third raises.
"""),
    ("code", """
m.backward()
try:
    m.backward()
except RuntimeError as e:
    print("RuntimeError:", e)
"""),
    ("code", """
# Rebuilding the graph, with retain_graph=True the first time, works, as the tutorial says.
x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
y = x + 1
z = 2 * y
m = torch.mean(z)
m.backward(retain_graph=True)
m.backward()
x.grad   # two backward passes: 1/3 accumulated twice
"""),
    ("md", """
The functional API has no graph to free: `grad(f)` can be called any number of times. Its
errors are JAX's: a non-scalar output is a `TypeError` naming `jacrev`/`vjp`.
"""),
    ("code", """
try:
    grad(lambda x: 2 * (x + 1))(x0)
except TypeError as e:
    print("TypeError:", e)
"""),
]
