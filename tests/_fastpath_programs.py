"""Prints, for a fixed set of programs, everything tracing produces: IR texts (plain,
abstract, grad, Hessian, vmap), values and derivatives bit for bit, and the errors
of bad programs. ``test_tracer_fastpath.py`` runs it on the C hot path and on the
pure-Python one (``TRACEGRAD_PURE_PYTHON=1``) and compares the two outputs.

    python tests/_fastpath_programs.py [n_random_programs]
"""

import sys
import threading

import numpy as np
from hypothesis import HealthCheck, given, settings
from test_jax_random_programs import programs
from tracegrad.tracer import Aval, make_ir
from tracegrad.tracer._purepath import accelerated
from tracegrad.transforms import grad, hessian, jvp, value_and_grad, vmap


def show(label, value):
    leaves = value if isinstance(value, (tuple, list)) else [value]
    print(label, [np.asarray(v).tobytes().hex() for v in leaves])


def random_programs(count: int) -> None:
    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(programs(min_ops=5, max_ops=25))
    def run(program):
        rng = np.random.default_rng(0)
        xs = [rng.uniform(-1.5, 1.5, s) for s in program.in_shapes]
        f = lambda *a: program.run(np, *a)
        loss = lambda *a: np.sum(f(*a) ** 2)
        argnums = tuple(range(len(xs)))
        print(repr(program))
        print(make_ir(f)(*xs))
        print(make_ir(f)(*[Aval(x.shape, x.dtype) for x in xs]))
        print(make_ir(grad(loss, argnums=argnums))(*xs))
        value, g = value_and_grad(loss, argnums=argnums)(*xs)
        show("value", value)
        show("grad", g)
        show("jvp", jvp(f, tuple(xs), tuple(np.ones_like(x) for x in xs))[1])
        show("vmap", vmap(f)(*[np.stack([x, 2 * x]) for x in xs]))

    run()


def fixed_programs() -> None:
    f = lambda x: np.sum(np.tanh(x * 0.5) ** 2 + np.sin(x)) / 3
    x = np.linspace(-1.0, 1.0, 4)
    print(make_ir(hessian(f))(x))
    show("hessian", hessian(f)(x))
    g = grad(grad(grad(lambda t: np.sin(t) * t ** 3)))
    print(make_ir(g)(0.7))
    show("grad^3", g(0.7))
    # an outer tracer captured by an inner trace; float32 with weak Python scalars
    print(make_ir(lambda a: grad(lambda b: np.sum(a * b * 2.0))(a))(np.ones(3, np.float32)))
    # int and bool operands, a multiple-result primitive, params, a long chain
    print(make_ir(lambda i, m: np.where(m, i * 2, i // 3).sum())(np.arange(4), np.ones(4, bool)))
    print(make_ir(lambda a: np.linalg.norm(a @ a.T, axis=1).max())(np.ones((2, 3))))
    chain = make_ir(lambda a: [a := np.cos(a) + 1.0 for _ in range(5000)][-1])(0.1)
    print(len(chain.eqns), str(chain).count("\n"))
    # the same function traced by 8 threads at once
    outs: list = [None] * 8

    def work(k):
        outs[k] = str(make_ir(lambda a: np.exp(a * k) - k)(np.ones(2)))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\n".join(outs))


def errors() -> None:
    bad = [
        lambda: make_ir(lambda a, b: a + b)(np.ones(3), np.ones(4)),
        lambda: make_ir(lambda a: np.sin(a) if a > 0 else a)(Aval((), np.float64)),
        lambda: make_ir(lambda a: np.log(a) @ np.ones(5))(np.ones(3)),
        lambda: make_ir(lambda a: a.reshape(7))(np.ones(3)),
        lambda: make_ir(lambda a: np.asarray(a))(np.ones(3)),
    ]
    for fn in bad:
        try:
            fn()
        except Exception as e:  # noqa: BLE001  (the point is to print them all)
            print(type(e).__name__, e)
    print(make_ir(lambda a: a * 2)(np.ones(2)))  # still usable afterwards


if __name__ == "__main__":
    print("accelerated", accelerated, file=sys.stderr)
    random_programs(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
    fixed_programs()
    errors()
