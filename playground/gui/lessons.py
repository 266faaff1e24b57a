"""The Lessons menu and picker: one click sets a classic experiment up and starts it.

A single-run lesson sets the controls (its RunSpec's flat settings) and presses Play; a
comparison hands its twins to the Compare page (gui.compare.open_comparison). Either way a
lesson panel across the top of the window (above every page, so it stays in view on the
Compare page too) says what to watch, and offers a lesson's second part as a button.
"""
from __future__ import annotations

from playground.core import lessons
from playground.core.catalogue import IMAGE_NAMES
from playground.core.errors import PlaygroundError

from ._qt import QtCore, QtWidgets
from . import datafolders, dataload, filedialogs, presentation, tooltips
from . import settings as st



class LessonPanel(QtWidgets.QFrame):
    """What to watch in the lesson that runs: its title, two or three sentences, Next and End."""

    sigNext = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.setStyleSheet("QFrame#lessonPanel { background: #e3f0ff; border: 2px solid #5b9bd5; "
                           "border-radius: 6px; } QLabel { color: #0a3d7a; }")
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.text.installEventFilter(self)
        self.next = QtWidgets.QPushButton()
        self.next.setToolTip("Go on to the lesson's next part")
        self.next.clicked.connect(self.sigNext)
        self.end = QtWidgets.QPushButton("End lesson")
        self.end.setToolTip("Hide this note; the runs stay as they are")
        self.end.clicked.connect(self.hide_lesson)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addWidget(self.text, 1)
        buttons = QtWidgets.QVBoxLayout()
        buttons.addWidget(self.next)
        buttons.addWidget(self.end)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.dock = None

    def say(self, title: str, watch: str, then: str | None) -> None:
        self.text.setText(f"<b>{_html(title)}</b><br>{_html(watch)}")
        self.next.setText(f"Next: {then}" if then else "")
        self.next.setVisible(bool(then))
        self.dock.show()
        self._fit_height()

    def _fit_height(self) -> None:
        """The note exactly as tall as its text wrapped at the width it has: a dock sizes itself from
        a wrapped label's hint, which cut the note at 1280 px and left a blank band at 150 %."""
        width = self.text.width()
        if width > 0:
            h = self.text.heightForWidth(width)
            if h > 0 and self.text.minimumHeight() != h:
                self.text.setFixedHeight(h)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.text and event.type() in (QtCore.QEvent.Resize, QtCore.QEvent.FontChange):
            self._fit_height()
        return False

    def hide_lesson(self) -> None:
        self.dock.hide()


class LessonDialog(QtWidgets.QDialog):
    """A list of the lessons; the one selected shows its title, what to watch and how long it takes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Lessons")
        self.setObjectName("lessonDialog")
        self.list = QtWidgets.QListWidget()
        self.list.setAccessibleName("Lessons")
        self._lessons = {}
        for name in lessons.names():
            lesson = lessons.load(name)
            self._lessons[name] = lesson
            item = QtWidgets.QListWidgetItem(lesson.title)
            item.setData(QtCore.Qt.UserRole, name)
            self.list.addItem(item)
        self.title = QtWidgets.QLabel()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.watch = QtWidgets.QLabel()
        self.budget = QtWidgets.QLabel()
        self.full = QtWidgets.QLabel()
        self.full.setStyleSheet("color: palette(mid);")
        for label in (self.watch, self.budget, self.full):
            label.setWordWrap(True)
            label.setAlignment(QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
        text = QtWidgets.QVBoxLayout()
        for w in (self.title, self.watch, self.budget, self.full):
            text.addWidget(w)
        text.addStretch(1)
        body = QtWidgets.QHBoxLayout()
        body.addWidget(self.list, 0)
        body.addLayout(text, 1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Cancel)
        self.start = buttons.addButton("Start", QtWidgets.QDialogButtonBox.AcceptRole)
        # Enter starts the lesson chosen in the list (else Qt makes Cancel the default on show).
        buttons.button(QtWidgets.QDialogButtonBox.Cancel).setAutoDefault(False)
        buttons.button(QtWidgets.QDialogButtonBox.Cancel).setToolTip("Close without starting a lesson")
        self.start.setToolTip("Set every control for the chosen lesson and start it")
        self.start.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(buttons)
        self.list.currentItemChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.list.setCurrentRow(0)
        # Every title whole: a teacher reads the list, not a row of truncated names.
        self.list.setMinimumWidth(self.list.sizeHintForColumn(0) + 2 * self.list.frameWidth() + 8)
        self.list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        self.resize(self.list.minimumWidth() + 480, 440)

    def _show(self, item, _previous=None) -> None:
        lesson = self._lessons[item.data(QtCore.Qt.UserRole)] if item is not None else None
        self.title.setText(lesson.title if lesson else "")
        self.watch.setText(lesson.watch if lesson else "")
        self.budget.setText(f"Short version: {lesson.budget}" if lesson else "")
        self.full.setText(f"Full version: {lesson.full}" if lesson else "")

    @property
    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.data(QtCore.Qt.UserRole) if item is not None else None


class LessonMenu(QtCore.QObject):
    """The Lessons menu of the window, and the lesson on show (for its panel's Next button)."""

    sigStarted = QtCore.Signal(str)        # a lesson's name, once its runs are set up and started

    def __init__(self, controller):
        super().__init__(controller)
        self.c = controller
        w = controller.w
        self.lesson: lessons.Lesson | None = None
        menu = QtWidgets.QMenu("&Lessons", w)
        menu.menuAction().setToolTip(tooltips.MENUS["Lessons"])
        self.act_choose = menu.addAction("Choose a lesson…")
        self.act_choose.setShortcut("Ctrl+L")
        self.act_choose.setToolTip("The classic experiments, one click each, with what to watch")
        self.act_choose.triggered.connect(self.choose)
        self.act_open = menu.addAction("Open lesson file…")
        self.act_open.setToolTip("Start a lesson a teacher wrote (a .json file in the shipped lessons' "
                                 "layout), with its own panels, scale and caption if it has them")
        self.act_open.triggered.connect(lambda _=False: self.open_file())
        menu.addSeparator()
        self.actions = {}
        for name in lessons.names():
            lesson = lessons.load(name)
            act = menu.addAction(lesson.title)
            act.setToolTip(_first_sentence(lesson.watch))
            act.setObjectName(f"lesson-{name}")
            act.triggered.connect(lambda _=False, n=name: self.start(n))
            self.actions[name] = act
        bar = w.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        bar.insertMenu(help_menu, menu) if help_menu is not None else bar.addMenu(menu)
        self.menu = menu
        self.panel = LessonPanel()
        self.panel.sigNext.connect(self.next_part)
        dock = QtWidgets.QDockWidget("Lesson", w)
        dock.setObjectName("lessonDock")
        dock.setTitleBarWidget(QtWidgets.QWidget())       # no title bar: a strip, not a tool window
        dock.setFeatures(QtWidgets.QDockWidget.NoDockWidgetFeatures)
        dock.setAllowedAreas(QtCore.Qt.TopDockWidgetArea)
        dock.setWidget(self.panel)
        w.addDockWidget(QtCore.Qt.TopDockWidgetArea, dock)
        dock.hide()
        dock.toggleViewAction().setToolTip("Show or hide the note of the lesson on show.")
        self.panel.dock = dock
        tooltips.qt_buttons(w)

    def choose(self) -> bool:
        dlg = LessonDialog(self.c.w)
        if dlg.exec() != QtWidgets.QDialog.Accepted or dlg.chosen is None:
            return False
        return self.start(dlg.chosen)

    def open_file(self, path: str | None = None) -> bool:
        """Read a lesson file (asked for when ``path`` is None) and start it."""
        w = self.c.w
        path = path or filedialogs.ask_path(w, False, "Open lesson file", st.value("files/last", ""),
                                            "Lessons (*.json);;All files (*)")
        if not path:
            return False
        try:
            lesson = lessons.read(path)
        except (PlaygroundError, OSError, ValueError) as e:     # ValueError: IrregularFile, too big
            QtWidgets.QMessageBox.warning(w, "Cannot open the lesson", f"{path}\n\n{e}")
            return False
        return self.start_lesson(lesson)

    def start(self, name: str) -> bool:
        """Set shipped lesson ``name`` up and start it; False (with a message) if it cannot run here."""
        try:
            lesson = lessons.load(name)
        except PlaygroundError as e:
            QtWidgets.QMessageBox.warning(self.c.w, "Cannot start the lesson", str(e))
            return False
        return self.start_lesson(lesson)

    def start_lesson(self, lesson) -> bool:
        w = self.c.w
        name = lesson.name
        try:
            runs = lesson.twins_or_run(**_data_dir(lesson))
            if lesson.presentation is not None:
                choice = presentation.check_choice(lesson.presentation)
        except (PlaygroundError, ValueError) as e:
            QtWidgets.QMessageBox.warning(w, "Cannot start the lesson", str(e))
            return False
        if lesson.twins:
            try:
                from .compare import open_comparison
            except ImportError:
                QtWidgets.QMessageBox.information(
                    w, "Comparisons are not available",
                    f"“{lesson.title}” compares {len(runs)} runs side by side, and this version of NN "
                    f"Playground has no Compare page yet. On the command line: nn-playground lesson {name}")
                return False
            try:
                open_comparison(self.c, runs)
            except PlaygroundError as e:
                QtWidgets.QMessageBox.warning(w, "Cannot start the lesson", str(e))
                return False
        elif not start_single(self.c, runs[0].spec):
            return False
        self.lesson = lesson
        self.panel.say(lesson.title, lesson.watch, lesson.then[0] if lesson.then else None)
        if lesson.presentation is not None:      # a teacher's tailored lesson opens ready to present
            presentation.apply_presentation(w, choice)
        self.sigStarted.emit(name)
        return True

    def next_part(self) -> None:
        """The lesson's second part (XOR, then the two spirals)."""
        if self.lesson is None or self.lesson.then is None:
            return
        lesson = self.lesson
        label, _, watch = lesson.then
        try:
            run = lesson.then_run(**_data_dir(lesson))
        except PlaygroundError as e:
            QtWidgets.QMessageBox.warning(self.c.w, "Cannot start the lesson", str(e))
            return
        if start_single(self.c, run.spec):
            self.panel.say(f"{lesson.title}: {label}", watch, None)


def start_single(controller, spec) -> bool:
    """Show ``spec`` in the controls, build it and press Play."""
    settings = spec.to_settings()
    settings["per_layer"] = len(set(settings["hidden_activations"])) > 1
    controller.w.controls.set_state(settings)
    if not controller.rebuild(ask=False, subset=dataload.subset_of(spec.data)):
        return False
    s = controller.active
    if s.trainer is not None and not s.run_active:
        controller.play_pause()
    return True


def install(controller) -> LessonMenu:
    """Add the Lessons menu to the controller's window."""
    menu = LessonMenu(controller)
    controller.w.lesson_menu = menu
    return menu


def _data_dir(lesson) -> dict:
    """The window's remembered folder for the lesson's dataset (MNIST lives wherever it was found)."""
    name = lesson.spec().data.name
    folder = datafolders.remembered(name) if name in IMAGE_NAMES else None
    return {"data_dir": folder} if folder else {}


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
