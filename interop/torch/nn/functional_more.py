"""More of ``nn.functional``: smooth activations, regression and binary losses, ``kl_div``,
``normalize``/``one_hot``/``pad``, distances, ``layer_norm``, ``embedding`` and
``batch_norm``.

Functions PyTorch implements as one kernel (``GeluBackward0``, ``HuberLossBackward0``,
``NativeLayerNormBackward0``, ...) are one node here too (``traced``: the forward written
with NumPy semantics on tracer values, differentiated through the IR). Functions PyTorch
writes in Python from other ops (``softsign``, ``l1_loss``, ``kl_div``, ``normalize``,
``cosine_similarity``) are built from the shim's tensor ops, so their ``grad_fn`` is the
last of those ops, as in PyTorch.

    >>> gelu(tensor([1.0]))
    tensor([0.8413])
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ....tracer import ops as tops
from ..ops_core import convert, result_np_dtype, traced
from ..tensor import Tensor
from .parameter import _core, mark_modified, storage, user_site

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        from .functional import legacy_reduction
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    return reduction


def _c(a: Any, v: float) -> Any:
    """The Python number ``v`` as a scalar of ``a``'s dtype."""
    return np.asarray(v, dtype=a.dtype)[()]


def _maybe_inplace(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    if not inplace:
        return out
    from ..ops_core import inplace as write_inplace
    return write_inplace(input, out)


def _float_only(input: Tensor, kernel: str) -> None:
    if input._data.dtype.kind not in "fc":
        from .functional import _DTYPE_NAMES
        name = input._data.dtype.name
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_DTYPE_NAMES.get(name, name)}'")


# ---------------------------------------------------------------- activations

def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)`` (one ``EluBackward0`` node).

        >>> elu(tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.0000])
    """
    def fn(x: Any) -> Any:
        neg = _c(x, alpha) * np.expm1(np.where(x > _c(x, 0.0), _c(x, 0.0), x))
        return np.where(x > _c(x, 0.0), x, neg)
    return _maybe_inplace(input, traced("EluBackward0", fn, [input]), inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (``approximate="tanh"``: the tanh approximation); one
    ``GeluBackward0`` node.

        >>> gelu(tensor([0.0]))
        tensor([0.])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")

    def exact(x: Any) -> Any:
        return x * _c(x, 0.5) * (_c(x, 1.0) + tops.erf(x * _c(x, math.sqrt(0.5))))

    def tanh_approx(x: Any) -> Any:
        inner = _c(x, math.sqrt(2.0 / math.pi)) * (x + _c(x, 0.044715) * x * x * x)
        return _c(x, 0.5) * x * (_c(x, 1.0) + np.tanh(inner))
    return traced("GeluBackward0", exact if approximate == "none" else tanh_approx, [input])


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (one ``SiluBackward0`` node).

        >>> silu(tensor([0.0]))
        tensor([0.])
    """
    out = traced("SiluBackward0", lambda x: x * tops.logistic(x), [input])
    return _maybe_inplace(input, out, inplace)


def _softplus_np(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    # log1p(exp(beta x)) / beta, linear above the threshold; the unused branch sees a
    # clamped argument so neither its value nor its gradient overflows
    z = x * _c(x, beta) if beta != 1.0 else x
    thr = _c(x, threshold)
    soft = np.log1p(np.exp(np.where(z > thr, thr, z)))
    if beta != 1.0:
        soft = soft / _c(x, beta)
    return np.where(z > thr, x, soft)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, the identity where ``beta * x > threshold``
    (one ``SoftplusBackward0`` node).

        >>> softplus(tensor([0.0]))
        tensor([0.6931])
    """
    return traced("SoftplusBackward0", lambda x: _softplus_np(x, beta, threshold), [input])


def _logsigmoid_np(x: Any) -> Any:
    # -softplus(-x): x itself far below zero, where log1p(exp(-x)) == -x in floating point
    lim = _c(x, -20.0)
    return np.where(x < lim, x, -np.log1p(np.exp(-np.where(x < lim, lim, x))))


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, computed stably (one ``LogSigmoidBackward0`` node).

        >>> logsigmoid(tensor([0.0]))
        tensor([-0.6931])
    """
    return traced("LogSigmoidBackward0", _logsigmoid_np, [input])


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; the gradient is 0 at and beyond the
    bounds, as in PyTorch (one ``HardtanhBackward0`` node).

        >>> hardtanh(tensor([-2.0, 0.5, 2.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def fn(x: Any) -> Any:
        lo, hi = _c(x, min_val), _c(x, max_val)
        inside = (x > lo) & (x < hi)
        return np.where(inside, x, np.where(x <= lo, lo, hi))
    return _maybe_inplace(input, traced("HardtanhBackward0", fn, [input]), inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)`` (PyTorch's ``hardtanh(x, 0, 6)``: ``HardtanhBackward0``).

        >>> relu6(tensor([-1.0, 7.0]))
        tensor([0., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

        >>> softsign(tensor([1.0]))
        tensor([0.5000])
    """
    return input / (input.abs() + 1)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))`` (one ``MishBackward0`` node).

        >>> mish(tensor([0.0]))
        tensor([0.])
    """
    out = traced("MishBackward0", lambda x: x * np.tanh(_softplus_np(x)), [input])
    return _maybe_inplace(input, out, inplace)


# ---------------------------------------------------------------- regression losses

def _pair(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """``input`` and ``target`` broadcast (with PyTorch's warning) and promoted."""
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        input, target = input.expand(*shape), target.expand(*shape)
    dt = result_np_dtype(input, target)
    return convert(input, dt), convert(target, dt)


def _reduce_np(loss: Any, reduction: str) -> Any:
    if reduction == "none":
        return loss
    total = np.sum(loss)
    if reduction == "sum":
        return total
    return total / _c(loss, max(loss.size, 1))


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean absolute error (``abs`` then ``mean``/``sum``, as PyTorch records it).

        >>> l1_loss(tensor([1.0, 2.0]), tensor([1.0, 4.0]))
        tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce_tensor(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None,
                   reduce: Any = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (one
    ``SmoothL1LossBackward0`` node; ``beta=0`` is ``l1_loss``).

        >>> smooth_l1_loss(tensor([0.0, 0.0]), tensor([0.5, 3.0]))
        tensor(1.3125)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    input, target = _pair(input, target)

    def fn(x: Any, t: Any) -> Any:
        d = x - t
        a = np.abs(d)
        b = _c(x, beta)
        loss = np.where(a < b, _c(x, 0.5) * d * d / b, a - _c(x, 0.5) * b)
        return _reduce_np(loss, reduction)
    return traced("SmoothL1LossBackward0", fn, [input, target])


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0, weight: Any = None) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)`` (one
    ``HuberLossBackward0`` node).

        >>> huber_loss(tensor([0.0, 0.0]), tensor([0.5, 3.0]))
        tensor(1.3125)
    """
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _pair(input, target)

    def fn(x: Any, t: Any) -> Any:
        d = x - t
        a = np.abs(d)
        h = _c(x, delta)
        loss = np.where(a < h, _c(x, 0.5) * d * d, h * (a - _c(x, 0.5) * h))
        return _reduce_np(loss, reduction)
    if weight is not None:
        loss = traced("HuberLossBackward0", lambda x, t: _huber_none(x, t, delta),
                      [input, target])
        return _reduce_tensor(loss * weight, reduction)
    return traced("HuberLossBackward0", fn, [input, target])


def _huber_none(x: Any, t: Any, delta: float) -> Any:
    d = x - t
    a = np.abs(d)
    h = _c(x, delta)
    return np.where(a < h, _c(x, 0.5) * d * d, h * (a - _c(x, 0.5) * h))


# ---------------------------------------------------------------- binary losses

def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """``-w (t log x + (1 - t) log(1 - x))`` for probabilities ``x``, each log clamped
    at -100 as PyTorch does (one ``BinaryCrossEntropyBackward0`` node).

        >>> binary_cross_entropy(tensor([0.5]), tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the "
                         f"input size ({input.shape}) is deprecated. Please ensure they have "
                         "the same size.")
    x = input._data
    if x.size and (np.any(x < 0) or np.any(x > 1) or np.any(np.isnan(x))):
        raise RuntimeError("all elements of input should be between 0 and 1")
    ts = [input, convert(target, x.dtype)]
    if weight is not None:
        ts.append(convert(weight.expand(*input.shape), x.dtype))

    def fn(x: Any, t: Any, w: Any = None) -> Any:
        one, floor = _c(x, 1.0), _c(x, -100.0)

        def clamped_log(v: Any) -> Any:
            pos = v > _c(x, 0.0)
            return np.where(pos, np.maximum(np.log(np.where(pos, v, one)), floor), floor)
        loss = -(t * clamped_log(x) + (one - t) * clamped_log(one - x))
        if w is not None:
            loss = loss * w
        return _reduce_np(loss, reduction)
    return traced("BinaryCrossEntropyBackward0", fn, ts)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """``sigmoid`` and ``binary_cross_entropy`` in one stable formula,
    ``(1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))``, times ``weight`` (one
    ``BinaryCrossEntropyWithLogitsBackward0`` node).

        >>> binary_cross_entropy_with_logits(tensor([0.0]), tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    dt = input._data.dtype
    ts = [input, convert(target, dt)]
    has_w, has_pw = weight is not None, pos_weight is not None
    if has_w:
        ts.append(convert(weight, dt))
    if has_pw:
        ts.append(convert(pos_weight, dt))

    def fn(x: Any, t: Any, *rest: Any) -> Any:
        w = rest[0] if has_w else None
        pw = rest[-1] if has_pw else None
        one = _c(x, 1.0)
        ls = _logsigmoid_np(x)
        if pw is not None:
            loss = (one - t) * x - ((pw - one) * t + one) * ls
        else:
            loss = (one - t) * x - ls
        if w is not None:
            loss = loss * w
        return _reduce_np(loss, reduction)
    return traced("BinaryCrossEntropyWithLogitsBackward0", fn, ts)


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``
    (probabilities, or log-probabilities with ``log_target``); ``reduction`` may also be
    ``"batchmean"`` (the sum over the batch size).

        >>> kl_div(tensor([0.0]), tensor([1.0]), reduction="sum")
        tensor(0.)
    """
    if size_average is not None or reduce is not None:
        from .functional import legacy_reduction
        reduction = legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                      "the support size.'batchmean' divides only by the batch size, and "
                      "aligns with the KL div math definition.'mean' will be changed to "
                      "behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if reduction not in (*_REDUCTIONS, "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    input, target = _pair(input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        t = target
        zero = _core().zeros_like(t)
        tlogt = _core().where(t > 0, t * _core().where(t > 0, t, zero + 1).log(), zero)
        loss = tlogt - t * input
    if reduction == "batchmean":
        if input.dim() == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _reduce_tensor(loss, reduction)


# ---------------------------------------------------------------- shapes and distances

def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``.

        >>> normalize(tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """
    if out is not None:
        raise NotImplementedError("normalize(out=...) is not supported by the shim")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices to int64 one-hot vectors along a new last dimension.

        >>> one_hot(tensor([0, 2]))
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if idx.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if idx.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (idx[..., None] == np.arange(num_classes, dtype=np.int64)).astype(np.int64)
    return Tensor._wrap(out)


_PAD_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
              "circular": None}


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions, ``pad`` listing (before, after) from the
    last dimension backwards; negative amounts crop (constant mode). Modes ``constant``
    (``ConstantPadNdBackward0``), ``reflect`` and ``replicate``.

        >>> pad(tensor([[1.0, 2.0]]), (1, 1))
        tensor([[0., 1., 2., 0.]])
    """
    pad = tuple(int(p) for p in pad)
    x = input._data
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           "input dimension but got padding length "
                           f"{len(pad)} and input of dimension {x.ndim}")
    k = len(pad) // 2
    widths = [(0, 0)] * (x.ndim - k) + [(pad[2 * i], pad[2 * i + 1])
                                        for i in reversed(range(k))]
    if mode == "constant":
        fill = 0 if value is None else value
        grow = [(max(a, 0), max(b, 0)) for a, b in widths]
        crop = tuple(slice(-min(a, 0), n + max(a, 0) + max(b, 0) + min(b, 0))
                     for (a, b), n in zip(widths, x.shape))

        def fn(a: Any) -> Any:
            out = np.pad(a, grow, mode="constant", constant_values=_c(a, fill))
            return out[crop] if any(min(p, 0) for p in pad) else out
        return traced("ConstantPadNdBackward0", fn, [input])
    if mode not in ("reflect", "replicate"):
        raise NotImplementedError(f"pad mode {mode!r} is not supported by the shim")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    if k > 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding "
                                  "are supported for now")
    np_mode = "reflect" if mode == "reflect" else "edge"
    name = _PAD_NAMES[mode].format(k)
    return traced(name, lambda a: np.pad(a, widths, mode=np_mode), [input])


def _pnorm(a: Any, p: float, axis: int, keepdims: bool) -> Any:
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdims))
    if p == 1:
        return np.sum(np.abs(a), axis=axis, keepdims=keepdims)
    if p == math.inf:
        return np.max(np.abs(a), axis=axis, keepdims=keepdims)
    s = np.sum(np.abs(a) ** _c(a, p), axis=axis, keepdims=keepdims)
    return s ** _c(a, 1.0 / p)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dimension (PyTorch's ``NormBackward1``).

        >>> pairwise_distance(tensor([[0.0, 0.0]]), tensor([[3.0, 4.0]]), eps=0.0)
        tensor([5.])
    """
    d = x1 - x2 + eps
    axis = max(d.dim() - 1, 0)
    if d.dim() == 0:
        return traced("NormBackward1", lambda a: _pnorm(a, p, None, False), [d])
    return traced("NormBackward1", lambda a: _pnorm(a, p, axis, keepdim), [d])


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim`` (the norms are
    clamped without changing their gradient, as in PyTorch).

        >>> cosine_similarity(tensor([[1.0, 0.0]]), tensor([[1.0, 1.0]]))
        tensor([0.7071])
    """
    def unit(x: Tensor) -> Tensor:
        n = x.norm(2, dim)
        n = n + (n.detach().clamp_min(eps) - n.detach())
        return x / n.unsqueeze(dim)
    return (unit(x1) * unit(x2)).sum(dim)


# ---------------------------------------------------------------- normalisation, embedding

def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dimensions (biased variance), then
    scale by ``weight`` and shift by ``bias`` (one ``NativeLayerNormBackward0`` node).

        >>> layer_norm(tensor([[1.0, 3.0]]), (2,))
        tensor([[-1.0000,  1.0000]])
    """
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    shape = tuple(int(s) for s in normalized_shape)
    xs = tuple(input.shape)
    k = len(shape)
    if k == 0 or xs[len(xs) - k:] != shape or len(xs) < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size"
                           f"{list(xs)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(shape)}")
    axes = tuple(range(len(xs) - k, len(xs)))
    ts = [input] + [t for t in (weight, bias) if t is not None]
    has_w, has_b = weight is not None, bias is not None

    def fn(x: Any, *rest: Any) -> Any:
        mean = np.mean(x, axis=axes, keepdims=True)
        c = x - mean
        var = np.mean(c * c, axis=axes, keepdims=True)
        y = c * (_c(x, 1.0) / np.sqrt(var + _c(x, eps)))
        if has_w:
            y = y * rest[0]
        if has_b:
            y = y + rest[-1]
        return y
    return traced("NativeLayerNormBackward0", fn, ts)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the integer indices ``input`` (one ``EmbeddingBackward0``
    node); the row ``padding_idx`` gets no gradient.

        >>> embedding(tensor([1]), tensor([[0.0, 1.0], [2.0, 3.0]]))
        tensor([[2., 3.]])
    """
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                                  "supported by the shim")
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        from .functional import _DTYPE_NAMES
        name = _DTYPE_NAMES.get(idx.dtype.name, idx.dtype.name)
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got torch.{name}Tensor "
                           "instead (while checking arguments for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    idx = idx.astype(np.int64)
    pad_rows = None if padding_idx is None else (idx == padding_idx)

    def fn(w: Any) -> Any:
        rows = np.take(w, idx, axis=0)
        if pad_rows is None or not pad_rows.any():
            return rows
        return np.where(pad_rows[..., None], tops.stop_gradient(rows), rows)
    return traced("EmbeddingBackward0", fn, [weight])


def _update_(t: Tensor, value: np.ndarray) -> None:
    """Write ``value`` into the buffer ``t`` in place (no autograd), as PyTorch's kernels
    update running statistics."""
    arr = storage(t)
    np.copyto(arr, value, casting="unsafe")
    mark_modified(t, user_site())


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dimension 1) with the batch's statistics while training
    (updating ``running_mean``/``running_var`` in place, the variance unbiased), or with
    the running statistics otherwise; one ``NativeBatchNormBackward0`` node.

        >>> batch_norm(tensor([[1.0], [3.0]]), None, None, training=True)
        tensor([[-1.0000],
                [ 1.0000]])
    """
    xs = tuple(input.shape)
    if len(xs) < 2:
        raise RuntimeError(f"batch_norm: expected an input with 2 or more dimensions, got "
                           f"{len(xs)}")
    if training:
        count = math.prod(xs) // xs[1]
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.shape}")
    axes = (0, *range(2, len(xs)))
    bshape = (1, xs[1]) + (1,) * (len(xs) - 2)
    dt = input._data.dtype
    use_batch = training or running_mean is None or running_var is None
    ts = [input]
    stats = []
    if not use_batch:
        stats = [running_mean._data.astype(dt).reshape(bshape),
                 running_var._data.astype(dt).reshape(bshape)]
    has_w, has_b = weight is not None, bias is not None
    if has_w:
        ts.append(weight)
    if has_b:
        ts.append(bias)

    def fn(x: Any, *rest: Any) -> Any:
        if use_batch:
            mean = np.mean(x, axis=axes, keepdims=True)
            c = x - mean
            var = np.mean(c * c, axis=axes, keepdims=True)
        else:
            c = x - stats[0]
            var = stats[1]
        y = c * (_c(x, 1.0) / np.sqrt(var + _c(x, eps)))
        if has_w:
            y = y * np.reshape(rest[0], bshape)
        if has_b:
            y = y + np.reshape(rest[-1], bshape)
        return y
    out = traced("NativeBatchNormBackward0", fn, ts)
    if training and running_mean is not None and running_var is not None:
        x64 = input._data.astype(np.float64)
        mean = x64.mean(axis=axes)
        n = math.prod(xs) // xs[1]
        var = x64.var(axis=axes) * (n / (n - 1))
        m = momentum
        _update_(running_mean, (1 - m) * running_mean._data.astype(np.float64) + m * mean)
        _update_(running_var, (1 - m) * running_var._data.astype(np.float64) + m * var)
    return out
