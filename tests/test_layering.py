"""The arrows of the house: optkit.ad and optkit.optim never import each other, nor
optkit.distributed (the layer above both)."""

import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "optkit"


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # resolve relative imports against the module's package
                pkg = path.relative_to(ROOT.parent).with_suffix("").parts[:-1]
                base = pkg[: len(pkg) - node.level + 1]
                yield ".".join(base + ((node.module,) if node.module else ()))
            else:
                yield node.module or ""


@pytest.mark.parametrize(
    "package, forbidden",
    [("ad", ("optkit.optim", "scipy.optimize", "optkit.minimize", "optkit.scipy")),
     ("optim", ("optkit.ad", "optkit.minimize", "optkit.scipy"))]
    # the distributed layer sits on top of both; neither knows it, nor Dask
    + [(core, ("optkit.distributed", "dask", "distributed")) for core in ("ad", "optim")],
)
def test_package_does_not_import(package, forbidden):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no files under optkit/{package}"
    offenders = [
        f"{f.relative_to(ROOT.parent)} imports {name}"
        for f in files
        for name in _imports(f)
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
    ]
    assert not offenders, "\n".join(offenders)


def test_tree_is_a_leaf_module():
    """optkit/tree.py is shared by ad, optim and the front door: numpy and the stdlib only."""
    names = list(_imports(ROOT / "tree.py"))
    assert names, "optkit/tree.py imports nothing?"
    offenders = [
        name for name in names
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "numpy"
    ]
    assert not offenders, f"optkit/tree.py imports {offenders}"
