"""Build the notebooks from their cell lists and execute them from a clean kernel.

Each notebook's cells live in ``notebooks/cells/nbNN_name.py`` as ``CELLS``, a list
of ``("md" | "code", text)`` pairs, so a review reads plain Python and a diff shows
what changed. This script writes ``notebooks/NN_name.ipynb`` and executes it with
nbclient in the notebooks folder, keeping the outputs (the committed notebooks
show results and plots without being run)::

    python notebooks/build.py                 # all notebooks
    python notebooks/build.py 01 06           # the ones whose name starts so
    python notebooks/build.py --no-execute    # sources only (outputs cleared)
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CELLS_DIR = HERE / "cells"
CELL_TIMEOUT_S = 120
KERNEL = "python3"


def notebook_names() -> list[str]:
    """``['01_quickstart', ...]``: one per ``cells/nbNN_name.py``, in order."""
    return sorted(p.stem[2:] for p in CELLS_DIR.glob("nb[0-9][0-9]_*.py"))


def load_cells(name: str) -> list[tuple[str, str]]:
    """The ``CELLS`` list of notebook ``name`` (``load_cells('01_quickstart')[0][0] == 'md'``)."""
    path = CELLS_DIR / f"nb{name}.py"
    spec = importlib.util.spec_from_file_location(f"_cells_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cells = module.CELLS
    for kind, text in cells:
        if kind not in ("md", "code"):
            raise ValueError(f"{path.name}: cell kind {kind!r} is not 'md' or 'code'")
        if not isinstance(text, str):
            raise TypeError(f"{path.name}: cell text must be a str")
    return cells


def make_notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """An nbformat v4 notebook of ``cells`` (outputs empty), for the python3 kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, text) in enumerate(cells):
        text = text.strip("\n")
        cell = (nbformat.v4.new_markdown_cell(text) if kind == "md"
                else nbformat.v4.new_code_cell(text))
        cell["id"] = f"c{i:02d}"   # stable ids: rebuilding does not churn the diff
        nb.cells.append(cell)
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = CELL_TIMEOUT_S) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in a fresh kernel started in ``notebooks/``; raises on error.

    >>> execute(make_notebook([("code", "1 + 1")])).cells[0].outputs[0]["data"]["text/plain"]
    '2'
    """
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, allow_errors=False,
                            record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    client.execute()
    return nb


def coalesce_streams(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Merge consecutive stdout (or stderr) outputs of each cell into one.

    The kernel flushes a print in chunks when the machine is busy; merged, the outputs
    are the same on every build, and a printed line is never split.
    """
    for cell in nb.cells:
        merged: list = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (out.get("output_type") == "stream" and prev is not None
                    and prev.get("output_type") == "stream" and prev["name"] == out["name"]):
                prev["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def build(name: str, run: bool = True) -> Path:
    """Write ``notebooks/<name>.ipynb`` from its cells, executed when ``run``."""
    nb = make_notebook(load_cells(name))
    if run:
        coalesce_streams(execute(nb))
    path = HERE / f"{name}.ipynb"
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="build only notebooks starting so")
    parser.add_argument("--no-execute", action="store_true", help="write sources only")
    args = parser.parse_args(argv)
    names = [n for n in notebook_names()
             if not args.prefixes or any(n.startswith(p) for p in args.prefixes)]
    if not names:
        print("no notebook matches", args.prefixes, file=sys.stderr)
        return 1
    for name in names:
        start = time.perf_counter()
        path = build(name, run=not args.no_execute)
        print(f"{path.name}: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
