"""The tracegrad demo: an IR, a gradient, a Hessian and a PyTorch-style backward.

Run it with ``tracegrad-demo`` or ``python -m tracegrad.interop.demo``.
"""

from __future__ import annotations

import numpy as np


def main() -> None:
    """Print the demo; ``main()`` takes no arguments and needs only NumPy."""
    from tracegrad.tracer import make_ir
    from tracegrad.transforms import grad, hessian

    from . import torch

    def f(x):
        return np.sum(np.sin(x) ** 2)

    x = np.array([0.5, 1.0, 2.0])
    print("f(x) = np.sum(np.sin(x) ** 2), traced into the IR:")
    print(make_ir(f)(x))
    print("\nthe gradient program, make_ir(grad(f)):")
    print(make_ir(grad(f))(x))
    print("\ngrad(f)(x)    =", grad(f)(x))
    print("2 sin x cos x =", 2 * np.sin(x) * np.cos(x))
    print("\nhessian(f)(x) =")
    print(hessian(f)(x))

    print("\nthe same function through the PyTorch-compatible shim:")
    t = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = (torch.sin(t) ** 2).sum()
    print("y =", y)
    y.backward()
    print("t.grad =", t.grad)


if __name__ == "__main__":
    main()
