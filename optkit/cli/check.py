"""``optkit check``: AD derivatives of a problem against finite differences.

Finite differences are central with one Richardson extrapolation step,
    D(h) = (4 c(h/2) - c(h)) / 3,   c(h) = (f(x + h d) - f(x - h d)) / (2h),
whose truncation error is O(h^4), against a rounding error O(eps |f| / h) (Nocedal & Wright,
Sec. 8.1). The direction d is scaled to x (component i moves by about h max(1, |x_i|)) and h
is picked per derivative from a short ladder around eps^(1/5) (see `_derivative`). The HVP is
checked against differences of the AD gradient (Nocedal & Wright, Sec. 8.1, Hessian-vector
products), so it tests the forward-over-reverse composition, not the gradient again.
"""

import click
import numpy as np

import optkit

from .common import check_finite_start, fmt, load_problem, parse_vector, to_json

__all__ = ["check", "compare"]

_STEP = np.finfo(float).eps ** 0.2
MAX_COORDINATES = 100  # larger problems check the gradient on this many coordinates


def _richardson(fun, x, d, h):
    def central(step):
        return (np.asarray(fun(x + step * d)) - np.asarray(fun(x - step * d))) / (2.0 * step)

    return (4.0 * central(h / 2.0) - central(h)) / 3.0


def _derivative(fun, x, d):
    """d/dt fun(x + t d) at t = 0, for a direction d already scaled to x (see module doc).

    The step is chosen among h = eps^(1/5) * 10^-k, k = -1..4: the estimate that agrees best
    with the next smaller step, i.e. where truncation and rounding error balance for this
    function (a variable's natural scale can be far below max(1, |x_i|), as in Osborne 1,
    and a quadratic has no truncation error at all, so there the largest step wins).
    """
    with np.errstate(all="ignore"):  # a step that leaves f's domain just gives a nan gap
        estimates = [_richardson(fun, x, d, _STEP * 10.0 ** -k) for k in range(-1, 5)]
    gaps = [np.max(np.abs(a - b)) for a, b in zip(estimates, estimates[1:], strict=False)]
    gaps = [g if np.isfinite(g) else np.inf for g in gaps]
    return estimates[int(np.argmin(gaps))]


def _relative_error(ad, fd):
    """max|AD - FD| / max(|AD|_inf, |FD|_inf, 1): relative for large derivatives, absolute
    for vanishing ones (where finite differences only give noise)."""
    ad, fd = np.atleast_1d(np.asarray(ad, float)), np.atleast_1d(np.asarray(fd, float))
    if not (np.isfinite(ad).all() and np.isfinite(fd).all()):
        return float("inf")
    scale = max(np.max(np.abs(ad)), np.max(np.abs(fd)), 1.0)
    return float(np.max(np.abs(ad - fd)) / scale)


def _coordinates(n, rng):
    """All coordinates up to MAX_COORDINATES; beyond, the first, the last and a random
    sample, so a check of a large problem stays a matter of seconds."""
    if n <= MAX_COORDINATES:
        return np.arange(n)
    inner = rng.choice(np.arange(1, n - 1), MAX_COORDINATES - 2, replace=False)
    return np.concatenate([[0], np.sort(inner), [n - 1]])


def compare(problem, x, seed=0):
    """[(name, description, relative error)] for the gradient, a JVP and an HVP at x (and the
    problem's hand-written gradient, when it has one)."""
    f = problem.objective
    scale = np.maximum(1.0, np.abs(x))  # "typical x": each variable moves relative to it
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(x.size)
    v *= scale / np.max(np.abs(v))

    g_ad = optkit.grad(f)(x)
    coords = _coordinates(x.size, rng)
    g_fd = np.empty(coords.size)
    for k, i in enumerate(coords):
        e = np.zeros_like(x)
        e[i] = scale[i]
        g_fd[k] = _derivative(f, x, e) / scale[i]
    which = "" if coords.size == x.size else f" ({coords.size} of {x.size} coordinates)"
    rows = [("gradient", f"AD (reverse) vs central FD of f{which}",
             _relative_error(g_ad[coords], g_fd))]

    _, jv = optkit.jvp(f, x, v)
    rows.append(("JVP", "AD (forward) vs central FD of f along v",
                 _relative_error(jv, _derivative(f, x, v))))

    hv = optkit.hvp(f, x, v)
    grad = optkit.grad(f)
    rows.append(("HVP", "AD (forward-over-reverse) vs central FD of the AD gradient",
                 _relative_error(hv, _derivative(grad, x, v))))
    if problem.gradient is not None:
        rows.append(("gradient", "hand-written vs AD",
                     _relative_error(problem.gradient(x), g_ad)))
    return rows


@click.command(short_help="AD derivatives vs finite differences.")
@click.argument("problem_ref", metavar="PROBLEM|FILE")
@click.option("--at", "at_text", metavar='"x1,x2,..."', help="Point to check at (default: the "
              "problem's x0).")
@click.option("--n", type=click.IntRange(min=1), help="Dimension of a scalable problem.")
@click.option("--tol", type=click.FloatRange(min=0), default=1e-6, show_default=True,
              help="Largest acceptable relative error.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def check(problem_ref, at_text, n, tol, as_json):
    """Compare the AD gradient, a Jacobian-vector product and a Hessian-vector product of
    PROBLEM (or FILE) with finite differences, and print each relative error.

    The direction v of the JVP and HVP is a fixed random vector (seed 0); beyond 100
    variables the gradient is compared on 100 coordinates (first, last, random). Relative
    errors are max|AD - FD| / max(|AD|, |FD|, 1). Exit code 1 when the worst one exceeds
    --tol; 2 for bad input, including a point where f is nan or inf.

    \b
    Examples:
      optkit check rosenbrock
      optkit check wood --at "1,1,1,1"
      optkit check extended-rosenbrock --n 10 --tol 1e-8
      optkit check my_problem.py --json
    """
    problem = load_problem(problem_ref, n)
    x = np.array(problem.x0) if at_text is None else parse_vector(at_text, problem.n, "--at")
    check_finite_start(problem, x, "--at", given=at_text is not None)
    try:
        rows = compare(problem, x)
    except Exception as exc:  # the objective failed at or near x: report it in one line
        first = (str(exc).splitlines() or [""])[0]
        click.echo(f"Error: check failed: {type(exc).__name__}: {first}", err=True)
        raise click.exceptions.Exit(1) from None
    worst = max(err for _, _, err in rows)
    ok = worst <= tol
    where = "x0" if at_text is None else "--at"
    if as_json:
        click.echo(to_json({
            "problem": problem.name, "n": problem.n, "at": x, "tol": tol, "ok": ok,
            "worst": worst,
            "checks": [{"name": a, "compared": b, "relative_error": e} for a, b, e in rows]}))
    else:
        click.echo(f"check {problem.name} (n = {problem.n}) at {where}")
        for name, what, err in rows:
            click.echo(f"  {name:<9} {fmt(err, 2):>9}  {what}")
        verdict = "OK" if ok else "FAILED"
        click.echo(f"worst relative error {fmt(worst, 2)} (tol {fmt(tol)}): {verdict}")
    if not ok:
        raise click.exceptions.Exit(1)
