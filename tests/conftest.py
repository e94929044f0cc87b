"""Fixtures shared by the test modules."""

import pytest

import optkit.ad.compiled.function as compiled_function


@pytest.fixture
def stagings(monkeypatch):
    """The functions ``optkit.compile`` stages, in order (counted by wrapping ``stage``)."""
    seen = []
    real = compiled_function.stage

    def counting(fn, args, **kwargs):
        seen.append(fn)
        return real(fn, args, **kwargs)

    monkeypatch.setattr(compiled_function, "stage", counting)
    return seen
