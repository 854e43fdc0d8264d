"""Differential programs: backward, autograd.grad, graph retention, higher order, hooks,
grad modes, detach. Each program runs on real torch and on the shim (see the harness)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, loose, program, warns

G = "autograd"


# ---------------------------------------------------------------- backward basics

@program(G)
def backward_scalar_mul(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x * x * 3
    y.backward()
    return x.grad, y, x


@program(G)
def backward_vector_sum(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x ** 2).sum()
    y.backward()
    return x.grad, y


@program(G)
def backward_nonscalar_needs_gradient(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    return err(lambda: y.backward())


@program(G)
def backward_with_gradient_arg(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 3
    y.backward(torch.tensor([1.0, 0.5, 0.25]))
    return x.grad


@program(G)
def backward_gradient_wrong_shape(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    return err(lambda: y.backward(torch.tensor([1.0, 2.0])))


@program(G)
def backward_no_grad_tensor(torch):
    x = torch.tensor([1.0, 2.0])
    y = (x * 2).sum()
    return err(lambda: y.backward()), y.requires_grad, y.grad_fn is None


@program(G)
def backward_twice_errors(torch):
    x = torch.tensor(3.0, requires_grad=True)
    y = x.exp() * x
    y.backward()
    return err(lambda: y.backward()), x.grad


@program(G)
def backward_retain_graph_twice_accumulates(torch):
    x = torch.tensor(3.0, requires_grad=True)
    y = x.sin() * x
    y.backward(retain_graph=True)
    g1 = x.grad.clone()
    y.backward()
    return g1, x.grad


@program(G)
def backward_accumulates_across_graphs(torch):
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    return x.grad


@program(G)
def grad_zero_then_accumulate(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 5).sum().backward()
    x.grad.zero_()
    z = x.grad
    (x ** 2).sum().backward()
    return x.grad, z is x.grad


@program(G)
def grad_set_none_then_backward(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 5).sum().backward()
    x.grad = None
    (x * 2).sum().backward()
    return x.grad


@program(G)
def leaf_and_nonleaf_flags(torch):
    a = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([2.0])
    c = a + b
    d = b * 2
    return [(t.is_leaf, t.requires_grad) for t in (a, b, c, d)]


@program(G)
def nonleaf_grad_is_none_with_warning(torch):
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    c = a * 2
    c.sum().backward()
    g, categories = warns(lambda: c.grad)
    return g, categories, a.grad


@program(G)
def retain_grad_intermediate(torch):
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * a
    b.retain_grad()
    (b * 3).sum().backward()
    return b.grad, a.grad, b.retains_grad, a.retains_grad


@program(G)
def retain_grad_accumulates(torch):
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a.exp()
    b.retain_grad()
    s = (b * 2).sum()
    s.backward(retain_graph=True)
    s.backward()
    return b.grad, a.grad


@program(G)
def diamond_graph(torch):
    x = torch.tensor(1.5, requires_grad=True)
    a = x * 2
    b = a.sin()
    c = a.cos()
    y = b * c + a
    y.backward()
    return x.grad


@program(G)
def shared_input_used_twice(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x * x).sum() + (x / (x + 1)).sum()
    y.backward()
    return x.grad


@program(G)
def backward_on_leaf_itself(torch):
    x = torch.tensor(2.0, requires_grad=True)
    x.backward()
    return x.grad


@program(G)
def backward_inputs_subset(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = x * y + y
    z.backward(inputs=[y])
    return x.grad, y.grad


@program(G)
def backward_inputs_nonleaf(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    z = (h ** 2).sum()
    z.backward(inputs=[h])
    return h.grad, x.grad


@program(G)
def backward_inputs_tensor_not_list(torch):
    x = torch.tensor(2.0, requires_grad=True)
    w = torch.tensor(4.0, requires_grad=True)
    (x * w).backward(inputs=x)
    return x.grad, w.grad


@program(G)
def backward_inputs_empty_list(torch):
    x = torch.tensor(2.0, requires_grad=True)
    return err(lambda: (x * 2).backward(inputs=[]))


@program(G)
def autograd_backward_function(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = (x * 2).sum()
    y2 = x * x
    torch.autograd.backward([y1, y2], [None, torch.tensor([1.0, 10.0])])
    return x.grad


@program(G)
def autograd_backward_grad_tensors_kw(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    torch.autograd.backward(y, grad_tensors=torch.ones(2))
    return x.grad


# ---------------------------------------------------------------- autograd.grad

@program(G)
def grad_basic(torch):
    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2
    (g,) = torch.autograd.grad(y, x)
    return g, x.grad


@program(G)
def grad_multiple_inputs(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    z = x * y + x ** 3
    return torch.autograd.grad(z, [x, y])


@program(G)
def grad_multiple_outputs_summed(torch):
    # seed 000's multi-output grad: PyTorch sums the outputs' contributions
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z1 = x * y + x ** 2
    z2 = x ** 2 * y + y ** 2
    return torch.autograd.grad([z1, z2], [x, y])


@program(G)
def grad_with_grad_outputs(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.sin()
    return torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 2.0, 3.0]))


@program(G)
def grad_nonscalar_no_grad_outputs(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    return err(lambda: torch.autograd.grad(x * 2, x))


@program(G)
def grad_input_not_requiring_grad(torch):
    x = torch.tensor(2.0, requires_grad=True)
    w = torch.tensor(3.0)
    y = x * w
    return err(lambda: torch.autograd.grad(y, [x, w]))


@program(G)
def grad_output_not_requiring_grad(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0) * 2
    return err(lambda: torch.autograd.grad(y, x))


@program(G)
def grad_unused_input_errors(torch):
    x = torch.tensor(2.0, requires_grad=True)
    u = torch.tensor(1.0, requires_grad=True)
    y = x * 3
    return err(lambda: torch.autograd.grad(y, [x, u]))


@program(G)
def grad_allow_unused(torch):
    x = torch.tensor(2.0, requires_grad=True)
    u = torch.tensor(1.0, requires_grad=True)
    y = x * 3
    return torch.autograd.grad(y, [x, u], allow_unused=True)


@program(G)
def grad_materialize_grads(torch):
    x = torch.tensor(2.0, requires_grad=True)
    u = torch.tensor([1.0, 4.0], requires_grad=True)
    y = x * 3
    return torch.autograd.grad(y, [x, u], materialize_grads=True)


@program(G)
def grad_materialize_with_allow_unused_false(torch):
    x = torch.tensor(2.0, requires_grad=True)
    u = torch.tensor(1.0, requires_grad=True)
    return err(lambda: torch.autograd.grad(x * 3, [x, u], allow_unused=False,
                                           materialize_grads=True))


@program(G)
def grad_does_not_touch_dot_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).sum()
    g = torch.autograd.grad(y, x)
    return g, x.grad


@program(G)
def grad_frees_graph(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x.exp() * x
    torch.autograd.grad(y, x)
    return err(lambda: torch.autograd.grad(y, x))


@program(G)
def grad_retain_graph_then_backward(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x.log() * x
    g = torch.autograd.grad(y, x, retain_graph=True)
    y.backward()
    return g, x.grad


@program(G)
def grad_wrt_intermediate(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = (h * h).sum()
    return torch.autograd.grad(y, h)


@program(G)
def grad_result_flags(torch):
    x = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(x ** 3, x)
    return g.requires_grad, g.is_leaf, g.grad_fn is None


# ---------------------------------------------------------------- higher order

@program(G)
def create_graph_second_order(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (h,) = torch.autograd.grad(g, x)
    return loose(g), h


@program(G)
def create_graph_backward_accumulates(torch):
    # seed 000: backward(create_graph=True) then the grad's grad
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.backward()
    return loose(g), x.grad


@program(G)
def create_graph_grad_flags(torch):
    x = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(x.sin() * x, x, create_graph=True)
    return g.requires_grad, g.is_leaf


@program(G)
def third_order(torch):
    x = torch.tensor(0.7, requires_grad=True)
    y = x.sin() * x ** 2
    (g1,) = torch.autograd.grad(y, x, create_graph=True)
    (g2,) = torch.autograd.grad(g1, x, create_graph=True)
    (g3,) = torch.autograd.grad(g2, x)
    return loose(g1, g2), g3


@program(G)
def third_order_exp_tanh(torch):
    x = torch.tensor([0.3, -0.4], requires_grad=True)
    y = (x.tanh() * x.exp()).sum()
    (g1,) = torch.autograd.grad(y, x, create_graph=True)
    (g2,) = torch.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = torch.autograd.grad(g2.sum(), x)
    return loose(g1, g2), g3


@program(G)
def fourth_order_polynomial(torch):
    x = torch.tensor(1.5, requires_grad=True)
    g = x ** 5
    outs = []
    for _ in range(4):
        (g,) = torch.autograd.grad(g, x, create_graph=True)
        outs.append(g)
    return loose(outs)


@program(G)
def second_order_mixed_partials(torch):
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.tensor(2.0, requires_grad=True)
    z = x ** 2 * y ** 3
    gx, gy = torch.autograd.grad(z, [x, y], create_graph=True)
    (gxy,) = torch.autograd.grad(gx, y, retain_graph=True)
    (gyx,) = torch.autograd.grad(gy, x)
    return loose(gx, gy), gxy, gyx


@program(G)
def hessian_vector_product(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor([0.1, 0.2, 0.3])
    f = (x ** 3).sum() + (x[0] * x[1] * x[2])
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    return hv


@program(G)
def grad_penalty_style(torch):
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out = (w * x).tanh().sum()
    (gx,) = torch.autograd.grad(out, x, create_graph=True)
    penalty = (gx ** 2).sum()
    penalty.backward()
    return loose(penalty), w.grad, x.grad


@program(G)
def create_graph_then_second_backward_needs_retain(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    y.backward()  # create_graph kept the graph (retain_graph defaults to create_graph)
    return loose(g), x.grad


# ---------------------------------------------------------------- hooks

@program(G)
def tensor_hook_sees_grad(torch):
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: seen.append(g.clone()))
    (y * y).sum().backward()
    return seen, x.grad


@program(G)
def tensor_hook_replaces_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: g * 10)
    (y * y).sum().backward()
    return x.grad


@program(G)
def leaf_hook_modifies_accumulated(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g + 1)
    (x * 2).sum().backward()
    return x.grad


@program(G)
def hook_handle_remove(torch):
    calls = []
    x = torch.tensor(1.0, requires_grad=True)
    h = x.register_hook(lambda g: calls.append(1))
    (x * 2).backward()
    h.remove()
    (x * 2).backward()
    return len(calls), x.grad


@program(G)
def hook_on_no_grad_tensor_errors(torch):
    x = torch.tensor(1.0)
    return err(lambda: x.register_hook(lambda g: g))


@program(G)
def hooks_run_in_registration_order(torch):
    order = []
    x = torch.tensor(1.0, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: order.append("a"))
    y.register_hook(lambda g: (order.append("b"), g * 2)[1])
    y.register_hook(lambda g: order.append(float(g)))
    (y * 5).backward()
    return order, x.grad


@program(G)
def hook_with_retain_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    (y * 3).sum().backward()
    return y.grad, x.grad


# ---------------------------------------------------------------- grad modes

@program(G)
def no_grad_context(torch):
    x = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        inner = torch.is_grad_enabled()
    return y, y.requires_grad, y.grad_fn is None, inner, torch.is_grad_enabled()


@program(G)
def enable_grad_inside_no_grad(torch):
    x = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
        z = x * 2
    return y.requires_grad, z.requires_grad


@program(G)
def set_grad_enabled_false(torch):
    x = torch.tensor(2.0, requires_grad=True)
    with torch.set_grad_enabled(False):
        y = x * 2
    with torch.set_grad_enabled(True):
        z = x * 2
    return y.requires_grad, z.requires_grad, torch.is_grad_enabled()


@program(G)
def set_grad_enabled_as_function(torch):
    x = torch.tensor(2.0, requires_grad=True)
    torch.set_grad_enabled(False)
    y = x * 2
    torch.set_grad_enabled(True)
    z = x * 2
    return y.requires_grad, z.requires_grad


@program(G)
def no_grad_decorator(torch):
    @torch.no_grad()
    def f(x):
        return x * 2, torch.is_grad_enabled()

    x = torch.tensor(2.0, requires_grad=True)
    y, inner = f(x)
    return y.requires_grad, inner, torch.is_grad_enabled()


@program(G)
def enable_grad_decorator(torch):
    @torch.enable_grad()
    def f(x):
        return x * 2

    x = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        y = f(x)
    return y.requires_grad, y.grad_fn is not None


@program(G)
def no_grad_restores_after_exception(torch):
    def boom():
        with torch.no_grad():
            raise ValueError("boom")

    r = err(boom)
    return r, torch.is_grad_enabled()


@program(G)
def no_grad_inplace_update_of_leaf(torch):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    return w, w.is_leaf, w.requires_grad, w.grad_fn is None


@program(G)
def inference_values_under_no_grad_match(torch):
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    with torch.no_grad():
        a = (x.exp() * x.sin()).sum()
    b = (x.exp() * x.sin()).sum()
    return a, b


# ---------------------------------------------------------------- detach, requires_grad_

@program(G)
def detach_cuts_graph(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x * 3
    d = y.detach()
    z = d * x
    z.backward()
    return d, x.grad, d.requires_grad, d.is_leaf


@program(G)
def detach_shares_storage(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d[0] = 10.0
    return x, d


@program(G)
def detach_inplace(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x * 3
    y.detach_()
    return y, y.requires_grad, y.is_leaf, y.grad_fn is None


@program(G)
def data_attribute_shares_storage(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data[1] = 5.0
    d = x.data
    return x, d.requires_grad, d.is_leaf


@program(G)
def data_assignment(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data = torch.tensor([3.0, 4.0])
    (x * x).sum().backward()
    return x, x.grad


@program(G)
def requires_grad_inplace(torch):
    x = torch.tensor([1.0, 2.0])
    r = x.requires_grad_()
    (x * 2).sum().backward()
    return r is x, x.grad, x.requires_grad


@program(G)
def requires_grad_on_nonleaf_errors(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    return err(lambda: y.requires_grad_(False))


@program(G)
def requires_grad_int_tensor_errors(torch):
    return err(lambda: torch.tensor([1, 2], requires_grad=True))


@program(G)
def requires_grad_int_inplace_errors(torch):
    x = torch.tensor([1, 2])
    return err(lambda: x.requires_grad_())


@program(G)
def stop_gradient_via_detach_in_expression(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x.detach()).sum()
    y.backward()
    return x.grad


@program(G)
def grad_fn_names_chain(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a + 1
    c = b.pow(2)
    d = c.mean()
    e = d.exp()
    return [t.grad_fn.name() for t in (a, b, c, d, e)]


@program(G)
def grad_fn_next_functions(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0)
    z = x * y
    nf = z.grad_fn.next_functions
    return [(type(f).__name__ if f is not None else None, i) for f, i in nf]


@program(G)
def grad_fn_accumulate_grad_variable(torch):
    x = torch.tensor(2.0, requires_grad=True)
    z = x * 2
    acc = z.grad_fn.next_functions[0][0]
    return acc.name().rsplit("::", 1)[-1], acc.variable is x


# ---------------------------------------------------------------- trickier combinations

@program(G)
def shared_subgraph_freed_by_first_backward(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    a = (y * 2).sum()
    b = (y * 3).sum()
    a.backward()
    return err(lambda: b.backward()), x.grad


@program(G)
def shared_subgraph_retained(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    a = (y * 2).sum()
    b = (y * 3).sum()
    a.backward(retain_graph=True)
    b.backward()
    return x.grad


@program(G)
def backward_inputs_not_in_graph(torch):
    x = torch.tensor(2.0, requires_grad=True)
    u = torch.tensor(5.0, requires_grad=True)
    (x * 3).backward(inputs=[x, u])
    return x.grad, u.grad


@program(G)
def grad_outputs_mixed_none(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = (x ** 2).sum()
    y2 = x * 3
    return torch.autograd.grad([y1, y2], x, grad_outputs=[None, torch.tensor([1.0, -1.0])])


@program(G)
def grad_flags_after_create_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x ** 2).sum().backward()
    plain = (x.grad.requires_grad, x.grad.is_leaf)
    x.grad = None
    (x ** 2).sum().backward(create_graph=True)
    return plain, x.grad.requires_grad, loose(x.grad)


@program(G)
def create_graph_accumulates_twice(torch):
    x = torch.tensor(1.5, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True, retain_graph=True)
    y.backward(create_graph=True)
    (g2,) = torch.autograd.grad(x.grad, x)
    return loose(x.grad), g2


@program(G)
def second_derivative_of_relu_is_zero(torch):
    x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    y = (torch.relu(x) ** 2).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    return loose(g), h


@program(G)
def gradient_arg_requiring_grad_with_create_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    v = torch.tensor([0.5, 1.5], requires_grad=True)
    y = x ** 2
    (g,) = torch.autograd.grad(y, x, grad_outputs=v, create_graph=True)
    g.sum().backward()
    return loose(g), x.grad, v.grad


@program(G)
def hook_counts_over_two_backwards(torch):
    calls = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.register_hook(lambda g: calls.append(g.clone()))
    s = y.sum()
    s.backward(retain_graph=True)
    s.backward()
    return calls, x.grad


@program(G)
def set_grad_enabled_decorator(torch):
    @torch.set_grad_enabled(False)
    def f(x):
        return x * 2

    x = torch.tensor(1.0, requires_grad=True)
    return f(x).requires_grad, torch.is_grad_enabled()


@program(G)
def inplace_on_view_of_nonleaf(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[0:2]
    v.mul_(10)
    y.sum().backward()
    return y, x.grad, y.grad_fn.name().rsplit("::", 1)[-1]


@program(G)
def float_times_int_tensor_grad(torch):
    x = torch.tensor([1.5, 2.5], requires_grad=True)
    k = torch.tensor([2, 3])
    y = x * k
    y.sum().backward()
    return y, x.grad


@program(G)
def keepdim_reduction_with_gradient_arg(torch):
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = (x * x).sum(dim=1, keepdim=True)
    y.backward(torch.tensor([[1.0], [-2.0]]))
    return y, x.grad


@program(G)
def retain_grad_then_inplace(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.add_(1)
    (y * y).sum().backward()
    return y, y.grad, x.grad


@program(G)
def no_grad_result_used_later(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        scale = x.sum()
    y = (x * scale).sum()
    y.backward()
    return scale.requires_grad, x.grad


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_autograd_program(prog):
    check(prog)
