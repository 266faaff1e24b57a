"""The right-hand network views. Toy 2-D datasets: decision boundary over the network diagram.
Image datasets: first-layer weight images, confusion matrix, misclassified gallery, diagram."""
from __future__ import annotations

from ._qt import QtCore, QtWidgets
from .boundary import DecisionBoundaryView
from .diagram import NetworkDiagram
from .confusion import ConfusionMatrixView
from .images import MistakesGallery, WeightImagesView


class NetworkViews(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.stack = QtWidgets.QStackedWidget()
        lay.addWidget(self.stack)

        self.boundary = DecisionBoundaryView()
        self.diagram = NetworkDiagram()
        self.toy_page = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        self.toy_page.setObjectName("toySplitter")
        boundary_box = QtWidgets.QWidget()
        bl = QtWidgets.QVBoxLayout(boundary_box)
        bl.setContentsMargins(0, 4, 0, 0)
        bl.setSpacing(0)
        bl.addWidget(self.boundary.title_label)
        bl.addWidget(self.boundary, 1)
        self.toy_page.addWidget(boundary_box)
        self.toy_page.addWidget(self.diagram)
        self.toy_page.setStretchFactor(0, 3)
        self.toy_page.setStretchFactor(1, 2)
        self.toy_page.setChildrenCollapsible(False)

        self.weights = WeightImagesView()
        self.confusion = ConfusionMatrixView()
        self.mistakes = MistakesGallery()
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self.weights, "Weights")
        self.tabs.addTab(self.confusion, "Confusion")
        self.tabs.addTab(self.mistakes, "Mistakes")
        self.image_page = self.tabs
        self.stack.addWidget(self.toy_page)
        self.stack.addWidget(self.image_page)
        self.is_image = False

    def set_mode(self, image: bool) -> None:
        """Toy mode shows the boundary and the diagram; image mode the tabs (diagram last)."""
        self.is_image = image
        if image:
            if self.tabs.indexOf(self.diagram) < 0:
                self.tabs.addTab(self.diagram, "Network")
            self.stack.setCurrentWidget(self.image_page)
        else:
            if self.toy_page.indexOf(self.diagram) < 0:
                self.toy_page.addWidget(self.diagram)
                # A tab page that was not on show comes back hidden: the boundary then took the
                # whole column and its aspect lock stretched the range (spirals in a middle band).
                self.diagram.show()
                self.toy_page.setSizes([600, 400])
            self.stack.setCurrentWidget(self.toy_page)
