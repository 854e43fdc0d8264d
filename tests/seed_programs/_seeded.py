"""Run a seed program after ``torch.manual_seed(N)``, N from ``$SEED_PROGRAMS_MANUAL_SEED``.

``python _seeded.py seed001.py`` runs it on real PyTorch; ``python -m
tracegrad.interop.torch _seeded.py seed001.py`` on the shim (the runner has already made
``import torch`` resolve to the shim, here and in the program). The program's own lines
are untouched: only the generator starts from a known state, the same on both sides.
"""

import os
import runpy
import sys

import torch

seed = os.environ.get("SEED_PROGRAMS_MANUAL_SEED")
if seed is not None:
    torch.manual_seed(int(seed))
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
