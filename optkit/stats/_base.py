"""The machinery shared by the univariate distributions: argument parsing, support, masks.

A distribution is written in its *standard form* (``loc = 0``, ``scale = 1``), as in
``scipy.stats.rv_continuous``: ``_logpdf(z, *shapes)``, ``_cdf``, ``_sf`` and optionally
``_logcdf``/``_logsf``; the public methods standardize ``z = (x - loc) / scale``, mask the
points outside the support and the invalid parameters, and return scipy's values there
(``-inf``/0/1 outside the support, NaN for invalid parameters or a NaN ``x``).

Masks are comparisons (not differentiable) of the possibly traced arguments, combined with
``np.logical_and`` and applied with ``np.where``, never by Python branching on values, so a
compiled program (``optkit.compile``) recomputes them on every call. A traced argument is
replaced by a safe interior point before it reaches a log or a special function where its
entry is masked (the "double where"), so that neither the value nor any derivative of a masked
entry is NaN.
"""

from __future__ import annotations

import numpy as np

from ..ad.core import NotDifferentiableError, Tracer

__all__ = ["ContinuousDistribution", "DiscreteDistribution"]


def float_array(x):
    """A traced value passes; anything else becomes a float array (lists, ints, scalars)."""
    return x if isinstance(x, Tracer) else np.asarray(x, dtype=float)


def both(*masks):
    """The elementwise AND of boolean masks (``np.logical_and``, which traced masks support)."""
    out = masks[0]
    for m in masks[1:]:
        out = np.logical_and(out, m)
    return out


class _Distribution:
    """Parameters, their names and defaults, and the parameter-validity mask."""

    name = ""
    shapes: tuple = ()
    safe_shapes: tuple = ()          # an always-valid value per shape, for masked entries

    def _parse(self, method, args, kwds):
        names = self.shapes + ("loc",) + (("scale",) if self._has_scale else ())
        if len(args) > len(names):
            raise TypeError(f"{self.name}.{method} takes at most {len(names)} parameters "
                            f"({', '.join(names)}), got {len(args)}")
        values = dict(zip(names, args, strict=False))  # fewer args than names
        for key, value in kwds.items():
            if key not in names:
                raise TypeError(f"{self.name}.{method} got an unexpected keyword argument "
                                f"{key!r} (its parameters are {', '.join(names)})")
            if key in values:
                raise TypeError(f"{self.name}.{method} got multiple values for {key!r}")
            values[key] = value
        missing = [n for n in self.shapes if n not in values]
        if missing:
            raise TypeError(f"{self.name}.{method} is missing the shape parameter(s) "
                            f"{', '.join(missing)}")
        shapes = tuple(float_array(values[n]) for n in self.shapes)
        loc, scale = values.get("loc", 0.0), values.get("scale", 1.0)
        return shapes, float_array(loc), float_array(scale)

    def _argcheck(self, *shapes):
        """Boolean mask of valid shape parameters (overridden per distribution)."""
        return True

    def _safe(self, shapes, valid):
        pairs = zip(shapes, self.safe_shapes, strict=True)
        return tuple(np.where(valid, s, safe) for s, safe in pairs)

    def _support(self, *shapes):
        return -np.inf, np.inf


class ContinuousDistribution(_Distribution):
    """A continuous distribution with ``loc``/``scale``: logpdf, pdf, logcdf, cdf, logsf, sf."""

    _has_scale = True
    inner = 0.0                      # a point inside the standard support

    def _logcdf(self, z, *shapes):
        # log cdf in the lower half, log1p(-sf) in the upper, as scipy's generic _logcdf
        cdf = self._cdf(z, *shapes)
        lower = cdf < 0.5
        with np.errstate(divide="ignore"):
            return np.where(lower, np.log(np.where(lower, cdf, 1.0)),
                            np.log1p(-np.where(lower, 0.0, self._sf(z, *shapes))))

    def _logsf(self, z, *shapes):
        sf = self._sf(z, *shapes)
        upper = sf < 0.5
        with np.errstate(divide="ignore"):
            return np.where(upper, np.log(np.where(upper, sf, 1.0)),
                            np.log1p(-np.where(upper, 0.0, self._cdf(z, *shapes))))

    def _prepare(self, method, x, args, kwds):
        """z (safe), shapes (safe), scale (safe) and the masks valid, inside, above."""
        shapes, loc, scale = self._parse(method, args, kwds)
        x = float_array(x)
        shapes_ok = self._argcheck(*shapes)
        shapes = self._safe(shapes, shapes_ok)
        scale_ok = scale > 0
        scale = np.where(scale_ok, scale, 1.0)
        z = (x - loc) / scale
        valid = both(shapes_ok, scale_ok, np.logical_not(np.isnan(z)))
        lo, hi = self._support(*shapes)
        inside = both(valid, z >= lo, z <= hi)
        return np.where(inside, z, self.inner), shapes, scale, valid, inside, z >= hi

    @staticmethod
    def _finish(value, valid, inside, outside_value):
        return np.where(valid, np.where(inside, value, outside_value), np.nan)

    def logpdf(self, x, *args, **kwds):
        """Log of the probability density at ``x``; shapes, ``loc`` and ``scale`` as scipy's."""
        z, shapes, scale, valid, inside, _ = self._prepare("logpdf", x, args, kwds)
        return self._finish(self._logpdf(z, *shapes) - np.log(scale), valid, inside, -np.inf)

    def pdf(self, x, *args, **kwds):
        """The probability density at ``x`` (``exp(logpdf)``)."""
        return np.exp(self.logpdf(x, *args, **kwds))

    def cdf(self, x, *args, **kwds):
        """The cumulative distribution function at ``x``."""
        z, shapes, _, valid, inside, above = self._prepare("cdf", x, args, kwds)
        return self._finish(self._cdf(z, *shapes), valid, inside, np.where(above, 1.0, 0.0))

    def sf(self, x, *args, **kwds):
        """The survival function ``1 - cdf`` at ``x``, computed without cancellation."""
        z, shapes, _, valid, inside, above = self._prepare("sf", x, args, kwds)
        return self._finish(self._sf(z, *shapes), valid, inside, np.where(above, 0.0, 1.0))

    def logcdf(self, x, *args, **kwds):
        """Log of the cumulative distribution function at ``x``."""
        z, shapes, _, valid, inside, above = self._prepare("logcdf", x, args, kwds)
        return self._finish(self._logcdf(z, *shapes), valid, inside,
                            np.where(above, 0.0, -np.inf))

    def logsf(self, x, *args, **kwds):
        """Log of the survival function at ``x``."""
        z, shapes, _, valid, inside, above = self._prepare("logsf", x, args, kwds)
        return self._finish(self._logsf(z, *shapes), valid, inside,
                            np.where(above, -np.inf, 0.0))


class DiscreteDistribution(_Distribution):
    """A discrete distribution on the integers with ``loc``: logpmf, pmf, cdf, sf."""

    _has_scale = False

    def _prepare(self, method, k, args, kwds):
        shapes, loc, _ = self._parse(method, args, kwds)
        for name, v in (("k", k), ("loc", loc)):
            if isinstance(v, Tracer):
                raise NotDifferentiableError(
                    f"{self.name}.{method}: {name} is an integer count and is not "
                    "differentiable; pass a constant (derivatives in the shape parameters "
                    f"{', '.join(self.shapes)} are supported)")
        shapes_ok = self._argcheck(*shapes)
        shapes = self._safe(shapes, shapes_ok)
        kp = np.asarray(k, dtype=float) - loc
        valid = both(shapes_ok, np.logical_not(np.isnan(kp)))
        lo, hi = self._support(*shapes)
        return kp, shapes, valid, lo, hi

    def logpmf(self, k, *args, **kwds):
        """Log of the probability mass at ``k`` (-inf off the integers of the support)."""
        kp, shapes, valid, lo, hi = self._prepare("logpmf", k, args, kwds)
        inside = both(valid, kp >= lo, kp <= hi, np.floor(kp) == kp)
        value = self._logpmf(np.where(inside, kp, 0.0), *shapes)
        return np.where(valid, np.where(inside, value, -np.inf), np.nan)

    def pmf(self, k, *args, **kwds):
        """The probability mass at ``k`` (``exp(logpmf)``)."""
        return np.exp(self.logpmf(k, *args, **kwds))

    def cdf(self, k, *args, **kwds):
        """``P(K <= k)``; differentiable in the parameters where the rule exists."""
        kp, shapes, valid, lo, hi = self._prepare("cdf", k, args, kwds)
        kp = np.floor(kp)
        inside = both(valid, kp >= lo, kp < hi)
        value = self._cdf(np.where(inside, kp, 0.0), *shapes)
        return np.where(valid, np.where(inside, value, np.where(kp >= hi, 1.0, 0.0)), np.nan)

    def sf(self, k, *args, **kwds):
        """``P(K > k)``, computed without cancellation."""
        kp, shapes, valid, lo, hi = self._prepare("sf", k, args, kwds)
        kp = np.floor(kp)
        inside = both(valid, kp >= lo, kp < hi)
        value = self._sf(np.where(inside, kp, 0.0), *shapes)
        return np.where(valid, np.where(inside, value, np.where(kp >= hi, 0.0, 1.0)), np.nan)

    def logcdf(self, k, *args, **kwds):
        """Log of the cumulative distribution function at ``k``."""
        with np.errstate(divide="ignore"):
            return np.log(self.cdf(k, *args, **kwds))

    def logsf(self, k, *args, **kwds):
        """Log of the survival function at ``k``."""
        with np.errstate(divide="ignore"):
            return np.log(self.sf(k, *args, **kwds))
