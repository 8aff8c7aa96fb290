"""The layering contracts fail where they should: the documented downstream template on
fixture projects, and this repository's own .importlinter on planted violations."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def documented_template() -> str:
    text = (ROOT / "docs" / "layering.md").read_text(encoding="utf-8")
    found = re.search(r"```ini\n(?P<config>.*?)```", text, re.DOTALL)
    assert found, "docs/layering.md lost its ini template"
    return found.group("config")


def lint(project: Path, path_entry: Path, *more: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in (path_entry, *more))}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env, capture_output=True, text=True, check=False
    )


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


SEED_LAYOUT = {
    "src/runtime/__init__.py": "",
    "src/runtime/execution_loop/__init__.py": "",
    "src/runtime/execution_loop/loop.py": "from runtime.execution_state import transition\n",
    "src/runtime/execution_state/__init__.py": "",
    "src/runtime/execution_state/transition.py": "TABLE = {}\n",
    "src/runtime/risk/__init__.py": "",
    "src/strategy/__init__.py": "",
    "src/strategy/alpha.py": "SIGNAL = 1\n",
    "src/broker/__init__.py": "",
    "src/broker/real_order.py": "def send(): ...\n",
    "src/common/__init__.py": "",
    "src/common/util.py": "VALUE = 1\n",
}


def fixture_project(tmp_path: Path, changes: dict[str, str]) -> Path:
    write(tmp_path, {**SEED_LAYOUT, **changes, ".importlinter": documented_template()})
    return tmp_path


def test_a_clean_runtime_passes(tmp_path: Path) -> None:
    project = fixture_project(tmp_path, {"src/strategy/alpha.py": "from runtime.execution_loop import loop\n"})
    result = lint(project, project / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"src/runtime/execution_loop/loop.py": "import strategy.alpha\n"},
            [
                "runtime.execution_loop.loop imports the strategy module strategy.alpha:",
                "-   runtime.execution_loop.loop -> strategy.alpha",
                "src/runtime/execution_loop/loop.py:1: import strategy.alpha",
            ],
            id="direct-strategy",
        ),
        pytest.param(
            {
                "src/runtime/execution_loop/loop.py": "from common import util\n",
                "src/common/util.py": "\nimport strategy.alpha\n",
            },
            [
                "runtime.execution_loop.loop imports the strategy module strategy.alpha:",
                "-   runtime.execution_loop.loop -> common.util",
                "src/runtime/execution_loop/loop.py:1: from common import util",
                "    common.util -> strategy.alpha",
                "src/common/util.py:2: import strategy.alpha",
            ],
            id="indirect-strategy-through-a-helper",
        ),
        pytest.param(
            {"src/runtime/risk/gate.py": "from broker.real_order import send\n"},
            [
                "runtime.risk.gate imports the real-order module broker.real_order:",
                "src/runtime/risk/gate.py:1: from broker.real_order import send",
            ],
            id="real-order-module",
        ),
        pytest.param(
            {"src/runtime/execution_loop/loop.py": "import os\nimport kiwoom_sdk\n"},
            [
                "runtime.execution_loop.loop imports the real-order module kiwoom_sdk:",
                "src/runtime/execution_loop/loop.py:2: import kiwoom_sdk",
            ],
            id="broker-sdk",
        ),
        pytest.param(
            {"src/runtime/execution_loop/loop.py": "import requests\n"},
            ["runtime.execution_loop.loop imports the network module requests:"],
            id="network-client",
        ),
        pytest.param(
            {"src/runtime/risk/gate.py": "from urllib.request import urlopen\n"},
            ["runtime.risk.gate imports the network module urllib:"],
            id="stdlib-network-client",
        ),
        pytest.param(
            {"src/runtime/execution_loop/loop.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import strategy.alpha\n"},
            [
                "runtime.execution_loop.loop imports the strategy module strategy.alpha:",
                "src/runtime/execution_loop/loop.py:4: import strategy.alpha",
            ],
            id="type-checking-imports-count",
        ),
    ],
)
def test_the_documented_template_catches_each_violation(tmp_path: Path, changes: dict[str, str], expected: list[str]) -> None:
    project = fixture_project(tmp_path, changes)
    result = lint(project, project / "src")
    assert result.returncode != 0, result.stdout
    for line in expected:
        assert line in result.stdout, f"missing {line!r} in:\n{result.stdout}"


def test_a_broker_sdk_behind_a_third_party_wrapper_is_caught(tmp_path: Path) -> None:
    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": "import fancy_wrapper\n"})
    write(tmp_path, {"site/fancy_wrapper/__init__.py": "from fancy_wrapper import inner\n",
                     "site/fancy_wrapper/inner.py": "import os\nimport ccxt\n"})
    result = lint(project, project / "src", tmp_path / "site")
    assert result.returncode != 0, result.stdout
    out = " ".join(result.stdout.split())
    assert "runtime.execution_loop.loop imports the real-order module ccxt:" in out
    assert "fancy_wrapper -> ccxt" in out and "fancy_wrapper/inner.py:2: import ccxt" in out


def test_real_order_code_inside_the_runtime_named_in_the_contract_is_a_violation(tmp_path: Path) -> None:
    config = documented_template().replace("real_order_modules =\n    broker\n", "real_order_modules =\n    broker\n    runtime.broker\n")
    write(tmp_path, {**SEED_LAYOUT, "src/runtime/broker/__init__.py": "", ".importlinter": config})
    result = lint(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert "runtime.broker is real-order code inside the runtime layer (runtime)" in " ".join(result.stdout.split())


@pytest.mark.parametrize(("option", "typo"), [("strategy_modules", "stratgy"), ("real_order_modules", "brokr")])
def test_a_misspelt_module_name_is_a_configuration_error(tmp_path: Path, option: str, typo: str) -> None:
    original = "strategy" if option == "strategy_modules" else "broker"
    config = documented_template().replace(f"{option} =\n    {original}\n", f"{option} =\n    {typo}\n")
    write(tmp_path, {**SEED_LAYOUT, ".importlinter": config})
    result = lint(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert f"{option} names {typo}, which matches no module of the graph" in " ".join((result.stdout + result.stderr).split())


def test_a_contract_that_forbids_nothing_is_refused(tmp_path: Path) -> None:
    config = documented_template()
    config = re.sub(r"strategy_modules =\n    strategy\n", "", config)
    config = re.sub(r"# The real-order path.*?websockets\n", "", config, flags=re.DOTALL)
    write(tmp_path, {**SEED_LAYOUT, ".importlinter": config})
    result = lint(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert "name strategy_modules, real_order_modules, broker_sdks or network_modules" in " ".join(result.stdout.split())


PLANTS = [
    pytest.param(
        "reference_impl/runtime/execution_loop/loop.py", "import threading\n",
        "reference_impl.runtime is not allowed to import threading", id="runtime-imports-threading",
    ),
    pytest.param(
        "reference_impl/runtime/risk/noop_risk_gate.py", "from reference_impl import simulated_route\n",
        "reference_impl.runtime.risk.noop_risk_gate imports the real-order module reference_impl.simulated_route",
        id="runtime-imports-a-route",
    ),
    pytest.param(
        "reference_impl/runtime/execution_loop/controller.py", "import ccxt\n",
        "reference_impl.runtime.execution_loop.controller imports the real-order module ccxt", id="runtime-imports-a-broker-sdk",
    ),
    pytest.param(
        "spec/values.py", "import reference_impl\n",
        "spec is not allowed to import reference_impl", id="spec-imports-the-reference",
    ),
    pytest.param(
        "spec/values.py", "import hypothesis\n",
        "spec is not allowed to import hypothesis", id="spec-imports-a-test-framework",
    ),
    pytest.param(
        "conformance_tests/harness.py", "import reference_impl.binding\n",
        "conformance_tests is not allowed to import reference_impl", id="suite-imports-the-reference",
    ),
    pytest.param(
        "spec/values.py", "import enforcement\n",
        "spec is not allowed to import enforcement", id="spec-imports-enforcement",
    ),
    pytest.param(
        "conformance_tests/harness.py", "import enforcement.assets\n",
        "conformance_tests is not allowed to import enforcement", id="suite-imports-enforcement",
    ),
    pytest.param(
        "enforcement/assets/lock.py", "import conformance_tests.plugin\n",
        "enforcement is not allowed to import conformance_tests", id="enforcement-imports-more-than-the-binding-loader",
    ),
    pytest.param(
        "conformance_tests/remote.py", "from conformance_tests import host\n",
        "conformance_tests.remote is not allowed to import conformance_tests.host", id="judge-imports-the-host",
    ),
    pytest.param(
        "conformance_tests/host.py", "import hypothesis\n",
        "conformance_tests.host is not allowed to import hypothesis", id="host-imports-a-test-framework",
    ),
    pytest.param(
        "conformance_tests/guards.py", "import conformance_tests.doubles\n",
        "conformance_tests.host is not allowed to import conformance_tests.doubles", id="host-reaches-a-double-indirectly",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "line", "message"), PLANTS)
def test_this_repositorys_contracts_fail_on_a_planted_violation(tmp_path: Path, path: str, line: str, message: str) -> None:
    for package in ("spec", "reference_impl", "conformance_tests", "enforcement"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    assert lint(tmp_path, tmp_path).returncode == 0, "the unplanted copy must pass"
    with (tmp_path / path).open("a", encoding="utf-8") as planted:
        planted.write(line)
    result = lint(tmp_path, tmp_path)
    assert result.returncode != 0, result.stdout
    assert message in " ".join(result.stdout.split()), result.stdout


# --- imports that are not import statements ---------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param('import importlib\n\nalpha = importlib.import_module("strategy.alpha")\n',
                     "runtime.execution_loop.loop imports by name with importlib.import_module (what it loads, here "
                     "strategy.alpha is invisible", id="import_module"),
        pytest.param('from importlib.metadata import entry_points\n\nPLUGINS = entry_points(group="qts.strategies")\n',
                     "runtime.execution_loop.loop imports by name with importlib.metadata.entry_points", id="entry_points"),
        pytest.param('alpha = __import__("strategy.alpha")\n',
                     "runtime.execution_loop.loop imports by name with builtins.__import__ (what it loads, here strategy.alpha",
                     id="dunder-import"),
        pytest.param('exec("import strategy.alpha")\n',
                     "runtime.execution_loop.loop imports by name with builtins.exec (what it loads, here strategy.alpha",
                     id="exec"),
    ],
)
def test_dynamic_imports_in_the_runtime_are_refused(tmp_path: Path, code: str, expected: str) -> None:
    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": code})
    result = lint(project, project / "src")
    assert result.returncode != 0, result.stdout
    out = "".join(result.stdout.split())  # rich wraps long lines anywhere
    assert "".join(expected.split()) in out and "src/runtime/execution_loop/loop.py:" in out, result.stdout


def test_an_allow_listed_dynamic_import_call_site_is_accepted(tmp_path: Path) -> None:
    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": 'import importlib\n\nimportlib.import_module("json")\n'})
    config = documented_template().replace(
        "runtime_modules =\n    runtime\n",
        "runtime_modules =\n    runtime\nallowed_dynamic_imports =\n    runtime.execution_loop.loop -> importlib.import_module\n")
    write(project, {".importlinter": config})
    result = lint(project, project / "src")
    assert result.returncode == 0, result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("from xmlrpc.client import ServerProxy\n",
                     ["runtime.execution_loop.loop imports the network module xmlrpc.client:",
                      "src/runtime/execution_loop/loop.py:1: from xmlrpc.client import ServerProxy",
                      "xmlrpc.client -> http.client", "http.client -> socket"], id="xmlrpc"),
        pytest.param("from logging.handlers import HTTPHandler\n",
                     ["runtime.execution_loop.loop imports the network module logging.handlers:",
                      "logging.handlers -> socket"], id="logging-http-handler"),
        pytest.param('import subprocess\n\n\ndef fetch() -> None:\n    subprocess.run(["curl", "https://x"], check=True)\n',
                     ["runtime.execution_loop.loop imports the network module subprocess:",
                      "src/runtime/execution_loop/loop.py:1: import subprocess"], id="subprocess-curl"),
    ],
)
def test_stdlib_modules_that_reach_the_network_are_refused_without_being_listed(tmp_path: Path, code: str,
                                                                                expected: list[str]) -> None:
    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": code})
    result = lint(project, project / "src")
    assert result.returncode != 0, result.stdout
    out = "".join(result.stdout.split())  # rich wraps long lines anywhere
    for line in expected:
        assert "".join(line.split()) in out, f"missing {line!r} in:\n{result.stdout}"


def test_the_derived_network_list_comes_from_the_stdlib_import_graph() -> None:
    """Derived, not listed: every module found reaches a socket, TLS or a process by its own imports."""
    from enforcement.stdlib_network import REACHED, network_reaching

    found = network_reaching()
    assert {"xmlrpc.client", "logging.handlers", "smtplib", "http.client", "urllib.request", "subprocess"} <= set(found)
    assert not {"logging", "typing", "dataclasses", "enum", "collections", "functools"} & set(found)
    assert all(path[-1] in REACHED for path in found.values())


def test_a_broker_sdk_behind_a_namespace_package_is_caught(tmp_path: Path) -> None:
    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": "import nswrap.venue\n"})
    write(tmp_path, {"site/nswrap/venue.py": "import ccxt\n"})  # PEP 420: no __init__.py
    result = lint(project, project / "src", tmp_path / "site")
    assert result.returncode != 0, result.stdout
    out = " ".join(result.stdout.split())
    assert "runtime.execution_loop.loop imports the real-order module ccxt:" in out and "nswrap/venue.py:1: import ccxt" in out


def test_a_broker_sdk_a_wrapper_loads_with_importlib_is_caught(tmp_path: Path) -> None:
    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": "import lazy_wrapper\n"})
    write(tmp_path, {"site/lazy_wrapper/__init__.py": 'import importlib\n\nsdk = importlib.import_module("ccxt")\n'})
    result = lint(project, project / "src", tmp_path / "site")
    assert result.returncode != 0, result.stdout
    out = " ".join(result.stdout.split())
    assert "runtime.execution_loop.loop imports the real-order module ccxt:" in out
    assert 'lazy_wrapper/__init__.py:3: sdk = importlib.import_module("ccxt")' in out


def test_a_sourceless_vendor_wrapper_is_refused_unless_allow_listed(tmp_path: Path) -> None:
    import py_compile

    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": "import vendor_wrap\n"})
    write(tmp_path, {"build/vendor_wrap/__init__.py": "import ccxt\n"})
    (tmp_path / "site" / "vendor_wrap").mkdir(parents=True)
    py_compile.compile(str(tmp_path / "build/vendor_wrap/__init__.py"), cfile=str(tmp_path / "site/vendor_wrap/__init__.pyc"))
    result = lint(project, project / "src", tmp_path / "site")
    assert result.returncode != 0, result.stdout
    out = "".join(result.stdout.split())  # rich wraps long lines anywhere
    assert "runtime.execution_loop.loopreachestheinstalledpackagevendor_wrap,whoseimportscannotberead:" in out
    assert "vendor_wrap/__init__.pycisbytecodewithoutitssource" in out
    config = documented_template().replace("runtime_modules =\n    runtime\n",
                                           "runtime_modules =\n    runtime\nallowed_unreadable =\n    vendor_wrap\n")
    write(project, {".importlinter": config})
    assert lint(project, project / "src", tmp_path / "site").returncode == 0


def test_a_dynamic_import_in_a_helper_the_runtime_imports_is_refused_with_the_chain(tmp_path: Path) -> None:
    project = fixture_project(tmp_path, {
        "src/runtime/execution_loop/loop.py": "from common import util\n",
        "src/common/util.py": 'import importlib\n\nPLUGIN = importlib.import_module("strategy.alpha")\n',
    })
    result = lint(project, project / "src")
    assert result.returncode != 0, result.stdout
    out = "".join(result.stdout.split())
    assert "common.utilimportsbynamewithimportlib.import_module(whatitloads,herestrategy.alphaisinvisible" in out
    assert "runtime.execution_loop.loop->common.util" in out and "src/common/util.py:3:" in out


def test_a_package_loaded_from_a_zip_archive_is_refused_as_unreadable(tmp_path: Path) -> None:
    import zipfile

    project = fixture_project(tmp_path, {"src/runtime/execution_loop/loop.py": "import zipwrap\n"})
    with zipfile.ZipFile(tmp_path / "vendor.zip", "w") as archive:
        archive.writestr("zipwrap/__init__.py", "import ccxt\n")
    result = lint(project, project / "src", tmp_path / "vendor.zip")
    assert result.returncode != 0, result.stdout
    out = "".join(result.stdout.split())
    assert "reachestheinstalledpackagezipwrap,whoseimportscannotberead:" in out and "isloadedbyzipimporter" in out
