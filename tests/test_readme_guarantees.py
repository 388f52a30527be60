"""What the README names exists: the tests it cites as proof, the paths, the scripts and the
options of the two commands and of the pytest plugin.

A guarantee cited with a test that was renamed or removed proves nothing, and an option the
README teaches that the command does not know fails the reader's first run; each of these
checks makes the README fail instead. Citations are read from backticked spans:
`tests/x/test_y.py::test_name` (a parametrized name without its `[...]`), `::test_name` for the
file cited just before it, a bare `test_name` or `test_y.py`, and any path under the clone's
top-level folders.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tests.conftest import REPO

README = REPO / "README.md"
PLUGIN = REPO / "contract_tests/b24_conformance/plugin.py"
TOP_LEVEL = {"tests", "spec", "generated_client", "emulator", "contract_tests", "benchmarks"}
TOP_LEVEL |= {"scripts", ".github", "ci-recipes", ".ci"}
WHERE_TESTS_ARE = (REPO / "tests", REPO / "contract_tests/b24_conformance/suite")
CONFORMANCE_SECTION = "## The conformance suite: b24-conformance"
EMULATOR_SECTION = "## The portal emulator: b24-emulator"
PYTEST_FLAGS = {"--pyargs", "--showlocals", "--junitxml"}  # pytest's own, in the suite's section

SPAN = re.compile(r"`([^`\n]+)`")
CITATION = re.compile(r"^(?P<path>[\w./-]+\.py)?::(?P<name>\w+)(?:\[.*\])?$")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
SCRIPT = re.compile(r"(?<![\w/])(?:\./)?scripts/([\w.-]+)")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def spans(text: str) -> list[str]:
    """The README's backticked spans, in order (code blocks included, line by line)."""
    return SPAN.findall(text)


def section(text: str, heading: str) -> str:
    """The text under `heading`, up to the next heading of the same level."""
    assert heading in text, f"README.md has no section {heading!r}"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def citations(text: str) -> Iterator[tuple[str, str]]:
    """(file, test name) for every `path::name` and `::name` span; a bare `::name` belongs to
    the last file cited before it."""
    last: str | None = None
    for span in spans(text):
        match = CITATION.match(span)
        if match is None:
            continue
        path = match["path"] or last
        assert path is not None, f"`{span}` in README.md follows no file to belong to"
        last = path
        yield path, match["name"]


def defined_tests(path: Path) -> set[str]:
    """The test functions `path` defines, at module level or in classes (as pytest collects)."""
    names: set[str] = set()

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.ClassDef):
                walk(node.body)

    walk(ast.parse(path.read_text(encoding="utf-8")).body)
    return {name for name in names if name.startswith("test")}


@cache
def every_test_file() -> dict[str, list[Path]]:
    """Test files by their file name, wherever they are."""
    found: dict[str, list[Path]] = {}
    for root in WHERE_TESTS_ARE:
        for path in root.rglob("test_*.py"):
            found.setdefault(path.name, []).append(path)
    return found


def test_every_cited_test_exists() -> None:
    missing = []
    cited = list(citations(readme()))
    for path, name in cited:
        file = REPO / path
        if not file.is_file():
            missing.append(f"{path}::{name}: no such file")
        elif name not in defined_tests(file):
            missing.append(f"{path}::{name}: {path} defines no test function {name}")
    assert cited, "README.md cites no test"
    assert not missing, "README.md cites tests that do not exist:\n" + "\n".join(missing)


def test_every_bare_test_name_and_test_file_exists() -> None:
    """`test_name` and `test_file.py` without a folder, as the prose cites them."""
    every_name = {
        name for paths in every_test_file().values() for p in paths for name in defined_tests(p)
    }
    missing = []
    for span in spans(readme()):
        if re.fullmatch(r"test_\w+\.py", span) and span not in every_test_file():
            missing.append(f"`{span}`: no test file of that name under tests/ or the suite")
        elif re.fullmatch(r"test_\w+", span) and span not in every_name:
            missing.append(f"`{span}`: no test function of that name under tests/ or the suite")
    assert not missing, "README.md names tests that do not exist:\n" + "\n".join(missing)


def cited_paths(text: str) -> Iterator[str]:
    """Spans that are paths in the clone: under a top-level folder, no wildcard or ellipsis."""
    for span in spans(text):
        for word in span.split():
            path = word.split("::", 1)[0].rstrip(".,;:)")
            if path.split("/", 1)[0] in TOP_LEVEL and not re.search(r"[*<>$…]|\.\.\.", path):
                yield path


def test_every_cited_path_exists() -> None:
    paths = sorted(set(cited_paths(readme())))
    missing = [path for path in paths if not (REPO / path).exists()]
    assert paths, "README.md names no path"
    assert not missing, "README.md names paths that do not exist: " + ", ".join(missing)


def test_every_script_named_exists_and_is_executable() -> None:
    names = sorted(set(SCRIPT.findall(readme())))
    broken = [
        f"scripts/{name}"
        for name in names
        if not (REPO / "scripts" / name).is_file()
        or not os.access(REPO / "scripts" / name, os.X_OK)
    ]
    assert names, "README.md names no script"
    assert not broken, "README.md names scripts that do not exist or cannot run: " + ", ".join(
        broken
    )


def plugin_options() -> set[str]:
    """The options `b24_conformance/plugin.py` registers (`addoption("--b24-...")`)."""
    tree = ast.parse(PLUGIN.read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "addoption"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_every_pytest_option_named_is_registered_by_the_plugin() -> None:
    named = {flag for flag in FLAG.findall(readme()) if flag.startswith("--b24-")}
    unknown = sorted(named - plugin_options())
    assert named, "README.md names no --b24- option"
    assert not unknown, (
        f"README.md names pytest options that {PLUGIN.relative_to(REPO)} does not register: "
        + ", ".join(unknown)
    )


def assert_in_help(named: set[str], command: str, module: str) -> None:
    """Every option in `named` is one that `python -m MODULE --help` (`command`) lists."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=120,  # a hang guard; it takes about a second
    )
    unknown = sorted(named - set(FLAG.findall(done.stdout)))
    assert named, f"README.md names no {command} option"
    assert not unknown, (
        f"README.md names {command} options that `{command} --help` does not list "
        f"(python -m {module} --help): " + ", ".join(unknown)
    )


def command_flags(text: str, command: str) -> set[str]:
    """The options given to `command` on the README's lines that run it."""
    flags: set[str] = set()
    for line in text.splitlines():
        for part in re.split(r"`|\|\||&&|;", line):
            if re.search(rf"(?<![\w-]){re.escape(command)}\b", part):
                flags.update(FLAG.findall(part.split(command, 1)[1]))
    return flags


def conformance_flags(text: str) -> set[str]:
    """Options of b24-conformance: those on its command lines anywhere, and every option of its
    own section but the pytest plugin's and pytest's."""
    scripts = command_flags(text, "./scripts/conformance") | command_flags(text, "b24-conformance")
    own = set(FLAG.findall(section(text, CONFORMANCE_SECTION)))
    own = {flag for flag in own if not flag.startswith("--b24-") and flag not in PYTEST_FLAGS}
    return scripts | own


def test_every_conformance_flag_named_is_in_its_help() -> None:
    assert_in_help(conformance_flags(readme()), "b24-conformance", "b24_conformance.cli")


def emulator_flags(text: str) -> set[str]:
    """Options of b24-emulator: on its command lines anywhere, and in its own section."""
    lines = command_flags(text, "./scripts/emulator") | command_flags(text, "b24-emulator")
    return lines | set(FLAG.findall(section(text, EMULATOR_SECTION)))


def test_every_emulator_flag_named_is_in_its_help() -> None:
    assert_in_help(emulator_flags(readme()), "b24-emulator", "b24_emulator.cli")
