"""``nn.functional``: activations, ``linear``, ``softmax``/``log_softmax`` and the losses.

Ops that PyTorch records as one node (``AddmmBackward0``, ``LogSoftmaxBackward0``,
``MseLossBackward0``, ``NllLossBackward0``) are one composite node here too: the core's
``composite`` hook emits their primitives into a single ``grad_fn`` of that name, and the
backward differentiates those primitives through the IR transforms like any other node.

    >>> x = tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    >>> cross_entropy(x, tensor([2]))
    tensor(0.4076, grad_fn=<NllLossBackward0>)
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ....tracer import prims_elementwise as ew
from ....tracer import prims_structural as st
from ..ops_core import apply1, composite, convert, result_np_dtype
from ..tensor import Tensor
from .parameter import _core

_REDUCTIONS = ("mean", "sum", "none")


def legacy_reduction(size_average: Any, reduce: Any) -> str:
    """The reduction named by the deprecated ``size_average`` / ``reduce`` flags.

        >>> legacy_reduction(None, False)
        'none'
    """
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='mean' instead.", UserWarning, stacklevel=3)
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


# ---------------------------------------------------------------- activations

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``; the gradient at 0 is 0.

        >>> relu(tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function.

        >>> sigmoid(tensor([0.0]))
        tensor([0.5000])
    """
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

        >>> tanh(tensor([0.0]))
        tensor([0.])
    """
    return input.tanh()


def _leaky_relu_fn(b: Any, x: Any, slope: float) -> Any:
    # x where x > 0, else slope * x (so the gradient at 0 is the slope, as in PyTorch)
    pos = b(ew.gt_p, x, x.dtype.type(0))
    return b(ew.select_n_p, pos, b(ew.mul_p, x, x.dtype.type(slope)), x)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x`` (one ``LeakyReluBackward0`` node).

        >>> leaky_relu(tensor([-1.0, 2.0]))
        tensor([-0.0100,  2.0000])
    """
    out = composite("LeakyReluBackward0", _leaky_relu_fn, [input], negative_slope)
    if inplace:
        from ..ops_core import inplace as write_inplace
        return write_inplace(input, out)
    return out


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` while
    training (the mask comes from the shim's generator); the identity otherwise.

        >>> dropout(tensor([1.0, 2.0]), p=0.5, training=False)
        tensor([1., 2.])
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    x = input._data
    if p == 1.0:
        mask = np.zeros(x.shape, x.dtype)
    else:
        keep = _core().rand(*x.shape, dtype=input.dtype)._data >= p
        mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p))
    out = input * Tensor._wrap(mask)
    if inplace:
        from ..ops_core import inplace as write_inplace
        return write_inplace(input, out)
    return out


# ---------------------------------------------------------------- linear

def _linear_fn(b: Any, x: Any, w: Any, bias: Any = None) -> Any:
    # x @ weight.T as a transpose (a NumPy view) and a plain matmul-shaped contraction:
    # NumPy's BLAS call reads the transposed view directly
    wt = b(st.transpose_p, w, permutation=(1, 0))
    y = b(st.dot_general_p, x, wt, dimension_numbers=(((x.ndim - 1,), (0,)), ((), ())))
    return y if bias is None else b(ew.add_p, y, bias)


_DTYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "bool": "Bool"}


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, one node named as PyTorch names it (``AddmmBackward0``
    for a batch of vectors with a bias).

        >>> linear(tensor([[1.0, 2.0]]), tensor([[3.0, 4.0]]), tensor([0.5]))
        tensor([[11.5000]])
    """
    x, w = input._data, weight._data
    if x.ndim == 0 or w.ndim != 2 or x.shape[-1] != w.shape[1]:
        rows = int(np.prod(x.shape[:-1], dtype=np.int64)) if x.ndim else 1
        cols = x.shape[-1] if x.ndim else 1
        wshape = (w.shape[1], w.shape[0]) if w.ndim == 2 else w.shape
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
                           f"{wshape[0]}x{wshape[1]})")
    if x.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_DTYPE_NAMES.get(x.dtype.name, x.dtype.name)} and "
                           f"{_DTYPE_NAMES.get(w.dtype.name, w.dtype.name)}")
    if bias is None:
        name = {1: "SqueezeBackward4", 2: "MmBackward0"}.get(x.ndim, "UnsafeViewBackward0")
        return composite(name, _linear_fn, [input, weight])
    if bias._data.dtype != x.dtype:
        bias = convert(bias, x.dtype)
    name = "AddmmBackward0" if x.ndim == 2 else "ViewBackward0"
    return composite(name, _linear_fn, [input, weight, bias])


# ---------------------------------------------------------------- softmax family

def _softmax_dim(ndim: int, dim: int | None, name: str) -> int:
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def _shifted(b: Any, x: Any, axis: int) -> Any:
    """``x - max(x, axis)``, the max held constant (the result does not depend on it)."""
    if x.ndim == 0:
        return b(ew.sub_p, x, x)
    m = b(st.reduce_max_p, x, axes=(axis,))
    m = b(ew.stop_gradient_p, b(st.expand_dims_p, m, dimensions=(axis,)))
    return b(ew.sub_p, x, m)


def _softmax_fn(b: Any, x: Any, axis: int) -> Any:
    e = b(ew.exp_p, _shifted(b, x, axis))
    if x.ndim == 0:
        return b(ew.div_p, e, e)
    s = b(st.expand_dims_p, b(st.reduce_sum_p, e, axes=(axis,)), dimensions=(axis,))
    return b(ew.div_p, e, s)


def _log_softmax_fn(b: Any, x: Any, axis: int) -> Any:
    z = _shifted(b, x, axis)
    if x.ndim == 0:
        return z
    s = b(st.reduce_sum_p, b(ew.exp_p, z), axes=(axis,))
    return b(ew.sub_p, z, b(st.expand_dims_p, b(ew.log_p, s), dimensions=(axis,)))


def _as_float(input: Tensor, dtype: Any) -> Tensor:
    if dtype is not None:
        return input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f'"softmax_lastdim_kernel_impl" not implemented for '
                           f"'{_DTYPE_NAMES.get(input._data.dtype.name, input._data.dtype.name)}'")
    return input


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``, computed stably (one ``SoftmaxBackward0`` node).

        >>> softmax(tensor([0.0, 0.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    input = _as_float(input, dtype)
    axis = _softmax_dim(input._data.ndim, dim, "softmax")
    return composite("SoftmaxBackward0", _softmax_fn, [input], axis)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """``x - logsumexp(x, dim)``, computed stably (one ``LogSoftmaxBackward0`` node).

        >>> log_softmax(tensor([0.0, 0.0]), dim=0)
        tensor([-0.6931, -0.6931])
    """
    input = _as_float(input, dtype)
    axis = _softmax_dim(input._data.ndim, dim, "log_softmax")
    return composite("LogSoftmaxBackward0", _log_softmax_fn, [input], axis)


# ---------------------------------------------------------------- losses

def _mse_fn(b: Any, x: Any, t: Any, reduction: str) -> Any:
    d = b(ew.sub_p, x, t)
    sq = b(ew.mul_p, d, d)
    if reduction == "none":
        return sq
    total = b(st.reduce_sum_p, sq, axes=tuple(range(sq.ndim)))
    if reduction == "sum":
        return total
    return b(ew.div_p, total, sq.dtype.type(max(math.prod(sq.shape), 1)))


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean squared error (one ``MseLossBackward0`` node).

        >>> mse_loss(tensor([1.0, 2.0]), tensor([1.0, 4.0]))
        tensor(2.)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    x, t = input._data, target._data
    if weight is None and x.shape == t.shape and x.dtype == t.dtype:
        # the training-loop case: no broadcasting, no promotion
        return composite("MseLossBackward0", _mse_fn, [input, target], reduction)
    if x.shape != t.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=2)
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        input, target = input.expand(*shape), target.expand(*shape)
    dt = result_np_dtype(input, target)
    input, target = convert(input, dt), convert(target, dt)
    if weight is not None:
        loss = (input - target) ** 2 * weight
        return _reduce_tensor(loss, reduction)
    return composite("MseLossBackward0", _mse_fn, [input, target], reduction)


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _nll_fn(b: Any, logp: Any, flat_idx: np.ndarray, w: np.ndarray, reduction: str) -> Any:
    flat = b(st.reshape_p, logp, new_sizes=(math.prod(logp.shape),))
    picked = b(st.index_take_p, flat, flat_idx, axis=0)
    losses = b(ew.mul_p, picked, -w)
    if reduction == "none":
        return losses
    total = b(st.reduce_sum_p, losses, axes=(0,))
    if reduction == "sum":
        return total
    return b(ew.div_p, total, w.dtype.type(w.sum()))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (C,) at the class
    indices ``target``; ``weight`` per class, ``ignore_index`` entries count nothing.

        >>> nll_loss(tensor([[-1.0, -2.0]]), tensor([1]))
        tensor(2.)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    x = input._data
    tgt = target._data
    if tgt.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_DTYPE_NAMES.get(tgt.dtype.name, tgt.dtype.name)}")
    if x.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    batch_ok = (x.ndim == 1 and tgt.ndim == 0) or (
        x.ndim >= 2 and tgt.shape == x.shape[:1] + x.shape[2:])
    if not batch_ok:
        if x.ndim >= 2 and tgt.ndim >= 1 and tgt.shape[0] != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target "
                             f"batch_size ({tgt.shape[0]}).")
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                           f"{list(tgt.shape)})")
    out_shape = tgt.shape
    # move the class axis last and flatten: row r of (M, C) goes with target r
    if x.ndim >= 3:
        input = input.permute(0, *range(2, x.ndim), 1)
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    rows = tgt.reshape(-1).astype(np.int64)
    ignored = rows == ignore_index
    bad = (~ignored) & ((rows < 0) | (rows >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(rows[bad][0])} is out of bounds.")
    safe = np.where(ignored, 0, rows)
    wc = np.ones(n_classes, x.dtype) if weight is None else weight._data.astype(x.dtype)
    w = np.where(ignored, x.dtype.type(0), wc[safe]).astype(x.dtype)
    flat_idx = np.arange(rows.size, dtype=np.int64) * n_classes + safe
    name = "NllLossBackward0" if x.ndim <= 2 else "NllLoss2DBackward0"
    out = composite(name, _nll_fn, [input], flat_idx, w, reduction)
    if reduction == "none" and out_shape != out._data.shape:
        out = out.reshape(*out_shape)
    return out


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits ``input`` against class indices (integer
    ``target``) or class probabilities (floating ``target`` shaped like ``input``).

        >>> cross_entropy(tensor([[0.0, 0.0]]), tensor([1]))
        tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    logp = log_softmax(input, class_dim)
    if target._data.dtype.kind in "fc":
        return _cross_entropy_probs(logp, target, weight, reduction, label_smoothing,
                                    class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0.0:
        return nll
    n_classes = logp.shape[class_dim]
    lp = logp if weight is None else logp * _class_shaped(weight, logp, class_dim)
    smooth = -lp.sum(class_dim)
    keep = _core().tensor(target._data != ignore_index, dtype=logp.dtype)
    smooth = smooth * keep
    if reduction == "mean":
        if weight is None:
            denom = float(keep._data.sum())
        else:
            kept = target._data[target._data != ignore_index]
            denom = float(weight._data[kept].sum())
        smooth = smooth.sum() / denom
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _class_shaped(weight: Tensor, like: Tensor, class_dim: int) -> Tensor:
    shape = [1] * like.dim()
    shape[class_dim] = -1
    return weight.reshape(*shape)


def _cross_entropy_probs(logp: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                         label_smoothing: float, class_dim: int) -> Tensor:
    if tuple(target.shape) != tuple(logp.shape):
        raise RuntimeError(f"Expected floating point type for target with class "
                           f"probabilities, got {target.dtype}")
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    if weight is not None:
        logp = logp * _class_shaped(weight, logp, class_dim)
    prod = logp * target
    if reduction == "none":
        return -prod.sum(class_dim)
    if reduction == "sum":
        return -prod.sum()
    # PyTorch divides in C++ by a scalar: DivBackward1
    total = -prod.sum()
    return apply1("DivBackward1", ew.div_p, total,
                  total._data.dtype.type(logp.numel() / n_classes))


from .functional_more import (  # noqa: E402  (they use the helpers above)
    batch_norm,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_similarity,
    elu,
    embedding,
    gelu,
    hardtanh,
    huber_loss,
    kl_div,
    l1_loss,
    layer_norm,
    logsigmoid,
    mish,
    normalize,
    one_hot,
    pad,
    pairwise_distance,
    relu6,
    silu,
    smooth_l1_loss,
    softplus,
    softsign,
)

__all__ = [
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cosine_similarity", "cross_entropy", "dropout", "elu", "embedding", "gelu", "hardtanh",
    "huber_loss", "kl_div", "l1_loss", "layer_norm", "leaky_relu", "legacy_reduction",
    "linear", "log_softmax", "logsigmoid", "mish", "mse_loss", "nll_loss", "normalize",
    "one_hot", "pad", "pairwise_distance", "relu", "relu6", "sigmoid", "silu",
    "smooth_l1_loss", "softmax", "softplus", "softsign", "tanh",
]
