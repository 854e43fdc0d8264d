"""Pytrees against JAX's tree_util: leaves, structure and round trips for random
nested tuples, lists, dicts, namedtuples and None (the shallow fast path included)."""

from collections import namedtuple

import jax
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tracegrad.tracer import tree_flatten, tree_unflatten

Point = namedtuple("Point", "x y")

leaf = st.one_of(st.floats(-5, 5, allow_nan=False), st.integers(-3, 3),
                 st.builds(lambda n: np.arange(float(n)), st.integers(0, 3)))
trees = st.recursive(
    st.one_of(leaf, st.none()),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.lists(kids, max_size=4).map(tuple),
        st.dictionaries(st.sampled_from("abcde"), kids, max_size=3),
        st.builds(Point, kids, kids)),
    max_leaves=12)


def _same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert sorted(a) == sorted(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(trees)
def test_flatten_matches_jax_and_round_trips(tree):
    leaves, td = tree_flatten(tree)
    j_leaves, j_td = jax.tree_util.tree_flatten(tree)
    assert len(leaves) == len(j_leaves) == td.num_leaves
    for a, b in zip(leaves, j_leaves):
        assert a is b
    _same(tree_unflatten(td, leaves), tree)
    # the structure is a value: equal trees, equal defs; new leaves fill the same shape
    assert tree_flatten(tree)[1] == td
    doubled = tree_unflatten(td, [("new", i) for i in range(len(leaves))])
    assert jax.tree_util.tree_structure(doubled, is_leaf=lambda x: bool(isinstance(
        x, tuple) and x and x[0] == "new")) == j_td


def test_shallow_shapes_keep_container_types():
    for tree in [(1.0, [2.0, 3.0]), [np.ones(2), (4.0,)], ((), []), ([1.0], [None])]:
        leaves, td = tree_flatten(tree)
        out = tree_unflatten(td, leaves)
        _same(out, tree)
        assert out is not tree
