"""``qts-layering``: ``lint-imports`` with the project's source roots on the import path.

A pre-commit hook runs in an environment of its own and has no place to export
``PYTHONPATH``; without it import-linter cannot find the packages of a src-layout
repository ("Could not find package 'runtime' in your Python path"). This entry point
reads ``[tool.qts] pythonpath`` (conformance_tests.config) from the project in the
current directory, puts those roots first on ``sys.path`` and hands every argument to
import-linter's own command, so its options and exit codes are unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from importlinter.cli import lint_imports_command

from conformance_tests.config import ConfigError, load_config


def layering(argv: Sequence[str] | None = None) -> int:
    try:
        config = load_config(Path.cwd())
    except ConfigError as error:
        print(f"qts-layering: {error}", file=sys.stderr)
        return 2
    sys.path[:0] = [str(root) for root in config.pythonpath if str(root) not in sys.path]
    try:
        lint_imports_command.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="qts-layering")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 1


def main() -> None:
    sys.exit(layering())
