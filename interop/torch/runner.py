"""Run PyTorch code on the shim: module aliases, ``as_torch()``, and the script runner.

``install_modules()`` puts the shim in ``sys.modules`` as ``torch``, ``torch.autograd``,
``torch.nn``, ``torch.nn.functional``, ``torch.nn.init``, ``torch.optim`` and
``torch.func`` (the last four are imported lazily, on first ``import``), so
``import torch.nn as nn`` inside a script finds the shim.

>>> with as_torch():
...     import torch
...     torch.tensor(2.0)
tensor(2.)
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import runpy
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from . import torch_names

_PKG = __name__.rsplit(".", 1)[0]
#: torch module name -> shim module name (relative to the shim package)
ALIASES = {
    "torch": "", "torch.autograd": ".autograd", "torch.nn": ".nn",
    "torch.nn.functional": ".nn.functional", "torch.nn.init": ".nn.init",
    "torch.nn.parameter": ".nn.parameter", "torch.nn.modules": ".nn",
    "torch.optim": ".optim", "torch.func": ".func", "torch.cuda": ".cuda_stub",
    "torch.linalg": ".linalg",
    "torch.random": ".random", "torch.utils": ".utils", "torch.utils.data": ".utils.data",
    "torch.optim.lr_scheduler": ".optim.lr_scheduler", "torch.nn.utils": ".nn.utils",
}


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``torch.*`` imports to the shim's modules (imported on demand)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in ALIASES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module(_PKG + ALIASES[spec.name] if ALIASES[spec.name]
                                       else _PKG)

    def exec_module(self, module):
        pass


_finder = _AliasFinder()


def install_modules() -> list[str]:
    """Make ``import torch`` (and its submodules) resolve to the shim; returns the names
    that were replaced (to restore later)."""
    replaced = [n for n in list(sys.modules) if n == "torch" or n.startswith("torch.")]
    saved = {n: sys.modules.pop(n) for n in replaced}
    install_modules.saved = saved  # type: ignore[attr-defined]
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    # PyTorch computes 1/0 and log(0) silently; NumPy would warn on stderr
    import numpy as np
    install_modules.np_err = np.seterr(all="ignore")  # type: ignore[attr-defined]
    sys.modules["torch"] = importlib.import_module(_PKG)
    sys.modules["torch.autograd"] = importlib.import_module(_PKG + ".autograd")
    # torch.autograd is a module of the shim, not a package: its submodules are registered
    # up front (importing gradcheck on demand would also make the attribute
    # torch.autograd.gradcheck the module instead of the function, as in torch)
    for sub in ("functional", "gradcheck"):
        sys.modules[f"torch.autograd.{sub}"] = importlib.import_module(f"{_PKG}.autograd_{sub}")
    sys.modules["torch.autograd.function"] = importlib.import_module(f"{_PKG}.custom_function")
    # print(type(x)) reads <class 'torch.Tensor'>, as in torch
    if getattr(install_modules, "names", None) is None:
        install_modules.names = torch_names.present_as_torch()  # type: ignore[attr-defined]
    return replaced


def uninstall_modules(saved: dict | None = None) -> None:
    """Undo ``install_modules``: real torch (if it was imported) comes back."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    old = getattr(install_modules, "np_err", None)
    if old is not None:
        import numpy as np
        np.seterr(**old)
    names = getattr(install_modules, "names", None)
    if names is not None:
        torch_names.restore(names)
        install_modules.names = None  # type: ignore[attr-defined]
    for n in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[n]
    sys.modules.update(saved or {})


@contextmanager
def as_torch() -> Iterator[object]:
    """``with as_torch(): import torch`` gives the shim inside the block (notebooks)."""
    install_modules()
    saved = install_modules.saved  # type: ignore[attr-defined]
    try:
        yield sys.modules["torch"]
    finally:
        uninstall_modules(saved)


def main(argv: list[str] | None = None) -> int:
    """``python -m tracegrad.interop.torch script.py [args]``: run ``script.py`` as
    ``__main__`` with ``torch`` resolved to the shim."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m tracegrad.interop.torch script.py [args...]\n"
              "Runs a PyTorch script unmodified on tracegrad's autograd shim.")
        return 0 if argv else 2
    if argv[0] == "-c":
        install_modules()
        sys.argv = ["-c", *argv[2:]]
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
        return 0
    script = argv[0]
    install_modules()
    sys.argv = argv
    import os
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        # an absolute path, as `python script.py` gives __file__, warnings and tracebacks
        runpy.run_path(os.path.abspath(script), run_name="__main__")
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - reported like Python reports it
        # the traceback starts at the script, as with ``python script.py``
        import traceback
        tb = e.__traceback__
        while tb is not None and (tb.tb_frame.f_code.co_filename in (__file__, "<frozen runpy>")
                                  or tb.tb_frame.f_code.co_filename.endswith("runpy.py")):
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        return 1
    return 0
