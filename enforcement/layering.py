"""An import-linter contract type for QTS code bases: the runtime layer must not reach
strategy or real-order code, directly or through any chain of imports (seed 2.1: the
loop "contains no strategy logic"; seed 3: "the real-order path is not used").

Adopt it with two lines in ``.importlinter`` (see ``docs/layering.md``)::

    [importlinter]
    root_packages = runtime strategy broker
    include_external_packages = True
    contract_types =
        qts_runtime_isolation: enforcement.layering.RuntimeIsolationContract

    [importlinter:contract:runtime-isolation]
    name = the runtime layer reaches no strategy or real-order code
    type = qts_runtime_isolation
    runtime_modules = runtime
    strategy_modules = strategy
    real_order_modules =
        broker
        kiwoom_sdk

Each offending import is reported as its full chain, every step with the file, line
and source text of the import, so the fix can start from the first line printed.
"""

from __future__ import annotations

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
    """The runtime layer imports no strategy module and no real-order module.

    Options:
        - runtime_modules: the runtime layer (module expressions, packages included).
        - strategy_modules: strategy code (module expressions).
        - real_order_modules: real-order code: internal modules or external packages such
          as a broker SDK (needs ``include_external_packages = True``).
        - ignore_imports: imports to leave out, as in import-linter's own contracts.

    At least one of ``strategy_modules`` and ``real_order_modules`` is required.
    Indirect imports count: any chain from the runtime to a forbidden module breaks it.
    """

    type_name = "qts_runtime_isolation"

    runtime_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    strategy_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    real_order_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def validate(self) -> None:
        if not (self._expressions("strategy_modules") or self._expressions("real_order_modules")):
            raise InvalidContractOptions(
                {"strategy_modules": "name strategy_modules, real_order_modules, or both: otherwise nothing is forbidden"}
            )

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=cast("list[ImportExpression] | None", self.ignore_imports),
            unmatched_alerting=AlertLevel.ERROR,
        )
        runtime = sorted(module_expressions_to_modules(graph, self._expressions("runtime_modules")), key=_name)
        missing = [m.name for m in runtime if m.name not in graph.modules]
        if not runtime or missing:
            raise ValueError(
                f"runtime_modules names no module of the graph ({', '.join(missing) or 'none matched'}); "
                "check the names and root_packages"
            )
        violations: list[Violation] = []
        for kind, option in (("strategy", "strategy_modules"), ("real-order", "real_order_modules")):
            forbidden = module_expressions_to_modules(graph, self._expressions(option))
            for target in sorted((m for m in forbidden if m.name in graph.modules), key=_name):
                for source in runtime:
                    if source.is_in_package(target) or target.is_in_package(source) or source == target:
                        continue
                    output.verbose_print(verbose, f"Searching for chains from {source} to {target}...")
                    for chain in sorted(graph.find_shortest_chains(importer=source.name, imported=target.name)):
                        # Name the modules at the ends of the chain, not the configured packages.
                        violations.append(
                            Violation(kind=kind, runtime=chain[0], forbidden=chain[-1], chain=_steps(graph, chain))
                        )
        return ContractCheck(
            kept=not violations,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"violations": violations},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in cast("list[Violation]", check.metadata["violations"]):
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
