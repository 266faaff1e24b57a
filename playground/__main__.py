"""`python -m playground` is the same as the `nn-playground` command."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
