"""Small line icons drawn with QPainter, so the rail looks the same on every platform and
needs no icon theme or image files."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

SIZE = 48
Draw = Callable[[QPainter], None]


def _chat(p: QPainter) -> None:
    path = QPainterPath()
    path.addRoundedRect(QRectF(6, 8, 36, 24), 8, 8)
    p.drawPath(path)
    p.drawPolyline([QPointF(14, 32), QPointF(12, 41), QPointF(23, 32)])


def _bot(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(9, 14, 30, 24), 6, 6)
    p.drawLine(QPointF(24, 14), QPointF(24, 7))
    p.drawEllipse(QPointF(24, 6), 2, 2)
    p.drawEllipse(QPointF(18, 24), 2.5, 2.5)
    p.drawEllipse(QPointF(30, 24), 2.5, 2.5)
    p.drawLine(QPointF(18, 31), QPointF(30, 31))


def _book(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(10, 8, 28, 32), 3, 3)
    p.drawLine(QPointF(16, 8), QPointF(16, 40))
    p.drawLine(QPointF(21, 17), QPointF(32, 17))
    p.drawLine(QPointF(21, 23), QPointF(32, 23))


def _folder(p: QPainter) -> None:
    path = QPainterPath(QPointF(7, 14))
    for x, y in ((19, 14), (23, 18), (41, 18), (41, 38), (7, 38)):
        path.lineTo(x, y)
    path.closeSubpath()
    p.drawPath(path)


def _tasks(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(9, 9, 30, 30), 5, 5)
    p.drawPolyline([QPointF(16, 24), QPointF(22, 30), QPointF(33, 17)])


def _chart(p: QPainter) -> None:
    for x, top in ((12, 26), (21, 16), (30, 21)):
        p.drawRect(QRectF(x, top, 6, 38 - top))
    p.drawLine(QPointF(8, 39), QPointF(41, 39))


def _gear(p: QPainter) -> None:
    p.drawEllipse(QPointF(24, 24), 6, 6)
    p.drawEllipse(QPointF(24, 24), 13, 13)
    for dx, dy in ((0, -1), (0, 1), (-1, 0), (1, 0), (0.7, 0.7), (-0.7, -0.7), (0.7, -0.7),
                   (-0.7, 0.7)):
        p.drawLine(QPointF(24 + dx * 13, 24 + dy * 13), QPointF(24 + dx * 18, 24 + dy * 18))


SHAPES: dict[str, Draw] = {"chat": _chat, "bots": _bot, "knowledge": _book, "drive": _folder,
                           "tasks": _tasks, "analytics": _chart, "settings": _gear}


def icon(name: str, colour: str = "#c9cdd2", active: str = "#ffffff") -> QIcon:
    result = QIcon()
    for mode, tint in ((QIcon.Mode.Normal, colour), (QIcon.Mode.Selected, active)):
        for state in (QIcon.State.Off, QIcon.State.On):
            result.addPixmap(_pixmap(SHAPES[name], active if state == QIcon.State.On else tint),
                             mode, state)
    return result


def _pixmap(draw: Draw, colour: str) -> QPixmap:
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(colour), 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    draw(painter)
    painter.end()
    return pixmap
