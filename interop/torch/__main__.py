"""``python -m tracegrad.interop.torch script.py``: run a PyTorch script on the shim."""

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main())
