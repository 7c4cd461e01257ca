"""Light and dark themes: a Fusion palette plus a small style sheet for Hearth's own widgets.

Widgets opt into the sheet by object name (``rail``, ``pill``, ``banner``...) or a dynamic
``role`` property, so views never hard-code colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

ThemeName = Literal["light", "dark"]


@dataclass(frozen=True, slots=True)
class Colours:
    window: str
    base: str
    alt: str
    text: str
    muted: str
    accent: str
    accent_text: str
    border: str
    rail: str
    error: str
    warning: str
    ok: str
    user_bubble: str
    bot_bubble: str


LIGHT = Colours(window="#f4f5f7", base="#ffffff", alt="#eef0f3", text="#1f2328",
                muted="#6b7280", accent="#c2410c", accent_text="#ffffff", border="#d6d9de",
                rail="#1f2328", error="#b42318", warning="#b54708", ok="#027a48",
                user_bubble="#fde8dc", bot_bubble="#ffffff")
DARK = Colours(window="#17191c", base="#1f2227", alt="#262a30", text="#e6e8eb",
               muted="#9aa3ad", accent="#f97316", accent_text="#111111", border="#343a42",
               rail="#0f1113", error="#f97066", warning="#fdb022", ok="#32d583",
               user_bubble="#3a2a20", bot_bubble="#23272d")


def colours(name: ThemeName) -> Colours:
    return DARK if name == "dark" else LIGHT


def palette(c: Colours) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window, QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.base, QPalette.ColorRole.AlternateBase: c.alt,
        QPalette.ColorRole.Text: c.text, QPalette.ColorRole.Button: c.alt,
        QPalette.ColorRole.ButtonText: c.text, QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.accent_text, QPalette.ColorRole.ToolTipBase: c.base,
        QPalette.ColorRole.ToolTipText: c.text, QPalette.ColorRole.PlaceholderText: c.muted,
        QPalette.ColorRole.Link: c.accent, QPalette.ColorRole.Mid: c.border,
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(c.muted))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(c.muted))
    return p


def style_sheet(c: Colours) -> str:
    return f"""
QWidget#rail {{ background: {c.rail}; }}
QToolButton#railButton {{ color: #c9cdd2; border: none; padding: 6px 2px; border-radius: 8px;
    font-size: 11px; }}
QToolButton#railButton:checked {{ background: {c.accent}; color: {c.accent_text}; }}
QToolButton#railButton:hover:!checked {{ background: #2d3238; }}
QPushButton#pill {{ border: 1px solid {c.accent}; color: {c.accent}; background: {c.base};
    border-radius: 13px; padding: 4px 12px; }}
QPushButton#pill:hover {{ background: {c.accent}; color: {c.accent_text}; }}
QPushButton#switcher {{ border: 1px solid {c.border}; border-radius: 13px; padding: 4px 12px;
    background: {c.base}; }}
QPushButton#switcher:checked {{ background: {c.accent}; color: {c.accent_text};
    border-color: {c.accent}; }}
QPushButton#primary {{ background: {c.accent}; color: {c.accent_text}; border: none;
    border-radius: 6px; padding: 6px 16px; font-weight: bold; }}
QPushButton#primary:disabled {{ background: {c.border}; color: {c.muted}; }}
QPushButton#danger {{ color: {c.error}; }}
QLabel#banner {{ background: {c.alt}; border: 1px solid {c.border}; border-radius: 6px;
    padding: 6px 10px; }}
QLabel#banner[role="error"] {{ color: {c.error}; border-color: {c.error}; }}
QLabel#banner[role="ok"] {{ color: {c.ok}; border-color: {c.ok}; }}
QLabel#muted, QLabel[muted="true"] {{ color: {c.muted}; }}
QLabel#title {{ font-size: 16px; font-weight: bold; }}
QFrame#card {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 8px; }}
QTextBrowser#transcript {{ border: none; background: {c.window}; }}
QPlainTextEdit#editor {{ background: {c.base}; }}
QTabWidget::pane {{ border: 1px solid {c.border}; }}
QProgressBar {{ border: 1px solid {c.border}; border-radius: 4px; text-align: center;
    background: {c.base}; }}
QProgressBar::chunk {{ background: {c.accent}; border-radius: 3px; }}
"""


def apply_theme(app: QApplication, name: ThemeName) -> Colours:
    c = colours(name)
    app.setStyle("Fusion")
    app.setPalette(palette(c))
    app.setStyleSheet(style_sheet(c))
    app.setProperty("hearthTheme", name)
    return c


def current(app: QApplication | None = None) -> Colours:
    instance = app or QApplication.instance()
    name = instance.property("hearthTheme") if instance is not None else None
    return DARK if name == "dark" else LIGHT


W = TypeVar("W", bound=QWidget)


def styled(widget: W, name: str) -> W:
    """``widget`` with the object name the style sheet selects it by."""
    widget.setObjectName(name)
    return widget
