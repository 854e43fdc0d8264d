"""The tracer's C hot path (tracer/_fastpath.c) against the pure-Python path.

The C extension is optional (setup.py builds it where a C compiler exists), so both
paths must trace every program to the same IR and the same values, raise the same
errors, and leak nothing.
"""

import gc
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest
from tracegrad.tracer import Aval, _purepath, make_ir
from tracegrad.tracer.ir import Eqn, Literal, Params, Var
from tracegrad.tracer.primitive import bind, current_trace, python_bind
from tracegrad.tracer.prims_elementwise import add_p, mul_p, sin_p
from tracegrad.tracer.trace import Tracer, new_trace
from tracegrad.transforms import grad

TESTS = pathlib.Path(__file__).resolve().parent
ROOT = TESTS.parent


def _run(script_args, pure: bool, cwd=TESTS) -> subprocess.CompletedProcess:
    env = dict(os.environ, TRACEGRAD_PURE_PYTHON="1" if pure else "0")
    return subprocess.run([sys.executable, *script_args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_extension_is_built_where_a_compiler_exists():
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) and os.environ.get("TRACEGRAD_PURE_PYTHON", "") in ("", "0"):
        assert _purepath.accelerated, "setup.py did not build tracer/_fastpath.c"
        assert bind is _purepath.fastpath.bind
    else:  # no compiler: the pure-Python path is the one in use
        assert bind is python_bind


def test_both_paths_print_the_same_irs_values_and_errors():
    c_path = _run(["_fastpath_programs.py", "40"], pure=False)
    pure = _run(["_fastpath_programs.py", "40"], pure=True)
    assert c_path.returncode == 0, c_path.stderr
    assert pure.returncode == 0, pure.stderr
    assert "accelerated False" in pure.stderr
    programs = [ln for ln in c_path.stdout.splitlines() if ln.startswith("Program(")]
    assert len(programs) == 40  # the random programs really ran
    assert c_path.stdout == pure.stdout


def test_tracer_suite_passes_on_the_pure_python_path():
    files = ["tests/test_tracer_trace.py", "tests/test_tracer_passes.py",
             "tests/test_transforms_basic.py"]
    result = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", *files], pure=True,
                  cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_vars_are_not_tracked_by_the_garbage_collector_on_the_c_path():
    v = Var(Aval((3,), np.float64))
    # A Var holds only an interned Aval: it cannot be part of a cycle, so the C type
    # opts out of the collector (Python classes cannot).
    assert gc.is_tracked(v) is (not _purepath.accelerated)
    assert repr(v) == "Var(f64[3])"


def test_tracing_leaks_no_references():
    x = np.ones(3)
    aval = Aval((3,), np.float64)
    lit = Literal(np.float64(2.0))
    f = lambda a: np.sin(a * lit.val) + a * 2.0 - a.sum(axis=0, keepdims=True)
    for _ in range(5):  # warm caches (interned avals, weak literals)
        make_ir(f)(x)
        grad(lambda a: np.sum(f(a)))(x)
    gc.collect()
    before = [sys.getrefcount(o) for o in (x, aval, lit, sin_p, mul_p, Params)]
    for _ in range(300):
        make_ir(f)(x)
        make_ir(f)(aval)
        grad(lambda a: np.sum(f(a)))(x)
    gc.collect()
    after = [sys.getrefcount(o) for o in (x, aval, lit, sin_p, mul_p, Params)]
    assert after == before


def test_bind_records_what_the_python_path_records():
    with new_trace() as t:
        a = t.new_input(Aval((2,), np.float64), np.array([1.0, 2.0]))
        lit = Literal(np.float64(3.0))
        y = bind(mul_p, a, lit)
        z = python_bind(mul_p, a, lit)
        assert type(y) is type(z) is Tracer
        e1, e2 = t.eqns
        assert (e1.prim, e1.inputs, e1.params) == (e2.prim, e2.inputs, e2.params)
        assert e1.outputs[0].aval is e2.outputs[0].aval is Aval((2,), np.float64)
        np.testing.assert_array_equal(y.val, z.val)
        assert t.eqn_vals[0] is y.val
        # params become a Params; a captured outer tracer goes through Python
        s = bind(add_p, y, z)
        assert s._trace is t and t.eqns[-1].inputs == (y.tvar, z.tvar)
    assert current_trace.get() is None


def test_bind_without_arguments_and_outside_a_trace():
    with pytest.raises(TypeError):
        bind()
    assert bind(sin_p, np.float64(0.5)) == np.sin(0.5)  # eager: the impl
    with new_trace() as t:
        a = t.new_input(Aval((), np.float64), np.float64(1.0))
    with pytest.raises(Exception, match="escaped"):
        bind(sin_p, a)


def test_eqn_and_var_pickle_and_compare_by_identity():
    import pickle

    closed = make_ir(lambda a: np.cos(a) * a)(np.ones(2))
    again = pickle.loads(pickle.dumps(closed))
    assert str(again) == str(closed)
    e = again.eqns[1]
    assert e.inputs[0] is again.eqns[0].outputs[0]  # shared Vars stay shared
    assert isinstance(e, Eqn) and e == e and e != closed.eqns[1]
    assert hash(Var(Aval((), np.float64))) != hash(Var(Aval((), np.float64)))
