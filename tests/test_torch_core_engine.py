"""The shim's engine: built on transforms.backward_plan (cached by structure), no
recursion (100,000-node graphs), freed graphs drop their saved arrays, memory stays
flat over many backward passes, grad mode is local to a thread, and the runner and
``as_torch()`` install the shim as ``torch``."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import tracemalloc
import weakref

import numpy as np
import tracegrad.interop.torch as torch
from tracegrad.transforms import cache_info


def test_long_chain_backward_without_recursion():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    gc.disable()  # the graph is one long chain of live objects: skip full collections
    try:
        for i in range(100_000):
            y = y * 1.0 if i % 2 else y + x
        y.backward()
    finally:
        gc.enable()
    assert x.grad.item() == 50_001.0


def test_training_loop_hits_the_plan_cache():
    w = torch.tensor([[0.5, -0.25]], requires_grad=True)
    data = torch.tensor([[1.0], [2.0]])
    before = cache_info()
    shim_before = torch.backward_cache_info()
    for _ in range(20):
        w.grad = None
        loss = ((data @ w).relu() - 1.0).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
    after = cache_info()
    shim_after = torch.backward_cache_info()
    assert after["misses"] - before["misses"] <= 1  # transformed once
    assert shim_after["hits"] - shim_before["hits"] >= 19  # then reused without an IR
    assert shim_after["misses"] - shim_before["misses"] <= 1


def test_freed_graph_drops_saved_arrays():
    x = torch.ones(1000, requires_grad=True)
    h = x.exp()
    saved = weakref.ref(h._data)
    node = h.grad_fn
    y = (h * h).sum()
    del h
    y.backward()
    gc.collect()
    assert saved() is None, "the saved intermediate survived backward()"
    assert node.vals is None and node.freed


def test_retained_graph_keeps_saved_arrays():
    x = torch.ones(10, requires_grad=True)
    h = x.exp()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.exp(2 * np.ones(10)), rtol=1e-5)


def test_memory_flat_over_2000_backward_passes():
    w1 = torch.randn(4, 16, requires_grad=True)
    w2 = torch.randn(16, 1, requires_grad=True)
    x = torch.randn(8, 4)

    def step():
        loss = ((x @ w1).tanh() @ w2).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w1.sub_(0.01 * w1.grad)
            w2.sub_(0.01 * w2.grad)
        w1.grad = None
        w2.grad = None

    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        step()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown} bytes over 2000 steps"


def test_grad_mode_is_thread_local():
    seen = {}
    ready = threading.Event()
    go = threading.Event()

    def worker():
        with torch.no_grad():
            ready.set()
            go.wait(5)
            seen["worker"] = torch.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    ready.wait(5)
    seen["main"] = torch.is_grad_enabled()
    x = torch.ones(1, requires_grad=True)
    seen["records"] = (x * 2).requires_grad
    go.set()
    t.join()
    assert seen == {"worker": False, "main": True, "records": True}


def test_usable_after_errors():
    x = torch.ones(3, requires_grad=True)
    for bad in (lambda: (x * 2).backward(), lambda: x.add_(1),
                lambda: torch.autograd.grad(x.sum(), [x, torch.ones(1)])):
        try:
            bad()
        except RuntimeError:
            pass
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0] and torch.is_grad_enabled()


def test_version_error_names_both_source_lines():
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    c = b * b  # saved here
    b.add_(1)  # modified here
    try:
        c.sum().backward()
    except RuntimeError as e:
        msg = str(e)
    assert "c = b * b  # saved here" in msg
    assert "b.add_(1)  # modified here" in msg
    assert msg.startswith("one of the variables needed for gradient computation has been "
                          "modified by an inplace operation")


def test_as_torch_context_manager():
    import importlib

    real = sys.modules.get("torch")
    with torch.as_torch():
        import torch as inside
        import torch.nn.functional as F  # noqa: F401,N812 - resolves to the shim

        assert inside is torch
        assert importlib.import_module("torch.autograd") is torch.autograd
    assert sys.modules.get("torch") is real


def test_runner_runs_a_script(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text("import torch\nfrom torch.autograd import Variable\n"
                      "import sys\nx = torch.tensor(3.0, requires_grad=True)\n"
                      "(x ** 2).backward()\nprint(x.grad, torch.__name__, sys.argv[1:])\n")
    out = subprocess.run([sys.executable, "-m", "tracegrad.interop.torch", str(script), "a"],
                         capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "tensor(6.) tracegrad.interop.torch ['a']\n"


def test_backward_is_the_transforms_plan():
    """The engine asks transforms.backward_plan for the derivative (no rules of its own)."""
    import tracegrad.interop.torch.engine as engine
    import tracegrad.interop.torch.fast_path as fast_path

    calls = []
    original = engine.backward_plan
    fast_path._FAST.clear()

    def spy(ir, wrt, ct_mask, **kw):
        calls.append(len(ir.eqns))
        return original(ir, wrt, ct_mask, **kw)

    engine.backward_plan = fast_path.backward_plan = spy
    try:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x.sin() * x).mean().backward()
    finally:
        engine.backward_plan = fast_path.backward_plan = original
    assert calls == [4]  # sin, mul, reduce_sum, div
    np.testing.assert_allclose(x.grad.numpy(), (np.cos([1, 2]) * [1, 2] + np.sin([1, 2])) / 2,
                               rtol=1e-6)
