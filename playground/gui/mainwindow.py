"""The main window: controls on the left, live plots in the centre, network views on the right,
a toolbar and a status bar. It only builds widgets and actions; the Controller wires them."""
from __future__ import annotations

from pathlib import Path

from ._qt import QtCore, QtGui, QtWidgets
from . import classroom, fieldkeys, tooltips, viewexport, wheelguard
from . import settings as st
from .banner import Banner
from .compare.page import ComparePage
from .controls import DEFAULTS, ControlsPanel
from .diagnosisbar import DiagnosisBar
from .drawpanel import DrawPanel
from .historypanel import HistoryPanel
from .replay import ReplayBar
from .scrolling import shared_height_scroll
from .plots import PlotsPanel
from .status import StatusFields
from .views import NetworkViews

ASSETS = Path(__file__).resolve().parent / "icons"

# Training speed (Trainer.set_throttle, in epochs per second). A toy dataset trains hundreds of
# epochs a second at full speed, too fast to talk over; a big one (MNIST) is never that fast, so
# the limit leaves it alone.
SPEEDS = {
    "slow": ("Slow motion (≈5 epochs/s)", 5.0),
    "normal": ("Normal (≈20 epochs/s)", 20.0),
    "full": ("Full speed", None),
}
DEFAULT_SPEED = "normal"
APP_NAME = "NN Playground"


def app_icon() -> QtGui.QIcon:
    icon = QtGui.QIcon()
    for name in ("icon.svg", "icon.png"):
        p = ASSETS / name
        if p.exists():
            icon.addFile(str(p))
    return icon


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.controller = None           # set by Controller; closeEvent asks it to shut down

        self.controls = ControlsPanel()
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.controls)
        # Wide enough for the controls' own minimum plus a vertical scroll bar: nothing clipped.
        scroll.setMinimumWidth(self.controls.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 4)
        self.controls_scroll = scroll

        self.banner = Banner()
        self.diagnosis = DiagnosisBar()
        self.plots = PlotsPanel()
        centre = QtWidgets.QWidget()
        v = QtWidgets.QVBoxLayout(centre)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.banner)
        v.addWidget(self.diagnosis)
        self.replay_bar = ReplayBar()
        # The plots keep the height their axes need; when a lesson's note or a banner leaves less
        # (1280 x 800), they scroll instead of pushing the window past the screen.
        plots_page = QtWidgets.QWidget()
        pv = QtWidgets.QVBoxLayout(plots_page)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addWidget(self.plots, 1)
        pv.addWidget(self.replay_bar)
        self.plots_scroll = shared_height_scroll(plots_page, "plotsScroll")
        self.plots_scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        v.addWidget(self.plots_scroll, 1)

        self.views = NetworkViews()
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setChildrenCollapsible(False)
        # Training and drawing are two pages: the Draw page needs the whole width.
        self.draw = DrawPanel()
        self.pages = QtWidgets.QTabWidget()
        self.pages.setObjectName("pages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.splitter, "Train")
        self.pages.addTab(self.draw, "Draw")
        self.compare = ComparePage()
        self.pages.addTab(self.compare, "Compare")
        self.setCentralWidget(self.pages)

        self.history_panel = HistoryPanel()
        self.history_dock = QtWidgets.QDockWidget("Run history", self)
        self.history_dock.setObjectName("historyDock")
        self.history_dock.setWidget(self.history_panel)
        self.addDockWidget(QtCore.Qt.RightDockWidgetArea, self.history_dock)
        self.history_dock.hide()
        self.status = StatusFields(self.statusBar())
        self._build_actions()
        # Every spin/combo box: a passing wheel scrolls, keys reach the window's shortcuts.
        wheelguard.guard(self)
        fieldkeys.install(self)
        fieldkeys.install_escape(self)
        classroom.install(self)          # View menu: presentation mode, activation explorer; diagram clicks
        tooltips.install(self)

    # ------------------------------------------------------------------ actions
    def _action(self, text, shortcut=None, icon=None, tip=None) -> QtGui.QAction:
        a = QtGui.QAction(text, self)
        if shortcut:
            a.setShortcut(QtGui.QKeySequence(shortcut))
            a.setShortcutContext(QtCore.Qt.WindowShortcut)
        if icon is not None:
            a.setIcon(self.style().standardIcon(icon))
        tip = tip or text
        a.setToolTip(f"{tip} ({QtGui.QKeySequence(shortcut).toString()})" if shortcut else tip)
        return a

    def _build_actions(self) -> None:
        SP = QtWidgets.QStyle.StandardPixmap
        self.act_play = self._action("Play", "Space", SP.SP_MediaPlay, "Play / pause training")
        self.act_step = self._action("Step batch", "N", SP.SP_MediaSkipForward, "Train one mini-batch")
        self.act_step_epoch = self._action("Step epoch", "E", SP.SP_MediaSeekForward, "Train to the end of the epoch")
        self.act_reset = self._action("Reset", "R", SP.SP_BrowserReload,
                                      "Start again from the same initial weights (same seed)")
        self.act_reset_seed = self._action("Reset (new seed)", "Shift+R", None,
                                           "Start again from new initial weights (a new random seed); "
                                           "the data stay the same")
        self.act_stop = self._action("Stop", "S", SP.SP_MediaStop, "Stop training")
        self.act_compare = self._action("Compare…", "Ctrl+K", None,
                                        "Train twin runs that differ in one setting, side by side")
        self.act_open = self._action("Open model…", QtGui.QKeySequence.Open, SP.SP_DialogOpenButton)
        self.act_save = self._action("Save model…", QtGui.QKeySequence.Save, SP.SP_DialogSaveButton)
        self.act_open_run = self._action("Open run…", None, None, "Restore a saved run: settings, network, curves")
        self.act_save_run = self._action("Save run…", None, None, "Save the settings, trained network and curves")
        self.act_export_png = self._action("Export plots as PNG…")
        self.act_export_svg = self._action("Export plots as SVG…")
        self.act_export_csv = self._action("Export metrics as CSV…")
        self.act_data_dir = self._action("Data folder…", None, None, "Folder holding MNIST / Fashion-MNIST files")
        self.act_defaults = self._action("Restore defaults")
        self.act_quit = self._action("Quit", QtGui.QKeySequence.Quit)
        self.act_quit.triggered.connect(self.close)
        self.act_about = self._action("About NN Playground")
        self.act_about.triggered.connect(self.show_about)

        tb = QtWidgets.QToolBar("Training")
        tb.setObjectName("trainingToolbar")
        tb.setToolButtonStyle(QtCore.Qt.ToolButtonTextBesideIcon)
        tb.setIconSize(QtCore.QSize(24, 24))
        tb.setMovable(False)
        for a in (self.act_play, self.act_step, self.act_step_epoch, self.act_reset, self.act_reset_seed,
                  self.act_stop):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_compare)
        tb.addSeparator()
        self.speed = QtWidgets.QComboBox()
        for key, (text, _) in SPEEDS.items():
            self.speed.addItem(text, key)
        self.speed.setCurrentIndex(self.speed.findData(DEFAULT_SPEED))
        self.speed.setAccessibleName("Training speed")
        tip = ("How fast training runs: slow enough to talk over on a projector, or as fast as the computer "
               "can. Large datasets such as MNIST are never slowed down.")
        self.speed.setToolTip(tip)
        label = QtWidgets.QLabel(" Speed: ")
        label.setBuddy(self.speed)
        label.setToolTip(tip)
        tb.addWidget(label)
        tb.addWidget(self.speed)
        self.addToolBar(tb)
        self.toolbar = tb

        m = self.menuBar()
        f = m.addMenu("&File")
        for a in (self.act_open, self.act_save, None, self.act_open_run, self.act_save_run, None, self.act_export_png, self.act_export_svg,
                  self.act_export_csv, None, self.act_data_dir, None, self.act_quit):
            f.addSeparator() if a is None else f.addAction(a)
        viewexport.add_menu(self, f, self.act_export_png)
        view = m.addMenu("&View")
        self.act_history = self.history_dock.toggleViewAction()
        self.act_history.setShortcut(QtGui.QKeySequence("Ctrl+H"))
        view.addAction(self.act_history)
        t = m.addMenu("&Training")
        for a in (self.act_play, self.act_step, self.act_step_epoch, self.act_reset, self.act_reset_seed,
                  self.act_stop, None, self.act_compare):
            t.addSeparator() if a is None else t.addAction(a)
        s = m.addMenu("&Settings")
        s.addAction(self.act_defaults)
        h = m.addMenu("&Help")
        h.addAction(self.act_about)

    def set_subject(self, text: str) -> None:
        """The title names what is on show. It ends with the application's name, so Qt does not
        append its display name a second time ("... — NN Playground — NN Playground")."""
        self.setWindowTitle(f"{text} — {APP_NAME}")

    def show_about(self) -> None:
        from playground import __version__
        QtWidgets.QMessageBox.about(self, f"About {APP_NAME}",
                                    f"<h3>{APP_NAME} {__version__}</h3><p>Build a fully-connected network and "
                                    "watch it learn.</p><p>Space: play/pause · N: step batch · E: step epoch · "
                                    "R: reset · Shift+R: reset with a new seed · S: stop · Esc: leave a field</p>"
                                    "<p>Enter in a field applies the value and hands these keys back to the window."
                                    "</p>")

    def speed_key(self) -> str:
        return self.speed.currentData() or DEFAULT_SPEED

    def set_speed(self, key: str) -> None:
        i = self.speed.findData(key)
        self.speed.setCurrentIndex(i if i >= 0 else self.speed.findData(DEFAULT_SPEED))

    def set_playing(self, playing: bool) -> None:
        SP = QtWidgets.QStyle.StandardPixmap
        self.act_play.setText("Pause" if playing else "Play")
        self.act_play.setIcon(self.style().standardIcon(SP.SP_MediaPause if playing else SP.SP_MediaPlay))

    # ------------------------------------------------------------------ settings
    def restore_settings(self) -> None:
        """Geometry, panes, speed, plot axis and controls as the person left them."""
        state = st.load_controls()
        if state:
            self.controls.set_state(state)
        geo = st.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        size = st.value("window/size")
        if isinstance(size, QtCore.QSize) and size.isValid():
            # Some platforms (offscreen, some Wayland compositors) ignore the geometry's size. A size
            # saved on a big monitor must not overflow a 1280 x 800 projector: clamp to the screen.
            self.resize(first_size(self, cap=size))
        win = st.value("window/state")
        if win is not None:
            self.restoreState(win)
        sp = st.value("window/splitter")
        if sp is not None:
            self.splitter.restoreState(sp)
        speed = st.value("training/speed")
        if speed in SPEEDS:
            self.set_speed(speed)
        x_axis = st.value("plots/x_axis")
        if x_axis in ("0", "1", 0, 1):
            self.plots.x_axis.setCurrentIndex(int(x_axis))

    def save_settings(self) -> None:
        st.save_controls(self.controls.state())
        st.set_value("window/geometry", self.saveGeometry())
        st.set_value("window/size", self.size())
        st.set_value("window/state", self.saveState())
        st.set_value("window/splitter", self.splitter.saveState())
        st.set_value("plots/x_axis", self.plots.x_axis.currentIndex())
        st.set_value("training/speed", self.speed_key())

    def restore_defaults(self) -> None:
        """The default controls, plot axis and speed (the controller then rebuilds the run)."""
        st.clear_controls()
        self.controls.set_state(DEFAULTS)
        self.plots.x_axis.setCurrentIndex(0)
        self.set_speed(DEFAULT_SPEED)

    def first_show(self) -> None:
        """A size and place for a window with no saved geometry."""
        self.resize(first_size(self))
        centre_on_screen(self)
        default_splitter(self)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.controller is not None:
            self.controller.shutdown()
        super().closeEvent(event)


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
