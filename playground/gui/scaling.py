"""The window's UI scale for a projector: fonts, plot text and line widths, all put back exactly.

Qt widgets follow the application font, except those given a font of their own (they are scaled
one by one). pyqtgraph does not follow it at all: tick fonts, axis labels, titles, pens and
symbol sizes are set on each item, so each item is restyled and its own values are remembered.
Items made while scaled (a new network's curves) are picked up by ``restyle()``, which only
touches items it has not seen.
"""
from __future__ import annotations

from ._qt import QtCore, QtGui, QtWidgets, pg
from . import theme

_MARK = "_ui_scale_saved"      # attribute on a pyqtgraph item: its own style before scaling


def _alive(obj) -> bool:
    try:
        obj.objectName() if isinstance(obj, QtCore.QObject) else obj.isVisible()
        return True
    except RuntimeError:        # its C++ side was deleted while scaled
        return False


def _scaled_font(font: QtGui.QFont, factor: float) -> QtGui.QFont:
    f = QtGui.QFont(font)
    if font.pointSizeF() > 0:
        f.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        f.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return f


def _scaled_pt(text, factor: float):
    """'12pt' -> '18pt' (a CSS size in points); anything else unchanged."""
    if isinstance(text, str) and text.endswith("pt"):
        try:
            return f"{float(text[:-2]) * factor:g}pt"
        except ValueError:
            return text
    return text


class UiScale:
    """``apply(factor)`` scales the window; ``apply(1.0)`` or ``restore()`` puts everything back."""

    def __init__(self, window, skip=()):
        self.w = window
        self.factor = 1.0
        self._skip = tuple(skip)        # widgets that size their own fonts (the presentation header)
        self._app_font: QtGui.QFont | None = None
        self._fonts: list[tuple[QtWidgets.QWidget, QtGui.QFont]] = []
        self._items: list = []

    # ------------------------------------------------------------------ whole window
    def apply(self, factor: float) -> None:
        factor = float(factor)
        if factor == self.factor:
            self.restyle()
            return
        self.restore()
        if factor == 1.0:
            return
        self.factor = factor
        theme.UI_SCALE = factor
        app = QtWidgets.QApplication.instance()
        self._app_font = QtGui.QFont(app.font())
        # Widgets with a font of their own do not follow the application font; nor do widgets
        # under a style sheet (the banner, grey hints: Qt documents that the two do not mix).
        # Each gets its font set, its size pinned so that setting it back never re-resolves it.
        for widget in self.w.findChildren(QtWidgets.QWidget):
            if (widget.testAttribute(QtCore.Qt.WA_SetFont) or self._styled(widget)) and not self._skipped(widget):
                font = QtGui.QFont(widget.font())
                if font.pointSizeF() > 0:
                    font.setPointSizeF(font.pointSizeF())
                self._fonts.append((widget, font))
        app.setFont(_scaled_font(self._app_font, factor))
        for widget, font in self._fonts:
            widget.setFont(_scaled_font(font, factor))
        self.restyle()

    def restore(self) -> None:
        if self.factor == 1.0:
            return
        for item in self._items:
            if _alive(item):
                self._unstyle(item)
        self._items = []
        if self._app_font is not None:
            QtWidgets.QApplication.instance().setFont(self._app_font)
            self._app_font = None
        for widget, font in self._fonts:
            if _alive(widget):
                widget.setFont(font)
        self._fonts = []
        self.factor = 1.0
        theme.UI_SCALE = 1.0
        for view in self.w.findChildren(QtWidgets.QWidget):
            view.update()

    def _styled(self, widget) -> bool:
        while widget is not None and widget is not self.w:
            if widget.styleSheet():
                return True
            widget = widget.parentWidget()
        return False

    def _skipped(self, widget) -> bool:
        return any(s is widget or s.isAncestorOf(widget) for s in self._skip)

    # ------------------------------------------------------------------ pyqtgraph items
    def restyle(self) -> None:
        """Scale the plot items not scaled yet (cheap when there are none)."""
        if self.factor == 1.0:
            return
        for view in self.w.findChildren(pg.GraphicsView):
            if self._skipped(view):
                continue
            for item in view.scene().items():
                saved = getattr(item, _MARK, None)
                if saved is None:
                    self._style(item)
                elif isinstance(item, pg.AxisItem) and item.labelStyle is not saved.get("set_style"):
                    # The plot changed its label (x axis: epochs -> samples) with the normal size.
                    saved["style"] = dict(item.labelStyle)
                    self._set_label_style(item, saved)

    def _style(self, item) -> None:
        f = self.factor
        if isinstance(item, pg.AxisItem):
            saved = {"font": item.style.get("tickFont"), "style": dict(item.labelStyle), "pen": item._pen,
                     "width": item.fixedWidth, "offset": list(item.style["tickTextOffset"])}
            item.setTickFont(_scaled_font(saved["font"] or QtGui.QFont(), f))
            pen = QtGui.QPen(item.pen())
            pen.setWidthF(max(1.0, pen.widthF()) * f)
            item.setPen(pen)
            self._set_label_style(item, saved)
            if item.orientation in ("left", "right") and item.fixedWidth is not None:
                theme.fix_axis_width(item)
        elif isinstance(item, pg.PlotDataItem):
            pen = item.opts.get("pen")
            saved = {"pen": pen, "symbolSize": item.opts.get("symbolSize")}
            if pen is not None:
                q = pg.mkPen(pen)
                q.setWidthF(max(1.0, q.widthF()) * f)
                item.setPen(q)
            if saved["symbolSize"]:
                item.setSymbolSize(saved["symbolSize"] * f)
        elif isinstance(item, pg.ScatterPlotItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
            saved = {"size": item.opts.get("size")}
            if saved["size"]:
                item.setSize(saved["size"] * f)
        elif isinstance(item, pg.LabelItem):
            saved = {"size": item.opts.get("size")}
            if saved["size"] and item.text:
                item.setText(item.text, size=_scaled_pt(saved["size"], f))
        elif isinstance(item, pg.TextItem):
            saved = {"font": QtGui.QFont(item.textItem.font())}
            item.setFont(_scaled_font(saved["font"], f))
        else:
            return
        setattr(item, _MARK, saved)
        self._items.append(item)

    def _set_label_style(self, axis, saved) -> None:
        style = {k: _scaled_pt(v, self.factor) if k == "font-size" else v for k, v in saved["style"].items()}
        saved["set_style"] = axis.labelStyle = style
        axis._updateLabel()

    @staticmethod
    def _unstyle(item) -> None:
        saved = getattr(item, _MARK, None)
        if saved is None:
            return
        delattr(item, _MARK)
        if isinstance(item, pg.AxisItem):
            item.setTickFont(saved["font"])
            item._pen = saved["pen"]
            item.picture = None
            item.labelStyle = saved["style"]
            item._updateLabel()
            if item.orientation in ("left", "right") and saved["width"] is not None:
                item.setWidth(saved["width"])
            item.update()
        elif isinstance(item, pg.PlotDataItem):
            if saved["pen"] is not None:
                item.setPen(saved["pen"])
            if saved["symbolSize"]:
                item.setSymbolSize(saved["symbolSize"])
        elif isinstance(item, pg.ScatterPlotItem):
            if saved["size"]:
                item.setSize(saved["size"])
        elif isinstance(item, pg.LabelItem):
            if saved["size"] and item.text:
                item.setText(item.text, size=saved["size"])
        elif isinstance(item, pg.TextItem):
            item.setFont(saved["font"])
