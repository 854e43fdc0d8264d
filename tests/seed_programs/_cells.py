"""Run notebook cells like IPython: each cell's last expression is displayed (its repr,
unless None); an exception prints its last traceback line and the session goes on.

Used by the seed programs that come from notebook-style articles (seeds 001, 003).
``SEED_PLOT_PATH`` set in the environment saves the current matplotlib figure there
when a cell calls ``plt.show()`` (the test renders seed 001's plot with Agg).
"""

import ast
import os
import sys


def run_cells(cells, namespace=None):
    ns = namespace if namespace is not None else {"__name__": "__main__"}
    for n, src in enumerate(cells, 1):
        tree = ast.parse(src)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = tree.body[:-1] if last is not None else tree.body
        try:
            exec(compile(ast.Module(body=body, type_ignores=[]), f"<cell {n}>", "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), f"<cell {n}>", "eval"), ns)
                if value is not None:
                    print(repr(value))
        except Exception as e:  # noqa: BLE001 - a notebook shows it and goes on
            print(f"{type(e).__name__}: {e}")
        sys.stdout.flush()
    return ns


def show_hook():
    """Make plt.show() save the figure to $SEED_PLOT_PATH (when set)."""
    path = os.environ.get("SEED_PLOT_PATH")
    if not path:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def show(*args, **kwargs):
        plt.gcf().savefig(path)
    plt.show = show
