"""Jvp rules for every primitive of the tracer, one table (``jvp.jvp_rules``).

Each rule is linear in the tangents and uses only primitives with a transpose
rule on the tangent path, so ``transpose(partial_eval(jvp))`` gives reverse mode.
Numerics follow JAX (``sqrt`` at 0, tie splitting in ``max``/``min``, stable
``logistic`` and ``tanh`` forms).
"""

from __future__ import annotations

import numpy as np

from ..tracer import prims_elementwise as ew
from ..tracer import prims_structural as st
from ..tracer.ir import Aval
from ..tracer.primitive import bind
from . import lax
from .jvp import instantiate, jvp_rule
from .lax import add, const, div, dtype_of, mul, neg, shape_of, sub


def _aval(x) -> Aval:
    return Aval(shape_of(x), dtype_of(x))


def _out_tangent(t, out):
    """A tangent of one operand brought to the output's (broadcast) shape."""
    return None if t is None else lax.broadcast(t, shape_of(out))


# ---------------------------------------------------------------------------
# zero tangents: integer/boolean results, piecewise-constant functions

@jvp_rule(ew.floor_p, ew.ceil_p, ew.round_p, ew.stop_gradient_p, ew.is_finite_p,
          ew.not_p, ew.eq_p, ew.ne_p, ew.lt_p, ew.le_p, ew.gt_p, ew.ge_p, ew.and_p, ew.or_p,
          ew.xor_p, ew.nextafter_p, st.argmax_p, st.argmin_p, st.reduce_and_p,
          st.reduce_or_p)
def _zero(primals, tangents, out, **params):
    return None


# ---------------------------------------------------------------------------
# unary: tangent times a factor computed from primal values only

def _unary(factor):
    def rule(primals, tangents, out, **params):
        return mul(tangents[0], factor(primals[0], out))
    return rule


def _sq(x):
    return bind(ew.integer_pow_p, x, y=2)


jvp_rule(ew.exp_p)(_unary(lambda x, ans: ans))
jvp_rule(ew.log_p)(lambda p, t, out: div(t[0], p[0]))
jvp_rule(ew.log1p_p)(lambda p, t, out: div(t[0], add(p[0], const(p[0], 1))))
jvp_rule(ew.expm1_p)(_unary(lambda x, ans: add(ans, const(x, 1))))
jvp_rule(ew.sin_p)(_unary(lambda x, ans: bind(ew.cos_p, x)))
jvp_rule(ew.cos_p)(_unary(lambda x, ans: neg(bind(ew.sin_p, x))))
jvp_rule(ew.tan_p)(_unary(lambda x, ans: add(const(x, 1), _sq(ans))))
# (1 + ans)(1 - ans): exact cancellation near |ans| = 1, as JAX does.
jvp_rule(ew.tanh_p)(_unary(lambda x, ans: mul(add(const(x, 1), ans), sub(const(x, 1), ans))))
jvp_rule(ew.asin_p)(_unary(lambda x, ans: bind(ew.rsqrt_p, sub(const(x, 1), _sq(x)))))
jvp_rule(ew.acos_p)(_unary(lambda x, ans: neg(bind(ew.rsqrt_p, sub(const(x, 1), _sq(x))))))
jvp_rule(ew.atan_p)(lambda p, t, out: div(t[0], add(const(p[0], 1), _sq(p[0]))))
jvp_rule(ew.sinh_p)(_unary(lambda x, ans: bind(ew.cosh_p, x)))
jvp_rule(ew.cosh_p)(_unary(lambda x, ans: bind(ew.sinh_p, x)))
jvp_rule(ew.asinh_p)(_unary(lambda x, ans: bind(ew.rsqrt_p, add(_sq(x), const(x, 1)))))


@jvp_rule(ew.acosh_p)
def _acosh(primals, tangents, out):
    x = primals[0]
    xm, xp = sub(x, const(x, 1)), add(x, const(x, 1))
    if dtype_of(x).kind == "c":
        # 1 / (sqrt(z - 1) sqrt(z + 1)): the principal branch of acosh. (JAX's
        # rsqrt(z^2 - 1) flips sign for Re z < 0; finite differences agree with this.)
        return mul(tangents[0], mul(bind(ew.rsqrt_p, xm), bind(ew.rsqrt_p, xp)))
    return mul(tangents[0], bind(ew.rsqrt_p, mul(xm, xp)))


jvp_rule(ew.atanh_p)(lambda p, t, out: div(
    t[0], mul(sub(const(p[0], 1), p[0]), add(const(p[0], 1), p[0]))))
# ans * (1 - ans): 0 at +700 and e^-700 at -700, like JAX.
jvp_rule(ew.logistic_p)(_unary(lambda x, ans: mul(ans, sub(const(x, 1), ans))))
# 0.5 / ans: inf at 0, like JAX.
jvp_rule(ew.sqrt_p)(_unary(lambda x, ans: div(const(x, 0.5), ans)))
jvp_rule(ew.rsqrt_p)(_unary(lambda x, ans: mul(const(x, -0.5), div(ans, x))))
jvp_rule(ew.erf_p)(_unary(lambda x, ans: mul(const(x, 2 / np.sqrt(np.pi)),
                                             bind(ew.exp_p, neg(_sq(x))))))
jvp_rule(ew.neg_p)(lambda p, t, out: neg(t[0]))


@jvp_rule(ew.abs_p)
def _abs(primals, tangents, out):
    x, t = primals[0], tangents[0]
    if dtype_of(x).kind == "c":
        # d|z| = Re(conj(z) dz) / |z|, with 0 at z == 0 (as JAX)
        safe = lax.select(bind(ew.eq_p, out, const(out, 0)), out,
                          lax.broadcast(const(out, 1), shape_of(out)))
        unit = div(bind(ew.conj_p, x), bind(ew.complex_p, safe, const(safe, 0)))
        unit = lax.select(bind(ew.eq_p, out, const(out, 0)), unit,
                          lax.broadcast(const(x, 0), shape_of(x)))
        return bind(ew.real_p, mul(unit, t))
    # JAX: select(x >= 0, t, -t), so the derivative at 0 is +1.
    return lax.select(bind(ew.ge_p, x, const(x, 0)), neg(t), t)


@jvp_rule(ew.sign_p)
def _sign(primals, tangents, out):
    # Piecewise constant on reals. On complex z, sign(z) = z / |z| is smooth away from 0:
    # d sign = (dz - sign * Re(conj(sign) dz)) / |z|, and 0 at z == 0. (JAX's lax.sign
    # has a zero derivative on complex numbers too; finite differences agree with this.)
    x, t = primals[0], tangents[0]
    if dtype_of(x).kind != "c":
        return None
    mag = bind(ew.abs_p, x)
    is_zero = bind(ew.eq_p, mag, const(mag, 0))
    safe = lax.select(is_zero, mag, lax.broadcast(const(mag, 1), shape_of(mag)))
    radial = bind(ew.real_p, mul(bind(ew.conj_p, out), t))
    d = div(sub(t, mul(out, bind(ew.complex_p, radial, const(radial, 0)))),
            bind(ew.complex_p, safe, const(safe, 0)))
    return lax.select(is_zero, d, lax.broadcast(const(d, 0), shape_of(d)))


jvp_rule(ew.real_p)(lambda p, t, out: bind(ew.real_p, t[0]))
jvp_rule(ew.imag_p)(lambda p, t, out: bind(ew.imag_p, t[0]))
jvp_rule(ew.conj_p)(lambda p, t, out: bind(ew.conj_p, t[0]))


@jvp_rule(ew.complex_p)
def _complex(primals, tangents, out):
    (x, y), (tx, ty) = primals, tangents
    tx = lax.broadcast(instantiate(tx, _aval(x)), shape_of(out))
    ty = lax.broadcast(instantiate(ty, _aval(y)), shape_of(out))
    return bind(ew.complex_p, tx, ty)


@jvp_rule(ew.integer_pow_p)
def _integer_pow(primals, tangents, out, *, y):
    x, t = primals[0], tangents[0]
    if y == 0:
        return None
    if y == 1:
        return t
    pw = x if y == 2 else bind(ew.integer_pow_p, x, y=y - 1)
    return mul(t, mul(const(x, y), pw))


@jvp_rule(ew.convert_element_type_p)
def _convert(primals, tangents, out, *, new_dtype):
    if np.dtype(new_dtype).kind not in "fc" or dtype_of(primals[0]).kind not in "fc":
        return None
    return lax.convert(tangents[0], new_dtype)


# ---------------------------------------------------------------------------
# binary (operands broadcast NumPy-style)

@jvp_rule(ew.add_p)
def _add(primals, tangents, out):
    tx, ty = tangents
    if tx is None:
        return _out_tangent(ty, out)
    if ty is None:
        return _out_tangent(tx, out)
    return add(tx, ty)


@jvp_rule(ew.sub_p)
def _sub(primals, tangents, out):
    tx, ty = tangents
    if ty is None:
        return _out_tangent(tx, out)
    if tx is None:
        return _out_tangent(neg(ty), out)
    return sub(tx, ty)


def _sum_terms(*terms):
    acc = None
    for t in terms:
        acc = lax.add_any(acc, t)
    return acc


@jvp_rule(ew.mul_p)
def _mul(primals, tangents, out):
    (x, y), (tx, ty) = primals, tangents
    a = None if tx is None else _out_tangent(mul(tx, y), out)
    b = None if ty is None else _out_tangent(mul(x, ty), out)
    return _sum_terms(a, b)


@jvp_rule(ew.div_p)
def _div(primals, tangents, out):
    (x, y), (tx, ty) = primals, tangents
    if dtype_of(x).kind not in "fc":
        return None
    a = None if tx is None else _out_tangent(div(tx, y), out)
    # d(x/y)/dy = -out / y
    b = None if ty is None else _out_tangent(mul(ty, neg(div(out, y))), out)
    return _sum_terms(a, b)


def _balanced_eq(x, ans, y):
    """1 where x alone attains the max/min, 0.5 on a tie, 0 elsewhere (JAX's split)."""
    one, half, zero = const(ans, 1), const(ans, 0.5), const(ans, 0)
    x_is = bind(ew.eq_p, x, ans)
    y_is = bind(ew.eq_p, y, ans)
    return lax.select(x_is, lax.broadcast(zero, shape_of(ans)),
                      lax.select(y_is, lax.broadcast(one, shape_of(ans)),
                                 lax.broadcast(half, shape_of(ans))))


@jvp_rule(ew.max_p, ew.min_p)
def _minmax(primals, tangents, out):
    (x, y), (tx, ty) = primals, tangents
    a = None if tx is None else mul(_out_tangent(tx, out), _balanced_eq(x, out, y))
    b = None if ty is None else mul(_out_tangent(ty, out), _balanced_eq(y, out, x))
    return _sum_terms(a, b)


@jvp_rule(ew.pow_p)
def _pow(primals, tangents, out):
    (x, y), (tx, ty) = primals, tangents
    if dtype_of(x).kind not in "fc":
        return None
    a = b = None
    if tx is not None:
        # y * x^(y-1), with 0 where y == 0 (JAX)
        zero = const(x, 0)
        d = mul(y, bind(ew.pow_p, x, sub(y, const(y, 1))))
        d = lax.select(bind(ew.eq_p, y, zero), d, lax.broadcast(zero, shape_of(d)))
        b_shape = shape_of(out)
        a = mul(_out_tangent(tx, out), lax.broadcast(d, b_shape))
    if ty is not None:
        # log(x) * out, with x == 0 replaced by 1 so that 0^y has derivative 0 in y
        safe = lax.select(bind(ew.eq_p, x, const(x, 0)), x,
                          lax.broadcast(const(x, 1), shape_of(x)))
        b = mul(_out_tangent(ty, out), mul(bind(ew.log_p, safe), out))
    return _sum_terms(a, b)


@jvp_rule(ew.atan2_p)
def _atan2(primals, tangents, out):
    (x, y), (tx, ty) = primals, tangents
    denom = add(_sq(x), _sq(y))
    a = None if tx is None else mul(_out_tangent(tx, out), div(y, denom))
    b = None if ty is None else mul(_out_tangent(ty, out), neg(div(x, denom)))
    return _sum_terms(a, b)


@jvp_rule(ew.rem_p)
def _rem(primals, tangents, out):
    (x, y), (tx, ty) = primals, tangents
    if dtype_of(x).kind not in "fc":
        return None
    a = _out_tangent(tx, out)
    b = None
    if ty is not None:
        q = div(x, y)
        trunc = mul(bind(ew.sign_p, q), bind(ew.floor_p, bind(ew.abs_p, q)))
        b = mul(_out_tangent(ty, out), neg(trunc))
    return _sum_terms(a, b)


@jvp_rule(ew.select_n_p)
def _select_n(primals, tangents, out):
    which, cases = primals[0], primals[1:]
    tcases = tangents[1:]
    if all(t is None for t in tcases):
        return None
    inst = [instantiate(t, _aval(c)) for t, c in zip(tcases, cases)]
    return bind(ew.select_n_p, which, *inst)


# ---------------------------------------------------------------------------
# reductions

@jvp_rule(st.reduce_sum_p)
def _reduce_sum(primals, tangents, out, *, axes):
    return bind(st.reduce_sum_p, tangents[0], axes=axes)


def _keep_dims(x, out, axes):
    """``out`` (reduced over ``axes``) broadcast back to ``x``'s shape."""
    shape = shape_of(x)
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    return bind(st.broadcast_in_dim_p, out, shape=shape, broadcast_dimensions=kept)


@jvp_rule(st.reduce_max_p, st.reduce_min_p)
def _reduce_extreme(primals, tangents, out, *, axes):
    # Ties share the tangent equally, as in JAX.
    x, t = primals[0], tangents[0]
    mask = lax.convert(bind(ew.eq_p, x, _keep_dims(x, out, axes)), dtype_of(x))
    weights = div(mask, _keep_dims(x, bind(st.reduce_sum_p, mask, axes=axes), axes))
    return bind(st.reduce_sum_p, mul(t, weights), axes=axes)


@jvp_rule(st.reduce_prod_p)
def _reduce_prod(primals, tangents, out, *, axes):
    # d prod / d x_i = product of the others, written so that it is exact at zeros
    # and differentiable again: with q the product of the nonzero entries and S the
    # zero positions, the weight is q / x_i when S is empty; when S = {k} it is q at
    # k and x_k * q / x_i elsewhere (x_k is 0, but its derivative is not); with
    # S = {k, l} it is x_l * q at k (and 0 elsewhere: exact to second order); with
    # more zeros it is 0 (exact to first order).
    x, t = primals[0], tangents[0]
    zero, one = const(x, 0), const(x, 1)
    dt = dtype_of(x)
    zeros = lax.broadcast(zero, shape_of(x))
    is_zero = bind(ew.eq_p, x, zero)
    safe = lax.select(is_zero, x, lax.broadcast(one, shape_of(x)))
    q = _keep_dims(x, bind(st.reduce_prod_p, safe, axes=axes), axes)
    n_zero = _keep_dims(x, bind(st.reduce_sum_p, lax.convert(is_zero, dt), axes=axes), axes)
    x_k = _keep_dims(x, bind(st.reduce_sum_p, lax.select(is_zero, zeros, x), axes=axes), axes)
    q_over_x = div(q, safe)
    one_zero = lax.select(is_zero, mul(x_k, q_over_x), q)
    # x_k is now the sum of both zero entries: minus x_i leaves the other one
    two_zeros = lax.select(is_zero, zeros, mul(sub(x_k, x), q))
    w = lax.select(bind(ew.eq_p, n_zero, zero),
                   lax.select(bind(ew.eq_p, n_zero, one),
                              lax.select(bind(ew.eq_p, n_zero, const(x, 2)), zeros, two_zeros),
                              one_zero),
                   q_over_x)
    return bind(st.reduce_sum_p, mul(t, w), axes=axes)


@jvp_rule(st.cumsum_p)
def _cumsum(primals, tangents, out, **params):
    return bind(st.cumsum_p, tangents[0], **params)


# ---------------------------------------------------------------------------
# structural: the primitive itself applied to the tangent

def _same(prim):
    def rule(primals, tangents, out, **params):
        return bind(prim, tangents[0], **params)
    return rule


for _p in (st.broadcast_in_dim_p, st.reshape_p, st.transpose_p, st.squeeze_p,
           st.expand_dims_p, st.rev_p, st.slice_p):
    jvp_rule(_p)(_same(_p))


@jvp_rule(st.concatenate_p)
def _concatenate(primals, tangents, out, *, dimension):
    inst = [instantiate(t, _aval(x)) for t, x in zip(tangents, primals)]
    return bind(st.concatenate_p, *inst, dimension=dimension)


@jvp_rule(st.pad_p)
def _pad(primals, tangents, out, *, padding_config):
    x, (tx, tpv) = primals[0], tangents
    tx = instantiate(tx, _aval(x))
    tpv = const(x, 0) if tpv is None else tpv
    return bind(st.pad_p, tx, tpv, padding_config=padding_config)


@jvp_rule(st.dot_general_p)
def _dot_general(primals, tangents, out, **params):
    (x, y), (tx, ty) = primals, tangents
    a = None if tx is None else bind(st.dot_general_p, tx, y, **params)
    b = None if ty is None else bind(st.dot_general_p, x, ty, **params)
    return _sum_terms(a, b)


@jvp_rule(st.index_take_p)
def _index_take(primals, tangents, out, *, axis):
    return bind(st.index_take_p, tangents[0], primals[1], axis=axis)


@jvp_rule(st.index_add_p)
def _index_add(primals, tangents, out, *, axis):
    (x, idx, _), (tx, _, tu) = primals, tangents
    if tu is None:
        return tx
    return bind(st.index_add_p, instantiate(tx, _aval(x)), idx, tu, axis=axis)
