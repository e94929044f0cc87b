"""`optkit list`: the problem table, --tag and --json; the README quotes it."""

import pathlib
import re

from optkit import problems

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_table_lists_every_problem_with_dimension_fstar_and_tags(cli):
    run = cli("list")
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["name", "n", "f*", "bounds", "tags"]
    names = [line.split()[0] for line in lines[1:] if line.strip()][:-1]  # last: the count
    assert names == problems.names()
    assert lines[-1] == f"{len(names)} problems"
    row = next(line for line in lines if line.startswith("extended-rosenbrock "))
    assert "100 (>= 2, even)" in row and "scalable" in row  # any even n that fits in memory
    row = next(line for line in lines if line.startswith("lj13 "))
    assert "-44.326801" in row and "physics" in row


def test_tag_filters_the_table(cli):
    run = cli("list", "--tag", "physics")
    assert run.code == 0
    rows = run.stdout.splitlines()
    assert [r.split()[0] for r in rows[1:-2]] == ["lj13"]
    assert rows[-1] == "1 problem tagged physics"


def test_json_list(cli):
    run = cli("list", "--json", "--tag", "ml")
    assert run.code == 0
    rows = run.json()
    assert [r["name"] for r in rows] == problems.names("ml")
    by_name = {r["name"]: r for r in rows}
    spec = {s.name: s for s in problems.specs()}["logistic-regression"]
    assert by_name["logistic-regression"]["n_range"] == [spec.n_range.lo, spec.n_range.hi]
    assert by_name["mlp-regression"]["n_range"] is None
    assert all("ml" in r["tags"] and r["description"] for r in rows)


def test_the_readme_quotes_the_real_table(cli):
    """Each row the README shows is a row of `optkit list` (up to column widths, which
    depend on the rows left out), and it states the real number of problems."""
    text = README.read_text()
    block = re.search(r"```\n\$ optkit list\n(.*?)```", text, flags=re.S).group(1)
    real = {tuple(line.split()) for line in cli("list").stdout.splitlines()}
    shown = [line for line in block.splitlines() if line.strip() not in ("", "...")]
    assert len(shown) >= 5
    assert [line for line in shown if tuple(line.split()) not in real] == []
    count = len(problems.names())
    assert shown[-1] == f"{count} problems"
    assert f"the full run lists all {count}" in text
