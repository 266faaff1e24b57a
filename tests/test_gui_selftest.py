"""``nn-playground selftest``: the real window trains, draws, screenshots and reports JSON."""
from __future__ import annotations

import json

import pytest

from gui_support import isolated_settings, no_leaked_threads  # noqa: F401

pytestmark = pytest.mark.timeout(180)


def test_selftest_reports_progress_and_writes_screenshot(qtbot, tmp_path, capsys, isolated_settings,
                                                         no_leaked_threads):
    from playground.gui.selftest import run_selftest

    shot = tmp_path / "shot.png"
    code = run_selftest(str(shot), json_out=True, seconds=1.5)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    report = json.loads(line)
    assert code == 0, report
    assert report["ok"] is True and report["error"] is None
    assert report["steps"] > 0 and report["snapshots_drawn"] > 0
    assert isinstance(report["max_ui_gap_ms"], float)
    assert shot.stat().st_size > 10_000
