"""Run the optkit command line from a checkout: ``python cli.py solve rosenbrock``.

The commands live in the package (``optkit.cli``), which is also installed as the console
script ``optkit``; this file stays a thin entry so no top-level ``cli`` module is installed.
"""

from optkit.cli import main

if __name__ == "__main__":
    main()
