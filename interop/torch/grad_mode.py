"""Grad mode: whether new operations are recorded, local to a thread (a ContextVar).

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and
as decorators::

    with no_grad():
        w -= lr * w.grad

    @no_grad()
    def update(): ...
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

#: True while operations are recorded for autograd. A ContextVar, so each thread
#: (and each asyncio task) has its own mode.
_enabled: ContextVar[bool] = ContextVar("tracegrad_torch_grad_enabled", default=True)

is_enabled = _enabled.get


def is_grad_enabled() -> bool:
    """``torch.is_grad_enabled()``: whether operations are recorded now.

    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return _enabled.get()


class _GradMode:
    """A context manager that sets grad mode on entry and restores it on exit."""

    _mode: bool = True

    def __init__(self) -> None:
        self._tokens: list = []

    def __enter__(self) -> None:
        self._tokens.append(_enabled.set(self._mode))

    def __exit__(self, *exc: Any) -> None:
        _enabled.reset(self._tokens.pop())

    def clone(self) -> _GradMode:
        return type(self)()

    def __call__(self, fn: Callable) -> Callable:
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with self.clone():
                    value = next(gen)
                while True:
                    try:
                        with self.clone():
                            sent = yield value
                        with self.clone():
                            value = gen.send(sent)
                    except StopIteration as e:
                        return e.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Disable recording: ``with torch.no_grad(): y = x * 2`` gives ``y.requires_grad False``."""

    _mode = False

    def __init__(self, orig_func: Callable | None = None) -> None:
        super().__init__()
        # ``@torch.no_grad`` without parentheses passes the function here
        self._orig = orig_func

    def __new__(cls, orig_func: Callable | None = None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self


class enable_grad(_GradMode):  # noqa: N801
    """Re-enable recording inside ``no_grad``: ``with torch.enable_grad(): ...``."""

    _mode = True

    def __new__(cls, orig_func: Callable | None = None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self

    def __init__(self, orig_func: Callable | None = None) -> None:
        super().__init__()


class set_grad_enabled(_GradMode):  # noqa: N801
    """``torch.set_grad_enabled(False)`` sets the mode now (a function call) and, used as
    a context manager or decorator, restores the previous mode afterwards.

    >>> with set_grad_enabled(False):
    ...     is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._prev = _enabled.get()
        _enabled.set(self._mode)

    def __enter__(self) -> None:
        self._tokens.append(_enabled.set(self._mode))

    def __exit__(self, *exc: Any) -> None:
        _enabled.reset(self._tokens.pop())
        _enabled.set(self._prev)

    def __call__(self, fn: Callable) -> Callable:
        # used as a decorator: undo the mode change __init__ made
        _enabled.set(self._prev)
        return super().__call__(fn)

    def clone(self) -> set_grad_enabled:
        cur = _enabled.get()
        new = set_grad_enabled(self._mode)
        _enabled.set(cur)
        new._prev = cur
        return new


class inference_mode(no_grad):  # noqa: N801
    """``torch.inference_mode()``: here the same as ``no_grad``."""

    def __new__(cls, mode: Any = True):
        self = object.__new__(cls)
        if callable(mode):
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode: Any = True) -> None:
        _GradMode.__init__(self)
        self._mode = not bool(mode) if not callable(mode) else False
