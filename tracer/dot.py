"""Draw an IR as a Graphviz graph: ``to_dot`` returns DOT text, ``render_dot`` an image.

Variables are ellipses labelled ``name:type`` with the same letters as the printed
IR (inputs blue, constants grey, outputs green with a double border); equations
are boxes labelled by their primitive and parameters. An equation with several
operands numbers its incoming edges, so ``sub a b`` and ``sub b a`` differ.

>>> ir = make_ir(lambda x: np.sum(np.sin(x) * 2.0))(np.ones(3))   # doctest: +SKIP
>>> png = render_dot(to_dot(ir))   # bytes; IPython.display.Image(png) shows it
"""

from __future__ import annotations

import shutil
import subprocess

from .ir import IR, ClosedIR, Literal, Var, _names, format_param

#: What to tell a user whose machine lacks the ``dot`` program.
INSTALL_HINT = ("the Graphviz 'dot' program is not installed: install the system package "
                "'graphviz' (apt-get install graphviz, brew install graphviz, "
                "conda install graphviz)")

_STYLE = {
    "input": 'shape=ellipse, style=filled, fillcolor="#cfe2ff"',
    "const": 'shape=ellipse, style=filled, fillcolor="#e2e3e5"',
    "var": "shape=ellipse",
    "literal": 'shape=plaintext, fontcolor="#555555"',
    "eqn": 'shape=box, style="rounded,filled", fillcolor="#fff3cd"',
}
_OUTPUT = 'style=filled, fillcolor="#d1e7dd", peripheries=2'


def quote(text: str) -> str:
    """A DOT string literal: ``quote('say "hi"')`` gives ``"say \\"hi\\""``."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"'


def _shorten(text: str, limit: int) -> str:
    """Long parameters (a nested IR, a big tuple) would make unreadable boxes."""
    return text if len(text) <= limit else text[: max(limit - 3, 1)] + "..."


def eqn_label(eqn, max_param_chars: int = 40) -> str:
    """The box text of an equation: the primitive, then one ``key=value`` line per param
    (params set to ``None`` are left out of the picture; ``print(ir)`` shows them).

    >>> eqn_label(make_ir(lambda x: x ** 2)(1.0).eqns[0])   # doctest: +SKIP
    'integer_pow\\ny=2'
    """
    lines = [eqn.prim.name]
    for key, value in sorted(eqn.params.items()):
        if value is None:
            continue
        lines.append(_shorten(f"{key}={format_param(value)}", max_param_chars))
    return "\n".join(lines)


def to_dot(ir: IR | ClosedIR, *, title: str | None = None, rankdir: str = "TB",
           max_param_chars: int = 40) -> str:
    """Graphviz DOT text of ``ir``: variables and equations as nodes, data flow as edges.

    Names match ``print(ir)``. ``rankdir`` is Graphviz's (``"TB"`` top to bottom,
    ``"LR"`` left to right); ``title`` labels the whole graph. One pass over the
    equations, so programs of any length work.

    >>> print(to_dot(make_ir(np.sin)(1.0)))   # doctest: +SKIP
    digraph IR {
      ...
      v1 [label="a:f64[]", shape=ellipse, style=filled, fillcolor="#cfe2ff"];
      e0 [label="sin", shape=box, style="rounded,filled", fillcolor="#fff3cd"];
      ...
    }
    """
    body = ir.ir if isinstance(ir, ClosedIR) else ir
    names = _names()
    node_of: dict[int, str] = {}   # id(Var) -> DOT node id
    outputs = {id(a) for a in body.out_vars if type(a) is Var}
    lines = ["digraph IR {", f"  rankdir={rankdir};",
             '  graph [fontname="Helvetica"];',
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];']
    if title:
        lines.append(f"  labelloc=t; label={quote(title)};")
    counter = 0

    def var_node(v: Var, kind: str) -> str:
        nonlocal counter
        counter += 1
        node = node_of[id(v)] = f"v{counter}"
        style = _STYLE[kind]
        if id(v) in outputs:
            # An output keeps its role's colour when it is also an input or a constant.
            style += ", peripheries=2" if kind != "var" else f", {_OUTPUT}"
        lines.append(f"  {node} [label={quote(f'{next(names)}:{v.aval}')}, {style}];")
        return node

    def literal_node(lit: Literal, is_output: bool = False) -> str:
        # One node per use: a shared "1.0" node would tie unrelated equations together.
        nonlocal counter
        counter += 1
        node = f"l{counter}"
        extra = f", {_OUTPUT}, shape=box" if is_output else ""
        lines.append(f"  {node} [label={quote(repr(lit))}, {_STYLE['literal']}{extra}];")
        return node

    def atom_node(a) -> str:
        if type(a) is Var:
            node = node_of.get(id(a))
            # A variable used before it is defined means a malformed IR; draw it anyway.
            return node if node is not None else var_node(a, "var")
        return literal_node(a)

    for v in body.const_vars:
        var_node(v, "const")
    for v in body.in_vars:
        var_node(v, "input")
    for i, eqn in enumerate(body.eqns):
        enode = f"e{i}"
        lines.append(f"  {enode} [label={quote(eqn_label(eqn, max_param_chars))}, "
                     f"{_STYLE['eqn']}];")
        numbered = len(eqn.inputs) > 1
        for pos, a in enumerate(eqn.inputs):
            src = atom_node(a)
            label = f" [label={quote(str(pos))}]" if numbered else ""
            lines.append(f"  {src} -> {enode}{label};")
        for out in eqn.outputs:
            lines.append(f"  {enode} -> {var_node(out, 'var')};")
    for a in body.out_vars:
        if type(a) is Literal:
            literal_node(a, is_output=True)
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_available() -> bool:
    """True when the Graphviz ``dot`` program is on ``PATH``.

    >>> isinstance(dot_available(), bool)
    True
    """
    return shutil.which("dot") is not None


def render_dot(dot_text: str, fmt: str = "png", timeout: float = 60.0) -> bytes:
    """Run Graphviz ``dot -T<fmt>`` on ``dot_text`` and return the image bytes.

    Raises ``RuntimeError`` naming the system package when ``dot`` is missing.

    >>> png = render_dot("digraph { a -> b }")   # doctest: +SKIP
    >>> png[:4]                                   # doctest: +SKIP
    b'\\x89PNG'
    """
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError(f"render_dot needs Graphviz: {INSTALL_HINT}.")
    done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dot -T{fmt} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout
