"""The shim prints tensors exactly as PyTorch 2.13 does (repr and str)."""

from __future__ import annotations

import pytest
import torch as real_torch
import tracegrad.interop.torch as shim_torch

CASES = [
    "torch.tensor(28.)",
    "torch.tensor(2.0, requires_grad=True)",
    "torch.tensor(2.0, requires_grad=True) * 14",
    "torch.tensor([0., 4., 8., 12.])",
    "torch.arange(4.0)",
    "torch.arange(0.0, 10, 0.1)",
    "torch.arange(0.0, 10, 0.1).requires_grad_(True)",
    "torch.tensor([0.5, 1.25, 3.0])",
    "torch.tensor([1e-5, 1.0])",
    "torch.tensor([1e9, 1.0])",
    "torch.tensor([123456789.0])",
    "torch.tensor([1.0, 2000.0])",
    "torch.tensor([1.0, 999.0])",
    "torch.tensor([0.0001, 0.5])",
    "torch.tensor([-1.5, 2.25])",
    "torch.tensor([float('nan'), 1.0, float('inf')])",
    "torch.tensor([float('nan'), 1.5])",
    "torch.tensor([float('-inf'), float('inf')])",
    "torch.tensor([0.0, -0.0])",
    "torch.tensor([[1.5, 2.0], [3.0, 4.0]])",
    "torch.ones(2, 3, requires_grad=True)",
    "torch.ones(2, 3, requires_grad=True) + 1",
    "torch.ones(2, 2, 2)",
    "torch.zeros(3, 1, 2, dtype=torch.float64)",
    "torch.tensor([1, 2, 3])",
    "torch.tensor([-10, 2, 300])",
    "torch.tensor([True, False])",
    "torch.tensor([1.0, 2.0]) == torch.tensor([1.0, 3.0])",
    "torch.tensor([1, 2], dtype=torch.int32)",
    "torch.tensor(3)",
    "torch.tensor(True)",
    "torch.tensor([1.5], dtype=torch.float64, requires_grad=True)",
    "torch.tensor(2.5, dtype=torch.float64) * torch.tensor(2.0, dtype=torch.float64, "
    "requires_grad=True)",
    "torch.tensor([])",
    "torch.zeros(0, 3)",
    "torch.zeros(2, 0)",
    "torch.arange(2000.0)",
    "torch.arange(3000).reshape(30, 100)",
    "torch.arange(2000.0).reshape(10, 200) / 7",
    "torch.linspace(0, 1, 50)",
    "torch.linspace(-1, 1, 7, dtype=torch.float64)",
    "torch.arange(60.0).reshape(3, 4, 5) / 3",
    "torch.tensor([[1e-8, 1.0], [3.0, 4.0]])",
    "torch.tensor([100000.0, 0.001])",
    "torch.tensor([12345.678, 1.5])",
    "torch.tensor(0.1) + 0.2",
    "(torch.tensor(0.1, requires_grad=True) + 0.2, )",
    "torch.tensor([3.0], requires_grad=True).sum()",
    "torch.tensor([[1.0, 2.0]], requires_grad=True).mean()",
    "torch.tensor([1.0, 2.0, 3.0]).max(0)",
    "torch.arange(12.0).reshape(3, 4).max(1)",
    "torch.tensor([1.0, 2.0], requires_grad=True).detach()",
    "torch.ones(2, 2).shape",
    "torch.float32",
    "torch.tensor([1.0]).dtype",
    "torch.tensor([1, 2]).dtype",
    "torch.tensor([[1.0, 2.0]]).size()",
    "torch.arange(30.0).reshape(1, 30) * 1000.1",
    "torch.tensor([1.0, 2.0, 3.0], requires_grad=True) ** 2",
]


@pytest.mark.parametrize("expr", CASES)
def test_repr_matches_torch(expr):
    expected = repr(eval(expr, {"torch": real_torch}))
    got = repr(eval(expr, {"torch": shim_torch}))
    assert got == expected


def test_str_and_format_match_torch():
    for torch in (real_torch, shim_torch):
        x = torch.tensor([[1.5, 2.0]])
        out = (str(x), f"{torch.tensor(2.5):.3f}", f"x.grad:{x * 2}\n",
               str(torch.tensor(3.0, requires_grad=True) * 2))
        if torch is real_torch:
            expected = out
    assert out == expected


def test_linewidth_suffix_wraps_like_torch():
    expr = "torch.arange(8.0, requires_grad=True).reshape(1, 8) * 123456.7"
    expected = repr(eval(expr, {"torch": real_torch}))
    assert repr(eval(expr, {"torch": shim_torch})) == expected
