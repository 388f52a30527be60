"""HTTPS from a throwaway CA: trusted with the bundle the emulator writes, refused without it."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from b24_emulator import RunningEmulator, run_emulator
from tests.emulator.conftest import ADMIN, SETTINGS
from tests.emulator.test_server import emulator_process

LIST = "crm.activity.badge.list"


def trusting(ca_bundle: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_bundle))


def test_run_emulator_serves_https_that_the_ca_bundle_verifies() -> None:
    with run_emulator(SETTINGS, tls=True) as running:
        assert running.base_url.startswith("https://127.0.0.1:")
        assert running.ca_bundle is not None
        assert running.ca_bundle.read_text().startswith("-----BEGIN CERTIFICATE-----")
        port = running.base_url.rsplit(":", 1)[1]
        with httpx.Client(verify=trusting(running.ca_bundle)) as http:
            for base in (running.base_url, f"https://localhost:{port}"):
                answer = http.post(f"{base}/rest/{ADMIN.user_id}/{ADMIN.code}/{LIST}")
                assert answer.json()["result"]["badges"][0]["code"] == "missedCall"
        bundle = running.ca_bundle
        assert list(bundle.parent.iterdir()) == [bundle], "no private key is written"
    assert not bundle.exists(), "the throwaway CA goes with the emulator"


def test_without_the_ca_bundle_verification_fails() -> None:
    with (
        run_emulator(SETTINGS, tls=True) as running,
        httpx.Client() as http,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        http.post(running.webhook_url() + LIST)


def test_each_run_has_its_own_ca() -> None:
    with run_emulator(SETTINGS, tls=True) as first, run_emulator(SETTINGS, tls=True) as second:
        assert first.ca_bundle is not None
        with (
            httpx.Client(verify=trusting(first.ca_bundle)) as http,
            pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
        ):
            http.post(second.webhook_url() + LIST)


def test_the_command_prints_the_bundle_and_how_to_trust_it(tmp_path: Path) -> None:
    with emulator_process("--tls", "--webhook", f"1:{ADMIN.code}") as (process, lines):
        printed = lines + [_next_line(process) for _ in range(4)]
        base_url = printed[0].removeprefix("b24-emulator listening on ")
        assert base_url.startswith("https://127.0.0.1:")
        bundle = Path(printed[2].removeprefix("CA bundle: "))
        for variable in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"):
            assert any(f"{variable}={bundle}" in line for line in printed), printed
        url = f"{base_url}/rest/1/{ADMIN.code}/{LIST}"
        # As printed: requests trusts REQUESTS_CA_BUNDLE, Python's ssl trusts SSL_CERT_FILE.
        assert (
            _status_from(
                url,
                "import requests; print(requests.post(URL).status_code)",
                {"REQUESTS_CA_BUNDLE": str(bundle)},
            )
            == "200"
        )
        urllib_call = (
            "import urllib.request as u; print(u.urlopen(u.Request(URL, method='POST')).status)"
        )
        assert _status_from(url, urllib_call, {"SSL_CERT_FILE": str(bundle)}) == "200"
        assert _status_from(url, urllib_call, {}) != "200"
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    assert not bundle.exists()


def _next_line(process: subprocess.Popen[str]) -> str:
    """The next line the emulator prints; a failure, not a hang, when it prints none."""
    assert process.stdout is not None
    with ThreadPoolExecutor(1) as pool:
        line = pool.submit(process.stdout.readline)
        try:
            return line.result(timeout=20).strip()
        except TimeoutError:
            process.kill()  # ends the read
            raise AssertionError("the emulator printed no further line") from None


def _status_from(url: str, code: str, env: dict[str, str]) -> str:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    }
    done = subprocess.run(
        [sys.executable, "-c", code.replace("URL", repr(url))],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def test_a_chosen_ca_file_is_kept(tmp_path: Path) -> None:
    bundle = tmp_path / "ca" / "emulator.pem"
    with emulator_process("--tls", "--tls-ca-file", str(bundle)) as (process, _):
        assert bundle.exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    assert bundle.read_text().startswith("-----BEGIN CERTIFICATE-----")


class TestTheFixture:
    @pytest.fixture
    def b24_emulator_tls(self) -> bool:
        return True

    def test_the_fixture_serves_https(self, b24_emulator: RunningEmulator) -> None:
        assert b24_emulator.ca_bundle is not None
        answer = httpx.post(
            b24_emulator.webhook_url() + LIST, verify=trusting(b24_emulator.ca_bundle)
        )
        assert answer.status_code == 200
