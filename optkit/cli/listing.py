"""``optkit list``: the problem library as a table (or --json)."""

import click

from optkit import problems

from .common import CliError, fmt, to_json

__all__ = ["check_tag", "list_problems"]


def check_tag(tag):
    """`tag` when some problem carries it; otherwise a CliError listing the known tags."""
    if tag is None or problems.names(tag):
        return tag
    known = sorted({t for spec in problems.specs() for t in spec.tags})
    raise CliError(f"--tag: no problem is tagged {tag!r}; tags: {', '.join(known)}")


def _dimension(spec):
    if not spec.scalable:
        return str(spec.default_n)
    r = spec.n_range
    text = f"{spec.default_n} (" + (f">= {r.lo}" if r.hi is None else f"{r.lo}..{r.hi}")
    if r.multiple_of == 2:
        text += ", even"
    elif r.multiple_of > 2:
        text += f", x{r.multiple_of}"
    return text + ")"


def _fstar(spec):
    """f* at the default dimension (building the problem is cheap and cached)."""
    return problems.get(spec.name).fstar


def _bounded(spec):
    """True when the problem has bounds (at its default dimension): `optkit solve` then
    solves it in them."""
    return problems.get(spec.name).bounds is not None


@click.command("list", short_help="The problem library as a table.")
@click.option("--tag", metavar="T", help="Only problems carrying tag T (e.g. convex, scalable).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_problems(tag, as_json):
    """List the built-in problems: name, dimension, known minimum f*, bounds and tags.

    The n column shows the default dimension and, for scalable problems, the allowed range
    (pass another with `optkit solve NAME --n N`); ">= 2" means any n that fits in memory.
    f* is at the default dimension. The bounds column says "yes" for a bound-constrained
    problem (tagged bounds too): its f* is the minimum in its bounds, and `optkit solve`
    solves it in them.

    \b
    Examples:
      optkit list
      optkit list --tag least-squares
      optkit list --json
    """
    check_tag(tag)
    specs = problems.specs(tag)
    rows = [{"name": s.name, "n": s.default_n,
             "n_range": [s.n_range.lo, s.n_range.hi] if s.scalable else None,
             "fstar": _fstar(s), "bounded": _bounded(s), "tags": sorted(s.tags),
             "description": s.description}
            for s in specs]
    if as_json:
        click.echo(to_json(rows))
        return
    table = [("name", "n", "f*", "bounds", "tags")]
    table += [(r["name"], _dimension(s), fmt(r["fstar"], 8), "yes" if r["bounded"] else "-",
               ",".join(r["tags"])) for r, s in zip(rows, specs, strict=True)]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True))
                   + "  " + row[4])
    noun = "problem" if len(rows) == 1 else "problems"
    click.echo(f"\n{len(rows)} {noun}" + (f" tagged {tag}" if tag else ""))
