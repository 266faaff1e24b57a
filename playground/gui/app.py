"""Start the GUI: ``nn-playground`` with no subcommand calls ``main()``."""
from __future__ import annotations

import sys

from ._qt import QtCore, QtGui, QtWidgets
from . import theme
from . import settings
from .settings import APPLICATION, ORGANISATION


def make_app(argv=None) -> QtWidgets.QApplication:
    # The GUI thread (painting is Python in pyqtgraph) competes for the GIL with the trainer's
    # Python outer loop; a shorter switch interval hands the GIL back to the GUI sooner.
    sys.setswitchinterval(0.001)
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
    from .controller import Controller
    from .mainwindow import MainWindow

    window = MainWindow()
    controller = Controller(window, backend, restore_settings=restore_settings, ask=ask)
    window.draw.attach(lambda: (controller.network, controller.dataset))
    if not restore_settings or settings.value("window/geometry") is None:
        window.resize(first_size(window))
        default_splitter(window)
    return window, controller


def first_size(window, cap: QtCore.QSize | None = None) -> QtCore.QSize:
    """``cap`` (default 1400 x 880), or less on a small screen (a 1280 x 800 laptop or projector):
    never bigger than the screen."""
    cap = cap or QtCore.QSize(1400, 880)
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    if screen is None:
        return cap
    avail = screen.availableGeometry()
    # Leave room for the window frame and title bar the window manager adds.
    return QtCore.QSize(min(cap.width(), avail.width() - 16), min(cap.height(), avail.height() - 48))


def default_splitter(window, width: int | None = None) -> None:
    """Controls at their natural width; the rest split 60:40 between plots and views."""
    width = width or window.width()
    left = window.controls_scroll.minimumWidth()
    rest = max(width - left - 20, 400)
    window.splitter.setSizes([left, int(rest * 0.6), int(rest * 0.4)])


def main(argv=None) -> int:
    app = make_app(argv)
    window, _controller = create_window()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
