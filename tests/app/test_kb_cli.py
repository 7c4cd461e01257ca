"""``hearth kb``: ingest, search, stats and eval from the terminal, on real files and the
real embedding model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from app.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine" / "kb"))

from test_kb_evaluation import write_beir

from tests.engine.kb.conftest import model_dir


@pytest.fixture
def model() -> list[str]:
    return ["--model-dir", str(model_dir())]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    gbkb = tmp_path / "shop.gbai" / "shop.gbkb"
    (gbkb / "policies").mkdir(parents=True)
    (gbkb / "hours.md").write_text("# Hours\n\nWe open at nine and close at six.")
    (gbkb / "policies" / "returns.md").write_text(
        "# Returns\n\nProducts can be returned within thirty days with the receipt.")
    (gbkb / "policies" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return tmp_path / "shop.gbai"


def test_ingest_search_stats(package: Path, model: list[str], hearth_home: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "ingest", str(package), *model]) == 1  # one file could not be read
    out = capsys.readouterr()
    assert "shop.gbkb: 1 indexed" in out.out
    assert "policies: 1 indexed" in out.out and "broken.pdf" in out.out
    assert (hearth_home / "work" / "shop" / "kb").is_dir()

    assert main(["kb", "search", "can I bring a product back?", "--json", *model]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["bot"] == "shop"
    best = result["hits"][0]
    assert (best["collection"], best["source"]) == ("policies", "returns.md")
    assert {"bm25", "dense", "fused", "score", "start", "end", "page"} <= set(best)

    assert main(["kb", "search", "opening hours", "--collection", "shop.gbkb", *model]) == 0
    text = capsys.readouterr().out
    assert "[1] shop.gbkb: hours.md" in text and "bm25" in text and "dense" in text

    assert main(["kb", "stats", "--json"]) == 0
    stats = {row["collection"]: row for row in json.loads(capsys.readouterr().out)}
    assert stats["policies"]["documents"] == 1 and stats["shop.gbkb"]["chunks"] == 1

    assert main(["kb", "ingest", str(package), "--json", *model]) == 1
    again = json.loads(capsys.readouterr().out)
    assert [c["unchanged"] for c in again["collections"]] == [1, 1]


def test_plain_folder_with_collection_name(tmp_path: Path, model: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("The spare key is under the flower pot.")
    assert main(["kb", "ingest", str(folder), "--collection", "house", *model]) == 0
    assert "house: 1 indexed" in capsys.readouterr().out
    assert main(["kb", "search", "where is the key", "--bot", "default", *model]) == 0
    assert "house: a.txt" in capsys.readouterr().out


def test_eval_on_a_beir_folder(tmp_path: Path, model: list[str],
                               capsys: pytest.CaptureFixture[str]) -> None:
    dataset = write_beir(tmp_path / "mini", flat=True)
    assert main(["kb", "eval", str(dataset), "--split", "train", "--json", *model]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["mode"] for r in results] == ["hybrid", "bm25", "dense"]
    assert all(r["ndcg@10"] == 1.0 and r["queries"] == 2 for r in results)
    assert main(["kb", "eval", str(dataset), "--split", "train", "--mode", "bm25",
                 *model]) == 0
    assert "nDCG@10" in capsys.readouterr().out


def test_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "ingest", str(tmp_path / "missing")]) == 1
    assert "no such folder" in capsys.readouterr().err
    assert main(["kb", "eval", str(tmp_path)]) == 1
    assert "has none of" in capsys.readouterr().err
    assert main(["kb", "ingest", str(tmp_path), "--model-dir", str(tmp_path)]) == 1
    assert "not installed" in capsys.readouterr().err
