"""The API reference site (mkdocs.yml): Sphinx roles in docstrings render as
cross-references (docs_ext/sphinx_roles.py), and the ``[docs]`` extra's floors are the
versions ./scripts/test builds the site with, so the floor is one that builds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import griffe

from conftest import ROOT
from docs_ext.clause_links import link_clauses

MODULE = '''\
"""See :class:`Gate` and :func:`~tools.helper`; :meth:`Gate.check()`, :class:`outside.Thing`."""
from tools import helper
class Gate:
    """A gate; :exc:`ValueError` on a bad limit."""
    def check(self) -> None:
        """Calls :func:`helper`."""
'''


def test_sphinx_roles_become_optional_cross_references_to_resolved_targets(tmp_path: Path) -> None:
    (tmp_path / "tools.py").write_text("def helper() -> None: ...\n", encoding="utf-8")
    (tmp_path / "gates.py").write_text(MODULE, encoding="utf-8")
    extensions = griffe.load_extensions(str(ROOT / "docs_ext" / "sphinx_roles.py") + ":SphinxRoles")
    module = griffe.load("gates", search_paths=[tmp_path], extensions=extensions)
    docs = {path: obj.docstring.value for path, obj in [("gates", module), ("Gate", module["Gate"]),
                                                        ("check", module["Gate.check"])] if obj.docstring}
    assert docs["gates"] == (
        'See <autoref identifier="gates.Gate" optional><code>Gate</code></autoref> and '
        '<autoref identifier="tools.helper" optional><code>helper</code></autoref>; '
        '<autoref identifier="gates.Gate.check" optional><code>Gate.check</code></autoref>, '
        '<autoref identifier="outside.Thing" optional><code>outside.Thing</code></autoref>.'
    )
    assert '<autoref identifier="ValueError" optional><code>ValueError</code></autoref>' in docs["Gate"]
    assert docs["check"] == 'Calls <autoref identifier="tools.helper" optional><code>helper</code></autoref>.'
    assert not any(re.search(r":\w+:`", text) for text in docs.values())


def test_the_docs_floors_are_the_versions_the_site_is_built_with() -> None:
    """A floor below what ./scripts/test builds with is untested (mkdocstrings 1.0.0 crashed)."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["docs"]
    locked = {p["name"]: p["version"] for p in tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))["package"]}
    floors: dict[str, str] = {}
    for requirement in extra:
        floor = re.fullmatch(r"([\w-]+)>=([\w.]+)", requirement)
        assert floor is not None, f"{requirement}: give each docs dependency a floor (>=)"
        floors[floor[1]] = floor[2]
    assert floors and floors == {name: locked[name] for name in floors}, (floors, locked)


def test_clause_ids_in_prose_link_to_their_section_and_code_headings_and_links_stay_as_written() -> None:
    """The docs site's clause links (docs_ext/clause_links.py); ``mkdocs build --strict``
    then fails on any link whose clause has no section to land on."""
    page = (
        "## Why LOOP-3\n"
        "LOOP-3 and RISK-4, not LOOP-99 or XLOOP-3 or LOOP-3x; `LOOP-3` and [LOOP-2](x.md#LOOP-2) stay.\n"
        "```text\nLOOP-3 in a block\n```\n"
        "### STATE-1 — Phase 4 states are present with their values\n"
    )
    assert link_clauses(page, "specification.md", anchors=False) == (
        "## Why LOOP-3\n"
        "[LOOP-3](specification.md#LOOP-3) and [RISK-4](specification.md#RISK-4), not LOOP-99 or XLOOP-3 or LOOP-3x; "
        "`LOOP-3` and [LOOP-2](x.md#LOOP-2) stay.\n"
        "```text\nLOOP-3 in a block\n```\n"
        "### STATE-1 — Phase 4 states are present with their values\n"
    )
    assert link_clauses(page, "", anchors=True).endswith(
        "### STATE-1 — Phase 4 states are present with their values {#STATE-1}\n")
