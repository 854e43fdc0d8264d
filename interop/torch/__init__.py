# ruff: noqa: F401  (this module re-exports the shim's public names, as torch does)
"""tracegrad.interop.torch: a PyTorch-compatible autograd shim on tracegrad's IR.

Run an unmodified PyTorch script with ``python -m tracegrad.interop.torch script.py``,
or in a notebook::

    with tracegrad.interop.torch.as_torch():
        import torch            # the shim

Tensors hold NumPy arrays; each operation runs its primitives eagerly and, when
autograd needs it, records a ``grad_fn`` node holding the equations it emitted.
``backward()`` / ``autograd.grad()`` assemble the recorded graph into an IR and run
``tracegrad.transforms.backward_plan`` on it (cached by structure).

Low-level hooks for code built on the shim (nn.functional and friends):
``apply1(node_name, prim, *tensors_or_scalars, **params)`` applies one primitive
with recording; ``composite(node_name, fn, tensors, ...)`` records several
primitives as one node (``fn(b, *handles)`` with ``b(prim, *args, **params)``);
``inplace(t, result)`` turns an out-of-place result into an in-place update.
"""

from __future__ import annotations

import importlib
import math as _math
from typing import Any

from . import autograd, dtypes, linalg, methods  # noqa: F401  (methods installs operators)
from .autograd import backward as _backward  # noqa: F401
from .creation import (
    BoolTensor,
    DoubleTensor,
    FloatTensor,
    Generator,
    IntTensor,
    LongTensor,
    arange,
    as_tensor,
    default_generator,
    device,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    initial_seed,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_ as bool,  # noqa: A001 - torch.bool
)
from .dtypes import (
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from .dtypes import float32 as float  # noqa: A001 - torch.float
from .dtypes import int32 as int  # noqa: A001 - torch.int
from .fast_path import cache_info as backward_cache_info
from .formatting import set_printoptions
from .func import vmap  # torch.vmap; torch.func is also reachable as the module
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .graph import AccumulateGrad, Node
from .ops_complex import (
    angle,
    complex,
    conj,
    conj_physical,
    imag,
    is_complex,
    is_conj,
    polar,
    real,
    resolve_conj,
    sgn,
    vdot,
    view_as_complex,
    view_as_real,
)
from .ops_core import apply1, composite, convert, inplace, result_np_dtype, traced
from .ops_linalg import (
    det,
    inverse,
    logdet,
    matrix_power,
    norm,
    pinverse,
)
from .ops_linalg import torch_cholesky as cholesky
from .ops_linalg import torch_slogdet as slogdet
from .ops_math import (
    abs,
    absolute,
    acos,
    acosh,
    add,
    allclose,
    arccosh,
    arcsinh,
    arctanh,
    asin,
    asinh,
    atan,
    atanh,
    bitwise_not,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    cos,
    cosh,
    div,
    divide,
    eq,
    equal,
    erf,
    exp,
    exp2,
    expm1,
    floor,
    floor_divide,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    mul,
    multiply,
    ne,
    neg,
    negative,
    not_equal,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    rsub,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    sub,
    subtract,
    tan,
    tanh,
    trace,
    true_divide,
    where,
)
from .ops_misc import (
    cummax,
    cummin,
    diff,
    fmod,
    hypot,
    logcumsumexp,
    logit,
    masked_select,
    renorm,
    sinc,
    trapezoid,
    trapz,
)
from .ops_more import (
    addmm,
    arctan2,
    atan2,
    baddbmm,
    cdist,
    count_nonzero,
    cross,
    cumprod,
    diag,
    diag_embed,
    diagonal,
    dist,
    einsum,
    fix,
    frac,
    heaviside,
    kron,
    lerp,
    logaddexp,
    masked_fill,
    median,
    meshgrid,
    nan_to_num,
    nonzero,
    normal,
    repeat_interleave,
    roll,
    scatter,
    scatter_add,
    std_mean,
    take,
    tensordot,
    tile,
    tril,
    triu,
    trunc,
    unique,
    var_mean,
    xlogy,
)
from .ops_reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    bmm,
    cumsum,
    dot,
    inner,
    log_softmax,
    logsumexp,
    matmul,
    max,
    mean,
    min,
    mm,
    mv,
    outer,
    prod,
    softmax,
    std,
    sum,
    var,
)
from .ops_shape import (
    argsort,
    broadcast_to,
    cat,
    chunk,
    clone,
    concat,
    concatenate,
    flatten,
    flip,
    gather,
    hstack,
    index_select,
    narrow,
    permute,
    reshape,
    select,
    sort,
    split,
    squeeze,
    stack,
    swapaxes,
    t,
    topk,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    vstack,
)
from .runner import as_torch, install_modules
from .tensor import Size, Tensor, is_tensor

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan
__version__ = "2.13.0+tracegrad"


def is_floating_point(input: Tensor) -> bool:
    """``torch.is_floating_point(t)``: whether ``t`` has a float dtype."""
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    """``torch.numel(t)``: the number of elements."""
    return input.numel()


def detach(input: Tensor) -> Tensor:
    """``torch.detach(t)`` = ``t.detach()``."""
    return input.detach()


def zero_(input: Tensor) -> Tensor:
    """``torch.zero_(t)`` = ``t.zero_()``."""
    return input.zero_()



_LAZY = {"nn": ".nn", "optim": ".optim", "func": ".func", "cuda": ".cuda_stub",
         "utils": ".utils"}


def __getattr__(name: str) -> Any:
    # nn, optim and func are separate packages of the shim, imported on first use
    if name in _LAZY:
        return importlib.import_module(_LAZY[name], __name__)
    raise AttributeError(f"module 'torch' has no attribute '{name}'")
