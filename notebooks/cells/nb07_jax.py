"""Cells of 07_jax: check_against_jax, to_jax, jit, from_jax."""

CELLS = [
    ("md", """
# 07 · Validating against JAX, and running on JAX

JAX is tracegrad's reference and its road to accelerators. Its primitives are named after
`jax.lax`, so moving a program between the two is a table look-up:

- `check_against_jax(f, *args)` compares tracegrad's derivatives of `f` with JAX's;
- `to_jax(f)` turns a tracegrad (NumPy) function into a JAX-traceable one, so `jax.jit`,
  `jax.vmap`, devices and shardings apply; `jit(f)` is `jax.jit(to_jax(f))`;
- `from_jax(jf)` reads a JAX function's jaxpr into tracegrad's IR, so tracegrad's
  transforms differentiate JAX code.
"""),
    ("code", """
import numpy as np
import jax
import jax.numpy as jnp
from tracegrad.interop.jax import check_against_jax, from_jax, jit, to_jax
from tracegrad.tracer import make_ir
from tracegrad.transforms import grad, hessian

jax.config.update("jax_enable_x64", True)
"""),
    ("md", """
## `check_against_jax`

A NumPy function, checked at a point: tracegrad's `grad`, `jvp`/`vjp` and Hessian against
JAX's on the lowered program.
"""),
    ("code", """
def predict(params, x):
    W, b = params
    return np.tanh(x @ W + b)

def loss(params, x, y):
    return np.mean((predict(params, x) - y) ** 2)

rng = np.random.default_rng(0)
params = (rng.normal(size=(3, 2)), rng.normal(size=2))
x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
report = check_against_jax(loss, params, x, y)
report
"""),
    ("md", """
## `to_jax` and `jit`

`to_jax(loss)` is a JAX function: JAX traces it, so `jax.grad`, `jax.vmap` and `jax.jit`
compose with it. `jit(loss)` compiles it with XLA.
"""),
    ("code", """
jloss = to_jax(loss)
print(jloss(params, x, y), loss(params, x, y))
print(jax.make_jaxpr(jloss)(params, x, y))
"""),
    ("code", """
g_jax = jax.grad(jloss)(params, x, y)
g_tg = grad(loss)(params, x, y)
print(all(np.allclose(a, b) for a, b in zip(g_jax, g_tg)))
fast = jit(loss)
print(fast(params, x, y))
per_example = jax.vmap(to_jax(lambda p, xi: np.sum(predict(p, xi))), in_axes=(None, 0))
print(per_example(params, x))
"""),
    ("md", """
## `from_jax`: tracegrad's transforms on JAX code

A function written in `jax.numpy` is imported as tracegrad IR (nested `pjit` inlined); the
result is an ordinary tracegrad function on NumPy arrays.
"""),
    ("code", """
def softplus_jax(x):
    return jnp.sum(jnp.logaddexp(x, 0.0) * jnp.cos(x))

f = from_jax(softplus_jax)
xs = np.linspace(-2, 2, 5)
print(f(xs), softplus_jax(xs))
print(make_ir(f)(xs))
"""),
    ("code", """
print(grad(f)(xs))
print(jax.grad(softplus_jax)(xs))
print(np.allclose(hessian(f)(xs), jax.hessian(softplus_jax)(xs)))
"""),
]
