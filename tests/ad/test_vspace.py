"""Value spaces: zeros, covectors, projection of cotangents back to an input's space."""

import numpy as np
import pytest

from optkit.ad.vspace import TRACE_DTYPE, as_input, tangent_dtype, tangent_zeros, vspace


def test_spaces_are_cached_per_shape_dtype_and_scalarness():
    assert vspace(np.ones(3)) is vspace(np.zeros(3))
    assert vspace(np.ones(3)) is not vspace(np.ones(3, np.float32))
    assert vspace(2.0) is vspace(np.float64(3.0))
    assert vspace(2.0).scalar and not vspace(np.ones(1)).scalar


def test_integer_values_have_the_traced_dtype_as_tangent_space():
    assert vspace(np.arange(3)).dtype == TRACE_DTYPE
    assert vspace(3).dtype == TRACE_DTYPE
    assert tangent_dtype(np.arange(2)) == TRACE_DTYPE
    assert tangent_dtype(np.ones(2, np.float32)) == np.float32
    z = tangent_zeros(np.arange(4).reshape(2, 2))
    assert z.shape == (2, 2) and z.dtype == TRACE_DTYPE and not z.any()


def test_zeros_of_a_space():
    z = vspace(np.ones((2, 3), np.float32)).zeros()
    assert z.dtype == np.float32 and z.shape == (2, 3) and not z.any()
    assert vspace(1.5).zeros() == 0.0 and type(vspace(1.5).zeros()) is float


def test_covector_conjugates_in_a_complex_space_only():
    u = np.array([1.0 + 2.0j, -3.0j])
    np.testing.assert_array_equal(vspace(np.ones(2, complex)).covector(u), np.conj(u))
    r = np.array([1.0, -2.0])
    assert vspace(np.ones(2)).covector(r) is r


def test_project_takes_the_real_part_undoes_broadcasting_and_casts():
    space = vspace(np.ones((1, 3), np.float32))
    ct = np.array([[1.0 + 5.0j, 2.0, 3.0], [1.0, 1.0, 1.0 - 1.0j]])  # broadcast over rows
    out = space.project(ct)
    assert out.dtype == np.float32 and out.shape == (1, 3)
    np.testing.assert_array_equal(out, [[2.0, 3.0, 4.0]])
    assert type(vspace(2.0).project(np.array(3.0))) is float


def test_project_gives_a_writeable_array_for_a_broadcast_view():
    view = np.broadcast_to(np.ones(1), (4,))
    out = vspace(np.zeros(4)).project(view)
    assert out.flags.writeable
    out[0] = 5.0  # no error: the caller owns it


def test_project_leaves_a_float64_array_alone():
    g = np.ones(3)
    assert vspace(np.zeros(3)).project(g) is g


@pytest.mark.parametrize("bad, match", [(True, "not a bool"), ("x", "must be a real"),
                                        (np.array(["a"]), "dtype <U1")])
def test_as_input_refuses_non_real_values(bad, match):
    with pytest.raises(TypeError, match=match):
        as_input(bad, "x")


def test_as_input_promotes_to_the_traced_dtype():
    assert as_input(np.arange(3)).dtype == TRACE_DTYPE
    assert as_input(np.ones(2, np.float32)).dtype == TRACE_DTYPE
    x = np.ones(2)
    assert as_input(x) is x
