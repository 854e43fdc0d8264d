"""Complex numbers: ``.real`` ``.imag`` ``conj`` ``abs`` ``angle`` ``sgn`` ``complex``
``polar`` ``view_as_real`` ``view_as_complex`` ``vdot``, and PyTorch's refusals.

Values are computed by the tracer's primitives (``real imag conj complex abs atan2``);
gradients follow PyTorch's convention (conjugate Wirtinger derivatives, so ``z.grad``
of ``|z|**2`` is ``2*z``), which the engine derives from the transforms' JAX-convention
rules in one place (``engine.wirtinger``). ``.real``, ``.imag``, ``view_as_real`` and
``view_as_complex`` share memory with their base, as PyTorch's views do: an in-place
change of the view rewrites the base (``CopySlices``).

>>> z = tensor([1 + 2j, 3 - 1j], requires_grad=True)    # doctest: +SKIP
>>> (z.abs() ** 2).sum().backward(); z.grad              # doctest: +SKIP
tensor([2.+4.j, 6.-2.j])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...tracer import ops as tops
from ...tracer import prims_elementwise as ew
from ...tracer import prims_structural as st
from . import dtypes
from .ops_core import apply1, composite, convert
from .tensor import Tensor

# ---------------------------------------------------------------------------
# what PyTorch refuses on complex tensors: op -> (exception, message; {t} is the type)

_NI = NotImplementedError
_REFUSED = {
    "lt": (_NI, '"lt_cpu" not implemented for \'{t}\''),
    "le": (_NI, '"le_cpu" not implemented for \'{t}\''),
    "gt": (_NI, '"gt_cpu" not implemented for \'{t}\''),
    "ge": (_NI, '"ge_cpu" not implemented for \'{t}\''),
    "max_all": (_NI, '"max_all" not implemented for \'{t}\''),
    "min_all": (_NI, '"min_all" not implemented for \'{t}\''),
    "amax": (_NI, '"max_values_cpu" not implemented for \'{t}\''),
    "amin": (_NI, '"min_values_cpu" not implemented for \'{t}\''),
    "max_dim": (RuntimeError, "max(): does not support complex input"),
    "min_dim": (RuntimeError, "min(): does not support complex input"),
    "argmax": (RuntimeError, "argmax(): does not support complex input"),
    "argmin": (RuntimeError, "argmin(): does not support complex input"),
    "maximum": (RuntimeError, "maximum not implemented for complex tensors."),
    "minimum": (RuntimeError, "minimum not implemented for complex tensors."),
    "clamp": (_NI, "clamp is not supported for complex types"),
    "sign": (_NI, "Unlike NumPy, torch.sign is not intended to support complex numbers. "
                  "Please use torch.sgn instead."),
    "floor": (_NI, "floor is not supported for complex inputs"),
    "ceil": (_NI, "ceil is not supported for complex inputs"),
    "round": (_NI, '"round_vml_cpu" not implemented for \'{t}\''),
    "erf": (_NI, '"erf_vml_cpu" not implemented for \'{t}\''),
    "remainder": (_NI, '"remainder_cpu" not implemented for \'{t}\''),
    "floor_divide": (_NI, '"div_floor_cpu" not implemented for \'{t}\''),
    "sort": (RuntimeError, " Sort does not support complex dtypes on CPU"),
    "topk": (RuntimeError, " topk does not support complex dtypes on CPU"),
    "softmax": (_NI, '"softmax_lastdim_kernel_impl" not implemented for \'{t}\''),
    "log_softmax": (_NI, '"log_softmax_lastdim_kernel_impl" not implemented for \'{t}\''),
    "abs_": (RuntimeError, "In-place abs is not supported for complex tensors."),
}


def scalar_type_name(d: np.dtype) -> str:
    """PyTorch's C++ scalar type name: ``Float``, ``Double``, ``ComplexFloat``..."""
    return {"float16": "Half", "bool": "Bool", "uint8": "Byte", "int8": "Char",
            "int16": "Short", "int32": "Int", "int64": "Long", "float32": "Float",
            "float64": "Double", "complex64": "ComplexFloat",
            "complex128": "ComplexDouble"}[np.dtype(d).name]


def refuse_complex(op: str, *xs: Any) -> None:
    """Raise PyTorch's error when ``op`` (a key of the table above) meets a complex
    tensor among ``xs``; a no-op otherwise (one dtype check per operand)."""
    for x in xs:
        if isinstance(x, Tensor) and x._data.dtype.kind == "c":
            exc, msg = _REFUSED[op]
            raise exc(msg.format(t=scalar_type_name(x._data.dtype)))


# ---------------------------------------------------------------------------
# views that share memory with their base

def _as_view(out: Tensor, base: Tensor, data: np.ndarray, setter) -> Tensor:
    """Make ``out`` a view of ``base`` (same storage and version counter); ``setter``
    (``setter(base_tracer, view_tracer) -> new base``) rebases ``base`` after an
    in-place change of the view."""
    out._data = data
    out._vc = base._vc
    if out._fn is not None:
        vc = base._vc
        out._fn.overs = ((vc, vc[0]),)
    out._view_of = (base, setter)
    return out


def _set_real(b, v):
    return tops.make_complex(v, tops.imag(b))


def _set_imag(b, v):
    return tops.make_complex(tops.real(b), v)


def _set_from_pairs(b, v):
    return tops.make_complex(v[..., 0], v[..., 1])


def _set_from_complex(b, v):
    return tops.stack([tops.real(v), tops.imag(v)], axis=-1)


def real(input: Tensor) -> Tensor:
    """``z.real``: the real part, a view (SelectBackward0); a real tensor itself."""
    if input._data.dtype.kind != "c":
        return input
    out = apply1("SelectBackward0", ew.real_p, input)
    return _as_view(out, input, input._data.real, _set_real)


def imag(input: Tensor) -> Tensor:
    """``z.imag``: the imaginary part, a view (SelectBackward0); refused on real tensors."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    out = apply1("SelectBackward0", ew.imag_p, input)
    return _as_view(out, input, input._data.imag, _set_imag)


def set_real(input: Tensor, value: Any) -> None:
    """``z.real = v``: copy ``v`` into the real part (in place)."""
    _set_part(real(input), value)


def set_imag(input: Tensor, value: Any) -> None:
    """``z.imag = v``: copy ``v`` into the imaginary part (in place)."""
    _set_part(imag(input), value)


def _set_part(view: Tensor, value: Any) -> None:
    if not isinstance(value, Tensor):
        value = Tensor._wrap(np.asarray(value, view._data.dtype))
    view.copy_(value)


def view_as_real(input: Tensor) -> Tensor:
    """``(..., 2)`` float pairs of a complex tensor, sharing its memory
    (ViewAsRealBackward0)."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")

    def fn(b, z):
        shape = z.shape + (1,)
        re = b(st.reshape_p, b(ew.real_p, z), new_sizes=shape)
        im = b(st.reshape_p, b(ew.imag_p, z), new_sizes=shape)
        return b(st.concatenate_p, re, im, dimension=z.ndim)
    out = composite("ViewAsRealBackward0", fn, [input])
    data = input._data
    rdt = np.finfo(data.dtype).dtype
    view = data[..., None].view(rdt) if data.ndim else data.reshape(1).view(rdt)
    return _as_view(out, input, view, _set_from_pairs)


def view_as_complex(input: Tensor) -> Tensor:
    """A complex tensor over float pairs ``(..., 2)``, sharing their memory
    (ViewAsComplexBackward0)."""
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           "tensors, but got a tensor of scalar type: "
                           f"{scalar_type_name(data.dtype)}")
    if not data.ndim or data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if data.strides[-1] != data.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * data.itemsize) for s in data.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last "
                           "dimension")

    def fn(b, x):
        lim = x.shape[:-1]
        n = x.ndim

        def part(k):
            p = b(st.slice_p, x, start_indices=(0,) * (n - 1) + (k,),
                  limit_indices=lim + (k + 1,), strides=None)
            return b(st.reshape_p, p, new_sizes=lim)
        return b(ew.complex_p, part(0), part(1))
    out = composite("ViewAsComplexBackward0", fn, [input])
    cdt = dtypes.to_complex(dtypes.from_numpy(data.dtype)).np
    if data.dtype.itemsize * 2 != cdt.itemsize:
        return out  # float16 pairs: complex32 does not exist here, the values are copied
    try:
        view = data.view(cdt)[..., 0]
    except ValueError:  # a layout NumPy cannot reinterpret: a copy
        return out
    return _as_view(out, input, view, _set_from_complex)


# ---------------------------------------------------------------------------
# functions of complex numbers

def conj(input: Tensor) -> Tensor:
    """``z.conj()`` (ConjBackward0); a real tensor is returned as it is.

    PyTorch's result is a lazy view with the conjugate bit set; here the values are
    computed at once, and the bit is only remembered for ``is_conj``, ``resolve_conj``
    and ``numpy()`` (which PyTorch refuses on such a tensor)."""
    if input._data.dtype.kind != "c":
        return input
    out = apply1("ConjBackward0", ew.conj_p, input)
    if not is_conj(input):
        out._conj_bit = True
    return out


def conj_physical(input: Tensor) -> Tensor:
    """``z.conj_physical()`` (ConjPhysicalBackward0); real tensors as they are."""
    if input._data.dtype.kind != "c":
        return input
    return apply1("ConjPhysicalBackward0", ew.conj_p, input)


def resolve_conj(input: Tensor) -> Tensor:
    """A copy without the conjugate bit (CloneBackward0), or the tensor itself."""
    if not is_conj(input):
        return input
    from .ops_shape import clone
    return clone(input)


def is_conj(input: Tensor) -> bool:
    """Whether ``input`` came from ``conj()`` (PyTorch's conjugate bit)."""
    return bool(input.__dict__) and input.__dict__.get("_conj_bit", False)


def is_complex(input: Tensor) -> bool:
    """``torch.is_complex(t)``: whether ``t`` has a complex dtype."""
    return input._data.dtype.kind == "c"


def _abs_real(b, x):
    # x * sign(x): the gradient is sign(x), 0 at 0 as in PyTorch
    return b(ew.mul_p, x, b(ew.sign_p, x))


def abs(input: Tensor) -> Tensor:
    """``|x|`` (AbsBackward0): real for complex input; gradient ``sgn(x)`` (0 at 0)."""
    if input._data.dtype.kind == "c":
        return apply1("AbsBackward0", ew.abs_p, input)
    return composite("AbsBackward0", _abs_real, [input])


def _angle(b, x):
    if x.dtype.kind == "c":
        return b(ew.atan2_p, b(ew.imag_p, x), b(ew.real_p, x))
    # 0 or pi (nan for nan), with a zero gradient as in PyTorch
    t = x.dtype.type
    base = b(ew.mul_p, x, t(0))
    return b(ew.select_n_p, b(ew.lt_p, x, t(0)), base, b(ew.add_p, base, t(math.pi)))


def angle(input: Tensor) -> Tensor:
    """The argument of each element (AngleBackward0); 0 or pi for real numbers."""
    if input._data.dtype.kind not in "fc":
        input = convert(input, dtypes.get_default_dtype().np)
    return composite("AngleBackward0", _angle, [input])


def _sgn(b, x):
    r = b(ew.abs_p, x)
    rt = r.dtype.type
    zero = b(ew.eq_p, r, rt(0))
    safe = b(ew.select_n_p, zero, r, rt(1))
    unit = b(ew.div_p, x, b(ew.convert_element_type_p, safe, new_dtype=x.dtype))
    return b(ew.select_n_p, zero, unit, x.dtype.type(0))


def sgn(input: Tensor) -> Tensor:
    """``z / |z|`` (0 at 0) for complex tensors, ``sign`` for real ones (SgnBackward0)."""
    if input._data.dtype.kind != "c":
        return composite("SgnBackward0", lambda b, x: b(ew.sign_p, x), [input])
    return composite("SgnBackward0", _sgn, [input])


def _check_parts(a: Tensor, b: Tensor) -> None:
    da, db = a._data.dtype, b._data.dtype
    if da.kind != "f" or db.kind != "f":
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{scalar_type_name(da)} and {scalar_type_name(db)}")
    if da != db:
        raise RuntimeError(f"Expected object of scalar type {scalar_type_name(da)} but got "
                           f"scalar type {scalar_type_name(db)} for second argument")


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001 - torch.complex
    """``real + 1j * imag`` from two float tensors of one dtype (ComplexBackward0)."""
    _check_parts(real, imag)
    from .ops_core import _broadcast_error
    _broadcast_error([real._data, imag._data])
    return apply1("ComplexBackward0", ew.complex_p, real, imag)


def _polar(b, r, theta):
    return b(ew.complex_p, b(ew.mul_p, r, b(ew.cos_p, theta)),
             b(ew.mul_p, r, b(ew.sin_p, theta)))


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """``abs * exp(1j * angle)`` (PolarBackward0)."""
    _check_parts(abs, angle)
    from .ops_core import _broadcast_error
    _broadcast_error([abs._data, angle._data])
    return composite("PolarBackward0", _polar, [abs, angle])


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """``sum(conj(input) * other)`` of two 1-D tensors (VdotBackward0)."""
    from .ops_reduce import _DN_DOT, dot
    if input._data.dtype != other._data.dtype or input.dim() != 1 or other.dim() != 1 \
            or input.shape[0] != other.shape[0]:
        return dot(input, other)  # dot's checks and messages are vdot's

    def fn(b, x, y):
        if x.dtype.kind == "c":
            x = b(ew.conj_p, x)
        return b(st.dot_general_p, x, y, dimension_numbers=_DN_DOT)
    return composite("VdotBackward0", fn, [input, other])


def abs_inplace(input: Tensor) -> Tensor:
    """``x.abs_()``'s value; PyTorch refuses it on complex tensors (the result is real)."""
    refuse_complex("abs_", input)
    return abs(input)
