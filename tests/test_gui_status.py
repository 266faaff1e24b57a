"""The status bar names the latest test accuracy, the one number people look for first."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401

pytestmark = pytest.mark.timeout(240)


def test_the_latest_test_accuracy_is_in_the_status_bar(qtbot, gui):
    w, c = gui
    assert w.status.accuracy.text() == "test accuracy —" and w.status.accuracy.isVisible()
    for epochs in (1, 2):
        w.act_step_epoch.trigger()
        qtbot.waitUntil(lambda: len(c.trainer.history) == epochs and not c.step_active, timeout=60000)
        c.frames.tick()
        ds = c.dataset
        # The network as it stands, read by numpy: the share of test points it classifies right.
        correct = np.argmax(np.asarray(c.network.forward(ds.x_test)), axis=1) == ds.y_test
        assert w.status.accuracy.text() == f"test accuracy {np.mean(correct) * 100:.1f} %"
    w.act_reset.trigger()                      # a fresh network has no accuracy yet
    qtbot.waitUntil(lambda: c.trainer.step == 0, timeout=10000)
    assert w.status.accuracy.text() == "test accuracy —"
