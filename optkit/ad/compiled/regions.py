"""The region pass: chains of elementwise operations and leading-axis slices that a replay can
run over cache-sized blocks of rows instead of whole arrays.

numpy evaluates ``100 * (x[1:] - x[:-1] ** 2) ** 2`` one operation at a time, each writing a
full-size temporary that the next one reads back from memory; at n = 1e6 the value and
gradient of such a function spend most of their time moving those temporaries. A *region*
is a set of equations that all iterate over one leading axis of length ``length``; the
generated code runs the whole region on rows ``[lo, hi)`` before moving on to the next block
(``blockcode``), so its temporaries stay in cache. This is the loop fusion XLA applies to
``jax.jit`` programs, done here by blocking rather than by generating a new kernel.

What a region may hold (the *role* of an equation):
- ``map``: an elementwise ufunc with one output whose operands are region values (rows
  ``[lo, hi)``), outside arrays with the same leading length (read by rows) or outside
  arrays and scalars that broadcast along the leading axis (read whole);
- ``slice``: ``y = a[s:e:k, ...]`` with a step ``k > 0`` on axis 0 of an array computed
  before the region (rows ``[lo, hi)`` of y are rows ``s + k lo ... s + k hi`` of ``a``);
- ``sum``: a sum over every axis, accumulated block by block (the summation order is below);
- ``scatter``: the reverse pass of a slice, ``zeros(shape)`` with ``g`` written at a
  leading-axis slice, and the fused ``acc[slice] += g`` (``passes.fuse_scatter_adds``);
  the written array (a *sink*) is not read inside the region.
- ``matvec``: ``y = C @ x`` with ``C`` a constant C-contiguous float64 matrix whose rows are
  the region's (rows ``[lo, hi)`` of y are ``C[lo:hi] @ x``) and ``x`` a vector computed
  before the region;
- ``vecmat``: ``y = s @ C``, ``s`` a vector of the region's rows and ``C`` as for ``matvec``:
  a sum over rows, accumulated block by block as ``sum`` is.
A region with a matrix holds at most ``MATRIX_BLOCK`` of its elements per block, so that
each block of rows of ``C``, read from memory by the first product, is read from cache by
the second (logistic regression: ``A @ w``, the loss's elementwise work, ``s @ A``; XLA
fuses no further, so ``jax.jit`` reads ``A`` twice).
Everything else (other matmuls, sorts, reductions over some axes, gathers with index arrays, shape
changes, a slice of a value computed inside the region, which would need its neighbours'
rows) is left to the unblocked replay, and cuts no more than it must: an equation that does
not depend on the region is moved before it, one that does is moved after it, and the
equations around it form regions of their own.

Summation order. Elementwise results are bit-for-bit those of the unblocked replay: each
row is computed by the same ufuncs from the same operands. Two kinds of results are sums
whose order changes:
- a ``sum`` is the sum, in block order, of numpy's (pairwise) sums of the blocks, starting
  from zero: ``((0 + sum(block 0)) + sum(block 1)) + ...``; a ``vecmat`` likewise, of
  BLAS's products of the blocks: ``((0 + s[b0] @ C[b0]) + s[b1] @ C[b1]) + ...``;
- a ``matvec``'s row is BLAS's dot product of a row of ``C`` with ``x`` (whose order BLAS
  may choose by the number of rows it is given);
- a sink starts as zeros and receives its terms with ``+=``, block after block and, within
  a block, in program order. A row written by two slices with different offsets (the
  gradient of ``x[1:]`` and ``x[:-1]``) receives the shifted term one block early at the
  first row of a block, so it is the same sum of the same terms, in another order there.
  Where the first write has the lowest offset (``blockcode``), it assigns instead (no zeros)
  and the shifted terms that reach into the next block are carried and added after that
  block's assignment: at the first rows of a block the shifted term comes after the first
  write's instead of before it (a row of two terms is then bit for bit the same).
"""

from __future__ import annotations

import math

import numpy as np

from ..staging import Const, Var
from .passes import elementwise

__all__ = ["BLOCK_SIZE", "MATRIX_BLOCK", "Region", "find_regions", "leading_slice",
           "reads_large_matrix"]

# Elements per block and per temporary. Measured on value+gradient of the chained Rosenbrock
# function at n = 1e6 (one core, 4 MiB L2): 4096 -> 1.49x numpy's f, 8192 -> 1.36x,
# 16384 and 32768 -> 1.15x, 65536 -> 1.33x, 131072 -> 1.98x (the working set leaves L2).
BLOCK_SIZE = 16384
# 'auto' blocks a region only if it spans at least this many blocks: below, numpy's whole
# temporaries still fit in L2 and the loop costs more than it saves (same function, value and
# gradient / numpy f: n = 2e4 (2 blocks) 1.58x unblocked, 1.76x blocked; 3.3e4 (3) 1.69x,
# 1.77x; 5e4 (4) 2.08x, 1.88x; 1e5 2.20x, 1.48x; 3e5 2.19x, 1.02x)
MIN_BLOCKS = 4
# Matrix elements per block in a region with a ``matvec`` or ``vecmat`` (its rows: this over
# the matrix's columns). Measured on value+gradient of logistic regression 2000 x 500 (A is
# 8 MB, one core, 2 MiB of L2 each), hand-written blocked numpy / numpy f: 128 rows (64 Ki
# elements) 1.61x, 256 (128 Ki) 1.56x, 512 (256 Ki) 1.59x, 1000 1.89x, unblocked 1.90x.
MATRIX_BLOCK = 1 << 17
_MATRIX_MIN_ROWS = 16  # wider matrices are not blocked (a product of a few rows per call)


class Region:
    """Equations (indices into the program) run block by block over ``length`` rows.

    ``rows``: rows per block. ``roles``: equation index -> role (see the module docstring).
    ``produced``: var ids computed in the region, ``sinks``: the ids of scattered arrays,
    ``sums``: the ids of the sums. ``reads``: outside vars the region reads.
    """

    def __init__(self, length):
        self.length = length
        self.rows = 1
        self.eqns = []
        self.roles = {}
        self.rowwise = set()   # ids of region values held block by block
        self.sinks = set()
        self.sums = set()
        self.reads = {}        # id -> Var read from outside the region
        self.width = 1         # largest number of elements in one row
        self.matrix_width = 0  # columns of the widest matrix of a matvec or vecmat, or 0

    @property
    def produced(self):
        return self.rowwise | self.sinks | self.sums

    def describe(self):
        return (f"{len(self.eqns)} equations over {self.length} rows, "
                f"{self.rows} rows per block")


def leading_slice(index, shape):
    """``(start, step, rest)`` when ``index`` selects a step > 0 slice on axis 0 of an array
    of ``shape`` (``rest``: basic int/slice items on the following axes), else None."""
    items = index if type(index) is tuple else (index,)
    if not items or type(items[0]) is not slice or len(items) > len(shape):
        return None
    if any(type(i) not in (slice, int) for i in items[1:]):
        return None
    start, _, step = items[0].indices(shape[0])
    if step <= 0:
        return None
    return start, step, items[1:]


def _row_shape(v):
    return v.shape if isinstance(v, Var) else np.shape(v.value)


def _role(eqn, k, fused):
    """``(role, length)`` of an equation that can run by blocks, or ``(None, reason)``."""
    prim, out = eqn.prim, eqn.out
    if k in fused:
        acc, scatter = fused[k]
        return _scatter_role(scatter, "accumulate")
    if prim.name == "scatter_add":
        return _scatter_role(eqn, "scatter")
    if prim.name == "getitem":
        if not out.shape or leading_slice(eqn.params["index"], _row_shape(eqn.inputs[0])) is None:
            return None, "an index other than a step > 0 slice of the leading axis"
        return "slice", out.shape[0]
    if prim.name == "sum":
        x = eqn.inputs[0]
        shape = _row_shape(x)
        axis, keepdims = eqn.params.get("axis"), eqn.params.get("keepdims")
        whole = axis is None or set(axis) == set(range(len(shape)))
        if not shape or not whole or keepdims:
            return None, "a sum over some axes only (rows would be mixed)"
        return "sum", shape[0]
    if prim.impl is np.matmul:
        return _matrix_role(eqn)
    if not elementwise(prim):
        return None, f"{prim.name} is not elementwise"
    if prim.impl.nout != 1 or eqn.params:
        return None, f"{prim.name} has several outputs or parameters"
    if not out.shape:
        return None, "a scalar result"
    if out.dtype.kind not in "biufc":
        return None, f"dtype {out.dtype}"
    return "map", out.shape[0]


def _matrix_role(eqn):
    """``("matvec", rows)`` for ``C @ x``, ``("vecmat", rows)`` for ``s @ C`` (``C`` a constant
    matrix, see the module docstring), else ``(None, reason)``."""
    a, b = eqn.inputs
    if isinstance(a, Const) and isinstance(b, Var) and _blockable_matrix(a.value):
        if len(b.shape) == 1:
            return "matvec", a.value.shape[0]
    elif isinstance(b, Const) and isinstance(a, Var) and _blockable_matrix(b.value):
        if len(a.shape) == 1:
            return "vecmat", b.value.shape[0]
    return None, ("a matmul other than a constant float64 row-major matrix (of at most "
                  f"{MATRIX_BLOCK // _MATRIX_MIN_ROWS} columns) by a vector")


def _blockable_matrix(c):
    return (type(c) is np.ndarray and c.ndim == 2 and c.dtype == np.float64
            and c.flags.c_contiguous and c.shape[1] * _MATRIX_MIN_ROWS <= MATRIX_BLOCK)


def _scatter_role(scatter, role):
    g = scatter.inputs[0]
    sl = leading_slice(scatter.params["index"], scatter.params["shape"])
    if sl is None or not isinstance(g, Var) or not g.shape:
        return None, "a scatter at an index other than a leading-axis slice"
    return role, g.shape[0]


def _operand_use(v, out_ndim, length):
    """'rows' (read by rows), 'whole' (broadcast along the rows) or None."""
    shape = _row_shape(v)
    if len(shape) < out_ndim or (shape and shape[0] == 1):
        return "whole"
    if len(shape) == out_ndim and shape[0] == length:
        return "rows"
    return None


def _reads(eqn, k, fused):
    """The values an equation reads (a fused add reads its accumulator and the scattered g)."""
    if k in fused:
        acc, scatter = fused[k]
        return [acc, scatter.inputs[0]]
    return [v for v in eqn.inputs if isinstance(v, Var)]


def _joins(region, eqn, k, role, fused):
    """True if ``eqn`` (of ``role``, with the region's length) can run inside ``region``."""
    produced = region.produced
    if role == "slice":
        src = eqn.inputs[0]
        return not (isinstance(src, Var) and src.id in produced)
    if role in ("scatter", "accumulate"):
        scatter = fused[k][1] if role == "accumulate" else eqn
        g = scatter.inputs[0]
        if g.id in region.sinks or g.id in region.sums:
            return False
        if role == "accumulate":
            acc = fused[k][0]
            return acc.id in region.sinks or acc.id not in produced
        return True
    if role == "sum":
        x = eqn.inputs[0]
        return not isinstance(x, Var) or x.id in region.rowwise or x.id not in produced
    if role == "matvec":  # x is read whole: computed before the region
        return eqn.inputs[1].id not in produced
    if role == "vecmat":  # s is read by rows
        s = eqn.inputs[0]
        return s.id in region.rowwise or s.id not in produced
    ndim = len(eqn.out.shape)
    for v in eqn.inputs:
        use = _operand_use(v, ndim, region.length)
        if use is None:
            return False
        if isinstance(v, Var) and v.id in produced:
            if use != "rows" or v.id not in region.rowwise:
                return False
    return True


def _add(region, eqn, k, role, fused):
    region.eqns.append(k)
    region.roles[k] = role
    out = eqn.out
    for v in [out, *_reads(eqn, k, fused)]:  # the widest row read or written sets the block
        if v.shape and v.shape[0] == region.length and role != "slice" or v is out:
            region.width = max(region.width, math.prod(v.shape[1:]))
    if role in ("matvec", "vecmat"):
        matrix = eqn.inputs[0 if role == "matvec" else 1].value
        region.matrix_width = max(region.matrix_width, matrix.shape[1])
    if role in ("map", "slice", "matvec"):
        region.rowwise.add(out.id)
    elif role in ("sum", "vecmat"):
        region.sums.add(out.id)
    else:
        region.sinks.add(out.id)
    for v in _reads(eqn, k, fused):
        if v.id not in region.produced:
            region.reads[v.id] = v


def _grow(units, eqns, fused, length):
    """The region of ``length`` started by ``units[0]``, the units moved before it (they do not
    depend on it) and those moved after it (they do), each list in program order."""
    region = Region(length)
    before, after, late = [], [], set()
    for k in units:
        eqn = eqns[k]
        reads = _reads(eqn, k, fused)
        role, n = _role(eqn, k, fused)
        if any(v.id in late for v in reads):
            after.append(k)
            late.add(eqn.out.id)
        elif role is not None and n == length and _joins(region, eqn, k, role, fused):
            _add(region, eqn, k, role, fused)
        elif not any(v.id in region.produced for v in reads):
            before.append(k)
        else:
            after.append(k)
            late.add(eqn.out.id)
    return region, before, after


def find_regions(eqns, fused, skipped, block_size, min_blocks):
    """Split the program into blocked regions and equations replayed unblocked.

    Returns ``(schedule, notes)``: ``schedule`` lists equation indices (unblocked, in an order
    that respects every data dependence) and ``Region`` objects; ``notes`` lists, for each
    large unblocked result, why it was not blocked (for debugging, ``Replay.blocking``).
    A region is kept if it has two equations that compute (not only slices) and spans at
    least ``min_blocks`` blocks of ``block_size`` elements.
    """
    notes = []
    units = [k for k in range(len(eqns)) if k not in skipped]
    return _schedule(units, eqns, fused, block_size, min_blocks, notes), notes


def _schedule(units, eqns, fused, block_size, min_blocks, notes):
    out = []
    tried = set()  # members of a region found too small: no start of a smaller one
    i = 0
    while i < len(units):
        k = units[i]
        role, length = _role(eqns[k], k, fused)
        if role is None or role == "slice" or k in tried:
            out.append(k)
            if role is None:
                _note(notes, eqns[k], length)
            i += 1
            continue
        region, before, after = _grow(units[i:], eqns, fused, length)
        region.rows = max(1, block_size // region.width)
        if region.matrix_width:
            region.rows = max(1, min(region.rows, MATRIX_BLOCK // region.matrix_width))
        computing = sum(1 for r in region.roles.values() if r != "slice")
        blocks = -(-region.length // region.rows)
        if computing < 2 or blocks < min_blocks:
            tried.update(region.eqns)
            out.append(k)
            _note(notes, eqns[k], "too small to block" if computing >= 2
                  else "no other blockwise equation to fuse with")
            i += 1
            continue
        out.extend(_schedule(before, eqns, fused, block_size, min_blocks, notes))
        out.append(region)
        out.extend(_schedule(after, eqns, fused, block_size, min_blocks, notes))
        return out
    return out


def _note(notes, eqn, reason):
    if math.prod(eqn.out.shape) >= BLOCK_SIZE:
        notes.append(f"v{eqn.out.id} = {eqn.prim.name}{tuple(eqn.out.shape)}: {reason}")


def reads_large_matrix(eqns):
    """True if a ``matvec`` or ``vecmat`` of ``eqns`` reads a matrix of ``MIN_BLOCKS`` blocks
    of ``MATRIX_BLOCK`` rows or more (``may_block`` sees the program's values, not its
    constants): with ``blocked='auto'`` the region pass runs then too."""
    least = MIN_BLOCKS * MATRIX_BLOCK
    for eqn in eqns:
        if eqn.prim.impl is np.matmul and _matrix_role(eqn)[0] is not None:
            c = next(v.value for v in eqn.inputs if isinstance(v, Const))
            if c.size >= least:
                return True
    return False


def may_block(program_vars, blocked, block_size=BLOCK_SIZE):
    """False when no region could form, so the region pass (and its cost) can be skipped.

    A block holds ``rows * width >= block_size / 2`` elements of the region's widest value
    (``rows = max(1, block_size // width)``), so a region of ``b`` blocks, whose length exceeds
    ``(b - 1) * rows``, has a value of more than ``(b - 1) * block_size / 2`` elements. With
    ``blocked='auto'`` a region needs ``MIN_BLOCKS`` blocks, so a program whose values are all
    smaller has none. ``program_vars``: its inputs and the results of its equations.
    """
    if blocked is False:
        return False
    if blocked is True:
        return True
    least = (MIN_BLOCKS - 1) * block_size // 2 + 1
    return any(math.prod(v.shape) >= least for v in program_vars)
