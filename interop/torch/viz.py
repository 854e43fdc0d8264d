"""Draw a tensor's autograd graph as Graphviz DOT text, in the style of torchviz.

Each backward function (``grad_fn``: ``MulBackward0``, ``MeanBackward0``, ...) is a grey
box; each leaf that requires grad is its ``AccumulateGrad`` node, a blue box with the
leaf's name and shape; the tensors drawn from are green. Tensors named in ``names``
label their nodes, and a named intermediate tensor gets a node of its own between the
function that made it and those that read it, so seed 003's ``x -> y -> z -> m``
reads ``x -> AddBackward0 -> y -> MulBackward0 -> z -> MeanBackward0 -> m``.

Only PyTorch's public graph surface is read (``grad_fn``, ``next_functions``,
``AccumulateGrad.variable``), so the same call draws a real ``torch`` graph. (The
module is not called ``dot``: a submodule of that name would replace ``torch.dot``.)

>>> m = ((x + 1) * 2).mean()                     # doctest: +SKIP
>>> png = render_dot(to_dot(m, names={"x": x, "m": m}))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...tracer.dot import quote, render_dot  # noqa: F401  (render_dot re-exported)

_FN_STYLE = 'shape=box, style="rounded,filled", fillcolor="#e9ecef"'
_LEAF_STYLE = 'shape=box, style=filled, fillcolor="#cfe2ff"'
_TENSOR_STYLE = 'shape=ellipse, style=filled, fillcolor="#fff3cd"'
_ROOT_STYLE = 'shape=ellipse, style=filled, fillcolor="#d1e7dd", peripheries=2'


def _shape(t: Any) -> str:
    """``(2, 3)``, ``()``: torch prints sizes like tuples."""
    dims = tuple(int(d) for d in t.shape)
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


def _fn_name(fn: Any) -> str:
    # type(fn).__name__ is "AccumulateGrad" on torch too, where fn.name() is C++-qualified.
    return type(fn).__name__


def to_dot(roots: Any | Sequence[Any], names: Mapping[str, Any] | None = None, *,
           rankdir: str = "TB", title: str | None = None) -> str:
    """Graphviz DOT text of the autograd graph behind ``roots`` (a tensor or several).

    ``names`` maps a label to a tensor (``{"x": x, "y": y}``): leaves and roots are
    labelled with it, named intermediate tensors are drawn between their producer and
    consumers. The walk uses an explicit stack, so deep graphs work.

    >>> print(to_dot(x * 2, names={"x": x}))        # doctest: +SKIP
    digraph autograd {
      ...
      n1 [label="MulBackward0", ...];
      n2 [label="x\\n(3,)\\nAccumulateGrad", ...];
      n2 -> n1;
      ...
    }
    """
    if not isinstance(roots, (list, tuple)):
        roots = [roots]
    names = dict(names or {})
    leaf_name = {id(t): n for n, t in names.items() if getattr(t, "grad_fn", None) is None}
    made_by = {id(t.grad_fn): (n, t) for n, t in names.items()
               if getattr(t, "grad_fn", None) is not None}
    root_fns = {id(r.grad_fn) for r in roots if getattr(r, "grad_fn", None) is not None}

    lines = ["digraph autograd {", f"  rankdir={rankdir};",
             '  graph [fontname="Helvetica"];',
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [arrowsize=0.7];']
    if title:
        lines.append(f"  labelloc=t; label={quote(title)};")
    node_of: dict[int, str] = {}     # id(grad_fn or AccumulateGrad) -> node id
    out_of: dict[int, str] = {}      # where a function's result is read from
    keep: list[Any] = []             # keeps walked objects alive so ids stay unique
    counter = 0

    def new_id() -> str:
        nonlocal counter
        counter += 1
        return f"n{counter}"

    def visit(fn: Any) -> str:
        """The node of ``fn``, created (with its named-tensor node) on first sight."""
        key = id(fn)
        if key in node_of:
            return node_of[key]
        keep.append(fn)
        node = node_of[key] = out_of[key] = new_id()
        if _fn_name(fn) == "AccumulateGrad":
            var = fn.variable
            label = f"{leaf_name.get(id(var), '')}\n{_shape(var)}\nAccumulateGrad".lstrip("\n")
            lines.append(f"  {node} [label={quote(label)}, {_LEAF_STYLE}];")
        else:
            lines.append(f"  {node} [label={quote(_fn_name(fn))}, {_FN_STYLE}];")
            named = made_by.get(key)
            if named is not None and key not in root_fns:
                tnode = out_of[key] = new_id()
                label = named[0] + "\n" + _shape(named[1])
                lines.append(f"  {tnode} [label={quote(label)}, {_TENSOR_STYLE}];")
                lines.append(f"  {node} -> {tnode};")
        stack.append(fn)
        return node

    stack: list[Any] = []
    for i, r in enumerate(roots):
        label = next((n for n, t in names.items() if t is r), None)
        label = f"{label}\n{_shape(r)}" if label else _shape(r)
        rnode = new_id()
        lines.append(f"  {rnode} [label={quote(label)}, {_ROOT_STYLE}];")
        fn = getattr(r, "grad_fn", None)
        if fn is not None:
            visit(fn)
            lines.append(f"  {out_of[id(fn)]} -> {rnode};")
        elif i == 0 and len(roots) == 1:
            lines.append(f"  // {label!r} has no grad_fn: nothing was recorded")
    edges: list[str] = []
    while stack:
        fn = stack.pop()
        for nxt, _ in getattr(fn, "next_functions", ()):
            if nxt is None:            # an input that needs no gradient
                continue
            visit(nxt)
            edges.append(f"  {out_of[id(nxt)]} -> {node_of[id(fn)]};")
    lines.extend(edges)
    lines.append("}")
    return "\n".join(lines) + "\n"
