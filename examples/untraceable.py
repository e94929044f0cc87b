"""What optkit's AD refuses, the error it raises, and the rewrite that differentiates.

optkit never answers silently wrong: code that would lose the derivative raises an error that
names the operation and says what to write instead. Each case below runs the refused code,
prints the error exactly as raised, then runs the rewrite and checks its gradient against
central finite differences (``optkit.check_grads``).
"""

import textwrap

import numpy as np
import scipy.integrate
import scipy.special

import optkit

x = np.array([0.3, -0.5, 0.9, 0.2])
kept = []  # for the escaped-tracer case


# ---- the refused code ------------------------------------------------------------------------
def uses_float(x):
    scale = float(np.max(np.abs(x)))          # a Python float has no derivative
    return np.sum((x / scale) ** 2)


def fills_plain_array(x):
    y = np.zeros(2)                            # a plain array cannot hold traced entries
    y[0] = x[0] ** 2
    y[1] = x[1] * x[2]
    return np.sum(y**2)


def accumulates_in_place(x):
    acc = np.zeros(4)
    acc += x**2                                # in-place on a plain array (also out=)
    return np.sum(acc)


def scipy_logsumexp(x):
    return scipy.special.logsumexp(x)          # SciPy calls np.asarray on its input


def complex_exponential(x):
    return np.abs(np.sum(np.exp(1j * x))) ** 2  # complex values are not supported yet


def fft_power(x):
    return np.sum(np.abs(np.fft.rfft(x)) ** 2)  # no derivative rule for numpy.fft.rfft


def integer_cast(x):
    return np.sum(x.astype(int) * x)           # only float dtypes keep a derivative


def external_code(x):
    # quad calls the integrand with plain floats: the traced x[0] must become a float
    return scipy.integrate.quad(lambda t: np.exp(-x[0] * t), 0.0, 1.0)[0]


def stores_a_tracer(x):
    kept.append(x * 2.0)                       # a traced value escapes the transformation
    return np.sum(x**2)


# ---- the rewrites ---------------------------------------------------------------------------
def uses_float_fixed(x):
    scale = np.max(np.abs(x))                  # keep it a numpy value: it stays traced
    return np.sum((x / scale) ** 2)


def fills_plain_array_fixed(x):
    y = np.stack([x[0] ** 2, x[1] * x[2]])     # or y = np.zeros_like(x); y[0] = ...
    return np.sum(y**2)


def accumulates_in_place_fixed(x):
    acc = np.zeros(4)
    acc = acc + x**2                           # a new array, not an in-place update
    return np.sum(acc)


def scipy_logsumexp_fixed(x):
    return optkit.special.logsumexp(x)         # the differentiable version


def complex_exponential_fixed(x):
    return np.sum(np.cos(x)) ** 2 + np.sum(np.sin(x)) ** 2  # real and imaginary parts


N = len(x)
k = np.arange(N // 2 + 1)[:, None] * np.arange(N)[None, :]
C, S = np.cos(2 * np.pi * k / N), np.sin(2 * np.pi * k / N)


def fft_power_fixed(x):
    return np.sum((C @ x) ** 2 + (S @ x) ** 2)  # the DFT as two real matrices


def integer_cast_fixed(x):
    return np.sum(np.trunc(x) * x)             # same values; trunc's derivative is 0


@optkit.custom_primitive
def laplace_integral(a):                       # plain numpy in, plain numpy out
    return scipy.integrate.quad(lambda t: np.exp(-a * t), 0.0, 1.0)[0]


def _dlaplace(a):                              # d/da of the integral, also by quadrature
    return scipy.integrate.quad(lambda t: -t * np.exp(-a * t), 0.0, 1.0)[0]


laplace_integral.defjvp(lambda t, ans, a: t * _dlaplace(a))
laplace_integral.defvjp(lambda g, ans, a: g * _dlaplace(a))


def external_code_fixed(x):
    return laplace_integral(x[0])


def stores_a_tracer_fixed(x):
    return np.sum(x**2), x * 2.0               # return it as auxiliary data instead


# ---- run them ------------------------------------------------------------------------------
def show(bad, good):
    print(f"{bad.__name__}:")
    try:
        optkit.grad(bad)(x)
        if bad is stores_a_tracer:             # the escaped value fails when it is used
            np.sum(kept[0])
        print("  (no error)")
    except (optkit.NotDifferentiableError, optkit.TracerConversionError,
            optkit.EscapedTracerError) as exc:
        message = textwrap.fill(str(exc), 92, initial_indent="    ", subsequent_indent="    ")
        print(f"  {type(exc).__name__}:\n{message}")
    if good is stores_a_tracer_fixed:
        g, aux = optkit.grad(good, has_aux=True)(x)
        print(f"  rewrite {good.__name__}: gradient {np.round(g, 4)}, aux {np.round(aux, 4)}")
        return
    optkit.check_grads(good, x, modes=("fwd", "rev"), order=1)
    print(f"  rewrite {good.__name__}: gradient {np.round(optkit.grad(good)(x), 4) + 0.0}, "
          "checked against finite differences")


cases = [(uses_float, uses_float_fixed), (fills_plain_array, fills_plain_array_fixed),
         (accumulates_in_place, accumulates_in_place_fixed),
         (scipy_logsumexp, scipy_logsumexp_fixed),
         (complex_exponential, complex_exponential_fixed), (fft_power, fft_power_fixed),
         (integer_cast, integer_cast_fixed), (external_code, external_code_fixed),
         (stores_a_tracer, stores_a_tracer_fixed)]
for bad, good in cases:
    show(bad, good)
    print()
