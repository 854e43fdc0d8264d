"""Differential programs for ``torch.func.vmap`` (also ``torch.vmap``): in_dims / out_dims
variants, nested vmap, per-sample gradients with vmap(grad), vmap(jacrev), backward
through a vmapped function, and torch's errors."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, loose, program

G = "func_vmap"


def _x(torch, *shape, lo=-1.0, hi=1.5):
    n = 1
    for s in shape:
        n *= s
    return torch.linspace(lo, hi, n).reshape(*shape)


@program(G)
def vmap_default_and_negative_in_dims(torch):
    x = _x(torch, 3, 4)
    f = lambda a: (a.sin() * a).sum()  # noqa: E731
    return (torch.func.vmap(f)(x), torch.vmap(f, in_dims=-1)(x),
            torch.func.vmap(lambda a: a * 2, in_dims=1)(x))


@program(G)
def vmap_in_dims_tuple_with_none_and_scalar(torch):
    x, w = _x(torch, 5, 3), torch.tensor([0.5, -1.0, 2.0])
    mv = torch.func.vmap(lambda a, v, s: (a * v).sum() * s + a.mean(), in_dims=(0, None, None))
    outer = torch.func.vmap(lambda a, b: a * b, in_dims=(0, None))(w, w)
    return mv(x, w, 3.0), outer


@program(G)
def vmap_nested_in_dims_pytree(torch):
    x, y = _x(torch, 4, 3), _x(torch, 3, 4, lo=2.0, hi=-1.0)
    f = lambda p, z: p[0] * p[1]["s"] + z  # noqa: E731
    r1 = torch.func.vmap(f, in_dims=((0, {"s": 1}), None))((x, {"s": y}), torch.ones(3))
    r2 = torch.func.vmap(lambda p: p[0] - p[1], in_dims=([0, 1],))([x, y])
    return r1, r2


@program(G)
def vmap_out_dims_and_multiple_outputs(torch):
    x = _x(torch, 3, 2, 4)
    f = lambda a: (a.exp(), a.sum(0), a.t())  # noqa: E731
    r1 = torch.func.vmap(f, out_dims=(0, 1, -1))(x)
    r2 = torch.func.vmap(lambda a: a * 3, in_dims=2, out_dims=2)(x)
    r3 = torch.func.vmap(lambda a, b: (a + b, b), in_dims=(0, None), out_dims=(0, None))(
        x, torch.ones(2, 4))
    return r1, r2, r3


@program(G)
def vmap_constant_and_closed_over_outputs(torch):
    x, c = _x(torch, 3, 2), torch.tensor([1.0, 2.0])
    return (torch.func.vmap(lambda a: torch.tensor(1.5))(x),
            torch.func.vmap(lambda a: c * 2)(x),
            torch.func.vmap(lambda a: a @ c)(x))


@program(G)
def vmap_nested(torch):
    x, y = _x(torch, 3, 4), _x(torch, 5, 4, lo=0.5, hi=-2.0)
    dot = lambda a, b: (a * b).sum()  # noqa: E731
    pairwise = torch.func.vmap(torch.func.vmap(dot, in_dims=(None, 0)), in_dims=(0, None))
    twice = torch.func.vmap(torch.func.vmap(lambda a: a.tanh()), in_dims=1, out_dims=1)
    return pairwise(x, y), twice(_x(torch, 2, 3, 4))


@program(G)
def vmap_backward_fills_grad(torch):
    x = _x(torch, 4, 3).requires_grad_()
    w = torch.tensor([0.3, -0.7, 1.1], requires_grad=True)
    out = torch.func.vmap(lambda a, v: (a * v).tanh().sum() ** 2, in_dims=(0, None))(x, w)
    out.sum().backward()
    return loose(out), x.grad, w.grad, out.requires_grad


@program(G)
def vmap_backward_nested_and_out_dims(torch):
    x = _x(torch, 2, 3, 4).requires_grad_()
    out = torch.func.vmap(torch.func.vmap(lambda a: a.sin() * a), out_dims=1)(x)
    (out * torch.arange(24.0).reshape(3, 2, 4)).sum().backward()
    return loose(out), x.grad


@program(G)
def vmap_grad_per_sample_linear(torch):
    w = torch.tensor([[0.2, -0.4, 0.6], [0.1, 0.5, -0.3]])
    b = torch.tensor([0.05, -0.1])
    xs, ys = _x(torch, 6, 3), _x(torch, 6, 2, lo=0.7, hi=-0.4)

    def loss(params, x, y):
        pw, pb = params
        return ((x @ pw.t() + pb - y) ** 2).mean()

    gw, gb = torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))((w, b), xs, ys)
    # the per-sample gradients average to the batch gradient
    w2, b2 = w.clone().requires_grad_(), b.clone().requires_grad_()
    torch.stack([loss((w2, b2), xs[i], ys[i]) for i in range(6)]).mean().backward()
    return gw, gb, gw.mean(0), w2.grad, b2.grad


@program(G)
def vmap_grad_per_sample_mlp_functional_call(torch):
    from test_torch_diff_nn import _mlp

    model = _mlp(torch)
    params = {k: v.detach() for k, v in model.named_parameters()}
    xs, ys = _x(torch, 5, 1), _x(torch, 5, 1, lo=0.3, hi=-0.9)

    def loss(p, x, y):
        h = torch.relu(x @ p["0.weight"].t() + p["0.bias"])
        return ((h @ p["2.weight"].t() + p["2.bias"] - y) ** 2).sum()

    g = torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
    gv, vals = torch.func.vmap(torch.func.grad_and_value(loss), in_dims=(None, 0, 0))(
        params, xs, ys)
    return g, gv["2.bias"], vals


@program(G)
def vmap_of_jacrev_and_jacfwd(torch):
    x = _x(torch, 4, 3)
    f = lambda a: a.sin() * a.sum()  # noqa: E731
    return (torch.func.vmap(torch.func.jacrev(f))(x), torch.func.vmap(torch.func.jacfwd(f))(x),
            torch.func.vmap(torch.func.hessian(lambda a: (a ** 3).sum()))(x))


@program(G)
def vmap_integer_mapped_input(torch):
    # integer labels: each example must see its own label (one_hot-like gather)
    logits = _x(torch, 4, 3).requires_grad_()
    labels = torch.tensor([2, 0, 1, 2])
    f = lambda z, k: -torch.log_softmax(z, 0)[k]  # noqa: E731
    out = torch.func.vmap(f)(logits, labels)
    out.sum().backward()
    return loose(out), logits.grad


@program(G)
def vmap_grad_cross_entropy_integer_labels(torch):
    w = _x(torch, 3, 4)
    xs, ys = _x(torch, 5, 4, lo=-2.0, hi=2.0), torch.tensor([0, 2, 1, 1, 0])

    def loss(w, x, y):
        return torch.nn.functional.cross_entropy((w @ x)[None], y[None])

    return torch.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))(w, xs, ys)


@program(G)
def vmap_input_errors(torch):
    x, y = _x(torch, 3, 4), _x(torch, 5, 4)
    v = torch.func.vmap
    ident = lambda a: a  # noqa: E731
    add = lambda a, b: a + b  # noqa: E731
    return [err(lambda: v(add)(x, y)),
            err(lambda: v(ident, in_dims=2)(x)),
            err(lambda: v(ident, in_dims=-3)(x)),
            err(lambda: v(ident, in_dims=(0, 0))(x)),
            err(lambda: v(ident, in_dims=((0, 1),))([x, x])),
            err(lambda: v(ident, in_dims=None)(x)),
            err(lambda: v(ident, in_dims=[0])(x)),
            err(lambda: v(ident, in_dims=("a",))(x)),
            err(lambda: v(ident, in_dims=(None,))(x)),
            err(lambda: v(add)(x, 2.0)),
            err(lambda: v(ident)()),
            err(lambda: v(ident)(torch.tensor(1.0)))]


@program(G)
def vmap_output_and_option_errors(torch):
    x = _x(torch, 3, 4)
    v = torch.func.vmap
    ident = lambda a: a  # noqa: E731
    return [err(lambda: v(ident, out_dims=3)(x)),
            err(lambda: v(ident, out_dims=(0, 0))(x)),
            err(lambda: v(lambda a: (a, a), out_dims=(0,))(x)),
            err(lambda: v(ident, out_dims="x")(x)),
            err(lambda: v(lambda a: 3.0)(x)),
            err(lambda: v(ident, out_dims=None)(x)),
            err(lambda: v(lambda a: a + torch.randn(4))(x)),
            err(lambda: v(ident, randomness="bad")),
            err(lambda: v(ident, chunk_size=0)),
            v(lambda a: x.sum(), out_dims=None)(x),
            v(ident, chunk_size=2)(x)]


@program(G)
def vmap_randomness_same_and_different_shapes(torch):
    x = torch.zeros(3, 4)
    same = torch.func.vmap(lambda a: a + torch.rand(4), randomness="same")(x)
    diff = torch.func.vmap(lambda a: a + torch.rand(4), randomness="different")(x)
    # values come from the generators; observe only structure and sharing
    return (same.shape, bool((same[0] == same[1]).all()), diff.shape,
            bool(((diff >= 0) & (diff < 1)).all()))


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_func_vmap_program(prog):
    check(prog)


@program(G)
def data_dependent_python_code_raises_like_torch(torch):
    vmap = torch.func.vmap
    xs = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [3.0, -4.0]])
    w = torch.tensor([1.0, -2.0])
    c = torch.tensor(2.0)
    unmapped = vmap(lambda a, v: a * v if v.sum() > 0 else a - v, in_dims=(0, None))(xs, w)
    return (err(lambda: vmap(lambda a: a * 2 if a.sum() > 0 else a * 3)(xs)),
            err(lambda: vmap(lambda a: a if (a > 0).all() else -a)(xs)),
            err(lambda: vmap(lambda a: a if torch.isnan(a).any() else -a)(xs)),
            err(lambda: vmap(lambda a: a * a.sum().item())(xs)),
            err(lambda: vmap(lambda a: a * float(a[0]))(xs)),
            err(lambda: vmap(lambda a: a * a.tolist()[0])(xs)),
            unmapped, vmap(lambda a: a * c.item())(xs))


def test_guard_state_is_cleared_after_an_error():
    """A refused vmap leaves no recording state behind: bool() works again."""
    import tracegrad.interop.torch as shim
    from tracegrad.interop.torch import vmap_guard

    with pytest.raises(RuntimeError, match="data-dependent control flow"):
        shim.func.vmap(lambda a: a if a.sum() > 0 else -a)(shim.ones(2, 2))
    assert vmap_guard.mapped.get() is None
    assert bool(shim.tensor(1.0) > 0)
