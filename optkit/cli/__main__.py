"""``python -m optkit.cli ...``: the same group as the ``optkit`` console script."""

from . import main

if __name__ == "__main__":
    main()
