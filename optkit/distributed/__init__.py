"""Beyond one process: many independent solves, and objectives summed over data on a cluster.

- :func:`minimize_many` / :func:`multistart`: embarrassingly parallel solves on local
  processes, any ``concurrent.futures.Executor`` or a Dask cluster;
- :func:`sum_objective`: f(x) = sum_i loss(x, shard_i) with the shards kept on Dask workers.

This is a front-door layer: it uses ``optkit.minimize``, ``optkit.ad`` and ``optkit.optim``,
which never import it. Dask (the ``dask`` extra) is imported only when a Dask client or address
is used, so the rest works without it.
"""

from .executors import close_local_pools, open_executor
from .many import minimize_many
from .multistart import latin_hypercube, multistart
from .sharded import DistributedEvaluationError, SumObjective, sum_objective

__all__ = ["DistributedEvaluationError", "SumObjective", "close_local_pools", "latin_hypercube",
           "minimize_many", "multistart", "open_executor", "sum_objective"]
