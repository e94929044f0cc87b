"""`optkit bench` and `optkit solve --multistart` on local processes and a Dask cluster:
results equal to serial runs, the box a multistart draws from, one-line errors."""

import socket

import numpy as np
import pytest

# the session's LocalCluster of tests/distributed (2 worker processes, 1 thread each)
from tests.distributed.conftest import cluster  # noqa: F401

BENCH = ("bench", "--problems", "rosenbrock,beale", "--methods", "lbfgs,newton-cg")

# two local minima: near x = -1 (f about -0.3) and x = +1 (f about +0.3); a lambda and a
# global, which the standard pickle could not send to a worker
TWO_WELLS_FILE = """
    import numpy as np

    x0 = [0.5]
    tilt = 0.3
    well = lambda x: (x ** 2 - 1.0) ** 2

    def objective(x):
        return np.sum(well(x) + tilt * x)
"""

SAME = ("problem", "method", "status", "solved", "fun", "nit", "nfev", "njev", "nhev")


def _free_port():
    with socket.socket() as sock:  # bound, then closed: nothing listens there afterwards
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runs(doc):
    return [{k: r[k] for k in SAME} for r in doc["runs"]]


def _one_line_error(run, *needles):
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.startswith("Error: ") and run.stderr.count("\n") == 1, run.stderr
    for needle in needles:
        assert needle in run.stderr


def test_bench_on_two_local_processes_equals_serial(cli):
    serial_run = cli(*BENCH, "--json")
    parallel = cli(*BENCH, "--workers", "2", "--json")
    assert serial_run.code == parallel.code == 0
    serial, doc = serial_run.json(), parallel.json()
    assert _runs(doc) == _runs(serial)  # same order, same f values, bit for bit
    assert [(s["method"], s["solved"]) for s in doc["summary"]] == [("lbfgs", 2),
                                                                    ("newton-cg", 2)]
    assert doc["executor"] == "2 local processes" and serial["executor"] == "in-process"
    assert all(r["time"] > 0 for r in doc["runs"])  # each solve timed where it ran
    assert "bench: 4 solves on 2 local processes" in parallel.stderr


def test_bench_on_a_dask_scheduler_prints_the_serial_table(cli, cluster):  # noqa: F811
    serial = cli(*BENCH)
    remote = cli(*BENCH, "--scheduler", cluster.scheduler_address, "--connect-timeout", "30")
    assert serial.code == remote.code == 0
    # every line but the per-method totals (their last column is time) is the same
    table, totals = remote.stdout.split("\n\n")
    assert table == serial.stdout.split("\n\n")[0]
    assert [line.split()[:2] for line in totals.splitlines()[1:]] == [["lbfgs", "2/2"],
                                                                     ["newton-cg", "2/2"]]
    assert f"on Dask scheduler at {cluster.scheduler_address}" in remote.stderr


@pytest.mark.parametrize("command", [BENCH, ("solve", "rosenbrock", "--multistart", "3")])
def test_an_unreachable_scheduler_is_one_line_and_exit_2(cli, command):
    pytest.importorskip("distributed", reason="needs the dask extra")
    address = f"tcp://127.0.0.1:{_free_port()}"
    run = cli(*command, "--scheduler", address, "--connect-timeout", "0.5")
    _one_line_error(run, "--scheduler: could not connect", address, "within 0.5 s")


@pytest.mark.parametrize("args, needle", [
    (BENCH + ("--workers", "2", "--scheduler", "tcp://127.0.0.1:1"), "mutually exclusive"),
    (("solve", "wood", "--multistart", "2", "--workers", "2", "--scheduler", "h:1"),
     "mutually exclusive"),
    (BENCH + ("--connect-timeout", "3"), "--connect-timeout applies only with --scheduler"),
    (BENCH + ("--scheduler", "processes"), "not a scheduler address"),
    (BENCH + ("--workers", "0"), "--workers"),
    (("solve", "wood", "--workers", "2"), "--workers applies only with --multistart"),
    (("solve", "wood", "--box", "-1,1"), "--box applies only with --multistart"),
    (("solve", "wood", "--seed", "3"), "--seed applies only with --multistart"),
    (("solve", "wood", "--multistart", "2", "--box", "1,-1"), "LO must be below HI"),
    (("solve", "wood", "--multistart", "2", "--box", "1"), "--box has 1 entries"),
    (("solve", "wood", "--multistart", "2", "--method", "scipy:BFGS"),
     "scipy:BFGS cannot run as a multistart"),
    (("solve", "wood", "--multistart", "2", "--method", "lm"), "lm cannot run as a multistart"),
    (("solve", "wood", "--multistart", "2", "--history", "h.csv"), "--history"),
    (("solve", "wood", "--multistart", "0"), "--multistart"),
])
def test_usage_errors_are_one_line(cli, args, needle):
    _one_line_error(cli(*args), needle)


def _two_wells(cli, problem_file, *extra):
    path = problem_file("two_wells.py", TWO_WELLS_FILE)
    return cli("solve", path, "--multistart", "8", "--box", "-2,2", "--json", *extra)


def test_multistart_returns_the_best_of_k(cli, problem_file):
    run = _two_wells(cli, problem_file)
    assert run.code == 0, run.stderr
    doc = run.json()
    record = doc["multistart"]
    funs = [r["fun"] for r in record["runs"]]
    assert record["starts"] == len(funs) == 8 and record["converged"] == 8
    assert funs == sorted(funs) and doc["fun"] == funs[0]
    assert max(funs) > doc["fun"] + 0.5  # some starts ended in the other, higher well
    assert doc["x"][0] == pytest.approx(-1.0, abs=0.1) and doc["success"]
    assert record["box"]["lb"] == [-2.0] and record["box"]["ub"] == [2.0]
    assert record["box"]["rule"] == "--box" and record["interrupted"] == 0


def _without_times(doc):
    record = {**doc["multistart"], "executor": None, "wall_time": None,
              "runs": [{**r, "time": None} for r in doc["multistart"]["runs"]]}
    return {**doc, "time": None, "multistart": record}


def test_multistart_on_local_processes_and_dask_equals_serial(cli, problem_file,
                                                             cluster):  # noqa: F811
    serial = _two_wells(cli, problem_file).json()
    local = _two_wells(cli, problem_file, "--workers", "2").json()
    remote = _two_wells(cli, problem_file, "--scheduler", cluster.scheduler_address).json()
    assert _without_times(local) == _without_times(serial) == _without_times(remote)
    assert local["multistart"]["executor"] == "2 local processes"
    assert remote["multistart"]["executor"].startswith("Dask scheduler at")


def test_the_default_box_is_x0_plus_minus_max_1_abs_x0_and_is_printed(cli):
    run = cli("solve", "rosenbrock", "--multistart", "3", "--seed", "1")  # x0 = (-1.2, 1)
    assert run.code == 0
    lines = dict(line.split(None, 1) for line in run.stdout.splitlines())
    assert lines["box"] == "x0 ± max(1, |x0|): [-2.4, 0] x [0, 2]"
    assert lines["ended"] == "3 of 3 converged"
    assert lines["starts"].startswith("3 Latin hypercube starts (seed 1), run in this process")
    doc = cli("solve", "rosenbrock", "--multistart", "3", "--x0", "10,-0.5", "--json").json()
    assert np.allclose(doc["multistart"]["box"]["lb"], [0.0, -1.5])
    assert np.allclose(doc["multistart"]["box"]["ub"], [20.0, 0.5])


def test_an_unbounded_problem_is_solved_past_the_box_of_its_starts(cli):
    # the default box [-2.4, 0] x [0, 2] only places the starts: rosenbrock's minimum (1, 1)
    # lies outside it, and the unconstrained solves must still reach it
    doc = cli("solve", "rosenbrock", "--multistart", "3", "--seed", "1", "--json").json()
    assert doc["success"] and doc["x"] == pytest.approx([1.0, 1.0], abs=1e-4)
