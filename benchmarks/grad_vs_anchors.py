"""Eager gradients: tracegrad vs JAX (un-jitted), HIPS autograd and PyTorch eager.

Two workloads, each system measured in the same run:

- ``chain``: grad of a 200-op scalar chain (sin, mul, add, tanh repeated), reported
  per op (forward + backward, tracing included: tracegrad traces on every call).
- ``mlp``: grad of a 64-128-128-1 MLP's mean squared error, batch 32, with respect
  to all six parameter arrays.

The machine has 2 cores and thread pools that spin after calls, so each system is
timed in its own block, with 0.25 s sleeps between blocks, for several rounds; we
report medians and ratios to PyTorch, and tracegrad's backward-plan cache hit rate.

    python benchmarks/grad_vs_anchors.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

N_CHAIN = 200


# ---------------------------------------------------------------------------
# the workloads, once per system

def chain_np(x, m):
    for _ in range(N_CHAIN // 4):
        x = m.sin(x)
        x = x * 1.01
        x = x + 0.5
        x = m.tanh(x)
    return x


def mlp_loss(params, x, y, m):
    w1, b1, w2, b2, w3, b3 = params
    h = m.tanh(x @ w1 + b1)
    h = m.tanh(h @ w2 + b2)
    out = h @ w3 + b3
    return m.mean((out - y) ** 2)


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    sizes = [(64, 128), (128,), (128, 128), (128,), (128, 1), (1,)]
    params = [rng.normal(size=s) * 0.1 for s in sizes]
    x = rng.normal(size=(32, 64))
    y = rng.normal(size=(32, 1))
    return params, x, y


def systems():
    """name -> (chain_call, mlp_call), each a zero-argument callable."""
    params, x, y = make_data()
    out = {}

    from tracegrad.transforms import grad as tg_grad
    g_chain = tg_grad(lambda v: chain_np(v, np))
    g_mlp = tg_grad(lambda p: mlp_loss(p, x, y, np))
    x0 = np.float64(0.3)
    out["tracegrad"] = (lambda: g_chain(x0), lambda: g_mlp(params))

    import torch
    xt = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    pt = [torch.tensor(p, requires_grad=True) for p in params]
    xt_, yt_ = torch.tensor(x), torch.tensor(y)

    def torch_chain():
        return torch.autograd.grad(chain_np(xt, torch), xt)

    def torch_mlp():
        return torch.autograd.grad(mlp_loss(pt, xt_, yt_, torch), pt)

    out["pytorch"] = (torch_chain, torch_mlp)

    try:
        import autograd
        import autograd.numpy as anp
        a_chain = autograd.grad(lambda v: chain_np(v, anp))
        a_mlp = autograd.grad(lambda p: mlp_loss(p, x, y, anp))
        out["hips-autograd"] = (lambda: a_chain(0.3), lambda: a_mlp(params))
    except ImportError:
        pass

    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    j_chain = jax.grad(lambda v: chain_np(v, jnp))
    j_mlp = jax.grad(lambda p: mlp_loss(p, jnp.asarray(x), jnp.asarray(y), jnp))
    jp = [jnp.asarray(p) for p in params]
    out["jax-unjitted"] = (lambda: jax.block_until_ready(j_chain(0.3)),
                           lambda: jax.block_until_ready(j_mlp(jp)))
    return out


def check_agreement(calls) -> None:
    ref_chain = np.asarray(calls["pytorch"][0]()[0].detach())
    ref_mlp = [np.asarray(g.detach()) for g in calls["pytorch"][1]()]
    for name, (c, m) in calls.items():
        gc_ = c()
        gm = m()
        gc_ = gc_[0] if isinstance(gc_, tuple) else gc_
        np.testing.assert_allclose(np.asarray(gc_.detach() if hasattr(gc_, "detach") else gc_),
                                   ref_chain, rtol=1e-9, err_msg=name)
        for a, b in zip(gm, ref_mlp):
            a = a.detach() if hasattr(a, "detach") else a
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-8, atol=1e-12, err_msg=name)


def time_block(fn, min_time: float) -> float:
    """Median seconds per call over repeats filling about ``min_time``."""
    fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-6)
    n = max(1, int(min_time / once / 5))
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def codegen_vs_interpreter(min_time: float) -> None:
    """Evaluating the cached backward program of each workload: generated
    straight-line code (``BackwardPlan.run``) vs the ``eval_ir_flat`` loop."""
    from tracegrad.tracer import eval_ir_flat
    from tracegrad.transforms import backward_plan
    from tracegrad.transforms.call import TracedCall

    params, x, y = make_data()
    works = {"chain": (lambda v: chain_np(v, np), (np.float64(0.3),)),
             "mlp": (lambda p: mlp_loss(p, x, y, np), (params,))}
    for name, (f, args) in works.items():
        call = TracedCall(f, args, (0,), False, "grad")
        plan = backward_plan(call.ir, call.wrt, (True,))
        vals = call.canonical()
        res = [vals[i] for i in plan.residuals]
        one = [np.float64(1.0)]
        closed = plan.closed
        n = len(closed.ir.eqns)
        t_gen = time_block(lambda: plan.run(res, one), min_time)
        t_loop = time_block(lambda: eval_ir_flat(closed.ir, closed.consts, res + one), min_time)
        print(f"backward program of {name} ({n} eqns): generated code {t_gen / n * 1e6:.3f} "
              f"us/eqn, interpreter loop {t_loop / n * 1e6:.3f} us/eqn "
              f"({t_loop / t_gen:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per block")
    args = ap.parse_args()

    from tracegrad.transforms import cache_clear, cache_info

    calls = systems()
    check_agreement(calls)
    cache_clear()
    results: dict = {name: {"chain": [], "mlp": []} for name in calls}
    for _ in range(args.rounds):
        for name, (c, m) in calls.items():
            for work, fn in (("chain", c), ("mlp", m)):
                time.sleep(0.25)  # let the previous system's thread pools go idle
                results[name][work].append(time_block(fn, args.min_time))

    torch_chain = statistics.median(results["pytorch"]["chain"])
    torch_mlp = statistics.median(results["pytorch"]["mlp"])
    print(f"{'system':15s} {'chain us/op':>12s} {'x torch':>8s} {'mlp us':>10s} {'x torch':>8s}")
    for name, r in results.items():
        c = statistics.median(r["chain"])
        m = statistics.median(r["mlp"])
        print(f"{name:15s} {c / N_CHAIN * 1e6:12.2f} {c / torch_chain:8.2f} {m * 1e6:10.1f} "
              f"{m / torch_mlp:8.2f}")
    codegen_vs_interpreter(args.min_time)
    info = cache_info()
    print(f"tracegrad backward-plan cache: {info['hits']} hits, {info['misses']} misses, "
          f"hit rate {info['hit_rate']:.4f}")


if __name__ == "__main__":
    main()
