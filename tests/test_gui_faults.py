"""What a class does to the app in an hour, and what the machine does to it: each fault must leave
the window usable (it trains again afterwards) and lose nothing (settings, files on disk, the run
on show).

Closing mid-epoch with three runs; hundreds of random Play/Pause/Step/Reset/Stop key presses;
switching dataset while training; the data folder removed while the app runs; a read-only
folder, a run file from a newer version and a full disk when saving a run.
"""
from __future__ import annotations

import errno
import os
import random
import shutil
import time

import numpy as np
import pytest

from full_disk import fill_disk
from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, wait_steps  # noqa: F401
from playground.gui._qt import QtCore, QtWidgets

Qt = QtCore.Qt
pytestmark = pytest.mark.timeout(240)


def _trains_again(qtbot, c, steps: int = 3) -> None:
    """The window is usable: whatever the run on show was doing, Play makes it train."""
    if c.run_active:
        c.stop()
        qtbot.waitUntil(lambda: not c.run_active and not c.step_active, timeout=20000)
    before = c.trainer.step
    c.play_pause()
    qtbot.waitUntil(lambda: c.trainer.step >= before + steps, timeout=60000)
    assert c.error is None
    c.stop()
    qtbot.waitUntil(lambda: not c.run_active, timeout=20000)


def _mid_epoch(s) -> bool:
    t = s.trainer
    return t is not None and t.step > 0 and t.samples_seen % t.n_train != 0


# ------------------------------------------------------------------------------ closing
def test_closing_the_window_mid_epoch_with_three_runs_stops_them_and_keeps_the_settings(qtbot, gui,
                                                                                       isolated_settings):
    w, c = gui
    w.controls.eta.setValue(0.0375)          # a setting of the user's, which must survive the close
    c.new_session()
    c.new_session()
    for s in c.sessions:
        c.activate(s)
        c.play_pause()
    qtbot.waitUntil(lambda: all(_mid_epoch(s) and s.run_active for s in c.sessions), timeout=60000)
    threads = [th for s in c.sessions for th in (s.runner_thread, s.stepper_thread)]
    t0 = time.monotonic()
    w.close()                                 # the real close: closeEvent ends every run
    c.shutdown()
    assert all(th.wait(10000) for th in threads)
    assert time.monotonic() - t0 < 10.0
    assert not any(s.run_active for s in c.sessions)
    # Nothing lost: a new window starts from the settings the closed one saved, and trains.
    from playground.gui.app import create_window
    w2, c2 = create_window(restore_settings=True, ask=lambda *_: True)
    qtbot.addWidget(w2)
    try:
        assert w2.controls.eta.value() == pytest.approx(0.0375)
        _trains_again(qtbot, c2)
    finally:
        w2.close()
        c2.shutdown()
        assert c2.runner_thread.wait(10000) and c2.stepper_thread.wait(10000)


# ------------------------------------------------------------------------------ key storm
# A class's hands: mostly Play/Pause, Step and Stop, now and then Reset (each Reset builds a new
# network and its plots: the slow key, so the rarest here).
KEYS = [Qt.Key_Space] * 10 + [Qt.Key_N] * 5 + [Qt.Key_E] * 3 + [Qt.Key_S] * 6 + [Qt.Key_R]


def test_hundreds_of_random_play_pause_step_reset_stop_keys(qtbot, gui, dialogs):
    w, c = gui
    w.activateWindow()
    state = w.controls.state()
    rng = random.Random(13)
    errors = []
    for s in c.sessions:
        s.sigError.connect(errors.append)
    for i in range(300):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget() or w, rng.choice(KEYS))
        if rng.random() < 0.3:
            qtbot.wait(rng.randrange(1, 25))          # sometimes a person's pause, mostly a burst
    qtbot.waitUntil(lambda: c.phase in ("training", "paused", "stopped", "ready", "done"), timeout=20000)
    assert not errors and c.error is None and not dialogs, (errors, c.error, dialogs)
    assert w.controls.state() == state          # R keeps the seed: no key changed a setting
    # The actions agree with the run's state, and the run trains.
    qtbot.keyClick(w, Qt.Key_S)
    qtbot.waitUntil(lambda: not c.run_active and not c.step_active, timeout=20000)
    assert w.act_play.isEnabled() and not w.act_stop.isEnabled(), (c.phase, w.banner.kind)
    _trains_again(qtbot, c)


# ------------------------------------------------------------------------------ datasets
def test_switching_dataset_while_training_retrains_on_the_new_data(qtbot, gui, answers):
    w, c = gui
    combo = w.controls.dataset
    for name in ("circles", "xor", "moons", "spirals"):
        c.play_pause()
        wait_steps(qtbot, c, 2)
        assert c.run_active
        combo.setCurrentIndex(combo.findData(name))          # as the user picks it, mid-run
        qtbot.waitUntil(lambda: c.dataset is not None and c.dataset.name == name, timeout=20000)
        assert not c.run_active and c.trainer.step == 0      # a new network for the new data
        assert c.applied["dataset"] == name
    assert answers.asked                                     # the user was asked before the reset
    _trains_again(qtbot, c)


@pytest.fixture
def mnist_copy(tmp_path, shared_mnist_dir, monkeypatch):
    folder = tmp_path / "data" / "mnist"
    shutil.copytree(shared_mnist_dir, folder, ignore=shutil.ignore_patterns("*.md"))
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(folder.parent))
    return folder


def test_data_folder_removed_while_the_app_runs_then_reload(qtbot, gui, mnist_copy, monkeypatch):
    from playground.gui import datadialog
    w, c = gui
    asked = []
    monkeypatch.setattr(datadialog.MissingDataDialog, "exec", lambda dlg: asked.append(dlg) or dlg.reject() or 0)
    combo = w.controls.dataset
    combo.setCurrentIndex(combo.findData("mnist"))
    qtbot.waitUntil(lambda: c.dataset is not None and c.dataset.name == "mnist", timeout=60000)
    c.play_pause()
    wait_steps(qtbot, c, 3)
    shutil.rmtree(mnist_copy)                 # gone while the run trains on the data in memory
    steps = c.trainer.step
    qtbot.waitUntil(lambda: c.trainer.step > steps + 3, timeout=30000)
    # Reload (to the toys and back): the folder is missing, so the missing-data dialog asks; cancelled,
    # the run on show keeps its data and network.
    combo.setCurrentIndex(combo.findData("spirals"))
    qtbot.waitUntil(lambda: c.dataset.name == "spirals", timeout=20000)
    combo.setCurrentIndex(combo.findData("mnist"))
    qtbot.waitUntil(lambda: bool(asked), timeout=20000)
    assert c.dataset.name == "spirals" and w.controls.state()["dataset"] == "spirals"
    _trains_again(qtbot, c)
    # The folder back: the reload finds it.
    from conftest import SHARED_MNIST
    shutil.copytree(SHARED_MNIST, mnist_copy, ignore=shutil.ignore_patterns("*.md"))
    combo.setCurrentIndex(combo.findData("mnist"))
    qtbot.waitUntil(lambda: c.dataset.name == "mnist", timeout=60000)
    assert len(asked) == 1
    _trains_again(qtbot, c)


# ------------------------------------------------------------------------------ saving a run
def _save_run(c, path) -> bool:
    from playground.gui import runfiles
    return runfiles.save(c, str(path))


def _trained(qtbot, c):
    c.step(None)                              # one epoch
    qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    assert c.trainer.epoch >= 1


def test_saving_a_run_into_a_read_only_folder_says_where_it_failed(qtbot, gui, dialogs, tmp_path, monkeypatch):
    w, c = gui
    _trained(qtbot, c)
    folder = tmp_path / "user-data"
    folder.mkdir()
    folder.chmod(0o555)
    read_only = [True]
    if os.geteuid() == 0:
        # root writes anywhere: make the folder refuse new files as a read-only one does.
        import tempfile
        real = tempfile.mkstemp

        def mkstemp(*a, dir=None, **k):
            if read_only[0] and dir is not None and os.path.samefile(dir, folder):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
            return real(*a, dir=dir, **k)
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    target = folder / "lesson.nnrun"
    params = c.network.params.copy()
    assert not _save_run(c, target)
    kind, title, text = dialogs[-1]
    assert kind == "warning" and str(target) in text and "denied" in text.lower()
    assert list(folder.iterdir()) == []                      # no partial file left behind
    np.testing.assert_array_equal(c.network.params, params)  # the run on show is untouched
    folder.chmod(0o755)
    read_only[0] = False
    assert _save_run(c, folder / "lesson.nnrun")               # writable again: the same save works
    _trains_again(qtbot, c)


def test_disk_full_while_saving_a_run_keeps_the_old_file_and_says_so(qtbot, gui, dialogs, tmp_path, monkeypatch):
    w, c = gui
    _trained(qtbot, c)
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "lesson.nnrun"
    assert _save_run(c, target)
    old = target.read_bytes()
    _trained(qtbot, c)                        # more training: the next save would differ
    full = fill_disk(monkeypatch, this_thread_only=True)
    assert not _save_run(c, target)
    full[0] = False
    kind, title, text = dialogs[-1]
    assert kind == "warning" and str(target) in text
    assert "no space left" in text.lower() and "unchanged" in text.lower()
    assert target.read_bytes() == old                          # the old file, whole
    assert [p.name for p in target.parent.iterdir()] == [target.name]   # no temporary left beside it
    assert _save_run(c, target) and target.read_bytes() != old      # with room again, the save works
    _trains_again(qtbot, c)


def test_a_run_file_from_a_newer_version_is_refused_with_a_clear_message(qtbot, gui, dialogs, tmp_path):
    from playground.gui import runfiles
    w, c = gui
    _trained(qtbot, c)
    path = tmp_path / "mine.nnrun"
    assert _save_run(c, path)
    future = tmp_path / "from-the-future.nnrun"
    future.write_text(path.read_text().replace('"version": 1', '"version": 7', 1))
    params, state = c.network.params.copy(), w.controls.state()
    assert not runfiles.open_(c, str(future))
    kind, title, text = dialogs[-1]
    assert kind == "warning" and future.name in text
    assert "7" in text and ("newer" in text.lower() or "version" in text.lower())
    np.testing.assert_array_equal(c.network.params, params)
    assert w.controls.state() == state
    _trains_again(qtbot, c)
