"""The client's public API: what `b24_badge_client` exports, and nothing else used.

Everything public is imported in `b24_badge_client/__init__.py` and listed in `__all__`; every
module behind it is private (`_`-prefixed). Code outside the client and its own tests imports
only the public API. That each exported name (and each method of the hand-written classes,
inherited ones too) has a docstring is `tests/test_docstrings.py`'s rule, as for every package.
"""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path
from types import ModuleType

import b24_badge_client
from tests.conftest import REPO

PACKAGE = Path(b24_badge_client.__file__).parent


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
