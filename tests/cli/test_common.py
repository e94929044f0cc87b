"""The shared helpers: JSON text, vectors, method names, atomic writes."""

import json

import numpy as np
import pytest

from optkit.cli.common import CliError, atomic_write, check_method, parse_vector, to_json


def test_to_json_is_valid_json_with_null_for_non_finite():
    doc = {"x": np.array([1.0, np.inf]), "n": np.int64(3), "ok": np.bool_(True),
           "runs": [{"f": np.nan}, {"f": 1.5}], "empty": [], "nested": {"a": [1, 2]}}
    assert json.loads(to_json(doc)) == {"x": [1.0, None], "n": 3, "ok": True,
                                        "runs": [{"f": None}, {"f": 1.5}], "empty": [],
                                        "nested": {"a": [1, 2]}}
    assert json.loads(to_json([{"a": 1}])) == [{"a": 1}]
    assert json.loads(to_json({})) == {}


@pytest.mark.parametrize("text", ["1,2.5,-3", " 1 ; 2.5 ; -3 ", "1 2.5 -3", "1e0,25e-1,-3"])
def test_parse_vector_accepts_commas_semicolons_or_spaces(text):
    assert parse_vector(text, 3, "--x0").tolist() == [1.0, 2.5, -3.0]


def test_check_method_canonical_names():
    assert check_method("LBFGS") == "lbfgs"
    assert check_method("scipy:trust-KRYLOV") == "scipy:trust-krylov"
    with pytest.raises(CliError, match="scipy methods: Nelder-Mead"):
        check_method("scipy:zzz")


def test_atomic_write_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    atomic_write(str(target), "new", "--output")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    with pytest.raises(CliError, match="does not exist"):
        atomic_write(str(tmp_path / "missing" / "r.json"), "x", "--output")
