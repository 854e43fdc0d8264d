"""Differential programs for creation precision and less common elementwise ops (each
runs on real PyTorch 2.13 and on the shim, see ``test_torch_diff_harness``)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program

G = "extra_ops"


@program(G)
def powers_with_float_int_and_tensor_exponents(torch):
    # x ** 2.0 once hit a shadowed builtin abs (AttributeError)
    x = torch.tensor([1.5, 2.0, 0.5], requires_grad=True)
    ys = [x ** 2.0, x ** 0.5, x ** -1.0, x ** 3, x.pow(2.5), torch.pow(x, -2), 2.0 ** x,
          x ** x, x ** torch.tensor(2.0), x ** 70.0, x ** True]
    sum(y.sum() for y in ys).backward()
    i = torch.tensor([1, 2, 3])
    return (*ys, x.grad, i ** 2, i ** 2.0, i ** 0.5, err(lambda: i ** -1),
            torch.tensor(2.0) ** 3.0)


@program(G)
def float64_data_is_not_rounded_through_float32(torch):
    a = torch.tensor([3.7, 0.1, 1e-30], dtype=torch.float64)
    b = torch.tensor(0.1, dtype=torch.float64)
    c = torch.as_tensor([[0.3, 2.2]], dtype=torch.float64)
    return a, b, c, a.tolist(), b.item(), (a * 3).tolist()


@program(G)
def explicit_dtypes_for_python_data(torch):
    return (torch.tensor([[1, 2]], dtype=torch.float32), torch.tensor([True, False],
            dtype=torch.float64), torch.tensor(3.7, dtype=torch.int64),
            err(lambda: torch.tensor([1 + 2j], dtype=torch.float64)))


@program(G)
def complex_data_under_a_float64_default(torch):
    torch.set_default_dtype(torch.float64)
    try:
        return torch.tensor([1 + 2j]).dtype, torch.tensor(2.5).dtype, torch.tensor([1 + 2j])
    finally:
        torch.set_default_dtype(torch.float32)


@program(G)
def log2_log10_exp2_values_and_grads(torch):
    out = []
    for dt in (torch.float32, torch.float64):
        x = torch.tensor([8.0, 1024.0, 0.125, 3.7, 1000.0], dtype=dt, requires_grad=True)
        ys = [torch.log2(x), x.log10(), torch.exp2(x / 100)]
        sum(y.sum() for y in ys).backward()
        out += [*ys, x.grad, (torch.log2(x) == torch.tensor([3.0, 10, -3, 0, 0],
                                                             dtype=dt)).tolist()]
    return out


@program(G)
def square_and_inverse_hyperbolics(torch):
    x = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
    ys = [torch.square(x), x.square(), torch.asinh(x), torch.atanh(x / 4),
          torch.acosh(x.abs() + 1), torch.arcsinh(x), x.atanh() if False else x.asinh()]
    sum(y.sum() for y in ys).backward()
    return ys, x.grad


@program(G)
def trace_of_a_matrix(torch):
    m = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    t = torch.trace(m)
    (t * 2).backward()
    return t, m.grad, m.trace(), err(lambda: torch.trace(torch.ones(3)))


@program(G)
def rng_state_functions_and_generator_arguments(torch):
    torch.manual_seed(5)
    s = torch.get_rng_state()
    a = torch.rand(3)
    torch.set_rng_state(s)
    b = torch.rand(3)
    g = torch.Generator().manual_seed(11)
    c = torch.empty(4).normal_(generator=g)
    d = torch.empty(2, 2).uniform_(-1, 1, generator=g)
    return a, b, c, d, torch.initial_seed(), torch.default_generator.initial_seed()


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_extra_ops_like_torch(prog):
    check(prog)


@program(G)
def zero_derivative_ops_give_zero_grads_not_none(torch):
    out = []
    for fn in (torch.floor, torch.sign, torch.round, torch.ceil,
               lambda x: x.detach() * x.floor(), lambda x: (x > 0).float() * x.floor()):
        x = torch.tensor([1.5, -2.5], requires_grad=True)
        fn(x).sum().backward()
        out.append(x.grad)
    x = torch.tensor([1.5, -2.5], requires_grad=True)
    z = torch.tensor(1.0, requires_grad=True)
    out.append(torch.autograd.grad(torch.floor(x).sum(), x))
    out.append(torch.autograd.grad(torch.sign(x).sum(), [x, z], allow_unused=True))
    out.append(err(lambda: torch.autograd.grad(torch.sign(x).sum(), [x, z])))
    return out
