"""Item models without a window: each is a thin adapter over engine DTOs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine.basic.debugger import Variable
from engine.bots.package import BotPackage
from engine.events import CitationDTO
from ui.models.config import ConfigTableModel
from ui.models.lists import citations_model, variables_model
from ui.models.package import PackageTreeModel
from ui.models.transcript import ENTRY_ROLE, ChatEntry, TranscriptModel

NOW = datetime(2026, 3, 2, 9, 30)


def test_transcript_streams_into_one_row_then_finishes(qapp: QApplication) -> None:
    model = TranscriptModel()
    changed: list[int] = []
    model.dataChanged.connect(lambda top, bottom: changed.append(top.row()))
    assert model.stream("Open ", NOW) == 0
    assert model.stream("the tray", NOW) == 0
    assert changed == [0]
    citation = CitationDTO(1, "manual.pdf", 14, "tray 2")
    assert model.finish_stream("", (citation,)) == 0
    entry = model.data(model.index(0), ENTRY_ROLE)
    assert (entry.text, entry.streaming, entry.citations) == ("Open the tray", False, (citation,))
    assert model.finish_stream("", ()) is None


def test_citation_markers_become_links_only_for_known_sources() -> None:
    entry = ChatEntry("bot", "See [1] and [7].", NOW, citations=(CitationDTO(1, "a.md"),))
    assert entry.markdown(3) == "See [\\[1\\]](cite:3:1) and [7]."


def test_tool_rows_are_found_and_completed(qapp: QApplication) -> None:
    model = TranscriptModel()
    model.append(ChatEntry("tool", "", NOW, tool="create-ticket", arguments="{}"))
    assert model.open_tool_row("create-ticket") == 0
    assert model.data(model.index(0), Qt.ItemDataRole.DisplayRole) == "create-ticket {}"


def test_table_models_show_dto_fields(qapp: QApplication) -> None:
    citations = citations_model()
    citations.set_rows([CitationDTO(2, "docs/manual.pdf", 14, "Open tray 2")])
    assert (citations.cell(0, 0), citations.cell(0, 1)) == ("[2]", "manual.pdf  p. 14")
    assert citations.data(citations.index(0, 1), Qt.ItemDataRole.ToolTipRole) == "Open tray 2"
    variables = variables_model()
    variables.set_rows([Variable("n", "3", "integer")])
    assert [variables.headerData(i, Qt.Orientation.Horizontal) for i in range(3)] == [
        "Name", "Value", "Type"]
    assert variables.cell(0, 1) == "3"


def test_config_model_edits_recheck_the_row(qapp: QApplication) -> None:
    model = ConfigTableModel()
    model.load_text("name,value\nbot-name,Desk\n")
    assert model.problems() == []
    model.setData(model.index(0, 0), "bot-nmae")
    assert "did you mean “bot-name”" in model.rows[0].problem
    model.setData(model.index(0, 0), "bot-name")
    assert model.rows[0].problems == ()
    model.add_row("welcome-message", 'Say "hi", please')
    assert model.text() == 'name,value\nbot-name,Desk\nwelcome-message,"Say ""hi"", please"\n'


def test_package_tree_lists_sub_packages_in_order(qapp: QApplication, tmp_path: Path) -> None:
    root = tmp_path / "desk.gbai"
    for sub, name in (("desk.gbot", "config.csv"), ("desk.gbdialog", "start.bas"),
                      ("desk.gbkb/vpn", "vpn.md")):
        (root / sub).mkdir(parents=True)
        (root / sub / name).write_text("x", encoding="utf-8")
    model = PackageTreeModel()
    model.load(BotPackage.at(root))
    labels = [model.item(r).text() for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert labels == ["Dialogs  (desk.gbdialog)", "Knowledge  (desk.gbkb)",
                      "Config  (desk.gbot)"]
    assert [p.name for p in model.paths()] == ["start.bas", "vpn.md", "config.csv"]
