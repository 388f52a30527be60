"""The client's public API: what `b24_badge_client` exports, documented, and nothing else used.

Everything public is imported in `b24_badge_client/__init__.py` and listed in `__all__`; every
module behind it is private (`_`-prefixed). Each public name has a docstring, and so has each
public method and property of the hand-written classes; names that are values (constants, type
aliases) have the string that follows their assignment. Code outside the client and its own
tests imports only the public API.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import b24_badge_client
from tests.conftest import REPO

PACKAGE = Path(b24_badge_client.__file__).parent
HAND_WRITTEN = sorted(PACKAGE.glob("_*.py"))


def test_every_module_behind_the_api_is_private() -> None:
    public = [m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if not m.name.startswith("_")]
    assert not public, f"modules {public} look public; prefix them with _ and export from __init__"


def test_all_lists_exactly_what_the_package_exports() -> None:
    exported = {
        name
        for name, value in vars(b24_badge_client).items()
        if (not name.startswith("_") and not isinstance(value, ModuleType)) or name == "models"
    }
    assert set(b24_badge_client.__all__) == exported


def _attribute_docstrings() -> dict[str, str]:
    """Module-level names of the hand-written modules with the string literal after them."""
    found: dict[str, str] = {}
    for path in HAND_WRITTEN:
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for statement, following in itertools.pairwise(body):
            targets = (
                statement.targets
                if isinstance(statement, ast.Assign)
                else [statement.target]
                if isinstance(statement, ast.AnnAssign)
                else []
            )
            if (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = following.value.value
    return found


@pytest.mark.parametrize("name", b24_badge_client.__all__)
def test_every_public_name_has_a_docstring(name: str) -> None:
    value = getattr(b24_badge_client, name)
    if inspect.isclass(value) or inspect.isfunction(value) or inspect.ismodule(value):
        doc = value.__dict__.get("__doc__") if inspect.isclass(value) else value.__doc__
    else:  # a constant or a type alias: the string after its assignment
        doc = _attribute_docstrings().get(name)
    assert (doc or "").strip(), f"b24_badge_client.{name} has no docstring"


def _own_public_members(cls: type) -> list[str]:
    return [
        name
        for name, member in vars(cls).items()
        if not name.startswith("_")
        and (inspect.isfunction(member) or isinstance(member, classmethod | property))
    ]


def _hand_written(cls: type) -> bool:
    module = cls.__module__
    return module.startswith("b24_badge_client._") and not module.startswith(
        "b24_badge_client._generated"
    )


HAND_WRITTEN_CLASSES = [
    value
    for name in b24_badge_client.__all__
    if inspect.isclass(value := getattr(b24_badge_client, name)) and _hand_written(value)
]


@pytest.mark.parametrize("cls", HAND_WRITTEN_CLASSES, ids=lambda cls: cls.__name__)
def test_every_public_method_has_a_docstring(cls: type) -> None:
    """Inherited methods too: the clients' batch methods come from base classes."""
    undocumented = [
        f"{base.__name__}.{name}"
        for base in cls.__mro__
        if _hand_written(base)
        for name in _own_public_members(base)
        if not inspect.getdoc(getattr(base, name)) or not _own_doc(base, name)
    ]
    assert not undocumented, f"{cls.__name__}: no docstring on {undocumented}"


def _own_doc(cls: type, name: str) -> str | None:
    member = vars(cls)[name]
    function = member.__func__ if isinstance(member, classmethod) else member
    return function.__doc__ if not isinstance(function, property) else function.fget.__doc__


PRIVATE_IMPORT = re.compile(r"^\s*(from|import)\s+b24_badge_client\.(?!\s)", re.MULTILINE)


def test_other_code_imports_only_the_public_api() -> None:
    """The suite, the emulator, the benchmarks and the other tests use `b24_badge_client` only
    (the client's own tests may reach inside)."""
    roots = ["contract_tests", "emulator", "spec", "benchmarks", "scripts", "tests"]
    offenders = [
        str(path.relative_to(REPO))
        for root in roots
        for path in (REPO / root).rglob("*.py")
        if "tests/client" not in path.as_posix() and PRIVATE_IMPORT.search(path.read_text())
    ]
    assert not offenders, f"these import client internals: {offenders}"
