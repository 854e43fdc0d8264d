# ruff: noqa
# Source: /work/shared/seeds/003_a8b96af878c4b9ec.txt ("从零开始深度学习Pytorch笔记(8)——计算图与自动求导").
# The article's code blocks verbatim, run in order like notebook cells (a cell's last
# expression is displayed; z.backward() and the second m.backward() raise, as the
# article says, and the session goes on).
from _cells import run_cells

CELLS = [
    "import torch\nx = torch.ones(2,3,requires_grad=True)\nprint(x)",
    "y = x + 1\nprint(y)",
    "y.requires_grad",
    "x = torch.tensor([[1.,2.,3.],[4.,5.,6.]],requires_grad=True)\ny = x+1\nz = 2*y\n"
    "m = torch.mean(z)",
    "m.backward()",
    "x.grad # m对x求导结果 结果为:1/3",
    "z.backward()",
    "m.backward()#当我们尝试再次使用backward",
    "x = torch.tensor([[1.,2.,3.],[4.,5.,6.]],requires_grad=True)\ny = x+1\nz = 2*y\n"
    "m = torch.mean(z)\nm.backward(retain_graph=True)\nm.backward()",
    "x.grad",
]
run_cells(CELLS)
