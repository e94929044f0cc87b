"""Beyond one process: multistart on local processes and Dask, and a data-parallel objective.

Run: python bench/distributed.py [--quick] [--workers 2] [--starts 32] [--rows 2000000]
[--multistart-only].
BLAS is pinned to one thread before numpy loads, here and in every worker (the variables are
inherited by local processes; Dask's nannies set them for their workers too).

1. Multistart: ``optkit.multistart`` on LJ13 (39 coordinates, box [-1.5, 1.5]^39), 32 starts,
   serially, then on ``--workers`` local processes: ``executor=N`` as a user script calls it
   (single-threaded, before any Dask client: the first call starts the pool, by fork, "cold";
   three more calls reuse it, the best of them printed with its CPU seconds and the solves'
   own seconds summed, the same accounting as the Dask rows below), a forkserver pool started
   inside the timing (what a multithreaded caller gets, and what every call got before pools
   were forked and kept), one started beforehand ("warm"), and a LocalCluster of as many
   single-threaded workers (its first call, which pays the workers' import of optkit, and the
   best of three warm calls), twice: with ``CPU_BOUND``, the worker housekeeping a cluster for
   CPU-bound tasks would set (the statistical profiler off: it samples the running task every
   10 ms; the event loop's tick watchdog every 1 s instead of 20 ms; the memory and system
   monitors every 1 s and 2 s instead of 100 ms and 500 ms: each wake-up takes the GIL and
   CPU; an idle worker used 18 ms of CPU per second with the defaults and 3 ms with these),
   and with Dask's defaults (where optkit slows the profiler and the watchdog while its solves
   run: ``optkit.distributed.housekeeping``; ``OPTKIT_QUIET_DASK_WORKERS=0`` in the
   environment turns that off, for a comparison). Each prints the best warm call's CPU seconds
   (this process, which runs the client and the scheduler, and the workers, split into the
   tasks' threads, by Dask's own per-task metric, and the rest) against the serial CPU:
   2 x serial / total bounds the speed-up on 2 cores whatever else loads the machine; and the
   solves' own seconds summed (each result's ``time``) against serial's, which grows if the
   solves themselves run slower on the workers (or two at once on 2 cores), with what remains
   of workers x wall (start, hand-offs between tasks, the tail, other work on the machine).
   Every executor must return the serial results bit for bit; the ratio is serial time (the
   best of three runs: a process's first run pays first-call costs that forked workers
   inherit paid) over parallel time (target >= 1.7x with 2 workers). Then where a cold
   forkserver start goes: the CPU seconds of a fresh interpreter importing what the fork
   server preloads, and this script's own imports, which every forkserver worker repeats (it
   re-imports ``__main__``).
2. Data-parallel: logistic regression with m rows and n = 100 in 8 shards. The in-process
   baseline is hand-written numpy f+g on the whole matrix; the distributed objective is
   ``optkit.sum_objective`` over the shards scattered to the workers (derivatives by optkit's
   AD, compiled once per shard). Printed: the time of one in-process f+g, of one distributed
   f+g, and the Dask overhead (distributed time minus the ideal in-process time / workers);
   then L-BFGS time to solution in-process against distributed (target >= 1.3x).

Other work on the machine shares its cores; ratios measured in the same run are what count.
"""

import os
import sys

# run as a script, this file's folder comes first on sys.path, and this file's name would
# shadow the `distributed` package it benchmarks
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import concurrent.futures as cf  # noqa: E402
import contextlib  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import dask  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
import scipy.special  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import optkit  # noqa: E402
from optkit import problems  # noqa: E402
from optkit.distributed import executors  # noqa: E402

COLS, SHARDS = 100, 8
SERIAL_RUNS = 3  # the serial baseline is the best of these (the first pays first-call costs)
WARM_RUNS = 3  # and each parallel target's warm calls (a kept pool, a running cluster) too


# Dask configuration of the workers' housekeeping for CPU-bound tasks (see the docstring)
CPU_BOUND = {"distributed.worker.profile.enabled": False,
             "distributed.admin.tick.interval": "1s",
             "distributed.worker.memory.monitor-interval": "1s",
             "distributed.admin.system-monitor.interval": "2s"}


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _same(a, b):
    return all(np.array_equal(p.x, q.x) and p.fun == q.fun and p.nit == q.nit
               for p, q in zip(a.all, b.all, strict=True))


def _solve_seconds(best):
    """The solves' own wall-clock seconds (each result's ``time``), summed over the starts: on
    workers it grows when the solves themselves run slower there (shared cores, housekeeping
    threads taking the GIL, arrays that lost their fast paths in transit)."""
    return sum(r.time for r in best.all)


def _children_cpu():
    """CPU seconds (user + system) used so far by this process's live child processes (the
    kept local pool's workers, before any cluster is started)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a child that just exited
            times = child.cpu_times()
            total += times.user + times.system
    return total


def _cpu_of(code):
    """CPU seconds (user + system) of a fresh interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


_POOL_UP = """
import concurrent.futures as cf, multiprocessing, os, sys, time
import optkit.distributed.many
context = multiprocessing.get_context(sys.argv[1])
context.set_forkserver_preload(["optkit.distributed.many"])
start = time.perf_counter()
with cf.ProcessPoolExecutor({workers}, mp_context=context) as pool:
    pids = set()
    while len(pids) < {workers}:
        pids |= {{f.result() for f in [pool.submit(os.getpid) for _ in range(8)]}}
    print(time.perf_counter() - start)
"""


def pool_start_up(workers, repeats=3):
    """Best-of-``repeats`` seconds from creating a local pool until all its workers answered,
    fork against forkserver, each in a fresh interpreter that imported optkit (interleaved)."""
    code = _POOL_UP.format(workers=workers)
    times = {"fork": [], "forkserver": []}
    for _ in range(repeats):
        for method, seconds in times.items():
            out = subprocess.run([sys.executable, "-c", code, method], check=True,
                                 capture_output=True, text=True).stdout
            seconds.append(float(out))
    return {method: min(seconds) for method, seconds in times.items()}


def _print_rows(rows, t_serial):
    for name, seconds, same in rows:
        print(f"  {name:<68} {seconds:7.3f} s  {t_serial / seconds:5.2f}x"
              f"  {'identical' if same else 'DIFFERENT RESULTS'}")


def bench_multistart_local(workers, n_starts):
    """The local-process rows; run before any Dask client exists, as in a user's script."""
    lj = problems.get("lj13")
    box = [(-1.5, 1.5)] * lj.n
    print(f"== multistart: LJ13 (n = {lj.n}), {n_starts} Latin hypercube starts, lbfgs")
    serial, t_serial, cpu_serial = None, math.inf, math.inf
    for _ in range(SERIAL_RUNS):  # the best: the first run of a process pays first-call costs
        cpu_start = time.process_time()
        run, seconds = _timed(optkit.multistart, lj.objective, box, n_starts)
        cpu_serial = min(cpu_serial, time.process_time() - cpu_start)
        if seconds < t_serial:
            serial, t_serial = run, seconds
    rows = [(f"serial (in-process), best of {SERIAL_RUNS}", t_serial, True)]
    threads = executors.os_thread_count()
    cold, t_cold = _timed(optkit.multistart, lj.objective, box, n_starts, executor=workers)
    with executors.open_executor(workers) as scope:
        method = scope.start_method
    rows.append((f"{workers} processes, cold: started by the call ({method}, "
                 f"{threads} thread)", t_cold, _same(cold, serial)))
    same, best = True, None
    for _ in range(WARM_RUNS):  # the best, as for the serial baseline
        cpu_before = _children_cpu()
        run, seconds = _timed(optkit.multistart, lj.objective, box, n_starts, executor=workers)
        used = _children_cpu() - cpu_before
        same &= _same(run, serial)
        if best is None or seconds < best[1]:
            best = run, seconds, used
    again, t_again, cpu_again = best
    rows.append((f"{workers} processes, the kept pool, best of {WARM_RUNS} more calls", t_again,
                 same))
    executors.close_local_pools()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["optkit.distributed.many"])  # as optkit's fallback does

    def forkserver_cold():
        with cf.ProcessPoolExecutor(workers, mp_context=context) as pool:
            return optkit.multistart(lj.objective, box, n_starts, executor=pool)

    fs_cold, t_fs_cold = _timed(forkserver_cold)
    rows.append((f"{workers} processes, cold forkserver (multithreaded caller)", t_fs_cold,
                 _same(fs_cold, serial)))
    with cf.ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(abs, range(4 * workers)))  # start the workers
        warm, t_warm = _timed(optkit.multistart, lj.objective, box, n_starts, executor=pool)
    rows.append((f"{workers} processes, warm forkserver (pool started before)", t_warm,
                 _same(warm, serial)))
    _print_rows(rows, t_serial)
    solving, solving_serial = _solve_seconds(again), _solve_seconds(serial)
    print(f"    that call: CPU s of the workers {cpu_again:.2f} against serial "
          f"{cpu_serial:.2f}; the solves' own seconds, summed: {solving:.2f} against serial "
          f"{solving_serial:.2f} ({100 * (solving / solving_serial - 1):+.0f}%: two solves at "
          f"once on {workers} cores); the rest of {workers} x {t_again:.2f} s: "
          f"{workers * t_again - solving:.2f} s")
    print(f"  best f = {serial.fun:.8f} (f* = {lj.fstar:.8f}); "
          f"{sum(abs(r.fun - lj.fstar) < 1e-6 for r in serial.all)} of {n_starts} starts reach f*")
    bare = min(_cpu_of("pass") for _ in range(3))
    server = min(_cpu_of("import optkit.distributed.many") for _ in range(3))
    script = min(_cpu_of("import optkit.distributed.many, distributed") for _ in range(3))
    up = pool_start_up(workers)
    print(f"  pool start until {workers} workers answered (best of 3 fresh interpreters): "
          f"fork {up['fork']:.3f} s, forkserver {up['forkserver']:.3f} s")
    print(f"  cold forkserver start, CPU s: interpreter {bare:.2f}; the server's preload "
          f"(import optkit) {server:.2f}; each worker re-importing this script's __main__ "
          f"(dask) {script - server:.2f}")
    return serial, t_serial, cpu_serial


def _worker_cpu(dask_worker):
    """On a worker: its process's CPU seconds, and those its tasks' threads used (Dask's own
    per-task metric, ``("execute", prefix, key, "thread-cpu", "seconds")``)."""
    tasks = sum(value for key, value in dask_worker.digests_total.items()
                if isinstance(key, tuple) and key[0] == "execute" and "thread-cpu" in key)
    return time.process_time(), tasks


def _cpu_seconds(client):
    """CPU seconds used so far by this process (the client, and a LocalCluster's scheduler and
    nannies, which run in it), by the workers together, and by the workers' task threads."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = client.run(_worker_cpu).values()
    return (own.ru_utime + own.ru_stime, sum(w[0] for w in workers),
            sum(w[1] for w in workers))


def bench_multistart_dask(client, workers, n_starts, serial, t_serial, cpu_serial, label=""):
    """The first call on a new cluster pays each worker's import of optkit (as the cold pool
    rows pay theirs); warm calls run on workers that have it, as on a long-lived cluster
    (the best of ``WARM_RUNS``, as the serial baseline is the best of ``SERIAL_RUNS``).
    The best call's CPU seconds, here and on the workers, bound the speed-up on 2 cores
    whatever else runs on the machine: at most 2 x serial CPU / total CPU."""
    lj = problems.get("lj13")
    box = [(-1.5, 1.5)] * lj.n
    name = f"Dask LocalCluster, {workers} workers x 1 thread{label}"
    cold, t_cold = _timed(optkit.multistart, lj.objective, box, n_starts, executor=client)
    same, best = True, None
    for _ in range(WARM_RUNS):  # the best, as for the serial baseline
        before = _cpu_seconds(client)
        run, seconds = _timed(optkit.multistart, lj.objective, box, n_starts, executor=client)
        used = [b - a for a, b in zip(before, _cpu_seconds(client), strict=True)]
        same &= _same(run, serial)
        if best is None or seconds < best[1]:
            best = run, seconds, used
    warm, t_warm, (own, on_workers, in_tasks) = best
    _print_rows([(f"{name}, first call", t_cold, _same(cold, serial)),
                 (f"{name}, warm, best of {WARM_RUNS}", t_warm, same)], t_serial)
    total = own + on_workers
    print(f"    CPU s of that call: this process (client, scheduler) {own:.2f}, "
          f"workers {on_workers:.2f}; serial {cpu_serial:.2f} -> at most "
          f"{workers * cpu_serial / max(total, cpu_serial):.2f}x on {workers} cores; "
          f"of the workers', in the tasks' threads {in_tasks:.2f}, the rest "
          f"(event loop, housekeeping) {on_workers - in_tasks:.2f}")
    solving, solving_serial = _solve_seconds(warm), _solve_seconds(serial)
    print(f"    the solves' own seconds, summed: that call {solving:.2f} against serial "
          f"{solving_serial:.2f} ({100 * (solving / solving_serial - 1):+.0f}%); the rest of "
          f"{workers} x {t_warm:.2f} s: {workers * t_warm - solving:.2f} s (start, hand-offs "
          f"between tasks, the last task's tail, other work on the machine)")


def logistic_loss(w, X, y):
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z)


def logistic_f_and_g(w, X, y):
    """Hand-written numpy value and gradient, the in-process baseline."""
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z), X.T @ (scipy.special.expit(z) - y)


def _chunk_f_and_g_ms(rows):
    """Median ms of numpy f+g on a fresh rows x COLS chunk, run on a worker (for client.run)."""
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((rows, COLS)), (rng.random(rows) < 0.5).astype(float)
    times = [_timed(logistic_f_and_g, np.full(COLS, 0.01 * i), X, y)[1] for i in range(7)]
    return 1e3 * statistics.median(times)


def machine_parallelism(client, rows):
    """Numpy f+g on one chunk, on one worker alone and on every worker at once: the ratio is
    how much the machine itself (cores, memory bandwidth, other load) lets 2 processes gain."""
    one = list(client.scheduler_info()["workers"])[:1]
    alone = client.run(_chunk_f_and_g_ms, rows, workers=one)
    together = client.run(_chunk_f_and_g_ms, rows)
    t_alone, t_together = statistics.mean(alone.values()), statistics.mean(together.values())
    print(f"  machine: f+g on a {rows}-row chunk, one worker alone {t_alone:.1f} ms, all "
          f"{len(together)} at once {t_together:.1f} ms each -> at most "
          f"{len(together) * t_alone / t_together:.2f}x from {len(together)} processes")


def bench_data_parallel(client, workers, rows):
    print(f"== data-parallel: logistic regression, m = {rows:.0e}, n = {COLS}, "
          f"{SHARDS} shards, {workers} workers")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, COLS))
    w_true = rng.standard_normal(COLS) / np.sqrt(COLS)
    y = (rng.random(rows) < scipy.special.expit(X @ w_true)).astype(float)
    bounds = np.linspace(0, rows, SHARDS + 1).astype(int)
    shards = [(X[a:b], y[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    obj, t_scatter = _timed(optkit.sum_objective, logistic_loss, shards, client=client)
    print(f"  scatter {X.nbytes / 2**30:.2f} GiB to the workers: {t_scatter:.2f} s")
    machine_parallelism(client, rows // SHARDS)

    w = rng.standard_normal(COLS) * 0.01
    f_local, g_local = logistic_f_and_g(w, X, y)
    _, t_first = _timed(obj.value_and_grad, w)  # traces and compiles on the workers
    f_dist, g_dist = obj.value_and_grad(w + 0.0)
    assert np.isclose(f_dist, f_local, rtol=1e-10)
    assert np.allclose(g_dist, g_local, rtol=1e-8, atol=1e-8 * np.abs(g_local).max())
    local = [_timed(logistic_f_and_g, w + i, X, y)[1] for i in range(5)]
    dist = [_timed(obj.value_and_grad, w + i + 1)[1] for i in range(10)]
    t_local, t_dist = statistics.median(local), statistics.median(dist)
    print(f"  in-process numpy f+g            {1e3 * t_local:9.1f} ms (median of 5)")
    print(f"  distributed f+g                 {1e3 * t_dist:9.1f} ms (median of 10; "
          f"first, with compiling: {1e3 * t_first:.1f} ms)")
    print(f"  Dask overhead per evaluation    {1e3 * (t_dist - t_local / workers):9.1f} ms "
          f"(distributed - in-process / {workers})")

    x0 = np.zeros(COLS)
    res_local, t_solve_local = _timed(optkit.minimize, logistic_f_and_g, x0, args=(X, y),
                                      jac=True)
    res_dist, t_solve_dist = _timed(optkit.minimize, obj, x0, jac=obj.grad, hessp=obj.hvp)
    obj.close()
    for name, res, seconds in (("in-process numpy", res_local, t_solve_local),
                               ("distributed", res_dist, t_solve_dist)):
        print(f"  lbfgs {name:<25} {seconds:7.2f} s  nit {res.nit:3d}  nfev {res.nfev:3d}  "
              f"f {res.fun:.10g}  {res.message}")
    print(f"  time-to-solution speed-up       {t_solve_local / t_solve_dist:5.2f}x  "
          f"(|x_dist - x_local|_inf = {np.abs(res_dist.x - res_local.x).max():.1e})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 starts and m = 2e5")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--starts", type=int, default=32)
    parser.add_argument("--rows", type=float, default=2e6)
    parser.add_argument("--multistart-only", action="store_true",
                        help="skip the data-parallel part")
    args = parser.parse_args()
    n_starts, rows = (8, 200_000) if args.quick else (args.starts, int(args.rows))
    serial, t_serial, cpu_serial = bench_multistart_local(args.workers, n_starts)
    with dask.config.set(CPU_BOUND), \
            LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                         dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        bench_multistart_dask(client, args.workers, n_starts, serial, t_serial, cpu_serial,
                              ", CPU_BOUND")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        bench_multistart_dask(client, args.workers, n_starts, serial, t_serial, cpu_serial)
        if not args.multistart_only:
            bench_data_parallel(client, args.workers, rows)


if __name__ == "__main__":
    main()
