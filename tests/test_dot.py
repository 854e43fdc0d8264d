"""to_dot: the Graphviz text of an IR and of a shim tensor's autograd graph."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
from tracegrad.tracer import make_ir
from tracegrad.tracer.dot import quote, render_dot, to_dot

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
