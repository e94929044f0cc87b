"""Print the longest functions and the largest files of a source tree (structure evidence).

Usage: ``python tools/longest_functions.py [ROOT] [--top N]`` (ROOT defaults to ``optkit``).
A function's length is its line span, shown with and without its docstring; nested functions count
on their own as well as inside their parent. Functions are ranked by the span without docstring.
"""

import argparse
import ast
import pathlib


def functions(root):
    """Yield ``(lines, "path:name")`` for every function and method under ``root``."""
    for path in sorted(pathlib.Path(root).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                span = node.end_lineno - node.lineno + 1
                yield span - _docstring_lines(node), span, f"{path}:{node.lineno} {node.name}"


def _docstring_lines(node):
    """The number of lines the function's docstring spans (0 without one)."""
    first = node.body[0] if node.body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return first.end_lineno - first.lineno + 1
    return 0


def files(root):
    """Yield ``(lines, path)`` for every Python file under ``root``."""
    for path in sorted(pathlib.Path(root).rglob("*.py")):
        yield len(path.read_text().splitlines()), str(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="optkit")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    print(f"largest files under {args.root}:")
    for n, name in sorted(files(args.root), reverse=True)[: args.top]:
        print(f"{n:6d}  {name}")
    print(f"longest functions under {args.root} (lines without docstring, with it):")
    for code, span, name in sorted(functions(args.root), reverse=True)[: args.top]:
        print(f"{code:6d} {span:6d}  {name}")


if __name__ == "__main__":
    main()
