"""Import Qt before pyqtgraph so pyqtgraph binds to PySide6 (and never picks up another binding).

Every gui module imports ``pg`` from here rather than importing pyqtgraph itself.
"""
import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import PySide6  # noqa: E402,F401  (must come first)
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402,F401
import pyqtgraph as pg  # noqa: E402

# Antialiased curves look far better on a projector; the curves are short enough to afford it.
# Segmented mode strokes a wide antialiased line as separate segments: 5-8x cheaper to paint
# than one long path, which keeps frames short while curves grow.
pg.setConfigOptions(antialias=True, background="w", foreground="k", imageAxisOrder="row-major",
                   segmentedLineMode="on")
