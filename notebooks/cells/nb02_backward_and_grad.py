"""Cells of 02_backward_and_grad: seed 000 (torch.autograd.backward / grad) through the shim."""

CELLS = [
    ("md", """
# 02 · `backward()` and `autograd.grad()` the PyTorch way

This notebook replays a whole PyTorch tutorial on `torch.autograd.backward()` and
`torch.autograd.grad()` (seed `000`: basic use, non-scalar outputs with `grad_tensors`,
`retain_graph`, `inputs=`, `create_graph`, `grad_outputs`, several inputs and outputs,
`allow_unused`). Every PyTorch cell runs on **tracegrad's PyTorch shim**: the same
`Tensor.backward()` semantics, computed by tracing the recorded graph into tracegrad's IR
and applying its vjp transform. Next to each one, the same program in tracegrad's
**functional API** (`grad`, `vjp`, JAX style): functions in, functions out, no `.grad` state.

Three of the tutorial's printed comments are wrong; the cells below show what PyTorch
really prints (checked against real PyTorch 2.13 in `tests/test_notebooks.py`) and say so.
"""),
    ("code", """
import numpy as np
import tracegrad.interop.torch as shim
from tracegrad.transforms import grad, vjp

with shim.as_torch():   # inside the block, `import torch` gives the shim
    import torch
print(torch.__name__)
"""),
    ("md", """
## `torch.autograd.backward()`: basic use

$y = x^2$ at $x = 2$: $dy/dx = 2x = 4$, accumulated into the leaf's `.grad`.
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
y = x ** 2
torch.autograd.backward(y)
print(x.grad)
"""),
    ("code", """
# Functional: grad(f) is the derivative, a plain function.
print(grad(lambda x: x ** 2)(2.0))
"""),
    ("md", """
## Non-scalar outputs: `grad_tensors`

For a vector $y$, `backward` needs the weights $v$ of the vector-Jacobian product
$v^\\top J$. With $v = (1, 1, 1)$ and $y = x^2$ this is $2x$.
"""),
    ("code", """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
grad_tensors = torch.tensor([1.0, 1.0, 1.0])
torch.autograd.backward(y, grad_tensors=grad_tensors)
print(x.grad)
"""),
    ("code", """
# Functional: vjp returns the outputs and a function pulling weights back.
y, pullback = vjp(lambda x: x ** 2, np.array([1.0, 2.0, 3.0]))
print(pullback(np.ones(3)))
"""),
    ("md", """
## `retain_graph`: backward twice

Without `retain_graph=True` the first backward frees the graph's saved values. Twice through
the same graph *accumulates*: $12 + 12 = 24$.
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
torch.autograd.backward(y, retain_graph=True)
print(x.grad)
torch.autograd.backward(y, retain_graph=True)
print(x.grad)
"""),
    ("code", """
# Without retain_graph the second backward raises PyTorch's error.
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
torch.autograd.backward(y)
try:
    torch.autograd.backward(y)
except RuntimeError as e:
    print("RuntimeError:", e)
"""),
    ("code", """
# Functional: nothing is stored, nothing accumulates; adding is explicit.
df = grad(lambda x: x ** 3)
print(df(2.0), df(2.0) + df(2.0))
"""),
    ("md", """
## `inputs=`: only some leaves get a gradient
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
z = torch.tensor(3.0, requires_grad=True)
y = x ** 2 + z ** 3
torch.autograd.backward(y, inputs=[x])
print(x.grad)
print(z.grad)
"""),
    ("code", """
# Functional: argnums picks the arguments to differentiate.
print(grad(lambda x, z: x ** 2 + z ** 3, argnums=0)(2.0, 3.0))
"""),
    ("md", """
## `create_graph`: higher-order gradients

**The tutorial's comment says 18 here; PyTorch prints 24.** With `create_graph=True`,
`x.grad` is itself a differentiable tensor $3x^2 = 12$. `x_grad.backward()` then adds
$d(3x^2)/dx = 6x = 12$ into `x.grad` — which *is* `x_grad` — giving $12 + 12 = 24$.
(The second derivative alone is $6x = 12$; 18 is neither.) PyTorch also warns that
`backward(create_graph=True)` ties the parameter and its gradient in a reference cycle and
recommends `autograd.grad`; the shim gives the same warning.
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
torch.autograd.backward(y, create_graph=True)
print(x.grad)
x_grad = x.grad
x_grad.backward()
print(x.grad)
"""),
    ("code", """
# Functional: the second derivative is grad applied twice.
print(grad(grad(lambda x: x ** 3))(2.0))
"""),
    ("md", """
## `torch.autograd.backward()` vs `y.backward()`

`y.backward(gradient)` is `torch.autograd.backward(y, gradient)` for one tensor; the function
form also takes several roots at once, each with its weight, and `inputs=`.
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
z = torch.tensor(3.0, requires_grad=True)
y1 = x ** 2 + z ** 3
y2 = x * z
torch.autograd.backward([y1, y2], grad_tensors=[torch.tensor(1.0), torch.tensor(1.0)])
print(x.grad, z.grad)
x.grad = None
y = x ** 2
y.backward()
print(x.grad)
"""),
    ("md", """
## `torch.autograd.grad()`: gradients returned, `.grad` untouched
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
y = x ** 2
g = torch.autograd.grad(y, x)
print(g)
print(x.grad)
"""),
    ("code", """
print(grad(lambda x: x ** 2)(2.0))
"""),
    ("md", """
### Non-scalar outputs: `grad_outputs`
"""),
    ("code", """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
grad_outputs = torch.tensor([1.0, 1.0, 1.0])
print(torch.autograd.grad(y, x, grad_outputs=grad_outputs))
"""),
    ("code", """
_, pullback = vjp(lambda x: x ** 2, np.array([1.0, 2.0, 3.0]))
print(pullback(np.ones(3)))
"""),
    ("md", """
### Higher order with `create_graph=True`

**The tutorial's comment says `(6.0,)`; PyTorch prints `(tensor(12.),)`**: the second
derivative of $x^3$ is $6x$, which is 12 at $x = 2$.
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
g = torch.autograd.grad(y, x, create_graph=True)
print(g)
g2 = torch.autograd.grad(g[0], x)
print(g2)
"""),
    ("code", """
print(grad(lambda x: x ** 3)(2.0), grad(grad(lambda x: x ** 3))(2.0))
"""),
    ("md", """
### Several inputs and outputs

**The tutorial's comment says `(7.0, 11.0)`; PyTorch prints `(tensor(7.), tensor(29.))`.**
With $y_1 = x^2 + z^3$, $y_2 = xz$ and unit weights:
$\\partial/\\partial x = 2x + z = 7$ and $\\partial/\\partial z = 3z^2 + x = 29$ at $(2, 3)$.
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
z = torch.tensor(3.0, requires_grad=True)
y1 = x ** 2 + z ** 3
y2 = x * z
grads = torch.autograd.grad([y1, y2], [x, z],
                            grad_outputs=[torch.tensor(1.0), torch.tensor(1.0)])
print(grads)
"""),
    ("code", """
# Functional: one function with two outputs, pulled back with weights (1, 1).
(y1, y2), pullback = vjp(lambda x, z: (x ** 2 + z ** 3, x * z), 2.0, 3.0)
print(pullback((1.0, 1.0)))
"""),
    ("md", """
### Unused inputs: `allow_unused`

PyTorch refuses an input the outputs do not depend on, unless `allow_unused=True`, and then
returns `None` for it. The functional API (like JAX) returns a zero instead.
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
z = torch.tensor(3.0, requires_grad=True)
y = x ** 2
print(torch.autograd.grad(y, [x, z], allow_unused=True))
try:
    torch.autograd.grad(x ** 2, [x, z])
except RuntimeError as e:
    print("RuntimeError:", e)
"""),
    ("code", """
print(grad(lambda x, z: x ** 2, argnums=(0, 1))(2.0, 3.0))
"""),
    ("md", """
### `retain_graph` with `autograd.grad`
"""),
    ("code", """
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
print(torch.autograd.grad(y, x, retain_graph=True))
print(torch.autograd.grad(y, x))
"""),
    ("md", """
## The tutorial as a script, unmodified

`python -m tracegrad.interop.torch script.py` runs a PyTorch script on the shim without
changing a line. Here is the tutorial's code, its comments included, as one script (the
comments are the tutorial's; the printed values are PyTorch's; `-W ignore` silences the
`create_graph` warning shown above):
"""),
    ("code", r'''
import subprocess, sys, tempfile, textwrap, os

script = textwrap.dedent("""
    import torch
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 2
    torch.autograd.backward(y)
    print(x.grad)  # 输出:4.0
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    torch.autograd.backward(y, create_graph=True)
    x_grad = x.grad
    x_grad.backward()
    print(x.grad)  # 输出:18.0 (the tutorial's comment)
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    grad = torch.autograd.grad(y, x, create_graph=True)
    grad2 = torch.autograd.grad(grad[0], x)
    print(grad2)  # 输出:(6.0,) (the tutorial's comment)
    x = torch.tensor(2.0, requires_grad=True)
    z = torch.tensor(3.0, requires_grad=True)
    y1 = x ** 2 + z ** 3
    y2 = x * z
    grads = torch.autograd.grad([y1, y2], [x, z],
                                grad_outputs=[torch.tensor(1.0), torch.tensor(1.0)])
    print(grads)  # 输出:(7.0, 11.0) (the tutorial's comment)
""")
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "seed000.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(script)
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", "tracegrad.interop.torch", path],
                          capture_output=True, text=True)
print(done.stdout, done.stderr)
'''),
    ("md", """
## Summary

| tutorial | PyTorch (and the shim) | functional |
| --- | --- | --- |
| `backward(y)` accumulates into `.grad` | same | `grad(f)(x)` returns it |
| `grad_tensors` / `grad_outputs` | same | `vjp(f, x)[1](v)` |
| `retain_graph=True` | same; without it a 2nd pass raises | nothing to retain |
| `create_graph=True` → 18 / `(6.0,)` | **24** / **`(tensor(12.),)`** | `grad(grad(f))` = 12 |
| several inputs/outputs → `(7, 11)` | **`(7, 29)`** | `vjp` with weights `(1, 1)` |
| `allow_unused=True` → `None` | same | a zero |
"""),
]
