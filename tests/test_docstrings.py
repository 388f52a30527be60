"""Every public name of the toolkit's hand-written packages has a docstring.

Public: a module whose dotted path has no `_`-prefixed part, and in it the names of `__all__`
(else every class and function it defines without a leading underscore); for a class, the
methods and properties its own body defines, and those of its hand-written base classes (the
client's clients get their batch methods from private bases). A value in `__all__` (a constant,
a type alias) has the string literal that follows its assignment, in the module that assigns
it; a module in `__all__` has its module docstring.

The generated client is documented by its generator, and the suite's test modules are tests;
both are left out, except that a generated name a public module re-exports must still have a
docstring of its own (its members are the generator's). pytest hooks are left out too.

A docstring is one a person wrote: the `Name(field: type, ...)` line that `dataclass` and
`NamedTuple` put on an undocumented class does not count, and a pytest fixture is judged by the
function it wraps.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PACKAGES = ("b24_spec", "b24_emulator", "b24_conformance", "b24_badge_client")
NOT_DOCUMENTED_HERE = ("b24_badge_client._generated", "b24_conformance.suite")


def public_modules(packages: Sequence[str] = PACKAGES) -> Iterator[ModuleType]:
    for name in packages:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            parts = info.name.split(".")
            if any(part.startswith("_") for part in parts) or info.name.startswith(
                NOT_DOCUMENTED_HERE
            ):
                continue
            yield importlib.import_module(info.name)


def _unwrapped(value: object) -> object:
    """A decorated function (a pytest fixture, ...) as the function it wraps; else `value`."""
    if callable(value) and not inspect.isclass(value):
        inner = inspect.unwrap(value)
        if inspect.isfunction(inner):
            return inner
    return value


def is_pytest_hook(name: str) -> bool:
    """pytest documents its hooks (and refuses an unknown `pytest_` name), so they are exempt."""
    return name.rpartition(".")[2].startswith("pytest_")


def public_names(module: ModuleType) -> Iterator[tuple[str, object]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and getattr(value, "__module__", None) == module.__name__
            and (inspect.isclass(value) or inspect.isfunction(_unwrapped(value)))
        ]
    for name in names:
        yield f"{module.__name__}.{name}", _unwrapped(getattr(module, name))


def _hand_written(owner: type, packages: Sequence[str]) -> bool:
    module = owner.__module__
    return module.startswith(tuple(packages)) and not module.startswith(NOT_DOCUMENTED_HERE)


def members(owner: type, packages: Sequence[str] = PACKAGES) -> Iterator[tuple[str, object]]:
    """The public methods and properties of `owner` and of its hand-written base classes."""
    for base in owner.__mro__:
        if base is not owner and not _hand_written(base, packages):
            continue
        for name, value in vars(base).items():
            if name.startswith("_"):
                continue
            if isinstance(value, property | staticmethod | classmethod) or inspect.isfunction(
                value
            ):
                yield name, value.fget if isinstance(value, property) else value


def has_docstring(value: object) -> bool:
    """A docstring someone wrote, not one `dataclass` or `NamedTuple` made up: `Name(x: int)`."""
    doc = (getattr(value, "__doc__", None) or "").strip()
    if inspect.isclass(value) and (dataclasses.is_dataclass(value) or hasattr(value, "_fields")):
        return bool(doc) and not doc.startswith(f"{value.__name__}(")
    return bool(doc)


def _assigned_names(statement: ast.stmt) -> list[str]:
    """`A = ...`, `A: T = ...` and `A, B = ...` assign these names."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    else:
        return []
    names = []
    for target in targets:
        elements = target.elts if isinstance(target, ast.Tuple) else [target]
        names += [element.id for element in elements if isinstance(element, ast.Name)]
    return names


def _imported_as(statement: ast.stmt, name: str) -> tuple[str, str] | None:
    """(module, original name) when `statement` is `from module import original as name`."""
    if not isinstance(statement, ast.ImportFrom) or not statement.module or statement.level:
        return None
    for alias in statement.names:
        if (alias.asname or alias.name) == name:
            return statement.module, alias.name
    return None


def value_has_docstring(module: ModuleType, name: str) -> bool:
    """The string after the assignment of `name`, in `module` or the module it imports it from."""
    body = ast.parse(inspect.getsource(module)).body
    for statement, following in zip(body, [*body[1:], None], strict=True):
        if name in _assigned_names(statement):
            return (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
                and bool(following.value.value.strip())
            )
        if imported := _imported_as(statement, name):
            origin, original = imported
            return value_has_docstring(importlib.import_module(origin), original)
    return False


def undocumented(packages: Sequence[str] = PACKAGES) -> list[str]:
    missing = []
    seen: set[int] = set()
    for module in public_modules(packages):
        if not inspect.getdoc(module):
            missing.append(module.__name__)
        for name, value in public_names(module):
            if is_pytest_hook(name):
                continue
            if inspect.ismodule(value):
                if not inspect.getdoc(value):
                    missing.append(name)
                continue
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                if not value_has_docstring(module, name.rpartition(".")[2]):
                    missing.append(name)
                continue
            if id(value) in seen:
                continue
            seen.add(id(value))
            if not has_docstring(value):
                missing.append(name)
            if not inspect.isclass(value) or not _hand_written(value, packages):
                continue
            for member, function in members(value, packages):
                if id(function) in seen or is_pytest_hook(member):
                    continue
                seen.add(id(function))
                if not has_docstring(function):
                    missing.append(f"{name}.{member}")
    return missing


def test_every_public_name_has_a_docstring() -> None:
    assert undocumented() == []


def _bare_function() -> object:
    def bare() -> None:
        pass

    return bare


def _bare_dataclass() -> object:
    @dataclasses.dataclass
    class Bare:
        value: int

    return Bare


def _bare_fixture() -> object:
    def bare() -> None:
        pass

    bare.__module__ = "b24_spec.contract"  # before pytest copies it onto its wrapper
    return pytest.fixture(bare)


@pytest.mark.parametrize("make", [_bare_function, _bare_dataclass, _bare_fixture])
def test_a_public_name_without_one_is_found(
    make: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import b24_spec.contract

    bare = make()
    bare.__module__ = "b24_spec.contract"
    monkeypatch.setattr(b24_spec.contract, "bare", bare, raising=False)
    assert "b24_spec.contract.bare" in undocumented()


PROBE = "docstring_probe"  # a throwaway package with one of each kind of public name
PROBE_FILES = {
    "__init__.py": '''"""A package to probe the rule with."""

from pathlib import Path
from types import ModuleType

from docstring_probe._values import DOCUMENTED, PAIR_B as RENAMED, BARE
from docstring_probe._classes import Child

bare_module = ModuleType("bare_module")

__all__ = ["BARE", "DOCUMENTED", "RENAMED", "bare_module", "Child"]
''',
    "_values.py": '''DOCUMENTED = 1
"""Why it is 1."""

BARE = 2

PAIR_A, PAIR_B = 3, 4
"""Both, in one string."""
''',
    "_classes.py": '''class _Base:
    def inherited(self) -> None:
        pass

    def documented(self) -> None:
        """Why it is here."""


class Child(_Base):
    """A public class that gets its methods from a private base."""
''',
    "plugin.py": '''"""Hooks, which pytest documents."""


def pytest_addoption(parser: object) -> None:
    pass


class Plugin:
    """A plugin object."""

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        pass
''',
}


def test_values_modules_inherited_methods_and_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value in `__all__` without its string, a module without a docstring and a method a
    public class inherits from a private base are found; a string after a tuple assignment and
    a renamed import count; pytest hooks are left out."""
    (tmp_path / PROBE).mkdir()
    for name, text in PROBE_FILES.items():
        (tmp_path / PROBE / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = undocumented((PROBE,))
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == PROBE]:
            del sys.modules[name]
    assert found == [f"{PROBE}.BARE", f"{PROBE}.bare_module", f"{PROBE}.Child.inherited"]


def test_a_generated_name_the_client_exports_needs_a_docstring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its members are the generator's, but the name itself is the client's API."""
    import b24_badge_client

    bare = _bare_function()
    bare.__module__ = "b24_badge_client._generated.models"
    monkeypatch.setattr(b24_badge_client, "bare", bare, raising=False)
    monkeypatch.setattr(b24_badge_client, "__all__", [*b24_badge_client.__all__, "bare"])
    assert "b24_badge_client.bare" in undocumented()
