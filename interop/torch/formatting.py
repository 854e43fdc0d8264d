"""PyTorch 2.13's tensor repr: 4 decimals, int mode, scientific notation, 80 columns.

``tensor(28., grad_fn=<MulBackward0>)``, ``tensor([ 0.,  4.,  8., 12.])``,
``tensor([1.5000, 2.0000], dtype=torch.float64, requires_grad=True)``. Long tensors
(more than 1000 elements) are summarised with 3 edge items per dimension.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE: list = [None]


def set_printoptions(precision: int | None = None, threshold: int | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """``torch.set_printoptions``: change precision, threshold, edge items, line width."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH
    if profile == "default":
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = 4, 1000, 3, 80
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth
    SCI_MODE[0] = sci_mode


class _Formatter:
    def __init__(self, values: np.ndarray):
        self.imag = None
        if values.dtype.kind == "c":
            # PyTorch formats the real and the imaginary parts each with its own formatter
            self.real = _Formatter(np.ascontiguousarray(values.real))
            self.imag = _Formatter(np.ascontiguousarray(values.imag))
            return
        self.floating = values.dtype.kind in "fc"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return  # no finite non-zero value: width 1, int mode (as PyTorch)
        absv = np.abs(finite)
        lo, hi = float(absv.min()), float(absv.max())
        if not np.all(finite == np.ceil(finite)):
            self.int_mode = False
        if self.int_mode:
            if hi / lo > 1000.0 or hi > 1.0e8:
                self.sci_mode = True
                for v in finite.tolist():
                    self.max_width = max(self.max_width, len(f"{v:.{PRECISION}e}"))
            else:
                for v in finite.tolist():
                    self.max_width = max(self.max_width, len(f"{v:.0f}") + 1)
        else:
            if hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
                self.sci_mode = True
                for v in finite.tolist():
                    self.max_width = max(self.max_width, len(f"{v:.{PRECISION}e}"))
            else:
                for v in finite.tolist():
                    self.max_width = max(self.max_width, len(f"{v:.{PRECISION}f}"))
        if SCI_MODE[0] is not None:
            self.sci_mode = SCI_MODE[0]

    def width(self) -> int:
        if self.imag is not None:
            return self.real.width() + self.imag.width() + 1
        return self.max_width

    def format(self, value: Any) -> str:
        if self.imag is not None:
            # a complex value: real part, then the imaginary part's sign, digits and "j"
            re = self.real.format(value.real)
            im = (self.imag.format(value.imag) + "j").lstrip()
            return re + im if im[0] in "+-" else re + "+" + im
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRECISION}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGEITEMS:
        parts = [a[:EDGEITEMS], a[-EDGEITEMS:]]
        return np.concatenate([np.stack([_summarized(x) for x in p]) if a.ndim > 1 else p
                               for p in parts])
    if a.ndim == 1:
        return a
    return np.stack([_summarized(x) for x in a])


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.width() + 2
    per_line = max(1, int(math.floor((LINEWIDTH - indent) / element_length)))
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        data = ([fmt.format(_py(v)) for v in a[:EDGEITEMS].tolist()] + [" ..."]
                + [fmt.format(_py(v)) for v in a[-EDGEITEMS:].tolist()])
    else:
        data = [fmt.format(_py(v)) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(_py(a.item()))
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        slices = ([_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)]
                  + ["..."]
                  + [_tensor_str(a[i], indent + 1, summarize, fmt)
                     for i in range(a.shape[0] - EDGEITEMS, a.shape[0])])
    else:
        slices = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(s: str, suffixes: list[str], indent: int) -> str:
    out = [s]
    last_line_len = len(s) - s.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            out.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def array_str(a: np.ndarray, indent: int) -> str:
    """The bracketed values part of a repr (no ``tensor(`` prefix)."""
    if a.size == 0:
        return "[]"
    summarize = a.size > THRESHOLD
    shown = _summarized(a) if summarize else a
    if shown.dtype == np.float16:
        shown = shown.astype(np.float32)
    return _tensor_str(a, indent, summarize, _Formatter(shown))


def tensor_repr(t: Any) -> str:
    """``repr(t)`` exactly as PyTorch 2.13 prints it."""
    from . import dtypes

    a = t._data
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if a.size == 0 and a.shape != (0,):
        suffixes.append(f"size=({', '.join(map(str, a.shape))}{',' if a.ndim == 1 else ''})")
    d = dtypes.from_numpy(a.dtype)
    if d not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_,
                 dtypes.default_complex()):
        suffixes.append(f"dtype={d!r}")
    fn = t._fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{type(fn).__name__}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + array_str(a, indent), suffixes, indent)
