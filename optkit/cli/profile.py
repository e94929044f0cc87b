"""Dolan-More performance profiles (Dolan & More, Math. Program. 91, 2002).

For a cost t[p, s] of solver s on problem p (inf when s did not solve p), the ratio
r[p, s] = t[p, s] / min_s t[p, s], and the profile of solver s is
rho_s(tau) = (number of problems with r[p, s] <= tau) / (number of problems).
rho_s(1) is the fraction s wins; rho_s(tau) for large tau the fraction it solves at all.
"""

import numpy as np

__all__ = ["performance_ratios", "profile", "plot_profile"]


def performance_ratios(costs) -> np.ndarray:
    """r[p, s] from a (problems x solvers) array of positive costs, inf meaning unsolved.

    A problem no solver solved has ratio inf for every solver.
    """
    t = np.asarray(costs, dtype=float)
    if t.ndim != 2 or t.size == 0:
        raise ValueError(f"costs must be a non-empty 2-D array; got shape {t.shape}")
    if np.any(t <= 0) or np.any(np.isnan(t)):
        raise ValueError("costs must be > 0 (inf for unsolved), not nan")
    best = t.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        ratios = t / best
    ratios[~np.isfinite(best).ravel()] = np.inf
    return ratios


def profile(ratios, taus) -> np.ndarray:
    """rho[s, k] = fraction of problems with ratio[p, s] <= taus[k]."""
    r = np.asarray(ratios, dtype=float)
    taus = np.asarray(taus, dtype=float)
    return (r[:, :, None] <= taus[None, None, :]).mean(axis=0)


def plot_profile(costs, labels, path, metric, image_format="png"):
    """Write the profile as an image of `image_format` (an extension matplotlib knows, such
    as "png", "pdf" or "svg") with matplotlib's Agg backend; the import is deferred, as
    matplotlib is an optional extra."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ratios = performance_ratios(costs)
    finite = ratios[np.isfinite(ratios)]
    top = max(2.0, float(finite.max()) * 1.5) if finite.size else 2.0
    taus = np.unique(np.concatenate([[1.0, top], finite]))
    rho = profile(ratios, taus)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, row in zip(labels, rho, strict=True):
        ax.step(taus, row, where="post", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlim(1.0, top)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel(f"tau (within a factor tau of the best {metric})")
    ax.set_ylabel("fraction of problems solved")
    ax.set_title(f"Performance profile ({ratios.shape[0]} problems)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format=image_format)
    plt.close(fig)
