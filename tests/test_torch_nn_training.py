"""Seed 004's training loop on the shim against real torch, weights copied across: the same
loss after 100 steps (SGD and Adam); plus a classifier with CrossEntropyLoss, and memory
staying flat over 2,000 backward passes."""

from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np
import pytest
import torch
import tracegrad.interop.torch as shim
import tracegrad.interop.torch.nn  # noqa: F401  (attribute access below)
import tracegrad.interop.torch.optim  # noqa: F401


def _simple_mlp(lib):
    nn = lib.nn

    class SimpleMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear1 = nn.Linear(1, 10)
            self.relu = nn.ReLU()
            self.linear2 = nn.Linear(10, 1)

        def forward(self, x):
            x = self.linear1(x)
            x = self.relu(x)
            x = self.linear2(x)
            return x

    return SimpleMLP()


def _copy_weights(src, dst) -> None:
    """torch model -> shim model, through the state dict (NumPy arrays in between)."""
    dst.load_state_dict({k: shim.tensor(v.detach().numpy().copy())
                         for k, v in src.state_dict().items()})


def _train(lib, model, make_opt, steps: int = 100) -> list[float]:
    criterion = lib.nn.MSELoss()
    optimizer = make_opt(lib, model.parameters())
    inputs = lib.tensor([[1.0], [2.0], [3.0]], requires_grad=False)
    targets = lib.tensor([[2.0], [4.0], [6.0]], requires_grad=False)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("opt", ["sgd", "sgd_momentum", "adam"])
def test_seed004_loop_matches_torch(seed, opt):
    makers = {
        "sgd": lambda lib, p: lib.optim.SGD(p, lr=0.01),
        "sgd_momentum": lambda lib, p: lib.optim.SGD(p, lr=0.01, momentum=0.9,
                                                     weight_decay=1e-3),
        "adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
    }
    torch.manual_seed(seed)
    ref = _simple_mlp(torch)
    mine = _simple_mlp(shim)
    _copy_weights(ref, mine)
    expected = _train(torch, ref, makers[opt])
    got = _train(shim, mine, makers[opt])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert abs(got[-1] - expected[-1]) <= 1e-5 * max(1.0, abs(expected[-1]))
    for (k, a), (k2, b) in zip(ref.state_dict().items(), mine.state_dict().items()):
        assert k == k2
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-4, atol=1e-5)


def test_seed004_final_print_form():
    """The seed prints 'Final Loss:' with loss.item(), a Python float on both sides."""
    mine = _simple_mlp(shim)
    losses = _train(shim, mine, lambda lib, p: lib.optim.SGD(p, lr=0.01), steps=3)
    assert all(isinstance(v, float) for v in losses)


def test_classifier_cross_entropy_adam_matches_torch():
    torch.manual_seed(3)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    mine = shim.nn.Sequential(shim.nn.Linear(4, 16), shim.nn.Tanh(), shim.nn.Linear(16, 3))
    _copy_weights(ref, mine)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=32)
    results = []
    for lib, model in ((torch, ref), (shim, mine)):
        opt = lib.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
        loss_fn = lib.nn.CrossEntropyLoss()
        xs, ys = lib.tensor(x), lib.tensor(y)
        losses = []
        for _ in range(50):
            opt.zero_grad()
            loss = loss_fn(model(xs), ys)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results.append(losses)
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-5)


def test_memory_flat_over_2000_backward_passes():
    model = _simple_mlp(shim)
    criterion = shim.nn.MSELoss()
    opt = shim.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    inputs = shim.tensor([[1.0], [2.0], [3.0]])
    targets = shim.tensor([[2.0], [4.0], [6.0]])

    def step():
        opt.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        opt.step()

    for _ in range(200):  # warm caches (backward plans, literals)
        step()
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        for _ in range(1000):
            step()
        gc.collect()
        mid, _ = tracemalloc.get_traced_memory()
        for _ in range(1000):
            step()
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 60
    # 1,000 more steps add (almost) nothing: no graph, residual or cache grows per step
    assert end - mid < 64 * 1024, (mid, end)


def _saved_arrays(root) -> list:
    """Weak references to the (non-scalar) arrays the nodes below ``root`` saved."""
    import weakref

    refs = []
    stack = [root]
    while stack:
        n = stack.pop()
        for v in getattr(n, "vals", None) or ():
            if isinstance(v, np.ndarray) and v.size > 1:
                refs.append(weakref.ref(v))
        stack.extend(f for f, _ in n.next_functions if f is not None and hasattr(f, "vals"))
    return refs


def test_freed_graph_drops_saved_arrays():
    x = shim.tensor(np.ones(1000, np.float32), requires_grad=True)
    y = (x.exp() * x).sum()
    saved = _saved_arrays(y.grad_fn)
    assert saved
    y.backward()
    gc.collect()
    assert all(r() is None for r in saved)
