"""torch.autograd semantics, side by side with real PyTorch: backward/grad arguments,
accumulation, retain_graph/create_graph, hooks, retain_grad, no_grad, in-place and
version counters, and PyTorch's error messages (each program runs on both)."""

from __future__ import annotations

import pytest
from test_torch_core_util import check

PROGRAMS = []


def program(fn):
    PROGRAMS.append(fn)
    return fn


@program
def scalar_backward(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 2
    y.backward()
    return x.grad, y, x.is_leaf, y.is_leaf


@program
def accumulate_then_zero(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    g1 = x.grad.clone()
    x.grad.zero_()
    (x ** 3).sum().backward()
    return g1, x.grad


@program
def grad_set_none(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    x.grad = None
    (x * 5).sum().backward()
    return x.grad


@program
def second_backward_error(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


@program
def second_backward_after_error_usable(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward()
    try:
        y.backward()
    except RuntimeError:
        pass
    z = (x * 3).sum()
    z.backward()
    return x.grad


@program
def retain_graph_twice(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


@program
def nonscalar_needs_gradient(torch):
    x = torch.ones(2, 3, requires_grad=True)
    (x + 1).backward()


@program
def nonscalar_with_gradient(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 2
    y.backward(torch.tensor([1.0, 0.5, 2.0]))
    return x.grad


@program
def gradient_shape_mismatch(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 2).backward(torch.ones(2))


@program
def no_grad_root(torch):
    torch.ones(3).sum().backward()


@program
def grad_of_input_not_requiring(torch):
    x = torch.tensor(2.0, requires_grad=True)
    return torch.autograd.grad(x * 2, [x, torch.tensor(1.0)])


@program
def grad_unused_error(torch):
    x = torch.tensor(2.0, requires_grad=True)
    z = torch.tensor(3.0, requires_grad=True)
    return torch.autograd.grad(x * 2, [x, z])


@program
def grad_allow_unused(torch):
    x = torch.tensor(2.0, requires_grad=True)
    z = torch.tensor(3.0, requires_grad=True)
    return torch.autograd.grad(x ** 2, [x, z], allow_unused=True)


@program
def grad_materialize(torch):
    x = torch.tensor([2.0, 1.0], requires_grad=True)
    z = torch.tensor([3.0], requires_grad=True)
    return torch.autograd.grad((x ** 2).sum(), [x, z], materialize_grads=True)


@program
def grad_multi_output(torch):
    x = torch.tensor(2.0, requires_grad=True)
    z = torch.tensor(3.0, requires_grad=True)
    y1 = x ** 2 + z ** 3
    y2 = x * z
    return torch.autograd.grad([y1, y2], [x, z],
                               grad_outputs=[torch.tensor(1.0), torch.tensor(1.0)])


@program
def grad_does_not_touch_dot_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = torch.autograd.grad((x * x).sum(), x)
    return g, x.grad


@program
def grad_nonleaf_input(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    z = (h ** 2 + x).sum()
    return torch.autograd.grad(z, [h, x])


@program
def backward_inputs(torch):
    x = torch.tensor(2.0, requires_grad=True)
    z = torch.tensor(3.0, requires_grad=True)
    y = x ** 2 + z ** 3
    torch.autograd.backward(y, inputs=[x])
    return x.grad, z.grad


@program
def backward_inputs_nonleaf(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (h ** 2).sum().backward(inputs=[h])
    return h.grad, x.grad


@program
def create_graph_second_order(torch):
    x = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(x ** 3, x, create_graph=True)
    (g2,) = torch.autograd.grad(g, x, create_graph=True)
    (g3,) = torch.autograd.grad(g2, x)
    return g.detach(), g2.detach(), g3, g.requires_grad


@program
def third_order_composite(torch):
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x.sin() * x.exp()).mean()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    (t,) = torch.autograd.grad(h.sum(), x)
    return g.detach(), h.detach(), t


@program
def create_graph_backward_accumulates(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    first = x.grad.detach().clone()
    x.grad.backward()
    return first, x.grad.detach(), x.grad.grad_fn is not None


@program
def gradient_penalty(torch):
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out = (w * x).tanh().sum()
    (gx,) = torch.autograd.grad(out, x, create_graph=True)
    (gx ** 2).sum().backward()
    return w.grad, x.grad


@program
def retain_grad_intermediate(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    y = (h ** 2).sum()
    y.retain_grad()
    y.backward()
    return h.grad, y.grad, x.grad, h.retains_grad


@program
def hook_modifies_gradient(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.clone()))
    h.register_hook(lambda g: g * 10)
    (h * h).sum().backward()
    return seen, x.grad


@program
def leaf_hook(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g + 1)
    (x * 3).sum().backward()
    return x.grad


@program
def hook_removed(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    (x * 3).sum().backward()
    return x.grad


@program
def nonleaf_grad_is_none_with_warning(torch):
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    return y.grad


@program
def no_grad_block(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
    z = x * 2
    return y.requires_grad, y.grad_fn, z.requires_grad, torch.is_grad_enabled()


@program
def no_grad_decorator_and_enable(torch):
    x = torch.tensor([1.0], requires_grad=True)

    @torch.no_grad()
    def f(a):
        with torch.enable_grad():
            inner = a * 2
        return a * 2, inner, torch.is_grad_enabled()

    out, inner, mode = f(x)
    return out.requires_grad, inner.requires_grad, mode, torch.is_grad_enabled()


@program
def set_grad_enabled_function_and_cm(torch):
    x = torch.tensor([1.0], requires_grad=True)
    with torch.set_grad_enabled(False):
        a = x * 2
    torch.set_grad_enabled(False)
    b = x * 2
    torch.set_grad_enabled(True)
    c = x * 2
    return a.requires_grad, b.requires_grad, c.requires_grad


@program
def detach_shares_storage(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    with torch.no_grad():
        d[0] = 5.0
    return x, d.requires_grad, x.data, x.data.requires_grad


@program
def data_update_sgd(torch):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data -= 0.1 * w.grad.data
    return w, w.grad


@program
def detach_inplace(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.detach_()
    return y.requires_grad, y.is_leaf, y.grad_fn


@program
def leaf_inplace_error(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.add_(1)


@program
def leaf_inplace_under_no_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        x.mul_(3)
        x += 1
    (x * x).sum().backward()
    return x, x.grad, x._version


@program
def version_counter_error(torch):
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    c = b * b
    b.add_(1)
    c.sum().backward()


@program
def version_counter_error_leaf(torch):
    a = torch.ones(3, requires_grad=True)
    c = a * a
    with torch.no_grad():
        a.add_(1)
    c.sum().backward()


@program
def version_counter_saved_output(torch):
    a = torch.ones(2, 3, requires_grad=True, dtype=torch.float64)
    c = a.exp()
    c.add_(1)
    c.sum().backward()


@program
def inplace_nonleaf_ok(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    y.mul_(3)
    y.sum().backward()
    return y, x.grad, y._version


@program
def augmented_assignment(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y += x
    y *= x
    y -= 1
    y /= 2
    y.sum().backward()
    return y, x.grad


@program
def setitem_copyslices(torch):
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    y = torch.zeros(3)
    y[0] = x1 ** 2 + 2 * x2
    y[1] = x1 + x2 ** 3
    y[2] = 2 * x1 + x2 ** 2
    y.backward(torch.ones(3))
    return y, x1.grad, x2.grad


@program
def requires_grad_int_errors(torch):
    return torch.tensor(1, requires_grad=True)


@program
def requires_grad_flag_on_nonleaf(torch):
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    y.requires_grad_(False)


@program
def variable_legacy(torch):
    from_mod = torch.autograd.Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    (from_mod * 2).sum().backward()
    return from_mod.grad, from_mod.requires_grad


@program
def grad_fn_graph(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x * 3 + 1
    fn = y.grad_fn
    nxt = fn.next_functions
    return (fn.name(), type(nxt[0][0]).__name__, nxt[1],
            type(nxt[0][0].next_functions[0][0]).__name__,
            nxt[0][0].next_functions[0][0].variable is x)


@program
def backward_on_leaf(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.backward(torch.tensor([3.0, 4.0]))
    return x.grad


@program
def backward_list_of_roots(torch):
    x = torch.tensor(2.0, requires_grad=True)
    torch.autograd.backward([x * 2, x ** 2], [torch.tensor(1.0), torch.tensor(2.0)])
    return x.grad


@program
def relu_abs_clamp_max_edges(torch):
    x = torch.tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    outs = []
    for f in (lambda v: v.relu(), lambda v: v.abs(), lambda v: v.clamp(0.0, 1.0),
              lambda v: torch.maximum(v, torch.zeros(4)), lambda v: v.clamp(min=0.0)):
        x.grad = None
        f(x).sum().backward()
        outs.append(x.grad)
    return outs


@program
def max_ties(torch):
    x = torch.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    g_all = x.grad.clone()
    x.grad = None
    v, i = x.max(0)
    v.backward()
    return g_all, x.grad, i


@program
def float64_mixed(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([0.5, 0.25], dtype=torch.float64, requires_grad=True)
    y = (x * w).sum()
    y.backward()
    return y, x.grad, w.grad


@program
def inplace_on_view_rebases_base(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[0:2]
    v.mul_(10)
    y[2:].add_(x[2:] ** 2)
    y.sum().backward()
    return y, x.grad, y.grad_fn.name()


@program
def view_of_leaf_inplace_error(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[0:2].mul_(2)


@program
def retain_grad_follows_inplace(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.add_(1)
    (y * y).sum().backward()
    return y, y.grad, x.grad


@program
def set_grad_enabled_as_decorator(torch):
    @torch.set_grad_enabled(False)
    def f(x):
        return x * 2

    x = torch.tensor(1.0, requires_grad=True)
    return f(x).requires_grad, torch.is_grad_enabled()


@program
def no_grad_without_parentheses(torch):
    @torch.no_grad
    def f(x):
        return x * 2

    return f(torch.tensor(1.0, requires_grad=True)).requires_grad


@program
def fast_path_reuse_matches(torch):
    w = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    out = []
    for k in range(3):
        x = torch.tensor([[1.0 + k, 2.0]])
        loss = (x @ w).tanh().sum() * (k + 1)
        loss.backward()
        out.append(w.grad.clone())
    return out


@program
def sort_topk_grads(torch):
    x = torch.tensor([3.0, -1.0, 2.0, 0.5], requires_grad=True)
    s, i = x.sort(descending=True)
    v, j = torch.topk(x, 2)
    (s * torch.arange(4.0)).sum().backward(retain_graph=True)
    v.sum().backward()
    return s, i, v, j, x.grad


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.__name__)
def test_autograd_matches_torch(prog):
    check(prog)
