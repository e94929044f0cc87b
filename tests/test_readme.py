"""The README's Python tour runs as written (its first code block)."""

import pathlib
import re
import tomllib

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_api_tour_runs():
    namespace = {}
    exec(compile(_python_blocks()[0], "README.md", "exec"), namespace)
    res = namespace["res"]
    assert res.success and res.fun < 1e-8  # the gradient test holds (gtol 1e-5)


def test_quick_start_has_exactly_two_setup_commands():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quick, flags=re.S)
    assert [c.strip() for c in commands] == [
        "pip install -e . && optkit solve rosenbrock",
        'pip install -e ".[test]" && python -m pytest -q',
    ]


def test_versions_sentence_matches_pyproject():
    # the README's tested ranges start at pyproject's floors, and pyproject has no upper caps
    project = tomllib.loads((README.parent / "pyproject.toml").read_text())["project"]
    floors = {}
    for dep in project["dependencies"]:
        name, sep, floor = dep.partition(">=")
        assert sep and "<" not in floor and "," not in floor, dep
        floors[name] = floor
    python_floor = project["requires-python"].removeprefix(">=")
    sentence = re.search(r"\(Python ≥ ([\d.]+), .*?numpy ([\d.]+)–[\d.]+, scipy ([\d.]+)–[\d.]+",
                         README.read_text(), flags=re.S)
    assert sentence is not None
    assert sentence.groups() == (python_floor, floors["numpy"], floors["scipy"])
