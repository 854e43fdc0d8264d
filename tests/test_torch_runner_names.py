"""``print(type(x))`` in a script run on the shim prints PyTorch's class names, and the
names are handed back when the runner restores real torch."""

import os
import subprocess
import sys

SCRIPT = """
import torch
import torch.nn as nn
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
print(type(x), type(y.grad_fn), type(y.grad_fn.next_functions[0][0]))
print(type(y.grad_fn.next_functions[0][0].next_functions[0][0]))
print(type(nn.Parameter(torch.ones(1))), type(x.shape), type(torch.float32), type(x.device))
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Flatten())
print([type(m) for m in model], type(model), type(nn.MSELoss()), type(nn.CrossEntropyLoss()))
print(type(nn.ModuleList()), type(nn.Dropout()), type(nn.LayerNorm(2)), type(nn.Embedding(2, 2)))
print(type(torch.optim.SGD(model.parameters(), lr=0.1)), type(torch.optim.Adam([x])))
print(type(torch.no_grad()), type(torch.enable_grad()), isinstance(x, torch.Tensor))
print(type(torch.FloatTensor([1.0])), torch.FloatTensor, torch.Tensor, nn.Linear)
print(type(torch.Generator()), nn.Module, torch.optim.Optimizer)
"""


def test_script_prints_torch_class_names(tmp_path):
    path = tmp_path / "names.py"
    path.write_text(SCRIPT)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    real = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          env=env, timeout=120)
    shim = subprocess.run([sys.executable, "-m", "tracegrad.interop.torch", str(path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert real.returncode == 0, real.stderr
    assert shim.returncode == 0, shim.stderr
    assert shim.stdout == real.stdout


def test_names_are_restored_after_the_runner_hands_torch_back():
    from tracegrad.interop.torch.runner import as_torch
    from tracegrad.interop.torch.tensor import Tensor

    with as_torch() as torch:
        assert repr(type(torch.ones(1))) == "<class 'torch.Tensor'>"
        assert repr(type(torch.nn.Linear(1, 1))) == "<class 'torch.nn.modules.linear.Linear'>"
    assert Tensor.__module__ == "tracegrad.interop.torch.tensor"


WARN_SCRIPT = """
import os
import warnings
import torch
print(__file__ == os.path.abspath("warn.py"))
warnings.warn("careful")
x = torch.tensor([1.0, 2.0], requires_grad=True)
raise ValueError("boom")
"""


def test_relative_script_path_gives_python_s_file_warning_and_traceback(tmp_path):
    """``python script.py`` makes ``__file__`` (so warning and traceback locations)
    absolute; so does the runner."""
    (tmp_path / "warn.py").write_text(WARN_SCRIPT)
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    real = subprocess.run([sys.executable, "warn.py"], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    shim = subprocess.run([sys.executable, "-m", "tracegrad.interop.torch", "warn.py"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert real.returncode == shim.returncode == 1
    assert shim.stdout == real.stdout == "True\n"
    assert shim.stderr == real.stderr
