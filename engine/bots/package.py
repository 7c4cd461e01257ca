"""A bot package on disk: a ``NAME.gbai`` folder and its sub-packages (BASIC.md §13.1).

Sub-packages are recognised by extension; their base names need not match the bot's name.
A missing sub-package is simply absent (a bot may have no knowledge base); the drive and
data folders are created on first use by the services that own them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.bots.config import BotConfig, ConfigWarning, read_config

_PROMPT_FILES = ("PROMPT.md", "prompt.md", "PROMPT.txt", "prompt.txt")
_NOT_SCRIPT_FOLDERS = frozenset({"gbdialog", "gbkb", "gbdrive", "gbdata", "gbtheme"})


@dataclass(frozen=True, slots=True)
class BotPackage:
    name: str
    root: Path
    scripts_dir: Path | None = None  # a loose script's folder, for a scratch bot

    @classmethod
    def at(cls, root: Path) -> BotPackage:
        name = root.name[:-5] if root.name.lower().endswith(".gbai") else root.name
        return cls(name, root)

    @classmethod
    def containing(cls, path: Path) -> BotPackage | None:
        """The package a file belongs to (its nearest ``*.gbai`` ancestor), if any."""
        for parent in path.resolve().parents:
            if parent.name.lower().endswith(".gbai"):
                return cls.at(parent)
        return None

    def _sub(self, extension: str) -> Path:
        for child in sorted(self.root.glob(f"*.{extension}")):
            if child.is_dir():
                return child
        return self.root / f"{self.name}.{extension}"

    @property
    def dialog_dir(self) -> Path:
        return self.scripts_dir or self._sub("gbdialog")

    @property
    def kb_dir(self) -> Path:
        return self._sub("gbkb")

    @property
    def bot_dir(self) -> Path:
        return self._sub("gbot")

    @property
    def drive_dir(self) -> Path:
        return self._sub("gbdrive")

    @property
    def data_dir(self) -> Path:
        return self._sub("gbdata")

    @property
    def theme_dir(self) -> Path:
        return self._sub("gbtheme")

    def scripts(self) -> list[Path]:
        """Every ``.bas`` of the dialog folder, sub-folders included, in a stable order.

        A package whose dialog folder is missing or holds no script, as some General Bots
        packages are (docs/basic-compatibility.md K1), uses its loose scripts instead.
        """
        if self.dialog_dir.is_dir():
            found = sorted(self.dialog_dir.rglob("*.bas"), key=lambda p: p.as_posix().lower())
            if found or self.scripts_dir is not None:
                return found
        elif self.scripts_dir is not None:
            return []
        return self.loose_scripts()

    def loose_scripts(self) -> list[Path]:
        """The ``.bas`` files of the package outside every ``.gbdialog`` folder (and outside
        the knowledge base, drive, data and theme folders, which hold documents)."""
        if not self.root.is_dir():
            return []
        found = [path for path in self.root.rglob("*.bas")
                 if path.is_file() and not path.is_symlink() and not any(
                     part.lower().rpartition(".")[2] in _NOT_SCRIPT_FOLDERS
                     for part in path.relative_to(self.root).parts[:-1])]
        return sorted(found, key=lambda p: p.as_posix().lower())

    def ignored_scripts(self) -> list[Path]:
        """The package's ``.bas`` files that are not loaded: loose ones when the dialog folder
        has scripts of its own, and any inside the knowledge base, drive, data or theme."""
        if not self.root.is_dir():
            return []
        loaded = set(self.scripts())
        found = (p for p in self.root.rglob("*.bas") if p.is_file() and not p.is_symlink())
        return sorted((p for p in found if p not in loaded), key=lambda p: p.as_posix().lower())

    def script(self, name: str) -> Path | None:
        key = name.lower().removesuffix(".bas")
        for path in self.scripts():
            if path.stem.lower() == key:
                return path
        return None

    @property
    def config_path(self) -> Path:
        return self.bot_dir / "config.csv"

    def config_rows(self) -> tuple[dict[str, str], list[ConfigWarning]]:
        """The rows and warnings of ``config.csv`` (ConfigError if it cannot be read)."""
        path = self.config_path
        if not path.is_file():
            return {}, []
        return read_config(path)

    def config(self, default: BotPackage | None = None) -> BotConfig:
        rows, _ = self.config_rows()
        fallback = default.config_rows()[0] if default is not None and default != self else {}
        return BotConfig(rows, {"language": "en", "locale": "en", **fallback})

    def system_prompt(self) -> str | None:
        for name in _PROMPT_FILES:
            path = self.bot_dir / name
            if path.is_file():
                return path.read_text(encoding="utf-8").strip() or None
        return None
