"""Value spaces (autograd's ``VSpace``): what AD needs to know about the type of a value.

A :class:`VSpace` describes the space an input leaf lives in: its shape, its dtype, and
whether the user passed a Python/numpy scalar (which then gets Python floats back). It is the
one place that knows

- the *traced* dtype: what a value is converted to before tracing (``trace_dtype``);
- the tangent *zeros* of the space (``zeros``);
- the *covector* of a tangent, for the pairing ``<u, v> = sum(covector(u) * v)``: the
  identity for real spaces, complex conjugation for complex ones;
- how a cotangent or tangent computed by the kernel is *projected* back into the space: the
  real part for a real space, undone broadcasting, and a cast to the space's own dtype.

The boundary (``api``) asks for the space of each input leaf once per call; spaces are cached
per (shape, dtype, scalar), and a float64 ndarray, the common case, is one dictionary hit.

Traced computations run in float64, or complex128 for complex inputs: integer inputs have no
tangent space of their own and are promoted (their derivatives come back as float64, the
intended default), and float32/float16/complex64 inputs are traced in double precision too,
their derivatives projected back to their own dtype (so they are correct to that dtype's
precision, and more accurate than JAX's single-precision arithmetic). That promotion is stated
once, here (``TRACE_DTYPE``, ``COMPLEX_DTYPE``), and only here.

Complex values follow JAX's conventions (JAX FAQ, "Complex numbers and differentiation"):

- a JVP is the derivative applied to a complex tangent: ``f'(z) t`` for holomorphic ``f``, the
  real-linear map ``t -> df`` in general (``|z|``: ``Re(conj(z) t) / |z|``);
- a VJP is its transpose for the real pairing ``<a, b> = Re(sum(a * b))``, *without* a
  conjugate: ``vjp(ct) = ct * f'(z)`` for holomorphic ``f``;
- so ``grad`` of a real-valued ``f(z)``, ``z = x + iy``, is ``df/dx - i df/dy``, the conjugate
  of the steepest-ascent direction (JAX's ``grad(lambda z: abs(z)**2)(3+4j) == 6-8j``; descend
  along ``-conj(grad)``), and ``grad(f, holomorphic=True)`` is ``f'(z)``;
- a real input's cotangent is the real part of what the kernel computes (``project``);
- a rule that is not holomorphic (it involves conjugates: ``svd``, ``qr``, ``cholesky``,
  ``pinv``, ``eigh``) is the adjoint ``L*`` of its JVP ``L`` for the inner product
  ``Re tr(X^H Y)`` of matrix-calculus papers, turned into JAX's VJP as ``conj(L*(conj(g)))``;
  a holomorphic one (``solve``, ``expm``, a convolution) is the plain transpose of ``L``.

A primitive whose rules are real-only refuses a complex value, naming itself, whether it would
produce one (``core.check_complex``) or receive one (``core.check_real_args``).
"""

from __future__ import annotations

import numbers

import numpy as np

from .core import FLOAT64, Tracer, dtype_of, unbroadcast, value_of

__all__ = ["VSpace", "vspace", "as_input", "as_output", "tangent_zeros", "tangent_dtype",
           "TRACE_DTYPE", "COMPLEX_DTYPE", "traced_dtype"]

# The dtypes traced computations run in: real and complex double precision.
TRACE_DTYPE = FLOAT64  # core's name for it, where the traces test results against it
COMPLEX_DTYPE = np.dtype(np.complex128)


def traced_dtype(dtype):
    """The dtype a value of ``dtype`` is traced in: complex128 for complex, else float64."""
    return COMPLEX_DTYPE if dtype.kind == "c" else TRACE_DTYPE


class VSpace:
    """The space of one input leaf: ``shape``, ``dtype`` (the user's), ``scalar``.

    ``scalar`` is True for Python and numpy scalars and 0-d arrays: their derivatives leave the
    API as Python floats, as they always have.
    """

    __slots__ = ("shape", "dtype", "scalar", "size", "_complex")

    def __init__(self, shape, dtype, scalar):
        self.shape = shape
        self.dtype = dtype
        self.scalar = scalar
        self.size = int(np.prod(shape)) if shape else 1
        self._complex = dtype.kind == "c"

    def __repr__(self):
        return f"VSpace(shape={self.shape}, dtype={self.dtype})"

    def zeros(self):
        """The zero tangent (or cotangent) of this space, a plain value."""
        return 0.0 if self.scalar else np.zeros(self.shape, self.dtype)

    def covector(self, u):
        """The covector of ``u``: ``<u, v> = sum(covector(u) * v)`` (conjugate if complex)."""
        return np.conj(u) if self._complex else u

    def project(self, ct):
        """A tangent or cotangent from the kernel, brought back into this space.

        Broadcasting is undone (summed), a complex value loses its imaginary part in a real
        space, and the result has this space's dtype. Traced values (a derivative taken inside
        another one) stay traced and keep the kernel's dtype.
        """
        if (type(ct) is np.ndarray and ct.dtype is self.dtype and ct.shape == self.shape
                and not self.scalar and ct.flags.writeable):  # the common case
            return ct
        if isinstance(ct, Tracer):
            if np.shape(ct) != self.shape:
                ct = unbroadcast(ct, self.shape)
            return ct
        if not self._complex and np.iscomplexobj(ct):
            ct = np.real(ct)
        if self.scalar:
            return complex(ct) if self._complex else float(ct)
        if np.shape(ct) != self.shape:
            ct = unbroadcast(np.asarray(ct), self.shape)
        out = np.asarray(ct, dtype=self.dtype)
        if not out.flags.writeable:  # a broadcast view from a rule (sum's VJP): a real array
            out = out.copy()
        return out

    def basis(self):
        """The standard basis of the space, one array per entry, in C order."""
        n = self.size
        for k in range(n):
            e = np.zeros(n, traced_dtype(self.dtype))
            e[k] = 1.0
            yield e.reshape(self.shape)


_spaces: dict = {}


def vspace(x):
    """The :class:`VSpace` of ``x`` (a number, an array or a traced value); cached.

    The space's dtype is that of ``x``'s tangents (``tangent_dtype``): its own if inexact,
    the traced dtype for integers.
    """
    if type(x) is np.ndarray:
        key = (x.shape, x.dtype, x.ndim == 0)
    else:
        v = value_of(x)
        dtype = getattr(v, "dtype", None)
        if dtype is None:
            dtype = np.result_type(v)
        shape = np.shape(v)
        key = (shape, dtype, shape == () and not isinstance(x, Tracer))
    space = _spaces.get(key)
    if space is None:
        if len(_spaces) > 4096:  # many distinct shapes: start again rather than grow
            _spaces.clear()
        shape, dtype, scalar = key
        space = _spaces[key] = VSpace(shape, dtype if dtype.kind in "fc" else TRACE_DTYPE,
                                      scalar)
    return space


def tangent_dtype(x):
    """The dtype of tangents of ``x``: its own if inexact, else the traced default."""
    dtype = getattr(value_of(x), "dtype", None)
    if dtype is None or dtype.kind not in "fc":
        return TRACE_DTYPE  # integers and booleans have no tangent space of their own
    return dtype


def tangent_zeros(x):
    """Zeros in the tangent space of ``x``: plain, with ``x``'s shape."""
    return np.zeros(np.shape(value_of(x)), tangent_dtype(x))


def as_input(x, name="x"):
    """Validate one primal or tangent leaf and convert it to the traced dtype.

    Accepts a traced value, a number, or an array of numbers (real or complex; complex ones are
    traced in complex128); a TypeError names the argument (``name``, which may carry a path:
    ``argument 0['w']``) otherwise.
    """
    if type(x) is np.ndarray and x.dtype is TRACE_DTYPE:  # the common case, nothing to do
        return x
    if isinstance(x, Tracer):
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real or complex number or array, not a bool")
    if isinstance(x, numbers.Real):
        return TRACE_DTYPE.type(x)
    if isinstance(x, numbers.Complex):
        return COMPLEX_DTYPE.type(x)
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name} must be a real or complex number or array: {exc}") from None
    if arr.dtype.kind in "iuf":
        return arr.astype(TRACE_DTYPE, copy=False)
    if arr.dtype.kind == "c":
        return arr.astype(COMPLEX_DTYPE, copy=False)
    if arr.dtype.kind == "b":
        raise TypeError(f"{name} must be a real or complex array, not a boolean array")
    raise TypeError(
        f"{name} must be a real or complex number or array, got {type(x).__name__}"
        + (f" with dtype {arr.dtype}" if hasattr(arr, "dtype") else "")
    )


def as_output(value, like):
    """A function's value, leaving the API: a Python number for a scalar (``like`` None or a
    scalar), else an array of the traced dtype (complex128 if complex) that the caller owns.
    Traced values pass through."""
    if type(value) is np.ndarray and value.ndim and value.dtype is TRACE_DTYPE \
            and value.flags.writeable:  # the common case, nothing to do
        return value
    if isinstance(value, Tracer):
        return value
    if type(value) in (float, np.float64) and (like is None or np.ndim(like) == 0):
        return float(value)  # a scalar loss, the common case
    cplx = dtype_of(value).kind == "c"
    if np.ndim(value) == 0 and (like is None or np.ndim(like) == 0):
        return complex(value) if cplx else float(value)
    out = np.asarray(value, dtype=COMPLEX_DTYPE if cplx else TRACE_DTYPE)
    if not out.flags.writeable:  # a broadcast view from a rule (sum's VJP): give a real array
        out = out.copy()
    return out
