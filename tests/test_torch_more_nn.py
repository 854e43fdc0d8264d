"""Differential programs for the added ``nn.functional`` functions and ``nn`` modules
(smooth activations, regression/binary/KL losses, normalize/one_hot/pad, distances,
layer_norm, embedding, batch_norm, the containers), each run on real PyTorch 2.13 and on
the shim (see ``test_torch_diff_harness``)."""

from __future__ import annotations

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program

G = "more_nn"

_X = [[-25.0, -1.5, -0.3, 0.0, 0.4, 2.0], [1.0, -2.0, 3.0, 30.0, 0.5, -0.7]]


def _act_case(torch, f, dt):
    x = torch.tensor(_X, dtype=dt, requires_grad=True)
    y = f(x)
    (y * torch.arange(12.0, dtype=dt).reshape(2, 6)).sum().backward()
    return y, x.grad


@program(G)
def smooth_activations_values_and_grads(torch):
    F = torch.nn.functional
    out = []
    for dt in (torch.float32, torch.float64):
        for f in (F.elu, lambda x: F.elu(x, 0.7), F.gelu, lambda x: F.gelu(x, approximate="tanh"),
                  F.silu, F.softplus, lambda x: F.softplus(x, 2.0, 5.0), F.logsigmoid,
                  F.mish, F.softsign):
            out.append(_act_case(torch, f, dt))
    return out


@program(G)
def hardtanh_and_relu6_gradients_at_the_bounds(torch):
    F = torch.nn.functional
    x = torch.tensor([-2.0, -1.0, 0.0, 0.5, 1.0, 6.0, 7.0], requires_grad=True)
    ys = [F.hardtanh(x), F.hardtanh(x, -0.5, 6.0), F.relu6(x)]
    sum((y * torch.arange(7.0)).sum() for y in ys).backward()
    return ys, x.grad, err(lambda: F.hardtanh(x, 2.0, 1.0))


@program(G)
def gelu_rejects_unknown_approximation(torch):
    return err(lambda: torch.nn.functional.gelu(torch.ones(2), approximate="fast"))


@program(G)
def activation_modules(torch):
    nn = torch.nn
    x = torch.tensor([[-3.0, -0.5, 0.25, 4.0]], requires_grad=True)
    mods = [nn.ELU(), nn.ELU(alpha=0.5), nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(),
            nn.Softplus(beta=2.0), nn.Hardtanh(-2.0, 2.0), nn.ReLU6(), nn.LogSigmoid(),
            nn.Mish(), nn.Softsign()]
    ys = [m(x) for m in mods]
    sum(y.sum() for y in ys).backward()
    return ys, x.grad, [repr(m) for m in mods]


@program(G)
def activations_without_grad_keep_dtype(torch):
    F = torch.nn.functional
    x = torch.tensor([-1.0, 0.5], dtype=torch.float64)
    return [F.elu(x), F.gelu(x), F.silu(x), F.softplus(x), F.logsigmoid(x), F.mish(x),
            F.hardtanh(x), F.relu6(x)]


def _reg_pair(torch):
    x = torch.tensor([[0.2, -1.5, 3.0], [0.0, 2.5, -0.4]], requires_grad=True)
    t = torch.tensor([[0.0, 0.5, 1.0], [0.6, 2.5, -3.0]])
    return x, t


@program(G)
def regression_losses_all_reductions(torch):
    F = torch.nn.functional
    out = []
    for red in ("mean", "sum", "none"):
        for f in (lambda x, t: F.l1_loss(x, t, reduction=red),
                  lambda x, t: F.smooth_l1_loss(x, t, reduction=red),
                  lambda x, t: F.smooth_l1_loss(x, t, reduction=red, beta=0.5),
                  lambda x, t: F.smooth_l1_loss(x, t, reduction=red, beta=0.0),
                  lambda x, t: F.huber_loss(x, t, reduction=red),
                  lambda x, t: F.huber_loss(x, t, reduction=red, delta=2.0)):
            x, t = _reg_pair(torch)
            y = f(x, t)
            (y.sum() if red == "none" else y).backward()
            out.append((y, x.grad))
    return out


@program(G)
def regression_loss_errors(torch):
    F = torch.nn.functional
    x, t = _reg_pair(torch)
    return (err(lambda: F.l1_loss(x, t, reduction="avg")),
            err(lambda: F.smooth_l1_loss(x, t, beta=-1.0)),
            err(lambda: F.huber_loss(x, t, delta=0.0)),
            err(lambda: F.huber_loss(x, t, reduction="bad")))


@program(G)
def regression_loss_modules(torch):
    nn = torch.nn
    out = []
    for m in (nn.L1Loss(), nn.L1Loss(reduction="sum"), nn.SmoothL1Loss(beta=0.3),
              nn.HuberLoss(reduction="none", delta=0.7)):
        x, t = _reg_pair(torch)
        y = m(x, t)
        y.sum().backward()
        out.append((y, x.grad, repr(m)))
    return out


@program(G)
def binary_cross_entropy_reductions_and_weight(torch):
    F = torch.nn.functional
    out = []
    w = torch.tensor([1.0, 2.0, 0.5])
    for red in ("mean", "sum", "none"):
        for weight in (None, w):
            p = torch.tensor([[0.1, 0.7, 0.99], [0.5, 0.02, 0.6]], requires_grad=True)
            t = torch.tensor([[0.0, 1.0, 1.0], [0.3, 0.0, 1.0]])
            y = F.binary_cross_entropy(p, t, weight=weight, reduction=red)
            y.sum().backward()
            out.append((y, p.grad))
    return out


@program(G)
def binary_cross_entropy_errors(torch):
    F = torch.nn.functional
    return (err(lambda: F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))),
            err(lambda: F.binary_cross_entropy(torch.ones(2) / 2, torch.ones(3))),
            F.binary_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0])))


@program(G)
def bce_with_logits_weight_and_pos_weight(torch):
    F = torch.nn.functional
    out = []
    for red in ("mean", "sum", "none"):
        for kw in ({}, {"weight": torch.tensor([2.0, 1.0, 0.5])},
                   {"pos_weight": torch.tensor([3.0, 1.0, 0.2])},
                   {"weight": torch.tensor([[1.0], [0.5]]),
                    "pos_weight": torch.tensor([2.0, 1.0, 4.0])}):
            x = torch.tensor([[-30.0, 0.3, 2.0], [0.0, -1.2, 40.0]], requires_grad=True)
            t = torch.tensor([[0.0, 1.0, 0.2], [1.0, 0.0, 1.0]])
            y = F.binary_cross_entropy_with_logits(x, t, reduction=red, **kw)
            y.sum().backward()
            out.append((y, x.grad))
    out.append(err(lambda: F.binary_cross_entropy_with_logits(torch.ones(2), torch.ones(3))))
    return out


@program(G)
def binary_loss_modules(torch):
    nn = torch.nn
    p = torch.tensor([0.2, 0.9, 0.5], requires_grad=True)
    t = torch.tensor([0.0, 1.0, 1.0])
    a = nn.BCELoss(weight=torch.tensor([1.0, 2.0, 3.0]))(p, t)
    b = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 2.0, 2.0]))(p, t)
    c = nn.BCELoss(reduction="none")(p, t)
    (a + b + c.sum()).backward()
    return a, b, c, p.grad


@program(G)
def kl_div_reductions_and_log_target(torch):
    F = torch.nn.functional
    out = []
    for red in ("none", "sum", "batchmean", "mean"):
        for log_target in (False, True):
            x = torch.tensor([[-1.2, -0.5, -2.0], [-0.1, -3.0, -1.0]], requires_grad=True)
            t = torch.tensor([[0.2, 0.5, 0.3], [0.0, 0.4, 0.6]])
            if log_target:
                t = torch.tensor([[-1.6, -0.7, -1.2], [-5.0, -0.9, -0.5]])
            y = F.kl_div(x, t, reduction=red, log_target=log_target)
            y.sum().backward()
            out.append((y, x.grad))
    m = torch.nn.KLDivLoss(reduction="batchmean")
    out.append(m(torch.tensor([[-1.0, -0.5]]), torch.tensor([[0.4, 0.6]])))
    out.append(err(lambda: F.kl_div(torch.ones(2), torch.ones(2), reduction="bad")))
    return out


@program(G)
def normalize_cosine_pairwise(torch):
    F = torch.nn.functional
    a = torch.tensor([[3.0, 4.0, 0.25], [1.0, -2.0, 2.0]], requires_grad=True)
    b = torch.tensor([[1.0, 0.0, 1.0], [0.5, 0.5, -1.0]], requires_grad=True)
    ys = [F.normalize(a), F.normalize(a, dim=0), F.normalize(a, p=1.0),
          F.cosine_similarity(a, b), F.cosine_similarity(a, b, dim=0),
          F.pairwise_distance(a, b), F.pairwise_distance(a, b, p=1.0, keepdim=True),
          F.pairwise_distance(a, b, p=3.0)]
    sum((y * (i + 1)).sum() for i, y in enumerate(ys)).backward()
    return ys, a.grad, b.grad


@program(G)
def one_hot_values_and_errors(torch):
    F = torch.nn.functional
    return (F.one_hot(torch.tensor([0, 2, 1])), F.one_hot(torch.tensor([[1], [0]]), 4),
            err(lambda: F.one_hot(torch.tensor([1.0]))),
            err(lambda: F.one_hot(torch.tensor([-1]))),
            err(lambda: F.one_hot(torch.tensor([3]), 2)),
            err(lambda: F.one_hot(torch.tensor([], dtype=torch.long))))


@program(G)
def pad_constant_reflect_replicate(torch):
    F = torch.nn.functional
    x = torch.arange(12.0).reshape(1, 3, 4).requires_grad_()
    ys = [F.pad(x, (1, 2)), F.pad(x, (1, 0, 2, 1), value=-1.5), F.pad(x, (0, 0, 0, 0, 1, 1)),
          F.pad(x, (-1, 1)), F.pad(x, (2, 1), mode="reflect"),
          F.pad(x, (2, 1), mode="replicate"),
          F.pad(x.reshape(1, 1, 3, 4), (1, 1, 2, 0), mode="reflect")]
    sum((y * torch.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum() for y in ys).backward()
    return ys, x.grad, err(lambda: F.pad(x, (1,)))


@program(G)
def layer_norm_functional_and_module(torch):
    F = torch.nn.functional
    x = torch.tensor([[[1.0, 2.0, 4.0], [0.0, -1.0, 3.0]]], requires_grad=True)
    w = torch.tensor([1.5, 0.5, -1.0], requires_grad=True)
    b = torch.tensor([0.1, 0.0, 0.2], requires_grad=True)
    ys = [F.layer_norm(x, (3,)), F.layer_norm(x, (3,), w, b), F.layer_norm(x, (2, 3), eps=0.1)]
    sum((y * torch.arange(6.0).reshape(1, 2, 3)).sum() for y in ys).backward()
    m = torch.nn.LayerNorm(3)
    m2 = torch.nn.LayerNorm([2, 3], elementwise_affine=False)
    m3 = torch.nn.LayerNorm(3, bias=False)
    z = m(x)
    z.pow(2).sum().backward()
    return (ys, x.grad, w.grad, b.grad, z, m.weight.grad, m.bias.grad, m2(x),
            list(dict(m.named_parameters())), list(dict(m2.named_parameters())), repr(m),
            repr(m3), m3(x),
            err(lambda: F.layer_norm(x, (4,))))


@program(G)
def embedding_functional_and_module(torch):
    F = torch.nn.functional
    torch.manual_seed(0)
    e = torch.nn.Embedding(5, 3)
    e2 = torch.nn.Embedding(6, 2, padding_idx=-2)
    idx = torch.tensor([[1, 4, 1], [0, 4, 3]])
    y = e(idx)
    y2 = e2(torch.tensor([4, 4, 1]))
    (y * torch.arange(18.0).reshape(2, 3, 3)).sum().backward()
    y2.sum().backward()
    w = torch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], requires_grad=True)
    z = F.embedding(torch.tensor([2, 0, 2]), w, padding_idx=0)
    z.sum().backward()
    pre = torch.nn.Embedding.from_pretrained(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    return (e.weight, y, e.weight.grad, e2.weight, e2.padding_idx, y2, e2.weight.grad, z,
            w.grad, pre.weight, pre(torch.tensor([1])), repr(e2),
            err(lambda: e(torch.tensor([5]))), err(lambda: e(torch.tensor([1.0]))),
            err(lambda: torch.nn.Embedding(3, 2, padding_idx=3)))


@program(G)
def batch_norm_training_and_eval(torch):
    torch.manual_seed(0)
    bn = torch.nn.BatchNorm1d(3)
    x = torch.randn(4, 3, requires_grad=True)
    y = bn(x)
    (y * torch.arange(12.0).reshape(4, 3)).sum().backward()
    y2 = bn(torch.randn(5, 3, 2) * 2 + 1)
    state1 = {k: v.clone() for k, v in bn.state_dict().items()}
    bn.eval()
    x3 = torch.randn(2, 3, requires_grad=True)
    y3 = bn(x3)
    y3.sum().backward()
    cum = torch.nn.BatchNorm1d(2, momentum=None, affine=False)
    nb = torch.nn.BatchNorm1d(2, bias=False)
    cum(torch.tensor([[1.0, 2.0], [3.0, 6.0]]))
    cum(torch.tensor([[0.0, 1.0], [2.0, 1.0]]))
    return (y, x.grad, bn.weight.grad, bn.bias.grad, y2, state1, y3, x3.grad,
            cum.running_mean, cum.running_var, cum.num_batches_tracked, repr(bn), repr(cum),
            repr(nb), list(dict(nb.named_parameters())), nb(torch.tensor([[1.0, 2.0], [0.0, 5.0]])),
            err(lambda: torch.nn.BatchNorm1d(3).train()(torch.ones(1, 3))),
            err(lambda: bn(torch.ones(1, 3, 2, 2))))


@program(G)
def batch_norm_functional(torch):
    F = torch.nn.functional
    x = torch.tensor([[1.0, 2.0], [3.0, 7.0], [0.0, -1.0]], requires_grad=True)
    rm, rv = torch.zeros(2), torch.ones(2)
    y = F.batch_norm(x, rm, rv, training=True, momentum=0.3)
    y2 = F.batch_norm(x, rm, rv, torch.tensor([2.0, 0.5]), torch.tensor([0.0, 1.0]))
    (y.sum() + (y2 * y2).sum()).backward()
    return y, y2, rm, rv, x.grad


@program(G)
def module_dict_parameter_list_and_dict(torch):
    nn = torch.nn
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Tanh()})
            self.layers["c"] = nn.Linear(2, 1)
            self.plist = nn.ParameterList([nn.Parameter(torch.ones(2)), torch.zeros(1)])
            self.plist.append(nn.Parameter(torch.full((2,), 3.0)))
            self.pdict = nn.ParameterDict({"s": nn.Parameter(torch.tensor(2.0))})
            self.pdict["t"] = torch.tensor([1.0, -1.0])

        def forward(self, x):
            h = self.layers["b"](self.layers["a"](x) * self.plist[0] + self.plist[2])
            return self.layers["c"](h * self.pdict["s"] + self.pdict["t"]) + self.plist[1]

    net = Net()
    y = net(torch.tensor([[1.0, -2.0]]))
    y.sum().backward()
    names = [n for n, _ in net.named_parameters()]
    return (y, names, [p.grad for p in net.parameters()], list(net.layers.keys()),
            len(net.plist), len(net.pdict), "s" in net.pdict, "a" in net.layers,
            type(net.plist[1]).__name__, type(net.pdict["t"]).__name__,
            list(net.state_dict()), [k for k in net.pdict])


@program(G)
def training_loop_with_bce_with_logits(torch):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(2, 8), nn.GELU(), nn.LayerNorm(8), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = loss_fn(model(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach() for p in model.parameters()]


@program(G)
def training_loop_with_huber_and_embedding(torch):
    torch.manual_seed(1)
    nn = torch.nn
    emb = nn.Embedding(4, 3, padding_idx=0)
    head = nn.Sequential(nn.SiLU(), nn.Linear(3, 1))
    opt = torch.optim.SGD([*emb.parameters(), *head.parameters()], lr=0.05)
    idx = torch.tensor([0, 1, 2, 3, 1])
    t = torch.tensor([[0.0], [1.0], [-1.0], [2.0], [1.0]])
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = nn.HuberLoss(delta=0.5)(head(emb(idx)), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, emb.weight.detach()


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_more_nn_like_torch(prog):
    check(prog)
