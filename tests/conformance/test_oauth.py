"""An OAuth application checks a portal (`--oauth`): `https://portal/rest/` with the token as
`auth`, refreshed at the OAuth server when it expires, and no token in anything the run leaves.
"""

from __future__ import annotations

from pathlib import Path

from b24_emulator import OAuthToken, Settings, Webhook, run_emulator
from tests.client.leaks import revealed
from tests.conformance.conftest import QUICK, Conformance, Run
from tests.portals import echoing_requests, errors, json_answer, token_server

ACCESS = "0a1cce55-t0ken-of-the-app"
EXPIRED = "exp1red-t0ken-of-the-app"
REFRESH = "refre5h-t0ken-of-the-app"
NEXT_REFRESH = "next-refre5h-t0ken-of-the-app"
CLIENT_SECRET = "cl1ent-secret-of-the-app"
SECRETS = (ACCESS, EXPIRED, REFRESH, NEXT_REFRESH, CLIENT_SECRET)


def assert_no_token_anywhere(run: Run, journal: Path) -> None:
    artefacts = run.artefacts()
    artefacts[str(journal)] = journal.read_text(encoding="utf-8") if journal.exists() else ""
    assert any(name.endswith("junit.xml") for name in artefacts)
    assert any(name.endswith("summary.md") for name in artefacts)
    for name, text in artefacts.items():
        assert not revealed(text, SECRETS), f"a secret leaked into {name}"
    assert not list(run.workdir.iterdir()), "the run left files in its working directory"
    assert [p.name for p in run.report_dir.iterdir()] != [], "reports were written"
    assert not [p for p in run.report_dir.iterdir() if p.name.startswith("b24-conformance-")]


def test_an_oauth_run_conforms_and_leaves_no_token(
    conformance: Conformance, tmp_path: Path
) -> None:
    """A portal that quotes each refused request, token included, in its error answers."""
    settings = Settings(tokens=(OAuthToken(ACCESS, 1),), rate_limit=None)
    with run_emulator(settings, wrap=echoing_requests) as portal:
        run = conformance(
            "--oauth",
            "--portal",
            portal.base_url,
            "--allow-writes",
            "--negative",
            *QUICK,
            env={"B24_ACCESS_TOKEN": ACCESS},
        )
    assert run.status == 0, run.stdout + run.stderr
    assert f"checking {portal.base_url}/rest (OAuth application)" in run.stdout
    assert "test_auth.py::test_a_wrong_secret_is_refused" not in run.summary  # it passed
    assert_no_token_anywhere(run, tmp_path / "journal.jsonl")


def test_violations_of_an_oauth_run_quote_no_token(
    conformance: Conformance, tmp_path: Path
) -> None:
    """A broken portal (500 for every error) that quotes the token: the violations show its
    answers, masked."""
    crashing = errors(lambda status, body: json_answer(500, body))
    settings = Settings(tokens=(OAuthToken(ACCESS, 1),), rate_limit=None)
    with run_emulator(settings, wrap=lambda app: echoing_requests(crashing(app))) as portal:
        run = conformance(
            "--oauth",
            "--portal",
            portal.base_url,
            "--allow-writes",
            *QUICK,
            env={"B24_ACCESS_TOKEN": ACCESS},
        )
    assert run.status == 1, run.stdout + run.stderr
    assert "Server error" in run.summary
    assert '"echo": "***' in run.summary or "\\u" in run.summary  # the echo is shown, masked
    assert_no_token_anywhere(run, tmp_path / "journal.jsonl")


def test_an_expired_token_is_refreshed_at_the_oauth_server(
    conformance: Conformance, tmp_path: Path
) -> None:
    seen: list[dict[str, str]] = []
    tokens = (OAuthToken(EXPIRED, 1, expires_at=0), OAuthToken(ACCESS, 1))
    settings = Settings(webhooks=(Webhook.generate(),), tokens=tokens, rate_limit=None)
    with run_emulator(settings, wrap=token_server(ACCESS, NEXT_REFRESH, seen)) as portal:
        run = conformance(
            "--oauth",
            "--portal",
            portal.base_url,
            "--allow-writes",
            *QUICK,
            "--oauth-server",
            f"{portal.base_url}/oauth/token/",
            env={
                "B24_ACCESS_TOKEN": EXPIRED,
                "B24_REFRESH_TOKEN": REFRESH,
                "B24_CLIENT_ID": "app.123",
                "B24_CLIENT_SECRET": CLIENT_SECRET,
            },
        )
    assert run.status == 0, run.stdout + run.stderr
    assert seen[0] == {
        "grant_type": "refresh_token",
        "client_id": "app.123",
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH,
    }
    assert len(seen) == 1, "one refresh: the new token stays valid for the run"
    assert_no_token_anywhere(run, tmp_path / "journal.jsonl")


def test_a_refresh_needs_all_three_variables(conformance: Conformance) -> None:
    run = conformance(
        "--oauth",
        "--portal",
        "https://portal.example",
        *QUICK,
        env={"B24_ACCESS_TOKEN": ACCESS, "B24_REFRESH_TOKEN": REFRESH},
    )
    assert run.status == 2
    assert "a token refresh needs $B24_CLIENT_ID, $B24_CLIENT_SECRET as well" in run.stderr
    assert not revealed(run.stdout + run.stderr + run.summary, SECRETS)


def test_oauth_and_a_webhook_url_are_one_or_the_other(conformance: Conformance) -> None:
    run = conformance(
        "--oauth",
        "--portal",
        "https://portal.example",
        "--base-url",
        "https://portal.example/rest/1/abc/",
        env={"B24_ACCESS_TOKEN": ACCESS},
    )
    assert run.status == 2
    assert "give no webhook URL with it" in run.stderr
