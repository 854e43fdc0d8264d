"""Error types, named and typed as JAX's (``jax.errors``), plus source-line lookup."""

from __future__ import annotations

import os


class ConcretizationTypeError(TypeError):
    """A value was needed at trace time but the trace is abstract."""


class TracerBoolConversionError(ConcretizationTypeError):
    """``bool(tracer)`` (if/while) on a value unknown at trace time."""


class TracerIntegerConversionError(TypeError):
    """``int(tracer)`` / indexing with a tracer whose value is unknown."""


class TracerArrayConversionError(TypeError):
    """``np.asarray(tracer)``: the value would silently leave the trace."""


class UnexpectedTracerError(TypeError):
    """A tracer escaped the transform that created it."""


_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OWN_DIRS = tuple(os.path.join(_PACKAGE_ROOT, d) + os.sep
                  for d in ("tracer", "transforms", "interop"))


def user_frame(frame) -> str:
    """`` at file.py:12 (`source`)`` for the first frame outside tracegrad and NumPy."""
    import linecache

    while frame is not None:
        fname = os.path.abspath(frame.f_code.co_filename)
        if not fname.startswith(_OWN_DIRS) and f"{os.sep}numpy{os.sep}" not in fname:
            line = linecache.getline(fname, frame.f_lineno).strip()
            src = f" (`{line}`)" if line else ""
            return f" at {frame.f_code.co_filename}:{frame.f_lineno}{src}"
        frame = frame.f_back
    return ""


class NonConcreteBooleanIndexError(IndexError):
    """A boolean mask whose value is unknown at trace time was used as an index."""
