"""Sphinx helpers for optkit's documentation, generated at build time so they cannot go stale.

- Every ``examples/*.py`` script runs once per build (in its own working directory under
  ``docs/_generated/examples/NAME/``); its stdout is written to
  ``docs/_generated/examples/NAME.txt`` for the tutorial page to ``literalinclude``, and any
  file it writes (a plot) stays in its directory. A script that exits non-zero stops the build
  with its stderr: an example that does not run is a broken page.
- ``.. optkit-options:: module.Class`` renders a solver's frozen ``Options`` dataclass as a
  table: each field, its default and the comment written beside it in the source.
- ``.. optkit-statuses::`` renders ``optkit.optim.Status``: member, code, success, message.
- ``.. optkit-cli-help:: COMMAND`` renders ``optkit COMMAND --help`` as click prints it.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import io
import os
import re
import subprocess
import sys
import textwrap
import time
import tokenize
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GENERATED = ROOT / "docs" / "_generated" / "examples"
EXAMPLE_TIMEOUT = 300  # seconds per script; each runs in a few seconds


# ---- examples -----------------------------------------------------------------------------------
def run_examples(app):
    """Run every example script; write its stdout where its tutorial page includes it."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0", MPLBACKEND="Agg")
    for script in sorted(EXAMPLES.glob("*.py")):
        workdir = GENERATED / script.stem
        workdir.mkdir(exist_ok=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=EXAMPLE_TIMEOUT)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise ExtensionError(f"examples/{script.name} exited with {proc.returncode}:\n"
                                 f"{proc.stderr[-4000:]}")
        if proc.stderr.strip():  # a warning an example prints is part of its output
            logger.info(f"examples/{script.name} wrote to stderr:\n{proc.stderr}")
        (GENERATED / f"{script.stem}.txt").write_text(proc.stdout)
        logger.info(f"ran examples/{script.name} in {seconds:.1f} s")


# ---- options tables ---------------------------------------------------------------------------
def field_comments(cls):
    """``{field: comment}`` from the sources of ``cls`` and its dataclass bases (a subclass's
    comment wins): the comment at the end of a field's line, else the block of comment lines
    right above it (a block above several fields in a row describes them together: the
    first gets it, the others point to the first)."""
    comments = {}
    for klass in reversed(cls.__mro__):
        if dataclasses.is_dataclass(klass):
            comments.update(_own_field_comments(klass))
    return comments


def _own_field_comments(cls):
    source = textwrap.dedent(inspect.getsource(cls))
    trailing = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            trailing[tok.start[0]] = tok.string.lstrip("#").strip()
    comments, block, block_owner = {}, [], None
    for row, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        field = re.match(r"    (\w+)\s*:", line)
        if stripped.startswith("#"):
            if block_owner is not None:
                block, block_owner = [], None
            block.append(trailing[row])
        elif field and not line.startswith("     "):
            name = field.group(1)
            if row in trailing:
                comments[name] = trailing[row]
            elif block and block_owner is None:
                comments[name], block_owner = " ".join(block), name
            elif block_owner is not None:
                comments[name] = f"see {block_owner}"
        else:
            block, block_owner = [], None
    return comments


class OptionsDirective(Directive):
    """``.. optkit-options:: optkit.optim.LBFGS``: the dataclass's init fields as a table."""

    required_arguments = 1

    def run(self):
        module, _, name = self.arguments[0].rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        if not dataclasses.is_dataclass(cls):
            raise self.error(f"{self.arguments[0]} is not a dataclass")
        comments = field_comments(cls)
        rows = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            if f.default is not dataclasses.MISSING:
                default = repr(f.default)
            elif f.default_factory is not dataclasses.MISSING:
                default = f"{f.default_factory.__name__}()"
            else:
                default = "(required)"
            rows.append((f.name, default, comments.get(f.name, "")))
        return [_table(("option", "default", "meaning (from the source)"), rows, code=(0, 1))]


class StatusesDirective(Directive):
    """``.. optkit-statuses::``: every member of ``optkit.optim.Status``."""

    def run(self):
        from optkit.optim import Status

        rows = [(m.name, str(m.code), "yes" if m.success else "no", m.message) for m in Status]
        return [_table(("status", "code", "success", "message"), rows, code=(0,))]


class CliHelpDirective(Directive):
    """``.. optkit-cli-help:: solve``: ``optkit solve --help`` as the user sees it."""

    required_arguments = 0
    optional_arguments = 1

    def run(self):
        from click.testing import CliRunner

        from optkit.cli import main

        args = [*self.arguments, "--help"]
        result = CliRunner().invoke(main, args, prog_name="optkit", terminal_width=100)
        if result.exit_code != 0:
            raise self.error(f"optkit {' '.join(args)} exited with {result.exit_code}")
        block = nodes.literal_block(result.output, result.output)
        block["language"] = "text"
        return [block]


def _table(header, rows, code=()):
    """A docutils table with one header row; columns in ``code`` are set as literals."""
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)

    def row(cells, literal):
        tr = nodes.row()
        for i, text in enumerate(cells):
            entry = nodes.entry()
            para = nodes.paragraph()
            para += nodes.literal(text, text) if (literal and i in code) else nodes.Text(text)
            entry += para
            tr += entry
        return tr

    thead = nodes.thead()
    thead += row(header, literal=False)
    tbody = nodes.tbody()
    for cells in rows:
        tbody += row(cells, literal=True)
    group += thead
    group += tbody
    return table


# ---- bars in docstrings ----------------------------------------------------------------------
_LITERAL = re.compile(r"(``.*?``)")


def escape_bars(app, what, name, obj, options, lines):
    """Read ``|x|`` in docstrings as bars, not as a reST substitution reference.

    optkit's docstrings write absolute values and norms as plain text (``|f - f*|``,
    ``||g||_inf``) and use no substitutions, so a bar outside inline literals, literal blocks
    and doctest blocks is escaped. Lines that start with a bar or ``+`` (line blocks, grid
    tables) are left alone.
    """
    literal_indent = None  # indentation of the paragraph that opened a literal block
    in_doctest = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if stripped and indent <= literal_indent:
                literal_indent = None
            else:
                continue
        if stripped.startswith(">>>"):
            in_doctest = True
        elif not stripped:
            in_doctest = False
        if in_doctest or "|" not in line or stripped[:1] in ("|", "+"):
            pass
        else:
            lines[i] = "".join(part if part.startswith("``") else part.replace("|", "\\|")
                               for part in _LITERAL.split(line))
        if stripped.endswith("::") and not in_doctest:
            literal_indent = indent


def setup(app):
    app.connect("autodoc-process-docstring", escape_bars, priority=200)
    app.connect("builder-inited", run_examples)
    app.add_directive("optkit-options", OptionsDirective)
    app.add_directive("optkit-statuses", StatusesDirective)
    app.add_directive("optkit-cli-help", CliHelpDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
