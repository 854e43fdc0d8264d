"""Cells of 03_autograd_chapter: seed 001 (the d2l autograd chapter) through the shim."""

CELLS = [
    ("md", """
# 03 · The autograd chapter

The "automatic differentiation" chapter of *Dive into Deep Learning* (seed `001`), cell by
cell on tracegrad's PyTorch shim: the gradient of $y = 2x^\\top x$, clearing gradients,
backward of a non-scalar, `detach`, differentiating through Python control flow, and a plot
of $\\sin x$ with its derivative computed by autodiff. Each step is followed by the same
computation in the functional API.
"""),
    ("code", """
%matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
import tracegrad.interop.torch as shim
from tracegrad.transforms import grad, vjp

with shim.as_torch():   # inside the block, `import torch` gives the shim
    import torch
"""),
    ("md", """
## The gradient of $y = 2x^\\top x$ is $4x$
"""),
    ("code", """
x = torch.arange(4.0)
x.requires_grad_(True)
print(x.grad)
y = 2 * torch.dot(x, x)
y
"""),
    ("code", """
y.backward()
x.grad
"""),
    ("code", """
x.grad == 4 * x
"""),
    ("code", """
# Functional
grad(lambda x: 2 * np.dot(x, x))(np.arange(4.0))
"""),
    ("md", """
## Gradients accumulate: clear them with `zero_()`
"""),
    ("code", """
x.grad.zero_()
y = x.sum()
y.backward()
x.grad
"""),
    ("md", """
## Backward of a non-scalar

`y.sum().backward()` is `y.backward(torch.ones(len(x)))`: the sum of the partial derivatives.
"""),
    ("code", """
x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)
x.grad == 2 * x
"""),
    ("md", """
## Detaching computation

`u = y.detach()` has `y`'s values but no history: $z = u \\cdot x$ is differentiated with
$u$ held constant, so $dz/dx = u$. The graph of `y` itself is still there.
"""),
    ("code", """
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
x.grad == u
"""),
    ("code", """
x.grad.zero_()
y.sum().backward()
x.grad == 2 * x
"""),
    ("code", """
# Functional: stop_gradient plays detach's part.
from tracegrad.transforms import stop_gradient
xs = np.arange(4.0)
print(grad(lambda x: np.sum(stop_gradient(x * x) * x))(xs), xs * xs)
"""),
    ("md", """
## Python control flow

`f` doubles until the norm passes 1000 and branches on the sign: the recorded graph is the
path actually taken, so $f(a) = k a$ for some $k$ and the gradient is $d / a$.
"""),
    ("code", """
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

torch.manual_seed(0)
a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
print(a, a.grad)
a.grad == d / a
"""),
    ("code", """
# Functional: the same function in NumPy, differentiated with grad.
def f_np(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return c

a0 = -0.37
print(grad(f_np)(a0), f_np(a0) / a0)
"""),
    ("md", """
## Plot $\\sin x$ and its derivative, without writing $\\cos x$
"""),
    ("code", """
x = torch.arange(0.0, 10, 0.1)
x.requires_grad_(True)
x1 = x.detach()
y1 = torch.sin(x1)
y2 = torch.sin(x)
y2.sum().backward()

plt.figure(figsize=(6, 3.5))
plt.plot(x1, y1, label='y=sin(x)')
plt.plot(x1, x.grad, label='dy/dx (shim backward)')
xs = np.arange(0.0, 10, 0.1)
plt.plot(xs, grad(lambda x: np.sum(np.sin(x)))(xs), ':', lw=3, label='dy/dx (functional grad)')
plt.xlabel('x')
plt.ylabel('y')
plt.legend(loc='lower left')
plt.show()
print("max |dy/dx - cos x| =", float(np.max(np.abs(x.grad.numpy() - np.cos(x1.numpy())))))
"""),
]
