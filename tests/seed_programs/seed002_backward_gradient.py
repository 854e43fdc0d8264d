# ruff: noqa
# Source: /work/shared/seeds/002_9e7b4021634a0cb1.txt ("Pytorch中backward用法,以及gradient参数解析").
# Both code blocks of the article, verbatim, in order, as one script.
import torch
from torch.autograd import Variable
import torch.nn as nn
import torch.nn.functional as F


#反向传播
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y
out = z.mean()
# 如果没有下面这一行,x.grad=none
out.backward()
print("x.grad:{}\n".format(x.grad))

import torch

x1=torch.tensor(1, requires_grad=True, dtype = torch.float)
x2=torch.tensor(2, requires_grad=True, dtype = torch.float)
x3=torch.tensor(3, requires_grad=True, dtype = torch.float)
y=torch.randn(3) # produce a random vector for vector function define
y[0]=x1**2+2*x2+x3 # define each vector function
y[1]=x1+x2**3+x3**2
y[2]=2*x1+x2**2+x3**3
y.backward(torch.ones(3))
print(x1.grad)
print(x2.grad)
