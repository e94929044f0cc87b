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


# ---- the AD kernel's own arrows ------------------------------------------------------------
# errors <- views <- core <- numpy_dispatch <- forward/reverse/staging <- api (and the
# modules it re-exports: gradients, directional, jacobians, ...) <- compiled:
# the kernel never imports the layers built on it (the cycle core <-> numpy_dispatch, hidden
# in a function-level import, is what this forbids).
@pytest.mark.parametrize(
    "module, forbidden",
    [("ad/errors.py", ("optkit.ad.",)),
     ("ad/views.py", ("optkit.ad.core", "optkit.ad.numpy_dispatch", "optkit.ad.api")),
     ("ad/core.py", ("optkit.ad.numpy_dispatch", "optkit.ad.ndarray_methods", "optkit.ad.forward",
                     "optkit.ad.reverse", "optkit.ad.staging", "optkit.ad.api",
                     "optkit.ad.rules", "optkit.ad.compiled")),
     ("ad/numpy_dispatch.py", ("optkit.ad.forward", "optkit.ad.reverse", "optkit.ad.staging",
                               "optkit.ad.api", "optkit.ad.compiled")),
     *[(f"ad/{m}.py", ("optkit.ad.compiled", "optkit.ad.check"))
       for m in ("api", "gradients", "directional", "jacobians", "boundary", "precision",
                 "replay")]],
)
def test_ad_kernel_arrow(module, forbidden):
    path = ROOT / module
    offenders = [name for name in _imports(path)
                 if any(name == bad.rstrip(".") or name.startswith(bad.rstrip(".") + ".")
                        for bad in forbidden)]
    assert not offenders, f"optkit/{module} imports {offenders}"


def test_ad_has_no_function_level_imports():
    """Imports sit at the top of each module; one inside a function hides a cycle."""
    offenders = []
    for path in sorted((ROOT / "ad").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                offenders += [f"{path.relative_to(ROOT.parent)}:{sub.lineno} in {node.name}"
                              for sub in ast.walk(node)
                              if isinstance(sub, ast.Import | ast.ImportFrom)]
    assert not offenders, "\n".join(offenders)


def _is_module(path, node, name):
    """True if ``from <node's module> import name`` names a module (a file or a package)."""
    if node.level:
        base = path.parent
        for _ in range(node.level - 1):
            base = base.parent
    else:
        base = ROOT.parent
    for part in (node.module or "").split(".") if node.module else ():
        base = base / part
    return (base / f"{name}.py").exists() or (base / name / "__init__.py").exists()


def test_no_private_names_imported_across_modules():
    """``from x import _name`` is refused anywhere under optkit/: a name another module needs is
    public in its owning module. A private *module* (``from . import _malloc``) is allowed:
    importing a module for its side effects or as a namespace shares no private name."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
                continue
            offenders += [
                f"{path.relative_to(ROOT.parent)}:{node.lineno} imports {alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
                and not _is_module(path, node, alias.name)
            ]
    assert not offenders, "\n".join(offenders)
