"""Tracing overhead per equation against PyTorch eager's forward cost per op.

Each round times, in separate blocks with a pause between them (this machine's
thread pools keep spinning for a while after a call): tracegrad ``make_ir`` on
concrete inputs (values computed and equations recorded), PyTorch eager, and plain
NumPy eager, all running the same chain of ops (each block runs it ``--reps`` times
back to back). Reported: medians over all runs, in
microseconds per equation / op, and the ratio tracegrad / PyTorch.

    python benchmarks/trace_overhead.py [--rounds 7] [--length 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from tracegrad.tracer import make_ir

OPS_PER_STEP = 4  # mul by a Python scalar, sin, add of two arrays, sub of a scalar


def chain_np(x, y, length):
    for _ in range(length):
        x = np.sin(x * 0.5) + y - 0.25
    return x


def chain_torch(x, y, length):
    for _ in range(length):
        x = torch.sin(x * 0.5) + y - 0.25
    return x


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(shape: tuple, rounds: int, length: int, reps: int) -> dict:
    """Median microseconds per equation / op for each system."""
    x = np.full(shape, 0.3)
    y = np.full(shape, 0.1)
    tx, ty = torch.tensor(x), torch.tensor(y)
    n_ops = OPS_PER_STEP * length
    closed = make_ir(lambda a, b: chain_np(a, b, length))(x, y)
    assert len(closed.eqns) == n_ops, len(closed.eqns)
    blocks = {
        "tracegrad trace": lambda: make_ir(lambda a, b: chain_np(a, b, length))(x, y),
        "torch eager": lambda: chain_torch(tx, ty, length),
        "numpy eager": lambda: chain_np(x, y, length),
    }
    for fn in blocks.values():  # warm-up
        fn()
    times: dict = {k: [] for k in blocks}
    for _ in range(rounds):
        for name, fn in blocks.items():
            time.sleep(0.25)  # let the other system's spinning threads go idle
            for _ in range(reps):
                times[name].append(_time(fn) / n_ops * 1e6)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--length", type=int, default=1000, help="steps of 4 ops each")
    parser.add_argument("--reps", type=int, default=5, help="runs per block")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, numpy {np.__version__}, float64, "
          f"{OPS_PER_STEP * args.length} ops per run, median of {args.rounds} rounds x "
          f"{args.reps} runs per block")
    print(f"{'operand':>10} {'tracegrad us/eqn':>17} {'torch us/op':>12} "
          f"{'numpy us/op':>12} {'tracegrad/torch':>16}")
    for shape, label in [((), "0-d"), ((100,), "100 elem")]:
        r = measure(shape, args.rounds, args.length, args.reps)
        tg, tt, tn = r["tracegrad trace"], r["torch eager"], r["numpy eager"]
        print(f"{label:>10} {tg:17.2f} {tt:12.2f} {tn:12.2f} {tg / tt:16.2f}")


if __name__ == "__main__":
    main()
