"""The README's client examples run as written, against the emulator in place of a portal."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from b24_emulator import OAuthToken, Webhook, run_emulator
from b24_emulator.config import Settings
from tests.conftest import REPO

PORTAL = "https://your-domain.bitrix24.com"
HOOK = Webhook(1, "your_webhook_code")


def client_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## The client: b24-badge-client", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_client_examples_work(capsys: pytest.CaptureFixture[str]) -> None:
    (example,) = client_examples()
    settings = replace(
        Settings(webhooks=(HOOK,), rate_limit=None), tokens=(OAuthToken("token", 1),)
    )
    with run_emulator(settings) as portal:
        code = example.replace(PORTAL, portal.base_url)
        namespace = {"access_token": "token", "refresh": lambda: "token"}
        exec(compile(code, "README.md", "exec"), namespace)  # the README's own code
        assert [b.code for b in portal.portal.store.list()] == ["missedCall", "overdue"]
    assert capsys.readouterr().out == "NOT_FOUND 400 Not found.\n"
