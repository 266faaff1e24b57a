"""The classroom tools in the window: a View menu with presentation mode (presentation.py) and the
activation explorer (explorer.py), and the diagram's clicks (neuron.py). MainWindow calls
``install`` once; lessons call ``presentation.apply_presentation``."""
from __future__ import annotations

from ._qt import QtGui, QtWidgets
from . import explorer, neuron, presentation


def view_menu(window) -> QtWidgets.QMenu:
    """The window's View menu, made (before Help) on first use."""
    bar = window.menuBar()
    for menu in bar.findChildren(QtWidgets.QMenu):
        if menu.title().replace("&", "") == "View":
            return menu
    menu = QtWidgets.QMenu("&View", bar)
    before = next((m.menuAction() for m in bar.findChildren(QtWidgets.QMenu) if m.title().replace("&", "") == "Help"),
                  None)
    bar.insertMenu(before, menu) if before is not None else bar.addMenu(menu)
    return menu


def install(window) -> None:
    menu = view_menu(window)
    presentation.install(window, menu)
    menu.addSeparator()
    act = QtGui.QAction("Activation explorer…", window)
    act.setToolTip("Each activation and its slope, with the chosen layer's weighted inputs marked on the curve: "
                   "see which units are saturated or dead.")
    act.triggered.connect(lambda _=False: explorer.open_explorer(window))
    menu.addAction(act)
    window.act_explorer = act
    neuron.install(window)
