"""Differential programs: tensor ops and their gradients, broadcasting reductions, ties at
kinks, indexing and ``__setitem__``, in-place ops and version counters, dtypes and repr."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program

G = "ops"


def _leaf(torch, data):
    return torch.tensor(data, requires_grad=True)


# ---------------------------------------------------------------- elementwise and grads

@program(G)
def unary_ops_grads(torch):
    outs = []
    for name in ("sin", "cos", "exp", "tanh", "sigmoid", "sqrt", "log", "abs", "relu"):
        x = _leaf(torch, [0.5, 1.5, 2.5])
        y = getattr(torch, name)(x)
        y.sum().backward()
        outs.append((name, y, x.grad))
    return outs


@program(G)
def unary_methods_grads(torch):
    outs = []
    for name in ("sin", "cos", "exp", "tanh", "sigmoid", "sqrt", "log", "abs", "relu", "neg"):
        x = _leaf(torch, [0.25, 1.0, 3.0])
        y = getattr(x, name)()
        (y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
        outs.append((name, y, x.grad))
    return outs


@program(G)
def binary_ops_broadcast_grads(torch):
    outs = []
    for op in ("add", "sub", "mul", "div"):
        a = _leaf(torch, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = _leaf(torch, [0.5, -1.0, 2.0])
        y = getattr(torch, op)(a, b)
        y.sum().backward()
        outs.append((op, y, a.grad, b.grad))
    return outs


@program(G)
def operators_with_python_scalars(torch):
    x = _leaf(torch, [1.0, 2.0, 4.0])
    y = (2 - x) * 3 + 1 / x - x / 2 + (-x) + 2 ** x + x ** 2
    y.sum().backward()
    return y, x.grad


@program(G)
def broadcast_column_row(torch):
    a = _leaf(torch, [[1.0], [2.0], [3.0]])
    b = _leaf(torch, [[10.0, 20.0]])
    y = a * b + a
    y.sum().backward()
    return y, a.grad, b.grad


@program(G)
def broadcast_scalar_tensor(torch):
    s = _leaf(torch, 2.0)
    m = _leaf(torch, [[1.0, 2.0], [3.0, 4.0]])
    y = (s * m).sum()
    y.backward()
    return y, s.grad, m.grad


@program(G)
def pow_tensor_exponent(torch):
    a = _leaf(torch, [1.5, 2.0])
    b = _leaf(torch, [2.0, 3.0])
    y = torch.pow(a, b)
    y.sum().backward()
    return y, a.grad, b.grad


@program(G)
def pow_method_and_fractional(torch):
    a = _leaf(torch, [1.0, 4.0, 9.0])
    y = a.pow(0.5) + a.pow(-1) + a ** 3
    y.sum().backward()
    return y, a.grad


@program(G)
def pow_at_zero(torch):
    a = _leaf(torch, [0.0, 1.0])
    y = a ** 2 + a ** 1
    y.sum().backward()
    return a.grad


@program(G)
def sqrt_at_zero_is_inf(torch):
    a = _leaf(torch, [0.0, 4.0])
    a.sqrt().sum().backward()
    return a.grad


@program(G)
def log_of_negative_is_nan(torch):
    a = torch.tensor([-1.0, 1.0])
    return torch.log(a)


@program(G)
def division_by_zero(torch):
    a = _leaf(torch, [1.0, -1.0, 0.0])
    y = a / torch.tensor(0.0)
    return y


@program(G)
def sigmoid_tanh_extremes(torch):
    a = _leaf(torch, [-100.0, 0.0, 100.0])
    y = a.sigmoid() + a.tanh()
    y.sum().backward()
    return y, a.grad


@program(G)
def exp_log_chain(torch):
    a = _leaf(torch, [0.1, 0.2])
    y = torch.log(torch.exp(a) + 1.0)
    y.sum().backward()
    return y, a.grad


# ---------------------------------------------------------------- kinks and ties

@program(G)
def relu_at_zero(torch):
    x = _leaf(torch, [-1.0, 0.0, 2.0])
    torch.relu(x).sum().backward()
    return x.grad


@program(G)
def abs_at_zero(torch):
    x = _leaf(torch, [-2.0, 0.0, 3.0])
    x.abs().sum().backward()
    return x.grad


@program(G)
def clamp_at_bounds(torch):
    x = _leaf(torch, [-2.0, -1.0, 0.0, 1.0, 2.0])
    y = x.clamp(-1.0, 1.0)
    y.sum().backward()
    return y, x.grad


@program(G)
def clamp_min_only(torch):
    x = _leaf(torch, [-1.0, 0.0, 1.0])
    y = torch.clamp(x, min=0.0)
    y.sum().backward()
    return y, x.grad


@program(G)
def clamp_max_only(torch):
    x = _leaf(torch, [-1.0, 0.5, 1.0])
    y = torch.clamp(x, max=0.5)
    y.sum().backward()
    return y, x.grad


@program(G)
def maximum_ties_split(torch):
    a = _leaf(torch, [1.0, 2.0, 3.0])
    b = _leaf(torch, [1.0, 5.0, 0.0])
    y = torch.maximum(a, b)
    y.sum().backward()
    return y, a.grad, b.grad


@program(G)
def minimum_ties_split(torch):
    a = _leaf(torch, [1.0, 2.0, 3.0])
    b = _leaf(torch, [1.0, 5.0, 0.0])
    y = torch.minimum(a, b)
    y.sum().backward()
    return y, a.grad, b.grad


@program(G)
def max_full_reduction_ties(torch):
    x = _leaf(torch, [1.0, 3.0, 3.0, 2.0])
    m = x.max()
    m.backward()
    return m, x.grad


@program(G)
def min_full_reduction_ties(torch):
    x = _leaf(torch, [1.0, 0.0, 0.0, 0.0])
    m = torch.min(x)
    m.backward()
    return m, x.grad


@program(G)
def max_dim_values_indices(torch):
    x = _leaf(torch, [[1.0, 5.0, 5.0], [7.0, 2.0, 7.0]])
    values, indices = x.max(dim=1)
    values.sum().backward()
    return values, indices, x.grad


@program(G)
def max_dim_keepdim(torch):
    x = _leaf(torch, [[1.0, 5.0], [7.0, 2.0], [0.0, 0.0]])
    out = torch.max(x, 0, keepdim=True)
    (out.values * torch.tensor([[1.0, 2.0]])).sum().backward()
    return out.values, out.indices, x.grad, out[0].shape


@program(G)
def min_dim(torch):
    x = _leaf(torch, [[3.0, 1.0], [2.0, 2.0]])
    values, indices = torch.min(x, dim=1)
    values.sum().backward()
    return values, indices, x.grad


@program(G)
def max_binary_is_maximum(torch):
    a = _leaf(torch, [1.0, 4.0])
    b = _leaf(torch, [2.0, 4.0])
    y = torch.max(a, b)
    y.sum().backward()
    return y, a.grad, b.grad


@program(G)
def relu_in_a_chain_at_zero(torch):
    x = _leaf(torch, [1.0, -1.0, 0.5])
    y = torch.relu(x - 0.5) * 2
    y.sum().backward()
    return y, x.grad


# ---------------------------------------------------------------- reductions

@program(G)
def sum_dims_keepdim(torch):
    x = _leaf(torch, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x.sum(dim=0)
    b = x.sum(1, keepdim=True)
    c = x.sum(dim=(0, 1))
    (a.sum() * 2 + (b * b).sum() + c).backward()
    return a, b, c, x.grad


@program(G)
def sum_negative_dim(torch):
    x = _leaf(torch, [[[1.0, 2.0], [3.0, 4.0]]])
    y = x.sum(-1)
    (y * y).sum().backward()
    return y, x.grad


@program(G)
def mean_dims(torch):
    x = _leaf(torch, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x.mean()
    b = x.mean(dim=1)
    c = torch.mean(x, 0, keepdim=True)
    (a + b.sum() + (c ** 2).sum()).backward()
    return a, b, c, x.grad


@program(G)
def mean_of_int_tensor_errors(torch):
    return err(lambda: torch.tensor([1, 2, 3]).mean())


@program(G)
def sum_int_tensor_dtype(torch):
    s = torch.tensor([1, 2, 3]).sum()
    return s, s.dtype


@program(G)
def broadcast_then_reduce_grad(torch):
    b = _leaf(torch, [1.0, 2.0])
    x = torch.ones(3, 2)
    y = ((x + b) ** 2).mean()
    y.backward()
    return y, b.grad


@program(G)
def norm_default_and_grad(torch):
    x = _leaf(torch, [3.0, 4.0])
    n = x.norm()
    n.backward()
    return n, x.grad


@program(G)
def torch_norm_function(torch):
    x = _leaf(torch, [[1.0, 2.0], [2.0, 4.0]])
    n = torch.norm(x)
    n.backward()
    return n, x.grad


@program(G)
def dot_and_grads(torch):
    a = _leaf(torch, [1.0, 2.0, 3.0])
    b = _leaf(torch, [4.0, 5.0, 6.0])
    d = torch.dot(a, b)
    d.backward()
    return d, a.grad, b.grad


@program(G)
def mm_and_grads(torch):
    a = _leaf(torch, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = _leaf(torch, [[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]])
    c = torch.mm(a, b)
    c.sum().backward()
    return c, a.grad, b.grad


@program(G)
def matmul_operator_vector(torch):
    m = _leaf(torch, [[1.0, 2.0], [3.0, 4.0]])
    v = _leaf(torch, [1.0, -1.0])
    y = m @ v
    z = v @ m
    (y.sum() + (z * z).sum()).backward()
    return y, z, m.grad, v.grad


@program(G)
def matmul_batched(torch):
    a = _leaf(torch, [[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [1.0, 0.0]]])
    b = _leaf(torch, [[1.0], [2.0]])
    y = torch.matmul(a, b)
    y.sum().backward()
    return y, a.grad, b.grad


@program(G)
def mm_shape_mismatch_error(torch):
    a = torch.ones(2, 3)
    b = torch.ones(2, 3)
    r = err(lambda: torch.mm(a, b))
    return r[0]


# ---------------------------------------------------------------- shape ops

@program(G)
def reshape_view_grads(torch):
    x = _leaf(torch, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    a = x.reshape(2, 3)
    b = x.view(3, 2)
    c = x.view(-1, 2)
    (a.sum(0).sum() + (b * b).sum() + c[:, 1].sum()).backward()
    return a, b, c.shape, x.grad


@program(G)
def transpose_and_t(torch):
    x = _leaf(torch, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x.t()
    b = x.transpose(0, 1)
    c = x.T
    (a * torch.arange(6.0).reshape(3, 2)).sum().backward()
    return a, b, c, x.grad


@program(G)
def squeeze_unsqueeze(torch):
    x = _leaf(torch, [[1.0], [2.0]])
    a = x.squeeze()
    b = x.squeeze(1)
    c = a.unsqueeze(0)
    d = torch.unsqueeze(a, 1)
    (c.sum() + d.sum() * 2 + b.sum()).backward()
    return a.shape, b.shape, c.shape, d.shape, x.grad


@program(G)
def cat_and_stack(torch):
    a = _leaf(torch, [1.0, 2.0])
    b = _leaf(torch, [3.0])
    c = torch.cat([a, b])
    s = torch.stack([a, a * 2], dim=1)
    (c * torch.tensor([1.0, 2.0, 3.0])).sum().backward(retain_graph=True)
    s.sum().backward()
    return c, s, a.grad, b.grad


@program(G)
def cat_dim1(torch):
    a = _leaf(torch, [[1.0], [2.0]])
    b = _leaf(torch, [[3.0, 4.0], [5.0, 6.0]])
    c = torch.cat((a, b), dim=1)
    (c ** 2).sum().backward()
    return c, a.grad, b.grad


@program(G)
def where_grads(torch):
    x = _leaf(torch, [-1.0, 2.0, -3.0])
    y = _leaf(torch, [10.0, 20.0, 30.0])
    w = torch.where(x > 0, x * 2, y)
    w.sum().backward()
    return w, x.grad, y.grad


@program(G)
def comparisons_give_bool(torch):
    x = torch.tensor([1.0, 2.0, 3.0])
    return x > 2, x <= 2, x == 2, (x > 1).dtype


# ---------------------------------------------------------------- indexing

@program(G)
def index_int_and_slice(torch):
    x = _leaf(torch, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x[1]
    b = x[:, 1:]
    c = x[0, -1]
    (a.sum() + (b * 3).sum() + c * 10).backward()
    return a, b, c, x.grad


@program(G)
def index_step_slice(torch):
    x = _leaf(torch, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    y = x[::2]
    (y * y).sum().backward()
    return y, x.grad


@program(G)
def index_bool_mask(torch):
    x = _leaf(torch, [1.0, -2.0, 3.0, -4.0])
    y = x[x > 0]
    (y * 2).sum().backward()
    return y, x.grad


@program(G)
def index_with_int_tensor_repeats(torch):
    x = _leaf(torch, [10.0, 20.0, 30.0])
    idx = torch.tensor([0, 2, 0])
    y = x[idx]
    y.sum().backward()
    return y, x.grad


@program(G)
def index_none_and_ellipsis(torch):
    x = _leaf(torch, [[1.0, 2.0], [3.0, 4.0]])
    a = x[None]
    b = x[..., 0]
    (a.sum() + b.sum()).backward()
    return a.shape, b, x.grad


@program(G)
def index_out_of_range(torch):
    x = torch.tensor([1.0, 2.0])
    r = err(lambda: x[5])
    return r[0]


@program(G)
def setitem_differentiable(torch):
    # seed 002: writing computed values into a tensor made elsewhere
    x1 = _leaf(torch, 2.0)
    x2 = _leaf(torch, 3.0)
    y = torch.zeros(2)
    y[0] = x1 ** 2 + 3 * x2
    y[1] = x1 * x2
    y.backward(torch.tensor([1.0, 1.0]))
    return y, x1.grad, x2.grad


@program(G)
def setitem_into_nonleaf(torch):
    x = _leaf(torch, [1.0, 2.0, 3.0])
    y = x * 2
    y[1] = 0.0
    y.sum().backward()
    return y, x.grad


@program(G)
def setitem_slice_with_tensor(torch):
    x = _leaf(torch, [1.0, 2.0])
    y = torch.ones(2, 3)
    y[:, 0] = x * x
    (y * torch.arange(6.0).reshape(2, 3)).sum().backward()
    return y, x.grad


@program(G)
def setitem_on_leaf_errors(torch):
    x = _leaf(torch, [1.0, 2.0])

    def f():
        x[0] = 5.0

    return err(f)


@program(G)
def setitem_mask(torch):
    x = _leaf(torch, [1.0, -2.0, 3.0])
    y = x.clone()
    y[y < 0] = 0.0
    y.sum().backward()
    return y, x.grad


# ---------------------------------------------------------------- in-place and versions

@program(G)
def inplace_on_leaf_errors(torch):
    x = _leaf(torch, [1.0, 2.0])
    return err(lambda: x.add_(1.0))


@program(G)
def inplace_mul_on_leaf_errors(torch):
    x = _leaf(torch, [1.0, 2.0])

    def f():
        x.mul_(2.0)

    return err(f)


@program(G)
def augmented_assign_leaf_errors(torch):
    x = _leaf(torch, [1.0, 2.0])

    def f():
        nonlocal x
        x += 1

    return err(f)


@program(G)
def inplace_on_nonleaf_grad(torch):
    x = _leaf(torch, [1.0, 2.0])
    y = x * 3
    y.add_(1.0)
    y.mul_(2.0)
    y.sum().backward()
    return y, x.grad


@program(G)
def inplace_ops_values(torch):
    x = torch.tensor([1.0, 2.0, 3.0])
    x.add_(1).sub_(0.5).mul_(2).div_(4)
    y = torch.tensor([1.0, 2.0])
    y += torch.tensor([1.0, 1.0])
    y -= 3
    y *= 2
    y /= 4
    return x, y


@program(G)
def inplace_returns_self(torch):
    x = torch.tensor([1.0, 2.0])
    return x.add_(1) is x, x.zero_() is x, x


@program(G)
def version_counter_exp_then_modify(torch):
    x = _leaf(torch, [1.0, 2.0])
    y = x.exp()
    z = y * 2
    y.add_(1.0)  # exp saved its output, so backward must refuse
    return err(lambda: z.sum().backward())


@program(G)
def version_counter_mul_saved_input(torch):
    x = _leaf(torch, [1.0, 2.0])
    a = x * 1
    b = a * a
    a.mul_(3)
    return err(lambda: b.sum().backward())


@program(G)
def version_counter_not_needed(torch):
    x = _leaf(torch, [1.0, 2.0])
    a = x * 1
    b = a + 2  # add saves nothing: modifying a later is fine
    a.mul_(3)
    b.sum().backward()
    return a, b, x.grad


@program(G)
def version_counter_values(torch):
    x = torch.tensor([1.0, 2.0])
    v0 = x._version
    x.add_(1)
    x.mul_(2)
    x[0] = 3.0
    return v0, x._version


@program(G)
def inplace_through_detach_breaks_backward(torch):
    x = _leaf(torch, [1.0, 2.0])
    y = x.sigmoid()
    z = y.sum()
    y.detach().zero_()
    return err(lambda: z.backward()), y


@program(G)
def inplace_in_no_grad_on_leaf_ok(torch):
    x = _leaf(torch, [1.0, 2.0])
    with torch.no_grad():
        x.mul_(2)
        x.add_(torch.tensor([1.0, 1.0]))
    (x * x).sum().backward()
    return x, x.grad, x.is_leaf


@program(G)
def zero_on_grad(torch):
    x = _leaf(torch, [1.0, 2.0])
    (x * 3).sum().backward()
    x.grad.zero_()
    return x.grad


# ---------------------------------------------------------------- creation, dtypes, repr

@program(G)
def creation_dtypes(torch):
    return [t.dtype for t in (
        torch.tensor([1, 2]), torch.tensor([1.0]), torch.tensor(True), torch.tensor(3),
        torch.ones(2), torch.zeros(2, dtype=torch.float64), torch.arange(3),
        torch.arange(0.0, 1.0, 0.25), torch.linspace(0, 1, 5),
        torch.tensor([1, 2], dtype=torch.float32), torch.tensor([1.0], dtype=torch.double),
    )]


@program(G)
def creation_values(torch):
    return (torch.ones(2, 3), torch.zeros(3), torch.arange(5), torch.arange(1, 7, 2),
            torch.linspace(-1, 1, 5), torch.ones_like(torch.zeros(2, 2)),
            torch.zeros_like(torch.ones(3)), torch.tensor([[1.0, 2.0]]).shape)


@program(G)
def type_promotion(torch):
    i = torch.tensor([1, 2])
    f = torch.tensor([0.5, 0.5])
    d = torch.tensor([1.0], dtype=torch.float64)
    return ((i + f).dtype, (i * 2).dtype, (i * 2.5).dtype, (i / 2).dtype, (f + d).dtype,
            (f * 2).dtype, (d * f[:1]).dtype)


@program(G)
def item_tolist_numpy(torch):
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    return x.sum().item(), x.tolist(), x.numpy().sum().item(), x.size(), x.size(1), x.dim(), \
        x.numel()


@program(G)
def item_on_multi_element_errors(torch):
    return err(lambda: torch.tensor([1.0, 2.0]).item())


@program(G)
def numpy_on_requires_grad_errors(torch):
    x = _leaf(torch, [1.0])
    return err(lambda: x.numpy())


@program(G)
def repr_basic(torch):
    return [str(t) for t in (
        torch.tensor(2.0), torch.tensor([0.0, 4.0, 8.0, 12.0]), torch.tensor([1, 2, 3]),
        torch.tensor(2.0, requires_grad=True), torch.tensor([1.5, -2.25]),
        torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor(True),
    )]


@program(G)
def repr_with_grad_fn(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor([1.0, 2.0], requires_grad=True)
    return [str(t) for t in (x * 14, (y * 2).sum(), y ** 2, y.mean())]


@program(G)
def repr_float64(torch):
    return str(torch.tensor([1.0, 2.0], dtype=torch.float64))


@program(G)
def clone_keeps_graph(torch):
    x = _leaf(torch, [1.0, 2.0])
    y = x.clone()
    (y * y).sum().backward()
    return y, x.grad


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_ops_program(prog):
    check(prog)
