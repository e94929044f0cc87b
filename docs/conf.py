"""Sphinx configuration for optkit's documentation.

Build from the repository root (the command in the README):

    pip install -e ".[docs]" && sphinx-build -W --keep-going -b html docs docs/_build/html

Every ``examples/*.py`` runs during the build and its real output is what the tutorials show
(``_ext/optkit_docs.py``); so do the options and status tables, read from the code.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import optkit  # noqa: E402

project = "optkit"
author = "the optkit developers"
copyright = "the optkit developers"  # noqa: A001 - Sphinx's name
release = version = optkit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "optkit_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_generated/examples/*/**", "README.md"]
root_doc = "index"

# API reference: one page per public name, generated from the docstrings
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

myst_heading_anchors = 3

html_theme = "alabaster"
html_title = f"optkit {release}"
html_theme_options = {
    "description": "Exact derivatives of plain numpy code, and optimizers that just work.",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_static_path = []
templates_path = ["_templates"]
