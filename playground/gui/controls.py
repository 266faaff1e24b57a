"""The left-hand panel: dataset, network structure and training settings.

It knows nothing about the worker. It reports two kinds of change: *structural* (needs a new
network: dataset, sizes, activations, cost, init, optimiser, epochs, seed) and *live* (eta, batch
size, L2, L1, dropout: applied to a running trainer with set_config). Every change is validated
with the engine's own rules (NetworkSpec.make / TrainConfig.validate) and the engine's message is
shown inline; ``valid`` tells the controller whether Play may be enabled.
"""
from __future__ import annotations

import copy
import random

from playground.core import presets
from playground.core.errors import SpecError
from playground.core.runspec import RunSpec
from playground.core.spec import LIVE_FIELDS, MAX_BATCH, NetworkSpec, TrainConfig

from ._qt import QtCore, QtWidgets
from .dataset_defaults import adapt
from .labels import (BIAS_INIT_LABELS, COST_LABELS, DATASET_INFO, DATASET_LABELS, IMAGE_DATASETS, IMAGE_INFO,
                     OPTIMIZER_LABELS, OUTPUT_LABELS, ACTIVATION_LABELS, TOY_DATASETS, WEIGHT_INIT_LABELS, dataset_io)
from .layer_editor import LayerEditor
from .limits import LimitedDoubleSpinBox, LimitedSpinBox, NoteLabel, WrappedLabel, attach

# The launch default and each dataset's starting settings: core.presets, read through RunSpec
# (the CLI starts from the same ones).
_START = RunSpec.default().to_settings()
DEFAULTS = {**{k: _START[k] for k in (*presets.settings(), "hidden_activations")}, "per_layer": False}
LIVE_KEYS = LIVE_FIELDS


def _combo(items: dict, accessible: str) -> QtWidgets.QComboBox:
    box = QtWidgets.QComboBox()
    for key, text in items.items():
        box.addItem(text, key)
    box.setAccessibleName(accessible)
    # Long item texts must not widen the whole panel; the popup still shows them in full.
    box.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
    return box


def _set_combo(box: QtWidgets.QComboBox, key) -> None:
    i = box.findData(key)
    box.setCurrentIndex(max(i, 0))


def _dspin(lo, hi, decimals, step, accessible, adaptive=False, above=None) -> LimitedDoubleSpinBox:
    s = LimitedDoubleSpinBox(lo, hi, above=above)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setAccessibleName(accessible)
    if adaptive:
        s.setStepType(QtWidgets.QAbstractSpinBox.AdaptiveDecimalStepType)
    return s


def _spin(lo, hi, accessible, above=None, below=None) -> LimitedSpinBox:
    s = LimitedSpinBox(lo, hi, above=above, below=below)
    s.setAccessibleName(accessible)
    return s


def _noted_row(form: QtWidgets.QFormLayout, label, field, extra=None) -> NoteLabel:
    """``field`` in ``form`` with a note under it for what happened to an out-of-range value."""
    form.addRow(label, field)
    note = NoteLabel()
    form.addRow(note)
    attach(field, note, extra)
    return note


class ErrorLabel(WrappedLabel):
    """An inline message in a red box; hidden when there is nothing to say."""

    def __init__(self):
        super().__init__()
        self.setObjectName("inlineError")
        self.setStyleSheet("QLabel#inlineError { background: #fde8e8; color: #8a1010; border: 1px solid #d33;"
                           " border-radius: 4px; padding: 6px; }")
        self.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.hide()

    def show_message(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


class ControlsPanel(QtWidgets.QWidget):
    sigStructuralChanged = QtCore.Signal()
    sigLiveChanged = QtCore.Signal(dict)
    sigValidityChanged = QtCore.Signal(bool)
    sigRestoreDefaults = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._loading = False
        self._valid = True
        self._dataset_shown = DEFAULTS["dataset"]
        self.adjustment = None      # the settings a dataset switch adjusted (dataset_defaults.Adjustment)
        self._build()
        self.set_state(DEFAULTS)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)

        # Dataset
        g = QtWidgets.QGroupBox("Dataset")
        f = QtWidgets.QFormLayout(g)
        self.dataset = _combo(DATASET_LABELS, "Dataset")
        self.dataset.insertSeparator(len(TOY_DATASETS))
        self.noise = _dspin(0.0, 0.5, 2, 0.05, "Noise", above="The noise is at most {limit}")
        self.test_ratio = _spin(5, 90, "Test share", above="At most {limit} % of the points for testing",
                                below="At least {limit} % of the points for testing")
        self.test_ratio.setSuffix(" % test")
        f.addRow("Data", self.dataset)
        _noted_row(f, "Noise", self.noise)
        _noted_row(f, "Split", self.test_ratio)
        self.dataset_info = QtWidgets.QLabel()
        self.dataset_info.setWordWrap(True)
        self.dataset_info.setStyleSheet("color: #555;")
        f.addRow(self.dataset_info)
        outer.addWidget(g)

        # Network
        g = QtWidgets.QGroupBox("Network")
        v = QtWidgets.QVBoxLayout(g)
        self.layers = LayerEditor()
        v.addWidget(self.layers)
        f = QtWidgets.QFormLayout()
        self.activation = _combo(ACTIVATION_LABELS, "Hidden activation")
        self.per_layer = QtWidgets.QCheckBox("set per layer")
        self.per_layer.setToolTip("Choose the activation of each hidden layer in its row above")
        f.addRow("Activation", self.activation)
        f.addRow("", self.per_layer)
        self.output = _combo(OUTPUT_LABELS, "Output activation")
        self.cost = _combo(COST_LABELS, "Cost")
        self.weight_init = _combo(WEIGHT_INIT_LABELS, "Weight initialisation")
        self.bias_init = _combo(BIAS_INIT_LABELS, "Bias initialisation")
        f.addRow("Output", self.output)
        f.addRow("Cost", self.cost)
        f.addRow("Weights", self.weight_init)
        f.addRow("Biases", self.bias_init)
        v.addLayout(f)
        self.network_error = ErrorLabel()
        v.addWidget(self.network_error)
        outer.addWidget(g)

        # Training
        g = QtWidgets.QGroupBox("Training")
        f = QtWidgets.QFormLayout(g)
        self.optimizer = _combo(OPTIMIZER_LABELS, "Optimiser")
        self.eta = _dspin(0.0, 1000.0, 4, 0.01, "Learning rate", adaptive=True,
                          above="The learning rate is at most {limit}")
        self.batch_size = _spin(1, MAX_BATCH, "Batch size", above="At most {limit} examples per batch",
                                below="At least {limit} example per batch")
        self.l2 = _dspin(0.0, 1000.0, 3, 0.1, "L2 regularisation", adaptive=True, above="L2 is at most {limit}")
        self.l1 = _dspin(0.0, 1000.0, 3, 0.1, "L1 regularisation", adaptive=True, above="L1 is at most {limit}")
        self.dropout = _dspin(0.0, 0.95, 2, 0.05, "Dropout", above="Dropout is at most {limit}")
        self.epochs = _spin(1, 1_000_000, "Epochs", above="At most {limit} epochs (or tick “run until stopped”)",
                            below="At least {limit} epoch")
        self.until_stopped = QtWidgets.QCheckBox("run until stopped")
        self.seed = _spin(0, 2**31 - 1, "Seed", above="Seeds go up to {limit}")
        self.new_seed = QtWidgets.QToolButton()
        self.new_seed.setText("New")
        self.new_seed.setToolTip("Pick a random seed")
        srow = QtWidgets.QHBoxLayout()
        srow.addWidget(self.seed, 1)
        srow.addWidget(self.new_seed)
        f.addRow("Optimiser", self.optimizer)
        _noted_row(f, "Rate η", self.eta)
        self.batch_note = _noted_row(f, "Batch size", self.batch_size, extra=self._batch_remark)
        _noted_row(f, "L2 (λ)", self.l2)
        _noted_row(f, "L1 (λ)", self.l1)
        _noted_row(f, "Dropout", self.dropout)
        _noted_row(f, "Epochs", self.epochs)
        f.addRow("", self.until_stopped)
        f.addRow("Seed", srow)
        self.seed_note = NoteLabel()
        f.addRow(self.seed_note)
        attach(self.seed, self.seed_note)
        hint = QtWidgets.QLabel("η, batch size, L2, L1 and dropout apply live.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        f.addRow(hint)
        self.training_error = ErrorLabel()
        f.addRow(self.training_error)
        outer.addWidget(g)

        self.restore = QtWidgets.QPushButton("Restore defaults")
        self.restore.clicked.connect(self.sigRestoreDefaults)
        outer.addWidget(self.restore)
        outer.addStretch(1)

        # Wiring: structural vs live.
        self.dataset.currentIndexChanged.connect(self._on_dataset)
        for w in (self.activation, self.output, self.cost, self.weight_init, self.bias_init,
                  self.optimizer):
            w.currentIndexChanged.connect(self._structural)
        for w in (self.noise, self.test_ratio, self.epochs, self.seed):
            w.valueChanged.connect(self._structural)
        self.until_stopped.toggled.connect(self._structural)
        self.per_layer.toggled.connect(self._on_per_layer)
        self.layers.sigChanged.connect(self._structural)
        for w in (self.eta, self.batch_size, self.l2, self.l1, self.dropout):
            w.valueChanged.connect(self._live)
        self.new_seed.clicked.connect(lambda: self.seed.setValue(random.randrange(0, 1_000_000)))

    # ------------------------------------------------------------------ state
    def state(self) -> dict:
        return {
            "dataset": self.dataset.currentData(), "noise": round(self.noise.value(), 4),
            "test_ratio": self.test_ratio.value() / 100.0,
            "hidden": self.layers.sizes(), "per_layer": self.per_layer.isChecked(),
            "activation": self.activation.currentData(), "hidden_activations": self.layers.activations(),
            "output": self.output.currentData(), "cost": self.cost.currentData(),
            "weight_init": self.weight_init.currentData(), "bias_init": self.bias_init.currentData(),
            "optimizer": self.optimizer.currentData(), "eta": self.eta.value(),
            "batch_size": self.batch_size.value(), "l2": self.l2.value(), "l1": self.l1.value(),
            "dropout": self.dropout.value(), "epochs": self.epochs.value(),
            "until_stopped": self.until_stopped.isChecked(), "seed": self.seed.value(),
        }

    def set_state(self, state: dict) -> None:
        s = copy.deepcopy(DEFAULTS)
        s.update({k: v for k, v in (state or {}).items() if k in DEFAULTS})
        self._loading = True
        blockers = [QtCore.QSignalBlocker(w) for w in self.findChildren(QtWidgets.QWidget)]
        try:
            _set_combo(self.dataset, s["dataset"])
            self.noise.setValue(float(s["noise"]))
            self.test_ratio.setValue(int(round(float(s["test_ratio"]) * 100)))
            hidden = [int(n) for n in s["hidden"]]
            acts = list(s["hidden_activations"])
            acts = (acts + [s["activation"]] * len(hidden))[:len(hidden)]
            self.per_layer.setChecked(bool(s["per_layer"]))
            _set_combo(self.activation, s["activation"])
            self.layers.set_shared_activation(s["activation"])
            self.layers.set_layers(hidden, acts)
            self.layers.set_per_layer(bool(s["per_layer"]))
            _set_combo(self.output, s["output"])
            _set_combo(self.cost, s["cost"])
            _set_combo(self.weight_init, s["weight_init"])
            _set_combo(self.bias_init, s["bias_init"])
            _set_combo(self.optimizer, s["optimizer"])
            self.eta.setValue(float(s["eta"]))
            self.batch_size.setValue(int(s["batch_size"]))
            self.l2.setValue(float(s["l2"]))
            self.l1.setValue(float(s["l1"]))
            self.dropout.setValue(float(s["dropout"]))
            self.epochs.setValue(int(s["epochs"]))
            self.until_stopped.setChecked(bool(s["until_stopped"]))
            self.seed.setValue(int(s["seed"]))
        finally:
            for b in blockers:
                b.unblock()
            self._loading = False
        # Blocked signals never told the notes: one about a clamped value that is gone must go too
        # (the layer editor sees to its own rows).
        for field in self.findChildren(QtWidgets.QAbstractSpinBox):
            if hasattr(field, "limit_note") and not self.layers.isAncestorOf(field):
                field.limit_note.recheck(field.value())
        self._dataset_shown = s["dataset"]
        self._sync_widgets()
        self._validate()

    def change(self, values: dict) -> None:
        """Set some controls as if the person had: a structural change follows."""
        self.set_state({**self.state(), **values})
        self._structural()

    def set_spec(self, spec: NetworkSpec) -> None:
        """Show a loaded model's structure (after Open model)."""
        st = self.state()
        st.update(hidden=list(spec.sizes[1:-1]), hidden_activations=list(spec.hidden_activations),
                  per_layer=len(set(spec.hidden_activations)) > 1,
                  activation=spec.hidden_activations[0] if spec.hidden_activations else st["activation"],
                  output=spec.output_activation, cost=spec.cost, weight_init=spec.weight_init,
                  bias_init=spec.bias_init)
        self.set_state(st)

    # ------------------------------------------------------------------ engine objects
    def spec(self) -> NetworkSpec:
        s = self.state()
        n_in, n_out = dataset_io(s["dataset"])
        return NetworkSpec.make([n_in, *s["hidden"], n_out], s["hidden_activations"],
                                output_activation=s["output"], cost=s["cost"], weight_init=s["weight_init"],
                                bias_init=s["bias_init"])

    def config(self) -> TrainConfig:
        s = self.state()
        cfg = TrainConfig(eta=s["eta"], batch_size=s["batch_size"], optimizer=s["optimizer"], l2=s["l2"],
                          l1=s["l1"], dropout=s["dropout"],
                          epochs=None if s["until_stopped"] else s["epochs"], seed=s["seed"]).normalised()
        cfg.validate()
        return cfg

    def set_train_size(self, n: int) -> None:
        """The training set's size, for the batch-size remark (a batch cannot be bigger)."""
        self._train_size = int(n)
        if not self.batch_note.about_limit:
            self.batch_note.say(self._batch_remark(self.batch_size.value()))

    _train_size = 0

    def _batch_remark(self, batch: int) -> str | None:
        n = self._train_size
        if not n or batch < n:
            return None
        if batch == n:
            return f"Batch {batch:,} = the whole training set: one step per epoch."
        return f"Batch {batch:,} > {n:,} training examples: each step uses the whole training set."

    def live_values(self) -> dict:
        s = self.state()
        return {k: s[k] for k in LIVE_KEYS}

    @property
    def valid(self) -> bool:
        return self._valid

    # ------------------------------------------------------------------ reactions
    def _on_per_layer(self, on: bool) -> None:
        self.layers.set_per_layer(on)
        if not on:
            self.layers.set_shared_activation(self.activation.currentData())
        self._structural()

    def _sync_widgets(self) -> None:
        name = self.dataset.currentData()
        toy = name in TOY_DATASETS
        self.noise.setEnabled(toy)
        self.test_ratio.setEnabled(toy)
        self.epochs.setEnabled(not self.until_stopped.isChecked())
        if not self.per_layer.isChecked():
            self.layers.set_shared_activation(self.activation.currentData())
        self.activation.setEnabled(not self.per_layer.isChecked())
        n_in, n_out = dataset_io(name)
        self.layers.set_io(n_in, n_out)
        self.dataset_info.setText("" if toy else DATASET_INFO.get(name, IMAGE_INFO))
        self.dataset_info.setVisible(not toy)

    def _validate(self) -> bool:
        net_err = train_err = None
        try:
            self.spec()
        except SpecError as e:
            net_err = str(e)
        try:
            self.config()
        except SpecError as e:
            train_err = str(e)
        if net_err is None and train_err is None:
            # Only now is the memory estimate meaningful.
            try:
                self.spec().check_memory(self.batch_size.value(), 60000 if self.dataset.currentData()
                                         in IMAGE_DATASETS else 1000)
            except SpecError as e:
                net_err = str(e)
        self.network_error.show_message(net_err)
        self.training_error.show_message(train_err)
        valid = net_err is None and train_err is None
        if valid != self._valid:
            self._valid = valid
            self.sigValidityChanged.emit(valid)
        self._valid = valid
        return valid

    def _on_dataset(self, *_):
        if self._loading:
            return
        old, state = self._dataset_shown, self.state()
        new_state, self.adjustment = adapt(state, old)
        if self.adjustment is not None:
            self.set_state(new_state)
        self._dataset_shown = state["dataset"]
        self._structural()

    def _structural(self, *_):
        if self._loading:
            return
        self._sync_widgets()
        self._validate()
        self.sigStructuralChanged.emit()

    def _live(self, *_):
        if self._loading:
            return
        if self._validate():
            self.sigLiveChanged.emit(self.live_values())
