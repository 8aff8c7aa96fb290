"""A griffe extension for the API reference site: Sphinx cross-reference roles in
docstrings (``:class:`BindingError```, ``:func:`~spec.show.show```) become mkdocstrings
cross-references.

Why an extension rather than rewriting the docstrings: the roles are also read in editors
that render Sphinx markup, and several docstrings live in Phase 4 assets that change only
through the asset lock (docs/asset-lock.md), so the site adapts to them. No published
griffe extension converts inline roles (griffe-sphinx handles attribute comments only).

Each role becomes an *optional* autoref: a target the site documents is a link, any other
(a private helper, a name outside the site) stays code, without a build warning.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const):`(?P<tilde>~?)(?P<target>[^`]+)`")


class SphinxRoles(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = ROLE.sub(lambda match: _autoref(obj, match), obj.docstring.value)


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            found += _walk(member)
    return found


def _autoref(obj: griffe.Object, match: re.Match[str]) -> str:
    target = match["target"].strip().removesuffix("()")
    title = target.rsplit(".", 1)[-1] if match["tilde"] else target
    head, _, rest = target.partition(".")
    scope = obj if obj.is_module or obj.is_class else (obj.parent or obj)
    try:
        identifier = scope.resolve(head)
    except (griffe.NameResolutionError, ValueError):
        identifier = head
    identifier = f"{identifier}.{rest}" if rest else identifier
    return f'<autoref identifier="{html.escape(identifier)}" optional><code>{html.escape(title)}</code></autoref>'
