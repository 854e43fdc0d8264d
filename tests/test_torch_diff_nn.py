"""Differential programs: nn (Module API, layers, losses, functional, init). The helpers
``_linear`` and ``_mlp`` build layers with fixed weights (initialisation is random)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, loose, program

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
def buffers_in_state_dict(torch):
    m = torch.nn.Linear(2, 1)
    m.register_buffer("running", torch.tensor([1.0, 2.0]))
    m.register_buffer("scratch", torch.zeros(1), persistent=False)
    seq = torch.nn.Sequential(m)
    return (list(seq.state_dict().keys()), [n for n, _ in seq.named_buffers()],
            seq.state_dict()["0.running"], m.running)


@program(G)
def parameter_assignment_rules(torch):
    m = torch.nn.Linear(2, 1)
    a = err(lambda: setattr(m, "weight", torch.ones(1, 2)))
    m.bias = None
    names = [n for n, _ in m.named_parameters()]
    y = m(torch.tensor([[1.0, 2.0]]))
    m.extra = torch.nn.Parameter(torch.tensor(1.0))
    del m.extra
    return a, names, m.bias, y.shape, [n for n, _ in m.named_parameters()], \
        err(lambda: m.missing)


@program(G)
def module_list_and_apply(torch):
    layers = torch.nn.ModuleList([torch.nn.Linear(1, 2), torch.nn.Linear(2, 1)])
    layers.append(torch.nn.ReLU())
    seen = []
    layers.apply(lambda mod: seen.append(type(mod).__name__))
    sub = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.ReLU(), torch.nn.Tanh())[1:]
    return len(layers), [n for n, _ in layers.named_parameters()], seen, repr(layers), \
        repr(sub), type(sub).__name__


@program(G)
def shared_parameter_counted_once(torch):
    lin = torch.nn.Linear(2, 2)
    model = torch.nn.Sequential(lin, torch.nn.Tanh(), lin)
    return len(list(model.parameters())), [n for n, _ in model.named_parameters()], \
        list(model.state_dict().keys())


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
def cross_entropy_weight_ignore_index(torch):
    outs = []
    for red in ("mean", "sum", "none"):
        logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.0, -1.0, 0.0]],
                              requires_grad=True)
        loss = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]),
                                         ignore_index=1, reduction=red)(
            logits, torch.tensor([0, 1, 2]))
        loss.sum().backward()
        outs.append((red, loss, logits.grad))
    return outs


@program(G)
def cross_entropy_label_smoothing(torch):
    F = torch.nn.functional
    outs = []
    for target in (torch.tensor([0, 2]), torch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])):
        for red in ("mean", "sum", "none"):
            x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]], requires_grad=True)
            loss = F.cross_entropy(x, target, reduction=red, label_smoothing=0.2)
            loss.sum().backward()
            outs.append((red, loss.detach(), x.grad))
    return outs


@program(G)
def cross_entropy_spatial(torch):
    x = torch.tensor([[[1.0, 0.0], [0.5, 2.0], [-1.0, 1.0]]], requires_grad=True)  # N=1,C=3,d=2
    t = torch.tensor([[2, 1]])
    loss = torch.nn.functional.cross_entropy(x, t)
    loss.backward()
    none = torch.nn.functional.cross_entropy(x.detach(), t, reduction="none")
    return loss, x.grad, none


@program(G)
def cross_entropy_errors(torch):
    F = torch.nn.functional
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]])
    return (err(lambda: F.cross_entropy(x, torch.tensor([0, 5]))),
            err(lambda: F.nll_loss(x, torch.tensor([0.0, 1.0]))),
            err(lambda: F.cross_entropy(x, torch.tensor([0, 1, 2]))),
            err(lambda: F.mse_loss(x, x, reduction="average")))


@program(G)
def mse_loss_broadcast_warns(torch):
    from test_torch_diff_harness import warns

    p = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    t = torch.tensor([1.0, 2.0, 4.0])
    loss, cats = warns(lambda: torch.nn.functional.mse_loss(p, t))
    loss.backward()
    return loss, cats, p.grad


@program(G)
def softmax_implicit_dim_warns(torch):
    from test_torch_diff_harness import warns

    F = torch.nn.functional
    x = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    s, cats = warns(lambda: F.softmax(x))
    ls, cats2 = warns(lambda: F.log_softmax(torch.tensor([1.0, 2.0])))
    return s, cats, ls, cats2, err(lambda: F.softmax(x, dim=2))


@program(G)
def softmax_float64_and_second_order(torch):
    F = torch.nn.functional
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = F.log_softmax(x, dim=0)
    (g,) = torch.autograd.grad(y[0], x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum() + g[1] * 3, x)
    return y, loose(g), h


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


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_nn_program(prog):
    check(prog)
