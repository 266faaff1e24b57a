"""The Run history panel (a dock): every run in the list (gui/runlist.py) with its configuration,
final test accuracy, time and samples seen; a tick shows or hides it in the overlay of test
accuracy below (and in any view that draws several runs: RunList.sigVisibilityChanged); the name
is edited in place. Buttons re-run a run (a new session from its settings), delete it, save it as
a run file, open one, and export the shown runs' curves as one CSV."""
from __future__ import annotations

from pathlib import Path

from playground.core.errors import PlaygroundError
from playground.core.runfile import SUFFIX, load_run
from playground.core.runhistory import RunRecord

from ._qt import QtCore, QtWidgets, pg
from . import runfiles, theme
from . import settings as st
from .filedialogs import ask_path
from .runlist import summary

COLUMNS = ("Run", "Test", "Samples", "Time", "Configuration")
ID_ROLE = QtCore.Qt.UserRole + 1


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


class HistoryPanel(QtWidgets.QWidget):
    """Widgets only; HistoryView wires them to the run list and the controller."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Runs")
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditKeyPressed
                                   | QtWidgets.QAbstractItemView.SelectedClicked)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        head = self.table.horizontalHeader()
        for i in range(1, len(COLUMNS) - 1):
            head.setSectionResizeMode(i, QtWidgets.QHeaderView.ResizeToContents)
        # Names are cut short rather than pushing the accuracy out of a narrow dock; the tooltip has all.
        head.setSectionResizeMode(0, QtWidgets.QHeaderView.Interactive)
        self.table.setColumnWidth(0, self.table.fontMetrics().horizontalAdvance("M" * 9))
        self.table.setTextElideMode(QtCore.Qt.ElideRight)
        head.setStretchLastSection(True)
        self.table.setToolTip("Tick a run to show it in the plot below; F2 or a click on a selected name renames it; "
                              "double-click a run of this window to show it.")
        lay.addWidget(self.table, 3)
        buttons = QtWidgets.QGridLayout()
        self.rerun = QtWidgets.QPushButton("Re-run")
        self.rerun.setToolTip("Train this run's settings again, as a new run beside the others")
        self.delete = QtWidgets.QPushButton("Delete")
        self.delete.setToolTip("Take the run off the list (a run still in this window keeps training)")
        self.save = QtWidgets.QPushButton("Save…")
        self.save.setToolTip(f"Save the run as a {SUFFIX} run file")
        self.open = QtWidgets.QPushButton("Open…")
        self.open.setToolTip(f"Add a run from a {SUFFIX} run file to the list")
        self.csv = QtWidgets.QPushButton("Curves CSV…")
        self.csv.setToolTip("Export the ticked runs' per-epoch curves as one CSV file")
        for i, b in enumerate((self.rerun, self.delete, self.save, self.open, self.csv)):
            buttons.addWidget(b, i // 2, i % 2)
        lay.addLayout(buttons)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(140)
        theme.style_plot(self.plot.getPlotItem(), "Test accuracy", "epoch", "accuracy", "%")
        self.plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        # No legend over the curves: each run's name in the table above is drawn in its colour.
        theme_legend = self.plot.getPlotItem().legend
        if theme_legend is not None:
            theme_legend.hide()
        lay.addWidget(self.plot, 2)
        self.curves: dict[str, pg.PlotDataItem] = {}     # run id -> its curve, for the ticked runs only

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802
        # The dock's first width: room for name, accuracy and samples; the plots keep the rest.
        return QtCore.QSize(self.fontMetrics().horizontalAdvance("M" * 26), 480)

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else item.data(ID_ROLE)


class HistoryView(QtCore.QObject):
    def __init__(self, controller, runlist, panel: HistoryPanel, parent=None):
        super().__init__(parent or controller)
        self.c, self.runs, self.panel = controller, runlist, panel
        self._colours: dict[str, int] = {}
        self._in_item = False
        t = panel.table
        t.itemChanged.connect(self._on_item)
        t.itemDoubleClicked.connect(self._on_double_click)
        t.itemSelectionChanged.connect(self._enable)
        panel.rerun.clicked.connect(lambda: self.rerun())
        panel.delete.clicked.connect(lambda: self.delete())
        panel.save.clicked.connect(lambda: self.save())
        panel.open.clicked.connect(lambda: self.open_())
        panel.csv.clicked.connect(lambda: self.export_csv())
        runlist.sigChanged.connect(self.refresh)
        self.refresh()

    def _record(self, run_id=None) -> RunRecord | None:
        rid = run_id or self.panel.selected_id()
        return None if rid is None else self.runs.history.get(rid)

    # ------------------------------------------------------------------ drawing the list
    def refresh(self) -> None:
        if self._in_item:
            # Not while the table is inside an item's change: the items are about to be replaced.
            return                # _on_item refreshes once it is done
        t = self.panel.table
        keep = self.panel.selected_id()
        records = list(reversed(self.runs.records))          # newest first
        blocked = t.blockSignals(True)
        t.setRowCount(len(records))
        for row, rec in enumerate(records):
            live = self.runs.session_of(rec.id) is not None
            name = QtWidgets.QTableWidgetItem(rec.name)
            name.setData(ID_ROLE, rec.id)
            name.setFlags(QtCore.Qt.ItemIsEnabled | QtCore.Qt.ItemIsSelectable | QtCore.Qt.ItemIsUserCheckable
                          | QtCore.Qt.ItemIsEditable)
            name.setCheckState(QtCore.Qt.Checked if rec.visible else QtCore.Qt.Unchecked)
            name.setForeground(pg.mkColor(theme.colour(self._colour(rec.id))))
            acc = "–" if rec.test_accuracy is None else f"{rec.test_accuracy:.1%}"
            cells = [name, QtWidgets.QTableWidgetItem(acc), QtWidgets.QTableWidgetItem(f"{rec.samples_seen:,}"),
                     QtWidgets.QTableWidgetItem(_duration(rec.seconds)), QtWidgets.QTableWidgetItem(summary(rec.run))]
            state = f"{rec.state or 'not trained'}{', in this window' if live else ''}"
            tip = f"{rec.name} ({state})\n{summary(rec.run)}" + (f"\nRun file: {rec.path}" if rec.path else "")
            for col, item in enumerate(cells):
                if col:
                    item.setFlags(QtCore.Qt.ItemIsEnabled | QtCore.Qt.ItemIsSelectable)
                item.setToolTip(tip)
                if col in (1, 2, 3):
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                if live:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                t.setItem(row, col, item)
            if rec.id == keep:
                t.selectRow(row)
        t.blockSignals(blocked)
        self._draw()
        self._enable()

    def _colour(self, run_id: str) -> int:
        return self._colours.setdefault(run_id, len(self._colours))

    def _draw(self) -> None:
        """One test-accuracy curve per ticked run; a hidden run has none."""
        p = self.panel
        shown = {r.id: r for r in self.runs.records if r.visible}
        for rid in list(p.curves):
            if rid not in shown:
                p.plot.removeItem(p.curves.pop(rid))
        for rid, rec in shown.items():
            x, y = rec.history.column("test_accuracy")
            y = 100 * y
            curve = p.curves.get(rid)
            if curve is None:
                curve = p.curves[rid] = p.plot.plot(pen=theme.pen(self._colour(rid)))
            curve.setData(x, y)

    def _enable(self) -> None:
        rec = self._record()
        p = self.panel
        for b in (p.rerun, p.delete, p.save):
            b.setEnabled(rec is not None)
        p.csv.setEnabled(any(r.visible and r.history for r in self.runs.records))

    def _on_item(self, item) -> None:
        if item.column() != 0:
            return
        rid, shown, name = item.data(ID_ROLE), item.checkState() == QtCore.Qt.Checked, item.text()
        rec = self._record(rid)
        if rec is None:
            return
        self._in_item = True
        try:
            if shown != rec.visible:
                self.runs.set_visible(rid, shown)
            if name != rec.name:
                self.runs.rename(rid, name)
        except PlaygroundError as e:
            QtWidgets.QMessageBox.warning(self.c.w, "Could not rename the run", str(e))
        finally:
            self._in_item = False
        QtCore.QTimer.singleShot(0, self.refresh)     # a rejected name goes back, too

    def _on_double_click(self, item) -> None:
        if item.column() == 0:
            return            # the name: edited in place
        s = self.runs.session_of(self.panel.table.item(item.row(), 0).data(ID_ROLE))
        if s is not None:
            self.c.activate(s)

    # ------------------------------------------------------------------ commands
    def rerun(self, run_id: str | None = None):
        """A new session from the run's settings, trained from its start (same seed)."""
        rec = self._record(run_id)
        if rec is None:
            return None
        try:
            settings = rec.spec().to_settings()
        except PlaygroundError as e:
            QtWidgets.QMessageBox.warning(self.c.w, "Could not re-run", str(e))
            return None
        settings["per_layer"] = len(set(settings["hidden_activations"])) > 1
        self.c.w.controls.set_state(settings)
        s = self.c.new_session()
        self.runs.name_next(s, f"{rec.name} (again)")
        return s

    def delete(self, run_id: str | None = None) -> None:
        rec = self._record(run_id)
        if rec is not None:
            self.runs.delete(rec.id)

    def save(self, run_id: str | None = None, path: str | None = None):
        """The run as a run file: with its trained parameters while it is in this window, else
        its settings and curves (running the file trains it again, the same way)."""
        rec = self._record(run_id)
        if rec is None:
            return None
        w = self.c.w
        path = path or ask_path(w, True, "Save run", str(Path(st.value("files/last", "")) / f"{rec.name}{SUFFIX}"),
                                 f"Runs (*{SUFFIX})")
        if not path:
            return None
        s = self.runs.session_of(rec.id)
        written = runfiles.write(w, path, rec.spec(), None if s is None else s.trainer, rec.state)
        if written is not None:
            rec.path = str(written)
            self.runs.add(rec)
        return written

    def open_(self, path: str | None = None) -> RunRecord | None:
        """A run file's run added to the list (Re-run trains it; File > Open run restores it)."""
        w = self.c.w
        path = path or ask_path(w, False, "Open run", st.value("files/last", ""), f"Runs (*{SUFFIX});;All files (*)")
        if not path:
            return None
        try:
            rf = load_run(path)
        except (PlaygroundError, OSError) as e:
            QtWidgets.QMessageBox.warning(w, "Could not open the run", f"{path}\n\n{e}")
            return None
        acc = next((r.test_accuracy for r in reversed(rf.history) if r.test_accuracy is not None), None)
        seconds = sum(r.seconds for r in rf.history)
        rec = self.runs.add(RunRecord.of(Path(path).stem, rf.run, state=rf.state, path=str(path), test_accuracy=acc,
                                         samples_seen=rf.counters.get("samples_seen", 0), seconds=seconds,
                                         history=list(rf.history)))
        st.set_value("files/last", str(Path(path).parent))
        return rec

    def export_csv(self, path: str | None = None):
        from .viewexport import export_runs_csv
        w = self.c.w
        path = path or ask_path(w, True, "Export compared curves", str(Path(st.value("files/last", "")) / "runs.csv"),
                                 "CSV (*.csv)")
        if not path:
            return None
        try:
            out = export_runs_csv([r for r in self.runs.records if r.visible], path)
        except OSError as e:
            QtWidgets.QMessageBox.warning(w, "Could not export the curves", str(e))
            return None
        w.statusBar().showMessage(f"Wrote {out}", 5000)
        return out
