"""``optkit.compile``: trace once per input signature, replay straight-line numpy code.

The first call at a given input shape and dtype stages the function (``staging.stage``);
derivative programs are staged on first use by running the eager transformations
(``value_and_grad``, ``hvp``) under the staging trace. Each program is optimised
(constant folding, common-subexpression elimination, dead-code elimination, buffer reuse
through ufuncs' ``out=``, in-place operators on temporaries read for the last time) and
turned into Python source whose lines call numpy directly: no tracers, no dispatch, no tape
on later calls. Chains of elementwise operations and leading-axis slices run as loops over
cache-sized blocks of rows (``regions``, ``blockcode``; ``compile(f, blocked=...)``), so
their temporaries stay in cache; a product ``A @ x`` with a constant matrix and ``s @ A``
join such a loop over blocks of A's rows. An HVP program is split in two (``linearize``):
the work on x alone runs once per point, the work on v for every product.
``CompiledFunction(f, warmup=k)`` runs the first k calls of the value and of the value and
gradient eagerly (tiered compilation; ``optkit.minimize`` uses k = 5; HVPs are compiled on
first use), and the call that stages returns the values computed while staging.

Soundness rules (a replay never differs from eager evaluation):
- a conversion of a traced value to a Python bool/int/float/array while staging marks the
  signature *dynamic*: it runs eagerly on every call, with a one-time ``CompileWarning``;
- the function is staged twice on its first call: if the two recordings differ in a constant,
  a parameter or which values an operation reads (random numbers drawn inside the function,
  global state that changed), it is dynamic too (``cache.same_recording``);
- the arrays a recording reads (constants, index arrays) are held by reference and read-only
  while it runs (``optkit.ad.captured``): a function writing into one after using it raises
  ``InPlaceWriteError`` (a ValueError) on every call, rather than run eagerly, whose
  derivatives would read the written values too;
- a new input shape or dtype is staged afresh; programs are cached per signature.
Like ``jax.jit``, a compiled function must not depend on global state that changes *between*
calls: values read from it are frozen into the program.
"""

from .function import CompiledFunction, CompileWarning, compile

__all__ = ["compile", "CompiledFunction", "CompileWarning"]
