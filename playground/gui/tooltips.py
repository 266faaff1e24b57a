"""One sentence for every control: what it does and why it matters.

The texts live here, in one place, so they read as one voice and a teacher (or a translator)
finds them all at once. ``install(window)`` gives them to the window's widgets and actions;
widgets made later (layer rows, banner buttons) ask ``layer_tips`` / ``banner_tip``.
"""
from __future__ import annotations

from ._qt import QtCore, QtGui, QtWidgets

# ControlsPanel attribute -> tip.
CONTROLS = {
    "dataset": "The problem to learn: a 2-D toy (you can see its decision boundary) or 28×28 images of "
               "digits or clothes; changing it builds a new network.",
    "noise": "How much the toy points are jittered: more noise makes the classes overlap, so no "
             "network can be perfect and overfitting becomes visible.",
    "test_ratio": "The share of points held back for testing: the test accuracy shows how well the "
                  "network does on points it never trained on.",
    "activation": "The function each hidden unit applies to its weighted sum: it decides how gradients "
                  "flow (sigmoids saturate, ReLUs can die).",
    "per_layer": "Tick to give each hidden layer its own activation, chosen in its row above.",
    "output": "The output layer's activation: softmax turns the outputs into class probabilities, "
              "sigmoid treats each output on its own.",
    "cost": "What training minimises: cross-entropy keeps learning fast when the output is badly wrong, "
            "the quadratic cost slows down there.",
    "weight_init": "How the starting weights are drawn: too large saturates sigmoids, too small "
                   "makes signals vanish; Xavier and He are scaled to the layer width.",
    "bias_init": "How the starting biases are set; a small positive bias keeps ReLUs alive at the start.",
    "optimizer": "The update rule: plain SGD, SGD with momentum (remembers the last steps), Nesterov, "
                 "or Adam (a step size per weight).",
    "eta": "The learning rate η, the size of each step: too small crawls, too large overshoots and can "
           "diverge; it changes live.",
    "batch_size": "How many examples each step averages over: small batches are noisy but quick, large "
                  "ones smooth but slow; it changes live.",
    "l2": "L2 regularisation λ shrinks every weight a little each step, which fights overfitting; "
          "it changes live.",
    "l1": "L1 regularisation λ pushes small weights to exactly zero (a sparser network); it changes live.",
    "dropout": "The share of hidden units switched off at random in each training step, so the network "
               "cannot rely on any one of them; it changes live.",
    "epochs": "How many passes over the training set one Play trains.",
    "until_stopped": "Tick to train on and on until you press Stop or Pause.",
    "seed": "The random seed: the same seed gives the same initial weights and batch order, so a run "
            "can be repeated exactly.",
    "new_seed": "Pick a new random seed: new initial weights, to see how much a run depends on its start.",
    "restore": "Put every setting back to the launch defaults (the network is rebuilt).",
}
LAYER_ADD = "Add a hidden layer: a deeper network can bend the decision boundary more, but is harder to train."
LAYER_SIZE = ("How many units hidden layer {i} has: more units can fit more complex shapes "
              "(and overfit sooner).")
LAYER_ACTIVATION = "The activation of hidden layer {i} (used when 'set per layer' is ticked)."
LAYER_REMOVE = "Remove hidden layer {i}."

# MainWindow attribute -> tip (the shortcut is added after it).
ACTIONS = {
    "act_play": "Start or pause training; the plots follow every step live.",
    "act_step": "Train exactly one mini-batch, to watch a single update happen.",
    "act_step_epoch": "Train to the end of the current epoch (one pass over the training set).",
    "act_reset": "Start again from the same initial weights: the same run, from its beginning.",
    "act_reset_seed": "Start again from new random initial weights (the data stay the same).",
    "act_stop": "Stop training; the network keeps what it has learnt.",
    "act_open": "Load a trained network from a model file (this app's or Nielsen's network2 format).",
    "act_save": "Save the network's weights and settings as a model file.",
    "act_open_run": "Restore a saved run: its settings, trained network and curves.",
    "act_save_run": "Save the run (settings, trained network and curves) so it can be trained again exactly.",
    "act_export_png": "Save the plots as a PNG picture, for slides or a report.",
    "act_export_svg": "Save the plots as an SVG drawing that stays sharp at any size.",
    "act_export_csv": "Save every epoch's loss and accuracy as a CSV table, for a spreadsheet.",
    "act_data_dir": "Choose the folder that holds MNIST / Fashion-MNIST files (no download needed).",
    "act_defaults": "Put every setting back to the launch defaults (the network is rebuilt).",
    "act_quit": "Close the window; settings are remembered for next time.",
    "act_about": "Which version this is, and the keyboard keys.",
}
MENUS = {
    "File": "Open and save models and runs, export plots and metrics.",
    "Training": "Play, pause, step, reset and stop training.",
    "Settings": "Defaults for every setting.",
    "View": "The run history, presentation mode for a projector, and views that explain single neurons.",
    "Lessons": "The classic experiments, one click each, with a note on what to watch.",
    "Help": "About the app and its keys.",
}
PLOTS = {
    "x_axis": "Plot the curves against epochs, or against samples seen (fair when batch sizes differ).",
    "log_loss": "A logarithmic loss axis: late, small improvements stay visible.",
}
# ComparePage attribute -> tip.
COMPARE = {
    "compare_button": "Train twins of the current run that differ in one setting, side by side, from the same start.",
    "play_all": "Pause or go on with every twin at once; they stay level in samples seen.",
    "stop_all": "Stop every twin; each keeps what it has learnt and stays on show.",
}
DOCK_TOGGLES = {
    "history_dock": "Show or hide the list of this session's runs: show, hide, rename, re-run, save or delete any of them.",
}
BANNER_CLOSE = "Hide this message."
BANNER = {
    "lower_eta": "Divide the learning rate by ten and start again: a smaller step does not overshoot.",
    "reset": "Build the network again from its initial weights.",
    "undo_dataset_defaults": "Put back the settings the new dataset changed.",
}
# Buttons Qt adds by itself (a tab bar's scroll arrows, a bar's overflow arrow).
QT_BUTTONS = {
    "ScrollLeftButton": "Show the tabs to the left.",
    "ScrollRightButton": "Show the tabs to the right.",
    "qt_toolbar_ext_button": "Show the toolbar buttons that do not fit.",
    "qt_menubar_ext_button": "Show the menus that do not fit.",
    "qt_dockwidget_floatbutton": "Detach this panel into a window of its own (double-click its title to put it back).",
    "qt_dockwidget_closebutton": "Close this panel; the View menu brings it back.",
    "qt_tableview_cornerbutton": "Select every row.",
}


def _tip(widget, text: str) -> None:
    if widget is not None and not widget.toolTip():
        widget.setToolTip(text)


def install(window) -> None:
    """Tips on the window's controls, plots, toolbar, menus and Qt's own buttons."""
    c = window.controls
    for name, text in CONTROLS.items():
        _tip(getattr(c, name, None), text)
    _tip(c.layers.add_button, LAYER_ADD)
    for name, text in PLOTS.items():
        _tip(getattr(window.plots, name, None), text)
    for name, text in ACTIONS.items():
        a = getattr(window, name, None)
        if a is not None:
            keys = a.shortcut().toString(QtGui.QKeySequence.NativeText)
            a.setToolTip(f"{text} ({keys})" if keys else text)
    for name, text in COMPARE.items():
        _tip(getattr(window.compare, name, None), text)
    for name, text in DOCK_TOGGLES.items():
        dock = getattr(window, name, None)
        if dock is not None:
            dock.toggleViewAction().setToolTip(text)
    window.toolbar.toggleViewAction().setToolTip("Show or hide the training toolbar.")
    qt_buttons(window)
    # Qt makes some of its own buttons and menus only when the window is first shown.
    window.installEventFilter(_OnFirstShow(window))


class _OnFirstShow(QtCore.QObject):
    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Show:
            obj.removeEventFilter(self)
            qt_buttons(obj)
        return False


def _menus(window) -> None:
    for menu in window.menuBar().findChildren(QtWidgets.QMenu):
        # An untitled menu in the bar is Qt's own: the one behind the overflow arrow.
        text = MENUS.get(menu.title().replace("&", "")) or ("" if menu.title() else QT_BUTTONS["qt_menubar_ext_button"])
        if text:
            menu.menuAction().setToolTip(text)


def qt_buttons(root) -> None:
    """Qt's scroll and overflow arrows and menus, and the menus' titles; called again for widgets added later."""
    if isinstance(root, QtWidgets.QMainWindow):
        _menus(root)
    for b in root.findChildren(QtWidgets.QAbstractButton):
        text = QT_BUTTONS.get(b.objectName())
        if text:
            _tip(b, text)


def layer_tips(row, i: int) -> None:
    """``row``: a layer_editor.LayerRow for hidden layer ``i`` (1-based)."""
    row.size.setToolTip(LAYER_SIZE.format(i=i))
    row.activation.setToolTip(LAYER_ACTIVATION.format(i=i))
    row.remove.setToolTip(LAYER_REMOVE.format(i=i))


def banner_tip(key: str, label: str) -> str:
    return BANNER.get(key) or f"{label}."


def missing(root) -> list[str]:
    """Controls and actions under ``root`` with no tip of their own (what the tests walk)."""
    out = []
    kinds = (QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox, QtWidgets.QAbstractButton)
    for w in root.findChildren(QtWidgets.QWidget):
        if isinstance(w, kinds) and not w.toolTip().strip():
            out.append(f"{type(w).__name__} {w.objectName() or w.accessibleName() or getattr(w, 'text', str)()}")
    for a in root.findChildren(QtGui.QAction):
        if a.isSeparator() or isinstance(a, QtWidgets.QWidgetAction):
            continue        # a line, or a widget of its own (walked above)
        # QAction.toolTip() falls back to the action's text: that is a name, not an explanation.
        if a.toolTip().replace("&", "").strip() in ("", a.text().replace("&", "").strip()):
            out.append(f"QAction {a.text()!r}")
    return out
