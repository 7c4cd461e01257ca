"""The column sets of the desktop's lists: each a thin adapter over one engine DTO."""

from __future__ import annotations

from datetime import datetime

from engine.api import BotInfo
from engine.basic.debugger import StackFrame, Variable
from engine.basic.diagnostics import Diagnostic
from engine.events import CitationDTO
from engine.sessions.store import SessionSummary
from ui.models.table import Column, DtoTableModel


def when(moment: datetime) -> str:
    today = datetime.now().date()
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%b %d")


def bots_model() -> DtoTableModel[BotInfo]:
    return DtoTableModel([
        Column("Bot", lambda b: b.title, tooltip=lambda b: b.description or b.name),
        Column("Scripts", lambda b: b.scripts, right=True),
        Column("Problems", lambda b: _problems(b),
               tone=lambda b: "error" if b.errors else ("warning" if b.warnings else "ok")),
    ])


def _problems(bot: BotInfo) -> str:
    if not bot.errors and not bot.warnings:
        return "none"
    return f"{bot.errors} errors, {bot.warnings} warnings"


def sessions_model() -> DtoTableModel[SessionSummary]:
    return DtoTableModel([
        Column("Conversation", lambda s: s.title, tooltip=lambda s: f"session {s.id}"),
        Column("Updated", lambda s: when(s.updated_at), tone=lambda s: "muted", right=True),
    ])


def citations_model() -> DtoTableModel[CitationDTO]:
    return DtoTableModel([
        Column("#", lambda c: f"[{c.n}]"),
        Column("Source", lambda c: _source_label(c), tooltip=lambda c: c.snippet or c.source),
    ])


def _source_label(citation: CitationDTO) -> str:
    name = citation.source.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name}  p. {citation.page}" if citation.page else name


def problems_model() -> DtoTableModel[tuple[str, Diagnostic]]:
    """Rows of (file name, diagnostic)."""
    return DtoTableModel([
        Column("", lambda r: "error" if r[1].is_error else "warning",
               tone=lambda r: "error" if r[1].is_error else "warning"),
        Column("File", lambda r: r[0]),
        Column("Line:Col", lambda r: f"{r[1].line}:{r[1].col}", right=True),
        Column("Problem", lambda r: r[1].message, tooltip=lambda r: r[1].transcript()),
    ])


def variables_model() -> DtoTableModel[Variable]:
    return DtoTableModel([
        Column("Name", lambda v: v.name),
        Column("Value", lambda v: v.value, tooltip=lambda v: v.value),
        Column("Type", lambda v: v.type, tone=lambda v: "muted"),
    ])


def stack_model() -> DtoTableModel[StackFrame]:
    return DtoTableModel([
        Column("Frame", lambda f: f.name),
        Column("Line", lambda f: f.line, right=True),
    ])
