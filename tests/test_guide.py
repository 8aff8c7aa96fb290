"""The implementer's guide shows only code that exists: every Python block in it is
marked with the example file it comes from and appears there verbatim, so the guide
cannot drift from the example the kit's tests run (tests/test_example.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "implementers-guide.md"
_BLOCK = re.compile(r"(?:<!-- from: (?P<source>\S+) -->\n)?```python\n(?P<code>.*?)```", re.DOTALL)


def python_blocks(text: str) -> list[tuple[str | None, str]]:
    return [(m.group("source"), m.group("code")) for m in _BLOCK.finditer(text)]


def test_the_guide_has_python_blocks() -> None:
    assert len(python_blocks(GUIDE.read_text(encoding="utf-8"))) >= 5


@pytest.mark.parametrize(
    ("source", "code"), python_blocks(GUIDE.read_text(encoding="utf-8")), ids=lambda value: str(value)[:40]
)
def test_every_python_block_is_copied_from_the_example(source: str | None, code: str) -> None:
    assert source is not None, f"a Python block in the guide names no source (<!-- from: path -->):\n{code}"
    assert source.startswith("examples/"), f"{source}: the guide quotes only the example"
    text = (ROOT / source).read_text(encoding="utf-8")
    assert code in text, f"this block is not verbatim in {source}:\n{code}"


def test_the_block_check_catches_drift() -> None:
    drifted = '<!-- from: examples/acme_desk/src/desk/outcomes.py -->\n```python\nDESK_OUTCOMES = ()\n```'
    ((source, code),) = python_blocks(drifted)
    assert source is not None and code not in (ROOT / source).read_text(encoding="utf-8")
