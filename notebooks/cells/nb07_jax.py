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

A NumPy function, checked at a point: in random directions, tracegrad's `jvp` and `vjp`
against `jax.jvp` and `jax.vjp` on the lowered program, then their derivatives again up to
`order` (Hessian-vector products at order 2). It returns nothing and raises an
`AssertionError` naming the first entry that differs; use it in your own tests.
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
check_against_jax(loss, params, x, y)              # forward and reverse, orders 1 and 2
check_against_jax(loss, params, x, y, order=3)
print("tracegrad's derivatives of loss agree with JAX's up to order 3")
"""),
    ("md", """
## `to_jax` and `jit`

`to_jax(loss)` is a JAX function: JAX traces it, so `jax.grad`, `jax.vmap` and `jax.jit`
compose with it. `jit(loss)` compiles it with XLA.
"""),
    ("code", """
jloss = to_jax(loss)
print(jloss(params, x, y), loss(params, x, y))
print(jax.make_jaxpr(jloss)(params, x, y).pretty_print(use_color=False))
"""),
    ("md", """
The jaxpr JAX traces is tracegrad's IR translated primitive for primitive (`dot_general`,
`tanh`, `integer_pow`, `reduce_sum`): the primitives were named after `jax.lax` for this.
JAX's own transforms then apply to it:
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

A function written in `jax.numpy` is imported as tracegrad IR (nested `pjit` calls inlined);
the result is an ordinary tracegrad function on NumPy arrays, which tracegrad's `grad` and
`hessian` differentiate with its own rules.
"""),
    ("code", """
def model_jax(x):
    return jnp.sum(jnp.tanh(x) * jnp.cos(x) ** 2 + jnp.where(x > 0, x, 0.1 * x))

f = from_jax(model_jax)
xs = np.linspace(-2, 2, 6)
print(f(xs), model_jax(xs))
print(make_ir(f)(xs))
"""),
    ("code", """
print(grad(f)(xs))
print(jax.grad(model_jax)(xs))
print(np.allclose(grad(f)(xs), jax.grad(model_jax)(xs)),
      np.allclose(hessian(f)(xs), jax.hessian(model_jax)(xs)))
"""),
    ("md", """
### A limit: JAX's custom derivative rules are not imported

Some `jax.numpy` functions carry a `custom_jvp` rule (`jnp.logaddexp`, `jax.nn.relu`,
`jax.nn.softplus`...). `from_jax` imports the function's body and tracegrad differentiates
that body with its own rules, ignoring the custom rule. The two agree wherever the body is
smooth, but not at a kink of the body: the derivative of `logaddexp(x, 0)` is
$\\sigma(x) = 0.5$ at $x = 0$, while the body `max(x, 0) + log1p(exp(-|x|))` gives
$0.5 - 0.5 = 0$ there.
"""),
    ("code", """
softplus = from_jax(lambda x: jnp.logaddexp(x, 0.0))
for x0 in (-1.0, 0.0, 1.0):
    print(x0, grad(softplus)(x0), jax.grad(lambda x: jnp.logaddexp(x, 0.0))(x0))
"""),
]
