"""The ``optkit`` command line: a thin click layer over the public API.

    optkit list [--tag T]                 the problem library
    optkit solve PROBLEM|FILE [...]       minimize one problem, print a summary or --json
    optkit check PROBLEM|FILE [...]       AD derivatives against finite differences
    optkit fit DATA.csv --model FILE.py   curve fitting: parameters with standard errors
    optkit bench [...]                    the method x problem matrix, performance profile

Exit codes: 0 success (``result.success``: the gradient test holds, or a stop the user asked
for fired), 1 a solve without success (or a failed check), 2 bad input (one line on stderr,
never a traceback), 130 interrupted outside a solve.
"""

import sys

import click

from optkit import __version__

from .bench import bench
from .check import check
from .fit import fit
from .listing import list_problems
from .solve import solve

__all__ = ["main"]


class _Group(click.Group):
    """A click group whose errors are exactly one line: ``Error: ... (see 'optkit X --help')``.

    Click's standalone mode prints a usage block before a usage error; here the error stays
    on one line and the help hint moves into it.
    """

    def parse_args(self, ctx, args):
        """A bare ``optkit`` prints the same help as ``optkit --help`` and exits 0 (click
        itself would print it as an error, which our one-line errors would squash): asking
        for nothing is asking what there is, and exit code 2 stays "one line, bad input"."""
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        prog_name = prog_name or "optkit"  # also from `python cli.py` and `python -m`
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _error(exc.format_message() + hint, exc.exit_code)
        except click.ClickException as exc:
            _error(exc.format_message(), exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


def _error(message, code):
    one_line = " ".join(message.split())
    click.echo(f"Error: {one_line}", err=True)
    sys.exit(code)


@click.group("optkit", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="optkit",
                      message="%(prog)s %(version)s")
def main():
    """optkit: exact derivatives of plain numpy code, and optimizers that just work.

    \b
    Examples:
      optkit list --tag scalable
      optkit solve rosenbrock
      optkit solve extended-rosenbrock --n 1000 --method newton-cg --json
      optkit solve my_problem.py --method scipy:L-BFGS-B -v
      optkit check wood
      optkit bench --methods lbfgs,newton-cg --plot profile.png

    A problem is a name from `optkit list` or a Python file defining objective(x) in plain
    numpy and x0 (optionally fstar, xstar, name, description, tags, gradient).
    """


main.add_command(list_problems)
main.add_command(solve)
main.add_command(check)
main.add_command(bench)
main.add_command(fit)
