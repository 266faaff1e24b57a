"""Persistent settings (QSettings, organisation "NN Playground", application "nn-playground").

Controls are stored as one versioned JSON value, so a settings file from an older version is
migrated (unknown keys dropped, missing keys defaulted) instead of breaking the window.
"""
from __future__ import annotations

import json

from ._qt import QtCore

ORGANISATION = "NN Playground"
APPLICATION = "nn-playground"
VERSION = 1


def settings() -> QtCore.QSettings:
    # defaultFormat(), not the (org, app) constructor's NativeFormat: tests and the selftest
    # redirect IniFormat to a temporary folder with setDefaultFormat/setPath.
    return QtCore.QSettings(QtCore.QSettings.defaultFormat(), QtCore.QSettings.UserScope, ORGANISATION, APPLICATION)


def load_controls() -> dict | None:
    raw = settings().value("controls/state")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    state = data.get("state")
    return state if isinstance(state, dict) else None


def save_controls(state: dict) -> None:
    settings().setValue("controls/state", json.dumps({"version": VERSION, "state": state}))


def value(key: str, default=None):
    return settings().value(key, default)


def set_value(key: str, v) -> None:
    settings().setValue(key, v)


def clear_controls() -> None:
    s = settings()
    s.remove("controls")
