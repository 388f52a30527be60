"""b24-badge-client as other teams get it: a wheel, installed alone into a fresh environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from b24_emulator import RunningEmulator
from b24_spec import Contract
from tests.conftest import REPO

pytestmark = pytest.mark.slow  # whole processes and builds


def uv() -> str:
    found = os.environ.get("B24_UV") or shutil.which("uv")
    assert found, "uv is needed: run the tests through ./scripts/test, which provides it"
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv(), "build", "--package", "b24-badge-client", "--wheel", "--out-dir", str(out), "-q"],
        cwd=REPO,
        check=True,
        timeout=300,
    )
    (built,) = out.glob("b24_badge_client-*.whl")
    return built


def test_the_wheel_is_versioned_by_the_spec_and_typed(wheel: Path, contract: Contract) -> None:
    assert wheel.name == f"b24_badge_client-{contract.version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    assert "b24_badge_client/py.typed" in names
    assert "b24_badge_client/_generated/api/badges/crm_activity_badge_get.py" in names
    requires = metadata.get_all("Requires-Dist") or []
    requirements = sorted(r.split(">")[0].split("<")[0] for r in requires)
    assert requirements == ["attrs", "httpx"], "nothing of the toolkit's test tooling"


@pytest.fixture(scope="module")
def fresh_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([uv(), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [uv(), "pip", "install", "-q", "--python", str(python), str(wheel)], check=True, timeout=300
    )
    return python


def test_installed_alone_it_imports_and_calls_a_portal(
    fresh_python: Path, b24_emulator: RunningEmulator
) -> None:
    script = textwrap.dedent(
        """
        import sys
        import b24_badge_client
        from b24_badge_client import BadgeClient, NotFound
        assert "site-packages" in b24_badge_client.__file__, b24_badge_client.__file__
        for forbidden in ("schemathesis", "pytest", "b24_emulator", "b24_spec"):
            try:
                __import__(forbidden)
            except ImportError:
                continue
            raise SystemExit(f"{forbidden} is importable: the environment is not clean")
        with BadgeClient.from_webhook(sys.argv[1], rate_limit=None) as client:
            print(client.get("missedCall").type_.value)
            try:
                client.get("absent")
            except NotFound as error:
                print(error.code)
        """
    )
    done = subprocess.run(
        [fresh_python, "-c", script, b24_emulator.webhook_url()],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["failure", "NOT_FOUND"]
