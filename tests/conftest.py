"""Fixtures shared by every part of the project's own test suite."""

from __future__ import annotations

import os
import signal
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


def as_from_a_terminal() -> None:
    """`preexec_fn` for a child that tests send Ctrl-C to: SIGINT at its default, as a terminal
    starts a program. A child started with SIGINT ignored (every background job of a script, as
    CI runners and `nohup` start them) keeps ignoring it, as every program does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
