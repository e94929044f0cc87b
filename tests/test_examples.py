"""Every example script is a documented tutorial, and every page includes a real script.

The documentation build (``sphinx-build``, run in ``.ci/run``) runs each ``examples/*.py``
and fails when one exits non-zero; its stdout is what the pages show. These tests keep the
pairing honest without running the scripts in the test suite: each script is included by a
page together with its generated output, and each generated output a page includes belongs to
an existing script.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
PAGES = sorted((ROOT / "docs").rglob("*.rst"))


def includes():
    """``(page, included path)`` for every literalinclude/image in the docs pages."""
    rows = []
    for page in PAGES:
        if "_build" in page.parts or "generated" in page.parts:
            continue
        for target in re.findall(r"^\.\. (?:literalinclude|image):: (\S+)", page.read_text(),
                                 re.M):
            rows.append((page, (page.parent / target).resolve()))
    return rows


def test_there_are_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_has_a_docstring_and_a_page_with_its_output(script):
    assert ast.get_docstring(ast.parse(script.read_text())), f"{script.name}: no docstring"
    output = ROOT / "docs" / "_generated" / "examples" / f"{script.stem}.txt"
    targets = {target for _, target in includes()}
    assert output.resolve() in targets, f"no page includes the output of {script.name}"


def test_included_outputs_belong_to_scripts():
    generated = ROOT / "docs" / "_generated" / "examples"
    for page, target in includes():
        if generated in target.parents:
            stem = target.relative_to(generated).parts[0].removesuffix(".txt")
            assert (ROOT / "examples" / f"{stem}.py").exists(), f"{page.name}: {target}"
        else:
            assert target.exists(), f"{page.name} includes missing {target}"
