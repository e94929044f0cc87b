"""ad/compiled/inplace.py: arithmetic written into a temporary read for the last time gives
the bits of the plain replay, and never writes an input, a value read later or a view's base."""

import re

import numpy as np
import pytest

import optkit
from optkit.ad.compiled import codegen as codegen_module
from optkit.ad.compiled.codegen import codegen
from optkit.ad.staging import stage

_IN_PLACE = re.compile(r"^    v\d+ [-+*/]= ", re.MULTILINE)  # a temporary's name, not a slice


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _views_of_a_temporary(x):
    t = x * 3.0
    s = t[1:]  # a view of t, read after t's last direct use
    u = t - 1.0
    return np.sum(u[:-1] * s) + np.sum(np.sin(t))


def _temporary_read_twice(x):
    t = x * 2.0
    u = t + 1.0
    return np.sum(t * u / (1.0 + u * u)) - np.sum(x - 0.5)


def _programs(f, x, v):
    return [(stage(f, (x,))[0], (x,)),
            (stage(optkit.value_and_grad(f), (x,))[0], (x,)),
            (stage(lambda x, v: optkit.hvp(f, x, v), (x, v))[0], (x, v))]


@pytest.mark.parametrize("f", [_rosenbrock, _views_of_a_temporary, _temporary_read_twice])
def test_in_place_operators_give_the_plain_replays_bits(f, monkeypatch):
    rng = np.random.default_rng(0)
    x, v = rng.uniform(-1.0, 1.0, 50), rng.standard_normal(50)
    keep_x, keep_v = x.copy(), v.copy()
    for program, args in _programs(f, x, v):
        replay = codegen(program, "p", blocked=False)
        with monkeypatch.context() as m:
            m.setattr(codegen_module, "in_place", lambda *a, **k: {})
            plain = codegen(program, "p", blocked=False)
        assert not _IN_PLACE.search(plain.source)
        for _ in range(2):  # the second run reads nothing the first overwrote
            for a, b in zip(replay(*args), plain(*args), strict=True):
                np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(x, keep_x)  # inputs never written
        np.testing.assert_array_equal(v, keep_v)


def test_rosenbrock_programs_write_in_place():
    x = np.random.default_rng(1).uniform(-1.0, 1.0, 30)
    for program, _ in _programs(_rosenbrock, x, x)[1:]:
        assert _IN_PLACE.search(codegen(program, "p", blocked=False).source)


def test_a_temporary_with_a_live_view_is_not_written():
    x = np.random.default_rng(2).uniform(-1.0, 1.0, 20)
    replay = codegen(stage(_views_of_a_temporary, (x,))[0], "p", blocked=False)
    t = next(line.split(" = ")[0].strip() for line in replay.source.splitlines()
             if line.strip().startswith("v") and " * " in line)  # t = x * 3.0
    assert f"    {t} -= " not in replay.source  # t's view s is read after t - 1.0
    assert replay(x)[0] == pytest.approx(_views_of_a_temporary(x), rel=1e-14)


def test_split_hvp_residuals_survive_many_products():
    cf = optkit.compile(_rosenbrock)
    rng = np.random.default_rng(3)
    x = rng.uniform(-1.0, 1.0, 40)
    vs = [rng.standard_normal(40) for _ in range(3)]
    first = [optkit.hvp(cf, x, v) for v in vs]
    again = [optkit.hvp(cf, x, v) for v in vs]  # the kept residuals, read three times more
    for a, b, v in zip(first, again, vs, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, optkit.hvp(_rosenbrock, x, v), rtol=1e-12, atol=1e-12)


def test_a_returned_temporary_is_not_written():
    def f(x):
        t = x * 2.0
        return t, np.sum(t - 1.0)  # t is returned and read by t - 1.0, its last use

    x = np.random.default_rng(4).uniform(-1.0, 1.0, 20)
    replay = codegen(stage(f, (x,))[0], "p", blocked=False)
    t, total = replay(x)
    np.testing.assert_array_equal(t, x * 2.0)
    assert total == pytest.approx(np.sum(x * 2.0 - 1.0), rel=1e-14)
