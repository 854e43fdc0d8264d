"""Differential programs: optim (SGD, Adam, param groups, state dicts, seed 004's loops) and
func (grad, vjp, jacrev, jacfwd, hessian, composition)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program
from test_torch_diff_nn import _mlp

G = "optim_func"


# ---------------------------------------------------------------- optim

def _quad_params(torch):
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    b = torch.nn.Parameter(torch.tensor(0.5))
    return w, b


def _quad_loss(torch, w, b):
    x = torch.tensor([0.5, 1.0, -1.5])
    return ((w * x).sum() + b - 1.0) ** 2 + (w ** 2).sum() * 0.1


def _run_opt(torch, make, steps=5):
    w, b = _quad_params(torch)
    opt = make([w, b])
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = _quad_loss(torch, w, b)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, w, b, w.grad, w.is_leaf


@program(G)
def sgd_plain(torch):
    return _run_opt(torch, lambda p: torch.optim.SGD(p, lr=0.1))


@program(G)
def sgd_momentum(torch):
    return _run_opt(torch, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))


@program(G)
def sgd_momentum_weight_decay_dampening(torch):
    return _run_opt(torch, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3,
                                                     weight_decay=0.01))


@program(G)
def sgd_nesterov(torch):
    return _run_opt(torch, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                     weight_decay=0.1))


@program(G)
def sgd_maximize(torch):
    return _run_opt(torch, lambda p: torch.optim.SGD(p, lr=0.01, maximize=True), steps=3)


@program(G)
def adam_default(torch):
    return _run_opt(torch, lambda p: torch.optim.Adam(p, lr=0.1), steps=8)


@program(G)
def adam_betas_eps_weight_decay(torch):
    return _run_opt(torch, lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6,
                                                      weight_decay=0.1), steps=8)


@program(G)
def adam_amsgrad(torch):
    return _run_opt(torch, lambda p: torch.optim.Adam(p, lr=0.2, amsgrad=True), steps=8)


@program(G)
def adam_maximize_and_groups(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.Adam([{"params": [w], "lr": 0.05}, {"params": [b], "maximize": True}],
                           lr=0.1)
    for _ in range(4):
        opt.zero_grad()
        _quad_loss(torch, w, b).backward()
        opt.step()
    return w, b, [(g["lr"], g["maximize"], g["betas"]) for g in opt.param_groups]


@program(G)
def step_with_closure(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.SGD([w, b], lr=0.05, momentum=0.5)
    seen = []

    def closure():
        opt.zero_grad()
        loss = _quad_loss(torch, w, b)
        loss.backward()
        seen.append(torch.is_grad_enabled())
        return loss

    losses = [opt.step(closure) for _ in range(3)]
    with torch.no_grad():
        inside = opt.step(closure)
    return losses, w, seen, inside


@program(G)
def adam_float64_params(torch):
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = torch.optim.Adam([w], lr=0.1, amsgrad=True, weight_decay=0.01)
    for _ in range(5):
        opt.zero_grad()
        ((w - 3) ** 2).sum().backward()
        opt.step()
    return w, opt.state[w]["exp_avg"], opt.state[w]["max_exp_avg_sq"]


@program(G)
def optimizer_zero_grad_sets_none(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.SGD([w, b], lr=0.1)
    _quad_loss(torch, w, b).backward()
    opt.zero_grad()
    a = (w.grad, b.grad)
    _quad_loss(torch, w, b).backward()
    opt.zero_grad(set_to_none=False)
    return a, w.grad, b.grad


@program(G)
def optimizer_skips_params_without_grad(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
    ((w * 2).sum()).backward()
    opt.step()
    return w, b, b.grad


@program(G)
def optimizer_param_groups_lr_change(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    groups = [(g["lr"], len(g["params"])) for g in opt.param_groups]
    _quad_loss(torch, w, b).backward()
    opt.step()
    for g in opt.param_groups:
        g["lr"] = 0.01
    opt.zero_grad()
    _quad_loss(torch, w, b).backward()
    opt.step()
    return groups, w, b


@program(G)
def optimizer_state_dict_basics(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
    sd0 = opt.state_dict()
    _quad_loss(torch, w, b).backward()
    opt.step()
    sd = opt.state_dict()
    g = sd["param_groups"][0]
    return (sd0["state"], sorted(sd.keys()), g["params"], g["lr"], g["momentum"],
            sorted(sd["state"].keys()), sd["state"][0]["momentum_buffer"])


@program(G)
def adam_state_after_steps(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.Adam([w, b], lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        _quad_loss(torch, w, b).backward()
        opt.step()
    st = opt.state[w]
    return sorted(st.keys()), float(st["step"]), st["exp_avg"], st["exp_avg_sq"]


@program(G)
def optimizer_load_state_dict(torch):
    w, b = _quad_params(torch)
    opt = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
    _quad_loss(torch, w, b).backward()
    opt.step()
    w2, b2 = _quad_params(torch)
    opt2 = torch.optim.SGD([w2, b2], lr=0.3, momentum=0.9)
    opt2.load_state_dict(opt.state_dict())
    for o, (p, q) in ((opt, (w, b)), (opt2, (w2, b2))):
        o.zero_grad()
        _quad_loss(torch, p, q).backward()
        o.step()
    return w, w2, opt2.param_groups[0]["lr"]


@program(G)
def optimizer_step_bumps_version(torch):
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    loss = (w * w).sum()  # saves w at version 0
    v0 = w._version
    opt.step()  # an in-place update under no_grad: version 1
    return v0, w._version, err(lambda: loss.backward()), w.grad_fn is None, w.is_leaf


@program(G)
def optimizer_errors(torch):
    p = torch.nn.Parameter(torch.tensor([1.0]))
    return (err(lambda: torch.optim.SGD([], lr=0.1)),
            err(lambda: torch.optim.SGD([p], lr=-0.1)),
            err(lambda: torch.optim.SGD([p], lr=0.1, momentum=-1)),
            err(lambda: torch.optim.Adam([p], lr=0.1, betas=(1.5, 0.9))),
            err(lambda: torch.optim.SGD([p], lr=0.1, nesterov=True)))


@program(G)
def seed004_loop_short(torch):
    model = _mlp(torch)
    criterion = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    inputs = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=False)
    targets = torch.tensor([[2.0], [4.0], [6.0]], requires_grad=False)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, loss, [p for p in model.parameters()]


@program(G)
def classifier_adam_cross_entropy(torch):
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    model.load_state_dict({
        "0.weight": torch.tensor([[0.5, -0.2], [0.1, 0.4], [-0.3, 0.2]]),
        "0.bias": torch.tensor([0.0, 0.1, -0.1]),
        "2.weight": torch.tensor([[0.3, -0.5, 0.2], [-0.1, 0.4, 0.6]]),
        "2.bias": torch.tensor([0.05, -0.05])})
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0], [2.0, 2.0]])
    y = torch.tensor([1, 0, 0, 1])
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, model(x).argmax(dim=1)


@program(G)
def seed004_manual_update(torch):
    # seed 004's first program: manual SGD under no_grad, then grad.zero_()
    x = torch.tensor([[1.0], [2.0]], requires_grad=True)
    w = torch.tensor([[2.0]], requires_grad=True)
    b = torch.tensor([[0.5]], requires_grad=True)
    y_pred = torch.mm(x, w) + b
    y = torch.tensor([[2.0], [4.0]])
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
        b -= 0.01 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return str(w.grad), str(b.grad), str(w), str(b), x.grad


# ---------------------------------------------------------------- func

@program(G)
def func_grad_basic(torch):
    f = lambda x: (x.sin() * x).sum()
    x = torch.tensor([0.5, 1.0])
    return torch.func.grad(f)(x)


@program(G)
def func_grad_argnums_has_aux(torch):
    def f(x, y):
        out = (x * y ** 2).sum()
        return out, {"val": out * 1}

    x = torch.tensor([1.0, 2.0])
    y = torch.tensor([3.0, -1.0])
    gy, aux = torch.func.grad(f, argnums=1, has_aux=True)(x, y)
    gxy = torch.func.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, y)
    return gy, aux["val"], gxy


@program(G)
def func_grad_of_grad(torch):
    f = lambda x: x.sin() * x ** 2
    g2 = torch.func.grad(torch.func.grad(f))
    return g2(torch.tensor(0.7))


@program(G)
def func_vjp(torch):
    f = lambda x: x ** 2 * 3
    x = torch.tensor([1.0, 2.0])
    out, fn = torch.func.vjp(f, x)
    (g,) = fn(torch.tensor([1.0, 0.5]))
    return out, g


@program(G)
def func_vjp_has_aux_two_inputs(torch):
    f = lambda x, y: ((x * y).exp(), x.sum())
    x = torch.tensor([0.1, 0.2])
    y = torch.tensor([1.0, -1.0])
    out, fn, aux = torch.func.vjp(f, x, y, has_aux=True)
    return out, fn(torch.ones(2)), aux


@program(G)
def func_jacrev_jacfwd(torch):
    f = lambda x: torch.stack([x[0] * x[1], x[1].sin(), x.sum()])
    x = torch.tensor([0.5, 2.0])
    return torch.func.jacrev(f)(x), torch.func.jacfwd(f)(x)


@program(G)
def func_jacrev_argnums(torch):
    f = lambda x, y: x * y
    x = torch.tensor([1.0, 2.0])
    y = torch.tensor([3.0, 4.0])
    return torch.func.jacrev(f, argnums=1)(x, y), torch.func.jacfwd(f, argnums=(0, 1))(x, y)


@program(G)
def func_hessian(torch):
    f = lambda x: (x ** 3).sum() + x[0] * x[1]
    return torch.func.hessian(f)(torch.tensor([1.0, 2.0]))


@program(G)
def func_composes_with_autograd_and_itself(torch):
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    x = torch.tensor([1.0, 2.0])
    gx = torch.func.grad(lambda x: (w * x).tanh().sum())(x)  # w is closed over
    (gx ** 2).sum().backward()
    h = torch.func.hessian(lambda x: (x.sin() * x).sum())(torch.tensor([0.3, 0.7]))
    jj = torch.func.jacfwd(torch.func.jacrev(lambda x: x ** 3))(torch.tensor([1.0, 2.0]))
    # no perturbation confusion: d/dx [x * (d/dy y^2)(x)] = 4x
    v = torch.func.grad(lambda x: x * torch.func.grad(lambda y: y ** 2)(x))(torch.tensor(3.0))
    return gx.requires_grad, gx.detach(), w.grad, h, jj, v


@program(G)
def func_grad_non_scalar_error(torch):
    r = err(lambda: torch.func.grad(lambda x: x * 2)(torch.tensor([1.0, 2.0])))
    return r[0]


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_optim_func_program(prog):
    check(prog)
