"""tracegrad ``jit(grad(loss))`` vs ``jax.jit(jax.grad(loss))``, in the same run.

Two workloads: an MLP loss (784-256-256-10, batch 128, float32) and a 200-operation
scalar chain (float64). For each system, in its own block: the compile time (first
call: tracing, transforms, lowering and XLA compilation) and the steady-state time
per call (median over rounds; each round times one block of calls per system). The
target is a steady-state ratio <= 1.1.

    python benchmarks/jit_vs_jax.py [--rounds 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from tracegrad.interop.jax import jit
from tracegrad.transforms import grad

jax.config.update("jax_enable_x64", True)


# -- the programs, written once against an array module ------------------------------

def mlp_loss(xp, params, x, y):
    (w1, b1), (w2, b2), (w3, b3) = params
    h = xp.tanh(x @ w1 + b1)
    h = xp.tanh(h @ w2 + b2)
    logits = h @ w3 + b3
    m = xp.max(logits, axis=1, keepdims=True)
    logp = logits - m - xp.log(xp.sum(xp.exp(logits - m), axis=1, keepdims=True))
    return -xp.mean(xp.sum(logp * y, axis=1))


def chain_loss(xp, x):
    # 50 rounds x 4 operations = 200 scalar operations
    for _ in range(50):
        x = xp.sin(x) * 0.9 + x * 0.2
    return x


def mlp_data(rng: np.random.Generator):
    sizes = [784, 256, 256, 10]
    params = tuple(((rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32),
                    np.zeros(b, np.float32)) for a, b in zip(sizes[:-1], sizes[1:]))
    x = rng.normal(size=(128, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)]
    return params, x, y


# -- timing -------------------------------------------------------------------------

def _block(out):
    return jax.tree_util.tree_map(lambda a: a.block_until_ready(), out)


def compile_time(step: Callable, args: tuple) -> float:
    """First call: tracing, transforms, lowering and XLA compilation."""
    t0 = time.perf_counter()
    _block(step(*args))
    return time.perf_counter() - t0


def timed_block(step: Callable, args: tuple, calls: int) -> float:
    """Seconds per call over one block of ``calls`` back-to-back calls."""
    t0 = time.perf_counter()
    for _ in range(calls):
        out = step(*args)
    _block(out)
    return (time.perf_counter() - t0) / calls


def compare(ours: Callable, theirs: Callable, args: tuple, calls: int, rounds: int) -> dict:
    """Compile both, then ``rounds`` rounds of one timed block per system (so slow
    drifts of a shared machine hit both alike); medians over rounds."""
    result = {"tracegrad": {"compile_s": compile_time(ours, args), "rounds_s": []},
              "jax": {"compile_s": compile_time(theirs, args), "rounds_s": []}}
    timed_block(ours, args, calls)      # warm-up: thread pools, caches
    timed_block(theirs, args, calls)
    for _ in range(rounds):
        result["tracegrad"]["rounds_s"].append(timed_block(ours, args, calls))
        result["jax"]["rounds_s"].append(timed_block(theirs, args, calls))
    for system in ("tracegrad", "jax"):
        result[system]["median_s"] = statistics.median(result[system]["rounds_s"])
    ours_r, jax_r = result["tracegrad"]["rounds_s"], result["jax"]["rounds_s"]
    result["ratio"] = result["tracegrad"]["median_s"] / result["jax"]["median_s"]
    # adjacent blocks see the same machine load: the median of per-round ratios and
    # the ratio of best blocks are steadier than the ratio of medians on a busy host
    result["paired_ratio"] = statistics.median(a / b for a, b in zip(ours_r, jax_r))
    result["best_ratio"] = min(ours_r) / min(jax_r)
    return result


def run(rounds: int) -> dict:
    rng = np.random.default_rng(0)
    params, x, y = mlp_data(rng)
    jparams = jax.tree_util.tree_map(jnp.asarray, params)
    jx, jy = jnp.asarray(x), jnp.asarray(y)
    c = jnp.asarray(0.3)

    workloads = {
        "mlp 784-256-256-10 b128 f32": (
            lambda: jit(grad(lambda p, x, y: mlp_loss(np, p, x, y))),
            lambda: jax.jit(jax.grad(lambda p, x, y: mlp_loss(jnp, p, x, y))),
            (jparams, jx, jy), 50),
        "scalar chain 200 ops f64": (
            lambda: jit(grad(lambda x: chain_loss(np, x))),
            lambda: jax.jit(jax.grad(lambda x: chain_loss(jnp, x))),
            (c,), 2000),
    }
    results = {}
    for name, (make_ours, make_jax, args, calls) in workloads.items():
        ours, theirs = make_ours(), make_jax()
        results[name] = compare(ours, theirs, args, calls, rounds)
        for a, b in zip(jax.tree_util.tree_leaves(ours(*args)),
                        jax.tree_util.tree_leaves(theirs(*args))):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-4, atol=1e-6)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    results = run(args.rounds)
    print(f"jax {jax.__version__}, backend {jax.default_backend()}, "
          f"devices {jax.devices()}")
    print(f"{'workload':32s} {'system':10s} {'compile s':>10s} {'median us/call':>15s}")
    for name, r in results.items():
        for system in ("tracegrad", "jax"):
            m = r[system]
            print(f"{name:32s} {system:10s} {m['compile_s']:10.3f} "
                  f"{m['median_s'] * 1e6:15.1f}")
        print(f"{name:32s} {'ratio':10s} {'':10s} {r['ratio']:15.3f}  (target <= 1.1; "
              f"paired {r['paired_ratio']:.3f}, best-of {r['best_ratio']:.3f})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
