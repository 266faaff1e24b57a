"""Soak: thousands of signal emissions and Python paintEvent calls must not leak references.

PySide6 6.12.0 leaked a reference on every Signal.emit() and every Python paintEvent, and the
app crashed after a few thousand frames; pyproject pins PySide6 < 6.12. This test catches such
a regression in whatever PySide6 is installed: it would show as sys.getrefcount(None) or
sys.getrefcount(True) growing by thousands.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from playground.gui._qt import QtCore, QtWidgets

N = 5000
pytestmark = pytest.mark.timeout(60)


class Emitter(QtCore.QObject):
    sigValue = QtCore.Signal(object)
    sigFlag = QtCore.Signal(bool)
    sigState = QtCore.Signal(str)


def _refcounts():
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None/True are immortal from Python 3.12: "
                                                         "refcounts do not move")
def test_signals_and_paint_events_do_not_leak(qtbot):
    from playground.gui.diagram import NetworkDiagram

    received = []
    em = Emitter()
    em.sigValue.connect(lambda v: received.append(v is None))
    em.sigFlag.connect(lambda v: received.append(v))
    em.sigState.connect(lambda s: None)

    diagram = NetworkDiagram()                     # a real widget with a Python paintEvent
    qtbot.addWidget(diagram)
    diagram.resize(300, 200)
    diagram.configure((2, 4, 2), ["input", "hidden 1", "output"])
    rng = np.random.default_rng(0)
    diagram.set_params([rng.normal(size=(4, 2)), rng.normal(size=(2, 4))],
                       [rng.normal(size=4), rng.normal(size=2)])
    diagram.show()
    qtbot.waitExposed(diagram)

    def burst(n):
        for i in range(n):
            em.sigValue.emit(None)
            em.sigFlag.emit(True)
            em.sigState.emit("training")
            diagram.repaint()                       # synchronous paintEvent
        QtWidgets.QApplication.processEvents()

    burst(200)                                       # warm caches first
    received.clear()
    before = _refcounts()
    paints_before = diagram.paint_count
    t0 = time.perf_counter()
    burst(N)
    elapsed = time.perf_counter() - t0
    received_count = len(received)
    received.clear()
    after = _refcounts()

    assert received_count == 2 * N
    assert diagram.paint_count - paints_before >= N
    growth = [a - b for a, b in zip(after, before)]
    # A leak per emit or per paint would add >= N references; allow noise from caches.
    assert max(growth) < N // 5, f"reference counts grew by {growth} over {N} emits/paints"
    assert elapsed < 10.0
