"""Every public docstring is in numpydoc shape.

The public names are those ``tests/test_docs.py`` finds (``optkit.__all__`` and the ``__all__``
of each public subpackage, ``optkit.scipy`` and ``optkit.problems``), plus the solvers the
algorithm pages and the API reference document from deeper modules (the ``__all__`` of
``optkit.optim.least_squares``, and the bounded solvers SPG and TRON). An object public under
several names is checked once. Methods are not checked: the API reference renders the
docstrings of the names themselves (``numpydoc_show_class_members`` is off), so a class's
docstring says how to use it.

The rule, by kind of object:

- **Every docstring** parses with ``numpydoc.docscrape.NumpyDocString`` without a warning
  (no unknown or misspelt section, no section twice), has a one-line summary, and has an
  Examples section holding at least one ``>>>`` line. The examples are doctests:
  ``pytest --doctest-modules optkit problems`` (in ``.ci/run``'s docs leg) runs them.
- **Functions**: Parameters documents every parameter of the signature and nothing else
  (``*args`` and ``**kwargs`` by those names); Returns (or Yields) is present unless the
  function returns nothing (no ``return <value>`` or ``yield`` in its own body).
- **Classes**: the class docstring documents the constructor's parameters as above (the
  dataclass fields, for a dataclass), so it has Parameters when the constructor takes any. A
  record whose fields are its data (a solver's ``State``) may list them under Attributes
  instead. Otherwise Attributes is optional: the classes here expose what they were given,
  or say in the text what else they carry. A class users get from a function rather than
  construct (``TreeDef``, ``SumObjective``) documents its constructor all the same.
- **Raises**: a function (for a class: its ``__init__``, ``__post_init__`` or
  ``__new__``) that raises ValueError or TypeError lists that exception under Raises. Seen
  are the raises written in its own body and in the private optkit helpers (``_name``) it
  calls by name, two calls deep: the argument checks it delegates. Errors from public
  functions it calls, and from nested functions it returns, are not traced.
- **Exceptions and warnings**: the summary says what went wrong; the Examples show when it is
  raised. Parameters only when the class defines its own ``__init__``.
- **Enums**: summary and Examples (the members carry their own messages).
- **Instances** (the ``optkit.stats`` distributions): the docstring of their class, which
  documents their methods' common signature, so it needs Parameters, Returns and Examples.
- **Exempt**: plain data (``METHODS``, ``KNOWN_TAGS``, ``LOSSES``, ``__version__``), which
  the API pages describe, and the click command ``optkit.cli.main``, whose docstring is the
  ``--help`` text the CLI page renders.

numpydoc is in the ``docs`` extra, not the ``test`` extra: without it this module is skipped,
and ``.ci/run``'s docs leg, where it is installed, runs it.
"""

import ast
import enum
import importlib
import inspect
import textwrap
import types
import warnings

import click
import pytest

from tests.test_docs import public_names

docscrape = pytest.importorskip("numpydoc.docscrape")

EXTRA = [("optkit.optim.least_squares", n)
         for n in importlib.import_module("optkit.optim.least_squares").__all__]
EXTRA += [("optkit.optim.bounded.spg", "SPG"), ("optkit.optim.bounded.tron", "TRON")]
EXEMPT_TYPES = (dict, frozenset, set, list, tuple, str, int, float)
CHECKED_RAISES = ("ValueError", "TypeError")


def objects():
    """One ``pytest.param(object, id=dotted name)`` per distinct public object (first name
    wins)."""
    rows, seen = [], set()
    for module, name in public_names() + EXTRA:
        obj = getattr(importlib.import_module(module), name)
        if id(obj) in seen or isinstance(obj, EXEMPT_TYPES):
            continue
        if isinstance(obj, click.Command):
            continue
        seen.add(id(obj))
        rows.append(pytest.param(obj, id=f"{module}.{name}"))
    return rows


def parse(doc):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return docscrape.NumpyDocString(inspect.cleandoc(doc))


def documented(entries):
    names = set()
    for entry in entries:
        names.update(part.strip().lstrip("*") for part in entry.name.split(","))
    return names - {""}


def signature_names(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [p.name for p in sig.parameters.values() if p.name not in ("self", "cls")]


def own_nodes(func):
    """The AST nodes of ``func``'s own body (not of functions or classes nested in it)."""
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    stack = [node for node in ast.parse(source).body[0].body if not isinstance(node, nested)]
    out = []
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(child for child in ast.iter_child_nodes(node)
                     if not isinstance(child, nested))
    return out


def raised_names(nodes):
    names = set()
    for node in nodes or ():
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name):
                names.add(exc.id)
    return names


def private_helpers(func, nodes):
    """The private optkit functions ``func``'s own body calls by name (``_check_x0(x0)``)."""
    found = []
    for node in nodes or ():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = getattr(func, "__globals__", {}).get(node.func.id)
            if (isinstance(helper, types.FunctionType) and helper.__name__.startswith("_")
                    and helper.__module__.startswith("optkit")):
                found.append(helper)
    return found


def raised_here(func, depth=2):
    """What ``func`` raises in its own body and in the private helpers it calls, ``depth``
    calls deep (the argument checks a public function delegates)."""
    nodes = own_nodes(func)
    names = raised_names(nodes)
    if depth:
        for helper in private_helpers(func, nodes):
            names |= raised_here(helper, depth - 1)
    return names


def returns_value(nodes):
    if nodes is None:
        return True
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) or
               (isinstance(n, ast.Return) and n.value is not None and
                not (isinstance(n.value, ast.Constant) and n.value.value is None))
               for n in nodes)


def check_parameters(doc, obj, problems, *, records=False):
    names = signature_names(obj)
    if names is None:
        return
    have = documented(doc["Parameters"])
    fields = documented(doc["Attributes"]) if records else set()
    missing = [n for n in names if n not in have | fields]
    extra = sorted(have - set(names))
    if missing:
        problems.append(f"Parameters does not document {missing}")
    if extra:
        problems.append(f"Parameters documents {extra}, not in the signature {names}")


def check_raises(doc, raised, problems):
    listed = set()
    for entry in doc["Raises"]:
        listed.update(p.strip().rsplit(".", 1)[-1] for p in (entry.type or entry.name).split(","))
    for exc in sorted(raised & set(CHECKED_RAISES)):
        if exc not in listed:
            problems.append(f"raises {exc} but Raises does not list it")


def own_method(cls, name):
    return cls.__dict__.get(name)


@pytest.mark.parametrize("obj", objects())
def test_docstring_is_in_numpydoc_shape(obj):
    is_instance = not (inspect.isclass(obj) or inspect.isroutine(obj))
    raw = type(obj).__doc__ if is_instance else obj.__doc__
    assert raw and raw.strip(), "no docstring"
    doc = parse(raw)
    problems = []
    if not doc["Summary"]:
        problems.append("no one-line summary")
    if not any(line.lstrip().startswith(">>>") for line in doc["Examples"]):
        problems.append("no Examples with a >>> line")

    if is_instance:
        for section in ("Parameters", "Returns"):
            if not doc[section]:
                problems.append(f"no {section}")
    elif inspect.isclass(obj) and issubclass(obj, enum.Enum):
        pass
    elif inspect.isclass(obj) and issubclass(obj, BaseException):
        if own_method(obj, "__init__") is not None:
            check_parameters(doc, obj, problems)
    elif inspect.isclass(obj):
        check_parameters(doc, obj, problems, records=True)
        raised = set()
        for name in ("__init__", "__post_init__", "__new__"):
            method = own_method(obj, name)
            if isinstance(method, types.FunctionType):
                raised |= raised_here(method)
        check_raises(doc, raised, problems)
    else:
        func = inspect.unwrap(obj)
        check_parameters(doc, obj, problems)
        if returns_value(own_nodes(func)) and not (doc["Returns"] or doc["Yields"]):
            problems.append("no Returns (or Yields)")
        check_raises(doc, raised_here(func), problems)
    assert not problems, "; ".join(problems)


def test_the_rule_sees_a_bad_docstring():
    """The checks above can fail: a function with a wrong docstring is flagged on each count."""

    def bad(x, y):
        """Do a thing.

        Parameters
        ----------
        x : float
            The x.
        z : float
            Not a parameter.

        Exemples
        --------
        >>> bad(1, 2)
        """
        if x < 0:
            raise ValueError("x < 0")
        return x + y

    with pytest.raises(Warning, match="Exemples"):
        parse(bad.__doc__)
    bad.__doc__ = bad.__doc__.replace("Exemples", "Examples")
    doc = parse(bad.__doc__)
    problems = []
    check_parameters(doc, bad, problems)
    check_raises(doc, raised_here(bad), problems)
    assert len(problems) == 3, problems
    assert returns_value(own_nodes(bad)) and not doc["Returns"]
