"""Pytrees: nested tuples, lists, dicts, namedtuples and None, flattened to leaves.

>>> leaves, tree = tree_flatten({"a": (1.0, 2.0), "b": None})
>>> leaves
[1.0, 2.0]
>>> tree_unflatten(tree, [3.0, 4.0])
{'a': (3.0, 4.0), 'b': None}
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

_LEAF = "*"


class TreeDef:
    """The structure of a pytree: a node kind, its static data and its children."""

    __slots__ = ("kind", "data", "children", "num_leaves", "flat")

    def __init__(self, kind: Any, data: Hashable, children: tuple):
        self.kind = kind
        self.data = data
        self.children = children
        self.num_leaves = 1 if kind is _LEAF else sum(c.num_leaves for c in children)
        # a tuple or list of leaves only: the common case, rebuilt without a walk
        self.flat = (kind is tuple or kind is list) and all(c.kind is _LEAF for c in children)

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind is other.kind
                and self.data == other.data and self.children == other.children)

    def __hash__(self):
        return hash((id(self.kind), self.data, self.children))

    def __repr__(self):
        if self.kind is _LEAF:
            return "*"
        if self.kind is None:
            return "None"
        name = getattr(self.kind, "__name__", str(self.kind))
        return f"{name}({', '.join(map(repr, self.children))})"


LEAF = TreeDef(_LEAF, None, ())
NONE = TreeDef(None, None, ())


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


#: TreeDefs of flat tuples/lists by (type, length): immutable, so shared.
_FLAT_DEFS: dict = {}
_CONTAINERS = (tuple, list, dict)


def _flat_def(typ: type, n: int) -> TreeDef:
    td = _FLAT_DEFS.get((typ, n))
    if td is None:
        td = TreeDef(typ, None, (LEAF,) * n)
        if n <= 64:
            _FLAT_DEFS[(typ, n)] = td
    return td


def _flatten_shallow(tree, typ):
    """Fast path for the common argument shapes: a tuple/list of leaves, or of leaves
    and flat tuples/lists of leaves (``(params_list, x)``); None for anything else."""
    leaves: list = []
    kids: list = []
    nested = False
    for kid in tree:
        if kid is None:
            return None
        tk = type(kid)
        if tk is tuple or tk is list:
            for leaf in kid:
                if leaf is None or isinstance(leaf, _CONTAINERS):
                    return None
            leaves.extend(kid)
            kids.append(_flat_def(tk, len(kid)))
            nested = True
        elif isinstance(kid, _CONTAINERS):
            return None
        else:
            leaves.append(kid)
            kids.append(LEAF)
    if not nested:
        return leaves, _flat_def(typ, len(kids))
    return leaves, TreeDef(typ, None, tuple(kids))


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None):
    """Return ``(leaves, treedef)``; dict keys are visited in sorted order, as in JAX."""
    typ = type(tree)
    if is_leaf is None and (typ is tuple or typ is list):
        fast = _flatten_shallow(tree, typ)
        if fast is not None:
            return fast
    leaves: list = []
    # An explicit stack of frames keeps deep pytrees from hitting the recursion limit.
    root: list = []
    stack = [(tree, root)]
    while stack:
        node, out = stack.pop()
        if isinstance(node, _Build):
            out.append(node.finish())
            continue
        if is_leaf is not None and is_leaf(node):
            leaves.append(node)
            out.append(LEAF)
            continue
        typ = type(node)
        if node is None:
            out.append(NONE)
            continue
        if typ is tuple or typ is list or _is_namedtuple(node):
            kids, data = list(node), None
        elif isinstance(node, dict):
            keys = sorted(node)
            kids, data = [node[k] for k in keys], tuple(keys)
        else:
            leaves.append(node)
            out.append(LEAF)
            continue
        builder = _Build(typ, data, len(kids))
        stack.append((builder, out))
        for kid in reversed(kids):
            stack.append((kid, builder.children))
    return leaves, root[0]


class _Build:
    __slots__ = ("typ", "data", "n", "children")

    def __init__(self, typ, data, n):
        self.typ, self.data, self.n, self.children = typ, data, n, []

    def finish(self):
        return TreeDef(self.typ, self.data, tuple(self.children))


def tree_unflatten(treedef: TreeDef, leaves) -> Any:
    """Rebuild the pytree of ``treedef`` from a flat sequence of leaves."""
    if treedef.flat:
        if type(leaves) is not list and type(leaves) is not tuple:
            leaves = list(leaves)
        n = treedef.num_leaves
        return treedef.kind(leaves if len(leaves) == n else leaves[:n])
    if treedef.kind is _LEAF:
        return next(iter(leaves))
    it = iter(leaves)
    built: list = []
    # Post-order walk with an explicit stack: no recursion and no self-referencing
    # closure (a closure cycle kept every traced call's leaves alive until the GC ran).
    stack: list = [(treedef, False)]
    while stack:
        td, children_done = stack.pop()
        if td.kind is _LEAF:
            built.append(next(it))
        elif td.kind is None:
            built.append(None)
        elif not children_done:
            stack.append((td, True))
            stack.extend((c, False) for c in reversed(td.children))
        else:
            n = len(td.children)
            kids = built[len(built) - n:]
            del built[len(built) - n:]
            built.append(_rebuild(td, kids))
    return built[0]


def _rebuild(td: TreeDef, kids: list) -> Any:
    if td.kind is tuple or td.kind is list:
        return td.kind(kids)
    if issubclass(td.kind, tuple):
        return td.kind(*kids)
    if td.kind is dict:
        return dict(zip(td.data, kids))
    return td.kind(zip(td.data, kids))


def tree_map(fn: Callable, tree: Any, *rest: Any) -> Any:
    """Apply ``fn`` leafwise; ``rest`` are trees of the same structure."""
    leaves, td = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(td, [fn(x, *ys) for x, *ys in zip(leaves, *others)])


def tree_leaves(tree: Any) -> list:
    """The leaves of a pytree: ``tree_leaves({'a': (1, 2)}) == [1, 2]``."""
    return tree_flatten(tree)[0]


def leaf_paths(tree: Any) -> list[str]:
    """Paths of the leaves, JAX-style: ``[0]['w']``, in flatten order."""
    paths: list[str] = []
    stack = [(tree, "")]
    while stack:
        node, path = stack.pop()
        if node is None:
            continue
        if type(node) is tuple or type(node) is list or _is_namedtuple(node):
            for i in reversed(range(len(node))):
                stack.append((node[i], f"{path}[{i}]"))
        elif isinstance(node, dict):
            for k in reversed(sorted(node)):
                stack.append((node[k], f"{path}[{k!r}]"))
        else:
            paths.append(path)
    return paths
