"""optkit.least_squares (lm, lm + geodesic acceleration, gn-cg) against scipy's least_squares
('trf', 'dogbox', 'lm', all given the same exact Jacobian, from optkit.jacobian) and
curve_fit (its defaults: finite differences), on the MGH residual problems and the NIST StRD
regression problems from both NIST starts.

Per method: problems solved (|2 cost - f*| <= 1e-6 f* + 1e-8; Freudenstein-Roth's local
minimum 48.98 counts, as MGH note), false success claims (success=True, not solved), total
and median evaluations (residual + Jacobian), and time. Then (``per_evaluation``) the time per
evaluation of the dense LM against scipy 'lm', front door against front door, on the 7 MGH
rows with hand-written Jacobians and two tanh fits (m = 200, n = 10; m = 2000, n = 50): with
the same hand-written J (issue 14's target: within 1.5x), and with optkit's AD J (compiled,
as by default: from programs kept by an earlier solve, and in a first solve; and eager);
then (``trial_floor``) the time of the numpy calls one accepted trial makes, with no Python
around them, against scipy's time per evaluation: what a numpy implementation of this trial
formulation costs at least; then (``layers``) the same dense LM with the library's subproblem
and lmpar but none of the layers around them (front door, driver, objective, state), same
iterates, against both: how much of the gap to scipy is the layers'. Last, the large problem
(m = 1e6 residuals, n = 1e4 parameters) in the operator form, run in a child process to
measure its peak RSS; scipy's dense paths would need the 80 GB J.

    python bench/least_squares.py [--quick] [--no-large]   (BLAS pinned to one thread here)
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from operator import mul, neg, truediv  # noqa: E402
from typing import NamedTuple  # noqa: E402

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402
from scipy.linalg import lapack  # noqa: E402

import optkit  # noqa: E402
from optkit import problems, residual_ad, residual_programs  # noqa: E402
from optkit.optim.least_squares.lmpar import lmpar_coordinates  # noqa: E402
from optkit.optim.least_squares.subproblem import (  # noqa: E402
    DIRECT_SVD_MAX_ENTRIES,
    DenseSubproblem,
)

STARTS_2 = problems.nist.STARTS_2  # the NIST problems' second certified starts
MGH = ["rosenbrock", "freudenstein-roth", "powell-badly-scaled", "brown-badly-scaled", "beale",
       "helical-valley", "powell-singular", "wood", "jennrich-sampson", "bard", "gaussian",
       "meyer", "gulf", "box-3d", "kowalik-osborne", "brown-dennis", "osborne1", "biggs-exp6",
       "osborne2"]
LOCAL = {"freudenstein-roth": 48.98425367924}
METHODS = ["lm", "lm+geodesic", "gn-cg", "scipy:trf", "scipy:dogbox", "scipy:lm",
           "scipy:curve_fit"]


def cases(quick):
    out = [(name, problems.get(name).x0) for name in MGH]
    for name in problems.names("nist"):
        out.append((name, problems.get(name).x0))
        out.append((name + " (start 2)", STARTS_2[name]))
    return out[:8] if quick else out


def run_one(method, p, x0):
    """(success, 2 cost, evaluations) of one solve."""
    if method in ("lm", "lm+geodesic", "gn-cg"):
        res = optkit.least_squares(p.residuals, x0, "gn-cg" if method == "gn-cg" else "lm",
                                   geodesic=method == "lm+geodesic")
        return res.success, 2 * res.cost, res.nfev + res.njev
    jac = optkit.jacobian(p.residuals)
    if method == "scipy:curve_fit":
        calls = [0]

        def model(_, *params):
            calls[0] += 1
            return p.residuals(np.array(params))

        m = p.residuals(np.asarray(x0, dtype=float)).size
        try:
            popt, _ = scipy.optimize.curve_fit(model, np.zeros(m), np.zeros(m), p0=x0)
        except RuntimeError:
            return False, np.inf, calls[0]
        r = p.residuals(popt)
        return True, float(r @ r), calls[0]
    res = scipy.optimize.least_squares(p.residuals, x0, jac=jac, method=method[6:])
    return res.success, 2 * res.cost, res.nfev + (res.njev or 0)


def solved(name, f, p):
    fstar = LOCAL.get(name, p.fstar)
    return abs(f - fstar) <= 1e-6 * fstar + 1e-8


def table(quick):
    rows = {m: dict(solved=0, false=0, evals=[], time=0.0, failed=[]) for m in METHODS}
    for label, x0 in cases(quick):
        name = label.split(" ")[0]
        p = problems.get(name)
        for method in METHODS:
            start = time.perf_counter()
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                try:
                    ok, f, evals = run_one(method, p, np.array(x0, dtype=float))
                except Exception:  # a solver that crashes is a failure, not a bench error
                    ok, f, evals = False, np.inf, 0
            row = rows[method]
            row["time"] += time.perf_counter() - start
            row["evals"].append(evals)
            good = solved(name, f, p)
            row["solved"] += good
            row["false"] += ok and not good
            if not good:
                row["failed"].append(label + ("*" if ok else ""))
    n = len(cases(quick))
    print(f"{n} problems (MGH residual forms; NIST StRD from both starts)")
    print(f"{'method':16s} {'solved':>7s} {'false':>6s} {'evals':>7s} {'median':>7s} "
          f"{'time':>8s}")
    for method, row in rows.items():
        print(f"{method:16s} {row['solved']:>7d} {row['false']:>6d} {sum(row['evals']):>7d} "
              f"{np.median(row['evals']):>7.1f} {row['time']:>7.2f}s")
    for method, row in rows.items():
        print(f"  {method} unsolved (* = claimed success): {', '.join(row['failed']) or '-'}")


class _Dense(NamedTuple):
    name: str
    residuals: object
    jac: object
    x0: np.ndarray


def _tanh_fit(m, n):
    """A moderate dense fit with a hand-written J: r(x) = tanh(A x) - y, A (m, n) random."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, n)) / math.sqrt(n)
    y = np.tanh(a @ rng.standard_normal(n)) + 0.01 * rng.standard_normal(m)

    def residuals(x):
        return np.tanh(a @ x) - y

    def jac(x):
        t = np.tanh(a @ x)
        return (1.0 - t * t)[:, None] * a

    return _Dense(f"tanh fit m={m} n={n}", residuals, jac, np.zeros(n))


def dense_problems():
    """The 7 MGH rows with hand-written Jacobians (tests/optim/least_squares) and two tanh
    fits, m = 200, n = 10 and m = 2000, n = 50."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    # _lsq_problems imports the problem library as ``problems``, as the tests see it from the
    # repository root (the installed package names it optkit.problems)
    sys.path[:0] = [os.path.join(root, "tests", "optim", "least_squares"), root]
    from _lsq_problems import mgh_problems

    rows = [_Dense(p.name, p.residuals, p.jac, p.x0) for p in mgh_problems()]
    return rows + [_tanh_fit(200, 10), _tanh_fit(2000, 50)]


def _per_call(fn, x, calls=200):
    start = time.thread_time()
    for _ in range(calls):
        fn(x)
    return (time.thread_time() - start) / calls


def per_evaluation(rounds=5):
    """Time per evaluation (= per LM trial: one residual evaluation each) of the dense LM
    against scipy's MINPACK 'lm', front door against front door, with the same user
    functions. Thread CPU time (other work on the machine inflates wall-clock time), best of
    ``rounds`` rounds, the solvers taken in turn inside each round:

      optkit hand J   optkit.least_squares(fun, x0, jac=jac): the same hand-written J that
                      scipy gets. Issue 14's target ("time per iteration in the dense form
                      within 1.5x of scipy 'lm' with a hand-written Jacobian") is this row.
      optkit AD J     optkit.least_squares(fun, x0): J from optkit's AD as users get it by
                      default, compiled (optkit.residual_ad): this row's solves find the
                      programs staged by earlier solves of the same residuals
                      (optkit.residual_programs) and replay them from the first J.
      AD J 1st        the same with no programs kept (residual_programs.clear() before each
                      solve): the first solve of a function, eager for JAC_WARMUP J's, then
                      by the product program per column (row), staged in 1-11 eager J's.
      AD J eager      optkit.least_squares(fun, x0, compile=False): eager AD, one JVP per
                      parameter per J (the default before the compiled J).
      scipy lm        scipy.optimize.least_squares(fun, x0, jac=jac, method='lm').

    Both solve to their defaults (ftol = xtol = gtol = 1e-8), so the counts of evaluations
    differ by problem; the ratio is of times per evaluation. ``fun + jac`` is one call of
    each user function, the part of an accepted trial both solvers pay alike. The three AD
    rows take the same steps (their nfev must agree: ``same``)."""
    rows = dense_problems()

    def hand(p):
        return optkit.least_squares(p.residuals, p.x0, jac=p.jac).nfev

    def ad(p):
        return optkit.least_squares(p.residuals, p.x0).nfev

    def ad_first(p):
        residual_programs.clear()
        return optkit.least_squares(p.residuals, p.x0).nfev

    def ad_eager(p):
        return optkit.least_squares(p.residuals, p.x0, compile=False).nfev

    def scipy_lm(p):
        return scipy.optimize.least_squares(p.residuals, p.x0, jac=p.jac, method="lm").nfev

    solvers = (hand, ad, ad_first, ad_eager, scipy_lm)
    best = {(s, p.name): math.inf for s in solvers for p in rows}
    nfev = {}
    for _ in range(rounds):
        for p in rows:
            repeat = 5 if p.x0.size <= 11 else 1
            for solve in solvers:
                if solve is ad:  # past every tier: the final programs of these residuals kept
                    warm = 0
                    while warm <= residual_ad.JAC_WARMUP + residual_ad.UNROLL_AFTER:
                        warm += optkit.least_squares(p.residuals, p.x0).njev
                start, count = time.thread_time(), 0
                for _ in range(repeat):
                    count += solve(p)
                per = (time.thread_time() - start) / count
                best[solve, p.name] = min(best[solve, p.name], per)
                nfev[solve, p.name] = count // repeat
    print("dense LM, time per evaluation (us, thread CPU, best of "
          f"{rounds}); ratio = optkit / scipy 'lm'; AD J = compiled J, programs kept from an "
          "earlier solve; 1st = no programs kept; eager = compile=False")
    print(f"  {'problem':24s} {'m':>5s} {'n':>3s} {'nfev':>9s} {'same':>4s} {'fun+jac':>8s} "
          f"{'hand J':>7s} {'AD J':>7s} {'1st':>7s} {'eager':>7s} {'scipy':>7s} "
          f"{'ratio hand':>10s} {'AD J':>5s} {'1st':>5s} {'eager':>5s} {'speedup':>7s}")
    ratios = {hand: [], ad: [], ad_first: [], ad_eager: []}
    for p in rows:
        m = p.residuals(p.x0).size
        floor = _per_call(p.residuals, p.x0) + _per_call(p.jac, p.x0)
        us = {s: 1e6 * best[s, p.name] for s in solvers}
        for s in ratios:
            ratios[s].append(us[s] / us[scipy_lm])
        counts = f"{nfev[hand, p.name]}/{nfev[ad, p.name]}/{nfev[scipy_lm, p.name]}"
        same = "yes" if nfev[ad, p.name] == nfev[ad_first, p.name] == nfev[ad_eager, p.name] \
            else "NO"
        print(f"  {p.name:24s} {m:>5d} {p.x0.size:>3d} {counts:>9s} {same:>4s} "
              f"{1e6 * floor:>8.1f} {us[hand]:>7.1f} {us[ad]:>7.1f} {us[ad_first]:>7.1f} "
              f"{us[ad_eager]:>7.1f} {us[scipy_lm]:>7.1f} {ratios[hand][-1]:>10.2f} "
              f"{ratios[ad][-1]:>5.2f} {ratios[ad_first][-1]:>5.2f} "
              f"{ratios[ad_eager][-1]:>5.2f} {us[ad_eager] / us[ad]:>6.2f}x")
    for s, label in ((hand, "hand J"), (ad, "AD J"), (ad_first, "AD J 1st"),
                     (ad_eager, "AD J eager")):
        r = np.array(ratios[s])
        target = " (issue 14's target is hand J <= 1.5)" if s is hand else ""
        print(f"  ratio {label}{target}: median {np.median(r):.2f}, range {r.min():.2f} - "
              f"{r.max():.2f} over {r.size} problems")


def _trial_calls(p, x, diag, lam, step, upper):
    """The numpy and LAPACK calls one accepted dense LM trial makes (one lambda iteration),
    straight-line, with none of the solver's Python around them: the floor of this
    algorithm written on numpy. Mirrors lm.py, subproblem.py and lmpar.py."""
    xt = x + step
    r = np.array(p.residuals(xt), dtype=np.float64)
    0.5 * float(r @ r)
    jac = np.array(p.jac(xt), dtype=np.float64)
    m, n = jac.shape
    g = jac.T @ r
    acnorm = np.sqrt(np.einsum("ij,ij->j", jac, jac))
    cn = acnorm.tolist()
    math.isfinite(sum(cn))  # J finite
    ag = list(map(abs, g.tolist()))
    math.isfinite(sum(ag)), max(ag), min(cn) > 0
    max(map(truediv, ag, cn))  # the cosine
    d = np.maximum(diag, acnorm)
    if m > n and m * n > DIRECT_SVD_MAX_ENTRIES:
        qr, tau, _, _ = lapack.dgeqrf(jac)
        small = qr[:n] * upper
        small /= d
        b = lapack.dormqr("L", "T", qr, tau, r[:, None], m)[0][:n, 0]
    else:  # small or wide J: one SVD of J D^-1 itself, as DenseSubproblem does
        small, b = jac / d, r
    u, s, vt, _ = lapack.dgesdd(small, full_matrices=0)
    s, c = s.tolist(), list(map(neg, np.dot(b, u).tolist()))
    sc = list(map(mul, s, c))
    s2 = list(map(mul, s, s))
    math.hypot(*sc)
    w = [a / b if b > 0 else 0.0 for a, b in zip(c, s, strict=True)]
    math.hypot(*w), sum(map(truediv, map(mul, w, w), s2))  # lambda = 0
    den = [a + lam for a in s2]
    w = list(map(truediv, sc, den))
    math.hypot(*w), sum(map(truediv, map(mul, w, w), den))  # one lambda > 0
    q = np.dot(w, vt)  # the coordinates carry the sign
    q / d  # p
    math.hypot(*map(mul, s, w))  # ||J p||
    dx = d * xt
    math.sqrt(float(dx @ dx))


def trial_floor(names=("rosenbrock", "meyer", "osborne2"), calls=2000):
    """What 1.5x allows on small problems: the time of the numpy calls of one accepted trial
    alone (``_trial_calls``, no Python glue, no driver) against scipy 'lm''s time per
    evaluation, in thread CPU time, best of 5."""
    rows = {p.name: p for p in dense_problems()}
    print("floor of a dense LM trial on numpy (its numpy/LAPACK calls only, straight-line), "
          "us; ratio = floor / scipy 'lm' per evaluation")
    for name in names:
        p = rows[name]
        x = np.array(p.x0, dtype=float)
        step = 1e-3 * (np.abs(x) + 1.0)
        diag = np.ones(x.size)
        upper = np.triu(np.ones((x.size, x.size)))
        nfev = scipy.optimize.least_squares(p.residuals, p.x0, jac=p.jac, method="lm").nfev
        floor = scipy_us = math.inf
        for _ in range(5):
            start = time.thread_time()
            for _ in range(calls):
                _trial_calls(p, x, diag, 0.3, step, upper)
            floor = min(floor, (time.thread_time() - start) / calls)
            start = time.thread_time()
            for _ in range(20):
                scipy.optimize.least_squares(p.residuals, p.x0, jac=p.jac, method="lm")
            scipy_us = min(scipy_us, (time.thread_time() - start) / (20 * nfev))
        user = _per_call(p.residuals, p.x0) + _per_call(p.jac, p.x0)
        print(f"  {name:24s} floor {1e6 * floor:6.1f} (of which fun+jac {1e6 * user:5.1f})  "
              f"scipy {1e6 * scipy_us:6.1f}  ratio {floor / scipy_us:.2f}")


def _bare_lm(fun, jac, x0, tol=1e-8, factor=0.5, maxfev=1000):
    """lm.py's dense LM (linear loss, no bounds, D from column norms, MINPACK's ratio tests,
    radius updates and ftol/xtol/gtol stops) with the library's own DenseSubproblem and
    lmpar_coordinates, and none of the layers around them: no front door, driver,
    ResidualObjective (counting, point cache, Linearization) or LMState. The same iterates
    (``layers`` prints both counts); the time between the two is what the layers cost.
    Returns (nfev, njev)."""
    x = np.array(x0, dtype=float)
    r = np.array(fun(x), dtype=float)
    cost = 0.5 * float(r @ r)
    jm = np.array(jac(x), dtype=float)
    nfev = njev = 1
    acnorm = np.sqrt(np.einsum("ij,ij->j", jm, jm))
    diag = np.where(acnorm == 0, 1.0, acnorm)
    xnorm = math.sqrt(float((diag * x) @ (diag * x)))
    delta = factor * xnorm if xnorm > 0 else factor
    par, first = 0.0, True
    sub = DenseSubproblem(jm, r, diag)
    cosine = _bare_cosine(jm, r, acnorm, cost)
    while nfev < maxfev and cosine > tol:
        par, w, pnorm = lmpar_coordinates(sub, delta, par)
        if first:
            delta, first = min(delta, pnorm), False
        x1 = x + sub.step(w) / diag
        r1 = np.array(fun(x1), dtype=float)
        nfev += 1
        cost1 = 0.5 * float(r1 @ r1)
        actred = 1.0 - cost1 / cost if cost1 < 100.0 * cost else -1.0
        jp2 = sub.model_norm_coordinates(w) ** 2
        prered = (jp2 + 2.0 * par * pnorm * pnorm) / (2.0 * cost)
        dirder = -(jp2 + par * pnorm * pnorm) / (2.0 * cost)
        ratio = actred / prered if prered != 0 else 0.0
        if ratio <= 0.25:
            temp = 0.5 if actred >= 0 else 0.5 * dirder / (dirder + 0.5 * actred)
            if cost1 >= 100.0 * cost or not temp >= 0.1:
                temp = 0.1
            delta, par = temp * min(delta, pnorm / 0.1), par / temp
        elif par == 0 or ratio >= 0.75:
            delta, par = pnorm / 0.5, 0.5 * par
        if ratio >= 1e-4:
            x, r, cost = x1, r1, cost1
            jm = np.array(jac(x), dtype=float)
            njev += 1
            acnorm = np.sqrt(np.einsum("ij,ij->j", jm, jm))
            cosine = _bare_cosine(jm, r, acnorm, cost)
            xnorm = math.sqrt(float((diag * x) @ (diag * x)))
            diag = np.maximum(diag, acnorm)
            sub = DenseSubproblem(jm, r, diag)
        if ((abs(actred) <= tol and prered <= tol and 0.5 * ratio <= 1.0)
                or delta <= tol * xnorm):
            break
    return nfev, njev


def _bare_cosine(jm, r, acnorm, cost):
    """MINPACK's gnorm (lm.py's ``_cosine`` on lists, for J without zero columns)."""
    if cost == 0:
        return 0.0
    ag = map(abs, (jm.T @ r).tolist())
    return max(map(truediv, ag, acnorm.tolist())) / math.sqrt(2.0 * cost)


def layers(rounds=5):
    """The time per evaluation of ``_bare_lm`` (the algorithm with no layers around it)
    against the front door and scipy 'lm', with the same hand-written J (thread CPU time,
    best of ``rounds``, taken in turn): the part of the gap to scipy that the layers
    (front door, driver, objective, state) make, and the part the algorithm on numpy
    makes."""
    rows = dense_problems()[:-1]  # the m = 2000 fit is below 1x already
    print("dense LM without its layers (same iterates): us per evaluation; ratio to scipy 'lm'")
    bare_ratios = []
    for p in rows:
        solvers = {"bare": lambda p=p: _bare_lm(p.residuals, p.jac, p.x0)[0],
                   "optkit": lambda p=p: optkit.least_squares(p.residuals, p.x0,
                                                              jac=p.jac).nfev,
                   "scipy": lambda p=p: scipy.optimize.least_squares(
                       p.residuals, p.x0, jac=p.jac, method="lm").nfev}
        best = dict.fromkeys(solvers, math.inf)
        for _ in range(rounds):
            for key, solve in solvers.items():
                start, count = time.thread_time(), 0
                for _ in range(5):
                    count += solve()
                best[key] = min(best[key], (time.thread_time() - start) / count)
        res = optkit.least_squares(p.residuals, p.x0, jac=p.jac)
        counts = _bare_lm(p.residuals, p.jac, p.x0)
        bare_ratios.append(best["bare"] / best["scipy"])
        print(f"  {p.name:24s} nfev/njev bare {counts[0]}/{counts[1]} optkit "
              f"{res.nfev}/{res.njev}  bare {1e6 * best['bare']:6.1f} optkit "
              f"{1e6 * best['optkit']:6.1f} scipy {1e6 * best['scipy']:6.1f}  ratio bare "
              f"{bare_ratios[-1]:.2f} optkit {best['optkit'] / best['scipy']:.2f}")
    print(f"  ratio bare: median {np.median(bare_ratios):.2f}, range {min(bare_ratios):.2f} - "
          f"{max(bare_ratios):.2f}")


LARGE = """
import numpy as np, resource, time, optkit
n, k = 10_000, 100
t = np.linspace(0.1, 3.0, k)
rng = np.random.default_rng(0)
truth = 0.5 + rng.random(n)
y = np.exp(-truth[:, None] * t[None, :]).reshape(-1)
def residuals(x):
    fit = np.exp(-x[:, None] * t[None, :]).reshape(-1) - y
    return np.concatenate([fit, 0.1 * (x[1:] - x[:-1]) - 0.1 * (truth[1:] - truth[:-1])])
start = time.perf_counter()
res = optkit.least_squares(residuals, np.ones(n), METHOD, jac_mode="operator")
print(METHOD, res.success, f"cost={res.cost:.2e} opt={res.optimality:.1e} nfev={res.nfev} "
      f"njev={res.njev} time={time.perf_counter() - start:.1f}s "
      f"peak_rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}MB "
      f"max|x-truth|={np.max(np.abs(res.x - truth)):.1e}")
"""


def large():
    print("large: m = 1,009,999 residuals, n = 10,000 parameters (operator form); scipy's "
          "dense J would be 80.8 GB")
    for method in ("gn-cg", "lm"):
        code = LARGE.replace("METHOD", repr(method))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=1800, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        print("  " + (out.stdout.strip() or out.stderr.strip().splitlines()[-1]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-large", action="store_true")
    args = parser.parse_args()
    table(args.quick)
    per_evaluation()
    trial_floor()
    layers()
    if not args.no_large:
        large()
    print(f"peak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}"
          " MB")


if __name__ == "__main__":
    main()
