"""Only the optional C extension lives here; everything else is in pyproject.toml.

``optional=True``: where no C compiler is available, the build skips it and the
package runs on its pure-Python hot path (tracer/_purepath.py).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("tracegrad.tracer._fastpath", ["tracer/_fastpath.c"],
                             optional=True)])
