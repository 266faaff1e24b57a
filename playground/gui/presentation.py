"""Presentation mode: the window as a projector needs it, one key in and the same key (or Esc) out.

Full screen, a UI scale of 125-250 % (scaling.py), big counters above the plots (epoch, test
accuracy, samples seen) with an optional caption, and only the controls and panels the teacher
chose. The choice is remembered (QSettings); a lesson can bring its own with
``apply_presentation(window, {"keep": [...], "caption": "...", "scale": 150})``.
Leaving puts back exactly what was there: geometry, window state, splitter sizes, which widgets
were hidden, fonts and plot styles.
"""
from __future__ import annotations

import html
import json

from ._qt import QtCore, QtGui, QtWidgets
from . import settings as st
from . import theme
from .scaling import UiScale

KEY = "F5"
SCALE_MIN, SCALE_MAX, SCALE_STEP = 125, 250, 25
DEFAULT_SCALE = 150
COUNTER_PERIOD_MS = 250
RESTORE_AGAIN_MS = (0, 60, 250)

# What the teacher can keep, with the name the dialog shows. Panels first, then single controls.
PANELS = {
    "toolbar": "Training toolbar (Play, Step, Reset…)",
    "loss": "Loss plot",
    "accuracy": "Accuracy plot",
    "gradients": "Gradient-norm plot",
    "weights": "Weight-norm plot",
    "histograms": "Activation histograms",
    "plot_options": "Plot options (x axis, log loss axis)",
    "views": "Network views (decision boundary, diagram, weight images)",
    "statusbar": "Status bar",
    "menubar": "Menu bar",
}
CONTROLS = {
    "dataset": "Dataset", "noise": "Noise", "test_ratio": "Test share", "layers": "Hidden layers",
    "activation": "Activation", "output": "Output activation", "cost": "Cost",
    "weight_init": "Weight initialisation", "bias_init": "Bias initialisation", "optimizer": "Optimiser",
    "eta": "Learning rate η", "batch_size": "Batch size", "l2": "L2 regularisation",
    "l1": "L1 regularisation", "dropout": "Dropout", "epochs": "Epochs", "seed": "Seed",
    "restore": "Restore defaults button",
}
ITEMS = {**PANELS, **CONTROLS}
# The advanced controls stay hidden unless the teacher asks for them.
DEFAULT_KEEP = ("toolbar", "loss", "accuracy", "views", "dataset", "eta", "batch_size")
# ControlsPanel widgets that go with a control key (each is hidden with its form label and note).
_CONTROL_WIDGETS = {"activation": ("activation", "per_layer"), "epochs": ("epochs", "until_stopped"),
                    "seed": ("seed", "new_seed")}


# ---------------------------------------------------------------------- the choice
def check_choice(choice: dict) -> dict:
    """A presentation dict made whole: keep (list of ITEMS keys), caption (str), scale (percent).

    ``keep`` may also come as ``controls`` + ``panels`` (a lesson file may name them apart).
    Raises ValueError naming what is wrong (an unknown key, a scale outside 125-250)."""
    if not isinstance(choice, dict):
        raise ValueError(f"A presentation must be a dict, not {type(choice).__name__}.")
    unknown_fields = set(choice) - {"keep", "controls", "panels", "caption", "scale"}
    if unknown_fields:
        raise ValueError(f"Unknown presentation field(s) {', '.join(sorted(unknown_fields))}; "
                         "expected keep, controls, panels, caption, scale.")
    keep: list[str] = []
    for field in ("keep", "panels", "controls"):
        value = choice.get(field, [])
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise ValueError(f"Presentation '{field}' must be a list of names.")
        keep += [k for k in value if k not in keep]
    if not any(f in choice for f in ("keep", "panels", "controls")):
        keep = list(DEFAULT_KEEP)
    unknown = [k for k in keep if k not in ITEMS]
    if unknown:
        raise ValueError(f"Unknown presentation item(s) {', '.join(map(repr, unknown))}; "
                         f"known: {', '.join(ITEMS)}.")
    scale = choice.get("scale", DEFAULT_SCALE)
    if isinstance(scale, float) and scale <= SCALE_MAX / 100:     # 1.5 means 150 %
        scale = scale * 100
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not SCALE_MIN <= scale <= SCALE_MAX:
        raise ValueError(f"Presentation scale must be {SCALE_MIN}-{SCALE_MAX} (%), not {scale!r}.")
    caption = choice.get("caption", "")
    if not isinstance(caption, str):
        raise ValueError("Presentation caption must be text.")
    return {"keep": keep, "caption": caption, "scale": int(round(scale))}


def load_choice() -> dict:
    """The teacher's remembered choice (the defaults if none, or if the stored one is unreadable)."""
    raw = st.value("presentation/choice")
    try:
        return check_choice(json.loads(raw)) if raw else check_choice({})
    except (TypeError, ValueError):
        return check_choice({})


def save_choice(choice: dict) -> None:
    st.set_value("presentation/choice", json.dumps(check_choice(choice)))


def apply_presentation(window, choice: dict) -> None:
    """Enter presentation mode (or change it, if on) with ``choice``, e.g. a lesson's: the keys
    of ITEMS to keep, a caption, a scale in percent. The teacher's remembered choice is left as it
    is; Esc or F5 leaves and restores the window."""
    window.presentation.enter(check_choice(choice))


# ---------------------------------------------------------------------- the header
def scale_box(tip: str) -> QtWidgets.QSpinBox:
    box = QtWidgets.QSpinBox()
    box.setRange(SCALE_MIN, SCALE_MAX)
    box.setSingleStep(SCALE_STEP)
    box.setSuffix(" %")
    box.setAccessibleName("Presentation scale")
    box.setToolTip(tip)
    return box


class Counter(QtWidgets.QWidget):
    """A big number with a small name under it."""

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(14, 0, 14, 0)
        lay.setSpacing(0)
        self.value = QtWidgets.QLabel("—")
        self.value.setAlignment(QtCore.Qt.AlignCenter)
        self.name = QtWidgets.QLabel(name)
        self.name.setAlignment(QtCore.Qt.AlignCenter)
        self.name.setStyleSheet("color: #555;")
        lay.addWidget(self.value)
        lay.addWidget(self.name)

    def set_scale(self, factor: float) -> None:
        f = QtGui.QFont(self.font())
        f.setPointSizeF(theme.BASE_POINT_SIZE * 2.0 * factor)
        f.setBold(True)
        self.value.setFont(f)
        g = QtGui.QFont(self.font())
        g.setPointSizeF(theme.BASE_POINT_SIZE * factor)
        self.name.setFont(g)


class PresentationHeader(QtWidgets.QFrame):
    """Above the plots in presentation mode: the caption, the counters, the scale, a way out."""
    sigScale = QtCore.Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("presentationHeader")
        self.setStyleSheet("QFrame#presentationHeader { background: #f4f7fb; border-bottom: 2px solid #c9d6e6; }")
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        self.caption = QtWidgets.QLabel()
        self.caption.setWordWrap(True)
        lay.addWidget(self.caption, 1)
        self.epoch = Counter("epoch")
        self.accuracy = Counter("test accuracy")
        self.samples = Counter("samples seen")
        for c in (self.epoch, self.accuracy, self.samples):
            lay.addWidget(c)
        side = QtWidgets.QVBoxLayout()
        self.scale = scale_box("How big text and lines are drawn: larger reads from the back of the room, "
                               "smaller leaves more room for the plots.")
        self.scale.setKeyboardTracking(False)
        self.scale.valueChanged.connect(self.sigScale)
        self.choose = QtWidgets.QPushButton("Panels…")
        self.choose.setToolTip("Choose which controls and panels stay on show while presenting.")
        self.leave = QtWidgets.QPushButton(f"Leave ({KEY} / Esc)")
        self.leave.setToolTip("Leave presentation mode: the window comes back exactly as it was.")
        row = QtWidgets.QHBoxLayout()
        self.scale_label = QtWidgets.QLabel("Scale")
        row.addWidget(self.scale_label)
        row.addWidget(self.scale)
        side.addLayout(row)
        side.addWidget(self.choose)
        side.addWidget(self.leave)
        lay.addLayout(side)

    def set_scale(self, factor: float) -> None:
        f = QtGui.QFont(self.font())
        f.setPointSizeF(theme.BASE_POINT_SIZE * 1.25 * factor)
        self.caption.setFont(f)
        for c in (self.epoch, self.accuracy, self.samples):
            c.set_scale(factor)
        # Set one by one: under the header's style sheet they would not follow the application font.
        g = QtGui.QFont(self.font())
        g.setPointSizeF(theme.BASE_POINT_SIZE * factor)
        for w in (self.scale_label, self.scale, self.scale.lineEdit(), self.choose, self.leave):
            w.setFont(g)

    def show_counts(self, epoch: float | None, accuracy: float | None, samples: int | None) -> None:
        self._show_epoch_samples(epoch, samples)
        self.accuracy.value.setText("—" if accuracy is None else f"{100 * accuracy:.1f} %")
        self.accuracy.name.setText("test accuracy")

    def show_twin_counts(self, epoch: float | None, samples: int | None, twins) -> None:
        """A comparison on show: the slowest twin's epoch and samples (they race level), and each
        twin's accuracy in its colour, named under it. ``twins``: (label, colour, accuracy)."""
        self._show_epoch_samples(epoch, samples)
        self.accuracy.value.setText(" · ".join(
            f'<span style="color:{c}">{"—" if a is None else f"{100 * a:.1f}"}</span>' for _, c, a in twins) + " %")
        self.accuracy.name.setText("test accuracy: " + " · ".join(
            f'<span style="color:{c}">{html.escape(label)}</span>' for label, c, _ in twins))

    def _show_epoch_samples(self, epoch, samples) -> None:
        self.epoch.value.setText("—" if epoch is None else f"{epoch:.1f}" if 0 < epoch < 10 and epoch % 1
                                 else f"{epoch:.0f}")
        self.samples.value.setText("—" if samples is None else f"{samples:,}")


def counts(trainer) -> tuple[float | None, float | None, int | None]:
    """(epoch, the newest test (else validation) accuracy, samples seen) of a trainer, or Nones."""
    if trainer is None:
        return None, None, None
    snap = trainer.latest
    epoch = float(snap.epoch_fraction) if snap is not None else float(trainer.epoch)
    samples = int(snap.samples_seen) if snap is not None else int(trainer.samples_seen)
    acc = None
    for rec in reversed(trainer.history):
        acc = rec.test_accuracy if rec.test_accuracy is not None else rec.validation_accuracy
        if acc is not None:
            break
    return epoch, acc, samples


# ---------------------------------------------------------------------- the dialog
class PresentationDialog(QtWidgets.QDialog):
    """Which controls and panels stay, the scale, a caption: a teacher's choice for presenting."""

    def __init__(self, choice: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Presentation: what stays on show")
        self.boxes: dict[str, QtWidgets.QCheckBox] = {}
        outer = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(f"Presentation mode ({KEY}) fills the screen with big text and thick lines. "
                                 "Tick what your audience should see; everything else is hidden until you leave.")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        cols = QtWidgets.QHBoxLayout()
        for title, items in (("Panels", PANELS), ("Controls", CONTROLS)):
            g = QtWidgets.QGroupBox(title)
            grid = QtWidgets.QGridLayout(g)
            rows = (len(items) + 1) // 2 if len(items) > 10 else len(items)
            for i, (key, text) in enumerate(items.items()):
                b = QtWidgets.QCheckBox(text)
                b.setChecked(key in choice["keep"])
                b.setToolTip(f"Keep '{text}' on show in presentation mode.")
                grid.addWidget(b, i % rows, i // rows)
                self.boxes[key] = b
            cols.addWidget(g)
        outer.addLayout(cols)
        form = QtWidgets.QFormLayout()
        self.scale = scale_box("How big text and lines are drawn in presentation mode (125-250 %).")
        self.scale.setValue(choice["scale"])
        self.caption = QtWidgets.QLineEdit(choice["caption"])
        self.caption.setPlaceholderText("optional: one sentence on what to watch")
        self.caption.setToolTip("A sentence shown in large type above the plots while presenting.")
        form.addRow("Scale", self.scale)
        form.addRow("Caption", self.caption)
        outer.addLayout(form)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok | QtWidgets.QDialogButtonBox.Cancel
                                             | QtWidgets.QDialogButtonBox.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QtWidgets.QDialogButtonBox.RestoreDefaults).clicked.connect(self._defaults)
        B = QtWidgets.QDialogButtonBox
        for which, tip in ((B.Ok, "Use and remember this choice."), (B.Cancel, "Close without changing anything."),
                           (B.RestoreDefaults, "Tick the default panels and controls again.")):
            buttons.button(which).setToolTip(tip)
        outer.addWidget(buttons)

    def _defaults(self) -> None:
        for key, b in self.boxes.items():
            b.setChecked(key in DEFAULT_KEEP)
        self.scale.setValue(DEFAULT_SCALE)

    def choice(self) -> dict:
        return check_choice({"keep": [k for k, b in self.boxes.items() if b.isChecked()],
                             "caption": self.caption.text().strip(), "scale": self.scale.value()})


# ---------------------------------------------------------------------- the mode
class PresentationMode(QtCore.QObject):
    sigChanged = QtCore.Signal(bool)        # on / off

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.active = False
        self.choice: dict | None = None
        self._saved: dict | None = None
        self._hidden: list[tuple[QtWidgets.QWidget, bool]] = []
        # The header is a bar of its own across the whole window, under the training toolbar: the
        # counters are the centre of attention, and they must not take width from the plots.
        self.header = PresentationHeader()
        self.header.show()
        self.bar = QtWidgets.QToolBar("Presentation")
        self.bar.setObjectName("presentationBar")
        self.bar.setMovable(False)
        self.bar.setFloatable(False)
        self.bar.addWidget(self.header)
        self.bar.toggleViewAction().setVisible(False)       # shown by presentation mode only
        self.bar.toggleViewAction().setToolTip("The presentation header.")
        window.addToolBarBreak(QtCore.Qt.TopToolBarArea)
        window.addToolBar(QtCore.Qt.TopToolBarArea, self.bar)
        self.bar.hide()
        self.scale = UiScale(window, skip=(self.bar,))
        self.header.sigScale.connect(self._on_scale)
        self.header.leave.clicked.connect(self.leave)
        self.header.choose.clicked.connect(self.choose)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(COUNTER_PERIOD_MS)
        self.timer.timeout.connect(self._tick)
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        # Closing while presenting: leave first, so the settings saved on close are the normal window's.
        if event.type() == QtCore.QEvent.Close and self.active:
            self.leave()
        return False

    # ------------------------------------------------------------------ commands
    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self, choice: dict | None = None) -> None:
        """Presentation mode with ``choice`` (checked), else the remembered one. On already: re-apply."""
        choice = load_choice() if choice is None else check_choice(choice)
        w = self.w
        if self.active:
            self._show_all()
        else:
            # Everything leave() must put back, taken before anything changes.
            grid = w.plots.layout()
            self._saved = {"geometry": QtCore.QRect(w.geometry()), "state": w.windowState(),
                           "splitter": w.splitter.saveState(), "toy": w.views.toy_page.saveState(),
                           "controls_width": w.controls_scroll.minimumWidth(),
                           "key_wrap": w.plots.key.wordWrap(),
                           "stretch": [grid.rowStretch(r) for r in range(grid.rowCount())]}
        self.choice = choice
        self._hide_unkept(set(choice["keep"]))
        self.header.caption.setText(choice["caption"])
        self.header.caption.setVisible(bool(choice["caption"]))
        with QtCore.QSignalBlocker(self.header.scale):
            self.header.scale.setValue(choice["scale"])
        self.header.set_scale(choice["scale"] / 100)
        self.scale.apply(choice["scale"] / 100)
        self.bar.show()
        if not self.active:
            self.active = True
            w.showFullScreen()
            self.timer.start()
            self._tick()
            self.sigChanged.emit(True)
        self._arrange_soon()

    def _arrange_soon(self) -> None:
        # Widgets take a new application font through posted events, and the full-screen size
        # arrives later still: arrange once both have landed.
        for ms in RESTORE_AGAIN_MS:
            QtCore.QTimer.singleShot(ms, self, self._arrange)

    def _arrange(self) -> None:
        """Room for what is on show: rows of hidden plots take no height, the controls panel is as
        wide as its scaled fields, and the plots and views share the rest 58:42
        (the views less for a toy problem, whose square boundary cannot use the width)."""
        if not self.active:
            return
        w = self.w
        w.plots.key.setWordWrap(True)         # at a large scale the line key is wider than the plots
        grid = w.plots.layout()
        self._stack(grid)
        for r, stretch in enumerate(self._saved["stretch"]):
            widgets = [grid.itemAtPosition(r, col) for col in range(grid.columnCount())]
            shown = [i for i in widgets if i is not None and _shown_in(i, w.plots)]
            grid.setRowStretch(r, stretch if shown else 0)
        scroll = w.controls_scroll
        left = 0
        if not scroll.isHidden():
            left = w.controls.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4
            scroll.setMinimumWidth(left)
        rest = max(w.splitter.width() - left - 2 * w.splitter.handleWidth(), 200)
        plots = w.plots.parentWidget()
        views = 0 if w.views.isHidden() else rest * 42 // 100
        if not w.views.is_image:
            # A decision boundary is square: more width than its height only adds white margins.
            views = min(views, int(w.views.height() * 0.62) + 60)
        w.splitter.setSizes([left, rest - views if not plots.isHidden() else 0, views])

    def leave(self) -> None:
        if not self.active:
            return
        w, saved = self.w, self._saved
        self.active = False
        self.timer.stop()
        self.bar.hide()
        self.scale.restore()
        self._show_all()
        grid = w.plots.layout()
        self._unstack(grid, saved)
        for r, stretch in enumerate(saved["stretch"]):
            grid.setRowStretch(r, stretch)
        w.controls_scroll.setMinimumWidth(saved["controls_width"])
        w.plots.key.setWordWrap(saved["key_wrap"])
        # The normal fonts' layout first: the scaled one's minimum size would widen the window.
        QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.LayoutRequest)
        w.layout().activate()
        w.setWindowState(saved["state"])
        self._put_back(saved)
        # Leaving full screen is finished by the platform (and the window manager) later, and
        # it may then set a geometry of its own: put ours back again once that has happened.
        for ms in RESTORE_AGAIN_MS:
            QtCore.QTimer.singleShot(ms, self, lambda s=saved: self._put_back(s))
        self._saved = None
        self.choice = None
        self.sigChanged.emit(False)

    def _stack(self, grid: QtWidgets.QGridLayout) -> None:
        """Loss above accuracy, each the column's full width, when the per-layer plots are hidden:
        side by side at a large scale each got too narrow for its time axis to keep its labels."""
        p = self.w.plots
        want = not (p.loss.isHidden() or p.accuracy.isHidden()) and p.grad.isHidden() and p.wnorm.isHidden()
        stacked = "grid" in self._saved
        if want and not stacked:
            self._saved["grid"] = {x: grid.getItemPosition(grid.indexOf(x)) for x in (p.loss, p.accuracy)}
            below = grid.getItemPosition(grid.indexOf(p.grad))[0]       # the hidden per-layer plots' row
            for x, row in ((p.loss, self._saved["grid"][p.loss][0]), (p.accuracy, below)):
                grid.removeWidget(x)
                grid.addWidget(x, row, 0, 1, 2)
        elif stacked and not want:
            self._unstack(grid, self._saved)

    @staticmethod
    def _unstack(grid: QtWidgets.QGridLayout, saved: dict) -> None:
        for x, pos in saved.pop("grid", {}).items():
            grid.removeWidget(x)
            grid.addWidget(x, *pos)

    def _put_back(self, saved: dict) -> None:
        if self.active:         # entered again meanwhile
            return
        w = self.w
        if not saved["state"] & (QtCore.Qt.WindowMaximized | QtCore.Qt.WindowFullScreen):
            # setGeometry, not restoreGeometry: that one clamps to the screen, which moved a window
            # bigger than the screen (a laptop showing a projector's resolution).
            if w.geometry() != saved["geometry"]:
                w.setGeometry(saved["geometry"])
        if w.splitter.saveState() != saved["splitter"]:
            w.splitter.restoreState(saved["splitter"])
        if w.views.toy_page.saveState() != saved["toy"]:
            w.views.toy_page.restoreState(saved["toy"])

    def choose(self) -> bool:
        """The teacher's dialog; OK remembers the choice and applies it at once when presenting."""
        current = self.choice if self.active else load_choice()
        dlg = PresentationDialog(current, self.w)
        if dlg.exec() != QtWidgets.QDialog.Accepted:
            return False
        choice = dlg.choice()
        save_choice(choice)
        if self.active:
            self.enter(choice)
        return True

    def _on_scale(self, percent: int) -> None:
        if not self.active:
            return
        self.choice = {**self.choice, "scale": int(percent)}
        self.header.set_scale(percent / 100)
        self.scale.apply(percent / 100)
        self._arrange_soon()

    # ------------------------------------------------------------------ what is on show
    def _widgets_for(self, key: str) -> list[QtWidgets.QWidget]:
        w = self.w
        p = w.plots
        if key == "toolbar":
            return [w.toolbar]
        if key == "statusbar":
            return [w.statusBar()]
        if key == "menubar":
            return [w.menuBar()]
        if key == "loss":
            return [p.loss]
        if key == "accuracy":
            return [p.accuracy]
        if key == "gradients":
            return [p.grad]
        if key == "weights":
            return [p.wnorm]
        if key == "histograms":
            return [p.hist, *_layout_widgets(p.layout(), p.hist)]
        if key == "views":
            return [w.views]
        if key == "plot_options":
            return [p.x_axis, p.log_loss, *_layout_widgets(p.layout(), p.x_axis)]
        c = w.controls
        out = []
        for name in _CONTROL_WIDGETS.get(key, (key,)):
            field = getattr(c, name)
            out.append(field)
            label = _form_label(field)
            if label is not None:
                out.append(label)
            note = getattr(field, "limit_note", None)
            if note is not None:
                out.append(note)
        return out

    def _hide_unkept(self, keep: set) -> None:
        w = self.w
        hide = [x for key in ITEMS if key not in keep for x in self._widgets_for(key)]
        p = w.plots
        if "gradients" not in keep and "weights" not in keep:
            hide.append(p.layer_key)            # the colour key of the per-layer plots
        if "loss" not in keep and "accuracy" not in keep:
            hide += [p.key, p.x_axis, p.log_loss, *_layout_widgets(p.layout(), p.x_axis)]
        if not keep & set(CONTROLS):
            hide.append(w.controls_scroll)
        else:
            for group in w.controls.findChildren(QtWidgets.QGroupBox):
                kept = [k for k in CONTROLS if k not in ("restore",) and group.isAncestorOf(getattr(w.controls, k))]
                if kept and not keep & set(kept):
                    hide.append(group)
        seen = set()
        for x in hide:
            if id(x) not in seen:
                seen.add(id(x))
                self._hidden.append((x, x.isHidden()))
                x.hide()

    def _show_all(self) -> None:
        """Each widget hidden for the presentation back as it was (hidden ones stay hidden)."""
        for x, was_hidden in reversed(self._hidden):
            x.setHidden(was_hidden)
        self._hidden = []

    def hidden_widgets(self) -> list[QtWidgets.QWidget]:
        return [x for x, _ in self._hidden]

    def _tick(self) -> None:
        ctrl, page = self.w.controller, self.w.compare
        comp = page.comparison
        if comp is not None and self.w.pages.currentWidget() is page and comp.sessions:
            each = [(counts(s.trainer), comp.twin_of(s).label, page.colour_of(s)) for s in comp.sessions]
            slowest = min(each, key=lambda e: e[0][2] or 0)[0]
            self.header.show_twin_counts(slowest[0], slowest[2], [(label, c, n[1]) for n, label, c in each])
        else:
            self.header.show_counts(*counts(None if ctrl is None else ctrl.trainer))
        self.scale.restyle()        # a new network's plot items, made since the last tick


def _form_label(field: QtWidgets.QWidget):
    """The label beside ``field`` in its QFormLayout (also when the field sits in a row layout, or
    the form inside another layout)."""
    parent = field.parentWidget()
    form = _form_of(parent.layout(), field) if parent is not None and parent.layout() is not None else None
    if form is None:
        return None
    for r in range(form.rowCount()):
        item = form.itemAt(r, QtWidgets.QFormLayout.FieldRole)
        if item is None:
            continue
        if item.widget() is field or (item.layout() is not None and _in_layout(item.layout(), field)):
            label = form.itemAt(r, QtWidgets.QFormLayout.LabelRole)
            return label.widget() if label is not None else None
    return None


def _shown_in(item: QtWidgets.QLayoutItem, top: QtWidgets.QWidget) -> bool:
    """True if the layout item is (or holds) a widget not hidden."""
    if item.widget() is not None:
        return not item.widget().isHidden()
    sub = item.layout()
    return sub is not None and any(_shown_in(sub.itemAt(i), top) for i in range(sub.count()))


def _form_of(layout: QtWidgets.QLayout, field) -> QtWidgets.QFormLayout | None:
    """The QFormLayout in ``layout`` (or nested in it) with ``field`` in one of its rows."""
    if isinstance(layout, QtWidgets.QFormLayout) and _in_layout(layout, field, deep=True):
        return layout
    for i in range(layout.count()):
        sub = layout.itemAt(i).layout()
        found = _form_of(sub, field) if sub is not None else None
        if found is not None:
            return found
    return None


def _in_layout(layout: QtWidgets.QLayout, widget, deep: bool = False) -> bool:
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is widget or (deep and item.layout() is not None and _in_layout(item.layout(), widget)):
            return True
    return False


def _layout_widgets(layout: QtWidgets.QLayout, member) -> list[QtWidgets.QWidget]:
    """The other widgets of the sub-layout of ``layout`` that holds ``member`` (its caption, its row)."""
    for i in range(layout.count()):
        sub = layout.itemAt(i).layout()
        if sub is not None and _in_layout(sub, member):
            return [sub.itemAt(j).widget() for j in range(sub.count())
                    if sub.itemAt(j).widget() is not None and sub.itemAt(j).widget() is not member]
    return []


def install(window, menu: QtWidgets.QMenu) -> PresentationMode:
    """``window.presentation``, its key and its two View-menu entries."""
    mode = PresentationMode(window)
    window.presentation = mode
    act = QtGui.QAction("Presentation mode", window)
    act.setCheckable(True)
    act.setShortcut(QtGui.QKeySequence(KEY))
    act.setShortcutContext(QtCore.Qt.WindowShortcut)
    act.setToolTip(f"Full screen with big text, thick lines and only the panels you chose, for a projector "
                   f"({KEY}; Esc leaves).")
    act.triggered.connect(lambda _=False: mode.toggle())
    mode.sigChanged.connect(act.setChecked)
    settings = QtGui.QAction("Presentation panels…", window)
    settings.setToolTip("Choose which controls and panels stay in presentation mode, the scale and a caption.")
    settings.triggered.connect(lambda _=False: mode.choose())
    menu.addAction(act)
    menu.addAction(settings)
    window.addAction(act)       # a shortcut works only on a visible widget: the menu bar may be hidden
    window.act_present, window.act_present_panels = act, settings
    # Esc already has a window shortcut (fieldkeys: abandon an edit); a second one would make both
    # ambiguous, so presentation listens to that one.
    for sc in window.findChildren(QtGui.QShortcut):
        if sc.key() == QtGui.QKeySequence(QtCore.Qt.Key_Escape):
            sc.activated.connect(mode.leave)
    return mode
