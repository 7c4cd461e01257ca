"""Compile rate of bot packages: the share of ``.bas`` files that compile without an error,
and the share of packages whose start dialog compiles (issue 11's measure).

Every script compiles with its package's options (its ``param-*`` names are declared), the
way Hearth loads it. By default the folders measured are the product's templates
(``resources/templates``) and the test packages (``tests/resources/gbpackages``); give other
folders (a corpus of upstream packages, say) as arguments.

    python bench/compile_rate.py [FOLDER ...] [--list]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.basic.compiler import compile_source
from engine.bots.host import compile_options
from engine.bots.package import BotPackage

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = (REPO / "resources" / "templates", REPO / "tests" / "resources" / "gbpackages")


@dataclass
class Rate:
    scripts: int = 0
    compiled: int = 0
    packages: int = 0
    starts: int = 0  # packages whose start dialog compiles
    failures: list[str] = field(default_factory=list)

    @property
    def script_rate(self) -> float:
        return self.compiled / self.scripts if self.scripts else 1.0

    @property
    def start_rate(self) -> float:
        return self.starts / self.packages if self.packages else 1.0


def packages_under(folder: Path) -> list[BotPackage]:
    roots = [folder] if folder.name.lower().endswith(".gbai") else sorted(
        p for p in folder.rglob("*.gbai") if p.is_dir())
    return [BotPackage.at(root) for root in roots]


def measure(folders: list[Path]) -> Rate:
    rate = Rate()
    for folder in folders:
        for package in packages_under(folder):
            rate.packages += 1
            options = compile_options(package.config())
            start = package.config().get("start-dialog", "start.bas").lower()
            for path in package.scripts():
                rate.scripts += 1
                source = path.read_text(encoding="utf-8", errors="replace")
                program = compile_source(source, path.stem, options)
                if program.ok:
                    rate.compiled += 1
                    rate.starts += path.name.lower() == start
                else:
                    first = program.errors[0]
                    rate.failures.append(first.headline(str(path.relative_to(folder))))
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--list", action="store_true", help="list the files that fail")
    args = parser.parse_args(argv)
    rate = measure(args.folders or list(DEFAULT_FOLDERS))
    if args.list:
        for failure in rate.failures:
            print(failure)
    print(f"scripts: {rate.compiled}/{rate.scripts} compile ({rate.script_rate:.1%}); "
          f"packages: {rate.starts}/{rate.packages} start dialogs compile "
          f"({rate.start_rate:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
