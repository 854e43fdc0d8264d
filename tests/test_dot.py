"""to_dot: the Graphviz text of an IR and of a shim tensor's autograd graph."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import torch
from tracegrad.interop.torch.viz import to_dot as tensor_to_dot
from tracegrad.tracer import make_ir, render_dot, to_dot
from tracegrad.tracer.dot import quote

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' missing: apt-get install graphviz")

NODE = re.compile(r'^\s+(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$')
EDGE = re.compile(r'^\s+(\w+) -> (\w+)(?: \[label="(\d+)"\])?;$')


def parse(dot: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str | None]]]:
    """Nodes {id: (label, attrs)} and edges [(src, dst, label)] of to_dot's output."""
    nodes, edges = {}, []
    for line in dot.splitlines():
        if m := NODE.match(line):
            nodes[m.group(1)] = (m.group(2), m.group(3))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3)))
    return nodes, edges


def test_ir_nodes_edges_and_labels() -> None:
    ir = make_ir(lambda x, y: np.sum(np.sin(x) * 2.0 - y))(np.ones(3), 1.0)
    dot = to_dot(ir)
    assert dot.startswith("digraph IR {") and dot.rstrip().endswith("}")
    nodes, edges = parse(dot)
    labels = {label for label, _ in nodes.values()}
    # 2 inputs + 4 equation outputs, 4 equations, 1 literal use.
    assert len([n for n in nodes if n.startswith("v")]) == 6
    assert len([n for n in nodes if n.startswith("e")]) == 4
    assert len([n for n in nodes if n.startswith("l")]) == 1
    assert {"a:f64[3]", "b:f64[]", "c:f64[3]", "f:f64[]", "sin", "mul", "sub",
            "2.0:f64[]", "reduce_sum\\naxes=(0,)"} <= labels
    # Each equation: one edge per operand in, one per result out.
    assert len(edges) == sum(len(e.inputs) + len(e.outputs) for e in ir.eqns) == 10
    by_label = {label: node for node, (label, _) in nodes.items()}
    assert (by_label["d:f64[3]"], by_label["sub"], "0") in edges
    assert (by_label["b:f64[]"], by_label["sub"], "1") in edges
    assert "peripheries=2" in nodes[by_label["f:f64[]"]][1]     # the output
    assert "#cfe2ff" in nodes[by_label["a:f64[3]"]][1]          # an input


def test_names_match_printed_ir() -> None:
    ir = make_ir(lambda x: np.tanh(x) * np.exp(x))(np.arange(4.0))
    nodes, _ = parse(to_dot(ir))
    printed = set(re.findall(r"\b([a-z]+:f64\[[\d,]*\])", str(ir)))
    var_labels = {label for node, (label, _) in nodes.items() if node.startswith("v")}
    assert var_labels == printed


def test_constants_are_grey_and_none_params_hidden() -> None:
    W = np.ones((3, 3))
    ir = make_ir(lambda x: np.sum(W @ x))(np.ones(3))
    assert len(ir.ir.const_vars) == 1
    nodes, edges = parse(to_dot(ir))
    by_label = {label: (node, attrs) for node, (label, attrs) in nodes.items()}
    assert "#e2e3e5" in by_label["a:f64[3,3]"][1] and "#cfe2ff" in by_label["b:f64[3]"][1]
    dot_general = next(label for label in by_label if label.startswith("dot_general"))
    assert "None" not in dot_general and "dimension_numbers=" in dot_general
    assert (by_label["a:f64[3,3]"][0], by_label[dot_general][0], "0") in edges


def test_title_rankdir_and_quoting() -> None:
    dot = to_dot(make_ir(np.cos)(0.5), title='d/dx "cos"', rankdir="LR")
    assert "rankdir=LR;" in dot
    assert 'label="d/dx \\"cos\\""' in dot
    assert quote('a\\b"\n') == '"a\\\\b\\"\\n"'


def test_long_params_are_shortened_and_literal_outputs_drawn() -> None:
    ir = make_ir(lambda x: (np.reshape(x, (2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)), 3.0))(
        np.ones(6))
    nodes, _ = parse(to_dot(ir, max_param_chars=12))
    reshape = [label for label, _ in nodes.values() if label.startswith("reshape")]
    assert reshape and all(len(line) <= 12 for line in reshape[0].split("\\n")[1:])
    assert any(label == "3.0:f64[]" and "peripheries=2" in attrs
               for label, attrs in nodes.values())


def test_long_program_is_not_recursive() -> None:
    def f(x):
        for _ in range(3000):
            x = x * 1.0001
        return x
    dot = to_dot(make_ir(f)(1.0))
    assert dot.count(" [label=\"mul\"") == 3000


@needs_dot
def test_render_png_and_svg() -> None:
    dot = to_dot(make_ir(lambda x: np.sum(x ** 2))(np.ones(2)))
    assert render_dot(dot).startswith(b"\x89PNG")
    assert b"<svg" in render_dot(dot, "svg")


def test_render_without_graphviz_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        render_dot("digraph { a -> b }")


# --- the autograd graph of a tensor (interop.torch.viz) ---------------------------------

def _seed003(torch):
    x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    y = x + 1
    z = 2 * y
    m = torch.mean(z)
    return {"x": x, "y": y, "z": z, "m": m}


def _two_leaves(torch):
    w = torch.tensor([[2.0]], requires_grad=True)
    b = torch.tensor([[0.5]], requires_grad=True)
    x = torch.tensor([[1.0], [2.0]])
    loss = (torch.mm(x, w) + b - 3.0).pow(2).sum()
    return {"w": w, "b": b, "loss": loss}


def _shim():
    import tracegrad.interop.torch as shim
    return shim


def test_torch_graph_seed003_on_real_torch() -> None:
    t = _seed003(torch)
    nodes, edges = parse(tensor_to_dot(t["m"], names=t))
    labels = [label for label, _ in nodes.values()]
    assert labels == ["m\\n()", "MeanBackward0", "MulBackward0", "z\\n(2, 3)", "AddBackward0",
                      "y\\n(2, 3)", "x\\n(2, 3)\\nAccumulateGrad"]
    by_label = {label: node for node, (label, _) in nodes.items()}
    chain = ["x\\n(2, 3)\\nAccumulateGrad", "AddBackward0", "y\\n(2, 3)", "MulBackward0",
             "z\\n(2, 3)", "MeanBackward0", "m\\n()"]
    assert sorted((s, d) for s, d, _ in edges) == sorted(
        (by_label[a], by_label[b]) for a, b in zip(chain, chain[1:]))


@pytest.mark.parametrize("program", [_seed003, _two_leaves])
def test_shim_graph_draws_like_real_torch(program) -> None:
    real, ours = program(torch), program(_shim())
    root = list(real)[-1]
    assert tensor_to_dot(ours[root], names=ours) == tensor_to_dot(real[root], names=real)


@pytest.mark.parametrize("which", ["torch", "shim"])
def test_torch_graph_unnamed_several_roots_and_no_grad_fn(which: str) -> None:
    mod = torch if which == "torch" else _shim()
    x = mod.tensor([1.0, 2.0], requires_grad=True)
    y1, y2 = (x * x).sum(), x.exp().sum()
    nodes, edges = parse(tensor_to_dot([y1, y2]))
    labels = sorted(label for label, _ in nodes.values())
    # Two roots, their SumBackward0s, Mul and Exp, one shared AccumulateGrad leaf.
    assert labels == sorted(["()", "()", "SumBackward0", "SumBackward0", "MulBackward0",
                             "ExpBackward0", "(2,)\\nAccumulateGrad"])
    # x*x reads x twice: two edges from the leaf into MulBackward0, as torchviz draws.
    leaf = next(n for n, (label, _) in nodes.items() if "AccumulateGrad" in label)
    assert len([e for e in edges if e[0] == leaf]) == 3
    assert "nothing was recorded" in tensor_to_dot(mod.tensor(1.0))


@needs_dot
def test_render_torch_graph() -> None:
    t = _seed003(_shim())
    assert render_dot(tensor_to_dot(t["m"], names=t)).startswith(b"\x89PNG")


def test_viz_module_leaves_torch_dot_alone() -> None:
    # A submodule called `dot` would replace the shim's torch.dot function on import.
    shim = _shim()
    assert callable(shim.dot)
    assert float(shim.dot(shim.tensor([1.0, 2.0]), shim.tensor([3.0, 4.0]))) == 11.0


def test_deep_torch_graph_is_walked_without_recursion() -> None:
    shim = _shim()
    x = shim.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    nodes, edges = parse(tensor_to_dot(y, names={"x": x}))
    assert len(nodes) == 3002 and len(edges) == 3001
