"""Start the GUI: ``nn-playground`` with no subcommand calls ``main()``."""
from __future__ import annotations

import sys

from ._qt import QtCore, QtGui, QtWidgets
from . import heap, theme
from . import settings
from .settings import APPLICATION, ORGANISATION


def make_app(argv=None) -> QtWidgets.QApplication:
    # The GUI thread (painting is Python in pyqtgraph) competes for the GIL with the trainer's
    # Python outer loop; a shorter switch interval hands the GIL back to the GUI sooner.
    sys.setswitchinterval(0.001)
    heap.limit_arenas()           # before the training threads: they share two arenas
    heap.pin_mmap_threshold()     # big arrays are unmapped when freed, not left as holes
    heap.trim_every()             # what a running lesson frees below live blocks goes back too
    app = QtWidgets.QApplication.instance()
    if app is None:
        QtCore.QCoreApplication.setOrganizationName(ORGANISATION)
        QtCore.QCoreApplication.setApplicationName(APPLICATION)
        QtGui.QGuiApplication.setDesktopFileName("io.github.nn_playground.NNPlayground")
        app = QtWidgets.QApplication(list(argv) if argv is not None else sys.argv[:1])
    else:
        QtCore.QCoreApplication.setOrganizationName(ORGANISATION)
        QtCore.QCoreApplication.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("NN Playground")
    font = app.font()
    if font.pointSizeF() < theme.BASE_POINT_SIZE:
        font.setPointSizeF(theme.BASE_POINT_SIZE)
        app.setFont(font)
    from .mainwindow import app_icon
    app.setWindowIcon(app_icon())
    return app


def create_window(backend=None, *, restore_settings=True, ask=None):
    """The main window with its controller (used by main(), the selftest and the tests)."""
    # Imported here, not at the top: main() starts the kernels' compile before the heavy imports.
    from .controller import Controller
    from .mainwindow import MainWindow

    window = MainWindow()
    controller = Controller(window, backend, restore_settings=restore_settings, ask=ask)
    window.draw.attach(lambda: (controller.network, controller.dataset))
    if not restore_settings or settings.value("window/geometry") is None:
        window.first_show()
    return window, controller


def main(argv=None) -> int:
    # A first start compiles the kernels in a child process, on the other core while the window
    # is built (the GUI's networks are float32).
    from playground.core import precompile
    precompile.start("float32")
    app = make_app(argv)
    window, _controller = create_window()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
