"""A small training script (shuffled DataLoader over a random_split, Adam/AdamW, StepLR,
ReduceLROnPlateau, clip_grad_norm_) run unmodified with ``python -m
tracegrad.interop.torch`` prints exactly what it prints on real torch 2.13."""

import os
import subprocess
import sys

SCRIPT = """
import torch
import torch.nn as nn
import torch.utils.data
from torch.utils.data import DataLoader, TensorDataset, random_split
from torch.optim.lr_scheduler import StepLR
from torch.nn.utils import clip_grad_norm_

torch.manual_seed(0)
X = torch.randn(64, 4)
w_true = torch.tensor([[1.5], [-2.0], [0.5], [3.0]])
y = X @ w_true + 0.1 * torch.randn(64, 1)
train, val = random_split(TensorDataset(X, y), [48, 16])
print("split", len(train), len(val), train.indices[:6])
loader = DataLoader(train, batch_size=10, shuffle=True)
print("batches", len(loader), len(DataLoader(train, batch_size=10, drop_last=True)))

for name, make in (("Adam", torch.optim.Adam), ("AdamW", torch.optim.AdamW)):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = make(model.parameters(), lr=0.05)
    sched = StepLR(opt, step_size=3, gamma=0.5)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch.optim.SGD(model.parameters(), lr=1.0), patience=1)
    loss_fn = nn.MSELoss()
    for epoch in range(6):
        total, norms, order = 0.0, [], []
        for xb, yb in loader:
            order.append((int(xb.shape[0]), round(yb[0, 0].item(), 3)))
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            norms.append(clip_grad_norm_(model.parameters(), max_norm=5.0).item())
            opt.step()
            total += loss.item() * xb.shape[0]
        sched.step()
        with torch.no_grad():
            vl = sum(loss_fn(model(xb), yb).item() for xb, yb in DataLoader(val, batch_size=8))
        plateau.step(round(vl, 3))
        print(name, epoch, f"{total / len(train):.4f}", f"{max(norms):.4f}", f"{vl:.4f}",
              order, sched.get_last_lr(), plateau.get_last_lr())
    print(name, "lr", opt.param_groups[0]["lr"], opt.param_groups[0]["initial_lr"])
    print(model[0].weight.grad.shape, torch.round(model[2].bias.detach() * 1000) / 1000)
first = next(iter(DataLoader(train, batch_size=4, shuffle=True)))
print([t.shape for t in first], torch.rand(2))
print(repr(torch.optim.AdamW(model.parameters())))
print(type(loader), type(train), type(loader.sampler), type(loader.batch_sampler), type(X))
print(type(opt), type(sched), type(plateau), torch.optim.RMSprop, torch.optim.Adagrad)
print(torch.utils.data.TensorDataset, torch.nn.utils.clip_grad_norm_.__name__)
"""


def test_training_script_prints_like_torch(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    real = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          env=env, timeout=180)
    shim = subprocess.run([sys.executable, "-m", "tracegrad.interop.torch", str(path)],
                          capture_output=True, text=True, env=env, timeout=180)
    assert real.returncode == 0, real.stderr
    assert shim.returncode == 0, shim.stderr
    assert shim.stdout == real.stdout
    assert real.stdout.count("AdamW") >= 7
