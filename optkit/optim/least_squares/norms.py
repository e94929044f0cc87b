"""The Euclidean norm of a short vector, at the cost of one dot product.

``np.linalg.norm`` of a 1-D array is sqrt(x . x) too, behind a few microseconds of argument
handling; LM computes several norms per trial on vectors of a handful of entries, where that
handling was a tenth of the solver's time (cProfile on the MGH set). Same arithmetic, so the
same overflow behaviour as numpy's: no scaling as in MINPACK's enorm.
"""

import math

import numpy as np

__all__ = ["norm"]


def norm(v: np.ndarray) -> float:
    """||v||_2 of a 1-D float array (inf when v . v overflows, as numpy's)."""
    return math.sqrt(float(v @ v))
