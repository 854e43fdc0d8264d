# ruff: noqa
# Source: /work/shared/seeds/001_560e27736036dd36.txt (d2l "PyTorch自动求导", an IPython
# session). Each In[n] cell verbatim (the article's continuation-line indentation
# re-based); like IPython, a cell's last expression is displayed.
from _cells import run_cells, show_hook

show_hook()
CELLS = [
    # In [1]
    'import torch',
    # In [2]
    'x = torch.arange(4.0)',
    # In [3]
    'x',
    # In [4]
    'x.requires_grad_(True) # 等价于 `x = torch.arange(4.0, requires_grad=True)`',
    # In [5]
    'x.grad # 默认值是None',
    # In [6]
    'y = 2 * torch.dot(x, x)',
    # In [7]
    'y',
    # In [8]
    'y.backward()',
    # In [9]
    'x.grad',
    # In [10]
    'x.grad == 4 * x',
    # In [11]
    '# 在默认情况下，PyTorch会累积梯度，我们需要清除之前的值',
    # In [12]
    'x.grad.zero_()',
    # In [13]
    '# y=sum(x)',
    # In [14]
    'y = x.sum()',
    # In [15]
    'y.backward()',
    # In [16]
    'x.grad',
    # In [17]
    '# y=x的导数为1，因此计算出来是常数1',
    # In [18]
    '# 对非标量调用`backward`需要传入一个`gradient`参数，该参数指定微分函数关于`self`的梯度。\n# 在我们的例子中，我们只想求偏导数的和，所以传递一个1的梯度是合适的',
    # In [19]
    'x.grad.zero_()',
    # In [20]
    'y = x * x',
    # In [21]
    '# 等价于y.backward(torch.ones(len(x)))',
    # In [22]
    'y.sum().backward()',
    # In [23]
    'x.grad',
    # In [24]
    '# y=x^2的导数是2x',
    # In [25]
    'x.grad == 2 * x',
    # In [26]
    'x.grad.zero_()',
    # In [27]
    'y = x * x',
    # In [28]
    'u = y.detach()',
    # In [29]
    'z = u * x',
    # In [30]
    'z.sum().backward()',
    # In [31]
    'x.grad == u',
    # In [32]
    'x.grad.zero_()',
    # In [33]
    'y.sum().backward()',
    # In [34]
    'x.grad == 2 * x',
    # In [35]
    'def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n    if b.sum() > 0:\n        c = b\n    else:\n        c = 100 * b\n    return c',
    # In [36]
    'a = torch.randn(size=(), requires_grad=True)',
    # In [37]
    'd = f(a)',
    # In [38]
    'd.backward()',
    # In [39]
    'a.grad == d / a',
    # In [40]
    'import matplotlib.pyplot as plt',
    # In [41]
    'import torch',
    # In [42]
    'x = torch.arange(0.0, 10, 0.1)',
    # In [43]
    'x.requires_grad_(True)',
    # In [44]
    'x1 = x.detach()',
    # In [45]
    'y1 = torch.sin(x1)',
    # In [46]
    'y2 = torch.sin(x)',
    # In [47]
    'y2.sum().backward()',
    # In [48]
    "plt.plot(x1, y1, label='y=sin(x)')\nplt.plot(x1, x.grad, label='dy/dx')\nplt.xlabel('x')\nplt.ylabel('y')\nplt.legend()\nplt.show()",
]
run_cells(CELLS)
