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
        centre_on_screen(window)
        default_splitter(window)
    return window, controller


def first_size(window, cap: QtCore.QSize | None = None) -> QtCore.QSize:
    """The first window size: about 90 % of a big screen (a 1920 x 1080 monitor gets 1728 x 972),
    all of a small one (a 1280 x 800 laptop or projector), never more than the screen or ``cap``
    (a size saved on another monitor)."""
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    if screen is None:
        return cap or QtCore.QSize(1400, 880)
    avail = screen.availableGeometry()
    # Leave room for the window frame and title bar the window manager adds.
    room = QtCore.QSize(avail.width() - 16, avail.height() - 48)
    if cap is None:
        cap = QtCore.QSize(max(int(avail.width() * 0.9), 1400), max(int(avail.height() * 0.9), 880))
    return cap.boundedTo(room)


def centre_on_screen(window) -> None:
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    if screen is not None:
        frame = window.frameGeometry()
        frame.moveCenter(screen.availableGeometry().center())
        window.move(frame.topLeft())


def default_splitter(window, width: int | None = None) -> None:
    """Controls at their natural width; the rest split 60:40 between plots and views."""
    width = width or window.width()
    left = window.controls_scroll.minimumWidth()
    rest = max(width - left - 20, 400)
    window.splitter.setSizes([left, int(rest * 0.6), int(rest * 0.4)])


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
