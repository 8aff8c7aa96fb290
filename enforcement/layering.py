"""An import-linter contract type for QTS code bases: the runtime layer must not reach
strategy, real-order or network code, directly or through any chain of imports, the
project's own or an installed package's (seed 2.1: the loop "contains no strategy
logic"; seed 3: "the real-order path is not used").

Adopt it in ``.importlinter`` (the whole template is in ``docs/layering.md``)::

    [importlinter]
    root_packages = runtime strategy broker
    include_external_packages = True
    contract_types =
        qts_runtime_isolation: enforcement.layering.RuntimeIsolationContract

    [importlinter:contract:runtime-isolation]
    name = the runtime layer reaches no strategy, real-order or network code
    type = qts_runtime_isolation
    runtime_modules = runtime
    strategy_modules = strategy
    real_order_modules = broker
    broker_sdks = kiwoom ccxt
    network_modules = socket ssl http urllib requests httpx aiohttp websockets

Each offending import is reported as its full chain, every step with the file, line
and source text of the import, so the fix can start from the first line printed.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import TypedDict, cast

from grimp import ImportGraph
from importlinter.application import contract_utils, output
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck, InvalidContractOptions
from importlinter.domain.helpers import module_expressions_to_modules
from importlinter.domain.imports import ImportExpression, Module, ModuleExpression

from enforcement.dynamic_imports import uses_in
from enforcement.stdlib_network import network_reaching
from enforcement.third_party import chain_to, is_third_party, unreadable_reached


class Step(TypedDict):
    importer: str
    imported: str
    where: list[str]
    """``file:line: source`` for each line of ``importer`` that imports ``imported``."""


class Violation(TypedDict):
    kind: str
    runtime: str
    forbidden: str
    chain: list[Step]


class RuntimeIsolationContract(Contract):
    """The runtime layer imports no strategy, real-order or network module.

    Options:
        - runtime_modules: the runtime layer (module expressions, packages included).
        - strategy_modules: strategy code (module expressions).
        - real_order_modules: your real-order code (module expressions).
        - broker_sdks: import names of broker SDKs (``ccxt``, ``kiwoom``); they may be absent.
        - network_modules: network clients (``socket``, ``requests``, ...); they may be absent.
        - ignore_imports: imports to leave out, as in import-linter's own contracts.

    At least one forbidden option is required. Every name in ``runtime_modules``,
    ``strategy_modules`` and ``real_order_modules`` must match a module of the graph: a
    typo would silently switch the check off, so it is a configuration error. A strategy
    or real-order module inside the runtime package is a violation in itself. Indirect
    imports count, through the project's modules and through installed third-party
    packages (``runtime -> fancy_wrapper -> ccxt``; their files are read, not imported).
    ``if TYPE_CHECKING:`` imports count too (see docs/layering.md).
    """

    type_name = "qts_runtime_isolation"

    runtime_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    strategy_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    real_order_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    broker_sdks = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    network_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    allowed_dynamic_imports = fields.SetField(subfield=fields.StringField(), required=False)
    """``module -> primitive`` call sites of the runtime layer that may import by name (reviewed, written down)."""
    allowed_unreadable = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    """Installed packages the runtime may reach although their code cannot be read (bytecode, extensions)."""

    def validate(self) -> None:
        if not any(self._expressions(option) for option, _ in FORBIDDEN):
            raise InvalidContractOptions(
                {"strategy_modules": "name strategy_modules, real_order_modules, broker_sdks or network_modules: "
                 "otherwise nothing is forbidden"}
            )

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=cast("list[ImportExpression] | None", self.ignore_imports),
            unmatched_alerting=AlertLevel.ERROR,
        )
        runtime = self._required(graph, "runtime_modules")
        violations: list[Violation] = []
        forbidden_roots: dict[str, str] = {}
        for option, kind in FORBIDDEN:
            targets = self._required(graph, option) if option in MUST_EXIST else self._present(graph, option)
            forbidden_roots.update({e.expression.split(".")[0]: kind for e in self._expressions(option)
                                    if option not in MUST_EXIST})
            for target in targets:
                for source in runtime:
                    if source == target or target.is_in_package(source) or source.is_in_package(target):
                        violations.append(Violation(kind=kind, runtime=source.name, forbidden=target.name, chain=[]))
                        continue
                    output.verbose_print(verbose, f"Searching for chains from {source} to {target}...")
                    for chain in sorted(graph.find_shortest_chains(importer=source.name, imported=target.name)):
                        # Name the modules at the ends of the chain, not the configured packages.
                        violations.append(
                            Violation(kind=kind, runtime=chain[0], forbidden=chain[-1], chain=_steps(graph, chain))
                        )
        allowed_unreadable = frozenset(e.expression for e in self._expressions("allowed_unreadable"))
        violations += _through_third_party(graph, runtime, forbidden_roots, allowed_unreadable)
        violations += _dynamic_imports(graph, runtime, self._allowed_dynamic())
        violations += _stdlib_network(graph, runtime, forbidden_roots, violations)
        return ContractCheck(
            kept=not violations,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"violations": violations},
        )

    def _allowed_dynamic(self) -> frozenset[tuple[str, str]]:
        allowed: set[tuple[str, str]] = set()
        for entry in cast("Iterable[str]", self.allowed_dynamic_imports or ()):
            module, arrow, primitive = str(entry).partition("->")
            if not arrow:
                raise ValueError(f"allowed_dynamic_imports entry {entry!r} is not `module -> primitive` "
                                 "(e.g. `runtime.plugins -> importlib.import_module`)")
            allowed.add((module.strip(), primitive.strip()))
        return frozenset(allowed)

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in cast("list[Violation]", check.metadata["violations"]):
            if violation["kind"] in ("dynamic-import", "unreadable"):
                output.print_error(violation["forbidden"])
                for step in violation["chain"]:
                    output.print_error(f"    {step['importer']} -> {step['imported']}", bold=False)
                    for where in step["where"]:
                        output.print_error(f"        {where}", bold=False)
                output.new_line()
                continue
            if not violation["chain"]:
                output.print_error(
                    f"{violation['forbidden']} is {violation['kind']} code inside the runtime layer "
                    f"({violation['runtime']}): move it out of the runtime package"
                )
                output.new_line()
                continue
            output.print_error(
                f"{violation['runtime']} imports the {violation['kind']} module {violation['forbidden']}:"
            )
            output.new_line()
            for index, step in enumerate(violation["chain"]):
                prefix = "-   " if index == 0 else "    "
                output.print_error(f"{prefix}{step['importer']} -> {step['imported']}", bold=False)
                for where in step["where"]:
                    output.print_error(f"        {where}", bold=False)
            output.new_line()

    def _expressions(self, option: str) -> list[ModuleExpression]:
        value = getattr(self, option)
        return sorted(cast("Iterable[ModuleExpression]", value or ()), key=lambda e: e.expression)

    def _present(self, graph: ImportGraph, option: str) -> list[Module]:
        found = module_expressions_to_modules(graph, self._expressions(option))
        return sorted((m for m in found if m.name in graph.modules), key=_name)

    def _required(self, graph: ImportGraph, option: str) -> list[Module]:
        """The modules named by ``option``; a name matching none is a configuration error."""
        for expression in self._expressions(option):
            found = module_expressions_to_modules(graph, [expression])
            if not any(m.name in graph.modules for m in found):
                raise ValueError(
                    f"{option} names {expression.expression}, which matches no module of the graph: a typo would "
                    "switch the check off silently; fix the name or root_packages (name absent SDKs in broker_sdks)"
                )
        return self._present(graph, option)


FORBIDDEN = (
    ("strategy_modules", "strategy"),
    ("real_order_modules", "real-order"),
    ("broker_sdks", "real-order"),
    ("network_modules", "network"),
)
MUST_EXIST = frozenset({"strategy_modules", "real_order_modules"})


def _through_third_party(graph: ImportGraph, runtime: list[Module], forbidden: dict[str, str],
                         allowed_unreadable: frozenset[str]) -> list[Violation]:
    """Chains that leave the project for an installed package and reach a forbidden one from there, and
    installed packages on the way whose code cannot be read (nothing can be said of what they import)."""
    violations: list[Violation] = []
    for source in runtime:
        reached = graph.find_upstream_modules(source.name, as_package=True)
        for package in sorted(m for m in reached if graph.is_module_squashed(m) and is_third_party(m) and m not in forbidden):
            for blind, why, blind_hops in unreadable_reached(package, allowed_unreadable):
                inside = sorted(graph.find_shortest_chains(importer=source.name, imported=package))[0]
                steps = _steps(graph, inside) + [Step(importer=a, imported=b, where=w[:3]) for a, b, w in blind_hops]
                violations.append(Violation(
                    kind="unreadable", runtime=inside[0], forbidden=(
                        f"{inside[0]} reaches the installed package {blind}, whose imports cannot be read: {why}. "
                        f"Replace it with a source distribution, or name it in allowed_unreadable once reviewed:"),
                    chain=steps))
            hops = chain_to(package, frozenset(forbidden))
            if hops is None:
                continue
            inside = sorted(graph.find_shortest_chains(importer=source.name, imported=package))[0]
            steps = _steps(graph, inside) + [Step(importer=a, imported=b, where=w[:3]) for a, b, w in hops]
            violations.append(Violation(kind=forbidden[hops[-1][1]], runtime=inside[0], forbidden=hops[-1][1], chain=steps))
    return violations


def _internal(graph: ImportGraph, runtime: list[Module]) -> list[str]:
    return sorted(m for m in graph.modules if not graph.is_module_squashed(m)
                  and any(m == r.name or m.startswith(r.name + ".") for r in runtime))


def _dynamic_imports(graph: ImportGraph, runtime: list[Module], allowed: frozenset[tuple[str, str]]) -> list[Violation]:
    """Runtime modules, and project modules the runtime imports, that import by name: the graph cannot see
    what they load (docs/layering.md)."""
    violations: list[Violation] = []
    seen: set[tuple[str, int]] = set()
    for source in runtime:
        own = set(_internal(graph, [source]))
        reached = own | {m for m in graph.find_upstream_modules(source.name, as_package=True) if not graph.is_module_squashed(m)}
        for module in sorted(reached):
            file = _source_file(module)
            for use in uses_in(Path(file)):
                if (module, use.primitive) in allowed or (module, use.line) in seen:
                    continue
                seen.add((module, use.line))
                inside = (module,) if module in own else sorted(graph.find_shortest_chains(importer=source.name,
                                                                                          imported=module))[0]
                loads = f", here {use.target}" if use.target else ""
                violations.append(Violation(
                    kind="dynamic-import", runtime=inside[0], forbidden=(
                        f"{module} imports by name with {use.primitive} (what it loads{loads} is invisible to the "
                        f"import graph); import it with an import statement, or allow the call site with "
                        f"`allowed_dynamic_imports = {module} -> {use.primitive}` once reviewed:"),
                    chain=_steps(graph, inside) + [Step(importer=module, imported=use.target or use.primitive,
                                                        where=[f"{file}:{use.line}: {use.text}"])]))
    return violations


def _stdlib_network(graph: ImportGraph, runtime: list[Module], forbidden: dict[str, str],
                    found: list[Violation]) -> list[Violation]:
    """Standard-library modules the runtime (or a project module it imports) loads that reach a socket, TLS
    or another process, by the standard library's own import graph (enforcement.stdlib_network)."""
    reaching = network_reaching()
    reported = {(v["runtime"], v["forbidden"]) for v in found}
    violations: list[Violation] = []
    for source in runtime:
        own = set(_internal(graph, [source]))
        modules = own | {m for m in graph.find_upstream_modules(source.name, as_package=True) if not graph.is_module_squashed(m)}
        for module in sorted(modules):
            file = _source_file(module)
            for name, line, text in _full_imports(Path(file)):
                hit = next((n for n in _prefixes(name) if n in reaching), None)
                top = name.split(".")[0]
                if hit is None or top in forbidden or not graph.direct_import_exists(importer=module, imported=top):
                    continue
                if module in own:
                    inside: tuple[str, ...] = (module,)
                else:
                    chains = sorted(graph.find_shortest_chains(importer=source.name, imported=module))
                    if not chains:
                        continue
                    inside = chains[0]
                if (inside[0], hit) in reported:
                    continue
                reported.add((inside[0], hit))
                path = reaching[hit]
                steps = _steps(graph, inside) + [Step(importer=module, imported=hit, where=[f"{file}:{line}: {text}"])] + [
                    Step(importer=a, imported=b, where=["(the standard library's own import)"]) for a, b in zip(path, path[1:])]
                violations.append(Violation(kind="network", runtime=inside[0], forbidden=hit, chain=steps))
    return violations


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _full_imports(file: Path) -> list[tuple[str, int, str]]:
    """Absolute imports in ``file`` with their full dotted names (``from logging.handlers import HTTPHandler``)."""
    try:
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(file))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    lines = source.splitlines()
    found: list[tuple[str, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, lines[node.lineno - 1].strip()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(f"{node.module}.{alias.name}", node.lineno, lines[node.lineno - 1].strip()) for alias in node.names]
    return found


def _name(module: Module) -> str:
    return module.name


def _steps(graph: ImportGraph, chain: tuple[str, ...]) -> list[Step]:
    steps: list[Step] = []
    for importer, imported in zip(chain, chain[1:]):
        details = graph.get_import_details(importer=importer, imported=imported)
        source = _source_file(importer)
        where = [f"{source}:{d['line_number']}: {d['line_contents'].strip()}" for d in details]
        steps.append(Step(importer=importer, imported=imported, where=where or [f"{source}: (import details unavailable)"]))
    return steps


def _source_file(module: str) -> str:
    """The file of an internal module, found from its root package without importing it."""
    root, *rest = module.split(".")
    spec = importlib.util.find_spec(root)
    if spec is None or spec.origin is None:
        return module
    if spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
        candidate = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    else:
        candidate = Path(spec.origin)
    try:
        return str(candidate.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(candidate)
