"""Differential programs for linear algebra in the shim (``torch.linalg`` and the
top-level forms; see ``test_torch_diff_harness``): values, dtypes, grad_fn names,
gradients, double backward, batches and torch's errors. Eigen- and singular vectors are
defined up to sign, so programs observe sign-invariant functions of them (products,
squares) and their gradients. Plus one script run under ``python -m
tracegrad.interop.torch`` whose stdout must equal real torch's."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, loose, program

G = "linalg"


def _mat(torch, n=3, dtype=None, batch=(), shift=0.0):
    """A well-conditioned, non-symmetric n x n matrix (stack) that requires grad."""
    dtype = dtype or torch.float64
    k = n * n
    for b in batch:
        k *= b
    base = torch.arange(k, dtype=torch.float64).reshape(*batch, n, n)
    m = torch.sin(base * 1.3 + shift) * 0.5 + torch.eye(n, dtype=torch.float64) * (n + 1.0)
    return m.to(dtype).requires_grad_()


def _spd(torch, n=3, dtype=None, batch=()):
    """A symmetric positive-definite matrix (stack) that requires grad."""
    m = _mat(torch, n, torch.float64, batch).detach()
    s = m @ m.transpose(-1, -2) + torch.eye(n, dtype=torch.float64)
    return s.to(dtype or torch.float64).requires_grad_()


def _w(torch, *shape, dtype=None):
    n = 1
    for s in shape:
        n *= s
    return torch.cos(torch.arange(n, dtype=torch.float64) * 0.7).reshape(shape).to(
        dtype or torch.float64)


@program(G)
def det_slogdet_logdet_values_and_grads(torch):
    a = _mat(torch)
    d = torch.linalg.det(a)
    s = torch.linalg.slogdet(a)
    ld = torch.logdet(a)
    (d + s.logabsdet * 2 + ld).backward()
    neg = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64)
    sing = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
    s2 = torch.slogdet(neg)
    return (d, s.sign, s.logabsdet, ld, a.grad, type(s).__name__, type(s2).__name__,
            s2.sign, s2.logabsdet, torch.logdet(neg), torch.det(sing).abs(),
            torch.linalg.slogdet(sing).logabsdet, torch.linalg.slogdet(sing).sign.abs())


@program(G)
def det_float32_batched_method_and_double_backward(torch):
    a = _mat(torch, 3, torch.float32, batch=(2,))
    d = a.det()
    g, = torch.autograd.grad(d.sum(), a, create_graph=True)
    (g * _w(torch, 2, 3, 3, dtype=torch.float32)).sum().backward()
    return d, loose(g), a.grad, torch.det(a).dtype


@program(G)
def inv_values_grads_and_double_backward(torch):
    a = _mat(torch)
    i = torch.linalg.inv(a)
    g, = torch.autograd.grad((i * _w(torch, 3, 3)).sum(), a, create_graph=True)
    (g ** 2).sum().backward()
    b = _mat(torch, 2, torch.float32, batch=(3,), shift=1.0)
    ib = torch.inverse(b)
    ib.sum().backward()
    ex = torch.linalg.inv_ex(b.detach())
    return (i, loose(g), a.grad, ib, b.grad, b.inverse(), type(ex).__name__, ex.inverse,
            ex.info)


@program(G)
def solve_matrix_vector_left_right_and_broadcast(torch):
    a = _mat(torch)
    bm = _w(torch, 3, 2).requires_grad_()
    bv = _w(torch, 3).requires_grad_()
    x = torch.linalg.solve(a, bm)
    y = torch.linalg.solve(a, bv)
    z = torch.linalg.solve(a, bm.T, left=False)
    ab = _mat(torch, 3, batch=(2,), shift=0.5)
    u = torch.linalg.solve(ab, bv)               # vector broadcast over A's batch
    v = torch.linalg.solve(ab, _w(torch, 4, 1, 3, 2))  # batch dims broadcast to (4, 2)
    (x.sum() + (y ** 2).sum() + z.sum() * 3 + u.sum() + v.sum()).backward()
    return x, y, z, u, v, a.grad, bm.grad, bv.grad, ab.grad


@program(G)
def solve_batched_float32_and_double_backward(torch):
    a = _mat(torch, 3, torch.float32, batch=(2,))
    b = _w(torch, 2, 3, 2, dtype=torch.float32).requires_grad_()
    x = torch.linalg.solve(a, b)
    ga, gb = torch.autograd.grad((x * x).sum(), (a, b), create_graph=True)
    (ga.sum() + (gb ** 2).sum()).backward()
    v = torch.linalg.solve(a, _w(torch, 2, 3, dtype=torch.float32))  # (2,3) is a vector
    return x, loose(ga, gb), a.grad, b.grad, v


@program(G)
def cholesky_lower_upper_and_one_triangle(torch):
    a = _spd(torch)
    w = _w(torch, 3, 3)
    lo = torch.linalg.cholesky(a)
    up = torch.linalg.cholesky(a, upper=True)
    (lo * w).sum().backward()
    g_lo = a.grad
    a.grad = None
    (up * w).sum().backward()
    # a non-symmetric input: torch reads one triangle, and its gradient is symmetric
    ns = (_spd(torch).detach() + torch.triu(torch.ones(3, 3, dtype=torch.float64), 1)
          ).requires_grad_()
    c1, c2 = torch.linalg.cholesky(ns), torch.linalg.cholesky(ns, upper=True)
    ((c1 * w).sum() + (c2 * w.T).sum()).backward()
    return lo, up, g_lo, a.grad, c1, c2, ns.grad


@program(G)
def cholesky_batched_float32_and_deprecated_form(torch):
    a = _spd(torch, 3, torch.float32, batch=(2,))
    lo = torch.linalg.cholesky(a)
    (lo.sum() + lo.diagonal(dim1=-2, dim2=-1).log().sum()).backward()
    b = a.detach()[0].requires_grad_()
    with warnings.catch_warnings():  # torch warns once per process: see the script test
        warnings.simplefilter("ignore")
        c, cu = torch.cholesky(b), torch.cholesky(b, upper=True)
    (c.sum() + (cu ** 2).sum()).backward()
    ex = torch.linalg.cholesky_ex(a.detach())
    return lo, a.grad, c, cu, b.grad, type(ex).__name__, ex.L, ex.info


@program(G)
def eigh_eigvalsh_sign_invariant(torch):
    a = _spd(torch, 4)
    e = torch.linalg.eigh(a)
    v = e.eigenvectors
    rebuilt = v @ torch.diag_embed(e.eigenvalues) @ v.T
    proj = v ** 2  # squares of the columns do not depend on their signs
    (e.eigenvalues * _w(torch, 4)).sum().backward(retain_graph=True)
    g_vals = a.grad
    a.grad = None
    (proj * _w(torch, 4, 4)).sum().backward()
    ev = torch.linalg.eigvalsh(a, UPLO="U")
    return (e.eigenvalues, rebuilt, proj, g_vals, a.grad, ev, type(e).__name__,
            e.eigenvalues.grad_fn is not None)


@program(G)
def eigh_uplo_batched_float32(torch):
    a = _spd(torch, 3, torch.float32, batch=(2,))
    ns = (a.detach() + torch.tril(torch.ones(3, 3), -1)).requires_grad_()
    lo, up = torch.linalg.eigvalsh(ns), torch.linalg.eigvalsh(ns, UPLO="U")
    (lo * _w(torch, 3, dtype=torch.float32)).sum().backward()
    g = ns.grad
    ns.grad = None
    up.sum().backward()
    return lo, up, g, ns.grad, err(lambda: torch.linalg.eigh(a, UPLO="X"))


@program(G)
def svd_products_svdvals_and_grads(torch):
    a = (_w(torch, 4, 3) + torch.eye(4, 3, dtype=torch.float64) * 3).requires_grad_()
    u, s, vh = torch.linalg.svd(a, full_matrices=False)
    rebuilt = u @ torch.diag(s) @ vh
    uf, sf, vhf = torch.linalg.svd(a)
    sv = torch.linalg.svdvals(a)
    (s * _w(torch, 3)).sum().backward(retain_graph=True)
    g_s = a.grad
    a.grad = None
    (rebuilt * _w(torch, 4, 3)).sum().backward()
    return (s, rebuilt, u.shape, vh.shape, uf.shape, vhf.shape, sf, sv, g_s, a.grad,
            (uf.abs() @ uf.abs().T).diagonal(), type(torch.linalg.svd(a)).__name__)


@program(G)
def svd_batched_float32_outer_products(torch):
    a = _mat(torch, 3, torch.float32, batch=(2,))
    u, s, vh = torch.linalg.svd(a)
    p = u[..., :, :1] @ vh[..., :1, :]  # the leading rank-1 term: sign-invariant
    (p.sum() + s.sum()).backward()
    return s, loose(p), a.grad  # batched @ is UnsafeViewBackward0 in torch: not linalg's


@program(G)
def matrix_norms_every_order(torch):
    a = _mat(torch, 3)
    out = []
    for o in ["fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf")]:
        a.grad = None
        n = torch.linalg.matrix_norm(a, o)
        n.backward()
        out += [n, a.grad]
    b = _mat(torch, 3, torch.float32, batch=(2,))
    out += [torch.linalg.matrix_norm(b, 1, keepdim=True),
            torch.linalg.matrix_norm(b, "nuc", dim=(0, 2)),
            torch.linalg.matrix_norm(b, -float("inf"), dim=(2, 1)),
            torch.linalg.matrix_norm(b, 2, keepdim=True)]
    return out


@program(G)
def vector_and_general_norms(torch):
    a = _mat(torch, 3)
    v = _w(torch, 5).requires_grad_()
    ns = [torch.linalg.vector_norm(v), torch.linalg.vector_norm(v, 1),
          torch.linalg.vector_norm(v, float("inf")), torch.linalg.vector_norm(v, -float("inf")),
          torch.linalg.vector_norm(v, 3.5), torch.linalg.vector_norm(v, 0),
          torch.linalg.vector_norm(a, dim=(0, 1)), torch.linalg.vector_norm(a, 2, dim=1,
                                                                            keepdim=True),
          torch.linalg.norm(a), torch.linalg.norm(a, "fro"), torch.linalg.norm(a, 2),
          torch.linalg.norm(a, "nuc"), torch.linalg.norm(a, dim=0),
          torch.linalg.norm(a, float("inf"), dim=(1, 0)), torch.linalg.norm(v, 1),
          a.norm(p="nuc"), a.norm(p="fro"), torch.norm(a, p="nuc"), a.norm()]
    total = ns[0]
    for n in ns[1:]:
        total = total + n.sum()
    total.backward()
    return ns, a.grad, v.grad


@program(G)
def matrix_power_pinv_multi_dot_cross(torch):
    a = _mat(torch, 3)
    ps = [torch.linalg.matrix_power(a, k) for k in (0, 1, 2, 3, 5, -1, -2)]
    ps.append(torch.matrix_power(a, 4))
    ps.append(a.matrix_power(2))
    total = sum((p * _w(torch, 3, 3)).sum() for p in ps)
    r = (_w(torch, 3, 4) + torch.eye(3, 4, dtype=torch.float64) * 2).requires_grad_()
    pi = torch.linalg.pinv(r)
    pv = torch.pinverse(r)
    md = torch.linalg.multi_dot([_w(torch, 3), a, r, _w(torch, 4, 2)])
    c = torch.linalg.cross(a, a.flip(0))
    (total + pi.sum() + (pv ** 2).sum() + md.sum() + c.sum()).backward()
    return ps, pi, pv, md, c, a.grad, r.grad


@program(G)
def singular_and_non_square_errors(torch):
    sing = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
    batch = torch.stack([torch.eye(2), sing])
    rect = torch.ones(2, 3)
    neg = -torch.eye(2)
    return [err(lambda: torch.linalg.inv(sing)), err(lambda: torch.inverse(batch)),
            err(lambda: torch.linalg.solve(sing, torch.ones(2))),
            err(lambda: torch.linalg.solve(batch, torch.ones(2, 2, 1))),
            err(lambda: torch.linalg.cholesky(neg)), err(lambda: torch.cholesky(neg)),
            err(lambda: torch.linalg.cholesky(torch.stack([torch.eye(2), neg]))),
            err(lambda: torch.linalg.inv(rect)), err(lambda: torch.linalg.det(rect)),
            err(lambda: torch.linalg.cholesky(rect)), err(lambda: torch.linalg.eigh(rect)),
            err(lambda: torch.linalg.solve(rect, torch.ones(2))),
            err(lambda: torch.linalg.inv(torch.ones(3))),
            err(lambda: torch.linalg.det(torch.ones(3))),
            err(lambda: torch.linalg.svd(torch.ones(3))),
            err(lambda: torch.linalg.inv(torch.eye(2, dtype=torch.int64))),
            err(lambda: torch.linalg.solve(torch.eye(2), torch.ones(3))),
            err(lambda: torch.linalg.solve(torch.eye(2), torch.ones(2, 3), left=False)),
            err(lambda: torch.linalg.solve(torch.eye(2), torch.ones(2, dtype=torch.float64))),
            err(lambda: torch.linalg.matrix_power(rect, 2)),
            err(lambda: torch.linalg.matrix_norm(torch.eye(3), 3)),
            err(lambda: torch.linalg.matrix_norm(torch.ones(3))),
            err(lambda: torch.linalg.norm(torch.ones(2, 2, 2), 2)),
            err(lambda: torch.linalg.multi_dot([torch.eye(2)])),
            err(lambda: torch.linalg.vector_norm(torch.eye(2), "fro")),
            err(lambda: torch.linalg.vector_norm(torch.ones(3, dtype=torch.int64))),
            isinstance(err(lambda: torch.linalg.inv(sing)), tuple),
            torch.linalg.inv_ex(sing).info, torch.linalg.cholesky_ex(neg).info]


@program(G)
def lin_alg_error_class(torch):
    sing = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
    try:
        torch.linalg.inv(sing)
    except torch.linalg.LinAlgError as e:
        caught = (type(e).__name__, isinstance(e, RuntimeError),
                  issubclass(torch.linalg.LinAlgError, RuntimeError))
    return caught


@program(G)
def second_order_through_solve_and_logdet(torch):
    a = _spd(torch, 3)
    b = _w(torch, 3).requires_grad_()
    f = torch.linalg.solve(a, b) @ b + torch.logdet(a)
    ga, gb = torch.autograd.grad(f, (a, b), create_graph=True)
    h = torch.autograd.grad(gb.sum() + (ga * _w(torch, 3, 3)).sum(), (a, b))
    return f, loose(ga, gb), h


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda f: f.__name__)
def test_linalg_like_torch(prog):
    check(prog)


SCRIPT = """
import torch
import torch.linalg
from torch.linalg import inv, LinAlgError
a = torch.tensor([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], requires_grad=True)
d = torch.linalg.det(a)
d.backward()
print(d, a.grad)
print(inv(a).grad_fn.name(), torch.linalg.eigvalsh(a))
print(torch.linalg.slogdet(a))
print(torch.linalg.cholesky(a))
print(torch.linalg.solve(a, torch.tensor([1.0, 2.0, 3.0])))
print(round(torch.linalg.matrix_norm(a, "nuc").item(), 4), torch.linalg.norm(a, 2))
print(torch.det(a.detach()), torch.linalg.matrix_norm(a, "nuc").grad_fn.name())
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.cholesky(a)
    torch.cholesky(a, upper=True)
print(len(caught), caught[0].category.__name__, str(caught[0].message))
try:
    inv(torch.zeros(2, 2))
except LinAlgError as e:
    print(type(e), e)
"""


def test_script_with_torch_linalg_matches_torch(tmp_path):
    path = tmp_path / "linalg_script.py"
    path.write_text(SCRIPT)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    real = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          env=env, timeout=120)
    shim = subprocess.run([sys.executable, "-m", "tracegrad.interop.torch", str(path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert real.returncode == 0, real.stderr
    assert shim.returncode == 0, shim.stderr
    assert shim.stdout == real.stdout
