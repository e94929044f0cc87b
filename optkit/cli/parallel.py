"""Where the command line's solves run: in this process, on ``--workers N`` local processes,
or on the Dask cluster behind ``--scheduler ADDRESS``.

``optkit bench`` and ``optkit solve --multistart`` share the three flags (``executor_options``)
and their checks. ``open_scope`` turns them into an ``optkit.distributed`` executor scope and
its failures (an unreachable scheduler, Dask not installed) into one-line errors, exit code 2.
The solves themselves run the same code wherever they land, so results equal a serial run's.
"""

from __future__ import annotations

import click

from optkit.distributed import open_executor
from optkit.distributed.executors import CONNECT_TIMEOUT, ExecutorScope, is_address

from .common import CliError

__all__ = ["CONNECT_TIMEOUT", "executor_options", "executor_target", "open_scope"]

_OPTIONS = (
    click.option("--workers", type=click.IntRange(min=1), metavar="N",
                 help="Run the solves on N local processes."),
    click.option("--scheduler", metavar="ADDRESS",
                 help="Run the solves on the Dask cluster whose scheduler is at ADDRESS "
                      "(e.g. tcp://10.0.0.5:8786; needs optkit[dask])."),
    click.option("--connect-timeout", type=click.FloatRange(min=0, min_open=True),
                 metavar="SECONDS", help=f"Give up connecting to --scheduler after SECONDS "
                                         f"(default {CONNECT_TIMEOUT:g})."),
)


def executor_options(command):
    """Add --workers, --scheduler and --connect-timeout (in that order) to a click command."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def executor_target(workers, scheduler, connect_timeout):
    """What ``optkit.distributed.open_executor`` gets: None (this process), N or an address.

    Usage errors (exit 2, one line): --workers with --scheduler, --connect-timeout without
    --scheduler, a --scheduler that is not an address.
    """
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers and --scheduler are mutually exclusive; give one")
    if connect_timeout is not None and scheduler is None:
        raise click.UsageError("--connect-timeout applies only with --scheduler")
    if scheduler is None:
        return workers
    if not is_address(scheduler):
        raise click.BadParameter(f"{scheduler!r} is not a scheduler address; expected "
                                 "tcp://host:port or host:port", param_hint="'--scheduler'")
    return scheduler


def open_scope(target, connect_timeout) -> ExecutorScope:
    """The executor scope for ``target`` (from :func:`executor_target`); a CliError when the
    scheduler cannot be reached within ``connect_timeout`` seconds (None: the default) or
    Dask is not installed."""
    timeout = CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
    try:
        return open_executor(target, connect_timeout=timeout)
    except (ConnectionError, ImportError) as exc:
        raise CliError(f"--scheduler: {exc}") from None
    except ValueError as exc:  # Dask refused the address itself (an unknown scheme, say)
        raise CliError(f"--scheduler: cannot connect to {target!r}: {exc}") from None
