"""The machinery shared by the univariate distributions: argument parsing, support, masks.

A distribution is written in its *standard form* (``loc = 0``, ``scale = 1``), as in
``scipy.stats.rv_continuous``: ``_logpdf(z, *shapes)``, ``_cdf``, ``_sf`` and optionally
``_logcdf``/``_logsf``; the public methods standardize ``z = (x - loc) / scale``, mask the
points outside the support and the invalid parameters, and return scipy's values there
(``-inf``/0/1 outside the support, NaN for invalid parameters or a NaN ``x``).

Masks are computed on plain values and used as constants; a traced argument is replaced by a
safe interior point before it reaches a log or a special function where its entry is masked
(the "double where"), so that neither the value nor any derivative of a masked entry is NaN.
"""

from __future__ import annotations

import numpy as np

from ..ad.core import NotDifferentiableError, Tracer, value_of

__all__ = ["ContinuousDistribution", "DiscreteDistribution"]


def plain_value(x):
    """The value under any tracers, as a float array (for masks and argument checks)."""
    return np.asarray(value_of(x), dtype=float)


def float_array(x):
    """A traced value passes; anything else becomes a float array (lists, ints, scalars)."""
    return x if isinstance(x, Tracer) else np.asarray(x, dtype=float)


def _where(mask, x, safe):
    """``x`` where ``mask``, else the constant ``safe``; plain arrays stay plain."""
    if np.all(mask):
        return x
    return np.where(mask, x, safe)


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
        """Plain boolean mask of valid shape parameters (overridden per distribution)."""
        return np.ones(np.broadcast_shapes(*(np.shape(s) for s in shapes)), dtype=bool)

    def _safe(self, shapes, valid):
        pairs = zip(shapes, self.safe_shapes, strict=True)
        return tuple(_where(valid, s, safe) for s, safe in pairs)

    def _support(self, *shapes):
        return -np.inf, np.inf


class ContinuousDistribution(_Distribution):
    """A continuous distribution with ``loc``/``scale``: logpdf, pdf, logcdf, cdf, logsf, sf."""

    _has_scale = True
    inner = 0.0                      # a point inside the standard support

    def _logcdf(self, z, *shapes):
        # log cdf in the lower half, log1p(-sf) in the upper, as scipy's generic _logcdf
        lower = plain_value(self._cdf(value_of(z), *map(value_of, shapes))) < 0.5
        with np.errstate(divide="ignore"):
            return np.where(lower, np.log(_where(lower, self._cdf(z, *shapes), 1.0)),
                            np.log1p(-_where(lower, 0.0, self._sf(z, *shapes))))

    def _logsf(self, z, *shapes):
        upper = plain_value(self._sf(value_of(z), *map(value_of, shapes))) < 0.5
        with np.errstate(divide="ignore"):
            return np.where(upper, np.log(_where(upper, self._sf(z, *shapes), 1.0)),
                            np.log1p(-_where(upper, 0.0, self._cdf(z, *shapes))))

    def _prepare(self, method, x, args, kwds):
        """z, shapes (safe), the masks (valid, inside, below, above) and the safe scale."""
        shapes, loc, scale = self._parse(method, args, kwds)
        x = float_array(x)
        plain_shapes = tuple(plain_value(s) for s in shapes)
        scale_value = plain_value(scale)
        zp = (plain_value(x) - plain_value(loc)) / np.where(scale_value > 0, scale_value, 1.0)
        valid = self._argcheck(*plain_shapes) & (plain_value(scale) > 0) & ~np.isnan(zp)
        valid = np.broadcast_to(valid, np.broadcast_shapes(np.shape(valid), np.shape(zp)))
        lo, hi = self._support(*self._safe(plain_shapes, self._argcheck(*plain_shapes)))
        inside = valid & (zp >= lo) & (zp <= hi)
        scale = _where(valid, scale, 1.0)
        z = _where(inside, (x - loc) / scale, self.inner)
        return z, self._safe(shapes, valid), scale, valid, inside, zp >= hi

    @staticmethod
    def _finish(value, valid, inside, outside_value):
        out = np.where(inside, value, outside_value)
        return _where(valid, out, np.nan)

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
        plain_shapes = tuple(plain_value(s) for s in shapes)
        kp = plain_value(k) - plain_value(loc)
        valid = self._argcheck(*plain_shapes) & ~np.isnan(kp)
        valid = np.broadcast_to(valid, np.broadcast_shapes(np.shape(valid), np.shape(kp)))
        lo, hi = self._support(*self._safe(plain_shapes, self._argcheck(*plain_shapes)))
        return kp, self._safe(shapes, valid), valid, lo, hi

    def logpmf(self, k, *args, **kwds):
        """Log of the probability mass at ``k`` (-inf off the integers of the support)."""
        kp, shapes, valid, lo, hi = self._prepare("logpmf", k, args, kwds)
        inside = valid & (kp >= lo) & (kp <= hi) & (np.floor(kp) == kp)
        value = self._logpmf(_where(inside, kp, 0.0), *shapes)
        out = np.where(inside, value, -np.inf)
        return _where(valid, out, np.nan)

    def pmf(self, k, *args, **kwds):
        """The probability mass at ``k`` (``exp(logpmf)``)."""
        return np.exp(self.logpmf(k, *args, **kwds))

    def cdf(self, k, *args, **kwds):
        """``P(K <= k)``; differentiable in the parameters where the rule exists."""
        kp, shapes, valid, lo, hi = self._prepare("cdf", k, args, kwds)
        kp = np.floor(kp)
        inside = valid & (kp >= lo) & (kp < hi)
        value = self._cdf(_where(inside, kp, 0.0), *shapes)
        out = np.where(inside, value, np.where(kp >= hi, 1.0, 0.0))
        return _where(valid, out, np.nan)

    def sf(self, k, *args, **kwds):
        """``P(K > k)``, computed without cancellation."""
        kp, shapes, valid, lo, hi = self._prepare("sf", k, args, kwds)
        kp = np.floor(kp)
        inside = valid & (kp >= lo) & (kp < hi)
        value = self._sf(_where(inside, kp, 0.0), *shapes)
        out = np.where(inside, value, np.where(kp >= hi, 0.0, 1.0))
        return _where(valid, out, np.nan)

    def logcdf(self, k, *args, **kwds):
        """Log of the cumulative distribution function at ``k``."""
        with np.errstate(divide="ignore"):
            return np.log(self.cdf(k, *args, **kwds))

    def logsf(self, k, *args, **kwds):
        """Log of the survival function at ``k``."""
        with np.errstate(divide="ignore"):
            return np.log(self.sf(k, *args, **kwds))
