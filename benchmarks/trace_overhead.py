"""Tracing overhead per equation against PyTorch eager's forward cost per op.

Each round times, in separate blocks with a pause between them (this machine's
thread pools keep spinning for a while after a call): tracegrad ``make_ir`` on
concrete inputs (values computed and equations recorded), PyTorch eager, plain NumPy
eager, and NumPy eager keeping every intermediate in a list (what a trace for ``grad``
keeps as residuals; ``make_ir`` drops each value once the function does). All run the
same chain of float64 ops; each block
runs it ``--reps`` times back to back. Reported: medians over all runs in microseconds
per equation / op, as wall-clock time and as CPU time of the calling thread (the
latter is robust when other processes share the cores; torch's small ops run on the
calling thread), and the ratio tracegrad / PyTorch.

    python benchmarks/trace_overhead.py [--rounds 7] [--length 1000] [--reps 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from tracegrad.tracer import make_ir
from tracegrad.tracer._purepath import accelerated

OPS_PER_STEP = 4  # mul by a Python scalar, sin, add of two arrays, sub of a scalar


def chain_np(x, y, length):
    for _ in range(length):
        x = np.sin(x * 0.5) + y - 0.25
    return x


def chain_np_kept(x, y, length):
    kept = []
    for _ in range(length):
        a = x * 0.5
        b = np.sin(a)
        c = b + y
        x = c - 0.25
        kept += (a, b, c, x)
    return kept


def chain_torch(x, y, length):
    for _ in range(length):
        x = torch.sin(x * 0.5) + y - 0.25
    return x


def _time(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - w0, time.thread_time() - c0


def measure(shape: tuple, rounds: int, length: int, reps: int) -> dict:
    """Median (wall, thread-CPU) microseconds per equation / op for each system."""
    x = np.full(shape, 0.3)
    y = np.full(shape, 0.1)
    tx, ty = torch.tensor(x), torch.tensor(y)
    n_ops = OPS_PER_STEP * length
    closed = make_ir(lambda a, b: chain_np(a, b, length))(x, y)
    assert len(closed.eqns) == n_ops, len(closed.eqns)
    blocks = {
        "tracegrad": lambda: make_ir(lambda a, b: chain_np(a, b, length))(x, y),
        "torch": lambda: chain_torch(tx, ty, length),
        "numpy": lambda: chain_np(x, y, length),
        "numpy kept": lambda: chain_np_kept(x, y, length),
    }
    for fn in blocks.values():  # warm-up
        fn()
    times: dict = {k: [] for k in blocks}
    for _ in range(rounds):
        for name, fn in blocks.items():
            time.sleep(0.25)  # let the other system's spinning threads go idle
            for _ in range(reps):
                times[name].append(_time(fn))
    return {k: (statistics.median(t[0] for t in v) / n_ops * 1e6,
                statistics.median(t[1] for t in v) / n_ops * 1e6) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--length", type=int, default=1000, help="steps of 4 ops each")
    parser.add_argument("--reps", type=int, default=5, help="runs per block")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, numpy {np.__version__}, float64, "
          f"{OPS_PER_STEP * args.length} ops per run, median of {args.rounds} rounds x "
          f"{args.reps} runs per block; microseconds per equation / op; tracer hot path: "
          f"{'C extension' if accelerated else 'pure Python (TRACEGRAD_PURE_PYTHON or no build)'}")
    head = ["tracegrad", "torch", "numpy", "numpy kept"]
    print(f"{'operand':>9} {'clock':>6} " + " ".join(f"{h:>10}" for h in head)
          + f" {'tracegrad/torch':>16}")
    for shape, label in [((), "0-d"), ((100,), "100 elem")]:
        r = measure(shape, args.rounds, args.length, args.reps)
        for i, clock in enumerate(("wall", "cpu")):
            vals = [r[h][i] for h in head]
            print(f"{label:>9} {clock:>6} " + " ".join(f"{v:10.2f}" for v in vals)
                  + f" {vals[0] / vals[1]:16.2f}")


if __name__ == "__main__":
    main()
