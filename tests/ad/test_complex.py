"""Complex values in a traced computation: JAX's conventions, exact in every mode.

Issue 10 asked for complex intermediates to be refused until supported (they were); issue 15
supports them, so the shapes that used to be refused now give their exact derivatives. A
primitive whose rules are real-only still refuses a complex value, naming itself.
"""

import numpy as np
import pytest
import scipy.special as sc

import optkit
from optkit.ad.core import ComplexValueError

from .table import Row, check_complex_row, fd_grad

X0 = np.array([0.5, -1.3, 2.0, 0.1])
V = np.array([1.0, -2.0, 0.5, 3.0])


def _abs_exp_real(x):  # |sum exp(ix)|^2 written with real functions only
    return np.sum(np.cos(x)) ** 2 + np.sum(np.sin(x)) ** 2


SHAPES = {
    # name: (f with a complex intermediate, the same real function written without one)
    "abs-sum-exp-1j": (lambda x: np.abs(np.sum(np.exp(1j * x))) ** 2, _abs_exp_real),
    "imag-times-complex": (lambda x: np.sum(np.imag(x * (1 + 2j))), lambda x: 2.0 * np.sum(x)),
    "sin-real-plus-1j": (lambda x: np.sum(np.sin(np.real(x + 1j))), lambda x: np.sum(np.sin(x))),
    "conj-complex": (lambda x: np.sum(np.real(np.conj(x - 2j) * x)), lambda x: np.sum(x * x)),
    "angle": (lambda x: np.sum(np.angle(1.0 + x * 1j)), lambda x: np.sum(np.arctan(x))),
    "where-complex-constant": (lambda x: np.sum(np.abs(np.where(x > 0, x, 1j))),
                               lambda x: np.sum(np.where(x > 0, x, 1.0))),
    "dot-complex": (lambda x: np.abs(np.dot(x, np.full(4, 1 + 1j))),
                    lambda x: np.sqrt(2.0) * np.abs(np.sum(x))),
    "astype-complex": (lambda x: np.sum(np.real(x.astype(complex) * (2 - 1j))),
                       lambda x: 2.0 * np.sum(x)),
}

MODES = {
    "forward": lambda f: optkit.jvp(f, X0, V)[1],
    "reverse": lambda f: optkit.grad(f)(X0),
    "hvp": lambda f: optkit.hvp(f, X0, V),
    "compiled-grad": lambda f: optkit.grad(optkit.compile(f))(X0),
    "compiled-hvp": lambda f: optkit.hvp(optkit.compile(f), X0, V),
}
REAL_MODES = {  # the reference: the real function, in the same mode, uncompiled
    "forward": lambda f: optkit.jvp(f, X0, V)[1],
    "reverse": lambda f: optkit.grad(f)(X0),
    "hvp": lambda f: optkit.hvp(f, X0, V),
    "compiled-grad": lambda f: optkit.grad(f)(X0),
    "compiled-hvp": lambda f: optkit.hvp(f, X0, V),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", SHAPES)
def test_complex_intermediate_gives_the_exact_derivative(name, mode):
    # (issue 15: these asserted a ComplexValueError until complex support landed)
    f, real_f = SHAPES[name]
    assert f(X0) == pytest.approx(real_f(X0), rel=1e-14)
    np.testing.assert_allclose(MODES[mode](f), REAL_MODES[mode](real_f), rtol=1e-12,
                               atol=1e-14)


def test_issue_10_examples_by_value():
    g = optkit.grad(SHAPES["abs-sum-exp-1j"][0])(X0)
    np.testing.assert_allclose(g, [-0.7315419, 3.6031033, -3.5720988, 0.7005374], atol=1e-6)
    np.testing.assert_allclose(g, fd_grad(SHAPES["abs-sum-exp-1j"][0], X0), rtol=1e-7)
    f = SHAPES["imag-times-complex"][0]
    assert f(X0) == pytest.approx(2.0 * np.sum(X0))
    np.testing.assert_allclose(optkit.grad(f)(X0), 2.0, rtol=1e-15)
    np.testing.assert_allclose(optkit.grad(SHAPES["sin-real-plus-1j"][0])(X0), np.cos(X0),
                               rtol=1e-15)


def test_gradient_is_dfdx_minus_i_dfdy():
    # JAX's FAQ: grad(lambda z: abs(z)**2)(3+4j) == 6-8j, grad(abs)(3+4j) == 0.6-0.8j
    assert optkit.grad(lambda z: np.abs(z) ** 2)(3 + 4j) == pytest.approx(6 - 8j)
    assert optkit.grad(np.abs)(3 + 4j) == pytest.approx(0.6 - 0.8j)
    z = np.array([0.3 + 0.2j, -1.1 + 0.7j])

    def f(z):
        return np.sum(np.abs(np.sin(z)) ** 2 + np.real(z) * np.imag(z))

    g = optkit.grad(f)(z)
    assert g.dtype == np.complex128
    fx = fd_grad(lambda x: f(x + 1j * z.imag), z.real)
    fy = fd_grad(lambda y: f(z.real + 1j * y), z.imag)
    np.testing.assert_allclose(g, fx - 1j * fy, rtol=1e-7)


def test_holomorphic_derivatives():
    z = np.array([0.3 + 0.2j, -0.5 + 1.0j])
    d = np.cos(z)
    np.testing.assert_allclose(optkit.grad(lambda z: np.sum(np.sin(z)), holomorphic=True)(z), d)
    for jac in (optkit.jacfwd, optkit.jacrev, optkit.jacobian):
        np.testing.assert_allclose(jac(np.sin, holomorphic=True)(z), np.diag(d), rtol=1e-15)
    np.testing.assert_allclose(optkit.hessian(lambda z: np.sum(z**3), holomorphic=True)(z),
                               np.diag(6 * z), rtol=1e-14)


def test_holomorphic_errors_as_in_jax():
    z = np.array([0.3 + 0.2j, -0.5 + 1.0j])
    with pytest.raises(TypeError, match="grad requires real-valued outputs.*holomorphic=True"):
        optkit.grad(lambda z: np.sum(np.sin(z)))(z)
    with pytest.raises(TypeError, match="jacrev requires real-valued outputs"):
        optkit.jacrev(np.sin)(z)
    with pytest.raises(TypeError, match="jacfwd requires real-valued inputs"):
        optkit.jacfwd(np.sin)(z)
    with pytest.raises(TypeError, match="holomorphic=True requires complex inputs"):
        optkit.grad(lambda x: np.sum(np.sin(x * 1j)), holomorphic=True)(np.ones(2))
    with pytest.raises(TypeError, match="holomorphic=True requires complex outputs"):
        optkit.grad(lambda z: np.sum(np.abs(z)), holomorphic=True)(z)
    with pytest.raises(TypeError, match="holomorphic must be True or False"):
        optkit.grad(np.sum, holomorphic=1)


def test_real_to_complex_jacobian_by_forward_mode():
    x = np.array([0.1, 0.2])
    J = optkit.jacfwd(lambda x: np.exp(1j * x))(x)
    np.testing.assert_allclose(J, np.diag(1j * np.exp(1j * x)), rtol=1e-15)


def test_jvp_and_vjp_on_complex_tangents_are_transposes():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    v = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    u = rng.standard_normal(3) + 1j * rng.standard_normal(3)

    def f(z):
        return np.exp(z) * np.conj(z) + np.abs(z)

    _, jv = optkit.jvp(f, z, v)
    _, pullback = optkit.vjp(f, z)
    assert np.real(np.sum(u * jv)) == pytest.approx(np.real(np.sum(pullback(u) * v)), rel=1e-12)


def test_tangent_dtype_must_match():
    with pytest.raises(TypeError, match="v is complex but the value it goes with is real"):
        optkit.jvp(np.sin, {"a": np.ones(2)}, {"a": np.ones(2) * 1j})
    # a real tangent of a complex primal is promoted
    _, t = optkit.jvp(np.exp, np.array([1j]), np.array([1.0]))
    np.testing.assert_allclose(t, np.exp([1j]))


def test_rules_without_complex_support_refuse_naming_the_function():
    with pytest.raises(ComplexValueError, match="^maximum has no complex derivative rule"):
        optkit.grad(lambda x: np.sum(np.abs(np.maximum(x * 1j, 0.5j))))(X0)
    with pytest.raises(ComplexValueError, match="^gammaln has no complex derivative rule"):
        optkit.grad(lambda x: np.sum(np.abs(sc.gammaln(x * 1j))))(X0)


def test_complex_constants_away_from_the_trace_are_fine():
    c = np.abs(np.exp(1j * np.arange(4.0)) + 1.0)

    def f(x):
        return np.sum(c * x**2)

    np.testing.assert_allclose(optkit.grad(f)(X0), 2.0 * c * X0, rtol=1e-15)


def test_real_if_close_and_iscomplex():
    def f(x):
        z = x * (1 + 1e-20j)
        assert not np.iscomplex(np.real_if_close(z)).any()
        return np.sum(np.real_if_close(z) ** 2)

    np.testing.assert_allclose(optkit.grad(f)(X0), 2 * X0, rtol=1e-15)
    assert np.iscomplex(optkit.jvp(lambda x: x * 1j, X0, V)[0]).all()


# ---- the elementwise rules with a complex meaning, against central differences -------------
_Z = np.array([0.3 + 0.4j, -0.7 + 0.2j, 1.1 - 0.5j])
_W = np.array([0.8 - 0.3j, 0.5 + 0.6j, -0.4 - 0.9j])

COMPLEX_ROWS = [
    Row("add", lambda a, b: a + b, (_Z, _W)),
    Row("subtract", lambda a, b: a - b, (_Z, _W)),
    Row("multiply", lambda a, b: a * b, (_Z, _W)),
    Row("divide", lambda a, b: a / b, (_Z, _W)),
    Row("power", lambda a, b: a**b, (_Z, _W)),
    Row("power-int", lambda a: a**3, (_Z,)),
    Row("square", np.square, (_Z,)),
    Row("reciprocal", np.reciprocal, (_Z,)),
    Row("negative", np.negative, (_Z,)),
    Row("sqrt", np.sqrt, (_Z,)),
    Row("exp", np.exp, (_Z,)),
    Row("expm1", np.expm1, (_Z,)),
    Row("exp2", np.exp2, (_Z,)),
    Row("log", np.log, (_Z,)),
    Row("log2", np.log2, (_Z,)),
    Row("log10", np.log10, (_Z,)),
    Row("log1p", np.log1p, (_Z,)),
    Row("sin", np.sin, (_Z,)),
    Row("cos", np.cos, (_Z,)),
    Row("tan", np.tan, (_Z,)),
    Row("arcsin", np.arcsin, (_Z,)),
    Row("arccos", np.arccos, (_Z,)),
    Row("arctan", np.arctan, (_Z,)),
    Row("sinh", np.sinh, (_Z,)),
    Row("cosh", np.cosh, (_Z,)),
    Row("tanh", np.tanh, (_Z,)),
    Row("arcsinh", np.arcsinh, (_Z,)),
    Row("arccosh", np.arccosh, (_Z,)),
    Row("arccosh-left", np.arccosh, (np.array([-1.5 + 0.3j, -0.2 - 0.4j]),)),
    Row("arctanh", np.arctanh, (_Z,)),
    Row("sinc", np.sinc, (_Z,)),
    Row("abs", np.abs, (_Z,)),
    Row("conj", np.conj, (_Z,)),
    Row("real", np.real, (_Z,)),
    Row("imag", np.imag, (_Z,)),
    Row("angle", np.angle, (_Z,)),
    Row("angle-deg", lambda z: np.angle(z, deg=True), (_Z,)),
    Row("where", lambda a, b: np.where(np.array([True, False, True]), a, b), (_Z, _W)),
    Row("sum", lambda a: np.sum(a * a), (_Z,)),
    Row("mean", lambda a: np.mean(a) * a, (_Z,)),
    Row("prod", lambda a: np.prod(a), (_Z,)),
    Row("getitem-concat", lambda a: np.concatenate([a[1:], a[:1] * 2]), (_Z,)),
    Row("reshape-transpose", lambda a: np.reshape(a, (3, 1)).T, (_Z,)),
]


@pytest.mark.parametrize("row", COMPLEX_ROWS, ids=str)
def test_complex_rule(row):
    check_complex_row(row)


def test_minimize_refuses_a_complex_start_and_handles_complex_intermediates():
    with pytest.raises(TypeError, match="x0 is complex; optkit.minimize works over real"):
        optkit.minimize(lambda x: np.sum(np.abs(x) ** 2), np.array([1 + 1j, 2.0]))
    with pytest.raises(TypeError, match=r"x0\['a'\]: dtype complex128"):
        optkit.minimize(lambda x: np.sum(np.abs(x["a"]) ** 2), {"a": np.ones(2) * 1j})
    res = optkit.minimize(SHAPES["abs-sum-exp-1j"][0], X0)
    assert res.success and res.fun < 1e-8


# ---- linear algebra on complex matrices --------------------------------------------------------
def _cmat(shape, seed):
    r = np.random.default_rng(seed)
    return r.standard_normal(shape) + 1j * r.standard_normal(shape)


_A = _cmat((3, 3), 1) + 3.0 * np.eye(3)
_B = _cmat((3, 2), 2)
_H = _A + _A.conj().T  # Hermitian, distinct eigenvalues
_R = _cmat((3, 4), 3)

LINALG_ROWS = [
    Row("matmul", lambda a, b: a @ b, (_A, _B)),
    Row("dot-vector", lambda a, b: np.dot(a, b), (_A, _B[:, 0])),
    Row("einsum", lambda a, b: np.einsum("ij,jk->ik", a, b), (_A, _B)),
    Row("tensordot", lambda a, b: np.tensordot(a, b, axes=1), (_A, _B)),
    Row("vdot", lambda a, b: np.vdot(a, b), (_B[:, 0], _B[:, 1])),
    Row("vecdot", lambda a, b: np.vecdot(a, b), (_B.T, _A[:2])),
    Row("vecmat", lambda a, b: np.vecmat(a, b), (_B[:, 0], _A)),
    Row("matvec", lambda a, b: np.matvec(a, b), (_A, _B[:, 0])),
    Row("solve", np.linalg.solve, (_A, _B)),
    Row("solve-vector", np.linalg.solve, (_A, _B[:, 0])),
    Row("inv", np.linalg.inv, (_A,)),
    Row("det", np.linalg.det, (_A,)),
    Row("slogdet-sign", lambda a: np.linalg.slogdet(a)[0], (_A,)),
    Row("slogdet-logabsdet", lambda a: np.linalg.slogdet(a)[1], (_A,)),
    Row("eigh-values", lambda a: np.linalg.eigh(a)[0], (_H,)),
    Row("eigh-values-U", lambda a: np.linalg.eigh(a, UPLO="U")[0], (_H,)),
    # the eigenvectors' phases are LAPACK's choice: test phase-invariant functions of them
    Row("eigh-projectors", lambda a: np.abs(np.linalg.eigh(a)[1]) ** 2, (_H,)),
    Row("eigh-reconstruct", lambda a: (lambda w, v: (v * w**2) @ v.conj().T)(*np.linalg.eigh(a)),
        (_H,)),
    Row("eigvalsh", np.linalg.eigvalsh, (_H,)),
    Row("eigvalsh-U", lambda a: np.linalg.eigvalsh(a, UPLO="U"), (_H,)),
    Row("svdvals", lambda a: np.linalg.svd(a, compute_uv=False), (_R,)),
    Row("norm-fro", np.linalg.norm, (_R,)),
    Row("norm-2", lambda a: np.linalg.norm(a, 2), (_R,)),
    Row("norm-nuc", lambda a: np.linalg.norm(a, "nuc"), (_R,)),
    Row("norm-vector", lambda a: np.linalg.norm(a, axis=0), (_R,)),
    Row("norm-vector-1", lambda a: np.linalg.norm(a, 1, axis=0), (_R,)),
    Row("norm-vector-3", lambda a: np.linalg.norm(a, 3, axis=0), (_R,)),
    Row("norm-matrix-inf", lambda a: np.linalg.norm(a, np.inf), (_R,)),
    Row("var", lambda a: np.var(a, axis=0), (_R,)),
    Row("std", lambda a: np.std(a, axis=1), (_R,)),
]


@pytest.mark.parametrize("row", LINALG_ROWS, ids=str)
def test_complex_linalg_rule(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name, f", [
    ("mean", lambda z: np.abs(np.mean(z * z)) ** 2),
    ("cumsum", lambda z: np.sum(np.abs(np.cumsum(z)) ** 2)),
    ("cumprod", lambda z: np.sum(np.abs(np.cumprod(z)) ** 2)),
    ("diff", lambda z: np.sum(np.abs(np.diff(z)) ** 2)),
    ("kron", lambda z: np.sum(np.abs(np.kron(z, z)))),
    ("sort", lambda z: np.sum(np.abs(np.sort(z)) * np.arange(5.0))),
    ("stack-concatenate", lambda z: np.sum(np.abs(np.concatenate([z[:2] * 1j, z, z[::-1]])))),
    ("zeros_like-setitem", lambda z: (lambda y: np.sum(np.abs(y) ** 3))(
        np.zeros_like(z) + z * z)),
    ("full_like", lambda z: np.sum(np.abs(np.full_like(z, 2.0) * z) ** 2)),
    ("nansum", lambda z: np.abs(np.nansum(z * z))),
    ("real-times-complex", lambda z: np.abs(np.dot(np.real(z), z))),
    ("matrix_power", lambda z: np.abs(np.sum(np.linalg.matrix_power(np.outer(z, z) + np.eye(5),
                                                                     3)))),
])
def test_compositions_of_complex_values_against_differences(name, f):
    r = np.random.default_rng(0)
    z = r.standard_normal(5) + 1j * r.standard_normal(5)
    g = optkit.grad(f)(z)
    h = 1e-6
    fd = np.array([(f(z + h * e) - f(z - h * e)) / (2 * h)
                   - 1j * (f(z + 1j * h * e) - f(z - 1j * h * e)) / (2 * h) for e in np.eye(5)])
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-8)


def test_compiled_with_complex_inputs():
    z = np.array([1 + 2j, 0.5 - 1j])

    def f(z):
        return np.sum(np.abs(np.exp(z)) ** 2)

    cf = optkit.compile(f)
    for _ in range(2):  # stages, then replays
        np.testing.assert_allclose(optkit.grad(cf)(z), optkit.grad(f)(z), rtol=1e-14)
        np.testing.assert_allclose(optkit.hvp(cf, z, z), optkit.hvp(f, z, z), rtol=1e-14)
    assert cf.is_dynamic(z) is None


# ---- the input side: a real-only rule never sees a complex argument ---------------------------
@optkit.custom_primitive
def _abs2(z):                       # |z|^2: real result, rules written for real z only
    return np.sum(np.real(z * np.conj(z)))


@_abs2.defjvp
def _abs2_jvp(t, ans, z):
    return 2.0 * np.sum(z * t)      # wrong for complex z: d|z|^2 = 2 Re(conj(z) t)


@_abs2.defvjp
def _abs2_vjp(g, ans, z):
    return 2.0 * g * z


@pytest.mark.parametrize("mode", ["grad", "jvp", "hvp", "compiled-grad", "real-to-complex"])
def test_a_real_only_rule_refuses_a_complex_argument_even_with_a_real_result(mode):
    z = np.array([0.3 + 0.4j, -1.0 + 0.2j])
    x = np.array([0.3, -1.0])
    calls = {
        "grad": lambda: optkit.grad(_abs2)(z),
        "jvp": lambda: optkit.jvp(_abs2, z, z),
        "hvp": lambda: optkit.hvp(_abs2, z, z),
        "compiled-grad": lambda: optkit.grad(optkit.compile(_abs2))(z),
        # a real input, made complex before the primitive
        "real-to-complex": lambda: optkit.grad(lambda x: _abs2(x * (1 + 1j)))(x),
    }
    with pytest.raises(ComplexValueError, match="^_abs2 has no complex derivative rule"):
        calls[mode]()
    # on real values the same rules are used as written
    np.testing.assert_allclose(optkit.grad(_abs2)(x), 2 * x, rtol=1e-15)
    np.testing.assert_allclose(optkit.jvp(_abs2, x, x)[1], 2 * x @ x, rtol=1e-15)


def test_a_complex_constant_argument_of_a_real_only_rule_is_refused_too():
    with pytest.raises(ComplexValueError, match="^maximum has no complex"):
        optkit.grad(lambda x: np.sum(np.abs(np.maximum(x, np.array([1j, 0, 0, 0])))))(X0)
