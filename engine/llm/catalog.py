"""The model catalog: what Hearth knows how to install (``resources/models/catalog.json``)
and the user's own entries (``models_dir/user-models.json``), as validated, frozen values.
:mod:`engine.llm.models` installs them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.errors import EngineError
from engine.llm.download import check_url

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: bytes done out of total for a named stage."""

Role = Literal["chat", "embeddings", "speech"]

CATALOG_PATH = Path(__file__).parents[2] / "resources" / "models" / "catalog.json"
MANIFEST = "hearth-manifest.json"
_PLAIN_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class ModelError(EngineError):
    """A model cannot be found, fetched, verified or installed; the message says what to do."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WheelSource(_Frozen):
    """Members (``fnmatch`` globs over the wheel's paths) of one wheel on the registry."""

    package: str
    version: str
    members: tuple[str, ...] = Field(min_length=1)

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


class PartsSource(_Frozen):
    """A file split across wheels: the parts' members are concatenated in this order."""

    parts: tuple[WheelSource, ...] = Field(min_length=1)


class UrlSource(_Frozen):
    """The main file fetched from a URL (https; http only on the loopback interface), resumed
    with HTTP ranges and checked against the entry's size and sha256 (``download.py``)."""

    url: str

    @field_validator("url")
    @classmethod
    def _fetchable(cls, url: str) -> str:
        return check_url(url)


class ImportedSource(_Frozen):
    """A user's own file, copied in by ``hearth models add`` (``usermodels.py``)."""

    imported_from: str


class ExtraFile(WheelSource):
    """A companion file (a tokenizer...) installed next to the main file as ``file``."""

    file: str = Field(pattern=_PLAIN_NAME)


class ModelSpec(_Frozen):
    """One catalog entry. ``size`` and ``sha256`` describe the main ``file``."""

    name: str = Field(pattern=_PLAIN_NAME)
    role: Role
    default: bool
    description: str
    format: str
    licence: str
    size: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    file: str = Field(pattern=_PLAIN_NAME)
    source: WheelSource | PartsSource | UrlSource | ImportedSource
    extra: tuple[ExtraFile, ...] = ()
    dimensions: int | None = None

    @model_validator(mode="after")
    def _distinct_files(self) -> ModelSpec:
        names = [self.file, *(extra.file for extra in self.extra)]
        if len(set(names)) != len(names) or MANIFEST in names:
            raise ValueError(f"{self.name}: file names must be distinct and not {MANIFEST}")
        parts = [part.requirement for part in getattr(self.source, "parts", ())]
        if len(set(parts)) != len(parts):
            raise ValueError(f"{self.name}: a wheel appears twice among the parts")
        return self


class ModelCatalog(_Frozen):
    """Every model Hearth knows how to install (``resources/models/catalog.json``)."""

    version: int
    models: tuple[ModelSpec, ...]

    @model_validator(mode="after")
    def _unique_names(self) -> ModelCatalog:
        if len(set(self.names)) != len(self.names):
            raise ValueError("model names must be unique")
        return self

    @classmethod
    def load(cls, path: Path | None = None) -> ModelCatalog:
        path = path or CATALOG_PATH
        try:
            return cls.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as error:
            raise ModelError(f"cannot read the model catalog {path}: {error}") from error

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.models)

    def get(self, name: str) -> ModelSpec:
        for spec in self.models:
            if spec.name == name:
                return spec
        raise ModelError(f"unknown model {name!r}; the catalog has: {', '.join(self.names)}")

    def defaults(self) -> tuple[ModelSpec, ...]:
        return tuple(spec for spec in self.models if spec.default)

    def including(self, extra: Sequence[ModelSpec]) -> ModelCatalog:
        """This catalog and ``extra`` entries (the user's models); a name already here keeps
        the catalog's entry."""
        known = set(self.names)
        return self.model_copy(update={"models": self.models + tuple(
            spec for spec in extra if spec.name not in known)})


USER_CATALOG = "user-models.json"
"""The user's own entries (imported files, URLs), kept in the models folder."""


def user_specs(models_dir: Path) -> tuple[ModelSpec, ...]:
    """The entries of ``models_dir/user-models.json``; unreadable entries are left out."""
    try:
        data = json.loads((models_dir / USER_CATALOG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    specs = []
    for item in data.get("models", []) if isinstance(data, dict) else []:
        try:
            specs.append(ModelSpec.model_validate(item))
        except ValidationError:
            continue
    return tuple(specs)
