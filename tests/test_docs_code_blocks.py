"""Every fenced code block in the README and docs/ is checked, by its language tag:

- ``python``: type-checked with ``mypy --strict`` and executed, each block on its own
  (``python no-run``: type-checked only, for a block that needs something the kit
  cannot provide, such as a venue); a block right after ``<!-- from: path -->`` is an
  excerpt instead: it must appear verbatim in that file, which its own tests type-check
  (the example's, tests/test_example.py);
- ``sh``: each command is one of the kit's scripts or commands, or a known tool, and
  every ``--option`` it passes to a kit command exists in that command's ``--help``
  (``shell_commands.py``);
- ``toml``, ``yaml``, ``ini``: parsed;
- ``text``: output or a diagram, not code; shown as it is.

A block without a tag fails: say what it is. Docs authors: see "Code blocks" in
docs/index.md.
"""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from shell_commands import commands, sh_problems

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

EXCERPT = re.compile(r"<!-- from: (?P<source>\S+) -->")
LANGUAGES = {"python", "sh", "toml", "yaml", "ini", "text", "mermaid"}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    flags: tuple[str, ...]
    code: str
    source: str | None
    """The file an excerpt is quoted from (``<!-- from: path -->`` on the line before)."""

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks() -> list[Block]:
    found: list[Block] = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for token in MarkdownIt().parse("\n".join(lines)):
            if token.type == "fence" and token.map is not None:
                language, *flags = token.info.split() or [""]
                before = lines[token.map[0] - 1] if token.map[0] else ""
                source = match["source"] if (match := EXCERPT.fullmatch(before.strip())) else None
                found.append(Block(page, token.map[0] + 1, language, tuple(flags), token.content, source))
    return found


BLOCKS = blocks()


def of(*languages: str) -> list[Any]:
    return [pytest.param(b, id=b.id) for b in BLOCKS if b.language in languages]


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS])
def test_every_block_says_what_it_is(block: Block) -> None:
    assert block.language in LANGUAGES, (
        f"{block.id}: a code block needs one of the tags {sorted(LANGUAGES)} (got {block.language!r})"
    )


@pytest.fixture(scope="module")
def mypy_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """``mypy --strict`` over every python block at once: block id -> its errors."""
    where = tmp_path_factory.mktemp("doc_blocks")
    files: dict[str, str] = {}
    for n, block in enumerate(b for b in BLOCKS if b.language == "python" and b.source is None):
        path = where / f"doc_block_{n}.py"
        path.write_text(block.code, encoding="utf-8")
        files[path.name] = block.id
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *[str(where / f) for f in files]],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )
    errors: dict[str, list[str]] = {block_id: [] for block_id in files.values()}
    for line in done.stdout.splitlines():
        name = Path(line.split(":", 1)[0]).name
        if name in files:
            errors[files[name]].append(line)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return errors


@pytest.mark.parametrize("block", of("python"))
def test_python_blocks_type_check_and_run(block: Block, mypy_verdict: dict[str, list[str]]) -> None:
    if block.source is not None:
        quoted = (ROOT / block.source).read_text(encoding="utf-8")
        assert block.code in quoted, f"{block.id}: this excerpt is not verbatim in {block.source}"
        return
    assert not mypy_verdict[block.id], "\n".join(mypy_verdict[block.id])
    if "no-run" not in block.flags:
        exec(compile(block.code, block.id, "exec"), {"__name__": "doc_block"})


@pytest.mark.parametrize("block", of("sh"))
def test_shell_blocks_use_real_commands_and_options(block: Block) -> None:
    problems = [f"{' '.join(c)}: {p}" for c in commands(block.code) for p in sh_problems(c)]
    assert not problems, f"{block.id}: " + "; ".join(problems)


@pytest.mark.parametrize("block", of("toml", "yaml", "ini"))
def test_configuration_blocks_parse(block: Block) -> None:
    if block.language == "toml":
        tomllib.loads(block.code)
    elif block.language == "yaml":
        yaml.safe_load(block.code)
    else:
        configparser.ConfigParser().read_string(block.code)
