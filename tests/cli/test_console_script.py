"""The installed `optkit` console script and `python cli.py`, run as real processes."""

import json
import pathlib
import shutil
import signal
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _optkit():
    """The console script installed for this interpreter (pip install -e . puts it beside
    python), else the one on PATH, else `python -m optkit.cli`."""
    beside = pathlib.Path(sys.executable).with_name("optkit")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("optkit")
    return [found] if found else [sys.executable, "-m", "optkit.cli"]


def _run(*args, cwd=None):
    return subprocess.run([*_optkit(), *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def test_console_script_solves_and_reports(tmp_path):
    out = tmp_path / "result.json"
    proc = _run("solve", "rosenbrock", "--json", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["success"] is True and doc["fun"] < 1e-10
    assert json.loads(out.read_text()) == doc


def test_console_script_version_and_errors():
    proc = _run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == "optkit 0.1.0"
    proc = _run("solve", "rosenbrok")
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()  # the suggestions after the first follow the catalogue
    assert len(lines) == 1
    assert lines[0].startswith("Error: unknown problem 'rosenbrok'; did you mean rosenbrock, ")


def test_a_bare_console_script_prints_the_help():
    proc = _run()
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("Usage: optkit [OPTIONS] COMMAND") and "Commands:" in proc.stdout


def test_thin_entry_from_a_checkout():
    proc = subprocess.run([sys.executable, "cli.py", "list", "--tag", "physics"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1].startswith("lj13 ")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_saves_the_best_point(tmp_path):
    """A real SIGINT once the iteration log has started: exit 1, status printed, file saved."""
    out = tmp_path / "best.json"
    args = ["solve", "extended-rosenbrock", "--n", "20000", "--method", "gd", "-v",
            "--output", str(out)]
    proc = subprocess.Popen(  # SIGINT may be ignored in a background CI job: restore it
        [*_optkit(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(3):  # header and two iterations: the solve is under way
            assert proc.stderr.readline()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 1, stderr
    assert "interrupted" in stdout and f"best point saved to {out}" in stderr
    saved = json.loads(out.read_text())
    assert saved["status"] == "interrupted" and len(saved["x"]) == 20000 and saved["nit"] >= 2
