"""Fixtures shared by every part of the project's own test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from b24_spec import Contract

REPO = Path(__file__).resolve().parents[1]

# The emulator's fixtures (`b24_emulator`, `b24_emulator_settings`) come as other teams get them:
# installing b24-emulator registers its pytest plugin (the `pytest11` entry point).


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract.load()


@pytest.fixture(scope="session")
def docs_dir() -> Path:
    """The raw copy of the Bitrix24 docs that sits beside the checkout (and in CI).

    Point B24_DOCS_DIR at a fresh clone of the public docs to check against them instead. Without
    the docs the tests that need them are skipped, loudly, unless B24_REQUIRE_DOCS=1 (set by
    .ci/run) turns the absence into a failure.
    """
    path = Path(os.environ.get("B24_DOCS_DIR", REPO.parent / "shared/reference/b24-rest-docs"))
    if not path.is_dir():
        message = f"Bitrix24 docs not found at {path}; set B24_DOCS_DIR"
        if os.environ.get("B24_REQUIRE_DOCS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path
