"""PyTorch 2.13's CPU random numbers, bit for bit.

One job: emulate torch's CPU generator (a Mersenne Twister, mt19937) and the way its CPU
kernels turn raw 32-bit words into samples, so that after ``manual_seed(s)`` the shim's
``rand``, ``randn``, ``randint``, ``randperm``, ``normal_``, ``uniform_`` and ``nn.init``
give the numbers PyTorch gives on the same machine.

What torch does (ATen's CPU generator and distribution kernels; checked against torch
2.13 here, see tests/test_torch_random.py):

- engine: standard mt19937 seeded with ``init_genrand(seed mod 2**32)``; ``random()`` is one
  32-bit word, ``random64()`` two, the first one the high half.
- uniform float32 (also the float16 math): ``x = (w & (2**24 - 1)) * 2**-24`` then
  ``x * (to - from) + from`` in float32; float64 uses ``random64() & (2**53 - 1)`` times
  ``2**-53``. Kernels built for AVX2/AVX512 fuse ``x * (to - from) + from`` into one FMA; the
  baseline (DEFAULT) kernels round twice: :func:`cpu_capability` mirrors torch's choice
  (``ATEN_CPU_CAPABILITY``, else the CPU's flags).
- normal, contiguous with 16 or more elements: draw one uniform per element, then
  Box-Muller in blocks of 16 (``u1 = 1 - d[j]``, ``u2 = d[j + 8]``, ``r = sqrt(-2 log u1)``,
  ``theta = 2 pi u2``, ``d[j] = r cos theta * std + mean``, ``d[j + 8] = r sin theta * std +
  mean``); when the count is not a multiple of 16 the last 16 values are redrawn from 16
  fresh uniforms. float32 on AVX2/AVX512 uses float32 polynomial log/sincos (the Cephes
  polynomials of avx_mathfun), emulated here operation by operation, FMAs included; on
  DEFAULT it calls the C library's ``logf``/``cosf``/``sinf``; float64 calls ``log``/``cos``/
  ``sin`` (Python's ``math`` calls the same C library).
- normal otherwise (fewer than 16 elements, or not contiguous): ``normal_distribution
  <double>`` per element: ``u1, u2`` double uniforms, ``r = sqrt(-2 log1p(-u2))``,
  ``theta = 2 pi u1``, the sample is ``r cos theta``, and ``r sin theta`` is cached in the
  generator for its next such draw (``manual_seed`` drops it), then ``* std + mean``
  (fused on AVX2/AVX512) and a cast to the tensor's dtype.
- integers in ``[low, high)``: ``w % (high - low) + low`` with one word, or ``random64()``
  when the range is 2**28 or more. ``randperm(n)``: start from ``0..n-1`` and for each
  ``i < n - 1`` swap ``i`` with ``i + random() % (n - i)``.
- elements are drawn in memory order.

``bernoulli_``/dropout are not emulated: torch uses Intel's MKL for them on Intel CPUs.

    >>> g = Generator().manual_seed(0)
    >>> uniform((3,), np.float32, generator=g)
    array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import os
import platform
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

#: the seed of a new ``torch.Generator()``
DEFAULT_SEED = 67280421310721
#: bytes of torch's CPU generator state (``torch.get_rng_state()``)
STATE_SIZE = 5056
_MASK32 = np.uint64(0xFFFFFFFF)


# ---------------------------------------------------------------------------
# which kernels torch picks on this machine

@functools.cache
def _cpu_flags() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def cpu_capability() -> str:
    """The CPU kernel set torch 2.13 uses here: ``"avx512"``, ``"avx2"`` or ``"default"``.

    ``ATEN_CPU_CAPABILITY`` overrides it as it does in torch; otherwise x86 CPUs with
    AVX512 (F, BW, VL, DQ) and FMA get ``"avx512"``, with AVX2 and FMA ``"avx2"``. Other
    CPUs get ``"default"`` (not checked against torch there).

        >>> cpu_capability() in ("avx512", "avx2", "default")
        True
    """
    env = os.environ.get("ATEN_CPU_CAPABILITY")
    if env in ("default", "avx2", "avx512"):
        return env
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "default"
    flags = _cpu_flags()
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq", "fma"} <= flags:
        return "avx512"
    if {"avx2", "fma"} <= flags:
        return "avx2"
    return "default"


def _fused() -> bool:
    # AVX2 and AVX512 kernels compute a * b + c with one rounding, DEFAULT with two
    return cpu_capability() != "default"


# ---------------------------------------------------------------------------
# the generator

def _to_uint64(seed: Any) -> int:
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


def _nondeterministic_seed() -> int:
    return int.from_bytes(os.urandom(8), "little")


class Generator:
    """``torch.Generator()``: a CPU random number generator with torch's numbers.

        >>> g = Generator().manual_seed(42)
        >>> g.initial_seed()
        42
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"the shim has only CPU generators, not {device!r}")
        self._lock = threading.RLock()
        self._engine = np.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    @property
    def device(self) -> Any:
        from .creation import device
        return device("cpu")

    def manual_seed(self, seed: int) -> Generator:
        """Reseed (``-2**63 <= seed < 2**64``; negative seeds wrap like torch's); drops
        the cached normal sample. Returns the generator.

            >>> Generator().manual_seed(-1).initial_seed()
            18446744073709551615
        """
        seed = _to_uint64(seed)
        key = np.random.RandomState(seed & 0xFFFFFFFF).get_state()[1]  # init_genrand
        with self._lock:
            self._seed = seed
            self._engine.state = {"bit_generator": "MT19937",
                                  "state": {"key": key, "pos": 624}}
            self._fresh = True  # torch's state says next=0 until the first draw
            self._normal: float | None = None
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed.

            >>> isinstance(Generator().seed(), int)
            True
        """
        s = _nondeterministic_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with.

            >>> Generator().initial_seed()
            67280421310721
        """
        return self._seed

    def get_state(self) -> Any:
        """The state as a uint8 tensor laid out as torch's ``get_rng_state()`` (5056
        bytes), so the two can be exchanged.

            >>> Generator().get_state().shape
            torch.Size([5056])
        """
        from .tensor import Tensor
        with self._lock:
            st = self._engine.state["state"]
            pos = int(st["pos"])
            buf = np.zeros(STATE_SIZE, np.uint8)
            head = np.zeros(3, np.uint64)
            head[0] = self._seed
            left = 1 if pos >= 624 else 625 - pos
            nxt = 0 if self._fresh else pos
            head[1] = np.uint64(left) | (np.uint64(1) << np.uint64(32))  # left, seeded
            head[2] = nxt
            buf[:24] = head.view(np.uint8)
            buf[24:24 + 624 * 8] = np.asarray(st["key"], np.uint64).view(np.uint8)
            if self._normal is not None:
                buf[5024:5032] = np.array([self._normal], np.float64).view(np.uint8)
                buf[5040:5044] = np.array([1], np.int32).view(np.uint8)
        return Tensor._wrap(buf)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from :meth:`get_state` (or from torch's ``get_rng_state()``).

            >>> g = Generator(); s = g.get_state(); a = uniform((2,), np.float64, generator=g)
            >>> bool((uniform((2,), np.float64, generator=g.set_state(s)) == a).all())
            True
        """
        arr = np.asarray(getattr(new_state, "_data", new_state))
        if arr.dtype != np.uint8:
            raise TypeError("expected a torch.ByteTensor, but got " + str(arr.dtype))
        if arr.size != STATE_SIZE:
            raise RuntimeError(
                "Expected either a THGeneratorState of size 5048 or a CPUGeneratorImplState "
                f"of size 5056 but found the input RNG state size to be {arr.size}")
        b = np.ascontiguousarray(arr).reshape(-1)
        head = b[:24].view(np.uint64)
        left = int(b[8:12].view(np.int32)[0])
        nxt = int(head[2])
        key = (b[24:24 + 624 * 8].view(np.uint64) & _MASK32).astype(np.uint32)
        if left <= 1:
            pos = 624
        elif nxt + left == 625:
            pos = nxt
        else:
            raise RuntimeError(f"unsupported mt19937 state (left={left}, next={nxt})")
        valid = int(b[5040:5044].view(np.int32)[0])
        with self._lock:
            self._seed = int(head[0])
            self._engine.state = {"bit_generator": "MT19937",
                                  "state": {"key": key, "pos": pos}}
            self._fresh = left <= 1 and nxt == 0
            self._normal = float(b[5024:5032].view(np.float64)[0]) if valid else None
        return self

    # -- raw words (callers hold the lock) ----------------------------------------
    def _words(self, n: int) -> np.ndarray:
        """``n`` outputs of ``random()`` (uint64 arrays holding 32-bit values)."""
        if n <= 0:
            return np.zeros(0, np.uint64)
        self._fresh = False
        return self._engine.random_raw(n).astype(np.uint64, copy=False)

    def _words64(self, n: int) -> np.ndarray:
        """``n`` outputs of ``random64()``: two words each, the first the high half."""
        w = self._words(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def __repr__(self) -> str:
        return f"<torch.Generator object at {id(self):#x}>"


#: the process-wide generator (torch seeds its own from the OS at start-up, so do we)
default_generator = Generator()
default_generator.seed()


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, got {type(generator).__name__}")
    return generator


def manual_seed(seed: int) -> Generator:
    """``torch.manual_seed(s)``: reseed the default generator; returns it.

        >>> _ = manual_seed(0); uniform((1,), np.float32)
        array([0.4962566], dtype=float32)
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """``torch.seed()``: reseed the default generator from the OS; returns the seed.

        >>> seed() == initial_seed()
        True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """``torch.initial_seed()``: the default generator's last seed.

        >>> _ = manual_seed(7); initial_seed()
        7
    """
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """``torch.get_rng_state()``: the default generator's state (a uint8 tensor in torch's
    layout).

        >>> get_rng_state().dtype
        torch.uint8
    """
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """``torch.set_rng_state(state)``: restore the default generator.

        >>> s = get_rng_state(); a = uniform((1,), np.float32); set_rng_state(s)
        >>> bool(uniform((1,), np.float32) == a)
        True
    """
    default_generator.set_state(new_state)


# ---------------------------------------------------------------------------
# exact arithmetic helpers

def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _add_round_to_odd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a + b`` in float64 rounded to odd (exact, or the neighbour with an odd last bit)."""
    s, e = _two_sum(a, b)
    even = (s.view(np.int64) & 1) == 0
    return np.where((e != 0) & even, np.nextafter(s, np.copysign(np.inf, e)), s)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = 134217729.0 * a
    hi = c - (c - a)
    return hi, a - hi


def fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` on float32 values with one rounding (C's ``fmaf``).

        >>> float(fma32(np.float32(0.1), np.float32(10), np.float32(-1)))
        1.4901161193847656e-08
    """
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        # the product of two floats is exact in float64, so only the sum rounds there;
        # rounding that to float32 again is right unless it landed exactly halfway
        # between two floats (or is tiny): those few are redone with the sum rounded to
        # odd, which makes the second rounding exact
        p = a * b
        s = p + c
        halfway = (s.view(np.int64) & 0x1FFFFFFF) == 0x10000000
        redo = halfway | (np.abs(s) < 2.0 ** -125)
        out = s.astype(np.float32)
        if redo.any():
            p, c = np.broadcast_to(p, s.shape)[redo], np.broadcast_to(c, s.shape)[redo]
            out = np.array(out)
            out[redo] = _add_round_to_odd(p, c).astype(np.float32)
        return out


def fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` on float64 values with one rounding (C's ``fma``; Boldo and
    Melquiond's emulation through round-to-odd).

        >>> float(fma64(0.1, 10.0, -1.0))
        5.551115123125783e-17
    """
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        ph = a * b
        ah, al = _split(a)
        bh, bl = _split(b)
        pl = ((ah * bh - ph) + ah * bl + al * bh) + al * bl
        th, tl = _two_sum(c, ph)
        out = th + _add_round_to_odd(tl, pl)
        # the splitting overflows for huge values; zeros and non-finite values are
        # exact with the plain expression
        plain = ph + c
        bad = ~np.isfinite(out) | (ph == 0)
        return np.where(bad, plain, out)


def _madd32(a: np.ndarray, b: Any, c: Any, fused: bool) -> np.ndarray:
    if fused:
        return fma32(a, b, c)
    return (a * np.float32(b)).astype(np.float32) + np.float32(c)


def _madd64(a: np.ndarray, b: float, c: float, fused: bool) -> np.ndarray:
    if b == 1.0 and c == 0.0:
        return np.asarray(a, np.float64)
    return fma64(a, b, c) if fused else a * b + c


# ---------------------------------------------------------------------------
# uniform

def _unit_float32(words: np.ndarray) -> np.ndarray:
    return (words & np.uint64(0xFFFFFF)).astype(np.float32) * np.float32(2.0 ** -24)


def _unit_float64(words64: np.ndarray) -> np.ndarray:
    return (words64 & np.uint64((1 << 53) - 1)).astype(np.float64) * (2.0 ** -53)


def _opmath(dtype: np.dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return np.dtype(np.float64)
    if dtype in (np.float32, np.float16):
        return np.dtype(np.float32)
    raise TypeError(f"random floats need a floating dtype, got {dtype}")


def _uniform_flat(g: Generator, n: int, dtype: np.dtype, low: float, high: float) -> np.ndarray:
    dtype = np.dtype(dtype)
    if _opmath(dtype) == np.float64:
        x = _unit_float64(g._words64(n))
        val = _madd64(x, high - low, low, _fused()) if (low, high) != (0.0, 1.0) else x
    else:
        f, t = np.float32(low), np.float32(high)
        x = _unit_float32(g._words(n))
        val = x if (low, high) == (0.0, 1.0) else _madd32(x, np.float32(t - f), f, _fused())
    out = val.astype(dtype)
    top, bottom = dtype.type(high), dtype.type(low)
    return np.where(out == top, bottom, out).astype(dtype)


def uniform(shape: tuple[int, ...], dtype: Any = np.float32, low: float = 0.0,
            high: float = 1.0, generator: Generator | None = None) -> np.ndarray:
    """Uniform samples in ``[low, high)`` as ``torch.empty(shape).uniform_(low, high)``.

        >>> _ = manual_seed(0); uniform((2,), np.float64)
        array([0.970053  , 0.70781986])
    """
    g = _gen(generator)
    n = int(np.prod(shape, dtype=np.int64))
    with g._lock:
        return _uniform_flat(g, n, dtype, float(low), float(high)).reshape(shape)


# ---------------------------------------------------------------------------
# normal: the blocks of 16 (contiguous, 16 or more elements)

_F32 = np.float32
# Cephes' single precision log and sin/cos polynomials, as avx_mathfun evaluates them
_LOG_P = (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
          1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
          3.3333331174E-1)
_LOG_Q1, _LOG_Q2 = -2.12194440e-4, 0.693359375
_DP = (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)
_SIN_P = (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)
_COS_P = (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002)
_FOUR_OVER_PI = 1.27323954473516


def _mul(a: Any, b: Any) -> np.ndarray:
    return np.multiply(a, b, dtype=_F32)


def _log_avx(x: np.ndarray) -> np.ndarray:
    """float32 natural log as torch's AVX2 kernel computes it (an FMA wherever GCC
    contracts a product into the next sum); NaN for x <= 0."""
    bits = np.maximum(x, np.float32(1.1754944e-38)).view(np.int32)  # no subnormals
    e = ((bits.view(np.uint32) >> 23).astype(np.int32) - 0x7F).astype(_F32) + _F32(1)
    m = ((bits & ~0x7F800000) | np.int32(0x3F000000)).view(_F32)  # mantissa in [0.5, 1)
    small = m < _F32(0.707106781186547524)
    m = (m - _F32(1)) + np.where(small, m, _F32(0))
    e = e - np.where(small, _F32(1), _F32(0))
    z = _mul(m, m)
    y = np.full_like(m, _F32(_LOG_P[0]))
    for p in _LOG_P[1:]:
        y = fma32(y, m, _F32(p))
    y = _mul(y, m)
    y = fma32(y, z, _mul(e, _F32(_LOG_Q1)))
    y = y - _mul(z, _F32(0.5))
    out = fma32(e, _F32(_LOG_Q2), m + y)
    return np.where(x <= 0, _F32(np.nan), out)


def _sincos_avx(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 (sin x, cos x) as torch's AVX2 kernel computes them (Cephes' reduction by
    pi/4 and two polynomials)."""
    neg = np.signbit(x)
    x = np.abs(x)
    j = _mul(x, _F32(_FOUR_OVER_PI)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    for dp in _DP:
        x = fma32(y, _F32(dp), x)
    sin_neg = neg ^ ((j & 4) != 0)
    cos_neg = (~(j - 2) & 4) != 0
    first = (j & 2) == 0  # the sine polynomial gives sin, else cos
    z = _mul(x, x)
    yc = np.full_like(x, _F32(_COS_P[0]))
    yc = fma32(yc, z, _F32(_COS_P[1]))
    yc = fma32(yc, z, _F32(_COS_P[2]))
    yc = fma32(_mul(yc, z), z, -_mul(z, _F32(0.5))) + _F32(1)
    ys = np.full_like(x, _F32(_SIN_P[0]))
    ys = fma32(ys, z, _F32(_SIN_P[1]))
    ys = fma32(ys, z, _F32(_SIN_P[2]))
    ys = fma32(_mul(ys, z), x, x)
    s = np.where(first, ys, yc)
    c = np.where(first, yc, ys)
    return np.where(sin_neg, -s, s), np.where(cos_neg, -c, c)


_libm_cache: list[Any] = []


def _libm_float_functions() -> tuple[Callable, Callable, Callable] | None:
    """The C library's ``logf``, ``cosf``, ``sinf`` (what torch's DEFAULT kernel calls)."""
    if not _libm_cache:
        fns = None
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            fns = tuple(getattr(lib, name) for name in ("logf", "cosf", "sinf"))
            for f in fns:
                f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
        except (OSError, AttributeError):
            fns = None
        _libm_cache.append(fns)
    return _libm_cache[0]


def _box_muller16_float32(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Blocks of 16 float32 uniforms (rows of ``d``) to normal samples."""
    u1 = np.float32(1) - d[:, :8]
    u2 = d[:, 8:]
    mean32, std32 = _F32(mean), _F32(std)
    if cpu_capability() != "default":
        radius = np.sqrt(_mul(_F32(-2), _log_avx(u1)))
        s, c = _sincos_avx(_mul(_F32(2.0 * math.pi), u2))
    else:
        theta = (2.0 * math.pi * u2.astype(np.float64)).astype(_F32)
        libm = _libm_float_functions()
        if libm is not None:
            logf, cosf, sinf = libm
            log = np.array([logf(float(v)) for v in u1.ravel()], _F32).reshape(u1.shape)
            c = np.array([cosf(float(v)) for v in theta.ravel()], _F32).reshape(u1.shape)
            s = np.array([sinf(float(v)) for v in theta.ravel()], _F32).reshape(u1.shape)
        else:  # correctly rounded instead of the C library's: may differ in the last bit
            log = np.log(u1.astype(np.float64)).astype(_F32)
            c = np.cos(theta.astype(np.float64)).astype(_F32)
            s = np.sin(theta.astype(np.float64)).astype(_F32)
        with np.errstate(invalid="ignore"):
            radius = np.sqrt(_mul(_F32(-2), log))
    out = np.empty_like(d)
    out[:, :8] = fma32(_mul(radius, c), std32, mean32)
    out[:, 8:] = fma32(_mul(radius, s), std32, mean32)
    return out


def _box_muller16_float64(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    u1 = 1.0 - d[:, :8]
    theta = (2.0 * math.pi) * d[:, 8:]
    # the C library's log/cos/sin, element by element (NumPy's SIMD versions differ
    # from it in the last bit now and then)
    log = np.array([math.log(v) if v > 0 else -math.inf for v in u1.ravel()])
    radius = np.sqrt(-2.0 * log).reshape(u1.shape)
    c = np.array([math.cos(v) for v in theta.ravel()]).reshape(u1.shape)
    s = np.array([math.sin(v) for v in theta.ravel()]).reshape(u1.shape)
    out = np.empty_like(d)
    out[:, :8] = fma64(radius * c, std, mean)
    out[:, 8:] = fma64(radius * s, std, mean)
    return out


def _normal_fill(g: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    double = _opmath(dtype) == np.float64

    def draw(k: int) -> np.ndarray:
        return _unit_float64(g._words64(k)) if double else _unit_float32(g._words(k))

    fill16 = _box_muller16_float64 if double else _box_muller16_float32
    full = n - n % 16
    # float and double draw every element's uniform first; half precision draws only the
    # full blocks' (both then draw 16 more for the recomputed tail)
    data = draw(n if dtype in (np.float32, np.float64) else full)
    data = np.concatenate([data, np.zeros(n - data.size, data.dtype)])
    data[:full] = fill16(data[:full].reshape(-1, 16), mean, std).reshape(-1)
    if n % 16:
        data[n - 16:] = fill16(draw(16).reshape(1, 16), mean, std).reshape(-1)
    return data.astype(dtype)


# ---------------------------------------------------------------------------
# normal: one element at a time, with the cached second sample

def _normal_scalar(g: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    vals: list[float] = []
    if n and g._normal is not None:
        vals.append(g._normal)
        g._normal = None
    pairs = (n - len(vals) + 1) // 2
    u = _unit_float64(g._words64(2 * pairs))
    for k in range(pairs):
        u1, u2 = float(u[2 * k]), float(u[2 * k + 1])
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        vals.append(r * math.cos(theta))
        vals.append(r * math.sin(theta))
    if len(vals) > n:
        g._normal = vals.pop()
    x = _madd64(np.array(vals, np.float64), std, mean, _fused())
    if np.dtype(dtype) == np.float16:
        x = x.astype(np.float32)  # torch casts double -> float -> half
    return x.astype(dtype)


def normal(shape: tuple[int, ...], dtype: Any = np.float32, mean: float = 0.0,
           std: float = 1.0, generator: Generator | None = None,
           contiguous: bool = True) -> np.ndarray:
    """Normal samples as ``torch.empty(shape).normal_(mean, std)`` (``contiguous=False``:
    as for a non-contiguous tensor, drawn in the returned array's order).

        >>> _ = manual_seed(0); normal((), np.float32)
        array(1.5409961, dtype=float32)
    """
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = np.dtype(dtype)
    _opmath(dtype)
    g = _gen(generator)
    n = int(np.prod(shape, dtype=np.int64))
    with g._lock:
        if n >= 16 and contiguous:
            flat = _normal_fill(g, n, dtype, float(mean), float(std))
        else:
            flat = _normal_scalar(g, n, dtype, float(mean), float(std))
    return flat.reshape(shape)


# ---------------------------------------------------------------------------
# in place, in memory order

def _memory_order_view(arr: np.ndarray) -> np.ndarray:
    """A view of ``arr`` whose C order is its memory order (as torch's TensorIterator
    walks an output)."""
    order = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    return arr.transpose(order)


def uniform_(arr: np.ndarray, low: float = 0.0, high: float = 1.0,
             generator: Generator | None = None) -> np.ndarray:
    """Fill the NumPy array ``arr`` in place as ``tensor.uniform_(low, high)``.

        >>> a = np.zeros(2, np.float32); _ = manual_seed(0); uniform_(a, -1, 1)
        array([-0.00748682,  0.5364436 ], dtype=float32)
    """
    view = _memory_order_view(arr)
    view[...] = uniform(view.shape, arr.dtype, low, high, generator)
    return arr


def normal_(arr: np.ndarray, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> np.ndarray:
    """Fill the NumPy array ``arr`` in place as ``tensor.normal_(mean, std)``.

        >>> a = np.zeros(1, np.float32); _ = manual_seed(0); normal_(a, 10.0, 2.0)
        array([13.081992], dtype=float32)
    """
    view = _memory_order_view(arr)
    view[...] = normal(view.shape, arr.dtype, mean, std, generator,
                       contiguous=bool(arr.flags.c_contiguous))
    return arr


# ---------------------------------------------------------------------------
# integers

def randint(shape: tuple[int, ...], low: int, high: int, dtype: Any = np.int64,
            generator: Generator | None = None) -> np.ndarray:
    """Integers in ``[low, high)`` as ``torch.randint(low, high, shape)``.

        >>> _ = manual_seed(0); randint((5,), 0, 10)
        array([4, 9, 3, 0, 3])
    """
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        low, high = _float_bounds(low, high, dtype)
    span = high - low
    g = _gen(generator)
    n = int(np.prod(shape, dtype=np.int64))
    with g._lock:
        words = g._words64(n) if span >= (1 << 28) else g._words(n)
    vals = (words % np.uint64(span)).astype(np.int64) + np.int64(low)
    return vals.astype(dtype).reshape(shape)


def _float_bounds(low: int, high: int, dtype: np.dtype) -> tuple[int, int]:
    """torch moves bounds that the float dtype cannot hold inwards, to the nearest values
    whose cast stays inside ``[low, high)``."""
    digits = np.finfo(dtype).nmant + 1
    above = int(dtype.type(low + 1))
    if above < low:
        low = above + (1 << (abs(low + 1).bit_length() - 1 - digits + 1))
    below = int(dtype.type(high - 1))
    if below >= high:
        high = below - (1 << (abs(high - 1).bit_length() - 1 - digits + 1))
    if low >= high:
        raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' "
                           f"casted to dtype, but got from={low} >= to={high}")
    return low, high


def randperm(n: int, dtype: Any = np.int64, generator: Generator | None = None) -> np.ndarray:
    """A permutation of ``0..n-1`` as ``torch.randperm(n)``.

        >>> _ = manual_seed(0); randperm(5)
        array([4, 0, 1, 3, 2])
    """
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    g = _gen(generator)
    with g._lock:
        big = n >= 0xFFFFFFFF // 20
        words = g._words64(max(n - 1, 0)) if big else g._words(max(n - 1, 0))
    perm = list(range(n))
    for i, w in enumerate(words.tolist()):
        z = i + w % (n - i)
        perm[i], perm[z] = perm[z], perm[i]
    return np.array(perm, dtype=dtype)
