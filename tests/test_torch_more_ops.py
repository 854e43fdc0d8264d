"""Differential programs for the less common torch functions of ``ops_more`` (each runs
on real PyTorch 2.13 and on the shim, see ``test_torch_diff_harness``)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program

G = "more_ops"


def _m(torch, *shape, scale=1.0):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float32).reshape(shape) * 0.37 - 1.1) * scale


@program(G)
def addmm_and_baddbmm(torch):
    i = _m(torch, 2, 4).requires_grad_()
    a = _m(torch, 2, 3).requires_grad_()
    b = _m(torch, 3, 4, scale=0.5).requires_grad_()
    y = torch.addmm(i, a, b, beta=0.5, alpha=2.0)
    z = torch.addmm(torch.ones(4), a, b)
    (y.sum() + (z * z).sum()).backward()
    p = _m(torch, 2, 2, 3).requires_grad_()
    q = _m(torch, 2, 3, 2).requires_grad_()
    w = torch.baddbmm(torch.zeros(2, 2, 2), p, q, alpha=3)
    w.pow(2).sum().backward()
    return (y, z, i.grad, a.grad, b.grad, w, p.grad, q.grad, i.addmm(a, b),
            err(lambda: torch.addmm(i, a, a)), err(lambda: torch.addmm(i, a.sum(0), b)))


@program(G)
def cross_product(torch):
    a = _m(torch, 2, 3).requires_grad_()
    b = torch.tensor([[0.5, -1.0, 2.0], [3.0, 1.0, 0.25]], requires_grad=True)
    c = torch.cross(a, b, dim=1)
    c.pow(2).sum().backward()
    d = torch.cross(a.t(), b.t(), dim=0)
    return c, a.grad, b.grad, d, a.cross(b, dim=-1), torch.cross(a, b), err(
        lambda: torch.cross(a[:, :2], b[:, :2], dim=1))


@program(G)
def cumprod_values_grads_dtypes(torch):
    x = torch.tensor([[1.5, -2.0, 0.5], [3.0, 0.25, -1.0]], requires_grad=True)
    y = torch.cumprod(x, 1)
    z = x.cumprod(dim=0)
    (y.sum() + (z * z).sum()).backward()
    i = torch.tensor([1, 2, 3], dtype=torch.int32)
    return y, z, x.grad, torch.cumprod(i, 0), torch.cumprod(i, 0, dtype=torch.float64)


@program(G)
def diag_diagonal_diag_embed(torch):
    v = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    m = _m(torch, 3, 4).requires_grad_()
    outs = [torch.diag(v), torch.diag(v, 1), torch.diag(v, -2), torch.diag(m), torch.diag(m, 1),
            m.diag(-1), torch.diagonal(m), torch.diagonal(m, 2), m.diagonal(-1),
            torch.diagonal(m.reshape(2, 3, 2), 0, 0, 2), torch.diag_embed(m),
            torch.diag_embed(v, 1)]
    sum((o * o).sum() for o in outs).backward()
    return outs, v.grad, m.grad, err(lambda: torch.diag(torch.ones(2, 2, 2)))


@program(G)
def dist_and_cdist(torch):
    a = _m(torch, 3, 2).requires_grad_()
    b = torch.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
    d = torch.cdist(a, b)
    d1 = torch.cdist(a, b, p=1)
    s = torch.dist(a, a.detach() * 2)
    s1 = torch.dist(a, a.detach() * 2, 1)
    (d.sum() + d1.sum() + s + s1).backward()
    return d, d1, s, s1, a.grad, b.grad, a.dist(a * 0), err(lambda: torch.cdist(a, b.t()))


@program(G)
def einsum_and_tensordot(torch):
    a = _m(torch, 2, 3).requires_grad_()
    b = _m(torch, 3, 4, scale=0.5).requires_grad_()
    c = _m(torch, 3, 3).requires_grad_()
    outs = [torch.einsum("ij,jk->ik", a, b), torch.einsum("ii->i", c),
            torch.einsum("ij->ji", a), torch.einsum("ij->", a), torch.einsum("i,j->ij", a[0], b[0]),
            torch.einsum("ij,ij->", c, c), torch.einsum("ij,jk", [a, b]),
            torch.tensordot(a, b, 1), torch.tensordot(a, b, dims=([1], [0])),
            torch.tensordot(c, c)]
    sum((o * o).sum() for o in outs).backward()
    return outs, a.grad, b.grad, c.grad


@program(G)
def lerp_and_masked_fill(torch):
    s = _m(torch, 2, 3).requires_grad_()
    e = torch.ones(2, 3, requires_grad=True)
    w = torch.tensor([0.0, 0.3, 0.9], requires_grad=True)
    y1 = torch.lerp(s, e, 0.25)
    y2 = s.lerp(e, w)
    mask = torch.tensor([[True, False, True], [False, False, True]])
    v = torch.tensor(5.0, requires_grad=True)
    y3 = s.masked_fill(mask, -1.0)
    y4 = torch.masked_fill(s, mask[0], v)
    (y1.sum() + (y2 * y2).sum() + (y3 * 3).sum() + (y4 * y4).sum()).backward()
    t = s.detach().clone()
    t.masked_fill_(mask, 7)
    return (y1, y2, y3, y4, s.grad, e.grad, w.grad, v.grad, t,
            torch.arange(3).masked_fill(torch.tensor([True, False, True]), 9),
            err(lambda: s.masked_fill(mask.long(), 1.0)),
            err(lambda: s.masked_fill(mask, torch.ones(2))))


@program(G)
def meshgrid_ij_xy(torch):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([4.0, 5.0], requires_grad=True)
    g1 = torch.meshgrid(a, b, indexing="ij")
    g2 = torch.meshgrid([a, b], indexing="xy")
    (g1[0] * g1[1]).sum().backward()
    (g2[0] * 2 + g2[1]).sum().backward()
    return g1, g2, a.grad, b.grad


@program(G)
def nan_to_num_trunc_frac(torch):
    x = torch.tensor([float("nan"), float("inf"), -float("inf"), -2.5, 1.75, 0.0],
                     requires_grad=True)
    ys = [torch.nan_to_num(x), x.nan_to_num(nan=1.0, posinf=2.0, neginf=-3.0),
          torch.trunc(x), x.frac(), torch.trunc(x).trunc()]
    (ys[0] * 2).sum().backward()
    f = torch.tensor([-2.5, 1.75, 3.0], requires_grad=True)
    (torch.frac(f) * f).sum().backward()
    g = torch.tensor([-2.5, 1.75], requires_grad=True)
    torch.trunc(g).sum().backward()
    return ys, x.grad, f.grad, g.grad, torch.trunc(torch.tensor([3, -4])), torch.fix(f)


@program(G)
def nonzero_count_nonzero_unique(torch):
    x = torch.tensor([[0, 3, 0], [1, 0, 2]])
    u = torch.tensor([3, 1, 2, 3, 1, 5])
    return (torch.nonzero(x), x.nonzero(as_tuple=True), torch.count_nonzero(x),
            torch.count_nonzero(x, dim=0), x.count_nonzero(1), torch.unique(u),
            torch.unique(u, return_inverse=True), torch.unique(u, return_counts=True),
            torch.unique(torch.tensor([[2.0, 1.0], [2.0, 0.5]]), return_inverse=True,
                         return_counts=True), u.unique())


@program(G)
def repeat_interleave_roll_take_tile(torch):
    x = _m(torch, 2, 3).requires_grad_()
    ys = [torch.repeat_interleave(x, 2), x.repeat_interleave(torch.tensor([1, 2]), dim=0),
          torch.roll(x, 1), torch.roll(x, (1, -1), (0, 1)), x.roll(2, 1),
          torch.take(x, torch.tensor([[0, 5], [-1, 2]])), torch.tile(x, (2,)),
          x.tile((2, 1, 2))]
    sum((y * y).sum() for y in ys).backward()
    return (ys, x.grad, torch.repeat_interleave(torch.tensor([2, 0, 1])),
            err(lambda: torch.take(x, torch.tensor([6]))))


@program(G)
def scatter_and_scatter_add(torch):
    x = torch.zeros(3, 4, requires_grad=True)
    src = _m(torch, 2, 4).requires_grad_()
    idx = torch.tensor([[0, 1, 2, 0], [2, 0, 1, 1]])
    y1 = torch.scatter(x, 0, idx, src)
    y2 = x.scatter(0, idx, 1.5)
    y3 = torch.scatter_add(x, 0, torch.tensor([[0, 0, 1, 1], [0, 2, 1, 2]]), src)
    (y1 * y1 + y2 + y3 * y3).sum().backward()
    t = torch.zeros(2, 3)
    t.scatter_(1, torch.tensor([[2], [0]]), 4.0)
    t.scatter_add_(1, torch.tensor([[1, 1]]), torch.ones(1, 2))
    return (y1, y2, y3, x.grad, src.grad, t,
            err(lambda: torch.scatter(x, 0, idx.int(), src)))


@program(G)
def scatter_repeated_indices_and_cumprod_through_zero(torch):
    s = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = torch.scatter(torch.zeros(2, 2), 0, torch.tensor([[0, 0], [0, 1]]), s)
    (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    x = torch.tensor([2.0, 0.0, 3.0, 0.5], requires_grad=True)
    c = torch.cumprod(x, 0)
    c.sum().backward()
    return y, s.grad, c, x.grad


@program(G)
def tril_triu(torch):
    x = _m(torch, 3, 4).requires_grad_()
    ys = [torch.tril(x), torch.triu(x), x.tril(1), x.triu(-1), torch.tril(_m(torch, 2, 2, 3), -1)]
    sum((y * y).sum() for y in ys[:4]).backward()
    t = torch.ones(3, 3)
    t.triu_(1)
    return ys, x.grad, t, torch.tril(torch.ones(2, 2, dtype=torch.int64)), err(
        lambda: torch.tril(torch.ones(3)))


@program(G)
def var_mean_and_std_mean(torch):
    x = _m(torch, 3, 4).requires_grad_()
    v, m = torch.var_mean(x, 1)
    s, m2 = torch.std_mean(x, dim=0, keepdim=True, correction=0)
    v0, m0 = torch.var_mean(x)
    (v.sum() + m.sum() * 2 + s.sum() + (m2 * m2).sum() + v0 + m0).backward()
    return v, m, s, m2, v0, m0, x.grad, torch.std_mean(x, unbiased=False)


@program(G)
def logaddexp_xlogy_atan2(torch):
    a = torch.tensor([-1.0, 0.0, 2.0, 100.0], requires_grad=True)
    b = torch.tensor([0.5, 0.0, -3.0, 99.0], requires_grad=True)
    l = torch.logaddexp(a, b)
    xl = torch.xlogy(torch.tensor([0.0, 1.0, 2.0, 0.0]) * a, b.abs() + 0.5)
    xs = torch.xlogy(a, 2.0)
    t = torch.atan2(a, b + 1.0)  # (0, 0) has no defined gradient
    (l.sum() + xl.sum() + xs.sum() + t.sum()).backward()
    return (l, xl, xs, t, a.grad, b.grad, a.logaddexp(b), torch.xlogy(torch.tensor(0.0), 0.0),
            torch.xlogy(torch.tensor([0.0]), torch.tensor([float("nan")])),
            torch.atan2(torch.tensor([1, -1]), torch.tensor([0, 0])), a.arctan2(b))


@program(G)
def heaviside_and_kron(torch):
    x = torch.tensor([-1.5, 0.0, 2.0])
    h = torch.heaviside(x, torch.tensor([0.5]))
    a = _m(torch, 2, 2).requires_grad_()
    b = torch.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    k = torch.kron(a, b)
    (k * k).sum().backward()
    return (h, x.heaviside(torch.tensor(7.0)), k, a.grad, b.grad,
            torch.kron(torch.tensor([1, 2]), torch.tensor([[1], [3]])),
            err(lambda: torch.heaviside(x, torch.tensor([1]))))


@program(G)
def median_global_and_dim(torch):
    x = torch.tensor([[3.0, 1.0, 2.0, 7.0], [0.5, 4.0, -1.0, 9.0], [6.0, 5.0, 8.0, 2.5]],
                     requires_grad=True)
    m = torch.median(x)
    r = torch.median(x, 1)
    r2 = x.median(dim=0, keepdim=True)
    (m * 3 + r.values.sum() + (r2[0] * r2[0]).sum()).backward()
    return m, r.values, r.indices, r2.values, r2.indices, x.grad, type(r).__name__


@program(G)
def normal_with_numbers_and_tensors(torch):
    torch.manual_seed(3)
    a = torch.normal(2.0, 3.0, size=(5,))
    b = torch.normal(0.0, 1.0, (20,))
    mean = torch.tensor([0.0, 1.0, 10.0], requires_grad=True)
    std = torch.tensor([1.0, 0.5, 2.0], requires_grad=True)
    c = torch.normal(mean, 0.5)
    d = torch.normal(1.0, std)
    e = torch.normal(mean, std)
    (c.sum() + (d * 2).sum() + e.sum()).backward()
    g = torch.Generator().manual_seed(4)
    f = torch.normal(0.0, 1.0, size=(2, 2), generator=g)
    return a, b, c, d, e, mean.grad, std.grad, f, err(lambda: torch.normal(mean, -1.0))


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_more_ops_like_torch(prog):
    check(prog)
