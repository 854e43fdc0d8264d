# ruff: noqa
# Source: /work/shared/seeds/003_a8b96af878c4b9ec.txt ("从零开始深度学习Pytorch笔记(8)——计算图与自动求导").
# The article's code blocks verbatim, concatenated as one script: it stops at
# z.backward() with "grad can be implicitly created only for scalar outputs".
import torch
x = torch.ones(2,3,requires_grad=True)
print(x)

y = x + 1
print(y)

y.requires_grad

x = torch.tensor([[1.,2.,3.],[4.,5.,6.]],requires_grad=True)
y = x+1
z = 2*y
m = torch.mean(z)

m.backward()

x.grad # m对x求导结果 结果为:1/3

z.backward()

m.backward()#当我们尝试再次使用backward

x = torch.tensor([[1.,2.,3.],[4.,5.,6.]],requires_grad=True)
y = x+1
z = 2*y
m = torch.mean(z)
m.backward(retain_graph=True)
m.backward()
