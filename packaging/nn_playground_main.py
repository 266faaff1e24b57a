"""The frozen app's entry script. PyInstaller runs it as a top-level ``__main__`` outside any
package, where playground/__main__.py's relative import fails, so it imports the package by its
absolute name. It also serves the app's own child processes (playground/children.py)."""
import sys

from playground.children import main

if __name__ == "__main__":
    sys.exit(main())
