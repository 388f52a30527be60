"""The three distributions as another team gets them: built by ./scripts/build, installed with
plain pip (no uv) into a fresh environment outside the clone, and used from a directory that
knows nothing of the clone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # builds, a pip install and whole processes

DISTRIBUTIONS = ("b24_badge_client", "b24_emulator", "b24_conformance")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(REPO / "scripts/build"), str(out)], check=True, timeout=600)
    return out


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with no clone above it."""
    return tmp_path_factory.mktemp("elsewhere")


def env_without_the_clone() -> dict[str, str]:
    """The environment of a team's shell: nothing points into the clone's .venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO))
    )
    return env


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the three wheels, installed by plain pip (dependencies from the index)."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=120)
    wheels = sorted(str(w) for w in dist.glob("*.whl"))
    subprocess.run(
        [str(root / "bin/pip"), "install", "--quiet", *wheels],
        check=True,
        timeout=600,
        env=env_without_the_clone(),
    )
    return root / "bin"


def run(
    venv: Path, cwd: Path, *argv: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / argv[0]), *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env_without_the_clone(),
        check=False,
    )


def test_every_distribution_has_a_wheel_and_an_sdist(dist: Path) -> None:
    for name in DISTRIBUTIONS:
        assert len(list(dist.glob(f"{name}-*-py3-none-any.whl"))) == 1, name
        assert len(list(dist.glob(f"{name}-*.tar.gz"))) == 1, name


def test_the_conformance_wheel_carries_the_spec_built_from_the_one_in_the_clone(dist: Path) -> None:
    (wheel,) = dist.glob("b24_conformance-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = archive.read("b24_spec/openapi.yaml")
        names = set(archive.namelist())
    assert packaged == (REPO / "spec/openapi.yaml").read_bytes()
    assert "b24_spec/regenerate.py" not in names, "developer tools stay in the clone"


def requirements(dist: Path, name: str) -> set[str]:
    (wheel,) = dist.glob(f"{name}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
    found = set()
    for line in lines:
        if line.startswith("Requires-Dist:") and "extra ==" not in line:
            requirement = line.removeprefix("Requires-Dist:").strip()
            found.add(requirement.split(";")[0].split(">")[0].split("<")[0].split("=")[0].strip())
    return found


def extras(dist: Path, name: str) -> dict[str, set[str]]:
    """The optional dependencies of a wheel, by extra."""
    (wheel,) = dist.glob(f"{name}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
    found: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("Requires-Dist:") and "extra ==" in line:
            requirement, _, marker = line.removeprefix("Requires-Dist:").partition(";")
            extra = marker.split("extra ==")[1].strip().strip("'\"")
            name_only = requirement.strip().split(">")[0].split("<")[0].split("=")[0].strip()
            found.setdefault(extra, set()).add(name_only)
    return found


def test_each_distribution_needs_only_what_it_uses(dist: Path) -> None:
    assert requirements(dist, "b24_badge_client") == {"httpx", "attrs"}
    assert requirements(dist, "b24_emulator") == {"starlette", "uvicorn", "python-multipart"}
    assert extras(dist, "b24_emulator") == {"tls": {"trustme"}, "strict": {"b24-conformance"}}
    assert {"schemathesis", "pytest"} <= requirements(dist, "b24_conformance")


@pytest.fixture(scope="module")
def emulator(venv: Path, outside: Path) -> Iterator[str]:
    """`b24-emulator` started as a team would, from the fresh venv; yields the webhook URL."""
    process = subprocess.Popen(
        [str(venv / "b24-emulator"), "--no-rate-limit"],
        cwd=outside,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_without_the_clone(),
    )
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            if line.startswith("webhook URL: "):
                url = line.removeprefix("webhook URL: ").strip()
                break
        assert url, "the emulator printed its webhook URL"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_installed_suite_checks_the_installed_emulator(
    venv: Path, outside: Path, emulator: str
) -> None:
    done = run(
        venv,
        outside,
        "b24-conformance",
        "--base-url",
        emulator,
        "--allow-writes",
        "--profile",
        "quick",
        "--rate-limit",
        "none",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CONFORMS" in done.stdout


def test_the_installed_drift_check_reads_a_docs_checkout(
    venv: Path, outside: Path, docs_dir: Path
) -> None:
    done = run(venv, outside, "b24-docs-drift", str(docs_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 part ways with the spec" in done.stdout


def test_the_installed_drift_check_says_when_it_cannot_check(venv: Path, outside: Path) -> None:
    done = run(venv, outside, "b24-docs-drift", str(outside))
    assert done.returncode == 2, done.stdout + done.stderr


def test_the_emulator_fixture_needs_no_conftest_line(venv: Path, outside: Path) -> None:
    project = outside / "a-team"
    project.mkdir(exist_ok=True)
    (project / "test_with_the_emulator.py").write_text(
        textwrap.dedent(
            """
            import httpx

            def test_list(b24_emulator):
                url = b24_emulator.webhook_url() + "crm.activity.badge.list"
                assert httpx.post(url).json()["result"]["badges"][0]["code"] == "missedCall"
            """
        ),
        encoding="utf-8",
    )
    done = run(venv, project, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_suite_installs_from_a_git_url_with_a_subdirectory(venv: Path, tmp_path: Path) -> None:
    """pip builds b24-conformance from `#subdirectory=contract_tests` of a clone of this
    repository (at HEAD), which reaches the spec in ../spec: the wheel must carry it."""
    target = tmp_path / "site"
    done = subprocess.run(
        [
            str(venv / "pip"),
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            f"git+file://{REPO}#subdirectory=contract_tests",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env_without_the_clone(),
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "b24_spec/openapi.yaml").is_file()
    assert (target / "b24_conformance/cli.py").is_file()
