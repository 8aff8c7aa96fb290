"""Checking shell commands written in docs and CI files against the real thing: the
kit's scripts exist, and every ``--option`` given to a kit command is in its ``--help``."""

from __future__ import annotations

import functools
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

KIT_COMMANDS = {"qts-conformance": False, "qts-assets": True, "qts-layering": False, "pytest": False, "lint-imports": False}
"""Commands whose options are checked against ``--help``; True: it has subcommands."""
TOOLS = {"pip", "python", "python3", "git", "cd", "uv", ".tools/bin/uv", "pre-commit", "mkdocs", "mypy", "pyright", "export",
         "check-jsonschema", "cp", "mkdir"}
"""Other commands the docs may use; their options are not checked."""


@functools.cache
def help_text(command: str, subcommand: str | None) -> str | None:
    """``command [subcommand] --help``, or None when the command refuses it."""
    args = [str(BIN / command), *([subcommand] if subcommand else []), "--help"]
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)
    return done.stdout if done.returncode == 0 else None


def commands(code: str) -> list[list[str]]:
    """The shell commands of a block, one per line (``\\`` continues, ``&&`` chains)."""
    joined = code.replace("\\\n", " ")
    found: list[list[str]] = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        command: list[str] = []
        for word in [*words, "&&"]:
            if word in ("&&", "||", ";", "|"):
                if command:
                    found.append(command)
                command = []
            elif command or not re.fullmatch(r"[A-Z_]+=\S*", word):  # VAR=value prefixes
                command.append(word)
    return found


def sh_problems(words: list[str]) -> list[str]:
    """What is wrong with one command (empty: nothing)."""
    name = words[0]
    if name.startswith("./scripts/"):
        return [] if (ROOT / name).is_file() else [f"{name} does not exist"]
    if name in KIT_COMMANDS:
        sub = words[1] if KIT_COMMANDS[name] and len(words) > 1 and not words[1].startswith("-") else None
        text = help_text(name, sub)
        if text is None:
            return [f"{name} {sub or ''} --help fails: no such command"]
        options = {w.split("=")[0] for w in words[1:] if w.startswith("--")}
        return [f"{name} has no option {o}" for o in sorted(options)
                if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text)]
    if name in ("pip", "uv") and "install" in words and "qts-phase4-kit" in words:
        return ["the kit is not on a package index: install from a clone or a built wheel"]
    return [] if name in TOOLS else [f"unknown command {name!r}: add it to TOOLS if it is real"]
