"""sum_objective: derivatives equal the in-process sum; solves; data stay put; lost workers."""

import os
import pickle
import signal
import threading

import numpy as np
import pytest

import optkit
import optkit.scipy
from optkit.distributed import DistributedEvaluationError, shard_programs, sum_objective

da = pytest.importorskip("dask.array", reason="needs the dask extra")

ROWS, COLS, CHUNK = 4000, 5, 500
TIMEOUT = 60  # seconds an evaluation may take before the test fails instead of hanging


def loss(w, X, y):
    """Logistic regression's negative log-likelihood with a small ridge, on one shard."""
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(w ** 2)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((ROWS, COLS))
    y = (rng.random(ROWS) < 1.0 / (1.0 + np.exp(-X @ np.linspace(-1.0, 1.0, COLS)))).astype(float)
    return X, y


def _numpy_shards(data):
    X, y = data
    return [(X[i:i + CHUNK], y[i:i + CHUNK]) for i in range(0, ROWS, CHUNK)]


def _objective(kind, data, client, **kwargs):
    X, y = data
    if kind == "numpy":
        return sum_objective(loss, _numpy_shards(data), client=client, timeout=TIMEOUT, **kwargs)
    return sum_objective(loss, da.from_array(X, chunks=(CHUNK, COLS)),
                         da.from_array(y, chunks=CHUNK), client=client, timeout=TIMEOUT, **kwargs)


def _in_process_sum(data, x, v):
    f, g, hv = 0.0, np.zeros_like(x), np.zeros_like(x)
    for X, y in _numpy_shards(data):
        fi, gi = optkit.value_and_grad(loss)(x, X, y)
        f, g, hv = f + fi, g + gi, hv + optkit.hvp(lambda w, X=X, y=y: loss(w, X, y), x, v)
    return f, g, hv


@pytest.mark.parametrize("kind", ["numpy", "dask"])
@pytest.mark.parametrize("split_every", [2, 8])
def test_value_gradient_and_hvp_equal_the_in_process_sum(kind, split_every, data, client):
    rng = np.random.default_rng(1)
    x, v = rng.standard_normal(COLS), rng.standard_normal(COLS)
    with _objective(kind, data, client, split_every=split_every) as obj:
        assert obj.n_shards == ROWS // CHUNK
        f, g = obj.value_and_grad(x)
        hv = obj.hvp(x, v)
        assert obj(x) == f and np.array_equal(obj.grad(x), g)
        assert (obj.n_value_and_grad, obj.n_hvp) == (1, 1)  # the repeats came from the cache
    f0, g0, hv0 = _in_process_sum(data, x, v)
    np.testing.assert_allclose(f, f0, rtol=1e-13)
    np.testing.assert_allclose(g, g0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hv, hv0, rtol=1e-12, atol=1e-12)


class _RecordingProgram:
    def __init__(self):
        self.seen = []

    def value_and_grad(self, x):
        self.seen.append(x.dtype is np.dtype(np.float64))
        return 0.0, x

    def hvp(self, x, v):
        self.seen += [x.dtype is np.dtype(np.float64), v.dtype is np.dtype(np.float64)]
        return v


def test_a_shard_program_gets_vectors_with_numpys_dtype(monkeypatch):
    program = _RecordingProgram()
    monkeypatch.setattr(shard_programs, "_program", lambda *args: program)
    x, v = pickle.loads(pickle.dumps((np.ones(3), np.zeros(3))))  # as a task's arguments arrive
    assert x.dtype is not np.dtype(np.float64)
    shard_programs.shard_value_and_grad("token", b"", 0, x, ())
    shard_programs.shard_hvp("token", b"", 0, x, v, ())
    assert program.seen == [True, True, True]


def _reference_solve(data, method):
    def full(w):
        return sum(loss(w, X, y) for X, y in _numpy_shards(data))

    return optkit.minimize(full, np.zeros(COLS), method, gtol=1e-9)


@pytest.mark.parametrize("method", ["lbfgs", "newton-cg"])
def test_optkit_solves_through_it(method, data, client):
    want = _reference_solve(data, method)
    with _objective("dask", data, client) as obj:
        got = optkit.minimize(obj, np.zeros(COLS), method, jac=obj.grad, hessp=obj.hvp,
                              gtol=1e-9)
    assert got.success and want.success
    np.testing.assert_allclose(got.x, want.x, rtol=1e-7, atol=1e-9)
    assert got.nfev == obj.n_value_and_grad  # one round trip per point


def test_value_and_grad_with_jac_true(data, client):
    with _objective("numpy", data, client) as obj:
        got = optkit.minimize(obj.value_and_grad, np.zeros(COLS), jac=True, gtol=1e-9)
    np.testing.assert_allclose(got.x, _reference_solve(data, "lbfgs").x, rtol=1e-7, atol=1e-9)


def test_scipy_adapter_solves_through_it(data, client):
    want = _reference_solve(data, "newton-cg")
    with _objective("numpy", data, client) as obj:
        got = optkit.scipy.minimize(obj, np.zeros(COLS), method="trust-ncg", jac=obj.grad,
                                    hessp=obj.hvp, options={"gtol": 1e-9})
    assert got.success
    np.testing.assert_allclose(got.x, want.x, rtol=1e-7, atol=1e-9)


def _shard_transfers(client, keys):
    """Every shard key some worker has fetched from another worker so far."""
    def fetched(dask_worker):
        return [k for entry in dask_worker.transfer_incoming_log for k in entry["keys"]]

    return [k for got in client.run(fetched).values() for k in got if k in keys]


@pytest.mark.parametrize("kind", ["numpy", "dask"])
def test_shards_do_not_move_after_the_first_evaluation(kind, data, client):
    rng = np.random.default_rng(2)
    with _objective(kind, data, client) as obj:
        keys = set(obj.shard_keys)
        obj.value_and_grad(rng.standard_normal(COLS))
        holders = {k: v for k, v in client.who_has().items() if k in keys}
        moved_before = _shard_transfers(client, keys)
        for _ in range(5):
            x = rng.standard_normal(COLS)
            obj.value_and_grad(x)
            obj.hvp(x, rng.standard_normal(COLS))
        after = {k: v for k, v in client.who_has().items() if k in keys}
        assert after == holders
        assert all(len(holders[k]) == 1 for k in keys)  # one copy each, none was made
        assert _shard_transfers(client, keys) == moved_before


def _kill_a_worker_at_iteration(pids, k):
    count = []

    def callback(xk):
        count.append(1)
        if len(count) == k:
            os.kill(next(iter(pids.values())), signal.SIGKILL)

    return callback


def test_killed_worker_dask_shards_are_recomputed_and_the_solve_is_unchanged(
        data, client, worker_pids):
    with _objective("dask", data, client) as obj:
        want = optkit.minimize(obj, np.zeros(COLS), "newton-cg", jac=obj.grad, hessp=obj.hvp,
                               gtol=1e-10)
    with _objective("dask", data, client) as obj:
        got = optkit.minimize(obj, np.zeros(COLS), "newton-cg", jac=obj.grad, hessp=obj.hvp,
                              gtol=1e-10, callback=_kill_a_worker_at_iteration(worker_pids, 2))
    assert got.success and got.nit > 2
    np.testing.assert_array_equal(got.x, want.x)
    assert got.nfev == want.nfev


def test_killed_worker_numpy_shards_fail_clearly_and_keep_the_best_point(
        data, client, worker_pids):
    with _objective("numpy", data, client) as obj:
        with pytest.raises(DistributedEvaluationError, match="best point so far") as info:
            optkit.minimize(obj, np.zeros(COLS), "newton-cg", jac=obj.grad, hessp=obj.hvp,
                            gtol=1e-10, callback=_kill_a_worker_at_iteration(worker_pids, 2))
        assert info.value.fun == obj.best_fun and np.array_equal(info.value.x, obj.best_x)
    def full(w):
        return sum(loss(w, X, y) for X, y in _numpy_shards(data))

    assert info.value.fun < full(np.zeros(COLS))  # progress was made, and kept
    assert np.isclose(info.value.fun, full(info.value.x))


def test_unpicklable_loss_fails_before_any_data_moves(data, client):
    lock = threading.Lock()
    before = set(client.who_has())

    def bad(w, X, y):
        with lock:
            return loss(w, X, y)

    with pytest.raises(TypeError, match="loss: cannot be sent"):
        sum_objective(bad, _numpy_shards(data), client=client)
    assert set(client.who_has()) <= before


def test_bad_dask_chunks_are_refused(data, client):
    X, y = data
    with pytest.raises(ValueError, match=r"arrays\[0\] must be chunked along axis 0 only"):
        sum_objective(loss, da.from_array(X, chunks=(CHUNK, 2)), da.from_array(y, chunks=CHUNK),
                      client=client)
    with pytest.raises(ValueError, match=r"arrays\[1\] has row chunks"):
        sum_objective(loss, da.from_array(X, chunks=(CHUNK, COLS)),
                      da.from_array(y, chunks=CHUNK // 2), client=client)
    with pytest.raises(TypeError, match=r"arrays\[1\]: expected a dask array"):
        sum_objective(loss, da.from_array(X, chunks=(CHUNK, COLS)), y, client=client)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"split_every": 1}, ValueError, "split_every"),
    ({"timeout": 0}, ValueError, "timeout"),
    ({"client": 3}, TypeError, "client"),
])
def test_bad_arguments_are_refused(kwargs, error, match, data, client):
    kwargs = {"client": client, **kwargs}
    with pytest.raises(error, match=match):
        sum_objective(loss, _numpy_shards(data), **kwargs)


def test_a_closed_objective_refuses_to_evaluate(data, client):
    obj = _objective("numpy", data, client)
    obj.close()
    with pytest.raises(RuntimeError, match="closed"):
        obj(np.zeros(COLS))
