"""The shared helpers: JSON text, vectors, method names, atomic writes."""

import json
import stat

import numpy as np
import pytest

from optkit.cli.common import (
    CliError,
    atomic_replace,
    atomic_write,
    check_method,
    parse_vector,
    to_json,
)


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


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path, umask, mask, mode):
    umask(mask)
    target = tmp_path / "r.json"
    atomic_write(str(target), "new", "--output")
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "r.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(str(target), "new", "--output")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "p.png"
    target.write_text("old")

    def fail(tmp):
        raise OSError(28, "No space left on device")

    with pytest.raises(CliError, match="--plot: cannot write .*No space left on device"):
        atomic_replace(str(target), "--plot", fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]
