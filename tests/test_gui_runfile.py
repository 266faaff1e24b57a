"""File > Save run / Open run (.nnrun) through the menu, as a person picks them."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui._qt import QtWidgets

pytestmark = pytest.mark.timeout(240)


def _pick(path, asked):
    def dialog(parent, title, *args, **kw):
        asked.append(title)
        return str(path), ""
    return dialog


def test_save_run_then_open_run_restores_network_history_and_controls(qtbot, gui, tmp_path, dialogs,
                                                                      monkeypatch):
    w, c = gui
    w.controls.eta.setValue(0.0625)     # a setting the new seed would not bring back by itself
    w.act_reset.trigger()
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    params, history, state = c.network.params.copy(), list(c.trainer.history), w.controls.state()
    assert len(history) == 1

    asked = []
    path = tmp_path / "menu.nnrun"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", _pick(path, asked))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", _pick(path, asked))
    w.act_save_run.trigger()
    assert asked == ["Save run"] and path.is_file()

    w.controls.eta.setValue(0.5)
    w.act_reset_seed.trigger()
    assert not np.array_equal(c.network.params, params) and len(c.trainer.history) == 0
    assert w.controls.state() != state

    w.act_open_run.trigger()
    qtbot.waitUntil(lambda: np.array_equal(c.network.params, params), timeout=10000)
    assert asked[-1] == "Open run"
    assert len(c.trainer.history) == len(history) and c.trainer.epoch == 1
    assert w.controls.state() == state and c.applied == state
    assert not dialogs

    # A hostile file (a future version) and a broken one: a warning naming the file, nothing changes.
    trainer = c.trainer
    future = tmp_path / "future.nnrun"
    future.write_text(path.read_text().replace('"version": 1', '"version": 99', 1))
    broken = tmp_path / "broken.nnrun"
    broken.write_text("{ this is not a run")
    for bad in (future, broken):
        monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", _pick(bad, asked))
        n = len(dialogs)
        w.act_open_run.trigger()
        qtbot.waitUntil(lambda: len(dialogs) > n, timeout=10000)
        assert bad.name in dialogs[-1][2]
        assert c.trainer is trainer and w.controls.state() == state
        np.testing.assert_array_equal(c.network.params, params)
