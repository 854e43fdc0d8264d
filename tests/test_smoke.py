import numpy as np
from tracegrad.tracer import eval_ir, make_ir


def test_make_ir_golden_and_eval():
    f = lambda x: np.sum(np.sin(x) ** 2)
    closed = make_ir(f)(np.ones(3))
    assert str(closed) == (
        "{ lambda ; a:f64[3]. let\n"
        "    b:f64[3] = sin a\n"
        "    c:f64[3] = integer_pow[y=2] b\n"
        "    d:f64[] = reduce_sum[axes=(0,)] c\n"
        "  in (d,) }")
    x = np.linspace(-1, 2, 3)
    np.testing.assert_allclose(eval_ir(closed, x)[0], f(x))
