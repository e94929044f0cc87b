"""Multistart and data-parallel solves on a Dask cluster (here a LocalCluster of 2 workers).

Two ways past one process (``pip install -e ".[dask]"``):

1. many independent solves: ``optkit.multistart`` draws Latin hypercube starts in a box and
   runs them with ``optkit.minimize_many`` on any executor; the same seed gives the same starts
   and the same results in-process, on local processes or on a cluster;
2. one objective summed over data shards that stay on the workers: ``optkit.sum_objective``
   sends x out and brings (f, g), or a Hessian-vector product, back through a tree of sums.

On a real cluster, replace the LocalCluster by ``Client("tcp://scheduler:8786")``.
"""

import time

import numpy as np
from dask.distributed import Client, LocalCluster

import optkit


def lennard_jones(x):  # energy of a cluster of atoms, many local minima
    p = x.reshape(-1, 3)
    i, j = np.triu_indices(len(p), 1)
    r2 = np.sum((p[i] - p[j]) ** 2, axis=1)
    return np.sum(4.0 * (r2**-6 - r2**-3))


def logistic_loss(w, X, y):  # plain numpy on one shard
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z)


if __name__ == "__main__":  # worker processes re-import this script
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        # 1. multistart: 7 atoms (21 variables), 16 starts in the box [-1.2, 1.2]^21
        box = [(-1.2, 1.2)] * 21
        start = time.perf_counter()
        best = optkit.multistart(lennard_jones, box, n_starts=16, seed=0, executor=client)
        on_cluster = time.perf_counter() - start
        serial = optkit.multistart(lennard_jones, box, n_starts=16, seed=0)
        print("LJ7 multistart, 16 starts (known global minimum -16.505384)")
        print(f"  best f = {best.fun:.6f}  ({best.message})")
        print("  lowest five:", [round(r.fun, 4) for r in best.all[:5]])
        print("  successes:", sum(r.success for r in best.all), "of", len(best.all))
        print("  same result in-process:", bool(serial.fun == best.fun
                                                 and np.array_equal(serial.x, best.x)))
        print(f"  time on the cluster {on_cluster:.2f} s")

        # 2. data-parallel logistic regression: 4 shards of 5000 rows each stay on the workers
        rng = np.random.default_rng(0)
        w_true = rng.standard_normal(20)
        shards = []
        for _ in range(4):
            X = rng.standard_normal((5000, 20))
            y = (rng.random(5000) < 1.0 / (1.0 + np.exp(-X @ w_true))).astype(float)
            shards.append((X, y))
        with optkit.sum_objective(logistic_loss, shards, client=client) as obj:
            res = optkit.minimize(obj, np.zeros(20), "newton-cg", jac=obj.grad, hessp=obj.hvp)
        X_all = np.concatenate([X for X, _ in shards])
        y_all = np.concatenate([y for _, y in shards])
        local = optkit.minimize(lambda w: logistic_loss(w, X_all, y_all), np.zeros(20),
                                "newton-cg")
        print("\nlogistic regression on 4 shards of 5000 x 20")
        print(f"  {res.message}; f = {res.fun:.6f}, nit {res.nit}, "
              f"nfev {res.nfev}, njev {res.njev}, nhev {res.nhev}")
        print(f"  max |w - w(one process)| = {np.max(np.abs(res.x - local.x)):.1e}")
        print(f"  max |w - w_true| = {np.max(np.abs(res.x - w_true)):.2f} (sampling error)")
