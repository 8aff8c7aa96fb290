"""A mkdocs hook for the docs site: each clause of the specification gets its id as its
anchor (``specification/#LOOP-3``), and every clause id in the prose of any page links to
its section.

Why a hook rather than links written in the pages: the pages are also read on GitHub,
where a hand-written ``{#LOOP-3}`` shows as text, and several hundred mentions would
drift from the headings they point at. Code (fenced blocks and inline spans), headings
and text already inside a link are left as they are.
"""

from __future__ import annotations

import re
from typing import Any

from spec.clauses import CLAUSES

SPECIFICATION = "specification.md"
CLAUSE = re.compile(r"(?<![\w/#-])(?:" + "|".join(sorted(map(re.escape, CLAUSES), key=len, reverse=True)) + r")(?![\w-])")
HEADING = re.compile(r"^(#{2,6} )(" + CLAUSE.pattern + r")( — .*?)\s*$")
_CODE_OR_LINK = re.compile(r"(`+)(?:.+?)\1|\[[^\]]*\]\([^)]*\)|<[^>]+>")


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """mkdocs' hook: the page's Markdown with clause anchors and links."""
    here = page.file.src_uri == SPECIFICATION
    target = "" if here else _relative(page.file.src_uri)
    return link_clauses(markdown, target, anchors=here)


def link_clauses(markdown: str, target: str, *, anchors: bool) -> str:
    """``markdown`` with each clause id in prose linked to ``{target}#{id}``; with
    ``anchors``, each clause heading carries its id as its anchor (attr_list)."""
    lines: list[str] = []
    fence = ""
    for line in markdown.splitlines(keepends=True):
        stripped = line.lstrip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
            lines.append(line)
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            lines.append(line)
        elif line.startswith("#"):
            heading = HEADING.match(line.rstrip("\n")) if anchors else None
            lines.append(f"{heading[1]}{heading[2]}{heading[3]} {{#{heading[2]}}}\n" if heading else line)
        else:
            lines.append(_linked(line, target))
    return "".join(lines)


def _linked(line: str, target: str) -> str:
    """Clause ids outside code spans, links and HTML tags become links."""
    out: list[str] = []
    at = 0
    for kept in _CODE_OR_LINK.finditer(line):
        out.append(CLAUSE.sub(lambda m: f"[{m[0]}]({target}#{m[0]})", line[at:kept.start()]))
        out.append(kept[0])
        at = kept.end()
    out.append(CLAUSE.sub(lambda m: f"[{m[0]}]({target}#{m[0]})", line[at:]))
    return "".join(out)


def _relative(src_uri: str) -> str:
    """The specification's path from the page at ``src_uri`` (both under docs/)."""
    return "../" * src_uri.count("/") + SPECIFICATION
