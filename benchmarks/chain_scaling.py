"""Linear scaling of tracing, printing, passes and evaluation on long chains.

A chain of N equations (N = 1k, 10k, 100k; each step ``x = sin(x) * c + sin(x)``
has a repeated ``sin`` for CSE to merge and a dead branch for DCE) is traced,
printed, passed through dce / cse / simplify and evaluated. Reported: microseconds
of thread CPU time per equation for each stage; flat columns mean linear time.

    python benchmarks/chain_scaling.py [--sizes 1000 10000 100000] [--repeats 3] [--gc-off]
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np
from tracegrad.tracer import eval_ir, make_ir
from tracegrad.tracer.passes import cse, dce, simplify

EQNS_PER_STEP = 5  # sin, mul, sin (repeated), add, and a dead cos


def chain(x, steps: int):
    for _ in range(steps):
        np.cos(x)  # dead: its result is never used
        x = np.sin(x) * 0.999 + np.sin(x)
    return x


def _timed(fn):
    # CPU time of this thread: the work done, unaffected by other processes on the cores
    t0 = time.thread_time()
    out = fn()
    return out, time.thread_time() - t0


def run(n_eqns: int) -> dict:
    steps = n_eqns // EQNS_PER_STEP
    x = np.float64(0.5)
    closed, t_trace = _timed(lambda: make_ir(lambda a: chain(a, steps))(x))
    n = len(closed.eqns)
    text, t_print = _timed(lambda: str(closed))
    pruned, t_dce = _timed(lambda: dce(closed))
    merged, t_cse = _timed(lambda: cse(pruned))
    _, t_simp = _timed(lambda: simplify(merged))
    out, t_eval = _timed(lambda: eval_ir(merged, x))
    assert text.count("\n") == n + 1
    assert len(pruned.eqns) == n - steps and len(merged.eqns) == n - 2 * steps
    np.testing.assert_allclose(out[0], chain(x, steps))
    per = {k: v / n * 1e6 for k, v in [("trace", t_trace), ("print", t_print), ("dce", t_dce),
                                        ("cse", t_cse), ("simplify", t_simp),
                                        ("eval", t_eval)]}
    return {"n": n, **per}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--gc-off", action="store_true",
                        help="disable the cyclic garbage collector (shows its share)")
    args = parser.parse_args()
    if args.gc_off:
        gc.disable()
    cols = ["trace", "print", "dce", "cse", "simplify", "eval"]
    run(1000)  # warm-up: first-call costs (imports, caches) are not per-equation costs
    print(f"microseconds per equation, best of {args.repeats} (flat columns = linear time)")
    print(f"{'eqns':>8} " + " ".join(f"{c:>9}" for c in cols))
    for size in args.sizes:
        runs = [run(size) for _ in range(args.repeats)]
        best = {c: min(r[c] for r in runs) for c in cols}
        print(f"{runs[0]['n']:>8} " + " ".join(f"{best[c]:9.2f}" for c in cols))


if __name__ == "__main__":
    main()
