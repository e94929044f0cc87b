"""The API reference documents every public name.

A name counts as documented when ``module.name`` is listed on a page of ``docs/api/`` (in an
autosummary under ``.. currentmodule::`` or ``.. automodule::``, or written out in full), or
when the same object is documented under another public module (``optkit.ad.grad`` is
``optkit.grad``). The public modules are ``optkit``, its public subpackages, the modules
``optkit.__all__`` exports, ``optkit.scipy`` and ``optkit.problems``: a new subpackage or a new
name in one of their ``__all__`` fails here until it has a place in the reference.
"""

import importlib
import pkgutil
import re
import types
from pathlib import Path

import pytest

import optkit

API = Path(__file__).resolve().parents[1] / "docs" / "api"


def public_modules():
    names = ["optkit", "optkit.scipy", "optkit.problems"]
    names += [f"optkit.{m.name}" for m in pkgutil.iter_modules(optkit.__path__)
              if m.ispkg and not m.name.startswith("_")]
    names += [f"optkit.{n}" for n in optkit.__all__
              if isinstance(getattr(optkit, n), types.ModuleType)]
    return sorted(set(names))


def documented_names():
    """Every dotted name the API pages list or write out in full."""
    found = set()
    for page in sorted(API.glob("*.rst")):
        module = None
        for line in page.read_text().splitlines():
            directive = re.match(r"\.\. (?:currentmodule|automodule):: (\S+)", line)
            if directive:
                module = directive.group(1)
                continue
            entry = re.fullmatch(r"   (~?[A-Za-z_][\w.]*)", line)
            if entry and module:
                found.add(f"{module}.{entry.group(1).lstrip('~')}")
            found.update(re.findall(r"optkit(?:\.\w+)+", line))
    return found


def public_names():
    rows = []
    for name in public_modules():
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        assert exported is not None, f"{name} has no __all__: its public names are undefined"
        rows += [(name, n) for n in exported
                 if not isinstance(getattr(module, n), types.ModuleType)]
    return rows


def test_public_modules_found():
    mods = public_modules()
    for expected in ("optkit", "optkit.ad", "optkit.optim", "optkit.tree", "optkit.scipy"):
        assert expected in mods


@pytest.mark.parametrize(("module", "name"), public_names())
def test_every_public_name_is_in_the_api_reference(module, name):
    documented = documented_names()
    if f"{module}.{name}" in documented:
        return
    obj = getattr(importlib.import_module(module), name)
    aliases = [f"{m}.{name}" for m in public_modules()
               if getattr(importlib.import_module(m), name, None) is obj]
    assert any(a in documented for a in aliases), (
        f"{module}.{name} is public but not in the API reference: add it to an autosummary "
        f"in docs/api/ (one of {aliases})")


def test_every_api_page_is_in_the_toctree():
    index = (API / "index.rst").read_text()
    for page in API.glob("*.rst"):
        if page.stem != "index":
            assert re.search(rf"^   {page.stem}$", index, re.M), f"{page.name} not in index"
