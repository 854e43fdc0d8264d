"""Differential programs for ``torch.autograd.functional`` (jacobian, hessian, vjp, jvp, vhp,
hvp) and ``torch.autograd.gradcheck`` / ``gradgradcheck``: output nesting, values, dtypes,
requires_grad and grad_fn with and without create_graph, strict-mode errors, misuse errors,
gradcheck passing and failing (messages included), and the import forms in a script run
on the shim."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from test_torch_diff_harness import PROGRAMS, check, err, loose, program, warns

G = "autograd_functional"


def _v(torch, *shape, lo=-1.0, hi=1.5, dtype=None):
    n = 1
    for s in shape:
        n *= s
    t = torch.linspace(lo, hi, n).reshape(*shape)
    return t if dtype is None else t.to(dtype)


# -- jacobian -------------------------------------------------------------------------------

@program(G)
def jacobian_single_input_single_output(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3)
    m = _v(torch, 2, 2, lo=0.5, hi=2.0)
    return (AF.jacobian(lambda a: a.exp() * a, x),
            AF.jacobian(lambda a: a @ a, m),
            AF.jacobian(lambda a: (a ** 2).sum(), x),
            AF.jacobian(lambda a: a * 3, torch.tensor(2.0)))


@program(G)
def jacobian_tuple_inputs_and_outputs(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 3), _v(torch, 2, lo=0.3, hi=-0.7)
    one_out = AF.jacobian(lambda a, b: a.sum() * b, (x, y))
    two_out = AF.jacobian(lambda a: (a.sin(), a.sum(), a[:2] * 2), x)
    both = AF.jacobian(lambda a, b: (a * b.sum(), b.exp()), (x, y))
    single_tuple = AF.jacobian(lambda a: a.cos(), (x,))
    return one_out, two_out, both, single_tuple


@program(G)
def jacobian_unused_input_and_constant_output_are_zero(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 2), _v(torch, 3)
    return (AF.jacobian(lambda a, b: a * 2, (x, y)),
            AF.jacobian(lambda a: (a * 2, torch.ones(3)), x),
            AF.jacobian(lambda a: torch.zeros(2), x))


@program(G)
def jacobian_dtypes_and_requires_grad_inputs(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3, dtype=torch.float64).requires_grad_()
    j = AF.jacobian(lambda a: a.tanh(), x)
    mixed = AF.jacobian(lambda a, b: a * b.to(a.dtype).sum(), (_v(torch, 2), _v(torch, 2).double()))
    return j, mixed, x.grad, x.requires_grad


@program(G)
def jacobian_create_graph_is_differentiable(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3, lo=0.2).requires_grad_()
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    j = AF.jacobian(lambda a: (a ** 3) * w, x, create_graph=True)
    (j * torch.arange(9.0).reshape(3, 3)).sum().backward()
    j2 = AF.jacobian(lambda a: (a ** 3, a.sum()), x, create_graph=True)
    # without create_graph: detached even though x requires grad
    j3 = AF.jacobian(lambda a: a ** 3, x)
    return loose(j), x.grad, w.grad, loose(*j2), j3


@program(G)
def jacobian_strict_errors(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 2), _v(torch, 2, lo=2.0)
    return (err(lambda: AF.jacobian(lambda a, b: a * 2, (x, y), strict=True)),
            err(lambda: AF.jacobian(lambda a: torch.ones(2), x, strict=True)),
            err(lambda: AF.jacobian(lambda a: a * 2, x, strict=True, create_graph=True)),
            AF.jacobian(lambda a: a ** 2, x, strict=True),
            loose(AF.jacobian(lambda a: a ** 2, x, strict=True, create_graph=True)))


@program(G)
def jacobian_vectorize_and_forward_mode(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 3), _v(torch, 2, lo=0.5)
    f = lambda a, b: (a.sin() * b.sum(), (a * a).sum())  # noqa: E731
    vec = AF.jacobian(f, (x, y), vectorize=True)
    fwd = AF.jacobian(f, (x, y), vectorize=True, strategy="forward-mode")
    single = AF.jacobian(lambda a: a.exp(), x, vectorize=True)
    graph = AF.jacobian(lambda a: a ** 3, x.requires_grad_(), vectorize=True, create_graph=True)
    dt = AF.jacobian(lambda a: (a ** 2).double(), x.detach(), vectorize=True,
                     strategy="forward-mode")
    return vec, fwd, single, loose(graph), dt


@program(G)
def jacobian_option_errors(torch):
    AF = torch.autograd.functional
    x = _v(torch, 2)
    return (err(lambda: AF.jacobian(lambda a: a, x, strict=True, vectorize=True)),
            err(lambda: AF.jacobian(lambda a: a, x, strategy="forward-mode")),
            err(lambda: AF.jacobian(lambda a: a, x, strategy="forward-mode", vectorize=True,
                                    strict=True)),
            err(lambda: AF.jacobian(lambda a: a, x, strategy="forward-mode",
                                    create_graph=True)),
            err(lambda: AF.jacobian(lambda a: a, x, strategy="sideways")))


@program(G)
def jacobian_misuse_errors(torch):
    AF = torch.autograd.functional
    x = _v(torch, 2)
    return (err(lambda: AF.jacobian(lambda a, b: a * b, [x, x])),
            err(lambda: AF.jacobian(lambda a, b: a * b, (x, 2.0))),
            err(lambda: AF.jacobian(lambda a: 3.0, x)),
            err(lambda: AF.jacobian(lambda a: (a, [a]), x)),
            err(lambda: AF.jacobian(lambda a: a.sum().item(), x)))


@program(G)
def jacobian_closure_over_the_input(torch):
    # the function reads the caller's x too: only the argument is differentiated
    AF = torch.autograd.functional
    x = _v(torch, 2, lo=0.5).requires_grad_()
    return AF.jacobian(lambda a: a * x, x), AF.jacobian(lambda a: a * x.detach(), x)


# -- hessian ----------------------------------------------------------------------------------

@program(G)
def hessian_single_input(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3, lo=0.3)
    m = _v(torch, 2, 2, lo=-0.5, hi=1.0)
    return (AF.hessian(lambda a: (a.sin() * a ** 2).sum(), x),
            AF.hessian(lambda a: (a @ a).trace(), m),
            AF.hessian(lambda a: a.exp().sum().reshape(1), x))


@program(G)
def hessian_of_scalar_function_of_two_inputs(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 2, lo=0.5), _v(torch, 3, lo=-1.0, hi=0.5)
    f = lambda a, b: (a ** 3).sum() * b.exp().sum() + (a.sum() * b ** 2).sum()  # noqa: E731
    h = AF.hessian(f, (x, y))
    one = AF.hessian(lambda a: (a ** 4).sum(), (x,))
    return h, one, AF.hessian(f, (x, y), vectorize=True)


@program(G)
def hessian_create_graph_and_forward_outer(torch):
    AF = torch.autograd.functional
    x = _v(torch, 2, lo=0.5).requires_grad_()
    h = AF.hessian(lambda a: (a ** 4).sum(), x, create_graph=True)
    h.sum().backward()
    fo = AF.hessian(lambda a: (a ** 3).prod(), x.detach(), vectorize=True,
                    outer_jacobian_strategy="forward-mode")
    return loose(h), x.grad, loose(fo)


@program(G)
def hessian_errors(torch):
    AF = torch.autograd.functional
    x = _v(torch, 2)
    return (err(lambda: AF.hessian(lambda a: a ** 2, x)),
            err(lambda: AF.hessian(lambda a: ((a ** 2).sum(), a.sum()), x)),
            err(lambda: AF.hessian(lambda a: (a * 2).sum(), x, strict=True)),
            err(lambda: AF.hessian(lambda a, b: (a ** 2).sum(), (x, x), strict=True)),
            err(lambda: AF.hessian(lambda a: torch.tensor(1.0), x, strict=True)),
            err(lambda: AF.hessian(lambda a: (a ** 2).sum(), x,
                                   outer_jacobian_strategy="upside-down")),
            err(lambda: AF.hessian(lambda a: (a ** 2).sum(), [x])),
            AF.hessian(lambda a: (a * 2).sum(), x))


# -- vjp / jvp --------------------------------------------------------------------------------

@program(G)
def vjp_values_and_structures(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 3), _v(torch, 3, lo=0.5)
    a = AF.vjp(lambda t: t.exp().sum(), x)
    b = AF.vjp(lambda t: t ** 2, x, torch.tensor([1.0, -1.0, 0.5]))
    c = AF.vjp(lambda s, t: (s * t, t.sum()), (x, y), (torch.ones(3), torch.tensor(2.0)))
    d = AF.vjp(lambda s, t: s * 2, (x, y), torch.ones(3))
    e = AF.vjp(lambda t: (t.sin(),), x, (torch.ones(3),))
    return a, b, c, d, e


@program(G)
def vjp_create_graph_and_strict(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3, lo=0.2).requires_grad_()
    out, g = AF.vjp(lambda t: t ** 3, x, torch.ones(3), create_graph=True)
    g.sum().backward()
    plain = AF.vjp(lambda t: t ** 3, x, torch.ones(3))
    return (loose(out), loose(g), x.grad, plain,
            err(lambda: AF.vjp(lambda s, t: s * 2, (x, x), torch.ones(3), strict=True)),
            err(lambda: AF.vjp(lambda t: torch.ones(3), x, torch.ones(3), strict=True)))


@program(G)
def vjp_v_errors(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3)
    f = lambda t: t * 2  # noqa: E731
    return (err(lambda: AF.vjp(f, x)),
            err(lambda: AF.vjp(f, x, torch.ones(2))),
            err(lambda: AF.vjp(lambda t: (t, t.sum()), x, (torch.ones(3), torch.ones(2)))),
            err(lambda: AF.vjp(lambda t: (t, t.sum()), x, (torch.ones(3),))),
            err(lambda: AF.vjp(f, x, (torch.ones(3), torch.ones(3)))),
            err(lambda: AF.vjp(f, x, [1.0, 2.0, 3.0])),
            err(lambda: AF.vjp(lambda t: "no", x)))


@program(G)
def jvp_values_and_structures(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 3), _v(torch, 3, lo=0.5)
    a = AF.jvp(lambda t: t.exp() * t, x, torch.tensor([1.0, 0.0, -1.0]))
    b = AF.jvp(lambda t: t ** 3, torch.tensor([2.0]))
    c = AF.jvp(lambda s, t: (s * t, (s + t).sum()), (x, y), (torch.ones(3), torch.zeros(3)))
    d = AF.jvp(lambda s, t: s.sin(), (x, y), (torch.ones(3), torch.ones(3)))
    e = AF.jvp(lambda t: (t * 2, torch.ones(2)), x, torch.ones(3))
    return a, b, c, d, e


@program(G)
def jvp_create_graph_strict_and_errors(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3, lo=0.2).requires_grad_()
    out, g = AF.jvp(lambda t: t ** 3, x, torch.ones(3), create_graph=True)
    g.sum().backward()
    return (loose(out), loose(g), x.grad,
            err(lambda: AF.jvp(lambda t: t * 2, x)),
            err(lambda: AF.jvp(lambda t: t * 2, x, torch.ones(4))),
            err(lambda: AF.jvp(lambda s, t: s * 2, (x, x), (torch.ones(3),))),
            err(lambda: AF.jvp(lambda s, t: s * 2, (x, x), (torch.ones(3), torch.ones(2)))),
            err(lambda: AF.jvp(lambda s, t: s * 2, (x, x), (torch.ones(3),) * 2, strict=True)),
            err(lambda: AF.jvp(lambda t: torch.ones(3), x, torch.ones(3), strict=True)))


# -- vhp / hvp --------------------------------------------------------------------------------

@program(G)
def vhp_and_hvp_values(torch):
    AF = torch.autograd.functional
    x, y = _v(torch, 3, lo=0.2), _v(torch, 2, lo=-0.5)
    f = lambda a: (a.sin() * a ** 2).sum()  # noqa: E731
    g = lambda a, b: (a ** 2).sum() * b.exp().sum()  # noqa: E731
    v = torch.tensor([1.0, -0.5, 2.0])
    vs = (torch.ones(3), torch.tensor([0.5, -1.0]))
    return (AF.vhp(f, x, v), AF.hvp(f, x, v), AF.vhp(g, (x, y), vs), AF.hvp(g, (x, y), vs),
            AF.vhp(lambda a: (a ** 3).sum(), torch.tensor([1.5])),
            AF.hvp(lambda a, b: (a ** 2).sum(), (x, y), vs))


@program(G)
def vhp_hvp_create_graph_and_errors(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3, lo=0.2).requires_grad_()
    out, h = AF.hvp(lambda a: (a ** 4).sum(), x, torch.ones(3), create_graph=True)
    h.sum().backward()
    out2, h2 = AF.vhp(lambda a: (a ** 4).sum(), x, torch.ones(3), create_graph=True)
    f = lambda a: (a ** 2).sum()  # noqa: E731
    return (loose(out), loose(h), x.grad, loose(out2), loose(h2),
            err(lambda: AF.vhp(f, x)),
            err(lambda: AF.hvp(f, x, torch.ones(2))),
            err(lambda: AF.vhp(lambda a: a ** 2, x, torch.ones(3))),
            err(lambda: AF.hvp(lambda a: (a.sum(), a.sum()), x, torch.ones(3))),
            err(lambda: AF.vhp(lambda a: (a * 2).sum(), x, torch.ones(3), strict=True)),
            err(lambda: AF.hvp(lambda a: (a * 2).sum(), x, torch.ones(3), strict=True)),
            AF.hvp(lambda a: (a * 2).sum(), x, torch.ones(3)))


@program(G)
def functional_under_no_grad(torch):
    AF = torch.autograd.functional
    x = _v(torch, 3).requires_grad_()
    with torch.no_grad():
        j = AF.jacobian(lambda a: a ** 2, x)
        out, g = AF.vjp(lambda a: a ** 2, x, torch.ones(3))
        out2, jv = AF.jvp(lambda a: a ** 2, x, torch.ones(3))
        h = AF.hessian(lambda a: (a ** 3).sum(), x)
        _, gc = AF.vjp(lambda a: a ** 2, x, torch.ones(3), create_graph=True)
    return j, out, g, out2, jv, h, loose(gc), torch.is_grad_enabled()


# -- gradcheck --------------------------------------------------------------------------------

@program(G)
def gradcheck_passing(torch):
    gradcheck = torch.autograd.gradcheck
    x = _v(torch, 3, lo=0.3, dtype=torch.float64).requires_grad_()
    w = _v(torch, 3, 2, dtype=torch.float64).requires_grad_()
    c = torch.tensor([1.0, 2.0], dtype=torch.float64)
    return (gradcheck(lambda a: a.sin() * a, (x,)),
            gradcheck(lambda a, b: (a @ b).tanh(), (x, w)),
            gradcheck(lambda a, b, k: ((a @ b) * k, a.exp(), k * 2), (x, w, c)),
            gradcheck(lambda a, n: a ** n, (x, 3)),
            gradcheck(lambda a: (a.detach() * 0 + a).sum(), x, eps=1e-5, atol=1e-4),
            gradcheck(lambda a: a.sum() * 2, [x], raise_exception=False),
            x.grad, w.grad)


@program(G)
def gradcheck_failing_with_a_wrong_derivative(torch):
    gradcheck = torch.autograd.gradcheck
    x = _v(torch, 2, lo=0.5, dtype=torch.float64).requires_grad_()
    y = _v(torch, 3, lo=-1.0, dtype=torch.float64).requires_grad_()
    half = lambda a: a * a.detach()  # noqa: E731  (derivative a, true 2a)
    return (err(lambda: gradcheck(half, x)),
            gradcheck(half, x, raise_exception=False),
            err(lambda: gradcheck(lambda a, b: (a.sum() * b, half(b)), (x, y))),
            err(lambda: gradcheck(lambda a: (a * 2).detach() + a.detach(), x)),
            err(lambda: gradcheck(lambda a: a.detach() ** 2 + a, x, atol=1e-3)))


@program(G)
def gradcheck_input_checks(torch):
    gradcheck = torch.autograd.gradcheck
    f32 = _v(torch, 2, lo=0.5).requires_grad_()
    d = torch.tensor([1.0, 2.0], dtype=torch.float64)
    e = torch.tensor([1.0, 2.0], dtype=torch.float64).expand(3, 2).requires_grad_()
    return (warns(lambda: err(lambda: gradcheck(lambda a: a ** 2, f32))),
            warns(lambda: gradcheck(lambda a: a ** 2, f32, atol=1e-1, rtol=1e-1)),
            err(lambda: gradcheck(lambda a: a ** 2, d)),
            err(lambda: gradcheck(lambda a: a ** 2, (d, 3.0))),
            err(lambda: gradcheck(lambda a: a * 2, e)),
            err(lambda: gradcheck(lambda a: a, d.requires_grad_(), check_backward_ad=False)),
            err(lambda: gradcheck(lambda a: a, d, check_batched_grad=True,
                                  check_backward_ad=False, check_forward_ad=True)))


@program(G)
def gradcheck_nondifferentiable_outputs_and_forward_ad(torch):
    gradcheck = torch.autograd.gradcheck
    x = _v(torch, 3, lo=0.6, dtype=torch.float64).requires_grad_()
    at_step = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    return (gradcheck(lambda a: (a > 1.2).double(), x),
            err(lambda: gradcheck(lambda a: (a > 1).double(), at_step)),
            err(lambda: gradcheck(lambda a: a.floor() * 2, at_step)),
            err(lambda: gradcheck(lambda a: a.detach() * 2, x)),
            gradcheck(lambda a: a.exp(), x, check_forward_ad=True),
            gradcheck(lambda a: a.exp(), x, check_forward_ad=True, check_backward_ad=False),
            gradcheck(lambda a: (a.floor(), a * 2), x))


@program(G)
def gradcheck_complex(torch):
    gradcheck = torch.autograd.gradcheck
    z = torch.tensor([1.0 + 2.0j, -0.5 + 0.3j], dtype=torch.complex128, requires_grad=True)
    x = _v(torch, 2, lo=0.5, dtype=torch.float64).requires_grad_()
    return (gradcheck(lambda a: (a * a).abs(), z),
            gradcheck(lambda a: a * a.conj() + a.exp(), z),
            gradcheck(lambda a: torch.complex(a, a ** 2) * (1 + 2j), x),
            err(lambda: gradcheck(lambda a: torch.complex(a, a * a.detach()), x)))


@program(G)
def gradgradcheck_passing_and_failing(torch):
    gradgradcheck = torch.autograd.gradgradcheck
    x = _v(torch, 3, lo=0.3, dtype=torch.float64).requires_grad_()
    y = _v(torch, 2, lo=-0.3, dtype=torch.float64).requires_grad_()
    go = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.manual_seed(0)
    random_go = gradgradcheck(lambda a, b: (a.sin() * b.sum(), a * b[0]), (x, y))
    return (gradgradcheck(lambda a: a ** 3, x, go),
            gradgradcheck(lambda a, b: (a.exp() * b.sum()).sum(), (x, y)),
            random_go,
            err(lambda: gradgradcheck(lambda a: a ** 2 * a.detach(), x, go)),
            gradgradcheck(lambda a: a ** 2 * a.detach(), x, go, raise_exception=False))


@program(G)
def gradgradcheck_random_grad_outputs_show_in_the_message(torch):
    # the random grad_outputs come from torch's generator: the failure message shows them
    gradgradcheck = torch.autograd.gradgradcheck
    x = _v(torch, 2, lo=0.3, dtype=torch.float64).requires_grad_()
    torch.manual_seed(3)
    return err(lambda: gradgradcheck(lambda a: a ** 2 * a.detach(), x))


@pytest.mark.parametrize("prog", PROGRAMS[G], ids=lambda p: p.__name__)
def test_autograd_functional_like_torch(prog):
    check(prog, limit_s=60)


# -- the import forms, in a script run on the shim -------------------------------------------

SCRIPT = textwrap.dedent("""
    import torch
    import torch.autograd.functional as AF
    from torch.autograd.functional import hessian, jacobian
    from torch.autograd import gradcheck, gradgradcheck
    from torch.autograd.gradcheck import GradcheckError
    import torch.autograd.gradcheck as gc

    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    print(torch.autograd.functional.jacobian(lambda a: a ** 2, x))
    print(AF.vhp(lambda a: (a ** 3).sum(), x, torch.ones(2, dtype=torch.float64)))
    print(hessian(lambda a, b: (a * b).sum() ** 2, (x, x)))
    print(jacobian(lambda a: (a.exp(), a.sum()), x, create_graph=True))
    print(torch.autograd.gradcheck(lambda a: a.sin() * a, (x,)), gradgradcheck(lambda a: a ** 3, x))
    print(type(torch.autograd.gradcheck).__name__, type(gc).__name__,
          issubclass(GradcheckError, RuntimeError))
    try:
        gradcheck(lambda a: a * a.detach(), x)
    except GradcheckError as e:
        print(repr(e))
""")


def test_import_forms_in_a_script_match_torch(tmp_path):
    script = tmp_path / "af_script.py"
    script.write_text(SCRIPT)
    real = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    shim = subprocess.run([sys.executable, "-m", "tracegrad.interop.torch", str(script)],
                          capture_output=True, text=True, timeout=120)
    assert real.returncode == 0, real.stderr
    assert shim.returncode == 0, shim.stderr
    assert shim.stdout == real.stdout
