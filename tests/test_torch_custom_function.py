"""Differential programs for ``torch.autograd.Function`` (custom autograd functions): each
runs on real PyTorch 2.13 and on the shim (see ``test_torch_diff_harness``), plus one
script run through the shim's runner with ``import torch.autograd.function``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, loose, program

G = "custom_function"


def _exp_fn(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    return Exp


def _linear_fn(torch, log):
    class Linear(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b=None):
            ctx.save_for_backward(x, w, b)
            out = x.mm(w.t())
            return out + b.unsqueeze(0).expand_as(out) if b is not None else out

        @staticmethod
        def backward(ctx, g):
            x, w, b = ctx.saved_tensors
            log.append(ctx.needs_input_grad)
            gx = gw = gb = None
            if ctx.needs_input_grad[0]:
                gx = g.mm(w)
            if ctx.needs_input_grad[1]:
                gw = g.t().mm(x)
            if b is not None and ctx.needs_input_grad[2]:
                gb = g.sum(0)
            return gx, gw, gb

    return Linear


@program(G)
def exp_saving_its_output(torch):
    Exp = _exp_fn(torch)
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = Exp.apply(x)
    nexts = [type(f).__name__ if f is not None else None for f, _ in y.grad_fn.next_functions]
    saved = y.grad_fn.saved_tensors
    (y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    return (y, x.grad, type(y.grad_fn).__name__, y.grad_fn.name(), nexts, saved,
            err(lambda: y.grad_fn.saved_tensors), y.is_leaf, y.requires_grad)


@program(G)
def linear_with_weight_and_optional_bias(torch):
    log = []
    Linear = _linear_fn(torch, log)
    x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], requires_grad=True)
    w = torch.tensor([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]], requires_grad=True)
    b = torch.tensor([0.5, -0.5], requires_grad=True)
    y = Linear.apply(x, w, b)
    y.pow(2).sum().backward()
    grads1 = (x.grad, w.grad, b.grad)
    x.grad = w.grad = b.grad = None
    z = Linear.apply(x.detach(), w)     # no bias; x needs no gradient
    z.sum().backward()
    nexts = [type(f).__name__ if f is not None else None for f, _ in z.grad_fn.next_functions]
    return y, z, grads1, x.grad, w.grad, b.grad, log, nexts


@program(G)
def multiple_outputs_share_one_node(torch):
    seen = []

    class SinCos(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            seen.append((gs, gc))
            return gs * x.cos() - gc * x.sin()

    x = torch.tensor([0.3, 1.2], requires_grad=True)
    s, c = SinCos.apply(x)
    (s * 3).sum().backward()          # c unused: backward sees zeros for it
    g1 = x.grad.clone()
    x.grad = None
    s, c = SinCos.apply(x)
    (s * c).sum().backward()
    return (s, c, s.grad_fn is c.grad_fn, type(c.grad_fn).__name__, g1, x.grad, seen)


@program(G)
def non_tensor_arguments_and_outputs(torch):
    seen = []

    class Scale(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, mode):
            ctx.k = k
            ctx.mode = mode
            return x * k, k + 1, mode.upper()

        @staticmethod
        def backward(ctx, g, gk, gmode):
            seen.append((ctx.k, ctx.mode, gk, gmode))
            return g * ctx.k, None, None

    x = torch.tensor([1.0, -2.0], requires_grad=True)
    y, k1, m = Scale.apply(x, 3.0, "sum")
    y.sum().backward()

    class Plain(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, items):
            return x * len(items)

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    p = Plain.apply(x, [1, 2, 3])
    p.sum().backward()
    return y, k1, m, x.grad, seen, p, y.grad_fn.k, y.grad_fn.mode, len(y.grad_fn.next_functions)


@program(G)
def needs_input_grad_in_forward_and_backward(torch):
    log = []

    class Mul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, c):
            log.append(("fwd", ctx.needs_input_grad, torch.is_grad_enabled()))
            return a * b * c

        @staticmethod
        def backward(ctx, g):
            log.append(("bwd", ctx.needs_input_grad, torch.is_grad_enabled()))
            return g * 2, g * 3, None

    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2)
    y = Mul.apply(a, b, 4.0)
    y.sum().backward()
    with torch.no_grad():
        z = Mul.apply(a, b, 1.0)
    w = Mul.apply(b, b, 2.0)
    nexts = [f for f, _ in y.grad_fn.next_functions]
    return (log, a.grad, z, w, type(nexts[0]).__name__, nexts[1], z.grad_fn, w.grad_fn,
            w.requires_grad)


@program(G)
def mark_non_differentiable_and_integer_outputs(torch):
    seen = []

    class Sort(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            v, i = x.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i, x.floor().long(), x * 4

        @staticmethod
        def backward(ctx, gv, gi, gl, g4):
            (i,) = ctx.saved_tensors
            seen.append((gi, gl, g4))
            return torch.zeros_like(gv).scatter(0, i, gv) + g4 * 4

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i, lo, f = Sort.apply(x)
    (v * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
    return v, i, lo, f, x.grad, seen, i.requires_grad, lo.grad_fn, i.is_leaf


@program(G)
def set_materialize_grads_false_gives_none(torch):
    seen = []

    class Two(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, a, b):
            seen.append((a, b))
            g = None
            for part, k in ((a, 2), (b, 3)):
                if part is not None:
                    g = part * k if g is None else g + part * k
            return g

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a, b = Two.apply(x)
    b.sum().backward()
    g1 = x.grad.clone()
    a, b = Two.apply(x)
    (a + b).sum().backward()
    return g1, x.grad, seen


@program(G)
def double_backward_through_custom_function(torch):
    Exp = _exp_fn(torch)

    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    (ggg,) = torch.autograd.grad(gg.sum(), x)
    (e,) = torch.autograd.grad(Exp.apply(x * 2).sum(), x, create_graph=True)
    e.sum().backward()
    return loose(g, gg), ggg, loose(e), x.grad, g.requires_grad


@program(G)
def hooks_and_retain_grad_around_custom_function(torch):
    Exp = _exp_fn(torch)
    log = []
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    x.register_hook(lambda g: log.append(("x", g)))
    h = x * 2
    h.register_hook(lambda g: log.append(("h", g)))
    y = Exp.apply(h)
    y.register_hook(lambda g: g * 10)
    y.retain_grad()
    (y * 2).sum().backward(retain_graph=True)
    first = (x.grad.clone(), y.grad.clone())
    y.sum().backward()
    return first, x.grad, y.grad, log, err(lambda: y.sum().backward())


@program(G)
def wrong_gradients_from_backward(torch):
    def fn(backward, n_in=2):
        class Bad(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *xs):
                return xs[0] * 2

        Bad.backward = staticmethod(backward)
        return Bad

    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2, requires_grad=True)
    too_few = err(lambda: fn(lambda ctx, g: g).apply(x, w).sum().backward())
    too_many = err(lambda: fn(lambda ctx, g: (g, g, g)).apply(x, w).sum().backward())
    x.grad = None
    extra_none = fn(lambda ctx, g: (g, g, None, None)).apply(x, w).sum().backward()
    g_extra = x.grad.clone()
    not_var = err(lambda: fn(lambda ctx, g: (g, 3)).apply(x, 2).sum().backward())
    a_float = err(lambda: fn(lambda ctx, g: 3.0).apply(x).sum().backward())
    a_list = err(lambda: fn(lambda ctx, g: [g, g]).apply(x, w).sum().backward())
    bad_shape = err(lambda: fn(lambda ctx, g: torch.ones(3)).apply(x).sum().backward())
    x.grad = None
    fn(lambda ctx, g: torch.ones(3, 2, dtype=torch.float64)).apply(x).sum().backward()
    summed = x.grad
    x.grad = None
    fn(lambda ctx, g: torch.ones(1, 2)).apply(x).sum().backward()
    return (too_few, too_many, extra_none, g_extra, not_var, a_float, a_list, bad_shape,
            summed, x.grad)


@program(G)
def setup_context_style(torch):
    log = []

    class Pow(torch.autograd.Function):
        @staticmethod
        def forward(x, p=2):
            return x ** p

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, p = inputs
            log.append((type(inputs).__name__, len(inputs), p, torch.is_grad_enabled(),
                        ctx.needs_input_grad))
            ctx.p = p
            ctx.save_for_backward(x, output)

        @staticmethod
        def backward(ctx, g):
            x, out = ctx.saved_tensors
            return g * ctx.p * out / x, None

    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Pow.apply(x)
    z = Pow.apply(x, 3)
    w = Pow.apply(x, p=-1)
    (y + z + w).sum().backward()
    (gy,) = torch.autograd.grad(Pow.apply(x).sum(), x, create_graph=True)
    return y, z, w, x.grad, log, loose(gy), type(w.grad_fn).__name__


@program(G)
def once_differentiable_backward(torch):
    from_fn = torch.autograd.function.once_differentiable
    log = []

    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        @from_fn
        def backward(ctx, g):
            log.append((torch.is_grad_enabled(), g.requires_grad))
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = torch.tensor([0.5, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad(Cube.apply(x).sum(), x)
    (g1,) = torch.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad((Cube.apply(x) ** 2).sum(), x, create_graph=True)
    nexts = [type(f).__name__ for f, _ in g2.grad_fn.next_functions]
    return (g, g1, g2, nexts, log, err(lambda: g2.sum().backward()),
            Cube.backward.__name__)


@program(G)
def module_training_step_with_custom_function(torch):
    class LinearReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b):
            out = (x @ w.t() + b).clamp(min=0)
            ctx.save_for_backward(x, w, out)
            return out

        @staticmethod
        def backward(ctx, g):
            x, w, out = ctx.saved_tensors
            g = g * (out > 0).to(g.dtype)
            return g @ w, g.t() @ x, g.sum(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor([[0.2, -0.1], [0.3, 0.4], [-0.5, 0.1]]))
            self.b = torch.nn.Parameter(torch.tensor([0.1, 0.0, -0.1]))
            self.head = torch.nn.Linear(3, 1)
            with torch.no_grad():
                self.head.weight.copy_(torch.tensor([[0.5, -0.3, 0.8]]))
                self.head.bias.fill_(0.05)

        def forward(self, x):
            return self.head(LinearReLU.apply(x, self.w, self.b))

    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    xs = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7], [2.0, 1.0]])
    ts = torch.tensor([[1.0], [0.0], [0.5], [2.0]])
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = ((net(xs) - ts) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().clone() for p in net.parameters()], net.w.grad


@program(G)
def retain_graph_accumulation_and_freed_saves(torch):
    Exp = _exp_fn(torch)

    class NoSave(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = torch.tensor([1.0, 0.5], requires_grad=True)
    y = Exp.apply(x)
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    twice = x.grad.clone()
    second = err(lambda: y.sum().backward())
    n = NoSave.apply(x)
    n.backward(torch.ones(2))
    n.backward(torch.ones(2))   # nothing saved: a second backward works, as in torch
    return twice, second, x.grad, err(lambda: n.grad_fn.saved_tensors)


@program(G)
def autograd_grad_with_inputs_and_targets(torch):
    Exp = _exp_fn(torch)
    x = torch.tensor([0.2, 0.4], requires_grad=True)
    w = torch.tensor([1.5, -1.0], requires_grad=True)
    h = x * w
    y = Exp.apply(h)
    z = (y * y).sum()
    gy, gh, gx = torch.autograd.grad(z, [y, h, x], retain_graph=True)
    gw, unused = torch.autograd.grad(z, [w, torch.ones(1, requires_grad=True)],
                                     retain_graph=True, allow_unused=True)
    z.backward(inputs=[w])
    return gy, gh, gx, gw, unused, w.grad, x.grad


@program(G)
def saved_tensor_modified_in_place(torch):
    class Save(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y

    x = torch.tensor([0.5, 1.0], requires_grad=True)
    y = Save.apply(x)
    y.add_(1)
    out_changed = err(lambda: y.sum().backward())
    h = x * 1
    y = Save.apply(h)
    h.add_(1)
    in_changed = err(lambda: y.sum().backward())
    with torch.no_grad():
        x.add_(1)
    y = Save.apply(x)
    with torch.no_grad():
        x.add_(1)
    leaf_changed = err(lambda: y.sum().backward())
    return out_changed, in_changed, leaf_changed, x._version


@program(G)
def mark_dirty_in_place_function(torch):
    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    leaf = err(lambda: Double.apply(x))
    h = x * 1
    y = Double.apply(h)
    same = y is h
    (y * y).sum().backward()
    return leaf, same, y, h._version, type(h.grad_fn).__name__, x.grad


@program(G)
def identity_outputs_grad_mode_and_chaining(torch):
    class Id(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    Exp = _exp_fn(torch)
    x = torch.tensor([1.0, -1.0], requires_grad=True)
    y = Id.apply(x)
    z = Id.apply(torch.ones(2))
    with torch.no_grad():
        n = Id.apply(x)
    c = Exp.apply(Id.apply(x * 3))         # custom -> custom -> regular
    (y.sum() + (c * x).sum()).backward()
    nexts = [type(f).__name__ for f, _ in c.grad_fn.next_functions]
    return y is x, y, y._version, z, n, c, x.grad, nexts


@program(G)
def input_used_twice_and_list_output(torch):
    class MulPair(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a

    class AsList(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return [x * 1, x * 2]

        @staticmethod
        def backward(ctx, a):
            return a

    x = torch.tensor([1.5, -2.0], requires_grad=True)
    MulPair.apply(x, x).sum().backward()      # d(x*x)/dx = 2x
    lst = AsList.apply(x)                      # a list is not unpacked: no grad_fn
    return x.grad, type(lst).__name__, lst


@program(G)
def function_definition_errors(torch):
    class NoForward(torch.autograd.Function):
        pass

    class NoBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    class SavesInt(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Both(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

        @staticmethod
        def vjp(ctx, g):
            return g

    class ByVjp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 7

    x = torch.ones(2, requires_grad=True)
    vjp_grad = torch.autograd.grad(ByVjp.apply(x).sum(), x)
    return (err(lambda: NoForward.apply(x)), err(lambda: NoBackward.apply(x).sum().backward()),
            err(lambda: SavesInt.apply(x)), err(lambda: Both.apply(x).sum().backward()),
            vjp_grad, err(lambda: NoBackward()(x)),
            isinstance(NoBackward.apply(x).grad_fn, torch.autograd.function.BackwardCFunction),
            NoBackward.apply(x).grad_fn._forward_cls is NoBackward)


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_custom_function_like_torch(prog):
    check(prog)


def test_enough_programs():
    assert len(PROGRAMS[G]) >= 15


SCRIPT = textwrap.dedent("""
    import torch
    import torch.autograd.function
    from torch.autograd.function import FunctionCtx, once_differentiable
    from torch.autograd import Function

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x

    x = torch.tensor([1.0, 3.0], requires_grad=True)
    y = Square.apply(x)
    y.sum().backward()
    print(y, x.grad, type(y.grad_fn).__name__)
    print(torch.autograd.function.Function is Function, issubclass(type(y.grad_fn), FunctionCtx))
    print(type(y.grad_fn))
""")


def test_script_imports_torch_autograd_function(tmp_path):
    """``import torch.autograd.function`` in a script run by the shim's runner prints what
    real torch prints."""
    path = tmp_path / "custom_fn_script.py"
    path.write_text(SCRIPT)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    real = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env,
                          timeout=120)
    shim = subprocess.run([sys.executable, "-m", "tracegrad.interop.torch", str(path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert real.returncode == 0, real.stderr
    assert shim.returncode == 0, shim.stderr
    assert shim.stdout == real.stdout
