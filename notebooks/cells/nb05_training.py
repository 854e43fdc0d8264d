"""Cells of 05_training: seed 004 (linear regression, an MLP with nn/optim), then functional."""

CELLS = [
    ("md", """
# 05 · Training: `nn` and `optim` on the shim, then the same model functionally

Seed `004` walks through one gradient-descent step of a linear regression by hand, then
trains a small MLP with `torch.nn` and `torch.optim`. Both run here on tracegrad's PyTorch
shim. Then the same MLP is written as a plain NumPy function of a parameter dict and trained
with `value_and_grad`, from the same initial weights: the two loss curves coincide.
"""),
    ("code", """
%matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
import tracegrad.interop.torch as shim
from tracegrad.transforms import value_and_grad

with shim.as_torch():   # inside the block, `import torch` gives the shim
    import torch
    import torch.nn as nn
    import torch.optim as optim
"""),
    ("md", """
## One step of linear regression, by hand

$\\hat y = xw + b$, $L = \\sum (\\hat y - y)^2$. With $x = (1, 2)$, $w = 2$, $b = 0.5$ and
targets $(2, 4)$ the residuals are $(0.5, 0.5)$, so $\\partial L / \\partial w = 2(0.5 \\cdot 1 +
0.5 \\cdot 2) = 3$ and $\\partial L / \\partial b = 2$. The seed zeroes the gradients before
printing them.
"""),
    ("code", """
x = torch.tensor([[1.0], [2.0]], requires_grad=True)
w = torch.tensor([[2.0]], requires_grad=True)
b = torch.tensor([[0.5]], requires_grad=True)

y_pred = torch.mm(x, w) + b
y = torch.tensor([[2.0], [4.0]])
loss = (y_pred - y).pow(2).sum()
loss.backward()
print('loss:', loss.item(), ' dL/dw:', w.grad.item(), ' dL/db:', b.grad.item())

learning_rate = 0.01
with torch.no_grad():
    w -= learning_rate * w.grad
    b -= learning_rate * b.grad
    w.grad.zero_()
    b.grad.zero_()

print('Gradient of w:', w.grad)
print('Gradient of b:', b.grad)
print('Updated w:', w)
print('Updated b:', b)
"""),
    ("md", """
## An MLP with `nn.Module`, `nn.MSELoss` and `optim.SGD`
"""),
    ("code", """
class SimpleMLP(nn.Module):
    def __init__(self):
        super(SimpleMLP, self).__init__()
        self.linear1 = nn.Linear(1, 10)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(10, 1)

    def forward(self, x):
        x = self.linear1(x)
        x = self.relu(x)
        x = self.linear2(x)
        return x

torch.manual_seed(0)
model = SimpleMLP()
# Keep the initial weights, to start the functional version from the same point.
init = {name: p.detach().numpy().copy() for name, p in model.named_parameters()}

criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)

inputs = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=False)
targets = torch.tensor([[2.0], [4.0], [6.0]], requires_grad=False)

shim_losses = []
for epoch in range(100):
    optimizer.zero_grad()
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    loss.backward()
    optimizer.step()
    shim_losses.append(loss.item())

print('Final Loss:', loss.item())
"""),
    ("md", """
## The same MLP, functionally

Parameters are a dict of arrays (a pytree); the model is plain NumPy; `value_and_grad`
returns the loss and the gradient dict in one pass; the SGD step is a dict comprehension.
`nn.Linear` computes $x W^\\top + b$, so the weights are used as they are.
"""),
    ("code", """
def mlp(params, x):
    h = np.maximum(x @ params["linear1.weight"].T + params["linear1.bias"], 0.0)
    return h @ params["linear2.weight"].T + params["linear2.bias"]

def mse(params, x, y):
    return np.mean((mlp(params, x) - y) ** 2)

loss_and_grad = value_and_grad(mse)
params = dict(init)
X = np.array([[1.0], [2.0], [3.0]], dtype=np.float32)
Y = np.array([[2.0], [4.0], [6.0]], dtype=np.float32)

functional_losses = []
for epoch in range(100):
    value, grads = loss_and_grad(params, X, Y)
    params = {k: params[k] - 0.01 * grads[k] for k in params}
    functional_losses.append(float(value))

print('Final Loss:', functional_losses[-1])
print('largest difference between the curves:',
      max(abs(a - b) for a, b in zip(shim_losses, functional_losses)))
"""),
    ("code", """
plt.figure(figsize=(6, 3.5))
plt.semilogy(shim_losses, label="nn + optim on the shim")
plt.semilogy(functional_losses, ":", lw=3, label="functional value_and_grad")
plt.xlabel("epoch")
plt.ylabel("MSE loss")
plt.legend()
plt.show()
"""),
]
