"""Pictures of the training panel: the diagram and each plot as PNG or SVG files.

PNG files are the widgets drawn at twice their size on screen (sharp on projectors); SVG
files are vector drawings (Qt's SVG generator). A widget's own drawing only: child widgets
on it (the diagram's +/− buttons) are controls, not part of the picture. Each file is
written to a temporary name and renamed, so a failed export leaves no half-written picture.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QPainter, QPixmap, QRegion
from PySide6.QtWidgets import QGraphicsView, QWidget

__all__ = ["export_widgets"]


def _drawing(widget: QWidget) -> QWidget.RenderFlag:
    """What of ``widget`` a picture shows: a view of a scene (a plot) draws in its viewport,
    a child widget, so all of it; any other widget its own painting, without the controls
    on it."""
    own = QWidget.RenderFlag.DrawWindowBackground
    return own | QWidget.RenderFlag.DrawChildren if isinstance(widget, QGraphicsView) else own


def export_widgets(path: Path, widgets: dict[str, QWidget]) -> list[str]:
    """Write each widget as ``STEM-NAME.png`` or ``.svg`` next to ``path`` (its suffix picks
    the format); returns the paths written. Raises ``OSError`` when one cannot be written."""
    svg = path.suffix.lower() == ".svg"
    written = []
    for name, widget in widgets.items():
        out = path.with_name(f"{path.stem}-{name}{'.svg' if svg else '.png'}")
        tmp = out.with_name(f".part-{out.name}")
        if svg:
            _write_svg(widget, tmp)
        else:
            _write_png(widget, tmp)
        os.replace(tmp, out)
        written.append(str(out))
    return written


def _write_png(widget: QWidget, out: Path) -> None:
    import pyqtgraph as pg
    from pyqtgraph.exporters import ImageExporter

    if isinstance(widget, pg.PlotWidget):
        exporter = ImageExporter(widget.getPlotItem())
        exporter.parameters()["width"] = 2 * widget.width()
        exporter.export(str(out))
    else:
        pixmap = QPixmap(widget.size() * 2)
        pixmap.setDevicePixelRatio(2.0)
        pixmap.fill()
        painter = QPainter(pixmap)
        widget.render(painter, QPoint(), QRegion(), _drawing(widget))
        painter.end()
        pixmap.save(str(out), "PNG")
    if not out.exists():
        raise OSError(f"cannot write {out}")


def _write_svg(widget: QWidget, out: Path) -> None:
    from PySide6.QtSvg import QSvgGenerator

    gen = QSvgGenerator()
    gen.setFileName(str(out))
    gen.setSize(QSize(widget.width(), widget.height()))
    gen.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    gen.setTitle("graphapp training panel")
    # pyqtgraph draws scatter points as fragments of a cached picture of each symbol, which
    # an SVG keeps as hundreds of clipped images (seen as checkered specks); in export mode
    # each point is drawn as a vector symbol
    items = [i for i in widget.scene().items() if hasattr(i, "setExportMode")] \
        if hasattr(widget, "scene") and widget.scene() is not None else []
    for item in items:
        item.setExportMode(True, {"antialias": True})
    try:
        painter = QPainter(gen)
        QWidget.render(widget, painter, QPoint(), QRegion(), _drawing(widget))  # as vectors
        painter.end()
    finally:
        for item in items:
            item.setExportMode(False)
    if not out.exists():
        raise OSError(f"cannot write {out}")
