"""The Node.js project of the JS SDK's interop test (tests/interop/js): its tools and its install.

@bitrix24/b24jssdk is pinned by `js/package.json` and `js/package-lock.json`; `node_modules/` is
not committed. `install()` runs `npm ci` from the lock the first time, then only when the lock
or package.json changes (a stamp in node_modules records the pair it installed), so later runs
need no network. Concurrent test processes install once: the install holds a file lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

JS_PROJECT = Path(__file__).with_name("js")
MANIFESTS = ("package.json", "package-lock.json")
STAMP = JS_PROJECT / "node_modules" / ".b24-interop-installed"  # npm ci removes it first
MIN_NODE_MAJOR = 20  # what @bitrix24/b24jssdk 2.x supports (its "engines")
INSTALL_TIMEOUT = 900.0  # a hang guard only: the first install downloads ~35 small packages


class NodeMissing(Exception):
    """node or npm is not on PATH, or node is too old: the JS SDK cannot run."""


def node() -> str:
    """The node executable, checked to be recent enough."""
    path = shutil.which("node")
    if path is None or shutil.which("npm") is None:
        raise NodeMissing(
            "node and npm are needed for the b24jssdk interop test (Node.js 20 or newer): "
            "install them (Debian: apt-get install nodejs npm) or put them on PATH"
        )
    version = subprocess.run(
        [path, "--version"], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    match = re.fullmatch(r"v(\d+)\..*", version)
    if match is None or int(match.group(1)) < MIN_NODE_MAJOR:
        raise NodeMissing(f"node {version} at {path} is too old: Node.js 20 or newer is needed")
    return path


def node_for_test() -> str:
    """node for a test. Without it the test fails in CI, which `.ci/run` marks with
    B24_REQUIRE_DOCS=1 (a run where nothing the suite needs may be missing), and is skipped
    elsewhere, with the reason in pytest's summary."""
    try:
        return node()
    except NodeMissing as missing:
        if os.environ.get("B24_REQUIRE_DOCS") == "1":
            pytest.fail(f"{missing} (required in CI: B24_REQUIRE_DOCS=1)")
        pytest.skip(f"b24jssdk interop NOT RUN: {missing}")


def install() -> Path:
    """Make `js/node_modules` exactly what the lock names; the project's directory.

    With a matching install in place nothing runs, so neither npm nor the network is needed.
    """
    wanted = lock_digest()
    lock_file = Path(tempfile.gettempdir()) / f"b24-interop-npm-{digest(str(JS_PROJECT))}.lock"
    with lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not STAMP.is_file() or STAMP.read_text() != wanted:
            npm = shutil.which("npm")
            if npm is None:
                raise NodeMissing("npm is needed to install tests/interop/js: put it on PATH")
            command = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline"]
            done = subprocess.run(
                command,
                cwd=JS_PROJECT,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                check=False,
                env={**os.environ, "NO_UPDATE_NOTIFIER": "1"},
            )
            if done.returncode != 0:
                raise RuntimeError(
                    f"`npm ci` in {JS_PROJECT} failed ({done.returncode}):\n{done.stderr}"
                )
            STAMP.write_text(wanted)
    return JS_PROJECT


def lock_digest() -> str:
    """What the install must match: package.json and package-lock.json, byte for byte."""
    return digest("\0".join((JS_PROJECT / name).read_text() for name in MANIFESTS))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
