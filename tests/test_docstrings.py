"""Every public name of the toolkit's hand-written packages has a docstring.

Public: a module whose dotted path has no `_`-prefixed part, and in it the names of `__all__`
(else every name it defines without a leading underscore); for a class, the methods and
properties its own body defines. The generated client is documented by its generator, and the
suite's test modules are tests; both are left out.

A docstring is one a person wrote: the `Name(field: type, ...)` line that `dataclass` and
`NamedTuple` put on an undocumented class does not count, and a pytest fixture is judged by the
function it wraps.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

import pytest

# The packages held to it so far. The lead extends this to b24_conformance and b24_badge_client
# once the branches that are documenting them are merged.
PACKAGES = ("b24_spec", "b24_emulator")
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


def members(owner: type) -> Iterator[tuple[str, object]]:
    for name, value in vars(owner).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property | staticmethod | classmethod) or inspect.isfunction(value):
            yield name, value.fget if isinstance(value, property) else value


def has_docstring(value: object) -> bool:
    """A docstring someone wrote, not one `dataclass` or `NamedTuple` made up: `Name(x: int)`."""
    doc = (getattr(value, "__doc__", None) or "").strip()
    if inspect.isclass(value) and (dataclasses.is_dataclass(value) or hasattr(value, "_fields")):
        return bool(doc) and not doc.startswith(f"{value.__name__}(")
    return bool(doc)


def undocumented(packages: Sequence[str] = PACKAGES) -> list[str]:
    missing = []
    seen: set[int] = set()
    for module in public_modules(packages):
        if not inspect.getdoc(module):
            missing.append(module.__name__)
        for name, value in public_names(module):
            if id(value) in seen or not (inspect.isclass(value) or inspect.isfunction(value)):
                continue
            seen.add(id(value))
            if getattr(value, "__module__", "").startswith(NOT_DOCUMENTED_HERE):
                continue
            if not has_docstring(value):
                missing.append(name)
            if inspect.isclass(value):
                for member, function in members(value):
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
