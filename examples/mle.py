"""Maximum likelihood with ``optkit.stats``: fit a Student-t distribution's location, scale
and degrees of freedom to data, with standard errors from the exact Hessian.

``optkit.stats.t.logpdf`` has ``scipy.stats.t.logpdf``'s signature and values, written in
numpy, so optkit's AD differentiates it in every parameter. The negative log-likelihood is
minimized over unconstrained variables ``(loc, log scale, log df)``, which keeps scale and
df positive without bounds; the standard errors come from the inverse of the Hessian of the
negative log-likelihood in the natural parameters at the optimum (the observed information).
"""

import numpy as np
import scipy.stats

import optkit
from optkit import stats

rng = np.random.default_rng(0)
true = {"loc": 1.0, "scale": 2.0, "df": 4.0}
data = true["loc"] + true["scale"] * rng.standard_t(true["df"], size=2000)


def natural(theta):
    """(loc, scale, df) from the unconstrained variables (loc, log scale, log df)."""
    return theta[0], np.exp(theta[1]), np.exp(theta[2])


def nll(params, x):
    """The negative log-likelihood of (loc, scale, df) for the sample x."""
    loc, scale, df = params[0], params[1], params[2]
    return -np.sum(stats.t.logpdf(x, df, loc=loc, scale=scale))


def objective(theta, x):
    return nll(np.stack(natural(theta)), x)


# Start from robust moments: the median, the interquartile range of a t(5), df = 5.
q1, median, q3 = np.percentile(data, [25, 50, 75])
theta0 = np.array([median, np.log((q3 - q1) / 1.45), np.log(5.0)])
res = optkit.minimize(objective, theta0, args=(data,))
mle = np.array(natural(res.x))
print(f"optkit.minimize: success {res.success}, {res.nit} iterations, {res.nfev} evaluations, "
      f"|grad|_inf {np.max(np.abs(res.jac)):.1e}")

# Standard errors: the inverse of the observed information (the Hessian of the negative
# log-likelihood in (loc, scale, df), by forward-over-reverse AD) at the optimum.
hess = optkit.hessian(lambda p: nll(p, data))(mle)
cov = np.linalg.inv(hess)
errors = np.sqrt(np.diag(cov))

sp_df, sp_loc, sp_scale = scipy.stats.t.fit(data)  # scipy's own optimizer (Nelder-Mead)
scipy_mle = np.array([sp_loc, sp_scale, sp_df])

print("parameter  estimate  std. error  true   scipy.stats.t.fit")
for i, name in enumerate(["loc", "scale", "df"]):
    print(f"{name:9s}  {mle[i]:8.4f}  {errors[i]:10.4f}  {true[name]:4.1f}   {scipy_mle[i]:.4f}")
print(f"negative log-likelihood: optkit {res.fun:.6f}, scipy {nll(scipy_mle, data):.6f}")
print(f"correlation of scale and df: {cov[1, 2] / (errors[1] * errors[2]):.2f}")

# A check of the standard errors: refit 200 samples simulated from the fitted model (a
# parametric bootstrap); their spread should match the standard errors.
fits, converged = [], 0
for _ in range(200):
    sample = mle[0] + mle[1] * rng.standard_t(mle[2], size=data.size)
    fit = optkit.minimize(objective, theta0, args=(sample,))
    converged += fit.success
    fits.append(natural(fit.x))
spread = np.std(np.array(fits), axis=0, ddof=1)
print(f"bootstrap std. of the estimates ({converged}/200 refits converged):",
      np.round(spread, 4))
