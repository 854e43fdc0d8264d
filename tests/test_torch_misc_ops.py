"""Differential programs for ``ops_misc`` (fmod, hypot, sinc, logit, diff, renorm,
trapezoid, unfold, cummax/cummin, logcumsumexp, masked_select) and two grad_fn names
(each runs on real PyTorch 2.13 and on the shim, see ``test_torch_diff_harness``)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program

G = "misc_ops"


def _x(torch, *shape, scale=1.0):
    n = 1
    for s in shape:
        n *= s
    return ((torch.arange(n, dtype=torch.float32).reshape(shape) * 0.61 - 1.7) * scale
            ).requires_grad_()


@program(G)
def fmod_takes_the_dividends_sign(torch):
    x = _x(torch, 2, 3, scale=3.0)
    d = torch.tensor([2.0, -1.5, 0.7], requires_grad=True)
    a, b = torch.fmod(x, 2.0), x.fmod(d)
    (a * a).sum().backward()
    (b * 3).sum().backward()
    i = torch.tensor([-7, 7, -3])
    return (a, b, x.grad, d.grad, torch.fmod(i, 3), torch.fmod(i, torch.tensor([2, -2, 5])),
            torch.remainder(i, 3), torch.fmod(i, 2.5), torch.fmod(torch.tensor(-3.0), 2))


@program(G)
def hypot_sinc_logit(torch):
    x = _x(torch, 5)
    y = _x(torch, 5, scale=-0.5)
    h = torch.hypot(x, y)
    s = torch.sinc(x)
    p = torch.sigmoid(x)
    lo, le = torch.logit(p), torch.logit(p, eps=0.2)
    (h.sum() + s.sum() + lo.sum() + le.sum()).backward()
    z = torch.tensor([0.0, 1.0], requires_grad=True)
    torch.sinc(z).sum().backward()
    return (h, s, lo, le, x.grad, y.grad, z.grad, torch.sinc(torch.tensor([0, 2])),
            torch.logit(torch.tensor([0.0, 1.0, 0.5])),
            err(lambda: torch.hypot(torch.tensor([1, 2]), torch.tensor([3, 4]))))


@program(G)
def diff_with_order_prepend_and_append(torch):
    x = _x(torch, 2, 5)
    d1 = torch.diff(x)
    d2 = x.diff(n=2, dim=1)
    d0 = torch.diff(x, dim=0, prepend=torch.zeros(1, 5), append=x[:1] * 2)
    (d1.pow(2).sum() + d2.sum() * 3 + d0.sum()).backward()
    return d1, d2, d0, x.grad, torch.diff(torch.tensor([1, 4, 9, 16]), n=2)


@program(G)
def renorm_and_trapezoid(torch):
    x = _x(torch, 3, 4)
    r = x.renorm(2, 0, 1.5)
    r1 = torch.renorm(x, 1, 1, 2.0)
    ri = x.renorm(float("inf"), 0, 1.0)
    t1, t2 = torch.trapezoid(x), torch.trapezoid(x, dx=0.5, dim=0)
    pts = torch.tensor([0.0, 1.0, 3.0, 3.5], requires_grad=True)
    t3 = torch.trapezoid(x, pts)
    (r.sum() + r1.pow(2).sum() + ri.sum() + t1.sum() + t2.sum() + t3.sum()).backward()
    return r, r1, ri, t1, t2, t3, x.grad, pts.grad, torch.trapz(x, dim=0)


@program(G)
def unfold_windows(torch):
    x = _x(torch, 3, 5)
    u = x.unfold(1, 2, 2)
    v = x.unfold(0, 3, 1)
    w = x.unfold(1, 5, 1)
    (u.pow(2).sum() + v.sum() + w.sum() * 2).backward()
    return (u, v, w, x.grad, err(lambda: x.unfold(0, 4, 1)), err(lambda: x.unfold(1, 2, 0)),
            torch.arange(7.0).unfold(0, 3, 2))


@program(G)
def cummax_cummin_with_ties_and_nan(torch):
    x = torch.tensor([[1.0, 3.0, 3.0, 2.0, 5.0], [0.0, -1.0, 0.0, -1.0, 4.0]],
                     requires_grad=True)
    a = torch.cummax(x, dim=1)
    b = x.cummin(0)
    (a.values * torch.arange(5.0)).sum().backward()
    b.values.sum().backward()
    n = torch.tensor([1.0, float("nan"), 2.0, 0.5])
    return (a, b, x.grad, torch.cummax(n, 0), torch.cummin(n, 0),
            torch.cummax(torch.tensor([2, 1, 2]), 0))


@program(G)
def logcumsumexp_stable_and_with_minus_inf(torch):
    x = _x(torch, 2, 4, scale=30.0)
    y = torch.logcumsumexp(x, dim=1)
    z = x.logcumsumexp(0)
    (y.sum() + z.pow(2).sum() * 1e-3).backward()
    m = torch.tensor([float("-inf"), 0.0, float("-inf"), 1.0])
    return y, z, x.grad, torch.logcumsumexp(m, 0)


@program(G)
def masked_select_broadcasts(torch):
    x = _x(torch, 2, 3)
    m = torch.tensor([True, False, True])
    s = torch.masked_select(x, m)
    t = x.masked_select(x > 0)
    (s * torch.arange(4.0)).sum().backward()
    t.sum().backward()
    return (s, t, x.grad, err(lambda: torch.masked_select(x, torch.tensor([1, 0, 1]))),
            torch.masked_select(torch.tensor([1, 2, 3]), torch.tensor(True)))


@program(G)
def split_sizes_and_outer_grad_fn_names(torch):
    x = _x(torch, 6)
    a, b = x.split([2, 4])
    c, d = torch.split(x, 3)
    o = torch.outer(x[:2], x[2:4])
    (a.sum() + b.sum() * 2 + c.sum() + d.sum() + o.sum()).backward()
    return a, b, c, d, o, x.grad


@program(G)
def empty_cat_and_stack_errors(torch):
    return err(lambda: torch.cat([])), err(lambda: torch.stack([])), err(lambda: torch.cat(()))


@program(G)
def random_in_place_draws_torch_s_integers(torch):
    torch.manual_seed(3)
    out = [torch.zeros(6, dtype=dt).random_() for dt in (
        torch.float32, torch.float64, torch.int64, torch.int32, torch.int16, torch.uint8,
        torch.int8, torch.bool)]
    g = torch.Generator().manual_seed(5)
    out += [torch.zeros(5).random_(10), torch.zeros(5, dtype=torch.int64).random_(-3, 4),
            torch.zeros(2, 3).t().random_(100), torch.zeros(4).random_(0, 1000, generator=g),
            torch.zeros(3, dtype=torch.float64).random_(to=2 ** 40),
            err(lambda: torch.zeros(2).random_(5, 5)),
            err(lambda: torch.ones(2, requires_grad=True).random_())]
    return out


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda f: f.__name__)
def test_misc_ops_like_torch(prog):
    check(prog)
