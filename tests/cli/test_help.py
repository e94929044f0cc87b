"""--help on every command shows examples; --version prints the package version."""

import pytest

import optkit


@pytest.mark.parametrize("command", [[], ["list"], ["solve"], ["check"], ["bench"]])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_has_examples(cli, command, flag):
    run = cli(*command, flag)
    assert run.code == 0
    assert run.stdout.startswith("Usage: optkit")
    assert "Examples:" in run.stdout
    assert "optkit " + (command[0] if command else "solve") in run.stdout


def test_version(cli):
    run = cli("--version")
    assert run.code == 0 and run.stdout == f"optkit {optkit.__version__}\n"


def test_a_bare_optkit_prints_the_help_as_optkit_help_does(cli):
    run = cli()
    assert run.code == 0 and run.stderr == ""
    assert run.stdout == cli("--help").stdout
    assert len(run.stdout.splitlines()) > 10 and "Commands:" in run.stdout
