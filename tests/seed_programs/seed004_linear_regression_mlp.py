# ruff: noqa
# Source: /work/shared/seeds/004_fd37bf76eef7dbb8.txt ("PyTorch中的自动微分机制:深入理解反向传播").
# Both code blocks of the article, verbatim, in order, as one script.
import torch

# Step 1: 定义输入和权重
x = torch.tensor([[1.0], [2.0]], requires_grad=True)  # 输入
w = torch.tensor([[2.0]], requires_grad=True)  # 权重
b = torch.tensor([[0.5]], requires_grad=True)  # 偏置

# Step 2: 定义计算图
y_pred = torch.mm(x, w) + b  # 前向传播计算

# Step 3: 计算损失
y = torch.tensor([[2.0], [4.0]])  # 目标值
loss = (y_pred - y).pow(2).sum()  # 损失函数

# Step 4: 反向传播
loss.backward()  # 计算梯度

# Step 5: 更新权重
learning_rate = 0.01
with torch.no_grad():
    w -= learning_rate * w.grad
    b -= learning_rate * b.grad

    # 清除梯度缓存
    w.grad.zero_()
    b.grad.zero_()

# 打印结果
print('Gradient of w:', w.grad)
print('Gradient of b:', b.grad)
print('Updated w:', w)
print('Updated b:', b)

import torch
import torch.nn as nn
import torch.optim as optim

# 定义一个简单的 MLP
class SimpleMLP(nn.Module):
    def __init__(self):
        super(SimpleMLP, self).__init__()
        self.linear1 = nn.Linear(1, 10)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(10, 1)

    def forward(self, x):
        x = self.linear1(x)
        x = self.relu(x)
        x = self.linear2(x)
        return x

# 创建模型实例
model = SimpleMLP()

# 定义损失函数和优化器
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)

# 训练数据
inputs = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=False)
targets = torch.tensor([[2.0], [4.0], [6.0]], requires_grad=False)

# 训练过程
for epoch in range(100):
    optimizer.zero_grad()  # 清除梯度
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    loss.backward()  # 反向传播
    optimizer.step()  # 更新权重

# 打印最终的损失
print('Final Loss:', loss.item())
