"""``einsum`` as one primitive: each operand's JVP and VJP is another einsum (the operand's
subscripts and the output's swapped), in explicit form, so the rules are differentiated in turn.
"""

from __future__ import annotations

import string
from collections import Counter

import numpy as np

from ..core import (
    COMPLEX128,
    FLOAT64,
    NotDifferentiableError,
    function_impls,
    primitive,
    value_of,
)

# ---- einsum -----------------------------------------------------------------------------------
_LABELS = string.ascii_letters
EINSUM_MAX_OPERANDS = 64


def _sublist_to_labels(sub):
    return "".join("..." if s is Ellipsis else _LABELS[int(s)] for s in sub)


def _einsum_spec(args):
    """(subscripts string, operands) from either numpy calling convention."""
    if isinstance(args[0], str):
        return args[0], list(args[1:])
    # interleaved: op0, sublist0, op1, sublist1, ..., [output sublist]
    n = len(args) - len(args) % 2
    operands = list(args[0:n:2])
    text = ",".join(_sublist_to_labels(s) for s in args[1:n:2])
    if len(args) % 2:
        text += "->" + _sublist_to_labels(args[-1])
    return text, operands


def _explicit_einsum(subscripts, shapes):
    """Rewrite ``subscripts`` with an explicit output and the ellipsis spelled out in labels."""
    text = subscripts.replace(" ", "")
    ins, arrow, out = text.partition("->")
    inputs = ins.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: {len(inputs)} operand subscripts for {len(shapes)} operands")
    unused = [c for c in _LABELS if c not in text]
    widths = [len(shape) - (len(s) - 3) if "..." in s else 0
              for s, shape in zip(inputs, shapes, strict=True)]
    if min(widths, default=0) < 0:
        raise ValueError(f"einsum: subscripts {subscripts!r} have more labels than dimensions")
    ell = "".join(unused[:max(widths, default=0)])
    spelled = []
    for s, shape, w in zip(inputs, shapes, widths, strict=True):
        if "..." in s:
            s = s.replace("...", ell[len(ell) - w:])
        if len(s) != len(shape) or not all(c in _LABELS for c in s):
            raise ValueError(f"einsum: subscripts {s!r} do not match an operand of shape {shape}")
        spelled.append(s)
    if arrow:
        out = out.replace("...", ell)
    else:  # implicit mode: broadcast axes first, then the labels seen once, sorted
        counts = Counter(ins.replace("...", "").replace(",", ""))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return ",".join(spelled) + "->" + out


def _einsum(*operands, subscripts, optimize):
    return np.einsum(subscripts, *operands, optimize=optimize)


def _einsum_jvp(i):
    def rule(t, ans, *operands, subscripts, optimize):
        ops = list(operands)
        ops[i] = t
        return einsum(*ops, subscripts=subscripts, optimize=optimize)

    return rule


def _einsum_vjp(i):
    def rule(g, ans, *operands, subscripts, optimize):
        ins, out = subscripts.split("->")
        inputs = ins.split(",")
        mine = inputs[i]
        shape = np.shape(value_of(operands[i]))
        others = [s for k, s in enumerate(inputs) if k != i]
        seen_elsewhere = set(out).union(*others)
        unused = iter(c for c in _LABELS if c not in subscripts)
        target, extra_subs, extra_ops, first = [], [], [], {}
        for c, n in zip(mine, shape, strict=True):
            if c in first:
                # a repeated label (a diagonal): a fresh label tied to the first by an identity
                k = next(unused)
                extra_subs.append(c + k)
                extra_ops.append(np.eye(n))
                target.append(k)
                continue
            first[c] = n
            target.append(c)
        for c, n in first.items():
            if c not in seen_elsewhere and mine.count(c) == 1:
                # summed within this operand only: the cotangent is constant along it
                extra_subs.append(c)
                extra_ops.append(np.ones(n))
        others_ops = [x for k, x in enumerate(operands) if k != i]
        spec = ",".join([out, *others, *extra_subs]) + "->" + "".join(target)
        return einsum(g, *others_ops, *extra_ops, subscripts=spec, optimize=optimize)

    return rule


einsum = primitive("einsum", _einsum,
                   jvp=tuple(_einsum_jvp(i) for i in range(EINSUM_MAX_OPERANDS)),
                   vjp=tuple(_einsum_vjp(i) for i in range(EINSUM_MAX_OPERANDS)),
                   complex=True)  # multilinear: the transpose needs no conjugate (vspace)


def _einsum_function(*args, out=None, optimize=False, dtype=None, **kwargs):
    if out is not None:
        raise TypeError("np.einsum(..., out=) cannot write a traced value; drop `out`")
    if dtype is not None and np.dtype(dtype) not in (FLOAT64, COMPLEX128):
        raise TypeError(f"np.einsum(dtype={dtype!r}): optkit differentiates in float64 or "
                        "complex128 only")
    subscripts, operands = _einsum_spec(args)
    if len(operands) > EINSUM_MAX_OPERANDS:
        raise NotDifferentiableError(
            f"np.einsum with more than {EINSUM_MAX_OPERANDS} operands is not supported")
    if not isinstance(optimize, (bool, str)):
        optimize = True   # an explicit contraction path only changes speed, never the value
    spec = _explicit_einsum(subscripts, [np.shape(value_of(x)) for x in operands])
    return einsum(*operands, subscripts=spec, optimize=optimize)


function_impls.update({
    np.einsum: _einsum_function,
})
