"""Differential programs: nn (Module API, layers, losses, functional, init), optim (SGD,
Adam) and func (grad, vjp, jacrev, jacfwd, hessian)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program

G = "nn"


def _linear(torch, w, b=None):
    """A Linear layer with the given weights (initialisation is random on both sides)."""
    w = torch.tensor(w)
    lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
    lin.weight = torch.nn.Parameter(w)
    if b is not None:
        lin.bias = torch.nn.Parameter(torch.tensor(b))
    return lin


def _mlp(torch):
    """Seed 004's 1-10-1 MLP with fixed weights, as a Sequential."""
    model = torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(), torch.nn.Linear(10, 1))
    w1 = torch.linspace(-1.0, 1.0, 10).reshape(10, 1)
    b1 = torch.linspace(0.5, -0.4, 10)
    w2 = torch.linspace(0.3, -0.6, 10).reshape(1, 10)
    b2 = torch.tensor([0.1])
    model.load_state_dict({"0.weight": w1, "0.bias": b1, "2.weight": w2, "2.bias": b2})
    return model


class _Mods:
    """Module classes defined against whichever torch is passed (nn.Module differs)."""

    def __init__(self, torch):
        nn = torch.nn

        class SimpleMLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.linear1 = nn.Linear(1, 10)
                self.relu = nn.ReLU()
                self.linear2 = nn.Linear(10, 1)

            def forward(self, x):
                return self.linear2(self.relu(self.linear1(x)))

        class Scaled(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(torch.tensor(2.0))
                self.offset = torch.tensor(1.0)  # a plain tensor is not a parameter
                self.inner = nn.Sequential(nn.Tanh())

            def forward(self, x, shift=0.0):
                return self.inner(x * self.scale + self.offset + shift)

        self.SimpleMLP = SimpleMLP
        self.Scaled = Scaled


# ---------------------------------------------------------------- Module API

@program(G)
def linear_forward_backward(torch):
    lin = _linear(torch, [[1.0, -2.0], [0.5, 0.25], [0.0, 3.0]], [0.1, 0.2, 0.3])
    x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
    y = lin(x)
    y.pow(2).sum().backward()
    return y, lin.weight.grad, lin.bias.grad


@program(G)
def linear_parameter_flags(torch):
    lin = torch.nn.Linear(3, 2)
    w, b = lin.weight, lin.bias
    return (type(w).__name__, w.shape, b.shape, w.requires_grad, w.is_leaf, w.grad_fn is None,
            w.grad, w.dtype, lin.in_features, lin.out_features)


@program(G)
def linear_no_bias(torch):
    lin = _linear(torch, [[1.0, 2.0]])
    y = lin(torch.tensor([[3.0, 4.0]]))
    y.sum().backward()
    return y, lin.bias, [n for n, _ in lin.named_parameters()], lin.weight.grad


@program(G)
def linear_default_init_bounds(torch):
    lin = torch.nn.Linear(16, 4)
    bound = 1.0 / 16 ** 0.5
    w_ok = bool((lin.weight.abs() <= bound).all())
    b_ok = bool((lin.bias.abs() <= bound).all())
    spread = bool(lin.weight.max() - lin.weight.min() > bound / 4)
    return w_ok, b_ok, spread


@program(G)
def linear_shape_mismatch(torch):
    lin = torch.nn.Linear(3, 2)
    return err(lambda: lin(torch.ones(4, 5)))


@program(G)
def linear_1d_input(torch):
    lin = _linear(torch, [[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])
    y = lin(torch.tensor([1.0, 1.0]))
    y.sum().backward()
    return y, lin.weight.grad


@program(G)
def named_parameters_nested(torch):
    m = _Mods(torch).SimpleMLP()
    seq = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    return ([(n, tuple(p.shape)) for n, p in m.named_parameters()],
            [(n, tuple(p.shape)) for n, p in seq.named_parameters()],
            len(list(m.parameters())))


@program(G)
def children_and_modules(torch):
    m = _Mods(torch).SimpleMLP()
    return ([type(c).__name__ for c in m.children()],
            [type(c).__name__ for c in m.modules()],
            [n for n, _ in m.named_children()],
            [n for n, _ in m.named_modules()])


@program(G)
def module_zero_grad_sets_none(torch):
    model = _mlp(torch)
    model(torch.tensor([[1.0], [2.0]])).sum().backward()
    before = [p.grad is not None for p in model.parameters()]
    model.zero_grad()
    return before, [p.grad for p in model.parameters()]


@program(G)
def train_eval_flags(torch):
    m = _Mods(torch).SimpleMLP()
    a = (m.training, m.relu.training)
    r = m.eval()
    b = (m.training, m.linear1.training, r is m)
    m.train()
    c = (m.training, m.linear2.training)
    m.train(False)
    return a, b, c, m.training


@program(G)
def setattr_registration(torch):
    m = _Mods(torch).Scaled()
    names = [n for n, _ in m.named_parameters()]
    y = m(torch.tensor([0.5, -0.5]), shift=0.25)
    y.sum().backward()
    return names, y, m.scale.grad, [n for n, _ in m.named_children()]


@program(G)
def module_repr(torch):
    mods = _Mods(torch)
    seq = torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(), torch.nn.Linear(10, 1,
                                                                                       bias=False))
    return str(mods.SimpleMLP()), str(seq), repr(torch.nn.MSELoss()), \
        repr(torch.nn.CrossEntropyLoss()), repr(torch.nn.Sigmoid()), repr(torch.nn.Tanh())


@program(G)
def parameter_repr(torch):
    P = torch.nn.Parameter
    return repr(P(torch.tensor([1.0, 2.0]))), repr(P(torch.tensor(2.0))), \
        repr(P(torch.tensor([1.0]), requires_grad=False))


@program(G)
def parameter_is_leaf_tensor(torch):
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    y = (p * p).sum()
    y.backward()
    return p, p.grad, isinstance(p, torch.Tensor), type(p).__name__, (p * 2).grad_fn.name()


@program(G)
def state_dict_keys_and_values(torch):
    model = _mlp(torch)
    sd = model.state_dict()
    return list(sd.keys()), [v for v in sd.values()], type(sd).__name__


@program(G)
def state_dict_roundtrip(torch):
    a = _mlp(torch)
    b = torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(), torch.nn.Linear(10, 1))
    r = b.load_state_dict(a.state_dict())
    x = torch.tensor([[0.5], [-1.0]])
    return str(r), a(x), b(x), b[0].weight.requires_grad, b[0].weight.is_leaf


@program(G)
def state_dict_is_detached_copy_source(torch):
    model = _mlp(torch)
    sd = model.state_dict()
    with torch.no_grad():
        model[0].bias.add_(1.0)
    return sd["0.bias"], sd["0.bias"].requires_grad


@program(G)
def load_state_dict_missing_keys(torch):
    model = _mlp(torch)
    return err(lambda: model.load_state_dict({"0.weight": torch.zeros(10, 1)}))


@program(G)
def load_state_dict_unexpected_key(torch):
    model = torch.nn.Linear(1, 1)
    sd = {"weight": torch.zeros(1, 1), "bias": torch.zeros(1), "extra": torch.zeros(1)}
    return err(lambda: model.load_state_dict(sd))


@program(G)
def load_state_dict_non_strict(torch):
    model = torch.nn.Linear(1, 1)
    r = model.load_state_dict({"weight": torch.tensor([[3.0]]), "x": torch.zeros(1)},
                              strict=False)
    return list(r.missing_keys), list(r.unexpected_keys), model.weight


@program(G)
def sequential_indexing_len(torch):
    seq = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Tanh())
    return len(seq), type(seq[1]).__name__, type(seq[-1]).__name__, \
        [type(m).__name__ for m in seq]


@program(G)
def activation_modules(torch):
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    outs = [m(x) for m in (torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid())]
    sum(o.sum() for o in outs).backward()
    return outs, x.grad


@program(G)
def module_requires_grad_false(torch):
    model = _mlp(torch)
    model.requires_grad_(False)
    y = model(torch.tensor([[1.0]]))
    return y.requires_grad, [p.requires_grad for p in model.parameters()]


@program(G)
def module_call_under_no_grad(torch):
    model = _mlp(torch)
    with torch.no_grad():
        y = model(torch.tensor([[1.0], [2.0]]))
    return y, y.requires_grad


@program(G)
def forward_hooks(torch):
    lin = _linear(torch, [[1.0, 2.0]], [0.5])
    seen = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    h2 = lin.register_forward_hook(lambda m, args, out: seen.append(out.detach()) or out * 3)
    x = torch.tensor([[1.0, 1.0]], requires_grad=True)
    y = lin(x)
    y.sum().backward()
    h1.remove()
    h2.remove()
    z = lin(torch.tensor([[1.0, 1.0]]))
    return y, x.grad, seen, z


@program(G)
def module_to_double(torch):
    model = _mlp(torch)
    r = model.double()
    w = model[0].weight
    y = model(torch.tensor([[1.0], [2.0]], dtype=torch.float64))
    y.sum().backward()
    return r is model, w.dtype, type(w).__name__, w.is_leaf, y, w.grad.dtype, \
        model.float()[0].weight.dtype


@program(G)
def module_deepcopy_independent(torch):
    import copy

    model = _mlp(torch)
    twin = copy.deepcopy(model)
    with torch.no_grad():
        model[0].bias.add_(1.0)
    x = torch.tensor([[1.0]])
    return type(twin[0].weight).__name__, twin[0].weight is model[0].weight, model(x), twin(x), \
        repr(twin[2].bias)


@program(G)
def dropout_eval_and_edges(torch):
    F = torch.nn.functional
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = torch.nn.Dropout(0.5)
    d.eval()
    y = d(x)
    z = F.dropout(x, 1.0)
    w = F.dropout(x, 0.0)
    counts = F.dropout(torch.ones(1000), 0.25)
    kept = float((counts > 0).float().mean())
    return (y is x, z, w is x, repr(d), abs(kept - 0.75) < 0.06,
            sorted(set(counts.tolist())), err(lambda: torch.nn.Dropout(1.5)))


@program(G)
def leaky_relu_and_flatten(torch):
    x = torch.tensor([[-1.0, 0.0], [2.0, -3.0]], requires_grad=True)
    y = torch.nn.LeakyReLU(0.1)(x)
    f = torch.nn.Flatten(0)(y)
    (f * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    return y, f, x.grad, repr(torch.nn.LeakyReLU()), repr(torch.nn.Flatten())


# ---------------------------------------------------------------- losses and functional

@program(G)
def mse_loss_reductions(torch):
    outs = []
    for red in ("mean", "sum", "none"):
        p = torch.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
        t = torch.tensor([[1.5, 2.0], [2.0, 7.0]])
        loss = torch.nn.MSELoss(reduction=red)(p, t)
        loss.sum().backward()
        outs.append((red, loss, p.grad))
    return outs


@program(G)
def mse_loss_functional(torch):
    F = torch.nn.functional
    p = torch.tensor([0.5, 1.5], requires_grad=True)
    loss = F.mse_loss(p, torch.tensor([1.0, 1.0]))
    loss.backward()
    return loss, p.grad


@program(G)
def cross_entropy_class_indices(torch):
    outs = []
    for red in ("mean", "sum", "none"):
        logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.0, 1.0, 1.0]],
                              requires_grad=True)
        target = torch.tensor([0, 1, 2])
        loss = torch.nn.CrossEntropyLoss(reduction=red)(logits, target)
        loss.sum().backward()
        outs.append((red, loss, logits.grad))
    return outs


@program(G)
def cross_entropy_probabilities(torch):
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    target = torch.tensor([[0.7, 0.2, 0.1], [0.0, 1.0, 0.0]])
    loss = torch.nn.functional.cross_entropy(logits, target)
    loss.backward()
    return loss, logits.grad


@program(G)
def cross_entropy_large_logits_stable(torch):
    logits = torch.tensor([[1000.0, 0.0], [-1000.0, 1000.0]], requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 0]))
    loss.backward()
    return loss, logits.grad


@program(G)
def cross_entropy_single_sample(torch):
    logits = torch.tensor([0.2, 0.8, -1.0], requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(1))
    loss.backward()
    return loss, logits.grad


@program(G)
def nll_loss_on_log_softmax(torch):
    F = torch.nn.functional
    x = torch.tensor([[0.1, 0.2, 0.7], [1.0, -1.0, 0.0]], requires_grad=True)
    lp = F.log_softmax(x, dim=1)
    loss = F.nll_loss(lp, torch.tensor([2, 0]))
    loss.backward()
    return lp, loss, x.grad


@program(G)
def softmax_and_log_softmax(torch):
    F = torch.nn.functional
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 10.0]], requires_grad=True)
    s0 = F.softmax(x, dim=0)
    s1 = F.softmax(x, dim=1)
    ls = F.log_softmax(x, dim=-1)
    (s0[0, 0] + (s1 * torch.tensor([1.0, 2.0, 3.0])).sum() + ls[:, 1].sum()).backward()
    return s0, s1, ls, x.grad


@program(G)
def tensor_softmax_method(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = x.softmax(dim=0)
    s[2].backward()
    return s, x.grad


@program(G)
def functional_activations(torch):
    F = torch.nn.functional
    x = torch.tensor([-2.0, 0.0, 1.0], requires_grad=True)
    y = F.relu(x) + F.sigmoid(x) + F.tanh(x)
    y.sum().backward()
    return y, x.grad


@program(G)
def functional_linear(torch):
    F = torch.nn.functional
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    w = torch.tensor([[0.5, -1.0], [2.0, 1.0], [0.0, 1.0]], requires_grad=True)
    b = torch.tensor([1.0, 0.0, -1.0], requires_grad=True)
    y = F.linear(x, w, b)
    z = F.linear(x, w)
    (y.sum() + z.sum()).backward()
    return y, z, x.grad, w.grad, b.grad


# ---------------------------------------------------------------- init

@program(G)
def init_constant_fills(torch):
    init = torch.nn.init
    w = torch.empty(2, 3)
    r = init.zeros_(w)
    a = w.clone()
    init.ones_(w)
    return r is w, a, w


@program(G)
def init_on_parameter_keeps_leaf(torch):
    lin = torch.nn.Linear(3, 2)
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.ones_(lin.bias)
    y = lin(torch.tensor([[1.0, 2.0, 3.0]]))
    y.sum().backward()
    return lin.weight, lin.bias, y, lin.weight.is_leaf, lin.weight.grad


@program(G)
def init_random_ranges(torch):
    init = torch.nn.init
    a = init.uniform_(torch.empty(200), -0.5, 0.25)
    b = init.normal_(torch.empty(2000), mean=3.0, std=0.5)
    c = init.kaiming_uniform_(torch.empty(20, 50), a=5 ** 0.5)
    d = init.xavier_uniform_(torch.empty(30, 20))
    return (bool(a.min() >= -0.5), bool(a.max() <= 0.25), abs(float(b.mean()) - 3.0) < 0.1,
            abs(float(b.std()) - 0.5) < 0.05, bool(c.abs().max() <= 1 / 50 ** 0.5),
            bool(d.abs().max() <= (6 / 50) ** 0.5), c.requires_grad)


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
def test_nn_program(prog):
    check(prog)
