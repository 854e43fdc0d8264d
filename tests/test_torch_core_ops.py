"""Tensor operations side by side with real PyTorch: values, dtypes (promotion with
Python scalars and 0-d tensors), broadcasting, reductions, shapes, indexing, and the
gradients and grad_fn names they give."""

from __future__ import annotations

import pytest
from test_torch_core_util import check

PROGRAMS = []


def program(fn):
    PROGRAMS.append(fn)
    return fn


def grads(torch, fn, *shapes, dtype=None):
    """Apply fn to fresh leaves, backward a weighted sum, return (out, grads)."""
    xs = [torch.linspace(-1.5, 2.0, int(torch.tensor(s).prod().item()) if s else 1,
                         dtype=dtype or torch.float32).reshape(s).requires_grad_()
          for s in shapes]
    out = fn(*xs)
    w = torch.linspace(0.5, 1.5, out.numel()).reshape(out.shape).to(out.dtype)
    (out * w).sum().backward()
    return out, [x.grad for x in xs]


UNARY = ["exp", "sin", "cos", "tanh", "sigmoid", "abs", "neg", "relu"]


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    check(lambda torch: grads(torch, lambda x: getattr(torch, name)(x), (2, 3)))


@pytest.mark.parametrize("name", ["log", "sqrt"])
def test_unary_positive(name):
    check(lambda torch: grads(torch, lambda x: getattr(x.abs() + 0.5, name)(), (4,)))


@program
def promotion_table(torch):
    i = torch.tensor([1, 2])
    f = torch.tensor([1.0, 2.0])
    d = torch.tensor([1.0, 2.0], dtype=torch.float64)
    b = torch.tensor([True, False])
    d0 = torch.tensor(2.0, dtype=torch.float64)
    return [(i + 1).dtype, (i + 1.5).dtype, (f + d).dtype, (f + d0).dtype, (i + d0).dtype,
            (b + 1).dtype, (b + b).dtype, (i / 2).dtype, (i * True).dtype, (i // 2).dtype,
            (f * 2).dtype, (i + f).dtype, (torch.tensor(3) * 2.5).dtype]


@program
def true_division_of_ints(torch):
    return torch.tensor([3, 4]) / torch.tensor([2, 8]), torch.tensor([7]) // 2


@program
def broadcasting_binary(torch):
    return grads(torch, lambda a, b: a * b + b - a / (b.abs() + 1), (2, 3), (3,))


@program
def scalar_ops(torch):
    return grads(torch, lambda a: (2 - a) * 3 + a / 4 - 1 / (a.abs() + 1) + 2 ** a, (3,))


@program
def pow_forms(torch):
    return grads(torch, lambda a, b: a ** 2 + a.abs() ** 0.5 + (a.abs() + 1) ** b, (3,), (3,))


@program
def reductions(torch):
    return grads(torch, lambda a: a.sum(0) + a.mean(1, keepdim=True).sum(1)
                 + a.sum(dim=(0, 1)), (2, 3))


@program
def mean_all_and_dim(torch):
    return grads(torch, lambda a: torch.stack([a.mean(), a.mean(0).sum(), a.sum()]), (3, 2))


@program
def var_std_norm(torch):
    return grads(torch, lambda a: torch.stack([a.var(), a.std(), a.norm(), a.norm(p=1)]),
                 (5,))


@program
def max_min_forms(torch):
    x = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    v, i = x.max(1)
    m, j = torch.min(x, dim=0, keepdim=True)
    (v.sum() + m.sum() + x.max() + torch.max(x, torch.ones(3) * 3).sum()).backward()
    return v, i, m, j, x.grad, x.argmax(), x.argmin(1)


@program
def softmax_family(torch):
    return grads(torch, lambda a: a.softmax(1) + a.log_softmax(dim=1) + torch.logsumexp(
        a, 1, keepdim=True), (2, 4))


@program
def matmul_family(torch):
    return grads(torch, lambda a, b, v: torch.mm(a, b).sum(0) + (a @ b @ v).sum()
                 + torch.dot(v, v) + torch.matmul(v, b.t()).sum(), (2, 3), (3, 3), (3,))


@program
def batched_matmul(torch):
    return grads(torch, lambda a, b: a @ b, (2, 2, 3), (3, 4))


@program
def shapes(torch):
    return grads(torch, lambda a: a.reshape(3, 2).t().reshape(-1).unsqueeze(0).squeeze()
                 .reshape(2, 3).transpose(0, 1).flatten() * 1, (2, 3))


@program
def permute_expand(torch):
    return grads(torch, lambda a: a.permute(2, 0, 1).expand(2, 3, 1, 2).sum(0), (1, 2, 3))


@program
def cat_stack_split(torch):
    def f(a, b):
        c = torch.cat([a, b], dim=0)
        s = torch.stack([a, b], dim=1)
        p, q = c.split(2)
        return p.sum(0) + q.sum(0) + s.sum((0, 1)) + torch.cat(c.chunk(2), 1).sum(0)[:3]

    return grads(torch, f, (2, 3), (2, 3))


@program
def broadcast_error(torch):
    return torch.ones(3) + torch.ones(2)


@program
def broadcast_error_2d(torch):
    return torch.ones(2, 3) * torch.ones(2)


@program
def cat_stack_split2(torch):
    def f(a, b):
        c = torch.cat([a, b], dim=0)
        return c.split(3)[1].sum(0)
    return grads(torch, f, (2, 3), (2, 3))


@program
def indexing(torch):
    def f(a):
        return (a[0] + a[1, ::2].sum() + a[:, 1] * 2 + a[[0, 1], [2, 0]].sum()
                + a[a > 0].sum() + a[..., None][1, 2] + a[-1] + a[1:, :].sum(0))
    return grads(torch, f, (2, 3))


@program
def setitem_slices(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = torch.zeros(2, 3)
    y[0] = x * 2
    y[1, 1:] = x[:2] ** 2
    y.sum().backward()
    return y, x.grad


@program
def where_clamp(torch):
    return grads(torch, lambda a: torch.where(a > 0, a * 2, -a) + a.clamp(-1, 1)
                 + a.clamp(min=0.5) + torch.clamp(a, max=0.0), (6,))


@program
def maximum_minimum_ties(torch):
    def f(a, b):
        return torch.maximum(a, b.detach() * 0 + a.detach()) + torch.minimum(a, b)
    return grads(torch, f, (4,), (4,))


@program
def clone_to_float64(torch):
    return grads(torch, lambda a: a.clone() * a.double().float() + a.to(torch.float64).sum(),
                 (3,))


@program
def comparisons(torch):
    a = torch.tensor([1.0, 2.0, 3.0])
    return (a == 2, a != 2, a < 2, a <= 2, a > 2, a >= 2.0, a.eq(torch.tensor(1.0)),
            (a > 1) & (a < 3), ~(a > 1), torch.tensor(2) == 2.0)


@program
def creation(torch):
    return (torch.ones(2, 3), torch.zeros(2, dtype=torch.int64), torch.full((2,), 7.0),
            torch.full((2,), 3), torch.arange(5), torch.arange(1, 3, 0.5),
            torch.arange(0.0, 1.0, 0.1), torch.linspace(0, 1, 5), torch.linspace(-2, 3, 11),
            torch.zeros_like(torch.ones(2)), torch.ones_like(torch.tensor([1, 2])),
            torch.tensor([[1, 2]], dtype=torch.float64), torch.tensor([True]),
            torch.empty(2, 3).shape, torch.eye(2), torch.tensor(3.5).item(),
            torch.tensor([1, 2]).tolist(), torch.ones(2, 3).size(1), torch.ones(2, 3).dim(),
            torch.ones(2, 3).numel())


@program
def inplace_methods(torch):
    x = torch.ones(3)
    x.add_(2).mul_(3).sub_(1).div_(2)
    y = torch.tensor([-1.0, 0.5, 2.0])
    y.clamp_(0, 1)
    z = torch.tensor([1, 2])
    return x, y, z.add_(1), x._version, z.zero_()


@program
def inplace_dtype_error(torch):
    z = torch.tensor([1, 2])
    z.add_(1.5)


@program
def matmul_shape_error(torch):
    torch.mm(torch.ones(2, 3), torch.ones(2, 3))


@program
def view_shape_error(torch):
    torch.ones(2, 3).view(4, -1)


@program
def item_errors(torch):
    torch.ones(2).item()


@program
def bool_ambiguous(torch):
    bool(torch.ones(2))


@program
def numpy_requires_grad_error(torch):
    torch.ones(2, requires_grad=True).numpy()


@program
def unbind_select_narrow(torch):
    return grads(torch, lambda a: a.unbind(1)[2] + a.select(0, 1).sum() + a.narrow(1, 0, 2)
                 .sum(), (2, 3))


@program
def int_sum_dtype(torch):
    return torch.tensor([1, 2, 3]).sum(), torch.tensor([True, True]).sum(), torch.tensor(
        [1, 2], dtype=torch.int32).sum()


@program
def mean_of_int_error(torch):
    return torch.tensor([1, 2]).mean()


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.__name__)
def test_ops_match_torch(prog):
    check(prog)
