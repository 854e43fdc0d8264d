"""Differential programs on complex numbers: each runs on real PyTorch 2.13 and on the shim
(see ``test_torch_diff_harness``) and observes values, dtypes, grad_fn names, ``.grad``,
reprs and errors.

PyTorch's convention: ``.grad`` of a complex leaf is the conjugate Wirtinger gradient
(``2*z`` for ``|z|**2``, so ``z - lr * z.grad`` descends); the shim derives it from the
transforms' JAX-convention rules in one place (``engine.wirtinger``).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_torch_diff_harness import PROGRAMS, check, err, loose, program

G = "complex"


def _z(torch, values=(1 + 2j, 3 - 1j, -0.5 + 0.25j), **kw):
    return torch.tensor(list(values), requires_grad=True, **kw)


# ---------------------------------------------------------------- gradients of real losses

@program(G)
def abs_squared(torch):
    z = _z(torch)
    loss = (z.abs() ** 2).sum()
    loss.backward()
    return loss, z.grad, repr(loss), repr(z.grad)


@program(G)
def holomorphic_then_abs(torch):
    z = _z(torch)
    w = z * z + 3 * z - 1j
    loss = w.abs().sum()
    loss.backward()
    return w, loss, z.grad


@program(G)
def real_and_imag_parts(torch):
    z = _z(torch)
    re, im = z.real, z.imag
    loss = (re ** 2 + 3 * im - re * im).sum()
    loss.backward()
    return re, im, loss, z.grad


@program(G)
def mixed_real_and_complex_leaves(torch):
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    z = _z(torch)
    w = x * z + x ** 2
    loss = (w.conj() * w).real.sum()
    loss.backward()
    return w, loss, x.grad, z.grad


@program(G)
def phase_loss_polar(torch):
    theta = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
    r = torch.tensor([1.0, 2.0, 0.5], requires_grad=True)
    target = torch.tensor([1 + 1j, -1j, 0.5])
    u = torch.polar(r, theta)
    loss = ((u - target).abs() ** 2).sum()
    loss.backward()
    return u, loss, theta.grad, r.grad


@program(G)
def phase_loss_exp_i_theta(torch):
    theta = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
    u = torch.exp(1j * theta)
    loss = (u * torch.tensor([2 - 1j, 1j, 3.0])).real.sum()
    loss.backward()
    return u, loss, theta.grad


@program(G)
def complex_matmul(torch):
    a = torch.tensor([[1 + 1j, 2 - 1j, 0.5j], [-1 + 0j, 3j, 1 - 2j]], requires_grad=True)
    b = torch.tensor([[1j, 2.0], [1 - 1j, -1j], [0.5 + 0.5j, 1.0]], requires_grad=True)
    c = a @ b
    loss = (c.abs() ** 2).sum() + torch.mm(a, b).real.sum()
    loss.backward()
    return c, loss, a.grad, b.grad


@program(G)
def dot_does_not_conjugate_vdot_does(torch):
    a = _z(torch)
    b = _z(torch, (2 - 1j, 1j, 1 + 1j))
    d, v = torch.dot(a, b), torch.vdot(a, b)
    loss = d.real + v.imag + a.vdot(b).abs()
    loss.backward()
    return d, v, a.grad, b.grad


@program(G)
def elementwise_functions(torch):
    z = _z(torch)
    w = z.exp() + z.log() + z.sin() * z.cos() + z.sqrt() + z ** 2.5 + z.tanh() + z.sigmoid()
    loss = w.abs().sum()
    loss.backward()
    return w, z.grad


@program(G)
def division_reciprocal_and_powers(torch):
    z = _z(torch)
    w = 1 / z + z / (z + 1) + z.reciprocal() * 2 + z ** 3 - z.pow(2) + 2 ** z + z ** z
    loss = (w * w.conj()).real.sum()
    loss.backward()
    return w, z.grad


@program(G)
def reductions(torch):
    z = torch.tensor([[1 + 2j, 3 - 1j], [0.5j, -2 + 0.5j]], requires_grad=True)
    s, m, p = z.sum(dim=0), z.mean(dim=1), z.prod()
    loss = s.abs().sum() + (m.real * m.imag).sum() + p.abs() + z.cumsum(1).real.sum()
    loss.backward()
    return s, m, p, z.mean(), loss, z.grad


@program(G)
def abs_at_zero_has_zero_gradient(torch):
    z = torch.tensor([0j, 3 + 4j], requires_grad=True)
    loss = z.abs().sum()
    loss.backward()
    return loss, z.grad


@program(G)
def angle_and_sgn(torch):
    z = _z(torch)
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    loss = z.angle().sum() + (z.sgn() * torch.tensor([1j, 2, -1])).real.sum() + x.angle().sum()
    loss.backward()
    return z.angle(), z.sgn(), x.angle(), torch.angle(torch.tensor([-1, 2])), z.grad, x.grad


@program(G)
def conj_and_conj_physical(torch):
    z = _z(torch)
    w = _z(torch, (1j, 1, 2 - 2j))
    y = z.conj() * w + torch.conj(w) + z.conj_physical()
    loss = y.real.sum() + y.imag.sum()
    loss.backward()
    x = torch.tensor([1.0])
    return y, z.grad, w.grad, z.conj(), x.conj() is x, x.real is x, z.conj().resolve_conj()


# ---------------------------------------------------------------- the engine's edges

@program(G)
def backward_with_complex_gradient_argument(torch):
    z = _z(torch)
    y = z * z
    y.backward(gradient=torch.tensor([1 + 1j, 2 - 1j, 1j]))
    return y, z.grad


@program(G)
def implicit_gradient_needs_a_real_output(torch):
    z = _z(torch)
    s = (z * z).sum()
    return (err(lambda: s.backward()), err(lambda: torch.autograd.grad(s, z)),
            err(lambda: (z * z).backward()),
            err(lambda: torch.tensor([1, 2], requires_grad=True)),
            err(lambda: torch.tensor([1, 2]).requires_grad_()),
            err(lambda: s.backward(torch.tensor(1.0))))


@program(G)
def hooks_see_pytorch_gradients(torch):
    z = _z(torch)
    seen = []
    w = z * (2 - 1j)
    w.register_hook(lambda g: seen.append(g.clone()))
    v = w.exp()
    v.register_hook(lambda g: g * 1j)     # a hook that changes the gradient
    z.register_hook(lambda g: seen.append(g.clone()))
    loss = (v.abs() ** 2).sum()
    loss.backward()
    return seen, z.grad


@program(G)
def retain_grad_of_complex_intermediates(torch):
    z = _z(torch)
    x = torch.tensor([1.0, 2.0, -1.0], requires_grad=True)
    w = z.exp() * x
    w.retain_grad()
    r = w.real
    r.retain_grad()
    loss = (w.abs() + r).sum()
    loss.backward()
    return w.grad, r.grad, z.grad, x.grad


@program(G)
def autograd_grad_with_grad_outputs(torch):
    z = _z(torch)
    x = torch.tensor([1.0, 2.0, -1.0], requires_grad=True)
    y = z ** 3 * x
    v = torch.tensor([1 - 1j, 0.5j, 2.0])
    gz, gx = torch.autograd.grad(y, (z, x), grad_outputs=v)
    return gz, gx, z.grad


@program(G)
def autograd_grad_real_output_complex_inputs(torch):
    a = _z(torch)
    b = _z(torch, (1j, 2, 1 - 1j))
    out = (a * b.conj()).real.sum()      # Re(a . conj(b))
    ga, gb = torch.autograd.grad(out, [a, b])
    return out, ga, gb


@program(G)
def second_order_grad_of_grad_norm(torch):
    z = _z(torch)
    loss = (z.abs() ** 4).sum() + (z * z).real.sum()
    g, = torch.autograd.grad(loss, z, create_graph=True)
    m = (g.abs() ** 2).sum()
    m.backward()
    return loose(g), m, z.grad


@program(G)
def second_order_mixed_leaves(torch):
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    z = _z(torch)
    g, = torch.autograd.grad((x * z * z).abs().sum(), z, create_graph=True)
    h = (g.real + 2 * g.imag).sum()
    gx, gz = torch.autograd.grad(h, (x, z))
    return loose(g), gx, gz


@program(G)
def second_order_through_backward_create_graph(torch):
    z = _z(torch, dtype=torch.complex128)
    (z * z * z.exp()).abs().sum().backward(create_graph=True)
    g = z.grad
    z.grad = None
    (g.real * g.imag).sum().backward()
    return loose(g), z.grad


@program(G)
def gradients_accumulate(torch):
    z = _z(torch)
    (z.abs() ** 2).sum().backward()
    first = z.grad.clone()
    (z * (1 + 1j)).real.sum().backward()
    return first, z.grad


@program(G)
def retain_graph_twice(torch):
    z = _z(torch)
    loss = (z.sin().abs() ** 2).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return z.grad


# ---------------------------------------------------------------- creation, views, dtypes

@program(G)
def creation_and_dtypes(torch):
    a = torch.tensor([1 + 2j, 3 - 1j])
    b = torch.tensor([1 + 2j], dtype=torch.complex128)
    c = torch.tensor(2j)
    d = torch.zeros(2, dtype=torch.complex64, requires_grad=True)
    e = torch.ones_like(a)
    f = torch.complex(torch.tensor([1.0, 2.0]), torch.tensor(3.0))
    return (a, b, c, d, e, f, a.is_complex(), torch.is_complex(torch.ones(1)),
            a.is_floating_point(), a.dtype.is_complex, a.type(), b.real.dtype,
            a.item if False else c.item(), a.tolist(), a.numpy(), complex(c), a.cdouble(),
            torch.ones(2).cfloat(), a.to(torch.complex128))


@program(G)
def promotion_real_complex(torch):
    f32 = torch.tensor([1.0, 2.0])
    f64 = torch.tensor([1.0, 2.0], dtype=torch.float64)
    c64 = torch.tensor([1j, 2j])
    c128 = torch.tensor(1j, dtype=torch.complex128)
    i64 = torch.tensor([1, 2])
    return (f32 + 1j, f64 + 1j, f64 * c64, f32 + c128, i64 + 1j, c64 + 1.5,
            c64 * torch.tensor(2.0, dtype=torch.float64), torch.tensor(1j) + f64,
            torch.promote_types(torch.float64, torch.complex64),
            torch.promote_types(torch.int64, torch.complex64), c64 * 2, c64 / 2)


@program(G)
def promotion_gradients(torch):
    x = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    z = torch.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    w = x * z                          # complex128
    loss = (w.abs() ** 2).sum() + (z * 1.5j).real.sum()
    loss.backward()
    return w, x.grad, z.grad


@program(G)
def view_as_real_and_back(torch):
    z = _z(torch)
    v = torch.view_as_real(z)
    weights = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [3.0, 1.0]])
    loss = (v ** 2 * weights).sum()
    loss.backward()
    x = torch.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
    c = torch.view_as_complex(x)
    (c * c).abs().sum().backward()
    return v, repr(v), z.grad, c, repr(c), x.grad


@program(G)
def views_share_memory(torch):
    z = torch.tensor([1 + 2j, 3 - 1j])
    z.real.mul_(2)
    z.imag.add_(1)
    torch.view_as_real(z)[0, 1] = 7.0
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    torch.view_as_complex(x).mul_(1j)
    return z, x, z.real._version if False else z._version


@program(G)
def inplace_on_a_view_of_a_complex_intermediate(torch):
    z = _z(torch)
    w = z * 1
    w.real.mul_(3)
    w.imag.add_(w.real)
    loss = (w.abs() ** 2).sum()
    loss.backward()
    leaf_view = err(lambda: z.real.mul_(2))
    return w, z.grad, leaf_view


@program(G)
def torch_complex_and_polar(torch):
    a = torch.tensor([1.0, 2.0, -0.5], requires_grad=True)
    b = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    c = torch.complex(a, b)
    p = torch.polar(a.abs(), b)
    loss = (c.exp() * p).abs().sum()
    loss.backward()
    return c, p, a.grad, b.grad


@program(G)
def part_setters_and_zero_dim_views(torch):
    z = torch.tensor([1 + 2j, 3j])
    z.real = torch.tensor([5.0, 6.0])
    z.imag = torch.tensor([-1.0, 0.5])
    s = torch.tensor(1 + 2j)
    s.real.mul_(2)
    torch.view_as_real(s)[1] = 4.0
    return z, s


@program(G)
def default_float64_context(torch):
    torch.set_default_dtype(torch.float64)
    try:
        x = torch.ones(2)
        out = (x * 1j, torch.complex(x, x), torch.zeros(1, dtype=torch.complex64),
               torch.ones(1).cfloat(), repr(x + 1j), repr(torch.zeros(1, dtype=torch.complex64)),
               torch.promote_types(torch.float32, torch.complex64))
    finally:
        torch.set_default_dtype(torch.float32)
    return out


@program(G)
def norms_and_variances_are_real(torch):
    z = torch.tensor([[1 + 2j, 3 - 1j, 0.5j], [-1 + 0.25j, 2.0, -0.5 - 1.5j]],
                     requires_grad=True)
    n, n1, v, s = z.norm(), z.norm(dim=1), z.var(), z.std(dim=0)
    (n + n1.sum() + v + s.sum()).backward()
    return n, n1, v, s, z.grad


@program(G)
def structural_ops(torch):
    z = torch.tensor([[1 + 2j, 3 - 1j, 0.5j], [-1 + 0.25j, 2.0, -0.5 - 1.5j]],
                     requires_grad=True)
    a = torch.cat([z, z * 2], 0)
    b = torch.stack([z, z.conj()], -1)
    c = z[torch.tensor([1, 0])][:, 1:]
    d = torch.where(z.abs() > 1, z, z * 1j)
    e = z.reshape(3, 2).transpose(0, 1).flip(0)
    w = z * 1
    w[0, 1] = 5j
    loss = (a.abs().sum() + b.real.sum() - b.imag.sum() + (c * c).real.sum() + d.imag.sum()
            + (e * torch.arange(6.0).reshape(2, 3)).abs().sum() + (w.abs() ** 2).sum())
    loss.backward()
    return a, b, c, d, e, w, z.grad


@program(G)
def casts_to_real(torch):
    z = torch.tensor([1.5 + 2j, -3 - 1j], requires_grad=True)
    r = z.to(torch.float32)
    d = z.double()
    (r * torch.tensor([1.0, 2.0])).sum().backward()
    (d ** 2).sum().backward()
    return r, d, z.grad, z.detach().long()


@program(G)
def complex_grad_output_for_a_real_output(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    return err(lambda: x.sum().backward(torch.tensor(1j)))


@program(G)
def optimisers_with_decay_momentum_amsgrad(torch):
    p = torch.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    q = torch.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    sgd = torch.optim.SGD([p], lr=0.1, weight_decay=0.1, nesterov=True, momentum=0.5)
    adam = torch.optim.Adam([q], lr=0.1, weight_decay=0.1, amsgrad=True)
    for _ in range(3):
        for t, opt in ((p, sgd), (q, adam)):
            opt.zero_grad()
            ((t * t).real.sum() + t.abs().sum()).backward()
            opt.step()
    return p, q, adam.state[q]["exp_avg_sq"], adam.state[q]["exp_avg"], repr(p)


# ---------------------------------------------------------------- printing

@program(G)
def reprs(torch):
    z = _z(torch)
    return [repr(t) for t in (
        z, z.abs(), z.abs().sum(), z.real, z.conj(), z * 2, torch.view_as_real(z),
        torch.tensor([1.5 + 2.25j, 1e-5j]), torch.tensor([[1 + 2j, 1e6], [3 - 1j, 0]]),
        torch.tensor([1 + 2j], dtype=torch.complex128), torch.tensor(-0.0 - 0.0j),
        torch.tensor([float("nan") + 1j, float("inf") - 2j]), torch.arange(12.0) * 1j,
        torch.complex(torch.ones(2), torch.ones(2)), torch.angle(z), z.sgn(), z.exp())]


# ---------------------------------------------------------------- what torch refuses

@program(G)
def refused_on_complex(torch):
    z = _z(torch)
    d = z.detach().to(torch.complex128)
    return [err(f) for f in (
        lambda: z < z, lambda: z <= 1, lambda: z > 0, lambda: d >= d, lambda: z.max(),
        lambda: z.min(), lambda: z.max(0), lambda: z.min(dim=0), lambda: d.max(),
        lambda: torch.maximum(z, z), lambda: torch.minimum(z, z), lambda: z.amax(),
        lambda: z.argmax(), lambda: z.argmin(), lambda: z.relu(), lambda: torch.relu(z),
        lambda: z.clamp(0, 1), lambda: z.clamp(min=0), lambda: z.sign(), lambda: z.floor(),
        lambda: z.ceil(), lambda: z.round(), lambda: z.sort(), lambda: z.topk(1),
        lambda: z.softmax(0), lambda: z.log_softmax(0), lambda: z % 2, lambda: z // 2,
        lambda: z.detach().abs_(), lambda: float(z[0]), lambda: int(z[0]))]


@program(G)
def complex_argument_errors(torch):
    f, d, i = torch.ones(2), torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.int64)
    z = torch.ones(2, dtype=torch.complex64)
    return [err(g) for g in (
        lambda: torch.complex(f, d), lambda: torch.complex(i, i), lambda: torch.complex(z, z),
        lambda: torch.complex(f, torch.ones(3)), lambda: torch.polar(i, i),
        lambda: torch.polar(f, d), lambda: torch.view_as_real(f),
        lambda: torch.view_as_complex(torch.ones(3)),
        lambda: torch.view_as_complex(i.reshape(1, 2)),
        lambda: torch.view_as_complex(z.reshape(1, 2)),
        lambda: torch.view_as_complex(torch.ones(2, 3).t()), lambda: torch.ones(2).imag,
        lambda: torch.dot(z, f), lambda: torch.vdot(z, f),
        lambda: torch.mm(z.reshape(1, 2), f.reshape(2, 1)), lambda: f.add_(1j),
        lambda: z.backward(), lambda: (z.sum() + 0).item())]


# ---------------------------------------------------------------- optimisers descend like torch

@program(G)
def sgd_on_a_complex_parameter(torch):
    p = torch.tensor([1 + 2j, -1 + 0.5j], requires_grad=True)
    target = torch.tensor([0.5 - 1j, 2j])
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = ((p - target).abs() ** 2).sum()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return p, losses


@program(G)
def adam_on_a_complex_parameter(torch):
    p = torch.tensor([1 + 2j, -1 + 0.5j], requires_grad=True)
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    opt = torch.optim.Adam([p, w], lr=0.05)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = ((p * w - (1 + 1j)).abs() ** 2).sum()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return p, w, losses


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_complex_program(prog):
    check(prog)


def test_python_complex_data_follows_the_default_dtype():
    import tracegrad.interop.torch as shim

    shim.set_default_dtype(shim.float64)
    try:
        assert shim.tensor([1 + 2j]).dtype is shim.complex128
    finally:
        shim.set_default_dtype(shim.float32)


def test_enough_programs():
    assert len(PROGRAMS[G]) >= 20


def test_pytorch_convention_descends():
    """``z.grad`` of ``|z|**2`` is ``2*z`` (PyTorch), the conjugate of ``jax.grad``'s."""
    import tracegrad.interop.torch as shim
    from tracegrad.transforms import grad

    z0 = np.array([1 + 2j, 3 - 1j])
    z = shim.tensor(z0, requires_grad=True)
    (z.abs() ** 2).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * z0)
    jax_style = grad(lambda v: np.sum(np.abs(v) ** 2))(z0)
    np.testing.assert_allclose(jax_style, np.conj(2 * z0))
