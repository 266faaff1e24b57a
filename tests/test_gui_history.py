"""The Run history panel in the window: runs are listed as they train, renamed and hidden with real
keys, kept across a restart (a second window reads the file the first wrote), re-run, saved as a
run file, deleted; the shown runs' curves export as one CSV; a corrupt history file is set aside
with a message and the window works."""
from __future__ import annotations

import csv
import os

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.core.runfile import load_run
from playground.core.runhistory import ENV, RunHistory
from playground.core.runspec import RunSpec
from playground.gui._qt import QtCore, QtGui, QtWidgets

pytestmark = pytest.mark.timeout(240)


def step_epochs(qtbot, c, n):
    for _ in range(n):
        c.w.act_step_epoch.trigger()
        qtbot.waitUntil(lambda: not c.active.step_active, timeout=60000)


def rows(w) -> list[tuple]:
    t = w.history_panel.table
    return [tuple(t.item(r, col).text() for col in range(3)) for r in range(t.rowCount())]


def select(qtbot, w, row):
    t = w.history_panel.table
    t.setFocus()
    t.setCurrentCell(row, 0)
    t.selectRow(row)


def click_tick(qtbot, table, row):
    """A real click in the middle of the check box of ``row``'s name."""
    opt = QtWidgets.QStyleOptionViewItem()
    opt.rect = table.visualItemRect(table.item(row, 0))
    opt.features |= QtWidgets.QStyleOptionViewItem.HasCheckIndicator
    opt.state |= QtWidgets.QStyle.State_Enabled
    box = table.style().subElementRect(QtWidgets.QStyle.SE_ItemViewItemCheckIndicator, opt, table)
    qtbot.mouseClick(table.viewport(), QtCore.Qt.LeftButton, pos=box.center())


def close(window, controller):
    window.close()
    controller.shutdown()
    for s in controller.sessions:
        for th in (s.runner_thread, s.stepper_thread):
            assert th.wait(20000)


def test_runs_are_listed_renamed_hidden_and_survive_a_restart(qtbot, gui, tmp_path):
    w, c = gui
    path = os.environ[ENV]
    w.history_dock.show()
    step_epochs(qtbot, c, 2)
    c.runs.poll()
    first = c.active.trainer
    acc = first.history[-1].test_accuracy
    assert rows(w) == [("Run 1", f"{acc:.1%}", f"{first.samples_seen:,}")]
    rid = c.runs.records[0].id

    select(qtbot, w, 0)
    t = w.history_panel.table
    qtbot.keyClick(t, QtCore.Qt.Key_F2)                        # rename in place
    editor = t.viewport().findChild(QtWidgets.QLineEdit)
    assert t.state() == t.State.EditingState and editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "tanh, Adam")
    qtbot.keyClick(editor, QtCore.Qt.Key_Return)
    qtbot.waitUntil(lambda: c.runs.history.get(rid).name == "tanh, Adam", timeout=3000)   # committed queued
    assert RunHistory(path).get(rid).name == "tanh, Adam"    # written at once

    # A second run, from its own Re-run button; it trains further than the first.
    qtbot.mouseClick(w.history_panel.rerun, QtCore.Qt.LeftButton)
    assert len(c.sessions) == 2 and c.active is not c.sessions[0]
    assert RunSpec.from_settings(c.active.applied).network == RunHistory(path).get(rid).spec().network
    step_epochs(qtbot, c, 3)
    c.runs.poll()
    assert [r[0] for r in rows(w)] == ["tanh, Adam (again)", "tanh, Adam"]          # newest first
    assert set(w.history_panel.curves) == {r.id for r in c.runs.records}

    # Hide the first run: a click on its tick box.
    with qtbot.waitSignal(c.runs.sigVisibilityChanged) as sig:
        click_tick(qtbot, t, 1)
    assert sig.args == [rid, False]
    qtbot.waitUntil(lambda: set(w.history_panel.curves) == {c.runs.records[1].id}, timeout=3000)   # not drawn
    second = c.runs.records[1]
    curve = w.history_panel.curves[second.id]
    assert np.allclose(curve.getData()[1], [100 * r.test_accuracy for r in c.active.trainer.history])

    out = c.history_view.export_csv(str(tmp_path / "runs.csv"))     # the shown runs only
    with open(out, newline="") as fh:
        table = list(csv.DictReader(fh))
    assert {r["run"] for r in table} == {second.id} and len(table) == 3
    assert float(table[-1]["test_accuracy"]) == c.active.trainer.history[-1].test_accuracy

    run_file = c.history_view.save(second.id, str(tmp_path / "again"))   # a live run: with its parameters
    rf = load_run(run_file)
    assert np.array_equal(rf.params, c.active.network.params) and rf.history == list(c.active.trainer.history)
    samples = {r.id: r.samples_seen for r in c.runs.records}
    close(w, c)

    from playground.gui.app import create_window
    w2, c2 = create_window(restore_settings=False)            # a restart: the file read back
    qtbot.addWidget(w2)
    try:
        assert [r[0] for r in rows(w2)] == ["tanh, Adam (again)", "tanh, Adam"]
        back = {r.id: r for r in c2.runs.records}
        assert {k: r.samples_seen for k, r in back.items()} == samples
        assert back[rid].visible is False and back[rid].test_accuracy == acc
        assert back[second.id].path == str(run_file)
        assert set(w2.history_panel.curves) == {second.id}
        select(qtbot, w2, 1)
        qtbot.mouseClick(w2.history_panel.delete, QtCore.Qt.LeftButton)
        assert [r.id for r in RunHistory(path).records] == [second.id]
    finally:
        close(w2, c2)


@pytest.mark.parametrize("content", [b'{"format": "nn-playground-history", "version": 1, "runs": [{"na',
                                     b"\x89PNG not json", None])
def test_a_corrupt_history_file_is_set_aside_with_a_message(qtbot, isolated_settings, no_leaked_threads,
                                                            dialogs, content, tmp_path):
    path = tmp_path / "data" / "history.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        os.mkfifo(path)                                       # not a file: must not block the start
    else:
        path.write_bytes(content)
    from playground.gui.app import create_window
    w, c = create_window(restore_settings=False)
    qtbot.addWidget(w)
    w.show()
    try:
        qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=5000)
        text = QtGui.QTextDocumentFragment.fromHtml(w.banner.text.text()).toPlainText()
        assert "could not be read" in text and "moved to history.json.unreadable-" in text
        aside = [p for p in path.parent.iterdir() if p.name.startswith("history.json.unreadable-")]
        assert len(aside) == 1 and (content is None or aside[0].read_bytes() == content)
        assert c.runs.records == [] and c.trainer is not None
        step_epochs(qtbot, c, 1)                              # the window works, and keeps a new history
        c.runs.poll()
        c.runs.save()
        assert len(RunHistory(path).records) == 1 and RunHistory(path).message is None
    finally:
        close(w, c)
