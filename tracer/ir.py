"""The typed, jaxpr-like intermediate representation.

An ``IR`` is a straight-line program: input variables, a list of equations and
output atoms (variables or literals). ``str(ir)`` prints it in JAX's jaxpr
grammar::

    { lambda ; a:f64[3]. let
        b:f64[3] = sin a
        c:f64[] = reduce_sum[axes=(0,)] b
      in (c,) }
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ._purepath import EqnBase, Var

_SHORT_DTYPE = {
    "float64": "f64", "float32": "f32", "float16": "f16", "bfloat16": "bf16",
    "int64": "i64", "int32": "i32", "int16": "i16", "int8": "i8",
    "uint64": "u64", "uint32": "u32", "uint16": "u16", "uint8": "u8",
    "bool": "bool", "complex64": "c64", "complex128": "c128",
}


def short_dtype(dtype: Any) -> str:
    """``short_dtype(np.float64) == 'f64'``: the dtype spelling used in printed IR."""
    name = np.dtype(dtype).name
    return _SHORT_DTYPE.get(name, name)


_AVALS: dict = {}  # interned avals: (shape, dtype) -> Aval; immutable keys, thread-safe


class Aval:
    """The abstract value of an array: its shape and dtype. Interned, so building one
    for a shape and dtype seen before is a dictionary look-up.

    >>> Aval((3,), np.float64)
    f64[3]
    """

    __slots__ = ("shape", "dtype", "_hash")

    def __new__(cls, shape: Sequence[int], dtype: Any):
        try:
            return _AVALS[(shape, dtype)]
        except (KeyError, TypeError):  # new, or an unhashable spelling (a list shape)
            pass
        self = object.__new__(cls)
        object.__setattr__(self, "shape", tuple(int(d) for d in shape))
        object.__setattr__(self, "dtype", np.dtype(dtype))
        object.__setattr__(self, "_hash", hash((self.shape, self.dtype)))
        self = _AVALS.setdefault((self.shape, self.dtype), self)
        try:
            _AVALS[(shape, dtype)] = self
        except TypeError:
            pass
        return self

    def __setattr__(self, name, value):
        raise AttributeError("Aval is immutable")

    def __reduce__(self):
        return (Aval, (self.shape, self.dtype))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __eq__(self, other):
        return self is other or (isinstance(other, Aval) and self.shape == other.shape
                                 and self.dtype == other.dtype)

    def __hash__(self):
        return self._hash

    def __repr__(self):
        text = _AVAL_TEXT.get(self)
        if text is None:
            text = _AVAL_TEXT[self] = \
                f"{short_dtype(self.dtype)}[{','.join(map(str, self.shape))}]"
        return text

    __str__ = __repr__


_AVAL_TEXT: dict = {}  # Aval -> its printed text (avals are immutable)

#: NumPy scalar type -> its 0-d aval (the tracer's hot path looks these up by type).
SCALAR_AVALS: dict = {
    t: Aval((), t) for t in (np.float64, np.float32, np.float16, np.int64, np.int32,
                             np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8,
                             np.bool_, np.complex64, np.complex128)}


def aval_of(value: Any) -> Aval:
    """The ``Aval`` of a concrete value (array, NumPy scalar or Python number)."""
    if not hasattr(value, "dtype"):
        value = np.asarray(value)
    return Aval(value.shape, value.dtype)


class Literal:
    """A scalar constant written inline in the IR, printed as ``2.0:f64[]``."""

    __slots__ = ("val", "aval", "_k")

    def __init__(self, val: Any, aval: Aval | None = None):
        if type(val) not in SCALAR_AVALS:
            val = np.asarray(val)[()] if not isinstance(val, np.generic) else val
        self.val = val
        if aval is None:
            aval = SCALAR_AVALS.get(type(val)) or Aval(np.shape(val), val.dtype)
        self.aval = aval

    def _key(self):
        # Exact bytes, so 0.0 and -0.0 (equal as numbers) stay distinct; computed once.
        try:
            return self._k
        except AttributeError:
            self._k = (self.aval, np.asarray(self.val).tobytes())
            return self._k

    def __eq__(self, other):
        return type(other) is Literal and (self is other or self._key() == other._key())

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"{format_value(self.val)}:{self.aval}"


def format_value(val: Any) -> str:
    """A scalar as printed in the IR: ``format_value(np.float32(2)) == '2.0'``."""
    val = np.asarray(val)
    if val.dtype == np.bool_:
        return "True" if val.item() else "False"
    if np.issubdtype(val.dtype, np.floating):
        return repr(float(val.item()))
    return repr(val.item())


Atom = Var | Literal


class Params(dict):
    """Hashable, read-only-by-convention equation parameters (values are hashable)."""

    __slots__ = ("_hash",)

    def __hash__(self):  # type: ignore[override]
        try:
            return self._hash
        except AttributeError:  # computed once: params are read-only by convention
            self._hash = hash(tuple(sorted(self.items())))
            return self._hash

    def __repr__(self):
        return " ".join(f"{k}={format_param(v)}" for k, v in sorted(self.items()))


def format_param(v: Any) -> str:
    """A param value as printed in the IR: ``format_param((1,)) == '(1,)'``."""
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        return np.dtype(v).name
    if isinstance(v, tuple):
        inner = ", ".join(format_param(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, (ClosedIR, IR)):
        return "{ " + " ".join(str(v).split()) + " }"
    return repr(v) if isinstance(v, str) else str(v)


class Eqn(EqnBase):
    """One equation: ``outputs = primitive[params] inputs``; built as
    ``Eqn(prim, inputs, outputs, params)``."""

    __slots__ = ()

    def __reduce__(self):
        return (Eqn, (self.prim, self.inputs, self.outputs, self.params))

    def __repr__(self):
        return f"Eqn({self.prim.name}, {self.inputs}, {self.outputs}, {self.params!r})"


class IR:
    """A program: ``const_vars`` and ``in_vars`` bound on entry, ``eqns``, ``out_vars``."""

    __slots__ = ("const_vars", "in_vars", "eqns", "out_vars")

    def __init__(self, const_vars: Iterable[Var], in_vars: Iterable[Var],
                 eqns: list[Eqn], out_vars: Iterable[Atom]):
        self.const_vars = tuple(const_vars)
        self.in_vars = tuple(in_vars)
        self.eqns = eqns
        self.out_vars = tuple(out_vars)

    def __str__(self):
        return pp_ir(self)

    __repr__ = __str__


class ClosedIR:
    """An ``IR`` together with the values of its constant variables.

    >>> closed = make_ir(np.sin)(1.0)
    >>> closed.in_avals, closed.out_avals
    ([f64[]], [f64[]])
    """

    __slots__ = ("ir", "consts", "in_tree", "out_tree")

    def __init__(self, ir: IR, consts: Sequence[Any], in_tree=None, out_tree=None):
        self.ir = ir
        self.consts = list(consts)
        self.in_tree = in_tree
        self.out_tree = out_tree

    @property
    def eqns(self) -> list[Eqn]:
        return self.ir.eqns

    @property
    def in_avals(self) -> list[Aval]:
        return [v.aval for v in self.ir.in_vars]

    @property
    def out_avals(self) -> list[Aval]:
        return [v.aval for v in self.ir.out_vars]

    def __str__(self):
        return pp_ir(self.ir)

    __repr__ = __str__


def _names():
    """a, b, ..., z, ba, bb, ...: JAX's variable naming."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = 0
    while True:
        n, s = i, ""
        while True:
            s = letters[n % 26] + s
            n //= 26
            if n == 0:
                break
        yield s
        i += 1


def pp_ir(ir: IR) -> str:
    """The jaxpr-style text of ``ir``; see the module docstring. One loop, linear time."""
    names: dict[int, str] = {}
    gen = _names()
    aval_text: dict = {}  # avals are interned: print each once
    prim_params: dict = {}

    def bind_name(v: Var) -> str:
        names[id(v)] = name = next(gen)
        a = v.aval
        t = aval_text.get(a)
        if t is None:
            t = aval_text[a] = repr(a)
        return f"{name}:{t}"

    literal_text: dict = {}  # id(Literal) -> text; weak-scalar literals are shared

    def atom(a) -> str:
        if type(a) is Literal:
            t = literal_text.get(id(a))
            if t is None:
                t = literal_text[id(a)] = repr(a)
            return t
        return names.get(id(a), "?")

    consts = " ".join(bind_name(v) for v in ir.const_vars)
    ins = " ".join(bind_name(v) for v in ir.in_vars)
    lines = [f"{{ lambda {consts}{' ' if consts else ''}; {ins}. let"]
    for eqn in ir.eqns:
        args = " ".join([atom(a) for a in eqn.inputs])
        outs = " ".join([bind_name(v) for v in eqn.outputs])
        p = eqn.params
        if p:
            key = (eqn.prim.name, id(p))
            head = prim_params.get(key)
            if head is None:
                head = prim_params[key] = f"{eqn.prim.name}[{p!r}]"
        else:
            head = eqn.prim.name
        lines.append(f"    {outs} = {head} {args}" if args else f"    {outs} = {head}")
    outs = ", ".join(atom(a) for a in ir.out_vars)
    lines.append(f"  in ({outs}{',' if len(ir.out_vars) == 1 else ''}) }}")
    return "\n".join(lines)
