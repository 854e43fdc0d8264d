"""Differential programs for the training-loop utilities: ``torch.utils.data`` (datasets,
samplers, DataLoader shuffles drawn from the same generator states as torch's,
``random_split``), ``torch.nn.utils`` (gradient clipping, parameter vectors),
``torch.optim.lr_scheduler`` and the optimizers AdamW, RMSprop and Adagrad, each run on real
PyTorch 2.13 and on the shim (see ``test_torch_diff_harness``). Learning rates and printed
values are compared as exact strings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_torch_diff_harness import PROGRAMS, check, err, program

G = "data_utils"


def _data(torch):
    import importlib
    return importlib.import_module(torch.__name__ + ".utils.data")


def _caught(fn):
    """Run ``fn``; its result and the (category, text) of each warning it raised."""
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        out = fn()
    return out, [(w.category.__name__, str(w.message)) for w in got]


def _batches(loader):
    return [b for b in loader]


# -- datasets and loaders -------------------------------------------------------------

@program(G)
def tensor_dataset_items_and_len(torch):
    D = _data(torch)
    ds = D.TensorDataset(torch.arange(12.0).reshape(6, 2), torch.arange(6))
    return (ds[0], ds[5], ds[-1], ds[1:3], len(ds), err(lambda: D.TensorDataset(
        torch.zeros(3), torch.zeros(4))), err(lambda: len(D.TensorDataset())))


@program(G)
def loader_sequential_batches_and_len(torch):
    D = _data(torch)
    torch.manual_seed(0)
    ds = D.TensorDataset(torch.arange(14.0).reshape(7, 2), torch.arange(7))
    out = []
    for bs, drop in ((1, False), (3, False), (3, True), (7, True), (10, False), (10, True)):
        loader = D.DataLoader(ds, batch_size=bs, drop_last=drop)
        out.append((len(loader), _batches(loader)))
    return out, torch.rand(3)  # iterating draws from the default generator, as in torch


@program(G)
def loader_shuffle_follows_the_default_generator(torch):
    D = _data(torch)
    torch.manual_seed(0)
    ds = D.TensorDataset(torch.arange(10.0), torch.arange(10))
    loader = D.DataLoader(ds, batch_size=3, shuffle=True)
    epochs = [_batches(loader) for _ in range(3)]
    torch.manual_seed(123)
    again = [b[1].tolist() for b in D.DataLoader(ds, batch_size=4, shuffle=True)]
    return epochs, again, torch.rand(2), torch.randint(0, 100, (3,))


@program(G)
def loader_shuffle_with_its_own_generator(torch):
    D = _data(torch)
    torch.manual_seed(7)
    g = torch.Generator().manual_seed(5)
    loader = D.DataLoader(list(range(25)), batch_size=4, shuffle=True, generator=g,
                          drop_last=True)
    first = [b.tolist() for b in loader]
    second = [b.tolist() for b in loader]
    return first, second, len(loader), torch.rand(2), g.initial_seed()


@program(G)
def loader_shuffle_large_and_sampler_objects(torch):
    D = _data(torch)
    torch.manual_seed(3)
    big = [b.tolist() for b in D.DataLoader(range(1000), batch_size=250, shuffle=True)]
    rs = D.RandomSampler(range(10), replacement=True, num_samples=70,
                         generator=torch.Generator().manual_seed(1))
    rs2 = D.RandomSampler(range(6), num_samples=15)
    sub = D.SubsetRandomSampler([10, 20, 30, 40], generator=torch.Generator().manual_seed(2))
    bs = D.BatchSampler(D.SequentialSampler(range(7)), 3, drop_last=False)
    return (big, list(rs), len(rs), list(rs2), list(sub), list(bs), len(bs),
            err(lambda: D.RandomSampler(range(3), num_samples=0)),
            err(lambda: D.RandomSampler(range(3), replacement=1)),
            err(lambda: D.BatchSampler(range(3), 0, False)),
            err(lambda: D.BatchSampler(range(3), 2, 1)))


@program(G)
def collate_numbers_strings_dicts_tuples(torch):
    D = _data(torch)
    samples = [{"id": i, "x": float(i) / 2, "name": f"s{i}", "pair": (i, torch.ones(2) * i),
                "flag": i % 2 == 0, "lst": [i, i + 1]} for i in range(5)]
    out = _batches(D.DataLoader(samples, batch_size=2))
    tup = _batches(D.DataLoader([(1, 2.5, "a"), (3, 4.5, "b")], batch_size=2))
    return (out, tup, err(lambda: _batches(D.DataLoader([object()], batch_size=1)))[0],
            err(lambda: _batches(D.DataLoader([[1, 2], [1]], batch_size=2))),
            D.default_collate([torch.zeros(2, 3), torch.ones(2, 3)]))


@program(G)
def collate_numpy_arrays_and_scalars(torch):
    D = _data(torch)
    arrs = [np.arange(3.0) + i for i in range(4)]
    return (_batches(D.DataLoader(arrs, batch_size=3)),
            _batches(D.DataLoader([np.float32(1.5), np.float32(2)], batch_size=2)),
            _batches(D.DataLoader([np.int32(1), np.int32(2)], batch_size=2)),
            _batches(D.DataLoader([np.arange(2, dtype=np.int16)] * 2, batch_size=2)))


@program(G)
def loader_without_batching_and_custom_collate(torch):
    D = _data(torch)
    plain = _batches(D.DataLoader(range(4), batch_size=None))
    arrays = _batches(D.DataLoader([np.ones(2), np.zeros(2)], batch_size=None))
    tuples = _batches(D.DataLoader([(np.ones(1), 2)], batch_size=None))
    custom = _batches(D.DataLoader(range(7), batch_size=3, collate_fn=lambda b: sum(b)))
    by_sampler = _batches(D.DataLoader(range(10), batch_sampler=[[0, 9], [3], [4, 5, 6]]))
    by_index = _batches(D.DataLoader(range(10), sampler=[9, 1, 4], batch_size=2))
    return plain, arrays, tuples, custom, by_sampler, by_index, len(D.DataLoader(
        range(10), batch_sampler=[[0, 9], [3]]))


@program(G)
def loader_argument_errors(torch):
    D = _data(torch)

    class Stream(D.IterableDataset):
        def __iter__(self):
            return iter(range(5))

    return [err(f) for f in (
        lambda: D.DataLoader(range(3), sampler=[0, 1], shuffle=True),
        lambda: D.DataLoader(range(3), batch_size=None, drop_last=True),
        lambda: D.DataLoader(range(3), batch_sampler=[[0]], batch_size=2),
        lambda: D.DataLoader(range(3), batch_sampler=[[0]], drop_last=True),
        lambda: D.DataLoader(range(3), batch_size=0),
        lambda: D.DataLoader(range(3), batch_size=1.5),
        lambda: D.DataLoader(range(3), num_workers=-1),
        lambda: D.DataLoader(Stream(), shuffle=True),
        lambda: D.DataLoader(Stream(), sampler=[1]),
        lambda: len(D.DataLoader(Stream())),
        lambda: D.Dataset()[0],
        lambda: len(D.Dataset()),
    )]


@program(G)
def loader_accepts_workers_in_process(torch):
    D = _data(torch)
    torch.manual_seed(11)
    ds = D.TensorDataset(torch.arange(8.0))
    loader = D.DataLoader(ds, batch_size=3, shuffle=True, num_workers=0)
    return _batches(loader), loader.batch_size, loader.drop_last, loader.num_workers, \
        type(loader.sampler).__name__, type(loader.batch_sampler).__name__, torch.rand(1)


@program(G)
def iterable_dataset_batches(torch):
    D = _data(torch)

    class Stream(D.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(torch.arange(float(self.n)) * 2)

        def __len__(self):
            return self.n

    s = Stream(7)
    return (_batches(D.DataLoader(s, batch_size=3)), _batches(D.DataLoader(s, batch_size=3,
            drop_last=True)), _batches(D.DataLoader(s, batch_size=None))[:3],
            len(D.DataLoader(s, batch_size=3)), len(D.DataLoader(s, batch_size=3, drop_last=True)),
            [x.tolist() for x in D.ChainDataset([Stream(2), Stream(3)])])


@program(G)
def random_split_lengths_and_fractions(torch):
    D = _data(torch)
    torch.manual_seed(0)
    a = [list(s) for s in D.random_split(range(10), [3, 7])]
    b = [list(s) for s in D.random_split(range(11), [0.5, 0.5])]
    c = [list(s) for s in D.random_split(range(30), [0.3, 0.3, 0.4],
                                        generator=torch.Generator().manual_seed(42))]
    ds = D.TensorDataset(torch.arange(10.0) * 3)
    parts = D.random_split(ds, [0.25, 0.75])
    return a, b, c, [len(p) for p in parts], parts[0][0], parts[1][2], torch.rand(1)


@program(G)
def random_split_errors_and_empty_split_warning(torch):
    D = _data(torch)
    g = torch.Generator().manual_seed(1)
    return (err(lambda: D.random_split(range(10), [3, 8])),
            err(lambda: D.random_split(range(10), [0.5, 0.6])),
            err(lambda: D.random_split(range(10), [1.5, -0.5])),
            _caught(lambda: [list(s) for s in D.random_split(range(3), [0.1, 0.1, 0.8],
                                                             generator=g)]))


@program(G)
def subset_and_concat_datasets(torch):
    D = _data(torch)
    ds = D.TensorDataset(torch.arange(6.0), torch.arange(6) * 10)
    sub = D.Subset(ds, [4, 0, 2])
    cat = D.ConcatDataset([range(3), range(10, 12)])
    added = ds + D.TensorDataset(torch.ones(2), torch.zeros(2, dtype=torch.int64))
    return (sub[0], len(sub), _batches(D.DataLoader(sub, batch_size=2)), len(cat), cat[3],
            cat[-1], cat.cumulative_sizes, err(lambda: cat[-6]), len(added), added[7],
            err(lambda: D.ConcatDataset([])), _batches(D.DataLoader(cat, batch_size=4)))


# -- nn.utils -------------------------------------------------------------------------

def _grads(torch, scale=1.0):
    a = torch.nn.Parameter(torch.linspace(-2.0, 3.0, 15).reshape(5, 3))
    b = torch.nn.Parameter(torch.tensor([0.5, -1.5, 2.0, 0.1]))
    c = torch.nn.Parameter(torch.ones(2))
    ((a ** 2).sum() * 3 * scale + (b * 7).sum() * scale).backward()
    return a, b, c


@program(G)
def clip_grad_norm_orders(torch):
    out = []
    for nt in (2.0, 1, float("inf"), 3.5, 0, "2"):
        for max_norm in (1.5, 1e4):
            a, b, c = _grads(torch)
            total = torch.nn.utils.clip_grad_norm_([a, b, c], max_norm, norm_type=float(nt))
            out.append((total, a.grad, b.grad, c.grad, str(total)))
    a, b, c = _grads(torch)
    single = torch.nn.utils.clip_grad_norm_(a, 0.5)
    return out, single, a.grad


@program(G)
def clip_grad_norm_edge_cases(torch):
    empty = torch.nn.utils.clip_grad_norm_([], 1.0)
    gen_empty = _caught(lambda: torch.nn.utils.clip_grad_norm_((p for p in []), 1.0))
    x = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    x.sum().backward()
    x.grad[0] = float("inf")
    raised = err(lambda: torch.nn.utils.clip_grad_norm_(x, 1.0, error_if_nonfinite=True))
    total = torch.nn.utils.clip_grad_norm_(x, 1.0)
    d = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    (d * 4).sum().backward()
    return empty, gen_empty, raised, total, x.grad, torch.nn.utils.clip_grad_norm_([d], 2.0), \
        d.grad


@program(G)
def clip_grad_value_in_place(torch):
    a, b, c = _grads(torch)
    before = a.grad
    r = torch.nn.utils.clip_grad_value_([a, b, c], 2.5)
    torch.nn.utils.clip_grad_value_(b, 0.3)
    return r, a.grad, b.grad, c.grad, before is a.grad


@program(G)
def parameters_and_vectors(torch):
    lin = torch.nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.arange(6.0).reshape(2, 3))
        lin.bias.fill_(-1.0)
    v = torch.nn.utils.parameters_to_vector(lin.parameters())
    v.sum().backward()
    torch.nn.utils.vector_to_parameters(torch.arange(8.0) * 0.5, lin.parameters())
    return (v, lin.weight.grad, lin.weight, lin.bias, err(
        lambda: torch.nn.utils.vector_to_parameters([1.0], lin.parameters())),
        err(lambda: torch.nn.utils.parameters_to_vector([])))


# -- lr_scheduler ---------------------------------------------------------------------

def _opt(torch, lr=0.1, groups=1):
    params = [torch.nn.Parameter(torch.ones(2)) for _ in range(groups)]
    if groups == 1:
        return torch.optim.SGD(params, lr=lr)
    return torch.optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)],
                           lr=lr)


def _run(opt, sched, n, metric=None):
    lrs = [repr(sched.get_last_lr())]
    for i in range(n):
        opt.step()
        if metric is None:
            sched.step()
        else:
            sched.step(metric(i))
        lrs.append(repr(sched.get_last_lr()))
    return lrs


@program(G)
def step_and_multistep_schedules(torch):
    S = torch.optim.lr_scheduler
    o1 = _opt(torch, 0.1)
    o2 = _opt(torch, 0.05, groups=2)
    o3 = _opt(torch, 1.0)
    return (_run(o1, S.StepLR(o1, step_size=3, gamma=0.3), 12),
            _run(o2, S.MultiStepLR(o2, milestones=[2, 5, 5, 9], gamma=0.5), 12),
            _run(o3, S.StepLR(o3, 1), 5), repr(o2.param_groups[1]["initial_lr"]),
            str(o1))


@program(G)
def exponential_and_cosine_schedules(torch):
    S = torch.optim.lr_scheduler
    o1 = _opt(torch, 0.1)
    o2 = _opt(torch, 0.1, groups=2)
    o3 = _opt(torch, 0.3)
    return (_run(o1, S.ExponentialLR(o1, gamma=0.9), 15),
            _run(o2, S.CosineAnnealingLR(o2, T_max=5, eta_min=0.001), 23),
            _run(o3, S.CosineAnnealingLR(o3, T_max=3), 10))


@program(G)
def lambda_and_multiplicative_schedules(torch):
    S = torch.optim.lr_scheduler
    o1 = _opt(torch, 0.1, groups=2)
    s1 = S.LambdaLR(o1, [lambda e: 0.95 ** e, lambda e: 1 / (e + 1)])
    o2 = _opt(torch, 0.2)
    s2 = S.MultiplicativeLR(o2, lambda e: 0.9)
    runs = _run(o1, s1, 8), _run(o2, s2, 6)
    state = s1.state_dict()
    return runs, sorted(state), state["last_epoch"], state["_step_count"], state["lr_lambdas"], \
        err(lambda: S.LambdaLR(o1, [lambda e: 1.0])), err(lambda: S.StepLR(object(), 2))


@program(G)
def reduce_lr_on_plateau(torch):
    S = torch.optim.lr_scheduler
    o1 = _opt(torch, 1.0)
    s1 = S.ReduceLROnPlateau(o1, patience=2, factor=0.5, cooldown=1, min_lr=0.1)
    metrics = [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 3.99999, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    r1 = _run(o1, s1, len(metrics), lambda i: metrics[i])
    o2 = _opt(torch, 0.1, groups=2)
    s2 = S.ReduceLROnPlateau(o2, mode="max", patience=0, threshold=0.1, threshold_mode="abs",
                             min_lr=[0.01, 0.05])
    r2 = _run(o2, s2, 6, lambda i: torch.tensor(float(i % 2)))
    return (r1, r2, s1.best, s1.num_bad_epochs, s1.last_epoch,
            err(lambda: S.ReduceLROnPlateau(o1, factor=1.0)),
            err(lambda: S.ReduceLROnPlateau(o1, mode="up")),
            err(lambda: S.ReduceLROnPlateau(o2, min_lr=[0.1])))


@program(G)
def scheduler_warnings_like_torch(torch):
    S = torch.optim.lr_scheduler
    o1 = _opt(torch)
    s1 = S.StepLR(o1, 2)
    early = _caught(lambda: s1.step())
    o2 = _opt(torch)
    s2 = S.StepLR(o2, 2)
    o2.step()
    fine = _caught(lambda: s2.step())
    outside = _caught(lambda: repr(s2.get_lr()))
    o3 = _opt(torch)
    s3 = S.ExponentialLR(o3, 0.5)
    o3.step()
    by_epoch = _caught(lambda: s3.step(4))
    o4 = _opt(torch)
    s4 = S.MultiStepLR(o4, [2, 4])
    o4.step()
    closed = _caught(lambda: s4.step(5))
    o5 = _opt(torch, 1.0)
    s5 = S.CosineAnnealingLR(o5, 10)
    o5.step()
    _caught(lambda: s5.step(3))
    return (early, fine, outside, by_epoch, repr(s3.get_last_lr()), closed,
            repr(s4.get_last_lr()), repr(s5.get_last_lr()), _run(o5, s5, 3))


# -- optimizers -----------------------------------------------------------------------

def _fit(torch, make, steps=6, dtype=None):
    torch.manual_seed(0)
    dtype = dtype or torch.float32
    w = torch.nn.Parameter(torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=dtype))
    b = torch.nn.Parameter(torch.tensor([0.1, -0.2], dtype=dtype))
    x = torch.tensor([[1.0, 2.0, -1.0], [0.5, -0.5, 3.0], [2.0, 0.0, 1.0]], dtype=dtype)
    opt = make([w, b])
    losses, values = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x @ w.t() + b).tanh() ** 2).sum() + (w ** 3).sum() * 0.1
        loss.backward()
        opt.step()
        losses.append(loss.item())
        values.append((w.detach().clone(), b.detach().clone()))
    state = opt.state_dict()["state"]
    return losses, values, sorted(state[0]), repr(opt)


@program(G)
def adamw_updates_and_repr(torch):
    O = torch.optim
    return [_fit(torch, make) for make in (
        lambda p: O.AdamW(p),
        lambda p: O.AdamW(p, lr=0.05, weight_decay=0.1),
        lambda p: O.AdamW(p, lr=0.05, amsgrad=True, betas=(0.8, 0.99), eps=1e-6),
        lambda p: O.AdamW(p, lr=0.02, maximize=True, weight_decay=0),
    )] + [_fit(torch, lambda p: O.AdamW(p, lr=0.03), dtype=torch.float64)]


@program(G)
def rmsprop_updates_and_repr(torch):
    O = torch.optim
    return [_fit(torch, make) for make in (
        lambda p: O.RMSprop(p),
        lambda p: O.RMSprop(p, lr=0.005, weight_decay=0.05),
        lambda p: O.RMSprop(p, lr=0.005, momentum=0.9),
        lambda p: O.RMSprop(p, lr=0.005, centered=True, momentum=0.5, alpha=0.9),
        lambda p: O.RMSprop(p, lr=0.001, centered=True, alpha=0.3),
        lambda p: O.RMSprop(p, lr=0.01, maximize=True, eps=1e-4),
    )] + [_fit(torch, lambda p: O.RMSprop(p, momentum=0.3), dtype=torch.float64)]


@program(G)
def adagrad_updates_state_and_repr(torch):
    O = torch.optim
    p = torch.nn.Parameter(torch.ones(2))
    fresh = O.Adagrad([p], initial_accumulator_value=0.5)
    return [_fit(torch, make) for make in (
        lambda p: O.Adagrad(p),
        lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.05),
        lambda p: O.Adagrad(p, lr=0.1, weight_decay=0.2, initial_accumulator_value=0.3),
        lambda p: O.Adagrad(p, lr=0.02, eps=1e-3, maximize=True),
    )] + [_fit(torch, lambda p: O.Adagrad(p, lr=0.2), dtype=torch.float64),
          fresh.state_dict()]


@program(G)
def new_optimizers_reject_bad_arguments(torch):
    O = torch.optim
    p = [torch.nn.Parameter(torch.ones(1))]
    return [err(f) for f in (
        lambda: O.AdamW(p, lr=-1), lambda: O.AdamW(p, betas=(1.0, 0.9)),
        lambda: O.AdamW(p, weight_decay=-0.1), lambda: O.AdamW(p, eps=-1),
        lambda: O.RMSprop(p, lr=-0.1), lambda: O.RMSprop(p, alpha=-0.5),
        lambda: O.RMSprop(p, momentum=-1), lambda: O.RMSprop(p, eps=-1),
        lambda: O.RMSprop(p, weight_decay=-1), lambda: O.Adagrad(p, lr_decay=-1),
        lambda: O.Adagrad(p, initial_accumulator_value=-1), lambda: O.Adagrad(p, eps=-1),
        lambda: O.Adagrad(p, lr=-1), lambda: O.Adagrad(p, weight_decay=-1),
        lambda: O.RMSprop([]), lambda: type(O.AdamW(p)).__mro__[1].__name__,
    )]


@program(G)
def training_loop_with_loader_scheduler_and_clipping(torch):
    D = _data(torch)
    torch.manual_seed(0)
    X = torch.randn(40, 3)
    y = (X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3).squeeze(1)
    ds = D.TensorDataset(X, y)
    train, val = D.random_split(ds, [0.75, 0.25])
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = torch.optim.AdamW(model.parameters(), lr=0.05)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loader = D.DataLoader(train, batch_size=8, shuffle=True)
    log = []
    for _ in range(4):
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(xb).squeeze(1), yb)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            log.append((round(loss.item(), 4), round(norm.item(), 4)))
        sched.step()
    with torch.no_grad():
        val_loss = sum(torch.nn.functional.mse_loss(model(xb).squeeze(1), yb).item()
                       for xb, yb in D.DataLoader(val, batch_size=5))
    return log, round(val_loss, 4), repr(sched.get_last_lr())


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_data_utils_like_torch(prog):
    check(prog)


def test_programs_are_many_and_distinct():
    assert len(PROGRAMS[G]) >= 20
    assert len({p.__name__ for p in PROGRAMS[G]}) == len(PROGRAMS[G])
