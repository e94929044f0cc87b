"""Fit a model to data: ``optkit.curve_fit`` with standard errors, and ``optkit.least_squares``
with a robust loss.

The model is plain numpy; its Jacobian comes from optkit's AD (exact, never a finite
difference). ``curve_fit`` has ``scipy.optimize.curve_fit``'s signature and returns
``(popt, pcov)``; the standard errors of the parameters are ``sqrt(diag(pcov))``.
"""

import numpy as np
import scipy.optimize

import optkit


def decay(t, amplitude, rate, offset):
    return amplitude * np.exp(-rate * t) + offset


rng = np.random.default_rng(0)
t = np.linspace(0.0, 4.0, 50)
true = (2.5, 1.3, 0.5)
sigma = 0.05
y = decay(t, *true) + sigma * rng.standard_normal(t.size)

popt, pcov = optkit.curve_fit(decay, t, y, p0=[1.0, 1.0, 0.0])
errors = np.sqrt(np.diag(pcov))
print("curve_fit: parameter  estimate  std. error  true")
for name, value, error, truth in zip(["amplitude", "rate", "offset"], popt, errors, true,
                                     strict=True):
    print(f"           {name:9s}  {value:8.4f}  {error:10.4f}  {truth:4.1f}")

sp_popt, sp_pcov = scipy.optimize.curve_fit(decay, t, y, p0=[1.0, 1.0, 0.0])
print("max |popt - scipy's|       =", f"{np.max(np.abs(popt - sp_popt)):.1e}")
print("max |errors - scipy's| / errors =",
      f"{np.max(np.abs(errors - np.sqrt(np.diag(sp_pcov))) / errors):.1e}")

# Outliers: three points far off. The linear loss is pulled toward them; a robust loss
# (soft_l1, scale f_scale) down-weights residuals much larger than f_scale.
y_bad = y.copy()
y_bad[[5, 20, 35]] += [1.5, -1.0, 2.0]


def residuals(p):
    return decay(t, *p) - y_bad


for loss in ["linear", "soft_l1"]:
    res = optkit.least_squares(residuals, np.array([1.0, 1.0, 0.0]), loss=loss, f_scale=0.1)
    print(f"least_squares loss={loss:8s} params {np.round(res.x, 3)}  success {res.success}"
          f"  nfev {res.nfev}")
