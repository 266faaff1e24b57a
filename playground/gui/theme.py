"""Sizes and colours chosen for a projector at the back of a classroom as well as a laptop."""
import math

from ._qt import QtGui, QtWidgets, pg

BASE_POINT_SIZE = 11          # application font
AXIS_LABEL_PT = 12            # plot axis labels
TICK_PT = 11                  # plot tick labels
TITLE_PT = 13                 # plot titles
LINE_WIDTH = 2.5
# Presentation mode's UI scale (scaling.py sets it): text painted by hand multiplies its size by it.
UI_SCALE = 1.0
GRID_COLOUR = "#e2e2e2"

# Okabe-Ito: distinguishable for colour-blind viewers and still distinct when a projector washes colours out.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
CLASS_COLOURS = ("#1f77b4", "#ff7f0e")   # class 0 blue, class 1 orange (decision boundary)
POSITIVE = QtGui.QColor("#D55E00")      # positive weight
NEGATIVE = QtGui.QColor("#0072B2")      # negative weight


def pt(size: float) -> float:
    """A point size for text a widget paints itself, at the window's UI scale."""
    return size * UI_SCALE


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def pen(i: int, style=None, width: float = LINE_WIDTH):
    kw = {"color": colour(i), "width": width}
    if style is not None:
        kw["style"] = style
    return pg.mkPen(**kw)


def style_plot(plot: "pg.PlotItem", title: str, x_label: str, y_label: str, y_units: str | None = None):
    """Big fonts for labels and ticks; a legend with a readable size."""
    if title:
        plot.setTitle(title, size=f"{TITLE_PT}pt", bold=True)
    tick_font = QtGui.QFont()
    tick_font.setPointSize(TICK_PT)
    label_style = {"font-size": f"{AXIS_LABEL_PT}pt"}
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setTickFont(tick_font)
        axis.setTextPen("k")
    plot.setLabel("bottom", x_label, **label_style)
    plot.setLabel("left", y_label, units=y_units, **label_style)
    fix_axis_width(plot.getAxis("left"))
    plot.showGrid(x=True, y=True)
    opaque_grid(plot)
    cache_static_parts(plot)
    legend = plot.addLegend(offset=(-8, 8), labelTextSize=f"{TICK_PT}pt", brush=pg.mkBrush(255, 255, 255), pen=pg.mkPen("#bbb"))
    legend.setCacheMode(QtWidgets.QGraphicsItem.DeviceCoordinateCache)
    return legend


def opaque_grid(plot) -> None:
    """Grid lines at the labelled ticks only, in a light opaque grey, drawn under the curves.

    pyqtgraph's default grid is translucent, has two levels of minor lines and lies over the
    data; alpha blending made an axis change cost about twice as much to redraw (10 -> 6 ms a
    plot, measured), a cost paid many times a second while a run's ranges grow."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setTickPen(pg.mkPen(GRID_COLOUR))
        axis.setStyle(tickAlpha=255, maxTickLevel=1 if axis.logMode else 0)
        axis.setZValue(-1)       # behind the view box, whose background is transparent


def fix_axis_width(axis, widest: str = "-0.0005") -> None:
    """A fixed width for a vertical axis, room for tick labels as wide as ``widest``.

    Left to size itself, a live axis grows whenever its labels get a digit longer (0.2 -> 0.15);
    pyqtgraph then re-lays out the plot after the paint, and the plot is painted a second time,
    in full, in the next frame."""
    fm = QtGui.QFontMetrics(axis.style.get("tickFont") or QtGui.QFont())
    width = fm.horizontalAdvance(widest) + 4 + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])
    if axis.label.isVisible():
        width += axis.label.boundingRect().height() * 0.8      # the rotated axis title, as pyqtgraph counts it
    axis.setWidth(int(math.ceil(width)))


def cache_static_parts(plot) -> None:
    """Render axes and titles into cached pixmaps: replaying their text every time a curve
    changes is the most expensive part of a live pyqtgraph frame. pyqtgraph invalidates the
    cache itself when an axis range changes (it calls update())."""
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).setCacheMode(QtWidgets.QGraphicsItem.DeviceCoordinateCache)
    plot.titleLabel.setCacheMode(QtWidgets.QGraphicsItem.DeviceCoordinateCache)


def diverging_lut(n: int = 256):
    """Blue (negative / class 0) through white to orange (positive / class 1)."""
    # Light ends (the image is drawn opaque under the points, which must stay visible).
    cmap = pg.ColorMap([0.0, 0.5, 1.0], [(110, 165, 210), (250, 250, 250), (250, 170, 100)])
    return cmap.getLookupTable(0.0, 1.0, n)


def weights_lut(n: int = 256):
    """Blue (negative) through white to orange (positive), strong at the ends: weight images are
    the picture itself, not a background, and must survive a projector."""
    cmap = pg.ColorMap([0.0, 0.5, 1.0], [(0, 90, 170), (250, 250, 250), (215, 95, 0)])
    return cmap.getLookupTable(0.0, 1.0, n)


def sequential_lut(n: int = 256):
    cmap = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (8, 48, 107)])
    return cmap.getLookupTable(0.0, 1.0, n)


def mix_white(colour, strength: float) -> QtGui.QColor:
    """``colour`` at ``strength`` (0..1) over white, as an opaque colour (cheaper to paint than alpha)."""
    c = QtGui.QColor(colour)
    t = max(0.0, min(1.0, float(strength)))
    return QtGui.QColor(int(255 + (c.red() - 255) * t), int(255 + (c.green() - 255) * t),
                        int(255 + (c.blue() - 255) * t))
