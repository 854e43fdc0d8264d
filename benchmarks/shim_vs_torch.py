"""Training-step time: the shim against PyTorch eager, in the same run.

Two workloads:

- seed 004's step: 1-10-1 MLP (Linear, ReLU, Linear), MSELoss, SGD(lr=0.01), batch 3;
- a 64-128-128-1 MLP (ReLU), MSELoss, SGD(momentum=0.9), batch 32.

Each system is timed in its own block (many steps), with 0.25 s sleeps between blocks so
one system's thread pool spinning down does not tax the other; blocks alternate for
several rounds and the medians are reported. Both sides run single-threaded
(``torch.set_num_threads(1)``, and BLAS threads capped for NumPy through the environment
before NumPy loads) so the comparison is per core. Run::

    python benchmarks/shim_vs_torch.py [--rounds 7] [--steps 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import tracegrad.interop.torch as shim  # noqa: E402
import tracegrad.interop.torch.nn  # noqa: E402,F401
import tracegrad.interop.torch.optim  # noqa: E402,F401


def build(lib, sizes, momentum, x, y):
    """A model, loss, optimizer and one-step closure over ``lib`` (torch or the shim)."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(lib.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(lib.nn.ReLU())
    model = lib.nn.Sequential(*layers)
    criterion = lib.nn.MSELoss()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=momentum)
    xs, ys = lib.tensor(x), lib.tensor(y)

    def step():
        opt.zero_grad()
        loss = criterion(model(xs), ys)
        loss.backward()
        opt.step()
        return loss

    return model, step


def time_block(step, n: int) -> tuple[float, float]:
    """Milliseconds per step over ``n`` steps: wall clock and this process's CPU time (the
    latter is less disturbed when other processes share the cores)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    wall = (time.perf_counter() - t0) * 1e3 / n
    return wall, (time.process_time() - c0) * 1e3 / n


def workload(name, sizes, batch, momentum, rounds, steps):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, sizes[0])).astype(np.float32)
    y = rng.normal(size=(batch, sizes[-1])).astype(np.float32)
    ref, ref_step = build(torch, sizes, momentum, x, y)
    mine, my_step = build(shim, sizes, momentum, x, y)
    mine.load_state_dict({k: shim.tensor(v.detach().numpy().copy())
                          for k, v in ref.state_dict().items()})
    # same weights, same data: the losses agree step by step
    for _ in range(5):
        a, b = ref_step().item(), my_step().item()
        assert abs(a - b) <= 1e-4 * max(1.0, abs(a)), (name, a, b)
    for _ in range(max(steps // 5, 20)):  # warm up both (caches, allocator)
        ref_step()
        my_step()
    t_torch, t_shim = [], []
    for _ in range(rounds):
        time.sleep(0.25)
        t_torch.append(time_block(ref_step, steps))
        time.sleep(0.25)
        t_shim.append(time_block(my_step, steps))
    mt, ms = (statistics.median(t[0] for t in ts) for ts in (t_torch, t_shim))
    ct, cs = (statistics.median(t[1] for t in ts) for ts in (t_torch, t_shim))
    print(f"{name}\n  wall: torch {mt:7.3f} ms/step   shim {ms:7.3f} ms/step   "
          f"shim/torch {ms / mt:5.2f}x\n  cpu:  torch {ct:7.3f} ms/step   shim {cs:7.3f} ms/step"
          f"   shim/torch {cs / ct:5.2f}x")
    return mt, ms


def _rate(info: dict) -> str:
    hits, misses = info["hits"], info["misses"]
    total = hits + misses
    return f"{hits} hits, {misses} misses ({100.0 * hits / total if total else 0.0:.2f}% hits)"


def cache_line() -> str:
    """The shim's backward-plan reuse (its own structure cache in front of the
    transforms' plan cache), when the core exposes it."""
    info = getattr(shim, "backward_cache_info", None)
    if info is not None:
        data = info()
        line = f"backward-plan cache (shim): {_rate(data)}"
        if isinstance(data.get("transforms"), dict):
            line += f"; transforms.backward_plan cache: {_rate(data['transforms'])}"
        return line
    try:
        from tracegrad.transforms import cache_info
    except ImportError:
        return "backward-plan cache: not exposed"
    return f"backward-plan cache (transforms): {_rate(cache_info())}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, numpy {np.__version__}, python "
          f"{sys.version.split()[0]}; 1 thread each; {args.rounds} rounds x {args.steps} "
          "steps, medians")
    workload("seed 004: 1-10-1 MLP, batch 3, SGD", (1, 10, 1), 3, 0.0, args.rounds,
             args.steps)
    workload("64-128-128-1 MLP, batch 32, SGD+mom", (64, 128, 128, 1), 32, 0.9, args.rounds,
             args.steps)
    print(cache_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
