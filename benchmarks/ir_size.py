"""Equations in transformed programs: tracegrad's ``make_ir`` vs ``jax.make_jaxpr``.

For each function, the number of top-level equations of the gradient / second
gradient / Hessian program in both systems (JAX: ``len(jaxpr.eqns)``, a nested
``pjit`` counts as one). Goal: tracegrad never larger.

    python benchmarks/ir_size.py
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from tracegrad.tracer import make_ir
from tracegrad.transforms import grad, hessian, jacfwd, jacrev, vmap

jax.config.update("jax_enable_x64", True)

rng = np.random.default_rng(0)


def mlp_loss(xp, params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    h = xp.tanh(x @ w1 + b1)
    h = xp.tanh(h @ w2 + b2)
    return xp.mean((h @ w3 + b3 - y) ** 2)


def xent(xp, logits, labels):
    z = logits - xp.max(logits, axis=1, keepdims=True)
    logp = z - xp.log(xp.sum(xp.exp(z), axis=1, keepdims=True))
    return -xp.mean(xp.sum(labels * logp, axis=1))


def logsumexp(xp, x):
    m = xp.max(x)
    return m + xp.log(xp.sum(xp.exp(x - m)))


def layer_norm(xp, x):
    mu = xp.mean(x, axis=-1, keepdims=True)
    var = xp.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return xp.sum((x - mu) / xp.sqrt(var + 1e-5))


def tanh_chain(xp, x):
    for _ in range(5):
        x = xp.tanh(x * 1.5 + 0.1)
    return x


A = rng.normal(size=(3, 3))
PARAMS = [rng.normal(size=s) * 0.1 for s in [(8, 16), (16,), (16, 16), (16,), (16, 1), (1,)]]
X, Y = rng.normal(size=(4, 8)), rng.normal(size=(4, 1))

# name, transform builder (ours, jax), function(xp, *args), args
CASES = [
    ("grad x*sin(x)", "grad", lambda xp, x: x * xp.sin(x), (1.0,)),
    ("grad(grad) x*sin(x)", "grad2", lambda xp, x: x * xp.sin(x), (1.0,)),
    ("grad^3 sin(exp(x))", "grad3", lambda xp, x: xp.sin(xp.exp(x)), (0.3,)),
    ("hessian sum(sin(x)**2), 3-vector", "hessian",
     lambda xp, x: xp.sum(xp.sin(x) ** 2), (np.ones(3),)),
    ("hessian x@A@x", "hessian", lambda xp, x: x @ A @ x, (np.ones(3),)),
    ("grad MLP loss (params)", "grad", lambda xp, p: mlp_loss(xp, p, X, Y), (PARAMS,)),
    ("grad softmax cross-entropy", "grad",
     lambda xp, z: xent(xp, z, np.eye(5)[[0, 1, 2, 3]]), (rng.normal(size=(4, 5)),)),
    ("grad logsumexp", "grad", logsumexp, (rng.normal(size=6),)),
    ("grad layer norm", "grad", layer_norm, (rng.normal(size=(2, 4)),)),
    ("grad(grad) tanh chain", "grad2", tanh_chain, (0.2,)),
    ("jacrev sin(x)*x, 3-vector", "jacrev", lambda xp, x: xp.sin(x) * x, (np.ones(3),)),
    ("jacfwd tanh(x)*sum(x**2), 3-vector", "jacfwd",
     lambda xp, x: xp.tanh(x) * xp.sum(x ** 2), (np.ones(3),)),
    ("hessian sum(tanh(x@W)**2) (notebook 06)", "hessian",
     lambda xp, x, w: xp.sum(xp.tanh(x @ w) ** 2),
     (np.linspace(-1, 1, 6).reshape(2, 3), np.linspace(0, 1, 12).reshape(3, 4))),
    ("vmap(grad) per-example loss", "vmap_grad",
     lambda xp, w, x, y: xp.sum((xp.tanh(x @ w) - y) ** 2),
     (rng.normal(size=(3, 4)), rng.normal(size=(5, 3)), rng.normal(size=(5, 4)))),
]

OURS = {"grad": grad, "grad2": lambda f: grad(grad(f)), "grad3": lambda f: grad(grad(grad(f))),
        "hessian": hessian, "jacrev": jacrev, "jacfwd": jacfwd,
        "vmap_grad": lambda f: vmap(grad(f), in_axes=(None, 0, 0))}
THEIRS = {"grad": jax.grad, "grad2": lambda f: jax.grad(jax.grad(f)),
          "grad3": lambda f: jax.grad(jax.grad(jax.grad(f))), "hessian": jax.hessian,
          "jacrev": jax.jacrev, "jacfwd": jax.jacfwd,
          "vmap_grad": lambda f: jax.vmap(jax.grad(f), in_axes=(None, 0, 0))}


def main() -> None:
    print(f"{'program':40s} {'tracegrad':>10s} {'jax':>6s}")
    larger = []
    for name, kind, f, args in CASES:
        ours = len(make_ir(OURS[kind](lambda *a, f=f: f(np, *a)))(*args).eqns)
        jargs = jax.tree_util.tree_map(jnp.asarray, args)
        theirs = len(jax.make_jaxpr(THEIRS[kind](lambda *a, f=f: f(jnp, *a)))(*jargs).eqns)
        mark = "  <-- larger" if ours > theirs else ""
        if ours > theirs:
            larger.append(name)
        print(f"{name:40s} {ours:10d} {theirs:6d}{mark}")
    print("tracegrad larger than JAX on:", ", ".join(larger) if larger else "none")


if __name__ == "__main__":
    main()
