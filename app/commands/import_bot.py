"""``hearth import PATH|ZIP [--name NAME]``: install a General Bots package.

The package is unpacked (a zip) or taken as is (a folder), checked — every script compiled
with the bot's options, its ``config.csv`` checked — and every incompatibility printed with
``file:line:col``; then it is copied into the bots folder. Problems in the scripts do not stop
the install (they are what the person fixes next); an unsafe archive, a bad or taken name, or
no package at all do, with a message and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from app.commands.packagecheck import FileReport, check_config_file, check_script
from app.paths import AppPaths
from engine.basic.compiler import CompileOptions
from engine.bots.errors import BotError
from engine.bots.host import compile_options
from engine.bots.importing import check_name, install, package_root, unpack
from engine.bots.package import BotPackage


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("import", help="install a General Bots package (folder or zip)")
    parser.add_argument("path", type=Path)
    parser.add_argument("--name", help="the bot's name (default: the package's)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    paths = AppPaths.from_env()
    paths.home.mkdir(parents=True, exist_ok=True)
    source: Path = args.path
    try:
        with tempfile.TemporaryDirectory(dir=paths.home, prefix=".import-") as work:
            folder = unpack(source, Path(work))
            root, found_name = package_root(folder, _stem(source))
            name = check_name(args.name or found_name)
            reports = check_package(BotPackage(name, root))
            _print(reports, root)
            target = install(root, name, paths.bots_dir)
    except BotError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    scripts = sum(1 for r in reports if r.file.endswith(".bas"))
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    print(f"Installed '{name}' into {target}: {scripts} script(s), {errors} error(s), "
          f"{warnings} warning(s)")
    for advice in _advice(reports):
        print(f"{advice}; check again with: hearth check {target}")
    print(f"Chat with it: hearth chat {name}")
    return 0


def _advice(reports: list[FileReport]) -> list[str]:
    """What the errors mean for running the bot: a script the compiler rejects does not run
    at all; one whose only errors are calls of unknown functions runs until such a call."""
    scripts = [r for r in reports if r.file.endswith(".bas") and r.errors]
    broken = sum(1 for r in scripts if r.error is not None or not r.compiles)
    calls = len(scripts) - broken
    advice = []
    if broken:
        advice.append(f"{broken} script(s) with errors do not run until they are fixed")
    if calls:
        advice.append(f"{calls} script(s) call unknown functions: they run, and stop with a "
                      "NameError when such a call is reached")
    return advice


def _stem(source: Path) -> str:
    name = source.name
    for suffix in (".zip", ".gbai"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def check_package(package: BotPackage) -> list[FileReport]:
    """Every script (with the bot's compile options) and the config of ``package``."""
    base = compile_options(package.config())
    options = CompileOptions(strict=base.strict, injected=base.injected)
    reports = [check_script(path, False, options) for path in package.scripts()]
    config = package.bot_dir / "config.csv"
    if config.is_file():
        reports.append(check_config_file(config))
    return reports


def _print(reports: list[FileReport], root: Path) -> None:
    for report in reports:
        if report.error is not None:
            print(f"{report.file}: {report.error}")
        for line in report.rendered:
            print(line.replace(str(root) + "/", "", 1) if line.startswith(str(root)) else line)
